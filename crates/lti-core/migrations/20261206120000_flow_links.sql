-- The two sides of one launch (the emulator's flow and the tool side's) share a link key: a
-- digest of the exact id_token both saw. Looked up by flow (index) and by key (primary key).
CREATE TABLE flow_links (
    link_key TEXT NOT NULL,
    flow_id  TEXT NOT NULL,
    PRIMARY KEY (link_key, flow_id)
) WITHOUT ROWID;
CREATE INDEX flow_links_flow ON flow_links(flow_id);
