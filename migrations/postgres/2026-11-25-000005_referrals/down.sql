DROP TABLE referral_claim_codes;
DROP TABLE referral_idempotency_keys;
DROP TABLE referrals;
DELETE FROM notifications WHERE recipient_id IS NULL;
ALTER TABLE notifications DROP CONSTRAINT notifications_one_recipient;
ALTER TABLE notifications DROP COLUMN recipient_email;
ALTER TABLE notifications ALTER COLUMN recipient_id SET NOT NULL;
