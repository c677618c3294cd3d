-- Exchanges, flows, keys and settings: the walking skeleton's schema.
-- Migrations only ever add; a released schema is never edited in place.
CREATE TABLE flows (
    id           TEXT PRIMARY KEY,
    side         TEXT NOT NULL,              -- tool | emulator
    kind         TEXT NOT NULL,              -- lti13_launch | deep_linking | service | other
    started_at   INTEGER NOT NULL,           -- unix milliseconds
    updated_at   INTEGER NOT NULL,
    verdict      TEXT NOT NULL DEFAULT 'pending',
    title        TEXT NOT NULL DEFAULT '',
    summary_json TEXT NOT NULL DEFAULT '{}'  -- platform, user, context, message type
);
CREATE INDEX flows_started ON flows(started_at);

CREATE TABLE exchanges (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    flow_id           TEXT REFERENCES flows(id),
    side              TEXT NOT NULL,          -- tool | emulator | client
    direction         TEXT NOT NULL,          -- inbound | outbound
    step              TEXT,                   -- login | auth_redirect | launch | jwks_fetch | …
    method            TEXT NOT NULL,
    url               TEXT NOT NULL,
    status            INTEGER,
    started_at        INTEGER NOT NULL,       -- unix milliseconds
    duration_us       INTEGER NOT NULL,
    peer              TEXT,
    request_headers   TEXT NOT NULL,          -- JSON [[name, value], …] in wire order
    request_body      BLOB NOT NULL,          -- raw, as received
    request_truncated INTEGER NOT NULL DEFAULT 0,
    response_headers  TEXT NOT NULL,
    response_body     BLOB NOT NULL,
    error             TEXT
);
CREATE INDEX exchanges_flow ON exchanges(flow_id);

-- Public halves only. The private key lives in the OS keychain under secret_ref.
CREATE TABLE keys (
    kid        TEXT PRIMARY KEY,
    role       TEXT NOT NULL,                 -- tool | emulator
    public_jwk TEXT NOT NULL,
    public_pem TEXT NOT NULL,
    secret_ref TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
