DROP TRIGGER consent_records_append_only ON consent_records;
DROP FUNCTION consent_records_are_append_only();
DROP TABLE notifications;
DROP TABLE placements;
DROP TABLE consent_records;
DROP TABLE consent_documents;
DROP TABLE intake_events;
DROP TABLE intake_applications;
