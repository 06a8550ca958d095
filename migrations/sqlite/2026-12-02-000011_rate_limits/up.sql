-- Rate limits kept in the database, so every instance on one database enforces one limit: a
-- key ("login:source:203.0.113.7", …) has a fixed window that started at `window_start`, with
-- `hits` counted in it. Rows of windows long over are deleted as hits come in.
CREATE TABLE rate_limits (
    key TEXT PRIMARY KEY,
    window_start TIMESTAMP NOT NULL,
    hits INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX rate_limits_window_idx ON rate_limits (window_start);
