//! Sign-up, log-in, refresh rotation, log-out, token validation, lock-outs and client credentials.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

use crate::helpers::{TestApp, PASSWORD};

const SECRET: &str = "test-secret-test-secret-test-secret-0123";

fn refresh(app: &TestApp, token: &str) -> crate::helpers::Response {
    app.post_json("/api/v1/auth/refresh", &json!({"refresh_token": token}))
}

#[test]
fn sign_up_log_in_refresh_replay_and_log_out() {
    let app = TestApp::spawn();
    let signed_up = app.register("Alex.Martin@Example.ca");
    assert_eq!(signed_up.status, 202, "{}", signed_up.body);
    app.verify("alex.martin@example.ca");

    let login = app.login("alex.martin@example.ca", PASSWORD);
    assert_eq!(login.status, 200, "{}", login.body);
    assert_eq!(login.header("cache-control"), Some("no-store"));
    let pair = login.json();
    assert_eq!(pair["token_type"], "Bearer");
    assert_eq!(pair["expires_in"], 900);
    let access = pair["access_token"].as_str().unwrap();
    let first_refresh = pair["refresh_token"].as_str().unwrap();

    let me = app.get_as("/api/v1/me", access).json();
    assert_eq!(me["email"], "alex.martin@example.ca");
    assert_eq!(me["role"], "peer");
    assert_eq!(me["preferred_language"], "en");
    assert_eq!(me["display_name"], "Test Peer");

    let rotated = refresh(&app, first_refresh);
    assert_eq!(rotated.status, 200, "{}", rotated.body);
    let rotated = rotated.json();
    let second_access = rotated["access_token"].as_str().unwrap();
    let second_refresh = rotated["refresh_token"].as_str().unwrap();
    assert_ne!(second_refresh, first_refresh);
    assert_eq!(app.get_as("/api/v1/me", second_access).status, 200);

    // Replaying the spent token ends the whole family: the rotated token and its access token too.
    refresh(&app, first_refresh).problem(401, "unauthorized");
    refresh(&app, second_refresh).problem(401, "unauthorized");
    app.get_as("/api/v1/me", second_access)
        .problem(401, "unauthorized");
    app.get_as("/api/v1/me", access)
        .problem(401, "unauthorized");

    // A new log-in is unaffected; logging out ends it.
    let again = app.login("alex.martin@example.ca", PASSWORD).json();
    let (access, refresh_token) = (
        again["access_token"].as_str().unwrap().to_string(),
        again["refresh_token"].as_str().unwrap().to_string(),
    );
    let out = app.post_json(
        "/api/v1/auth/logout",
        &json!({"refresh_token": refresh_token}),
    );
    assert_eq!(out.status, 204);
    refresh(&app, &refresh_token).problem(401, "unauthorized");
    app.get_as("/api/v1/me", &access)
        .problem(401, "unauthorized");
    // Logging out twice, or with an unknown token, is harmless.
    let twice = app.post_json(
        "/api/v1/auth/logout",
        &json!({"refresh_token": refresh_token}),
    );
    assert_eq!(twice.status, 204);
}

#[test]
fn sign_up_answers_alike_for_a_taken_email_and_keeps_the_first_account() {
    let app = TestApp::spawn();
    let first = app.register("sam@example.ca");
    app.verify("sam@example.ca");
    let second = app.post_json(
        "/api/v1/auth/register",
        &json!({"email": "SAM@example.ca", "password": "another passphrase here",
                "display_name": "Impostor", "preferred_language": "fr"}),
    );
    assert_eq!(first.status, 202);
    assert_eq!(second.status, 202);
    assert_eq!(first.json(), second.json());
    app.login("sam@example.ca", "another passphrase here")
        .problem(401, "invalid-credentials");
    let session = app.session("sam@example.ca");
    assert_eq!(
        app.get_as("/api/v1/me", &session.access).json()["display_name"],
        "Test Peer"
    );
}

#[test]
fn sign_up_validation_names_the_fields_and_creates_nothing() {
    let app = TestApp::spawn();
    let res = app.post_json(
        "/api/v1/auth/register",
        &json!({"email": "not-an-email", "password": "short", "display_name": "",
                "preferred_language": "en"}),
    );
    let problem = res.problem(422, "validation-failed");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["display_name", "email", "password"]);
    app.login("not-an-email", "short")
        .problem(401, "invalid-credentials");

    let bad_language = app.post_json(
        "/api/v1/auth/register",
        &json!({"email": "a@example.ca", "password": PASSWORD, "display_name": "A",
                "preferred_language": "de"}),
    );
    bad_language.problem(400, "invalid-body");
}

#[test]
fn wrong_password_and_unknown_email_are_refused_alike() {
    let app = TestApp::spawn();
    app.register("kim@example.ca");
    app.verify("kim@example.ca");
    let wrong = app.login("kim@example.ca", "not the right passphrase");
    let unknown = app.login("nobody@example.ca", "not the right passphrase");
    let (a, b) = (
        wrong.problem(401, "invalid-credentials"),
        unknown.problem(401, "invalid-credentials"),
    );
    assert_eq!(a["title"], "Wrong email or password");
    assert_eq!(a["detail"], b["detail"]);
    // Not a bearer-token challenge: no token was asked for.
    assert_eq!(wrong.header("www-authenticate"), None);
    assert_eq!(unknown.header("www-authenticate"), None);
}

#[test]
fn repeated_log_ins_at_one_account_are_locked_out_and_audited() {
    let app = TestApp::spawn();
    let admin = app.admin();
    app.register("target@example.ca");
    for _ in 0..5 {
        app.login("target@example.ca", "guessing a passphrase")
            .problem(401, "invalid-credentials");
    }
    let locked = app.login("target@example.ca", PASSWORD);
    locked.problem(429, "too-many-requests");
    let retry_after: u64 = locked.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after));
    // Another account is not affected.
    app.register("other@example.ca");
    app.verify("other@example.ca");
    assert_eq!(app.login("other@example.ca", PASSWORD).status, 200);

    let events = app
        .get_as(
            "/api/v1/audit-events?action=login.locked_out",
            &admin.access,
        )
        .json();
    assert_eq!(events["items"].as_array().unwrap().len(), 1, "{events}");
    assert_eq!(events["items"][0]["resource_type"], "user");
    assert!(events["items"][0]["actor_id"].is_null());
}

#[test]
fn sign_up_is_limited_per_address() {
    let app = TestApp::spawn();
    for i in 0..10 {
        assert_eq!(app.register(&format!("p{i}@example.ca")).status, 202);
    }
    let limited = app.register("p10@example.ca");
    limited.problem(429, "too-many-requests");
    assert!(limited.header("retry-after").is_some());
}

fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

fn sign(claims: &Value, secret: &str) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

#[test]
fn forged_expired_early_misaddressed_or_unsigned_tokens_get_401() {
    let app = TestApp::spawn_with(&[("JWT_SECRET", SECRET)]);
    let session = app.peer("forged@example.ca");
    let real = claims_of(&session.access);
    // The real claims re-signed with the real secret pass: the variants below fail for one reason each.
    assert_eq!(app.get_as("/api/v1/me", &sign(&real, SECRET)).status, 200);

    let now = real["iat"].as_u64().unwrap();
    let variant = |key: &str, value: Value| {
        let mut claims = real.clone();
        claims[key] = value;
        claims
    };
    let cases = [
        ("expired", sign(&variant("exp", json!(now - 120)), SECRET)),
        (
            "not yet valid",
            sign(&variant("nbf", json!(now + 3600)), SECRET),
        ),
        (
            "wrong issuer",
            sign(&variant("iss", json!("someone-else")), SECRET),
        ),
        (
            "wrong audience",
            sign(&variant("aud", json!("another-api")), SECRET),
        ),
        (
            "another key",
            sign(&real, "another-secret-another-secret-another"),
        ),
        (
            "escalated role",
            sign(&variant("role", json!("admin")), SECRET),
        ),
        (
            "another session",
            sign(&variant("sid", json!("no-such-session")), SECRET),
        ),
        ("no audience", {
            let mut c = real.clone();
            c.as_object_mut().unwrap().remove("aud");
            sign(&c, SECRET)
        }),
        ("alg none", {
            let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
            let payload = URL_SAFE_NO_PAD.encode(real.to_string());
            format!("{header}.{payload}.")
        }),
        ("tampered payload", {
            let parts: Vec<&str> = session.access.split('.').collect();
            let payload = URL_SAFE_NO_PAD.encode(variant("role", json!("admin")).to_string());
            format!("{}.{payload}.{}", parts[0], parts[2])
        }),
        ("garbage", "not-a-token".to_string()),
    ];
    for (name, token) in cases {
        let res = app.get_as("/api/v1/me", &token);
        assert_eq!(res.status, 401, "{name}: {}", res.body);
    }
    app.get("/api/v1/me").problem(401, "unauthorized");
    let basic = app.send(
        "GET",
        "/api/v1/me",
        &[("Authorization", "Basic dXNlcjpwYXNz")],
        None,
    );
    basic.problem(401, "unauthorized");
}

#[test]
fn client_credentials_give_a_partner_token_that_only_partner_operations_accept() {
    let app = TestApp::spawn();
    let admin = app.admin();
    let (client, token) = app.partner(&admin);
    assert_eq!(claims_of(&token)["role"], "partner");
    app.get_as("/api/v1/users", &token)
        .problem(403, "forbidden");
    app.get_as("/api/v1/me", &token).problem(403, "forbidden");
    app.get_as("/api/v1/audit-events", &token)
        .problem(403, "forbidden");

    let form = |body: &str| {
        app.send(
            "POST",
            "/api/v1/auth/token",
            &[("Content-Type", "application/x-www-form-urlencoded")],
            Some(body.as_bytes()),
        )
    };
    let client_id = client["client_id"].as_str().unwrap();
    let wrong = form(&format!(
        "grant_type=client_credentials&client_id={client_id}&client_secret=nope"
    ));
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.json()["error"], "invalid_client");
    let grant = form(&format!(
        "grant_type=password&client_id={client_id}&client_secret=x"
    ));
    assert_eq!(grant.status, 400);
    assert_eq!(grant.json()["error"], "unsupported_grant_type");
    let missing = form("grant_type=client_credentials");
    assert_eq!(missing.status, 400);
    assert_eq!(missing.json()["error"], "invalid_request");

    // Revoking the client stops its tokens at once, and the grant with it.
    let id = client["id"].as_str().unwrap();
    let revoked = app.send(
        "DELETE",
        &format!("/api/v1/partners/{id}"),
        &[("Authorization", &format!("Bearer {}", admin.access))],
        None,
    );
    assert_eq!(revoked.status, 204);
    app.get_as("/api/v1/users", &token)
        .problem(401, "unauthorized");
    let secret = client["client_secret"].as_str().unwrap();
    let after = form(&format!(
        "grant_type=client_credentials&client_id={client_id}&client_secret={secret}"
    ));
    assert_eq!(after.status, 401);
}

#[test]
fn no_password_token_or_secret_reaches_the_logs() {
    let app = TestApp::spawn();
    let admin = app.admin();
    let peer = app.peer("logs@example.ca");
    let rotated = refresh(&app, &peer.refresh).json();
    let (client, partner_token) = app.partner(&admin);
    app.login("logs@example.ca", "a wrong passphrase to log");
    let _ = app.get(&format!("/api/v1/me?token={}", peer.access));
    let logs = crate::helpers::captured_logs();
    assert!(logs.contains("/api/v1/auth/login"), "the capture works");
    let secrets = [
        PASSWORD.to_string(),
        "a wrong passphrase to log".to_string(),
        peer.access.clone(),
        peer.refresh.clone(),
        admin.access.clone(),
        rotated["access_token"].as_str().unwrap().to_string(),
        rotated["refresh_token"].as_str().unwrap().to_string(),
        client["client_secret"].as_str().unwrap().to_string(),
        partner_token,
    ];
    for secret in secrets {
        if let Some(line) = logs.lines().find(|l| l.contains(&secret)) {
            panic!(
                "a secret reached the logs: {}",
                &line[..line.len().min(300)]
            );
        }
    }
    assert!(!logs.contains("eyJ"), "no JWT of any test reaches the logs");
}
