use chrono::Utc;
use serde_json::json;

use super::{
    business_days,
    models::*,
    offers, placements, repository,
    state::{IntakeAction, IntakeMove, IntakeStatus},
    Reactions,
};
use crate::{
    audit::{self, Entry},
    auth::{AuthUser, Role},
    db::{self, Conn},
    domain::{contact, MeetingMode},
    error::{ApiError, FieldError},
    language::Language,
    notifications::{models::Notice, service::enqueue},
    pagination::{Cursor, PageRequest},
    support_lines, users,
};

const RESOURCE: &str = "intake_application";

fn is_coordinator(caller: &AuthUser) -> bool {
    caller.role.is_staff()
}

/// The application if the caller may see it: its own peer, or a coordinator. Anyone else is told
/// it does not exist.
fn visible(row: ApplicationRow, caller: &AuthUser) -> Result<ApplicationRow, ApiError> {
    if is_coordinator(caller) || row.peer_id.as_deref() == Some(caller.id.as_str()) {
        Ok(row)
    } else {
        Err(ApiError::NotFound)
    }
}

fn read_audit<'a>(caller: &'a AuthUser, action: &'a str, id: &'a str) -> Entry<'a> {
    Entry::by(caller, action, RESOURCE, id)
}

/// Answers that tell a peer "no" or "not yet" carry the support lines.
fn says_not_yet(status: IntakeStatus) -> bool {
    matches!(
        status,
        IntakeStatus::NotReady | IntakeStatus::Waitlisted | IntakeStatus::Closed
    )
}

/// The applications of a page as the caller may see them: the support lines and the referral
/// contacts are loaded once for the whole page, whatever its size.
fn views(
    conn: &mut Conn,
    caller: &AuthUser,
    reactions: &Reactions,
    rows: Vec<ApplicationRow>,
) -> Result<Vec<Application>, ApiError> {
    let support_lines = if rows.iter().any(|r| says_not_yet(r.status)) {
        Some(support_lines::service::list(conn)?)
    } else {
        None
    };
    let coordinator = is_coordinator(caller);
    let referred: Vec<String> = rows
        .iter()
        .filter(|r| coordinator && r.partner_id.is_some())
        .map(|r| r.id.clone())
        .collect();
    let mut contacts = if referred.is_empty() {
        Default::default()
    } else {
        (reactions.referral_contacts)(conn, &referred)?
    };
    let applicants = applicants_shown(conn, caller, &rows)?;
    let now = Utc::now().naive_utc();
    rows.into_iter()
        .map(|row| {
            let status = row.status;
            Ok(Application {
                applicant: row
                    .peer_id
                    .as_ref()
                    .and_then(|peer| applicants.get(peer))
                    .map(|user| {
                        Ok::<_, ApiError>(Applicant {
                            account_id: user.id.clone(),
                            display_name: user.display_name.clone(),
                            email: user.email.clone(),
                            phone: user.phone.clone(),
                            preferred_language: user.preferred_language,
                            contact_methods: user.reach_by()?,
                            time_zone: user.time_zone.clone(),
                        })
                    })
                    .transpose()?,
                referral: contacts.remove(&row.id),
                overdue: row.respond_by < now
                    && row.first_response_at.is_none()
                    && status.is_open(),
                allowed_moves: status.moves_for(caller.role),
                preferred_language: row.preferred_language,
                group_kind: row.group_kind,
                contact_methods: serde_json::from_str(&row.contact_methods)
                    .map_err(|e| ApiError::unreadable("intake_applications.contact_methods", e))?,
                form_answers: row
                    .form_answers
                    .as_deref()
                    .map(serde_json::from_str)
                    .transpose()
                    .map_err(|e| ApiError::unreadable("intake_applications.form_answers", e))?,
                safety_notes: if coordinator {
                    row.safety_notes.clone()
                } else {
                    None
                },
                support_lines: says_not_yet(status)
                    .then(|| support_lines.clone().unwrap_or_default()),
                status,
                id: row.id,
                source: row.source,
                identity_preference: row.identity_preference,
                availability: row.availability,
                assigned_coordinator_id: row.assigned_coordinator_id,
                meeting_at: row.meeting_at.map(|t| t.and_utc()),
                meeting_mode: row.meeting_mode,
                meeting_link: row.meeting_link,
                meeting_location: row.meeting_location,
                placed_group_id: row.placed_group_id,
                waitlist_group_id: row.waitlist_group_id,
                close_reason: row.close_reason,
                respond_by: row.respond_by.and_utc(),
                submitted_at: row.created_at.and_utc(),
                updated_at: row.updated_at.and_utc(),
            })
        })
        .collect()
}

/// Who may reach the applicant: the assigned coordinator, and admins.
fn may_reach(caller: &AuthUser, row: &ApplicationRow) -> bool {
    caller.role == Role::Admin
        || (caller.role.is_staff()
            && row.assigned_coordinator_id.as_deref() == Some(caller.id.as_str()))
}

/// The accounts of the applicants whose contact details `caller` may see on this page, by id,
/// in one query; each application shown with them is audited as a contact read.
fn applicants_shown(
    conn: &mut Conn,
    caller: &AuthUser,
    rows: &[ApplicationRow],
) -> Result<std::collections::HashMap<String, users::models::UserRow>, ApiError> {
    let shown: Vec<&ApplicationRow> = rows
        .iter()
        .filter(|row| row.peer_id.is_some() && may_reach(caller, row))
        .collect();
    let ids: Vec<String> = shown.iter().filter_map(|row| row.peer_id.clone()).collect();
    let accounts = users::service::find_accounts(conn, &ids)?;
    audit::record_all(
        conn,
        shown
            .iter()
            .map(|row| read_audit(caller, "intake_application.contact_read", &row.id)),
    )?;
    Ok(accounts)
}

fn view(
    conn: &mut Conn,
    caller: &AuthUser,
    reactions: &Reactions,
    row: ApplicationRow,
) -> Result<Application, ApiError> {
    views(conn, caller, reactions, vec![row])?
        .pop()
        .ok_or(ApiError::NotFound)
}

/// A page of applications read by `caller`: every read audited, in one statement.
pub(super) fn read_page(
    conn: &mut Conn,
    caller: &AuthUser,
    reactions: &Reactions,
    rows: Vec<ApplicationRow>,
) -> Result<Vec<Application>, ApiError> {
    db::write_transaction(conn, |conn| {
        audit::record_all(
            conn,
            rows.iter()
                .map(|row| read_audit(caller, "intake_application.read", &row.id)),
        )?;
        views(conn, caller, reactions, rows)
    })
}

/// A new application: who it is for (no one yet for a partner's referral), where it came from,
/// and the applicant's preferences.
pub struct NewApplication<'a> {
    pub peer_id: Option<String>,
    /// The partner client that referred the person, for `source = 'partner'`.
    pub partner_id: Option<String>,
    pub preferred_language: Language,
    pub group_kind: GroupKindPreference,
    pub identity_preference: Option<&'a str>,
    pub availability: Option<&'a str>,
    pub contact_methods: &'a [ContactMethod],
}

/// Saves a new application with its first timeline event (`action`: `submit` or `refer`) and
/// its audit event, in the caller's transaction.
pub fn submit(
    conn: &mut Conn,
    caller: &AuthUser,
    new: NewApplication<'_>,
    action: IntakeAction,
) -> Result<ApplicationRow, ApiError> {
    let now = db::now();
    let row = ApplicationRow {
        id: db::new_id(),
        peer_id: new.peer_id,
        source: if new.partner_id.is_some() {
            ApplicationSource::Partner
        } else {
            ApplicationSource::Applicant
        },
        partner_id: new.partner_id,
        status: IntakeStatus::Submitted,
        preferred_language: new.preferred_language,
        group_kind: new.group_kind,
        identity_preference: new.identity_preference.map(|s| s.trim().to_lowercase()),
        availability: new.availability.map(str::to_string),
        contact_methods: json!(new.contact_methods).to_string(),
        assigned_coordinator_id: None,
        form_answers: None,
        meeting_at: None,
        readiness: None,
        safety_notes: None,
        placed_group_id: None,
        waitlist_group_id: None,
        waitlisted_at: None,
        close_reason: None,
        respond_by: business_days::respond_by(now.and_utc()).naive_utc(),
        first_response_at: None,
        version: 1,
        created_at: now,
        updated_at: now,
        meeting_mode: None,
        meeting_link: None,
        meeting_location: None,
    };
    repository::insert(conn, &row)?;
    record_event(conn, caller, &row, None, action, None, now)?;
    audit::record(
        conn,
        Entry::by(caller, "intake_application.created", RESOURCE, &row.id)
            .with_details(json!({"source": row.source})),
    )?;
    Ok(row)
}

pub fn create(
    conn: &mut Conn,
    caller: &AuthUser,
    reactions: &Reactions,
    request: &CreateApplication,
) -> Result<Application, ApiError> {
    db::write_transaction(conn, |conn| {
        // One open application per person: two requests at once take turns here.
        db::lock_name(conn, &format!("applications of {}", caller.id))?;
        if let Some(open) = repository::open_of_peer(conn, &caller.id)? {
            return Err(ApiError::ApplicationOpen(open));
        }
        let row = submit(
            conn,
            caller,
            NewApplication {
                peer_id: Some(caller.id.clone()),
                partner_id: None,
                preferred_language: request.preferred_language,
                group_kind: request.group_kind,
                identity_preference: request.identity_preference.as_deref(),
                availability: request.availability.as_deref(),
                contact_methods: &request.contact_methods,
            },
            IntakeAction::Submit,
        )?;
        view(conn, caller, reactions, row)
    })
}

/// Links an application a partner referred to the caller's account (the caller proved they
/// control the referral's email address): from then on it is theirs. `None` when it already
/// had an account.
pub fn attach_to_peer(
    conn: &mut Conn,
    caller: &AuthUser,
    application_id: &str,
) -> Result<Option<ApplicationRow>, ApiError> {
    let now = db::now();
    if repository::attach_peer(conn, application_id, &caller.id, now)? == 0 {
        return Ok(None);
    }
    let row = repository::find(conn, application_id)?.ok_or(ApiError::NotFound)?;
    record_event(
        conn,
        caller,
        &row,
        Some(row.status),
        IntakeAction::Claim,
        None,
        now,
    )?;
    audit::record(
        conn,
        Entry::by(
            caller,
            "intake_application.claimed",
            RESOURCE,
            application_id,
        ),
    )?;
    Ok(Some(row))
}

pub fn get(
    conn: &mut Conn,
    caller: &AuthUser,
    reactions: &Reactions,
    id: &str,
) -> Result<Application, ApiError> {
    let row = visible(
        repository::find(conn, id)?.ok_or(ApiError::NotFound)?,
        caller,
    )?;
    audit::record(conn, read_audit(caller, "intake_application.read", id))?;
    view(conn, caller, reactions, row)
}

pub fn list(
    conn: &mut Conn,
    caller: &AuthUser,
    reactions: &Reactions,
    filter: &ApplicationFilter,
    page: &PageRequest,
) -> Result<ApplicationList, ApiError> {
    let peer = (!is_coordinator(caller)).then_some(caller.id.as_str());
    let filter = ApplicationFilter {
        status: filter.status,
        assigned_to: filter.assigned_to.as_ref().map(|who| match who.as_str() {
            "me" => caller.id.clone(),
            id => id.to_string(),
        }),
        overdue: filter.overdue,
    };
    let rows = repository::list(conn, peer, &filter, Utc::now().naive_utc(), page)?;
    let (rows, next_cursor) = page.finish(rows, |r| Cursor {
        created_at: r.created_at,
        id: r.id.clone(),
    });
    Ok(ApplicationList {
        items: read_page(conn, caller, reactions, rows)?,
        next_cursor,
    })
}

/// The timelines of these applications, for the levels above (a partner's view of its
/// referrals), oldest event first.
pub fn events_of(conn: &mut Conn, application_ids: &[String]) -> Result<Vec<EventRow>, ApiError> {
    Ok(repository::events_of_many(conn, application_ids)?)
}

/// The timeline: every move, described in the application's language.
pub fn timeline(conn: &mut Conn, caller: &AuthUser, id: &str) -> Result<Timeline, ApiError> {
    let row = visible(
        repository::find(conn, id)?.ok_or(ApiError::NotFound)?,
        caller,
    )?;
    audit::record(
        conn,
        read_audit(caller, "intake_application.timeline_read", id),
    )?;
    let language = row.preferred_language;
    let coordinator = is_coordinator(caller);
    let items = repository::events_of(conn, id)?
        .into_iter()
        .map(|e| TimelineEvent {
            description: describe(e.action, e.to_status, language),
            from_status: e.from_status,
            to_status: e.to_status,
            actor_id: if coordinator { e.actor_id } else { None },
            note: if coordinator { e.note } else { None },
            id: e.id,
            action: e.action,
            occurred_at: e.occurred_at.and_utc(),
        })
        .collect();
    Ok(Timeline { items })
}

/// What the peer reads for each step of their journey.
fn describe(action: IntakeAction, to: IntakeStatus, language: Language) -> String {
    use IntakeAction as A;
    let (en, fr) = match (action, to) {
        (A::Submit, _) => (
            "We received your application. We answer within two business days.",
            "Nous avons reçu votre demande. Nous répondons dans un délai de deux jours ouvrables.",
        ),
        (A::Refer, _) => (
            "A partner organization referred you to the program, with your permission. We answer within two business days.",
            "Une organisation partenaire vous a orienté·e vers le programme, avec votre permission. Nous répondons dans un délai de deux jours ouvrables.",
        ),
        (A::Claim, _) => (
            "You linked this referral to your account.",
            "Vous avez lié cette orientation à votre compte.",
        ),
        (A::Assign, _) => (
            "A coordinator is looking after your application and sent you the intake form.",
            "Une personne coordonnatrice s'occupe de votre demande et vous a envoyé le formulaire d'accueil.",
        ),
        (A::SubmitForm, _) => ("We received your intake form. Thank you.", "Nous avons reçu votre formulaire d'accueil. Merci."),
        (A::ScheduleMeeting, _) => (
            "Your intake meeting is scheduled.",
            "Votre rencontre d'accueil est planifiée.",
        ),
        (A::RecordMeeting, IntakeStatus::Ready) => (
            "Your intake meeting is done: you are ready to join a group.",
            "Votre rencontre d'accueil est terminée : vous êtes prêt·e à joindre un groupe.",
        ),
        (A::RecordMeeting, _) => (
            "Your intake meeting is done. Now may not be the right time to join a group; support is available.",
            "Votre rencontre d'accueil est terminée. Ce n'est peut-être pas le bon moment pour joindre un groupe; du soutien est disponible.",
        ),
        (A::Place, IntakeStatus::Placed) => ("You have a seat in a group.", "Vous avez une place dans un groupe."),
        (A::Place | A::Waitlist, _) => (
            "You are on the waiting list for a group; we will tell you when a seat opens.",
            "Vous êtes sur la liste d'attente d'un groupe; nous vous aviserons quand une place se libérera.",
        ),
        (A::Move, _) => (
            "You moved to another group; your seat there is confirmed.",
            "Vous avez changé de groupe; votre place y est confirmée.",
        ),
        (A::PlacementReinstated, IntakeStatus::Placed) => (
            "Your consents are complete again: your place in the group is back.",
            "Vos consentements sont de nouveau complets : votre place dans le groupe vous est rendue.",
        ),
        (A::PlacementReinstated, _) => (
            "Your consents are complete again, but your seat was given to someone else meanwhile: you are first on the group's waiting list.",
            "Vos consentements sont de nouveau complets, mais votre place a été donnée entre-temps : vous êtes en tête de la liste d'attente du groupe.",
        ),
        (A::Withdraw, _) => ("You withdrew your application.", "Vous avez retiré votre demande."),
        (A::Close, _) => ("Your application was closed.", "Votre demande a été fermée."),
        (A::PlacementSuspended, _) => (
            "Your place in the group is on hold because participation consent was withdrawn.",
            "Votre place dans le groupe est suspendue parce que le consentement à la participation a été retiré.",
        ),
        (A::Reassign, _) => (
            "Another coordinator now follows your application.",
            "Une autre personne de l'équipe de coordination suit maintenant votre demande.",
        ),
        (A::Offer, _) => (
            "A seat opened in the group you are waiting for: it is held for you. Accept or decline it in your account.",
            "Une place s'est libérée dans le groupe que vous attendez : elle vous est réservée. Acceptez-la ou refusez-la dans votre compte.",
        ),
        (A::OfferDeclined, _) => (
            "You declined the seat offered to you; you are still on the waiting list.",
            "Vous avez refusé la place offerte; vous êtes toujours sur la liste d'attente.",
        ),
        (A::OfferExpired, _) => (
            "The seat held for you was offered to the next person; you are still on the waiting list.",
            "La place qui vous était réservée a été offerte à la personne suivante; vous êtes toujours sur la liste d'attente.",
        ),
    };
    match language {
        Language::En => en.to_string(),
        Language::Fr => fr.to_string(),
    }
}

/// Adds a step to the application's timeline.
pub(super) fn record_event(
    conn: &mut Conn,
    caller: &AuthUser,
    row: &ApplicationRow,
    from: Option<IntakeStatus>,
    action: IntakeAction,
    note: Option<&str>,
    at: chrono::NaiveDateTime,
) -> Result<(), ApiError> {
    Ok(repository::insert_event(
        conn,
        &EventRow {
            id: db::new_id(),
            application_id: row.id.clone(),
            action,
            from_status: from,
            to_status: row.status,
            actor_id: Some(caller.id.clone()),
            actor_role: Some(caller.role),
            note: note.map(str::to_string),
            occurred_at: at,
        },
    )?)
}

/// Locks the application, checks the caller may see it and the move is allowed from its state.
fn begin(
    conn: &mut Conn,
    caller: &AuthUser,
    id: &str,
    intake_move: IntakeMove,
    by: Mover,
) -> Result<ApplicationRow, ApiError> {
    if repository::lock(conn, id)? == 0 {
        return Err(ApiError::NotFound);
    }
    let row = visible(
        repository::find(conn, id)?.ok_or(ApiError::NotFound)?,
        caller,
    )?;
    if by == Mover::CallersRole && !intake_move.may_be_made_by(caller.role) {
        return Err(ApiError::Forbidden);
    }
    let status = row.status;
    if !status.allows(intake_move) {
        return Err(ApiError::InvalidTransition {
            action: intake_move.as_str().to_string(),
            from: status.as_str().to_string(),
            allowed: status
                .moves_for(caller.role)
                .iter()
                .map(|m| m.as_str().to_string())
                .collect(),
        });
    }
    Ok(row)
}

/// A move being made: which, from which status, with the caller's note.
struct Step<'a> {
    intake_move: IntakeMove,
    from: IntakeStatus,
    note: Option<&'a str>,
}

/// Saves a move: the row, its timeline event, the audit event and the notice owed to the peer,
/// all in the caller's transaction.
fn finish(
    conn: &mut Conn,
    caller: &AuthUser,
    reactions: &Reactions,
    mut row: ApplicationRow,
    step: Step<'_>,
    notice: Option<Notice>,
) -> Result<Application, ApiError> {
    let Step {
        intake_move,
        from,
        note,
    } = step;
    let now = db::now();
    row.updated_at = now;
    if is_coordinator(caller) && row.first_response_at.is_none() {
        row.first_response_at = Some(now);
    }
    repository::save(conn, &row)?;
    record_event(
        conn,
        caller,
        &row,
        Some(from),
        intake_move.into(),
        note,
        now,
    )?;
    audit::record(
        conn,
        Entry::by(caller, "intake_application.moved", RESOURCE, &row.id).with_details(
            json!({"move": intake_move.as_str(), "from": from.as_str(), "to": row.status}),
        ),
    )?;
    match (notice, &row.peer_id) {
        (Some(notice), Some(peer)) => enqueue(conn, peer, row.preferred_language, &notice)?,
        // A referred person with no account yet hears at the address the partner gave.
        (Some(notice), None) => (reactions.notify_unattached)(conn, &row, &notice)?,
        (None, _) => {}
    }
    if row.partner_id.is_some() {
        (reactions.referral_moved)(conn, &row, from, now)?;
    }
    view(conn, caller, reactions, row)
}

/// Runs one move in a transaction: `apply` changes the row and names the notice owed.
fn run_move(
    conn: &mut Conn,
    caller: &AuthUser,
    reactions: &Reactions,
    id: &str,
    intake_move: IntakeMove,
    note: Option<&str>,
    apply: impl FnOnce(&mut Conn, &mut ApplicationRow) -> Result<Option<Notice>, ApiError>,
) -> Result<Application, ApiError> {
    run_move_by(
        conn,
        caller,
        reactions,
        id,
        (intake_move, Mover::CallersRole),
        note,
        apply,
    )
}

/// Who is entitled to make a move.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Mover {
    /// The caller's role must be one that makes this move.
    CallersRole,
    /// The applicant, accepting the seat an offer holds for them: the `place` move is made on
    /// their answer (the offer itself was the coordinator's program at work).
    ApplicantAcceptingOffer,
    /// The applicant, erasing their account: their open applications close.
    PersonErasingAccount,
}

/// [`run_move`], saying who is entitled to make it.
pub(super) fn run_move_by(
    conn: &mut Conn,
    caller: &AuthUser,
    reactions: &Reactions,
    id: &str,
    (intake_move, by): (IntakeMove, Mover),
    note: Option<&str>,
    apply: impl FnOnce(&mut Conn, &mut ApplicationRow) -> Result<Option<Notice>, ApiError>,
) -> Result<Application, ApiError> {
    db::write_transaction(conn, |conn| {
        let mut row = begin(conn, caller, id, intake_move, by)?;
        let from = row.status;
        let notice = apply(conn, &mut row)?;
        let step = Step {
            intake_move,
            from,
            note,
        };
        finish(conn, caller, reactions, row, step, notice)
    })
}

pub fn assign(
    conn: &mut Conn,
    caller: &AuthUser,
    reactions: &Reactions,
    id: &str,
    request: &Assign,
) -> Result<Application, ApiError> {
    run_move(
        conn,
        caller,
        reactions,
        id,
        IntakeMove::Assign,
        request.note.as_deref(),
        |conn, row| {
            let coordinator = request
                .coordinator_id
                .clone()
                .unwrap_or_else(|| caller.id.clone());
            active_coordinator(conn, &coordinator)?;
            row.assigned_coordinator_id = Some(coordinator);
            row.status = IntakeStatus::FormSent;
            Ok(Some(Notice::FormSent))
        },
    )
}

/// The account `id` if it is an active coordinator (or admin), who may follow applications;
/// else 422 on `coordinator_id`.
fn active_coordinator(conn: &mut Conn, id: &str) -> Result<users::models::UserRow, ApiError> {
    users::service::find_account(conn, id)?
        .filter(|u| !u.disabled && u.role.is_staff())
        .ok_or_else(|| {
            ApiError::Validation(vec![FieldError::new(
                "coordinator_id",
                Role::Coordinator.as_str(),
                "is not an active coordinator",
            )])
        })
}

/// Hands an open, assigned application to another active coordinator (or admin): recorded in
/// its timeline and the audit log, and both coordinators are told (without any detail of the
/// person).
pub fn reassign(
    conn: &mut Conn,
    caller: &AuthUser,
    reactions: &Reactions,
    id: &str,
    request: &Reassign,
) -> Result<Application, ApiError> {
    db::write_transaction(conn, |conn| {
        if repository::lock(conn, id)? == 0 {
            return Err(ApiError::NotFound);
        }
        let mut row = visible(
            repository::find(conn, id)?.ok_or(ApiError::NotFound)?,
            caller,
        )?;
        let Some(previous) = row
            .assigned_coordinator_id
            .clone()
            .filter(|_| row.status.is_open())
        else {
            return Err(ApiError::Conflict(format!(
                "the application is {} and {}: only an open, assigned application is reassigned",
                row.status,
                if row.assigned_coordinator_id.is_some() {
                    "assigned"
                } else {
                    "not assigned"
                }
            )));
        };
        let target = active_coordinator(conn, &request.coordinator_id)?;
        if target.id == previous {
            return Err(ApiError::Validation(vec![FieldError::new(
                "coordinator_id",
                "unchanged",
                "is already the assigned coordinator",
            )]));
        }
        let now = db::now();
        row.assigned_coordinator_id = Some(target.id.clone());
        row.updated_at = now;
        repository::save(conn, &row)?;
        record_event(
            conn,
            caller,
            &row,
            Some(row.status),
            IntakeAction::Reassign,
            request.note.as_deref(),
            now,
        )?;
        audit::record(
            conn,
            Entry::by(caller, "intake_application.reassigned", RESOURCE, &row.id)
                .with_details(json!({"from": previous, "to": target.id})),
        )?;
        enqueue(
            conn,
            &target.id,
            target.preferred_language,
            &Notice::ApplicationAssigned,
        )?;
        if let Some(before) = users::service::find_account(conn, &previous)? {
            enqueue(
                conn,
                &before.id,
                before.preferred_language,
                &Notice::ApplicationReassigned,
            )?;
        }
        view(conn, caller, reactions, row)
    })
}

pub fn submit_form(
    conn: &mut Conn,
    caller: &AuthUser,
    reactions: &Reactions,
    id: &str,
    form: &IntakeForm,
) -> Result<Application, ApiError> {
    let answered = [
        &form.reasons_for_joining,
        &form.hopes,
        &form.current_supports,
        &form.accessibility_needs,
    ]
    .iter()
    .any(|a| a.as_ref().is_some_and(|t| !t.trim().is_empty()))
        || form.affiliation.is_some();
    if !answered {
        return Err(ApiError::Validation(vec![FieldError::new(
            "reasons_for_joining",
            "required",
            "answer at least one question",
        )]));
    }
    run_move(
        conn,
        caller,
        reactions,
        id,
        IntakeMove::SubmitForm,
        None,
        |_, row| {
            if row.peer_id.as_deref() != Some(caller.id.as_str()) {
                return Err(ApiError::NotFound);
            }
            row.form_answers = Some(json!(form).to_string());
            row.status = IntakeStatus::FormReceived;
            Ok(Some(Notice::Acknowledged))
        },
    )
}

pub fn schedule_meeting(
    conn: &mut Conn,
    caller: &AuthUser,
    reactions: &Reactions,
    id: &str,
    request: &ScheduleMeeting,
) -> Result<Application, ApiError> {
    let mut refused = Vec::new();
    if request.meeting_at <= Utc::now() {
        refused.push(FieldError::new(
            "meeting_at",
            "future",
            "must be in the future",
        ));
    }
    let location = request
        .location
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty());
    let (needs_link, needs_location) = match request.mode {
        MeetingMode::Phone => (false, false),
        MeetingMode::Video => (true, false),
        MeetingMode::InPerson => (false, true),
    };
    for (field, given, needed, what) in [
        ("link", request.link.is_some(), needs_link, "video"),
        ("location", location.is_some(), needs_location, "in_person"),
    ] {
        if given != needed {
            refused.push(FieldError::new(
                field,
                if needed { "required" } else { "not_allowed" },
                if needed {
                    format!("is required for a meeting by {what}")
                } else {
                    format!("is given only for a meeting by {what}")
                },
            ));
        }
    }
    if !refused.is_empty() {
        return Err(ApiError::Validation(refused));
    }
    run_move(
        conn,
        caller,
        reactions,
        id,
        IntakeMove::ScheduleMeeting,
        request.note.as_deref(),
        |_, row| {
            row.meeting_at = Some(request.meeting_at.naive_utc());
            row.meeting_mode = Some(request.mode);
            row.meeting_link = request.link.as_deref().map(contact::normal_web_address);
            row.meeting_location = location.map(str::to_string);
            row.status = IntakeStatus::MeetingScheduled;
            Ok(Some(Notice::MeetingScheduled {
                at: request.meeting_at,
                mode: request.mode,
            }))
        },
    )
}

pub fn record_meeting(
    conn: &mut Conn,
    caller: &AuthUser,
    reactions: &Reactions,
    id: &str,
    request: &RecordMeeting,
) -> Result<Application, ApiError> {
    if request.readiness == MeetingReadiness::Ready {
        let unreviewed: Vec<FieldError> = [
            ("code_of_conduct_reviewed", request.code_of_conduct_reviewed),
            ("consents_reviewed", request.consents_reviewed),
            ("safety_plan_reviewed", request.safety_plan_reviewed),
        ]
        .into_iter()
        .filter(|(_, done)| !done)
        .map(|(field, _)| {
            FieldError::new(
                field,
                "required",
                "must be reviewed before someone is ready",
            )
        })
        .collect();
        if !unreviewed.is_empty() {
            return Err(ApiError::Validation(unreviewed));
        }
    }
    run_move(
        conn,
        caller,
        reactions,
        id,
        IntakeMove::RecordMeeting,
        request.note.as_deref(),
        |_, row| {
            if let Some(at) = row.meeting_at.filter(|at| *at > db::now()) {
                return Err(ApiError::Conflict(format!(
                    "the meeting is scheduled for {}Z: its outcome can be recorded once it has begun",
                    at.format("%Y-%m-%dT%H:%M")
                )));
            }
            let (status, notice) = match request.readiness {
                MeetingReadiness::Ready => (IntakeStatus::Ready, None),
                MeetingReadiness::NotReady => (IntakeStatus::NotReady, Some(Notice::NotReady)),
            };
            row.status = status;
            row.readiness = Some(request.readiness);
            if let Some(notes) = &request.safety_notes {
                row.safety_notes = Some(notes.clone());
            }
            Ok(notice)
        },
    )
}

/// Places a ready (or waitlisted) applicant in a group that takes placements and matches their
/// language and kind (and their identity preference and affiliation, or an override reason says
/// why not), once every required consent is granted; with no free seat they are waitlisted for
/// it.
pub fn place(
    conn: &mut Conn,
    caller: &AuthUser,
    reactions: &Reactions,
    id: &str,
    request: &Place,
) -> Result<Application, ApiError> {
    run_move(
        conn,
        caller,
        reactions,
        id,
        IntakeMove::Place,
        None,
        |conn, row| {
            // A coordinator's placement replaces the seat an offer held for this person.
            offers::withdraw_open(conn, row, db::now())?;
            placements::place(
                conn,
                caller,
                row,
                &request.group_id,
                request.override_reason.as_deref(),
            )
        },
    )
}

/// Moves a placed person to another group in one transaction: the new group is checked as for
/// a placement (fit, match or an audited override, consents), its seat is taken with one
/// conditional write, then the old placement ends and its seat is freed. A full group answers
/// 409 and changes nothing: the person keeps their seat.
pub fn move_placement(
    conn: &mut Conn,
    caller: &AuthUser,
    reactions: &Reactions,
    id: &str,
    request: &MovePlacement,
) -> Result<Application, ApiError> {
    run_move(
        conn,
        caller,
        reactions,
        id,
        IntakeMove::Move,
        request.note.as_deref(),
        |conn, row| {
            placements::move_to(
                conn,
                caller,
                row,
                &request.group_id,
                request.override_reason.as_deref(),
            )
            .map(Some)
        },
    )
}

pub fn waitlist(
    conn: &mut Conn,
    caller: &AuthUser,
    reactions: &Reactions,
    id: &str,
    request: &Waitlist,
) -> Result<Application, ApiError> {
    run_move(
        conn,
        caller,
        reactions,
        id,
        IntakeMove::Waitlist,
        request.note.as_deref(),
        |conn, row| {
            if let Some(group_id) = &request.group_id {
                placements::check_waitlist_group(conn, group_id)?;
            }
            row.status = IntakeStatus::Waitlisted;
            row.waitlist_group_id = request.group_id.clone();
            row.waitlisted_at = Some(db::now());
            Ok(Some(Notice::Waitlisted))
        },
    )
}

pub fn withdraw(
    conn: &mut Conn,
    caller: &AuthUser,
    reactions: &Reactions,
    id: &str,
    request: &Withdraw,
) -> Result<Application, ApiError> {
    run_move(
        conn,
        caller,
        reactions,
        id,
        IntakeMove::Withdraw,
        request.reason.as_deref(),
        |conn, row| {
            if row.peer_id.as_deref() != Some(caller.id.as_str()) {
                return Err(ApiError::NotFound);
            }
            offers::withdraw_open(conn, row, db::now())?;
            placements::end(conn, row)?;
            row.status = IntakeStatus::Withdrawn;
            Ok(Some(Notice::Withdrawn))
        },
    )
}

pub fn close(
    conn: &mut Conn,
    caller: &AuthUser,
    reactions: &Reactions,
    id: &str,
    request: &Close,
) -> Result<Application, ApiError> {
    run_move(
        conn,
        caller,
        reactions,
        id,
        IntakeMove::Close,
        Some(&request.reason),
        |conn, row| {
            offers::withdraw_open(conn, row, db::now())?;
            placements::end(conn, row)?;
            row.status = IntakeStatus::Closed;
            row.close_reason = Some(request.reason.trim().to_string());
            Ok(Some(Notice::Closed {
                reason: request.reason.trim().to_string(),
            }))
        },
    )
}

/// Why an application closed when its person erased their account.
pub const ERASED_REASON: &str = "account erased";

/// Every application of the caller with its timeline, for their export: what they see of it,
/// plus what was written about them (safety notes, the notes of each step). Never whom on staff
/// made each step.
pub fn export_for(
    conn: &mut Conn,
    caller: &AuthUser,
    reactions: &Reactions,
) -> Result<Vec<ApplicationRecord>, ApiError> {
    let rows = repository::of_peer(conn, &caller.id)?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let safety_notes: Vec<Option<String>> = rows.iter().map(|r| r.safety_notes.clone()).collect();
    // Each timeline is told in its application's language, as the person reads it.
    let language_of: std::collections::HashMap<String, Language> = rows
        .iter()
        .map(|r| (r.id.clone(), r.preferred_language))
        .collect();
    let mut events: std::collections::HashMap<String, Vec<TimelineEvent>> = Default::default();
    for e in repository::events_of_many(conn, &ids)? {
        let language = language_of
            .get(&e.application_id)
            .copied()
            .unwrap_or_default();
        events
            .entry(e.application_id.clone())
            .or_default()
            .push(TimelineEvent {
                description: describe(e.action, e.to_status, language),
                from_status: e.from_status,
                to_status: e.to_status,
                actor_id: None,
                note: e.note,
                id: e.id,
                action: e.action,
                occurred_at: e.occurred_at.and_utc(),
            });
    }
    Ok(views(conn, caller, reactions, rows)?
        .into_iter()
        .zip(safety_notes)
        .map(|(mut application, notes)| {
            application.safety_notes = notes;
            let timeline = events.remove(&application.id).unwrap_or_default();
            ApplicationRecord {
                application,
                timeline,
            }
        })
        .collect())
}

/// The intake side of a person's erasure, in its transaction: each open application closes
/// (reason [`ERASED_REASON`], no notice), which ends its placement and frees its seat; then
/// every application of theirs loses its personal fields and its timeline notes. Returns the
/// ids of their applications (the levels above erase what they hold about them).
pub fn erase_person(
    conn: &mut Conn,
    caller: &AuthUser,
    reactions: &Reactions,
) -> Result<Vec<String>, ApiError> {
    let rows = repository::of_peer(conn, &caller.id)?;
    for row in rows.iter().filter(|r| r.status.is_open()) {
        let mut row = begin(
            conn,
            caller,
            &row.id,
            IntakeMove::Close,
            Mover::PersonErasingAccount,
        )?;
        let from = row.status;
        offers::withdraw_open(conn, &row, db::now())?;
        placements::end(conn, &row)?;
        row.status = IntakeStatus::Closed;
        row.close_reason = Some(ERASED_REASON.to_string());
        let step = Step {
            intake_move: IntakeMove::Close,
            from,
            note: None,
        };
        finish(conn, caller, reactions, row, step, None)?;
    }
    let ids: Vec<String> = rows.into_iter().map(|r| r.id).collect();
    repository::erase_personal_fields(conn, &caller.id, db::now())?;
    repository::erase_event_notes(conn, &ids)?;
    Ok(ids)
}
