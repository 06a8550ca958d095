ALTER DEFAULT PRIVILEGES IN SCHEMA public
    REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM peer_support_app;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM peer_support_app;
REVOKE USAGE ON SCHEMA public FROM peer_support_app;
DROP TRIGGER consent_records_no_truncate ON consent_records;
