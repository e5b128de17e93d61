-- 011: Secrets Manager listings page by keyset (services/sm/sm_list.c): an
-- index per ListSecrets sort key, so each page is one range scan from where
-- the previous one stopped (SortBy name walks UNIQUE (account, region, name)).
CREATE INDEX sm_secrets_created ON sm_secrets (account, region, created, seq);
CREATE INDEX sm_secrets_changed ON sm_secrets (account, region, last_changed, seq);
CREATE INDEX sm_secrets_accessed ON sm_secrets (account, region, IFNULL(last_accessed, 0), seq);
CREATE INDEX sm_secrets_seq ON sm_secrets (account, region, seq);
