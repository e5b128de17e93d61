-- 004: IAM (users, groups, roles, managed and inline policies, attachments,
-- access keys, instance profiles) and STS sessions. IAM is global: rows are
-- keyed by account only. Names are unique case-insensitively, as in IAM.
-- Secret access keys are sealed under the master key (AAD: the access key
-- id), never stored in the clear.
CREATE TABLE iam_users (
    account   TEXT NOT NULL,
    name      TEXT NOT NULL COLLATE NOCASE,
    id        TEXT NOT NULL UNIQUE,          -- AIDA...
    path      TEXT NOT NULL DEFAULT '/',
    arn       TEXT NOT NULL UNIQUE,
    created   REAL NOT NULL,
    boundary  TEXT,                          -- permissions boundary policy ARN
    seq       INTEGER NOT NULL,
    PRIMARY KEY (account, name)
);

CREATE TABLE iam_groups (
    account   TEXT NOT NULL,
    name      TEXT NOT NULL COLLATE NOCASE,
    id        TEXT NOT NULL UNIQUE,          -- AGPA...
    path      TEXT NOT NULL DEFAULT '/',
    arn       TEXT NOT NULL UNIQUE,
    created   REAL NOT NULL,
    seq       INTEGER NOT NULL,
    PRIMARY KEY (account, name)
);

CREATE TABLE iam_group_members (
    account    TEXT NOT NULL,
    group_name TEXT NOT NULL COLLATE NOCASE,
    user_name  TEXT NOT NULL COLLATE NOCASE,
    seq        INTEGER NOT NULL,
    PRIMARY KEY (account, group_name, user_name)
);
CREATE INDEX iam_group_members_user ON iam_group_members (account, user_name);

CREATE TABLE iam_roles (
    account        TEXT NOT NULL,
    name           TEXT NOT NULL COLLATE NOCASE,
    id             TEXT NOT NULL UNIQUE,     -- AROA...
    path           TEXT NOT NULL DEFAULT '/',
    arn            TEXT NOT NULL UNIQUE,
    created        REAL NOT NULL,
    assume_policy  TEXT NOT NULL,            -- JSON as given
    description    TEXT,
    max_session    INTEGER NOT NULL DEFAULT 3600,
    boundary       TEXT,
    last_used      REAL,
    last_used_region TEXT,
    seq            INTEGER NOT NULL,
    PRIMARY KEY (account, name)
);

-- tags of users, roles, policies, instance profiles: kind is 'user',
-- 'role', 'policy' (name = policy ARN), 'instance-profile'
CREATE TABLE iam_tags (
    account TEXT NOT NULL,
    kind    TEXT NOT NULL,
    name    TEXT NOT NULL COLLATE NOCASE,
    key     TEXT NOT NULL,
    value   TEXT NOT NULL,
    seq     INTEGER NOT NULL,
    PRIMARY KEY (account, kind, name, key)
);

-- customer managed policies (AWS managed ones are built in, not rows)
CREATE TABLE iam_policies (
    arn             TEXT PRIMARY KEY,
    account         TEXT NOT NULL,
    name            TEXT NOT NULL COLLATE NOCASE,
    id              TEXT NOT NULL UNIQUE,    -- ANPA...
    path            TEXT NOT NULL DEFAULT '/',
    description     TEXT,
    created         REAL NOT NULL,
    updated         REAL NOT NULL,
    default_version TEXT NOT NULL,           -- 'v1'
    next_version    INTEGER NOT NULL,        -- number of the next version id
    seq             INTEGER NOT NULL,
    UNIQUE (account, name)
);

CREATE TABLE iam_policy_versions (
    policy_arn TEXT NOT NULL REFERENCES iam_policies (arn) ON DELETE CASCADE,
    version_id TEXT NOT NULL,
    document   TEXT NOT NULL,                -- JSON as given
    created    REAL NOT NULL,
    PRIMARY KEY (policy_arn, version_id)
);

-- managed policies attached to users, groups, roles: kind 'user' | 'group'
-- | 'role'; policy_arn may be an AWS managed policy
CREATE TABLE iam_attachments (
    account    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    name       TEXT NOT NULL COLLATE NOCASE,
    policy_arn TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    PRIMARY KEY (account, kind, name, policy_arn)
);
CREATE INDEX iam_attachments_policy ON iam_attachments (policy_arn);

CREATE TABLE iam_inline_policies (
    account     TEXT NOT NULL,
    kind        TEXT NOT NULL,               -- 'user' | 'group' | 'role'
    name        TEXT NOT NULL COLLATE NOCASE,
    policy_name TEXT NOT NULL COLLATE NOCASE,
    document    TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    PRIMARY KEY (account, kind, name, policy_name)
);

-- IAM users' long-term keys; user_name NULL is never stored (root's pair is
-- configuration)
CREATE TABLE iam_access_keys (
    access_key_id     TEXT PRIMARY KEY,      -- AKIA...
    account           TEXT NOT NULL,
    user_name         TEXT NOT NULL COLLATE NOCASE,
    secret_sealed     BLOB NOT NULL,
    status            TEXT NOT NULL,         -- 'Active' | 'Inactive'
    created           REAL NOT NULL,
    last_used         REAL,
    last_used_service TEXT,
    last_used_region  TEXT
);
CREATE INDEX iam_access_keys_user ON iam_access_keys (account, user_name);

CREATE TABLE iam_instance_profiles (
    account   TEXT NOT NULL,
    name      TEXT NOT NULL COLLATE NOCASE,
    id        TEXT NOT NULL UNIQUE,          -- AIPA...
    path      TEXT NOT NULL DEFAULT '/',
    arn       TEXT NOT NULL UNIQUE,
    created   REAL NOT NULL,
    role_name TEXT COLLATE NOCASE,           -- at most one role
    seq       INTEGER NOT NULL,
    PRIMARY KEY (account, name)
);

-- STS temporary credentials. The session token is random; only its SHA-256
-- is kept. Session policies are stored as given.
CREATE TABLE sts_sessions (
    access_key_id   TEXT PRIMARY KEY,        -- ASIA...
    account         TEXT NOT NULL,
    secret_sealed   BLOB NOT NULL,
    token_sha256    TEXT NOT NULL,
    kind            TEXT NOT NULL,           -- 'assumed-role' | 'session' | 'root' (GetSessionToken)
    arn             TEXT NOT NULL,           -- assumed-role ARN, or the user's ARN
    user_id         TEXT NOT NULL,           -- AROA...:session, or the user's id
    role_arn        TEXT,                    -- assumed-role: the role
    source_name     TEXT,                    -- assumed-role: role name; session: user name
    session_name    TEXT,
    policy          TEXT,                    -- inline session policy
    policy_arns     TEXT,                    -- JSON array of managed session policy ARNs
    tags            TEXT,                    -- JSON object of session tags
    source_identity TEXT,
    created         REAL NOT NULL,
    expires         REAL NOT NULL
);
CREATE INDEX sts_sessions_expiry ON sts_sessions (expires);
