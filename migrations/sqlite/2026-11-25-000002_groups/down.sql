DROP TABLE attendance;
DROP TABLE group_sessions;
DROP TABLE group_participants;
DROP TABLE group_facilitators;
DROP TABLE group_audiences;
DROP TABLE program_groups;
