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
