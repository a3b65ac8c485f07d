//! `proplink`: the PropLink server and its operations commands.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use proplink_backend::config::Settings;
use proplink_backend::{App, clock::Clock, demo, doors, services, store};

#[derive(Parser)]
#[command(
    name = "proplink",
    version,
    about = "PropLink: property management for managing agents, their residents, contractors and site staff."
)]
#[command(
    long_about = "PropLink: property management for managing agents, their residents, contractors and site staff.\n\n\
With no configuration at all it keeps its data in an embedded SQLite database under ./data and serves on 127.0.0.1:8080. \
Every setting below can also come from the environment variable shown or from a TOML file given with --config."
)]
struct Cli {
    /// A TOML file of settings (keys as the long flags, with `_` for `-`); flags and environment win over it
    #[arg(long, env = "PROPLINK_CONFIG", global = true)]
    config: Option<PathBuf>,

    #[command(flatten)]
    settings: Settings,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve every door: the admin app, ResidencePort, BuildingThread, ContractorPort and the API
    Serve,
    /// Create or bring the database schema up to date, then exit
    Migrate,
    /// Create the demo organisations "Acme Estates" (acme) and "Birchwood Residential" (birchwood); safe to run again
    Demo,
    /// Manage organisations
    #[command(subcommand)]
    Org(OrgCommand),
    /// Work with the audit trail
    #[command(subcommand)]
    Audit(AuditCommand),
}

#[derive(Subcommand)]
enum OrgCommand {
    /// Create an organisation and its Organisation Owner
    Create {
        /// Subdomain, e.g. "acme" for acme.proplink.localhost
        #[arg(long)]
        slug: String,
        /// The organisation's name, e.g. "Acme Estates"
        #[arg(long)]
        name: String,
        /// Email address of the first user, who becomes the Organisation Owner
        #[arg(long)]
        owner_email: String,
        /// Name of the first user
        #[arg(long)]
        owner_name: String,
    },
    /// List organisations and their admin app addresses
    List,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Re-compute every organisation's hash chain; exits non-zero if any event was changed or removed
    Verify,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PROPLINK_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let config = cli.settings.with_file(cli.config.as_deref())?.resolve()?;
    let app = App::start(config, Clock::system()).await?;
    match cli.command {
        Command::Migrate => {
            println!(
                "The database at {} is up to date.",
                store::redact(&app.config.database_url)
            );
        }
        Command::Serve => serve(app).await?,
        Command::Demo => {
            let report = demo::create(&app).await?;
            for line in report {
                println!("{line}");
            }
            println!(
                "\nSign in at {}/ as mark.manager@acme.example (Manager) or olivia.owner@acme.example (Owner).",
                app.config.admin_url("acme")
            );
        }
        Command::Org(OrgCommand::Create {
            slug,
            name,
            owner_email,
            owner_name,
        }) => {
            let new = proplink_shared::records::NewOrganisation::validate(&name, &slug)
                .map_err(|e| anyhow::anyhow!(e.summary()))?;
            let org =
                services::orgs::create(&app, &new, Default::default(), &owner_email, &owner_name)
                    .await
                    .map_err(|e| anyhow::anyhow!(e.public_message()))?;
            println!(
                "Created {} at {}/",
                org.name,
                app.config.admin_url(&org.slug)
            );
        }
        Command::Org(OrgCommand::List) => {
            let mut conn = app.db.read().await?;
            for org in store::orgs::all(&mut conn).await? {
                println!(
                    "{:<20} {:<40} {}/",
                    org.slug,
                    org.name,
                    app.config.admin_url(&org.slug)
                );
            }
        }
        Command::Audit(AuditCommand::Verify) => {
            let mut broken = false;
            for report in services::audit::verify(&app.db).await? {
                if report.problems.is_empty() {
                    println!("{}: {} events, chain intact", report.slug, report.events);
                } else {
                    broken = true;
                    println!("{}: {} events, CHAIN BROKEN", report.slug, report.events);
                    for p in report.problems {
                        println!("  - {p}");
                    }
                }
            }
            if broken {
                return Ok(ExitCode::FAILURE);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn serve(app: App) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(app.config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", app.config.listen))?;
    let local = listener.local_addr()?;
    tokio::spawn(services::mail::run_sender(app.clone()));
    println!("PropLink is listening on http://{local}");
    {
        let mut conn = app.db.read().await?;
        let orgs = store::orgs::all(&mut conn).await?;
        if orgs.is_empty() {
            println!("No organisations yet: run `proplink demo` or `proplink org create`.");
        }
        for org in orgs {
            println!(
                "  {} admin app: {}/",
                org.name,
                app.config.admin_url(&org.slug)
            );
        }
    }
    if app.config.dev_mailbox() {
        println!(
            "No SMTP server configured: sign-in codes appear in the dev mailbox at <admin app>/dev/mailbox"
        );
    }
    let router = doors::router(app.clone());
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await?;
    app.db.close().await;
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
