//! Placement changes without a new intake: a placed person moves to another group in one
//! transaction, and a placement suspended for a missing consent comes back when the consents are
//! given again (or, its seat taken meanwhile, the person heads the group's waiting list).

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::{
    helpers::{Session, TestApp},
    intake::{act, apply, grant, make_ready, open_group, program, Program, REQUIRED},
};

/// A ready peer with every consent, placed in (or waitlisted for) `group`: their consent
/// records (in `REQUIRED` order) and their application.
fn placed(app: &TestApp, p: &Program, email: &str, group: &str) -> (Session, Vec<String>, String) {
    let peer = app.peer(email);
    let id = apply(app, &peer, "en");
    make_ready(app, p, &peer, &id);
    let records = grant(app, &peer, "en", &REQUIRED);
    let res = act(
        app,
        &p.coordinator.access,
        &id,
        "place",
        json!({"group_id": group}),
    );
    assert_eq!(res.status, 200, "{}", res.body);
    (peer, records, id)
}

fn seats(app: &TestApp, group: &str) -> i64 {
    app.get(&format!("/api/v1/groups/{group}")).json()["seats_available"]
        .as_i64()
        .unwrap()
}

fn application(app: &TestApp, p: &Program, id: &str) -> Value {
    let res = app.get_as(
        &format!("/api/v1/intake-applications/{id}"),
        &p.coordinator.access,
    );
    assert_eq!(res.status, 200, "{}", res.body);
    res.json()
}

/// (group id, status) of each of the peer's placements, oldest first.
fn placements(app: &TestApp, peer: &Session) -> Vec<(String, String)> {
    app.get_as("/api/v1/me/placements", &peer.access).json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["group_id"].as_str().unwrap().to_string(),
                p["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn last_action(app: &TestApp, peer: &Session, id: &str) -> Value {
    let timeline = app
        .get_as(
            &format!("/api/v1/intake-applications/{id}/events"),
            &peer.access,
        )
        .json();
    timeline["items"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone()
}

fn withdraw_consent(app: &TestApp, peer: &Session, record: &str) {
    let res = app.json(
        "POST",
        &format!("/api/v1/consent-records/{record}/withdraw"),
        Some(&peer.access),
        &json!({}),
    );
    assert_eq!(res.status, 201, "{}", res.body);
}

fn waitlist(app: &TestApp, p: &Program, group: &str) -> Vec<String> {
    let res = app.get_as(
        &format!("/api/v1/groups/{group}/waitlist"),
        &p.coordinator.access,
    );
    assert_eq!(res.status, 200, "{}", res.body);
    res.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_string())
        .collect()
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(Instant::now() < deadline, "gave up waiting: {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn open_offer(app: &TestApp, peer: &Session) -> Option<Value> {
    app.get_as("/api/v1/me/placement-offers", &peer.access)
        .json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["status"] == "open")
        .cloned()
}

#[test]
fn a_move_frees_the_old_seat_takes_the_new_one_and_the_old_group_offers_it() {
    let app = TestApp::spawn_with(&[("AUTH_RATE_LIMITS", "false")]);
    let p = program(&app);
    let from = open_group(&app, &p, "en", "informal", 1);
    let to = open_group(&app, &p, "en", "informal", 2);
    let (peer, _, id) = placed(&app, &p, "mover@example.ca", &from);
    let (waiting, _, waiting_id) = placed(&app, &p, "waiting@example.ca", &from);
    assert_eq!(application(&app, &p, &waiting_id)["status"], "waitlisted");
    assert_eq!(
        application(&app, &p, &id)["allowed_moves"],
        json!(["move", "close"])
    );

    let moved = act(
        &app,
        &p.coordinator.access,
        &id,
        "move",
        json!({"group_id": to, "note": "Tuesday evenings suit her now."}),
    );
    assert_eq!(moved.status, 200, "{}", moved.body);
    let moved = moved.json();
    assert_eq!(moved["status"], "placed");
    assert_eq!(moved["placed_group_id"], to.as_str());
    assert_eq!(seats(&app, &to), 1);
    assert_eq!(
        placements(&app, &peer),
        [
            (from.clone(), "ended".to_string()),
            (to.clone(), "confirmed".to_string())
        ]
    );
    let event = last_action(&app, &peer, &id);
    assert_eq!(event["action"], "move");
    assert_eq!(event["from_status"], "placed");
    assert_eq!(event["to_status"], "placed");
    // The seat freed in the old group goes to the first person waiting for it.
    wait_until("an offer to the waiting person", || {
        open_offer(&app, &waiting).is_some()
    });
    let roster = app
        .get_as(
            &format!("/api/v1/groups/{to}/roster"),
            &p.coordinator.access,
        )
        .json();
    assert!(roster["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["participant_id"] == peer.id.as_str() && e["status"] == "active"));
}

#[test]
fn a_move_to_a_full_group_is_refused_and_changes_nothing() {
    let app = TestApp::spawn_with(&[("AUTH_RATE_LIMITS", "false")]);
    let p = program(&app);
    let from = open_group(&app, &p, "en", "informal", 2);
    let full = open_group(&app, &p, "en", "informal", 1);
    let (peer, _, id) = placed(&app, &p, "stays@example.ca", &from);
    placed(&app, &p, "fills@example.ca", &full);
    assert_eq!(seats(&app, &full), 0);

    act(
        &app,
        &p.coordinator.access,
        &id,
        "move",
        json!({"group_id": full}),
    )
    .problem(409, "conflict");
    assert_eq!(seats(&app, &from), 1);
    assert_eq!(seats(&app, &full), 0);
    assert_eq!(application(&app, &p, &id)["placed_group_id"], from.as_str());
    assert_eq!(
        placements(&app, &peer),
        [(from.clone(), "confirmed".to_string())]
    );
    assert!(waitlist(&app, &p, &full).is_empty());
}

#[test]
fn who_may_move_and_to_what() {
    let app = TestApp::spawn_with(&[("AUTH_RATE_LIMITS", "false")]);
    let p = program(&app);
    let from = open_group(&app, &p, "en", "informal", 2);
    let french = open_group(&app, &p, "fr", "informal", 2);
    let (peer, records, id) = placed(&app, &p, "asked@example.ca", &from);
    // The person cannot move themself; the group they sit in is no move; no such group.
    act(&app, &peer.access, &id, "move", json!({"group_id": french})).problem(403, "forbidden");
    act(
        &app,
        &p.coordinator.access,
        &id,
        "move",
        json!({"group_id": from}),
    )
    .problem(422, "validation-failed");
    act(
        &app,
        &p.coordinator.access,
        &id,
        "move",
        json!({"group_id": "nope"}),
    )
    .problem(422, "validation-failed");
    act(
        &app,
        &p.coordinator.access,
        &id,
        "move",
        json!({"group_id": ""}),
    )
    .problem(422, "validation-failed");
    // The group's language must be theirs.
    act(
        &app,
        &p.coordinator.access,
        &id,
        "move",
        json!({"group_id": french}),
    )
    .problem(409, "conflict");
    // A ready application is placed, not moved.
    let other = app.peer("ready@example.ca");
    let ready = apply(&app, &other, "en");
    make_ready(&app, &p, &other, &ready);
    act(
        &app,
        &p.coordinator.access,
        &ready,
        "move",
        json!({"group_id": from}),
    )
    .problem(409, "invalid-transition");
    // A suspended placement cannot move until the consents are back.
    let to = open_group(&app, &p, "en", "informal", 2);
    withdraw_consent(&app, &peer, &records[1]);
    act(
        &app,
        &p.coordinator.access,
        &id,
        "move",
        json!({"group_id": to}),
    )
    .problem(409, "consents-missing");
    assert_eq!(seats(&app, &to), 2);
    assert_eq!(
        placements(&app, &peer),
        [(from.clone(), "suspended".to_string())]
    );
}

#[test]
fn consents_given_again_give_the_free_seat_back() {
    let app = TestApp::spawn_with(&[("AUTH_RATE_LIMITS", "false")]);
    let p = program(&app);
    let group = open_group(&app, &p, "en", "informal", 1);
    let (peer, records, id) = placed(&app, &p, "returns@example.ca", &group);
    withdraw_consent(&app, &peer, &records[1]);
    assert_eq!(seats(&app, &group), 1);
    assert_eq!(
        placements(&app, &peer),
        [(group.clone(), "suspended".to_string())]
    );
    // Another consent granted while participation is still missing changes nothing.
    grant(&app, &peer, "en", &["referral_information_sharing"]);
    assert_eq!(
        placements(&app, &peer),
        [(group.clone(), "suspended".to_string())]
    );

    grant(&app, &peer, "en", &["participation_consent"]);
    assert_eq!(
        placements(&app, &peer),
        [(group.clone(), "confirmed".to_string())]
    );
    assert_eq!(seats(&app, &group), 0);
    let row = application(&app, &p, &id);
    assert_eq!(row["status"], "placed");
    assert_eq!(row["placed_group_id"], group.as_str());
    let event = last_action(&app, &peer, &id);
    assert_eq!(event["action"], "placement_reinstated");
    assert_eq!(event["to_status"], "placed");
    // Granting again does not take a second seat.
    grant(&app, &peer, "en", &["participation_consent"]);
    assert_eq!(seats(&app, &group), 0);
    assert_eq!(placements(&app, &peer).len(), 1);
}

#[test]
fn consents_given_again_after_the_seat_was_taken_put_the_person_first_in_line() {
    let app = TestApp::spawn_with(&[("AUTH_RATE_LIMITS", "false")]);
    let p = program(&app);
    let group = open_group(&app, &p, "en", "informal", 1);
    let (peer, records, id) = placed(&app, &p, "paused@example.ca", &group);
    withdraw_consent(&app, &peer, &records[1]);
    // The freed seat goes to someone else, and someone else waits behind them.
    let (_, _, taker) = placed(&app, &p, "taker@example.ca", &group);
    assert_eq!(application(&app, &p, &taker)["status"], "placed");
    let (_, _, later) = placed(&app, &p, "later@example.ca", &group);
    assert_eq!(waitlist(&app, &p, &group), std::slice::from_ref(&later));

    grant(&app, &peer, "en", &["participation_consent"]);
    assert_eq!(seats(&app, &group), 0);
    let row = application(&app, &p, &id);
    assert_eq!(row["status"], "waitlisted");
    assert_eq!(row["waitlist_group_id"], group.as_str());
    assert_eq!(
        placements(&app, &peer),
        [(group.clone(), "ended".to_string())]
    );
    assert_eq!(waitlist(&app, &p, &group), [id.clone(), later]);
    let event = last_action(&app, &peer, &id);
    assert_eq!(event["action"], "placement_reinstated");
    assert_eq!(event["to_status"], "waitlisted");
}
