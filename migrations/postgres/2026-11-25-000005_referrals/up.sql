-- Notices addressed to an email for people who have no account yet (a person a partner
-- referred).

-- A notice goes to an account or, for a referred person with no account yet, to an address.
ALTER TABLE notifications ALTER COLUMN recipient_id DROP NOT NULL;
ALTER TABLE notifications ADD COLUMN recipient_email TEXT;
ALTER TABLE notifications ADD CONSTRAINT notifications_one_recipient
    CHECK ((recipient_id IS NULL) <> (recipient_email IS NULL));
