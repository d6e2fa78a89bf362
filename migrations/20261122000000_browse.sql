-- Browsing a level of a large library (100k campaigns, 1M ads) without reading table rows
-- until a row is on the screen. The list's filters (status, objective, account, platform,
-- dates, spend) are columns of these indexes, so SQLite answers them from the index and
-- reads the wide row only for the 200 rows of a page. They cover live objects only (the
-- list hides removed ones unless asked; that rarer view scans).

-- Counting, and sorting by a metric, date or status: one covering index per way in (the
-- whole client, or one account of it), scanned once.
DROP INDEX lib_objects_client;
DROP INDEX lib_objects_filter;
DROP INDEX lib_objects_browse;
CREATE INDEX lib_objects_live ON lib_objects
    (client_id, level, status, objective, account_id, platform, spend_micros, impressions, clicks, conversions_micros, start_at, end_at)
    WHERE removed_at IS NULL;
CREATE INDEX lib_objects_live_account ON lib_objects
    (client_id, level, account_id, status, objective, platform, spend_micros, impressions, clicks, conversions_micros, start_at, end_at)
    WHERE removed_at IS NULL;
-- The two sorts a list opens with (name, spend), read in order and stopped after a page.
-- The sort key comes first and the filter columns after it; pages order ties by them.
DROP INDEX lib_objects_spend;
CREATE INDEX lib_objects_live_spend ON lib_objects
    (client_id, level, spend_micros, status, objective, account_id, platform)
    WHERE removed_at IS NULL;
CREATE INDEX lib_objects_live_name ON lib_objects
    (client_id, level, name COLLATE NOCASE, status, objective, account_id, platform)
    WHERE removed_at IS NULL;
