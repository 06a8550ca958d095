//! `peer-support-api seed-demo`.

use crate::helpers::TestApp;

fn seed_demo(database_url: &str, app_env: &str) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_peer-support-api"))
        .arg("seed-demo")
        .env("DATABASE_URL", database_url)
        .env("APP_ENV", app_env)
        .env("JWT_SECRET", "0123456789abcdef0123456789abcdef-demo")
        .env(
            "FEEDBACK_KEY_SECRET",
            "fedcba9876543210fedcba9876543210-demo",
        )
        .output()
        .expect("the binary runs")
}

#[test]
fn seed_demo_fills_groups_accounts_and_the_ontario_directory() {
    let app = TestApp::spawn();
    let out = seed_demo(&app.database_url, "development");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // One account per role, each able to log in with the printed password.
    for role in [
        "admin",
        "coordinator",
        "peer_supporter",
        "mental_health_professional",
        "peer",
    ] {
        let line = stdout
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{role} ")))
            .unwrap_or_else(|| panic!("{role} printed: {stdout}"));
        let parts: Vec<&str> = line.split_whitespace().collect();
        let login = app.login(parts[1], parts[2]);
        assert_eq!(login.status, 200, "{role}: {}", login.body);
    }

    let groups = app.get("/api/v1/groups?status=open").json();
    let items = groups["items"].as_array().unwrap();
    assert_eq!(items.len(), 4);
    assert!(items
        .iter()
        .any(|g| g["kind"] == "formal" && g["language"] == "fr"));
    assert!(items
        .iter()
        .any(|g| g["kind"] == "informal" && g["language"] == "en"));
    let formal = items.iter().find(|g| g["kind"] == "formal").unwrap();
    assert_eq!(formal["session_count"], 10);

    let ontario = app.get("/api/v1/directory/listings?province=ON").json();
    let names: Vec<String> = ontario["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap().to_string())
        .collect();
    assert!(names.len() >= 2, "{names:?}");
    assert!(names.iter().any(|n| n.contains("H.E.A.R.T.")), "{names:?}");
    assert!(names.iter().any(|n| n.contains("Phoenix")), "{names:?}");

    let documents = app.get("/api/v1/consent-documents").json();
    assert_eq!(
        documents["items"].as_array().unwrap().len(),
        10,
        "five kinds in two languages"
    );

    let again = seed_demo(&app.database_url, "development");
    assert!(!again.status.success(), "a second seed is refused");
}

#[test]
fn seed_demo_is_refused_in_production() {
    let app = TestApp::spawn();
    let out = seed_demo(&app.database_url, "production");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("production"));
    assert!(app.get("/api/v1/groups").json()["items"]
        .as_array()
        .unwrap()
        .is_empty());
}
