//! Every setting of the service, read from the environment in one place, with its default.

use std::{fmt, path::PathBuf, str::FromStr, time::Duration};

/// Where the service runs; production tightens the rules on secrets and Swagger UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppEnv {
    Development,
    Test,
    Production,
}

impl FromStr for AppEnv {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "development" | "dev" => Ok(AppEnv::Development),
            "test" => Ok(AppEnv::Test),
            "production" | "prod" => Ok(AppEnv::Production),
            _ => Err("expected development, test or production".into()),
        }
    }
}

/// A setting that could not be used: start-up stops with this message.
#[derive(Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub setting: &'static str,
    pub reason: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid setting {}: {}", self.setting, self.reason)
    }
}

impl std::error::Error for ConfigError {}

#[derive(Debug, Clone)]
pub struct Config {
    pub app_env: AppEnv,
    pub database_url: String,
    /// The database URL migrations run with (the tables' owner), when the service itself runs
    /// as a role that owns nothing (`MIGRATION_DATABASE_URL`); else `database_url`.
    pub migration_database_url: Option<String>,
    pub bind_addr: String,
    pub data_dir: PathBuf,
    pub cors_allowed_origins: Vec<String>,
    pub body_limit_bytes: usize,
    pub database_pool_size: u32,
    pub database_timeout: Duration,
    pub request_timeout: Duration,
    pub workers: usize,
    pub swagger_ui: bool,
    /// HMAC secret for access tokens; `None` lets development generate and keep one.
    pub jwt_secret: Option<String>,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    /// Limits on sign-up and log-in attempts (turned off only for load tests).
    pub auth_rate_limits: bool,
    /// How long after a session starts its participants may give feedback; summaries include a
    /// session only once this window has closed, so they never change afterwards.
    pub feedback_window: Duration,
    /// Secret the feedback signing keys are derived from (apart from `JWT_SECRET`); `None` lets
    /// development generate and keep one, as for the JWT secret.
    pub feedback_key_secret: Option<String>,
    /// The mail server every message goes through; `None` (no `SMTP_HOST`, development only)
    /// writes each message as an `.eml` file under `DATA_DIR/mail/`.
    pub smtp: Option<SmtpSettings>,
    /// How often the notification sender looks for due notices.
    pub notification_poll: Duration,
    /// How often each instance releases the answers of sessions whose feedback window closed.
    pub feedback_release_poll: Duration,
    /// How long a seat offered from a waiting list is held for its person
    /// (`PLACEMENT_OFFER_HOURS`, or `PLACEMENT_OFFER_SECS` for tests and drills).
    pub placement_offer_ttl: Duration,
    /// How often each instance expires due seat offers and offers free seats to waiting lists
    /// (it also runs at once after a seat frees on that instance).
    pub offer_sweep_poll: Duration,
    /// A second address serving only `/metrics`, `/healthz` and `/readyz` (for a scraper on a
    /// private network); when set, the public port does not serve `/metrics` without the token.
    pub metrics_addr: Option<std::net::SocketAddr>,
    /// A bearer token that opens `/metrics` on the public port.
    pub metrics_token: Option<String>,
    /// `Strict-Transport-Security: max-age=…` on every response, when set (behind TLS only).
    pub hsts_max_age: Option<u64>,
    /// Proxies whose `X-Forwarded-For`/`Forwarded` name the client (`TRUSTED_PROXIES`); from
    /// anyone else those headers are ignored.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Where the links in account mails lead (the front end's address, no trailing slash):
    /// `{APP_PUBLIC_URL}/verify-email?token=…`, `{APP_PUBLIC_URL}/reset-password?token=…`.
    pub app_public_url: String,
}

impl Config {
    /// The URL migrations run with: `MIGRATION_DATABASE_URL`, else `DATABASE_URL`.
    pub fn migration_url(&self) -> &str {
        self.migration_database_url
            .as_deref()
            .unwrap_or(&self.database_url)
    }
}

/// Whether the mail server is reached encrypted (`required`, the default) or in clear (`none`,
/// accepted only for a loopback host: a relay on the same machine, or the test suite's server).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    Required,
    None,
}

impl FromStr for SmtpTls {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "required" => Ok(SmtpTls::Required),
            "none" => Ok(SmtpTls::None),
            _ => Err("expected required or none".into()),
        }
    }
}

/// Whether `host` is this machine's loopback interface.
fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// How to reach the mail server: implicit TLS on port 465, STARTTLS (required) on any other.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    /// `SMTP_TLS`: `none` only for a loopback host.
    pub tls: SmtpTls,
    /// Credentials, when the server asks for them (both or neither).
    pub username: Option<String>,
    pub password: Option<String>,
    /// The sender, e.g. `Peer Support Program <no-reply@example.ca>`.
    pub from: String,
}

/// Never prints the password.
impl fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("from", &self.from)
            .finish()
    }
}

pub const DEFAULT_SMTP_PORT: u16 = 587;

/// The shortest HMAC secret accepted for access tokens.
pub const MIN_JWT_SECRET_BYTES: usize = 32;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/peer-support.db";

impl Config {
    /// Reads the process environment (after `.env`, which `main` loads).
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|key| std::env::var(key).ok())
    }

    /// Reads settings through `lookup`, so tests can give their own.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let get = |key: &str| lookup(key).filter(|v| !v.trim().is_empty());
        let app_env: AppEnv = parse(&get, "APP_ENV", AppEnv::Development)?;
        let database_url = get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.into());
        if !(database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://")
            || database_url.starts_with("sqlite:")
            || !database_url.contains("://"))
        {
            return Err(ConfigError {
                setting: "DATABASE_URL",
                reason: "expected postgres://…, sqlite://PATH or a file path".into(),
            });
        }
        let is_postgres =
            |url: &str| url.starts_with("postgres://") || url.starts_with("postgresql://");
        let migration_database_url = get("MIGRATION_DATABASE_URL").filter(|u| !u.trim().is_empty());
        if let Some(url) = &migration_database_url {
            if !is_postgres(url) || !is_postgres(&database_url) {
                return Err(ConfigError {
                    setting: "MIGRATION_DATABASE_URL",
                    reason: "a postgres://… URL of the tables' owner, with a postgres:// \
                             DATABASE_URL (SQLite has no roles)"
                        .into(),
                });
            }
        }
        let bind_addr = get("BIND_ADDR").unwrap_or_else(|| "127.0.0.1:8080".into());
        if bind_addr.parse::<std::net::SocketAddr>().is_err() {
            return Err(ConfigError {
                setting: "BIND_ADDR",
                reason: format!("{bind_addr:?} is not an address such as 127.0.0.1:8080"),
            });
        }
        let cors_allowed_origins = match get("CORS_ALLOWED_ORIGINS") {
            None => Vec::new(),
            Some(list) => list
                .split(',')
                .map(|o| o.trim().trim_end_matches('/').to_string())
                .filter(|o| !o.is_empty())
                .map(|o| {
                    if o == "*" || !(o.starts_with("http://") || o.starts_with("https://")) {
                        Err(ConfigError {
                            setting: "CORS_ALLOWED_ORIGINS",
                            reason: format!(
                                "{o:?} is not an origin such as https://app.example.ca (\"*\" is refused)"
                            ),
                        })
                    } else {
                        Ok(o)
                    }
                })
                .collect::<Result<_, _>>()?,
        };
        let body_limit_bytes = parse(&get, "BODY_LIMIT_BYTES", 65_536usize)?;
        let database_pool_size = parse(&get, "DATABASE_POOL_SIZE", 10u32)?;
        let timeout_ms = parse(&get, "DATABASE_TIMEOUT_MS", 1_000u64)?;
        let request_timeout_secs = parse(&get, "REQUEST_TIMEOUT_SECS", 30u64)?;
        let default_workers = std::thread::available_parallelism().map_or(2, |n| n.get());
        let workers = parse(&get, "WORKERS", default_workers)?;
        let swagger_ui = parse(&get, "SWAGGER_UI", app_env != AppEnv::Production)?;
        let jwt_secret = secret(&get, "JWT_SECRET", app_env)?;
        // Every instance must derive the same feedback keys: in production it is required too.
        let feedback_key_secret = secret(&get, "FEEDBACK_KEY_SECRET", app_env)?;
        let access_token_ttl_secs = parse(&get, "ACCESS_TOKEN_TTL_SECS", 900u64)?;
        let refresh_token_ttl_days = parse(&get, "REFRESH_TOKEN_TTL_DAYS", 30u64)?;
        let auth_rate_limits = parse(&get, "AUTH_RATE_LIMITS", true)?;
        let feedback_window_hours = parse(&get, "FEEDBACK_WINDOW_HOURS", 168u64)?;
        let smtp = smtp_settings(&get)?;
        if smtp.is_none() && app_env == AppEnv::Production {
            return Err(ConfigError {
                setting: "SMTP_HOST",
                reason: "required in production (people must receive their verification and \
                         password-reset mail)"
                    .into(),
            });
        }
        let app_public_url = get("APP_PUBLIC_URL")
            .unwrap_or_else(|| format!("http://{bind_addr}"))
            .trim()
            .trim_end_matches('/')
            .to_string();
        if !(app_public_url.starts_with("http://") || app_public_url.starts_with("https://"))
            || app_public_url.contains(char::is_whitespace)
        {
            return Err(ConfigError {
                setting: "APP_PUBLIC_URL",
                reason: format!(
                    "{app_public_url:?} is not an address such as https://app.example.ca"
                ),
            });
        }
        let notification_poll_secs = parse(&get, "NOTIFICATION_POLL_SECS", 5u64)?;
        let feedback_release_secs = parse(&get, "FEEDBACK_RELEASE_SECS", 300u64)?;
        let placement_offer_hours = parse(&get, "PLACEMENT_OFFER_HOURS", 48u64)?;
        let placement_offer_secs = match get("PLACEMENT_OFFER_SECS") {
            None => placement_offer_hours.saturating_mul(3600),
            Some(_) => parse(&get, "PLACEMENT_OFFER_SECS", 0u64)?,
        };
        let offer_sweep_secs = parse(&get, "OFFER_SWEEP_SECS", 60u64)?;
        let metrics_addr = match get("METRICS_ADDR") {
            None => None,
            Some(raw) => Some(
                raw.trim()
                    .parse::<std::net::SocketAddr>()
                    .ok()
                    .filter(|a| a.port() != 0)
                    .ok_or(ConfigError {
                        setting: "METRICS_ADDR",
                        reason: format!(
                            "{raw:?} is not an address with a port, such as 10.0.0.5:9090"
                        ),
                    })?,
            ),
        };
        let metrics_token = get("METRICS_TOKEN").filter(|t| !t.trim().is_empty());
        if metrics_token
            .as_ref()
            .is_some_and(|t| t.len() < MIN_JWT_SECRET_BYTES)
        {
            return Err(ConfigError {
                setting: "METRICS_TOKEN",
                reason: format!("must be at least {MIN_JWT_SECRET_BYTES} bytes"),
            });
        }
        let trusted_proxies =
            crate::http::client::parse_trusted(&get("TRUSTED_PROXIES").unwrap_or_default())
                .map_err(|reason| ConfigError {
                    setting: "TRUSTED_PROXIES",
                    reason,
                })?;
        let hsts_max_age = match get("HSTS_MAX_AGE_SECS") {
            None => None,
            Some(_) => Some(parse(&get, "HSTS_MAX_AGE_SECS", 0u64)?),
        };
        for (setting, value) in [
            ("ACCESS_TOKEN_TTL_SECS", access_token_ttl_secs),
            ("FEEDBACK_WINDOW_HOURS", feedback_window_hours),
            ("REFRESH_TOKEN_TTL_DAYS", refresh_token_ttl_days),
            ("BODY_LIMIT_BYTES", body_limit_bytes as u64),
            ("DATABASE_POOL_SIZE", database_pool_size as u64),
            ("DATABASE_TIMEOUT_MS", timeout_ms),
            ("REQUEST_TIMEOUT_SECS", request_timeout_secs),
            ("WORKERS", workers as u64),
            ("NOTIFICATION_POLL_SECS", notification_poll_secs),
            ("FEEDBACK_RELEASE_SECS", feedback_release_secs),
            ("PLACEMENT_OFFER_HOURS", placement_offer_hours),
            ("PLACEMENT_OFFER_SECS", placement_offer_secs),
            ("OFFER_SWEEP_SECS", offer_sweep_secs),
        ] {
            if value == 0 {
                return Err(ConfigError {
                    setting,
                    reason: "must be greater than zero".into(),
                });
            }
        }
        Ok(Config {
            app_env,
            data_dir: PathBuf::from(get("DATA_DIR").unwrap_or_else(|| "data".into())),
            database_url,
            migration_database_url,
            bind_addr,
            cors_allowed_origins,
            body_limit_bytes,
            database_pool_size,
            database_timeout: Duration::from_millis(timeout_ms),
            request_timeout: Duration::from_secs(request_timeout_secs),
            workers,
            swagger_ui,
            jwt_secret,
            access_token_ttl: Duration::from_secs(access_token_ttl_secs),
            refresh_token_ttl: Duration::from_secs(refresh_token_ttl_days * 86_400),
            auth_rate_limits,
            feedback_window: Duration::from_secs(feedback_window_hours * 3600),
            feedback_key_secret,
            smtp,
            notification_poll: Duration::from_secs(notification_poll_secs),
            feedback_release_poll: Duration::from_secs(feedback_release_secs),
            placement_offer_ttl: Duration::from_secs(placement_offer_secs),
            offer_sweep_poll: Duration::from_secs(offer_sweep_secs),
            metrics_addr,
            metrics_token,
            hsts_max_age,
            trusted_proxies,
            app_public_url,
        })
    }
}

/// The `SMTP_*` settings: none without `SMTP_HOST`; with it, `SMTP_FROM` is required and the
/// credentials come in pairs.
fn smtp_settings(
    get: &impl Fn(&str) -> Option<String>,
) -> Result<Option<SmtpSettings>, ConfigError> {
    let Some(host) = get("SMTP_HOST").map(|h| h.trim().to_string()) else {
        for setting in [
            "SMTP_PORT",
            "SMTP_TLS",
            "SMTP_USERNAME",
            "SMTP_PASSWORD",
            "SMTP_FROM",
        ] {
            if get(setting).is_some() {
                return Err(ConfigError {
                    setting: "SMTP_HOST",
                    reason: format!("{setting} is set but SMTP_HOST is not"),
                });
            }
        }
        return Ok(None);
    };
    if host.contains("://") || host.contains('/') || host.contains(char::is_whitespace) {
        return Err(ConfigError {
            setting: "SMTP_HOST",
            reason: format!("{host:?} is not a host name such as smtp.example.ca"),
        });
    }
    let port = parse(get, "SMTP_PORT", DEFAULT_SMTP_PORT)?;
    if port == 0 {
        return Err(ConfigError {
            setting: "SMTP_PORT",
            reason: "must be greater than zero".into(),
        });
    }
    let tls = parse(get, "SMTP_TLS", SmtpTls::Required)?;
    if tls == SmtpTls::None && !is_loopback(&host) {
        return Err(ConfigError {
            setting: "SMTP_TLS",
            reason: format!(
                "none (mail in clear) is allowed only for a loopback host \
                 (127.0.0.1, ::1, localhost), not {host:?}"
            ),
        });
    }
    let username = get("SMTP_USERNAME");
    let password = get("SMTP_PASSWORD");
    match (&username, &password) {
        (Some(_), None) => {
            return Err(ConfigError {
                setting: "SMTP_PASSWORD",
                reason: "required when SMTP_USERNAME is set".into(),
            })
        }
        (None, Some(_)) => {
            return Err(ConfigError {
                setting: "SMTP_USERNAME",
                reason: "required when SMTP_PASSWORD is set".into(),
            })
        }
        _ => {}
    }
    let from = get("SMTP_FROM").ok_or(ConfigError {
        setting: "SMTP_FROM",
        reason: "required when SMTP_HOST is set (e.g. Peer Support Program <no-reply@example.ca>)"
            .into(),
    })?;
    let from = from.trim().to_string();
    if from.parse::<lettre::message::Mailbox>().is_err() {
        return Err(ConfigError {
            setting: "SMTP_FROM",
            reason: format!(
                "{from:?} is not an address such as no-reply@example.ca or \
                 Peer Support Program <no-reply@example.ca>"
            ),
        });
    }
    Ok(Some(SmtpSettings {
        host,
        port,
        tls,
        username,
        password,
        from,
    }))
}

/// A secret setting: at least `MIN_JWT_SECRET_BYTES` bytes when given, and required in
/// production (development generates one and keeps it in the data directory).
fn secret(
    get: &impl Fn(&str) -> Option<String>,
    setting: &'static str,
    app_env: AppEnv,
) -> Result<Option<String>, ConfigError> {
    match get(setting) {
        Some(secret) if secret.len() < MIN_JWT_SECRET_BYTES => Err(ConfigError {
            setting,
            reason: format!("must be at least {MIN_JWT_SECRET_BYTES} bytes"),
        }),
        None if app_env == AppEnv::Production => Err(ConfigError {
            setting,
            reason: format!("required in production (at least {MIN_JWT_SECRET_BYTES} bytes)"),
        }),
        value => Ok(value),
    }
}

fn parse<T: FromStr>(
    get: &impl Fn(&str) -> Option<String>,
    setting: &'static str,
    default: T,
) -> Result<T, ConfigError>
where
    T::Err: fmt::Display,
{
    match get(setting) {
        None => Ok(default),
        Some(raw) => raw.trim().parse().map_err(|e: T::Err| ConfigError {
            setting,
            reason: format!("{raw:?}: {e}"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn defaults_serve_sqlite_on_localhost() {
        let c = config(&[]).unwrap();
        assert_eq!(c.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(c.bind_addr, "127.0.0.1:8080");
        assert_eq!(c.app_env, AppEnv::Development);
        assert!(c.swagger_ui);
        assert!(c.cors_allowed_origins.is_empty());
    }

    #[test]
    fn invalid_settings_name_themselves() {
        assert_eq!(
            config(&[("DATABASE_POOL_SIZE", "ten")])
                .unwrap_err()
                .setting,
            "DATABASE_POOL_SIZE"
        );
        assert_eq!(
            config(&[("BIND_ADDR", "localhost")]).unwrap_err().setting,
            "BIND_ADDR"
        );
        assert_eq!(
            config(&[("APP_ENV", "staging")]).unwrap_err().setting,
            "APP_ENV"
        );
        assert_eq!(
            config(&[("CORS_ALLOWED_ORIGINS", "*")])
                .unwrap_err()
                .setting,
            "CORS_ALLOWED_ORIGINS"
        );
        assert_eq!(
            config(&[("DATABASE_URL", "mysql://x")])
                .unwrap_err()
                .setting,
            "DATABASE_URL"
        );
        assert_eq!(
            config(&[("REQUEST_TIMEOUT_SECS", "0")])
                .unwrap_err()
                .setting,
            "REQUEST_TIMEOUT_SECS"
        );
    }

    #[test]
    fn jwt_secret_rules() {
        let short = config(&[("JWT_SECRET", "too-short")]).unwrap_err();
        assert_eq!(short.setting, "JWT_SECRET");
        let missing = config(&[("APP_ENV", "production")]).unwrap_err();
        assert_eq!(missing.setting, "JWT_SECRET");
        assert!(config(&[]).unwrap().jwt_secret.is_none());
    }

    #[test]
    fn production_needs_the_feedback_key_secret_too() {
        let jwt = ("JWT_SECRET", "0123456789abcdef0123456789abcdef");
        let missing = config(&[("APP_ENV", "production"), jwt]).unwrap_err();
        assert_eq!(missing.setting, "FEEDBACK_KEY_SECRET");
        assert!(config(&[jwt]).unwrap().feedback_key_secret.is_none());
    }

    #[test]
    fn smtp_is_off_by_default_and_its_settings_name_themselves() {
        let c = config(&[]).unwrap();
        assert!(c.smtp.is_none());
        assert_eq!(c.notification_poll, Duration::from_secs(5));
        let host = ("SMTP_HOST", "smtp.example.ca");
        let from = ("SMTP_FROM", "Peer Support Program <no-reply@example.ca>");
        let smtp = config(&[host, from]).unwrap().smtp.unwrap();
        assert_eq!(smtp.port, DEFAULT_SMTP_PORT);
        assert_eq!(smtp.username, None);
        let with_login = config(&[
            host,
            from,
            ("SMTP_PORT", "465"),
            ("SMTP_USERNAME", "mailer"),
            ("SMTP_PASSWORD", "hunter2-but-longer"),
        ])
        .unwrap();
        let smtp = with_login.smtp.unwrap();
        assert_eq!(smtp.port, 465);
        assert!(!format!("{smtp:?}").contains("hunter2"));
        for (pairs, setting) in [
            (vec![host], "SMTP_FROM"),
            (vec![host, ("SMTP_FROM", "not an address")], "SMTP_FROM"),
            (vec![host, from, ("SMTP_PORT", "0")], "SMTP_PORT"),
            (vec![host, from, ("SMTP_PORT", "smtp")], "SMTP_PORT"),
            (
                vec![host, from, ("SMTP_USERNAME", "mailer")],
                "SMTP_PASSWORD",
            ),
            (
                vec![host, from, ("SMTP_PASSWORD", "secret")],
                "SMTP_USERNAME",
            ),
            (
                vec![("SMTP_HOST", "smtp://smtp.example.ca"), from],
                "SMTP_HOST",
            ),
            (vec![from], "SMTP_HOST"),
            (
                vec![("NOTIFICATION_POLL_SECS", "0")],
                "NOTIFICATION_POLL_SECS",
            ),
            (
                vec![("NOTIFICATION_POLL_SECS", "soon")],
                "NOTIFICATION_POLL_SECS",
            ),
        ] {
            assert_eq!(config(&pairs).unwrap_err().setting, setting, "{pairs:?}");
        }
    }

    #[test]
    fn smtp_in_clear_only_to_a_loopback_host_and_production_needs_a_mail_server() {
        let from = ("SMTP_FROM", "no-reply@example.ca");
        let none = ("SMTP_TLS", "none");
        for host in ["127.0.0.1", "::1", "[::1]", "localhost"] {
            let smtp = config(&[("SMTP_HOST", host), from, none]).unwrap().smtp;
            assert_eq!(smtp.unwrap().tls, SmtpTls::None, "{host}");
        }
        for host in ["smtp.example.ca", "10.0.0.5", "localhost.example.ca"] {
            let refused = config(&[("SMTP_HOST", host), from, none]).unwrap_err();
            assert_eq!(refused.setting, "SMTP_TLS", "{host}");
        }
        let tls = config(&[("SMTP_HOST", "smtp.example.ca"), from]).unwrap();
        assert_eq!(tls.smtp.unwrap().tls, SmtpTls::Required);
        assert_eq!(
            config(&[("SMTP_TLS", "none")]).unwrap_err().setting,
            "SMTP_HOST"
        );
        let production = config(&[
            ("APP_ENV", "production"),
            ("JWT_SECRET", "0123456789abcdef0123456789abcdef"),
            ("FEEDBACK_KEY_SECRET", "fedcba9876543210fedcba9876543210"),
        ]);
        assert_eq!(production.unwrap_err().setting, "SMTP_HOST");
    }

    #[test]
    fn production_hides_swagger_ui_unless_asked() {
        let secret = ("JWT_SECRET", "0123456789abcdef0123456789abcdef");
        let feedback = ("FEEDBACK_KEY_SECRET", "fedcba9876543210fedcba9876543210");
        let smtp = ("SMTP_HOST", "smtp.example.ca");
        let from = ("SMTP_FROM", "no-reply@example.ca");
        assert_eq!(
            config(&[
                ("APP_ENV", "production"),
                secret,
                ("FEEDBACK_KEY_SECRET", "short")
            ])
            .unwrap_err()
            .setting,
            "FEEDBACK_KEY_SECRET"
        );
        assert!(
            !config(&[("APP_ENV", "production"), secret, feedback, smtp, from])
                .unwrap()
                .swagger_ui
        );
        let asked = config(&[
            ("APP_ENV", "production"),
            ("SWAGGER_UI", "true"),
            secret,
            feedback,
            smtp,
            from,
        ]);
        assert!(asked.unwrap().swagger_ui);
    }
}
