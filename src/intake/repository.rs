use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{
    models::{ApplicationFilter, ApplicationRow, EventRow, OfferRow, OfferStatus, PlacementStatus},
    state::IntakeStatus,
};
use crate::{
    db::{
        schema::{
            intake_applications, intake_events, placement_offers, placements, program_groups,
        },
        Conn,
    },
    pagination::PageRequest,
};

pub fn insert(conn: &mut Conn, row: &ApplicationRow) -> QueryResult<()> {
    diesel::insert_into(intake_applications::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn find(conn: &mut Conn, id: &str) -> QueryResult<Option<ApplicationRow>> {
    intake_applications::table.find(id).first(conn).optional()
}

/// Bumps the version as the first write of a move: it takes the row's lock (PostgreSQL) or the
/// database's write lock (SQLite) before anything is read. 0 when there is no such application.
pub fn lock(conn: &mut Conn, id: &str) -> QueryResult<usize> {
    diesel::update(intake_applications::table.find(id))
        .set(intake_applications::version.eq(intake_applications::version + 1))
        .execute(conn)
}

/// Gives an application with no account yet to `peer_id`: 0 when it already has one (or there
/// is no such application).
pub fn attach_peer(
    conn: &mut Conn,
    id: &str,
    peer_id: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        intake_applications::table
            .filter(intake_applications::id.eq(id))
            .filter(intake_applications::peer_id.is_null()),
    )
    .set((
        intake_applications::peer_id.eq(peer_id),
        intake_applications::version.eq(intake_applications::version + 1),
        intake_applications::updated_at.eq(now),
    ))
    .execute(conn)
}

/// Writes every mutable field of an application.
pub fn save(conn: &mut Conn, row: &ApplicationRow) -> QueryResult<usize> {
    diesel::update(intake_applications::table.find(&row.id))
        .set((
            intake_applications::peer_id.eq(&row.peer_id),
            intake_applications::status.eq(&row.status),
            intake_applications::assigned_coordinator_id.eq(&row.assigned_coordinator_id),
            intake_applications::form_answers.eq(&row.form_answers),
            intake_applications::meeting_at.eq(row.meeting_at),
            intake_applications::meeting_mode.eq(&row.meeting_mode),
            intake_applications::meeting_link.eq(&row.meeting_link),
            intake_applications::meeting_location.eq(&row.meeting_location),
            intake_applications::readiness.eq(&row.readiness),
            intake_applications::safety_notes.eq(&row.safety_notes),
            intake_applications::placed_group_id.eq(&row.placed_group_id),
            intake_applications::waitlist_group_id.eq(&row.waitlist_group_id),
            intake_applications::waitlisted_at.eq(row.waitlisted_at),
            intake_applications::close_reason.eq(&row.close_reason),
            intake_applications::first_response_at.eq(row.first_response_at),
            intake_applications::updated_at.eq(row.updated_at),
        ))
        .execute(conn)
}

/// A page of applications, of one peer when `peer_id` is given.
pub fn list(
    conn: &mut Conn,
    peer_id: Option<&str>,
    filter: &ApplicationFilter,
    now: NaiveDateTime,
    page: &PageRequest,
) -> QueryResult<Vec<ApplicationRow>> {
    let mut q = intake_applications::table.into_boxed();
    if let Some(peer) = peer_id {
        q = q.filter(intake_applications::peer_id.eq(peer.to_string()));
    }
    if let Some(status) = filter.status {
        q = q.filter(intake_applications::status.eq(status));
    }
    if let Some(coordinator) = &filter.assigned_to {
        q = q.filter(intake_applications::assigned_coordinator_id.eq(coordinator.clone()));
    }
    match filter.overdue {
        Some(true) => {
            q = q
                .filter(intake_applications::respond_by.lt(now))
                .filter(intake_applications::first_response_at.is_null())
                .filter(
                    intake_applications::status
                        .ne_all([IntakeStatus::Withdrawn, IntakeStatus::Closed]),
                );
        }
        Some(false) => {
            q = q.filter(
                intake_applications::respond_by
                    .ge(now)
                    .or(intake_applications::first_response_at.is_not_null()),
            );
        }
        None => {}
    }
    crate::pagination::keyset_page!(
        q,
        page,
        intake_applications::created_at,
        intake_applications::id
    )
    .load(conn)
}

pub fn insert_event(conn: &mut Conn, row: &EventRow) -> QueryResult<()> {
    diesel::insert_into(intake_events::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn events_of(conn: &mut Conn, application_id: &str) -> QueryResult<Vec<EventRow>> {
    events_of_many(conn, &[application_id.to_string()])
}

/// The timelines of several applications at once, each oldest first.
pub fn events_of_many(conn: &mut Conn, application_ids: &[String]) -> QueryResult<Vec<EventRow>> {
    intake_events::table
        .filter(intake_events::application_id.eq_any(application_ids))
        .order((
            intake_events::application_id,
            intake_events::occurred_at,
            intake_events::id,
        ))
        .load(conn)
}

pub fn insert_placement(
    conn: &mut Conn,
    application_id: &str,
    group_id: &str,
    peer_id: &str,
    now: NaiveDateTime,
) -> QueryResult<String> {
    let id = crate::db::new_id();
    diesel::insert_into(placements::table)
        .values((
            placements::id.eq(&id),
            placements::application_id.eq(application_id),
            placements::group_id.eq(group_id),
            placements::peer_id.eq(peer_id),
            placements::status.eq(PlacementStatus::Confirmed),
            placements::placed_at.eq(now),
            placements::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

/// A peer's placement with its group's name.
#[derive(Debug, Queryable)]
pub struct PlacementLine {
    pub id: String,
    pub application_id: String,
    pub group_id: String,
    pub group_name: String,
    pub status: PlacementStatus,
    pub placed_at: NaiveDateTime,
}

pub fn placements_of(conn: &mut Conn, peer_id: &str) -> QueryResult<Vec<PlacementLine>> {
    placements::table
        .inner_join(program_groups::table)
        .filter(placements::peer_id.eq(peer_id))
        .select((
            placements::id,
            placements::application_id,
            placements::group_id,
            program_groups::name,
            placements::status,
            placements::placed_at,
        ))
        .order((placements::placed_at, placements::id))
        .load(conn)
}

/// Moves a placement from one status to another; 0 when it was not in `from`.
pub fn set_placement_status(
    conn: &mut Conn,
    id: &str,
    from: PlacementStatus,
    to: PlacementStatus,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        placements::table
            .filter(placements::id.eq(id))
            .filter(placements::status.eq(from)),
    )
    .set((placements::status.eq(to), placements::updated_at.eq(now)))
    .execute(conn)
}

/// (peer id, safety notes) of the confirmed participants of a group.
pub fn safety_notes_of_group(
    conn: &mut Conn,
    group_id: &str,
) -> QueryResult<Vec<(String, Option<String>)>> {
    placements::table
        .inner_join(
            intake_applications::table.on(intake_applications::id.eq(placements::application_id)),
        )
        .filter(placements::group_id.eq(group_id))
        .filter(placements::status.eq(PlacementStatus::Confirmed))
        .select((placements::peer_id, intake_applications::safety_notes))
        .load(conn)
}

/// Applications waiting for a group, first come first served.
pub fn waitlist_of(conn: &mut Conn, group_id: &str) -> QueryResult<Vec<ApplicationRow>> {
    intake_applications::table
        .filter(intake_applications::waitlist_group_id.eq(group_id))
        .filter(intake_applications::status.eq(IntakeStatus::Waitlisted))
        .order((intake_applications::waitlisted_at, intake_applications::id))
        .load(conn)
}

pub fn insert_offer(conn: &mut Conn, row: &OfferRow) -> QueryResult<()> {
    diesel::insert_into(placement_offers::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn find_offer(conn: &mut Conn, id: &str) -> QueryResult<Option<OfferRow>> {
    placement_offers::table.find(id).first(conn).optional()
}

/// The open offer of an application, if it has one (never more: a unique partial index).
pub fn open_offer_of(conn: &mut Conn, application_id: &str) -> QueryResult<Option<OfferRow>> {
    placement_offers::table
        .filter(placement_offers::application_id.eq(application_id))
        .filter(placement_offers::status.eq(OfferStatus::Open))
        .first(conn)
        .optional()
}

/// Answers an open offer: `accepted` and `declined` only before it expires, `expired` only
/// after, `withdrawn` at any time. 0 when it was not open (or the time does not fit): another
/// request or instance answered it first.
pub fn answer_offer(
    conn: &mut Conn,
    id: &str,
    to: OfferStatus,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let mut q = diesel::update(placement_offers::table)
        .filter(placement_offers::id.eq(id))
        .filter(placement_offers::status.eq(OfferStatus::Open))
        .into_boxed();
    match to {
        OfferStatus::Accepted | OfferStatus::Declined => {
            q = q.filter(placement_offers::expires_at.gt(now))
        }
        OfferStatus::Expired => q = q.filter(placement_offers::expires_at.le(now)),
        OfferStatus::Open | OfferStatus::Withdrawn => {}
    }
    q.set((
        placement_offers::status.eq(to),
        placement_offers::answered_at.eq(now),
    ))
    .execute(conn)
}

/// Open offers past their time, oldest first.
pub fn due_offers(conn: &mut Conn, now: NaiveDateTime, limit: i64) -> QueryResult<Vec<String>> {
    placement_offers::table
        .filter(placement_offers::status.eq(OfferStatus::Open))
        .filter(placement_offers::expires_at.le(now))
        .order((placement_offers::expires_at, placement_offers::id))
        .select(placement_offers::id)
        .limit(limit)
        .load(conn)
}

/// Offers with their group's name, newest first: a peer's or a group's.
pub fn offers_where(
    conn: &mut Conn,
    peer_id: Option<&str>,
    group_id: Option<&str>,
) -> QueryResult<Vec<(OfferRow, String)>> {
    let mut q = placement_offers::table
        .inner_join(program_groups::table)
        .select((placement_offers::all_columns, program_groups::name))
        .order((
            placement_offers::created_at.desc(),
            placement_offers::id.desc(),
        ))
        .into_boxed();
    if let Some(peer) = peer_id {
        q = q.filter(placement_offers::peer_id.eq(peer.to_string()));
    }
    if let Some(group) = group_id {
        q = q.filter(placement_offers::group_id.eq(group.to_string()));
    }
    q.load(conn)
}

/// People with an account on a waiting list who hold no open offer.
fn waiting_without_offer() -> intake_applications::BoxedQuery<'static, crate::db::MultiBackend> {
    intake_applications::table
        .filter(intake_applications::status.eq(IntakeStatus::Waitlisted))
        .filter(intake_applications::peer_id.is_not_null())
        .filter(
            intake_applications::id.ne_all(
                placement_offers::table
                    .filter(placement_offers::status.eq(OfferStatus::Open))
                    .select(placement_offers::application_id),
            ),
        )
        .into_boxed()
}

/// The groups someone with an account waits for without holding an offer.
pub fn groups_with_waiting(conn: &mut Conn) -> QueryResult<Vec<String>> {
    let groups: Vec<Option<String>> = waiting_without_offer()
        .filter(intake_applications::waitlist_group_id.is_not_null())
        .select(intake_applications::waitlist_group_id)
        .distinct()
        .load(conn)?;
    Ok(groups.into_iter().flatten().collect())
}

/// Who may be offered a seat of the group, in waiting-list order: waiting for it, with an
/// account, holding no offer, and not having declined or let lapse one of its offers since
/// `answered_since` (a person alone on the list is not asked again at once).
pub fn offer_candidates(
    conn: &mut Conn,
    group_id: &str,
    answered_since: NaiveDateTime,
) -> QueryResult<Vec<ApplicationRow>> {
    waiting_without_offer()
        .filter(intake_applications::waitlist_group_id.eq(group_id.to_string()))
        .filter(
            intake_applications::id.ne_all(
                placement_offers::table
                    .filter(placement_offers::group_id.eq(group_id.to_string()))
                    .filter(
                        placement_offers::status
                            .eq_any([OfferStatus::Declined, OfferStatus::Expired]),
                    )
                    .filter(placement_offers::answered_at.gt(answered_since))
                    .select(placement_offers::application_id),
            ),
        )
        .order((intake_applications::waitlisted_at, intake_applications::id))
        .load(conn)
}

/// The id of a peer's oldest open application (neither withdrawn nor closed), if any.
pub fn open_of_peer(conn: &mut Conn, peer_id: &str) -> QueryResult<Option<String>> {
    intake_applications::table
        .filter(intake_applications::peer_id.eq(peer_id))
        .filter(intake_applications::status.ne_all([IntakeStatus::Withdrawn, IntakeStatus::Closed]))
        .order((intake_applications::created_at, intake_applications::id))
        .select(intake_applications::id)
        .first(conn)
        .optional()
}

/// Every application of a peer, oldest first.
pub fn of_peer(conn: &mut Conn, peer_id: &str) -> QueryResult<Vec<ApplicationRow>> {
    intake_applications::table
        .filter(intake_applications::peer_id.eq(peer_id))
        .order((intake_applications::created_at, intake_applications::id))
        .load(conn)
}

/// Removes what a peer's applications say about them: preferences, answers, safety notes and
/// contact methods (an empty list). Status, dates and ids stay.
pub fn erase_personal_fields(
    conn: &mut Conn,
    peer_id: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(intake_applications::table.filter(intake_applications::peer_id.eq(peer_id)))
        .set((
            intake_applications::identity_preference.eq(None::<String>),
            intake_applications::availability.eq(None::<String>),
            intake_applications::contact_methods.eq("[]"),
            intake_applications::form_answers.eq(None::<String>),
            intake_applications::safety_notes.eq(None::<String>),
            // Where an in-person meeting was held may be the person's own address.
            intake_applications::meeting_link.eq(None::<String>),
            intake_applications::meeting_location.eq(None::<String>),
            intake_applications::version.eq(intake_applications::version + 1),
            intake_applications::updated_at.eq(now),
        ))
        .execute(conn)
}

/// Removes the notes of these applications' timeline events (the person's reasons, the
/// coordinators' notes about them); the steps themselves stay.
pub fn erase_event_notes(conn: &mut Conn, application_ids: &[String]) -> QueryResult<usize> {
    diesel::update(
        intake_events::table.filter(intake_events::application_id.eq_any(application_ids)),
    )
    .set(intake_events::note.eq(None::<String>))
    .execute(conn)
}
