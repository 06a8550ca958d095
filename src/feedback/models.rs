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

/// An answer as it waits, sealed, for its session's window to close.
#[derive(Debug, Serialize, Deserialize)]
pub struct PendingAnswer {
    pub submitted_on: NaiveDate,
    pub felt_safe: Option<i16>,
    pub felt_heard: Option<i16>,
    pub found_useful: Option<i16>,
    pub would_recommend: Option<i16>,
    pub comment: Option<String>,
}

/// A session's published feedback signing key (RFC 9474 RSABSSA-SHA384-PSS-Randomized,
/// RSA-2048). Every instance and every caller gets the same key for a session.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "session_id": "a1b2c3d4-e5f6-4a5b-8c7d-9e0f1a2b3c4d",
    "key_id": "o1Vh3WcL9Jc0q0b0mUo8mKxKQ3yq8Y2sVZ0l7a6r1bE",
    "variant": "RSABSSA-SHA384-PSS-Randomized",
    "public_key": "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA..."
}))]
pub struct FeedbackKey {
    /// The session this key signs tokens for (and no other).
    pub session_id: String,
    /// base64url SHA-256 of the public key's SPKI bytes.
    pub key_id: String,
    pub variant: &'static str,
    /// The public key: a DER SubjectPublicKeyInfo (rsaEncryption), base64url without padding.
    pub public_key: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FeedbackKeyList {
    /// One key per session asked for, in the order asked.
    pub items: Vec<FeedbackKey>,
}

/// The most sessions one `GET /feedback-keys` names (as many as one token request signs).
pub const MAX_KEYS_PER_REQUEST: usize = 100;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FeedbackKeysQuery {
    /// The sessions whose keys are wanted: their ids, separated by commas (1 to 100).
    #[param(
        example = "a1b2c3d4-e5f6-4a5b-8c7d-9e0f1a2b3c4d,b2c3d4e5-f6a7-4b5c-8d7e-0f1a2b3c4d5e",
        min_length = 1,
        max_length = 6500
    )]
    pub session_id: String,
}

/// A blinded message to be signed for one session.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"blinded_message": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0-P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn-AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq-wsbKztLW2t7i5uru8vb6_wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t_g4eLj5OXm5-jp6uvs7e7v8PHy8_T19vf4-fr7_P3-_w"}))]
pub struct BlindTokenRequest {
    /// The blinded message (RFC 9474 `Blind`), base64url without padding: exactly 256 bytes.
    /// The message itself is the session id's UTF-8 bytes followed by 32 random bytes, blinded
    /// with the session's key (`GET /feedback-keys?session_id=…`).
    #[validate(length(equal = 342))]
    #[schema(min_length = 342, max_length = 342)]
    pub blinded_message: String,
}

/// A blinded message for one session of a group.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionBlindRequest {
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub session_id: String,
    #[validate(length(equal = 342))]
    #[schema(min_length = 342, max_length = 342)]
    pub blinded_message: String,
}

/// Blinded messages for several sessions of one group, signed at once.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"items": [{
    "session_id": "a1b2c3d4-e5f6-4a5b-8c7d-9e0f1a2b3c4d",
    "blinded_message": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0-P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn-AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq-wsbKztLW2t7i5uru8vb6_wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t_g4eLj5OXm5-jp6uvs7e7v8PHy8_T19vf4-fr7_P3-_w"
}]}))]
pub struct GroupBlindRequest {
    #[validate(length(min = 1, max = 100), nested)]
    #[schema(min_items = 1, max_items = 100)]
    pub items: Vec<SessionBlindRequest>,
}

/// The server's blind signature over one session's blinded message.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "session_id": "a1b2c3d4-e5f6-4a5b-8c7d-9e0f1a2b3c4d",
    "key_id": "o1Vh3WcL9Jc0q0b0mUo8mKxKQ3yq8Y2sVZ0l7a6r1bE",
    "blind_signature": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0-P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn-AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq-wsbKztLW2t7i5uru8vb6_wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t_g4eLj5OXm5-jp6uvs7e7v8PHy8_T19vf4-fr7_P3-_w",
    "submit_by": "2026-12-10T00:00:00Z"
}))]
pub struct FeedbackBlindSignature {
    pub session_id: String,
    /// The session's key that signed (see `GET /feedback-keys`); finalize with its public key.
    pub key_id: String,
    /// RFC 9474 `BlindSign` output, base64url without padding (256 bytes).
    pub blind_signature: String,
    /// The last moment feedback on this session is accepted.
    pub submit_by: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FeedbackBlindSignatures {
    pub items: Vec<FeedbackBlindSignature>,
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
    "token": "YTFiMmMzZDQtZTVmNi00YTViLThjN2QtOWUwZjFhMmIzYzRkAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
    "randomizer": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
    "signature": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0-P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn-AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq-wsbKztLW2t7i5uru8vb6_wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t_g4eLj5OXm5-jp6uvs7e7v8PHy8_T19vf4-fr7_P3-_w",
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
    /// The token (the message that was blinded and signed), base64url without padding: the
    /// session id's UTF-8 bytes followed by 32 random bytes.
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub token: String,
    /// The 32-byte message randomizer from blinding, base64url without padding.
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub randomizer: String,
    /// The finalized signature over randomizer ‖ token, base64url without padding (256 bytes).
    #[validate(length(min = 1, max = 400))]
    #[schema(min_length = 1, max_length = 400)]
    pub signature: String,
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

#[derive(Debug, Deserialize, IntoParams, Validate)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProgramSummaryQuery {
    /// Sessions starting on or after this date (UTC), years 0001–9999.
    #[validate(custom(function = "crate::domain::time::valid_date"))]
    pub from: NaiveDate,
    /// Sessions starting on or before this date (UTC), years 0001–9999.
    #[validate(custom(function = "crate::domain::time::valid_date"))]
    pub to: NaiveDate,
}
