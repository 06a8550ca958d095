-- A session whose feedback window has closed, once its answers were moved to
-- feedback_responses: from then on its responses never change (a late answer is refused), and
-- `counted` says, once and for all, whether it counts in summaries (five or more responses and
-- five or more people placed in its group before it started or present at it). No time.
CREATE TABLE feedback_released (
    session_id TEXT PRIMARY KEY REFERENCES group_sessions (id),
    counted BOOLEAN NOT NULL
);
