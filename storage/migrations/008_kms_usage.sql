-- 008_kms_usage: the last successful cryptographic use of each KMS key
-- (GetKeyLastUsage). Written at most once a minute per key; the server
-- keeps the newest in memory and writes it out when asked and at exit.
ALTER TABLE kms_keys ADD COLUMN last_used REAL;
ALTER TABLE kms_keys ADD COLUMN last_used_op TEXT;
ALTER TABLE kms_keys ADD COLUMN last_used_request TEXT;
-- when tracking began: keys that exist now start being tracked now; a
-- NULL means from the key's creation
ALTER TABLE kms_keys ADD COLUMN tracking_start REAL;
UPDATE kms_keys SET tracking_start = (julianday('now') - 2440587.5) * 86400.0;
