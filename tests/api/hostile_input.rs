//! Input an attacker crafts: cursors no backend can hold, dates outside years 1–9999, session
//! times whose end would leave them, and links that run script. None of it may answer 5xx; each
//! refusal is a 422 naming the field and changes nothing. The crafted cases come first, then
//! property tests (`proptest`, a fixed seed and a bounded number of cases) that throw generated
//! cursors, dates, strings and addresses at every list and every date and link field.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use proptest::{
    prelude::*,
    test_runner::{Config, RngSeed, TestRunner},
};
use serde_json::{json, Value};

use crate::{
    helpers::{Response, Session, TestApp},
    intake::{act, program, Program},
};

/// Every byte but the unreserved ones percent-encoded, so a generated value stays one
/// query parameter.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Asserts a 422 `validation-failed` whose errors name `field`.
#[track_caller]
fn refused_naming(res: &Response, field: &str) {
    let problem = res.problem(422, "validation-failed");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert!(fields.contains(&field), "{field} not in {fields:?}");
}

/// Accounts, a group with one session, and an application waiting for its meeting.
struct World {
    program: Program,
    peer: Session,
    partner: String,
    group_id: String,
    session_id: String,
    application_id: String,
}

fn world(app: &TestApp) -> World {
    let program = program(app);
    let (_, partner) = app.partner(&program.admin);
    let group = app.json(
        "POST",
        "/api/v1/groups",
        Some(&program.coordinator.access),
        &json!({"name": "Hostile input", "kind": "informal", "language": "en",
                "audience": ["veteran"], "time_zone": "America/Toronto", "capacity": 10,
                "meeting_link": "https://teams.example.ca/l/room"}),
    );
    assert_eq!(group.status, 201, "{}", group.body);
    let group_id = group.json()["id"].as_str().unwrap().to_string();
    let session = app.json(
        "POST",
        &format!("/api/v1/groups/{group_id}/sessions"),
        Some(&program.coordinator.access),
        &json!({"starts_at": "2030-01-09T00:00:00Z"}),
    );
    assert_eq!(session.status, 201, "{}", session.body);
    let session_id = session.json()["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let peer = app.peer("hostile-peer@example.ca");
    let application_id = crate::intake::apply(app, &peer, "en");
    for (token, action, body) in [
        (&program.coordinator.access, "assign", json!({})),
        (
            &peer.access,
            "form",
            json!({"reasons_for_joining": "To talk with people who understand."}),
        ),
    ] {
        let res = act(app, token, &application_id, action, body);
        assert_eq!(res.status, 200, "{action}: {}", res.body);
    }
    World {
        program,
        peer,
        partner,
        group_id,
        session_id,
        application_id,
    }
}

impl World {
    /// Every paginated list, with a caller allowed to read it, and its filter parameters.
    fn lists(&self) -> Vec<(&'static str, Option<&str>, &'static [&'static str])> {
        let coordinator = Some(self.program.coordinator.access.as_str());
        let admin = Some(self.program.admin.access.as_str());
        let peer = Some(self.peer.access.as_str());
        vec![
            (
                "/api/v1/groups",
                None,
                &["kind", "language", "status", "audience", "identity_focus"],
            ),
            (
                "/api/v1/directory/listings",
                None,
                &[
                    "province", "audience", "delivery", "language", "q", "status",
                ],
            ),
            (
                "/api/v1/intake-applications",
                coordinator,
                &["status", "assigned_to", "overdue"],
            ),
            ("/api/v1/intake-applications", peer, &["status"]),
            ("/api/v1/me/notifications", peer, &[]),
            ("/api/v1/consent-records", peer, &["person_id"]),
            (
                "/api/v1/audit-events",
                admin,
                &[
                    "action",
                    "actor_id",
                    "resource_type",
                    "resource_id",
                    "since",
                    "until",
                ],
            ),
            ("/api/v1/users", admin, &["role", "disabled", "email"]),
            ("/api/v1/partners", admin, &[]),
            (
                "/api/v1/referrals",
                Some(self.partner.as_str()),
                &["modified_after"],
            ),
        ]
    }

    fn get(&self, app: &TestApp, path: &str, token: Option<&str>) -> Response {
        match token {
            Some(token) => app.get_as(path, token),
            None => app.get(path),
        }
    }

    fn coordinator(&self) -> &str {
        &self.program.coordinator.access
    }

    /// What a refused write must leave as it was.
    fn state(&self, app: &TestApp) -> Value {
        let read = |path: String| {
            let res = app.get_as(&path, self.coordinator());
            assert_eq!(res.status, 200, "{path}: {}", res.body);
            res.json()
        };
        json!({
            "group": read(format!("/api/v1/groups/{}", self.group_id)),
            "sessions": read(format!("/api/v1/groups/{}/sessions", self.group_id)),
            "application": read(format!("/api/v1/intake-applications/{}", self.application_id)),
        })
    }
}

// ---- crafted cases -------------------------------------------------------------------------

fn cursor_of(payload: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(payload)
}

#[test]
fn cursors_no_backend_can_hold_are_422_on_every_list() {
    let app = TestApp::spawn();
    let world = world(&app);
    let crafted = [
        cursor_of(b"1764000000123456|\0"),
        cursor_of(b"1764000000123456|9f0c\0'; --"),
        cursor_of(b"1764000000123456|line\nbreak"),
        cursor_of(format!("1764000000123456|{}", "a".repeat(65)).as_bytes()),
        // Year -250,000, year 0 and past year 9999, as microseconds.
        cursor_of(b"-7951272000000000000|9f0c"),
        cursor_of(b"-62167219200000000|9f0c"),
        cursor_of(b"253402300800000000|9f0c"),
        cursor_of(b"99999999999999999999999999|9f0c"),
        cursor_of(&[0xff, 0xfe, b'|', 0]),
    ];
    for (path, token, _) in world.lists() {
        for cursor in &crafted {
            let res = world.get(&app, &format!("{path}?cursor={cursor}"), token);
            refused_naming(&res, "cursor");
        }
        let fine = cursor_of(b"1764000000123456|9f0c");
        let res = world.get(&app, &format!("{path}?cursor={fine}"), token);
        assert_eq!(res.status, 200, "{path}: {}", res.body);
    }
}

#[test]
fn dates_outside_years_1_to_9999_are_422_naming_the_field() {
    let app = TestApp::spawn();
    let world = world(&app);
    let admin = world.program.admin.access.as_str();
    for (path, token, field) in [
        ("/api/v1/audit-events?since=", admin, "since"),
        ("/api/v1/audit-events?until=", admin, "until"),
        (
            "/api/v1/referrals?modified_after=",
            world.partner.as_str(),
            "modified_after",
        ),
    ] {
        for date in [
            "-250000-01-01T00:00:00Z",
            "0000-12-31T23:59:59Z",
            "+10000-01-01T00:00:00Z",
            "+262142-12-31T23:59:59Z",
        ] {
            let res = app.get_as(&format!("{path}{}", encode(date)), token);
            refused_naming(&res, field);
        }
        for date in ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"] {
            let res = app.get_as(&format!("{path}{}", encode(date)), token);
            assert_eq!(res.status, 200, "{path}{date}: {}", res.body);
        }
    }
    let summary = |from: &str, to: &str| {
        app.get_as(
            &format!(
                "/api/v1/feedback-summary?from={}&to={}",
                encode(from),
                encode(to)
            ),
            world.coordinator(),
        )
    };
    refused_naming(&summary("2026-01-01", "+262142-12-31"), "to");
    refused_naming(&summary("-250000-01-01", "2026-01-01"), "from");
    refused_naming(&summary("0000-01-01", "2026-01-01"), "from");
    assert_eq!(summary("0001-01-01", "9999-12-31").status, 200);
}

#[test]
fn a_session_ends_within_year_9999_or_is_refused_and_its_group_still_reads() {
    let app = TestApp::spawn();
    let world = world(&app);
    let sessions = format!("/api/v1/groups/{}/sessions", world.group_id);
    let before = world.state(&app);
    for (body, field) in [
        (json!({"starts_at": "+262142-12-31T20:00:00Z"}), "starts_at"),
        (json!({"starts_at": "+262142-12-31T23:00:00Z"}), "starts_at"),
        (json!({"starts_at": "9999-12-31T23:00:00Z"}), "starts_at"),
        (
            json!({"starts_at": "9999-12-31T20:00:00Z", "duration_minutes": 480}),
            "starts_at",
        ),
        (
            json!({"starts_at": "9999-12-20T20:00:00Z", "count": 3}),
            "starts_at",
        ),
    ] {
        let res = app.json("POST", &sessions, Some(world.coordinator()), &body);
        refused_naming(&res, field);
    }
    let path = format!("/api/v1/sessions/{}", world.session_id);
    for (body, field) in [
        (json!({"starts_at": "+262142-12-31T20:00:00Z"}), "starts_at"),
        (json!({"starts_at": "9999-12-31T23:00:00Z"}), "starts_at"),
        (json!({"starts_at": "0000-06-01T00:00:00Z"}), "starts_at"),
    ] {
        let res = app.json("PATCH", &path, Some(world.coordinator()), &body);
        refused_naming(&res, field);
    }
    assert_eq!(world.state(&app), before);

    // The last session that fits: its end is valid RFC 3339, and every read of it answers.
    let res = app.json(
        "POST",
        &sessions,
        Some(world.coordinator()),
        &json!({"starts_at": "9999-12-31T22:00:00Z", "duration_minutes": 90}),
    );
    assert_eq!(res.status, 201, "{}", res.body);
    let late = res.json()["items"][0].clone();
    assert_eq!(late["ends_at"], "9999-12-31T23:30:00Z");
    let late_path = format!("/api/v1/sessions/{}", late["id"].as_str().unwrap());
    let longer = app.json(
        "PATCH",
        &late_path,
        Some(world.coordinator()),
        &json!({"duration_minutes": 120}),
    );
    refused_naming(&longer, "duration_minutes");
    for path in [
        late_path.clone(),
        sessions.clone(),
        format!("/api/v1/groups/{}", world.group_id),
        format!("/api/v1/groups/{}/feedback-summary", world.group_id),
        format!(
            "/api/v1/sessions/{}/feedback-summary",
            late["id"].as_str().unwrap()
        ),
        "/api/v1/feedback-summary?from=9999-12-31&to=9999-12-31".into(),
    ] {
        let res = app.get_as(&path, world.coordinator());
        assert_eq!(res.status, 200, "{path}: {}", res.body);
    }
    let listed = app.get_as(&sessions, world.coordinator()).json();
    for session in listed["items"].as_array().unwrap() {
        let ends_at = session["ends_at"].as_str().unwrap();
        assert!(DateTime::parse_from_rfc3339(ends_at).is_ok(), "{ends_at}");
    }
}

#[test]
fn a_meeting_outside_years_1_to_9999_is_refused() {
    let app = TestApp::spawn();
    let world = world(&app);
    let before = world.state(&app);
    for at in [
        "+262142-12-31T20:00:00Z",
        "-250000-01-01T00:00:00Z",
        "0000-01-01T00:00:00Z",
    ] {
        let res = act(
            &app,
            world.coordinator(),
            &world.application_id,
            "schedule-meeting",
            json!({"meeting_at": at, "mode": "phone"}),
        );
        refused_naming(&res, "meeting_at");
    }
    assert_eq!(world.state(&app), before);
}

#[test]
fn links_are_https_only_and_stored_in_normal_form() {
    let app = TestApp::spawn();
    let world = world(&app);
    let group = format!("/api/v1/groups/{}", world.group_id);
    let sessions = format!("/api/v1/groups/{}/sessions", world.group_id);
    let session = format!("/api/v1/sessions/{}", world.session_id);
    let before = world.state(&app);
    for link in [
        "javascript:alert(document.cookie)",
        "JavaScript://example.org/%0Aalert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "file:///etc/passwd",
        "ftp://files.example.org/room",
        "teams.example.ca/l/room",
        "http://teams.example.ca/l/room",
        "https://user:pass@teams.example.ca/l/room",
    ] {
        let mut create = json!({"name": "Links", "kind": "informal", "language": "en",
                                "audience": ["veteran"], "time_zone": "America/Toronto",
                                "capacity": 10});
        create["meeting_link"] = json!(link);
        for (method, path, body) in [
            ("POST", "/api/v1/groups", create),
            ("PATCH", group.as_str(), json!({"meeting_link": link})),
            (
                "POST",
                sessions.as_str(),
                json!({"starts_at": "2031-01-01T00:00:00Z", "meeting_link": link}),
            ),
            ("PATCH", session.as_str(), json!({"meeting_link": link})),
        ] {
            let res = app.json(method, path, Some(world.coordinator()), &body);
            refused_naming(&res, "meeting_link");
        }
    }
    assert_eq!(world.state(&app), before);
    let groups = app.get_as("/api/v1/groups", world.coordinator()).json();
    assert_eq!(groups["items"].as_array().unwrap().len(), 1);

    let res = app.json(
        "PATCH",
        &group,
        Some(world.coordinator()),
        &json!({"meeting_link": "HTTPS://Teams.Example.CA:443/l/Room?id=7"}),
    );
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(
        res.json()["meeting_link"],
        "https://teams.example.ca/l/Room?id=7"
    );
    let res = app.json(
        "PATCH",
        &session,
        Some(world.coordinator()),
        &json!({"meeting_link": "https://Meet.Example.ORG/"}),
    );
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.json()["meeting_link"], "https://meet.example.org");
    // Loopback http is for running the front-end locally.
    let res = app.json(
        "PATCH",
        &session,
        Some(world.coordinator()),
        &json!({"meeting_link": "http://localhost:3000/room"}),
    );
    assert_eq!(res.status, 200, "{}", res.body);

    let listing = json!({
        "organization": "Peer Support Society", "name": "Links",
        "description": "Weekly peer support.", "audiences": ["first_responders"],
        "province": "ON", "delivery": "virtual",
        "schedule": {"weekday": "tuesday", "start_time": "19:00", "end_time": "21:00",
                     "time_zone": "America/Toronto"},
        "languages": ["en"],
        "contacts": {"website": "data:text/html,<script>alert(1)</script>",
                     "available_24_7": false}
    });
    let res = app.post_json("/api/v1/directory/listings", &listing);
    refused_naming(&res, "contacts.website");
    let mut fine = listing.clone();
    fine["contacts"]["website"] = json!("https://Peers.Example.org:443/");
    let res = app.post_json("/api/v1/directory/listings", &fine);
    assert_eq!(res.status, 201, "{}", res.body);
    let id = res.json()["id"].as_str().unwrap().to_string();
    let stored = app.get_as(
        &format!("/api/v1/directory/listings/{id}"),
        world.coordinator(),
    );
    assert_eq!(stored.status, 200, "{}", stored.body);
    assert_eq!(
        stored.json()["contacts"]["website"],
        "https://peers.example.org"
    );
}

// ---- properties ----------------------------------------------------------------------------

/// 64 cases per property from a fixed seed, unless `PROPTEST_CASES` or `PROPTEST_RNG_SEED`
/// say otherwise; no failure files written into the tree.
fn runner() -> TestRunner {
    let mut config = Config {
        failure_persistence: None,
        ..Config::default()
    };
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = 64;
    }
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        config.rng_seed = RngSeed::Fixed(0x1405_2026);
    }
    TestRunner::new(config)
}

#[track_caller]
fn run<S: Strategy>(strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S::Value: std::fmt::Debug,
{
    if let Err(failure) = runner().run(&strategy, test) {
        panic!("{failure}");
    }
}

/// Text a cursor might be: anything, or base64 of `micros|id` with huge, negative or
/// malformed numbers and ids holding NUL, control characters or too many characters.
fn cursors() -> impl Strategy<Value = String> {
    let number = prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        (-290_000i64..290_000).prop_map(|year| (year * 31_556_952_000_000).to_string()),
        "-?[0-9]{17,40}",
        ".{0,12}",
    ];
    let id = prop_oneof![
        "[0-9a-f-]{0,40}",
        ".{0,80}",
        "[\\x00-\\x1f]{1,4}",
        Just("a".repeat(65)),
    ];
    prop_oneof![
        (number, id).prop_map(|(n, id)| URL_SAFE_NO_PAD.encode(format!("{n}|{id}"))),
        proptest::collection::vec(any::<u8>(), 0..80).prop_map(|b| URL_SAFE_NO_PAD.encode(b)),
        any::<String>(),
    ]
}

/// An RFC 3339-shaped time: years from -300,000 to 300,000 (signed six digits past four),
/// months, days and hours slightly out of range too, the edges, and arbitrary text.
fn times() -> impl Strategy<Value = String> {
    let year = prop_oneof![
        -300_000i32..300_000,
        -2i32..3,
        9_997i32..10_002,
        Just(262_142),
        Just(-262_143),
    ];
    prop_oneof![
        4 => (year, 0u32..14, 0u32..33, 0u32..25, 0u32..61).prop_map(|(y, mo, d, h, mi)| {
            format!("{}-{mo:02}-{d:02}T{h:02}:{mi:02}:00Z", year_text(y))
        }),
        1 => prop_oneof![
            Just("9999-12-31T23:59:59Z".to_string()),
            Just("9999-12-31T23:00:00Z".to_string()),
            Just("0000-01-01T00:00:00Z".to_string()),
            Just("0001-01-01T00:00:00Z".to_string()),
            Just("+262142-12-31T23:00:00Z".to_string()),
        ],
        1 => any::<String>(),
    ]
}

/// A date (`YYYY-MM-DD`) shaped like [`times`].
fn dates() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (-300_000i32..300_000, 0u32..14, 0u32..33)
            .prop_map(|(y, mo, d)| format!("{}-{mo:02}-{d:02}", year_text(y))),
        1 => (-2i32..3).prop_map(|y| format!("{}-01-01", year_text(y))),
        1 => Just("+262142-12-31".to_string()),
        1 => any::<String>(),
    ]
}

fn year_text(year: i32) -> String {
    if (0..=9999).contains(&year) {
        format!("{year:04}")
    } else {
        format!("{year:+07}")
    }
}

/// What the API makes of a time: `Some(true)` within years 1–9999, `Some(false)` outside,
/// `None` when it is not a time at all.
fn time_in_range(text: &str) -> Option<bool> {
    let at: DateTime<Utc> = text.parse().ok()?;
    Some((1..=9999).contains(&at.year()))
}

fn date_in_range(text: &str) -> Option<bool> {
    let day: NaiveDate = text.parse().ok()?;
    Some((1..=9999).contains(&day.year()))
}

/// A refused time in range is 400 (not a time) or 422; an out-of-range one is 422 naming it.
fn check_time(res: &Response, field: &str, in_range: Option<bool>) -> Result<(), TestCaseError> {
    prop_assert!(res.status < 500, "{} {}", res.status, res.body);
    match in_range {
        Some(false) => {
            prop_assert_eq!(res.status, 422, "{}", res.body);
            prop_assert!(
                res.body.contains(&format!("\"field\":\"{field}\"")),
                "{}",
                res.body
            );
        }
        None => prop_assert!(res.status == 400 || res.status == 422, "{}", res.body),
        Some(true) => {}
    }
    Ok(())
}

#[test]
fn no_cursor_makes_any_list_answer_5xx() {
    let app = TestApp::spawn();
    let world = world(&app);
    let lists = world.lists();
    run((0..lists.len(), cursors()), |(i, cursor)| {
        let (path, token, _) = lists[i];
        let res = world.get(&app, &format!("{path}?cursor={}", encode(&cursor)), token);
        prop_assert!(
            res.status == 200 || res.status == 422,
            "{path}: {} {}",
            res.status,
            res.body
        );
        if res.status == 422 {
            prop_assert!(res.body.contains("\"field\":\"cursor\""), "{}", res.body);
        }
        Ok(())
    });
}

#[test]
fn no_filter_value_makes_any_list_answer_5xx() {
    let app = TestApp::spawn();
    let world = world(&app);
    let filtered: Vec<_> = world
        .lists()
        .into_iter()
        .filter(|(_, _, params)| !params.is_empty())
        .collect();
    let value = prop_oneof![any::<String>(), times(), ".{0,3}"];
    run(
        (0..filtered.len(), 0..6usize, value),
        |(i, param, value)| {
            let (path, token, params) = filtered[i];
            let name = params[param % params.len()];
            let res = world.get(&app, &format!("{path}?{name}={}", encode(&value)), token);
            prop_assert!(
                res.status < 500,
                "{path}?{name}={value:?}: {} {}",
                res.status,
                res.body
            );
            if ["since", "until", "modified_after"].contains(&name) {
                check_time(&res, name, time_in_range(&value))?;
            }
            Ok(())
        },
    );
}

#[test]
fn no_date_in_a_query_answers_5xx() {
    let app = TestApp::spawn();
    let world = world(&app);
    let admin = world.program.admin.access.clone();
    run((0..4usize, times(), dates()), |(which, time, date)| {
        let (res, field, in_range) = match which {
            0 => (
                app.get_as(
                    &format!("/api/v1/audit-events?since={}", encode(&time)),
                    &admin,
                ),
                "since",
                time_in_range(&time),
            ),
            1 => (
                app.get_as(
                    &format!("/api/v1/referrals?modified_after={}", encode(&time)),
                    &world.partner,
                ),
                "modified_after",
                time_in_range(&time),
            ),
            2 => (
                app.get_as(
                    &format!(
                        "/api/v1/feedback-summary?from=2026-01-01&to={}",
                        encode(&date)
                    ),
                    world.coordinator(),
                ),
                "to",
                date_in_range(&date),
            ),
            _ => (
                app.get_as(
                    &format!(
                        "/api/v1/feedback-summary?from={}&to=9999-12-31",
                        encode(&date)
                    ),
                    world.coordinator(),
                ),
                "from",
                date_in_range(&date),
            ),
        };
        check_time(&res, field, in_range)
    });
}

#[test]
fn no_date_in_a_body_answers_5xx_and_a_refused_one_changes_nothing() {
    let app = TestApp::spawn();
    let world = world(&app);
    let sessions = format!("/api/v1/groups/{}/sessions", world.group_id);
    let session = format!("/api/v1/sessions/{}", world.session_id);
    run(
        (0..3usize, times(), 1u32..4, 15i32..481),
        |(which, time, count, minutes)| {
            let before = world.state(&app);
            let (res, field) = match which {
                0 => (
                    app.json(
                        "POST",
                        &sessions,
                        Some(world.coordinator()),
                        &json!({"starts_at": time, "count": count, "duration_minutes": minutes}),
                    ),
                    "starts_at",
                ),
                1 => (
                    app.json(
                        "PATCH",
                        &session,
                        Some(world.coordinator()),
                        &json!({"starts_at": time, "duration_minutes": minutes}),
                    ),
                    "starts_at",
                ),
                _ => (
                    act(
                        &app,
                        world.coordinator(),
                        &world.application_id,
                        "schedule-meeting",
                        json!({"meeting_at": time, "mode": "phone"}),
                    ),
                    "meeting_at",
                ),
            };
            check_time(&res, field, time_in_range(&time))?;
            if res.status >= 400 {
                prop_assert_eq!(world.state(&app), before, "{} changed state", time);
            }
            // Whatever was stored, every read of the group still answers.
            let after = world.state(&app);
            for item in after["sessions"]["items"].as_array().unwrap() {
                let ends_at = item["ends_at"].as_str().unwrap();
                prop_assert!(DateTime::parse_from_rfc3339(ends_at).is_ok(), "{}", ends_at);
            }
            let summary = app.get_as(
                &format!("/api/v1/groups/{}/feedback-summary", world.group_id),
                world.coordinator(),
            );
            prop_assert_eq!(summary.status, 200, "{}", summary.body);
            Ok(())
        },
    );
}

/// Addresses with every kind of scheme, host, port and path, and arbitrary text.
fn links() -> impl Strategy<Value = String> {
    let scheme = prop::sample::select(vec![
        "https://",
        "HTTPS://",
        "http://",
        "javascript:",
        "JavaScript://",
        "data:",
        "file://",
        "ftp://",
        "",
        "//",
        "https:",
        "https:///",
    ]);
    let host = prop::sample::select(vec![
        "teams.example.ca",
        "Teams.Example.CA",
        "localhost",
        "127.0.0.1",
        "[::1]",
        "10.0.0.1",
        "user:pw@example.org",
        "",
        "intranet",
        "xn--a.example",
    ]);
    let port = prop::sample::select(vec!["", ":443", ":80", ":8443", ":99999", ":"]);
    prop_oneof![
        3 => (scheme, host, port, "[ -~]{0,30}")
            .prop_map(|(s, h, p, path)| format!("{s}{h}{p}/{path}")),
        1 => any::<String>(),
    ]
}

#[test]
fn no_link_answers_5xx_and_only_https_or_loopback_http_is_stored() {
    let app = TestApp::spawn();
    let world = world(&app);
    let group = format!("/api/v1/groups/{}", world.group_id);
    let session = format!("/api/v1/sessions/{}", world.session_id);
    run((any::<bool>(), links()), |(on_group, link)| {
        let before = world.state(&app);
        let path = if on_group { &group } else { &session };
        let res = app.json(
            "PATCH",
            path,
            Some(world.coordinator()),
            &json!({"meeting_link": link}),
        );
        prop_assert!(res.status < 500, "{link:?}: {} {}", res.status, res.body);
        if res.status == 200 {
            let stored = res.json()["meeting_link"]
                .as_str()
                .unwrap_or("")
                .to_string();
            let loopback = ["http://localhost", "http://127.", "http://[::1]"]
                .iter()
                .any(|p| stored.starts_with(p));
            prop_assert!(
                stored.starts_with("https://") || loopback,
                "{link:?} stored as {stored:?}"
            );
            prop_assert_eq!(
                Some(stored),
                peer_support_api::domain::contact::web_address(&link).ok()
            );
        } else {
            prop_assert_eq!(res.status, 422, "{}", res.body);
            prop_assert!(
                res.body.contains("\"field\":\"meeting_link\""),
                "{}",
                res.body
            );
            prop_assert_eq!(world.state(&app), before);
        }
        Ok(())
    });
}
