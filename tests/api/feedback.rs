//! Anonymous feedback: tokens, single use, suppression, who sees summaries, and that nothing
//! stored links a response to a person.

use chrono::{Duration, Utc};
use diesel::{connection::SimpleConnection, Connection, QueryDsl, RunQueryDsl};
use serde_json::{json, Value};

use crate::{
    helpers::{Session, TestApp},
    intake::{act, apply, grant, make_ready, open_group, program, Program, REQUIRED},
};

struct Setup {
    p: Program,
    group: String,
    peers: Vec<Session>,
}

/// An open informal group with `placed` peers placed in it.
fn setup(app: &TestApp, placed: usize) -> Setup {
    let p = program(app);
    let group = open_group(app, &p, "en", "informal", 12);
    let peers = (0..placed)
        .map(|i| {
            let peer = app.peer(&format!("participant{i}@example.ca"));
            let id = apply(app, &peer, "en");
            make_ready(app, &p, &peer, &id);
            grant(app, &peer, "en", &REQUIRED);
            let res = act(
                app,
                &p.coordinator.access,
                &id,
                "place",
                json!({"group_id": group}),
            );
            assert_eq!(res.json()["status"], "placed", "{}", res.body);
            peer
        })
        .collect();
    Setup { p, group, peers }
}

/// A session of the group that started an hour ago.
fn past_session(app: &TestApp, s: &Setup) -> String {
    let start = (Utc::now() - Duration::hours(1)).to_rfc3339();
    let res = app.json(
        "POST",
        &format!("/api/v1/groups/{}/sessions", s.group),
        Some(&s.p.coordinator.access),
        &json!({"starts_at": start}),
    );
    assert_eq!(res.status, 201, "{}", res.body);
    res.json()["items"][0]["id"].as_str().unwrap().to_string()
}

fn token(app: &TestApp, peer: &Session, session: &str) -> crate::helpers::Response {
    app.json(
        "POST",
        &format!("/api/v1/sessions/{session}/feedback-token"),
        Some(&peer.access),
        &json!({}),
    )
}

fn submit(app: &TestApp, session: &str, token: &str, comment: &str) -> crate::helpers::Response {
    app.post_json(
        "/api/v1/feedback",
        &json!({"session_id": session, "token": token, "felt_safe": 5, "felt_heard": 4,
                "found_useful": 3, "comment": comment}),
    )
}

fn give_feedback(app: &TestApp, peers: &[Session], session: &str) {
    for (i, peer) in peers.iter().enumerate() {
        let t = token(app, peer, session);
        assert_eq!(t.status, 201, "{}", t.body);
        let res = submit(
            app,
            session,
            t.json()["token"].as_str().unwrap(),
            &format!("comment {i}"),
        );
        assert_eq!(res.status, 201, "{}", res.body);
    }
}

/// Moves a session eight days back, as if its feedback window had closed.
fn close_window(app: &TestApp, session: &str) {
    let mut conn = peer_support_api::db::ConnectionManager::new(&app.database_url)
        .establish()
        .unwrap();
    let past = (Utc::now() - Duration::days(8))
        .naive_utc()
        .format("%Y-%m-%d %H:%M:%S");
    conn.batch_execute(&format!(
        "UPDATE group_sessions SET starts_at = '{past}' WHERE id = '{session}'"
    ))
    .unwrap();
}

#[test]
fn tokens_go_once_to_placed_peers_only() {
    let app = TestApp::spawn();
    let s = setup(&app, 1);
    let session = past_session(&app, &s);
    let outsider = app.peer("outsider@example.ca");
    token(&app, &outsider, &session).problem(403, "forbidden");
    let first = token(&app, &s.peers[0], &session);
    assert_eq!(first.status, 201, "{}", first.body);
    assert!(first.json()["submit_by"].is_string());
    token(&app, &s.peers[0], &session).problem(409, "conflict");
    app.json(
        "POST",
        &format!("/api/v1/sessions/{session}/feedback-token"),
        Some(&s.p.coordinator.access),
        &json!({}),
    )
    .problem(403, "forbidden");
    app.post_json(
        &format!("/api/v1/sessions/{session}/feedback-token"),
        &json!({}),
    )
    .problem(401, "unauthorized");
    // Not before the session, nor for a cancelled one.
    let future = app
        .get(&format!("/api/v1/groups/{}/sessions", s.group))
        .json()["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    token(&app, &s.peers[0], &future).problem(409, "conflict");
    app.json(
        "PATCH",
        &format!("/api/v1/sessions/{session}"),
        Some(&s.p.coordinator.access),
        &json!({"status": "cancelled", "cancel_reason": "Facilitator unwell"}),
    );
    let cancelled = app.post_json(
        "/api/v1/feedback",
        &json!({"session_id": session,
        "token": first.json()["token"], "felt_safe": 3}),
    );
    cancelled.problem(409, "conflict");
}

#[test]
fn a_token_is_spent_once_and_bad_tokens_are_refused_alike() {
    let app = TestApp::spawn();
    let s = setup(&app, 1);
    let session = past_session(&app, &s);
    let other_session = past_session(&app, &s);
    let t = token(&app, &s.peers[0], &session).json()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let wrong_session =
        submit(&app, &other_session, &t, "x").problem(403, "feedback-token-refused");
    let garbage = submit(&app, &session, "not.a-token", "x").problem(403, "feedback-token-refused");
    assert_eq!(submit(&app, &session, &t, "first time").status, 201);
    let spent = submit(&app, &session, &t, "second time").problem(403, "feedback-token-refused");
    assert_eq!(wrong_session["detail"], garbage["detail"]);
    assert_eq!(garbage["detail"], spent["detail"]);
    let invalid = app.post_json(
        "/api/v1/feedback",
        &json!({"session_id": session, "token": t, "felt_safe": 9}),
    );
    assert_eq!(
        invalid.problem(422, "validation-failed")["errors"][0]["field"],
        "felt_safe"
    );
}

#[test]
fn summaries_under_five_responses_are_suppressed_and_differences_reveal_nothing() {
    let app = TestApp::spawn();
    let s = setup(&app, 5);
    let five = past_session(&app, &s);
    let four = past_session(&app, &s);
    give_feedback(&app, &s.peers, &five);
    give_feedback(&app, &s.peers[..4], &four);
    let summary = |path: &str| app.get_as(path, &s.p.coordinator.access).json();
    let collecting = summary(&format!("/api/v1/sessions/{five}/feedback-summary"));
    assert_eq!(collecting["suppressed"], true);
    assert_eq!(collecting["reason"], "collecting");

    close_window(&app, &five);
    close_window(&app, &four);
    let shown = summary(&format!("/api/v1/sessions/{five}/feedback-summary"));
    assert_eq!(shown["suppressed"], false, "{shown}");
    assert_eq!(shown["response_count"], 5);
    assert_eq!(shown["felt_safe"]["average"], 5.0);
    assert_eq!(
        shown["found_useful"]["distribution"],
        json!([0, 0, 5, 0, 0])
    );
    assert_eq!(shown["would_recommend"]["answered"], 0);
    assert_eq!(shown["comments"].as_array().unwrap().len(), 5);

    let hidden = summary(&format!("/api/v1/sessions/{four}/feedback-summary"));
    assert_eq!(
        hidden,
        json!({"scope": "session", "suppressed": true, "reason": "too_few_responses", "minimum_responses": 5})
    );
    // The group and the program count only the session with five: subtracting reveals nothing.
    let group = summary(&format!("/api/v1/groups/{}/feedback-summary", s.group));
    assert_eq!(group["response_count"], 5);
    assert_eq!(group["sessions_included"], 1);
    let today = Utc::now().date_naive();
    let program = summary(&format!(
        "/api/v1/feedback-summary?from={}&to={today}",
        today - Duration::days(30)
    ));
    assert_eq!(program["response_count"], 5);
    let empty = summary(&format!(
        "/api/v1/feedback-summary?from={0}&to={0}",
        today - Duration::days(400)
    ));
    assert_eq!(empty["suppressed"], true);
    app.get_as(
        &format!(
            "/api/v1/feedback-summary?from={today}&to={}",
            today - Duration::days(1)
        ),
        &s.p.coordinator.access,
    )
    .problem(422, "validation-failed");
}

#[test]
fn who_may_read_summaries() {
    let app = TestApp::spawn();
    let s = setup(&app, 1);
    let session = past_session(&app, &s);
    let stranger = app.staff(&s.p.admin, "peer_supporter");
    app.get_as(
        &format!("/api/v1/sessions/{session}/feedback-summary"),
        &stranger.access,
    )
    .problem(404, "not-found");
    app.get_as(
        &format!("/api/v1/groups/{}/feedback-summary", s.group),
        &stranger.access,
    )
    .problem(404, "not-found");
    app.get_as(
        "/api/v1/feedback-summary?from=2026-01-01&to=2026-12-31",
        &stranger.access,
    )
    .problem(403, "forbidden");
    app.get_as(
        &format!("/api/v1/sessions/{session}/feedback-summary"),
        &s.peers[0].access,
    )
    .problem(403, "forbidden");
    app.get(&format!("/api/v1/groups/{}/feedback-summary", s.group))
        .problem(401, "unauthorized");
    assert_eq!(
        app.get_as(
            &format!("/api/v1/groups/{}/feedback-summary", s.group),
            &s.p.supporter.access
        )
        .status,
        200
    );
    assert_eq!(
        app.get_as(
            &format!("/api/v1/sessions/{session}/feedback-summary"),
            &s.p.professional.access
        )
        .status,
        200
    );
}

#[test]
fn nothing_stored_links_a_response_to_a_person_and_comments_stay_out_of_the_logs() {
    use peer_support_api::db::schema::{
        feedback_grants, feedback_responses, feedback_spent_tokens,
    };
    let app = TestApp::spawn();
    let s = setup(&app, 5);
    let session = past_session(&app, &s);
    let secret_comment = format!("private words {}", uuid::Uuid::new_v4());
    for (i, peer) in s.peers.iter().enumerate() {
        let t = token(&app, peer, &session).json()["token"]
            .as_str()
            .unwrap()
            .to_string();
        let comment = if i == 2 {
            secret_comment.clone()
        } else {
            format!("comment {i}")
        };
        assert_eq!(submit(&app, &session, &t, &comment).status, 201);
    }
    let mut conn = peer_support_api::db::ConnectionManager::new(&app.database_url)
        .establish()
        .unwrap();
    let grants: Vec<(String, String)> = feedback_grants::table.load(&mut conn).unwrap();
    let spent: Vec<(String, String)> = feedback_spent_tokens::table.load(&mut conn).unwrap();
    let responses: Vec<peer_support_api::feedback::models::ResponseRow> =
        feedback_responses::table.load(&mut conn).unwrap();
    assert_eq!((grants.len(), spent.len(), responses.len()), (5, 5, 5));
    let people: Vec<String> = s.peers.iter().flat_map(|p| [p.id.clone()]).collect();
    // The grants name people and the session — nothing else (no token, no time).
    for (grant_session, person) in &grants {
        assert_eq!(grant_session, &session);
        assert!(people.contains(person));
    }
    // Spent tokens and responses hold no person, and share nothing with the grants but the session.
    let dump: Value = json!({
        "spent": spent,
        "responses": responses.iter().map(|r| json!([r.id, r.session_id, r.submitted_on.to_string(),
            r.felt_safe, r.felt_heard, r.found_useful, r.would_recommend, r.comment])).collect::<Vec<_>>(),
    });
    let text = dump.to_string();
    for person in &people {
        assert!(
            !text.contains(person.as_str()),
            "a person's id is stored beside feedback"
        );
    }
    for r in &responses {
        assert_eq!(
            r.submitted_on.to_string().len(),
            10,
            "a date, no time of day"
        );
        assert!(!grants.iter().any(|(_, p)| p == &r.id));
    }
    let counted: i64 = feedback_responses::table
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(counted, 5);
    let _ = conn.transaction::<(), diesel::result::Error, _>(|_| Ok(()));
    assert!(
        !crate::helpers::captured_logs().contains(&secret_comment),
        "a comment reached the logs"
    );
}
