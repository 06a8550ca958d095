//! The directory of peer support groups (submission, moderation, search, edits) and the
//! crisis and support lines.

use serde_json::{json, Value};

use crate::helpers::{Response, Session, TestApp};

const LISTINGS: &str = "/api/v1/directory/listings";

/// A valid submission named `name`; tests change what they need.
pub fn listing(name: &str) -> Value {
    json!({
        "organization": "Peer Support Society",
        "name": name,
        "description": "Weekly peer support for people living with an operational stress injury.",
        "audiences": ["first_responders"],
        "eligibility": "Serving and retired first responders.",
        "province": "ON",
        "city": "Ottawa",
        "delivery": "in_person",
        "schedule": {"weekday": "tuesday", "start_time": "19:00", "end_time": "21:00",
                     "time_zone": "America/Toronto", "notes": "Community hall, side door."},
        "languages": ["en"],
        "cost": "free",
        "contacts": {"phone": "1-613-555-0100", "website": "https://peers.example.org",
                     "available_24_7": false}
    })
}

fn submit(app: &TestApp, token: Option<&str>, body: &Value) -> Response {
    app.json("POST", LISTINGS, token, body)
}

fn review(app: &TestApp, token: Option<&str>, id: &str, body: Value) -> Response {
    app.json("POST", &format!("{LISTINGS}/{id}/review"), token, &body)
}

fn id_of(res: &Response) -> String {
    res.json()["id"].as_str().expect("an id").to_string()
}

/// Submitted anonymously and published by `coordinator`; returns the published listing.
fn published(app: &TestApp, coordinator: &Session, body: &Value) -> Value {
    let created = submit(app, None, body);
    assert_eq!(created.status, 201, "{}", created.body);
    let res = review(
        app,
        Some(&coordinator.access),
        &id_of(&created),
        json!({"decision": "publish"}),
    );
    assert_eq!(res.status, 200, "{}", res.body);
    res.json()
}

/// The names of the listings on the first page of `path` (anonymous unless `token`).
fn names(app: &TestApp, path: &str, token: Option<&str>) -> Vec<String> {
    let res = match token {
        Some(t) => app.get_as(path, t),
        None => app.get(path),
    };
    assert_eq!(res.status, 200, "{path}: {}", res.body);
    let mut names: Vec<String> = res.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

fn patch(app: &TestApp, token: &str, id: &str, if_match: Option<&str>, body: &Value) -> Response {
    let auth = format!("Bearer {token}");
    let mut headers = vec![
        ("Content-Type", "application/json"),
        ("Authorization", auth.as_str()),
    ];
    if let Some(tag) = if_match {
        headers.push(("If-Match", tag));
    }
    app.send(
        "PATCH",
        &format!("{LISTINGS}/{id}"),
        &headers,
        Some(body.to_string().as_bytes()),
    )
}

fn audit_actions(app: &TestApp, admin: &Session, id: &str) -> Vec<String> {
    let events = app.get_as(
        &format!("/api/v1/audit-events?resource_id={id}"),
        &admin.access,
    );
    assert_eq!(events.status, 200, "{}", events.body);
    events.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn an_anonymous_submission_waits_for_review_then_is_public() {
    let app = TestApp::spawn();
    let admin = app.admin();
    let coordinator = app.staff(&admin, "coordinator");
    let peer = app.peer("peer@example.ca");

    let created = submit(&app, None, &listing("Tuesday Circle"));
    assert_eq!(created.status, 201, "{}", created.body);
    let id = id_of(&created);
    assert_eq!(
        created.header("location"),
        Some(format!("{LISTINGS}/{id}").as_str())
    );
    assert_eq!(created.header("etag"), Some("\"1\""));
    let body = created.json();
    assert_eq!(body["status"], "pending");
    assert_eq!(body["schedule"]["weekday"], "tuesday");
    assert!(body.get("moderation").is_none(), "{body}");

    // Invisible to everyone but moderators while pending.
    assert!(names(&app, LISTINGS, None).is_empty());
    app.get(&format!("{LISTINGS}/{id}"))
        .problem(404, "not-found");
    app.get_as(&format!("{LISTINGS}/{id}"), &peer.access)
        .problem(404, "not-found");
    app.get(&format!("{LISTINGS}?status=pending"))
        .problem(401, "unauthorized");
    app.get_as(&format!("{LISTINGS}?status=pending"), &peer.access)
        .problem(403, "forbidden");
    assert_eq!(
        names(
            &app,
            &format!("{LISTINGS}?status=pending"),
            Some(&coordinator.access)
        ),
        ["Tuesday Circle"]
    );
    let seen = app.get_as(&format!("{LISTINGS}/{id}"), &coordinator.access);
    assert_eq!(seen.status, 200);
    assert_eq!(seen.json()["moderation"]["submitted_by"], Value::Null);

    let res = review(
        &app,
        Some(&coordinator.access),
        &id,
        json!({"decision": "publish", "note": "Checked with the society."}),
    );
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.header("etag"), Some("\"2\""));
    let reviewed = res.json();
    assert_eq!(reviewed["status"], "published");
    assert_eq!(
        reviewed["moderation"]["reviewed_by"],
        coordinator.id.as_str()
    );
    assert_eq!(
        reviewed["moderation"]["review_note"],
        "Checked with the society."
    );

    let public = app.get(&format!("{LISTINGS}/{id}"));
    assert_eq!(public.status, 200);
    assert_eq!(public.header("etag"), Some("\"2\""));
    assert!(public.json().get("moderation").is_none());
    assert_eq!(names(&app, LISTINGS, None), ["Tuesday Circle"]);

    let again = review(
        &app,
        Some(&coordinator.access),
        &id,
        json!({"decision": "reject", "note": "No."}),
    );
    let problem = again.problem(409, "conflict");
    assert!(
        problem["detail"].as_str().unwrap().contains("published"),
        "{problem}"
    );
    assert_eq!(audit_actions(&app, &admin, &id), ["directory.published"]);
}

#[test]
fn a_rejection_needs_a_note_and_keeps_the_listing_out_of_the_directory() {
    let app = TestApp::spawn();
    let admin = app.admin();
    let coordinator = app.staff(&admin, "coordinator");
    let id = id_of(&submit(&app, None, &listing("Unverified Group")));

    let no_note = review(
        &app,
        Some(&coordinator.access),
        &id,
        json!({"decision": "reject"}),
    );
    assert_eq!(
        no_note.problem(422, "validation-failed")["errors"][0]["field"],
        "note"
    );
    review(
        &app,
        Some(&coordinator.access),
        &id,
        json!({"decision": "maybe"}),
    )
    .problem(400, "invalid-body");

    let res = review(
        &app,
        Some(&coordinator.access),
        &id,
        json!({"decision": "reject", "note": "We could not reach the organization."}),
    );
    assert_eq!(res.status, 200, "{}", res.body);
    let rejected = res.json();
    assert_eq!(rejected["status"], "rejected");
    assert_eq!(
        rejected["moderation"]["review_note"],
        "We could not reach the organization."
    );
    app.get(&format!("{LISTINGS}/{id}"))
        .problem(404, "not-found");
    assert!(names(&app, LISTINGS, None).is_empty());
    assert_eq!(
        names(
            &app,
            &format!("{LISTINGS}?status=rejected"),
            Some(&coordinator.access)
        ),
        ["Unverified Group"]
    );
    let publish = review(
        &app,
        Some(&coordinator.access),
        &id,
        json!({"decision": "publish"}),
    );
    assert!(publish.problem(409, "conflict")["detail"]
        .as_str()
        .unwrap()
        .contains("rejected"));
    assert_eq!(audit_actions(&app, &admin, &id), ["directory.rejected"]);
}

#[test]
fn archiving_withdraws_a_listing_from_the_directory() {
    let app = TestApp::spawn();
    let admin = app.admin();
    let coordinator = app.staff(&admin, "coordinator");
    let id = published(&app, &coordinator, &listing("Closing Group"))["id"]
        .as_str()
        .unwrap()
        .to_string();
    let archive = |token: Option<&str>| {
        app.json(
            "POST",
            &format!("{LISTINGS}/{id}/archive"),
            token,
            &json!({}),
        )
    };
    archive(None).problem(401, "unauthorized");

    let res = archive(Some(&coordinator.access));
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.json()["status"], "archived");
    assert_eq!(res.header("etag"), Some("\"3\""));
    app.get(&format!("{LISTINGS}/{id}"))
        .problem(404, "not-found");
    assert!(names(&app, LISTINGS, None).is_empty());
    assert_eq!(
        names(
            &app,
            &format!("{LISTINGS}?status=archived"),
            Some(&admin.access)
        ),
        ["Closing Group"]
    );
    archive(Some(&coordinator.access)).problem(409, "conflict");
    app.json(
        "POST",
        &format!("{LISTINGS}/no-such-listing/archive"),
        Some(&coordinator.access),
        &json!({}),
    )
    .problem(404, "not-found");
    assert_eq!(
        audit_actions(&app, &admin, &id),
        ["directory.published", "directory.archived"]
    );

    // A pending submission can be archived too (spam, duplicates).
    let pending = id_of(&submit(&app, None, &listing("Duplicate")));
    let res = app.json(
        "POST",
        &format!("{LISTINGS}/{pending}/archive"),
        Some(&admin.access),
        &json!({}),
    );
    assert_eq!(res.json()["status"], "archived");
}

#[test]
fn partners_submit_but_only_coordinators_and_admins_moderate() {
    let app = TestApp::spawn();
    let admin = app.admin();
    let coordinator = app.staff(&admin, "coordinator");
    let (client, partner) = app.partner(&admin);

    let created = submit(&app, Some(&partner), &listing("Partner Group"));
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.json()["status"], "pending");
    assert!(created.json().get("moderation").is_none());
    let id = id_of(&created);
    let seen = app
        .get_as(&format!("{LISTINGS}/{id}"), &coordinator.access)
        .json();
    assert_eq!(seen["moderation"]["submitted_by"], client["id"]);
    assert_eq!(seen["moderation"]["submitted_by_role"], "partner");
    // A submitter reads its own submission while it waits, without the moderation facts;
    // other callers who are not moderators do not see it.
    let own = app.get_as(&format!("{LISTINGS}/{id}"), &partner);
    assert_eq!(own.status, 200, "{}", own.body);
    assert_eq!(own.json()["status"], "pending");
    assert!(own.json().get("moderation").is_none());
    app.get_as(
        &format!("{LISTINGS}/{id}"),
        &app.peer("someone@example.ca").access,
    )
    .problem(404, "not-found");

    let mut outsiders = vec![partner.clone(), app.peer("peer@example.ca").access];
    for role in ["peer_supporter", "mental_health_professional"] {
        outsiders.push(app.staff(&admin, role).access);
    }
    for token in &outsiders {
        review(&app, Some(token), &id, json!({"decision": "publish"})).problem(403, "forbidden");
        patch(&app, token, &id, None, &json!({"name": "Hijacked"})).problem(403, "forbidden");
        app.json(
            "POST",
            &format!("{LISTINGS}/{id}/archive"),
            Some(token),
            &json!({}),
        )
        .problem(403, "forbidden");
        app.get_as(&format!("{LISTINGS}?status=pending"), token)
            .problem(403, "forbidden");
    }
    review(&app, None, &id, json!({"decision": "publish"})).problem(401, "unauthorized");
    app.json(
        "PATCH",
        &format!("{LISTINGS}/{id}"),
        None,
        &json!({"name": "Hijacked"}),
    )
    .problem(401, "unauthorized");
    app.json(
        "POST",
        &format!("{LISTINGS}/{id}/archive"),
        None,
        &json!({}),
    )
    .problem(401, "unauthorized");

    let unchanged = app
        .get_as(&format!("{LISTINGS}/{id}"), &coordinator.access)
        .json();
    assert_eq!(unchanged["status"], "pending");
    assert_eq!(unchanged["name"], "Partner Group");
    assert_eq!(unchanged["version"], 1);

    let res = review(
        &app,
        Some(&admin.access),
        &id,
        json!({"decision": "publish"}),
    );
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(names(&app, LISTINGS, Some(&partner)), ["Partner Group"]);
}

#[test]
fn filters_and_free_text_narrow_the_directory() {
    let app = TestApp::spawn();
    let admin = app.admin();
    let coordinator = app.staff(&admin, "coordinator");

    let mut heart = listing("H.E.A.R.T. Group");
    heart["audiences"] = json!(["police"]);
    heart["city"] = json!("Toronto");
    published(&app, &coordinator, &heart);

    let mut national = listing("Badge Meeting");
    national["province"] = json!("CA");
    national["city"] = Value::Null;
    national["delivery"] = json!("virtual");
    national["languages"] = json!(["en", "fr"]);
    published(&app, &coordinator, &national);

    let mut quebec = listing("Groupe de soutien");
    quebec["organization"] = json!("Réseau ÉCHO");
    quebec["province"] = json!("QC");
    quebec["city"] = json!("Québec");
    quebec["audiences"] = json!(["military", "veterans", "families"]);
    quebec["delivery"] = json!("hybrid");
    quebec["languages"] = json!(["fr"]);
    quebec["schedule"]["time_zone"] = json!("America/Toronto");
    published(&app, &coordinator, &quebec);

    let mut percent = listing("100% Peers");
    percent["province"] = json!("BC");
    percent["schedule"]["time_zone"] = json!("America/Vancouver");
    published(&app, &coordinator, &percent);

    // Pending submissions never show up in searches.
    submit(&app, None, &listing("Pending H.E.A.R.T."));

    let q = |query: &str| names(&app, &format!("{LISTINGS}?{query}"), None);
    assert_eq!(q("province=ON"), ["H.E.A.R.T. Group"]);
    assert_eq!(q("province=CA"), ["Badge Meeting"]);
    assert_eq!(q("audience=police"), ["H.E.A.R.T. Group"]);
    assert_eq!(q("audience=families"), ["Groupe de soutien"]);
    assert_eq!(q("delivery=virtual"), ["Badge Meeting"]);
    assert_eq!(q("language=fr"), ["Badge Meeting", "Groupe de soutien"]);
    assert_eq!(q("language=fr&province=QC"), ["Groupe de soutien"]);
    assert!(q("audience=corrections").is_empty());
    // Case, accents and periods do not matter; every word must match.
    assert_eq!(q("q=heart"), ["H.E.A.R.T. Group"]);
    assert_eq!(q("q=HEART"), ["H.E.A.R.T. Group"]);
    assert_eq!(q("q=toronto%20heart"), ["H.E.A.R.T. Group"]);
    assert!(q("q=heart%20vancouver").is_empty());
    assert_eq!(q("q=echo"), ["Groupe de soutien"]);
    assert_eq!(q("q=%C3%A9cho"), ["Groupe de soutien"]);
    assert_eq!(q("q=QUEBEC"), ["Groupe de soutien"]);
    // `%` and `_` are literal, not wildcards.
    assert_eq!(q("q=100%25"), ["100% Peers"]);
    assert!(q("q=%25%25%25").is_empty());
    assert!(q("q=_").is_empty());
    assert_eq!(q("q=").len(), 4);

    app.get(&format!("{LISTINGS}?province=XX"))
        .problem(400, "invalid-parameter");
    app.get(&format!("{LISTINGS}?audience=astronauts"))
        .problem(400, "invalid-parameter");
    app.get(&format!("{LISTINGS}?color=blue"))
        .problem(400, "invalid-parameter");
    app.get(&format!("{LISTINGS}?q={}", "a".repeat(101)))
        .problem(422, "validation-failed");
    app.get(&format!("{LISTINGS}?limit=0"))
        .problem(422, "validation-failed");
}

#[test]
fn pages_neither_repeat_nor_miss_listings_added_meanwhile() {
    let app = TestApp::spawn();
    let admin = app.admin();
    let coordinator = app.staff(&admin, "coordinator");
    let mut expected = Vec::new();
    for i in 0..5 {
        let l = published(&app, &coordinator, &listing(&format!("Group {i}")));
        expected.push(l["id"].as_str().unwrap().to_string());
    }
    let mut seen: Vec<String> = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("{LISTINGS}?limit=2&cursor={c}"),
            None => format!("{LISTINGS}?limit=2"),
        };
        let page = app.get(&path);
        assert_eq!(page.status, 200, "{}", page.body);
        let page = page.json();
        for item in page["items"].as_array().unwrap() {
            seen.push(item["id"].as_str().unwrap().to_string());
        }
        pages += 1;
        if pages == 1 {
            // Listings published while the client pages show up later, never twice.
            for i in 5..7 {
                let l = published(&app, &coordinator, &listing(&format!("Group {i}")));
                expected.push(l["id"].as_str().unwrap().to_string());
            }
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    assert_eq!(seen, expected);
    assert_eq!(pages, 4);
    app.get(&format!("{LISTINGS}?cursor=garbage"))
        .problem(422, "validation-failed");
}

#[test]
fn edits_honour_if_match_and_a_stale_one_changes_nothing() {
    let app = TestApp::spawn();
    let admin = app.admin();
    let coordinator = app.staff(&admin, "coordinator");
    let id = published(&app, &coordinator, &listing("Edited Group"))["id"]
        .as_str()
        .unwrap()
        .to_string();
    let read = app.get(&format!("{LISTINGS}/{id}"));
    let etag = read.header("etag").unwrap().to_string();
    assert_eq!(etag, "\"2\"");

    let res = patch(
        &app,
        &coordinator.access,
        &id,
        Some(&etag),
        &json!({"description": "Now meeting twice a month.", "city": null,
                "audiences": ["police", "police", "dispatchers"]}),
    );
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.header("etag"), Some("\"3\""));
    let edited = res.json();
    assert_eq!(edited["version"], 3);
    assert_eq!(edited["city"], Value::Null);
    assert_eq!(edited["audiences"], json!(["police", "dispatchers"]));
    assert_eq!(edited["name"], "Edited Group");
    assert_eq!(edited["schedule"]["start_time"], "19:00");

    // Someone else's edit based on the old version is refused and changes nothing.
    let stale = patch(
        &app,
        &admin.access,
        &id,
        Some(&etag),
        &json!({"description": "Overwritten."}),
    );
    stale.problem(412, "precondition-failed");
    let now = app.get(&format!("{LISTINGS}/{id}"));
    assert_eq!(now.header("etag"), Some("\"3\""));
    assert_eq!(now.json()["description"], "Now meeting twice a month.");
    assert_eq!(
        names(&app, &format!("{LISTINGS}?audience=dispatchers"), None),
        ["Edited Group"]
    );
    assert!(names(&app, &format!("{LISTINGS}?audience=first_responders"), None).is_empty());

    // A stale tag also guards review and archive.
    app.send(
        "POST",
        &format!("{LISTINGS}/{id}/archive"),
        &[
            ("Authorization", &format!("Bearer {}", coordinator.access)),
            ("If-Match", "\"2\""),
        ],
        None,
    )
    .problem(412, "precondition-failed");

    // Cross-field rules see the listing as it would be after the edit.
    let bad = patch(
        &app,
        &coordinator.access,
        &id,
        None,
        &json!({"schedule": {"start_time": "19:00", "end_time": "18:00"}}),
    );
    let fields: Vec<Value> = bad.problem(422, "validation-failed")["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].clone())
        .collect();
    assert_eq!(
        fields,
        [json!("schedule.end_time"), json!("schedule.time_zone")]
    );

    // Without If-Match the edit applies to the current version; an empty edit changes nothing.
    let res = patch(
        &app,
        &coordinator.access,
        &id,
        None,
        &json!({"cost": "$5 a session"}),
    );
    assert_eq!(res.json()["version"], 4);
    let res = patch(&app, &coordinator.access, &id, None, &json!({}));
    assert_eq!(res.status, 200);
    assert_eq!(res.json()["version"], 4);
    patch(
        &app,
        &coordinator.access,
        &id,
        None,
        &json!({"status": "published"}),
    )
    .problem(400, "invalid-body");
    patch(
        &app,
        &coordinator.access,
        "no-such-listing",
        None,
        &json!({"cost": "free"}),
    )
    .problem(404, "not-found");

    assert_eq!(
        audit_actions(&app, &admin, &id),
        [
            "directory.published",
            "directory.updated",
            "directory.updated"
        ]
    );
}

#[test]
fn invalid_submissions_are_refused_naming_the_fields() {
    let app = TestApp::spawn();
    let admin = app.admin();
    let coordinator = app.staff(&admin, "coordinator");

    let mut bad = listing("Bad Group");
    bad["province"] = json!("XX");
    let problem = submit(&app, None, &bad).problem(422, "validation-failed");
    assert_eq!(problem["errors"][0]["field"], "province");
    assert!(problem["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("ON"));

    let mut bad = listing("Bad Group");
    bad["audiences"] = json!(["astronauts"]);
    bad["languages"] = json!([]);
    bad["delivery"] = json!("carrier_pigeon");
    bad["name"] = json!("   ");
    bad["schedule"] =
        json!({"weekday": "someday", "start_time": "7pm", "time_zone": "Mars/Olympus"});
    bad["contacts"] = json!({"phone": "call me", "email": "not-an-email",
                             "website": "javascript:alert(1)"});
    let problem = submit(&app, None, &bad).problem(422, "validation-failed");
    let mut fields: Vec<String> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect();
    fields.dedup();
    assert_eq!(
        fields,
        [
            "audiences",
            "contacts.email",
            "contacts.phone",
            "contacts.website",
            "delivery",
            "languages",
            "name",
            "schedule.start_time",
            "schedule.time_zone",
            "schedule.weekday",
        ]
    );

    let mut unknown = listing("Bad Group");
    unknown["status"] = json!("published");
    submit(&app, None, &unknown).problem(400, "invalid-body");
    app.send(
        "POST",
        LISTINGS,
        &[("Content-Type", "application/json")],
        Some(b"{not json"),
    )
    .problem(400, "malformed-json");
    app.send(
        "POST",
        LISTINGS,
        &[("Content-Type", "text/plain")],
        Some(listing("Bad Group").to_string().as_bytes()),
    )
    .problem(415, "unsupported-media-type");

    assert!(names(
        &app,
        &format!("{LISTINGS}?status=pending"),
        Some(&coordinator.access)
    )
    .is_empty());
}

#[test]
fn support_lines_are_public_and_bilingual() {
    let app = TestApp::spawn();
    let res = app.get("/api/v1/support-lines");
    assert_eq!(res.status, 200, "{}", res.body);
    let lines = res.json()["items"].as_array().unwrap().clone();
    let phones: Vec<&str> = lines.iter().map(|l| l["phone"].as_str().unwrap()).collect();
    assert_eq!(phones, ["1-844-750-1648", "988", "1-800-268-7708"]);
    let smsrc = &lines[0];
    assert!(smsrc["name"]["en"]
        .as_str()
        .unwrap()
        .contains("Sexual Misconduct Support and Resource Centre"));
    assert!(smsrc["name"]["fr"]
        .as_str()
        .unwrap()
        .contains("Centre de soutien et de ressources sur l'inconduite sexuelle"));
    assert_eq!(lines[1]["text_number"], "988");
    for line in &lines {
        assert_eq!(line["available_24_7"], true);
        for field in ["name", "description"] {
            assert!(line[field]["en"].as_str().is_some_and(|t| !t.is_empty()));
            assert!(line[field]["fr"].as_str().is_some_and(|t| !t.is_empty()));
        }
    }
    let one = app.get(&format!(
        "/api/v1/support-lines/{}",
        smsrc["id"].as_str().unwrap()
    ));
    assert_eq!(one.json()["phone"], "1-844-750-1648");
    app.get("/api/v1/support-lines/no-such-line")
        .problem(404, "not-found");
}

#[test]
fn admins_curate_the_support_lines() {
    let app = TestApp::spawn();
    let admin = app.admin();
    let coordinator = app.staff(&admin, "coordinator");
    let line = json!({
        "name": {"en": "Hope for Wellness Help Line", "fr": "Ligne d'écoute d'espoir pour le mieux-être"},
        "description": {"en": "Counselling and crisis intervention, 24/7.",
                        "fr": "Counseling et intervention en cas de crise, 24 heures sur 24."},
        "phone": "1-855-242-3310",
        "text_number": "1-855-242-3310",
        "website": "https://www.hopeforwellness.ca",
        "available_24_7": true,
        "sort_order": 40
    });
    app.json("POST", "/api/v1/support-lines", None, &line)
        .problem(401, "unauthorized");
    app.json(
        "POST",
        "/api/v1/support-lines",
        Some(&coordinator.access),
        &line,
    )
    .problem(403, "forbidden");
    let mut bad = line.clone();
    bad["phone"] = json!("call us");
    bad["name"]["fr"] = json!("");
    let problem = app
        .json("POST", "/api/v1/support-lines", Some(&admin.access), &bad)
        .problem(422, "validation-failed");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name.fr", "phone"]);

    let created = app.json("POST", "/api/v1/support-lines", Some(&admin.access), &line);
    assert_eq!(created.status, 201, "{}", created.body);
    let location = created.header("location").unwrap().to_string();
    let id = id_of(&created);
    assert_eq!(location, format!("/api/v1/support-lines/{id}"));
    assert_eq!(
        app.get(&location).json()["name"]["en"],
        "Hope for Wellness Help Line"
    );

    let path = format!("/api/v1/support-lines/{id}");
    app.json(
        "PATCH",
        &path,
        Some(&coordinator.access),
        &json!({"sort_order": 1}),
    )
    .problem(403, "forbidden");
    let res = app.json(
        "PATCH",
        &path,
        Some(&admin.access),
        &json!({"sort_order": 1, "text_number": null}),
    );
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.json()["text_number"], Value::Null);
    assert_eq!(res.json()["website"], "https://www.hopeforwellness.ca");
    let first = app.get("/api/v1/support-lines").json()["items"][0].clone();
    assert_eq!(first["id"], id.as_str());

    app.send(
        "DELETE",
        &path,
        &[("Authorization", &format!("Bearer {}", coordinator.access))],
        None,
    )
    .problem(403, "forbidden");
    let deleted = app.send(
        "DELETE",
        &path,
        &[("Authorization", &format!("Bearer {}", admin.access))],
        None,
    );
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    app.get(&path).problem(404, "not-found");
    assert_eq!(
        app.get("/api/v1/support-lines").json()["items"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    app.send(
        "DELETE",
        &path,
        &[("Authorization", &format!("Bearer {}", admin.access))],
        None,
    )
    .problem(404, "not-found");
    assert_eq!(
        audit_actions(&app, &admin, &id),
        [
            "support_line.created",
            "support_line.updated",
            "support_line.deleted"
        ]
    );
}

/// The private persons the seed directory names, with their phones and emails.
const PRIVATE: &[&str] = &[
    "Chris Hayden",
    "Hayden",
    "John Rutledge",
    "Rutledge",
    "Ron Blinn",
    "Blinn",
    "ronbren",
    "telus.net",
    "Jonah Emery",
    "Emery",
    "Patricia Davies",
    "Davies",
    "kirmit",
    "sympatico",
    "Julius Brown",
    "Julius",
    "osi_ptsdcoord",
    "cmhask",
];
const PRIVATE_PHONES: &[&str] = &[
    "7809134362",
    "7808195877",
    "6134078410",
    "4168593579",
    "3065255601",
    "3065523801",
];

#[test]
fn the_demo_directory_lists_public_organizations_only() {
    let app = TestApp::spawn();
    let mut conn = peer_support_api::db::ConnectionManager::new(&app.database_url)
        .establish()
        .expect("a connection");
    assert_eq!(
        peer_support_api::directory::demo::insert_demo_listings(&mut conn).unwrap(),
        8
    );
    assert_eq!(
        peer_support_api::directory::demo::insert_demo_listings(&mut conn).unwrap(),
        0,
        "a second run adds nothing"
    );

    let ontario = names(&app, &format!("{LISTINGS}?province=ON"), None);
    assert_eq!(
        ontario,
        [
            "H.E.A.R.T. (Heart) Group",
            "The Phoenix P.T.S. Support Group",
            "Wings of Change peer support",
        ]
    );
    assert_eq!(
        names(&app, &format!("{LISTINGS}?province=CA"), None),
        [
            "OSISS peer support network",
            "Weekly psychoeducational support meeting"
        ]
    );
    assert_eq!(
        names(&app, &format!("{LISTINGS}?q=heart"), None),
        ["H.E.A.R.T. (Heart) Group"]
    );
    assert_eq!(
        names(&app, &format!("{LISTINGS}?audience=police"), None),
        [
            "H.E.A.R.T. (Heart) Group",
            "RCMP J Division SOSI peer support"
        ]
    );
    let sk = app.get(&format!("{LISTINGS}?province=SK")).json();
    assert_eq!(sk["items"][0]["contacts"]["phone"], "1-888-495-6068");
    let badge = app.get(&format!("{LISTINGS}?delivery=virtual")).json();
    assert_eq!(
        badge["items"][0]["schedule"],
        json!({"weekday": "monday", "start_time": "19:00", "end_time": "21:00",
               "time_zone": "America/Toronto", "notes": "Monday evenings, 7 to 9 pm Eastern, on Zoom."})
    );

    let all = app.get(&format!("{LISTINGS}?limit=100"));
    assert_eq!(all.json()["items"].as_array().unwrap().len(), 8);
    let digits: String = all.body.chars().filter(char::is_ascii_digit).collect();
    for private in PRIVATE {
        assert!(
            !all.body.to_lowercase().contains(&private.to_lowercase()),
            "{private} appears in the directory"
        );
    }
    for phone in PRIVATE_PHONES {
        assert!(!digits.contains(phone), "{phone} appears in the directory");
    }
}

#[test]
fn concurrent_reviews_publish_a_listing_once() {
    let app = TestApp::spawn();
    let admin = app.admin();
    let coordinators: Vec<Session> = (0..4).map(|_| app.staff(&admin, "coordinator")).collect();
    let id = id_of(&submit(&app, None, &listing("Raced Group")));
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let handles: Vec<_> = coordinators
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let (app, id) = (&app, &id);
                scope.spawn(move || {
                    let decision = if i % 2 == 0 { "publish" } else { "reject" };
                    review(
                        app,
                        Some(&c.access),
                        id,
                        json!({"decision": decision, "note": format!("Reviewer {i}")}),
                    )
                    .status
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut sorted = statuses.clone();
    sorted.sort();
    assert_eq!(sorted, [200, 409, 409, 409], "{statuses:?}");
    let actions = audit_actions(&app, &admin, &id);
    assert_eq!(actions.len(), 1, "{actions:?}");
    let reviewed = app
        .get_as(&format!("{LISTINGS}/{id}"), &admin.access)
        .json();
    assert_eq!(reviewed["version"], 2);
}
