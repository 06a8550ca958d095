-- A person's erasure of their own account (DELETE /me): when it happened. The row stays, with
-- its personal fields replaced, so that what the program must keep (the consent ledger, the
-- audit log, the timelines) still names the same id.
ALTER TABLE users ADD COLUMN erased_at TIMESTAMP;
