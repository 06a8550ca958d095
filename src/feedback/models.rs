use chrono::{DateTime, NaiveDate, Utc};
use diesel::{Insertable, Queryable};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::{db::schema::feedback_responses, domain::Receipt};

/// Summaries over fewer responses than this are suppressed.
pub const MINIMUM_RESPONSES: i64 = 5;

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = feedback_responses)]
pub struct ResponseRow {
    pub id: String,
    pub session_id: String,
    pub submitted_on: NaiveDate,
    pub felt_safe: Option<i16>,
    pub felt_heard: Option<i16>,
    pub found_useful: Option<i16>,
    pub would_recommend: Option<i16>,
    pub comment: Option<String>,
}

/// A single-use token to give anonymous feedback on one session.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "session_id": "a1b2c3d4-e5f6-4a5b-8c7d-9e0f1a2b3c4d",
    "token": "q3Jt0pXn2rA8dM1bVYk6fQ.8fH2kL0pQ9sT1uV3wX5yZ7aB9cD1eF3gH5iJ7kL9mN0",
    "submit_by": "2026-12-10T00:00:00Z"
}))]
pub struct FeedbackToken {
    pub session_id: String,
    /// Send it with the feedback. It is not stored: the server keeps no copy that could tie it
    /// to you.
    pub token: String,
    /// The last moment feedback on this session is accepted.
    pub submit_by: DateTime<Utc>,
}

fn rating_range(value: i16) -> Result<(), validator::ValidationError> {
    if (1..=5).contains(&value) {
        Ok(())
    } else {
        Err(validator::ValidationError::new("range").with_message("must be from 1 to 5".into()))
    }
}

/// Anonymous feedback on a session: every rating (1 to 5) and the comment are optional.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "session_id": "a1b2c3d4-e5f6-4a5b-8c7d-9e0f1a2b3c4d",
    "token": "q3Jt0pXn2rA8dM1bVYk6fQ.8fH2kL0pQ9sT1uV3wX5yZ7aB9cD1eF3gH5iJ7kL9mN0",
    "felt_safe": 5,
    "felt_heard": 4,
    "found_useful": 4,
    "would_recommend": 5,
    "comment": "It helped to hear others say what I could not."
}))]
pub struct SubmitFeedback {
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub session_id: String,
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub token: String,
    #[validate(custom(function = "rating_range"))]
    #[schema(minimum = 1, maximum = 5)]
    pub felt_safe: Option<i16>,
    #[validate(custom(function = "rating_range"))]
    #[schema(minimum = 1, maximum = 5)]
    pub felt_heard: Option<i16>,
    #[validate(custom(function = "rating_range"))]
    #[schema(minimum = 1, maximum = 5)]
    pub found_useful: Option<i16>,
    #[validate(custom(function = "rating_range"))]
    #[schema(minimum = 1, maximum = 5)]
    pub would_recommend: Option<i16>,
    #[validate(length(max = 2000, message = "must be at most 2000 characters"))]
    #[schema(max_length = 2000)]
    pub comment: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"status": Receipt::Received, "detail": "Thank you. Your answers cannot be linked to you."}))]
pub struct FeedbackReceived {
    pub status: Receipt,
    pub detail: &'static str,
}

/// One rating across the responses that answered it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RatingSummary {
    /// Responses that gave this rating.
    pub answered: i64,
    pub average: Option<f64>,
    /// How many answered 1, 2, 3, 4 and 5.
    pub distribution: [i64; 5],
}

/// Counts, averages and comments — or, under five responses, only that it is suppressed.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "scope": "group",
    "suppressed": false,
    "minimum_responses": 5,
    "response_count": 9,
    "sessions_included": 2,
    "felt_safe": {"answered": 9, "average": 4.4, "distribution": [0, 0, 1, 3, 5]},
    "felt_heard": {"answered": 8, "average": 4.1, "distribution": [0, 1, 0, 4, 3]},
    "found_useful": {"answered": 9, "average": 3.9, "distribution": [0, 1, 2, 3, 3]},
    "would_recommend": {"answered": 7, "average": 4.6, "distribution": [0, 0, 0, 3, 4]},
    "comments": ["It helped to hear others say what I could not."]
}))]
pub struct FeedbackSummary {
    /// `session`, `group` or `program`.
    pub scope: &'static str,
    /// True when the summary would rest on fewer than `minimum_responses` responses (or, for a
    /// session, while its feedback window is still open): then no counts, averages or comments.
    pub suppressed: bool,
    /// Why it is suppressed: `collecting` (the window is open) or `too_few_responses`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
    pub minimum_responses: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_count: Option<i64>,
    /// Sessions whose responses are counted (closed windows with enough responses).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sessions_included: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub felt_safe: Option<RatingSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub felt_heard: Option<RatingSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub found_useful: Option<RatingSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub would_recommend: Option<RatingSummary>,
    /// In alphabetical order, so their order says nothing about who wrote them when.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comments: Option<Vec<String>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProgramSummaryQuery {
    /// Sessions starting on or after this date (UTC).
    pub from: NaiveDate,
    /// Sessions starting on or before this date (UTC).
    pub to: NaiveDate,
}
