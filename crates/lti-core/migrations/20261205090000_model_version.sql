-- One counter every change to the model (registrations, the emulator's tools, courses, users,
-- enrollments, links, line items, grades, deep-linked items) bumps in its own transaction, so a
-- process that did not make the change (a `serve` next to the CLI) notices it.
CREATE TABLE IF NOT EXISTS model_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT OR IGNORE INTO model_version (id, version) VALUES (1, 0);
