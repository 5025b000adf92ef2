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
    /// The whole-process record ledger (全过程记录账本, APL Art. 47; 118号).
    Ledger {
        /// What to do with it.
        #[command(subcommand)]
        action: LedgerCmd,
    },
    /// Benchmarks against an in-process reference measured in the same run (性能基准).
    Bench {
        /// Which benchmark.
        #[command(subcommand)]
        what: BenchCmd,
    },
    /// User accounts and API tokens (账号与令牌).
    Users {
        /// What to do.
        #[command(subcommand)]
        action: UsersCmd,
    },
    /// Export records for another system (数据导出), e.g. the 双公示 行政处罚 records.
    Export(ExportArgs),
    /// Import a department system's export through a mapping file (数据导入, 汇聚).
    Import(ImportArgs),
}

/// Options of `zhifa import`.
#[derive(Debug, Args, Clone)]
pub struct ImportArgs {
    /// The mapping file (TOML, docs/exchange-mapping.md).
    #[arg(long, value_name = "FILE")]
    pub mapping: PathBuf,
    /// The export to import (CSV in UTF-8 or GBK/GB18030, XLSX or JSON Lines).
    #[arg(value_name = "INPUT")]
    pub input: PathBuf,
    /// Map and validate only: write the report, store nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Write the validation report here (`.html` for HTML, else CSV): every rejected row with
    /// line, column, element, rule and value.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Records per transaction.
    #[arg(long, default_value_t = 1000, value_name = "N")]
    pub batch: usize,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

/// Options of `zhifa export`.
#[derive(Debug, Args, Clone)]
pub struct ExportArgs {
    /// Record format: `shuanggongshi` (双公示 行政处罚信息: published penalty decisions,
    /// amounts in 万元, a natural person's name and ID masked).
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// Only decisions made on or after this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub since: Option<chrono::NaiveDate>,
    /// Output file (default: standard output).
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// CSV with a header row of the field names (the default).
    #[arg(long, conflicts_with = "json")]
    pub csv: bool,
    /// JSON Lines: one record per line.
    #[arg(long)]
    pub json: bool,
}

/// Formats of `zhifa export`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    /// 双公示 行政处罚信息 (信用中国 upload field set).
    Shuanggongshi,
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
    /// Print the JSON Schema of a record type of the standard exchange format (交换格式), or
    /// of every record type when none is given.
    Schema {
        /// Record type: subject, officer, matter, case, case_event, decision, inspection.
        record_type: Option<String>,
        /// Exchange format version.
        #[arg(long, default_value = "v1")]
        version: String,
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

/// `zhifa users …`
#[derive(Debug, Subcommand)]
pub enum UsersCmd {
    /// Create an account; the password is read from stdin or generated and printed once.
    Add {
        /// Login name (`[a-z0-9_.-]{3,32}`).
        username: String,
        /// Display name (default: the login name).
        #[arg(long)]
        name: Option<String>,
        /// Role: officer, reviewer, head, supervisor or admin.
        #[arg(long)]
        role: String,
        /// Enforcement subject id (officer, reviewer, head).
        #[arg(long)]
        subject_id: Option<String>,
        /// Officer record id linked to the account.
        #[arg(long)]
        officer_id: Option<String>,
        /// Region code supervised (supervisor), e.g. 440100.
        #[arg(long)]
        region: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List accounts.
    List,
    /// Disable an account and end its sessions.
    Disable {
        /// Login name.
        username: String,
    },
    /// Reset a password (and lift a login lock).
    Password {
        /// Login name.
        username: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// API tokens for machine clients.
    Token {
        /// What to do.
        #[command(subcommand)]
        action: TokenCmd,
    },
}

/// `zhifa users token …`
#[derive(Debug, Subcommand)]
pub enum TokenCmd {
    /// Create a token acting in the data scope of an account; prints the secret once.
    Create {
        /// Owner account (login name).
        owner: String,
        /// Name of the client, e.g. `市局业务系统`.
        #[arg(long)]
        name: String,
        /// Scopes, comma-separated: read, write.
        #[arg(long, default_value = "read")]
        scope: String,
    },
    /// List tokens (never their secrets).
    List,
    /// Revoke a token by id.
    Revoke {
        /// Token id.
        id: String,
    },
}

/// `zhifa ledger …`
#[derive(Debug, Subcommand)]
pub enum LedgerCmd {
    /// Re-hash every change row and evidence file, rebuild the tree, check every checkpoint;
    /// exit 0 intact, 1 not (reports the first bad entry).
    Verify {
        /// Trusted verifier key (vkey text or a file holding it); default: the node's keys.
        #[arg(long, value_name = "PUBKEY")]
        key: Vec<String>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Sign a checkpoint now if the ledger grew; print the latest checkpoint.
    Checkpoint,
    /// Print the node's public verifier keys (vkey text, one a line), creating the keys on
    /// first use.
    Keys,
    /// Write an offline proof bundle for one change (seq, or record id: its newest change), a
    /// case event (`ce:SEQ`, or a case id or number: its decision, else its newest event) or an
    /// evidence file (SM3).
    Prove {
        /// Change seq, record id, `ce:SEQ`, case id or number, or evidence SM3.
        #[arg(long, value_name = "SEQ|ID|ce:SEQ|CASE|SM3")]
        event: String,
        /// Output file (default: stdout).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Check a proof bundle without any database: exit 0 valid, 1 invalid, 2 unreadable.
    VerifyBundle {
        /// The bundle (JSON).
        file: PathBuf,
        /// Trusted verifier key (vkey text or a file holding it).
        #[arg(long, value_name = "PUBKEY", required = true)]
        key: Vec<String>,
    },
    /// Check a bare inclusion or consistency proof (JSON): exit 0 valid, 1 invalid,
    /// 2 unreadable.
    VerifyProof {
        /// The proof (JSON; `-` for stdin).
        file: PathBuf,
    },
}

/// `zhifa bench …`
#[derive(Debug, Subcommand)]
pub enum BenchCmd {
    /// P1: case commands per second through HTTP, rules, events, projection and ledger, at
    /// several numbers of concurrent clients, vs the database's raw one-row transactions.
    /// With `--database-url postgres://…` (or ZHIFA_DATABASE_URL) PostgreSQL is measured too.
    Cases {
        /// Seconds per measurement.
        #[arg(long, default_value_t = 5.0)]
        seconds: f64,
        /// Concurrent clients, comma-separated.
        #[arg(long, value_delimiter = ',', default_values_t = [1usize, 16, 64])]
        clients: Vec<usize>,
        /// Also write the results as JSON to this file.
        #[arg(long, value_name = "FILE")]
        json: Option<PathBuf>,
    },
    /// P5 (supervision): evaluating the demo node's whole history, sweeps, and the latency
    /// from a rule-breaking command to its alert, against reading the same data raw.
    Supervision {
        /// Alert-latency samples.
        #[arg(long, default_value_t = 50)]
        samples: usize,
        /// Cases of the node: the demo's 10,200, plus synthetic cases of the same kind
        /// (through the rules) up to this many, to measure the sweeps at scale.
        #[arg(long, default_value_t = crate::demo::cases::CASES)]
        cases: usize,
        /// Also write the results as JSON to this file.
        #[arg(long, value_name = "FILE")]
        json: Option<PathBuf>,
    },
    /// P5 (dashboards): the supervisors' statistics over a synthetic national node (10^7
    /// cases by default) against DuckDB computing the same figures over the same rows.
    Dashboards {
        /// Synthetic cases to generate.
        #[arg(long, default_value_t = 10_000_000)]
        cases: u64,
        /// Also write the results as JSON to this file.
        #[arg(long, value_name = "FILE")]
        json: Option<PathBuf>,
        /// Keep the generated node and CSV files in this (empty) directory.
        #[arg(long, value_name = "DIR")]
        keep: Option<PathBuf>,
    },
    /// P3/P4: durable appends, checkpoint delay, proof latency and audit rate vs in-memory SM3.
    Ledger {
        /// Leaves to append (durable append and audit benchmarks).
        #[arg(long, default_value_t = 200_000)]
        leaves: u64,
        /// Leaves per transaction (group commit).
        #[arg(long, default_value_t = 10_000)]
        batch: u64,
        /// Also run on this PostgreSQL server URL (a scratch database is created and dropped).
        #[arg(long, value_name = "URL")]
        postgres: Option<String>,
        /// Hash function of the benchmark logs: `sm3` (default) or `sha256`.
        #[arg(long, value_name = "ALG", default_value = "sm3")]
        hash: zhifa_ledger::HashAlg,
    },
    /// P2: records per second of a large standard import through the real pipeline (read,
    /// map, validate, store, ledger) vs the raw bulk insert of the same rows (SQLite prepared
    /// multi-row inserts in one transaction; PostgreSQL COPY), with resident memory sampled.
    /// With `--database-url postgres://…` (or ZHIFA_DATABASE_URL) PostgreSQL is measured too.
    Import {
        /// Rows of the generated export (standard CSV profile, 执法对象).
        #[arg(long, default_value_t = 1_000_000)]
        rows: u64,
        /// Records per import transaction.
        #[arg(long, default_value_t = 1000)]
        batch: usize,
        /// Also write the results as JSON to this file.
        #[arg(long, value_name = "FILE")]
        json: Option<PathBuf>,
    },
}
