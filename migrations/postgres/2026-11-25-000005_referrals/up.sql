-- Partner referrals: the referred person's details (owned by the referrals module), the
-- idempotency keys of POST /referrals, one-time claim codes, and notices addressed to an email
-- for people who have no account yet.

-- A notice goes to an account or, for a referred person with no account yet, to an address.
ALTER TABLE notifications ALTER COLUMN recipient_id DROP NOT NULL;
ALTER TABLE notifications ADD COLUMN recipient_email TEXT;
ALTER TABLE notifications ADD CONSTRAINT notifications_one_recipient
    CHECK ((recipient_id IS NULL) <> (recipient_email IS NULL));

CREATE TABLE referrals (
    id TEXT PRIMARY KEY,
    partner_id TEXT NOT NULL REFERENCES partner_clients (id),
    application_id TEXT NOT NULL UNIQUE REFERENCES intake_applications (id),
    person_name TEXT NOT NULL,
    -- Lower-cased, as account emails are, so a sign-up with it can be matched.
    email TEXT,
    phone TEXT,
    notes TEXT,
    consent_to_contact BOOLEAN NOT NULL CHECK (consent_to_contact),
    created_at TIMESTAMP NOT NULL,
    -- The last change of the status the partner sees (what `modified_after` filters on).
    modified_at TIMESTAMP NOT NULL,
    CHECK (email IS NOT NULL OR phone IS NOT NULL)
);
CREATE INDEX referrals_partner_idx ON referrals (partner_id, created_at, id);
CREATE INDEX referrals_partner_modified_idx ON referrals (partner_id, modified_at);
CREATE INDEX referrals_email_idx ON referrals (email);

-- The first answer to each (partner, Idempotency-Key), replayed to retries for 24 hours.
CREATE TABLE referral_idempotency_keys (
    partner_id TEXT NOT NULL REFERENCES partner_clients (id),
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    referral_id TEXT NOT NULL,
    response_body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    PRIMARY KEY (partner_id, idempotency_key)
);
CREATE INDEX referral_idempotency_keys_expiry_idx ON referral_idempotency_keys (expires_at);

-- One-time codes that prove an account holder controls a referral's email address. Only the
-- SHA-256 of a code is kept.
CREATE TABLE referral_claim_codes (
    code_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX referral_claim_codes_user_idx ON referral_claim_codes (user_id);
