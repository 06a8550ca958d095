-- Intake applications number :first to :last (psql variables) of 100,000, one every five minutes
-- from 2024-01-01, each with its first timeline event. Like real data, the old ones have moved on
-- (placed, closed, withdrawn...) after a coordinator's response; only the newest hundred still
-- wait for one, so `overdue=true` finds the same 100 rows whether the table holds the newest
-- 1,000 or all 100,000.
INSERT INTO intake_applications (id, peer_id, source, partner_id, status, preferred_language,
    group_kind, identity_preference, availability, contact_methods, assigned_coordinator_id,
    form_answers, meeting_at, readiness, safety_notes, placed_group_id, waitlist_group_id,
    waitlisted_at, close_reason, respond_by, first_response_at, version, created_at, updated_at)
SELECT md5('application' || i)::uuid::text,
       md5('peer' || (1 + i % 1000))::uuid::text,
       'self', NULL,
       st.status,
       CASE WHEN i % 4 = 0 THEN 'fr' ELSE 'en' END,
       (ARRAY['informal', 'formal', 'either'])[1 + i % 3],
       NULL, 'Weekday evenings', '["email"]',
       CASE WHEN st.status <> 'submitted' THEN :'coordinator' END,
       NULL, NULL, NULL, NULL,
       CASE WHEN st.status = 'placed' THEN md5('group' || (1 + i % 10000))::uuid::text END,
       CASE WHEN st.status = 'waitlisted' THEN md5('group' || (1 + i % 10000))::uuid::text END,
       CASE WHEN st.status = 'waitlisted' THEN t.created + interval '20 days' END,
       CASE WHEN st.status = 'closed' THEN 'Bench: closed' END,
       t.created + interval '2 days',
       CASE WHEN st.status <> 'submitted' THEN t.created + interval '1 day' END,
       1, t.created, t.created
FROM generate_series(:first, :last) AS i
CROSS JOIN LATERAL (SELECT timestamp '2024-01-01' + i * interval '5 minutes' AS created) AS t
CROSS JOIN LATERAL (SELECT CASE
        WHEN i > 99900 THEN 'submitted'
        ELSE (ARRAY['placed', 'placed', 'closed', 'withdrawn', 'waitlisted', 'not_ready',
                    'ready', 'meeting_scheduled', 'form_received', 'form_sent'])[1 + i % 10]
    END AS status) AS st;

INSERT INTO intake_events (id, application_id, action, from_status, to_status, actor_id,
    actor_role, note, occurred_at)
SELECT md5('event' || i)::uuid::text, md5('application' || i)::uuid::text, 'submit', NULL,
       'submitted', md5('peer' || (1 + i % 1000))::uuid::text, 'peer', NULL,
       timestamp '2024-01-01' + i * interval '5 minutes'
FROM generate_series(:first, :last) AS i;

-- Settle before measuring: autovacuum of the new rows and a checkpoint would otherwise land in
-- the middle of a run.
VACUUM (ANALYZE);
CHECKPOINT;
