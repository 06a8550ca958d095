-- SQLite has no TRUNCATE (its DELETE trigger already guards the ledger) and no roles: a
-- database file is guarded by who may open it. In step with the PostgreSQL migration of the
-- same name.
SELECT 1;
