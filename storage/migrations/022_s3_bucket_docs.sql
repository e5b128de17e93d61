-- 022: which of the documents every object write reads a bucket has, on
-- the bucket's own row (bit 1: lifecycle, bit 2: notification), kept by
-- s3_config_set in the same transaction as the document. A PutObject then
-- reads its bucket in one row look-up and fetches a document only when
-- the bucket has one.
ALTER TABLE s3_buckets ADD COLUMN docs INTEGER NOT NULL DEFAULT 0;
UPDATE s3_buckets SET docs =
    (EXISTS (SELECT 1 FROM s3_bucket_configs c WHERE c.bucket = s3_buckets.name AND c.name = 'lifecycle')) +
    2 * (EXISTS (SELECT 1 FROM s3_bucket_configs c WHERE c.bucket = s3_buckets.name AND c.name = 'notification'));
