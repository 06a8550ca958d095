//! Accounts a person can trust (issue 13): real mail over SMTP, verified email, password
//! reset, and log-in failures that say what they are without saying who is enrolled.

use peer_support_api::{config::Config, mail};

use serde_json::{json, Value};

use crate::helpers::{Response, TestApp, PASSWORD};

fn config(pairs: &[(&str, &str)]) -> Result<Config, peer_support_api::config::ConfigError> {
    Config::from_lookup(|key| {
        pairs
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.to_string())
    })
}

#[test]
fn mail_goes_over_smtp_to_a_real_server() {
    // Every test app has its own SMTP server in the test process.
    let app = TestApp::spawn();
    let mailbox = &app.mailbox;
    let port = mailbox.port.to_string();
    let config = config(&[
        ("APP_ENV", "test"),
        ("SMTP_HOST", "localhost"),
        ("SMTP_PORT", &port),
        ("SMTP_TLS", "none"),
        ("SMTP_FROM", "Peer Support Program <no-reply@example.ca>"),
    ])
    .unwrap();
    let mailer = mail::from_config(&config).unwrap();
    mailer
        .deliver(
            "river@example.ca",
            "Bienvenue",
            "Votre lien : https://app.example.ca/verify-email?token=abc_DEF-123 — à bientôt.",
        )
        .unwrap();
    let delivered = mailbox.take("river@example.ca", "Votre lien");
    assert_eq!(delivered.token(), "abc_DEF-123");
    assert!(delivered
        .raw
        .contains("From: \"Peer Support Program\" <no-reply@example.ca>"));
    assert!(delivered.body.contains("à bientôt"));
}

#[test]
fn mail_in_clear_is_refused_for_any_host_but_loopback() {
    for host in ["smtp.example.ca", "192.0.2.10"] {
        let refused = config(&[
            ("SMTP_HOST", host),
            ("SMTP_TLS", "none"),
            ("SMTP_FROM", "no-reply@example.ca"),
        ])
        .unwrap_err();
        assert_eq!(refused.setting, "SMTP_TLS", "{host}");
        assert!(refused.to_string().contains("loopback"));
    }
    let production = config(&[
        ("APP_ENV", "production"),
        ("JWT_SECRET", "0123456789abcdef0123456789abcdef"),
        ("FEEDBACK_KEY_SECRET", "fedcba9876543210fedcba9876543210"),
    ])
    .unwrap_err();
    assert_eq!(production.setting, "SMTP_HOST");
}

#[test]
fn development_without_smtp_writes_eml_files_under_the_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().to_str().unwrap();
    let config = config(&[("DATA_DIR", data_dir)]).unwrap();
    let mailer = mail::from_config(&config).unwrap();
    mailer
        .deliver(
            "river@example.ca",
            "Hello",
            "https://x/verify-email?token=t0k",
        )
        .unwrap();
    let files: Vec<_> = std::fs::read_dir(dir.path().join("mail"))
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(files.len(), 1);
    assert!(std::fs::read_to_string(files[0].path())
        .unwrap()
        .contains("token=t0k"));
    let logs = crate::helpers::captured_logs();
    assert!(!logs.contains("river@example.ca"), "no address in the logs");
}

const VERIFY_LINK: &str = "/verify-email?token=";
const RESET_LINK: &str = "/reset-password?token=";

fn verify(app: &TestApp, token: &str) -> Response {
    app.post_json("/api/v1/auth/verify-email", &json!({ "token": token }))
}

fn confirm_reset(app: &TestApp, token: &str, new_password: &str) -> Response {
    app.post_json(
        "/api/v1/auth/password-reset/confirm",
        &json!({ "token": token, "new_password": new_password }),
    )
}

fn register_as(app: &TestApp, email: &str, password: &str, name: &str) -> Response {
    app.post_json(
        "/api/v1/auth/register",
        &json!({"email": email, "password": password, "display_name": name,
                "preferred_language": "en"}),
    )
}

/// A problem body without its request id (the one part that differs between two requests).
fn without_request_id(res: &Response) -> Value {
    let mut body = res.json();
    body.as_object_mut().unwrap().remove("request_id");
    body
}

#[test]
fn sign_up_then_the_link_in_the_mail_verifies_then_log_in() {
    let app = TestApp::spawn();
    assert_eq!(app.register("river@example.ca").status, 202);
    let before = app.login("river@example.ca", PASSWORD);
    before.problem(401, "invalid-credentials");

    let mail = app.mailbox.take("river@example.ca", VERIFY_LINK);
    assert!(mail
        .body
        .contains("https://app.example.ca/verify-email?token="));
    let token = mail.token();
    assert_eq!(token.len(), 43, "32 random bytes, base64url");
    assert_eq!(verify(&app, &token).status, 204);
    assert_eq!(app.login("river@example.ca", PASSWORD).status, 200);
    // Single use.
    let again = verify(&app, &token).problem(422, "validation-failed");
    assert_eq!(again["errors"][0]["field"], "token");
    verify(&app, "not-a-token").problem(422, "validation-failed");
}

#[test]
fn log_in_before_verification_is_refused_exactly_like_a_wrong_password() {
    let app = TestApp::spawn();
    app.peer("known@example.ca");
    app.register("pending@example.ca");
    let unverified = app.login("pending@example.ca", PASSWORD);
    let wrong_password = app.login("known@example.ca", "not the right passphrase");
    let unknown = app.login("nobody@example.ca", PASSWORD);
    unverified.problem(401, "invalid-credentials");
    for other in [&wrong_password, &unknown] {
        assert_eq!(other.status, unverified.status);
        assert_eq!(without_request_id(other), without_request_id(&unverified));
        assert_eq!(other.header("www-authenticate"), None);
        assert_eq!(
            other.header("content-type"),
            unverified.header("content-type")
        );
    }
    // A missing or bad bearer token keeps its own problem and challenge.
    let bad = app.get_as("/api/v1/me", "not.a.token");
    bad.problem(401, "unauthorized");
    assert_eq!(bad.header("www-authenticate"), Some("Bearer"));
}

#[test]
fn signing_up_again_with_an_unverified_address_lets_the_new_registrant_verify() {
    let app = TestApp::spawn();
    let email = "contested@example.ca";
    let first = register_as(&app, email, "the first person's passphrase", "First");
    let first_token = app.mailbox.take(email, VERIFY_LINK).token();
    let second = register_as(&app, email, "the second person's passphrase", "Second");
    assert_eq!(first.json(), second.json());
    let second_token = app.mailbox.take(email, VERIFY_LINK).token();
    assert_ne!(first_token, second_token);

    verify(&app, &first_token).problem(422, "validation-failed");
    assert_eq!(verify(&app, &second_token).status, 204);
    app.login(email, "the first person's passphrase")
        .problem(401, "invalid-credentials");
    let login = app.login(email, "the second person's passphrase");
    assert_eq!(login.status, 200, "{}", login.body);
    let access = login.json()["access_token"].as_str().unwrap().to_string();
    assert_eq!(
        app.get_as("/api/v1/me", &access).json()["display_name"],
        "Second"
    );
}

#[test]
fn signing_up_with_a_verified_address_mails_its_owner_and_changes_nothing() {
    let app = TestApp::spawn();
    let owner = app.peer("owner@example.ca");
    let fresh = app.register("someone.new@example.ca");
    let attempt = register_as(
        &app,
        "Owner@example.ca",
        "a squatter's passphrase",
        "Squatter",
    );
    assert_eq!(
        (attempt.status, attempt.json()),
        (fresh.status, fresh.json())
    );

    let notice = app.mailbox.take("owner@example.ca", "tried to sign up");
    assert!(
        !notice.body.contains("token="),
        "no link that changes anything"
    );
    app.login("owner@example.ca", "a squatter's passphrase")
        .problem(401, "invalid-credentials");
    let me = app.get_as("/api/v1/me", &owner.access);
    assert_eq!(me.status, 200, "the owner's session goes on");
    assert_eq!(me.json()["display_name"], "Test Peer");
    assert_eq!(app.login("owner@example.ca", PASSWORD).status, 200);
}

#[test]
fn resend_answers_alike_for_any_address_and_only_the_newest_link_works() {
    let app = TestApp::spawn();
    app.peer("verified@example.ca");
    app.register("waiting@example.ca");
    let old = app.mailbox.take("waiting@example.ca", VERIFY_LINK).token();
    let resend = |email: &str| {
        app.post_json(
            "/api/v1/auth/resend-verification",
            &json!({ "email": email }),
        )
    };
    let known = resend("waiting@example.ca");
    let unknown = resend("nobody@example.ca");
    let verified = resend("verified@example.ca");
    assert_eq!(known.status, 202);
    for other in [&unknown, &verified] {
        assert_eq!((other.status, other.json()), (known.status, known.json()));
    }
    let new = app.mailbox.take("waiting@example.ca", VERIFY_LINK).token();
    verify(&app, &old).problem(422, "validation-failed");
    assert_eq!(verify(&app, &new).status, 204);
    resend("not an address").problem(422, "validation-failed");
}

#[test]
fn password_reset_end_to_end_ends_every_session_and_is_single_use_and_audited() {
    let app = TestApp::spawn();
    let admin = app.admin();
    let phone = app.peer("forgetful@example.ca");
    let laptop = app.session("forgetful@example.ca");
    let ask =
        |email: &str| app.post_json("/api/v1/auth/password-reset", &json!({ "email": email }));
    let known = ask("Forgetful@example.ca");
    let unknown = ask("nobody@example.ca");
    assert_eq!(known.status, 202);
    assert_eq!(
        (unknown.status, unknown.json()),
        (known.status, known.json())
    );

    let mail = app.mailbox.take("forgetful@example.ca", RESET_LINK);
    assert!(mail.body.contains("30 minutes"));
    let token = mail.token();
    confirm_reset(&app, &token, "short").problem(422, "validation-failed");
    assert_eq!(
        confirm_reset(&app, &token, "my brand new passphrase").status,
        204
    );
    for session in [&phone, &laptop] {
        app.get_as("/api/v1/me", &session.access)
            .problem(401, "unauthorized");
        app.post_json(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": session.refresh}),
        )
        .problem(401, "unauthorized");
    }
    app.login("forgetful@example.ca", PASSWORD)
        .problem(401, "invalid-credentials");
    assert_eq!(
        app.login("forgetful@example.ca", "my brand new passphrase")
            .status,
        200
    );
    let reused = confirm_reset(&app, &token, "yet another passphrase");
    assert_eq!(
        reused.problem(422, "validation-failed")["errors"][0]["field"],
        "token"
    );

    for action in ["user.password_reset_requested", "user.password_reset"] {
        let events = app
            .get_as(
                &format!("/api/v1/audit-events?action={action}"),
                &admin.access,
            )
            .json();
        let items = events["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{action}: {events}");
        assert_eq!(items[0]["resource_id"], phone.id.as_str());
    }
    let logs = crate::helpers::captured_logs();
    assert!(!logs.contains(&token), "the token never reaches the logs");
    assert!(!logs.contains("forgetful@example.ca"), "nor the address");
}

#[test]
fn a_reset_link_expires() {
    use diesel::{ExpressionMethods, RunQueryDsl};
    use peer_support_api::{db, db::schema::account_tokens};
    let app = TestApp::spawn();
    app.peer("late@example.ca");
    app.post_json(
        "/api/v1/auth/password-reset",
        &json!({ "email": "late@example.ca" }),
    );
    let token = app.mailbox.take("late@example.ca", RESET_LINK).token();
    let mut conn = db::ConnectionManager::new(&app.database_url)
        .establish()
        .unwrap();
    diesel::update(account_tokens::table)
        .set(account_tokens::expires_at.eq(db::now() - chrono::Duration::minutes(1)))
        .execute(&mut conn)
        .unwrap();
    confirm_reset(&app, &token, "my brand new passphrase").problem(422, "validation-failed");
    assert_eq!(app.login("late@example.ca", PASSWORD).status, 200);
}

#[test]
fn reset_requests_are_limited_per_email_address() {
    let app = TestApp::spawn();
    for _ in 0..3 {
        let res = app.post_json(
            "/api/v1/auth/password-reset",
            &json!({ "email": "someone@example.ca" }),
        );
        assert_eq!(res.status, 202);
    }
    let limited = app.post_json(
        "/api/v1/auth/password-reset",
        &json!({ "email": "SOMEONE@example.ca" }),
    );
    limited.problem(429, "too-many-requests");
    assert!(limited.header("retry-after").is_some());
}

#[test]
fn an_admin_made_account_sets_its_own_password_through_the_mailed_link() {
    let app = TestApp::spawn();
    let admin = app.admin();
    let with_password = app.json(
        "POST",
        "/api/v1/users",
        Some(&admin.access),
        &json!({"email": "new.coordinator@example.ca", "password": PASSWORD,
                "display_name": "C", "role": "coordinator", "preferred_language": "fr"}),
    );
    with_password.problem(400, "invalid-body");
    let created = app.json(
        "POST",
        "/api/v1/users",
        Some(&admin.access),
        &json!({"email": "new.coordinator@example.ca", "display_name": "C",
                "role": "coordinator", "preferred_language": "fr"}),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    app.login("new.coordinator@example.ca", "")
        .problem(422, "validation-failed");
    app.login("new.coordinator@example.ca", "!")
        .problem(401, "invalid-credentials");
    let mail = app.mailbox.take("new.coordinator@example.ca", RESET_LINK);
    assert!(
        mail.body.contains("mot de passe"),
        "in the account's language"
    );
    assert_eq!(
        confirm_reset(&app, &mail.token(), "the coordinator's own passphrase").status,
        204
    );
    let login = app.login(
        "new.coordinator@example.ca",
        "the coordinator's own passphrase",
    );
    assert_eq!(login.status, 200, "{}", login.body);
}

#[test]
fn password_changes_are_limited_per_account() {
    let app = TestApp::spawn();
    let peer = app.peer("guesser@example.ca");
    let attempt = || {
        app.json(
            "POST",
            "/api/v1/me/password",
            Some(&peer.access),
            &json!({"current_password": "a guess at the passphrase",
                    "new_password": "a brand new passphrase"}),
        )
    };
    for _ in 0..5 {
        attempt().problem(422, "validation-failed");
    }
    let limited = attempt();
    limited.problem(429, "too-many-requests");
    assert!(limited.header("retry-after").is_some());
}

#[test]
fn a_burst_of_wrong_password_changes_leaves_reads_answering() {
    let app = TestApp::spawn_with(&[("AUTH_RATE_LIMITS", "false")]);
    let peer = app.peer("burst@example.ca");
    let statuses = std::thread::scope(|scope| {
        let writes: Vec<_> = (0..50)
            .map(|_| {
                scope.spawn(|| {
                    app.json(
                        "POST",
                        "/api/v1/me/password",
                        Some(&peer.access),
                        &json!({"current_password": "a guess at the passphrase",
                                "new_password": "a brand new passphrase"}),
                    )
                    .status
                })
            })
            .collect();
        let reads: Vec<u16> = (0..20).map(|_| app.get("/api/v1/groups").status).collect();
        let writes: Vec<u16> = writes.into_iter().map(|w| w.join().unwrap()).collect();
        (reads, writes)
    });
    assert!(
        statuses.0.iter().all(|s| *s == 200),
        "reads: {:?}",
        statuses.0
    );
    assert!(
        statuses.1.iter().all(|s| *s == 422),
        "writes: {:?}",
        statuses.1
    );
}
