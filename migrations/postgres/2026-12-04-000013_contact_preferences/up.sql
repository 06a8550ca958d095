-- How each person chose to be contacted (issue 13, item 5): the ways the program may reach them
-- (a JSON array of contact-method words; `in_app` is always one of them), their time zone for
-- the times written in notices, whether mailed notices must be discreet (a neutral subject and
-- body), and an optional phone number. Existing accounts keep being mailed as before.
ALTER TABLE users ADD COLUMN contact_methods TEXT NOT NULL DEFAULT '["email","in_app"]';
ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'America/Toronto';
ALTER TABLE users ADD COLUMN discreet BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN phone TEXT;

-- A notice the sender did not mail: the person chose no email (`not_mailed`), or the account's
-- hourly limit of emails was reached (`mail_limit_reached`).
ALTER TABLE notifications DROP CONSTRAINT notifications_status_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_status_check
    CHECK (status IN ('pending', 'sent', 'failed', 'not_mailed', 'mail_limit_reached'));
-- When the person marked a notice read in the app; null while unread.
ALTER TABLE notifications ADD COLUMN read_at TIMESTAMP;
-- The sender's hourly count of the emails an account was sent.
CREATE INDEX notifications_recipient_sent_idx ON notifications (recipient_id, status, sent_at);
