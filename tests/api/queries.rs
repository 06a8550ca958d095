//! Statements sent to the database, counted by the request pool's `db_statements_total` at
//! `/metrics`, read before and after a request; nothing else uses the pool in between. One list
//! request sends a bounded number of them whatever its page size (issue 11: pages are assembled
//! with batch loads, never one query per row).

use serde_json::json;

use crate::{
    helpers::{Session, TestApp},
    intake::{apply, make_ready, open_group, program},
};

/// The most statements one list request may send: the pool's checkout ping, a transaction's
/// `BEGIN` and `COMMIT`, the page, a handful of batched child loads and one batched audit write
/// leave room to spare below this.
const MOST_STATEMENTS: u64 = 12;

/// Rows created for the large page (the largest `limit` there is).
const ROWS: usize = 100;

/// Settings for apps that create many rows quickly.
const BUSY: [(&str, &str); 1] = [("AUTH_RATE_LIMITS", "false")];

/// The request pool's statement counter, as `/metrics` shows it now.
#[track_caller]
fn statements_so_far(app: &TestApp) -> u64 {
    let res = app.get("/metrics");
    assert_eq!(res.status, 200, "{}", res.body);
    let line = res
        .body
        .lines()
        .find(|l| l.starts_with("db_statements_total "))
        .unwrap_or_else(|| panic!("db_statements_total is exposed: {}", res.body));
    line["db_statements_total ".len()..]
        .trim()
        .parse()
        .unwrap_or_else(|e| panic!("a count ({e}): {line}"))
}

/// What one GET of `path` cost: the statements it sent and the items it returned.
#[track_caller]
fn cost_of(app: &TestApp, path: &str, token: Option<&str>) -> (u64, usize) {
    let before = statements_so_far(app);
    let res = match token {
        Some(token) => app.get_as(path, token),
        None => app.get(path),
    };
    let after = statements_so_far(app);
    assert_eq!(res.status, 200, "{path}: {}", res.body);
    let items = res.json()["items"].as_array().expect("a list").len();
    (after - before, items)
}

/// The statements of a page of `ROWS` and of a page of 5 from `path` (which ends in `?` or `&`
/// so a `limit` can follow) are the same, and few.
#[track_caller]
fn assert_bounded(app: &TestApp, path: &str, token: Option<&str>) {
    let (large, large_items) = cost_of(app, &format!("{path}limit={ROWS}"), token);
    let (small, small_items) = cost_of(app, &format!("{path}limit=5"), token);
    assert_eq!(
        (large_items, small_items),
        (ROWS, 5),
        "{path}: both pages are full"
    );
    let who = if token.is_some() {
        "with a token"
    } else {
        "anonymous"
    };
    println!("{path} ({who}): {large} statements for {ROWS} items, {small} for 5");
    assert_eq!(
        large, small,
        "{path}: a page of {ROWS} sent {large} statements, a page of 5 sent {small}"
    );
    assert!(
        large <= MOST_STATEMENTS,
        "{path}: {large} statements for one page, more than {MOST_STATEMENTS}"
    );
}

#[test]
fn each_instance_counts_the_statements_of_its_own_pool() {
    let (one, other) = (TestApp::spawn(), TestApp::spawn());
    let (one_before, other_before) = (statements_so_far(&one), statements_so_far(&other));
    // Readiness checks a connection out, and the checkout pings the database.
    assert_eq!(one.get("/readyz").status, 200);
    assert!(statements_so_far(&one) > one_before);
    // Neither the other app's request nor reading the metrics sends anything.
    assert_eq!(statements_so_far(&other), other_before);
}

/// A partner's token and `ROWS` referrals from it, each opening an intake application (the
/// fastest way in over HTTP: no password hashing per application).
fn referred(app: &TestApp, admin: &Session) -> String {
    let (_, partner) = app.partner(admin);
    let auth = format!("Bearer {partner}");
    for i in 0..ROWS {
        let key = uuid::Uuid::new_v4().to_string();
        let body = json!({
            "name": format!("Person {i}"), "email": format!("person{i}@example.ca"),
            "preferred_language": "en", "program": "either", "consent_to_contact": true
        });
        let res = app.send(
            "POST",
            "/api/v1/referrals",
            &[
                ("Content-Type", "application/json"),
                ("Authorization", &auth),
                ("Idempotency-Key", &key),
            ],
            Some(body.to_string().as_bytes()),
        );
        assert_eq!(res.status, 201, "{}", res.body);
    }
    partner
}

#[test]
fn a_page_of_intake_applications_costs_the_same_whatever_its_size() {
    let app = TestApp::spawn_with(&BUSY);
    let admin = app.admin();
    let coordinator = app.staff(&admin, "coordinator");
    referred(&app, &admin);
    assert_bounded(
        &app,
        "/api/v1/intake-applications?",
        Some(&coordinator.access),
    );
}

#[test]
fn a_page_of_a_partners_referrals_costs_the_same_whatever_its_size() {
    let app = TestApp::spawn_with(&BUSY);
    let admin = app.admin();
    let partner = referred(&app, &admin);
    assert_bounded(&app, "/api/v1/referrals?", Some(&partner));
}

#[test]
fn a_page_of_groups_costs_the_same_whatever_its_size_and_whoever_asks() {
    let app = TestApp::spawn_with(&BUSY);
    let admin = app.admin();
    let coordinator = app.staff(&admin, "coordinator");
    let supporter = app.staff(&admin, "peer_supporter");
    let professional = app.staff(&admin, "mental_health_professional");
    for i in 0..ROWS {
        let res = app.json(
            "POST",
            "/api/v1/groups",
            Some(&coordinator.access),
            &json!({"name": format!("Group {i}"), "kind": "formal", "language": "en",
                    "audience": ["veteran"], "time_zone": "America/Toronto", "capacity": 10,
                    "facilitator_ids": [supporter.id, professional.id]}),
        );
        assert_eq!(res.status, 201, "{}", res.body);
    }
    // Anonymous callers see no facilitators; staff see each group's.
    assert_bounded(&app, "/api/v1/groups?", None);
    assert_bounded(&app, "/api/v1/groups?", Some(&coordinator.access));
}

#[test]
fn a_page_of_directory_listings_costs_the_same_whatever_its_size() {
    let app = TestApp::spawn_with(&BUSY);
    let admin = app.admin();
    let coordinator = app.staff(&admin, "coordinator");
    for i in 0..ROWS {
        let submitted = app.post_json(
            "/api/v1/directory/listings",
            &json!({
                "organization": "Peer Support Society", "name": format!("Listing {i}"),
                "description": "Weekly peer support for people living with an operational stress injury.",
                "audiences": ["first_responders", "veterans"],
                "eligibility": "Serving and retired first responders.",
                "province": "ON", "city": "Ottawa", "delivery": "in_person",
                "schedule": {"weekday": "tuesday", "start_time": "19:00", "end_time": "21:00",
                             "time_zone": "America/Toronto"},
                "languages": ["en", "fr"], "cost": "free",
                "contacts": {"phone": "1-613-555-0100", "available_24_7": false}
            }),
        );
        assert_eq!(submitted.status, 201, "{}", submitted.body);
        let id = submitted.json()["id"].as_str().unwrap().to_string();
        let published = app.json(
            "POST",
            &format!("/api/v1/directory/listings/{id}/review"),
            Some(&coordinator.access),
            &json!({"decision": "publish"}),
        );
        assert_eq!(published.status, 200, "{}", published.body);
    }
    assert_bounded(&app, "/api/v1/directory/listings?", None);
}

/// A waiting list has no pages: the whole list is read. Its cost with 2 applications waiting
/// and with 12 is the same.
#[test]
fn a_groups_waiting_list_costs_the_same_whatever_its_length() {
    let app = TestApp::spawn_with(&BUSY);
    let p = program(&app);
    let group = open_group(&app, &p, "en", "informal", 1);
    let path = format!("/api/v1/groups/{group}/waitlist");
    let mut waiting = 0;
    let mut wait = |count: usize| {
        for _ in 0..count {
            let peer = app.peer(&format!("waiting{waiting}@example.ca"));
            let id = apply(&app, &peer, "en");
            make_ready(&app, &p, &peer, &id);
            let res = app.json(
                "POST",
                &format!("/api/v1/intake-applications/{id}/waitlist"),
                Some(&p.coordinator.access),
                &json!({"group_id": group}),
            );
            assert_eq!(res.status, 200, "{}", res.body);
            waiting += 1;
        }
    };
    wait(2);
    let (short, short_items) = cost_of(&app, &path, Some(&p.coordinator.access));
    wait(10);
    let (long, long_items) = cost_of(&app, &path, Some(&p.coordinator.access));
    assert_eq!(
        (short_items, long_items),
        (2, 12),
        "everyone waiting is listed"
    );
    println!("{path}: {short} statements for 2 waiting, {long} for 12");
    assert_eq!(
        short, long,
        "a waiting list of 2 sent {short} statements, one of 12 sent {long}"
    );
    assert!(
        long <= MOST_STATEMENTS,
        "{long} statements for one waiting list, more than {MOST_STATEMENTS}"
    );
}
