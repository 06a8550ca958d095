DROP TABLE feedback_released;
