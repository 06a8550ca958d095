-- How each person chose to be contacted (issue 13, item 5): the ways the program may reach them
-- (a JSON array of contact-method words; `in_app` is always one of them), their time zone for
-- the times written in notices, whether mailed notices must be discreet (a neutral subject and
-- body), and an optional phone number. Existing accounts keep being mailed as before.
ALTER TABLE users ADD COLUMN contact_methods TEXT NOT NULL DEFAULT '["email","in_app"]';
ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'America/Toronto';
ALTER TABLE users ADD COLUMN discreet BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN phone TEXT;

-- A notice the sender did not mail: the person chose no email (`not_mailed`), or the account's
-- hourly limit of emails was reached (`mail_limit_reached`); and when the person marked it
-- read in the app (`read_at`, null while unread). SQLite cannot change a CHECK in place: the
-- table is rebuilt (nothing references notifications, so foreign keys are unaffected).
CREATE TABLE notifications_new (
    id TEXT PRIMARY KEY,
    recipient_id TEXT REFERENCES users (id),
    kind TEXT NOT NULL,
    language TEXT NOT NULL CHECK (language IN ('en', 'fr')),
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL
        CHECK (status IN ('pending', 'sent', 'failed', 'not_mailed', 'mail_limit_reached')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP,
    sent_at TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    recipient_email TEXT,
    read_at TIMESTAMP,
    CONSTRAINT notifications_one_recipient CHECK ((recipient_id IS NULL) <> (recipient_email IS NULL))
);
INSERT INTO notifications_new (id, recipient_id, kind, language, subject, body, status, attempts,
    next_attempt_at, locked_until, sent_at, last_error, created_at, recipient_email, read_at)
SELECT id, recipient_id, kind, language, subject, body, status, attempts,
    next_attempt_at, locked_until, sent_at, last_error, created_at, recipient_email, NULL
FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_new RENAME TO notifications;
CREATE INDEX notifications_recipient_idx ON notifications (recipient_id, created_at);
CREATE INDEX notifications_due_idx ON notifications (status, next_attempt_at);
-- The sender's hourly count of the emails an account was sent.
CREATE INDEX notifications_recipient_sent_idx ON notifications (recipient_id, status, sent_at);
