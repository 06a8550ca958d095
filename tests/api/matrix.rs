//! The authorization matrix: every operation of the contract, called by every role and
//! anonymously, gets the outcome its row says. An operation without a row fails the test.

use serde_json::Value;

use crate::helpers::{Response, TestApp};

/// Callers, in the order of each row's outcomes.
const CALLERS: [&str; 7] = [
    "anonymous",
    "peer",
    "peer_supporter",
    "mental_health_professional",
    "coordinator",
    "admin",
    "partner",
];

/// `A` allowed (any answer but 401 and a 403 `forbidden`), `U` 401, `F` 403 `forbidden`,
/// `*` anything but a 5xx (credential checks answer 401 whoever calls).
const MATRIX: &[(&str, &str)] = &[
    ("getHealth", "AAAAAAA"),
    ("getReadiness", "AAAAAAA"),
    ("getMetrics", "AAAAAAA"),
    ("register", "AAAAAAA"),
    ("login", "*******"),
    ("verifyEmail", "AAAAAAA"),
    ("resendVerification", "AAAAAAA"),
    ("requestPasswordReset", "AAAAAAA"),
    ("confirmPasswordReset", "AAAAAAA"),
    ("refreshToken", "*******"),
    ("logout", "AAAAAAA"),
    ("issueClientToken", "*******"),
    ("getMe", "UAAAAAF"),
    ("updateMe", "UAAAAAF"),
    ("changeMyPassword", "UAAAAAF"),
    ("listMyNotifications", "UAAAAAF"),
    ("markMyNotificationRead", "UAAAAAF"),
    ("listMyPlacements", "UAAAAAF"),
    ("listMySessions", "UAAAAAF"),
    ("exportMyData", "UAAAAAF"),
    // The contract's example is not the test password: the peer is never erased here.
    ("eraseMe", "UAFFFFF"),
    ("createUser", "UFFFFAF"),
    ("listUsers", "UFFFFAF"),
    ("getUser", "UFFFFAF"),
    ("updateUser", "UFFFFAF"),
    ("createPartner", "UFFFFAF"),
    ("listPartners", "UFFFFAF"),
    ("revokePartner", "UFFFFAF"),
    ("listAuditEvents", "UFFFFAF"),
    ("listGroups", "AAAAAAA"),
    ("getGroup", "AAAAAAA"),
    ("createGroup", "UFFFAAF"),
    ("updateGroup", "UFFFAAF"),
    ("listGroupSessions", "AAAAAAA"),
    ("createGroupSessions", "UFAAAAF"),
    ("getSession", "AAAAAAA"),
    ("updateSession", "UFAAAAF"),
    ("getGroupRoster", "UFAAAAF"),
    ("recordAttendance", "UFAAAAF"),
    ("getGroupWaitlist", "UFFFAAF"),
    ("createIntakeApplication", "UAFFFFF"),
    ("listIntakeApplications", "UAFFAAF"),
    ("getIntakeApplication", "UAFFAAF"),
    ("getIntakeTimeline", "UAFFAAF"),
    ("assignIntakeApplication", "UFFFAAF"),
    ("submitIntakeForm", "UAFFFFF"),
    ("scheduleIntakeMeeting", "UFFFAAF"),
    ("recordIntakeMeeting", "UFFFAAF"),
    ("reassignIntakeApplication", "UFFFAAF"),
    ("placeApplicant", "UFFFAAF"),
    ("moveApplicantToGroup", "UFFFAAF"),
    ("waitlistApplicant", "UFFFAAF"),
    ("withdrawIntakeApplication", "UAFFFFF"),
    ("closeIntakeApplication", "UFFFAAF"),
    ("acceptPlacementOffer", "UAFFFFF"),
    ("declinePlacementOffer", "UAFFFFF"),
    ("listMyPlacementOffers", "UAFFFFF"),
    ("listGroupPlacementOffers", "UFFFAAF"),
    ("listConsentDocuments", "AAAAAAA"),
    ("getConsentDocument", "AAAAAAA"),
    ("createConsentDocument", "UFFFFAF"),
    ("createConsentRecord", "UAFFAAF"),
    ("listConsentRecords", "UAFFAAF"),
    ("withdrawConsentRecord", "UAFFAAF"),
    ("listFeedbackKeys", "AAAAAAA"),
    ("issueFeedbackToken", "UAFFFFF"),
    ("issueGroupFeedbackTokens", "UAFFFFF"),
    ("submitFeedback", "AAAAAAA"),
    ("getSessionFeedbackSummary", "UFAAAAF"),
    ("getGroupFeedbackSummary", "UFAAAAF"),
    ("getProgramFeedbackSummary", "UFFFAAF"),
    ("listDirectoryListings", "AAAAAAA"),
    ("getDirectoryListing", "AAAAAAA"),
    ("submitDirectoryListing", "AAAAAAA"),
    ("reviewDirectoryListing", "UFFFAAF"),
    ("updateDirectoryListing", "UFFFAAF"),
    ("archiveDirectoryListing", "UFFFAAF"),
    ("createReferral", "UFFFFFA"),
    ("listReferrals", "UFFFFFA"),
    ("getReferral", "UFFFFFA"),
    ("requestReferralClaimCode", "UAFFFFF"),
    ("claimReferrals", "UAFFFFF"),
    ("listSupportLines", "AAAAAAA"),
    ("getSupportLine", "AAAAAAA"),
    ("createSupportLine", "UFFFFAF"),
    ("updateSupportLine", "UFFFFAF"),
    ("deleteSupportLine", "UFFFFAF"),
];

struct Operation {
    id: String,
    method: String,
    path: String,
    query: String,
    body: Option<(String, Vec<u8>)>,
}

fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference.trim_start_matches("#/components/schemas/");
            &spec["components"]["schemas"][name]
        }
        None => schema,
    }
}

/// Every operation of the served contract, with its example body and sample parameters.
fn operations(spec: &Value) -> Vec<Operation> {
    let mut out = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let mut query = Vec::new();
            let mut headers_path = path.clone();
            for param in op["parameters"].as_array().into_iter().flatten() {
                let name = param["name"].as_str().unwrap();
                match param["in"].as_str() {
                    Some("path") => {
                        headers_path = headers_path.replace(
                            &format!("{{{name}}}"),
                            "0b6c3c1e-5d0a-4c55-9a43-3f1f3b7c2a10",
                        )
                    }
                    Some("query") if param["required"] == true => {
                        let format = param["schema"]["format"].as_str().unwrap_or("");
                        let value = if format == "date" { "2026-01-01" } else { "x" };
                        query.push(format!("{name}={value}"));
                    }
                    _ => {}
                }
            }
            let body = op["requestBody"]["content"]
                .as_object()
                .and_then(|content| {
                    let (content_type, media) = content.iter().next()?;
                    if content_type.contains("form-urlencoded") {
                        return Some((
                            content_type.clone(),
                            b"grant_type=client_credentials&client_id=pc_x&client_secret=y"
                                .to_vec(),
                        ));
                    }
                    let schema = resolve(spec, &media["schema"]);
                    let example = media
                        .get("example")
                        .or_else(|| schema.get("example"))
                        .cloned()
                        .unwrap_or(Value::Object(Default::default()));
                    Some((content_type.clone(), example.to_string().into_bytes()))
                });
            out.push(Operation {
                id: op["operationId"].as_str().unwrap().to_string(),
                method: method.to_uppercase(),
                path: headers_path,
                query: query.join("&"),
                body,
            });
        }
    }
    out
}

fn call(app: &TestApp, op: &Operation, token: Option<&str>) -> Response {
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut headers: Vec<(&str, &str)> = vec![("Idempotency-Key", "matrix-key")];
    if let Some(auth) = &auth {
        headers.push(("Authorization", auth));
    }
    if let Some((content_type, _)) = &op.body {
        headers.push(("Content-Type", content_type));
    }
    let path = if op.query.is_empty() {
        op.path.clone()
    } else {
        format!("{}?{}", op.path, op.query)
    };
    app.send(
        &op.method,
        &path,
        &headers,
        op.body.as_ref().map(|(_, b)| b.as_slice()),
    )
}

#[test]
fn every_operation_answers_every_role_as_its_row_says() {
    let app = TestApp::spawn_with(&[("AUTH_RATE_LIMITS", "false")]);
    let admin = app.admin();
    let (_, partner) = app.partner(&admin);
    let tokens: Vec<Option<String>> = vec![
        None,
        Some(app.peer("matrix-peer@example.ca").access),
        Some(app.staff(&admin, "peer_supporter").access),
        Some(app.staff(&admin, "mental_health_professional").access),
        Some(app.staff(&admin, "coordinator").access),
        Some(admin.access.clone()),
        Some(partner),
    ];
    let spec = app.get("/api-docs/openapi.json").json();
    let ops = operations(&spec);

    let documented: Vec<&str> = ops.iter().map(|o| o.id.as_str()).collect();
    let missing: Vec<&&str> = documented
        .iter()
        .filter(|id| !MATRIX.iter().any(|(m, _)| m == *id))
        .collect();
    assert!(
        missing.is_empty(),
        "operations without a row in the matrix: {missing:?}"
    );
    let stale: Vec<&str> = MATRIX
        .iter()
        .map(|(m, _)| *m)
        .filter(|m| !documented.contains(m))
        .collect();
    assert!(
        stale.is_empty(),
        "rows for operations the contract no longer has: {stale:?}"
    );

    let mut failures = Vec::new();
    for op in &ops {
        let row = MATRIX.iter().find(|(m, _)| *m == op.id).unwrap().1;
        for ((caller, token), expected) in CALLERS.iter().zip(&tokens).zip(row.chars()) {
            let res = call(&app, op, token.as_deref());
            let forbidden = res.status == 403
                && res.json().get("type").and_then(Value::as_str)
                    == Some("urn:peer-support:problem:forbidden");
            let ok = res.status < 500
                && match expected {
                    'U' => res.status == 401,
                    'F' => forbidden,
                    'A' => res.status != 401 && !forbidden,
                    _ => true,
                };
            if !ok {
                failures.push(format!(
                    "{} {} as {caller}: expected {expected}, got {} {}",
                    op.method,
                    op.path,
                    res.status,
                    res.body.chars().take(160).collect::<String>()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} cells differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
