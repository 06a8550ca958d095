-- How the intake meeting is held: `phone`, `video` (with its https link) or `in_person` (with
-- where). Earlier meetings have no mode.
ALTER TABLE intake_applications ADD COLUMN meeting_mode TEXT;
ALTER TABLE intake_applications ADD COLUMN meeting_link TEXT;
ALTER TABLE intake_applications ADD COLUMN meeting_location TEXT;
