//! `zhifa` — the one binary of the Zhifa (执法) platform: serves a node, loads the demo, runs
//! migrations and answers everyday questions (identifier checks, the legal calendar, the data
//! standard, the law corpus) from the command line.

mod cli;
mod cmd;
mod config;
mod demo;
mod ledger_keys;
mod node;

use std::process::ExitCode;

use clap::Parser;

/// mimalloc rather than glibc's allocator: the write path allocates many small, short-lived
/// buffers (events, SQL arguments, JSON), where glibc spent ~20 % of a demo load.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ZHIFA_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    match cmd::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误：{e:#}");
            ExitCode::from(2)
        }
    }
}
