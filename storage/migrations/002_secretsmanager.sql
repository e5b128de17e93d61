-- 002: Secrets Manager secrets, versions (sealed), staging labels, tags,
-- replication.
CREATE TABLE sm_secrets (
    arn              TEXT PRIMARY KEY,
    account          TEXT NOT NULL,
    region           TEXT NOT NULL,
    name             TEXT NOT NULL,
    description      TEXT,
    kms_key_id       TEXT,            -- as the caller gave it; NULL: aws/secretsmanager
    type             TEXT,
    created          REAL NOT NULL,
    last_changed     REAL NOT NULL,
    last_accessed    REAL,
    deleted_date     REAL,            -- set while scheduled for deletion
    rotation_enabled INTEGER NOT NULL DEFAULT 0,
    rotation_lambda  TEXT,
    rotation_rules   TEXT,            -- JSON as given
    last_rotated     REAL,
    next_rotation    REAL,
    primary_region   TEXT,            -- set on replicas: where the primary lives
    owning_service   TEXT,
    policy           TEXT,
    seq              INTEGER NOT NULL,
    UNIQUE (account, region, name)
);

-- value sealed under a fresh data key; the data key is a KMS ciphertext with
-- context {"SecretARN", "SecretVersionId"}
CREATE TABLE sm_versions (
    arn         TEXT NOT NULL REFERENCES sm_secrets (arn) ON DELETE CASCADE,
    version_id  TEXT NOT NULL,
    is_binary   INTEGER NOT NULL,
    sealed      BLOB NOT NULL,
    wrapped_key BLOB NOT NULL,
    kms_key_arn TEXT NOT NULL,
    created     REAL NOT NULL,
    last_accessed REAL,
    seq         INTEGER NOT NULL,
    PRIMARY KEY (arn, version_id)
);

CREATE TABLE sm_stages (
    arn        TEXT NOT NULL REFERENCES sm_secrets (arn) ON DELETE CASCADE,
    stage      TEXT NOT NULL,
    version_id TEXT NOT NULL,
    PRIMARY KEY (arn, stage)
);
CREATE INDEX sm_stages_version ON sm_stages (arn, version_id);

CREATE TABLE sm_tags (
    arn       TEXT NOT NULL REFERENCES sm_secrets (arn) ON DELETE CASCADE,
    tag_key   TEXT NOT NULL,
    tag_value TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    PRIMARY KEY (arn, tag_key)
);

-- on the primary: one row per replica region
CREATE TABLE sm_replicas (
    arn         TEXT NOT NULL REFERENCES sm_secrets (arn) ON DELETE CASCADE,
    region      TEXT NOT NULL,
    kms_key_id  TEXT,
    status      TEXT NOT NULL,
    message     TEXT,
    PRIMARY KEY (arn, region)
);
