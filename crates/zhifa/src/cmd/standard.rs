//! `zhifa standard export --format json|markdown` and `zhifa standard schema [TYPE]
//! [--version v1]` (the JSON Schemas of the standard exchange format).

use std::process::ExitCode;

use anyhow::{Result, anyhow};
use zhifa_domain::standard::Standard;
use zhifa_exchange::schema::{all_schemas, json_schema};
use zhifa_exchange::{RecordType, Version};

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
        StandardCmd::Schema {
            record_type,
            version,
        } => {
            let version = Version::parse(&version).map_err(|e| anyhow!("{}", e.message))?;
            let schema = match record_type {
                Some(t) => {
                    let t = RecordType::parse(&t).map_err(|e| anyhow!("{}", e.message))?;
                    json_schema(t, version)
                }
                None => all_schemas(version),
            };
            println!("{}", serde_json::to_string_pretty(&schema)?);
        }
    }
    Ok(ExitCode::SUCCESS)
}
