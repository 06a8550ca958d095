use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::models::{
    Audience, GroupFilter, GroupKind, GroupRow, GroupStatus, ParticipantStatus, SessionRow,
    SessionStatus,
};
use crate::{
    db::{
        schema::{
            attendance, group_audiences, group_facilitators, group_participants, group_sessions,
            program_groups, users,
        },
        Conn,
    },
    domain::Role,
    pagination::PageRequest,
};

pub fn insert_group(conn: &mut Conn, row: &GroupRow) -> QueryResult<()> {
    diesel::insert_into(program_groups::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn find_group(conn: &mut Conn, id: &str) -> QueryResult<Option<GroupRow>> {
    program_groups::table.find(id).first(conn).optional()
}

pub fn list_groups(
    conn: &mut Conn,
    filter: &GroupFilter,
    page: &PageRequest,
) -> QueryResult<Vec<GroupRow>> {
    let mut q = program_groups::table.into_boxed();
    if let Some(kind) = filter.kind {
        q = q.filter(program_groups::kind.eq(kind));
    }
    if let Some(language) = filter.language {
        q = q.filter(program_groups::language.eq(language));
    }
    if let Some(status) = filter.status {
        q = q.filter(program_groups::status.eq(status));
    }
    if let Some(audience) = filter.audience {
        q = q.filter(
            program_groups::id.eq_any(
                group_audiences::table
                    .filter(group_audiences::audience.eq(audience))
                    .select(group_audiences::group_id),
            ),
        );
    }
    if let Some(focus) = &filter.identity_focus {
        q = q.filter(program_groups::identity_focus.eq(focus.trim().to_lowercase()));
    }
    crate::pagination::keyset_page!(q, page, program_groups::created_at, program_groups::id)
        .load(conn)
}

/// Writes a group's fields, only if it is still at `expected_version`; bumps the version.
pub fn update_group(conn: &mut Conn, row: &GroupRow, expected_version: i64) -> QueryResult<usize> {
    diesel::update(
        program_groups::table
            .filter(program_groups::id.eq(&row.id))
            .filter(program_groups::version.eq(expected_version)),
    )
    .set((
        program_groups::name.eq(&row.name),
        program_groups::description.eq(&row.description),
        program_groups::identity_focus.eq(&row.identity_focus),
        program_groups::time_zone.eq(&row.time_zone),
        program_groups::capacity.eq(row.capacity),
        program_groups::status.eq(&row.status),
        program_groups::meeting_link.eq(&row.meeting_link),
        program_groups::version.eq(expected_version + 1),
        program_groups::updated_at.eq(row.updated_at),
    ))
    .execute(conn)
}

/// Bumps the group's version: the write takes the row's lock first, so changes to its
/// sessions are serialized per group on both backends.
pub fn lock_group(conn: &mut Conn, id: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(program_groups::table.find(id))
        .set((
            program_groups::version.eq(program_groups::version + 1),
            program_groups::updated_at.eq(now),
        ))
        .execute(conn)
}

pub fn replace_audiences(
    conn: &mut Conn,
    group_id: &str,
    audiences: &[Audience],
) -> QueryResult<()> {
    diesel::delete(group_audiences::table.filter(group_audiences::group_id.eq(group_id)))
        .execute(conn)?;
    for audience in audiences {
        diesel::insert_into(group_audiences::table)
            .values((
                group_audiences::group_id.eq(group_id),
                group_audiences::audience.eq(*audience),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// (group id, audience) of the given groups.
pub fn audiences_of(conn: &mut Conn, group_ids: &[String]) -> QueryResult<Vec<(String, Audience)>> {
    group_audiences::table
        .filter(group_audiences::group_id.eq_any(group_ids))
        .order((group_audiences::group_id, group_audiences::audience))
        .load(conn)
}

/// (group id, scheduled sessions) of the given groups.
pub fn session_counts(conn: &mut Conn, group_ids: &[String]) -> QueryResult<Vec<(String, i64)>> {
    group_sessions::table
        .filter(group_sessions::group_id.eq_any(group_ids))
        .filter(group_sessions::status.eq(SessionStatus::Scheduled))
        .group_by(group_sessions::group_id)
        .select((group_sessions::group_id, diesel::dsl::count_star()))
        .load(conn)
}

pub fn replace_facilitators(
    conn: &mut Conn,
    group_id: &str,
    user_ids: &[String],
) -> QueryResult<()> {
    diesel::delete(group_facilitators::table.filter(group_facilitators::group_id.eq(group_id)))
        .execute(conn)?;
    for user_id in user_ids {
        diesel::insert_into(group_facilitators::table)
            .values((
                group_facilitators::group_id.eq(group_id),
                group_facilitators::user_id.eq(user_id),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// (group id, user id, display name, role) of the given groups' facilitators, by group then
/// display name.
pub fn facilitators_of(
    conn: &mut Conn,
    group_ids: &[String],
) -> QueryResult<Vec<(String, String, String, Role)>> {
    group_facilitators::table
        .inner_join(users::table)
        .filter(group_facilitators::group_id.eq_any(group_ids))
        .select((
            group_facilitators::group_id,
            users::id,
            users::display_name,
            users::role,
        ))
        .order((group_facilitators::group_id, users::display_name))
        .load(conn)
}

/// The roles of a group's facilitators whose accounts are active (not disabled).
pub fn active_facilitator_roles(conn: &mut Conn, group_id: &str) -> QueryResult<Vec<Role>> {
    group_facilitators::table
        .inner_join(users::table)
        .filter(group_facilitators::group_id.eq(group_id))
        .filter(users::disabled.eq(false))
        .select(users::role)
        .load(conn)
}

/// The groups `user_id` facilitates that are open, full or running.
pub fn under_way_facilitated_by(conn: &mut Conn, user_id: &str) -> QueryResult<Vec<GroupRow>> {
    program_groups::table
        .filter(
            program_groups::id.eq_any(
                group_facilitators::table
                    .filter(group_facilitators::user_id.eq(user_id))
                    .select(group_facilitators::group_id),
            ),
        )
        .filter(program_groups::status.eq_any([
            GroupStatus::Open,
            GroupStatus::Full,
            GroupStatus::Running,
        ]))
        .load(conn)
}

/// (id, role, disabled) of the given accounts.
pub fn accounts(conn: &mut Conn, ids: &[String]) -> QueryResult<Vec<(String, Role, bool)>> {
    users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::role, users::disabled))
        .load(conn)
}

pub fn is_facilitator(conn: &mut Conn, group_id: &str, user_id: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        group_facilitators::table
            .filter(group_facilitators::group_id.eq(group_id))
            .filter(group_facilitators::user_id.eq(user_id)),
    ))
    .get_result(conn)
}

/// When an active participant of the group joined it; `None` for anyone else.
pub fn active_since(
    conn: &mut Conn,
    group_id: &str,
    user_id: &str,
) -> QueryResult<Option<NaiveDateTime>> {
    group_participants::table
        .filter(group_participants::group_id.eq(group_id))
        .filter(group_participants::user_id.eq(user_id))
        .filter(group_participants::status.eq(ParticipantStatus::Active))
        .select(group_participants::joined_at)
        .first(conn)
        .optional()
}

/// The active participants of a group who joined it at or before `at`.
pub fn active_participants_since(
    conn: &mut Conn,
    group_id: &str,
    at: NaiveDateTime,
) -> QueryResult<Vec<String>> {
    group_participants::table
        .filter(group_participants::group_id.eq(group_id))
        .filter(group_participants::status.eq(ParticipantStatus::Active))
        .filter(group_participants::joined_at.le(at))
        .select(group_participants::user_id)
        .load(conn)
}

/// The people marked present at a session.
pub fn present_at(conn: &mut Conn, session_id: &str) -> QueryResult<Vec<String>> {
    attendance::table
        .filter(attendance::session_id.eq(session_id))
        .filter(attendance::present.eq(true))
        .select(attendance::participant_id)
        .load(conn)
}

/// Groups the user facilitates or is an active participant of.
pub fn groups_of_member(conn: &mut Conn, user_id: &str) -> QueryResult<Vec<String>> {
    let mut ids: Vec<String> = group_facilitators::table
        .filter(group_facilitators::user_id.eq(user_id))
        .select(group_facilitators::group_id)
        .load(conn)?;
    ids.extend(
        group_participants::table
            .filter(group_participants::user_id.eq(user_id))
            .filter(group_participants::status.eq(ParticipantStatus::Active))
            .select(group_participants::group_id)
            .load::<String>(conn)?,
    );
    Ok(ids)
}

/// (user id, display name, status, joined at) of a group's participants.
pub fn roster(
    conn: &mut Conn,
    group_id: &str,
) -> QueryResult<Vec<(String, String, ParticipantStatus, NaiveDateTime)>> {
    group_participants::table
        .inner_join(users::table)
        .filter(group_participants::group_id.eq(group_id))
        .select((
            users::id,
            users::display_name,
            group_participants::status,
            group_participants::joined_at,
        ))
        .order((users::display_name, users::id))
        .load(conn)
}

/// (participant id, sessions present) over a group's sessions.
pub fn attendance_counts(conn: &mut Conn, group_id: &str) -> QueryResult<Vec<(String, i64)>> {
    attendance::table
        .inner_join(group_sessions::table)
        .filter(group_sessions::group_id.eq(group_id))
        .filter(attendance::present.eq(true))
        .group_by(attendance::participant_id)
        .select((attendance::participant_id, diesel::dsl::count_star()))
        .load(conn)
}

pub fn insert_session(conn: &mut Conn, row: &SessionRow) -> QueryResult<()> {
    diesel::insert_into(group_sessions::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn find_session(conn: &mut Conn, id: &str) -> QueryResult<Option<SessionRow>> {
    group_sessions::table.find(id).first(conn).optional()
}

pub fn sessions_of(conn: &mut Conn, group_id: &str) -> QueryResult<Vec<SessionRow>> {
    group_sessions::table
        .filter(group_sessions::group_id.eq(group_id))
        .order((group_sessions::starts_at, group_sessions::id))
        .load(conn)
}

pub fn count_scheduled(conn: &mut Conn, group_id: &str) -> QueryResult<i64> {
    group_sessions::table
        .filter(group_sessions::group_id.eq(group_id))
        .filter(group_sessions::status.eq(SessionStatus::Scheduled))
        .count()
        .get_result(conn)
}

pub fn update_session(
    conn: &mut Conn,
    row: &SessionRow,
    expected_version: i64,
) -> QueryResult<usize> {
    diesel::update(
        group_sessions::table
            .filter(group_sessions::id.eq(&row.id))
            .filter(group_sessions::version.eq(expected_version)),
    )
    .set((
        group_sessions::topic.eq(&row.topic),
        group_sessions::starts_at.eq(row.starts_at),
        group_sessions::duration_minutes.eq(row.duration_minutes),
        group_sessions::meeting_link.eq(&row.meeting_link),
        group_sessions::status.eq(&row.status),
        group_sessions::cancel_reason.eq(&row.cancel_reason),
        group_sessions::version.eq(expected_version + 1),
        group_sessions::updated_at.eq(row.updated_at),
    ))
    .execute(conn)
}

pub fn cancel_scheduled_sessions(
    conn: &mut Conn,
    group_id: &str,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        group_sessions::table
            .filter(group_sessions::group_id.eq(group_id))
            .filter(group_sessions::status.eq(SessionStatus::Scheduled))
            // A session that has started keeps its feedback window and its place in summaries.
            .filter(group_sessions::starts_at.gt(now)),
    )
    .set((
        group_sessions::status.eq(SessionStatus::Cancelled),
        group_sessions::cancel_reason.eq(reason),
        group_sessions::version.eq(group_sessions::version + 1),
        group_sessions::updated_at.eq(now),
    ))
    .execute(conn)
}

/// Records a participant's attendance at a session, replacing an earlier mark.
pub fn mark_attendance(
    conn: &mut Conn,
    session_id: &str,
    participant_id: &str,
    present: bool,
    recorded_by: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::delete(
        attendance::table
            .filter(attendance::session_id.eq(session_id))
            .filter(attendance::participant_id.eq(participant_id)),
    )
    .execute(conn)?;
    diesel::insert_into(attendance::table)
        .values((
            attendance::session_id.eq(session_id),
            attendance::participant_id.eq(participant_id),
            attendance::present.eq(present),
            attendance::recorded_by.eq(recorded_by),
            attendance::recorded_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// (participant id, display name, present, recorded at) for a session.
pub fn attendance_of(
    conn: &mut Conn,
    session_id: &str,
) -> QueryResult<Vec<(String, String, bool, NaiveDateTime)>> {
    attendance::table
        .inner_join(users::table.on(users::id.eq(attendance::participant_id)))
        .filter(attendance::session_id.eq(session_id))
        .select((
            users::id,
            users::display_name,
            attendance::present,
            attendance::recorded_at,
        ))
        .order((users::display_name, users::id))
        .load(conn)
}

/// Sessions ending after `now` of the groups the user is an active participant of, with the
/// group's name and time zone.
pub fn upcoming_sessions_of_participant(
    conn: &mut Conn,
    user_id: &str,
    now: NaiveDateTime,
) -> QueryResult<Vec<(SessionRow, String, String)>> {
    let groups = group_participants::table
        .filter(group_participants::user_id.eq(user_id))
        .filter(group_participants::status.eq(ParticipantStatus::Active))
        .select(group_participants::group_id);
    group_sessions::table
        .inner_join(program_groups::table)
        .filter(group_sessions::group_id.eq_any(groups))
        .filter(group_sessions::starts_at.gt(now - chrono::Duration::minutes(480)))
        .select((
            group_sessions::all_columns,
            program_groups::name,
            program_groups::time_zone,
        ))
        .order((group_sessions::starts_at, group_sessions::id))
        .load(conn)
}

/// Takes a seat in a group that takes placements with one conditional write: 1 when taken, 0
/// when it takes none now or has no free seat. Concurrent callers (any number of API instances) never take
/// more seats than the capacity.
pub fn take_seat(conn: &mut Conn, group_id: &str, now: NaiveDateTime) -> QueryResult<usize> {
    // The statuses of `GroupKind::takes_placements` with a seat left: open, or a running
    // drop-in group.
    let taken = diesel::update(
        program_groups::table
            .filter(program_groups::id.eq(group_id))
            .filter(
                program_groups::status
                    .eq(GroupStatus::Open)
                    .or(program_groups::status
                        .eq(GroupStatus::Running)
                        .and(program_groups::kind.eq(GroupKind::Informal))),
            )
            .filter(program_groups::seats_taken.lt(program_groups::capacity)),
    )
    .set((
        program_groups::seats_taken.eq(program_groups::seats_taken + 1),
        program_groups::version.eq(program_groups::version + 1),
        program_groups::updated_at.eq(now),
    ))
    .execute(conn)?;
    diesel::update(
        program_groups::table
            .filter(program_groups::id.eq(group_id))
            .filter(program_groups::status.eq(GroupStatus::Open))
            .filter(program_groups::seats_taken.ge(program_groups::capacity)),
    )
    .set(program_groups::status.eq(GroupStatus::Full))
    .execute(conn)?;
    Ok(taken)
}

/// Frees a seat; a full group opens again.
pub fn free_seat(conn: &mut Conn, group_id: &str, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(
        program_groups::table
            .filter(program_groups::id.eq(group_id))
            .filter(program_groups::seats_taken.gt(0)),
    )
    .set((
        program_groups::seats_taken.eq(program_groups::seats_taken - 1),
        program_groups::version.eq(program_groups::version + 1),
        program_groups::updated_at.eq(now),
    ))
    .execute(conn)?;
    diesel::update(
        program_groups::table
            .filter(program_groups::id.eq(group_id))
            .filter(program_groups::status.eq(GroupStatus::Full))
            .filter(program_groups::seats_taken.lt(program_groups::capacity)),
    )
    .set(program_groups::status.eq(GroupStatus::Open))
    .execute(conn)
    .map(|_| ())
}

/// Puts a participant on a group's roster with `status` (adding them if they are not on it).
pub fn set_participant(
    conn: &mut Conn,
    group_id: &str,
    user_id: &str,
    status: ParticipantStatus,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let updated = diesel::update(
        group_participants::table
            .filter(group_participants::group_id.eq(group_id))
            .filter(group_participants::user_id.eq(user_id)),
    )
    .set(group_participants::status.eq(status))
    .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(group_participants::table)
            .values((
                group_participants::group_id.eq(group_id),
                group_participants::user_id.eq(user_id),
                group_participants::status.eq(status),
                group_participants::joined_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Starts of a group's scheduled sessions from `now` on.
pub fn upcoming_starts(
    conn: &mut Conn,
    group_id: &str,
    now: NaiveDateTime,
) -> QueryResult<Vec<NaiveDateTime>> {
    group_sessions::table
        .filter(group_sessions::group_id.eq(group_id))
        .filter(group_sessions::status.eq(SessionStatus::Scheduled))
        .filter(group_sessions::starts_at.ge(now))
        .select(group_sessions::starts_at)
        .order(group_sessions::starts_at)
        .load(conn)
}

/// An attendance recorded for one person, with its session's group and start.
#[derive(Debug, Queryable)]
pub struct AttendanceLine {
    pub session_id: String,
    pub group_id: String,
    pub group_name: String,
    pub starts_at: NaiveDateTime,
    pub present: bool,
    pub recorded_at: NaiveDateTime,
}

/// Every attendance recorded for one person, oldest session first.
pub fn attendance_of_person(conn: &mut Conn, user_id: &str) -> QueryResult<Vec<AttendanceLine>> {
    attendance::table
        .inner_join(group_sessions::table.inner_join(program_groups::table))
        .filter(attendance::participant_id.eq(user_id))
        .select((
            attendance::session_id,
            group_sessions::group_id,
            program_groups::name,
            group_sessions::starts_at,
            attendance::present,
            attendance::recorded_at,
        ))
        .order((group_sessions::starts_at, attendance::session_id))
        .load(conn)
}
