-- Program groups, their audiences, facilitators, participants, sessions and attendance.
CREATE TABLE program_groups (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('informal', 'formal')),
    language TEXT NOT NULL CHECK (language IN ('en', 'fr')),
    identity_focus TEXT,
    time_zone TEXT NOT NULL,
    capacity INTEGER NOT NULL CHECK (capacity > 0 AND capacity <= 100),
    -- Seats are taken by one conditional UPDATE, so this never passes capacity.
    seats_taken INTEGER NOT NULL DEFAULT 0 CHECK (seats_taken >= 0 AND seats_taken <= capacity),
    status TEXT NOT NULL CHECK (status IN ('planned', 'open', 'full', 'running', 'completed', 'cancelled')),
    meeting_link TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX program_groups_created_at_idx ON program_groups (created_at, id);
CREATE INDEX program_groups_status_idx ON program_groups (status);

CREATE TABLE group_audiences (
    group_id TEXT NOT NULL REFERENCES program_groups (id),
    audience TEXT NOT NULL,
    PRIMARY KEY (group_id, audience)
);
CREATE INDEX group_audiences_audience_idx ON group_audiences (audience);

CREATE TABLE group_facilitators (
    group_id TEXT NOT NULL REFERENCES program_groups (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_facilitators_user_idx ON group_facilitators (user_id);

-- Who is in a group (placements fill it); the roster.
CREATE TABLE group_participants (
    group_id TEXT NOT NULL REFERENCES program_groups (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    status TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'left')),
    joined_at TIMESTAMP NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_participants_user_idx ON group_participants (user_id);

CREATE TABLE group_sessions (
    id TEXT PRIMARY KEY,
    group_id TEXT NOT NULL REFERENCES program_groups (id),
    topic TEXT,
    starts_at TIMESTAMP NOT NULL,
    duration_minutes INTEGER NOT NULL CHECK (duration_minutes BETWEEN 15 AND 480),
    meeting_link TEXT,
    status TEXT NOT NULL CHECK (status IN ('scheduled', 'cancelled')),
    cancel_reason TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX group_sessions_group_idx ON group_sessions (group_id, starts_at);

CREATE TABLE attendance (
    session_id TEXT NOT NULL REFERENCES group_sessions (id),
    participant_id TEXT NOT NULL REFERENCES users (id),
    present BOOLEAN NOT NULL,
    recorded_by TEXT NOT NULL REFERENCES users (id),
    recorded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (session_id, participant_id)
);
