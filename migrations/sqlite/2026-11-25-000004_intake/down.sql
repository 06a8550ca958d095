DROP TABLE notifications;
DROP TABLE placements;
DROP TABLE consent_records;
DROP TABLE consent_documents;
DROP TABLE intake_events;
DROP TABLE intake_applications;
