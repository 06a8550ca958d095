-- Verified email addresses and the single-use tokens mailed to people (issue 13). An account
-- logs in only once its address is verified; accounts that existed before were trusted as they
-- were, so they are marked verified here.
CREATE TABLE email_verifications (
    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    verified_at TIMESTAMP NOT NULL
);
INSERT INTO email_verifications (user_id, verified_at) SELECT id, created_at FROM users;

-- A token mailed to an account's address: only its SHA-256 is kept. Single use (used_at), and
-- dead after expires_at or once a newer token of the same purpose replaced it (deleted).
CREATE TABLE account_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL CHECK (purpose IN ('verify_email', 'reset_password', 'set_password')),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX account_tokens_user_idx ON account_tokens (user_id, purpose);
