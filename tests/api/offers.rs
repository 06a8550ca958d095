//! Seats that refill themselves: a freed seat is offered to the first person waiting for the
//! group, held for them, and passes on when they decline or let it expire — never offered twice
//! at once, even with instances racing on one database.

use std::{
    collections::HashSet,
    sync::Barrier,
    time::{Duration, Instant},
};

use serde_json::{json, Value};

use crate::{
    helpers::{test_database, Session, TestApp},
    intake::{act, apply, grant, make_ready, open_group, program, Program, REQUIRED},
};

/// A ready peer with every consent, placed in (or waitlisted for) `group`: their application.
fn placed(app: &TestApp, p: &Program, email: &str, group: &str) -> (Session, String) {
    let peer = app.peer(email);
    let id = apply(app, &peer, "en");
    make_ready(app, p, &peer, &id);
    grant(app, &peer, "en", &REQUIRED);
    let res = act(
        app,
        &p.coordinator.access,
        &id,
        "place",
        json!({"group_id": group}),
    );
    assert_eq!(res.status, 200, "{}", res.body);
    (peer, id)
}

fn status_of(app: &TestApp, peer: &Session, id: &str) -> String {
    let res = app.get_as(&format!("/api/v1/intake-applications/{id}"), &peer.access);
    res.json()["status"].as_str().unwrap().to_string()
}

fn my_offers(app: &TestApp, peer: &Session) -> Vec<Value> {
    let res = app.get_as("/api/v1/me/placement-offers", &peer.access);
    assert_eq!(res.status, 200, "{}", res.body);
    res.json()["items"].as_array().unwrap().clone()
}

fn open_offers(app: &TestApp, p: &Program, group: &str) -> Vec<Value> {
    let res = app.get_as(
        &format!("/api/v1/groups/{group}/placement-offers"),
        &p.coordinator.access,
    );
    assert_eq!(res.status, 200, "{}", res.body);
    res.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["status"] == "open")
        .cloned()
        .collect()
}

/// Waits (the sweeper works in the background) until `done` holds, at most 20 seconds.
fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(Instant::now() < deadline, "gave up waiting: {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The peer's one open offer, once it is made.
fn offer_to(app: &TestApp, peer: &Session) -> Value {
    let mut found = None;
    wait_until("an offer", || {
        found = my_offers(app, peer)
            .into_iter()
            .find(|o| o["status"] == "open");
        found.is_some()
    });
    found.unwrap()
}

fn answer(app: &TestApp, peer: &Session, offer: &Value, how: &str) -> crate::helpers::Response {
    app.json(
        "POST",
        &format!(
            "/api/v1/placement-offers/{}/{how}",
            offer["id"].as_str().unwrap()
        ),
        Some(&peer.access),
        &json!({}),
    )
}

fn seats_available(app: &TestApp, group: &str) -> i64 {
    app.get(&format!("/api/v1/groups/{group}")).json()["seats_available"]
        .as_i64()
        .unwrap()
}

fn withdraw(app: &TestApp, peer: &Session, id: &str) {
    let res = act(app, &peer.access, id, "withdraw", json!({}));
    assert_eq!(res.status, 200, "{}", res.body);
}

#[test]
fn a_freed_seat_is_offered_once_to_the_first_waiting_and_accepting_places_them() {
    let app = TestApp::spawn_with(&[("AUTH_RATE_LIMITS", "false")]);
    let p = program(&app);
    let group = open_group(&app, &p, "en", "informal", 1);
    let (seated, seated_app) = placed(&app, &p, "seated@example.ca", &group);
    let (first, first_app) = placed(&app, &p, "first@example.ca", &group);
    let (second, _) = placed(&app, &p, "second@example.ca", &group);
    assert_eq!(status_of(&app, &first, &first_app), "waitlisted");
    assert!(my_offers(&app, &first).is_empty(), "no seat has freed yet");

    withdraw(&app, &seated, &seated_app);
    let offer = offer_to(&app, &first);
    assert_eq!(offer["group_id"], group.as_str());
    assert_eq!(offer["application_id"], first_app.as_str());
    // The offer holds the seat: nobody else can take it, and only one offer is open.
    assert_eq!(seats_available(&app, &group), 0);
    assert_eq!(open_offers(&app, &p, &group).len(), 1);
    assert!(my_offers(&app, &second).is_empty());
    // The person hears of it; the subject names no group (lock screens).
    let notices = app.get_as("/api/v1/me/notifications", &first.access).json();
    let notice = notices["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "seat_offered")
        .unwrap_or_else(|| panic!("a seat_offered notice: {notices}"))
        .clone();
    assert!(!notice["subject"].as_str().unwrap().contains("informal"));
    assert!(notice["body"].as_str().unwrap().contains("informal en"));

    // Someone else's offer does not exist for them; staff do not answer for the person.
    answer(&app, &second, &offer, "accept").problem(404, "not-found");
    answer(&app, &second, &offer, "decline").problem(404, "not-found");
    answer(&app, &p.coordinator, &offer, "accept").problem(403, "forbidden");
    assert_eq!(status_of(&app, &first, &first_app), "waitlisted");

    let res = answer(&app, &first, &offer, "accept");
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.json()["status"], "accepted");
    assert_eq!(status_of(&app, &first, &first_app), "placed");
    let placements = app.get_as("/api/v1/me/placements", &first.access).json();
    assert_eq!(placements["items"][0]["group_id"], group.as_str());
    assert_eq!(placements["items"][0]["status"], "confirmed");
    assert_eq!(seats_available(&app, &group), 0, "no second seat taken");
    let timeline = app
        .get_as(
            &format!("/api/v1/intake-applications/{first_app}/events"),
            &first.access,
        )
        .json();
    let actions: Vec<&str> = timeline["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(actions.ends_with(&["offer", "place"]), "{actions:?}");
    // The retrying client: answered once, then refused.
    answer(&app, &first, &offer, "accept").problem(409, "conflict");
    answer(&app, &first, &offer, "decline").problem(409, "conflict");
    assert!(my_offers(&app, &second).is_empty(), "the seat is taken");
}

#[test]
fn a_declined_offer_passes_to_the_next_person_and_the_decliner_waits_at_the_back() {
    let app = TestApp::spawn_with(&[("AUTH_RATE_LIMITS", "false")]);
    let p = program(&app);
    let group = open_group(&app, &p, "en", "informal", 1);
    let (seated, seated_app) = placed(&app, &p, "seated@example.ca", &group);
    let (first, first_app) = placed(&app, &p, "first@example.ca", &group);
    let (second, second_app) = placed(&app, &p, "second@example.ca", &group);
    withdraw(&app, &seated, &seated_app);
    let offer = offer_to(&app, &first);
    let res = answer(&app, &first, &offer, "decline");
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.json()["status"], "declined");

    let next = offer_to(&app, &second);
    assert_eq!(next["application_id"], second_app.as_str());
    assert_eq!(open_offers(&app, &p, &group).len(), 1);
    assert_eq!(seats_available(&app, &group), 0);
    // The decliner is still waiting, at the back, and is not asked again at once.
    assert_eq!(status_of(&app, &first, &first_app), "waitlisted");
    let waitlist = app
        .get_as(
            &format!("/api/v1/groups/{group}/waitlist"),
            &p.coordinator.access,
        )
        .json();
    let order: Vec<&str> = waitlist["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(order, [second_app.as_str(), first_app.as_str()]);
    assert!(!my_offers(&app, &first)
        .iter()
        .any(|o| o["status"] == "open"));

    // The second withdraws with the offer open: it is withdrawn and its seat frees (nobody
    // else may be asked yet: the first just declined).
    withdraw(&app, &second, &second_app);
    wait_until("the seat freed", || seats_available(&app, &group) == 1);
    let theirs = my_offers(&app, &second);
    assert_eq!(theirs[0]["status"], "withdrawn", "{theirs:?}");
    assert!(open_offers(&app, &p, &group).is_empty());
}

#[test]
fn an_unanswered_offer_expires_and_the_seat_moves_on() {
    let app = TestApp::spawn_with(&[
        ("AUTH_RATE_LIMITS", "false"),
        ("PLACEMENT_OFFER_SECS", "2"),
        ("OFFER_SWEEP_SECS", "1"),
    ]);
    let p = program(&app);
    let group = open_group(&app, &p, "en", "informal", 1);
    let (seated, seated_app) = placed(&app, &p, "seated@example.ca", &group);
    let (first, first_app) = placed(&app, &p, "first@example.ca", &group);
    let (second, second_app) = placed(&app, &p, "second@example.ca", &group);
    withdraw(&app, &seated, &seated_app);
    let offer = offer_to(&app, &first);
    let next = offer_to(&app, &second);
    assert_eq!(next["application_id"], second_app.as_str());
    let mine = my_offers(&app, &first);
    let lapsed = mine.iter().find(|o| o["id"] == offer["id"]).unwrap();
    assert_eq!(lapsed["status"], "expired");
    answer(&app, &first, &offer, "accept").problem(409, "conflict");
    assert_eq!(status_of(&app, &first, &first_app), "waitlisted");
    let timeline = app
        .get_as(
            &format!("/api/v1/intake-applications/{first_app}/events"),
            &first.access,
        )
        .json();
    assert!(
        timeline["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "offer_expired"),
        "{timeline}"
    );
    // They are told the seat passed on, with the support lines (a "not yet").
    let notices = app.get_as("/api/v1/me/notifications", &first.access).json();
    let told = notices["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "seat_offer_expired")
        .unwrap_or_else(|| panic!("a seat_offer_expired notice: {notices}"))
        .clone();
    assert!(told["body"]
        .as_str()
        .unwrap()
        .contains("still on the waiting list"));
    assert!(
        told["body"].as_str().unwrap().contains("9-8-8")
            || told["body"].as_str().unwrap().contains("988"),
        "{told}"
    );
    // Whatever the sweeper does meanwhile, one seat is never held twice.
    assert!(open_offers(&app, &p, &group).len() <= 1);
    assert!(seats_available(&app, &group) >= 0);
}

#[test]
fn accepting_needs_every_consent_and_the_offer_stays_open_until_then() {
    let app = TestApp::spawn_with(&[("AUTH_RATE_LIMITS", "false")]);
    let p = program(&app);
    let group = open_group(&app, &p, "en", "informal", 1);
    let (seated, seated_app) = placed(&app, &p, "seated@example.ca", &group);
    // Waitlisted by a coordinator before giving consents.
    let peer = app.peer("unconsented@example.ca");
    let id = apply(&app, &peer, "en");
    make_ready(&app, &p, &peer, &id);
    let res = act(
        &app,
        &p.coordinator.access,
        &id,
        "waitlist",
        json!({"group_id": group}),
    );
    assert_eq!(res.status, 200, "{}", res.body);
    withdraw(&app, &seated, &seated_app);
    let offer = offer_to(&app, &peer);
    let problem = answer(&app, &peer, &offer, "accept").problem(409, "consents-missing");
    assert!(
        problem.to_string().contains("participation_consent"),
        "{problem}"
    );
    assert_eq!(my_offers(&app, &peer)[0]["status"], "open");
    assert_eq!(status_of(&app, &peer, &id), "waitlisted");
    grant(&app, &peer, "en", &REQUIRED);
    let res = answer(&app, &peer, &offer, "accept");
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(status_of(&app, &peer, &id), "placed");
}

#[test]
fn twenty_withdrawals_on_two_instances_make_twenty_offers_to_twenty_people() {
    let settings = [
        ("AUTH_RATE_LIMITS", "false"),
        ("DATABASE_POOL_SIZE", "8"),
        (
            "JWT_SECRET",
            "the-jwt-secret-both-instances-share-0123456789",
        ),
    ];
    let app = TestApp::spawn_with(&settings);
    let url = app.database_url.clone();
    let mut shared = settings.to_vec();
    shared.push(("DATABASE_URL", url.as_str()));
    let other = TestApp::spawn_on(test_database(), &shared);
    let p = program(&app);
    let group = open_group(&app, &p, "en", "informal", 20);
    let seated: Vec<(Session, String)> = (0..20)
        .map(|i| placed(&app, &p, &format!("seated{i}@example.ca"), &group))
        .collect();
    let waiting: Vec<(Session, String)> = (0..23)
        .map(|i| placed(&app, &p, &format!("waiting{i}@example.ca"), &group))
        .collect();
    assert_eq!(seats_available(&app, &group), 0);

    let start = Barrier::new(seated.len());
    std::thread::scope(|s| {
        for (i, (peer, id)) in seated.iter().enumerate() {
            let (instance, start) = (if i % 2 == 0 { &app } else { &other }, &start);
            s.spawn(move || {
                start.wait();
                withdraw(instance, peer, id);
            });
        }
    });
    wait_until("twenty offers", || {
        open_offers(&app, &p, &group).len() >= 20
    });
    // Both sweepers have had their passes: still twenty, to the first twenty waiting.
    std::thread::sleep(Duration::from_millis(500));
    let offers = open_offers(&other, &p, &group);
    assert_eq!(offers.len(), 20, "{offers:?}");
    let people: HashSet<&str> = offers
        .iter()
        .map(|o| o["application_id"].as_str().unwrap())
        .collect();
    let first_twenty: HashSet<&str> = waiting[..20].iter().map(|(_, id)| id.as_str()).collect();
    assert_eq!(people, first_twenty);
    assert_eq!(seats_available(&app, &group), 0);
    for (peer, _) in &waiting[20..] {
        assert!(my_offers(&app, peer).is_empty());
    }
}

#[test]
fn a_running_drop_in_group_refills_its_seats_too() {
    let app = TestApp::spawn_with(&[("AUTH_RATE_LIMITS", "false")]);
    let p = program(&app);
    let group = open_group(&app, &p, "en", "informal", 1);
    let (seated, seated_app) = placed(&app, &p, "seated@example.ca", &group);
    let (waiting, _) = placed(&app, &p, "waiting@example.ca", &group);
    let running = app.json(
        "PATCH",
        &format!("/api/v1/groups/{group}"),
        Some(&p.coordinator.access),
        &json!({"status": "running"}),
    );
    assert_eq!(running.status, 200, "{}", running.body);
    withdraw(&app, &seated, &seated_app);
    let offer = offer_to(&app, &waiting);
    assert_eq!(offer["group_id"], group.as_str());
    let res = answer(&app, &waiting, &offer, "accept");
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(seats_available(&app, &group), 0);
}
