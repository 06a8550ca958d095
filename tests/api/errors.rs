//! Every error is an RFC 9457 problem document, in English or French.

use crate::helpers::TestApp;

#[test]
fn unknown_route_is_a_404_problem_with_the_path() {
    let app = TestApp::spawn();
    let res = app.get("/api/v1/nothing-here");
    let problem = res.problem(404, "not-found");
    assert_eq!(problem["instance"], "/api/v1/nothing-here");
    assert_eq!(problem["title"], "Not found");
    assert_eq!(res.header("content-language"), Some("en"));
}

#[test]
fn wrong_method_is_a_405_problem_with_allow() {
    let app = TestApp::spawn();
    let res = app.send("DELETE", "/readyz", &[], None);
    let problem = res.problem(405, "method-not-allowed");
    assert_eq!(res.header("allow"), Some("GET, HEAD"));
    assert_eq!(
        problem["allowed_methods"],
        serde_json::json!(["GET", "HEAD"])
    );
}

#[test]
fn problems_speak_french_when_asked() {
    let app = TestApp::spawn();
    let res = app.send(
        "GET",
        "/nulle-part",
        &[("Accept-Language", "fr-CA,fr;q=0.9,en;q=0.5")],
        None,
    );
    let problem = res.problem(404, "not-found");
    assert_eq!(problem["title"], "Introuvable");
    assert_eq!(res.header("content-language"), Some("fr"));

    let res = app.send("PUT", "/healthz", &[("Accept-Language", "fr")], None);
    assert_eq!(
        res.problem(405, "method-not-allowed")["title"],
        "Méthode non autorisée"
    );
}

const REGISTER: &str = "/api/v1/auth/register";

#[test]
fn malformed_json_is_400_and_changes_nothing() {
    let app = TestApp::spawn();
    let res = app.send(
        "POST",
        REGISTER,
        &[("Content-Type", "application/json")],
        Some(br#"{"email": "a@example.ca", "password": "#),
    );
    res.problem(400, "malformed-json");
    assert_eq!(
        app.login("a@example.ca", crate::helpers::PASSWORD).status,
        401
    );
}

#[test]
fn unknown_and_missing_fields_are_400() {
    let app = TestApp::spawn();
    let unknown = app.post_json(
        REGISTER,
        &serde_json::json!({"email": "a@example.ca", "password": crate::helpers::PASSWORD,
            "display_name": "A", "preferred_language": "en", "role": "admin"}),
    );
    let problem = unknown.problem(400, "invalid-body");
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("unknown field `role`"));
    let missing = app.post_json(REGISTER, &serde_json::json!({"email": "a@example.ca"}));
    missing.problem(400, "invalid-body");
    assert_eq!(
        app.login("a@example.ca", crate::helpers::PASSWORD).status,
        401
    );
}

#[test]
fn wrong_content_type_is_415() {
    let app = TestApp::spawn();
    let res = app.send(
        "POST",
        REGISTER,
        &[("Content-Type", "text/plain")],
        Some(b"hello"),
    );
    res.problem(415, "unsupported-media-type");
    let none = app.send("POST", REGISTER, &[], Some(b"{}"));
    none.problem(415, "unsupported-media-type");
}

#[test]
fn validation_failures_are_422_with_field_paths_in_french_too() {
    let app = TestApp::spawn();
    let body = serde_json::json!({"email": "nope", "password": "short", "display_name": "A",
        "preferred_language": "fr"});
    let res = app.send(
        "POST",
        REGISTER,
        &[
            ("Content-Type", "application/json"),
            ("Accept-Language", "fr"),
        ],
        Some(body.to_string().as_bytes()),
    );
    let problem = res.problem(422, "validation-failed");
    assert_eq!(problem["title"], "Échec de la validation");
    assert_eq!(problem["errors"][0]["field"], "email");
    assert_eq!(problem["errors"][1]["field"], "password");
    assert_eq!(problem["errors"][1]["code"], "length");
}

#[test]
fn bodies_over_the_limit_are_413() {
    let app = TestApp::spawn_with(&[("BODY_LIMIT_BYTES", "1024")]);
    let big = format!(
        r#"{{"email": "a@example.ca", "password": "{}", "display_name": "A", "preferred_language": "en"}}"#,
        "x".repeat(2000)
    );
    let res = app.send(
        "POST",
        REGISTER,
        &[("Content-Type", "application/json")],
        Some(big.as_bytes()),
    );
    res.problem(413, "payload-too-large");
}

#[test]
fn a_body_trickled_too_slowly_is_408() {
    use std::io::{Read, Write};
    let app = TestApp::spawn_with(&[("REQUEST_TIMEOUT_SECS", "1")]);
    let mut stream =
        std::net::TcpStream::connect(app.base_url.trim_start_matches("http://")).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let head = format!(
        "POST {REGISTER} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Accept-Language: fr\r\nContent-Length: 200\r\n\r\n{{\"email\""
    );
    stream.write_all(head.as_bytes()).unwrap();
    // The rest of the body never comes; the server answers at its deadline.
    let mut response = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = stream.read(&mut buf) {
        if n == 0 {
            break;
        }
        response.extend_from_slice(&buf[..n]);
        if String::from_utf8_lossy(&response).contains("\"status\":408") {
            break;
        }
    }
    let text = String::from_utf8_lossy(&response);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("application/problem+json"), "{text}");
    assert!(
        text.contains("urn:peer-support:problem:request-timeout"),
        "{text}"
    );
}

#[test]
fn a_body_that_is_not_an_object_is_400() {
    let app = TestApp::spawn();
    let session = app.peer("array@example.ca");
    for body in ["[null, null]", "\"text\"", "42", "null"] {
        let res = app.send(
            "PATCH",
            "/api/v1/me",
            &[
                ("Content-Type", "application/json"),
                ("Authorization", &format!("Bearer {}", session.access)),
            ],
            Some(body.as_bytes()),
        );
        res.problem(400, "invalid-body");
    }
    assert_eq!(
        app.get_as("/api/v1/me", &session.access).json()["display_name"],
        "Test Peer"
    );
}

#[test]
fn a_nul_character_is_refused_alike_on_both_backends() {
    let app = TestApp::spawn();
    // In a body: 400, and nothing is stored (PostgreSQL could not store it).
    let res = app.post_json(
        "/api/v1/directory/listings",
        &serde_json::json!({"organization": "Org\u{0}", "name": "Circle"}),
    );
    let problem = res.problem(400, "invalid-body");
    assert!(
        problem["detail"].as_str().unwrap().contains("NUL"),
        "{problem}"
    );
    // In a path: no id holds one. In a query: no filter matches one.
    app.get("/api/v1/groups/a%00b").problem(404, "not-found");
    app.get("/api/v1/directory/listings?q=%00")
        .problem(400, "invalid-parameter");
    let res = app.send(
        "POST",
        "/api/v1/auth/token",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        Some(b"grant_type=client_credentials&client_id=a%00&client_secret=b"),
    );
    assert_eq!(res.status, 401, "{}", res.body);
}
