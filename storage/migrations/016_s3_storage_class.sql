-- 016: an object's storage class (NULL: STANDARD) and the state of its
-- restore (GLACIER, DEEP_ARCHIVE): restore_ready, when the restore started
-- by RestoreObject completes on the emulator clock (NULL: none asked);
-- restore_until, when the restored copy expires. An upload keeps the class
-- CreateMultipartUpload asked for.
ALTER TABLE s3_objects ADD COLUMN storage_class TEXT;
ALTER TABLE s3_objects ADD COLUMN restore_ready REAL;
ALTER TABLE s3_objects ADD COLUMN restore_until REAL;
ALTER TABLE s3_versions ADD COLUMN storage_class TEXT;
ALTER TABLE s3_versions ADD COLUMN restore_ready REAL;
ALTER TABLE s3_versions ADD COLUMN restore_until REAL;
ALTER TABLE s3_uploads ADD COLUMN storage_class TEXT;
