-- 017: restores by when they complete, so that S3's tick finds the ones
-- that completed since it last looked (ObjectRestore:Completed) without a
-- scan of every object.
CREATE INDEX s3_objects_restore ON s3_objects (restore_ready) WHERE restore_ready IS NOT NULL;
CREATE INDEX s3_versions_restore ON s3_versions (restore_ready) WHERE restore_ready IS NOT NULL;
