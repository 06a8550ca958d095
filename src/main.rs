//! The `peer-support-api` command line: serve (the default), migrate, openapi.

use clap::{Parser, Subcommand};
use peer_support_api::{config::Config, db};

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
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let config = Config::from_env().map_err(|e| e.to_string())?;
    match command {
        Command::Migrate => {
            let applied = db::connect_and_migrate(&config.database_url)?;
            println!("{applied} migrations applied");
            Ok(())
        }
        _ => actix_web::rt::System::new().block_on(peer_support_api::serve(config)),
    }
}
