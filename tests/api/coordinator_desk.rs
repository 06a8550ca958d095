//! The coordinator's desk: reaching the applicant (only the assigned coordinator and admins,
//! every read audited), one's own inbox (`assigned_to=me`), handing an application over.

use serde_json::{json, Value};

use crate::{
    helpers::{Session, TestApp},
    intake::{act, apply, program},
};

fn application(app: &TestApp, who: &Session, id: &str) -> crate::helpers::Response {
    app.get_as(&format!("/api/v1/intake-applications/{id}"), &who.access)
}

fn contact_reads(app: &TestApp, admin: &Session, id: &str) -> Vec<Value> {
    let events = app
        .get_as(
            "/api/v1/audit-events?action=intake_application.contact_read&limit=100",
            &admin.access,
        )
        .json();
    events["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["resource_id"] == id)
        .cloned()
        .collect()
}

fn notice_kinds(app: &TestApp, who: &Session) -> Vec<String> {
    app.get_as("/api/v1/me/notifications", &who.access).json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn only_the_assigned_coordinator_and_admins_see_who_applied_and_each_read_is_audited() {
    let app = TestApp::spawn();
    let p = program(&app);
    let other = app.staff(&p.admin, "coordinator");
    let peer = app.peer("reach.me@example.ca");
    let chose = app.json(
        "PATCH",
        "/api/v1/me",
        Some(&peer.access),
        &json!({"phone": "613-555-0142", "contact_methods": ["phone", "in_app"],
                "time_zone": "America/Halifax"}),
    );
    assert_eq!(chose.status, 200, "{}", chose.body);
    let id = apply(&app, &peer, "fr");

    // Not assigned yet: no coordinator sees the contact details.
    let unassigned = application(&app, &p.coordinator, &id).json();
    assert!(unassigned.get("applicant").is_none(), "{unassigned}");
    act(&app, &p.coordinator.access, &id, "assign", json!({}));

    let seen = application(&app, &p.coordinator, &id).json();
    assert_eq!(seen["applicant"]["email"], "reach.me@example.ca");
    assert_eq!(seen["applicant"]["account_id"], peer.id.as_str());
    assert_eq!(seen["applicant"]["preferred_language"], "en");
    assert_eq!(seen["applicant"]["phone"], "613-555-0142");
    assert_eq!(
        seen["applicant"]["contact_methods"],
        json!(["phone", "in_app"])
    );
    assert_eq!(seen["applicant"]["time_zone"], "America/Halifax");
    assert!(seen["applicant"]["display_name"].is_string());
    let by_admin = application(&app, &p.admin, &id).json();
    assert_eq!(by_admin["applicant"]["email"], "reach.me@example.ca");
    // Another coordinator, the peer themself: no contact block.
    assert!(application(&app, &other, &id)
        .json()
        .get("applicant")
        .is_none());
    assert!(application(&app, &peer, &id)
        .json()
        .get("applicant")
        .is_none());
    // Group facilitators have no business with applications.
    application(&app, &p.supporter, &id).problem(403, "forbidden");
    application(&app, &p.professional, &id).problem(403, "forbidden");

    // The list shows it too, and every showing is audited with who read it.
    let listed = app
        .get_as("/api/v1/intake-applications", &p.coordinator.access)
        .json();
    assert_eq!(
        listed["items"][0]["applicant"]["email"],
        "reach.me@example.ca"
    );
    let reads = contact_reads(&app, &p.admin, &id);
    // The assign move's answer, the read, the admin's read, the list.
    assert_eq!(reads.len(), 4, "{reads:?}");
    assert!(reads.iter().any(|r| r["actor_id"] == p.admin.id.as_str()));
    assert!(reads
        .iter()
        .filter(|r| r["actor_id"] != p.admin.id.as_str())
        .all(|r| r["actor_id"] == p.coordinator.id.as_str()));
    let logged = serde_json::to_string(&reads).unwrap();
    assert!(!logged.contains("reach.me") && !logged.contains("555-0142"));
}

#[test]
fn my_inbox_and_handing_an_application_over() {
    let app = TestApp::spawn();
    let p = program(&app);
    let sam = app.staff(&p.admin, "coordinator");
    let peer = app.peer("handed@example.ca");
    let mine = apply(&app, &peer, "en");
    let someone_else = apply(&app, &app.peer("other@example.ca"), "en");
    act(&app, &p.coordinator.access, &mine, "assign", json!({}));
    act(&app, &sam.access, &someone_else, "assign", json!({}));

    let inbox = |who: &Session| -> Vec<String> {
        let res = app.get_as("/api/v1/intake-applications?assigned_to=me", &who.access);
        assert_eq!(res.status, 200, "{}", res.body);
        res.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(inbox(&p.coordinator), [mine.as_str()]);
    assert_eq!(inbox(&sam), [someone_else.as_str()]);
    let by_id = app.get_as(
        &format!("/api/v1/intake-applications?assigned_to={}", sam.id),
        &p.admin.access,
    );
    assert_eq!(by_id.json()["items"].as_array().unwrap().len(), 1);

    // Refusals change nothing.
    let reassign =
        |who: &Session, id: &str, body: Value| act(&app, &who.access, id, "reassign", body);
    reassign(&peer, &mine, json!({"coordinator_id": sam.id})).problem(403, "forbidden");
    reassign(&p.supporter, &mine, json!({"coordinator_id": sam.id})).problem(403, "forbidden");
    for target in [
        peer.id.as_str(),
        p.supporter.id.as_str(),
        "no-such-account",
        p.coordinator.id.as_str(),
    ] {
        let problem = reassign(&p.coordinator, &mine, json!({"coordinator_id": target}))
            .problem(422, "validation-failed");
        assert_eq!(problem["errors"][0]["field"], "coordinator_id");
    }
    let unassigned = apply(&app, &app.peer("new@example.ca"), "en");
    reassign(
        &p.coordinator,
        &unassigned,
        json!({"coordinator_id": sam.id}),
    )
    .problem(409, "conflict");
    assert_eq!(inbox(&p.coordinator), [mine.as_str()]);

    let handed = reassign(
        &p.coordinator,
        &mine,
        json!({"coordinator_id": sam.id, "note": "Sam covers the region now."}),
    );
    assert_eq!(handed.status, 200, "{}", handed.body);
    assert_eq!(handed.json()["assigned_coordinator_id"], sam.id.as_str());
    assert_eq!(
        handed.json()["status"],
        "form_sent",
        "the status does not change"
    );
    assert!(inbox(&p.coordinator).is_empty());
    assert_eq!(inbox(&sam).len(), 2);
    // The new coordinator reaches the person; the previous one no longer does.
    assert_eq!(
        application(&app, &sam, &mine).json()["applicant"]["email"],
        "handed@example.ca"
    );
    assert!(application(&app, &p.coordinator, &mine)
        .json()
        .get("applicant")
        .is_none());
    // Both are told, and the timeline and audit log keep it.
    assert!(notice_kinds(&app, &sam).contains(&"application_assigned".to_string()));
    assert!(notice_kinds(&app, &p.coordinator).contains(&"application_reassigned".to_string()));
    let timeline = app
        .get_as(
            &format!("/api/v1/intake-applications/{mine}/events"),
            &peer.access,
        )
        .json();
    let last = timeline["items"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["action"], "reassign");
    assert!(
        last.get("note").is_none(),
        "the peer does not read staff notes"
    );
    let audit = app
        .get_as(
            "/api/v1/audit-events?action=intake_application.reassigned",
            &p.admin.access,
        )
        .json();
    assert_eq!(
        audit["items"][0]["details"]["from"],
        p.coordinator.id.as_str()
    );
    assert_eq!(audit["items"][0]["details"]["to"], sam.id.as_str());

    // A closed application stays with whoever had it.
    act(
        &app,
        &sam.access,
        &mine,
        "close",
        json!({"reason": "Moved away."}),
    );
    reassign(&sam, &mine, json!({"coordinator_id": p.coordinator.id})).problem(409, "conflict");
}

#[test]
fn one_open_application_per_person_and_the_refusal_links_to_it() {
    let app = TestApp::spawn();
    let peer = app.peer("once@example.ca");
    let first = apply(&app, &peer, "en");
    let body = json!({"preferred_language": "en", "group_kind": "either",
                      "contact_methods": ["email"]});
    let again = app.json(
        "POST",
        "/api/v1/intake-applications",
        Some(&peer.access),
        &body,
    );
    let link = format!("/api/v1/intake-applications/{first}");
    assert_eq!(again.header("Location"), Some(link.as_str()));
    assert_eq!(
        again.problem(409, "application-open")["open_application"],
        link.as_str()
    );
    // Withdrawn, it no longer counts.
    act(&app, &peer.access, &first, "withdraw", json!({}));
    let second = app.json(
        "POST",
        "/api/v1/intake-applications",
        Some(&peer.access),
        &body,
    );
    assert_eq!(second.status, 201, "{}", second.body);

    // A retrying client sending the same application ten times at once gets one.
    let other = app.peer("eager@example.ca");
    let answers: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..10)
            .map(|_| {
                s.spawn(|| {
                    app.json(
                        "POST",
                        "/api/v1/intake-applications",
                        Some(&other.access),
                        &body,
                    )
                    .status
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(
        answers.iter().filter(|s| **s == 201).count(),
        1,
        "{answers:?}"
    );
    assert_eq!(
        answers.iter().filter(|s| **s == 409).count(),
        9,
        "{answers:?}"
    );
    let mine = app
        .get_as("/api/v1/intake-applications", &other.access)
        .json();
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);
}
