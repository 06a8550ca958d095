use std::collections::HashMap;

use chrono::{Duration, NaiveDateTime};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde_json::json;

use super::{letters, models::*, repository};
use crate::{
    audit::{self, Entry},
    auth::{tokens, AuthUser},
    db::{self, Conn},
    error::{ApiError, FieldError},
    intake::{
        self,
        models::{ApplicationRow, ContactMethod, EventRow, ReferralContact},
        service::NewApplication,
        state::{IntakeAction, IntakeStatus},
    },
    mail::Letter,
    notifications::{models::Notice, service::enqueue_to_email},
    pagination::{Cursor, PageRequest},
    users::{self, models::UserRow},
};

const RESOURCE: &str = "referral";
/// How long a partner's `Idempotency-Key` keeps its first answer.
pub const KEY_TTL_HOURS: i64 = 24;
/// How long a claim code works.
pub const CLAIM_CODE_TTL_HOURS: i64 = 24;
/// Tries at a key that another request holds before answering 409: it only fails again if
/// that request keeps rolling back.
const KEY_ATTEMPTS: usize = 3;

/// The answer to a referral: the new one, or the stored answer to an earlier request with the
/// same key (`replayed`), word for word.
#[derive(Debug)]
pub struct Created {
    pub referral_id: String,
    /// The JSON of the [`Referral`] as first answered.
    pub body: String,
    pub replayed: bool,
}

/// How one attempt at taking a key ended.
enum Attempt {
    /// Another request with the key committed first.
    KeyTaken,
    Failed(ApiError),
}

impl From<DieselError> for Attempt {
    fn from(error: DieselError) -> Self {
        Attempt::Failed(error.into())
    }
}

impl From<ApiError> for Attempt {
    fn from(error: ApiError) -> Self {
        Attempt::Failed(error)
    }
}

/// What the field checks cannot say: consent, and a way to reach the person.
fn check(request: &CreateReferral) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    if request.name.trim().is_empty() {
        errors.push(FieldError::new("name", "length", "must not be blank"));
    }
    if request.email.is_none() && request.phone.is_none() {
        errors.push(FieldError::new(
            "email",
            "required",
            "give an email address, a phone number, or both",
        ));
    }
    if !request.consent_to_contact {
        errors.push(FieldError::new(
            "consent_to_contact",
            "consent",
            "must be true: refer only people who agreed to be contacted by the program",
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// Refers a person for `caller` (a partner client) under `key`. The first request with a key
/// creates the referral and its application and stores its answer in the same transaction;
/// a retry with the same body gets that answer again, with another body 422. Concurrent
/// requests with one key wait for the first to commit (its INSERT of the key holds the key's
/// unique index on PostgreSQL; SQLite serializes writers), then replay its answer.
pub fn create(
    conn: &mut Conn,
    caller: &AuthUser,
    key: &str,
    request: &CreateReferral,
) -> Result<Created, ApiError> {
    check(request)?;
    // The parsed request, re-serialized: the same fields match whatever their order or spacing.
    let canonical = serde_json::to_string(request).map_err(|_| ApiError::Internal)?;
    let request_hash = tokens::secret_hash(&canonical);
    for _ in 0..KEY_ATTEMPTS {
        if let Some(stored) = repository::find_key(conn, &caller.id, key, db::now())? {
            return replay(stored, &request_hash);
        }
        match db::write_transaction(conn, |conn| {
            create_once(conn, caller, key, &request_hash, request)
        }) {
            Ok(created) => {
                forget_expired_keys(conn, &caller.id);
                return Ok(created);
            }
            Err(Attempt::KeyTaken) => continue,
            Err(Attempt::Failed(error)) => return Err(error),
        }
    }
    Err(ApiError::Conflict(
        "another request with this Idempotency-Key is still being processed; retry shortly".into(),
    ))
}

fn replay(stored: IdempotencyKeyRow, request_hash: &str) -> Result<Created, ApiError> {
    if stored.request_hash != request_hash {
        return Err(ApiError::IdempotencyKeyReused);
    }
    Ok(Created {
        referral_id: stored.referral_id,
        body: stored.response_body,
        replayed: true,
    })
}

fn create_once(
    conn: &mut Conn,
    caller: &AuthUser,
    key: &str,
    request_hash: &str,
    request: &CreateReferral,
) -> Result<Created, Attempt> {
    let now = db::now();
    let referral_id = db::new_id();
    // First write of the transaction: the key. The loser of a race stops here.
    let taken = repository::take_key(
        conn,
        &IdempotencyKeyRow {
            partner_id: caller.id.clone(),
            idempotency_key: key.to_string(),
            request_hash: request_hash.to_string(),
            referral_id: referral_id.clone(),
            response_body: String::new(),
            created_at: now,
            expires_at: now + Duration::hours(KEY_TTL_HOURS),
        },
    );
    match taken {
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
            return Err(Attempt::KeyTaken)
        }
        other => other?,
    }
    let email = request.email.as_deref().map(|e| e.trim().to_lowercase());
    let phone = request.phone.as_deref().map(|p| p.trim().to_string());
    let contact_methods: Vec<ContactMethod> = [
        email.as_ref().map(|_| ContactMethod::Email),
        phone.as_ref().map(|_| ContactMethod::Phone),
    ]
    .into_iter()
    .flatten()
    .collect();
    let application = intake::service::submit(
        conn,
        caller,
        NewApplication {
            peer_id: None,
            partner_id: Some(caller.id.clone()),
            preferred_language: request.preferred_language,
            group_kind: request.program,
            identity_preference: None,
            availability: None,
            contact_methods: &contact_methods,
        },
        IntakeAction::Refer,
    )?;
    let row = ReferralRow {
        id: referral_id.clone(),
        partner_id: caller.id.clone(),
        application_id: application.id.clone(),
        person_name: request.name.trim().to_string(),
        email,
        phone,
        notes: request
            .notes
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string),
        consent_to_contact: request.consent_to_contact,
        created_at: application.created_at,
        modified_at: application.created_at,
    };
    repository::insert(conn, &row)?;
    audit::record(
        conn,
        Entry::by(caller, "referral.created", RESOURCE, &row.id)
            .with_details(json!({"application_id": row.application_id})),
    )?;
    if let Some(email) = &row.email {
        enqueue_to_email(
            conn,
            email,
            application.preferred_language,
            &Notice::Referred,
        )?;
    }
    let events = intake::service::events_of(conn, std::slice::from_ref(&application.id))?;
    let referral = view(row, application.status, None, &events);
    let body = serde_json::to_string(&referral).map_err(|_| ApiError::Internal)?;
    repository::set_key_response(conn, &caller.id, key, &body)?;
    Ok(Created {
        referral_id,
        body,
        replayed: false,
    })
}

/// Best effort: a partner's expired keys are removed after each referral it makes (a failure
/// only leaves them for the next time).
fn forget_expired_keys(conn: &mut Conn, partner_id: &str) {
    if let Err(error) = repository::delete_expired_keys(conn, partner_id, db::now()) {
        log::warn!("expired idempotency keys of partner {partner_id} kept for now: {error}");
    }
}

/// What the partner sees: the coarse status, when it reached each one (from the application's
/// timeline), and why it closed.
fn view(
    row: ReferralRow,
    status: IntakeStatus,
    close_reason: Option<String>,
    events: &[EventRow],
) -> Referral {
    let mut history: Vec<StatusChange> = Vec::new();
    for event in events {
        let coarse = ReferralStatus::of(event.to_status);
        if history.last().map(|change| change.status) != Some(coarse) {
            history.push(StatusChange {
                status: coarse,
                at: event.occurred_at.and_utc(),
            });
        }
    }
    Referral {
        id: row.id,
        status: ReferralStatus::of(status),
        status_history: history,
        close_reason: match status {
            IntakeStatus::Withdrawn => Some(WITHDRAWN_REASON.to_string()),
            // The person ended it: the partner is not told they erased their account.
            IntakeStatus::Closed
                if close_reason.as_deref() == Some(intake::service::ERASED_REASON) =>
            {
                Some(WITHDRAWN_REASON.to_string())
            }
            IntakeStatus::Closed => close_reason,
            _ => None,
        },
        received_at: row.created_at.and_utc(),
        modified_at: row.modified_at.and_utc(),
    }
}

/// One of the caller's referrals; another partner's is not found.
pub fn get(conn: &mut Conn, caller: &AuthUser, id: &str) -> Result<Referral, ApiError> {
    let (row, status, close_reason) =
        repository::find_of_partner(conn, &caller.id, id)?.ok_or(ApiError::NotFound)?;
    audit::record(conn, Entry::by(caller, "referral.read", RESOURCE, &row.id))?;
    let events = intake::service::events_of(conn, std::slice::from_ref(&row.application_id))?;
    Ok(view(row, status, close_reason, &events))
}

/// A page of the caller's referrals, oldest first; with `modified_after`, only those whose
/// status changed since.
pub fn list(
    conn: &mut Conn,
    caller: &AuthUser,
    filter: &ReferralFilter,
    page: &PageRequest,
) -> Result<ReferralList, ApiError> {
    let modified_after = filter.modified_after.map(|t| t.naive_utc());
    let lines = repository::list_of_partner(conn, &caller.id, modified_after, page)?;
    let (lines, next_cursor) = page.finish(lines, |(r, _, _)| Cursor {
        created_at: r.created_at,
        id: r.id.clone(),
    });
    let application_ids: Vec<String> = lines
        .iter()
        .map(|(r, _, _)| r.application_id.clone())
        .collect();
    let mut events: HashMap<String, Vec<EventRow>> = HashMap::new();
    for event in intake::service::events_of(conn, &application_ids)? {
        events
            .entry(event.application_id.clone())
            .or_default()
            .push(event);
    }
    audit::record_all(
        conn,
        lines
            .iter()
            .map(|(row, ..)| Entry::by(caller, "referral.read", RESOURCE, &row.id)),
    )?;
    let items = lines
        .into_iter()
        .map(|(row, status, close_reason)| {
            let timeline = events.remove(&row.application_id).unwrap_or_default();
            view(row, status, close_reason, &timeline)
        })
        .collect();
    Ok(ReferralList { items, next_cursor })
}

/// Called by intake on every move of a referred application, in its transaction: a change of
/// the status the partner sees becomes the referral's `modified_at`.
pub fn application_moved(
    conn: &mut Conn,
    application: &ApplicationRow,
    from: IntakeStatus,
    at: NaiveDateTime,
) -> Result<(), ApiError> {
    if ReferralStatus::of(from) != ReferralStatus::of(application.status) {
        repository::set_modified_at(conn, &application.id, at)?;
    }
    Ok(())
}

/// A notice owed to a referred person who has no account yet goes to the address the partner
/// gave (none with a phone number only: the coordinator calls).
pub fn notify_unattached(
    conn: &mut Conn,
    application: &ApplicationRow,
    notice: &Notice,
) -> Result<(), ApiError> {
    if let Some((referral, _)) = repository::find_by_application(conn, &application.id)? {
        if let Some(email) = &referral.email {
            enqueue_to_email(conn, email, application.preferred_language, notice)?;
        }
    }
    Ok(())
}

/// The referred people and the partners' notes, by application id, for coordinators reading
/// these applications (intake's reaction, wired in `crate::reactions`).
pub fn contacts_of(
    conn: &mut Conn,
    application_ids: &[String],
) -> Result<HashMap<String, ReferralContact>, ApiError> {
    Ok(repository::find_by_applications(conn, application_ids)?
        .into_iter()
        .map(|(row, partner_name)| {
            (
                row.application_id,
                ReferralContact {
                    referral_id: row.id,
                    partner_id: row.partner_id,
                    partner_name,
                    name: row.person_name,
                    email: row.email,
                    phone: row.phone,
                    notes: row.notes,
                    referred_at: row.created_at.and_utc(),
                },
            )
        })
        .collect())
}

/// Letters and digits that cannot be mistaken for one another (no I, O, 0, 1): 32 of them, so
/// each random byte maps to one without bias.
const CODE_ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// A new claim code: 12 symbols (60 random bits), shown as `XXXX-XXXX-XXXX`.
fn new_claim_code() -> String {
    let symbols: Vec<char> = tokens::random_bytes(12)
        .iter()
        .map(|b| CODE_ALPHABET[(*b as usize) % CODE_ALPHABET.len()] as char)
        .collect();
    symbols
        .chunks(4)
        .map(|chunk| chunk.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// A code as typed: case, spaces and dashes do not matter.
fn normalize_code(code: &str) -> String {
    code.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn claim_code_hash(code: &str) -> String {
    tokens::secret_hash(&normalize_code(code))
}

/// If referrals to `user`'s address wait for an account, makes a one-time claim code for that
/// address and forgets any code made before; returns the letter that carries it (to the
/// address, never shown in the app: only the address's owner may read it). Only the code's
/// hash is stored, and the letter is not queued in the outbox: the caller sends it once its
/// transaction has committed. Nothing tells the caller whether one was made. In the caller's
/// transaction.
pub fn offer_claim_code(
    conn: &mut Conn,
    user: &UserRow,
    actor: Option<&AuthUser>,
    request_id: Option<&str>,
) -> Result<Option<Letter>, ApiError> {
    if repository::waiting_for_account(conn, &user.email)?.is_empty() {
        return Ok(None);
    }
    let code = new_claim_code();
    let now = db::now();
    let expires_at = now + Duration::hours(CLAIM_CODE_TTL_HOURS);
    repository::replace_claim_code(conn, &claim_code_hash(&code), &user.id, now, expires_at)?;
    audit::record(
        conn,
        Entry {
            actor,
            request_id,
            action: "referral.claim_code_sent",
            resource_type: "user",
            resource_id: Some(&user.id),
            details: None,
        },
    )?;
    Ok(Some(letters::claim_code(
        &user.email,
        user.preferred_language,
        &code,
        expires_at.and_utc(),
    )))
}

/// A signed-in peer asks for a (new) claim code for referrals to their address: the letter to
/// send, if referrals wait.
pub fn request_claim_code(conn: &mut Conn, caller: &AuthUser) -> Result<Option<Letter>, ApiError> {
    db::write_transaction(conn, |conn| {
        let user = users::service::find_account(conn, &caller.id)?.ok_or(ApiError::NotFound)?;
        offer_claim_code(conn, &user, Some(caller), caller.request_id.as_deref())
    })
}

/// Spends the caller's claim code and links every referral to their address that waits for an
/// account: the applications become theirs.
pub fn claim(conn: &mut Conn, caller: &AuthUser, code: &str) -> Result<ClaimedReferrals, ApiError> {
    let code_hash = claim_code_hash(code);
    db::write_transaction(conn, |conn| {
        if repository::use_claim_code(conn, &code_hash, &caller.id, db::now())? == 0 {
            return Err(ApiError::Validation(vec![FieldError::new(
                "code",
                "claim_code", // not a vocabulary word: the validation code of a claim code
                "is not a code we sent you, or it was used or has expired: ask for a new one",
            )]));
        }
        let user = users::service::find_account(conn, &caller.id)?.ok_or(ApiError::NotFound)?;
        let mut items = Vec::new();
        for referral in repository::waiting_for_account(conn, &user.email)? {
            let Some(application) =
                intake::service::attach_to_peer(conn, caller, &referral.application_id)?
            else {
                continue;
            };
            audit::record(
                conn,
                Entry::by(caller, "referral.claimed", RESOURCE, &referral.id)
                    .with_details(json!({"application_id": application.id})),
            )?;
            items.push(ClaimedApplication {
                status: application.status,
                application_id: application.id,
                referred_at: referral.created_at.and_utc(),
            });
        }
        Ok(ClaimedReferrals { items })
    })
}

/// The referrals a person claimed (those of their applications), with what the partner said
/// about them, for their export; oldest first.
pub fn claimed_for_export(
    conn: &mut Conn,
    application_ids: &[String],
) -> Result<Vec<ReferralContact>, ApiError> {
    let mut items: Vec<ReferralContact> =
        contacts_of(conn, application_ids)?.into_values().collect();
    items.sort_by(|a, b| (a.referred_at, &a.referral_id).cmp(&(b.referred_at, &b.referral_id)));
    Ok(items)
}

/// The referrals side of a person's erasure, in its transaction: on the referrals of their
/// applications their name, address, phone and the partner's notes are replaced (the partner
/// keeps its coarse status), and their claim codes are deleted.
pub fn erase_person(
    conn: &mut Conn,
    user: &UserRow,
    application_ids: &[String],
) -> Result<(), ApiError> {
    repository::erase_people(
        conn,
        application_ids,
        users::service::ERASED_DISPLAY_NAME,
        &users::service::erased_email(&user.id),
    )?;
    repository::delete_claim_codes_of(conn, &user.id)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn referral() -> ReferralRow {
        let at = chrono::DateTime::from_timestamp(1_764_000_000, 0)
            .unwrap()
            .naive_utc();
        ReferralRow {
            id: "r1".into(),
            partner_id: "p1".into(),
            application_id: "a1".into(),
            person_name: "Alex Martin".into(),
            email: Some("alex@example.ca".into()),
            phone: None,
            notes: Some("Private note".into()),
            consent_to_contact: true,
            created_at: at,
            modified_at: at,
        }
    }

    fn event(to: IntakeStatus, minutes: i64) -> EventRow {
        EventRow {
            id: format!("e{minutes}"),
            application_id: "a1".into(),
            action: IntakeAction::Submit,
            from_status: None,
            to_status: to,
            actor_id: None,
            actor_role: None,
            note: Some("coordinator note".into()),
            occurred_at: referral().created_at + Duration::minutes(minutes),
        }
    }

    #[test]
    fn every_intake_status_has_its_coarse_status() {
        use ReferralStatus::*;
        let expected = [
            Received, InIntake, InIntake, InIntake, InIntake, InIntake, Placed, InIntake, Closed,
            Closed,
        ];
        for (&status, coarse) in IntakeStatus::ALL.iter().zip(expected) {
            assert_eq!(ReferralStatus::of(status), coarse, "{status:?}");
        }
    }

    #[test]
    fn the_history_keeps_only_changes_of_the_coarse_status() {
        let events = [
            event(IntakeStatus::Submitted, 0),
            event(IntakeStatus::FormSent, 10),
            event(IntakeStatus::FormReceived, 20),
            event(IntakeStatus::FormReceived, 25),
            event(IntakeStatus::MeetingScheduled, 30),
            event(IntakeStatus::Ready, 40),
            event(IntakeStatus::Placed, 50),
            event(IntakeStatus::Closed, 60),
        ];
        let seen = view(
            referral(),
            IntakeStatus::Closed,
            Some("Moved away".into()),
            &events,
        );
        let changes: Vec<(ReferralStatus, i64)> = seen
            .status_history
            .iter()
            .map(|c| {
                (
                    c.status,
                    (c.at.naive_utc() - referral().created_at).num_minutes(),
                )
            })
            .collect();
        assert_eq!(
            changes,
            [
                (ReferralStatus::Received, 0),
                (ReferralStatus::InIntake, 10),
                (ReferralStatus::Placed, 50),
                (ReferralStatus::Closed, 60)
            ]
        );
        assert_eq!(seen.close_reason.as_deref(), Some("Moved away"));
        let text = serde_json::to_string(&seen).unwrap();
        assert!(!text.contains("Private note") && !text.contains("coordinator note"));
        assert!(!text.contains("alex@example.ca") && !text.contains("Alex"));
    }

    #[test]
    fn a_withdrawal_reads_the_same_whatever_the_person_wrote_and_open_ones_have_no_reason() {
        let withdrawn = view(
            referral(),
            IntakeStatus::Withdrawn,
            Some("my own words".into()),
            &[
                event(IntakeStatus::Submitted, 0),
                event(IntakeStatus::Withdrawn, 5),
            ],
        );
        assert_eq!(withdrawn.close_reason.as_deref(), Some(WITHDRAWN_REASON));
        let open = view(
            referral(),
            IntakeStatus::Ready,
            None,
            &[event(IntakeStatus::Ready, 1)],
        );
        assert_eq!(open.close_reason, None);
    }

    #[test]
    fn claim_codes_are_long_unambiguous_and_typed_any_way() {
        let code = new_claim_code();
        assert_eq!(code.len(), 14);
        assert_eq!(code.matches('-').count(), 2);
        assert!(code
            .chars()
            .all(|c| c == '-' || CODE_ALPHABET.contains(&(c as u8))));
        assert_ne!(new_claim_code(), code);
        let typed = format!(" {} ", code.to_lowercase().replace('-', " "));
        assert_eq!(claim_code_hash(&typed), claim_code_hash(&code));
        assert_ne!(claim_code_hash("ABCD-EFGH-JKLM"), claim_code_hash(&code));
    }
}
