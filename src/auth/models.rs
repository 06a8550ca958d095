use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::{domain::Receipt, language::Language};

/// A peer signing up.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "email": "alex.martin@example.ca",
    "password": "a long passphrase of mine",
    "display_name": "Alex M.",
    "preferred_language": Language::En
}))]
pub struct RegisterRequest {
    #[validate(email(message = "must be a valid email address"), length(max = 254))]
    #[schema(max_length = 254, format = "email")]
    pub email: String,
    /// At least 12 characters.
    #[validate(length(min = 12, max = 1024, message = "must be 12 to 1024 characters"))]
    #[schema(min_length = 12, max_length = 1024)]
    pub password: String,
    /// The name other participants see; it need not be a legal name.
    #[validate(length(min = 1, max = 80, message = "must be 1 to 80 characters"))]
    #[schema(min_length = 1, max_length = 80)]
    pub display_name: String,
    pub preferred_language: Language,
}

/// Sign-up is acknowledged the same way whether or not the email was already registered, so
/// the API never tells anyone who is in the program: the mail says the rest.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "status": Receipt::Received,
    "detail": "We sent a link to this address: open it to confirm the address, then log in."
}))]
pub struct RegistrationReceived {
    pub status: Receipt,
    pub detail: &'static str,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "alex.martin@example.ca", "password": "a long passphrase of mine"}))]
pub struct LoginRequest {
    #[validate(length(min = 1, max = 254, message = "is required"))]
    #[schema(min_length = 1, max_length = 254)]
    pub email: String,
    #[validate(length(min = 1, max = 1024, message = "is required"))]
    #[schema(min_length = 1, max_length = 1024)]
    pub password: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"refresh_token": "q3Jt0pXn2rA8dM1bVYk6fZcW9uHsL4eT7gN5oQxIyPE"}))]
pub struct RefreshRequest {
    #[validate(length(min = 1, max = 256, message = "is required"))]
    #[schema(min_length = 1, max_length = 256)]
    pub refresh_token: String,
}

/// A fresh access token and the refresh token to get the next one.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "access_token": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIuLi4ifQ.c2lnbmF0dXJl",
    "refresh_token": "q3Jt0pXn2rA8dM1bVYk6fZcW9uHsL4eT7gN5oQxIyPE",
    "token_type": "Bearer",
    "expires_in": 900
}))]
pub struct TokenPair {
    pub access_token: String,
    /// Single use: each refresh returns a new one; presenting a spent one ends the session.
    pub refresh_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: u64,
}

/// OAuth 2.0 client-credentials request (RFC 6749 §4.4), form-encoded.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({
    "grant_type": "client_credentials",
    "client_id": "pc_4f1d2a9e7b3c",
    "client_secret": "the secret shown once at creation"
}))]
pub struct ClientCredentialsRequest {
    // Required in the contract; missing ones are answered as RFC 6749 says, not by the framework.
    #[schema(required = true, value_type = String, pattern = "^client_credentials$", example = "client_credentials")]
    pub grant_type: Option<String>,
    #[schema(required = true, value_type = String, min_length = 1)]
    pub client_id: Option<String>,
    #[schema(required = true, value_type = String, min_length = 1)]
    pub client_secret: Option<String>,
    /// Accepted and ignored: a partner token always carries the `partner` role.
    pub scope: Option<String>,
}

/// An access token for a partner client.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "access_token": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIuLi4ifQ.c2lnbmF0dXJl",
    "token_type": "Bearer",
    "expires_in": 900
}))]
pub struct ClientToken {
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    pub expires_in: u64,
}

/// An OAuth 2.0 error (RFC 6749 §5.2), the body of `/auth/token` failures.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"error": "invalid_client", "error_description": "unknown client or wrong secret"}))]
pub struct OAuthError {
    /// `invalid_request`, `invalid_client` or `unsupported_grant_type`.
    pub error: &'static str,
    pub error_description: &'static str,
}

/// The `/auth/token` error response (RFC 6749 §5.2).
#[derive(utoipa::ToResponse)]
#[response(
    description = "OAuth 2.0 error: `invalid_request`, `unsupported_grant_type` (400) or `invalid_client` (401)"
)]
pub struct OAuthErrorResponse(#[allow(dead_code)] OAuthError);

/// One sign-in: the family of refresh tokens rotated from it.
#[derive(Debug, Clone, diesel::Queryable, diesel::Insertable)]
#[diesel(table_name = crate::db::schema::sessions)]
pub struct SessionRow {
    pub id: String,
    pub user_id: String,
    pub created_at: chrono::NaiveDateTime,
    pub expires_at: chrono::NaiveDateTime,
    pub revoked_at: Option<chrono::NaiveDateTime>,
}

#[derive(Debug, Clone, diesel::Queryable, diesel::Insertable)]
#[diesel(table_name = crate::db::schema::refresh_tokens)]
pub struct RefreshTokenRow {
    pub token_hash: String,
    pub session_id: String,
    pub created_at: chrono::NaiveDateTime,
    pub used_at: Option<chrono::NaiveDateTime>,
}

crate::domain::vocabulary! {
    /// What a mailed account token is for.
    TokenPurpose {
        /// Confirms the address of a new sign-up (24 hours).
        VerifyEmail = "verify_email",
        /// Sets a new password after `POST /auth/password-reset` (30 minutes).
        ResetPassword = "reset_password",
        /// Sets the first password of an account an admin created (72 hours).
        SetPassword = "set_password",
    }
}

/// A token mailed to an account's address, kept only as its SHA-256.
#[derive(Debug, Clone, diesel::Queryable, diesel::Insertable)]
#[diesel(table_name = crate::db::schema::account_tokens)]
pub struct AccountTokenRow {
    pub token_hash: String,
    pub user_id: String,
    pub purpose: TokenPurpose,
    pub created_at: chrono::NaiveDateTime,
    pub expires_at: chrono::NaiveDateTime,
    pub used_at: Option<chrono::NaiveDateTime>,
}

/// The token from a verification link.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"token": "Vq3Jt0pXn2rA8dM1bVYk6fZcW9uHsL4eT7gN5oQxIyP"}))]
pub struct VerifyEmailRequest {
    /// The `token` of the link in the mail.
    #[validate(length(min = 1, max = 256, message = "is required"))]
    #[schema(min_length = 1, max_length = 256)]
    pub token: String,
}

/// An address to send a link to (resend the verification, or reset the password).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "alex.martin@example.ca"}))]
pub struct EmailRequest {
    #[validate(email(message = "must be a valid email address"), length(max = 254))]
    #[schema(max_length = 254, format = "email")]
    pub email: String,
}

/// A new password, with the token of a reset (or set-your-password) link.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "token": "Vq3Jt0pXn2rA8dM1bVYk6fZcW9uHsL4eT7gN5oQxIyP",
    "new_password": "a brand new passphrase of mine"
}))]
pub struct PasswordResetConfirm {
    /// The `token` of the link in the mail.
    #[validate(length(min = 1, max = 256, message = "is required"))]
    #[schema(min_length = 1, max_length = 256)]
    pub token: String,
    /// At least 12 characters.
    #[validate(length(min = 12, max = 1024, message = "must be 12 to 1024 characters"))]
    #[schema(min_length = 12, max_length = 1024)]
    pub new_password: String,
}

/// A request that may send mail, answered alike whatever the address.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "status": Receipt::Received,
    "detail": "If this address belongs to an account, we sent it a link."
}))]
pub struct MailRequested {
    pub status: Receipt,
    pub detail: &'static str,
}
