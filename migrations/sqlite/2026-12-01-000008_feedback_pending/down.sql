DROP TABLE feedback_pending;
