//! Test harness: a real server on a random port per test, over a fresh database (a temporary
//! SQLite file, or a PostgreSQL database cloned from a migrated template when
//! `TEST_DATABASE_URL` names a PostgreSQL server), driven over HTTP as a front-end would.

use std::{
    sync::{Mutex, OnceLock},
    thread::JoinHandle,
};

use diesel::{connection::SimpleConnection, pg::PgConnection, Connection};
use peer_support_api::{config::Config, db};

pub use crate::mailbox::Mailbox;
use serde_json::Value;
use ureq::http;

/// A database that exists for one test.
pub struct TestDatabase {
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Cleanup::Postgres { admin_url, name } = &self.cleanup {
            if let Ok(mut conn) = PgConnection::establish(admin_url) {
                let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

/// The PostgreSQL server the tests run on, if any.
pub fn postgres_admin_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres://") || u.starts_with("postgresql://"))
}

/// `url` pointing at database `name` on the same server.
pub fn with_database(url: &str, name: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL with a scheme");
    let rest = rest.split('?').next().unwrap_or(rest);
    let host = rest.split('/').next().unwrap_or(rest);
    format!("{scheme}://{host}/{name}")
}

/// The migrated template of this checkout: named after its directory, so test runs of two
/// checkouts (with different migrations) on one server never drop each other's template.
fn postgres_template(admin_url: &str) -> &'static str {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        use std::hash::{Hash, Hasher};
        let mut checkout = std::collections::hash_map::DefaultHasher::new();
        env!("CARGO_MANIFEST_DIR").hash(&mut checkout);
        let template = format!("peer_support_test_template_{:016x}", checkout.finish());
        let mut admin = PgConnection::establish(admin_url).expect("TEST_DATABASE_URL reachable");
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {template} WITH (FORCE)"))
            .expect("stale template dropped");
        admin
            .batch_execute(&format!("CREATE DATABASE {template}"))
            .expect("template database created");
        db::connect_and_migrate(&with_database(admin_url, &template)).expect("template migrated");
        template
    })
}

pub fn test_database() -> TestDatabase {
    match postgres_admin_url() {
        Some(admin_url) => {
            // One clone at a time: PostgreSQL refuses to copy a template that is being copied.
            static CLONING: Mutex<()> = Mutex::new(());
            let template = postgres_template(&admin_url);
            let name = format!("peer_support_test_{}", uuid::Uuid::new_v4().simple());
            {
                let _guard = CLONING.lock().unwrap_or_else(|e| e.into_inner());
                let mut admin = PgConnection::establish(&admin_url).expect("admin connection");
                admin
                    .batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
                    .expect("test database cloned");
            }
            TestDatabase {
                url: with_database(&admin_url, &name),
                cleanup: Cleanup::Postgres { admin_url, name },
            }
        }
        None => {
            let dir = tempfile::tempdir().expect("temporary directory");
            let url = format!("sqlite://{}", dir.path().join("test.db").display());
            db::connect_and_migrate(&url).expect("sqlite test database migrated");
            TestDatabase {
                url,
                cleanup: Cleanup::Sqlite(dir),
            }
        }
    }
}

/// A running API on its own database.
pub struct TestApp {
    pub base_url: String,
    pub database_url: String,
    /// The SMTP server the app's mail goes to.
    pub mailbox: Mailbox,
    _db: TestDatabase,
    agent: ureq::Agent,
    server: actix_web::dev::ServerHandle,
    thread: Option<JoinHandle<()>>,
}

impl TestApp {
    pub fn spawn() -> TestApp {
        TestApp::spawn_with(&[])
    }

    /// With extra settings, as environment variables would give them.
    pub fn spawn_with(settings: &[(&str, &str)]) -> TestApp {
        let db = test_database();
        TestApp::spawn_on(db, settings)
    }

    pub fn spawn_on(db: TestDatabase, settings: &[(&str, &str)]) -> TestApp {
        capture_logs();
        let mailbox = Mailbox::start();
        let mut pairs: Vec<(String, String)> = vec![
            ("SMTP_HOST".into(), "127.0.0.1".into()),
            ("SMTP_PORT".into(), mailbox.port.to_string()),
            ("SMTP_TLS".into(), "none".into()),
            (
                "SMTP_FROM".into(),
                "Peer Support Program <no-reply@example.ca>".into(),
            ),
            ("APP_PUBLIC_URL".into(), "https://app.example.ca".into()),
            ("APP_ENV".into(), "test".into()),
            ("DATABASE_URL".into(), db.url.clone()),
            ("BIND_ADDR".into(), "127.0.0.1:0".into()),
            ("WORKERS".into(), "2".into()),
            ("DATABASE_POOL_SIZE".into(), "4".into()),
        ];
        for (k, v) in settings {
            pairs.retain(|(key, _)| key != k);
            pairs.push((k.to_string(), v.to_string()));
        }
        let config =
            Config::from_lookup(|key| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()))
                .expect("test configuration is valid");
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let (server, addr) =
                    peer_support_api::start(config, false).expect("test server binds");
                tx.send((server.handle(), addr))
                    .expect("test thread listens");
                let _ = server.await;
            })
        });
        let (server, addr) = rx.recv().expect("server started");
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .build()
            .new_agent();
        TestApp {
            base_url: format!("http://{addr}"),
            database_url: db.url.clone(),
            mailbox,
            _db: db,
            agent,
            server,
            thread: Some(thread),
        }
    }

    /// An app whose database cannot be reached (a closed port, or a path that cannot exist),
    /// with a short pool wait.
    pub fn with_database_unreachable() -> TestApp {
        let unreachable = if postgres_admin_url().is_some() {
            "postgres://postgres@127.0.0.1:1/nowhere"
        } else {
            "sqlite:///proc/no-such-dir/peer-support.db"
        };
        TestApp::spawn_on(
            test_database(),
            &[
                ("DATABASE_URL", unreachable),
                ("DATABASE_TIMEOUT_MS", "300"),
            ],
        )
    }

    /// Everything the database holds, as text: what a database administrator or a stolen
    /// backup could read (SQLite: the file and its write-ahead log; PostgreSQL: `pg_dump`).
    pub fn database_text(&self) -> String {
        match self.database_url.strip_prefix("sqlite://") {
            Some(path) => [path.to_string(), format!("{path}-wal")]
                .iter()
                .filter_map(|file| std::fs::read(file).ok())
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                .collect(),
            None => {
                let out = std::process::Command::new("pg_dump")
                    .args(["--data-only", &self.database_url])
                    .output()
                    .expect("pg_dump (installed with PostgreSQL) runs");
                assert!(out.status.success(), "pg_dump failed");
                String::from_utf8_lossy(&out.stdout).into_owned()
            }
        }
    }

    /// A request to `path` with any method, headers and raw body.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Response {
        let mut builder = http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base_url));
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        let request = builder
            .body(body.map(|b| b.to_vec()).unwrap_or_default())
            .expect("valid request");
        let mut response = self.agent.run(request).expect("server answers");
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        let body = response.body_mut().read_to_string().expect("readable body");
        Response {
            status,
            headers,
            body,
        }
    }

    pub fn get(&self, path: &str) -> Response {
        self.send("GET", path, &[], None)
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let handle = self.server.clone();
        // Stopping needs a runtime; a short-lived one is enough.
        actix_web::rt::System::new().block_on(handle.stop(false));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// What came back.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Asserts a problem document with this status and type slug, and returns it.
    #[track_caller]
    pub fn problem(&self, status: u16, slug: &str) -> Value {
        assert_eq!(self.status, status, "status of {:?}", self.body);
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "content type of {:?}",
            self.body
        );
        let problem = self.json();
        assert_eq!(problem["type"], format!("urn:peer-support:problem:{slug}"));
        assert_eq!(problem["status"], status);
        assert!(problem["title"].as_str().is_some_and(|t| !t.is_empty()));
        assert!(problem["detail"].as_str().is_some_and(|t| !t.is_empty()));
        problem
    }
}

/// Everything the process logged, at every level, since the first app started.
pub fn captured_logs() -> String {
    LOGS.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

static LOGS: Mutex<String> = Mutex::new(String::new());

struct LogCapture;

impl std::io::Write for LogCapture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOGS.lock()
            .unwrap_or_else(|e| e.into_inner())
            .push_str(&String::from_utf8_lossy(buf));
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capture_logs() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let _ = env_logger::Builder::new()
            .filter_level(log::LevelFilter::Trace)
            // The test client's own logs are not the server's.
            .filter_module("ureq", log::LevelFilter::Off)
            .filter_module("ureq_proto", log::LevelFilter::Off)
            .target(env_logger::Target::Pipe(Box::new(LogCapture)))
            // The server's own format: feedback lines without a time stamp.
            .format(peer_support_api::log_format)
            .try_init();
    });
}

pub const PASSWORD: &str = "a long passphrase of mine";

/// Tokens of one signed-in account.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: String,
    pub access: String,
    pub refresh: String,
}

impl TestApp {
    pub fn get_as(&self, path: &str, token: &str) -> Response {
        let auth = format!("Bearer {token}");
        self.send("GET", path, &[("Authorization", &auth)], None)
    }

    pub fn post_json(&self, path: &str, body: &Value) -> Response {
        self.json("POST", path, None, body)
    }

    /// A JSON request, with a bearer token when given.
    pub fn json(&self, method: &str, path: &str, token: Option<&str>, body: &Value) -> Response {
        let auth = token.map(|t| format!("Bearer {t}"));
        let mut headers = vec![("Content-Type", "application/json")];
        if let Some(auth) = &auth {
            headers.push(("Authorization", auth));
        }
        self.send(method, path, &headers, Some(body.to_string().as_bytes()))
    }

    pub fn register(&self, email: &str) -> Response {
        self.post_json(
            "/api/v1/auth/register",
            &serde_json::json!({
                "email": email, "password": PASSWORD,
                "display_name": "Test Peer", "preferred_language": "en"
            }),
        )
    }

    pub fn login(&self, email: &str, password: &str) -> Response {
        self.post_json(
            "/api/v1/auth/login",
            &serde_json::json!({"email": email, "password": password}),
        )
    }

    /// Logs in and returns the session, with the account id from `/me`.
    #[track_caller]
    pub fn session(&self, email: &str) -> Session {
        let res = self.login(email, PASSWORD);
        assert_eq!(res.status, 200, "login of {email}: {}", res.body);
        let body = res.json();
        let access = body["access_token"].as_str().unwrap().to_string();
        let me = self.get_as("/api/v1/me", &access);
        assert_eq!(me.status, 200, "{}", me.body);
        Session {
            id: me.json()["id"].as_str().unwrap().to_string(),
            access,
            refresh: body["refresh_token"].as_str().unwrap().to_string(),
        }
    }

    /// Confirms `email` with the link of the verification mail delivered to it.
    #[track_caller]
    pub fn verify(&self, email: &str) {
        let token = self.mailbox.take(email, "/verify-email?token=").token();
        let res = self.post_json(
            "/api/v1/auth/verify-email",
            &serde_json::json!({ "token": token }),
        );
        assert_eq!(res.status, 204, "verification of {email}: {}", res.body);
    }

    /// Sets `password` with the set-your-password (or reset) link delivered to `email`.
    #[track_caller]
    pub fn set_password(&self, email: &str, password: &str) {
        let token = self.mailbox.take(email, "/reset-password?token=").token();
        let res = self.post_json(
            "/api/v1/auth/password-reset/confirm",
            &serde_json::json!({ "token": token, "new_password": password }),
        );
        assert_eq!(res.status, 204, "password of {email}: {}", res.body);
    }

    /// A signed-up, verified and signed-in peer.
    #[track_caller]
    pub fn peer(&self, email: &str) -> Session {
        assert_eq!(self.register(email).status, 202);
        self.verify(email);
        self.session(email)
    }

    /// The first admin, made as `create-admin` makes it, signed in.
    pub fn admin(&self) -> Session {
        let email = format!("admin-{}@example.ca", uuid::Uuid::new_v4().simple());
        peer_support_api::users::service::create_first_admin(
            &self.database_url,
            &email,
            PASSWORD,
            "Admin",
        )
        .expect("admin created");
        self.session(&email)
    }

    /// A staff account with `role`, created by `admin`, signed in.
    pub fn staff(&self, admin: &Session, role: &str) -> Session {
        let email = format!("{role}-{}@example.ca", uuid::Uuid::new_v4().simple());
        let res = self.json(
            "POST",
            "/api/v1/users",
            Some(&admin.access),
            &serde_json::json!({
                "email": email, "display_name": role,
                "role": role, "preferred_language": "en"
            }),
        );
        assert_eq!(res.status, 201, "{}", res.body);
        self.set_password(&email, PASSWORD);
        self.session(&email)
    }

    /// A partner client created by `admin`, and a token from the client-credentials grant.
    pub fn partner(&self, admin: &Session) -> (Value, String) {
        let created = self.json(
            "POST",
            "/api/v1/partners",
            Some(&admin.access),
            &serde_json::json!({"name": "24/7 Support Line"}),
        );
        assert_eq!(created.status, 201, "{}", created.body);
        let client = created.json();
        let form = format!(
            "grant_type=client_credentials&client_id={}&client_secret={}",
            client["client_id"].as_str().unwrap(),
            client["client_secret"].as_str().unwrap()
        );
        let res = self.send(
            "POST",
            "/api/v1/auth/token",
            &[("Content-Type", "application/x-www-form-urlencoded")],
            Some(form.as_bytes()),
        );
        assert_eq!(res.status, 200, "{}", res.body);
        let token = res.json()["access_token"].as_str().unwrap().to_string();
        (client, token)
    }
}

/// A feedback token being made by the client (RFC 9474): the token, its blinding, and the key
/// of its session's period. The server sees only `blinded_message()`.
pub struct BlindToken {
    pub session_id: String,
    pub token: Vec<u8>,
    blinding: blind_rsa_signatures::BlindingResult,
    key: blind_rsa_signatures::PublicKeySha384PSSRandomized,
}

/// A finalized token, as `POST /feedback` takes it (base64url fields).
#[derive(Debug, Clone)]
pub struct SignedToken {
    pub session_id: String,
    pub token: String,
    pub randomizer: String,
    pub signature: String,
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .expect("base64url")
}

impl BlindToken {
    pub fn blinded_message(&self) -> String {
        b64(&self.blinding.blind_message)
    }

    /// Unblinds the server's blind signature (and checks it, as a client must).
    pub fn finalize(&self, blind_signature: &str) -> SignedToken {
        let signature = self
            .key
            .finalize(
                &blind_rsa_signatures::BlindSignature(unb64(blind_signature)),
                &self.blinding,
                &self.token,
            )
            .expect("the blind signature finalizes under the published key");
        SignedToken {
            session_id: self.session_id.clone(),
            token: b64(&self.token),
            randomizer: b64(&self.blinding.msg_randomizer.expect("randomized variant").0),
            signature: b64(&signature),
        }
    }
}

impl SignedToken {
    /// The body of `POST /feedback`: this token and the given answers.
    pub fn submission(&self, answers: Value) -> Value {
        let mut body = serde_json::json!({
            "session_id": self.session_id, "token": self.token,
            "randomizer": self.randomizer, "signature": self.signature,
        });
        if let (Some(body), Value::Object(answers)) = (body.as_object_mut(), answers) {
            body.extend(answers);
        }
        body
    }
}

impl TestApp {
    /// The public key of a session, as published to anyone (`GET /feedback-keys`).
    pub fn session_key(
        &self,
        session_id: &str,
    ) -> blind_rsa_signatures::PublicKeySha384PSSRandomized {
        let res = self.get(&format!("/api/v1/feedback-keys?session_id={session_id}"));
        assert_eq!(res.status, 200, "{}", res.body);
        let published = &res.json()["items"][0];
        assert_eq!(published["session_id"], session_id);
        blind_rsa_signatures::PublicKeySha384PSSRandomized::from_der(&unb64(
            published["public_key"].as_str().unwrap(),
        ))
        .expect("an SPKI public key")
    }

    /// Makes a token for a session and blinds it with the session's published key, as a client
    /// would: the token is the session id's bytes followed by 32 random bytes.
    pub fn blind_token(&self, session_id: &str) -> BlindToken {
        self.blind_token_with(session_id, self.session_key(session_id))
    }

    /// The same, blinded with the given key (to offer one session's key for another).
    pub fn blind_token_with(
        &self,
        session_id: &str,
        key: blind_rsa_signatures::PublicKeySha384PSSRandomized,
    ) -> BlindToken {
        let mut token = session_id.as_bytes().to_vec();
        token.extend_from_slice(&rand::random::<[u8; 32]>());
        let blinding = key
            .blind(&mut blind_rsa_signatures::DefaultRng, &token)
            .expect("blinding");
        BlindToken {
            session_id: session_id.to_string(),
            token,
            blinding,
            key,
        }
    }
}
