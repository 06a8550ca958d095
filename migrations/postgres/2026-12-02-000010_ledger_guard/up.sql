-- The consent ledger guarded in the database itself.
-- 1. TRUNCATE skips row triggers: a statement trigger refuses it too, even for the owner.
CREATE TRIGGER consent_records_no_truncate
    BEFORE TRUNCATE ON consent_records
    FOR EACH STATEMENT EXECUTE FUNCTION consent_records_are_append_only();

-- 2. The role the service runs as: it reads and writes rows, and owns nothing, so it can neither
--    alter, truncate or drop a table nor disable a trigger; on the ledger it may only read and
--    append. Migrations run as the owner (MIGRATION_DATABASE_URL); the service's login role is
--    made a member of peer_support_app (see the README). The role is cluster-wide: created once.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'peer_support_app') THEN
        CREATE ROLE peer_support_app NOLOGIN;
    END IF;
END
$$;
GRANT USAGE ON SCHEMA public TO peer_support_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO peer_support_app;
REVOKE UPDATE, DELETE, TRUNCATE ON consent_records FROM peer_support_app;
REVOKE INSERT, UPDATE, DELETE ON __diesel_schema_migrations FROM peer_support_app;
-- Tables later migrations create get the same rights.
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO peer_support_app;
