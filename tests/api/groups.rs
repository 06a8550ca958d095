//! Program groups, their sessions, rosters and attendance.

use serde_json::{json, Value};

use crate::helpers::{Session, TestApp};

fn informal(name: &str) -> Value {
    json!({
        "name": name, "kind": "informal", "language": "en",
        "audience": ["caf_member", "veteran"], "identity_focus": "Women",
        "time_zone": "America/Toronto", "capacity": 12,
        "meeting_link": "https://teams.example.ca/l/meetup-join/abc"
    })
}

fn create(app: &TestApp, token: &str, body: &Value) -> Value {
    let res = app.json("POST", "/api/v1/groups", Some(token), body);
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(res.header("etag"), Some("\"1\""));
    res.json()
}

struct Staff {
    admin: Session,
    coordinator: Session,
    supporter: Session,
    professional: Session,
}

fn staff(app: &TestApp) -> Staff {
    let admin = app.admin();
    Staff {
        coordinator: app.staff(&admin, "coordinator"),
        supporter: app.staff(&admin, "peer_supporter"),
        professional: app.staff(&admin, "mental_health_professional"),
        admin,
    }
}

#[test]
fn coordinators_create_groups_and_others_cannot() {
    let app = TestApp::spawn();
    let s = staff(&app);
    let group = create(&app, &s.coordinator.access, &informal("Wednesday evenings"));
    assert_eq!(group["status"], "planned");
    assert_eq!(group["identity_focus"], "women");
    assert_eq!(group["seats_available"], 12);
    assert_eq!(group["audience"], json!(["caf_member", "veteran"]));
    create(&app, &s.admin.access, &informal("Admin's group"));

    let peer = app.peer("peer@example.ca");
    for token in [&peer.access, &s.supporter.access] {
        app.json("POST", "/api/v1/groups", Some(token), &informal("x"))
            .problem(403, "forbidden");
    }
    app.post_json("/api/v1/groups", &informal("x"))
        .problem(401, "unauthorized");

    let mut bad = informal("x");
    bad["time_zone"] = json!("Mars/Olympus");
    bad["capacity"] = json!(0);
    bad["audience"] = json!([]);
    let problem = app
        .json("POST", "/api/v1/groups", Some(&s.coordinator.access), &bad)
        .problem(422, "validation-failed");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["audience", "capacity", "time_zone"]);
    let listed = app.get("/api/v1/groups").json();
    assert_eq!(
        listed["items"].as_array().unwrap().len(),
        2,
        "refused creations created nothing"
    );
}

#[test]
fn a_formal_group_cannot_open_without_both_facilitators() {
    let app = TestApp::spawn();
    let s = staff(&app);
    let mut body = informal("Formal cohort");
    body["kind"] = json!("formal");
    body["facilitator_ids"] = json!([s.supporter.id]);
    let group = create(&app, &s.coordinator.access, &body);
    let path = format!("/api/v1/groups/{}", group["id"].as_str().unwrap());
    let topics: Vec<String> = (1..=10).map(|i| format!("Topic {i}")).collect();
    let ten = app.json(
        "POST",
        &format!("{path}/sessions"),
        Some(&s.coordinator.access),
        &json!({"starts_at": "2030-01-09T00:00:00Z", "count": 10, "topics": topics}),
    );
    assert_eq!(ten.status, 201, "{}", ten.body);
    let refused = app.json(
        "PATCH",
        &path,
        Some(&s.coordinator.access),
        &json!({"status": "open"}),
    );
    let problem = refused.problem(409, "group-rule-broken");
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("mental_health_professional"));
    assert_eq!(app.get(&path).json()["status"], "planned");

    let opened = app.json(
        "PATCH",
        &path,
        Some(&s.coordinator.access),
        &json!({"status": "open", "facilitator_ids": [s.supporter.id, s.professional.id]}),
    );
    assert_eq!(opened.status, 200, "{}", opened.body);
    assert_eq!(opened.json()["status"], "open");
    assert_eq!(opened.json()["facilitators"].as_array().unwrap().len(), 2);

    // A peer cannot be a facilitator.
    let peer = app.peer("p@example.ca");
    let wrong = app.json(
        "PATCH",
        &path,
        Some(&s.coordinator.access),
        &json!({"facilitator_ids": [peer.id]}),
    );
    assert_eq!(
        wrong.problem(422, "validation-failed")["errors"][0]["field"],
        "facilitator_ids[0]"
    );
}

#[test]
fn lifecycle_moves_are_checked_and_cancelling_cancels_sessions() {
    let app = TestApp::spawn();
    let s = staff(&app);
    let mut body = informal("Lifecycle");
    body["facilitator_ids"] = json!([s.supporter.id]);
    let group = create(&app, &s.coordinator.access, &body);
    let id = group["id"].as_str().unwrap();
    let path = format!("/api/v1/groups/{id}");
    let patch = |status: &str| {
        app.json(
            "PATCH",
            &path,
            Some(&s.coordinator.access),
            &json!({"status": status}),
        )
    };

    let refused = patch("completed").problem(409, "invalid-transition");
    assert_eq!(refused["allowed"], json!(["open", "cancelled"]));
    patch("full").problem(409, "invalid-transition");
    assert_eq!(patch("open").json()["status"], "open");
    app.json(
        "POST",
        &format!("{path}/sessions"),
        Some(&s.coordinator.access),
        &json!({"starts_at": "2030-01-09T00:00:00Z", "count": 2}),
    );
    assert_eq!(patch("cancelled").json()["status"], "cancelled");
    let sessions = app.get(&format!("{path}/sessions")).json();
    for session in sessions["items"].as_array().unwrap() {
        assert_eq!(session["status"], "cancelled");
        assert_eq!(session["cancel_reason"], "group cancelled");
    }
    assert_eq!(
        patch("open").problem(409, "invalid-transition")["allowed"],
        json!([])
    );
}

#[test]
fn informal_groups_hold_eight_sessions_and_formal_ones_ten_with_topics() {
    let app = TestApp::spawn();
    let s = staff(&app);
    let group = create(&app, &s.coordinator.access, &informal("Drop-in"));
    let sessions_path = format!("/api/v1/groups/{}/sessions", group["id"].as_str().unwrap());
    let eight = app.json(
        "POST",
        &sessions_path,
        Some(&s.coordinator.access),
        &json!({"starts_at": "2030-01-09T00:00:00Z", "count": 8}),
    );
    assert_eq!(eight.status, 201, "{}", eight.body);
    assert_eq!(eight.json()["items"].as_array().unwrap().len(), 8);
    assert_eq!(eight.json()["items"][0]["duration_minutes"], 90);
    let ninth = app.json(
        "POST",
        &sessions_path,
        Some(&s.coordinator.access),
        &json!({"starts_at": "2030-03-09T00:00:00Z"}),
    );
    ninth.problem(409, "conflict");
    assert_eq!(
        app.get(&sessions_path).json()["items"]
            .as_array()
            .unwrap()
            .len(),
        8
    );

    let mut formal = informal("Cohort");
    formal["kind"] = json!("formal");
    let formal = create(&app, &s.coordinator.access, &formal);
    let formal_path = format!("/api/v1/groups/{}/sessions", formal["id"].as_str().unwrap());
    let no_topics = app.json(
        "POST",
        &formal_path,
        Some(&s.coordinator.access),
        &json!({"starts_at": "2030-01-09T00:00:00Z", "count": 2}),
    );
    assert_eq!(
        no_topics.problem(422, "validation-failed")["errors"][0]["field"],
        "topics"
    );
    let topics: Vec<String> = (1..=10).map(|i| format!("Topic {i}")).collect();
    let ten = app.json(
        "POST",
        &formal_path,
        Some(&s.coordinator.access),
        &json!({"starts_at": "2030-01-09T00:00:00Z", "count": 10, "topics": topics}),
    );
    assert_eq!(ten.status, 201, "{}", ten.body);
    assert_eq!(ten.json()["items"][9]["topic"], "Topic 10");
    let eleventh = app.json(
        "POST",
        &formal_path,
        Some(&s.coordinator.access),
        &json!({"starts_at": "2030-05-09T00:00:00Z", "topics": ["One more"]}),
    );
    eleventh.problem(409, "conflict");
}

#[test]
fn a_weekly_series_keeps_its_local_time_across_daylight_saving() {
    let app = TestApp::spawn();
    let s = staff(&app);
    let group = create(&app, &s.coordinator.access, &informal("Autumn"));
    let res = app.json(
        "POST",
        &format!("/api/v1/groups/{}/sessions", group["id"].as_str().unwrap()),
        Some(&s.coordinator.access),
        &json!({"starts_at": "2026-10-28T23:00:00Z", "count": 3, "duration_minutes": 60}),
    );
    let items = res.json()["items"].as_array().unwrap().clone();
    let starts: Vec<&str> = items
        .iter()
        .map(|i| i["starts_at"].as_str().unwrap())
        .collect();
    assert_eq!(
        starts,
        [
            "2026-10-28T23:00:00Z",
            "2026-11-05T00:00:00Z",
            "2026-11-12T00:00:00Z"
        ]
    );
    let local: Vec<&str> = items
        .iter()
        .map(|i| i["local_starts_at"].as_str().unwrap())
        .collect();
    assert_eq!(
        local,
        [
            "2026-10-28T19:00:00-04:00",
            "2026-11-04T19:00:00-05:00",
            "2026-11-11T19:00:00-05:00"
        ]
    );
    assert_eq!(items[0]["ends_at"], "2026-10-29T00:00:00Z");
}

#[test]
fn meeting_links_and_facilitators_are_for_insiders_only() {
    let app = TestApp::spawn();
    let s = staff(&app);
    let other_supporter = app.staff(&s.admin, "peer_supporter");
    let mut body = informal("Private links");
    body["facilitator_ids"] = json!([s.supporter.id]);
    let group = create(&app, &s.coordinator.access, &body);
    let id = group["id"].as_str().unwrap();
    let created = app.json(
        "POST",
        &format!("/api/v1/groups/{id}/sessions"),
        Some(&s.supporter.access),
        &json!({"starts_at": "2030-01-09T00:00:00Z"}),
    );
    assert_eq!(
        created.status, 201,
        "a facilitator schedules their group's sessions: {}",
        created.body
    );
    let session_id = created.json()["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let peer = app.peer("outsider@example.ca");

    let sees_link = |token: Option<&str>| {
        let list = match token {
            Some(t) => app.get_as(&format!("/api/v1/groups/{id}/sessions"), t),
            None => app.get(&format!("/api/v1/groups/{id}/sessions")),
        };
        let one = match token {
            Some(t) => app.get_as(&format!("/api/v1/sessions/{session_id}"), t),
            None => app.get(&format!("/api/v1/sessions/{session_id}")),
        };
        let group = match token {
            Some(t) => app.get_as(&format!("/api/v1/groups/{id}"), t),
            None => app.get(&format!("/api/v1/groups/{id}")),
        };
        let in_list = list.json()["items"][0].get("meeting_link").is_some();
        let in_one = one.json().get("meeting_link").is_some();
        let in_group = group.json().get("meeting_link").is_some()
            && group.json().get("facilitators").is_some();
        assert_eq!(in_list, in_one);
        assert_eq!(in_list, in_group);
        in_list
    };
    assert!(!sees_link(None));
    assert!(!sees_link(Some(&peer.access)));
    assert!(!sees_link(Some(&other_supporter.access)));
    assert!(sees_link(Some(&s.supporter.access)));
    assert!(sees_link(Some(&s.coordinator.access)));
    assert!(sees_link(Some(&s.admin.access)));
    let listed = app.get("/api/v1/groups").json();
    assert!(listed["items"][0].get("meeting_link").is_none());
    let listed = app.get_as("/api/v1/groups", &s.supporter.access).json();
    assert_eq!(
        listed["items"][0]["meeting_link"],
        "https://teams.example.ca/l/meetup-join/abc"
    );
    // A bad token is refused, never treated as anonymous.
    app.get_as(&format!("/api/v1/groups/{id}"), "not-a-token")
        .problem(401, "unauthorized");
}

#[test]
fn a_stale_if_match_is_412_and_changes_nothing() {
    let app = TestApp::spawn();
    let s = staff(&app);
    let group = create(&app, &s.coordinator.access, &informal("Versioned"));
    let path = format!("/api/v1/groups/{}", group["id"].as_str().unwrap());
    let patch = |etag: &str, name: &str| {
        let auth = format!("Bearer {}", s.coordinator.access);
        let body = json!({"name": name}).to_string();
        app.send(
            "PATCH",
            &path,
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
                ("If-Match", etag),
            ],
            Some(body.as_bytes()),
        )
    };
    let first = patch("\"1\"", "Renamed once");
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.header("etag"), Some("\"2\""));
    patch("\"1\"", "Lost update").problem(412, "precondition-failed");
    let now = app.get(&path);
    assert_eq!(now.json()["name"], "Renamed once");
    assert_eq!(now.header("etag"), Some("\"2\""));
    assert_eq!(patch("\"2\"", "Renamed twice").status, 200);
}

#[test]
fn sessions_are_rescheduled_and_cancelled_with_a_reason() {
    let app = TestApp::spawn();
    let s = staff(&app);
    let group = create(&app, &s.coordinator.access, &informal("Reschedule"));
    let created = app.json(
        "POST",
        &format!("/api/v1/groups/{}/sessions", group["id"].as_str().unwrap()),
        Some(&s.coordinator.access),
        &json!({"starts_at": "2030-01-09T00:00:00Z"}),
    );
    let path = format!(
        "/api/v1/sessions/{}",
        created.json()["items"][0]["id"].as_str().unwrap()
    );
    let moved = app.json(
        "PATCH",
        &path,
        Some(&s.coordinator.access),
        &json!({"starts_at": "2030-01-16T00:00:00Z"}),
    );
    assert_eq!(moved.json()["starts_at"], "2030-01-16T00:00:00Z");
    assert_eq!(moved.header("etag"), Some("\"2\""));
    let no_reason = app.json(
        "PATCH",
        &path,
        Some(&s.coordinator.access),
        &json!({"status": "cancelled"}),
    );
    no_reason.problem(422, "validation-failed");
    let cancelled = app.json(
        "PATCH",
        &path,
        Some(&s.coordinator.access),
        &json!({"status": "cancelled", "cancel_reason": "Facilitator unwell"}),
    );
    assert_eq!(cancelled.json()["status"], "cancelled");
    app.json(
        "PATCH",
        &path,
        Some(&s.coordinator.access),
        &json!({"topic": "Too late"}),
    )
    .problem(409, "invalid-transition");
    // Someone else's facilitator cannot touch it; a peer may not try.
    app.json(
        "PATCH",
        &path,
        Some(&s.supporter.access),
        &json!({"topic": "x"}),
    )
    .problem(404, "not-found");
    let peer = app.peer("p@example.ca");
    app.json("PATCH", &path, Some(&peer.access), &json!({"topic": "x"}))
        .problem(403, "forbidden");
}

#[test]
fn rosters_and_attendance_belong_to_the_groups_facilitators_and_staff() {
    let app = TestApp::spawn();
    let s = staff(&app);
    let other = app.staff(&s.admin, "peer_supporter");
    let mut body = informal("Attendance");
    body["facilitator_ids"] = json!([s.supporter.id]);
    let group = create(&app, &s.coordinator.access, &body);
    let id = group["id"].as_str().unwrap();
    let session = app.json(
        "POST",
        &format!("/api/v1/groups/{id}/sessions"),
        Some(&s.coordinator.access),
        &json!({"starts_at": "2030-01-09T00:00:00Z"}),
    );
    let attendance = format!(
        "/api/v1/sessions/{}/attendance",
        session.json()["items"][0]["id"].as_str().unwrap()
    );
    let roster = format!("/api/v1/groups/{id}/roster");
    let peer = app.peer("not-placed@example.ca");

    app.json(
        "PUT",
        &attendance,
        Some(&other.access),
        &json!({"records": []}),
    )
    .problem(404, "not-found");
    app.get_as(&roster, &other.access).problem(404, "not-found");
    app.json(
        "PUT",
        &attendance,
        Some(&peer.access),
        &json!({"records": []}),
    )
    .problem(403, "forbidden");
    app.get_as(&roster, &peer.access).problem(403, "forbidden");
    app.get(&roster).problem(401, "unauthorized");

    let not_on_roster = app.json(
        "PUT",
        &attendance,
        Some(&s.supporter.access),
        &json!({"records": [{"participant_id": peer.id, "present": true}]}),
    );
    assert_eq!(
        not_on_roster.problem(422, "validation-failed")["errors"][0]["field"],
        "records[0].participant_id"
    );
    let empty = app.json(
        "PUT",
        &attendance,
        Some(&s.supporter.access),
        &json!({"records": []}),
    );
    assert_eq!(empty.status, 200, "{}", empty.body);
    assert_eq!(empty.json()["records"], json!([]));
    let listed = app.get_as(&roster, &s.supporter.access);
    assert_eq!(listed.status, 200);
    assert_eq!(listed.json()["items"], json!([]));
    assert_eq!(app.get_as(&roster, &s.coordinator.access).status, 200);
}

#[test]
fn group_lists_filter_and_page_without_repeats() {
    let app = TestApp::spawn();
    let s = staff(&app);
    let mut french = informal("Groupe du mardi");
    french["language"] = json!("fr");
    french["audience"] = json!(["family"]);
    french.as_object_mut().unwrap().remove("identity_focus");
    create(&app, &s.coordinator.access, &french);
    let mut formal = informal("Cohort");
    formal["kind"] = json!("formal");
    create(&app, &s.coordinator.access, &formal);
    for i in 0..3 {
        create(
            &app,
            &s.coordinator.access,
            &informal(&format!("Drop-in {i}")),
        );
    }
    let names = |query: &str| -> Vec<String> {
        app.get(&format!("/api/v1/groups?{query}")).json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names("language=fr"), ["Groupe du mardi"]);
    assert_eq!(names("audience=family"), ["Groupe du mardi"]);
    assert_eq!(names("kind=formal"), ["Cohort"]);
    assert_eq!(names("identity_focus=WOMEN").len(), 4);
    assert_eq!(names("status=planned").len(), 5);
    assert!(names("status=open").is_empty());
    app.get("/api/v1/groups?kind=weekly")
        .problem(400, "invalid-parameter");

    let mut seen = Vec::new();
    let mut cursor = None::<String>;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/groups?limit=2&cursor={c}"),
            None => "/api/v1/groups?limit=2".into(),
        };
        let page = app.get(&path).json();
        for g in page["items"].as_array().unwrap() {
            seen.push(g["id"].as_str().unwrap().to_string());
        }
        if seen.len() == 2 {
            create(&app, &s.coordinator.access, &informal("Added while paging"));
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len());
    assert_eq!(seen.len(), 6);
}

#[test]
fn my_sessions_lists_only_groups_the_caller_is_placed_in() {
    let app = TestApp::spawn();
    let s = staff(&app);
    let group = create(&app, &s.coordinator.access, &informal("Not mine"));
    app.json(
        "POST",
        &format!("/api/v1/groups/{}/sessions", group["id"].as_str().unwrap()),
        Some(&s.coordinator.access),
        &json!({"starts_at": "2030-01-09T00:00:00Z"}),
    );
    let peer = app.peer("me@example.ca");
    let mine = app.get_as("/api/v1/me/sessions", &peer.access);
    assert_eq!(mine.status, 200);
    assert_eq!(mine.json()["items"], json!([]));
    app.get("/api/v1/me/sessions").problem(401, "unauthorized");
}

#[test]
fn integers_written_with_a_fraction_of_zero_are_integers() {
    // JSON Schema's `integer` admits 12.0; so does the API.
    let app = TestApp::spawn();
    let admin = app.admin();
    let mut body = informal("Decimal capacity");
    body["capacity"] = json!(12.0);
    assert_eq!(create(&app, &admin.access, &body)["capacity"], 12);
    body["capacity"] = json!(12.5);
    let res = app.json("POST", "/api/v1/groups", Some(&admin.access), &body);
    res.problem(400, "invalid-body");
}
