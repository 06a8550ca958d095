-- Answers waiting for their session's feedback window to close: sealed (ChaCha20-Poly1305 under
-- a key derived from FEEDBACK_KEY_SECRET) with no time and no sequence, moved to
-- feedback_responses when the window closes — all of a session together, in random order, in
-- one transaction — so the responses' xmin and ctid say nothing about who answered when.
CREATE TABLE feedback_pending (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES group_sessions (id),
    sealed TEXT NOT NULL
);
CREATE INDEX feedback_pending_session_idx ON feedback_pending (session_id);
