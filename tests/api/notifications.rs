//! Notifications: the outbox written through the library (as intake will write it, inside its
//! own transactions), read over HTTP at `/me/notifications`, and delivered by the sender's
//! passes driven one at a time with fake senders.

use std::sync::{Barrier, Mutex};

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use peer_support_api::{
    db::{self, schema::notifications, Conn, ConnectionManager},
    error::ApiError,
    language::Language,
    notifications::{
        models::{Notice, NotificationRow},
        repository,
        sender::{deliver_due, Deliver, MAX_ATTEMPTS, MAX_EMAILS_PER_HOUR},
        service::{enqueue, enqueue_to_email},
    },
};
use serde_json::Value;

use crate::helpers::TestApp;

fn connect(app: &TestApp) -> Conn {
    ConnectionManager::new(&app.database_url)
        .establish()
        .expect("a direct connection to the test database")
}

fn mine(app: &TestApp, token: &str, query: &str) -> Value {
    let res = app.get_as(&format!("/api/v1/me/notifications{query}"), token);
    assert_eq!(res.status, 200, "{}", res.body);
    res.json()
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_string())
        .collect()
}

fn row(conn: &mut Conn, id: &str) -> NotificationRow {
    repository::find(conn, id)
        .unwrap()
        .expect("the notice exists")
}

/// Every notice of the outbox, oldest first.
fn outbox(conn: &mut Conn) -> Vec<NotificationRow> {
    notifications::table
        .order((notifications::created_at.asc(), notifications::id.asc()))
        .load(conn)
        .unwrap()
}

/// Records every delivery and succeeds.
#[derive(Default)]
struct Recorder {
    calls: Mutex<Vec<(String, String, String)>>,
}

impl Deliver for Recorder {
    fn deliver(&self, to_email: &str, subject: &str, body: &str) -> Result<(), String> {
        std::thread::yield_now();
        self.calls
            .lock()
            .unwrap()
            .push((to_email.into(), subject.into(), body.into()));
        Ok(())
    }
}

impl Recorder {
    fn calls(&self) -> Vec<(String, String, String)> {
        self.calls.lock().unwrap().clone()
    }
}

/// Fails every delivery, counting them.
#[derive(Default)]
struct Unreachable {
    calls: Mutex<usize>,
}

impl Deliver for Unreachable {
    fn deliver(&self, _: &str, _: &str, _: &str) -> Result<(), String> {
        *self.calls.lock().unwrap() += 1;
        Err("the mail server could not be reached".into())
    }
}

#[test]
fn a_peer_reads_their_own_notices_newest_first_and_in_the_notice_language() {
    let app = TestApp::spawn();
    let peer = app.peer("river@example.ca");
    let other = app.peer("sky@example.ca");
    let mut conn = connect(&app);

    assert_eq!(mine(&app, &peer.access, "")["items"], serde_json::json!([]));
    enqueue(&mut conn, &peer.id, Language::En, &Notice::Acknowledged).unwrap();
    enqueue(&mut conn, &peer.id, Language::Fr, &Notice::NotReady).unwrap();
    // A notice is written with the change that causes it, or not at all.
    let rolled_back = conn.transaction(|conn| {
        enqueue(conn, &peer.id, Language::En, &Notice::Withdrawn)?;
        Err::<(), _>(ApiError::Conflict("the change itself failed".into()))
    });
    assert!(rolled_back.is_err());
    // Make the order certain: the French notice is the newer one.
    let rows = outbox(&mut conn);
    let (older, newer) = if rows[0].kind.as_str() == "acknowledged" {
        (&rows[0], &rows[1])
    } else {
        (&rows[1], &rows[0])
    };
    diesel::update(notifications::table.find(&newer.id))
        .set(notifications::created_at.eq(older.created_at + Duration::seconds(1)))
        .execute(&mut conn)
        .unwrap();

    let page = mine(&app, &peer.access, "");
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{page}");
    assert!(page["next_cursor"].is_null());
    let not_ready = &items[0];
    assert_eq!(not_ready["kind"], "not_ready");
    assert_eq!(not_ready["language"], "fr");
    assert_eq!(not_ready["subject"], "Le point sur votre demande");
    let body = not_ready["body"].as_str().unwrap();
    assert!(body.starts_with("Bonjour,"), "{body}");
    // A "not yet" notice lists the support lines, in its language.
    assert!(body.contains("- 9-8-8 : Ligne d'aide en cas de crise de suicide — 988"));
    assert!(body.contains("- Service d'aide d'ACC — 1-800-268-7708"));
    assert!(body.contains("1-844-750-1648"));
    assert_eq!(not_ready["status"], "pending");
    assert!(not_ready["sent_at"].is_null());
    assert!(not_ready["created_at"].as_str().unwrap().ends_with('Z'));
    let acknowledged = &items[1];
    assert_eq!(acknowledged["kind"], "acknowledged");
    assert_eq!(acknowledged["language"], "en");
    assert_eq!(acknowledged["subject"], "We received your intake form");
    assert!(acknowledged["body"]
        .as_str()
        .unwrap()
        .ends_with("the 24/7 support line is 1-844-750-1648."));
    assert_eq!(
        acknowledged.as_object().unwrap().len(),
        9,
        "exactly the documented fields: {acknowledged}"
    );

    // Nobody else sees them.
    assert_eq!(
        mine(&app, &other.access, "")["items"],
        serde_json::json!([])
    );
    let admin = app.admin();
    assert_eq!(
        mine(&app, &admin.access, "")["items"],
        serde_json::json!([])
    );
    let coordinator = app.staff(&admin, "coordinator");
    assert_eq!(
        mine(&app, &coordinator.access, "")["items"],
        serde_json::json!([])
    );
    let (_, partner_token) = app.partner(&admin);
    app.get_as("/api/v1/me/notifications", &partner_token)
        .problem(403, "forbidden");
    app.get("/api/v1/me/notifications")
        .problem(401, "unauthorized");
    app.get_as("/api/v1/me/notifications", "not-a-token")
        .problem(401, "unauthorized");
}

#[test]
fn pages_run_newest_first_and_stay_stable_while_notices_arrive() {
    let app = TestApp::spawn();
    let peer = app.peer("river@example.ca");
    let mut conn = connect(&app);
    for i in 0..5 {
        let notice = Notice::Closed {
            reason: format!("note {i}"),
        };
        enqueue(&mut conn, &peer.id, Language::En, &notice).unwrap();
    }
    // Three notices share one instant, so pages must break ties by id.
    let base = db::now() - Duration::hours(1);
    let rows = outbox(&mut conn);
    for (row, offset) in rows.iter().zip([0, 1, 1, 1, 2]) {
        diesel::update(notifications::table.find(&row.id))
            .set(notifications::created_at.eq(base + Duration::seconds(offset)))
            .execute(&mut conn)
            .unwrap();
    }
    let mut expected: Vec<(NaiveDateTime, String)> = outbox(&mut conn)
        .into_iter()
        .map(|r| (r.created_at, r.id))
        .collect();
    expected.sort();
    expected.reverse();
    let expected: Vec<String> = expected.into_iter().map(|(_, id)| id).collect();
    assert_eq!(ids(&mine(&app, &peer.access, "")), expected);

    let first = mine(&app, &peer.access, "?limit=2");
    let mut seen = ids(&first);
    // A notice arriving mid-way is newer than every page: it never shows up in later pages.
    enqueue(&mut conn, &peer.id, Language::En, &Notice::Withdrawn).unwrap();
    let mut cursor = first["next_cursor"].as_str().unwrap().to_string();
    loop {
        let page = mine(&app, &peer.access, &format!("?limit=2&cursor={cursor}"));
        seen.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = next.to_string(),
            None => break,
        }
    }
    assert_eq!(seen, expected);
    assert_eq!(
        mine(&app, &peer.access, "?limit=100")["items"][0]["kind"],
        "withdrawn"
    );

    app.get_as("/api/v1/me/notifications?limit=0", &peer.access)
        .problem(422, "validation-failed");
    app.get_as("/api/v1/me/notifications?limit=101", &peer.access)
        .problem(422, "validation-failed");
    app.get_as("/api/v1/me/notifications?cursor=nonsense", &peer.access)
        .problem(422, "validation-failed");
    app.get_as("/api/v1/me/notifications?status=sent", &peer.access)
        .problem(400, "invalid-parameter");
}

#[test]
fn the_sender_delivers_each_due_notice_once_and_marks_it_sent() {
    let app = TestApp::spawn();
    let river = app.peer("river@example.ca");
    let sky = app.peer("sky@example.ca");
    let mut conn = connect(&app);
    enqueue(&mut conn, &river.id, Language::En, &Notice::FormSent).unwrap();
    enqueue(&mut conn, &river.id, Language::Fr, &Notice::Waitlisted).unwrap();
    enqueue(&mut conn, &sky.id, Language::En, &Notice::Withdrawn).unwrap();

    // Not due before they were written.
    let recorder = Recorder::default();
    let before = db::now() - Duration::minutes(1);
    assert_eq!(deliver_due(&mut conn, &recorder, before, 10).unwrap(), 0);
    assert!(recorder.calls().is_empty());

    let now = db::now();
    assert_eq!(deliver_due(&mut conn, &recorder, now, 10).unwrap(), 3);
    let mut calls = recorder.calls();
    calls.sort();
    assert_eq!(calls.len(), 3);
    assert_eq!(calls[0].0, "river@example.ca");
    assert_eq!(calls[1].0, "river@example.ca");
    assert_eq!(calls[2].0, "sky@example.ca");
    let subjects: Vec<&str> = calls.iter().map(|c| c.1.as_str()).collect();
    assert!(subjects.contains(&"Your intake form is ready"));
    assert!(subjects.contains(&"Le point sur votre demande : la liste d'attente"));
    assert_eq!(calls[2].1, "You have withdrawn your application");
    // Each once: a second pass has nothing to do.
    assert_eq!(deliver_due(&mut conn, &recorder, db::now(), 10).unwrap(), 0);
    assert_eq!(recorder.calls().len(), 3);

    for item in mine(&app, &river.access, "")["items"].as_array().unwrap() {
        assert_eq!(item["status"], "sent", "{item}");
        assert!(item["sent_at"].as_str().unwrap().ends_with('Z'));
    }
    for row in outbox(&mut conn) {
        assert_eq!(row.status.as_str(), "sent");
        assert_eq!(row.attempts, 0);
        assert_eq!(row.sent_at, Some(now));
        assert_eq!(row.locked_until, None);
    }

    // A pass takes no more than its limit.
    for _ in 0..3 {
        enqueue(&mut conn, &sky.id, Language::En, &Notice::Acknowledged).unwrap();
    }
    assert_eq!(deliver_due(&mut conn, &recorder, db::now(), 2).unwrap(), 2);
    assert_eq!(deliver_due(&mut conn, &recorder, db::now(), 2).unwrap(), 1);
    assert_eq!(deliver_due(&mut conn, &recorder, db::now(), 2).unwrap(), 0);
    assert_eq!(recorder.calls().len(), 6);
}

#[test]
fn a_notice_to_an_address_goes_to_that_address_and_never_to_an_account_with_it() {
    let app = TestApp::spawn();
    // An account holds the address, but has not proved it controls it.
    let holder = app.peer("river@example.ca");
    let mut conn = connect(&app);
    enqueue_to_email(
        &mut conn,
        "river@example.ca",
        Language::Fr,
        &Notice::Acknowledged,
    )
    .unwrap();
    let written = outbox(&mut conn);
    assert_eq!(written.len(), 1);
    assert_eq!(written[0].recipient_id, None);
    assert_eq!(
        written[0].recipient_email.as_deref(),
        Some("river@example.ca")
    );
    assert_eq!(
        written[0].subject,
        "Nous avons reçu votre formulaire d'accueil"
    );
    assert_eq!(
        mine(&app, &holder.access, "")["items"],
        serde_json::json!([])
    );

    let recorder = Recorder::default();
    assert_eq!(deliver_due(&mut conn, &recorder, db::now(), 10).unwrap(), 1);
    let calls = recorder.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].0, "river@example.ca");
    assert!(calls[0].2.starts_with("Bonjour,"));
    assert_eq!(row(&mut conn, &written[0].id).status.as_str(), "sent");
    assert_eq!(
        mine(&app, &holder.access, "")["items"],
        serde_json::json!([])
    );
}

#[test]
fn a_failed_delivery_is_retried_with_backoff_and_given_up_after_eight_attempts() {
    let app = TestApp::spawn();
    let peer = app.peer("river@example.ca");
    let mut conn = connect(&app);
    enqueue(&mut conn, &peer.id, Language::En, &Notice::Acknowledged).unwrap();
    let id = outbox(&mut conn)[0].id.clone();
    let unreachable = Unreachable::default();

    let mut now = db::now();
    let mut expected_wait = 30;
    for attempt in 1..MAX_ATTEMPTS {
        assert_eq!(deliver_due(&mut conn, &unreachable, now, 10).unwrap(), 1);
        let failed = row(&mut conn, &id);
        assert_eq!(failed.status.as_str(), "pending");
        assert_eq!(failed.attempts, attempt);
        assert_eq!(
            failed.last_error.as_deref(),
            Some("the mail server could not be reached")
        );
        assert_eq!(
            failed.next_attempt_at,
            now + Duration::seconds(expected_wait)
        );
        assert_eq!(failed.locked_until, None);
        // Not before its time.
        let early = failed.next_attempt_at - Duration::seconds(1);
        assert_eq!(deliver_due(&mut conn, &unreachable, early, 10).unwrap(), 0);
        now = failed.next_attempt_at;
        expected_wait *= 2;
    }
    assert_eq!(*unreachable.calls.lock().unwrap(), 7);
    let item = &mine(&app, &peer.access, "")["items"][0];
    assert_eq!(item["status"], "pending");

    assert_eq!(deliver_due(&mut conn, &unreachable, now, 10).unwrap(), 1);
    let given_up = row(&mut conn, &id);
    assert_eq!(given_up.status.as_str(), "failed");
    assert_eq!(given_up.attempts, MAX_ATTEMPTS);
    let much_later = now + Duration::days(2);
    assert_eq!(
        deliver_due(&mut conn, &unreachable, much_later, 10).unwrap(),
        0
    );
    assert_eq!(*unreachable.calls.lock().unwrap(), 8);
    let item = &mine(&app, &peer.access, "")["items"][0];
    assert_eq!(item["status"], "failed");
    assert!(item["sent_at"].is_null());
}

#[test]
fn a_retry_can_succeed_and_a_notice_held_by_another_sender_waits_for_its_claim_to_lapse() {
    let app = TestApp::spawn();
    let peer = app.peer("river@example.ca");
    let mut conn = connect(&app);
    enqueue(&mut conn, &peer.id, Language::En, &Notice::FormSent).unwrap();
    let id = outbox(&mut conn)[0].id.clone();

    let now = db::now();
    assert_eq!(
        deliver_due(&mut conn, &Unreachable::default(), now, 10).unwrap(),
        1
    );
    let retry_at = now + Duration::seconds(30);
    // Another instance takes it first and holds it for a minute.
    assert_eq!(
        repository::claim(&mut conn, &id, retry_at, retry_at + Duration::seconds(60)).unwrap(),
        1
    );
    let recorder = Recorder::default();
    let during = retry_at + Duration::seconds(59);
    assert_eq!(deliver_due(&mut conn, &recorder, during, 10).unwrap(), 0);
    assert!(recorder.calls().is_empty());
    // That instance died without finishing: once the claim lapses, the notice goes out.
    let after = retry_at + Duration::seconds(61);
    assert_eq!(deliver_due(&mut conn, &recorder, after, 10).unwrap(), 1);
    let sent = row(&mut conn, &id);
    assert_eq!(sent.status.as_str(), "sent");
    assert_eq!(sent.sent_at, Some(after));
    assert_eq!(sent.last_error, None);
    assert_eq!(sent.attempts, 1);
    assert_eq!(recorder.calls().len(), 1);
}

#[test]
fn two_senders_at_once_never_deliver_a_notice_twice() {
    let app = TestApp::spawn();
    let river = app.peer("river@example.ca");
    let sky = app.peer("sky@example.ca");
    let mut conn = connect(&app);
    const NOTICES: usize = 40;
    for i in 0..NOTICES {
        let recipient = if i % 2 == 0 { &river.id } else { &sky.id };
        let notice = Notice::Closed {
            reason: format!("note {i}"),
        };
        enqueue(&mut conn, recipient, Language::En, &notice).unwrap();
    }

    let recorder = Recorder::default();
    let start = Barrier::new(2);
    let now = db::now();
    let tried: Vec<usize> = std::thread::scope(|scope| {
        let senders: Vec<_> = (0..2)
            .map(|_| {
                scope.spawn(|| {
                    let mut conn = connect(&app);
                    start.wait();
                    let mut tried = 0;
                    // One notice per pass, as the background loop runs them.
                    loop {
                        match deliver_due(&mut conn, &recorder, now, 1).unwrap() {
                            0 => break tried,
                            n => tried += n,
                        }
                    }
                })
            })
            .collect();
        senders.into_iter().map(|s| s.join().unwrap()).collect()
    });

    assert_eq!(tried.iter().sum::<usize>(), NOTICES, "{tried:?}");
    let calls = recorder.calls();
    let mut bodies: Vec<String> = calls.iter().map(|c| c.2.clone()).collect();
    bodies.sort();
    bodies.dedup();
    assert_eq!(bodies.len(), calls.len(), "a notice was delivered twice");
    // Each account is mailed at most the hourly limit, even by two senders at once; the rest
    // are kept in the account only, and every notice was decided once.
    let rows = outbox(&mut conn);
    let sent = rows.iter().filter(|r| r.status.as_str() == "sent").count();
    assert_eq!(sent, calls.len());
    assert!(rows
        .iter()
        .all(|r| ["sent", "mail_limit_reached"].contains(&r.status.as_str())));
    for address in ["river@example.ca", "sky@example.ca"] {
        let mailed = calls.iter().filter(|c| c.0 == address).count();
        assert!(
            (1..=MAX_EMAILS_PER_HOUR as usize).contains(&mailed),
            "{address}: {mailed}"
        );
    }
}
