-- Imported asset bytes may live in sealed files beside the vault instead of in
-- blob_chunks (see src-tauri/crates/store/src/files.rs): the files' random data key is
-- kept here, inside the encrypted database, and a blob says where its bytes are.
CREATE TABLE vault_asset_key (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    key  BLOB NOT NULL CHECK (length(key) = 32)
) STRICT;

ALTER TABLE blobs ADD COLUMN in_file INTEGER NOT NULL DEFAULT 0 CHECK (in_file IN (0, 1));
