-- Compact JWTs are kept once (store/tokens.rs): exchange bodies and message rows hold a short
-- list of (position, token id) instead of each token; `packed` gains bits 4 (request body) and
-- 8 (response body) for bodies that have such a list, message rows the tag "T1".
CREATE TABLE tokens (
    id     INTEGER PRIMARY KEY,
    digest BLOB NOT NULL UNIQUE,   -- the first 16 bytes of the token's SHA-256
    body   BLOB NOT NULL           -- tokens::encode
);
-- Which flows use a token: deleting a flow deletes the tokens no other flow uses.
CREATE TABLE token_uses (
    flow_id  TEXT NOT NULL,
    token_id INTEGER NOT NULL,
    PRIMARY KEY (flow_id, token_id)
) WITHOUT ROWID;
CREATE INDEX token_uses_token ON token_uses(token_id);
