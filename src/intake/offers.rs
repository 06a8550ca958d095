//! Seats that refill themselves: a seat that frees in a group is offered to the first person on
//! its waiting list, held for them until the offer expires, and passes to the next person when
//! they decline or do not answer. An open offer holds its seat (`take_seat` when it is made),
//! so a group never has more placements and open offers than seats, across instances; accepting
//! turns the held seat into a placement without taking another.
//!
//! Offers are made by the sweeper (`sweep`, on every instance, woken at once when a seat frees
//! on that instance): per group, under the group's offer lock, so two instances never offer one
//! seat twice nor one person two seats.

use chrono::{Duration, NaiveDateTime};
use serde_json::json;

use super::{
    models::*,
    placements, repository,
    service::{self, record_event, Mover},
    state::{IntakeAction, IntakeMove, IntakeStatus},
    Reactions,
};
use crate::{
    audit::{self, Entry},
    auth::AuthUser,
    db::{self, Conn},
    error::ApiError,
    groups,
    notifications::{models::Notice, service::enqueue},
};

const RESOURCE: &str = "placement_offer";

/// Due offers expired per pass at most; the next pass takes the rest.
const EXPIRED_PER_PASS: i64 = 100;

/// One pass of the sweeper: expires the open offers past their time (their seats pass on), then
/// offers every free seat of a group taking placements (open, or a running drop-in group) to
/// its waiting list. Returns how many offers it
/// expired or made.
pub fn sweep(conn: &mut Conn, now: NaiveDateTime, ttl: Duration) -> Result<usize, ApiError> {
    let mut changed = 0;
    for id in repository::due_offers(conn, now, EXPIRED_PER_PASS)? {
        if expire(conn, &id, now)? {
            changed += 1;
        }
    }
    for group_id in repository::groups_with_waiting(conn)? {
        while offer_next(conn, &group_id, now, ttl)? {
            changed += 1;
        }
    }
    Ok(changed)
}

/// Offers one free seat of the group to the first person waiting for it who may have it; false
/// when the group has no free seat or nobody to offer it to.
fn offer_next(
    conn: &mut Conn,
    group_id: &str,
    now: NaiveDateTime,
    ttl: Duration,
) -> Result<bool, ApiError> {
    db::write_transaction(conn, |conn| {
        // Before anything is read: one instance at a time picks who is offered this group's seat.
        db::lock_name(conn, &format!("offers:{group_id}"))?;
        let Some(group) = groups::service::find_group(conn, group_id)? else {
            return Ok(false);
        };
        // A group taking placements now: open, or a drop-in group that is running.
        if !group.kind.takes_placements(group.status) || group.seats_taken >= group.capacity {
            return Ok(false);
        }
        for candidate in repository::offer_candidates(
            conn,
            group_id,
            now.checked_sub_signed(ttl).unwrap_or(NaiveDateTime::MIN),
        )? {
            if placements::check_fit(&candidate, &group).is_err() {
                continue;
            }
            // The application's lock, then a fresh look: it may have moved meanwhile.
            repository::lock(conn, &candidate.id)?;
            let Some(row) = repository::find(conn, &candidate.id)? else {
                continue;
            };
            let Some(peer_id) = row.peer_id.clone() else {
                continue;
            };
            if row.status != IntakeStatus::Waitlisted
                || row.waitlist_group_id.as_deref() != Some(group_id)
                || repository::open_offer_of(conn, &row.id)?.is_some()
            {
                continue;
            }
            if !groups::service::take_seat(conn, group_id, now)? {
                return Ok(false);
            }
            let offer = OfferRow {
                id: db::new_id(),
                group_id: group_id.to_string(),
                application_id: row.id.clone(),
                peer_id: peer_id.clone(),
                status: OfferStatus::Open,
                created_at: now,
                expires_at: now.checked_add_signed(ttl).unwrap_or(NaiveDateTime::MAX),
                answered_at: None,
            };
            repository::insert_offer(conn, &offer)?;
            system_event(conn, &row, IntakeAction::Offer, now)?;
            audit::record(
                conn,
                system_entry("placement_offer.made", &offer.id).with_details(json!({
                    "group_id": group_id,
                    "application_id": row.id,
                    "expires_at": offer.expires_at.and_utc(),
                })),
            )?;
            enqueue(
                conn,
                &peer_id,
                row.preferred_language,
                &Notice::SeatOffered {
                    group_name: group.name.clone(),
                    expires_at: offer.expires_at.and_utc(),
                },
            )?;
            return Ok(true);
        }
        Ok(false)
    })
}

/// Expires an open offer past its time: its seat frees (the next pass offers it on) and its
/// person goes to the back of the waiting list. False when it was not due, or another request
/// or instance answered it first.
fn expire(conn: &mut Conn, offer_id: &str, now: NaiveDateTime) -> Result<bool, ApiError> {
    db::write_transaction(conn, |conn| {
        let Some(offer) = repository::find_offer(conn, offer_id)? else {
            return Ok(false);
        };
        if offer.status != OfferStatus::Open || offer.expires_at > now {
            return Ok(false);
        }
        // The application's lock first, as accept and decline take it: no deadlock between them.
        repository::lock(conn, &offer.application_id)?;
        if repository::answer_offer(conn, offer_id, OfferStatus::Expired, now)? == 0 {
            return Ok(false);
        }
        groups::service::free_seat(conn, &offer.group_id, now)?;
        if let Some(row) = to_back_of_list(conn, &offer, now)? {
            system_event(conn, &row, IntakeAction::OfferExpired, now)?;
            enqueue(
                conn,
                &offer.peer_id,
                row.preferred_language,
                &Notice::SeatOfferExpired,
            )?;
        }
        audit::record(
            conn,
            system_entry("placement_offer.expired", offer_id)
                .with_details(json!({"group_id": offer.group_id})),
        )?;
        Ok(true)
    })
}

/// The application's open offer, if any, is withdrawn and its seat freed: the application is
/// leaving the waiting list (withdrawn, closed, or placed by a coordinator). In the move's
/// transaction, after the application's lock.
pub(super) fn withdraw_open(
    conn: &mut Conn,
    row: &ApplicationRow,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    if let Some(offer) = repository::open_offer_of(conn, &row.id)? {
        if repository::answer_offer(conn, &offer.id, OfferStatus::Withdrawn, now)? == 1 {
            groups::service::free_seat(conn, &offer.group_id, now)?;
        }
    }
    Ok(())
}

/// The caller's offer; anyone else's does not exist for them.
fn own_offer(conn: &mut Conn, caller: &AuthUser, id: &str) -> Result<OfferRow, ApiError> {
    match repository::find_offer(conn, id)? {
        Some(offer) if offer.peer_id == caller.id => Ok(offer),
        _ => Err(ApiError::NotFound),
    }
}

/// Refuses an answer to an offer that is no longer open; an open one past its time is expired
/// on the spot (its seat passes on) and refused too.
fn check_answerable(conn: &mut Conn, offer: &OfferRow, now: NaiveDateTime) -> Result<(), ApiError> {
    if offer.status == OfferStatus::Open && offer.expires_at <= now {
        expire(conn, &offer.id, now)?;
        return Err(ApiError::Conflict(
            "the offer has expired and the seat was offered on; you are still on the waiting list"
                .into(),
        ));
    }
    if offer.status != OfferStatus::Open {
        return Err(ApiError::Conflict(format!("the offer is {}", offer.status)));
    }
    Ok(())
}

/// The person accepts: the seat their offer holds becomes their placement (`waitlisted →
/// placed`, a `place` step on the timeline), once every required consent is granted — else 409
/// `consents-missing`, and the offer stays open until it expires.
pub fn accept(
    conn: &mut Conn,
    caller: &AuthUser,
    reactions: &Reactions,
    id: &str,
) -> Result<PlacementOffer, ApiError> {
    let offer = own_offer(conn, caller, id)?;
    check_answerable(conn, &offer, db::now())?;
    service::run_move_by(
        conn,
        caller,
        reactions,
        &offer.application_id,
        (IntakeMove::Place, Mover::ApplicantAcceptingOffer),
        None,
        |conn, row| {
            let now = db::now();
            let group =
                groups::service::find_group(conn, &offer.group_id)?.ok_or(ApiError::NotFound)?;
            placements::check_fit(row, &group)?;
            placements::check_consents(conn, &offer.peer_id, row)?;
            if repository::answer_offer(conn, id, OfferStatus::Accepted, now)? == 0 {
                return Err(ApiError::Conflict("the offer is no longer open".into()));
            }
            audit::record(
                conn,
                Entry::by(caller, "placement_offer.accepted", RESOURCE, id)
                    .with_details(json!({"group_id": group.id})),
            )?;
            placements::seat(conn, row, group, &offer.peer_id, now).map(Some)
        },
    )?;
    view(conn, id)
}

/// The person declines: the seat passes to the next person waiting (or frees), and they go to
/// the back of the group's waiting list.
pub fn decline(conn: &mut Conn, caller: &AuthUser, id: &str) -> Result<PlacementOffer, ApiError> {
    let offer = own_offer(conn, caller, id)?;
    check_answerable(conn, &offer, db::now())?;
    db::write_transaction(conn, |conn| {
        let now = db::now();
        repository::lock(conn, &offer.application_id)?;
        if repository::answer_offer(conn, id, OfferStatus::Declined, now)? == 0 {
            return Err(ApiError::Conflict("the offer is no longer open".into()));
        }
        groups::service::free_seat(conn, &offer.group_id, now)?;
        if let Some(row) = to_back_of_list(conn, &offer, now)? {
            record_event(
                conn,
                caller,
                &row,
                Some(row.status),
                IntakeAction::OfferDeclined,
                None,
                now,
            )?;
        }
        audit::record(
            conn,
            Entry::by(caller, "placement_offer.declined", RESOURCE, id)
                .with_details(json!({"group_id": offer.group_id})),
        )?;
        Ok(())
    })?;
    view(conn, id)
}

/// The caller's offers, newest first.
pub fn mine(conn: &mut Conn, caller: &AuthUser) -> Result<PlacementOfferList, ApiError> {
    let rows = repository::offers_where(conn, Some(&caller.id), None)?;
    Ok(PlacementOfferList {
        items: rows.into_iter().map(to_view).collect(),
    })
}

/// The offers of a group, newest first (coordinators).
pub fn of_group(conn: &mut Conn, group_id: &str) -> Result<PlacementOfferList, ApiError> {
    groups::service::find_group(conn, group_id)?.ok_or(ApiError::NotFound)?;
    let rows = repository::offers_where(conn, None, Some(group_id))?;
    Ok(PlacementOfferList {
        items: rows.into_iter().map(to_view).collect(),
    })
}

fn view(conn: &mut Conn, id: &str) -> Result<PlacementOffer, ApiError> {
    let offer = repository::find_offer(conn, id)?.ok_or(ApiError::NotFound)?;
    let group_name = groups::service::find_group(conn, &offer.group_id)?
        .map(|g| g.name)
        .unwrap_or_default();
    Ok(to_view((offer, group_name)))
}

fn to_view((row, group_name): (OfferRow, String)) -> PlacementOffer {
    PlacementOffer {
        id: row.id,
        group_id: row.group_id,
        group_name,
        application_id: row.application_id,
        status: row.status,
        created_at: row.created_at.and_utc(),
        expires_at: row.expires_at.and_utc(),
        answered_at: row.answered_at.map(|t| t.and_utc()),
    }
}

/// The offer's application, still waiting for its group, goes to the back of the list.
fn to_back_of_list(
    conn: &mut Conn,
    offer: &OfferRow,
    now: NaiveDateTime,
) -> Result<Option<ApplicationRow>, ApiError> {
    let Some(mut row) = repository::find(conn, &offer.application_id)? else {
        return Ok(None);
    };
    if row.status != IntakeStatus::Waitlisted
        || row.waitlist_group_id.as_deref() != Some(offer.group_id.as_str())
    {
        return Ok(None);
    }
    row.waitlisted_at = Some(now);
    row.updated_at = now;
    repository::save(conn, &row)?;
    Ok(Some(row))
}

/// A timeline step the program made by itself (no one's request).
fn system_event(
    conn: &mut Conn,
    row: &ApplicationRow,
    action: IntakeAction,
    at: NaiveDateTime,
) -> Result<(), ApiError> {
    Ok(repository::insert_event(
        conn,
        &EventRow {
            id: db::new_id(),
            application_id: row.id.clone(),
            action,
            from_status: Some(row.status),
            to_status: row.status,
            actor_id: None,
            actor_role: None,
            note: None,
            occurred_at: at,
        },
    )?)
}

fn system_entry<'a>(action: &'a str, offer_id: &'a str) -> Entry<'a> {
    Entry {
        actor: None,
        request_id: None,
        action,
        resource_type: RESOURCE,
        resource_id: Some(offer_id),
        details: None,
    }
}
