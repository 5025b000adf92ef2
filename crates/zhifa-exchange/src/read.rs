//! Streaming readers (读取器) of source exports: CSV (UTF-8, GBK/GB18030), XLSX and JSON
//! Lines. Each reader yields one [`SourceRow`] per data row with its line (row) number and the
//! values of the columns asked for, holding only the current row in memory.
//!
//! A problem confined to one row (wrong number of fields, bytes that are not valid in the
//! encoding, a JSON syntax error, an Excel error cell) is reported on that row as a
//! [`CellProblem`]; the reader goes on. A problem that stops reading (not an XLSX file, a
//! missing column, an I/O error) is a [`ReadError`].

use std::io::{Read, Seek};

use serde::{Deserialize, Serialize};

use crate::error::ReadError;

mod csv;
mod jsonl;
mod xlsx;

pub use self::csv::detect_encoding;

/// Source file formats (源文件格式).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceFormat {
    /// Comma- (or otherwise) separated values with a header row.
    Csv,
    /// Excel 2007+ workbook, one sheet with a header row.
    Xlsx,
    /// JSON Lines: one JSON object per line, UTF-8.
    Jsonl,
}

/// Text encodings of CSV input (字符编码).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    /// Detect: a UTF-8 or GB18030 byte-order mark, else UTF-8 if the first 64 KiB are valid
    /// UTF-8, else GB18030 (a superset of GBK and GB2312).
    #[default]
    Auto,
    /// UTF-8 (a BOM is skipped).
    #[serde(rename = "utf-8", alias = "utf8")]
    Utf8,
    /// GBK, decoded as GB18030 (its superset).
    Gbk,
    /// GB18030.
    Gb18030,
}

/// How to read the input: format, encoding, delimiter, header row, sheet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadOptions {
    /// The format.
    pub format: SourceFormat,
    /// CSV encoding.
    pub encoding: Encoding,
    /// CSV delimiter byte.
    pub delimiter: u8,
    /// 1-based number of the header record (CSV) or row (XLSX); rows before it are ignored.
    pub header_row: u32,
    /// XLSX sheet name; the first sheet when `None`.
    pub sheet: Option<String>,
}

impl ReadOptions {
    /// Defaults for a format: auto encoding, comma, header in the first row, first sheet.
    pub fn new(format: SourceFormat) -> Self {
        Self {
            format,
            encoding: Encoding::Auto,
            delimiter: b',',
            header_row: 1,
            sheet: None,
        }
    }
}

/// A problem confined to one row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CellProblem {
    /// Column name, or `*` for the whole row.
    pub column: String,
    /// Stable machine code, e.g. `encoding.invalid`, `csv.field_count`, `jsonl.syntax`.
    pub code: &'static str,
    /// The offending value (or a hex preview of undecodable bytes).
    pub value: String,
    /// Chinese message naming line and column.
    pub message: String,
}

/// One data row of the source.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct SourceRow {
    /// 1-based line (CSV: where the record starts; JSON Lines: the line) or Excel row number.
    pub line: u64,
    /// Values of the requested columns, in the requested order; empty when absent.
    pub values: Vec<String>,
    /// Problems of this row; when not empty, `values` may be incomplete.
    pub problems: Vec<CellProblem>,
}

/// A stream of rows.
pub type Rows = Box<dyn Iterator<Item = Result<SourceRow, ReadError>> + Send>;

/// Opens a seekable input (a file, a byte buffer) of any format. `columns` are the column
/// names (CSV, XLSX header cells) or keys / dotted paths (JSON Lines) whose values each row
/// returns; a column absent from a CSV or XLSX header is a `ReadError` (`*.column_missing`).
pub fn open<R: Read + Seek + Send + 'static>(
    input: R,
    options: &ReadOptions,
    columns: &[String],
) -> Result<Rows, ReadError> {
    match options.format {
        SourceFormat::Xlsx => xlsx::open(input, options, columns),
        _ => open_stream(input, options, columns),
    }
}

/// Opens a non-seekable input (a pipe, a request body): CSV and JSON Lines only; XLSX (a zip
/// archive) is refused with `xlsx.not_seekable`.
pub fn open_stream<R: Read + Send + 'static>(
    input: R,
    options: &ReadOptions,
    columns: &[String],
) -> Result<Rows, ReadError> {
    match options.format {
        SourceFormat::Csv => csv::open(input, options, columns),
        SourceFormat::Jsonl => Ok(jsonl::open(input, columns)),
        SourceFormat::Xlsx => Err(ReadError::new(
            "xlsx.not_seekable",
            "XLSX 文件须从可定位的输入（文件或内存）读取，请先保存为文件",
        )),
    }
}

/// A short, printable preview of raw bytes for messages: hex of the first 16 bytes.
pub(crate) fn hex_preview(bytes: &[u8]) -> String {
    let mut s: String = bytes
        .iter()
        .take(16)
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(" ");
    if bytes.len() > 16 {
        s.push_str(" …");
    }
    s
}
