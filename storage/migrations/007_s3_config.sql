-- 007: S3 bucket configuration subresources, ACLs and versioning.
--
-- Bucket configurations (cors, website, lifecycle, replication, tagging,
-- accelerate, request payment, logging, object lock, public access block,
-- ownership controls) are one row each, kept as the canonical XML document
-- S3 answers with; no row means "not configured".
CREATE TABLE s3_bucket_configs (
    bucket  TEXT NOT NULL REFERENCES s3_buckets (name) ON DELETE CASCADE,
    name    TEXT NOT NULL,          -- the subresource: 'cors', 'website', ...
    doc     TEXT NOT NULL,
    PRIMARY KEY (bucket, name)
);

-- versioning: NULL (never enabled), 'Enabled' or 'Suspended'
ALTER TABLE s3_buckets ADD COLUMN versioning TEXT;
-- ACL grants as JSON [{"t": "CanonicalUser"|"Group", "id"|"uri": ..., "p": PERMISSION}];
-- NULL is the default: the owner has FULL_CONTROL
ALTER TABLE s3_buckets ADD COLUMN acl TEXT;
ALTER TABLE s3_objects ADD COLUMN acl TEXT;
-- s3_objects holds the current version of each key (unless that is a delete
-- marker); version_id NULL is the "null" version (every object of a bucket
-- that never had versioning enabled)
ALTER TABLE s3_objects ADD COLUMN version_id TEXT;

-- Every other version: noncurrent versions and delete markers (a current
-- delete marker too). Same body columns as s3_objects: each version keeps its
-- own sealed body (inline or blob files) and envelope. id orders the versions
-- of a key (higher is newer); the s3_objects row, when there is one, is newer
-- than all of them. version_id 'null' is the null version.
CREATE TABLE s3_versions (
    id            INTEGER PRIMARY KEY,
    bucket        TEXT NOT NULL REFERENCES s3_buckets (name) ON DELETE CASCADE,
    key           TEXT NOT NULL,
    version_id    TEXT NOT NULL,
    marker        INTEGER NOT NULL DEFAULT 0,  -- 1: a delete marker (no body)
    blob_id       TEXT NOT NULL DEFAULT '',
    size          INTEGER NOT NULL DEFAULT 0,
    etag          TEXT NOT NULL DEFAULT '',
    last_modified REAL NOT NULL,
    meta          TEXT NOT NULL DEFAULT '{}',
    sse           TEXT NOT NULL DEFAULT '',
    kms_key_arn   TEXT,
    bucket_key    INTEGER NOT NULL DEFAULT 0,
    context       TEXT,
    wrapped_key   BLOB,
    ssec_salt     BLOB,
    ssec_hmac     BLOB,
    frame_size    INTEGER NOT NULL DEFAULT 0,
    checksum_alg  TEXT,
    checksum      TEXT,
    checksum_type TEXT,
    parts         TEXT,
    tags          TEXT,
    body          BLOB,
    acl           TEXT
);
CREATE UNIQUE INDEX s3_versions_key ON s3_versions (bucket, key, version_id);
CREATE INDEX s3_versions_order ON s3_versions (bucket, key, id);
