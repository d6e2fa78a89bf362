-- Downloads page through an account's pending assets by id (keyset): the index ends with
-- the id so each page is a seek, not a sort of every pending asset.
DROP INDEX lib_assets_pending;
CREATE INDEX lib_assets_pending ON lib_assets (account_id, status, id);
