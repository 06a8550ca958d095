//! A person's own data: the export holds the caller's records and no one else's; the erasure
//! needs the password, ends every session, closes the applications, leaves no personal field in
//! staff views, and keeps the consent ledger and the audit log with the id only.

use std::sync::Barrier;

use diesel::prelude::*;
use peer_support_api::db::{
    schema::{notifications, rate_limits},
    ConnectionManager,
};
use serde_json::{json, Value};

use crate::{
    helpers::{Response, Session, TestApp, PASSWORD},
    intake::{act, apply, grant, make_ready, open_group, program, Program, REQUIRED},
    referrals::{claim, claim_code, notices_to, referred, NOTES},
};

fn export(app: &TestApp, token: &str) -> Value {
    let res = app.get_as("/api/v1/me/export", token);
    assert_eq!(res.status, 200, "{}", res.body);
    res.json()
}

fn erase(app: &TestApp, token: &str, password: &str) -> Response {
    app.json(
        "DELETE",
        "/api/v1/me",
        Some(token),
        &json!({"current_password": password}),
    )
}

/// A peer applied, made ready, granted the required consents and placed in `group`.
fn placed_peer(app: &TestApp, p: &Program, email: &str, group: &str) -> (Session, String) {
    let peer = app.peer(email);
    let id = apply(app, &peer, "en");
    make_ready(app, p, &peer, &id);
    grant(app, &peer, "en", &REQUIRED);
    let placed = act(
        app,
        &p.coordinator.access,
        &id,
        "place",
        json!({"group_id": group}),
    );
    assert_eq!(placed.status, 200, "{}", placed.body);
    assert_eq!(placed.json()["status"], "placed");
    (peer, id)
}

fn ids(list: &Value, pointer: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|item| item.pointer(pointer).unwrap().as_str().unwrap().to_string())
        .collect()
}

fn connection(app: &TestApp) -> peer_support_api::db::AnyConnection {
    ConnectionManager::new(&app.database_url)
        .establish()
        .expect("a direct connection to the test database")
}

/// Limit windows whose key holds `email`.
fn windows_keyed_by(app: &TestApp, email: &str) -> i64 {
    rate_limits::table
        .filter(rate_limits::key.like(format!("%{email}%")))
        .count()
        .get_result(&mut connection(app))
        .unwrap()
}

#[test]
fn the_export_holds_the_callers_records_and_no_one_elses() {
    let app = TestApp::spawn();
    let p = program(&app);
    let group = open_group(&app, &p, "en", "informal", 5);
    let (alex, alex_app) = placed_peer(&app, &p, "alex.export@example.ca", &group);
    let (sam, sam_app) = placed_peer(&app, &p, "sam.export@example.ca", &group);

    let sessions = app
        .get_as(
            &format!("/api/v1/groups/{group}/sessions"),
            &p.coordinator.access,
        )
        .json();
    let session = sessions["items"][0]["id"].as_str().unwrap().to_string();
    let marked = app.json(
        "PUT",
        &format!("/api/v1/sessions/{session}/attendance"),
        Some(&p.coordinator.access),
        &json!({"records": [{"participant_id": alex.id, "present": true},
                            {"participant_id": sam.id, "present": false}]}),
    );
    assert_eq!(marked.status, 200, "{}", marked.body);

    let mine = export(&app, &alex.access);
    assert_eq!(mine["account"]["id"], alex.id.as_str());
    assert_eq!(
        ids(&mine["attendance"], "/session_id"),
        vec![session.clone()]
    );
    assert_eq!(mine["attendance"][0]["present"], true);
    assert_eq!(mine["account"]["email"], "alex.export@example.ca");
    assert_eq!(
        ids(&mine["applications"], "/application/id"),
        vec![alex_app.clone()]
    );
    let record = &mine["applications"][0];
    assert_eq!(
        record["application"]["form_answers"]["reasons_for_joining"],
        "To talk with people who understand."
    );
    // What staff wrote about the person is theirs to read; who on staff wrote it is not.
    assert_eq!(
        record["application"]["safety_notes"],
        "Prefers to step away rather than be called."
    );
    let timeline = record["timeline"].as_array().unwrap();
    assert_eq!(timeline.first().unwrap()["action"], "submit");
    assert_eq!(timeline.last().unwrap()["action"], "place");
    assert!(timeline.iter().all(|e| e.get("actor_id").is_none()));
    assert_eq!(mine["consents"].as_array().unwrap().len(), REQUIRED.len());
    assert!(mine["consents"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["person_id"] == alex.id.as_str()));
    assert_eq!(
        ids(&mine["placements"], "/application_id"),
        vec![alex_app.clone()]
    );
    assert!(!mine["notifications"].as_array().unwrap().is_empty());
    assert_eq!(
        mine["placement_offers"],
        json!([]),
        "placed directly, never offered"
    );
    assert_eq!(mine["referrals"], json!([]));
    let text = mine.to_string();
    for other in [sam.id.as_str(), sam_app.as_str(), "sam.export@example.ca"] {
        assert!(!text.contains(other), "Alex's export names {other}");
    }

    let theirs = export(&app, &sam.access);
    assert_eq!(
        ids(&theirs["applications"], "/application/id"),
        vec![sam_app]
    );
    let text = theirs.to_string();
    for other in [
        alex.id.as_str(),
        alex_app.as_str(),
        "alex.export@example.ca",
    ] {
        assert!(!text.contains(other), "Sam's export names {other}");
    }

    // Staff export their own account (and hold no applications of their own); partners and
    // strangers get nothing.
    let staff = export(&app, &p.coordinator.access);
    assert_eq!(staff["account"]["id"], p.coordinator.id.as_str());
    assert_eq!(staff["applications"], json!([]));
    let (_, partner) = app.partner(&p.admin);
    app.get_as("/api/v1/me/export", &partner)
        .problem(403, "forbidden");
    app.get("/api/v1/me/export").problem(401, "unauthorized");
    // The export is audited.
    let audit = app
        .get_as(
            &format!(
                "/api/v1/audit-events?action=user.data_exported&actor_id={}",
                alex.id
            ),
            &p.admin.access,
        )
        .json();
    assert_eq!(audit["items"].as_array().unwrap().len(), 1);
}

#[test]
fn erasure_needs_the_current_password_and_a_peers_token() {
    let app = TestApp::spawn();
    let p = program(&app);
    let peer = app.peer("careful@example.ca");
    // A stolen token without the password erases nothing, and the guesses are limited.
    erase(&app, &peer.access, "not my passphrase at all").problem(422, "validation-failed");
    app.json("DELETE", "/api/v1/me", Some(&peer.access), &json!({}))
        .problem(400, "invalid-body");
    app.json(
        "DELETE",
        "/api/v1/me",
        Some(&peer.access),
        &json!({"current_password": PASSWORD, "and": "more"}),
    )
    .problem(400, "invalid-body");
    assert_eq!(app.get_as("/api/v1/me", &peer.access).status, 200);
    // Staff accounts are disabled by an admin, never erased by themselves; partners have none.
    erase(&app, &p.coordinator.access, PASSWORD).problem(403, "forbidden");
    erase(&app, &p.admin.access, PASSWORD).problem(403, "forbidden");
    let (_, partner) = app.partner(&p.admin);
    erase(&app, &partner, PASSWORD).problem(403, "forbidden");
    app.json(
        "DELETE",
        "/api/v1/me",
        None,
        &json!({"current_password": PASSWORD}),
    )
    .problem(401, "unauthorized");
    for _ in 0..4 {
        erase(&app, &peer.access, "still not my passphrase").problem(422, "validation-failed");
    }
    let limited = erase(&app, &peer.access, PASSWORD);
    limited.problem(429, "too-many-requests");
    assert!(limited.header("retry-after").is_some());
    assert_eq!(app.get_as("/api/v1/me", &peer.access).status, 200);
}

#[test]
fn an_erased_account_keeps_only_its_id_and_the_ledger() {
    let app = TestApp::spawn();
    let p = program(&app);
    let group = open_group(&app, &p, "en", "informal", 1);
    let email = "leaving@example.ca";
    let (peer, application) = placed_peer(&app, &p, email, &group);
    let chose = app.json(
        "PATCH",
        "/api/v1/me",
        Some(&peer.access),
        &json!({"phone": "613-555-0177", "contact_methods": ["phone", "email", "in_app"],
                "time_zone": "America/Whitehorse", "discreet": true}),
    );
    assert_eq!(chose.status, 200, "{}", chose.body);
    // Their intake meeting was held in person, at an address that may be their own.
    diesel::update(peer_support_api::db::schema::intake_applications::table.find(&application))
        .set(
            peer_support_api::db::schema::intake_applications::meeting_location
                .eq(Some("12 Quiet Lane")),
        )
        .execute(&mut connection(&app))
        .unwrap();
    let exported = app.get_as("/api/v1/me/export", &peer.access).json();
    assert_eq!(exported["profile"]["phone"], "613-555-0177");
    assert_eq!(exported["profile"]["time_zone"], "America/Whitehorse");
    let other_session = app.session(email);
    let ledger_before = app
        .get_as(
            &format!("/api/v1/consent-records?person_id={}", peer.id),
            &p.coordinator.access,
        )
        .json();
    assert_eq!(
        app.get(&format!("/api/v1/groups/{group}")).json()["seats_available"],
        0
    );

    // A failed log-in leaves limit windows keyed by the address.
    app.login(email, "not the passphrase at all")
        .problem(401, "invalid-credentials");
    assert!(windows_keyed_by(&app, email) > 0);

    let erased = erase(&app, &peer.access, PASSWORD);
    assert_eq!(erased.status, 204, "{}", erased.body);

    // Gone at once: the contact choices (a zone says where someone lives), every notice of the
    // account, every limit window keyed by its address.
    let at_rest = app.database_text();
    for gone in ["613-555-0177", "Whitehorse", "12 Quiet Lane"] {
        if let Some(i) = at_rest.find(gone) {
            let around: String = at_rest[i.saturating_sub(300)..(i + 100).min(at_rest.len())]
                .chars()
                .filter(|c| !c.is_control())
                .collect();
            panic!("{gone} is still readable at rest: …{around}…");
        }
    }
    let mut conn = connection(&app);
    let notices: i64 = notifications::table
        .filter(notifications::recipient_id.eq(&peer.id))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(notices, 0);
    assert_eq!(windows_keyed_by(&app, email), 0);

    // Every session ended: this token, the other session's, both refresh tokens.
    app.get_as("/api/v1/me", &peer.access)
        .problem(401, "unauthorized");
    app.get_as("/api/v1/me", &other_session.access)
        .problem(401, "unauthorized");
    erase(&app, &peer.access, PASSWORD).problem(401, "unauthorized");
    for refresh in [&peer.refresh, &other_session.refresh] {
        app.post_json("/api/v1/auth/refresh", &json!({"refresh_token": refresh}))
            .problem(401, "unauthorized");
    }
    // The old email logs in like an unknown one, and may sign up again as a new person.
    let unknown = app.login("nobody-at-all@example.ca", PASSWORD);
    let old = app.login(email, PASSWORD);
    old.problem(401, "invalid-credentials");
    assert_eq!(old.json()["detail"], unknown.json()["detail"]);
    let again = app.peer(email);
    assert_ne!(again.id, peer.id);
    assert_eq!(export(&app, &again.access)["applications"], json!([]));

    // The coordinator's view: closed, seat freed, no personal field left.
    let seen = app.get_as(
        &format!("/api/v1/intake-applications/{application}"),
        &p.coordinator.access,
    );
    assert_eq!(seen.status, 200, "{}", seen.body);
    let seen = seen.json();
    assert_eq!(seen["status"], "closed");
    assert_eq!(seen["close_reason"], "account erased");
    assert_eq!(seen["availability"], Value::Null);
    assert_eq!(seen["identity_preference"], Value::Null);
    assert_eq!(seen["contact_methods"], json!([]));
    assert!(seen.get("form_answers").is_none());
    assert!(seen.get("safety_notes").is_none());
    let timeline = app
        .get_as(
            &format!("/api/v1/intake-applications/{application}/events"),
            &p.coordinator.access,
        )
        .json();
    assert_eq!(
        timeline["items"].as_array().unwrap().last().unwrap()["action"],
        "close"
    );
    assert!(timeline["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e.get("note").is_none()));
    let group_now = app.get(&format!("/api/v1/groups/{group}")).json();
    assert_eq!(group_now["seats_available"], 1);

    // The account: placeholders, disabled for good.
    let account = app
        .get_as(&format!("/api/v1/users/{}", peer.id), &p.admin.access)
        .json();
    assert_eq!(account["email"], format!("erased+{}@invalid", peer.id));
    assert_eq!(account["display_name"], "Erased account");
    assert_eq!(account["disabled"], true);
    assert!(account["erased_at"].as_str().is_some());
    app.json(
        "PATCH",
        &format!("/api/v1/users/{}", peer.id),
        Some(&p.admin.access),
        &json!({"disabled": false}),
    )
    .problem(409, "conflict");
    let listed = app
        .get_as("/api/v1/users?email=leaving", &p.admin.access)
        .json();
    assert_eq!(ids(&listed["items"], "/id"), vec![again.id.clone()]);

    // Kept: the consent ledger, whole; the audit log, with the id and never the email.
    let ledger_after = app
        .get_as(
            &format!("/api/v1/consent-records?person_id={}", peer.id),
            &p.coordinator.access,
        )
        .json();
    assert_eq!(ledger_after["items"], ledger_before["items"]);
    let audit = app
        .get_as(
            &format!(
                "/api/v1/audit-events?action=user.erased&resource_id={}",
                peer.id
            ),
            &p.admin.access,
        )
        .json();
    assert_eq!(audit["items"].as_array().unwrap().len(), 1);
    assert!(!audit.to_string().contains(email));
}

#[test]
fn two_erasures_at_once_erase_once() {
    let app = TestApp::spawn();
    let _p = program(&app);
    let peer = app.peer("twice@example.ca");
    let barrier = Barrier::new(2);
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..2)
            .map(|_| {
                s.spawn(|| {
                    barrier.wait();
                    erase(&app, &peer.access, PASSWORD).status
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut sorted = statuses.clone();
    sorted.sort();
    assert_eq!(sorted, vec![204, 401], "{statuses:?}");
}

#[test]
fn a_claimed_referral_is_exported_and_erased_with_the_person() {
    let app = TestApp::spawn();
    let p = program(&app);
    let (_, partner) = app.partner(&p.admin);
    let email = "referred.leaving@example.ca";
    let referral = referred(&app, &partner, email);
    let peer = app.peer(email);
    let code = claim_code(&app, email);
    let claimed = claim(&app, &peer, &code);
    assert_eq!(claimed.status, 200, "{}", claimed.body);
    let application = claimed.json()["items"][0]["application_id"]
        .as_str()
        .unwrap()
        .to_string();

    // The person reads what the partner told the program about them.
    let mine = export(&app, &peer.access);
    assert_eq!(
        ids(&mine["referrals"], "/referral_id"),
        vec![referral["id"].as_str().unwrap()]
    );
    assert_eq!(mine["referrals"][0]["name"], "Alex Martin");
    assert_eq!(mine["referrals"][0]["notes"], NOTES);
    assert_eq!(
        ids(&mine["applications"], "/application/id"),
        vec![application.clone()]
    );
    assert!(!notices_to(&app, email).is_empty());

    assert_eq!(erase(&app, &peer.access, PASSWORD).status, 204);

    // Coordinators no longer see who was referred; the partner still follows its referral.
    let seen = app
        .get_as(
            &format!("/api/v1/intake-applications/{application}"),
            &p.coordinator.access,
        )
        .json();
    assert_eq!(seen["status"], "closed");
    assert_eq!(seen["referral"]["name"], "Erased account");
    assert_eq!(
        seen["referral"]["email"],
        format!("erased+{}@invalid", peer.id)
    );
    assert_eq!(seen["referral"]["phone"], Value::Null);
    assert_eq!(seen["referral"]["notes"], Value::Null);
    let text = seen.to_string();
    for personal in [email, "Alex", "613-555-0142", NOTES] {
        assert!(!text.contains(personal), "{personal} in {text}");
    }
    let followed = app.get_as(
        &format!("/api/v1/referrals/{}", referral["id"].as_str().unwrap()),
        &partner,
    );
    assert_eq!(followed.status, 200, "{}", followed.body);
    assert_eq!(followed.json()["status"], "closed");
    // The partner learns the person ended it, not that they erased their account.
    assert_eq!(followed.json()["close_reason"], "withdrawn by the person");
    // The notices sent to the address before the account existed are gone too.
    assert!(notices_to(&app, email).is_empty());
}
