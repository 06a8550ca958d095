DROP TABLE referral_claim_codes;
DROP TABLE referral_idempotency_keys;
DROP TABLE referrals;
CREATE TABLE notifications_old (
    id TEXT PRIMARY KEY,
    recipient_id TEXT NOT NULL REFERENCES users (id),
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
    created_at TIMESTAMP NOT NULL
);
INSERT INTO notifications_old (id, recipient_id, kind, language, subject, body, status, attempts,
    next_attempt_at, locked_until, sent_at, last_error, created_at)
SELECT id, recipient_id, kind, language, subject, body, status, attempts,
    next_attempt_at, locked_until, sent_at, last_error, created_at
FROM notifications WHERE recipient_id IS NOT NULL;
DROP TABLE notifications;
ALTER TABLE notifications_old RENAME TO notifications;
CREATE INDEX notifications_recipient_idx ON notifications (recipient_id, created_at);
CREATE INDEX notifications_due_idx ON notifications (status, next_attempt_at);
