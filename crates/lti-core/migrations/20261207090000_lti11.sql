-- LTI 1.1 consumers registered on the tool side: the consumer key and a name. The shared secret
-- lives in the OS keychain under secret_ref, never here.
CREATE TABLE lti11_consumers (
    consumer_key TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    secret_ref   TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
