//! The HTTP edge against a stranger with a script: made-up methods, long request lines, who may
//! read `/metrics`, the content security policy, HSTS and CORS refusals.

use std::io::{Read, Write};

use crate::helpers::TestApp;

#[test]
fn three_hundred_made_up_methods_add_no_metrics_series_and_no_long_log_lines() {
    let app = TestApp::spawn();
    let addr = app.base_url.trim_start_matches("http://").to_string();
    for i in 0..300 {
        // Raw: HTTP clients refuse to send such a method; a script does not.
        let method = format!("M{i:03}{}", "X".repeat(1000));
        let mut stream = std::net::TcpStream::connect(&addr).unwrap();
        write!(
            stream,
            "{method} /api/v1/groups HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 405"), "{answer}");
        assert!(answer.contains("application/problem+json"), "{answer}");
    }
    let long_path = format!("/api/v1/{}", "p".repeat(5000));
    assert_eq!(app.get(&long_path).status, 404);
    let metrics = app.get("/metrics");
    assert_eq!(metrics.status, 200);
    assert!(
        metrics.body.len() < 100_000,
        "/metrics grew to {} bytes",
        metrics.body.len()
    );
    assert!(
        !metrics.body.contains("M000X"),
        "a made-up method became a label"
    );
    assert!(
        metrics.body.contains("method=\"OTHER\""),
        "{}",
        metrics.body
    );
    let logs = crate::helpers::captured_logs();
    assert!(
        !logs.contains("M000XXXX"),
        "a made-up method reached the log"
    );
    assert!(
        !logs.contains(&"p".repeat(300)),
        "a long path was logged whole"
    );
    assert!(
        logs.contains("OTHER /api/v1/groups 405"),
        "refusals are still logged"
    );
}

/// A port nothing listens on right now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn metrics_are_served_on_their_own_address_or_with_the_token_only() {
    let port = free_port();
    let metrics_addr = format!("127.0.0.1:{port}");
    let app = TestApp::spawn_with(&[("METRICS_ADDR", metrics_addr.as_str())]);
    app.get("/metrics").problem(404, "not-found");
    let private = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent();
    let on = |path: &str| {
        let mut res = private
            .get(&format!("http://{metrics_addr}{path}"))
            .call()
            .unwrap();
        (
            res.status().as_u16(),
            res.body_mut().read_to_string().unwrap(),
        )
    };
    let (status, body) = on("/metrics");
    assert_eq!(status, 200);
    assert!(body.contains("peer_support_db_pool_connections"));
    assert_eq!(on("/readyz").0, 200);
    assert_eq!(on("/api/v1/groups").0, 404, "the API is not served there");

    let token = "a-metrics-token-of-at-least-32-bytes-0123456789";
    let guarded = TestApp::spawn_with(&[("METRICS_TOKEN", token)]);
    guarded.get("/metrics").problem(401, "unauthorized");
    guarded
        .get_as("/metrics", "a-wrong-token-of-the-same-size-0123456789-abcd")
        .problem(401, "unauthorized");
    assert_eq!(guarded.get_as("/metrics", token).status, 200);
}

#[test]
fn responses_carry_a_content_security_policy_and_hsts_when_asked() {
    let app = TestApp::spawn_with(&[("HSTS_MAX_AGE_SECS", "31536000")]);
    let api = app.get("/api/v1/groups");
    assert_eq!(
        api.header("content-security-policy"),
        Some("default-src 'none'; frame-ancestors 'none'; base-uri 'none'")
    );
    assert_eq!(
        api.header("strict-transport-security"),
        Some("max-age=31536000; includeSubDomains")
    );
    let page = app.get("/swagger-ui/");
    let csp = page
        .header("content-security-policy")
        .unwrap_or_default()
        .to_string();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-eval"),
        "{csp}"
    );
    let plain = TestApp::spawn();
    assert_eq!(
        plain.get("/healthz").header("strict-transport-security"),
        None
    );
}
