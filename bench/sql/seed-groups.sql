-- 10,000 program groups, one or two audiences each, four weekly sessions each, and 1,000 peer
-- accounts (who cannot log in: their password hash is not a real one) to own the applications.
-- Run after `peer-support-api migrate`; ids are UUID-shaped like the API's own.
INSERT INTO program_groups (id, name, description, kind, language, identity_focus, time_zone,
    capacity, seats_taken, status, meeting_link, version, created_at, updated_at)
SELECT md5('group' || i)::uuid::text,
       'Bench group ' || i,
       'Peer support group number ' || i || ', seeded for the benchmarks.',
       CASE WHEN i % 3 = 0 THEN 'formal' ELSE 'informal' END,
       CASE WHEN i % 4 = 0 THEN 'fr' ELSE 'en' END,
       CASE WHEN i % 10 = 0 THEN 'women' END,
       'America/Toronto',
       12, i % 7,
       (ARRAY['planned', 'open', 'open', 'running', 'completed', 'cancelled'])[1 + i % 6],
       'https://teams.example.ca/l/bench-' || i,
       1,
       timestamp '2024-01-01' + i * interval '37 minutes',
       timestamp '2024-01-01' + i * interval '37 minutes'
FROM generate_series(1, 10000) AS i;

INSERT INTO group_audiences (group_id, audience)
SELECT md5('group' || i)::uuid::text,
       (ARRAY['caf_member', 'veteran', 'cadet', 'junior_canadian_ranger', 'dnd_employee', 'family'])[1 + i % 6]
FROM generate_series(1, 10000) AS i
UNION ALL
SELECT md5('group' || i)::uuid::text, 'veteran'
FROM generate_series(1, 10000) AS i WHERE i % 6 <> 1 AND i % 2 = 0;

INSERT INTO group_sessions (id, group_id, topic, starts_at, duration_minutes, meeting_link,
    status, version, created_at, updated_at)
SELECT md5('session' || i || '-' || s)::uuid::text,
       md5('group' || i)::uuid::text,
       NULL,
       timestamp '2024-02-01 23:00' + i * interval '37 minutes' + s * interval '7 days',
       90, NULL, 'scheduled', 1,
       timestamp '2024-01-01' + i * interval '37 minutes',
       timestamp '2024-01-01' + i * interval '37 minutes'
FROM generate_series(1, 10000) AS i, generate_series(0, 3) AS s;

INSERT INTO users (id, email, password_hash, display_name, role, preferred_language, disabled,
    created_at, updated_at)
SELECT md5('peer' || i)::uuid::text,
       'bench-peer-' || i || '@example.ca',
       '$argon2id$v=19$m=19456,t=2,p=1$not-a-real-hash',
       'Peer ' || i, 'peer',
       CASE WHEN i % 4 = 0 THEN 'fr' ELSE 'en' END,
       false,
       timestamp '2023-12-01' + i * interval '1 minute',
       timestamp '2023-12-01' + i * interval '1 minute'
FROM generate_series(1, 1000) AS i;
