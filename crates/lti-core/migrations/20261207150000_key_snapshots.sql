-- What a launch was checked with: the platform's public key set and the registration as they
-- were (issue 11, re-check "as they were" and bundles). One row per distinct snapshot, named by
-- its digest; messages name theirs (StoredMessage.key_snapshot). Public keys only.
CREATE TABLE key_snapshots (
    digest        TEXT PRIMARY KEY,
    snapshot_json TEXT NOT NULL,
    taken_at      INTEGER NOT NULL
) WITHOUT ROWID;
