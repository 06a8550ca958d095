-- Intake applications and their timeline, consent documents and the append-only consent
-- ledger, placements, and the notifications outbox.
CREATE TABLE intake_applications (
    id TEXT PRIMARY KEY,
    peer_id TEXT REFERENCES users (id),
    source TEXT NOT NULL CHECK (source IN ('self', 'partner')),
    partner_id TEXT REFERENCES partner_clients (id),
    status TEXT NOT NULL CHECK (status IN ('submitted', 'form_sent', 'form_received', 'meeting_scheduled',
        'ready', 'not_ready', 'placed', 'waitlisted', 'withdrawn', 'closed')),
    preferred_language TEXT NOT NULL CHECK (preferred_language IN ('en', 'fr')),
    group_kind TEXT NOT NULL CHECK (group_kind IN ('informal', 'formal', 'either')),
    identity_preference TEXT,
    availability TEXT,
    contact_methods TEXT NOT NULL,
    assigned_coordinator_id TEXT REFERENCES users (id),
    form_answers TEXT,
    meeting_at TIMESTAMP,
    readiness TEXT CHECK (readiness IN ('ready', 'not_ready')),
    safety_notes TEXT,
    placed_group_id TEXT REFERENCES program_groups (id),
    waitlist_group_id TEXT REFERENCES program_groups (id),
    waitlisted_at TIMESTAMP,
    close_reason TEXT,
    respond_by TIMESTAMP NOT NULL,
    first_response_at TIMESTAMP,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX intake_applications_created_at_idx ON intake_applications (created_at, id);
CREATE INDEX intake_applications_peer_idx ON intake_applications (peer_id);
CREATE INDEX intake_applications_status_idx ON intake_applications (status, respond_by);

CREATE TABLE intake_events (
    id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES intake_applications (id),
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    actor_id TEXT,
    actor_role TEXT,
    note TEXT,
    occurred_at TIMESTAMP NOT NULL
);
CREATE INDEX intake_events_application_idx ON intake_events (application_id, occurred_at);

CREATE TABLE consent_documents (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('code_of_conduct', 'participation_consent', 'confidentiality_agreement',
        'safety_and_emergency_protocol', 'referral_information_sharing')),
    version INTEGER NOT NULL CHECK (version > 0),
    language TEXT NOT NULL CHECK (language IN ('en', 'fr')),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    published_by TEXT REFERENCES users (id),
    published_at TIMESTAMP NOT NULL,
    UNIQUE (kind, version, language)
);

-- Append-only: a withdrawal is a new record naming the one it withdraws.
CREATE TABLE consent_records (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES users (id),
    document_id TEXT NOT NULL REFERENCES consent_documents (id),
    decision TEXT NOT NULL CHECK (decision IN ('granted', 'refused', 'withdrawn')),
    method TEXT NOT NULL CHECK (method IN ('electronic', 'verbal_at_intake')),
    recorded_by TEXT NOT NULL REFERENCES users (id),
    withdraws_record_id TEXT REFERENCES consent_records (id),
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX consent_records_person_idx ON consent_records (person_id, recorded_at);

CREATE TABLE placements (
    id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES intake_applications (id),
    group_id TEXT NOT NULL REFERENCES program_groups (id),
    peer_id TEXT NOT NULL REFERENCES users (id),
    status TEXT NOT NULL CHECK (status IN ('confirmed', 'suspended', 'ended')),
    placed_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX placements_peer_idx ON placements (peer_id);
CREATE INDEX placements_group_idx ON placements (group_id);

CREATE TABLE notifications (
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
CREATE INDEX notifications_recipient_idx ON notifications (recipient_id, created_at);
CREATE INDEX notifications_due_idx ON notifications (status, next_attempt_at);

-- The consent ledger is append-only even for someone with the database: no UPDATE, no DELETE.
CREATE FUNCTION consent_records_are_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'consent_records is append-only: % is not allowed', TG_OP;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER consent_records_append_only
    BEFORE UPDATE OR DELETE ON consent_records
    FOR EACH ROW EXECUTE FUNCTION consent_records_are_append_only();
