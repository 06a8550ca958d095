//! Anonymous feedback: tokens, single use, suppression, who sees summaries, and that nothing
//! stored links a response to a person.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use chrono::{Duration, Utc};
use diesel::{connection::SimpleConnection, Connection, QueryDsl, RunQueryDsl};
use serde_json::{json, Value};

use crate::{
    helpers::{BlindToken, Session, SignedToken, TestApp},
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
    placed_long_ago(app, &group);
    Setup { p, group, peers }
}

/// Moves the placements in a group a month back, so that the group's sessions of the last
/// hours took place after they were made (a placement does not reach back).
fn placed_long_ago(app: &TestApp, group: &str) {
    let mut conn = peer_support_api::db::ConnectionManager::new(&app.database_url)
        .establish()
        .unwrap();
    let past = (Utc::now() - Duration::days(30))
        .naive_utc()
        .format("%Y-%m-%d %H:%M:%S");
    conn.batch_execute(&format!(
        "UPDATE group_participants SET joined_at = '{past}' WHERE group_id = '{group}'"
    ))
    .unwrap();
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

/// Asks for a blind signature on `blind` as `peer`.
fn request_token(app: &TestApp, peer: &Session, blind: &BlindToken) -> crate::helpers::Response {
    app.json(
        "POST",
        &format!("/api/v1/sessions/{}/feedback-token", blind.session_id),
        Some(&peer.access),
        &json!({"blinded_message": blind.blinded_message()}),
    )
}

/// The whole client flow for one session: make, blind, get signed, finalize.
fn take_token(app: &TestApp, peer: &Session, session: &str) -> SignedToken {
    let blind = app.blind_token(session);
    let res = request_token(app, peer, &blind);
    assert_eq!(res.status, 201, "{}", res.body);
    blind.finalize(res.json()["blind_signature"].as_str().unwrap())
}

fn submit(app: &TestApp, token: &SignedToken, comment: &str) -> crate::helpers::Response {
    app.post_json(
        "/api/v1/feedback",
        &token.submission(json!({"felt_safe": 5, "felt_heard": 4, "found_useful": 3,
            "comment": comment})),
    )
}

fn give_feedback(app: &TestApp, peers: &[Session], session: &str) {
    for (i, peer) in peers.iter().enumerate() {
        let t = take_token(app, peer, session);
        let res = submit(app, &t, &format!("comment {i}"));
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
    request_token(&app, &outsider, &app.blind_token(&session)).problem(403, "forbidden");
    let blind = app.blind_token(&session);
    let first = request_token(&app, &s.peers[0], &blind);
    assert_eq!(first.status, 201, "{}", first.body);
    assert!(first.json()["submit_by"].is_string());
    let signed = blind.finalize(first.json()["blind_signature"].as_str().unwrap());
    request_token(&app, &s.peers[0], &app.blind_token(&session)).problem(409, "conflict");
    app.json(
        "POST",
        &format!("/api/v1/sessions/{session}/feedback-token"),
        Some(&s.p.coordinator.access),
        &json!({"blinded_message": blind.blinded_message()}),
    )
    .problem(403, "forbidden");
    app.post_json(
        &format!("/api/v1/sessions/{session}/feedback-token"),
        &json!({"blinded_message": blind.blinded_message()}),
    )
    .problem(401, "unauthorized");
    // A blinded message that is not the modulus length is bad input, and grants nothing.
    let short = app.json(
        "POST",
        &format!("/api/v1/sessions/{session}/feedback-token"),
        Some(&outsider.access),
        &json!({"blinded_message": "AAAA"}),
    );
    assert_eq!(
        short.problem(422, "validation-failed")["errors"][0]["field"],
        "blinded_message"
    );
    // Ahead of time a token may be taken, but it is not accepted before the session starts.
    let listed = app
        .get(&format!("/api/v1/groups/{}/sessions", s.group))
        .json();
    let future = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_str().unwrap().to_string())
        .find(|id| id != &session)
        .expect("a scheduled session ahead");
    let early = take_token(&app, &s.peers[0], &future);
    submit(&app, &early, "too soon").problem(409, "conflict");
    app.json(
        "PATCH",
        &format!("/api/v1/sessions/{session}"),
        Some(&s.p.coordinator.access),
        &json!({"status": "cancelled", "cancel_reason": "Facilitator unwell"}),
    );
    let cancelled = app.post_json(
        "/api/v1/feedback",
        &signed.submission(json!({"felt_safe": 3})),
    );
    cancelled.problem(409, "conflict");
}

#[test]
fn a_token_is_spent_once_and_bad_tokens_are_refused_alike() {
    let app = TestApp::spawn();
    let s = setup(&app, 1);
    let session = past_session(&app, &s);
    let other_session = past_session(&app, &s);
    let t = take_token(&app, &s.peers[0], &session);
    // Signed for one session, offered for another: the token names its session, and the
    // other session's key does not verify it.
    let moved = SignedToken {
        session_id: other_session.clone(),
        ..t.clone()
    };
    let wrong_session = submit(&app, &moved, "x").problem(403, "feedback-token-refused");
    // A signature the server never made, over a well-formed token.
    let mut unsigned = session.as_bytes().to_vec();
    unsigned.extend_from_slice(&[7; 32]);
    let forged = SignedToken {
        token: URL_SAFE_NO_PAD.encode(&unsigned),
        ..t.clone()
    };
    let forged = submit(&app, &forged, "x").problem(403, "feedback-token-refused");
    let garbage = submit(
        &app,
        &SignedToken {
            token: "not-a-token".into(),
            ..t.clone()
        },
        "x",
    )
    .problem(403, "feedback-token-refused");
    assert_eq!(submit(&app, &t, "first time").status, 201);
    let spent = submit(&app, &t, "second time").problem(403, "feedback-token-refused");
    for refused in [&wrong_session, &forged, &garbage] {
        assert_eq!(refused["detail"], spent["detail"]);
    }
    let invalid = app.post_json("/api/v1/feedback", &t.submission(json!({"felt_safe": 9})));
    assert_eq!(
        invalid.problem(422, "validation-failed")["errors"][0]["field"],
        "felt_safe"
    );
}

#[test]
fn each_session_has_its_own_key_published_to_anyone() {
    let app = TestApp::spawn();
    let s = setup(&app, 1);
    let (a, b) = (past_session(&app, &s), past_session(&app, &s));
    let keys = app.get(&format!("/api/v1/feedback-keys?session_id={a},{b}"));
    assert_eq!(keys.status, 200, "{}", keys.body);
    let items = keys.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 2);
    assert_eq!(
        (
            items[0]["session_id"].as_str(),
            items[1]["session_id"].as_str()
        ),
        (Some(a.as_str()), Some(b.as_str()))
    );
    assert_ne!(
        items[0]["key_id"], items[1]["key_id"],
        "one key per session"
    );
    for k in &items {
        assert_eq!(k["variant"], "RSABSSA-SHA384-PSS-Randomized");
    }
    // The same key for everyone, signed in or not, and on another instance of the same secret.
    let again = app.get_as(
        &format!("/api/v1/feedback-keys?session_id={a}"),
        &s.peers[0].access,
    );
    assert_eq!(again.json()["items"][0], items[0]);
    let second = TestApp::spawn_with(&[(
        "FEEDBACK_KEY_SECRET",
        "one-secret-for-every-instance-0123456789",
    )]);
    let third = TestApp::spawn_with(&[(
        "FEEDBACK_KEY_SECRET",
        "one-secret-for-every-instance-0123456789",
    )]);
    let (x, y) = (setup(&second, 0), setup(&third, 0));
    let session_x = past_session(&second, &x);
    let mut conn = peer_support_api::db::ConnectionManager::new(&third.database_url)
        .establish()
        .unwrap();
    let copy = format!(
        "INSERT INTO group_sessions (id, group_id, starts_at, duration_minutes, status, version, created_at, updated_at) \
         SELECT '{session_x}', id, created_at, 90, 'scheduled', 1, created_at, created_at FROM program_groups WHERE id = '{}'",
        y.group
    );
    conn.batch_execute(&copy).unwrap();
    assert_eq!(
        second
            .get(&format!("/api/v1/feedback-keys?session_id={session_x}"))
            .json()["items"][0],
        third
            .get(&format!("/api/v1/feedback-keys?session_id={session_x}"))
            .json()["items"][0],
        "instances sharing FEEDBACK_KEY_SECRET publish the same key"
    );
    // Unknown sessions, empty or oversized lists.
    app.get(&format!(
        "/api/v1/feedback-keys?session_id={a},{}",
        uuid::Uuid::new_v4()
    ))
    .problem(404, "not-found");
    app.get("/api/v1/feedback-keys?session_id=")
        .problem(422, "validation-failed");
    app.get(&format!("/api/v1/feedback-keys?session_id={a},,{b}"))
        .problem(422, "validation-failed");
    let many = vec![a.as_str(); 101].join(",");
    app.get(&format!("/api/v1/feedback-keys?session_id={many}"))
        .problem(422, "validation-failed");
    app.get("/api/v1/feedback-keys")
        .problem(400, "invalid-parameter");
}

#[test]
fn a_token_signed_for_one_session_is_refused_for_another_of_the_same_group_and_month() {
    let app = TestApp::spawn();
    let s = setup(&app, 1);
    let (a, b) = (past_session(&app, &s), past_session(&app, &s));
    // The peer blinds a token naming session B under session A's key and asks for A's token:
    // the server cannot see what it signs, so it signs; but only A's key verifies it.
    let cross = app.blind_token_with(&b, app.session_key(&a));
    let res = app.json(
        "POST",
        &format!("/api/v1/sessions/{a}/feedback-token"),
        Some(&s.peers[0].access),
        &json!({"blinded_message": cross.blinded_message()}),
    );
    assert_eq!(res.status, 201, "{}", res.body);
    let signed = cross.finalize(res.json()["blind_signature"].as_str().unwrap());
    submit(&app, &signed, "for B with A's grant").problem(403, "feedback-token-refused");
    let as_a = SignedToken {
        session_id: a.clone(),
        ..signed.clone()
    };
    submit(&app, &as_a, "naming B, offered for A").problem(403, "feedback-token-refused");
    // B's own token still works, once.
    let own = take_token(&app, &s.peers[0], &b);
    assert_eq!(submit(&app, &own, "for B").status, 201);
}

#[test]
fn a_placement_made_after_a_session_started_grants_no_token_for_it() {
    let app = TestApp::spawn();
    let s = setup(&app, 1);
    let before = past_session(&app, &s);
    // Placed now, an hour after `before` started.
    let late = app.peer("late@example.ca");
    let id = apply(&app, &late, "en");
    make_ready(&app, &s.p, &late, &id);
    grant(&app, &late, "en", &REQUIRED);
    let res = act(
        &app,
        &s.p.coordinator.access,
        &id,
        "place",
        json!({"group_id": s.group}),
    );
    assert_eq!(res.json()["status"], "placed", "{}", res.body);
    request_token(&app, &late, &app.blind_token(&before)).problem(403, "forbidden");
    // Sessions after the placement are theirs; marked present, the earlier one is too.
    let after = {
        let start = (Utc::now() + Duration::minutes(5)).to_rfc3339();
        let res = app.json(
            "POST",
            &format!("/api/v1/groups/{}/sessions", s.group),
            Some(&s.p.coordinator.access),
            &json!({"starts_at": start}),
        );
        assert_eq!(res.status, 201, "{}", res.body);
        res.json()["items"][0]["id"].as_str().unwrap().to_string()
    };
    assert_eq!(
        request_token(&app, &late, &app.blind_token(&after)).status,
        201
    );
    let marked = app.json(
        "PUT",
        &format!("/api/v1/sessions/{before}/attendance"),
        Some(&s.p.coordinator.access),
        &json!({"records": [{"participant_id": late.id, "present": true}]}),
    );
    assert!(marked.status < 300, "{}", marked.body);
    assert_eq!(
        request_token(&app, &late, &app.blind_token(&before)).status,
        201
    );
}

#[test]
fn a_peer_takes_every_session_token_of_the_group_at_once_and_six_answers_show() {
    let app = TestApp::spawn();
    let s = setup(&app, 6);
    let first = past_session(&app, &s);
    let second = past_session(&app, &s);
    let ask = |peer: &Session, blinds: &[&BlindToken]| {
        app.json(
            "POST",
            &format!("/api/v1/groups/{}/feedback-tokens", s.group),
            Some(&peer.access),
            &json!({"items": blinds.iter().map(|b| json!({"session_id": b.session_id,
                "blinded_message": b.blinded_message()})).collect::<Vec<_>>()}),
        )
    };
    let mut tokens = Vec::new();
    for peer in &s.peers {
        let (a, b) = (app.blind_token(&first), app.blind_token(&second));
        let res = ask(peer, &[&a, &b]);
        assert_eq!(res.status, 201, "{}", res.body);
        let items = res.json()["items"].as_array().unwrap().clone();
        assert_eq!(items[0]["session_id"], first.as_str());
        tokens.push(a.finalize(items[0]["blind_signature"].as_str().unwrap()));
        tokens.push(b.finalize(items[1]["blind_signature"].as_str().unwrap()));
    }
    // Once per person per session; all or nothing; only the caller's group; only placed peers.
    ask(&s.peers[0], &[&app.blind_token(&first)]).problem(409, "conflict");
    let outsider = app.peer("outsider@example.ca");
    ask(&outsider, &[&app.blind_token(&first)]).problem(403, "forbidden");
    let other = open_group(&app, &s.p, "en", "informal", 12);
    app.json(
        "POST",
        &format!("/api/v1/groups/{other}/feedback-tokens"),
        Some(&s.peers[0].access),
        &json!({"items": [{"session_id": first, "blinded_message": app.blind_token(&first).blinded_message()}]}),
    )
    .problem(404, "not-found");
    let twice = app.blind_token(&second);
    ask(&s.peers[0], &[&twice, &twice]).problem(422, "validation-failed");
    for (i, t) in tokens.iter().enumerate() {
        assert_eq!(submit(&app, t, &format!("answer {i}")).status, 201);
    }
    close_window(&app, &first);
    let shown = app
        .get_as(
            &format!("/api/v1/sessions/{first}/feedback-summary"),
            &s.p.coordinator.access,
        )
        .json();
    assert_eq!(shown["suppressed"], false, "{shown}");
    assert_eq!(shown["response_count"], 6);
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
        feedback_grants, feedback_pending, feedback_responses, feedback_spent_tokens,
    };
    let app = TestApp::spawn();
    let s = setup(&app, 5);
    let session = past_session(&app, &s);
    let secret_comment = format!("private words {}", uuid::Uuid::new_v4());
    for (i, peer) in s.peers.iter().enumerate() {
        let t = take_token(&app, peer, &session);
        let comment = if i == 2 {
            secret_comment.clone()
        } else {
            format!("comment {i}")
        };
        assert_eq!(submit(&app, &t, &comment).status, 201);
    }
    let mut conn = peer_support_api::db::ConnectionManager::new(&app.database_url)
        .establish()
        .unwrap();
    // While the window is open, answers wait sealed: nothing of them is readable.
    let waiting: Vec<(String, String, String)> = feedback_pending::table.load(&mut conn).unwrap();
    assert_eq!(waiting.len(), 5);
    assert!(waiting
        .iter()
        .all(|(_, _, sealed)| !sealed.contains("comment") && !sealed.contains("private")));
    let none: i64 = feedback_responses::table
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(none, 0);
    close_window(&app, &session);
    let summary = app
        .get_as(
            &format!("/api/v1/sessions/{session}/feedback-summary"),
            &s.p.coordinator.access,
        )
        .json();
    assert_eq!(summary["response_count"], 5, "{summary}");
    let left: i64 = feedback_pending::table
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(left, 0, "every waiting answer moved, once");
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

/// Labels of a PostgreSQL table's rows in a given order.
#[derive(diesel::QueryableByName)]
struct Label {
    #[diesel(sql_type = diesel::sql_types::Text)]
    label: String,
}

#[test]
fn on_postgresql_no_row_order_pairs_grants_with_responses() {
    // Twenty sign-ups from one address: past the sign-up limit, which is not under test here.
    let app = TestApp::spawn_with(&[("AUTH_RATE_LIMITS", "false")]);
    if !app.database_url.starts_with("postgres") {
        println!(
            "SQLite keeps no transaction ids and stores feedback WITHOUT ROWID: PostgreSQL only"
        );
        return;
    }
    let p = program(&app);
    let group = open_group(&app, &p, "en", "informal", 20);
    let mut peers = Vec::new();
    for i in 0..20 {
        let peer = app.peer(&format!("p{i}@example.ca"));
        let id = apply(&app, &peer, "en");
        make_ready(&app, &p, &peer, &id);
        grant(&app, &peer, "en", &REQUIRED);
        let res = act(
            &app,
            &p.coordinator.access,
            &id,
            "place",
            json!({"group_id": group}),
        );
        assert_eq!(res.json()["status"], "placed", "{}", res.body);
        peers.push(peer);
    }
    placed_long_ago(&app, &group);
    let s = Setup { p, group, peers };
    let session = past_session(&app, &s);
    // The worst case: each peer takes a token and answers at once, one after the other.
    for peer in &s.peers {
        let t = take_token(&app, peer, &session);
        assert_eq!(submit(&app, &t, &format!("from {}", peer.id)).status, 201);
    }
    close_window(&app, &session);
    let summary = app
        .get_as(
            &format!("/api/v1/sessions/{session}/feedback-summary"),
            &s.p.coordinator.access,
        )
        .json();
    assert_eq!(summary["response_count"], 20, "{summary}");

    let mut pg = diesel::pg::PgConnection::establish(&app.database_url).unwrap();
    let mut rows = |sql: &str| -> Vec<String> {
        diesel::sql_query(sql)
            .load::<Label>(&mut pg)
            .unwrap()
            .into_iter()
            .map(|l| l.label)
            .collect()
    };
    let orders = ["xmin::text::bigint, ctid", "ctid"];
    let grants: Vec<Vec<String>> = orders
        .iter()
        .map(|o| {
            rows(&format!(
                "SELECT person_id AS label FROM feedback_grants ORDER BY {o}"
            ))
        })
        .collect();
    let responses: Vec<Vec<String>> = orders
        .iter()
        .map(|o| {
            rows(&format!(
                "SELECT substr(comment, 6) AS label FROM feedback_responses ORDER BY {o}"
            ))
        })
        .collect();
    // Spent tokens and waiting answers are read too: hashes with no person, and none left.
    for o in orders {
        assert_eq!(
            rows(&format!(
                "SELECT token_hash AS label FROM feedback_spent_tokens ORDER BY {o}"
            ))
            .len(),
            20
        );
        assert!(rows(&format!(
            "SELECT sealed AS label FROM feedback_pending ORDER BY {o}"
        ))
        .is_empty());
    }
    let pairings = |g: &[String], r: &[String]| g.iter().zip(r).filter(|(a, b)| a == b).count();
    for g in &grants {
        assert_eq!(g.len(), 20);
        for r in &responses {
            assert_eq!(r.len(), 20);
            let right = pairings(g, r);
            assert!(right <= 5, "{right} of 20 paired by row order");
        }
    }

    // What pg_dump writes, in its order.
    let dump = std::process::Command::new("pg_dump")
        .args(["--data-only", "--table=feedback_*", &app.database_url])
        .output();
    match dump {
        Ok(out) if out.status.success() => {
            let text = String::from_utf8_lossy(&out.stdout).to_string();
            let copied = |table: &str| -> Vec<String> {
                let start = text
                    .find(&format!("COPY public.{table} "))
                    .expect("the table is dumped");
                text[start..]
                    .lines()
                    .skip(1)
                    .take_while(|l| *l != "\\.")
                    .map(str::to_string)
                    .collect()
            };
            let dumped_grants: Vec<String> = copied("feedback_grants")
                .iter()
                .map(|l| l.split('\t').nth(1).unwrap().to_string())
                .collect();
            let dumped_responses: Vec<String> = copied("feedback_responses")
                .iter()
                .map(|l| {
                    l.split('\t')
                        .nth(7)
                        .unwrap()
                        .trim_start_matches("from ")
                        .to_string()
                })
                .collect();
            assert_eq!((dumped_grants.len(), dumped_responses.len()), (20, 20));
            let right = pairings(&dumped_grants, &dumped_responses);
            assert!(right <= 5, "{right} of 20 paired by pg_dump order");
        }
        _ => println!("pg_dump is not available: the dump half of this test was skipped"),
    }
}

#[test]
fn a_released_summary_never_changes_even_when_the_window_setting_grows() {
    use crate::helpers::test_database;
    let secrets = [
        (
            "JWT_SECRET",
            "the-jwt-secret-both-instances-share-0123456789",
        ),
        (
            "FEEDBACK_KEY_SECRET",
            "the-feedback-secret-both-instances-share-0123",
        ),
    ];
    let app = TestApp::spawn_with(&secrets);
    let s = setup(&app, 6);
    let session = past_session(&app, &s);
    give_feedback(&app, &s.peers[..5], &session);
    let late = take_token(&app, &s.peers[5], &session);
    close_window(&app, &session);
    let path = format!("/api/v1/sessions/{session}/feedback-summary");
    let released = app.get_as(&path, &s.p.coordinator.access).json();
    assert_eq!(released["response_count"], 5, "{released}");
    submit(&app, &late, "one more, after the close").problem(403, "feedback-token-refused");
    // The operator lengthens the window to 30 days: on an instance with that setting, the
    // closed session's window would be open again — but it was released, so nothing changes.
    let longer = TestApp::spawn_on(
        test_database(),
        &[
            secrets[0],
            secrets[1],
            ("DATABASE_URL", app.database_url.as_str()),
            ("FEEDBACK_WINDOW_HOURS", "720"),
        ],
    );
    submit(&longer, &late, "one more, window re-opened").problem(403, "feedback-token-refused");
    assert_eq!(
        longer.get_as(&path, &s.p.coordinator.access).json(),
        released
    );
    assert_eq!(app.get_as(&path, &s.p.coordinator.access).json(), released);
}

#[test]
fn answers_are_released_when_the_window_closes_without_anyone_reading() {
    use peer_support_api::db::schema::{feedback_pending, feedback_released, feedback_responses};
    let app = TestApp::spawn_with(&[("FEEDBACK_RELEASE_SECS", "1")]);
    let s = setup(&app, 5);
    let session = past_session(&app, &s);
    give_feedback(&app, &s.peers, &session);
    let mut conn = peer_support_api::db::ConnectionManager::new(&app.database_url)
        .establish()
        .unwrap();
    let count = |conn: &mut peer_support_api::db::AnyConnection| {
        let pending: i64 = feedback_pending::table.count().get_result(conn).unwrap();
        let responses: i64 = feedback_responses::table.count().get_result(conn).unwrap();
        (pending, responses)
    };
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert_eq!(
        count(&mut conn),
        (5, 0),
        "nothing moves while the window is open"
    );
    close_window(&app, &session);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while count(&mut conn) != (0, 5) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    assert_eq!(
        count(&mut conn),
        (0, 5),
        "released by the instance, unasked"
    );
    let counted: Vec<(String, bool)> = feedback_released::table.load(&mut conn).unwrap();
    assert_eq!(counted, vec![(session.clone(), true)]);
}

#[test]
fn five_answers_from_fewer_than_five_people_still_placed_are_not_shown() {
    let app = TestApp::spawn();
    let s = setup(&app, 5);
    let session = past_session(&app, &s);
    give_feedback(&app, &s.peers, &session);
    // One of the five leaves before the window closes (participation consent withdrawn): only
    // four people remain who were placed when the session took place.
    let records = app
        .get_as("/api/v1/consent-records", &s.peers[0].access)
        .json();
    let participation = records["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "participation_consent" && r["decision"] == "granted")
        .expect("a participation consent")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let withdrawn = app.json(
        "POST",
        &format!("/api/v1/consent-records/{participation}/withdraw"),
        Some(&s.peers[0].access),
        &json!({}),
    );
    assert_eq!(withdrawn.status, 201, "{}", withdrawn.body);
    close_window(&app, &session);
    let summary = |path: String| app.get_as(&path, &s.p.coordinator.access).json();
    let shown = summary(format!("/api/v1/sessions/{session}/feedback-summary"));
    assert_eq!(shown["suppressed"], true, "{shown}");
    let group = summary(format!("/api/v1/groups/{}/feedback-summary", s.group));
    assert_eq!(group["suppressed"], true, "{group}");
    // Decided once, at release: reading again shows the same.
    let again = summary(format!("/api/v1/sessions/{session}/feedback-summary"));
    assert_eq!(again, shown);
}
