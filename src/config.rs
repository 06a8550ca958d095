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
}

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
        let jwt_secret = get("JWT_SECRET");
        match &jwt_secret {
            Some(secret) if secret.len() < MIN_JWT_SECRET_BYTES => {
                return Err(ConfigError {
                    setting: "JWT_SECRET",
                    reason: format!("must be at least {MIN_JWT_SECRET_BYTES} bytes"),
                })
            }
            None if app_env == AppEnv::Production => {
                return Err(ConfigError {
                    setting: "JWT_SECRET",
                    reason: format!(
                        "required in production (at least {MIN_JWT_SECRET_BYTES} bytes)"
                    ),
                })
            }
            _ => {}
        }
        let access_token_ttl_secs = parse(&get, "ACCESS_TOKEN_TTL_SECS", 900u64)?;
        let refresh_token_ttl_days = parse(&get, "REFRESH_TOKEN_TTL_DAYS", 30u64)?;
        let auth_rate_limits = parse(&get, "AUTH_RATE_LIMITS", true)?;
        for (setting, value) in [
            ("ACCESS_TOKEN_TTL_SECS", access_token_ttl_secs),
            ("REFRESH_TOKEN_TTL_DAYS", refresh_token_ttl_days),
            ("BODY_LIMIT_BYTES", body_limit_bytes as u64),
            ("DATABASE_POOL_SIZE", database_pool_size as u64),
            ("DATABASE_TIMEOUT_MS", timeout_ms),
            ("REQUEST_TIMEOUT_SECS", request_timeout_secs),
            ("WORKERS", workers as u64),
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
        })
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
    fn production_hides_swagger_ui_unless_asked() {
        let secret = ("JWT_SECRET", "0123456789abcdef0123456789abcdef");
        assert!(
            !config(&[("APP_ENV", "production"), secret])
                .unwrap()
                .swagger_ui
        );
        let asked = config(&[("APP_ENV", "production"), ("SWAGGER_UI", "true"), secret]);
        assert!(asked.unwrap().swagger_ui);
    }
}
