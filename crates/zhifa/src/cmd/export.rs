//! `zhifa export --format shuanggongshi [--since DATE] [--output FILE] [--csv|--json]`: the
//! 双公示 行政处罚 records of the published penalty decisions, built by the same code as the
//! credit platform consumer of the outbox (`zhifa_store::shuanggongshi`).

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use zhifa_store::shuanggongshi::{FIELDS, ShuangGongShi};

use crate::cli::{ExportArgs, ExportFormat};
use crate::config::Config;
use crate::node;

/// Writes the records as CSV (header of the field names, then one row per record) or JSON
/// Lines.
pub fn write_records(out: impl Write, records: &[ShuangGongShi], json: bool) -> Result<()> {
    if json {
        let mut out = out;
        for r in records {
            serde_json::to_writer(&mut out, r)?;
            out.write_all(b"\n")?;
        }
        out.flush()?;
        return Ok(());
    }
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(out);
    w.write_record(FIELDS)?;
    for r in records {
        w.serialize(r)?;
    }
    w.flush()?;
    Ok(())
}

/// Runs the export.
pub async fn run(args: ExportArgs, config: &Config) -> Result<ExitCode> {
    let store = node::open_store(config).await?;
    let records = match args.format {
        ExportFormat::Shuanggongshi => store
            .shuanggongshi_records(args.since, &config.shuanggongshi_rules())
            .await
            .context("while reading the published decisions")?,
    };
    match &args.output {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("无法创建输出文件 {}", path.display()))?;
            write_records(std::io::BufWriter::new(file), &records, args.json)?;
            eprintln!(
                "已导出 {} 条双公示行政处罚信息到 {}",
                records.len(),
                path.display()
            );
        }
        None => {
            write_records(std::io::stdout().lock(), &records, args.json)?;
            eprintln!("已导出 {} 条双公示行政处罚信息", records.len());
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The header row names the fields in the order the rows carry them.
    #[test]
    fn csv_header_matches_the_row_order() {
        let mut record: ShuangGongShi = serde_json::from_value(serde_json::json!(
            FIELDS
                .iter()
                .map(|f| (*f, *f))
                .collect::<std::collections::HashMap<_, _>>()
        ))
        .expect("every field");
        record.cf_nr_fk = "0.05".into();
        let mut out = Vec::new();
        write_records(&mut out, &[record], false).expect("csv");
        let text = String::from_utf8(out).expect("utf-8");
        let mut lines = text.lines();
        let header = lines.next().expect("header");
        let row = lines.next().expect("row");
        assert_eq!(header, FIELDS.join(","));
        assert_eq!(row, header.replace("cf_nr_fk", "0.05"));
    }
}
