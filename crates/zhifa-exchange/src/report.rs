//! The validation report (校验报告): counts of accepted, rejected and skipped rows and every
//! rejection with line, column, field, element, rule code, basis, value and message, written
//! as CSV (UTF-8 with BOM, opens in Excel) or as a self-contained HTML page.

use std::io::{self, Write};

use serde::Serialize;

use crate::format::RecordType;
use crate::mapping::{MappedRow, Mapping, Outcome, Rejection};

/// The CSV report's header.
pub const CSV_HEADER: [&str; 8] = [
    "行号 line",
    "列 column",
    "字段 field",
    "数据元 element",
    "规则代码 code",
    "依据 rule",
    "值 value",
    "说明 message",
];

/// A skipped row and the reason from the mapping.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SkippedRow {
    /// Line or row number.
    pub line: u64,
    /// The `reason` of the `[[skip]]` rule.
    pub reason: String,
}

/// The validation report of one mapped input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Name of the mapping.
    pub mapping: String,
    /// Record type produced.
    pub record_type: RecordType,
    /// Rows read.
    pub total: u64,
    /// Rows accepted.
    pub accepted: u64,
    /// Rows rejected.
    pub rejected: u64,
    /// Rows skipped by a condition.
    pub skipped: u64,
    /// Every rejection, in row order.
    pub rejections: Vec<Rejection>,
    /// Every skipped row.
    pub skipped_rows: Vec<SkippedRow>,
    /// The error that stopped reading, if any (nothing after it was read).
    pub stopped: Option<String>,
    /// Most rejections and skipped rows kept in `rejections` / `skipped_rows` (`None`: all).
    pub limit: Option<usize>,
    /// Rejections and skipped rows counted but not kept because of `limit`.
    pub not_listed: u64,
}

impl Report {
    /// An empty report for `mapping`.
    pub fn new(mapping: &Mapping) -> Self {
        Self {
            mapping: mapping.name().to_string(),
            record_type: mapping.record_type(),
            total: 0,
            accepted: 0,
            rejected: 0,
            skipped: 0,
            rejections: Vec::new(),
            skipped_rows: Vec::new(),
            stopped: None,
            limit: None,
            not_listed: 0,
        }
    }

    /// A report that counts every row but keeps at most `limit` rejections and `limit`
    /// skipped rows, so that its memory stays bounded on any input. Stream the full list with
    /// [`CsvReportWriter`] at the same time.
    pub fn with_limit(mapping: &Mapping, limit: usize) -> Self {
        Self {
            limit: Some(limit),
            ..Self::new(mapping)
        }
    }

    fn room(&self, listed: usize) -> bool {
        self.limit.is_none_or(|l| listed < l)
    }

    /// Counts a mapped row and keeps its rejections.
    pub fn add(&mut self, row: &MappedRow) {
        self.total += 1;
        match &row.outcome {
            Outcome::Accepted(_) => self.accepted += 1,
            Outcome::Rejected(r) => {
                self.rejected += 1;
                for rejection in r {
                    if self.room(self.rejections.len()) {
                        self.rejections.push(rejection.clone());
                    } else {
                        self.not_listed += 1;
                    }
                }
            }
            Outcome::Skipped(reason) => {
                self.skipped += 1;
                if self.room(self.skipped_rows.len()) {
                    self.skipped_rows.push(SkippedRow {
                        line: row.line,
                        reason: reason.clone(),
                    });
                } else {
                    self.not_listed += 1;
                }
            }
        }
    }

    /// Records the error that stopped reading.
    pub fn stop(&mut self, error: &crate::ReadError) {
        self.stopped = Some(error.to_string());
    }

    /// Writes the kept rejections as CSV (UTF-8 with BOM).
    pub fn write_csv<W: Write>(&self, out: W) -> io::Result<()> {
        let mut w = CsvReportWriter::new(out)?;
        for r in &self.rejections {
            w.write_rejection(r)?;
        }
        w.finish().map(|_| ())
    }

    /// The CSV report as a string.
    pub fn to_csv_string(&self) -> String {
        let mut buf = Vec::new();
        self.write_csv(&mut buf)
            .unwrap_or_else(|e| unreachable!("writing to memory cannot fail: {e}"));
        String::from_utf8(buf).unwrap_or_else(|e| unreachable!("the report is UTF-8: {e}"))
    }

    /// Writes the report as a self-contained HTML page (Chinese).
    pub fn write_html<W: Write>(&self, mut out: W) -> io::Result<()> {
        let title = format!("数据导入校验报告：{}", self.mapping);
        writeln!(
            out,
            "<!doctype html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>",
            escape(&title)
        )?;
        writeln!(
            out,
            "<style>body{{font-family:sans-serif;margin:1.5em}}table{{border-collapse:collapse}}\
             td,th{{border:1px solid #999;padding:.25em .5em;vertical-align:top}}\
             th{{background:#eee}}.bad{{color:#a00}}</style>\n</head>\n<body>"
        )?;
        writeln!(out, "<h1>{}</h1>", escape(&title))?;
        writeln!(
            out,
            "<table>\n<tr><th>记录类型</th><td>{}（{}）</td></tr>\n<tr><th>读取行数</th><td>{}</td></tr>\n\
             <tr><th>通过</th><td>{}</td></tr>\n<tr><th>驳回</th><td class=\"bad\">{}</td></tr>\n\
             <tr><th>跳过</th><td>{}</td></tr>\n</table>",
            escape(self.record_type.name_zh()),
            self.record_type.id(),
            self.total,
            self.accepted,
            self.rejected,
            self.skipped
        )?;
        if let Some(stop) = &self.stopped {
            writeln!(
                out,
                "<p class=\"bad\">读取中止：{}（其后的行均未读取）</p>",
                escape(stop)
            )?;
        }
        writeln!(out, "<h2>驳回明细（{} 项）</h2>", self.rejections.len())?;
        if self.not_listed > 0 {
            writeln!(
                out,
                "<p>另有 {} 项驳回或跳过记录未在此列出（报告最多列出 {} 项），完整清单见 CSV 报告。</p>",
                self.not_listed,
                self.limit.unwrap_or_default()
            )?;
        }
        if !self.rejections.is_empty() {
            write!(out, "<table>\n<tr>")?;
            for h in CSV_HEADER {
                write!(out, "<th>{}</th>", escape(h))?;
            }
            writeln!(out, "</tr>")?;
            for r in &self.rejections {
                writeln!(
                    out,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    r.line,
                    escape(&r.column),
                    escape(&r.field),
                    escape(&r.element),
                    escape(&r.code),
                    escape(&r.rule),
                    escape(&r.value),
                    escape(&r.message)
                )?;
            }
            writeln!(out, "</table>")?;
        }
        if !self.skipped_rows.is_empty() {
            writeln!(
                out,
                "<h2>跳过的行（{} 行）</h2>\n<table>",
                self.skipped_rows.len()
            )?;
            writeln!(out, "<tr><th>行号</th><th>原因</th></tr>")?;
            for s in &self.skipped_rows {
                writeln!(
                    out,
                    "<tr><td>{}</td><td>{}</td></tr>",
                    s.line,
                    escape(&s.reason)
                )?;
            }
            writeln!(out, "</table>")?;
        }
        writeln!(out, "</body>\n</html>")
    }

    /// The HTML report as a string.
    pub fn to_html_string(&self) -> String {
        let mut buf = Vec::new();
        self.write_html(&mut buf)
            .unwrap_or_else(|e| unreachable!("writing to memory cannot fail: {e}"));
        String::from_utf8(buf).unwrap_or_else(|e| unreachable!("the report is UTF-8: {e}"))
    }
}

/// Writes rejections as CSV while rows are mapped, so that the full list never has to be held
/// in memory: UTF-8 with BOM, the header [`CSV_HEADER`], one line per rejection.
pub struct CsvReportWriter<W: Write> {
    w: csv::Writer<W>,
}

impl<W: Write> CsvReportWriter<W> {
    /// Writes the BOM and the header.
    pub fn new(mut out: W) -> io::Result<Self> {
        out.write_all(b"\xEF\xBB\xBF")?;
        let mut w = csv::Writer::from_writer(out);
        w.write_record(CSV_HEADER)?;
        Ok(Self { w })
    }

    /// Writes one rejection.
    pub fn write_rejection(&mut self, r: &Rejection) -> io::Result<()> {
        self.w.write_record([
            r.line.to_string().as_str(),
            &r.column,
            &r.field,
            &r.element,
            &r.code,
            &r.rule,
            &r.value,
            &r.message,
        ])?;
        Ok(())
    }

    /// Writes the rejections of a mapped row (nothing for accepted or skipped rows).
    pub fn write_row(&mut self, row: &MappedRow) -> io::Result<()> {
        if let Outcome::Rejected(rs) = &row.outcome {
            for r in rs {
                self.write_rejection(r)?;
            }
        }
        Ok(())
    }

    /// Flushes and returns the output.
    pub fn finish(self) -> io::Result<W> {
        self.w
            .into_inner()
            .map_err(|e| io::Error::other(e.to_string()))
    }
}

/// Escapes text for HTML.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
