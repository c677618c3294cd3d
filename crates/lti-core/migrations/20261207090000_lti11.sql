-- LTI 1.1 consumers registered on the tool side: the consumer key and a name. The shared secret
-- lives in the OS keychain under secret_ref, never here.
CREATE TABLE lti11_consumers (
    consumer_key TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    secret_ref   TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);

-- LTI 1.1 tools registered in the platform emulator: where to launch, the consumer key, the
-- LMS it imitates (extension parameters) and custom parameters. The secret: keychain only.
CREATE TABLE emu_lti11_tools (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    launch_url   TEXT NOT NULL,
    consumer_key TEXT NOT NULL UNIQUE,
    secret_ref   TEXT,
    lms          TEXT NOT NULL DEFAULT 'generic',
    custom       TEXT NOT NULL DEFAULT '{}',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);

-- A signed 1.1 launch waiting for its page to be opened (the form it auto-posts), once.
CREATE TABLE emu_lti11_launches (
    id         TEXT PRIMARY KEY,
    flow_id    TEXT NOT NULL,
    tool_id    TEXT NOT NULL,
    action     TEXT NOT NULL,
    form       TEXT NOT NULL,               -- JSON array of [name, value]
    created_at INTEGER NOT NULL,
    used_at    INTEGER
);

-- Grades a 1.1 tool sent back by Basic Outcomes (replaceResult), by lis_result_sourcedid.
CREATE TABLE emu_lti11_results (
    sourcedid  TEXT PRIMARY KEY,
    tool_id    TEXT NOT NULL,
    course_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    score      REAL,
    updated_at INTEGER NOT NULL
);

-- A 1.3 launch that carries the LTI 1.1 migration claim of this emulator 1.1 tool.
ALTER TABLE emu_launches ADD COLUMN lti11_tool_id TEXT;

-- Dynamic Registration started by the emulator: a single-use registration token, what it was
-- for (a negative test), and the flow that records it.
CREATE TABLE emu_dr_tokens (
    token       TEXT PRIMARY KEY,
    flow_id     TEXT NOT NULL,
    negative    TEXT,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER,
    tool_id     TEXT,
    tool_url    TEXT NOT NULL DEFAULT ''       -- the tool's registration URL, parameters added
);

-- The tool side's Dynamic Registration between the page (configuration fetched and checked)
-- and the user's "Register" click: the form carries only the id and its secret.
CREATE TABLE dr_pending (
    id          TEXT PRIMARY KEY,
    flow_id     TEXT NOT NULL,
    form_secret TEXT NOT NULL,
    config_url  TEXT NOT NULL,
    config      TEXT NOT NULL,
    token       TEXT,
    created_at  INTEGER NOT NULL,
    used_at     INTEGER
);

-- A replayed-nonce launch reads its tool's latest launch; the gradebook reads a course's grades.
CREATE INDEX emu_lti11_launches_tool ON emu_lti11_launches(tool_id, created_at);
CREATE INDEX emu_lti11_results_course ON emu_lti11_results(course_id);
