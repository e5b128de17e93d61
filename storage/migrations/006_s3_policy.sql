-- 006: S3 bucket policies (the resource policy of --iam enforce).
ALTER TABLE s3_buckets ADD COLUMN policy TEXT;
