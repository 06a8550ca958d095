#!/bin/bash
# Run once by the postgres image when it creates the database: the login role the API runs as.
# It is a member of peer_support_app, which the migrations give row rights only (read and
# append on the consent ledger); the tables belong to POSTGRES_USER, who runs the migrations.
set -euo pipefail
psql -v ON_ERROR_STOP=1 -v pw="$SERVICE_DB_PASSWORD" \
  --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'EOSQL'
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'peer_support_app') THEN
        CREATE ROLE peer_support_app NOLOGIN;
    END IF;
END
$$;
CREATE ROLE peer_support_service LOGIN PASSWORD :'pw' IN ROLE peer_support_app;
EOSQL
