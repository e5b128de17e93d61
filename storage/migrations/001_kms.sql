-- 001: KMS keys, key material versions, aliases, tags, grants.
CREATE TABLE kms_keys (
    key_id           TEXT PRIMARY KEY,
    account          TEXT NOT NULL,
    region           TEXT NOT NULL,
    arn              TEXT NOT NULL UNIQUE,
    description      TEXT NOT NULL DEFAULT '',
    key_usage        TEXT NOT NULL,
    key_spec         TEXT NOT NULL,
    origin           TEXT NOT NULL,
    key_manager      TEXT NOT NULL,
    state            TEXT NOT NULL,
    created          REAL NOT NULL,
    deletion_date    REAL,
    pending_window   INTEGER,
    policy           TEXT NOT NULL,
    rotation_enabled INTEGER NOT NULL DEFAULT 0,
    rotation_period  INTEGER,
    next_rotation    REAL,
    multi_region     INTEGER NOT NULL DEFAULT 0,
    current_version  INTEGER NOT NULL DEFAULT 1,
    ondemand_count   INTEGER NOT NULL DEFAULT 0,
    seq              INTEGER NOT NULL
);
CREATE INDEX kms_keys_scope ON kms_keys (account, region, seq);

-- material sealed under the master key; AAD binds the key ARN and version
CREATE TABLE kms_key_material (
    key_id        TEXT NOT NULL REFERENCES kms_keys (key_id) ON DELETE CASCADE,
    version       INTEGER NOT NULL,
    material_id   TEXT NOT NULL,
    wrapped       BLOB NOT NULL,
    created       REAL NOT NULL,
    rotation_type TEXT,
    PRIMARY KEY (key_id, version)
);

CREATE TABLE kms_aliases (
    account  TEXT NOT NULL,
    region   TEXT NOT NULL,
    name     TEXT NOT NULL,
    key_id   TEXT NOT NULL REFERENCES kms_keys (key_id) ON DELETE CASCADE,
    created  REAL NOT NULL,
    updated  REAL NOT NULL,
    PRIMARY KEY (account, region, name)
);
CREATE INDEX kms_aliases_key ON kms_aliases (key_id);

CREATE TABLE kms_tags (
    key_id    TEXT NOT NULL REFERENCES kms_keys (key_id) ON DELETE CASCADE,
    tag_key   TEXT NOT NULL,
    tag_value TEXT NOT NULL,
    PRIMARY KEY (key_id, tag_key)
);

CREATE TABLE kms_grants (
    grant_id    TEXT PRIMARY KEY,
    key_id      TEXT NOT NULL REFERENCES kms_keys (key_id) ON DELETE CASCADE,
    name        TEXT,
    grantee     TEXT NOT NULL,
    retiring    TEXT,
    operations  TEXT NOT NULL,
    constraints TEXT,
    token       TEXT NOT NULL UNIQUE,
    created     REAL NOT NULL,
    issuing     TEXT NOT NULL,
    seq         INTEGER NOT NULL
);
CREATE INDEX kms_grants_key ON kms_grants (key_id, seq);
