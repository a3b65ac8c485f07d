//! `proplink`: the PropLink server and its operations commands.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};
use proplink_backend::config::{Config, Settings};
use proplink_backend::services::audit::checkpoints::{self, Checkpoints};
use proplink_backend::{App, clock::Clock, demo, doors, services, store};

/// A page allocates many small strings; mimalloc serves them with a fraction of glibc's work
/// (measured in docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "proplink",
    version,
    about = "PropLink: property management for managing agents, their residents, contractors and site staff."
)]
#[command(
    long_about = "PropLink: property management for managing agents, their residents, contractors and site staff.\n\n\
With no configuration it keeps its data in an embedded SQLite database under ./data and serves on 127.0.0.1:8080. \
`serve` needs a mail server for sign-in codes (--smtp-url), or --dev to try PropLink on your own machine. \
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
    Demo {
        /// Make Acme this many times larger: buildings, units, people, invoices, requests and work orders
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=100))]
        scale: u32,
    },
    /// Manage organisations
    #[command(subcommand)]
    Org(OrgCommand),
    /// Work with the audit trail
    #[command(subcommand)]
    Audit(AuditCommand),
    /// The VAPID key that signs push notifications
    #[command(subcommand)]
    Vapid(VapidCommand),
}

#[derive(Subcommand)]
enum VapidCommand {
    /// Print the public key browsers and devices subscribe with (made at first start)
    PublicKey,
    /// Make a new key for new subscriptions; existing ones stay signed with the key they were
    /// made with, and browsers subscribe again when they see the new public key
    Rotate,
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
    /// Re-compute every organisation's hash chain and hold it to the signed checkpoints; exits
    /// non-zero if any event was changed, removed or re-chained, or the trail was cut short
    Verify {
        /// Check against this copy of the checkpoints instead of the checkpoint file
        #[arg(long)]
        checkpoints: Option<PathBuf>,
    },
    /// Sign every organisation's current chain head into the checkpoint file now
    Checkpoint,
    /// Print the public key that signs checkpoints, for checking an exported copy elsewhere
    PublicKey,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PROPLINK_LOG")
                .unwrap_or_else(|_| "info,tower_http=warn,refinery_core=warn".into()),
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
    if let Command::Serve = cli.command {
        if let Some(problem) = config.serve_problem() {
            anyhow::bail!("PropLink cannot serve: {problem}");
        }
    }
    let app = App::start(config, Clock::system()).await?;
    match cli.command {
        Command::Migrate => {
            println!(
                "The database at {} is up to date.",
                store::redact(&app.config.database_url)
            );
        }
        Command::Serve => serve(app).await?,
        Command::Demo { scale } => {
            for line in demo::create(&app, scale).await? {
                println!("{line}");
            }
            checkpoints::write(&app).await?;
            println!("\nServe it with `proplink serve --dev` (the same settings), then open:");
            for line in demo::sign_in_hints(&app.config) {
                println!("  {line}");
            }
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
            for org in services::orgs::all(&app)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?
            {
                println!(
                    "{:<20} {:<40} {}/",
                    org.slug,
                    org.name,
                    app.config.admin_url(&org.slug)
                );
            }
        }
        Command::Audit(AuditCommand::Verify { checkpoints: file }) => {
            return verify(&app, file).await;
        }
        Command::Audit(AuditCommand::Checkpoint) => {
            let n = checkpoints::write(&app).await?;
            println!(
                "Signed {n} chain head{} into {}.",
                if n == 1 { "" } else { "s" },
                app.config.audit_checkpoint_file.display()
            );
        }
        Command::Audit(AuditCommand::PublicKey) => {
            println!("{}", hex::encode(app.secrets.audit_public_key().as_bytes()));
        }
        Command::Vapid(VapidCommand::PublicKey) => {
            let key = services::push::public_key(&app)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            println!("{key}");
        }
        Command::Vapid(VapidCommand::Rotate) => {
            let key = services::push::rotate(&app)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            println!("New subscriptions now use the VAPID public key {key}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn verify(app: &App, file: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let path = file.unwrap_or_else(|| app.config.audit_checkpoint_file.clone());
    let signed = Checkpoints::read(&path, &app.secrets.audit_public_key())?;
    let mut broken = !signed.problems.is_empty();
    for p in &signed.problems {
        println!("checkpoints: {p}");
    }
    for report in services::audit::verify(&app.db, &signed).await? {
        let held = match report.checkpoint {
            Some((seq, at)) => format!(
                "held to the checkpoint at event {seq} signed {}",
                proplink_shared::london::format_date_time(at)
            ),
            None => "no signed checkpoint yet: a trail cut short would not show".into(),
        };
        if report.problems.is_empty() {
            println!(
                "{}: {} events, chain intact, {held}",
                report.slug, report.events
            );
        } else {
            broken = true;
            println!("{}: {} events, TRAIL BROKEN", report.slug, report.events);
            for p in report.problems {
                println!("  - {p}");
            }
        }
    }
    Ok(if broken {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

async fn serve(app: App) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(app.config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", app.config.listen))?;
    let local = listener.local_addr()?;
    // Links name the port actually served when no public port was set.
    let mut config: Config = (*app.config).clone();
    if config.public_port == Some(app.config.listen.port()) {
        config.public_port = Some(local.port());
    }
    let app = App {
        config: std::sync::Arc::new(config),
        ..app
    };
    println!("PropLink is listening on http://{local}");
    if app.config.dev {
        println!(
            "DEVELOPMENT MODE: sign-in codes are shown to anyone who can reach this server, at <admin app>/dev/mailbox. \
             Never use --dev for a server others can reach."
        );
    }
    let orgs = services::orgs::all(&app)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
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
    // The VAPID key is made at first start, before any browser asks for it.
    services::push::public_key(&app)
        .await
        .map_err(|e| anyhow::anyhow!("making the VAPID key: {e:?}"))?;
    app.hear_changes();
    tokio::spawn(services::mail::run_sender(app.clone()));
    tokio::spawn(services::push::sender::run_sender(app.clone()));
    tokio::spawn(checkpoints::run(app.clone(), Duration::from_secs(60)));
    tokio::spawn(services::maintenance::run(app.clone()));
    tokio::spawn(services::payments::run_reconciler(app.clone()));
    tokio::spawn(services::golden_thread::fire_safety::run(app.clone()));
    let router = doors::router(app.clone());
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await?;
    // The last changes are signed before the process goes.
    if let Err(e) = checkpoints::write(&app).await {
        eprintln!("could not write the final audit checkpoint: {e:#}");
    }
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
