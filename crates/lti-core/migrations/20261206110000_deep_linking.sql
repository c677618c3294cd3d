-- Named sets of deep linking content items the composer can reuse.
CREATE TABLE dl_templates (
    name TEXT PRIMARY KEY,
    items_json TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

-- The deep_linking_settings an emulator launch offered (JSON; NULL for other launches and for
-- launches made before settings could be chosen).
ALTER TABLE emu_launches ADD COLUMN dl_settings TEXT;
