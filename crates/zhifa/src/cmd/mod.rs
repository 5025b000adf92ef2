//! Command dispatch.

mod bench;
mod bench_cases;
mod bench_dashboards;
mod bench_import;
mod bench_supervision;
mod calendar;
mod check;
mod export;
mod import;
mod laws;
mod ledger;
mod ledger_bundle;
mod serve;
mod standard;
mod users;

use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::cli::{Cli, Command, ServeArgs};
use crate::config::{Config, Overrides};

/// Runs one command and returns the process exit code.
pub fn run(cli: Cli) -> Result<ExitCode> {
    let flags = cli.overrides();
    match cli.command {
        Command::Check { kind, value } => Ok(check::run(kind, &value)),
        Command::Standard { action } => standard::run(action),
        Command::Calendar { query } => {
            let config = Config::load(cli.config.as_deref(), &flags)?;
            runtime()?.block_on(calendar::run(query, &config))
        }
        Command::Ledger { action } => ledger::run(action, cli.config.as_deref(), &flags),
        Command::Bench { what } => bench::run(
            what,
            flags
                .database_url
                .clone()
                .or_else(|| std::env::var("ZHIFA_DATABASE_URL").ok()),
        ),
        Command::Laws { action } => {
            let config = Config::load(cli.config.as_deref(), &flags)?;
            runtime()?.block_on(laws::run(action, &config))
        }
        Command::Users { action } => {
            let config = Config::load(cli.config.as_deref(), &flags)?;
            runtime()?.block_on(users::run(action, &config))
        }
        Command::Migrate => {
            let config = Config::load(cli.config.as_deref(), &flags)?;
            runtime()?.block_on(async {
                crate::node::open_store(&config).await?;
                println!("数据库迁移完成（{}）", config.database_kind());
                Ok(ExitCode::SUCCESS)
            })
        }
        Command::Export(args) => {
            let config = Config::load(cli.config.as_deref(), &flags)?;
            runtime()?.block_on(export::run(args, &config))
        }
        Command::Import(args) => {
            let config = Config::load(cli.config.as_deref(), &flags)?;
            runtime()?.block_on(import::run(args, &config))
        }
        Command::Serve(args) => serve(cli.config.as_deref(), flags, args, false),
        Command::Demo(args) => serve(cli.config.as_deref(), flags, args, true),
    }
}

fn serve(
    file: Option<&std::path::Path>,
    mut flags: Overrides,
    args: ServeArgs,
    demo: bool,
) -> Result<ExitCode> {
    flags.bind = args.bind;
    let config = Config::load(file, &flags)?;
    runtime()?.block_on(serve::run(config, demo, args.no_serve))
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("while starting the async runtime")
}
