use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::models::{IdempotencyKeyRow, ReferralRow};
use crate::{
    db::{
        schema::{
            intake_applications, partner_clients, referral_claim_codes, referral_idempotency_keys,
            referrals,
        },
        Conn,
    },
    intake::state::IntakeStatus,
    pagination::PageRequest,
};

/// A referral with its application's status and close reason.
pub type ReferralLine = (ReferralRow, IntakeStatus, Option<String>);

pub fn insert(conn: &mut Conn, row: &ReferralRow) -> QueryResult<()> {
    diesel::insert_into(referrals::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// One of a partner's referrals; another partner's is not found.
pub fn find_of_partner(
    conn: &mut Conn,
    partner_id: &str,
    id: &str,
) -> QueryResult<Option<ReferralLine>> {
    referrals::table
        .inner_join(intake_applications::table)
        .filter(referrals::id.eq(id))
        .filter(referrals::partner_id.eq(partner_id))
        .select((
            referrals::all_columns,
            intake_applications::status,
            intake_applications::close_reason,
        ))
        .first(conn)
        .optional()
}

/// A page of a partner's referrals, oldest first, changed after `modified_after` if given.
pub fn list_of_partner(
    conn: &mut Conn,
    partner_id: &str,
    modified_after: Option<NaiveDateTime>,
    page: &PageRequest,
) -> QueryResult<Vec<ReferralLine>> {
    let mut q = referrals::table
        .inner_join(intake_applications::table)
        .filter(referrals::partner_id.eq(partner_id.to_string()))
        .select((
            referrals::all_columns,
            intake_applications::status,
            intake_applications::close_reason,
        ))
        .into_boxed();
    if let Some(after) = modified_after {
        q = q.filter(referrals::modified_at.gt(after));
    }
    crate::pagination::keyset_page!(q, page, referrals::created_at, referrals::id).load(conn)
}

/// The referrals behind these applications, with their partners' names.
pub fn find_by_applications(
    conn: &mut Conn,
    application_ids: &[String],
) -> QueryResult<Vec<(ReferralRow, String)>> {
    referrals::table
        .inner_join(partner_clients::table)
        .filter(referrals::application_id.eq_any(application_ids))
        .select((referrals::all_columns, partner_clients::name))
        .load(conn)
}

/// The referral behind an application, with its partner's name.
pub fn find_by_application(
    conn: &mut Conn,
    application_id: &str,
) -> QueryResult<Option<(ReferralRow, String)>> {
    referrals::table
        .inner_join(partner_clients::table)
        .filter(referrals::application_id.eq(application_id))
        .select((referrals::all_columns, partner_clients::name))
        .first(conn)
        .optional()
}

/// Records a change of the status the partner sees.
pub fn set_modified_at(
    conn: &mut Conn,
    application_id: &str,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(referrals::table.filter(referrals::application_id.eq(application_id)))
        .set(referrals::modified_at.eq(at))
        .execute(conn)
}

/// Referrals to `email` (lower-cased) whose application has no account yet, oldest first.
pub fn waiting_for_account(conn: &mut Conn, email: &str) -> QueryResult<Vec<ReferralRow>> {
    referrals::table
        .inner_join(intake_applications::table)
        .filter(referrals::email.eq(email))
        .filter(intake_applications::peer_id.is_null())
        .select(referrals::all_columns)
        .order((referrals::created_at, referrals::id))
        .load(conn)
}

/// The stored answer to a partner's key, unless it has expired.
pub fn find_key(
    conn: &mut Conn,
    partner_id: &str,
    key: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<IdempotencyKeyRow>> {
    referral_idempotency_keys::table
        .find((partner_id, key))
        .filter(referral_idempotency_keys::expires_at.gt(now))
        .first(conn)
        .optional()
}

/// Takes a key: the conditional write that lets exactly one request with it go through. A
/// concurrent request with the same key gets a unique violation (on PostgreSQL, once this
/// transaction commits). An expired use of the key is removed first.
pub fn take_key(conn: &mut Conn, row: &IdempotencyKeyRow) -> QueryResult<()> {
    diesel::delete(
        referral_idempotency_keys::table
            .find((&row.partner_id, &row.idempotency_key))
            .filter(referral_idempotency_keys::expires_at.le(row.created_at)),
    )
    .execute(conn)?;
    diesel::insert_into(referral_idempotency_keys::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// Stores the answer given to the request that took the key.
pub fn set_key_response(
    conn: &mut Conn,
    partner_id: &str,
    key: &str,
    response_body: &str,
) -> QueryResult<usize> {
    diesel::update(referral_idempotency_keys::table.find((partner_id, key)))
        .set(referral_idempotency_keys::response_body.eq(response_body))
        .execute(conn)
}

/// Forgets a partner's expired keys.
pub fn delete_expired_keys(
    conn: &mut Conn,
    partner_id: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::delete(
        referral_idempotency_keys::table
            .filter(referral_idempotency_keys::partner_id.eq(partner_id))
            .filter(referral_idempotency_keys::expires_at.le(now)),
    )
    .execute(conn)
}

/// A new claim code of `user_id`; the codes it had not used stop working.
pub fn replace_claim_code(
    conn: &mut Conn,
    code_hash: &str,
    user_id: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::delete(
        referral_claim_codes::table
            .filter(referral_claim_codes::user_id.eq(user_id))
            .filter(referral_claim_codes::used_at.is_null()),
    )
    .execute(conn)?;
    diesel::insert_into(referral_claim_codes::table)
        .values((
            referral_claim_codes::code_hash.eq(code_hash),
            referral_claim_codes::user_id.eq(user_id),
            referral_claim_codes::created_at.eq(now),
            referral_claim_codes::expires_at.eq(expires_at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Spends a code of `user_id` that is unused and unexpired: 1 when it was, 0 otherwise (wrong,
/// someone else's, used or expired). One conditional UPDATE, so a code works once.
pub fn use_claim_code(
    conn: &mut Conn,
    code_hash: &str,
    user_id: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        referral_claim_codes::table
            .filter(referral_claim_codes::code_hash.eq(code_hash))
            .filter(referral_claim_codes::user_id.eq(user_id))
            .filter(referral_claim_codes::used_at.is_null())
            .filter(referral_claim_codes::expires_at.gt(now)),
    )
    .set(referral_claim_codes::used_at.eq(now))
    .execute(conn)
}

/// Replaces the referred person's details on the referrals of these applications: the name by
/// `name`, the email by `placeholder_email` (a referral keeps a way to reach someone, so the
/// column cannot be empty), no phone, no notes.
pub fn erase_people(
    conn: &mut Conn,
    application_ids: &[String],
    name: &str,
    placeholder_email: &str,
) -> QueryResult<usize> {
    diesel::update(referrals::table.filter(referrals::application_id.eq_any(application_ids)))
        .set((
            referrals::person_name.eq(name),
            referrals::email.eq(placeholder_email),
            referrals::phone.eq(None::<String>),
            referrals::notes.eq(None::<String>),
        ))
        .execute(conn)
}

/// Deletes every claim code of `user_id`, used or not.
pub fn delete_claim_codes_of(conn: &mut Conn, user_id: &str) -> QueryResult<usize> {
    diesel::delete(referral_claim_codes::table.filter(referral_claim_codes::user_id.eq(user_id)))
        .execute(conn)
}
