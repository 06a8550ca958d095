//! A session's feedback window is fixed once it opens (no rescheduling, no cancelling, no move
//! into the past), and the feedback routes leave no time in the access log or `/metrics`.

use chrono::{Duration, Utc};
use serde_json::{json, Value};

use crate::{
    helpers::TestApp,
    intake::{open_group, program, Program},
};

/// A session of a new group starting `hours_from_now` (negative: it has started).
fn session_at(app: &TestApp, p: &Program, hours_from_now: i64) -> String {
    let group = open_group(app, p, "en", "informal", 12);
    let start = (Utc::now() + Duration::hours(hours_from_now)).to_rfc3339();
    let res = app.json(
        "POST",
        &format!("/api/v1/groups/{group}/sessions"),
        Some(&p.coordinator.access),
        &json!({"starts_at": start}),
    );
    assert_eq!(res.status, 201, "{}", res.body);
    res.json()["items"][0]["id"].as_str().unwrap().to_string()
}

fn patch(app: &TestApp, p: &Program, session: &str, body: Value) -> crate::helpers::Response {
    app.json(
        "PATCH",
        &format!("/api/v1/sessions/{session}"),
        Some(&p.coordinator.access),
        &body,
    )
}

fn read(app: &TestApp, p: &Program, session: &str) -> (Value, Value) {
    let get = |path: String| {
        let res = app.get_as(&path, &p.coordinator.access);
        assert_eq!(res.status, 200, "{}", res.body);
        res.json()
    };
    (
        get(format!("/api/v1/sessions/{session}")),
        get(format!("/api/v1/sessions/{session}/feedback-summary")),
    )
}

#[test]
fn an_opened_window_is_never_moved_and_a_closed_one_never_cancelled() {
    let app = TestApp::spawn();
    let p = program(&app);
    // Its window closed a day ago (the default window is 168 hours): the re-open attack.
    let closed = session_at(&app, &p, -8 * 24);
    let open = session_at(&app, &p, -1);
    let cancel = json!({"status": "cancelled", "cancel_reason": "Facilitator unwell"});
    for session in [&closed, &open] {
        let before = read(&app, &p, session);
        let back_into_window = (Utc::now() - Duration::hours(2)).to_rfc3339();
        let later = (Utc::now() + Duration::days(30)).to_rfc3339();
        for change in [
            json!({"starts_at": back_into_window}),
            json!({"starts_at": later}),
            json!({"duration_minutes": 120}),
            json!({"starts_at": later, "status": "cancelled", "cancel_reason": "Moved"}),
        ] {
            let problem = patch(&app, &p, session, change).problem(409, "conflict");
            assert!(
                problem["detail"].as_str().unwrap().ends_with(
                    "feedback on this session has opened; its time can no longer change"
                ),
                "{problem}"
            );
        }
        assert_eq!(read(&app, &p, session), before, "nothing changed");
        // What does not touch the window still changes; sending the same time back is no move.
        let same = json!({"starts_at": before.0["starts_at"], "topic": "Sleep"});
        let res = patch(&app, &p, session, same);
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.json()["starts_at"], before.0["starts_at"]);
    }
    // Closed, it may be in a released summary: it stays counted.
    let before = read(&app, &p, &closed);
    let problem = patch(&app, &p, &closed, cancel.clone()).problem(409, "conflict");
    assert!(
        problem["detail"].as_str().unwrap().contains("closed"),
        "{problem}"
    );
    assert_eq!(read(&app, &p, &closed), before, "nothing changed");
    // Open, it is in no summary yet: cancelled now, it never enters one.
    let res = patch(&app, &p, &open, cancel);
    assert_eq!(res.json()["status"], "cancelled", "{}", res.body);
}

#[test]
fn a_session_that_has_not_started_cannot_move_into_the_past() {
    let app = TestApp::spawn();
    let p = program(&app);
    let session = session_at(&app, &p, 48);
    let before = read(&app, &p, &session);
    let past = (Utc::now() - Duration::minutes(5)).to_rfc3339();
    let problem =
        patch(&app, &p, &session, json!({"starts_at": past})).problem(422, "validation-failed");
    assert_eq!(problem["errors"][0]["field"], "starts_at", "{problem}");
    assert_eq!(read(&app, &p, &session), before, "nothing changed");
    let later = (Utc::now() + Duration::days(3)).to_rfc3339();
    assert_eq!(
        patch(&app, &p, &session, json!({"starts_at": later})).status,
        200
    );
    let cancel = json!({"status": "cancelled", "cancel_reason": "Facilitator unwell"});
    assert_eq!(patch(&app, &p, &session, cancel).status, 200);
}

#[test]
fn cancelling_a_group_keeps_its_started_sessions() {
    let app = TestApp::spawn();
    let p = program(&app);
    let group = open_group(&app, &p, "en", "informal", 12);
    let ids: Vec<String> = [-2, 48]
        .into_iter()
        .map(|hours| {
            let start = (Utc::now() + Duration::hours(hours)).to_rfc3339();
            let res = app.json(
                "POST",
                &format!("/api/v1/groups/{group}/sessions"),
                Some(&p.coordinator.access),
                &json!({"starts_at": start}),
            );
            assert_eq!(res.status, 201, "{}", res.body);
            res.json()["items"][0]["id"].as_str().unwrap().to_string()
        })
        .collect();
    let res = app.json(
        "PATCH",
        &format!("/api/v1/groups/{group}"),
        Some(&p.coordinator.access),
        &json!({"status": "cancelled"}),
    );
    assert_eq!(res.status, 200, "{}", res.body);
    let status = |id: &str| {
        let res = app.get_as(&format!("/api/v1/sessions/{id}"), &p.coordinator.access);
        res.json()["status"].as_str().unwrap().to_string()
    };
    assert_eq!(
        status(&ids[0]),
        "scheduled",
        "it took place: it stays counted"
    );
    assert_eq!(status(&ids[1]), "cancelled");
}

#[test]
fn metrics_keep_no_latency_for_the_feedback_routes() {
    let app = TestApp::spawn();
    let p = program(&app);
    let session = session_at(&app, &p, -1);
    let peer = app.peer("peer@example.ca");
    let token = app.json(
        "POST",
        &format!("/api/v1/sessions/{session}/feedback-token"),
        Some(&peer.access),
        &json!({}),
    );
    assert!(token.status < 500, "{}", token.body);
    let submit = app.post_json("/api/v1/feedback", &json!({"session_id": session}));
    assert!(submit.status < 500, "{}", submit.body);
    let summary = app.get_as(
        &format!("/api/v1/sessions/{session}/feedback-summary"),
        &p.coordinator.access,
    );
    assert_eq!(summary.status, 200, "{}", summary.body);
    let text = app.get("/metrics").body;
    assert!(
        text.lines().any(
            |l| l.starts_with("peer_support_http_requests_duration_seconds_bucket")
                && l.contains("endpoint=\"/api/v1/groups/{id}/sessions\"")
        ),
        "other routes keep their latency: {text}"
    );
    let dated: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with('#') && l.contains("feedback"))
        .collect();
    assert!(
        dated.is_empty(),
        "no series for today's feedback requests: {dated:?}"
    );
}

#[test]
fn a_feedback_request_that_fails_logs_its_error_without_a_time() {
    use crate::helpers::captured_logs;
    let app = TestApp::with_database_unreachable();
    let session = uuid::Uuid::new_v4();
    let res = app.post_json(
        "/api/v1/feedback",
        &json!({"session_id": session.to_string(), "token": "dG9rZW4", "randomizer": "cmFuZG9taXplcg",
                "signature": "c2lnbmF0dXJl", "felt_safe": 4}),
    );
    res.problem(503, "service-unavailable");
    let logs = captured_logs();
    let pool_lines: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("peer_support_api::access::feedback") && l.contains("database pool"))
        .collect();
    assert!(!pool_lines.is_empty(), "the failure is logged: {logs}");
    for line in pool_lines {
        assert!(
            line.starts_with("[WARN") || line.starts_with("[ERROR"),
            "a failed feedback request's log line carries no time: {line}"
        );
    }
}
