//! The consent ledger against a database administrator and against the service's own role:
//! TRUNCATE is refused even for the owner, and the role the service runs as (a member of
//! `peer_support_app`) can read and append to the ledger but not alter, truncate or drop it —
//! while the whole API works under it. PostgreSQL only (SQLite has no roles and no TRUNCATE).

use diesel::{connection::SimpleConnection, pg::PgConnection, Connection};
use serde_json::json;

use crate::{
    helpers::{test_database, with_database, TestApp},
    intake::{apply, grant, program, REQUIRED},
};

/// A login role in `peer_support_app` (created once per server), and a URL to `database` as it.
fn service_role_url(owner_url: &str) -> String {
    let mut owner = PgConnection::establish(owner_url).expect("owner connection");
    owner
        .batch_execute(
            "DO $$ BEGIN
                IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'peer_support_test_service') THEN
                    CREATE ROLE peer_support_test_service LOGIN IN ROLE peer_support_app;
                END IF;
            END $$;",
        )
        .expect("service role");
    let name = owner_url.rsplit('/').next().unwrap();
    with_database(
        &owner_url.replacen("postgres@", "peer_support_test_service@", 1),
        name,
    )
}

#[test]
fn the_ledger_cannot_be_truncated_and_the_service_role_cannot_touch_its_guard() {
    let app = TestApp::spawn();
    if !app.database_url.starts_with("postgres") {
        println!("PostgreSQL only: SQLite has no roles and no TRUNCATE");
        return;
    }
    program(&app);
    let peer = app.peer("ledger@example.ca");
    apply(&app, &peer, "en");
    grant(&app, &peer, "en", &REQUIRED);

    let mut owner = PgConnection::establish(&app.database_url).unwrap();
    let truncated = owner.batch_execute("TRUNCATE consent_records");
    assert!(
        truncated.unwrap_err().to_string().contains("append-only"),
        "TRUNCATE refused by the ledger's own trigger, even for the owner"
    );

    let service_url = service_role_url(&app.database_url);
    let mut service = PgConnection::establish(&service_url).expect("service role connects");
    service
        .batch_execute("SELECT count(*) FROM consent_records")
        .expect("the service reads the ledger");
    for attack in [
        "TRUNCATE consent_records",
        "ALTER TABLE consent_records DISABLE TRIGGER ALL",
        "DROP TRIGGER consent_records_append_only ON consent_records",
        "UPDATE consent_records SET decision = 'withdrawn'",
        "DELETE FROM consent_records",
        "DROP TABLE consent_records",
    ] {
        let refused = service.batch_execute(attack);
        assert!(refused.is_err(), "the service role could: {attack}");
    }
    drop(service);

    // The API itself runs as that role.
    let under_role = TestApp::spawn_on(test_database(), &[("DATABASE_URL", service_url.as_str())]);
    let another = under_role.peer("another@example.ca");
    let id = apply(&under_role, &another, "en");
    let records = grant(&under_role, &another, "en", &REQUIRED);
    let withdrawn = under_role.json(
        "POST",
        &format!("/api/v1/consent-records/{}/withdraw", records[1]),
        Some(&another.access),
        &json!({}),
    );
    assert_eq!(withdrawn.status, 201, "{}", withdrawn.body);
    let read = under_role.get_as(
        &format!("/api/v1/intake-applications/{id}"),
        &another.access,
    );
    assert_eq!(read.status, 200, "{}", read.body);
}
