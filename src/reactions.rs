//! The one place where a lower resource learns what the higher ones do: every module's `Reactions`.

use crate::{auth, db::Conn, error::ApiError, referrals, users::models::UserRow};

/// Sign-up: an address partners referred gets a claim code to link the referrals to the account.
pub const AUTH: auth::Reactions = auth::Reactions {
    account_created: offer_claim_code,
};

fn offer_claim_code(
    conn: &mut Conn,
    account: &UserRow,
    request_id: Option<&str>,
) -> Result<(), ApiError> {
    referrals::service::offer_claim_code(conn, account, None, request_id)
}
