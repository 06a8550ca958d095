use chrono::Utc;
use serde_json::json;

use super::{
    business_days,
    models::*,
    repository,
    state::{IntakeMove, IntakeStatus},
};
use crate::{
    audit::{self, Entry},
    auth::{AuthUser, Role},
    consent::{models::ConsentKind, service::missing_consents},
    db::{self, Conn},
    error::{ApiError, FieldError},
    groups::{self, models::GroupStatus},
    language::Language,
    notifications::{models::Notice, service::enqueue},
    pagination::{Cursor, PageRequest},
    referrals, support_lines,
};

const RESOURCE: &str = "intake_application";

fn is_coordinator(caller: &AuthUser) -> bool {
    matches!(caller.role, Role::Coordinator | Role::Admin)
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

fn read_audit(conn: &mut Conn, caller: &AuthUser, action: &str, id: &str) -> Result<(), ApiError> {
    audit::record(conn, Entry::by(caller, action, RESOURCE, id))
}

fn view(conn: &mut Conn, row: ApplicationRow, caller: &AuthUser) -> Result<Application, ApiError> {
    let status = row.status();
    let now = Utc::now().naive_utc();
    let support_lines = if matches!(
        status,
        IntakeStatus::NotReady | IntakeStatus::Waitlisted | IntakeStatus::Closed
    ) {
        Some(support_lines::service::list(conn)?)
    } else {
        None
    };
    let coordinator = is_coordinator(caller);
    let referral = if coordinator && row.partner_id.is_some() {
        referrals::service::contact_of(conn, &row.id)?
    } else {
        None
    };
    Ok(Application {
        referral,
        overdue: row.respond_by < now && row.first_response_at.is_none() && status.is_open(),
        allowed_moves: status.allowed_moves(),
        preferred_language: row.language(),
        group_kind: GroupKindPreference::parse(&row.group_kind),
        contact_methods: serde_json::from_str(&row.contact_methods).unwrap_or_default(),
        form_answers: row
            .form_answers
            .as_deref()
            .and_then(|f| serde_json::from_str(f).ok()),
        safety_notes: if coordinator {
            row.safety_notes.clone()
        } else {
            None
        },
        support_lines,
        status,
        id: row.id,
        source: row.source,
        identity_preference: row.identity_preference,
        availability: row.availability,
        assigned_coordinator_id: row.assigned_coordinator_id,
        meeting_at: row.meeting_at.map(|t| t.and_utc()),
        placed_group_id: row.placed_group_id,
        waitlist_group_id: row.waitlist_group_id,
        close_reason: row.close_reason,
        respond_by: row.respond_by.and_utc(),
        submitted_at: row.created_at.and_utc(),
        updated_at: row.updated_at.and_utc(),
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
    action: &str,
) -> Result<ApplicationRow, ApiError> {
    let now = db::now();
    let row = ApplicationRow {
        id: db::new_id(),
        peer_id: new.peer_id,
        source: if new.partner_id.is_some() {
            "partner"
        } else {
            "self"
        }
        .into(),
        partner_id: new.partner_id,
        status: IntakeStatus::Submitted.as_str().into(),
        preferred_language: new.preferred_language.as_str().into(),
        group_kind: new.group_kind.as_str().into(),
        identity_preference: new.identity_preference.map(|s| s.trim().to_lowercase()),
        availability: new.availability.map(str::to_string),
        contact_methods: serde_json::to_string(new.contact_methods).unwrap_or_else(|_| "[]".into()),
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
    request: &CreateApplication,
) -> Result<Application, ApiError> {
    db::write_transaction(conn, |conn| {
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
            "submit",
        )?;
        view(conn, row, caller)
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
    record_event(conn, caller, &row, Some(row.status()), "claim", None, now)?;
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

pub fn get(conn: &mut Conn, caller: &AuthUser, id: &str) -> Result<Application, ApiError> {
    let row = visible(
        repository::find(conn, id)?.ok_or(ApiError::NotFound)?,
        caller,
    )?;
    read_audit(conn, caller, "intake_application.read", id)?;
    view(conn, row, caller)
}

pub fn list(
    conn: &mut Conn,
    caller: &AuthUser,
    query: &ApplicationFilter,
    page: &PageRequest,
) -> Result<ApplicationList, ApiError> {
    let peer = (!is_coordinator(caller)).then_some(caller.id.as_str());
    let rows = repository::list(conn, peer, query, Utc::now().naive_utc(), page)?;
    let (rows, next_cursor) = page.finish(rows, |r| Cursor {
        created_at: r.created_at,
        id: r.id.clone(),
    });
    // One transaction for the page's audit events: one commit instead of one per row.
    db::write_transaction(conn, |conn| {
        let mut items = Vec::with_capacity(rows.len());
        for row in rows {
            read_audit(conn, caller, "intake_application.read", &row.id.clone())?;
            items.push(view(conn, row, caller)?);
        }
        Ok(ApplicationList { items, next_cursor })
    })
}

/// The timeline: every move, described in the application's language.
pub fn timeline(conn: &mut Conn, caller: &AuthUser, id: &str) -> Result<Timeline, ApiError> {
    let row = visible(
        repository::find(conn, id)?.ok_or(ApiError::NotFound)?,
        caller,
    )?;
    read_audit(conn, caller, "intake_application.timeline_read", id)?;
    let language = row.language();
    let coordinator = is_coordinator(caller);
    let items = repository::events_of(conn, id)?
        .into_iter()
        .map(|e| TimelineEvent {
            description: describe(&e.action, &e.to_status, language),
            from_status: e.from_status.as_deref().and_then(IntakeStatus::parse),
            to_status: IntakeStatus::parse(&e.to_status).unwrap_or(IntakeStatus::Submitted),
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
fn describe(action: &str, to: &str, language: Language) -> String {
    let (en, fr) = match (action, to) {
        ("submit", _) => (
            "We received your application. We answer within two business days.",
            "Nous avons reçu votre demande. Nous répondons dans un délai de deux jours ouvrables.",
        ),
        ("refer", _) => (
            "A partner organization referred you to the program, with your permission. We answer within two business days.",
            "Une organisation partenaire vous a orienté·e vers le programme, avec votre permission. Nous répondons dans un délai de deux jours ouvrables.",
        ),
        ("claim", _) => (
            "You linked this referral to your account.",
            "Vous avez lié cette orientation à votre compte.",
        ),
        ("assign", _) => (
            "A coordinator is looking after your application and sent you the intake form.",
            "Une personne coordonnatrice s'occupe de votre demande et vous a envoyé le formulaire d'accueil.",
        ),
        ("submit_form", _) => ("We received your intake form. Thank you.", "Nous avons reçu votre formulaire d'accueil. Merci."),
        ("schedule_meeting", _) => (
            "Your intake meeting is scheduled.",
            "Votre rencontre d'accueil est planifiée.",
        ),
        ("record_meeting", "ready") => (
            "Your intake meeting is done: you are ready to join a group.",
            "Votre rencontre d'accueil est terminée : vous êtes prêt·e à joindre un groupe.",
        ),
        ("record_meeting", _) => (
            "Your intake meeting is done. Now may not be the right time to join a group; support is available.",
            "Votre rencontre d'accueil est terminée. Ce n'est peut-être pas le bon moment pour joindre un groupe; du soutien est disponible.",
        ),
        ("place", "placed") => ("You have a seat in a group.", "Vous avez une place dans un groupe."),
        ("place", _) | ("waitlist", _) => (
            "You are on the waiting list for a group; we will tell you when a seat opens.",
            "Vous êtes sur la liste d'attente d'un groupe; nous vous aviserons quand une place se libérera.",
        ),
        ("withdraw", _) => ("You withdrew your application.", "Vous avez retiré votre demande."),
        ("close", _) => ("Your application was closed.", "Votre demande a été fermée."),
        ("placement_suspended", _) => (
            "Your place in the group is on hold because participation consent was withdrawn.",
            "Votre place dans le groupe est suspendue parce que le consentement à la participation a été retiré.",
        ),
        _ => ("Your application was updated.", "Votre demande a été mise à jour."),
    };
    match language {
        Language::En => en.to_string(),
        Language::Fr => fr.to_string(),
    }
}

fn record_event(
    conn: &mut Conn,
    caller: &AuthUser,
    row: &ApplicationRow,
    from: Option<IntakeStatus>,
    action: &str,
    note: Option<&str>,
    at: chrono::NaiveDateTime,
) -> Result<(), ApiError> {
    Ok(repository::insert_event(
        conn,
        &EventRow {
            id: db::new_id(),
            application_id: row.id.clone(),
            action: action.to_string(),
            from_status: from.map(|s| s.as_str().to_string()),
            to_status: row.status.clone(),
            actor_id: Some(caller.id.clone()),
            actor_role: Some(caller.role.as_str().to_string()),
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
) -> Result<ApplicationRow, ApiError> {
    if repository::lock(conn, id)? == 0 {
        return Err(ApiError::NotFound);
    }
    let row = visible(
        repository::find(conn, id)?.ok_or(ApiError::NotFound)?,
        caller,
    )?;
    let status = row.status();
    if !status.allows(intake_move) {
        return Err(ApiError::InvalidTransition {
            action: intake_move.as_str().to_string(),
            from: status.as_str().to_string(),
            allowed: status
                .allowed_moves()
                .iter()
                .map(|m| m.as_str().to_string())
                .collect(),
        });
    }
    Ok(row)
}

/// Saves a move: the row, its timeline event, the audit event and the notice owed to the peer,
/// all in the caller's transaction.
fn finish(
    conn: &mut Conn,
    caller: &AuthUser,
    mut row: ApplicationRow,
    from: IntakeStatus,
    intake_move: IntakeMove,
    note: Option<&str>,
    notice: Option<Notice>,
) -> Result<Application, ApiError> {
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
        intake_move.as_str(),
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
        (Some(notice), Some(peer)) => enqueue(conn, peer, row.language(), &notice)?,
        // A referred person with no account yet hears at the address the partner gave.
        (Some(notice), None) => referrals::service::notify_unattached(conn, &row, &notice)?,
        (None, _) => {}
    }
    if row.partner_id.is_some() {
        referrals::service::application_moved(conn, &row, from, now)?;
    }
    view(conn, row, caller)
}

/// Runs one move in a transaction: `apply` changes the row and names the notice owed.
fn run_move(
    conn: &mut Conn,
    caller: &AuthUser,
    id: &str,
    intake_move: IntakeMove,
    note: Option<&str>,
    apply: impl FnOnce(&mut Conn, &mut ApplicationRow) -> Result<Option<Notice>, ApiError>,
) -> Result<Application, ApiError> {
    db::write_transaction(conn, |conn| {
        let mut row = begin(conn, caller, id, intake_move)?;
        let from = row.status();
        let notice = apply(conn, &mut row)?;
        finish(conn, caller, row, from, intake_move, note, notice)
    })
}

pub fn assign(
    conn: &mut Conn,
    caller: &AuthUser,
    id: &str,
    request: &Assign,
) -> Result<Application, ApiError> {
    run_move(
        conn,
        caller,
        id,
        IntakeMove::Assign,
        request.note.as_deref(),
        |conn, row| {
            let coordinator = request
                .coordinator_id
                .clone()
                .unwrap_or_else(|| caller.id.clone());
            let is_coordinator =
                crate::users::repository::find(conn, &coordinator)?.is_some_and(|u| {
                    !u.disabled && matches!(u.role(), Role::Coordinator | Role::Admin)
                });
            if !is_coordinator {
                return Err(ApiError::Validation(vec![FieldError::new(
                    "coordinator_id",
                    "coordinator",
                    "is not an active coordinator",
                )]));
            }
            row.assigned_coordinator_id = Some(coordinator);
            row.status = IntakeStatus::FormSent.as_str().into();
            Ok(Some(Notice::FormSent))
        },
    )
}

pub fn submit_form(
    conn: &mut Conn,
    caller: &AuthUser,
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
    .any(|a| a.as_ref().is_some_and(|t| !t.trim().is_empty()));
    if !answered {
        return Err(ApiError::Validation(vec![FieldError::new(
            "reasons_for_joining",
            "required",
            "answer at least one question",
        )]));
    }
    run_move(conn, caller, id, IntakeMove::SubmitForm, None, |_, row| {
        if row.peer_id.as_deref() != Some(caller.id.as_str()) {
            return Err(ApiError::NotFound);
        }
        row.form_answers = Some(serde_json::to_string(form).unwrap_or_default());
        row.status = IntakeStatus::FormReceived.as_str().into();
        Ok(Some(Notice::Acknowledged))
    })
}

pub fn schedule_meeting(
    conn: &mut Conn,
    caller: &AuthUser,
    id: &str,
    request: &ScheduleMeeting,
) -> Result<Application, ApiError> {
    if request.meeting_at <= Utc::now() {
        return Err(ApiError::Validation(vec![FieldError::new(
            "meeting_at",
            "future",
            "must be in the future",
        )]));
    }
    run_move(
        conn,
        caller,
        id,
        IntakeMove::ScheduleMeeting,
        request.note.as_deref(),
        |_, row| {
            row.meeting_at = Some(request.meeting_at.naive_utc());
            row.status = IntakeStatus::MeetingScheduled.as_str().into();
            Ok(Some(Notice::MeetingScheduled {
                at: request.meeting_at,
            }))
        },
    )
}

pub fn record_meeting(
    conn: &mut Conn,
    caller: &AuthUser,
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
        id,
        IntakeMove::RecordMeeting,
        request.note.as_deref(),
        |_, row| {
            let (status, readiness, notice) = match request.readiness {
                MeetingReadiness::Ready => (IntakeStatus::Ready, "ready", None),
                MeetingReadiness::NotReady => {
                    (IntakeStatus::NotReady, "not_ready", Some(Notice::NotReady))
                }
            };
            row.status = status.as_str().into();
            row.readiness = Some(readiness.into());
            if let Some(notes) = &request.safety_notes {
                row.safety_notes = Some(notes.clone());
            }
            Ok(notice)
        },
    )
}

/// Places a ready (or waitlisted) applicant in an open group that matches their language and
/// kind, once every required consent is granted; with no free seat they are waitlisted for it.
pub fn place(
    conn: &mut Conn,
    caller: &AuthUser,
    id: &str,
    request: &Place,
) -> Result<Application, ApiError> {
    run_move(conn, caller, id, IntakeMove::Place, None, |conn, row| {
        let peer_id = row
            .peer_id
            .clone()
            .ok_or_else(|| ApiError::Conflict("the referred person has no account yet".into()))?;
        let group = groups::repository::find_group(conn, &request.group_id)?.ok_or_else(|| {
            ApiError::Validation(vec![FieldError::new(
                "group_id",
                "group",
                "is not a program group",
            )])
        })?;
        if group.language != row.preferred_language {
            return Err(ApiError::Conflict(format!(
                "the group runs in {}, the applicant asked for {}",
                group.language, row.preferred_language
            )));
        }
        let wanted = GroupKindPreference::parse(&row.group_kind);
        if wanted != GroupKindPreference::Either && wanted.as_str() != group.kind {
            return Err(ApiError::Conflict(format!(
                "the group is {}, the applicant asked for {}",
                group.kind, row.group_kind
            )));
        }
        if !matches!(group.status(), GroupStatus::Open | GroupStatus::Full) {
            return Err(ApiError::Conflict(format!(
                "the group is {}, not open",
                group.status
            )));
        }
        let missing = missing_consents(
            conn,
            &peer_id,
            row.language(),
            &ConsentKind::REQUIRED_FOR_PLACEMENT,
        )?;
        if !missing.is_empty() {
            return Err(ApiError::ConsentsMissing(
                missing.iter().map(|k| k.as_str().to_string()).collect(),
            ));
        }
        let now = db::now();
        if groups::repository::take_seat(conn, &group.id, now)? == 1 {
            repository::insert_placement(conn, &row.id, &group.id, &peer_id, now)?;
            groups::repository::set_participant(conn, &group.id, &peer_id, "active", now)?;
            row.status = IntakeStatus::Placed.as_str().into();
            row.placed_group_id = Some(group.id.clone());
            row.waitlist_group_id = None;
            let sessions = groups::repository::upcoming_starts(conn, &group.id, now)?
                .into_iter()
                .map(|t| t.and_utc())
                .collect();
            Ok(Some(Notice::Placed {
                group_name: group.name,
                time_zone: group.time_zone,
                sessions,
            }))
        } else {
            let first_time = row.status() != IntakeStatus::Waitlisted;
            row.status = IntakeStatus::Waitlisted.as_str().into();
            row.waitlist_group_id = Some(group.id);
            if first_time || row.waitlisted_at.is_none() {
                row.waitlisted_at = Some(now);
            }
            Ok(first_time.then_some(Notice::Waitlisted))
        }
    })
}

pub fn waitlist(
    conn: &mut Conn,
    caller: &AuthUser,
    id: &str,
    request: &Waitlist,
) -> Result<Application, ApiError> {
    run_move(
        conn,
        caller,
        id,
        IntakeMove::Waitlist,
        request.note.as_deref(),
        |conn, row| {
            if let Some(group_id) = &request.group_id {
                if groups::repository::find_group(conn, group_id)?.is_none() {
                    return Err(ApiError::Validation(vec![FieldError::new(
                        "group_id",
                        "group",
                        "is not a program group",
                    )]));
                }
            }
            row.status = IntakeStatus::Waitlisted.as_str().into();
            row.waitlist_group_id = request.group_id.clone();
            row.waitlisted_at = Some(db::now());
            Ok(Some(Notice::Waitlisted))
        },
    )
}

/// Ends the placement of an application that leaves the journey, freeing its seat.
fn end_placement(conn: &mut Conn, row: &mut ApplicationRow) -> Result<(), ApiError> {
    let (Some(peer), Some(group)) = (row.peer_id.clone(), row.placed_group_id.clone()) else {
        return Ok(());
    };
    let now = db::now();
    for (placement, application, group_id, _, status, _) in repository::placements_of(conn, &peer)?
    {
        if application == row.id && group_id == group {
            if status == "confirmed" {
                groups::repository::free_seat(conn, &group, now)?;
            }
            repository::set_placement_status(conn, &placement, &status, "ended", now)?;
            groups::repository::set_participant(conn, &group, &peer, "left", now)?;
        }
    }
    Ok(())
}

pub fn withdraw(
    conn: &mut Conn,
    caller: &AuthUser,
    id: &str,
    request: &Withdraw,
) -> Result<Application, ApiError> {
    run_move(
        conn,
        caller,
        id,
        IntakeMove::Withdraw,
        request.reason.as_deref(),
        |conn, row| {
            if row.peer_id.as_deref() != Some(caller.id.as_str()) {
                return Err(ApiError::NotFound);
            }
            end_placement(conn, row)?;
            row.status = IntakeStatus::Withdrawn.as_str().into();
            Ok(Some(Notice::Withdrawn))
        },
    )
}

pub fn close(
    conn: &mut Conn,
    caller: &AuthUser,
    id: &str,
    request: &Close,
) -> Result<Application, ApiError> {
    run_move(
        conn,
        caller,
        id,
        IntakeMove::Close,
        Some(&request.reason),
        |conn, row| {
            end_placement(conn, row)?;
            row.status = IntakeStatus::Closed.as_str().into();
            row.close_reason = Some(request.reason.trim().to_string());
            Ok(Some(Notice::Closed {
                reason: request.reason.trim().to_string(),
            }))
        },
    )
}

/// Participation consent withdrawn: the person's confirmed placements are suspended and their
/// seats freed (in the caller's transaction).
pub fn suspend_placements(
    conn: &mut Conn,
    caller: &AuthUser,
    peer_id: &str,
) -> Result<(), ApiError> {
    let now = db::now();
    let language = crate::users::repository::find(conn, peer_id)?
        .map(|u| u.language())
        .unwrap_or_default();
    for (placement, application, group_id, group_name, status, _) in
        repository::placements_of(conn, peer_id)?
    {
        if status != "confirmed"
            || repository::set_placement_status(conn, &placement, "confirmed", "suspended", now)?
                == 0
        {
            continue;
        }
        groups::repository::free_seat(conn, &group_id, now)?;
        groups::repository::set_participant(conn, &group_id, peer_id, "suspended", now)?;
        if let Some(row) = repository::find(conn, &application)? {
            record_event(
                conn,
                caller,
                &row,
                Some(row.status()),
                "placement_suspended",
                None,
                now,
            )?;
        }
        audit::record(
            conn,
            Entry::by(caller, "placement.suspended", "placement", &placement).with_details(
                json!({"group_id": group_id, "reason": "participation consent withdrawn"}),
            ),
        )?;
        enqueue(
            conn,
            peer_id,
            language,
            &Notice::PlacementSuspended { group_name },
        )?;
    }
    Ok(())
}

pub fn my_placements(conn: &mut Conn, caller: &AuthUser) -> Result<PlacementList, ApiError> {
    let items = repository::placements_of(conn, &caller.id)?
        .into_iter()
        .map(
            |(id, application_id, group_id, group_name, status, placed_at)| Placement {
                id,
                application_id,
                group_id,
                group_name,
                status,
                placed_at: placed_at.and_utc(),
            },
        )
        .collect();
    Ok(PlacementList { items })
}

/// (participant id, safety notes) of a group's confirmed participants, for those who may read
/// them (the group's mental health professionals and staff); the reading is audited.
pub fn safety_notes_for_group(
    conn: &mut Conn,
    caller: &AuthUser,
    group_id: &str,
) -> Result<Vec<(String, Option<String>)>, ApiError> {
    let notes = repository::safety_notes_of_group(conn, group_id)?;
    if !notes.is_empty() {
        audit::record(
            conn,
            Entry::by(
                caller,
                "intake_application.safety_notes_read",
                "group",
                group_id,
            ),
        )?;
    }
    Ok(notes)
}

/// The applications waiting for a group, in the order they joined the list: a freed seat goes
/// to the first (`POST /intake-applications/{id}/place`).
pub fn waitlist_of_group(
    conn: &mut Conn,
    caller: &AuthUser,
    group_id: &str,
) -> Result<ApplicationList, ApiError> {
    groups::repository::find_group(conn, group_id)?.ok_or(ApiError::NotFound)?;
    let mut items = Vec::new();
    for row in repository::waitlist_of(conn, group_id)? {
        read_audit(conn, caller, "intake_application.read", &row.id.clone())?;
        items.push(view(conn, row, caller)?);
    }
    Ok(ApplicationList {
        items,
        next_cursor: None,
    })
}
