-- 014: KMS imported key material and multi-Region keys.
--
-- Imported material (Origin EXTERNAL): its expiry, and the KeyMaterialId of
-- the first import, which every later import must match (the material
-- itself is in kms_key_material, sealed, while imported).
ALTER TABLE kms_keys ADD COLUMN expiration_model TEXT;
ALTER TABLE kms_keys ADD COLUMN valid_to REAL;
ALTER TABLE kms_keys ADD COLUMN import_id TEXT;

-- GetParametersForImport's wrapping key pairs, one per call, used once:
-- token_hash is SHA-256 of the ImportToken (hex), private_key the PKCS#8
-- DER sealed under the master key.
CREATE TABLE kms_import_params (
    token_hash  TEXT PRIMARY KEY,
    key_id      TEXT NOT NULL REFERENCES kms_keys (key_id) ON DELETE CASCADE,
    algorithm   TEXT NOT NULL,
    spec        TEXT NOT NULL,
    private_key BLOB NOT NULL,
    valid_to    REAL NOT NULL
);
CREATE INDEX kms_import_params_key ON kms_import_params (key_id);

-- Multi-Region keys: one row per region, key_id "<mrk id>@<region>";
-- multi_region 1 for the primary, 2 for a replica. A primary scheduled for
-- deletion while it has replicas waits in PendingReplicaDeletion; when its
-- last replica goes (whoever deletes the row), its window starts then.
CREATE TRIGGER kms_mrk_replica_gone AFTER DELETE ON kms_keys
WHEN OLD.multi_region = 2
BEGIN
    UPDATE kms_keys
       SET state = 'PendingDeletion',
           deletion_date = IFNULL(OLD.deletion_date, 0) + pending_window * 86400.0
     WHERE key_id > substr(OLD.key_id, 1, 36) || '@'
       AND key_id < substr(OLD.key_id, 1, 36) || 'A'
       AND account = OLD.account AND multi_region = 1 AND state = 'PendingReplicaDeletion'
       AND NOT EXISTS (SELECT 1 FROM kms_keys r
                        WHERE r.key_id > substr(OLD.key_id, 1, 36) || '@'
                          AND r.key_id < substr(OLD.key_id, 1, 36) || 'A'
                          AND r.account = OLD.account AND r.multi_region = 2);
END;
