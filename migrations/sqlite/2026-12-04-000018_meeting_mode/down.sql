ALTER TABLE intake_applications DROP COLUMN meeting_location;
ALTER TABLE intake_applications DROP COLUMN meeting_link;
ALTER TABLE intake_applications DROP COLUMN meeting_mode;
