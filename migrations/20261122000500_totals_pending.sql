-- Lifetime totals not yet added to their objects. Each metrics write adds the change its
-- daily rows make (new values minus the ones they replace) here; settling an import adds
-- them to lib_objects in one pass, instead of summing every daily row of the account
-- again. A row stays while its object is not in the library yet (metrics can arrive before
-- the listing of their object, or for an object never listed).
-- Invariant: for every object, lib_objects' totals + its pending row = the sum of its
-- daily rows without breakdown.
CREATE TABLE lib_totals_pending (
    account_id          TEXT NOT NULL REFERENCES lib_accounts(id) ON DELETE CASCADE,
    level               TEXT NOT NULL,
    external_id         TEXT NOT NULL,
    spend_micros        INTEGER NOT NULL DEFAULT 0,
    impressions         INTEGER NOT NULL DEFAULT 0,
    clicks              INTEGER NOT NULL DEFAULT 0,
    conversions_micros  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, level, external_id)
) STRICT, WITHOUT ROWID;
