-- 005: small object bodies inline. An object of at most S3_INLINE_MAX
-- plaintext bytes (services/s3/s3_int.h) keeps its sealed body -- the same
-- framed AES-256-GCM bytes a blob file would hold, never plaintext -- in
-- body, written in the row's own transaction; its blob_id is then ''.
-- Larger objects and multipart parts stay blob files (body NULL).
ALTER TABLE s3_objects ADD COLUMN body BLOB;
