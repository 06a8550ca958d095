//! Liveness, readiness, metrics, request ids and the headers every response carries.

use crate::helpers::{postgres_admin_url, test_database, TestApp};

#[test]
fn healthz_answers_ok() {
    let app = TestApp::spawn();
    let res = app.get("/healthz");
    assert_eq!(res.status, 200);
    assert_eq!(res.json()["status"], "ok");
}

#[test]
fn readyz_reports_the_backend_in_use() {
    let app = TestApp::spawn();
    let res = app.get("/readyz");
    assert_eq!(res.status, 200);
    let expected = if postgres_admin_url().is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    assert_eq!(res.json()["database"], expected);
    assert_eq!(res.json()["status"], "ready");
}

#[test]
fn readyz_is_503_with_retry_after_when_the_database_is_unreachable() {
    let app = TestApp::with_database_unreachable();
    let res = app.get("/readyz");
    let problem = res.problem(503, "service-unavailable");
    assert_eq!(res.header("retry-after"), Some("1"));
    assert_eq!(problem["instance"], "/readyz");
    // Liveness does not depend on the database.
    assert_eq!(app.get("/healthz").status, 200);
}

#[test]
fn metrics_count_requests_by_route_pattern_and_show_the_pool() {
    let app = TestApp::spawn();
    assert_eq!(app.get("/readyz").status, 200);
    assert_eq!(app.get("/no/such/route/123").status, 404);
    let res = app.get("/metrics");
    assert_eq!(res.status, 200);
    assert!(res
        .header("content-type")
        .unwrap()
        .starts_with("text/plain"));
    let text = res.body;
    assert!(
        text.lines()
            .any(|l| l.starts_with("peer_support_http_requests_total")
                && l.contains("endpoint=\"/readyz\"")
                && l.contains("status=\"200\"")),
        "{text}"
    );
    assert!(
        text.contains("endpoint=\"UNMATCHED\""),
        "unmatched paths are masked: {text}"
    );
    assert!(!text.contains("/no/such/route/123"));
    assert!(text.contains("peer_support_http_requests_duration_seconds_bucket"));
    assert!(text.contains("peer_support_db_pool_connections"));
    assert!(text.contains("peer_support_db_pool_idle_connections"));
}

#[test]
fn every_response_has_a_request_id_and_a_sane_one_is_kept() {
    let app = TestApp::spawn();
    let generated = app.get("/healthz");
    let id = generated.header("x-request-id").expect("generated id");
    assert_eq!(id.len(), 36, "a UUID: {id}");

    let kept = app.send(
        "GET",
        "/healthz",
        &[("X-Request-Id", "abc-123_DEF.4:5")],
        None,
    );
    assert_eq!(kept.header("x-request-id"), Some("abc-123_DEF.4:5"));

    let replaced = app.send(
        "GET",
        "/healthz",
        &[("X-Request-Id", "bad id with spaces")],
        None,
    );
    assert_ne!(replaced.header("x-request-id"), Some("bad id with spaces"));

    let problem = app.send("GET", "/missing", &[("X-Request-Id", "trace-42")], None);
    assert_eq!(problem.problem(404, "not-found")["request_id"], "trace-42");
}

#[test]
fn security_headers_and_no_store_on_api_responses() {
    let app = TestApp::spawn();
    let ops = app.get("/healthz");
    assert_eq!(ops.header("x-content-type-options"), Some("nosniff"));
    let api = app.get("/api/v1/no-such-thing");
    assert_eq!(api.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(api.header("cache-control"), Some("no-store"));
}

#[test]
fn cors_allows_only_configured_origins() {
    let app = TestApp::spawn_with(&[("CORS_ALLOWED_ORIGINS", "https://app.example.ca")]);
    let preflight = |origin: &str| {
        app.send(
            "OPTIONS",
            "/healthz",
            &[("Origin", origin), ("Access-Control-Request-Method", "GET")],
            None,
        )
    };
    let allowed = preflight("https://app.example.ca");
    assert_eq!(allowed.status, 200);
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some("https://app.example.ca")
    );
    assert_eq!(allowed.header("access-control-allow-credentials"), None);
    let refused = preflight("https://evil.example.com");
    assert_eq!(refused.header("access-control-allow-origin"), None);
    let problem = refused.problem(403, "origin-not-allowed");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("CORS_ALLOWED_ORIGINS"),
        "{problem}"
    );
}

#[test]
fn swagger_ui_is_served_and_its_bare_path_redirects() {
    let app = TestApp::spawn();
    let redirect = app.get("/swagger-ui");
    assert_eq!(redirect.status, 308);
    assert_eq!(redirect.header("location"), Some("/swagger-ui/"));
    let page = app.get("/swagger-ui/");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("swagger-ui"));
    let init = app.get("/swagger-ui/swagger-initializer.js");
    assert!(
        init.body.contains("/api-docs/openapi.json"),
        "{}",
        init.body
    );
}

#[test]
fn production_hides_swagger_ui_but_keeps_the_contract() {
    let app = TestApp::spawn_with(&[
        ("APP_ENV", "production"),
        ("JWT_SECRET", "0123456789abcdef0123456789abcdef-production"),
        (
            "FEEDBACK_KEY_SECRET",
            "fedcba9876543210fedcba9876543210-production",
        ),
    ]);
    app.get("/swagger-ui/").problem(404, "not-found");
    assert_eq!(app.get("/api-docs/openapi.json").status, 200);
}

fn run_binary(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_peer-support-api"));
    command
        .args(args)
        .env_remove("DATABASE_URL")
        .env("APP_ENV", "test");
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().expect("the binary runs")
}

#[test]
fn a_bad_database_url_stops_start_up_with_the_drivers_message() {
    let refused = run_binary(
        &["migrate"],
        &[("DATABASE_URL", "postgres://postgres@127.0.0.1:1/nowhere")],
    );
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("cannot connect to the database"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Connection refused") || stderr.contains("connection"),
        "{stderr}"
    );
    assert!(!stderr.contains("multiconnection"), "{stderr}");

    let bad_path = run_binary(
        &["migrate"],
        &[("DATABASE_URL", "sqlite:///proc/no-such-dir/x.db")],
    );
    assert!(!bad_path.status.success());
    assert!(String::from_utf8_lossy(&bad_path.stderr).contains("/proc/no-such-dir"));
}

#[test]
fn an_invalid_setting_stops_start_up_naming_it() {
    let out = run_binary(&["serve"], &[("BIND_ADDR", "localhost")]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid setting BIND_ADDR"));
    let out = run_binary(&["serve"], &[("APP_ENV", "production"), ("JWT_SECRET", "")]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid setting JWT_SECRET"));
}

#[test]
fn migrate_applies_the_migrations_once() {
    let db = test_database();
    let out = run_binary(&["migrate"], &[("DATABASE_URL", &db.url)]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "0 migrations applied"
    );
}

#[test]
fn the_openapi_command_prints_the_committed_contract() {
    let out = run_binary(&["openapi"], &[]);
    assert!(out.status.success());
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let committed: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))
            .unwrap(),
    )
    .unwrap();
    assert!(
        printed == committed,
        "run `cargo run -- openapi > openapi/openapi.json`"
    );
}
