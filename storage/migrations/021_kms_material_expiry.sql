-- 021: each imported key material's own expiry (a symmetric EXTERNAL key
-- has several once it rotates on demand); kms_keys' expiration_model and
-- valid_to stay those of the current material. NULL: rows from before.
ALTER TABLE kms_key_material ADD COLUMN expiration_model TEXT;
ALTER TABLE kms_key_material ADD COLUMN valid_to REAL;
