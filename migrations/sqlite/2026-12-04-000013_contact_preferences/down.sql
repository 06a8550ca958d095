CREATE TABLE notifications_old (
    id TEXT PRIMARY KEY,
    recipient_id TEXT REFERENCES users (id),
    kind TEXT NOT NULL,
    language TEXT NOT NULL CHECK (language IN ('en', 'fr')),
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP,
    sent_at TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    recipient_email TEXT,
    CONSTRAINT notifications_one_recipient CHECK ((recipient_id IS NULL) <> (recipient_email IS NULL))
);
INSERT INTO notifications_old (id, recipient_id, kind, language, subject, body, status, attempts,
    next_attempt_at, locked_until, sent_at, last_error, created_at, recipient_email)
SELECT id, recipient_id, kind, language, subject, body,
    CASE WHEN status IN ('not_mailed', 'mail_limit_reached') THEN 'failed' ELSE status END,
    attempts, next_attempt_at, locked_until, sent_at, last_error, created_at, recipient_email
FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_old RENAME TO notifications;
CREATE INDEX notifications_recipient_idx ON notifications (recipient_id, created_at);
CREATE INDEX notifications_due_idx ON notifications (status, next_attempt_at);

ALTER TABLE users DROP COLUMN phone;
ALTER TABLE users DROP COLUMN discreet;
ALTER TABLE users DROP COLUMN time_zone;
ALTER TABLE users DROP COLUMN contact_methods;
