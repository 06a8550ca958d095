//! Rate limits as a real deployment meets them: behind a reverse proxy (TRUSTED_PROXIES), with a
//! stranger guessing someone's password, with several instances on one database, and against
//! anonymous floods.

use serde_json::json;

use crate::helpers::{test_database, TestApp, PASSWORD};

/// A log-in as if through the proxy, for the client at `client`.
fn login_from(
    app: &TestApp,
    client: &str,
    email: &str,
    password: &str,
) -> crate::helpers::Response {
    let body = json!({"email": email, "password": password}).to_string();
    app.send(
        "POST",
        "/api/v1/auth/login",
        &[
            ("Content-Type", "application/json"),
            ("X-Forwarded-For", client),
        ],
        Some(body.as_bytes()),
    )
}

#[test]
fn behind_a_trusted_proxy_one_address_cannot_lock_out_everyone() {
    let app = TestApp::spawn_with(&[("TRUSTED_PROXIES", "127.0.0.1/32, ::1")]);
    app.peer("someone@example.ca");
    app.peer("owner@example.ca");
    // 31 bad log-ins from one client at many accounts: that client is slowed down.
    for i in 0..31 {
        let res = login_from(
            &app,
            "203.0.113.7",
            &format!("guess{i}@example.ca"),
            "wrong passphrase",
        );
        assert!([401, 429].contains(&res.status), "{}", res.body);
    }
    login_from(&app, "203.0.113.7", "someone@example.ca", PASSWORD)
        .problem(429, "too-many-requests");
    // Everyone else behind the same proxy logs in.
    assert_eq!(
        login_from(&app, "198.51.100.20", "someone@example.ca", PASSWORD).status,
        200
    );
    // A client cannot pick its own address by writing the header before the proxy's.
    let spoofed = login_from(
        &app,
        "198.51.100.99, 203.0.113.7",
        "someone@example.ca",
        PASSWORD,
    );
    spoofed.problem(429, "too-many-requests");
}

#[test]
fn forwarded_headers_from_anyone_else_are_ignored() {
    let app = TestApp::spawn();
    app.peer("someone@example.ca");
    for i in 0..31 {
        login_from(
            &app,
            &format!("203.0.113.{i}"),
            &format!("guess{i}@example.ca"),
            "wrong passphrase",
        );
    }
    // Without TRUSTED_PROXIES the header names nobody: all those came from this one peer.
    login_from(&app, "198.51.100.20", "someone@example.ca", PASSWORD)
        .problem(429, "too-many-requests");
}

#[test]
fn a_strangers_guesses_do_not_lock_the_owner_out_and_successes_cost_nothing() {
    let app = TestApp::spawn_with(&[("TRUSTED_PROXIES", "127.0.0.1/32")]);
    app.peer("owner@example.ca");
    let mut refused = 0;
    for _ in 0..100 {
        let res = login_from(&app, "203.0.113.66", "owner@example.ca", "a guess at it");
        match res.status {
            401 => {}
            429 => refused += 1,
            other => panic!("{other}: {}", res.body),
        }
    }
    assert!(
        refused >= 95,
        "the stranger was slowed after five guesses ({refused} refused)"
    );
    for _ in 0..12 {
        assert_eq!(
            login_from(&app, "198.51.100.5", "owner@example.ca", PASSWORD).status,
            200,
            "the owner, from elsewhere, logs in; their successful log-ins count toward nothing"
        );
    }
    // IPv6 clients are one source per /64.
    for i in 0..5 {
        login_from(
            &app,
            &format!("2001:db8:1:2::{i}"),
            "owner@example.ca",
            "a guess",
        );
    }
    login_from(&app, "2001:db8:1:2:ffff::1", "owner@example.ca", PASSWORD)
        .problem(429, "too-many-requests");
    assert_eq!(
        login_from(&app, "2001:db8:1:3::1", "owner@example.ca", PASSWORD).status,
        200
    );
}

#[test]
fn instances_on_one_database_enforce_one_limit() {
    let app = TestApp::spawn();
    let url = app.database_url.clone();
    let other = TestApp::spawn_on(test_database(), &[("DATABASE_URL", url.as_str())]);
    app.peer("shared@example.ca");
    for i in 0..5 {
        let instance = if i % 2 == 0 { &app } else { &other };
        instance
            .login("shared@example.ca", "wrong passphrase")
            .problem(401, "invalid-credentials");
    }
    for instance in [&app, &other] {
        instance
            .login("shared@example.ca", PASSWORD)
            .problem(429, "too-many-requests");
    }
}

#[test]
fn anonymous_directory_submissions_and_applications_are_limited() {
    let app = TestApp::spawn();
    let listing = crate::directory::listing("A peer group");
    let mut statuses = Vec::new();
    for _ in 0..11 {
        statuses.push(app.post_json("/api/v1/directory/listings", &listing).status);
    }
    assert!(statuses[..10].iter().all(|s| *s != 429), "{statuses:?}");
    assert_eq!(statuses[10], 429, "{statuses:?}");

    let peer = app.peer("applies@example.ca");
    let apply = || {
        app.json(
            "POST",
            "/api/v1/intake-applications",
            Some(&peer.access),
            &json!({"preferred_language": "en", "group_kind": "either",
                    "availability": "Evenings", "contact_methods": ["email"]}),
        )
    };
    let mut statuses: Vec<u16> = (0..11).map(|_| apply().status).collect();
    let last = statuses.pop().unwrap();
    assert!(statuses.iter().all(|s| *s != 429), "{statuses:?}");
    assert_eq!(last, 429);
}
