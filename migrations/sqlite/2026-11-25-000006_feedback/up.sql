-- Anonymous session feedback. Nothing here links a response to a person: the grants say who
-- received a token for a session (no time, no token); tokens are not stored when issued (they
-- are signed), only a hash once spent; responses carry the session and the date, no person.
-- WITHOUT ROWID: rows are kept in key order (random ids), so no hidden rowid records the order
-- in which they were written.
CREATE TABLE feedback_grants (
    session_id TEXT NOT NULL REFERENCES group_sessions (id),
    person_id TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (session_id, person_id)
) WITHOUT ROWID;

CREATE TABLE feedback_spent_tokens (
    token_hash TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES group_sessions (id)
) WITHOUT ROWID;

CREATE TABLE feedback_responses (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES group_sessions (id),
    submitted_on DATE NOT NULL,
    felt_safe SMALLINT CHECK (felt_safe BETWEEN 1 AND 5),
    felt_heard SMALLINT CHECK (felt_heard BETWEEN 1 AND 5),
    found_useful SMALLINT CHECK (found_useful BETWEEN 1 AND 5),
    would_recommend SMALLINT CHECK (would_recommend BETWEEN 1 AND 5),
    comment TEXT
) WITHOUT ROWID;
CREATE INDEX feedback_responses_session_idx ON feedback_responses (session_id);
