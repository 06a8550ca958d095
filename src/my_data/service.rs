use chrono::Utc;
use serde_json::json;

use super::models::MyData;
use crate::{
    audit::{self, Entry},
    auth::{self, passwords, AuthUser},
    consent,
    db::{self, Conn, DbPool},
    error::{ApiError, FieldError},
    groups, intake, notifications, referrals,
    users::{
        self,
        models::{Me, User},
    },
};

/// Everything held about the caller, read in one snapshot; the export itself is audited.
pub fn export(
    conn: &mut Conn,
    caller: &AuthUser,
    reactions: &intake::Reactions,
) -> Result<MyData, ApiError> {
    db::snapshot_transaction(conn, |conn| {
        let row = users::service::find_account(conn, &caller.id)?.ok_or(ApiError::Unauthorized)?;
        let profile = Me::try_from(row.clone())?;
        let account = User::from(row);
        let applications = intake::service::export_for(conn, caller, reactions)?;
        let application_ids: Vec<String> = applications
            .iter()
            .map(|a| a.application.id.clone())
            .collect();
        let data = MyData {
            exported_at: Utc::now(),
            account,
            profile,
            consents: consent::service::records_for_export(conn, &caller.id)?,
            placements: intake::placements::my_placements(conn, caller)?.items,
            placement_offers: intake::offers::mine(conn, caller)?.items,
            attendance: groups::service::attendance_of_person(conn, &caller.id)?,
            notifications: notifications::service::all_of(conn, &caller.id)?,
            referrals: referrals::service::claimed_for_export(conn, &application_ids)?,
            applications,
        };
        audit::record(
            conn,
            Entry::by(caller, "user.data_exported", "user", &caller.id),
        )?;
        Ok(data)
    })
}

/// Erases the caller's account once their current password is checked (hashed holding no pooled
/// connection), in one transaction: the account's personal fields are replaced, its sessions
/// and mailed tokens end, its open applications close (seats freed), what the applications,
/// referrals and notices said about the person is removed. The consent ledger and the audit log
/// stay, naming the id only. Audited without the email.
pub fn erase(
    pool: &DbPool,
    caller: &AuthUser,
    reactions: &intake::Reactions,
    current_password: &str,
) -> Result<(), ApiError> {
    let user = users::service::find_account(&mut *pool.get()?, &caller.id)?
        .ok_or(ApiError::Unauthorized)?;
    if !passwords::verify(current_password, &user.password_hash) {
        return Err(ApiError::Validation(vec![FieldError::new(
            "current_password",
            "mismatch",
            "is not the current password",
        )]));
    }
    db::write_transaction(&mut *pool.get()?, |conn| {
        // The first write: a concurrent erasure of the same account finds nothing left to do.
        if !users::service::erase_account(conn, &user.id)? {
            return Err(ApiError::Unauthorized);
        }
        auth::service::forget_account(conn, &user.id, &user.email)?;
        let application_ids = intake::service::erase_person(conn, caller, reactions)?;
        referrals::service::erase_person(conn, &user, &application_ids)?;
        notifications::service::forget_recipient(conn, &user.id, &user.email)?;
        audit::record(
            conn,
            Entry::by(caller, "user.erased", "user", &user.id)
                .with_details(json!({"applications": application_ids.len()})),
        )
    })?;
    // Best effort: the erasure holds whatever this answers.
    if let Err(e) = db::purge_freed(&mut *pool.get()?) {
        log::warn!("after an erasure, the database log was not emptied: {e}");
    }
    Ok(())
}
