-- Claim codes are no longer queued in the outbox (they are mailed at once, and only their hash
-- is stored): remove every claim-code notice, sent or not, so no code stays readable at rest.
-- A code whose notice was still waiting can be replaced by asking for a new one.
DELETE FROM notifications WHERE kind = 'claim_code';
