//! Partner referrals: idempotent creation, the coarse status a partner follows, and the person
//! linking the referral to their account with a code sent to the referral's address.

use std::sync::Barrier;

use diesel::prelude::*;
use peer_support_api::{
    db::{schema::notifications, ConnectionManager},
    notifications::{models::NotificationRow, sender::deliver_due, sender::LogSender},
};
use serde_json::{json, Value};

use crate::{
    helpers::{Response, Session, TestApp, PASSWORD},
    intake::{act, grant, make_ready, open_group, program, REQUIRED},
};

/// What a partner wrote for the program's coordinators: never shown back to the partner, never
/// in a notice to the person.
pub(crate) const NOTES: &str =
    "Disclosed an assault by a superior in 2019; prefers a woman coordinator.";

fn person(email: &str) -> Value {
    json!({
        "name": "Alex Martin",
        "email": email,
        "phone": "613-555-0142",
        "preferred_language": "en",
        "program": "either",
        "notes": NOTES,
        "consent_to_contact": true
    })
}

fn refer(app: &TestApp, token: &str, key: Option<&str>, body: &Value) -> Response {
    let auth = format!("Bearer {token}");
    let mut headers = vec![
        ("Content-Type", "application/json"),
        ("Authorization", auth.as_str()),
    ];
    if let Some(key) = key {
        headers.push(("Idempotency-Key", key));
    }
    app.send(
        "POST",
        "/api/v1/referrals",
        &headers,
        Some(body.to_string().as_bytes()),
    )
}

/// Refers `email` under a fresh key and returns the referral.
#[track_caller]
pub(crate) fn referred(app: &TestApp, token: &str, email: &str) -> Value {
    let key = uuid::Uuid::new_v4().to_string();
    let res = refer(app, token, Some(&key), &person(email));
    assert_eq!(res.status, 201, "{}", res.body);
    res.json()
}

fn referral(app: &TestApp, token: &str, id: &str) -> Value {
    let res = app.get_as(&format!("/api/v1/referrals/{id}"), token);
    assert_eq!(res.status, 200, "{}", res.body);
    res.json()
}

fn list(app: &TestApp, token: &str, query: &str) -> Response {
    app.get_as(&format!("/api/v1/referrals{query}"), token)
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

/// The partner-sourced applications a coordinator sees.
fn referred_applications(app: &TestApp, coordinator: &Session) -> Vec<Value> {
    let res = app.get_as("/api/v1/intake-applications?limit=100", &coordinator.access);
    assert_eq!(res.status, 200, "{}", res.body);
    res.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["source"] == "partner")
        .cloned()
        .collect()
}

/// The notices addressed to `email` (people with no account), oldest first.
pub(crate) fn notices_to(app: &TestApp, email: &str) -> Vec<NotificationRow> {
    let mut conn = ConnectionManager::new(&app.database_url)
        .establish()
        .expect("a direct connection to the test database");
    notifications::table
        .filter(notifications::recipient_email.eq(email))
        .order((notifications::created_at.asc(), notifications::id.asc()))
        .load(&mut conn)
        .unwrap()
}

/// The code in the next claim-code mail delivered to `email` (taken out of the mailbox).
#[track_caller]
pub(crate) fn claim_code(app: &TestApp, email: &str) -> String {
    app.mailbox
        .take(email, "one-time code")
        .body
        .split_whitespace()
        .find(|w| w.len() == 14 && w.matches('-').count() == 2)
        .expect("the mail gives the code")
        .to_string()
}

/// How many claim codes were made for anyone so far (the audit log, read by the admin).
fn codes_made(app: &TestApp, admin: &Session) -> usize {
    app.get_as(
        "/api/v1/audit-events?action=referral.claim_code_sent&limit=100",
        &admin.access,
    )
    .json()["items"]
        .as_array()
        .unwrap()
        .len()
}

pub(crate) fn claim(app: &TestApp, peer: &Session, code: &str) -> Response {
    app.json(
        "POST",
        "/api/v1/me/referrals/claim",
        Some(&peer.access),
        &json!({"code": code}),
    )
}

fn statuses(referral: &Value) -> Vec<String> {
    referral["status_history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["status"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_referral_needs_consent_and_a_way_to_reach_the_person_and_opens_an_application() {
    let app = TestApp::spawn();
    let p = program(&app);
    let (_, partner) = app.partner(&p.admin);

    let mut no_consent = person("alex@example.ca");
    no_consent["consent_to_contact"] = json!(false);
    let refused = refer(&app, &partner, Some("key-1"), &no_consent);
    let problem = refused.problem(422, "validation-failed");
    assert_eq!(problem["errors"][0]["field"], "consent_to_contact");
    let mut no_contact = person("alex@example.ca");
    no_contact.as_object_mut().unwrap().remove("email");
    no_contact.as_object_mut().unwrap().remove("phone");
    let problem =
        refer(&app, &partner, Some("key-2"), &no_contact).problem(422, "validation-failed");
    assert_eq!(problem["errors"][0]["field"], "email");
    let mut unknown = person("alex@example.ca");
    unknown["ssn"] = json!("123");
    refer(&app, &partner, Some("key-3"), &unknown).problem(400, "invalid-body");
    // Nothing was created, and the keys of refused requests stay free.
    assert!(referred_applications(&app, &p.coordinator).is_empty());
    assert!(list(&app, &partner, "").json()["items"]
        .as_array()
        .unwrap()
        .is_empty());
    assert!(notices_to(&app, "alex@example.ca").is_empty());

    let created = refer(&app, &partner, Some("key-1"), &person("Alex@Example.ca"));
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.header("Idempotent-Replayed"), None);
    let body = created.json();
    let id = body["id"].as_str().unwrap();
    assert_eq!(
        created.header("Location"),
        Some(format!("/api/v1/referrals/{id}").as_str())
    );
    assert_eq!(body["status"], "received");
    assert_eq!(statuses(&body), ["received"]);
    assert_eq!(body["received_at"], body["modified_at"]);
    assert_eq!(body["status_history"][0]["at"], body["received_at"]);
    assert!(body["close_reason"].is_null());
    assert_eq!(referral(&app, &partner, id), body);

    // An application with the partner as its source, not yet anyone's.
    let applications = referred_applications(&app, &p.coordinator);
    assert_eq!(applications.len(), 1);
    let application = &applications[0];
    assert_eq!(application["status"], "submitted");
    assert_eq!(application["contact_methods"], json!(["email", "phone"]));
    assert_eq!(application["group_kind"], "either");
    // Coordinators see who to call and the partner's notes.
    assert_eq!(application["referral"]["referral_id"], id);
    assert_eq!(application["referral"]["name"], "Alex Martin");
    assert_eq!(application["referral"]["email"], "alex@example.ca");
    assert_eq!(application["referral"]["phone"], "613-555-0142");
    assert_eq!(application["referral"]["notes"], NOTES);
    assert_eq!(application["referral"]["partner_name"], "24/7 Support Line");

    // The person is acknowledged at their address, without the partner's notes.
    let notices = notices_to(&app, "alex@example.ca");
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].kind.as_str(), "referred");
    assert_eq!(notices[0].recipient_id, None);
    assert!(notices[0].body.contains("create an account"));
    assert!(!notices[0].body.contains("superior") && !notices[0].body.contains("woman"));

    // A phone number alone is enough (the coordinator calls; no notice can be sent).
    let mut by_phone = person("unused@example.ca");
    by_phone.as_object_mut().unwrap().remove("email");
    assert_eq!(refer(&app, &partner, Some("key-4"), &by_phone).status, 201);
    assert_eq!(referred_applications(&app, &p.coordinator).len(), 2);
}

#[test]
fn only_partners_refer_and_follow_referrals_and_partners_cannot_read_applications() {
    let app = TestApp::spawn();
    let p = program(&app);
    let (_, partner) = app.partner(&p.admin);
    let peer = app.peer("river@example.ca");
    let body = person("alex@example.ca");
    for token in [&peer.access, &p.coordinator.access, &p.admin.access] {
        refer(&app, token, Some("key"), &body).problem(403, "forbidden");
        list(&app, token, "").problem(403, "forbidden");
    }
    let anonymous = app.send(
        "POST",
        "/api/v1/referrals",
        &[
            ("Content-Type", "application/json"),
            ("Idempotency-Key", "k"),
        ],
        Some(body.to_string().as_bytes()),
    );
    anonymous.problem(401, "unauthorized");
    app.json(
        "POST",
        "/api/v1/me/referrals/claim",
        Some(&partner),
        &json!({"code": "ABCD-EFGH-JKLM"}),
    )
    .problem(403, "forbidden");
    app.json(
        "POST",
        "/api/v1/me/referrals/claim-code",
        Some(&p.coordinator.access),
        &json!({}),
    )
    .problem(403, "forbidden");

    // A partner reads its referrals, never the applications behind them.
    referred(&app, &partner, "alex@example.ca");
    let application = &referred_applications(&app, &p.coordinator)[0];
    let application_id = application["id"].as_str().unwrap();
    app.get_as("/api/v1/intake-applications", &partner)
        .problem(403, "forbidden");
    app.get_as(
        &format!("/api/v1/intake-applications/{application_id}"),
        &partner,
    )
    .problem(403, "forbidden");
    app.get_as(
        &format!("/api/v1/intake-applications/{application_id}/events"),
        &partner,
    )
    .problem(403, "forbidden");
}

#[test]
fn the_idempotency_key_is_required_and_at_most_200_characters() {
    let app = TestApp::spawn();
    let p = program(&app);
    let (_, partner) = app.partner(&p.admin);
    let body = person("alex@example.ca");
    let missing = refer(&app, &partner, None, &body).problem(400, "invalid-header");
    assert!(missing["detail"]
        .as_str()
        .unwrap()
        .contains("Idempotency-Key"));
    refer(&app, &partner, Some(&"k".repeat(201)), &body).problem(400, "invalid-header");
    refer(&app, &partner, Some("   "), &body).problem(400, "invalid-header");
    assert!(referred_applications(&app, &p.coordinator).is_empty());
    assert_eq!(
        refer(&app, &partner, Some(&"k".repeat(200)), &body).status,
        201
    );
}

#[test]
fn a_retry_gets_the_first_answer_and_never_a_second_application() {
    let app = TestApp::spawn();
    let p = program(&app);
    let (_, partner) = app.partner(&p.admin);
    let body = person("alex@example.ca");
    let first = refer(&app, &partner, Some("retry-me"), &body);
    assert_eq!(first.status, 201, "{}", first.body);

    let retry = refer(&app, &partner, Some("retry-me"), &body);
    assert_eq!(retry.status, first.status);
    assert_eq!(retry.body, first.body, "byte for byte");
    assert_eq!(retry.header("Location"), first.header("Location"));
    assert_eq!(retry.header("Idempotent-Replayed"), Some("true"));
    // The same fields in another order and spacing are the same request.
    let reordered = format!(
        "{{ \"consent_to_contact\": true, \"notes\": {}, \"program\": \"either\",\n\"preferred_language\": \"en\", \"phone\": \"613-555-0142\", \"email\": \"alex@example.ca\", \"name\": \"Alex Martin\" }}",
        serde_json::to_string(NOTES).unwrap()
    );
    let auth = format!("Bearer {partner}");
    let again = app.send(
        "POST",
        "/api/v1/referrals",
        &[
            ("Content-Type", "application/json"),
            ("Authorization", &auth),
            ("Idempotency-Key", "retry-me"),
        ],
        Some(reordered.as_bytes()),
    );
    assert_eq!(again.status, 201);
    assert_eq!(again.body, first.body);
    assert_eq!(referred_applications(&app, &p.coordinator).len(), 1);
    assert_eq!(
        notices_to(&app, "alex@example.ca").len(),
        1,
        "one acknowledgement"
    );

    // The same key with another body is refused and changes nothing.
    let mut other = body.clone();
    other["program"] = json!("formal");
    let reused = refer(&app, &partner, Some("retry-me"), &other);
    let problem = reused.problem(422, "idempotency-key-reused");
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("Idempotency-Key"));
    assert_eq!(referred_applications(&app, &p.coordinator).len(), 1);

    // Keys are per partner: another partner's same key is its own referral.
    let (_, other_partner) = app.partner(&p.admin);
    let theirs = refer(&app, &other_partner, Some("retry-me"), &other);
    assert_eq!(theirs.status, 201, "{}", theirs.body);
    assert_ne!(theirs.json()["id"], first.json()["id"]);
    // A new key is a new referral.
    assert_eq!(refer(&app, &partner, Some("another"), &body).status, 201);
    assert_eq!(referred_applications(&app, &p.coordinator).len(), 3);
}

#[test]
fn an_expired_key_may_be_used_again_as_new() {
    let app = TestApp::spawn();
    let p = program(&app);
    let (_, partner) = app.partner(&p.admin);
    let first = refer(&app, &partner, Some("daily"), &person("alex@example.ca"));
    assert_eq!(first.status, 201);
    // A day passes for the key.
    {
        use peer_support_api::db::schema::referral_idempotency_keys as keys;
        let mut conn = ConnectionManager::new(&app.database_url)
            .establish()
            .unwrap();
        let day_ago = peer_support_api::db::now() - chrono::Duration::hours(24);
        diesel::update(keys::table)
            .set((keys::created_at.eq(day_ago), keys::expires_at.eq(day_ago)))
            .execute(&mut conn)
            .unwrap();
    }
    let mut other = person("sam@example.ca");
    other["program"] = json!("informal");
    let second = refer(&app, &partner, Some("daily"), &other);
    assert_eq!(second.status, 201, "{}", second.body);
    assert_eq!(second.header("Idempotent-Replayed"), None);
    assert_ne!(second.json()["id"], first.json()["id"]);
    assert_eq!(referred_applications(&app, &p.coordinator).len(), 2);
    // From now on the key answers for the new request.
    let retry = refer(&app, &partner, Some("daily"), &other);
    assert_eq!(retry.body, second.body);
}

#[test]
fn ten_concurrent_requests_with_one_key_create_one_application_and_give_ten_identical_answers() {
    // As many workers and connections as requests, so that they truly overlap.
    let app = TestApp::spawn_with(&[("WORKERS", "10"), ("DATABASE_POOL_SIZE", "10")]);
    let p = program(&app);
    let (_, partner) = app.partner(&p.admin);
    let body = person("alex@example.ca");
    let start = Barrier::new(10);
    let answers: Vec<(u16, String)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..10)
            .map(|_| {
                let (app, partner, body, start) = (&app, &partner, &body, &start);
                scope.spawn(move || {
                    start.wait();
                    let res = refer(app, partner, Some("at-once"), body);
                    (res.status, res.body)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (status, body) in &answers {
        assert_eq!(*status, 201, "{body}");
        assert_eq!(body, &answers[0].1);
    }
    assert_eq!(referred_applications(&app, &p.coordinator).len(), 1);
    assert_eq!(ids(&list(&app, &partner, "").json()).len(), 1);
    assert_eq!(notices_to(&app, "alex@example.ca").len(), 1);
}

#[test]
fn a_partner_sees_only_its_own_referrals() {
    let app = TestApp::spawn();
    let p = program(&app);
    let (_, partner_a) = app.partner(&p.admin);
    let (_, partner_b) = app.partner(&p.admin);
    let theirs = referred(&app, &partner_a, "alex@example.ca");
    let id = theirs["id"].as_str().unwrap();
    app.get_as(&format!("/api/v1/referrals/{id}"), &partner_b)
        .problem(404, "not-found");
    app.get_as("/api/v1/referrals/no-such-referral", &partner_a)
        .problem(404, "not-found");
    assert!(ids(&list(&app, &partner_b, "").json()).is_empty());
    let own = referred(&app, &partner_b, "sam@example.ca");
    assert_eq!(
        ids(&list(&app, &partner_b, "").json()),
        [own["id"].as_str().unwrap()]
    );
    assert_eq!(ids(&list(&app, &partner_a, "").json()), [id]);
}

#[test]
fn the_person_links_the_referral_with_the_code_sent_to_its_address_and_it_follows_to_placed() {
    let app = TestApp::spawn();
    let p = program(&app);
    let group = open_group(&app, &p, "en", "informal", 5);
    let (_, partner) = app.partner(&p.admin);
    let created = referred(&app, &partner, "alex@example.ca");
    let id = created["id"].as_str().unwrap().to_string();

    // Signing up with that address answers like any sign-up; once the address is verified, a
    // code goes to the address (not to the account).
    let plain = app.register("nobody-referred@example.ca");
    let signup = app.register("ALEX@example.ca");
    assert_eq!((signup.status, &signup.body), (plain.status, &plain.body));
    assert_eq!(
        codes_made(&app, &p.admin),
        0,
        "no claim code before the address is verified"
    );
    app.verify("alex@example.ca");
    let peer = app.session("alex@example.ca");
    let code = claim_code(&app, "alex@example.ca");
    assert_eq!(codes_made(&app, &p.admin), 1);
    // The code is stored only as its hash: not in the outbox, not anywhere in the database.
    assert!(notices_to(&app, "alex@example.ca")
        .iter()
        .all(|n| !n.body.contains(&code) && !n.subject.contains(&code)));
    let at_rest = app.database_text();
    assert!(
        at_rest.contains("alex@example.ca"),
        "the dump shows stored text"
    );
    assert!(
        !at_rest.contains(&code) && !at_rest.contains(&code.replace('-', "")),
        "the claim code is readable at rest"
    );
    let mine = app.get_as("/api/v1/me/notifications", &peer.access).json();
    assert!(mine["items"].as_array().unwrap().is_empty(), "{mine}");
    assert!(!mine.to_string().contains(&code));
    assert!(app
        .get_as("/api/v1/intake-applications", &peer.access)
        .json()["items"]
        .as_array()
        .unwrap()
        .is_empty());

    // A wrong code, or the code in another account, links nothing.
    claim(&app, &peer, "ABCD-EFGH-JKLM").problem(422, "validation-failed");
    let other = app.peer("sam@example.ca");
    let problem = claim(&app, &other, &code).problem(422, "validation-failed");
    assert_eq!(problem["errors"][0]["field"], "code");

    let claimed = claim(&app, &peer, &code.to_lowercase().replace('-', " "));
    assert_eq!(claimed.status, 200, "{}", claimed.body);
    let items = claimed.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["status"], "submitted");
    let application_id = items[0]["application_id"].as_str().unwrap().to_string();
    // Once only.
    claim(&app, &peer, &code).problem(422, "validation-failed");
    // The referral and the claim are audited, with ids only.
    for (action, actor_role) in [
        ("referral.created", "partner"),
        ("referral.claim_code_sent", ""),
        ("referral.claimed", "peer"),
        ("intake_application.claimed", "peer"),
    ] {
        let events = app
            .get_as(
                &format!("/api/v1/audit-events?action={action}"),
                &p.admin.access,
            )
            .json();
        let items = events["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{action}: {events}");
        assert_eq!(items[0]["actor_role"].as_str().unwrap_or(""), actor_role);
        assert!(!events.to_string().contains("alex@") && !events.to_string().contains("Alex"));
    }

    // Now it is the peer's own application: readable by them (without the partner's notes).
    let own = app.get_as(
        &format!("/api/v1/intake-applications/{application_id}"),
        &peer.access,
    );
    assert_eq!(own.status, 200, "{}", own.body);
    assert!(own.json().get("referral").is_none());
    assert!(!own.body.contains("superior"));
    let timeline = app
        .get_as(
            &format!("/api/v1/intake-applications/{application_id}/events"),
            &peer.access,
        )
        .json();
    let actions: Vec<&str> = timeline["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["refer", "claim"]);
    // Linking is not a change the partner sees.
    assert_eq!(referral(&app, &partner, &id), created);

    make_ready(&app, &p, &peer, &application_id);
    let in_intake = referral(&app, &partner, &id);
    assert_eq!(in_intake["status"], "in_intake");
    assert_eq!(statuses(&in_intake), ["received", "in_intake"]);
    // The steps inside the intake (form, meeting, readiness) are not changes the partner sees.
    assert_eq!(
        in_intake["modified_at"],
        in_intake["status_history"][1]["at"]
    );
    grant(&app, &peer, "en", &REQUIRED);
    let placed = act(
        &app,
        &p.coordinator.access,
        &application_id,
        "place",
        json!({"group_id": group}),
    );
    assert_eq!(placed.status, 200, "{}", placed.body);

    let res = app.get_as(&format!("/api/v1/referrals/{id}"), &partner);
    let seen = res.json();
    assert_eq!(seen["status"], "placed");
    assert_eq!(statuses(&seen), ["received", "in_intake", "placed"]);
    assert_eq!(seen["modified_at"], seen["status_history"][2]["at"]);
    assert!(seen["close_reason"].is_null());
    let listed = list(&app, &partner, "").body;
    for body in [&res.body, &listed] {
        for private in [
            NOTES,
            "superior",
            "Alex",
            "alex@example.ca",
            "613-555-0142",
            "To talk with people who understand.",
            "Prefers to step away",
            "informal en",
            "secret-room",
            group.as_str(),
            application_id.as_str(),
        ] {
            assert!(!body.contains(private), "{private:?} in {body}");
        }
    }
    // The peer got the notices of their journey in the app once the referral was theirs.
    let kinds: Vec<String> = app.get_as("/api/v1/me/notifications", &peer.access).json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        kinds,
        ["placed", "meeting_scheduled", "acknowledged", "form_sent"]
    );
}

#[test]
fn a_closed_referral_gives_the_coordinator_reason_and_a_withdrawal_a_generic_one() {
    let app = TestApp::spawn();
    let p = program(&app);
    let (_, partner) = app.partner(&p.admin);

    // Closed by the program before the person ever had an account: they hear at their address.
    let closed = referred(&app, &partner, "alex@example.ca");
    let application = referred_applications(&app, &p.coordinator)[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let reason = "We could not reach you after three tries; you are welcome to be referred again.";
    assert_eq!(
        act(
            &app,
            &p.coordinator.access,
            &application,
            "close",
            json!({"reason": reason})
        )
        .status,
        200
    );
    let seen = referral(&app, &partner, closed["id"].as_str().unwrap());
    assert_eq!(seen["status"], "closed");
    assert_eq!(seen["close_reason"], reason);
    assert_eq!(statuses(&seen), ["received", "closed"]);
    let kinds: Vec<String> = notices_to(&app, "alex@example.ca")
        .into_iter()
        .map(|n| n.kind.to_string())
        .collect();
    assert_eq!(kinds, ["referred", "closed"]);

    // Withdrawn by the person: the partner reads a generic reason, never the person's words.
    let withdrawn = referred(&app, &partner, "sam@example.ca");
    let peer = app.peer("sam@example.ca");
    let claimed = claim(&app, &peer, &claim_code(&app, "sam@example.ca"));
    let application = claimed.json()["items"][0]["application_id"]
        .as_str()
        .unwrap()
        .to_string();
    let res = act(
        &app,
        &peer.access,
        &application,
        "withdraw",
        json!({"reason": "My partner found the emails."}),
    );
    assert_eq!(res.status, 200, "{}", res.body);
    let res = app.get_as(
        &format!("/api/v1/referrals/{}", withdrawn["id"].as_str().unwrap()),
        &partner,
    );
    let seen = res.json();
    assert_eq!(seen["status"], "closed");
    assert_eq!(seen["close_reason"], "withdrawn by the person");
    assert!(!res.body.contains("emails"));
}

#[test]
fn modified_after_lists_only_referrals_whose_status_changed_since_and_pages_like_other_lists() {
    let app = TestApp::spawn();
    let p = program(&app);
    let (_, partner) = app.partner(&p.admin);
    let first = referred(&app, &partner, "alex@example.ca");
    let second = referred(&app, &partner, "sam@example.ca");
    let third = referred(&app, &partner, "kim@example.ca");
    let since = third["modified_at"].as_str().unwrap().to_string();
    let application = referred_applications(&app, &p.coordinator)
        .into_iter()
        .find(|a| a["referral"]["referral_id"] == first["id"])
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    act(
        &app,
        &p.coordinator.access,
        &application,
        "assign",
        json!({}),
    );

    let changed = list(&app, &partner, &format!("?modified_after={since}")).json();
    assert_eq!(ids(&changed), [first["id"].as_str().unwrap()]);
    assert_eq!(changed["items"][0]["status"], "in_intake");
    assert!(changed["items"][0]["modified_at"].as_str().unwrap() > since.as_str());
    let all = ids(&list(&app, &partner, "?modified_after=2000-01-01T00:00:00Z").json());
    assert_eq!(all.len(), 3);
    list(&app, &partner, "?modified_after=yesterday").problem(400, "invalid-parameter");

    // Pages, oldest first, with a cursor.
    let page = list(&app, &partner, "?limit=2").json();
    assert_eq!(
        ids(&page),
        [
            first["id"].as_str().unwrap(),
            second["id"].as_str().unwrap()
        ]
    );
    let cursor = page["next_cursor"].as_str().unwrap();
    let next = list(&app, &partner, &format!("?limit=2&cursor={cursor}")).json();
    assert_eq!(ids(&next), [third["id"].as_str().unwrap()]);
    assert!(next["next_cursor"].is_null());
    list(&app, &partner, "?limit=0").problem(422, "validation-failed");
    list(&app, &partner, "?status=placed").problem(400, "invalid-parameter");
}

#[test]
fn a_code_can_be_asked_for_again_and_only_the_newest_works() {
    let app = TestApp::spawn();
    let p = program(&app);
    let (_, partner) = app.partner(&p.admin);
    // The account exists before the referral.
    let peer = app.peer("alex@example.ca");
    let ask = || {
        app.json(
            "POST",
            "/api/v1/me/referrals/claim-code",
            Some(&peer.access),
            &json!({}),
        )
    };
    let nothing_waiting = ask();
    assert_eq!(nothing_waiting.status, 202);
    assert_eq!(codes_made(&app, &p.admin), 0);

    referred(&app, &partner, "alex@example.ca");
    let something_waiting = ask();
    assert_eq!(
        (something_waiting.status, &something_waiting.body),
        (nothing_waiting.status, &nothing_waiting.body),
        "the answer never says whether someone was referred"
    );
    let older = claim_code(&app, "alex@example.ca");
    assert_eq!(ask().status, 202);
    let newer = claim_code(&app, "alex@example.ca");
    assert_ne!(older, newer);
    // Three requests, then the account waits.
    ask().problem(429, "too-many-requests");
    claim(&app, &peer, &older).problem(422, "validation-failed");
    let claimed = claim(&app, &peer, &newer);
    assert_eq!(claimed.status, 200, "{}", claimed.body);
    assert_eq!(claimed.json()["items"].as_array().unwrap().len(), 1);
}

#[test]
fn nothing_about_the_referred_person_reaches_the_logs() {
    let app = TestApp::spawn();
    let p = program(&app);
    let (_, partner) = app.partner(&p.admin);
    let mut body = person("confidential.person@example.ca");
    body["name"] = json!("Quinn Confidential");
    body["phone"] = json!("613-555-0199");
    assert_eq!(refer(&app, &partner, Some("logs"), &body).status, 201);
    app.register("confidential.person@example.ca");
    app.verify("confidential.person@example.ca");
    let code = claim_code(&app, "confidential.person@example.ca");
    let peer = app.session("confidential.person@example.ca");
    assert_eq!(claim(&app, &peer, &code).status, 200);
    // The log sender delivers the notices addressed to the person.
    let mut conn = ConnectionManager::new(&app.database_url)
        .establish()
        .unwrap();
    assert!(deliver_due(&mut conn, &LogSender, peer_support_api::db::now(), 10).unwrap() >= 1);
    let logs = crate::helpers::captured_logs();
    assert!(logs.contains("/api/v1/referrals"), "the capture works");
    for private in [
        "Quinn",
        "confidential.person",
        "613-555-0199",
        "superior",
        code.as_str(),
        PASSWORD,
    ] {
        if let Some(line) = logs.lines().find(|l| l.contains(private)) {
            panic!(
                "{private:?} reached the logs: {}",
                &line[..line.len().min(300)]
            );
        }
    }
}
