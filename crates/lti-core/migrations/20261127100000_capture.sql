-- Tool-side capture: platform registrations, pending OIDC states, seen nonces, decoded messages.
CREATE TABLE platforms (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    preset         TEXT,
    issuer         TEXT NOT NULL,
    client_id      TEXT NOT NULL,
    deployment_ids TEXT,                  -- JSON array; NULL = accept any and report it
    auth_endpoint  TEXT NOT NULL DEFAULT '',
    token_endpoint TEXT NOT NULL DEFAULT '',
    token_audience TEXT,                  -- assertion aud override (Brightspace)
    jwks_url       TEXT,
    public_jwks    TEXT,                  -- pasted JWK/JWKS/PEM, normalised to a JWKS
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    UNIQUE (issuer, client_id)
);

-- One row per login initiation the tool answered: what step 3 must match.
CREATE TABLE launch_states (
    state        TEXT PRIMARY KEY,
    flow_id      TEXT NOT NULL,
    nonce        TEXT NOT NULL,
    platform_id  TEXT,
    login_params TEXT NOT NULL,           -- JSON object of the login initiation parameters
    created_at   INTEGER NOT NULL,
    used_at      INTEGER
);

CREATE TABLE seen_nonces (
    issuer     TEXT NOT NULL,
    nonce      TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    flow_id    TEXT,
    PRIMARY KEY (issuer, nonce)
);

-- A decoded, validated message of a flow (login parameters, id_token, deep linking response…).
-- The report (findings, explained claims) is one JSON document: a launch has dozens of findings
-- and is always read whole.
CREATE TABLE messages (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    flow_id     TEXT NOT NULL REFERENCES flows(id),
    exchange_id INTEGER REFERENCES exchanges(id),
    kind        TEXT NOT NULL,
    verdict     TEXT NOT NULL,
    validated_at INTEGER NOT NULL,        -- unix seconds used as `now`
    report_json TEXT NOT NULL
);
CREATE INDEX messages_flow ON messages(flow_id);
