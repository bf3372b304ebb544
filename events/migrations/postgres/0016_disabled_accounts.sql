-- An account an admin disabled: it cannot sign in, and its sessions and
-- tokens stop working at once (they are deleted, and looked up only for
-- accounts that are not disabled). NULL: the account works.
ALTER TABLE accounts ADD COLUMN disabled_at TIMESTAMPTZ;
