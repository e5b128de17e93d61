-- 012: the keys due for deletion, found without a scan. ListKeys and
-- ListAliases purge the keys past their deletion window first
-- (kms_purge_due): over (account, region) alone that DELETE read every key
-- of the account, the larger part of a page's cost (50,000 keys: 18 ms of
-- every page; with this partial index, 0.4 ms).
CREATE INDEX kms_keys_due ON kms_keys (account, region, deletion_date)
    WHERE state = 'PendingDeletion';
