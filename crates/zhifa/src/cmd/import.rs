//! `zhifa import --mapping FILE INPUT [--dry-run] [--report FILE]` (数据导入, 汇聚): maps a
//! department system's export to the exchange standard (crates/zhifa-exchange), streaming
//! row by row, and stores the accepted records by natural key in batches
//! (`Store::import_batch`), so memory stays flat for any file size and a re-import adds
//! nothing. Rejected rows go to the validation report with line, column, element, rule and
//! value. Exit 0 when every row was accepted or skipped, 1 when some were rejected or reading
//! stopped on a malformed file, 2 when the mapping or input cannot be used at all.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use zhifa_exchange::{MappedRow, Mapping, Report};
use zhifa_server::imports::{ImportJob, RowObserver, run_import};
use zhifa_store::model::Actor;
use zhifa_store::{ImportTotals, Store};

use crate::cli::ImportArgs;
use crate::config::Config;
use crate::node;

/// Rejections kept in memory for the HTML report (all are counted).
const REPORT_LIMIT: usize = 10_000;

/// The progress bar, advanced once per row read.
struct Progress(ProgressBar);

impl RowObserver for Progress {
    fn observe(&mut self, _row: &MappedRow) -> std::io::Result<()> {
        self.0.inc(1);
        Ok(())
    }
}

fn progress(quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {elapsed_precise} 已读 {pos} 行（{per_sec}）{msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar
}

fn write_report(report: &Report, path: &Path) -> Result<()> {
    let file = std::fs::File::create(path)
        .with_context(|| format!("无法创建报告文件 {}", path.display()))?;
    let out = std::io::BufWriter::new(file);
    let html = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"));
    if html {
        report.write_html(out)?;
    } else {
        report.write_csv(out)?;
    }
    Ok(())
}

/// Runs the import.
pub async fn run(args: ImportArgs, config: &Config) -> Result<ExitCode> {
    let mapping_text = match std::fs::read(&args.mapping) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("无法读取映射文件 {}：{e}", args.mapping.display());
            return Ok(ExitCode::from(2));
        }
    };
    let mapping = match Mapping::from_path(&args.mapping) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("映射文件 {} 有误：{e}", args.mapping.display());
            return Ok(ExitCode::from(2));
        }
    };
    let rows = match mapping.open_path(&args.input) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("无法读取输入文件 {}：{e}", args.input.display());
            return Ok(ExitCode::from(2));
        }
    };
    let store = if args.dry_run {
        None
    } else {
        Some(node::open_store(config).await?)
    };
    let actor = Actor::system("cli:import");
    let mut job = ImportJob::new(
        mapping,
        &mapping_text,
        args.input.display().to_string(),
        REPORT_LIMIT,
    );
    job.batch = args.batch;
    let bar = progress(args.quiet);
    let outcome = run_import(store.as_ref(), &job, rows, &actor, Progress(bar.clone())).await?;
    bar.finish_and_clear();
    let (report, totals) = (outcome.report, outcome.totals);
    if let Some(path) = &args.report {
        write_report(&report, path)?;
    }
    summarise(&report, &totals, args.dry_run, store.as_ref());
    Ok(if report.rejected > 0 || report.stopped.is_some() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn summarise(report: &Report, totals: &ImportTotals, dry_run: bool, store: Option<&Store>) {
    println!(
        "映射 {}（{}）：读取 {} 行，通过 {}，驳回 {}，跳过 {}",
        report.mapping,
        report.record_type.id(),
        report.total,
        report.accepted,
        report.rejected,
        report.skipped
    );
    if dry_run || store.is_none() {
        println!("试运行（--dry-run）：未写入任何记录");
    } else {
        let c = totals.counts;
        println!(
            "已入库：新增 {}，更新 {}，未变 {}（每条新增或更新的记录都已写入变更日志和全过程记录账本）",
            c.added, c.changed, c.unchanged
        );
        println!(
            "写入本节点：执法人员和执法证 {} 条，案件 {} 件（驳回的行未写入）",
            c.base, c.cases
        );
    }
    if let Some(e) = &report.stopped {
        println!("读取中止：{e}（此前的行已处理，此后的行未读取）");
    }
    if report.not_listed > 0 {
        println!(
            "报告只列出前 {REPORT_LIMIT} 条问题，另有 {} 条未列出",
            report.not_listed
        );
    }
}
