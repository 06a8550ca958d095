-- Applications still waiting for a coordinator's first response, in list order: `overdue=true`
-- reads the few of them instead of walking every application ever submitted.
CREATE INDEX intake_applications_awaiting_response_idx
    ON intake_applications (created_at, id) WHERE first_response_at IS NULL;
