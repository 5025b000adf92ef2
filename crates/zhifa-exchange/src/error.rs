//! Errors of the exchange crate: a file that cannot be read at all ([`ReadError`]) and a
//! mapping file that is invalid ([`MappingError`]). Both carry a stable machine code and a
//! Chinese message; problems of single rows are [`crate::Rejection`]s instead.

use serde::Serialize;

/// The input cannot be read (any further): not an XLSX file, a missing sheet or column, an
/// I/O error. Names the line and column where known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{}", self.describe())]
pub struct ReadError {
    /// Stable machine code, e.g. `xlsx.open`, `csv.column_missing`, `io.read`.
    pub code: &'static str,
    /// Chinese message.
    pub message: String,
    /// 1-based line (CSV, JSON Lines) or row (XLSX), when known.
    pub line: Option<u64>,
    /// Column name or 1-based column number, when known.
    pub column: Option<String>,
}

impl ReadError {
    /// An error without position.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            line: None,
            column: None,
        }
    }

    /// Sets the line.
    pub fn at_line(mut self, line: u64) -> Self {
        self.line = Some(line);
        self
    }

    /// Sets the column.
    pub fn at_column(mut self, column: impl Into<String>) -> Self {
        self.column = Some(column.into());
        self
    }

    fn describe(&self) -> String {
        let mut s = String::new();
        if let Some(l) = self.line {
            s.push_str(&format!("第 {l} 行"));
        }
        if let Some(c) = &self.column {
            s.push_str(&format!("“{c}”列"));
        }
        if !s.is_empty() {
            s.push('：');
        }
        format!("{s}{}（{}）", self.message, self.code)
    }

    /// An I/O error while reading.
    pub(crate) fn io(e: &std::io::Error) -> Self {
        ReadError::new("io.read", format!("读取输入失败：{e}"))
    }
}

/// A mapping file is invalid: TOML syntax, an unknown key, record type or field, a missing
/// required field, an invalid date format or pattern.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("映射文件错误{}：{message}（{code}）", self.key.as_deref().map(|k| format!("（{k}）")).unwrap_or_default())]
pub struct MappingError {
    /// Stable machine code, e.g. `mapping.syntax`, `mapping.field_unknown`.
    pub code: &'static str,
    /// The key of the mapping file concerned, e.g. `fields.fine_fen`.
    pub key: Option<String>,
    /// Chinese message.
    pub message: String,
}

impl MappingError {
    pub(crate) fn new(code: &'static str, key: Option<&str>, message: impl Into<String>) -> Self {
        Self {
            code,
            key: key.map(str::to_string),
            message: message.into(),
        }
    }
}
