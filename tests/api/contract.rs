//! The committed contract is the served contract, and every operation in it is complete.

use serde_json::Value;

use crate::helpers::TestApp;

fn committed() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");
    let text = std::fs::read_to_string(path).expect("openapi/openapi.json is committed");
    serde_json::from_str(&text).expect("openapi/openapi.json is JSON")
}

#[test]
fn committed_contract_equals_the_served_one() {
    let app = TestApp::spawn();
    let res = app.get("/api-docs/openapi.json");
    assert_eq!(res.status, 200);
    assert!(
        res.json() == committed(),
        "openapi/openapi.json is stale: run `cargo run -- openapi > openapi/openapi.json`"
    );
}

#[test]
fn every_operation_is_complete() {
    let spec = committed();
    assert_eq!(spec["openapi"], "3.1.0");
    assert!(spec["info"]["license"]["identifier"].is_string());
    assert_eq!(
        spec["components"]["securitySchemes"]["bearer_auth"]["scheme"],
        "bearer"
    );
    let mut operation_ids = std::collections::HashSet::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            let name = format!("{} {path}", method.to_uppercase());
            let id = op["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{name}: operationId"));
            assert!(
                operation_ids.insert(id.to_string()),
                "{name}: duplicate operationId {id}"
            );
            assert!(
                op["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{name}: summary"
            );
            assert!(
                op["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{name}: tag"
            );
            assert!(op["security"].is_array(), "{name}: explicit security");
            let responses = op["responses"].as_object().expect("responses");
            assert!(
                responses.keys().any(|s| s.starts_with('4')),
                "{name}: a 4XX response"
            );
            for (status, response) in responses {
                if status.starts_with('4') || status.starts_with('5') {
                    let reference = response["$ref"].as_str().unwrap_or("");
                    assert!(
                        reference.starts_with("#/components/responses/"),
                        "{name} {status}: a problem response"
                    );
                }
            }
        }
    }
    for (name, response) in spec["components"]["responses"]
        .as_object()
        .expect("responses")
    {
        if name == "OAuthErrorResponse" {
            // RFC 6749 errors of `/auth/token` keep OAuth's own shape.
            assert_eq!(
                response["content"]["application/json"]["schema"]["$ref"],
                "#/components/schemas/OAuthError"
            );
            continue;
        }
        assert_eq!(
            response["content"]["application/problem+json"]["schema"]["$ref"],
            "#/components/schemas/Problem",
            "{name}"
        );
    }
}
