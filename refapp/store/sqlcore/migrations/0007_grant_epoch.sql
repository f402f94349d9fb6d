-- A counter of changes to what API keys grant: a key, its organization or the organization's SSO
-- connection. Where the dialect has a GrantTrigger (SQLite), the bumps below are triggers that count
-- every such change in the same transaction, made by any process on the database, so a cached grant
-- is dropped the moment a key is revoked, a plan changes or sync is turned off; elsewhere there are none.
CREATE TABLE grant_epoch (
    id INTEGER PRIMARY KEY,
    n  BIGINT NOT NULL
);
INSERT INTO grant_epoch (id, n) VALUES (1, 0);
{{GRANT_EPOCH_BUMPS}}
