//! What must not race, run against itself: a placement against the withdrawal of the consent
//! it relies on, and two admins demoting each other. On PostgreSQL (READ COMMITTED) both used to
//! commit; SQLite's write lock serializes them anyway, so the rounds there are few.

use std::sync::Barrier;

use serde_json::json;

use crate::{
    helpers::TestApp,
    intake::{act, apply, grant, make_ready, open_group, program, REQUIRED},
};

fn rounds(app: &TestApp, on_postgres: usize) -> usize {
    if app.database_url.starts_with("postgres") {
        on_postgres
    } else {
        5
    }
}

#[test]
fn a_placement_is_never_confirmed_on_a_consent_withdrawn_at_the_same_moment() {
    let app = TestApp::spawn_with(&[("AUTH_RATE_LIMITS", "false"), ("DATABASE_POOL_SIZE", "8")]);
    let p = program(&app);
    let rounds = rounds(&app, 200);
    let group = open_group(&app, &p, "en", "informal", 12);
    let (mut placed_first, mut withdrawn_first) = (0, 0);
    for round in 0..rounds {
        let peer = app.peer(&format!("race{round}@example.ca"));
        let id = apply(&app, &peer, "en");
        make_ready(&app, &p, &peer, &id);
        let records = grant(&app, &peer, "en", &REQUIRED);
        let participation = &records[1];
        let start = Barrier::new(2);
        let (placed, withdrawn) = std::thread::scope(|s| {
            let place = s.spawn(|| {
                start.wait();
                act(
                    &app,
                    &p.coordinator.access,
                    &id,
                    "place",
                    json!({"group_id": group}),
                )
            });
            let withdraw = s.spawn(|| {
                start.wait();
                app.json(
                    "POST",
                    &format!("/api/v1/consent-records/{participation}/withdraw"),
                    Some(&peer.access),
                    &json!({}),
                )
            });
            (place.join().unwrap(), withdraw.join().unwrap())
        });
        assert_eq!(withdrawn.status, 201, "{}", withdrawn.body);
        match placed.status {
            200 => placed_first += 1,
            409 => {
                placed.problem(409, "consents-missing");
                withdrawn_first += 1;
            }
            other => panic!("placement answered {other}: {}", placed.body),
        }
        let roster = app
            .get_as(
                &format!("/api/v1/groups/{group}/roster"),
                &p.coordinator.access,
            )
            .json();
        assert!(
            !roster["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| { m["participant_id"] == peer.id.as_str() && m["status"] == "active" }),
            "round {round}: an active seat without participation consent: {roster}"
        );
    }
    println!("{rounds} rounds: placement first {placed_first}, withdrawal first {withdrawn_first}");
}

#[test]
fn two_admins_demoting_each_other_at_once_leave_one() {
    let app = TestApp::spawn_with(&[("AUTH_RATE_LIMITS", "false")]);
    let first = app.admin();
    let first_email = email_of(&app, &first.id);
    let rounds = rounds(&app, 30);
    for round in 0..rounds {
        // Signed in afresh: a round that demoted the first admin ended their sessions.
        let first_again = app.session(&first_email);
        let second = app.staff(&first_again, "admin");
        let start = Barrier::new(2);
        let demote = |by: &crate::helpers::Session, whom: &str| {
            start.wait();
            app.json(
                "PATCH",
                &format!("/api/v1/users/{whom}"),
                Some(&by.access),
                &json!({"role": "coordinator"}),
            )
        };
        let (a, b) = std::thread::scope(|s| {
            let a = s.spawn(|| demote(&first_again, &second.id));
            let b = s.spawn(|| demote(&second, &first_again.id));
            (a.join().unwrap(), b.join().unwrap())
        });
        for res in [&a, &b] {
            assert!(
                [200, 401, 403, 409].contains(&res.status),
                "round {round}: {} {}",
                res.status,
                res.body
            );
        }
        println!(
            "round {round}: first demotes second {}, second demotes first {}",
            a.status, b.status
        );
        let admins = active_admins(&app);
        assert!(
            admins >= 1,
            "round {round}: no active admin left ({} and {})",
            a.status,
            b.status
        );
        // Back to one admin, the first, for the next round.
        if b.status == 200 {
            let promote = app.json(
                "PATCH",
                &format!("/api/v1/users/{}", first_again.id),
                Some(&second.access),
                &json!({"role": "admin"}),
            );
            assert_eq!(promote.status, 200, "{}", promote.body);
        }
        if a.status != 200 {
            let demote = app.json(
                "PATCH",
                &format!("/api/v1/users/{}", second.id),
                Some(&app.session(&first_email).access),
                &json!({"role": "coordinator"}),
            );
            assert_eq!(demote.status, 200, "{}", demote.body);
        }
        assert_eq!(active_admins(&app), 1);
    }
}

fn email_of(app: &TestApp, id: &str) -> String {
    use diesel::{QueryDsl, RunQueryDsl};
    use peer_support_api::db::schema::users;
    let mut conn = peer_support_api::db::ConnectionManager::new(&app.database_url)
        .establish()
        .unwrap();
    users::table
        .find(id)
        .select(users::email)
        .first(&mut conn)
        .unwrap()
}

fn active_admins(app: &TestApp) -> i64 {
    use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
    use peer_support_api::db::schema::users;
    let mut conn = peer_support_api::db::ConnectionManager::new(&app.database_url)
        .establish()
        .unwrap();
    users::table
        .filter(users::role.eq("admin"))
        .filter(users::disabled.eq(false))
        .count()
        .get_result(&mut conn)
        .unwrap()
}
