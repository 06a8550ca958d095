DROP TABLE feedback_responses;
DROP TABLE feedback_spent_tokens;
DROP TABLE feedback_grants;
