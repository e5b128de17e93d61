-- 003: S3 buckets, objects (bodies are sealed blob files), multipart uploads.
CREATE TABLE s3_buckets (
    name        TEXT PRIMARY KEY,       -- bucket names are global
    account     TEXT NOT NULL,
    region      TEXT NOT NULL,
    created     REAL NOT NULL,
    encryption  TEXT,                   -- ServerSideEncryptionConfiguration as JSON
    tags        TEXT
);

-- one row per object; the body is blob_id, sealed in frames under a data key:
--   sse 'AES256': data key wrapped by the master key (wrapped_key)
--   sse 'aws:kms': data key is a KMS ciphertext under kms_key_arn
--   sse 'SSE-C': the customer key seals the frames; only a salted HMAC kept
CREATE TABLE s3_objects (
    bucket        TEXT NOT NULL REFERENCES s3_buckets (name) ON DELETE CASCADE,
    key           TEXT NOT NULL,
    blob_id       TEXT NOT NULL,
    size          INTEGER NOT NULL,
    etag          TEXT NOT NULL,
    last_modified REAL NOT NULL,
    meta          TEXT NOT NULL,        -- JSON: content headers and x-amz-meta-*
    sse           TEXT NOT NULL,
    kms_key_arn   TEXT,
    bucket_key    INTEGER NOT NULL DEFAULT 0,
    context       TEXT,                 -- KMS encryption context JSON
    wrapped_key   BLOB,
    ssec_salt     BLOB,
    ssec_hmac     BLOB,
    frame_size    INTEGER NOT NULL,
    checksum_alg  TEXT,
    checksum      TEXT,
    checksum_type TEXT,
    parts         TEXT,                 -- JSON array of part sizes (multipart)
    tags          TEXT,                 -- JSON object
    PRIMARY KEY (bucket, key)
);

CREATE TABLE s3_uploads (
    upload_id   TEXT PRIMARY KEY,
    bucket      TEXT NOT NULL REFERENCES s3_buckets (name) ON DELETE CASCADE,
    key         TEXT NOT NULL,
    initiated   REAL NOT NULL,
    meta        TEXT NOT NULL,
    sse         TEXT NOT NULL,
    kms_key_arn TEXT,
    bucket_key  INTEGER NOT NULL DEFAULT 0,
    context     TEXT,
    wrapped_key BLOB,
    ssec_salt   BLOB,
    ssec_hmac   BLOB,
    checksum_alg TEXT,
    checksum_type TEXT,
    tags        TEXT
);
CREATE INDEX s3_uploads_bucket ON s3_uploads (bucket, key, initiated);

CREATE TABLE s3_parts (
    upload_id   TEXT NOT NULL REFERENCES s3_uploads (upload_id) ON DELETE CASCADE,
    part_number INTEGER NOT NULL,
    blob_id     TEXT NOT NULL,
    size        INTEGER NOT NULL,
    etag        TEXT NOT NULL,
    md5         BLOB NOT NULL,
    checksum    TEXT,
    last_modified REAL NOT NULL,
    PRIMARY KEY (upload_id, part_number)
);

-- blobs whose rows are gone (replaced or deleted objects) are removed after
-- the transaction commits; a crash in between leaves them to the start-up sweep
