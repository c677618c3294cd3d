-- Full-text search over flows (issue 11, item 5): one row per stored message, rowid = the
-- message's id (so a match leads to its flow through `messages`). Contentless: the text is
-- only indexed, never stored twice (the message row holds it); contentless_delete lets a
-- deleted flow's rows go. Columns are the Timeline's filter fields; `body` is everything else
-- searchable (claim values, parameters, URLs, finding messages). `state` holds the message's
-- verdict and its flow's side as tokens (`verdictinvalid sidetool`), so a text search narrowed
-- to a verdict or side is narrowed inside the index, not row by row after it.
CREATE VIRTUAL TABLE message_search USING fts5(
    user, context, platform, type, iss, client, deployment, rules, state, body,
    content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
);

-- Messages stored before this migration are indexed in the background, newest first, from
-- this id down (the setting is lowered as they are; gone when done).
INSERT INTO settings(key, value)
SELECT 'search_backfill_below', CAST(max(id) + 1 AS TEXT) FROM messages WHERE id IS NOT NULL
HAVING max(id) IS NOT NULL;

-- Keeping the store tidy (issue 11, item 7): a pinned flow is kept by retention and by
-- "delete older than"; a note is the user's own words on a flow (searchable, exported).
ALTER TABLE flows ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
ALTER TABLE flows ADD COLUMN note TEXT;
