//! The intake journey, placement, consents, and who may see what.

use serde_json::{json, Value};

use crate::helpers::{Session, TestApp};

pub const REQUIRED: [&str; 4] = [
    "code_of_conduct",
    "participation_consent",
    "confidentiality_agreement",
    "safety_and_emergency_protocol",
];

pub struct Program {
    pub admin: Session,
    pub coordinator: Session,
    pub supporter: Session,
    pub professional: Session,
}

/// Staff accounts and the current consent documents in both languages.
pub fn program(app: &TestApp) -> Program {
    let admin = app.admin();
    for kind in REQUIRED
        .iter()
        .chain(["referral_information_sharing"].iter())
    {
        for language in ["en", "fr"] {
            let res = app.json(
                "POST",
                "/api/v1/consent-documents",
                Some(&admin.access),
                &json!({"kind": kind, "language": language, "title": format!("{kind} ({language})"),
                        "body": "Confidential except in situations of imminent harm to a person, child abuse, or subpoena."}),
            );
            assert_eq!(res.status, 201, "{}", res.body);
        }
    }
    Program {
        coordinator: app.staff(&admin, "coordinator"),
        supporter: app.staff(&admin, "peer_supporter"),
        professional: app.staff(&admin, "mental_health_professional"),
        admin,
    }
}

/// An open group with `capacity` seats and its weekly sessions: four for an informal group, the
/// ten a formal one needs to open.
pub fn open_group(app: &TestApp, p: &Program, language: &str, kind: &str, capacity: u32) -> String {
    let res = app.json(
        "POST",
        "/api/v1/groups",
        Some(&p.coordinator.access),
        &json!({"name": format!("{kind} {language}"), "kind": kind, "language": language,
                "audience": ["veteran"], "time_zone": "America/Toronto", "capacity": capacity,
                "meeting_link": "https://teams.example.ca/l/secret-room",
                "facilitator_ids": [p.supporter.id, p.professional.id]}),
    );
    assert_eq!(res.status, 201, "{}", res.body);
    let id = res.json()["id"].as_str().unwrap().to_string();
    let count = if kind == "formal" { 10 } else { 4 };
    let topics: Vec<String> = (1..=count).map(|i| format!("Topic {i}")).collect();
    let sessions = app.json(
        "POST",
        &format!("/api/v1/groups/{id}/sessions"),
        Some(&p.coordinator.access),
        &json!({"starts_at": "2030-01-09T00:00:00Z", "count": count, "topics": topics}),
    );
    assert_eq!(sessions.status, 201, "{}", sessions.body);
    let opened = app.json(
        "PATCH",
        &format!("/api/v1/groups/{id}"),
        Some(&p.coordinator.access),
        &json!({"status": "open"}),
    );
    assert_eq!(opened.status, 200, "{}", opened.body);
    id
}

pub fn apply(app: &TestApp, peer: &Session, language: &str) -> String {
    let res = app.json(
        "POST",
        "/api/v1/intake-applications",
        Some(&peer.access),
        &json!({"preferred_language": language, "group_kind": "either",
                "availability": "Evenings", "contact_methods": ["email"]}),
    );
    assert_eq!(res.status, 201, "{}", res.body);
    res.json()["id"].as_str().unwrap().to_string()
}

pub fn act(
    app: &TestApp,
    token: &str,
    id: &str,
    action: &str,
    body: Value,
) -> crate::helpers::Response {
    app.json(
        "POST",
        &format!("/api/v1/intake-applications/{id}/{action}"),
        Some(token),
        &body,
    )
}

/// Takes an application from submitted to ready.
pub fn make_ready(app: &TestApp, p: &Program, peer: &Session, id: &str) {
    let steps = [
        (&p.coordinator.access, "assign", json!({})),
        (
            &peer.access,
            "form",
            json!({"reasons_for_joining": "To talk with people who understand."}),
        ),
        (
            &p.coordinator.access,
            "schedule-meeting",
            json!({"meeting_at": "2030-01-02T15:00:00Z", "mode": "phone"}),
        ),
        (
            &p.coordinator.access,
            "record-meeting",
            json!({"readiness": "ready", "code_of_conduct_reviewed": true, "consents_reviewed": true,
                   "safety_plan_reviewed": true, "safety_notes": "Prefers to step away rather than be called."}),
        ),
    ];
    for (token, action, body) in steps {
        if action == "record-meeting" {
            meeting_held(app, id);
        }
        let res = act(app, token, id, action, body);
        assert_eq!(res.status, 200, "{action}: {}", res.body);
    }
}

/// Moves the application's intake meeting a minute into the past (the tests' clock): its
/// outcome may be recorded only once it has begun.
pub fn meeting_held(app: &TestApp, id: &str) {
    use diesel::prelude::*;
    use peer_support_api::db::{schema::intake_applications, ConnectionManager};
    let mut conn = ConnectionManager::new(&app.database_url)
        .establish()
        .expect("a direct connection to the test database");
    let a_minute_ago = peer_support_api::db::now() - chrono::Duration::minutes(1);
    let moved = diesel::update(intake_applications::table.find(id))
        .set(intake_applications::meeting_at.eq(Some(a_minute_ago)))
        .execute(&mut conn)
        .unwrap();
    assert_eq!(moved, 1);
}

/// Grants the current version of `kinds` electronically, in `language`.
pub fn grant(app: &TestApp, peer: &Session, language: &str, kinds: &[&str]) -> Vec<String> {
    let docs = app
        .get(&format!("/api/v1/consent-documents?language={language}"))
        .json();
    kinds
        .iter()
        .map(|kind| {
            let doc = docs["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|d| d["kind"] == *kind)
                .unwrap();
            let res = app.json(
                "POST",
                "/api/v1/consent-records",
                Some(&peer.access),
                &json!({"document_id": doc["id"], "decision": "granted", "method": "electronic"}),
            );
            assert_eq!(res.status, 201, "{}", res.body);
            res.json()["id"].as_str().unwrap().to_string()
        })
        .collect()
}

fn seats(app: &TestApp, group: &str) -> i64 {
    app.get(&format!("/api/v1/groups/{group}")).json()["seats_available"]
        .as_i64()
        .unwrap()
}

#[test]
fn an_application_walks_the_six_steps_to_a_seat() {
    let app = TestApp::spawn();
    let p = program(&app);
    let group = open_group(&app, &p, "en", "formal", 10);
    let peer = app.peer("journey@example.ca");
    let id = apply(&app, &peer, "en");
    let fresh = app
        .get_as(&format!("/api/v1/intake-applications/{id}"), &peer.access)
        .json();
    assert_eq!(fresh["status"], "submitted");
    assert_eq!(fresh["overdue"], false);
    assert!(fresh["respond_by"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        fresh["allowed_moves"],
        json!(["withdraw"]),
        "the peer's own moves"
    );
    let seen_by_staff = app
        .get_as(
            &format!("/api/v1/intake-applications/{id}"),
            &p.coordinator.access,
        )
        .json();
    assert_eq!(seen_by_staff["allowed_moves"], json!(["assign", "close"]));

    make_ready(&app, &p, &peer, &id);
    grant(&app, &peer, "en", &REQUIRED);
    let placed = act(
        &app,
        &p.coordinator.access,
        &id,
        "place",
        json!({"group_id": group}),
    );
    assert_eq!(placed.status, 200, "{}", placed.body);
    let placed = placed.json();
    assert_eq!(placed["status"], "placed");
    assert_eq!(placed["placed_group_id"], group.as_str());
    assert_eq!(seats(&app, &group), 9);

    // The peer now sees the meeting link and their sessions.
    let mine = app.get_as("/api/v1/me/sessions", &peer.access).json();
    assert_eq!(mine["items"].as_array().unwrap().len(), 10);
    assert_eq!(
        mine["items"][0]["meeting_link"],
        "https://teams.example.ca/l/secret-room"
    );
    let sessions = app
        .get_as(&format!("/api/v1/groups/{group}/sessions"), &peer.access)
        .json();
    assert_eq!(
        sessions["items"][0]["meeting_link"],
        "https://teams.example.ca/l/secret-room"
    );
    let placements = app.get_as("/api/v1/me/placements", &peer.access).json();
    assert_eq!(placements["items"][0]["status"], "confirmed");

    // Each step owed the peer a notice; the placement one lists the session dates.
    let notices = app.get_as("/api/v1/me/notifications", &peer.access).json();
    let kinds: Vec<&str> = notices["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["placed", "meeting_scheduled", "acknowledged", "form_sent"],
        "newest first"
    );
    assert!(
        notices["items"][0]["body"]
            .as_str()
            .unwrap()
            .contains("2030"),
        "{}",
        notices["items"][0]["body"]
    );

    // The timeline tells the whole story.
    let timeline = app
        .get_as(
            &format!("/api/v1/intake-applications/{id}/events"),
            &peer.access,
        )
        .json();
    let actions: Vec<&str> = timeline["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "submit",
            "assign",
            "submit_form",
            "schedule_meeting",
            "record_meeting",
            "place"
        ]
    );
    assert!(
        timeline["items"][0].get("actor_id").is_none(),
        "peers do not see who acted"
    );

    // Rosters: display names for the peer supporter, safety notes for the professional.
    let roster_path = format!("/api/v1/groups/{group}/roster");
    let for_supporter = app.get_as(&roster_path, &p.supporter.access).json();
    assert_eq!(for_supporter["items"][0]["display_name"], "Test Peer");
    assert!(for_supporter["items"][0].get("safety_notes").is_none());
    assert!(!for_supporter.to_string().contains("To talk with people"));
    let for_professional = app.get_as(&roster_path, &p.professional.access).json();
    assert_eq!(
        for_professional["items"][0]["safety_notes"],
        "Prefers to step away rather than be called."
    );
}

#[test]
fn a_move_the_state_does_not_allow_is_409_with_the_allowed_moves() {
    let app = TestApp::spawn();
    let p = program(&app);
    let group = open_group(&app, &p, "en", "informal", 5);
    let peer = app.peer("early@example.ca");
    let id = apply(&app, &peer, "en");
    let refused = act(
        &app,
        &p.coordinator.access,
        &id,
        "place",
        json!({"group_id": group}),
    );
    let problem = refused.problem(409, "invalid-transition");
    assert_eq!(
        problem["allowed"],
        json!(["assign", "close"]),
        "the moves the caller's role may make"
    );
    act(&app, &peer.access, &id, "form", json!({"hopes": "x"})).problem(409, "invalid-transition");
    act(&app, &p.coordinator.access, &id, "record-meeting", json!({"readiness": "not_ready",
        "code_of_conduct_reviewed": false, "consents_reviewed": false, "safety_plan_reviewed": false}))
        .problem(409, "invalid-transition");
    // Refused moves changed nothing.
    let after = app
        .get_as(&format!("/api/v1/intake-applications/{id}"), &peer.access)
        .json();
    assert_eq!(after["status"], "submitted");
    let events = app
        .get_as(
            &format!("/api/v1/intake-applications/{id}/events"),
            &peer.access,
        )
        .json();
    assert_eq!(events["items"].as_array().unwrap().len(), 1);

    // Ready needs the three reviews; not ready answers with the support lines.
    act(&app, &p.coordinator.access, &id, "assign", json!({}));
    act(
        &app,
        &peer.access,
        &id,
        "form",
        json!({"hopes": "Less alone"}),
    );
    act(
        &app,
        &p.coordinator.access,
        &id,
        "schedule-meeting",
        json!({"meeting_at": "2030-01-02T15:00:00Z", "mode": "phone"}),
    );
    meeting_held(&app, &id);
    let unreviewed = act(
        &app,
        &p.coordinator.access,
        &id,
        "record-meeting",
        json!({"readiness": "ready",
        "code_of_conduct_reviewed": true, "consents_reviewed": false, "safety_plan_reviewed": true}),
    );
    assert_eq!(
        unreviewed.problem(422, "validation-failed")["errors"][0]["field"],
        "consents_reviewed"
    );
    let not_ready = act(
        &app,
        &p.coordinator.access,
        &id,
        "record-meeting",
        json!({"readiness": "not_ready",
        "code_of_conduct_reviewed": true, "consents_reviewed": true, "safety_plan_reviewed": true}),
    );
    assert_eq!(not_ready.json()["status"], "not_ready");
    assert!(
        not_ready.body.contains("1-844-750-1648"),
        "{}",
        not_ready.body
    );
    // Withdrawn is final.
    assert_eq!(
        act(&app, &peer.access, &id, "withdraw", json!({})).json()["status"],
        "withdrawn"
    );
    assert_eq!(
        act(
            &app,
            &p.coordinator.access,
            &id,
            "close",
            json!({"reason": "x"})
        )
        .problem(409, "invalid-transition")["allowed"],
        json!([])
    );
}

#[test]
fn the_intake_meeting_has_a_mode_and_its_outcome_waits_for_its_time() {
    let app = TestApp::spawn();
    let p = program(&app);
    let peer = app.peer("meeting@example.ca");
    let id = apply(&app, &peer, "en");
    act(&app, &p.coordinator.access, &id, "assign", json!({}));
    act(&app, &peer.access, &id, "form", json!({"hopes": "Company"}));
    let schedule = |body: Value| act(&app, &p.coordinator.access, &id, "schedule-meeting", body);
    let at = "2030-01-02T15:00:00Z";
    // Each mode asks for what it needs, and only that.
    for (body, field) in [
        (json!({"meeting_at": at, "mode": "video"}), "link"),
        (json!({"meeting_at": at, "mode": "in_person"}), "location"),
        (
            json!({"meeting_at": at, "mode": "phone", "link": "https://meet.example.ca/x"}),
            "link",
        ),
        (
            json!({"meeting_at": at, "mode": "video", "link": "javascript:alert(1)"}),
            "link",
        ),
        (
            json!({"meeting_at": at, "mode": "video", "link": "https://meet.example.ca/x",
                "location": "Room 4"}),
            "location",
        ),
        (
            json!({"meeting_at": "2020-01-02T15:00:00Z", "mode": "phone"}),
            "meeting_at",
        ),
    ] {
        let problem = schedule(body.clone()).problem(422, "validation-failed");
        assert_eq!(problem["errors"][0]["field"], field, "{body}: {problem}");
    }
    schedule(json!({"meeting_at": at, "mode": "carrier_pigeon"})).problem(400, "invalid-body");
    schedule(json!({"meeting_at": at})).problem(400, "invalid-body");

    let booked = schedule(json!({"meeting_at": at, "mode": "video",
                                 "link": "HTTPS://Meet.Example.ca/intake-4821"}));
    assert_eq!(booked.status, 200, "{}", booked.body);
    let own = app
        .get_as(&format!("/api/v1/intake-applications/{id}"), &peer.access)
        .json();
    assert_eq!(own["meeting_mode"], "video");
    assert_eq!(own["meeting_link"], "https://meet.example.ca/intake-4821");
    assert!(own["meeting_location"].is_null());
    // The notice says how, never the link itself (mail is not where a link to a call belongs).
    let notices = app.get_as("/api/v1/me/notifications", &peer.access).json();
    let booked_notice = notices["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "meeting_scheduled")
        .expect("a meeting notice")
        .to_string();
    assert!(booked_notice.contains("video call"), "{booked_notice}");
    assert!(!booked_notice.contains("intake-4821"), "{booked_notice}");

    // Before its time, the outcome cannot be recorded; nothing changes.
    let outcome = json!({"readiness": "ready", "code_of_conduct_reviewed": true,
                         "consents_reviewed": true, "safety_plan_reviewed": true});
    let early = act(
        &app,
        &p.coordinator.access,
        &id,
        "record-meeting",
        outcome.clone(),
    );
    let problem = early.problem(409, "conflict");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("2030-01-02T15:00"),
        "{problem}"
    );
    let after = app
        .get_as(&format!("/api/v1/intake-applications/{id}"), &peer.access)
        .json();
    assert_eq!(after["status"], "meeting_scheduled");
    // Rescheduled in person: the link goes, the place comes.
    let moved = schedule(json!({"meeting_at": at, "mode": "in_person",
                                "location": "  Legion Hall, room 4 "}));
    assert_eq!(moved.json()["meeting_location"], "Legion Hall, room 4");
    assert!(moved.json()["meeting_link"].is_null());
    meeting_held(&app, &id);
    let recorded = act(&app, &p.coordinator.access, &id, "record-meeting", outcome);
    assert_eq!(recorded.status, 200, "{}", recorded.body);
    assert_eq!(recorded.json()["status"], "ready");
}

#[test]
fn placement_names_the_missing_consents_and_a_new_version_must_be_granted_again() {
    let app = TestApp::spawn();
    let p = program(&app);
    let group = open_group(&app, &p, "en", "informal", 5);
    let peer = app.peer("consents@example.ca");
    let id = apply(&app, &peer, "en");
    make_ready(&app, &p, &peer, &id);
    let place = || {
        act(
            &app,
            &p.coordinator.access,
            &id,
            "place",
            json!({"group_id": group}),
        )
    };
    let none = place().problem(409, "consents-missing");
    assert_eq!(none["missing_consents"], json!(REQUIRED));
    grant(&app, &peer, "en", &REQUIRED[..3]);
    assert_eq!(
        place().problem(409, "consents-missing")["missing_consents"],
        json!(["safety_and_emergency_protocol"])
    );
    grant(&app, &peer, "fr", &["safety_and_emergency_protocol"]);
    assert_eq!(
        place().problem(409, "consents-missing")["missing_consents"],
        json!(["safety_and_emergency_protocol"]),
        "a consent in the other language is not the applicant's version"
    );
    grant(&app, &peer, "en", &["safety_and_emergency_protocol"]);
    // A new version of the code of conduct supersedes the one granted.
    let v2 = app.json("POST", "/api/v1/consent-documents", Some(&p.admin.access),
        &json!({"kind": "code_of_conduct", "language": "en", "title": "Code of conduct v2", "body": "Be kind."}));
    assert_eq!(v2.json()["version"], 2);
    assert_eq!(
        place().problem(409, "consents-missing")["missing_consents"],
        json!(["code_of_conduct"])
    );
    grant(&app, &peer, "en", &["code_of_conduct"]);
    assert_eq!(place().json()["status"], "placed");
    assert_eq!(seats(&app, &group), 4);
}

#[test]
fn withdrawing_participation_consent_suspends_the_placement_and_frees_the_seat() {
    let app = TestApp::spawn();
    let p = program(&app);
    let group = open_group(&app, &p, "en", "informal", 1);
    let peer = app.peer("withdraws@example.ca");
    let id = apply(&app, &peer, "en");
    make_ready(&app, &p, &peer, &id);
    let records = grant(&app, &peer, "en", &REQUIRED);
    act(
        &app,
        &p.coordinator.access,
        &id,
        "place",
        json!({"group_id": group}),
    );
    assert_eq!(
        app.get(&format!("/api/v1/groups/{group}")).json()["status"],
        "full"
    );

    let participation = &records[1];
    let withdrawn = app.json(
        "POST",
        &format!("/api/v1/consent-records/{participation}/withdraw"),
        Some(&peer.access),
        &json!({}),
    );
    assert_eq!(withdrawn.status, 201, "{}", withdrawn.body);
    assert_eq!(withdrawn.json()["decision"], "withdrawn");
    assert_eq!(
        withdrawn.json()["withdraws_record_id"],
        participation.as_str()
    );
    let group_now = app.get(&format!("/api/v1/groups/{group}")).json();
    assert_eq!(group_now["seats_available"], 1);
    assert_eq!(group_now["status"], "open");
    assert_eq!(
        app.get_as("/api/v1/me/placements", &peer.access).json()["items"][0]["status"],
        "suspended"
    );
    assert_eq!(
        app.get_as("/api/v1/me/sessions", &peer.access).json()["items"],
        json!([])
    );
    let sessions = app
        .get_as(&format!("/api/v1/groups/{group}/sessions"), &peer.access)
        .json();
    assert!(sessions["items"][0].get("meeting_link").is_none());
    // The ledger kept both facts; withdrawing twice is refused.
    let ledger = app.get_as("/api/v1/consent-records", &peer.access).json();
    assert_eq!(ledger["items"].as_array().unwrap().len(), 5);
    app.json(
        "POST",
        &format!("/api/v1/consent-records/{participation}/withdraw"),
        Some(&peer.access),
        &json!({}),
    )
    .problem(409, "conflict");
}

#[test]
fn who_may_read_an_application() {
    let app = TestApp::spawn();
    let p = program(&app);
    let owner = app.peer("owner@example.ca");
    let other = app.peer("other@example.ca");
    let id = apply(&app, &owner, "en");
    let path = format!("/api/v1/intake-applications/{id}");
    app.get_as(&path, &other.access).problem(404, "not-found");
    app.get_as(&format!("{path}/events"), &other.access)
        .problem(404, "not-found");
    act(&app, &other.access, &id, "withdraw", json!({})).problem(404, "not-found");
    assert_eq!(
        app.get_as("/api/v1/intake-applications", &other.access)
            .json()["items"],
        json!([])
    );
    app.get_as(&path, &p.supporter.access)
        .problem(403, "forbidden");
    app.get_as("/api/v1/intake-applications", &p.supporter.access)
        .problem(403, "forbidden");
    app.get_as(&path, &p.professional.access)
        .problem(403, "forbidden");
    let (_, partner) = app.partner(&p.admin);
    app.get_as(&path, &partner).problem(403, "forbidden");
    app.get(&path).problem(401, "unauthorized");
    act(&app, &owner.access, &id, "assign", json!({})).problem(403, "forbidden");
    assert_eq!(app.get_as(&path, &owner.access).status, 200);
    assert_eq!(app.get_as(&path, &p.coordinator.access).status, 200);
    // Each read is audited.
    let audit = app
        .get_as(
            &format!("/api/v1/audit-events?resource_id={id}&action=intake_application.read"),
            &p.admin.access,
        )
        .json();
    assert!(audit["items"].as_array().unwrap().len() >= 2);
}

#[test]
fn the_timeline_speaks_the_applicants_language() {
    let app = TestApp::spawn();
    let p = program(&app);
    let peer = app.peer("francais@example.ca");
    let id = apply(&app, &peer, "fr");
    act(
        &app,
        &p.coordinator.access,
        &id,
        "assign",
        json!({"note": "appel laissé"}),
    );
    let timeline = app
        .get_as(
            &format!("/api/v1/intake-applications/{id}/events"),
            &peer.access,
        )
        .json();
    assert!(timeline["items"][0]["description"]
        .as_str()
        .unwrap()
        .starts_with("Nous avons reçu votre demande"));
    assert!(timeline["items"][1]["description"]
        .as_str()
        .unwrap()
        .contains("formulaire d'accueil"));
    // The notice owed for the move went out in French, in the same transaction.
    let notices = app.get_as("/api/v1/me/notifications", &peer.access).json();
    assert_eq!(notices["items"].as_array().unwrap().len(), 1, "{notices}");
    assert_eq!(notices["items"][0]["kind"], "form_sent");
    assert_eq!(notices["items"][0]["language"], "fr");
    assert!(notices["items"][0]["body"]
        .as_str()
        .unwrap()
        .contains("1-844-750-1648"));
    let for_coordinator = app
        .get_as(
            &format!("/api/v1/intake-applications/{id}/events"),
            &p.coordinator.access,
        )
        .json();
    assert_eq!(for_coordinator["items"][1]["note"], "appel laissé");
    assert_eq!(
        for_coordinator["items"][1]["actor_id"],
        p.coordinator.id.as_str()
    );
}

#[test]
fn overdue_lists_applications_past_respond_by_with_no_response() {
    use diesel::{connection::SimpleConnection, Connection};
    let app = TestApp::spawn();
    let p = program(&app);
    let late_peer = app.peer("late@example.ca");
    let late = apply(&app, &late_peer, "en");
    let on_time = apply(&app, &app.peer("ontime@example.ca"), "en");
    // Two business days have passed for one of them.
    let mut conn = peer_support_api::db::ConnectionManager::new(&app.database_url)
        .establish()
        .unwrap();
    conn.batch_execute(&format!(
        "UPDATE intake_applications SET respond_by = '2026-01-02 22:00:00', created_at = '2025-12-30 15:00:00' WHERE id = '{late}'"
    ))
    .unwrap();
    let _ = conn.transaction::<(), diesel::result::Error, _>(|_| Ok(()));
    let overdue = app
        .get_as(
            "/api/v1/intake-applications?overdue=true",
            &p.coordinator.access,
        )
        .json();
    let ids: Vec<&str> = overdue["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [late.as_str()]);
    assert_eq!(overdue["items"][0]["overdue"], true);
    let not_overdue = app
        .get_as(
            "/api/v1/intake-applications?overdue=false",
            &p.coordinator.access,
        )
        .json();
    assert_eq!(not_overdue["items"][0]["id"], on_time.as_str());
    // A coordinator's response ends it.
    act(&app, &p.coordinator.access, &late, "assign", json!({}));
    let overdue = app
        .get_as(
            "/api/v1/intake-applications?overdue=true",
            &p.coordinator.access,
        )
        .json();
    assert_eq!(overdue["items"], json!([]));
}

#[test]
fn fifty_concurrent_placements_fill_twelve_seats_and_waitlist_the_rest() {
    let app = TestApp::spawn_with(&[
        ("AUTH_RATE_LIMITS", "false"),
        ("WORKERS", "4"),
        ("DATABASE_POOL_SIZE", "10"),
        ("DATABASE_TIMEOUT_MS", "30000"),
    ]);
    let p = program(&app);
    let group = open_group(&app, &p, "en", "informal", 12);
    let applications: Vec<String> = (0..50)
        .map(|i| {
            let peer = app.peer(&format!("crowd{i}@example.ca"));
            let id = apply(&app, &peer, "en");
            make_ready(&app, &p, &peer, &id);
            grant(&app, &peer, "en", &REQUIRED);
            id
        })
        .collect();
    let statuses: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = applications
            .iter()
            .map(|id| {
                let (app, token, group) = (&app, &p.coordinator.access, &group);
                scope.spawn(move || {
                    let res = act(app, token, id, "place", json!({"group_id": group}));
                    assert_eq!(res.status, 200, "{}", res.body);
                    res.json()["status"].as_str().unwrap().to_string()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(statuses.iter().filter(|s| *s == "placed").count(), 12);
    assert_eq!(statuses.iter().filter(|s| *s == "waitlisted").count(), 38);
    let group_now = app.get(&format!("/api/v1/groups/{group}")).json();
    assert_eq!(group_now["seats_available"], 0);
    assert_eq!(group_now["status"], "full");
    let roster = app
        .get_as(
            &format!("/api/v1/groups/{group}/roster"),
            &p.coordinator.access,
        )
        .json();
    assert_eq!(roster["items"].as_array().unwrap().len(), 12);
    let waitlist = app
        .get_as(
            &format!("/api/v1/groups/{group}/waitlist"),
            &p.coordinator.access,
        )
        .json();
    assert_eq!(waitlist["items"].as_array().unwrap().len(), 38);
    assert!(
        waitlist["items"][0].to_string().contains("1-844-750-1648"),
        "waitlisted answers carry the support lines"
    );
}

#[test]
fn a_freed_seat_goes_to_the_first_on_the_waiting_list() {
    let app = TestApp::spawn();
    let p = program(&app);
    let group = open_group(&app, &p, "en", "informal", 1);
    let mut ids = Vec::new();
    let mut peers = Vec::new();
    for name in ["first", "second", "third"] {
        let peer = app.peer(&format!("{name}@example.ca"));
        let id = apply(&app, &peer, "en");
        make_ready(&app, &p, &peer, &id);
        grant(&app, &peer, "en", &REQUIRED);
        let placed = act(
            &app,
            &p.coordinator.access,
            &id,
            "place",
            json!({"group_id": group}),
        );
        assert_eq!(placed.status, 200, "{}", placed.body);
        ids.push(id);
        peers.push(peer);
    }
    let waitlist_path = format!("/api/v1/groups/{group}/waitlist");
    let order: Vec<String> = app.get_as(&waitlist_path, &p.coordinator.access).json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(order, ids[1..]);
    app.get_as(&waitlist_path, &p.supporter.access)
        .problem(403, "forbidden");
    // The placed peer withdraws; the seat is offered to the first waiting (`offers`), and a
    // coordinator may also place them at once: the offer's seat becomes their placement.
    assert_eq!(
        act(&app, &peers[0].access, &ids[0], "withdraw", json!({})).json()["status"],
        "withdrawn"
    );
    assert!(seats(&app, &group) <= 1);
    assert_eq!(
        act(
            &app,
            &p.coordinator.access,
            &ids[1],
            "place",
            json!({"group_id": group})
        )
        .json()["status"],
        "placed"
    );
    let left: Vec<String> = app.get_as(&waitlist_path, &p.coordinator.access).json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(left, [ids[2].clone()]);
}

#[test]
fn consent_records_are_append_only_in_the_database() {
    use diesel::{connection::SimpleConnection, Connection};
    let app = TestApp::spawn();
    let _p = program(&app);
    let peer = app.peer("ledger@example.ca");
    let record = grant(&app, &peer, "en", &["code_of_conduct"]).remove(0);
    let mut conn = peer_support_api::db::ConnectionManager::new(&app.database_url)
        .establish()
        .unwrap();
    let update = conn.batch_execute(&format!(
        "UPDATE consent_records SET decision = 'refused' WHERE id = '{record}'"
    ));
    assert!(update.is_err(), "UPDATE must fail");
    let delete = conn.batch_execute(&format!(
        "DELETE FROM consent_records WHERE id = '{record}'"
    ));
    assert!(delete.is_err(), "DELETE must fail");
    let _ = conn.transaction::<(), diesel::result::Error, _>(|_| Ok(()));
    let ledger = app.get_as("/api/v1/consent-records", &peer.access).json();
    assert_eq!(ledger["items"][0]["decision"], "granted");
}

#[test]
fn consent_recording_rules() {
    let app = TestApp::spawn();
    let p = program(&app);
    let peer = app.peer("rules@example.ca");
    let other = app.peer("someone@example.ca");
    let docs = app
        .get("/api/v1/consent-documents?language=en&kind=confidentiality_agreement")
        .json();
    assert_eq!(docs["items"].as_array().unwrap().len(), 1);
    assert!(docs["items"][0]["body"]
        .as_str()
        .unwrap()
        .contains("subpoena"));
    let doc = docs["items"][0]["id"].as_str().unwrap();
    let record =
        |token: &str, body: Value| app.json("POST", "/api/v1/consent-records", Some(token), &body);
    record(
        &peer.access,
        json!({"document_id": doc, "decision": "granted", "method": "verbal_at_intake"}),
    )
    .problem(422, "validation-failed");
    record(&peer.access, json!({"document_id": doc, "decision": "granted", "method": "electronic", "person_id": other.id}))
        .problem(422, "validation-failed");
    let verbal = record(
        &p.coordinator.access,
        json!({"document_id": doc, "decision": "granted",
        "method": "verbal_at_intake", "person_id": peer.id}),
    );
    assert_eq!(verbal.status, 201, "{}", verbal.body);
    assert_eq!(verbal.json()["recorded_by"], p.coordinator.id.as_str());
    record(
        &p.supporter.access,
        json!({"document_id": doc, "decision": "granted", "method": "electronic"}),
    )
    .problem(403, "forbidden");
    let verbal_id = verbal.json()["id"].as_str().unwrap().to_string();
    app.json(
        "POST",
        &format!("/api/v1/consent-records/{verbal_id}/withdraw"),
        Some(&other.access),
        &json!({}),
    )
    .problem(404, "not-found");
    assert_eq!(
        app.get_as("/api/v1/consent-records", &other.access).json()["items"],
        json!([])
    );
    app.get_as("/api/v1/consent-records", &p.coordinator.access)
        .problem(422, "validation-failed");
    let by_person = app
        .get_as(
            &format!("/api/v1/consent-records?person_id={}", peer.id),
            &p.coordinator.access,
        )
        .json();
    assert_eq!(by_person["items"][0]["method"], "verbal_at_intake");
    // A superseded version cannot be granted any more.
    app.json("POST", "/api/v1/consent-documents", Some(&p.admin.access),
        &json!({"kind": "confidentiality_agreement", "language": "en", "title": "v2", "body": "Updated limits."}));
    record(
        &peer.access,
        json!({"document_id": doc, "decision": "granted", "method": "electronic"}),
    )
    .problem(422, "validation-failed");
    app.json(
        "POST",
        "/api/v1/consent-documents",
        Some(&p.coordinator.access),
        &json!({"kind": "code_of_conduct", "language": "en", "title": "x", "body": "y"}),
    )
    .problem(403, "forbidden");
}
