//! CSV reader: UTF-8 or GBK/GB18030, declared or detected.
//!
//! Records are split on raw bytes (the `csv` crate) and only the requested fields are decoded
//! (`encoding_rs`). This is exact for GBK and GB18030 because none of their multi-byte
//! sequences contains a byte below 0x40, so commas, semicolons, tabs, quotes and line breaks are
//! never part of a character; the mapping refuses other delimiters for these encodings.

use std::io::{BufRead, BufReader, Read};

use csv::ByteRecord;

use super::{CellProblem, Encoding, ReadOptions, Rows, SourceRow, hex_preview};
use crate::error::ReadError;

/// Bytes looked at to detect the encoding.
const DETECT_BYTES: usize = 64 * 1024;

/// The encoding actually used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Decoder {
    Utf8,
    Gb18030,
}

impl Decoder {
    fn name(self) -> &'static str {
        match self {
            Decoder::Utf8 => "UTF-8",
            Decoder::Gb18030 => "GB18030",
        }
    }

    fn decode(self, bytes: &[u8]) -> Option<String> {
        match self {
            Decoder::Utf8 => std::str::from_utf8(bytes).ok().map(str::to_string),
            Decoder::Gb18030 => encoding_rs::GB18030
                .decode_without_bom_handling_and_without_replacement(bytes)
                .map(|c| c.into_owned()),
        }
    }
}

/// Detects the encoding of the start of a CSV file: returns the encoding (`Utf8` or
/// `Gb18030`) and the length of the byte-order mark to skip. UTF-16 input is refused
/// (`encoding.utf16`).
pub fn detect_encoding(head: &[u8]) -> Result<(Encoding, usize), ReadError> {
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Ok((Encoding::Utf8, 3));
    }
    if head.starts_with(&[0x84, 0x31, 0x95, 0x33]) {
        return Ok((Encoding::Gb18030, 4));
    }
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return Err(ReadError::new(
            "encoding.utf16",
            "文件为 UTF-16 编码，不受支持：请另存为 UTF-8 或 GBK 编码的 CSV",
        ));
    }
    match std::str::from_utf8(head) {
        Ok(_) => Ok((Encoding::Utf8, 0)),
        // A multi-byte character cut at the end of the sample is still UTF-8.
        Err(e) if e.error_len().is_none() => Ok((Encoding::Utf8, 0)),
        Err(_) => Ok((Encoding::Gb18030, 0)),
    }
}

pub(super) fn open<R: Read + Send + 'static>(
    input: R,
    options: &ReadOptions,
    columns: &[String],
) -> Result<Rows, ReadError> {
    let mut buf = BufReader::with_capacity(DETECT_BYTES, input);
    let head = buf.fill_buf().map_err(|e| ReadError::io(&e))?;
    let (detected, bom) = detect_encoding(head)?;
    let decoder = match (options.encoding, detected) {
        (Encoding::Auto, Encoding::Utf8) | (Encoding::Utf8, _) => Decoder::Utf8,
        _ => Decoder::Gb18030,
    };
    // Skip a BOM only when it belongs to the encoding used.
    let skip = match (decoder, detected) {
        (Decoder::Utf8, Encoding::Utf8) | (Decoder::Gb18030, Encoding::Gb18030) => bom,
        _ => 0,
    };
    buf.consume(skip);
    // `\n` alone ends a record so that line numbers count CRLF files right; the `\r` left at
    // the end of the last field is whitespace, trimmed like all values.
    let mut reader = csv::ReaderBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .has_headers(false)
        .flexible(true)
        .delimiter(options.delimiter)
        .from_reader(buf);
    let mut record = ByteRecord::new();
    let mut seen = 0u32;
    let header_row = options.header_row.max(1);
    while seen < header_row {
        let more = reader
            .read_byte_record(&mut record)
            .map_err(|e| csv_error(&e))?;
        if !more {
            return Err(ReadError::new(
                "csv.no_header",
                format!("文件在第 {header_row} 条记录（表头）之前结束：没有表头行"),
            ));
        }
        seen += 1;
    }
    let line = record.position().map_or(0, |p| p.line());
    let mut header = Vec::with_capacity(record.len());
    for (i, bytes) in record.iter().enumerate() {
        let name = decoder.decode(bytes).ok_or_else(|| {
            ReadError::new(
                "encoding.invalid",
                format!(
                    "表头第 {} 列含有非 {} 编码的字节（{}）：请在映射中声明正确的编码（encoding）",
                    i + 1,
                    decoder.name(),
                    hex_preview(bytes)
                ),
            )
            .at_line(line)
        })?;
        header.push(name.trim().to_string());
    }
    let mut index = Vec::with_capacity(columns.len());
    for c in columns {
        let pos = header.iter().position(|h| h == c).ok_or_else(|| {
            ReadError::new(
                "csv.column_missing",
                format!(
                    "表头中没有映射所需的列“{c}”；表头的列为：{}",
                    header.join("、")
                ),
            )
            .at_line(line)
            .at_column(c.clone())
        })?;
        index.push(pos);
    }
    Ok(Box::new(CsvRows {
        reader,
        record,
        decoder,
        index,
        names: columns.to_vec(),
        header_len: header.len(),
        done: false,
    }))
}

fn csv_error(e: &csv::Error) -> ReadError {
    let line = e.position().map(|p| p.line());
    let err = ReadError::new("csv.read", format!("读取 CSV 失败：{e}"));
    match line {
        Some(l) => err.at_line(l),
        None => err,
    }
}

struct CsvRows<R: Read> {
    reader: csv::Reader<BufReader<R>>,
    record: ByteRecord,
    decoder: Decoder,
    index: Vec<usize>,
    names: Vec<String>,
    header_len: usize,
    done: bool,
}

impl<R: Read> Iterator for CsvRows<R> {
    type Item = Result<SourceRow, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        loop {
            match self.reader.read_byte_record(&mut self.record) {
                Ok(false) => {
                    self.done = true;
                    return None;
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(csv_error(&e)));
                }
                Ok(true) => {}
            }
            if self
                .record
                .iter()
                .all(|f| f.iter().all(u8::is_ascii_whitespace))
            {
                continue;
            }
            return Some(Ok(self.row()));
        }
    }
}

impl<R: Read> CsvRows<R> {
    fn row(&self) -> SourceRow {
        let line = self.record.position().map_or(0, |p| p.line());
        let mut row = SourceRow {
            line,
            values: Vec::with_capacity(self.index.len()),
            problems: Vec::new(),
        };
        if self.record.len() != self.header_len {
            row.problems.push(CellProblem {
                column: "*".into(),
                code: "csv.field_count",
                value: self.record.len().to_string(),
                message: format!(
                    "第 {line} 行有 {} 个字段，表头有 {} 个：请检查分隔符和引号",
                    self.record.len(),
                    self.header_len
                ),
            });
        }
        for (name, &i) in self.names.iter().zip(&self.index) {
            let bytes = self.record.get(i).unwrap_or(b"");
            match self.decoder.decode(bytes) {
                Some(s) => row.values.push(s),
                None => {
                    row.values.push(String::new());
                    row.problems.push(CellProblem {
                        column: name.clone(),
                        code: "encoding.invalid",
                        value: hex_preview(bytes),
                        message: format!(
                            "第 {line} 行“{name}”列含有非 {} 编码的字节：请在映射中声明正确的编码（encoding）",
                            self.decoder.name()
                        ),
                    });
                }
            }
        }
        row
    }
}
