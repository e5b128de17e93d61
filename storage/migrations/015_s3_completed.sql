-- 015: completed multipart uploads, so a CompleteMultipartUpload repeated
-- with the same parts answers as the first did (AWS does: adobe/S3Mock#2586
-- shows it against S3). One row per completion, kept a day on the
-- emulator's clock: the parts it listed ("number:etag,..."), and the
-- answer (JSON: etag, version id, checksum, encryption). No body: the
-- object's row owns the parts' blobs.
CREATE TABLE s3_completed (
    upload_id  TEXT PRIMARY KEY,
    bucket     TEXT NOT NULL REFERENCES s3_buckets (name) ON DELETE CASCADE,
    key        TEXT NOT NULL,
    completed  REAL NOT NULL,
    parts      TEXT NOT NULL,
    result     TEXT NOT NULL
);
CREATE INDEX s3_completed_age ON s3_completed (completed);
