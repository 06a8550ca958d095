DROP TABLE audit_events;
DROP TABLE partner_clients;
DROP TABLE refresh_tokens;
DROP TABLE sessions;
DROP TABLE users;
