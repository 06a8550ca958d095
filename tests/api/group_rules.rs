//! Rules a program group always keeps (a formal cohort's ten sessions and two kinds of
//! facilitator, drop-in groups taking people while running), the identity and affiliation match
//! of a placement with its audited override, and the moves each role is offered.

use serde_json::{json, Value};

use crate::helpers::{Response, Session, TestApp};
use crate::intake::{act, apply, grant, meeting_held, open_group, program, Program, REQUIRED};

fn patch_group(app: &TestApp, p: &Program, group: &str, body: Value) -> Response {
    app.json(
        "PATCH",
        &format!("/api/v1/groups/{group}"),
        Some(&p.coordinator.access),
        &body,
    )
}

fn group(app: &TestApp, group: &str) -> Value {
    app.get(&format!("/api/v1/groups/{group}")).json()
}

/// A planned formal group with both facilitators and `sessions` weekly sessions.
fn formal_group(app: &TestApp, p: &Program, sessions: u32) -> String {
    let res = app.json(
        "POST",
        "/api/v1/groups",
        Some(&p.coordinator.access),
        &json!({"name": "Cohort", "kind": "formal", "language": "en", "audience": ["veteran"],
                "time_zone": "America/Toronto", "capacity": 10,
                "facilitator_ids": [p.supporter.id, p.professional.id]}),
    );
    assert_eq!(res.status, 201, "{}", res.body);
    let id = res.json()["id"].as_str().unwrap().to_string();
    let topics: Vec<String> = (1..=sessions).map(|i| format!("Topic {i}")).collect();
    let res = app.json(
        "POST",
        &format!("/api/v1/groups/{id}/sessions"),
        Some(&p.coordinator.access),
        &json!({"starts_at": "2030-01-09T00:00:00Z", "count": sessions, "topics": topics}),
    );
    assert_eq!(res.status, 201, "{}", res.body);
    id
}

#[test]
fn a_formal_group_with_nine_sessions_cannot_open() {
    let app = TestApp::spawn();
    let p = program(&app);
    let id = formal_group(&app, &p, 9);
    let before = app.get(&format!("/api/v1/groups/{id}"));
    let problem =
        patch_group(&app, &p, &id, json!({"status": "open"})).problem(409, "group-rule-broken");
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("exactly 10") && detail.contains("has 9"),
        "{detail}"
    );
    let after = app.get(&format!("/api/v1/groups/{id}"));
    assert_eq!(after.json()["status"], "planned");
    assert_eq!(
        after.header("etag"),
        before.header("etag"),
        "nothing changed"
    );

    // The tenth session makes it ready to open.
    let tenth = app.json(
        "POST",
        &format!("/api/v1/groups/{id}/sessions"),
        Some(&p.coordinator.access),
        &json!({"starts_at": "2030-06-09T00:00:00Z", "topics": ["Looking ahead"]}),
    );
    assert_eq!(tenth.status, 201, "{}", tenth.body);
    let opened = patch_group(&app, &p, &id, json!({"status": "open"}));
    assert_eq!(opened.status, 200, "{}", opened.body);
    assert_eq!(opened.json()["status"], "open");
    assert_eq!(opened.json()["session_count"], 10);
}

#[test]
fn a_formal_group_keeps_both_kinds_of_facilitator_while_under_way() {
    let app = TestApp::spawn();
    let p = program(&app);
    let other_professional = app.staff(&p.admin, "mental_health_professional");

    // While planned, the facilitators may change freely.
    let planned = formal_group(&app, &p, 10);
    let emptied = patch_group(&app, &p, &planned, json!({"facilitator_ids": []}));
    assert_eq!(emptied.status, 200, "{}", emptied.body);

    let id = open_group(&app, &p, "en", "formal", 10);
    for status in ["open", "running"] {
        if status == "running" {
            let res = patch_group(&app, &p, &id, json!({"status": "running"}));
            assert_eq!(res.status, 200, "{}", res.body);
        }
        let before = app.get(&format!("/api/v1/groups/{id}"));
        let without_mhp = patch_group(&app, &p, &id, json!({"facilitator_ids": [p.supporter.id]}))
            .problem(409, "group-rule-broken");
        let detail = without_mhp["detail"].as_str().unwrap();
        assert!(
            detail.contains("mental_health_professional") && detail.contains(status),
            "{detail}"
        );
        patch_group(
            &app,
            &p,
            &id,
            json!({"facilitator_ids": [p.professional.id]}),
        )
        .problem(409, "group-rule-broken");
        patch_group(&app, &p, &id, json!({"facilitator_ids": []}))
            .problem(409, "group-rule-broken");
        let after = app.get_as(&format!("/api/v1/groups/{id}"), &p.coordinator.access);
        assert_eq!(after.json()["facilitators"].as_array().unwrap().len(), 2);
        assert_eq!(
            after.header("etag"),
            before.header("etag"),
            "nothing changed"
        );
    }

    // Handing over to another mental health professional keeps the rule.
    let handed_over = patch_group(
        &app,
        &p,
        &id,
        json!({"facilitator_ids": [p.supporter.id, other_professional.id]}),
    );
    assert_eq!(handed_over.status, 200, "{}", handed_over.body);
    let mut leads: Vec<String> = handed_over.json()["facilitators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect();
    leads.sort();
    let mut expected = vec![p.supporter.id.clone(), other_professional.id.clone()];
    expected.sort();
    assert_eq!(leads, expected);

    // A running drop-in group keeps its peer supporter too.
    let informal = open_group(&app, &p, "en", "informal", 5);
    let res = patch_group(&app, &p, &informal, json!({"status": "running"}));
    assert_eq!(res.status, 200, "{}", res.body);
    patch_group(
        &app,
        &p,
        &informal,
        json!({"facilitator_ids": [p.professional.id]}),
    )
    .problem(409, "group-rule-broken");
}

/// A peer with the required consents granted and an application brought to `ready`, with
/// these extra preferences and intake form answers.
fn ready_applicant(
    app: &TestApp,
    p: &Program,
    email: &str,
    identity_preference: Option<&str>,
    affiliation: Option<&str>,
) -> (Session, String) {
    let peer = app.peer(email);
    let mut body = json!({"preferred_language": "en", "group_kind": "either",
                          "contact_methods": ["email"]});
    if let Some(preference) = identity_preference {
        body["identity_preference"] = json!(preference);
    }
    let res = app.json(
        "POST",
        "/api/v1/intake-applications",
        Some(&peer.access),
        &body,
    );
    assert_eq!(res.status, 201, "{}", res.body);
    let id = res.json()["id"].as_str().unwrap().to_string();
    let mut form = json!({"reasons_for_joining": "To talk with people who understand."});
    if let Some(affiliation) = affiliation {
        form["affiliation"] = json!(affiliation);
    }
    assert_eq!(
        act(app, &p.coordinator.access, &id, "assign", json!({})).status,
        200
    );
    let sent = act(app, &peer.access, &id, "form", form);
    assert_eq!(sent.status, 200, "{}", sent.body);
    let meeting = act(
        app,
        &p.coordinator.access,
        &id,
        "schedule-meeting",
        json!({"meeting_at": "2030-01-02T15:00:00Z", "mode": "phone"}),
    );
    assert_eq!(meeting.status, 200, "{}", meeting.body);
    meeting_held(app, &id);
    let ready = act(
        app,
        &p.coordinator.access,
        &id,
        "record-meeting",
        json!({"readiness": "ready", "code_of_conduct_reviewed": true,
               "consents_reviewed": true, "safety_plan_reviewed": true}),
    );
    assert_eq!(ready.status, 200, "{}", ready.body);
    grant(app, &peer, "en", &REQUIRED);
    (peer, id)
}

#[test]
fn a_running_drop_in_group_takes_a_new_participant_and_a_running_cohort_does_not() {
    let app = TestApp::spawn();
    let p = program(&app);
    let informal = open_group(&app, &p, "en", "informal", 1);
    let formal = open_group(&app, &p, "en", "formal", 10);
    for id in [&informal, &formal] {
        let res = patch_group(&app, &p, id, json!({"status": "running"}));
        assert_eq!(res.status, 200, "{}", res.body);
    }

    let (peer, first) = ready_applicant(&app, &p, "first@example.ca", None, None);
    let placed = act(
        &app,
        &p.coordinator.access,
        &first,
        "place",
        json!({"group_id": informal}),
    );
    assert_eq!(placed.status, 200, "{}", placed.body);
    assert_eq!(placed.json()["status"], "placed");
    let after = group(&app, &informal);
    assert_eq!(
        after["status"], "running",
        "a full running group keeps running"
    );
    assert_eq!(after["seats_available"], 0);
    let mine = app.get_as("/api/v1/me/placements", &peer.access).json();
    assert_eq!(mine["items"][0]["group_id"], informal.as_str());

    // With its seats taken, the next one waits for a seat.
    let (_, second) = ready_applicant(&app, &p, "second@example.ca", None, None);
    let waiting = act(
        &app,
        &p.coordinator.access,
        &second,
        "place",
        json!({"group_id": informal}),
    );
    assert_eq!(waiting.status, 200, "{}", waiting.body);
    assert_eq!(waiting.json()["status"], "waitlisted");

    // A formal cohort that has started takes nobody new.
    let (_, third) = ready_applicant(&app, &p, "third@example.ca", None, None);
    let refused = act(
        &app,
        &p.coordinator.access,
        &third,
        "place",
        json!({"group_id": formal}),
    )
    .problem(409, "conflict");
    assert!(refused["detail"].as_str().unwrap().contains("running"));
    assert_eq!(group(&app, &formal)["seats_available"], 10);
    let still = app
        .get_as(
            &format!("/api/v1/intake-applications/{third}"),
            &p.coordinator.access,
        )
        .json();
    assert_eq!(still["status"], "ready");
}

/// An open drop-in group with this identity focus and these audiences.
fn focused_group(app: &TestApp, p: &Program, focus: Option<&str>, audience: Value) -> String {
    let mut body = json!({"name": "Focused", "kind": "informal", "language": "en",
                          "audience": audience, "time_zone": "America/Toronto", "capacity": 5,
                          "facilitator_ids": [p.supporter.id]});
    if let Some(focus) = focus {
        body["identity_focus"] = json!(focus);
    }
    let res = app.json("POST", "/api/v1/groups", Some(&p.coordinator.access), &body);
    assert_eq!(res.status, 201, "{}", res.body);
    let id = res.json()["id"].as_str().unwrap().to_string();
    let res = patch_group(app, p, &id, json!({"status": "open"}));
    assert_eq!(res.status, 200, "{}", res.body);
    id
}

fn overrides(app: &TestApp, admin: &Session) -> Vec<Value> {
    let res = app.get_as(
        "/api/v1/audit-events?action=placement.mismatch_overridden",
        &admin.access,
    );
    assert_eq!(res.status, 200, "{}", res.body);
    res.json()["items"].as_array().unwrap().clone()
}

#[test]
fn a_mismatch_is_refused_without_an_override_reason_and_placed_and_audited_with_one() {
    let app = TestApp::spawn();
    let p = program(&app);
    let women_veterans = focused_group(&app, &p, Some("women"), json!(["veteran"]));
    let (peer, id) = ready_applicant(&app, &p, "cadet@example.ca", None, Some("cadet"));
    let answers = app
        .get_as(&format!("/api/v1/intake-applications/{id}"), &peer.access)
        .json();
    assert_eq!(answers["form_answers"]["affiliation"], "cadet");

    let place = |body: Value| act(&app, &p.coordinator.access, &id, "place", body);
    let problem = place(json!({"group_id": women_veterans})).problem(409, "placement-mismatch");
    let detail = problem["detail"].as_str().unwrap();
    for word in ["women", "cadet", "veteran", "override_reason"] {
        assert!(detail.contains(word), "{word} in {detail}");
    }
    // Reasons that say nothing are refused, and refusals change nothing.
    for blank in [json!(""), json!("   "), json!("x".repeat(501))] {
        place(json!({"group_id": women_veterans, "override_reason": blank}))
            .problem(422, "validation-failed");
    }
    assert_eq!(group(&app, &women_veterans)["seats_available"], 5);
    assert!(overrides(&app, &p.admin).is_empty());

    let reason = "Asked at the meeting to join this group; the facilitators agreed.";
    let placed = place(json!({"group_id": women_veterans, "override_reason": reason}));
    assert_eq!(placed.status, 200, "{}", placed.body);
    assert_eq!(placed.json()["status"], "placed");
    assert_eq!(group(&app, &women_veterans)["seats_available"], 4);
    let events = overrides(&app, &p.admin);
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(event["resource_type"], "intake_application");
    assert_eq!(event["resource_id"], id.as_str());
    assert_eq!(event["actor_id"], p.coordinator.id.as_str());
    assert_eq!(event["details"]["override_reason"], reason);
    assert_eq!(event["details"]["group_id"], women_veterans.as_str());
    assert_eq!(
        event["details"]["mismatches"],
        json!(["identity_focus", "audience"])
    );
    // The audit log is the admin's alone.
    let res = app.get_as(
        "/api/v1/audit-events?action=placement.mismatch_overridden",
        &p.coordinator.access,
    );
    assert_eq!(res.status, 403);
}

#[test]
fn a_matching_applicant_is_placed_without_an_override() {
    let app = TestApp::spawn();
    let p = program(&app);
    let women_veterans = focused_group(&app, &p, Some("Women"), json!(["veteran"]));
    let rangers = focused_group(&app, &p, None, json!(["junior_canadian_ranger", "family"]));
    let mixed = focused_group(&app, &p, None, json!(["veteran"]));

    let (_, veteran) =
        ready_applicant(&app, &p, "vet@example.ca", Some(" WOMEN "), Some("veteran"));
    let (_, ranger) = ready_applicant(&app, &p, "jcr@example.ca", None, Some("jcr"));
    let (_, unstated) = ready_applicant(&app, &p, "quiet@example.ca", None, None);
    for (id, group) in [
        (&veteran, &women_veterans),
        (&ranger, &rangers),
        (&unstated, &mixed),
    ] {
        let placed = act(
            &app,
            &p.coordinator.access,
            id,
            "place",
            json!({"group_id": group}),
        );
        assert_eq!(placed.status, 200, "{}", placed.body);
        assert_eq!(placed.json()["status"], "placed");
    }
    assert!(overrides(&app, &p.admin).is_empty());

    // Someone who asked for an identity-based group is not put in a general one unasked, and
    // a group kept for an identity is not for someone who did not ask for it.
    let general = focused_group(&app, &p, None, json!(["veteran"]));
    let (_, asked) = ready_applicant(&app, &p, "asked@example.ca", Some("women"), None);
    act(
        &app,
        &p.coordinator.access,
        &asked,
        "place",
        json!({"group_id": general}),
    )
    .problem(409, "placement-mismatch");
    let (_, not_asked) = ready_applicant(&app, &p, "notasked@example.ca", None, None);
    act(
        &app,
        &p.coordinator.access,
        &not_asked,
        "place",
        json!({"group_id": women_veterans}),
    )
    .problem(409, "placement-mismatch");
}

#[test]
fn an_affiliation_outside_the_vocabulary_is_refused() {
    let app = TestApp::spawn();
    let p = program(&app);
    let peer = app.peer("astronaut@example.ca");
    let id = apply(&app, &peer, "en");
    act(&app, &p.coordinator.access, &id, "assign", json!({}));
    let res = act(
        &app,
        &peer.access,
        &id,
        "form",
        json!({"hopes": "x", "affiliation": "astronaut"}),
    );
    assert_eq!(res.status, 400, "{}", res.body);
    let after = app
        .get_as(&format!("/api/v1/intake-applications/{id}"), &peer.access)
        .json();
    assert_eq!(after["status"], "form_sent");
}

const MOVES: [(&str, &str); 8] = [
    ("assign", "assign"),
    ("submit_form", "form"),
    ("schedule_meeting", "schedule-meeting"),
    ("record_meeting", "record-meeting"),
    ("place", "place"),
    ("waitlist", "waitlist"),
    ("withdraw", "withdraw"),
    ("close", "close"),
];

/// A body with which `intake_move` succeeds when the state and the caller allow it.
fn body_of(intake_move: &str, group: &str) -> Value {
    match intake_move {
        "assign" | "waitlist" | "withdraw" => json!({}),
        "submit_form" => json!({"hopes": "To feel less alone."}),
        "schedule_meeting" => json!({"meeting_at": "2030-01-02T15:00:00Z", "mode": "phone"}),
        "record_meeting" => json!({"readiness": "ready", "code_of_conduct_reviewed": true,
                                   "consents_reviewed": true, "safety_plan_reviewed": true}),
        "place" => json!({"group_id": group}),
        "close" => json!({"reason": "Closed for the test."}),
        other => panic!("no body for {other}"),
    }
}

/// The moves that take a fresh application to each state, by whom (`true`: the applicant).
fn route_to(state: &str) -> Vec<(bool, &'static str, Value)> {
    let not_ready = json!({"readiness": "not_ready", "code_of_conduct_reviewed": false,
                           "consents_reviewed": false, "safety_plan_reviewed": false});
    let mut route = vec![];
    let order = [
        "submitted",
        "form_sent",
        "form_received",
        "meeting_scheduled",
        "ready",
    ];
    let through = match state {
        "not_ready" => "meeting_scheduled",
        "waitlisted" | "placed" => "ready",
        other => other,
    };
    let steps = [
        (false, "assign", "assign"),
        (true, "form", "submit_form"),
        (false, "schedule-meeting", "schedule_meeting"),
        (false, "record-meeting", "record_meeting"),
    ];
    let depth = order.iter().position(|s| *s == through).unwrap();
    for (by_peer, path, intake_move) in steps.iter().take(depth) {
        route.push((*by_peer, *path, body_of(intake_move, "")));
    }
    match state {
        "not_ready" => route.push((false, "record-meeting", not_ready)),
        "waitlisted" => route.push((false, "waitlist", json!({}))),
        "placed" => route.push((false, "place", Value::Null)),
        _ => {}
    }
    route
}

/// Applicants for many applications: a new peer (with the consents granted) for each, since a
/// person has one open application at a time.
struct Applicants {
    peers: Vec<Session>,
    applications: usize,
}

impl Applicants {
    fn application_in(
        &mut self,
        app: &TestApp,
        p: &Program,
        state: &str,
        group: &str,
    ) -> (Session, String) {
        let peer = app.peer(&format!("applicant{}@example.ca", self.peers.len()));
        grant(app, &peer, "en", &REQUIRED);
        self.peers.push(peer.clone());
        self.applications += 1;
        let id = apply(app, &peer, "en");
        for (by_peer, path, body) in route_to(state) {
            let token = if by_peer {
                &peer.access
            } else {
                &p.coordinator.access
            };
            let body = if body.is_null() {
                json!({"group_id": group})
            } else {
                body
            };
            let res = act(app, token, &id, path, body);
            assert_eq!(res.status, 200, "{path} towards {state}: {}", res.body);
            if path == "schedule-meeting" {
                meeting_held(app, &id);
            }
        }
        (peer, id)
    }
}

#[test]
fn each_role_is_offered_exactly_the_moves_it_may_make() {
    // A peer per application: more sign-ups from one address than its limit allows.
    let app = TestApp::spawn_with(&[("AUTH_RATE_LIMITS", "false")]);
    let p = program(&app);
    let group = open_group(&app, &p, "en", "informal", 50);
    let mut applicants = Applicants {
        peers: vec![],
        applications: 0,
    };
    let states = [
        "submitted",
        "form_sent",
        "form_received",
        "meeting_scheduled",
        "not_ready",
        "ready",
        "waitlisted",
        "placed",
    ];
    for state in states {
        let (owner, probe) = applicants.application_in(&app, &p, state, &group);
        let path = format!("/api/v1/intake-applications/{probe}");
        for role in ["peer", "coordinator", "admin"] {
            let token = match role {
                "peer" => owner.access.clone(),
                "coordinator" => p.coordinator.access.clone(),
                _ => p.admin.access.clone(),
            };
            let seen = app.get_as(&path, &token).json();
            assert_eq!(seen["status"], state);
            let offered: Vec<String> = seen["allowed_moves"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m.as_str().unwrap().to_string())
                .collect();
            if role == "peer" {
                assert!(
                    !offered.contains(&"assign".to_string()),
                    "{state}: {offered:?}"
                );
            }
            for (intake_move, action) in MOVES {
                let body = body_of(intake_move, &group);
                if offered.iter().any(|m| m == intake_move) {
                    // Offered: it works, on an application of its own in the same state.
                    let (peer, fresh) = applicants.application_in(&app, &p, state, &group);
                    let token = if role == "peer" { &peer.access } else { &token };
                    let res = act(&app, token, &fresh, action, body);
                    assert_eq!(
                        res.status, 200,
                        "{role} offered {intake_move} in {state}: {}",
                        res.body
                    );
                } else {
                    // Not offered: refused, for the role or for the state, and nothing moves.
                    let res = act(&app, &token, &probe, action, body);
                    assert!(
                        res.status == 403 || res.status == 409,
                        "{role} not offered {intake_move} in {state}: {} {}",
                        res.status,
                        res.body
                    );
                    if res.status == 409 {
                        let problem = res.problem(409, "invalid-transition");
                        assert_eq!(
                            problem["allowed"],
                            json!(offered),
                            "the refusal names the caller's own moves"
                        );
                    }
                }
            }
            assert_eq!(app.get_as(&path, &token).json()["status"], state);
        }
    }
}

#[test]
fn an_admin_cannot_take_away_the_facilitator_a_group_under_way_needs() {
    let app = TestApp::spawn();
    let p = program(&app);
    let formal = open_group(&app, &p, "en", "formal", 10);
    let running = patch_group(&app, &p, &formal, json!({"status": "running"}));
    assert_eq!(running.status, 200, "{}", running.body);
    let change = |who: &str, body: Value| {
        app.json(
            "PATCH",
            &format!("/api/v1/users/{who}"),
            Some(&p.admin.access),
            &body,
        )
    };
    // Disabling the only mental health professional, or making them a coordinator, would
    // leave the running cohort without one: refused, and the account is as it was.
    for body in [
        json!({"disabled": true}),
        json!({"role": "coordinator"}),
        json!({"role": "peer_supporter"}),
    ] {
        let problem = change(&p.professional.id, body.clone()).problem(409, "group-rule-broken");
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("mental_health_professional"),
            "{body}: {problem}"
        );
    }
    let account = app
        .get_as(
            &format!("/api/v1/users/{}", p.professional.id),
            &p.admin.access,
        )
        .json();
    assert_eq!(
        (account["disabled"].clone(), account["role"].clone()),
        (json!(false), json!("mental_health_professional"))
    );
    assert_eq!(
        app.get_as("/api/v1/me", &p.professional.access).status,
        200,
        "their sessions were not ended"
    );
    // The same for the peer supporter.
    change(&p.supporter.id, json!({"disabled": true})).problem(409, "group-rule-broken");

    // With a second professional in the group, the first may go.
    let second = app.staff(&p.admin, "mental_health_professional");
    let both = patch_group(
        &app,
        &p,
        &formal,
        json!({"facilitator_ids": [p.supporter.id, p.professional.id, second.id]}),
    );
    assert_eq!(both.status, 200, "{}", both.body);
    let disabled = change(&p.professional.id, json!({"disabled": true}));
    assert_eq!(disabled.status, 200, "{}", disabled.body);
    // And then the second is the one the group cannot lose.
    change(&second.id, json!({"disabled": true})).problem(409, "group-rule-broken");
}
