-- 010: S3 Object Lock state of each object version.
--
-- The bucket's side (Object Lock enabled, the default retention) is its
-- 'object-lock' document in s3_bucket_configs. Each version carries its own
-- lock, moving with the row between s3_objects and s3_versions:
--   lock_mode   'GOVERNANCE' | 'COMPLIANCE', NULL: no retention
--   lock_until  the retain-until date, seconds since the epoch on the
--               emulator's clock (a version is retained while it is later
--               than now)
--   legal_hold  NULL never set, 0 OFF, 1 ON
-- s3_uploads keeps what CreateMultipartUpload asked for, applied at
-- CompleteMultipartUpload.
ALTER TABLE s3_objects ADD COLUMN lock_mode TEXT;
ALTER TABLE s3_objects ADD COLUMN lock_until REAL;
ALTER TABLE s3_objects ADD COLUMN legal_hold INTEGER;
ALTER TABLE s3_versions ADD COLUMN lock_mode TEXT;
ALTER TABLE s3_versions ADD COLUMN lock_until REAL;
ALTER TABLE s3_versions ADD COLUMN legal_hold INTEGER;
ALTER TABLE s3_uploads ADD COLUMN lock_mode TEXT;
ALTER TABLE s3_uploads ADD COLUMN lock_until REAL;
ALTER TABLE s3_uploads ADD COLUMN legal_hold INTEGER;
