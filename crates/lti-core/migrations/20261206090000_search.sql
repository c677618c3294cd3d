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

-- Messages are indexed after they are stored, in batches, by a background indexer that yields
-- to captures (an FTS5 insert in each capture's commit cost a quarter of the capture
-- throughput): `search_indexed_upto` in settings is the highest message id indexed so far;
-- messages stored before this migration are indexed the same way.

-- Keeping the store tidy (issue 11, item 7): a pinned flow is kept by retention and by
-- "delete older than"; a note is the user's own words on a flow (searchable, exported).
ALTER TABLE flows ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
ALTER TABLE flows ADD COLUMN note TEXT;
