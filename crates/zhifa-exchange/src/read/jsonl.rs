//! JSON Lines reader: one JSON object per line, UTF-8 (RFC 8259). Columns are keys, or dotted
//! paths into nested objects (`party.name`); arrays of scalars become `;`-joined text.

use std::io::{BufRead, BufReader, Read};

use serde_json::Value;

use super::{CellProblem, Rows, SourceRow, hex_preview};
use crate::error::ReadError;

/// Longest line accepted; longer lines are rejected without being held in memory.
pub(crate) const MAX_LINE_BYTES: usize = 4 * 1024 * 1024;

pub(super) fn open<R: Read + Send + 'static>(input: R, columns: &[String]) -> Rows {
    Box::new(JsonlRows {
        input: BufReader::with_capacity(64 * 1024, input),
        columns: columns.to_vec(),
        line: 0,
        buf: Vec::new(),
        done: false,
    })
}

struct JsonlRows<R: Read> {
    input: BufReader<R>,
    columns: Vec<String>,
    line: u64,
    buf: Vec<u8>,
    done: bool,
}

impl<R: Read> JsonlRows<R> {
    /// Reads the next line into `buf` (without the newline); returns `Ok(None)` at the end and
    /// `Ok(Some(too_long))` otherwise. A line longer than the limit is skipped to its end.
    fn read_line(&mut self) -> Result<Option<bool>, ReadError> {
        self.buf.clear();
        let mut too_long = false;
        let mut any = false;
        loop {
            let chunk = self.input.fill_buf().map_err(|e| ReadError::io(&e))?;
            if chunk.is_empty() {
                return Ok(any.then_some(too_long));
            }
            any = true;
            let (part, found) = match chunk.iter().position(|&b| b == b'\n') {
                Some(i) => (&chunk[..i], Some(i)),
                None => (chunk, None),
            };
            if !too_long {
                if self.buf.len() + part.len() > MAX_LINE_BYTES {
                    too_long = true;
                    self.buf.clear();
                } else {
                    self.buf.extend_from_slice(part);
                }
            }
            match found {
                Some(i) => {
                    self.input.consume(i + 1);
                    return Ok(Some(too_long));
                }
                None => {
                    let n = chunk.len();
                    self.input.consume(n);
                }
            }
        }
    }
}

fn problem(code: &'static str, value: String, message: String) -> CellProblem {
    CellProblem {
        column: "*".into(),
        code,
        value,
        message,
    }
}

/// The value at a key or dotted path.
fn lookup<'a>(object: &'a serde_json::Map<String, Value>, column: &str) -> Option<&'a Value> {
    if let Some(v) = object.get(column) {
        return Some(v);
    }
    let mut parts = column.split('.');
    let mut current = object.get(parts.next()?)?;
    for p in parts {
        current = current.as_object()?.get(p)?;
    }
    Some(current)
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => items.iter().map(text).collect::<Vec<_>>().join(";"),
        Value::Object(_) => v.to_string(),
    }
}

impl<R: Read> Iterator for JsonlRows<R> {
    type Item = Result<SourceRow, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.done {
                return None;
            }
            let too_long = match self.read_line() {
                Ok(Some(t)) => t,
                Ok(None) => {
                    self.done = true;
                    return None;
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(e.at_line(self.line + 1)));
                }
            };
            self.line += 1;
            let line = self.line;
            let mut row = SourceRow {
                line,
                values: Vec::new(),
                problems: Vec::new(),
            };
            if too_long {
                row.problems.push(problem(
                    "jsonl.line_too_long",
                    String::new(),
                    format!("第 {line} 行超过 {} 字节，未读取", MAX_LINE_BYTES),
                ));
                return Some(Ok(row));
            }
            let mut bytes = self.buf.as_slice();
            if line == 1 {
                bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
            }
            let Ok(text_line) = std::str::from_utf8(bytes) else {
                row.problems.push(problem(
                    "jsonl.encoding",
                    hex_preview(bytes),
                    format!("第 {line} 行不是有效的 UTF-8 文本（JSON Lines 须为 UTF-8 编码）"),
                ));
                return Some(Ok(row));
            };
            if text_line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<Value>(text_line) {
                Err(e) => row.problems.push(problem(
                    "jsonl.syntax",
                    text_line.chars().take(80).collect(),
                    format!("第 {line} 行第 {} 列 JSON 语法错误：{e}", e.column()),
                )),
                Ok(Value::Object(object)) => {
                    row.values = self
                        .columns
                        .iter()
                        .map(|c| lookup(&object, c).map(text).unwrap_or_default())
                        .collect();
                }
                Ok(_) => row.problems.push(problem(
                    "jsonl.not_object",
                    text_line.chars().take(80).collect(),
                    format!("第 {line} 行不是 JSON 对象（每行应为一个 {{…}} 对象）"),
                )),
            }
            return Some(Ok(row));
        }
    }
}
