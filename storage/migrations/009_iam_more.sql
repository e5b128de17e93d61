-- 009: the rest of IAM: login profiles and the account password policy,
-- account alias and settings, OIDC and SAML providers, MFA devices, SSH
-- keys, signing and server certificates, service-specific credentials,
-- service-linked role deletions and report jobs. Nothing secret is stored
-- in the clear: passwords as salted PBKDF2 hashes, MFA seeds and server
-- certificate private keys sealed under the master key (AAD: the row id).
CREATE TABLE iam_login_profiles (
    account        TEXT NOT NULL,
    user_name      TEXT NOT NULL COLLATE NOCASE,
    pw_hash        TEXT NOT NULL,            -- pbkdf2-sha256$iter$salt$hash
    reset_required INTEGER NOT NULL DEFAULT 0,
    created        REAL NOT NULL,
    changed        REAL NOT NULL,
    PRIMARY KEY (account, user_name)
);

-- one row per account: the password policy (absent: none set)
CREATE TABLE iam_password_policy (
    account        TEXT PRIMARY KEY,
    min_length     INTEGER NOT NULL,
    symbols        INTEGER NOT NULL,
    numbers        INTEGER NOT NULL,
    uppercase      INTEGER NOT NULL,
    lowercase      INTEGER NOT NULL,
    allow_change   INTEGER NOT NULL,
    max_age        INTEGER,                  -- days; NULL: passwords do not expire
    reuse          INTEGER,
    hard_expiry    INTEGER
);

-- per-account settings: 'alias', 'sts-token-version', 'credential-report'
-- (generation time), 'outbound-federation' (issuer)
CREATE TABLE iam_settings (
    account TEXT NOT NULL,
    key     TEXT NOT NULL,
    value   TEXT NOT NULL,
    PRIMARY KEY (account, key)
);
CREATE UNIQUE INDEX iam_settings_alias ON iam_settings (value) WHERE key = 'alias';

CREATE TABLE iam_oidc_providers (
    arn         TEXT PRIMARY KEY,
    account     TEXT NOT NULL,
    url         TEXT NOT NULL,               -- as given (with https://)
    client_ids  TEXT NOT NULL,               -- newline-separated, in order
    thumbprints TEXT NOT NULL,               -- newline-separated
    created     REAL NOT NULL
);

CREATE TABLE iam_saml_providers (
    arn         TEXT PRIMARY KEY,
    account     TEXT NOT NULL,
    name        TEXT NOT NULL,
    uuid        TEXT NOT NULL,
    metadata    TEXT NOT NULL,
    valid_until REAL NOT NULL,
    enc_mode    TEXT,
    created     REAL NOT NULL
);

CREATE TABLE iam_mfa_devices (
    serial      TEXT PRIMARY KEY,            -- arn:aws:iam::A:mfa/path/name
    account     TEXT NOT NULL,
    name        TEXT NOT NULL,
    path        TEXT NOT NULL,
    seed_sealed BLOB NOT NULL,               -- 20-byte TOTP key, AAD: serial
    user_name   TEXT COLLATE NOCASE,         -- assigned to (NULL: unassigned)
    enabled     REAL,
    last_step   INTEGER,                     -- last TOTP step accepted
    created     REAL NOT NULL,
    seq         INTEGER NOT NULL
);
CREATE INDEX iam_mfa_devices_user ON iam_mfa_devices (account, user_name);

CREATE TABLE iam_ssh_keys (
    key_id      TEXT PRIMARY KEY,            -- APKA...
    account     TEXT NOT NULL,
    user_name   TEXT NOT NULL COLLATE NOCASE,
    body        TEXT NOT NULL,               -- public key as uploaded
    fingerprint TEXT NOT NULL,
    status      TEXT NOT NULL,
    uploaded    REAL NOT NULL
);
CREATE INDEX iam_ssh_keys_user ON iam_ssh_keys (account, user_name);

CREATE TABLE iam_signing_certs (
    cert_id   TEXT PRIMARY KEY,              -- hex SHA-1-like id, 40 chars
    account   TEXT NOT NULL,
    user_name TEXT NOT NULL COLLATE NOCASE,
    body      TEXT NOT NULL,
    status    TEXT NOT NULL,
    uploaded  REAL NOT NULL
);
CREATE INDEX iam_signing_certs_user ON iam_signing_certs (account, user_name);

CREATE TABLE iam_server_certs (
    account    TEXT NOT NULL,
    name       TEXT NOT NULL COLLATE NOCASE,
    id         TEXT NOT NULL UNIQUE,         -- ASCA...
    path       TEXT NOT NULL DEFAULT '/',
    arn        TEXT NOT NULL UNIQUE,
    body       TEXT NOT NULL,
    chain      TEXT,
    key_sealed BLOB NOT NULL,                -- private key PEM, AAD: id
    uploaded   REAL NOT NULL,
    expiration REAL NOT NULL,
    seq        INTEGER NOT NULL,
    PRIMARY KEY (account, name)
);

CREATE TABLE iam_service_creds (
    cred_id      TEXT PRIMARY KEY,           -- ACCA...
    account      TEXT NOT NULL,
    user_name    TEXT NOT NULL COLLATE NOCASE,
    service      TEXT NOT NULL,
    service_user TEXT NOT NULL,
    pw_hash      TEXT NOT NULL,              -- salted PBKDF2 of the password
    status       TEXT NOT NULL,
    created      REAL NOT NULL,
    expires      REAL
);
CREATE INDEX iam_service_creds_user ON iam_service_creds (account, user_name);

-- service-linked role deletion tasks and access-advisor / report jobs
CREATE TABLE iam_jobs (
    id       TEXT PRIMARY KEY,
    account  TEXT NOT NULL,
    kind     TEXT NOT NULL,                  -- 'slr-deletion' | 'last-accessed'
    subject  TEXT NOT NULL,                  -- role name / entity ARN
    detail   TEXT,                           -- granularity
    created  REAL NOT NULL
);
