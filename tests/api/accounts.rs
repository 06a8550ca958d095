//! Accounts a person can trust (issue 13): real mail over SMTP.

use peer_support_api::{config::Config, mail};

use crate::helpers::TestApp;

fn config(pairs: &[(&str, &str)]) -> Result<Config, peer_support_api::config::ConfigError> {
    Config::from_lookup(|key| {
        pairs
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.to_string())
    })
}

#[test]
fn mail_goes_over_smtp_to_a_real_server() {
    // Every test app has its own SMTP server in the test process.
    let app = TestApp::spawn();
    let mailbox = &app.mailbox;
    let port = mailbox.port.to_string();
    let config = config(&[
        ("APP_ENV", "test"),
        ("SMTP_HOST", "localhost"),
        ("SMTP_PORT", &port),
        ("SMTP_TLS", "none"),
        ("SMTP_FROM", "Peer Support Program <no-reply@example.ca>"),
    ])
    .unwrap();
    let mailer = mail::from_config(&config).unwrap();
    mailer
        .deliver(
            "river@example.ca",
            "Bienvenue",
            "Votre lien : https://app.example.ca/verify-email?token=abc_DEF-123 — à bientôt.",
        )
        .unwrap();
    let delivered = mailbox.take("river@example.ca", "Votre lien");
    assert_eq!(delivered.token(), "abc_DEF-123");
    assert!(delivered
        .raw
        .contains("From: \"Peer Support Program\" <no-reply@example.ca>"));
    assert!(delivered.body.contains("à bientôt"));
}

#[test]
fn mail_in_clear_is_refused_for_any_host_but_loopback() {
    for host in ["smtp.example.ca", "192.0.2.10"] {
        let refused = config(&[
            ("SMTP_HOST", host),
            ("SMTP_TLS", "none"),
            ("SMTP_FROM", "no-reply@example.ca"),
        ])
        .unwrap_err();
        assert_eq!(refused.setting, "SMTP_TLS", "{host}");
        assert!(refused.to_string().contains("loopback"));
    }
    let production = config(&[
        ("APP_ENV", "production"),
        ("JWT_SECRET", "0123456789abcdef0123456789abcdef"),
        ("FEEDBACK_KEY_SECRET", "fedcba9876543210fedcba9876543210"),
    ])
    .unwrap_err();
    assert_eq!(production.setting, "SMTP_HOST");
}

#[test]
fn development_without_smtp_writes_eml_files_under_the_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().to_str().unwrap();
    let config = config(&[("DATA_DIR", data_dir)]).unwrap();
    let mailer = mail::from_config(&config).unwrap();
    mailer
        .deliver(
            "river@example.ca",
            "Hello",
            "https://x/verify-email?token=t0k",
        )
        .unwrap();
    let files: Vec<_> = std::fs::read_dir(dir.path().join("mail"))
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(files.len(), 1);
    assert!(std::fs::read_to_string(files[0].path())
        .unwrap()
        .contains("token=t0k"));
    let logs = crate::helpers::captured_logs();
    assert!(!logs.contains("river@example.ca"), "no address in the logs");
}
