//! Contact the way people chose (issue 13, item 5): contact methods, a time zone and discreet
//! email on the account (`/me`), the notices' read state, and the hourly limit on notice emails.
//! What a person receives is read from the in-process SMTP server, as delivered.

use peer_support_api::{
    config::{SmtpSettings, SmtpTls},
    db::{self, ConnectionManager},
    mail::SmtpSender,
    notifications::sender::{deliver_due, MAX_EMAILS_PER_HOUR},
};
use serde_json::{json, Value};

use crate::{
    helpers::{Session, TestApp},
    intake::{act, apply},
};

/// An app whose background sender is idle (one pass an hour): each test runs the sender's
/// passes itself, through SMTP to the app's mailbox, so it knows when the outbox is done.
fn app() -> TestApp {
    TestApp::spawn_with(&[("NOTIFICATION_POLL_SECS", "3600")])
}

/// Runs the outbox sender as the background loop does, until nothing is due.
fn send_outbox(app: &TestApp) -> usize {
    let smtp = SmtpSender::new(&SmtpSettings {
        host: "127.0.0.1".into(),
        port: app.mailbox.port,
        tls: SmtpTls::None,
        username: None,
        password: None,
        from: "Peer Support Program <no-reply@example.ca>".into(),
    })
    .expect("an SMTP sender to the test mailbox");
    let mut conn = ConnectionManager::new(&app.database_url)
        .establish()
        .expect("a direct connection to the test database");
    deliver_due(&mut conn, &smtp, db::now(), 100)
        .unwrap_or_else(|e| panic!("a sender pass: {e}\n{}", crate::helpers::captured_logs()))
}

fn patch_me(app: &TestApp, peer: &Session, body: Value) -> crate::helpers::Response {
    app.json("PATCH", "/api/v1/me", Some(&peer.access), &body)
}

fn notices(app: &TestApp, peer: &Session, query: &str) -> Vec<Value> {
    let res = app.get_as(&format!("/api/v1/me/notifications{query}"), &peer.access);
    assert_eq!(res.status, 200, "{}", res.body);
    res.json()["items"].as_array().unwrap().clone()
}

/// Applies and withdraws: the cheapest way for a peer to make the program owe them a notice.
fn apply_and_withdraw(app: &TestApp, peer: &Session) {
    let id = apply(app, peer, "en");
    let res = act(app, &peer.access, &id, "withdraw", json!({}));
    assert_eq!(res.status, 200, "{}", res.body);
}

#[test]
fn an_account_shows_and_changes_how_it_is_contacted() {
    let app = app();
    let peer = app.peer("lake@example.ca");
    let me = app.get_as("/api/v1/me", &peer.access).json();
    assert_eq!(me["contact_methods"], json!(["email", "in_app"]));
    assert_eq!(me["time_zone"], "America/Toronto");
    assert_eq!(me["discreet"], false);
    assert!(me["phone"].is_null());

    // Phone contact needs a number: refused, and nothing changed.
    let problem = patch_me(
        &app,
        &peer,
        json!({"contact_methods": ["phone", "in_app"], "discreet": true}),
    )
    .problem(422, "validation-failed");
    assert_eq!(
        problem["errors"][0]["field"], "contact_methods",
        "{problem}"
    );
    assert_eq!(problem["errors"][0]["code"], "phone_required");
    assert_eq!(
        app.get_as("/api/v1/me", &peer.access).json()["discreet"],
        false
    );
    for bad in [
        json!({"contact_methods": ["email"]}),
        json!({"contact_methods": []}),
        json!({"contact_methods": ["in_app", "in_app"]}),
        json!({"time_zone": "Mars/Olympus_Mons"}),
        json!({"time_zone": ""}),
        json!({"phone": "call me"}),
        json!({"phone": "12"}),
    ] {
        let res = patch_me(&app, &peer, bad.clone());
        assert_eq!(res.status, 422, "{bad}: {}", res.body);
    }
    for malformed in [
        json!({"contact_methods": ["carrier_pigeon", "in_app"]}),
        json!({"discreet": "yes"}),
        json!({"pager": "555"}),
    ] {
        let res = patch_me(&app, &peer, malformed.clone());
        assert_eq!(res.status, 400, "{malformed}: {}", res.body);
    }

    let res = patch_me(
        &app,
        &peer,
        json!({"contact_methods": ["in_app", "text_message"], "phone": "+1 (902) 555-0142",
               "time_zone": "America/Halifax", "discreet": true}),
    );
    assert_eq!(res.status, 200, "{}", res.body);
    let me = res.json();
    assert_eq!(me["contact_methods"], json!(["in_app", "text_message"]));
    assert_eq!(me["phone"], "+1 (902) 555-0142");
    assert_eq!(me["time_zone"], "America/Halifax");
    assert_eq!(me["discreet"], true);
    // The number cannot go while a contact method needs it; it can once none does.
    patch_me(&app, &peer, json!({"phone": null})).problem(422, "validation-failed");
    let res = patch_me(
        &app,
        &peer,
        json!({"contact_methods": ["in_app"], "phone": null}),
    );
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(res.json()["phone"].is_null());
    // Other fields are left as they were; the change is the caller's own.
    assert_eq!(
        app.get_as("/api/v1/me", &peer.access).json()["time_zone"],
        "America/Halifax"
    );
    let other = app.peer("shore@example.ca");
    let theirs = app.get_as("/api/v1/me", &other.access).json();
    assert_eq!(theirs["discreet"], false);
    assert_eq!(theirs["contact_methods"], json!(["email", "in_app"]));
}

/// Words that would tell a reader of the mailbox what the message is about.
const TELLING: [&str; 8] = [
    "peer support",
    "soutien par les pairs",
    "withdr",
    "retir",
    "application",
    "demande",
    "1-844-750-1648",
    "program",
];

#[test]
fn a_discreet_email_names_neither_the_program_nor_the_notice_while_the_account_has_it_all() {
    let app = app();
    let peer = app.peer("fern@example.ca");
    let open = app.peer("moss@example.ca");
    let res = patch_me(&app, &peer, json!({"discreet": true}));
    assert_eq!(res.status, 200, "{}", res.body);
    apply_and_withdraw(&app, &peer);
    apply_and_withdraw(&app, &open);
    assert_eq!(send_outbox(&app), 2);

    let mails = app.mailbox.delivered_to("fern@example.ca");
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(
        mail.body.replace("\r\n", "\n").trim_end(),
        "Hello,\n\nYou have a new message. Sign in to read it."
    );
    // Neither in the body nor anywhere in the message as delivered: subject, sender, headers.
    let raw = mail.raw.to_lowercase();
    for word in TELLING {
        assert!(!raw.contains(word), "{word:?} in {}", mail.raw);
    }
    assert!(
        raw.contains("subject: you have a new message"),
        "{}",
        mail.raw
    );

    // The account keeps the full text, and says it was mailed.
    let items = notices(&app, &peer, "");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["subject"], "You have withdrawn your application");
    assert!(items[0]["body"]
        .as_str()
        .unwrap()
        .contains("We have received your decision to withdraw your application."));
    assert_eq!(items[0]["status"], "sent");

    // A person who did not ask for discretion gets the notice itself.
    let mails = app.mailbox.delivered_to("moss@example.ca");
    assert_eq!(mails.len(), 1);
    assert!(mails[0]
        .body
        .contains("We have received your decision to withdraw your application."));
    assert!(mails[0].raw.contains("Peer Support Program"));
}

#[test]
fn a_discreet_email_is_neutral_in_french_too() {
    let app = app();
    let peer = app.peer("riviere@example.ca");
    let res = patch_me(
        &app,
        &peer,
        json!({"discreet": true, "preferred_language": "fr"}),
    );
    assert_eq!(res.status, 200, "{}", res.body);
    let id = apply(&app, &peer, "fr");
    assert_eq!(
        act(&app, &peer.access, &id, "withdraw", json!({})).status,
        200
    );
    assert_eq!(send_outbox(&app), 1);
    let mails = app.mailbox.delivered_to("riviere@example.ca");
    assert_eq!(mails.len(), 1);
    assert_eq!(
        mails[0].body.replace("\r\n", "\n").trim_end(),
        "Bonjour,\n\nVous avez un nouveau message. Connectez-vous pour le lire."
    );
    let raw = mails[0].raw.to_lowercase();
    for word in TELLING {
        assert!(!raw.contains(word), "{word:?} in {}", mails[0].raw);
    }
    let items = notices(&app, &peer, "");
    assert_eq!(items[0]["subject"], "Vous avez retiré votre demande");
}

#[test]
fn no_email_means_in_the_app_only_and_the_notice_is_not_retried() {
    let app = app();
    let peer = app.peer("quiet@example.ca");
    let res = patch_me(&app, &peer, json!({"contact_methods": ["in_app"]}));
    assert_eq!(res.status, 200, "{}", res.body);
    apply_and_withdraw(&app, &peer);
    assert_eq!(send_outbox(&app), 1);
    assert!(app.mailbox.delivered_to("quiet@example.ca").is_empty());
    let items = notices(&app, &peer, "");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["status"], "not_mailed");
    assert!(items[0]["sent_at"].is_null());
    assert_eq!(items[0]["subject"], "You have withdrawn your application");

    // Choosing email again mails the next notices, never the closed one.
    let res = patch_me(&app, &peer, json!({"contact_methods": ["email", "in_app"]}));
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(send_outbox(&app), 0);
    apply_and_withdraw(&app, &peer);
    assert_eq!(send_outbox(&app), 1);
    assert_eq!(app.mailbox.delivered_to("quiet@example.ca").len(), 1);
    let statuses: Vec<Value> = notices(&app, &peer, "")
        .iter()
        .map(|n| n["status"].clone())
        .collect();
    assert_eq!(statuses, [json!("sent"), json!("not_mailed")]);
}

#[test]
fn looping_apply_and_withdraw_mails_at_most_a_few_an_hour() {
    let app = app();
    let peer = app.peer("loop@example.ca");
    let loops = MAX_EMAILS_PER_HOUR as usize + 3;
    for _ in 0..loops {
        apply_and_withdraw(&app, &peer);
    }
    assert_eq!(send_outbox(&app), loops);
    // A second sender pass (another instance) mails nothing more.
    assert_eq!(send_outbox(&app), 0);
    assert_eq!(
        app.mailbox.delivered_to("loop@example.ca").len(),
        MAX_EMAILS_PER_HOUR as usize
    );
    let items = notices(&app, &peer, "");
    assert_eq!(items.len(), loops, "every notice is in the account");
    let sent = items.iter().filter(|n| n["status"] == "sent").count();
    let held = items
        .iter()
        .filter(|n| n["status"] == "mail_limit_reached")
        .count();
    assert_eq!((sent, held), (MAX_EMAILS_PER_HOUR as usize, 3));

    // Another person's inbox is not affected by this one's loop.
    let other = app.peer("calm@example.ca");
    apply_and_withdraw(&app, &other);
    assert_eq!(send_outbox(&app), 1);
    assert_eq!(app.mailbox.delivered_to("calm@example.ca").len(), 1);
}

#[test]
fn notices_write_times_in_the_persons_time_zone() {
    let app = app();
    let admin = app.admin();
    let coordinator = app.staff(&admin, "coordinator");
    let peer = app.peer("west@example.ca");
    let res = patch_me(&app, &peer, json!({"time_zone": "America/Vancouver"}));
    assert_eq!(res.status, 200, "{}", res.body);
    let id = apply(&app, &peer, "en");
    for (token, action, body) in [
        (&coordinator.access, "assign", json!({})),
        (
            &peer.access,
            "form",
            json!({"reasons_for_joining": "To talk with people who understand."}),
        ),
        (
            &coordinator.access,
            "schedule-meeting",
            json!({"meeting_at": "2030-01-02T15:00:00Z", "mode": "phone"}),
        ),
    ] {
        let res = act(&app, token, &id, action, body);
        assert_eq!(res.status, 200, "{action}: {}", res.body);
    }
    let items = notices(&app, &peer, "");
    let meeting = items
        .iter()
        .find(|n| n["kind"] == "meeting_scheduled")
        .expect("a meeting notice");
    let body = meeting["body"].as_str().unwrap();
    assert!(
        body.contains("booked for Wednesday, January 2, 2030 at 7:00 a.m. PST (Vancouver time)"),
        "{body}"
    );
    // What is mailed is what the account shows.
    send_outbox(&app);
    let mail = app
        .mailbox
        .take("west@example.ca", "Your conversation with a coordinator");
    assert!(mail.body.contains("7:00 a.m. PST (Vancouver time)"));
}

#[test]
fn a_person_marks_their_own_notices_read_and_lists_the_unread_ones() {
    let app = app();
    let peer = app.peer("dune@example.ca");
    let other = app.peer("cliff@example.ca");
    apply_and_withdraw(&app, &peer);
    apply_and_withdraw(&app, &peer);
    apply_and_withdraw(&app, &other);
    let items = notices(&app, &peer, "");
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|n| n["read_at"].is_null()));
    let first = items[1]["id"].as_str().unwrap().to_string();
    let theirs = notices(&app, &other, "")[0]["id"]
        .as_str()
        .unwrap()
        .to_string();

    let read = |token: &str, id: &str| {
        app.json(
            "POST",
            &format!("/api/v1/me/notifications/{id}/read"),
            Some(token),
            &json!({}),
        )
    };
    let res = read(&peer.access, &first);
    assert_eq!(res.status, 200, "{}", res.body);
    let read_at = res.json()["read_at"].clone();
    assert!(read_at.as_str().unwrap().ends_with('Z'));
    // Again: the same answer, the first time kept.
    let again = read(&peer.access, &first);
    assert_eq!(again.status, 200);
    assert_eq!(again.json()["read_at"], read_at);

    // Someone else's notice, or one that does not exist, is not found; nothing changes.
    read(&peer.access, &theirs).problem(404, "not-found");
    read(&peer.access, "no-such-notice").problem(404, "not-found");
    assert!(notices(&app, &other, "")[0]["read_at"].is_null());
    let anonymous = app.send(
        "POST",
        &format!("/api/v1/me/notifications/{first}/read"),
        &[],
        None,
    );
    assert_eq!(anonymous.status, 401);

    let unread = notices(&app, &peer, "?unread=true");
    assert_eq!(unread.len(), 1);
    assert_ne!(unread[0]["id"], first.as_str());
    let read_ones = notices(&app, &peer, "?unread=false");
    assert_eq!(read_ones.len(), 1);
    assert_eq!(read_ones[0]["id"], first.as_str());
    assert_eq!(notices(&app, &peer, "?unread=true&limit=1").len(), 1);
    let res = app.get_as("/api/v1/me/notifications?unread=maybe", &peer.access);
    assert_eq!(res.status, 400, "{}", res.body);
}
