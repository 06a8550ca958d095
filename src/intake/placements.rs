//! Placements: who holds a seat in which group. The seat rules (an open group of the applicant's
//! language and kind, every required consent granted), taking and freeing seats, suspension when
//! participation consent is withdrawn, the waiting lists and the roster with its safety notes.
//! Groups' own tables are reached only through `groups::service`.

use std::collections::HashMap;

use chrono::NaiveDateTime;

use serde_json::json;

use super::{
    models::*,
    repository::{self, PlacementLine},
    service::{self, record_event},
    state::{IntakeAction, IntakeStatus},
    Reactions,
};
use crate::{
    audit::{self, Entry},
    auth::{AuthUser, Role},
    consent::{
        models::ConsentKind,
        service::{lock_consents_of, missing_consents},
    },
    db::{self, Conn},
    error::{ApiError, FieldError},
    groups::{
        self,
        models::{GroupKind, GroupRow, ParticipantStatus, Roster},
    },
    notifications::{models::Notice, service::enqueue},
    users,
};

/// Places the applicant of `row` in the group, or puts them on its waiting list when no seat is
/// free; changes `row` and names the notice owed. The group must take placements now (open, or a
/// drop-in group that is running), be in the applicant's language and of the kind they asked
/// for, and match their identity preference and affiliation unless `override_reason` says why
/// not (audited); every required consent must be granted.
pub(super) fn place(
    conn: &mut Conn,
    caller: &AuthUser,
    row: &mut ApplicationRow,
    group_id: &str,
    override_reason: Option<&str>,
) -> Result<Option<Notice>, ApiError> {
    let peer_id = row
        .peer_id
        .clone()
        .ok_or_else(|| ApiError::Conflict("the referred person has no account yet".into()))?;
    let group = groups::service::find_group(conn, group_id)?.ok_or_else(|| {
        ApiError::Validation(vec![FieldError::new(
            "group_id",
            "group",
            "is not a program group",
        )])
    })?;
    check_fit(row, &group)?;
    check_match(conn, caller, row, &group, override_reason)?;
    check_consents(conn, &peer_id, row)?;
    let now = db::now();
    if groups::service::take_seat(conn, &group.id, now)? {
        Ok(Some(seat(conn, row, group, &peer_id, now)?))
    } else {
        let first_time = row.status != IntakeStatus::Waitlisted;
        row.status = IntakeStatus::Waitlisted;
        row.waitlist_group_id = Some(group.id);
        if first_time || row.waitlisted_at.is_none() {
            row.waitlisted_at = Some(now);
        }
        Ok(first_time.then_some(Notice::Waitlisted))
    }
}

/// The group's rules for this applicant: taking placements now (open, or a running drop-in
/// group), in their language, of the kind they asked for.
pub(super) fn check_fit(row: &ApplicationRow, group: &GroupRow) -> Result<(), ApiError> {
    if group.language != row.preferred_language {
        return Err(ApiError::Conflict(format!(
            "the group runs in {}, the applicant asked for {}",
            group.language, row.preferred_language
        )));
    }
    if !row.group_kind.accepts(group.kind) {
        return Err(ApiError::Conflict(format!(
            "the group is {}, the applicant asked for {}",
            group.kind, row.group_kind
        )));
    }
    if !group.kind.takes_placements(group.status) {
        return Err(ApiError::Conflict(match group.kind {
            GroupKind::Informal => format!(
                "the group is {}; a drop-in group takes participants while open or running",
                group.status
            ),
            GroupKind::Formal => format!(
                "the group is {}; a formal group takes participants only while open",
                group.status
            ),
        }));
    }
    Ok(())
}

/// The applicant's identity preference and affiliation against the group's identity focus and
/// audiences: a mismatch is refused (409 `placement-mismatch`) unless `override_reason` says
/// why the coordinator places them anyway, which is audited.
fn check_match(
    conn: &mut Conn,
    caller: &AuthUser,
    row: &ApplicationRow,
    group: &GroupRow,
    override_reason: Option<&str>,
) -> Result<(), ApiError> {
    let mismatches = mismatches(conn, row, group)?;
    if mismatches.is_empty() {
        return Ok(());
    }
    let Some(reason) = override_reason else {
        return Err(ApiError::PlacementMismatch(
            mismatches
                .iter()
                .map(|m| m.why.as_str())
                .collect::<Vec<_>>()
                .join("; "),
        ));
    };
    audit::record(
        conn,
        Entry::by(
            caller,
            "placement.mismatch_overridden",
            "intake_application",
            &row.id,
        )
        .with_details(json!({
            "group_id": group.id,
            "mismatches": mismatches.iter().map(|m| m.rule).collect::<Vec<_>>(),
            "override_reason": reason.trim(),
        })),
    )
}

/// Every consent a placement needs is granted (locked against a withdrawal racing this
/// transaction); else 409 `consents-missing` naming the missing ones.
pub(super) fn check_consents(
    conn: &mut Conn,
    peer_id: &str,
    row: &ApplicationRow,
) -> Result<(), ApiError> {
    lock_consents_of(conn, peer_id)?;
    let missing = missing_consents(
        conn,
        peer_id,
        row.preferred_language,
        &ConsentKind::REQUIRED_FOR_PLACEMENT,
    )?;
    if missing.is_empty() {
        Ok(())
    } else {
        Err(ApiError::ConsentsMissing(
            missing.iter().map(|k| k.as_str().to_string()).collect(),
        ))
    }
}

/// A way the group does not suit the applicant: which rule, and why in words.
struct Mismatch {
    rule: MatchRule,
    why: String,
}

/// Compares the applicant's identity preference with the group's identity focus (they must be
/// the same, or both absent: a group kept for one identity is not for someone who did not ask
/// for it), and their affiliation, when they gave one, with the group's audiences.
fn mismatches(
    conn: &mut Conn,
    row: &ApplicationRow,
    group: &GroupRow,
) -> Result<Vec<Mismatch>, ApiError> {
    let mut found = Vec::new();
    let identity = match (
        row.identity_preference.as_deref(),
        group.identity_focus.as_deref(),
    ) {
        (Some(p), Some(f)) if p != f => Some(format!(
            "the group's identity focus is {f}, the applicant asked for {p}"
        )),
        (Some(p), None) => Some(format!(
            "the group has no identity focus, the applicant asked for {p}"
        )),
        (None, Some(f)) => Some(format!(
            "the group's identity focus is {f}, the applicant did not ask for an identity-based group"
        )),
        _ => None,
    };
    if let Some(why) = identity {
        found.push(Mismatch {
            rule: MatchRule::IdentityFocus,
            why,
        });
    }
    let form: Option<IntakeForm> = row
        .form_answers
        .as_deref()
        .map(serde_json::from_str)
        .transpose()
        .map_err(|e| ApiError::unreadable("intake_applications.form_answers", e))?;
    if let Some(affiliation) = form.and_then(|f| f.affiliation) {
        let audiences = groups::service::audiences_of(conn, &group.id)?;
        if !audiences.contains(&affiliation.audience()) {
            found.push(Mismatch {
                rule: MatchRule::Audience,
                why: format!(
                    "the group is for {}, the applicant's affiliation is {affiliation}",
                    audiences
                        .iter()
                        .map(|a| a.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
    }
    Ok(found)
}

/// Turns a seat already taken in the group (by `place`, or held by an accepted offer) into the
/// applicant's placement; changes `row` and returns the notice owed.
pub(super) fn seat(
    conn: &mut Conn,
    row: &mut ApplicationRow,
    group: GroupRow,
    peer_id: &str,
    now: NaiveDateTime,
) -> Result<Notice, ApiError> {
    repository::insert_placement(conn, &row.id, &group.id, peer_id, now)?;
    groups::service::set_participant(conn, &group.id, peer_id, ParticipantStatus::Active, now)?;
    row.status = IntakeStatus::Placed;
    row.placed_group_id = Some(group.id.clone());
    row.waitlist_group_id = None;
    let sessions = groups::service::upcoming_starts(conn, &group.id, now)?;
    Ok(Notice::Placed {
        group_name: group.name,
        sessions,
    })
}

/// Moves the placed applicant of `row` to another group: checked as `place` checks a group,
/// its seat taken first (a full group answers 409 and the person keeps their seat), then the
/// old placement ends and frees its seat. Changes `row` and returns the notice owed.
pub(super) fn move_to(
    conn: &mut Conn,
    caller: &AuthUser,
    row: &mut ApplicationRow,
    group_id: &str,
    override_reason: Option<&str>,
) -> Result<Notice, ApiError> {
    let peer_id = row
        .peer_id
        .clone()
        .ok_or_else(|| ApiError::Conflict("the referred person has no account yet".into()))?;
    let from = row.placed_group_id.clone();
    if from.as_deref() == Some(group_id) {
        return Err(ApiError::Validation(vec![FieldError::new(
            "group_id",
            "unchanged",
            "is already the person's group",
        )]));
    }
    // A held (suspended) placement is not moved: it comes back through the consents
    // (`consents_granted`). Refused before the consent lock: a grant holds that lock and then
    // takes this application's, so taking them the other way round could deadlock.
    let holds_seat = repository::placements_of(conn, &peer_id)?
        .iter()
        .any(|line| {
            line.application_id == row.id
                && Some(line.group_id.as_str()) == from.as_deref()
                && line.status == PlacementStatus::Confirmed
        });
    if !holds_seat {
        // Read without the lock, for the answer only.
        let missing = missing_consents(
            conn,
            &peer_id,
            row.preferred_language,
            &ConsentKind::REQUIRED_FOR_PLACEMENT,
        )?;
        return Err(if missing.is_empty() {
            ApiError::Conflict("the person's place is on hold; it cannot be moved".into())
        } else {
            ApiError::ConsentsMissing(missing.iter().map(|k| k.as_str().to_string()).collect())
        });
    }
    let group = groups::service::find_group(conn, group_id)?.ok_or_else(|| {
        ApiError::Validation(vec![FieldError::new(
            "group_id",
            "group",
            "is not a program group",
        )])
    })?;
    check_fit(row, &group)?;
    check_match(conn, caller, row, &group, override_reason)?;
    check_consents(conn, &peer_id, row)?;
    let now = db::now();
    if !groups::service::take_seat(conn, &group.id, now)? {
        return Err(ApiError::Conflict(
            "the group has no free seat; the person keeps their current seat".into(),
        ));
    }
    end(conn, row)?;
    audit::record(
        conn,
        Entry::by(caller, "placement.moved", "intake_application", &row.id)
            .with_details(json!({"from_group_id": from, "to_group_id": group.id})),
    )?;
    seat(conn, row, group, &peer_id, now)
}

/// Every required consent given again (consent's reaction to a grant, in its transaction,
/// wired in `crate::reactions`): each suspended placement of the person whose application
/// still holds it is confirmed again when its group takes placements and has a free seat;
/// otherwise the placement ends and the application heads the group's waiting list.
pub fn consents_granted(
    conn: &mut Conn,
    caller: &AuthUser,
    reactions: &Reactions,
    peer_id: &str,
) -> Result<(), ApiError> {
    let suspended: Vec<PlacementLine> = repository::placements_of(conn, peer_id)?
        .into_iter()
        .filter(|line| line.status == PlacementStatus::Suspended)
        .collect();
    if suspended.is_empty() {
        return Ok(());
    }
    let language = users::service::find_account(conn, peer_id)?
        .map(|u| u.preferred_language)
        .unwrap_or_default();
    for line in suspended {
        if repository::lock(conn, &line.application_id)? == 0 {
            continue;
        }
        let Some(mut row) = repository::find(conn, &line.application_id)? else {
            continue;
        };
        if row.status != IntakeStatus::Placed
            || row.placed_group_id.as_deref() != Some(line.group_id.as_str())
        {
            continue;
        }
        let missing = missing_consents(
            conn,
            peer_id,
            row.preferred_language,
            &ConsentKind::REQUIRED_FOR_PLACEMENT,
        )?;
        if !missing.is_empty() {
            continue;
        }
        let now = db::now();
        let group = groups::service::find_group(conn, &line.group_id)?;
        let open = group
            .as_ref()
            .is_some_and(|g| g.kind.takes_placements(g.status));
        let from = row.status;
        let notice = if open && groups::service::take_seat(conn, &line.group_id, now)? {
            if repository::set_placement_status(
                conn,
                &line.id,
                PlacementStatus::Suspended,
                PlacementStatus::Confirmed,
                now,
            )? == 0
            {
                groups::service::free_seat(conn, &line.group_id, now)?;
                continue;
            }
            groups::service::set_participant(
                conn,
                &line.group_id,
                peer_id,
                ParticipantStatus::Active,
                now,
            )?;
            Notice::Placed {
                group_name: line.group_name.clone(),
                sessions: groups::service::upcoming_starts(conn, &line.group_id, now)?,
            }
        } else {
            repository::set_placement_status(
                conn,
                &line.id,
                PlacementStatus::Suspended,
                PlacementStatus::Ended,
                now,
            )?;
            groups::service::set_participant(
                conn,
                &line.group_id,
                peer_id,
                ParticipantStatus::Left,
                now,
            )?;
            // Head of the list: before everyone waiting for the group.
            let first = repository::waitlist_of(conn, &line.group_id)?
                .into_iter()
                .filter_map(|r| r.waitlisted_at)
                .min();
            row.status = IntakeStatus::Waitlisted;
            row.placed_group_id = None;
            row.waitlist_group_id = Some(line.group_id.clone());
            row.waitlisted_at = Some(match first {
                Some(first) if first <= now => first - chrono::Duration::seconds(1),
                _ => now,
            });
            Notice::Waitlisted
        };
        row.updated_at = now;
        repository::save(conn, &row)?;
        record_event(
            conn,
            caller,
            &row,
            Some(from),
            IntakeAction::PlacementReinstated,
            None,
            now,
        )?;
        audit::record(
            conn,
            Entry::by(caller, "placement.reinstated", "placement", &line.id)
                .with_details(json!({"group_id": line.group_id, "application_status": row.status})),
        )?;
        enqueue(conn, peer_id, language, &notice)?;
        if row.partner_id.is_some() && row.status != from {
            (reactions.referral_moved)(conn, &row, from, now)?;
        }
    }
    Ok(())
}

/// Checks the group a waiting list names exists.
pub(super) fn check_waitlist_group(conn: &mut Conn, group_id: &str) -> Result<(), ApiError> {
    match groups::service::find_group(conn, group_id)? {
        Some(_) => Ok(()),
        None => Err(ApiError::Validation(vec![FieldError::new(
            "group_id",
            "group",
            "is not a program group",
        )])),
    }
}

/// Ends the placement of an application that leaves the journey, freeing its seat.
pub(super) fn end(conn: &mut Conn, row: &ApplicationRow) -> Result<(), ApiError> {
    let (Some(peer), Some(group)) = (row.peer_id.as_deref(), row.placed_group_id.as_deref()) else {
        return Ok(());
    };
    let now = db::now();
    for line in repository::placements_of(conn, peer)? {
        if line.application_id == row.id && line.group_id == group {
            if line.status == PlacementStatus::Confirmed {
                groups::service::free_seat(conn, group, now)?;
            }
            repository::set_placement_status(
                conn,
                &line.id,
                line.status,
                PlacementStatus::Ended,
                now,
            )?;
            groups::service::set_participant(conn, group, peer, ParticipantStatus::Left, now)?;
        }
    }
    Ok(())
}

/// Participation consent withdrawn: the person's confirmed placements are suspended and their
/// seats freed, in the withdrawal's transaction (consent's reaction, wired in
/// `crate::reactions`).
pub fn participation_withdrawn(
    conn: &mut Conn,
    caller: &AuthUser,
    peer_id: &str,
) -> Result<(), ApiError> {
    let now = db::now();
    for line in repository::placements_of(conn, peer_id)? {
        if line.status != PlacementStatus::Confirmed
            || repository::set_placement_status(
                conn,
                &line.id,
                PlacementStatus::Confirmed,
                PlacementStatus::Suspended,
                now,
            )? == 0
        {
            continue;
        }
        groups::service::free_seat(conn, &line.group_id, now)?;
        groups::service::set_participant(
            conn,
            &line.group_id,
            peer_id,
            ParticipantStatus::Suspended,
            now,
        )?;
        let application = repository::find(conn, &line.application_id)?;
        if let Some(row) = &application {
            record_event(
                conn,
                caller,
                row,
                Some(row.status),
                IntakeAction::PlacementSuspended,
                None,
                now,
            )?;
        }
        audit::record(
            conn,
            Entry::by(caller, "placement.suspended", "placement", &line.id).with_details(
                json!({"group_id": line.group_id, "reason": "participation consent withdrawn"}),
            ),
        )?;
        let language = users::service::find_account(conn, peer_id)?
            .map(|u| u.preferred_language)
            .unwrap_or_default();
        enqueue(
            conn,
            peer_id,
            language,
            &Notice::PlacementSuspended {
                group_name: line.group_name,
            },
        )?;
    }
    Ok(())
}

pub fn my_placements(conn: &mut Conn, caller: &AuthUser) -> Result<PlacementList, ApiError> {
    let items = repository::placements_of(conn, &caller.id)?
        .into_iter()
        .map(|line| Placement {
            id: line.id,
            application_id: line.application_id,
            group_id: line.group_id,
            group_name: line.group_name,
            status: line.status,
            placed_at: line.placed_at.and_utc(),
        })
        .collect();
    Ok(PlacementList { items })
}

/// The group's roster for those who lead it; its mental health professionals and staff also
/// see each confirmed participant's safety notes (peer supporters never see intake data), and
/// that reading is audited.
pub fn roster(conn: &mut Conn, caller: &AuthUser, group_id: &str) -> Result<Roster, ApiError> {
    let mut roster = groups::service::roster(conn, caller, group_id)?;
    if caller.role == Role::PeerSupporter {
        return Ok(roster);
    }
    let mut notes: HashMap<String, Option<String>> =
        repository::safety_notes_of_group(conn, group_id)?
            .into_iter()
            .collect();
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
    for entry in &mut roster.items {
        entry.safety_notes = notes.remove(&entry.participant_id).flatten();
    }
    Ok(roster)
}

/// The applications waiting for a group, in the order they joined the list: a freed seat goes
/// to the first (`POST /intake-applications/{id}/place`).
pub fn waitlist_of_group(
    conn: &mut Conn,
    caller: &AuthUser,
    reactions: &Reactions,
    group_id: &str,
) -> Result<ApplicationList, ApiError> {
    groups::service::find_group(conn, group_id)?.ok_or(ApiError::NotFound)?;
    let rows = repository::waitlist_of(conn, group_id)?;
    Ok(ApplicationList {
        items: service::read_page(conn, caller, reactions, rows)?,
        next_cursor: None,
    })
}
