-- Thumbnails are made after an import's downloads, not during them: decoding and
-- re-encoding thousands of images took more CPU than the rest of the import, and slowed the
-- downloads it shared the machine with. An image stored without a thumbnail is marked here
-- until the thumbnail pass has looked at it (small images stay their own thumbnail; lists
-- show the original meanwhile).
ALTER TABLE lib_assets ADD COLUMN thumb_pending INTEGER NOT NULL DEFAULT 0;
CREATE INDEX lib_assets_thumb_pending ON lib_assets (account_id) WHERE thumb_pending = 1;
