-- Applications still waiting for a coordinator's first response, in list order: `overdue=true`
-- reads the few of them instead of walking every application ever submitted.
CREATE INDEX intake_applications_awaiting_response_idx
    ON intake_applications (created_at, id) WHERE first_response_at IS NULL;

-- The audit log gains a row on every read of a person's record, so it grows fastest of all:
-- "who read this record" and "what did this account do" read an index range, not the table.
CREATE INDEX audit_events_resource_idx ON audit_events (resource_id, occurred_at, id);
CREATE INDEX audit_events_actor_idx ON audit_events (actor_id, occurred_at, id);
