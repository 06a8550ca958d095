//! The `peer-support-api` command line: serve (the default), migrate, openapi, create-admin,
//! seed-demo.

use clap::{Parser, Subcommand};
use peer_support_api::{config::Config, db, users};

#[derive(Parser)]
#[command(name = "peer-support-api", version, about = "Peer Support API server")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Apply migrations and serve HTTP (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI contract as JSON.
    Openapi,
    /// Seed demo accounts (one per role, passwords printed), groups, sessions and directory
    /// listings; refused when APP_ENV=production.
    SeedDemo,
    /// Create an admin account (password from ADMIN_PASSWORD, or asked for on a terminal).
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Administrator")]
        display_name: String,
    },
}

fn main() {
    let cli = Cli::parse();
    if let Err(message) = run(cli.command.unwrap_or(Command::Serve)) {
        eprintln!("error: {message}");
        std::process::exit(1);
    }
}

fn run(command: Command) -> Result<(), String> {
    if let Command::Openapi = command {
        let api = peer_support_api::api_doc();
        let json = serde_json::to_string_pretty(&api).map_err(|e| e.to_string())?;
        println!("{json}");
        return Ok(());
    }
    // A missing .env is normal; a broken one is not.
    if let Err(e) = dotenvy::dotenv() {
        if !e.not_found() {
            return Err(format!("cannot read .env: {e}"));
        }
    }
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info"))
        .format(peer_support_api::log_format)
        .init();
    let config = Config::from_env().map_err(|e| e.to_string())?;
    match command {
        Command::Migrate => {
            let applied = db::connect_and_migrate(config.migration_url())?;
            println!("{applied} migrations applied");
            Ok(())
        }
        Command::SeedDemo => {
            let data = peer_support_api::demo::seed(&config)?;
            println!(
                "Demo data seeded: {} groups, {} sessions, {} directory listings, {} consent documents.",
                data.groups, data.sessions, data.listings, data.consent_documents
            );
            println!("\nDemo accounts (these passwords are shown only now):");
            for account in &data.accounts {
                println!(
                    "  {:<28} {:<40} {}",
                    account.role.as_str(),
                    account.email,
                    account.password
                );
            }
            println!(
                "\nDemo partner client: client_id {} client_secret {}",
                data.partner_client_id, data.partner_client_secret
            );
            Ok(())
        }
        Command::CreateAdmin {
            email,
            display_name,
        } => {
            let password = match std::env::var("ADMIN_PASSWORD") {
                Ok(p) if !p.is_empty() => p,
                _ => rpassword::prompt_password("Password for the new admin (12+ characters): ")
                    .map_err(|e| {
                        format!("ADMIN_PASSWORD is not set and no terminal to ask on: {e}")
                    })?,
            };
            db::connect_and_migrate(config.migration_url())?;
            let id = users::service::create_first_admin(
                &config.database_url,
                &email,
                &password,
                &display_name,
            )?;
            println!("admin {email} created (id {id})");
            Ok(())
        }
        _ => actix_web::rt::System::new().block_on(peer_support_api::serve(config)),
    }
}
