//! XLSX reader (calamine): one sheet, a header row, then data rows.
//!
//! Cells are read with calamine's streaming cell reader, so only the shared-string table and
//! the current row are held in memory. calamine's reader borrows the workbook, so it runs on
//! its own thread and hands rows over a bounded channel; dropping the iterator stops it.

use std::collections::HashMap;
use std::io::{Read, Seek};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use calamine::{DataRef, Reader, Xlsx};

use super::{CellProblem, ReadOptions, Rows, SourceRow};
use crate::error::ReadError;

/// Rows buffered between the reading thread and the consumer.
const CHANNEL_ROWS: usize = 256;

enum Msg {
    Row(SourceRow),
    Failed(ReadError),
    Done,
}

/// `A`, `B`, … `Z`, `AA` … for a 0-based column index.
fn column_letters(mut col: u32) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// The text of a cell: numbers as written (no float noise: the shortest representation that
/// round-trips), dates as ISO 8601, errors as `Err`.
fn cell_text(d: &DataRef<'_>) -> Result<String, String> {
    Ok(match d {
        DataRef::Empty => String::new(),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => {
            if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                format!("{f}")
            }
        }
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(dt) => match dt.as_datetime() {
            Some(t) if t.time() == chrono::NaiveTime::MIN => t.format("%Y-%m-%d").to_string(),
            Some(t) => t.format("%Y-%m-%dT%H:%M:%S").to_string(),
            None => dt.as_f64().to_string(),
        },
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => return Err(e.to_string()),
    })
}

pub(super) fn open<R: Read + Seek + Send + 'static>(
    input: R,
    options: &ReadOptions,
    columns: &[String],
) -> Result<Rows, ReadError> {
    let (tx, rx) = sync_channel::<Msg>(CHANNEL_ROWS);
    let (header_tx, header_rx) = sync_channel::<Result<(), ReadError>>(1);
    let options = options.clone();
    let columns = columns.to_vec();
    std::thread::Builder::new()
        .name("zhifa-xlsx-reader".into())
        .spawn(move || read(input, &options, &columns, &header_tx, &tx))
        .map_err(|e| ReadError::new("xlsx.thread", format!("无法启动 XLSX 读取线程：{e}")))?;
    match header_rx.recv() {
        Ok(Ok(())) => Ok(Box::new(XlsxRows { rx, done: false })),
        Ok(Err(e)) => Err(e),
        Err(_) => Err(internal()),
    }
}

fn internal() -> ReadError {
    ReadError::new(
        "xlsx.internal",
        "读取 XLSX 文件时内部出错（文件可能已损坏）：读取已中止",
    )
}

struct XlsxRows {
    rx: Receiver<Msg>,
    done: bool,
}

impl Iterator for XlsxRows {
    type Item = Result<SourceRow, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.rx.recv() {
            Ok(Msg::Row(r)) => Some(Ok(r)),
            Ok(Msg::Failed(e)) => {
                self.done = true;
                Some(Err(e))
            }
            Ok(Msg::Done) => {
                self.done = true;
                None
            }
            Err(_) => {
                self.done = true;
                Some(Err(internal()))
            }
        }
    }
}

fn xlsx_error(e: &calamine::XlsxError) -> ReadError {
    ReadError::new(
        "xlsx.read",
        format!("读取 XLSX 文件失败：{e}（文件须为 Excel 2007 及以上版本的 .xlsx 工作簿）"),
    )
}

/// The body of the reading thread. Sends the header outcome once, then rows.
fn read<R: Read + Seek>(
    input: R,
    options: &ReadOptions,
    columns: &[String],
    header_tx: &SyncSender<Result<(), ReadError>>,
    tx: &SyncSender<Msg>,
) {
    let fail_open = |e: ReadError| {
        let _ = header_tx.send(Err(e));
    };
    let mut workbook: Xlsx<R> = match Xlsx::new(input) {
        Ok(w) => w,
        Err(e) => return fail_open(xlsx_error(&e)),
    };
    let names = workbook.sheet_names();
    let sheet = match &options.sheet {
        Some(s) if names.contains(s) => s.clone(),
        Some(s) => {
            return fail_open(ReadError::new(
                "xlsx.sheet_missing",
                format!("工作簿中没有工作表“{s}”；现有工作表：{}", names.join("、")),
            ));
        }
        None => match names.first() {
            Some(s) => s.clone(),
            None => {
                return fail_open(ReadError::new("xlsx.no_sheet", "工作簿中没有工作表"));
            }
        },
    };
    let mut cells = match workbook.worksheet_cells_reader(&sheet) {
        Ok(c) => c,
        Err(e) => return fail_open(xlsx_error(&e)),
    };
    let header_index = options.header_row.max(1) - 1;
    // Column index → slot in `columns`, known once the header is read.
    let mut slots: Option<HashMap<u32, usize>> = None;
    let mut header: HashMap<u32, String> = HashMap::new();
    let mut current: Option<SourceRow> = None;
    let mut current_row = 0u32;
    let new_row = |row: u32, n: usize| SourceRow {
        line: u64::from(row) + 1,
        values: vec![String::new(); n],
        problems: Vec::new(),
    };

    // Emits the finished row; returns false when the consumer is gone.
    let emit = |row: Option<SourceRow>| -> bool {
        match row {
            Some(r) if !r.problems.is_empty() || r.values.iter().any(|v| !v.trim().is_empty()) => {
                tx.send(Msg::Row(r)).is_ok()
            }
            _ => true,
        }
    };

    loop {
        let next = match cells.next_cell() {
            Ok(n) => n,
            Err(e) => {
                let e = xlsx_error(&e);
                if slots.is_none() {
                    return fail_open(e);
                }
                let _ = tx.send(Msg::Failed(e.at_line(u64::from(current_row) + 1)));
                return;
            }
        };
        let Some(cell) = next else { break };
        let (row, col) = cell.get_position();
        if row < header_index {
            continue;
        }
        if row == header_index {
            if let Ok(t) = cell_text(cell.get_value()) {
                header.insert(col, t.trim().to_string());
            }
            continue;
        }
        if slots.is_none() {
            match resolve(&header, columns, header_index) {
                Ok(s) => {
                    slots = Some(s);
                    if header_tx.send(Ok(())).is_err() {
                        return;
                    }
                }
                Err(e) => return fail_open(e),
            }
        }
        let Some(slots) = slots.as_ref() else { return };
        if current.is_none() || row != current_row {
            if !emit(current.take()) {
                return;
            }
            current = Some(new_row(row, columns.len()));
            current_row = row;
        }
        let Some(&slot) = slots.get(&col) else {
            continue;
        };
        let Some(r) = current.as_mut() else { continue };
        match cell_text(cell.get_value()) {
            Ok(t) => r.values[slot] = t,
            Err(err) => {
                let name = &columns[slot];
                r.problems.push(CellProblem {
                    column: name.clone(),
                    code: "xlsx.cell_error",
                    value: err.clone(),
                    message: format!(
                        "第 {} 行“{name}”列（{}{}）是 Excel 错误值 {err}",
                        r.line,
                        column_letters(col),
                        r.line
                    ),
                });
            }
        }
    }
    if slots.is_none() {
        if header.is_empty() {
            return fail_open(ReadError::new(
                "xlsx.no_header",
                format!(
                    "工作表“{sheet}”在第 {} 行（表头）之前结束：没有表头行",
                    header_index + 1
                ),
            ));
        }
        // A header without data rows: still check the columns.
        if let Err(e) = resolve(&header, columns, header_index) {
            return fail_open(e);
        }
        if header_tx.send(Ok(())).is_err() {
            return;
        }
    }
    if emit(current.take()) {
        let _ = tx.send(Msg::Done);
    }
}

fn resolve(
    header: &HashMap<u32, String>,
    columns: &[String],
    header_index: u32,
) -> Result<HashMap<u32, usize>, ReadError> {
    let mut slots = HashMap::new();
    for (slot, c) in columns.iter().enumerate() {
        let col = header
            .iter()
            .filter(|(_, name)| *name == c)
            .map(|(col, _)| *col)
            .min()
            .ok_or_else(|| {
                let mut names: Vec<(&u32, &String)> = header.iter().collect();
                names.sort();
                ReadError::new(
                    "xlsx.column_missing",
                    format!(
                        "表头中没有映射所需的列“{c}”；表头的列为：{}",
                        names
                            .iter()
                            .map(|(_, n)| n.as_str())
                            .collect::<Vec<_>>()
                            .join("、")
                    ),
                )
                .at_line(u64::from(header_index) + 1)
                .at_column(c.clone())
            })?;
        slots.insert(col, slot);
    }
    Ok(slots)
}
