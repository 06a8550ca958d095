-- A seat offered to the first person on a group's waiting list. An open offer holds its seat
-- (counted in program_groups.seats_taken) until it is accepted, declined, expired or withdrawn.
CREATE TABLE placement_offers (
    id TEXT PRIMARY KEY,
    group_id TEXT NOT NULL REFERENCES program_groups (id),
    application_id TEXT NOT NULL REFERENCES intake_applications (id),
    peer_id TEXT NOT NULL REFERENCES users (id),
    status TEXT NOT NULL CHECK (status IN ('open', 'accepted', 'declined', 'expired', 'withdrawn')),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    answered_at TIMESTAMP
);
-- The last guard: one open offer per application, whatever races above it.
CREATE UNIQUE INDEX placement_offers_one_open_idx ON placement_offers (application_id)
    WHERE status = 'open';
CREATE INDEX placement_offers_group_idx ON placement_offers (group_id, created_at);
CREATE INDEX placement_offers_peer_idx ON placement_offers (peer_id, created_at);
CREATE INDEX placement_offers_due_idx ON placement_offers (expires_at) WHERE status = 'open';
