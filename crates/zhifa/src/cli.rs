//! Command-line interface (clap).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::Overrides;

/// Zhifa (执法): administrative law enforcement and supervision platform.
#[derive(Debug, Parser)]
#[command(name = "zhifa", version, about)]
pub struct Cli {
    /// Configuration file (default: ./zhifa.toml if present).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Data directory (overrides `data_dir` / ZHIFA_DATA_DIR).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Database URL, `sqlite://…` or `postgres://…` (overrides ZHIFA_DATABASE_URL).
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// The flag layer of the configuration.
    pub fn overrides(&self) -> Overrides {
        Overrides {
            data_dir: self.data_dir.clone(),
            database_url: self.database_url.clone(),
            ..Overrides::default()
        }
    }
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the data directory, load reference and demo data, and serve (演示).
    Demo(ServeArgs),
    /// Serve a node with an existing data directory or a PostgreSQL URL (服务).
    Serve(ServeArgs),
    /// Run the embedded database migrations (数据库迁移).
    Migrate,
    /// Check an identifier: exit 0 valid, 1 invalid (标识校验).
    Check {
        /// What the value is.
        kind: CheckKind,
        /// The value.
        value: String,
    },
    /// Legal calendar questions in working days (法定工作日历, APL Art. 85).
    Calendar {
        /// The question.
        #[command(subcommand)]
        query: CalendarCmd,
    },
    /// The data standard (数据元和代码集).
    Standard {
        /// What to do with it.
        #[command(subcommand)]
        action: StandardCmd,
    },
    /// The law corpus (法律法规库).
    Laws {
        /// What to do with it.
        #[command(subcommand)]
        action: LawsCmd,
    },
}

/// Options of `serve` and `demo`.
#[derive(Debug, Args, Clone)]
pub struct ServeArgs {
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long, value_name = "ADDR")]
    pub bind: Option<String>,
    /// Prepare everything, print the summary and exit without serving.
    #[arg(long)]
    pub no_serve: bool,
}

/// Identifier kinds for `zhifa check`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CheckKind {
    /// Unified social credit code (统一社会信用代码, GB 32100-2015).
    Uscc,
    /// Citizen ID number (公民身份号码, GB 11643-1999).
    Idcard,
    /// Region code (行政区划代码, GB/T 2260).
    Region,
    /// Enforcement certificate number (执法证号).
    Cert,
}

/// `zhifa calendar …`
#[derive(Debug, Subcommand)]
pub enum CalendarCmd {
    /// Is DATE a working day? (exit 0 yes, 1 no)
    Workday {
        /// Date (YYYY-MM-DD).
        date: String,
    },
    /// The date N working days (default) or N calendar days after DATE.
    Add {
        /// Start date: the day of the triggering act; counting starts the next day.
        date: String,
        /// Number of days.
        days: u32,
        /// Count calendar days instead of working days.
        #[arg(long)]
        calendar: bool,
    },
    /// Number of working days after FROM up to and including TO.
    Between {
        /// From (exclusive).
        from: String,
        /// To (inclusive).
        to: String,
    },
    /// Load an official holiday table (CSV `date,kind,festival`) into the node's database.
    Load {
        /// The CSV file.
        file: PathBuf,
    },
    /// Print the calendar table in force (CSV).
    Export,
}

/// `zhifa standard …`
#[derive(Debug, Subcommand)]
pub enum StandardCmd {
    /// Print the data standard.
    Export {
        /// Output format.
        #[arg(long, value_enum, default_value = "json")]
        format: StandardFormat,
    },
}

/// Output formats of the standard.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum StandardFormat {
    /// Machine-readable JSON.
    Json,
    /// Markdown documentation (published as docs/data-standard.md).
    Markdown,
}

/// `zhifa laws …`
#[derive(Debug, Subcommand)]
pub enum LawsCmd {
    /// Parse a corpus folder (default: the compiled-in corpus) and print the summary and
    /// every failure, without touching a database.
    Parse {
        /// Corpus folder.
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Import the corpus into the node's database.
    Import {
        /// Corpus folder.
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}
