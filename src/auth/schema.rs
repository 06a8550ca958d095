//! The tables of verified addresses and mailed account tokens (migration
//! `2026-12-03-000009_account_verification`). Declared here, beside the only code that reads
//! them, rather than in `db::schema` (owned by another change at the time of writing).

diesel::table! {
    email_verifications (user_id) {
        user_id -> Text,
        verified_at -> Timestamp,
    }
}

diesel::table! {
    account_tokens (token_hash) {
        token_hash -> Text,
        user_id -> Text,
        purpose -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}
