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
use serde_json::Value;
use sm3::{Digest, Sm3};
use zhifa_exchange::{Mapping, Outcome, Report, StandardRecord};
use zhifa_store::model::Actor;
use zhifa_store::{ImportItem, ImportRunInput, ImportTotals, Store};

use crate::cli::ImportArgs;
use crate::config::Config;
use crate::node;

/// Rejections kept in memory for the HTML report (all are counted).
const REPORT_LIMIT: usize = 10_000;

/// Fields holding personal identifiers or contact data, masked in the change log.
const PERSONAL: &[&str] = &["citizen_id", "id_number", "party_id_number", "phone"];

/// `110101199003071234` → `110101********1234`; short values are kept.
fn mask(value: &str) -> String {
    let n = value.chars().count();
    if n < 11 {
        return value.to_string();
    }
    let keep_head = if n >= 15 { 6 } else { 3 };
    value
        .chars()
        .enumerate()
        .map(|(i, c)| if i < keep_head || i >= n - 4 { c } else { '*' })
        .collect()
}

/// A key part that is a citizen ID (15 or 18 characters of digits, the last may be X).
fn looks_personal(part: &str) -> bool {
    let n = part.len();
    (n == 15 || n == 18)
        && part
            .chars()
            .enumerate()
            .all(|(i, c)| c.is_ascii_digit() || (i == n - 1 && (c == 'X' || c == 'x')))
}

/// The store's item for an accepted record.
pub fn item_of(record: &StandardRecord) -> ImportItem {
    let key = record.natural_key();
    let (system, id) = record.source();
    let record_json = record.to_json_line();
    let mut masked: Value = serde_json::from_str(&record_json).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut masked {
        for (k, v) in m.iter_mut() {
            if PERSONAL.contains(&k.as_str())
                && let Value::String(s) = v
            {
                *s = mask(s);
            }
        }
    }
    let key_masked = key
        .parts
        .iter()
        .map(|p| {
            if looks_personal(p) {
                mask(p)
            } else {
                p.clone()
            }
        })
        .collect::<Vec<_>>()
        .join("|");
    ImportItem {
        record_type: key.record_type.to_string(),
        natural_key: key.parts,
        key_masked,
        source_system: system.to_string(),
        source_id: id.to_string(),
        record_json,
        masked,
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
    let run_id = match &store {
        Some(s) => Some(
            s.start_import_run(
                &ImportRunInput {
                    mapping: mapping.name().to_string(),
                    mapping_sm3: hex::encode(Sm3::digest(&mapping_text)),
                    input: args.input.display().to_string(),
                    record_type: mapping.record_type().id().to_string(),
                },
                &actor,
            )
            .await?,
        ),
        None => None,
    };
    let mut report = Report::with_limit(&mapping, REPORT_LIMIT);
    let mut totals = ImportTotals::default();
    let mut batch: Vec<ImportItem> = Vec::with_capacity(args.batch.max(1));
    let bar = progress(args.quiet);
    for row in rows {
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                report.stop(&e);
                break;
            }
        };
        bar.inc(1);
        report.add(&row);
        if let Outcome::Accepted(record) = &row.outcome
            && store.is_some()
        {
            batch.push(item_of(record));
        }
        if batch.len() >= args.batch.max(1)
            && let (Some(s), Some(id)) = (&store, &run_id)
        {
            totals.counts += s.import_batch(id, &batch, &actor).await?;
            batch.clear();
        }
    }
    if let (Some(s), Some(id)) = (&store, &run_id)
        && !batch.is_empty()
    {
        totals.counts += s.import_batch(id, &batch, &actor).await?;
    }
    bar.finish_and_clear();
    totals.rows_read = report.total;
    totals.rejected = report.rejected;
    totals.skipped = report.skipped;
    if let (Some(s), Some(id)) = (&store, &run_id) {
        s.finish_import_run(id, &totals).await?;
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_personal_identifiers_only() {
        assert_eq!(mask("110101199003071234"), "110101********1234");
        assert_eq!(mask("13800138000"), "138****8000");
        assert_eq!(mask("short"), "short");
        assert!(looks_personal("11010119900307123X"));
        assert!(!looks_personal("91440106MA5AL3R18Y"));
        assert!(!looks_personal("穗天市监罚〔2025〕12号"));
    }
}
