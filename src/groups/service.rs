use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use chrono_tz::Tz;
use serde_json::json;

use super::{models::*, repository, schedule};
use crate::{
    audit::{self, Entry},
    auth::{AuthUser, Role},
    db::{self, Conn},
    domain::{contact, time, version::ExpectedVersion},
    error::{ApiError, FieldError},
    pagination::{Cursor, PageRequest},
};

fn tz_of(group: &GroupRow) -> Tz {
    group.time_zone.parse().unwrap_or(chrono_tz::UTC)
}

/// May `caller` see the group's facilitators and meeting links: staff, its facilitators and
/// its active participants.
fn is_insider(
    conn: &mut Conn,
    caller: Option<&AuthUser>,
    group_id: &str,
) -> Result<bool, ApiError> {
    let Some(caller) = caller else {
        return Ok(false);
    };
    Ok(caller.role.is_staff()
        || repository::is_facilitator(conn, group_id, &caller.id)?
        || repository::active_since(conn, group_id, &caller.id)?.is_some())
}

/// The group for someone who leads it: staff, or one of its facilitators. Anyone else — a
/// facilitator of another group included — is told it does not exist.
pub(crate) fn group_led_by(
    conn: &mut Conn,
    caller: &AuthUser,
    group_id: &str,
) -> Result<GroupRow, ApiError> {
    let group = repository::find_group(conn, group_id)?.ok_or(ApiError::NotFound)?;
    if caller.role.is_staff() || repository::is_facilitator(conn, group_id, &caller.id)? {
        Ok(group)
    } else {
        Err(ApiError::NotFound)
    }
}

fn group_view(conn: &mut Conn, row: GroupRow, insider: bool) -> Result<Group, ApiError> {
    let mut views = group_views(conn, vec![(row, insider)])?;
    views.pop().ok_or(ApiError::NotFound)
}

/// Views of a page of groups, each with whether the caller is one of its insiders: the
/// audiences, session counts and (insiders') facilitators of the whole page in three queries.
fn group_views(conn: &mut Conn, rows: Vec<(GroupRow, bool)>) -> Result<Vec<Group>, ApiError> {
    let ids: Vec<String> = rows.iter().map(|(r, _)| r.id.clone()).collect();
    let mut audiences: HashMap<String, Vec<Audience>> = HashMap::new();
    for (group_id, audience) in repository::audiences_of(conn, &ids)? {
        audiences.entry(group_id).or_default().push(audience);
    }
    let counts: HashMap<String, i64> = repository::session_counts(conn, &ids)?
        .into_iter()
        .collect();
    let insiders: Vec<String> = rows
        .iter()
        .filter(|(_, insider)| *insider)
        .map(|(r, _)| r.id.clone())
        .collect();
    let mut facilitators = facilitators_of(conn, &insiders)?;
    Ok(rows
        .into_iter()
        .map(|(row, insider)| {
            let audience = audiences.remove(&row.id).unwrap_or_default();
            let count = counts.get(&row.id).copied().unwrap_or(0);
            let leads = insider.then(|| facilitators.remove(&row.id).unwrap_or_default());
            build_group(row, audience, count, leads, insider)
        })
        .collect())
}

/// The facilitators of the given groups, by group.
fn facilitators_of(
    conn: &mut Conn,
    group_ids: &[String],
) -> Result<HashMap<String, Vec<Facilitator>>, ApiError> {
    let mut by_group: HashMap<String, Vec<Facilitator>> = HashMap::new();
    if group_ids.is_empty() {
        return Ok(by_group);
    }
    for (group_id, id, display_name, role) in repository::facilitators_of(conn, group_ids)? {
        by_group.entry(group_id).or_default().push(Facilitator {
            id,
            display_name,
            role,
        });
    }
    Ok(by_group)
}

fn build_group(
    row: GroupRow,
    audience: Vec<Audience>,
    session_count: i64,
    facilitators: Option<Vec<Facilitator>>,
    insider: bool,
) -> Group {
    Group {
        kind: row.kind,
        status: row.status,
        language: row.language,
        seats_available: (row.capacity - row.seats_taken).max(0),
        meeting_link: if insider { row.meeting_link } else { None },
        id: row.id,
        name: row.name,
        description: row.description,
        audience,
        identity_focus: row.identity_focus,
        time_zone: row.time_zone,
        capacity: row.capacity,
        session_count,
        facilitators,
        created_at: row.created_at.and_utc(),
        updated_at: row.updated_at.and_utc(),
    }
}

/// Checks that every id is an active peer supporter or mental health professional.
fn check_facilitators(conn: &mut Conn, ids: &[String]) -> Result<Vec<String>, ApiError> {
    let mut unique: Vec<String> = Vec::new();
    for id in ids {
        if !unique.contains(id) {
            unique.push(id.clone());
        }
    }
    let found: HashMap<String, (Role, bool)> = repository::accounts(conn, &unique)?
        .into_iter()
        .map(|(id, role, disabled)| (id, (role, disabled)))
        .collect();
    let errors: Vec<FieldError> = ids
        .iter()
        .enumerate()
        .filter(|(_, id)| !matches!(found.get(*id), Some((role, false)) if role.is_facilitator()))
        .map(|(i, _)| {
            FieldError::new(
                format!("facilitator_ids[{i}]"),
                "facilitator",
                "is not an active peer supporter or mental health professional",
            )
        })
        .collect();
    if errors.is_empty() {
        Ok(unique)
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// Each audience once, in a stable order.
fn distinct(audience: &[Audience]) -> Vec<Audience> {
    let set: std::collections::BTreeSet<Audience> = audience.iter().copied().collect();
    set.into_iter().collect()
}

pub fn create_group(
    conn: &mut Conn,
    caller: &AuthUser,
    request: &CreateGroup,
) -> Result<(Group, i64), ApiError> {
    let now = db::now();
    let row = GroupRow {
        id: db::new_id(),
        name: request.name.trim().to_string(),
        description: request.description.clone(),
        kind: request.kind,
        language: request.language,
        identity_focus: request
            .identity_focus
            .as_ref()
            .map(|f| f.trim().to_lowercase()),
        time_zone: request.time_zone.clone(),
        capacity: request.capacity,
        seats_taken: 0,
        status: GroupStatus::Planned,
        meeting_link: request
            .meeting_link
            .as_deref()
            .map(contact::normal_web_address),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    db::write_transaction(conn, |conn| {
        let facilitator_ids = check_facilitators(conn, &request.facilitator_ids)?;
        repository::insert_group(conn, &row)?;
        repository::replace_audiences(conn, &row.id, &distinct(&request.audience))?;
        repository::replace_facilitators(conn, &row.id, &facilitator_ids)?;
        audit::record(
            conn,
            Entry::by(caller, "group.created", "group", &row.id)
                .with_details(json!({"kind": row.kind})),
        )?;
        Ok((group_view(conn, row.clone(), true)?, row.version))
    })
}

pub fn get_group(
    conn: &mut Conn,
    caller: Option<&AuthUser>,
    id: &str,
) -> Result<(Group, i64), ApiError> {
    let row = repository::find_group(conn, id)?.ok_or(ApiError::NotFound)?;
    let insider = is_insider(conn, caller, id)?;
    let version = row.version;
    Ok((group_view(conn, row, insider)?, version))
}

pub fn list_groups(
    conn: &mut Conn,
    caller: Option<&AuthUser>,
    filter: &GroupFilter,
    page: &PageRequest,
) -> Result<GroupList, ApiError> {
    let rows = repository::list_groups(conn, filter, page)?;
    let (rows, next_cursor) = page.finish(rows, |r| Cursor {
        created_at: r.created_at,
        id: r.id.clone(),
    });
    let member_of: HashSet<String> = match caller {
        Some(c) if !c.role.is_staff() => repository::groups_of_member(conn, &c.id)?
            .into_iter()
            .collect(),
        _ => HashSet::new(),
    };
    let rows = rows
        .into_iter()
        .map(|row| {
            let insider = caller.is_some_and(|c| c.role.is_staff()) || member_of.contains(&row.id);
            (row, insider)
        })
        .collect();
    Ok(GroupList {
        items: group_views(conn, rows)?,
        next_cursor,
    })
}

pub fn update_group(
    conn: &mut Conn,
    caller: &AuthUser,
    id: &str,
    expected: &ExpectedVersion,
    changes: &UpdateGroup,
) -> Result<(Group, i64), ApiError> {
    db::write_transaction(conn, |conn| {
        let current = repository::find_group(conn, id)?.ok_or(ApiError::NotFound)?;
        expected.check(current.version)?;
        let mut row = current.clone();
        let now = db::now();
        if let Some(name) = &changes.name {
            row.name = name.trim().to_string();
        }
        if let Some(description) = &changes.description {
            row.description = Some(description.clone());
        }
        if let Some(focus) = &changes.identity_focus {
            row.identity_focus = Some(focus.trim().to_lowercase());
        }
        if let Some(tz) = &changes.time_zone {
            row.time_zone = tz.clone();
        }
        if let Some(link) = &changes.meeting_link {
            row.meeting_link = Some(contact::normal_web_address(link));
        }
        if let Some(capacity) = changes.capacity {
            if capacity < current.seats_taken {
                return Err(ApiError::Validation(vec![FieldError::new(
                    "capacity",
                    "range",
                    format!("is below the {} seats already taken", current.seats_taken),
                )]));
            }
            row.capacity = capacity;
        }
        if let Some(ids) = &changes.facilitator_ids {
            let ids = check_facilitators(conn, ids)?;
            repository::replace_facilitators(conn, id, &ids)?;
        }
        if let Some(audience) = &changes.audience {
            repository::replace_audiences(conn, id, &distinct(audience))?;
        }
        // Seats follow capacity: a group whose seats are all taken is full, and open again
        // when one frees.
        let mut status = current.status;
        if let Some(target) = changes.status {
            if target != status {
                status = move_group(conn, &current, target)?;
                if status == GroupStatus::Cancelled {
                    repository::cancel_scheduled_sessions(conn, id, "group cancelled", now)?;
                }
                audit::record(
                    conn,
                    Entry::by(caller, "group.status_changed", "group", id)
                        .with_details(json!({"from": current.status, "to": status})),
                )?;
            }
        }
        // A group under way keeps the facilitators its kind needs, whatever the change.
        if changes.facilitator_ids.is_some() && status.is_under_way() {
            require_facilitators(conn, &current, Some(status))?;
        }
        status = match status {
            GroupStatus::Open if row.seats_taken >= row.capacity => GroupStatus::Full,
            GroupStatus::Full if row.seats_taken < row.capacity => GroupStatus::Open,
            other => other,
        };
        row.status = status;
        row.updated_at = now;
        if repository::update_group(conn, &row, current.version)? == 0 {
            return Err(ApiError::PreconditionFailed);
        }
        let updated = repository::find_group(conn, id)?.ok_or(ApiError::NotFound)?;
        let version = updated.version;
        Ok((group_view(conn, updated, true)?, version))
    })
}

/// The status a move leads to, if the lifecycle allows it and the group meets its kind's rules
/// for opening: its facilitators and, for a formal cohort, all ten sessions scheduled.
fn move_group(
    conn: &mut Conn,
    group: &GroupRow,
    target: GroupStatus,
) -> Result<GroupStatus, ApiError> {
    let from = group.status;
    if !from.allowed_moves().contains(&target) {
        return Err(ApiError::InvalidTransition {
            action: format!("move the group to {}", target.as_str()),
            from: from.as_str().to_string(),
            allowed: from
                .allowed_moves()
                .iter()
                .map(|s| s.as_str().to_string())
                .collect(),
        });
    }
    if target == GroupStatus::Open {
        if let Some(needed) = group.kind.sessions_to_open() {
            let scheduled = repository::count_scheduled(conn, &group.id)?;
            if scheduled != needed {
                return Err(ApiError::GroupRuleBroken(format!(
                    "a {} group opens only with exactly {needed} scheduled sessions; it has {scheduled}",
                    group.kind
                )));
            }
        }
        require_facilitators(conn, group, None)?;
    }
    Ok(target)
}

/// An admin changed a facilitator's role or access (already written, in the change's
/// transaction): refused when a group they lead that is under way would be left without an
/// active facilitator of a role its kind needs (users' reaction, wired in `crate::reactions`).
pub fn facilitator_account_changed(conn: &mut Conn, user_id: &str) -> Result<(), ApiError> {
    for group in repository::under_way_facilitated_by(conn, user_id)? {
        let status = group.status;
        require_facilitators(conn, &group, Some(status)).map_err(|e| match e {
            ApiError::GroupRuleBroken(why) => ApiError::GroupRuleBroken(format!(
                "{why} ({}): give the group another facilitator first",
                group.name
            )),
            other => other,
        })?;
    }
    Ok(())
}

/// Refuses when the group's facilitators (as stored now, active accounts only) lack a role its
/// kind needs: to open
/// (`staying: None`), or to stay in a status under way.
fn require_facilitators(
    conn: &mut Conn,
    group: &GroupRow,
    staying: Option<GroupStatus>,
) -> Result<(), ApiError> {
    let roles = repository::active_facilitator_roles(conn, &group.id)?;
    let missing: Vec<&str> = group
        .kind
        .needed_facilitators()
        .iter()
        .filter(|r| !roles.contains(r))
        .map(|r| r.as_str())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let missing = missing.join(", ");
    Err(ApiError::GroupRuleBroken(match staying {
        Some(status) => format!(
            "a {status} {} group must keep a facilitator who is: {missing}",
            group.kind
        ),
        None => format!(
            "a {} group cannot open without a facilitator who is: {missing}",
            group.kind
        ),
    }))
}

fn session_view(row: SessionRow, tz_name: &str, show_link: bool) -> Session {
    let tz: Tz = tz_name.parse().unwrap_or(chrono_tz::UTC);
    let starts_at = row.starts_at.and_utc();
    Session {
        // Rows stored before times were bounded still end at a time RFC 3339 can write.
        ends_at: time::later_or_latest(
            row.starts_at,
            Duration::minutes(i64::from(row.duration_minutes)),
        )
        .and_utc(),
        local_starts_at: schedule::local_rfc3339(starts_at, tz),
        time_zone: tz_name.to_string(),
        status: row.status,
        meeting_link: if show_link { row.meeting_link } else { None },
        id: row.id,
        group_id: row.group_id,
        topic: row.topic,
        starts_at,
        duration_minutes: row.duration_minutes,
        cancel_reason: row.cancel_reason,
    }
}

pub fn list_sessions(
    conn: &mut Conn,
    caller: Option<&AuthUser>,
    group_id: &str,
) -> Result<SessionList, ApiError> {
    let group = repository::find_group(conn, group_id)?.ok_or(ApiError::NotFound)?;
    let insider = is_insider(conn, caller, group_id)?;
    let items = repository::sessions_of(conn, group_id)?
        .into_iter()
        .map(|s| session_view(s, &group.time_zone, insider))
        .collect();
    Ok(SessionList {
        items,
        next_cursor: None,
    })
}

/// One session or a weekly series. Informal groups hold at most 8 scheduled sessions, formal
/// ones 10, each with a topic.
pub fn create_sessions(
    conn: &mut Conn,
    caller: &AuthUser,
    group_id: &str,
    request: &CreateSessions,
) -> Result<Vec<Session>, ApiError> {
    db::write_transaction(conn, |conn| {
        let group = group_led_by(conn, caller, group_id)?;
        if matches!(
            group.status,
            GroupStatus::Completed | GroupStatus::Cancelled
        ) {
            return Err(ApiError::Conflict(format!("the group is {}", group.status)));
        }
        let count = request.count.unwrap_or(1);
        let kind = group.kind;
        let topics = request.topics.clone().unwrap_or_default();
        if kind == GroupKind::Formal && topics.len() != count as usize {
            return Err(ApiError::Validation(vec![FieldError::new(
                "topics",
                "topics",
                format!("a formal group's sessions each need a topic: give {count}"),
            )]));
        }
        if !topics.is_empty() && topics.len() != count as usize {
            return Err(ApiError::Validation(vec![FieldError::new(
                "topics",
                "topics",
                format!("give one topic per session ({count}), or none"),
            )]));
        }
        if let Some(i) = topics
            .iter()
            .position(|t| t.trim().is_empty() || t.len() > 200)
        {
            return Err(ApiError::Validation(vec![FieldError::new(
                format!("topics[{i}]"),
                "length",
                "must be 1 to 200 characters",
            )]));
        }
        let now = db::now();
        repository::lock_group(conn, group_id, now)?;
        let scheduled = repository::count_scheduled(conn, group_id)?;
        if scheduled + i64::from(count) > kind.max_sessions() {
            return Err(ApiError::Conflict(format!(
                "an {} group has at most {} sessions; {scheduled} are scheduled",
                kind.as_str(),
                kind.max_sessions()
            )));
        }
        let duration_minutes = request.duration_minutes.unwrap_or(90);
        let starts = schedule::weekly_series(request.starts_at, count, tz_of(&group))
            .filter(|starts| {
                starts
                    .iter()
                    .all(|start| ends_in_range(start.naive_utc(), duration_minutes))
            })
            .ok_or_else(|| ends_too_late("starts_at"))?;
        let mut created = Vec::with_capacity(starts.len());
        for (i, start) in starts.into_iter().enumerate() {
            let row = SessionRow {
                id: db::new_id(),
                group_id: group_id.to_string(),
                topic: topics.get(i).map(|t| t.trim().to_string()),
                starts_at: start.naive_utc(),
                duration_minutes,
                meeting_link: request
                    .meeting_link
                    .as_deref()
                    .map(contact::normal_web_address)
                    .or_else(|| group.meeting_link.clone()),
                status: SessionStatus::Scheduled,
                cancel_reason: None,
                version: 1,
                created_at: now,
                updated_at: now,
            };
            repository::insert_session(conn, &row)?;
            created.push(session_view(row, &group.time_zone, true));
        }
        Ok(created)
    })
}

pub fn get_session(
    conn: &mut Conn,
    caller: Option<&AuthUser>,
    id: &str,
) -> Result<(Session, i64), ApiError> {
    let session = repository::find_session(conn, id)?.ok_or(ApiError::NotFound)?;
    let group = repository::find_group(conn, &session.group_id)?.ok_or(ApiError::NotFound)?;
    let insider = is_insider(conn, caller, &group.id)?;
    let version = session.version;
    Ok((session_view(session, &group.time_zone, insider), version))
}

pub fn update_session(
    conn: &mut Conn,
    caller: &AuthUser,
    id: &str,
    expected: &ExpectedVersion,
    changes: &UpdateSession,
    feedback_window: std::time::Duration,
) -> Result<(Session, i64), ApiError> {
    db::write_transaction(conn, |conn| {
        let current = repository::find_session(conn, id)?.ok_or(ApiError::NotFound)?;
        let group = group_led_by(conn, caller, &current.group_id)?;
        expected.check(current.version)?;
        if current.status == SessionStatus::Cancelled {
            return Err(ApiError::InvalidTransition {
                action: "change a session".into(),
                from: current.status.to_string(),
                allowed: vec![],
            });
        }
        refuse_moving_an_opened_window(&current, changes, feedback_window, db::now())?;
        let mut row = current.clone();
        if let Some(start) = changes.starts_at {
            row.starts_at = start.naive_utc();
        }
        if let Some(minutes) = changes.duration_minutes {
            row.duration_minutes = minutes;
        }
        if !ends_in_range(row.starts_at, row.duration_minutes) {
            let field = if changes.starts_at.is_some() {
                "starts_at"
            } else {
                "duration_minutes"
            };
            return Err(ends_too_late(field));
        }
        if let Some(topic) = &changes.topic {
            row.topic = Some(topic.trim().to_string());
        }
        if let Some(link) = &changes.meeting_link {
            row.meeting_link = Some(contact::normal_web_address(link));
        }
        if changes.status == Some(SessionStatus::Cancelled) {
            let Some(reason) = &changes.cancel_reason else {
                return Err(ApiError::Validation(vec![FieldError::new(
                    "cancel_reason",
                    "required",
                    "is required to cancel a session",
                )]));
            };
            row.status = SessionStatus::Cancelled;
            row.cancel_reason = Some(reason.trim().to_string());
        }
        row.updated_at = db::now();
        if repository::update_session(conn, &row, current.version)? == 0 {
            return Err(ApiError::PreconditionFailed);
        }
        let version = current.version + 1;
        Ok((session_view(row, &group.time_zone, true), version))
    })
}

/// Whether a session starting at `start` ends within the accepted years, so its `ends_at` is
/// a time RFC 3339 can write.
fn ends_in_range(start: NaiveDateTime, duration_minutes: i32) -> bool {
    time::later(start, Duration::minutes(i64::from(duration_minutes))).is_some()
}

fn ends_too_late(field: &str) -> ApiError {
    ApiError::Validation(vec![FieldError::new(
        field,
        "date_range",
        "the session (every session of a series) must end by 9999-12-31T23:59:59Z",
    )])
}

/// A session's feedback window opens when it starts: from then on its time is fixed, or a
/// facilitator could re-open the window for one more answer and read that person's ratings off
/// the difference of two summaries; nor may a session that has not started move into the past
/// (its window would open at will). Once the window has closed the session may be in a released
/// summary, so it can no longer be cancelled either (summaries leave cancelled sessions out);
/// cancelled while its window is open, it never enters one.
fn refuse_moving_an_opened_window(
    current: &SessionRow,
    changes: &UpdateSession,
    feedback_window: std::time::Duration,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let new_start = changes
        .starts_at
        .map(|start| start.naive_utc())
        .filter(|start| *start != current.starts_at);
    let new_duration = changes
        .duration_minutes
        .filter(|minutes| *minutes != current.duration_minutes);
    let window = Duration::from_std(feedback_window).unwrap_or(Duration::MAX);
    let closed = current
        .starts_at
        .checked_add_signed(window)
        .is_some_and(|end| end <= now);
    if current.starts_at <= now && (new_start.is_some() || new_duration.is_some()) {
        return Err(ApiError::Conflict(
            "feedback on this session has opened; its time can no longer change".into(),
        ));
    }
    if closed && changes.status == Some(SessionStatus::Cancelled) {
        return Err(ApiError::Conflict(
            "feedback on this session has closed and counts in its summaries; it can no longer \
             be cancelled"
                .into(),
        ));
    }
    if new_start.is_some_and(|start| start <= now) {
        return Err(ApiError::Validation(vec![FieldError::new(
            "starts_at",
            "future",
            "must be later than now: a session that has not started cannot move into the past",
        )]));
    }
    Ok(())
}

/// The group's participants and their attendance, for those who lead it (safety notes are
/// intake's to add: `intake::placements::roster`).
pub fn roster(conn: &mut Conn, caller: &AuthUser, group_id: &str) -> Result<Roster, ApiError> {
    group_led_by(conn, caller, group_id)?;
    let attended: HashMap<String, i64> = repository::attendance_counts(conn, group_id)?
        .into_iter()
        .collect();
    let items = repository::roster(conn, group_id)?
        .into_iter()
        .map(
            |(participant_id, display_name, status, joined_at)| RosterEntry {
                safety_notes: None,
                sessions_attended: attended.get(&participant_id).copied().unwrap_or(0),
                participant_id,
                display_name,
                status,
                joined_at: joined_at.and_utc(),
            },
        )
        .collect();
    Ok(Roster { items })
}

/// Records attendance for participants on the group's roster.
pub fn record_attendance(
    conn: &mut Conn,
    caller: &AuthUser,
    session_id: &str,
    request: &RecordAttendance,
) -> Result<AttendanceSheet, ApiError> {
    db::write_transaction(conn, |conn| {
        let session = repository::find_session(conn, session_id)?.ok_or(ApiError::NotFound)?;
        group_led_by(conn, caller, &session.group_id)?;
        if session.status == SessionStatus::Cancelled {
            return Err(ApiError::Conflict("the session was cancelled".into()));
        }
        let roster: HashSet<String> = repository::roster(conn, &session.group_id)?
            .into_iter()
            .map(|(id, ..)| id)
            .collect();
        let mut seen = HashSet::new();
        let errors: Vec<FieldError> = request
            .records
            .iter()
            .enumerate()
            .filter_map(|(i, mark)| {
                let field = format!("records[{i}].participant_id");
                if !roster.contains(&mark.participant_id) {
                    Some(FieldError::new(
                        field,
                        "roster",
                        "is not on the group's roster",
                    ))
                } else if !seen.insert(mark.participant_id.clone()) {
                    Some(FieldError::new(
                        field,
                        "duplicate",
                        "appears more than once",
                    ))
                } else {
                    None
                }
            })
            .collect();
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        let now = db::now();
        for mark in &request.records {
            repository::mark_attendance(
                conn,
                session_id,
                &mark.participant_id,
                mark.present,
                &caller.id,
                now,
            )?;
        }
        let records = repository::attendance_of(conn, session_id)?
            .into_iter()
            .map(
                |(participant_id, display_name, present, recorded_at)| AttendanceRecord {
                    participant_id,
                    display_name,
                    present,
                    recorded_at: recorded_at.and_utc(),
                },
            )
            .collect();
        Ok(AttendanceSheet {
            session_id: session_id.to_string(),
            records,
        })
    })
}

/// The caller's upcoming (not yet ended) sessions in the groups they are placed in, with links.
pub fn my_sessions(conn: &mut Conn, caller: &AuthUser) -> Result<MySessionList, ApiError> {
    let now = Utc::now();
    let items = repository::upcoming_sessions_of_participant(conn, &caller.id, now.naive_utc())?
        .into_iter()
        .map(|(row, group_name, tz)| MySession {
            group_name,
            session: session_view(row, &tz, true),
        })
        .filter(|s| s.session.ends_at > now)
        .collect();
    Ok(MySessionList { items })
}

/// Every attendance recorded for one person, oldest session first (their export).
pub fn attendance_of_person(conn: &mut Conn, user_id: &str) -> Result<Vec<MyAttendance>, ApiError> {
    Ok(repository::attendance_of_person(conn, user_id)?
        .into_iter()
        .map(|line| MyAttendance {
            session_id: line.session_id,
            group_id: line.group_id,
            group_name: line.group_name,
            session_starts_at: line.starts_at.and_utc(),
            present: line.present,
            recorded_at: line.recorded_at.and_utc(),
        })
        .collect())
}

// What placements and feedback ask of groups: their only door into the groups' tables.

/// A group as it is now, for the rules of the levels above (placement, feedback).
pub fn find_group(conn: &mut Conn, group_id: &str) -> Result<Option<GroupRow>, ApiError> {
    Ok(repository::find_group(conn, group_id)?)
}

/// Who a group is for, for the placement rules of the levels above.
pub fn audiences_of(conn: &mut Conn, group_id: &str) -> Result<Vec<Audience>, ApiError> {
    Ok(
        repository::audiences_of(conn, std::slice::from_ref(&group_id.to_string()))?
            .into_iter()
            .map(|(_, audience)| audience)
            .collect(),
    )
}

/// A session as it is now, for the rules of the levels above.
pub fn find_session(conn: &mut Conn, session_id: &str) -> Result<Option<SessionRow>, ApiError> {
    Ok(repository::find_session(conn, session_id)?)
}

/// Takes a seat with one conditional write: `false` when the group takes no placements now
/// (`GroupKind::takes_placements`) or has no free seat. Concurrent callers (any number of API
/// instances) never take more seats than the capacity; the last seat makes an open group
/// `full` (a running drop-in group stays `running`).
pub fn take_seat(conn: &mut Conn, group_id: &str, now: NaiveDateTime) -> Result<bool, ApiError> {
    Ok(repository::take_seat(conn, group_id, now)? == 1)
}

/// Frees a seat; a full group opens again.
pub fn free_seat(conn: &mut Conn, group_id: &str, now: NaiveDateTime) -> Result<(), ApiError> {
    Ok(repository::free_seat(conn, group_id, now)?)
}

/// Puts a person on a group's roster with `status` (adding them if they are not on it yet).
pub fn set_participant(
    conn: &mut Conn,
    group_id: &str,
    user_id: &str,
    status: ParticipantStatus,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    Ok(repository::set_participant(
        conn, group_id, user_id, status, now,
    )?)
}

/// Whether the person was placed in the session's group when it started: an active participant
/// who joined at or before its start (a placement made later does not reach back).
pub fn placed_before(
    conn: &mut Conn,
    session: &SessionRow,
    user_id: &str,
) -> Result<bool, ApiError> {
    Ok(repository::active_since(conn, &session.group_id, user_id)?
        .is_some_and(|joined| joined <= session.starts_at))
}

/// How many distinct people were at a session: placed in its group before it started (and still
/// placed), or marked present.
pub fn people_at(conn: &mut Conn, session: &SessionRow) -> Result<usize, ApiError> {
    let mut people: std::collections::HashSet<String> =
        repository::active_participants_since(conn, &session.group_id, session.starts_at)?
            .into_iter()
            .collect();
    people.extend(repository::present_at(conn, &session.id)?);
    Ok(people.len())
}

/// Whether the person was marked present at the session.
pub fn was_present(conn: &mut Conn, session_id: &str, user_id: &str) -> Result<bool, ApiError> {
    Ok(repository::attendance_of(conn, session_id)?
        .iter()
        .any(|(participant, _, present, _)| participant == user_id && *present))
}

/// The starts of a group's scheduled sessions from `now` on.
pub fn upcoming_starts(
    conn: &mut Conn,
    group_id: &str,
    now: NaiveDateTime,
) -> Result<Vec<DateTime<Utc>>, ApiError> {
    Ok(repository::upcoming_starts(conn, group_id, now)?
        .into_iter()
        .map(|t| t.and_utc())
        .collect())
}
