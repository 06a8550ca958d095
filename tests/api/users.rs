//! `/me`, and the admin's management of accounts, roles and partner clients; the audit log.

use serde_json::json;

use crate::helpers::{TestApp, PASSWORD};

#[test]
fn a_peer_updates_their_profile_and_changes_their_password() {
    let app = TestApp::spawn();
    let session = app.peer("river@example.ca");
    let other_device = app.session("river@example.ca");

    let updated = app.json(
        "PATCH",
        "/api/v1/me",
        Some(&session.access),
        &json!({"display_name": "River", "preferred_language": "fr"}),
    );
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_eq!(updated.json()["preferred_language"], "fr");
    assert_eq!(
        app.get_as("/api/v1/me", &session.access).json()["display_name"],
        "River"
    );

    let refused = app.json(
        "POST",
        "/api/v1/me/password",
        Some(&session.access),
        &json!({"current_password": "not my passphrase", "new_password": "a brand new passphrase"}),
    );
    assert_eq!(
        refused.problem(422, "validation-failed")["errors"][0]["field"],
        "current_password"
    );

    let changed = app.json(
        "POST",
        "/api/v1/me/password",
        Some(&session.access),
        &json!({"current_password": PASSWORD, "new_password": "a brand new passphrase"}),
    );
    assert_eq!(changed.status, 204, "{}", changed.body);
    // This session goes on; the other device's session has ended.
    assert_eq!(app.get_as("/api/v1/me", &session.access).status, 200);
    app.get_as("/api/v1/me", &other_device.access)
        .problem(401, "unauthorized");
    let other_refresh = app.post_json(
        "/api/v1/auth/refresh",
        &json!({"refresh_token": other_device.refresh}),
    );
    other_refresh.problem(401, "unauthorized");
    app.login("river@example.ca", PASSWORD)
        .problem(401, "invalid-credentials");
    assert_eq!(
        app.login("river@example.ca", "a brand new passphrase")
            .status,
        200
    );
}

#[test]
fn only_admins_manage_accounts() {
    let app = TestApp::spawn();
    let admin = app.admin();
    let peer = app.peer("peer@example.ca");
    for role in [
        "peer_supporter",
        "mental_health_professional",
        "coordinator",
    ] {
        let staff = app.staff(&admin, role);
        assert_eq!(app.get_as("/api/v1/me", &staff.access).json()["role"], role);
        app.get_as("/api/v1/users", &staff.access)
            .problem(403, "forbidden");
        app.get_as("/api/v1/audit-events", &staff.access)
            .problem(403, "forbidden");
        app.get_as("/api/v1/partners", &staff.access)
            .problem(403, "forbidden");
    }
    app.get_as("/api/v1/users", &peer.access)
        .problem(403, "forbidden");
    let create = app.json(
        "POST",
        "/api/v1/users",
        Some(&peer.access),
        &json!({"email": "x@example.ca", "display_name": "X",
                "role": "admin", "preferred_language": "en"}),
    );
    create.problem(403, "forbidden");
    app.login("x@example.ca", PASSWORD)
        .problem(401, "invalid-credentials");
    app.get("/api/v1/users").problem(401, "unauthorized");

    let listed = app.get_as("/api/v1/users?role=peer", &admin.access).json();
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    assert_eq!(listed["items"][0]["email"], "peer@example.ca");
    let one = app.get_as(&format!("/api/v1/users/{}", peer.id), &admin.access);
    assert_eq!(one.json()["role"], "peer");
    app.get_as("/api/v1/users/no-such-id", &admin.access)
        .problem(404, "not-found");
}

#[test]
fn staff_accounts_are_unique_and_never_partners() {
    let app = TestApp::spawn();
    let admin = app.admin();
    let body = |email: &str, role: &str| {
        json!({"email": email, "display_name": "S", "role": role,
               "preferred_language": "fr"})
    };
    let first = app.json(
        "POST",
        "/api/v1/users",
        Some(&admin.access),
        &body("s@example.ca", "coordinator"),
    );
    assert_eq!(first.status, 201);
    assert!(first
        .header("location")
        .unwrap()
        .starts_with("/api/v1/users/"));
    let dup = app.json(
        "POST",
        "/api/v1/users",
        Some(&admin.access),
        &body("S@EXAMPLE.CA", "coordinator"),
    );
    dup.problem(409, "conflict");
    let partner = app.json(
        "POST",
        "/api/v1/users",
        Some(&admin.access),
        &body("p@example.ca", "partner"),
    );
    assert_eq!(
        partner.problem(422, "validation-failed")["errors"][0]["field"],
        "role"
    );
}

#[test]
fn a_role_change_or_disabling_ends_the_accounts_sessions_and_is_audited() {
    let app = TestApp::spawn();
    let admin = app.admin();
    let supporter = app.staff(&admin, "peer_supporter");
    let patch = |body: serde_json::Value| {
        app.json(
            "PATCH",
            &format!("/api/v1/users/{}", supporter.id),
            Some(&admin.access),
            &body,
        )
    };
    let promoted = patch(json!({"role": "coordinator"}));
    assert_eq!(promoted.json()["role"], "coordinator");
    app.get_as("/api/v1/me", &supporter.access)
        .problem(401, "unauthorized");

    let email = promoted.json()["email"].as_str().unwrap().to_string();
    let again = app.session(&email);
    assert_eq!(
        app.get_as("/api/v1/me", &again.access).json()["role"],
        "coordinator"
    );
    assert_eq!(patch(json!({"disabled": true})).json()["disabled"], true);
    app.get_as("/api/v1/me", &again.access)
        .problem(401, "unauthorized");
    app.post_json(
        "/api/v1/auth/refresh",
        &json!({"refresh_token": again.refresh}),
    )
    .problem(401, "unauthorized");
    app.login(&email, PASSWORD)
        .problem(401, "invalid-credentials");

    let events = app
        .get_as(
            &format!("/api/v1/audit-events?resource_id={}", supporter.id),
            &admin.access,
        )
        .json();
    let actions: Vec<&str> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    // The staff member set their password through the mailed link, which verified the address.
    assert_eq!(
        actions,
        [
            "user.created",
            "user.password_reset",
            "user.email_verified",
            "user.role_changed",
            "user.disabled"
        ]
    );
    assert_eq!(
        events["items"][3]["details"],
        json!({"from": "peer_supporter", "to": "coordinator"})
    );
    assert_eq!(events["items"][3]["actor_id"], admin.id.as_str());
    assert_eq!(events["items"][3]["actor_role"], "admin");
    assert!(events["items"][3]["request_id"].is_string());
    // The person acted through a link: no actor, but the request is traceable.
    assert!(events["items"][1]["actor_id"].is_null());
    assert!(events["items"][1]["request_id"].is_string());
}

#[test]
fn the_last_admin_cannot_be_demoted_or_disabled() {
    let app = TestApp::spawn();
    let admin = app.admin();
    let path = format!("/api/v1/users/{}", admin.id);
    app.json(
        "PATCH",
        &path,
        Some(&admin.access),
        &json!({"role": "coordinator"}),
    )
    .problem(409, "conflict");
    app.json(
        "PATCH",
        &path,
        Some(&admin.access),
        &json!({"disabled": true}),
    )
    .problem(409, "conflict");
    assert_eq!(
        app.get_as("/api/v1/me", &admin.access).json()["role"],
        "admin"
    );

    let second = app.staff(&admin, "admin");
    let demoted = app.json(
        "PATCH",
        &path,
        Some(&second.access),
        &json!({"role": "coordinator"}),
    );
    assert_eq!(demoted.status, 200, "{}", demoted.body);
}

#[test]
fn account_lists_page_without_repeats_while_accounts_are_added() {
    let app = TestApp::spawn();
    let admin = app.admin();
    for _ in 0..4 {
        app.staff(&admin, "coordinator");
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/users?limit=2&cursor={c}"),
            None => "/api/v1/users?limit=2".to_string(),
        };
        let page = app.get_as(&path, &admin.access).json();
        for item in page["items"].as_array().unwrap() {
            seen.push(item["id"].as_str().unwrap().to_string());
        }
        if seen.len() == 2 {
            app.staff(&admin, "peer_supporter"); // added mid-way: shows up at the end
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "no account twice");
    assert_eq!(
        seen.len(),
        6,
        "admin, four coordinators and the one added mid-way"
    );
    app.get_as("/api/v1/users?limit=0", &admin.access)
        .problem(422, "validation-failed");
    app.get_as("/api/v1/users?limit=101", &admin.access)
        .problem(422, "validation-failed");
    app.get_as("/api/v1/users?cursor=bogus", &admin.access)
        .problem(422, "validation-failed");
    app.get_as("/api/v1/users?role=wizard", &admin.access)
        .problem(400, "invalid-parameter");
    app.get_as("/api/v1/users?colour=blue", &admin.access)
        .problem(400, "invalid-parameter");
}

#[test]
fn partner_clients_are_listed_without_secrets_and_audited() {
    let app = TestApp::spawn();
    let admin = app.admin();
    let (client, _) = app.partner(&admin);
    let list = app.get_as("/api/v1/partners", &admin.access);
    assert_eq!(list.status, 200);
    let text = list.body.clone();
    assert!(!text.contains(client["client_secret"].as_str().unwrap()));
    assert_eq!(list.json()["items"][0]["client_id"], client["client_id"]);
    let id = client["id"].as_str().unwrap();
    let auth = format!("Bearer {}", admin.access);
    assert_eq!(
        app.send(
            "DELETE",
            &format!("/api/v1/partners/{id}"),
            &[("Authorization", &auth)],
            None
        )
        .status,
        204
    );
    app.send(
        "DELETE",
        &format!("/api/v1/partners/{id}"),
        &[("Authorization", &auth)],
        None,
    )
    .problem(404, "not-found");
    let events = app
        .get_as("/api/v1/audit-events?resource_type=partner", &admin.access)
        .json();
    let actions: Vec<&str> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["partner.created", "partner.revoked"]);
}

#[test]
fn create_admin_command_makes_an_admin_who_can_log_in() {
    let app = TestApp::spawn();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_peer-support-api"))
        .args(["create-admin", "--email", "First.Admin@example.ca"])
        .env("DATABASE_URL", &app.database_url)
        .env("ADMIN_PASSWORD", PASSWORD)
        .env("APP_ENV", "test")
        .output()
        .expect("the binary runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let session = app.session("first.admin@example.ca");
    assert_eq!(
        app.get_as("/api/v1/me", &session.access).json()["role"],
        "admin"
    );

    let again = std::process::Command::new(env!("CARGO_BIN_EXE_peer-support-api"))
        .args(["create-admin", "--email", "first.admin@example.ca"])
        .env("DATABASE_URL", &app.database_url)
        .env("ADMIN_PASSWORD", PASSWORD)
        .output()
        .unwrap();
    assert!(!again.status.success());
    let short = std::process::Command::new(env!("CARGO_BIN_EXE_peer-support-api"))
        .args(["create-admin", "--email", "second@example.ca"])
        .env("DATABASE_URL", &app.database_url)
        .env("ADMIN_PASSWORD", "short")
        .output()
        .unwrap();
    assert!(!short.status.success());
}
