//! `zhifa standard export --format json|markdown`.

use std::process::ExitCode;

use anyhow::Result;
use zhifa_domain::standard::Standard;

use crate::cli::{StandardCmd, StandardFormat};

/// Prints the data standard.
pub fn run(action: StandardCmd) -> Result<ExitCode> {
    match action {
        StandardCmd::Export { format } => {
            let std = Standard::builtin();
            match format {
                StandardFormat::Json => println!("{}", std.to_json()),
                StandardFormat::Markdown => print!("{}", std.to_markdown()),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
