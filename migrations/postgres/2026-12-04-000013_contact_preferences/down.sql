DROP INDEX notifications_recipient_sent_idx;
ALTER TABLE notifications DROP COLUMN read_at;
ALTER TABLE notifications DROP CONSTRAINT notifications_status_check;
UPDATE notifications SET status = 'failed' WHERE status IN ('not_mailed', 'mail_limit_reached');
ALTER TABLE notifications ADD CONSTRAINT notifications_status_check
    CHECK (status IN ('pending', 'sent', 'failed'));
ALTER TABLE users DROP COLUMN phone;
ALTER TABLE users DROP COLUMN discreet;
ALTER TABLE users DROP COLUMN time_zone;
ALTER TABLE users DROP COLUMN contact_methods;
