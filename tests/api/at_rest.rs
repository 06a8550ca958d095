//! What a database administrator, or anyone holding a backup, can read: no secret the API hands
//! out or receives is stored as it was given (only hashes), including in the outbox.

use serde_json::json;

use crate::helpers::{TestApp, PASSWORD};

#[test]
fn no_secret_is_readable_in_the_database() {
    let app = TestApp::spawn();
    let admin = app.admin();
    let (client, partner_token) = app.partner(&admin);
    let client_secret = client["client_secret"].as_str().unwrap().to_string();

    // A verification link (spent) and a reset link (not spent), a session's tokens.
    assert_eq!(app.register("river@example.ca").status, 202);
    let verify_token = app
        .mailbox
        .take("river@example.ca", "/verify-email?token=")
        .token();
    let verified = app.post_json(
        "/api/v1/auth/verify-email",
        &json!({ "token": verify_token }),
    );
    assert_eq!(verified.status, 204, "{}", verified.body);
    let session = app.session("river@example.ca");
    let asked = app.post_json(
        "/api/v1/auth/password-reset",
        &json!({ "email": "river@example.ca" }),
    );
    assert_eq!(asked.status, 202, "{}", asked.body);
    let reset_token = app
        .mailbox
        .take("river@example.ca", "/reset-password?token=")
        .token();

    let at_rest = app.database_text();
    assert!(
        at_rest.contains("river@example.ca"),
        "the dump shows stored text"
    );
    for (what, secret) in [
        ("password", PASSWORD),
        ("verification token", verify_token.as_str()),
        ("reset token", reset_token.as_str()),
        ("access token", session.access.as_str()),
        ("refresh token", session.refresh.as_str()),
        ("partner client secret", client_secret.as_str()),
        ("partner access token", partner_token.as_str()),
    ] {
        assert!(secret.len() >= 12, "{what} is a real secret");
        assert!(!at_rest.contains(secret), "the {what} is readable at rest");
    }
}
