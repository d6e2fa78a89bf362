-- The words of the search index, for expanding a typed prefix ("sum" → summer) into exact
-- terms. fts5vocab can list them, but it counts each term's documents as it goes, which
-- for a word in half a million ads costs tens of milliseconds per keystroke. ASCII words
-- only (folded the way the index folds them); other scripts use FTS5's own prefix match.
CREATE TABLE lib_search_terms (term TEXT PRIMARY KEY) WITHOUT ROWID;
INSERT OR IGNORE INTO lib_search_terms (term)
    SELECT term FROM lib_search_vocab WHERE term NOT GLOB '*[^0-9a-z]*';
