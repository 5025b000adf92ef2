//! Tables for download (报表导出): the same rows as CSV (UTF-8 with a byte-order mark, so
//! spreadsheet programs on Chinese Windows open it without garbling) and as XLSX
//! (`rust_xlsxwriter`, numbers as numbers with formats: amounts in 元 with two decimals,
//! percentages with one). A download has one or more sheets; in CSV they follow each other,
//! each under its title line.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::{Format, FormatBorder, Workbook, XlsxError};
use zhifa_domain::money::Fen;

/// MIME type of XLSX.
pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/// MIME type of CSV.
pub const CSV_TYPE: &str = "text/csv; charset=utf-8";

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A count.
    Int(i64),
    /// An amount (shown in 元 with two decimals).
    Yuan(Fen),
    /// A percentage or score with one decimal; `None` is “不适用”.
    Decimal(Option<f64>),
}

impl Cell {
    /// A text cell.
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    /// The cell as text (CSV, HTML tables).
    pub fn display(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Yuan(f) => f.to_yuan_string(),
            Cell::Decimal(Some(v)) => format!("{v:.1}"),
            Cell::Decimal(None) => "不适用".to_string(),
        }
    }
}

/// One sheet: a title line, the column headers, the rows, and notes under the table.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Sheet {
    /// Sheet name (XLSX tab; at most 31 characters, no `[]:*?/\`).
    pub name: String,
    /// Title line, e.g. `广州市 2026 年行政执法数据统计`.
    pub title: String,
    /// Column headers.
    pub header: Vec<String>,
    /// Rows (as many cells as headers).
    pub rows: Vec<Vec<Cell>>,
    /// Notes (口径说明) under the table.
    pub notes: Vec<String>,
}

/// The sheets as CSV: UTF-8 with a BOM, CRLF line ends, fields quoted when needed.
pub fn to_csv(sheets: &[Sheet]) -> Vec<u8> {
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let mut w = csv::WriterBuilder::new()
            .flexible(true)
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        for (i, s) in sheets.iter().enumerate() {
            // Writing to a Vec cannot fail.
            if i > 0 {
                let _ = w.write_record([""]);
            }
            let _ = w.write_record([s.title.as_str()]);
            let _ = w.write_record(&s.header);
            for row in &s.rows {
                let _ = w.write_record(row.iter().map(Cell::display));
            }
            for n in &s.notes {
                let _ = w.write_record([n.as_str()]);
            }
        }
        let _ = w.flush();
    }
    out
}

/// A sheet name XLSX accepts: forbidden characters replaced, at most 31 characters.
fn sheet_name(name: &str, index: usize) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .take(31)
        .collect();
    if cleaned.trim().is_empty() {
        format!("Sheet{}", index + 1)
    } else {
        cleaned
    }
}

/// Display width of a text in XLSX column units (CJK characters count double).
fn width_of(s: &str) -> f64 {
    s.chars()
        .map(|c| if c.is_ascii() { 1.0 } else { 2.1 })
        .sum()
}

/// The sheets as an XLSX workbook.
pub fn to_xlsx(sheets: &[Sheet]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let title = Format::new().set_bold().set_font_size(14);
    let head = Format::new()
        .set_bold()
        .set_background_color("#EAEEF2")
        .set_border_bottom(FormatBorder::Thin);
    let yuan = Format::new().set_num_format("#,##0.00");
    let decimal = Format::new().set_num_format("0.0");
    let note = Format::new().set_italic().set_font_color("#59636E");
    for (i, s) in sheets.iter().enumerate() {
        let ws = book.add_worksheet();
        ws.set_name(sheet_name(&s.name, i))?;
        ws.write_string_with_format(0, 0, &s.title, &title)?;
        let mut widths: Vec<f64> = s.header.iter().map(|h| width_of(h)).collect();
        for (c, h) in s.header.iter().enumerate() {
            ws.write_string_with_format(2, col(c), h, &head)?;
        }
        for (r, row) in s.rows.iter().enumerate() {
            let r = u32::try_from(r + 3).unwrap_or(u32::MAX);
            for (c, cell) in row.iter().enumerate() {
                let cc = col(c);
                match cell {
                    Cell::Text(t) => ws.write_string(r, cc, t)?,
                    Cell::Int(n) => ws.write_number(r, cc, *n as f64)?,
                    Cell::Yuan(f) => {
                        ws.write_number_with_format(r, cc, f.value() as f64 / 100.0, &yuan)?
                    }
                    Cell::Decimal(Some(v)) => ws.write_number_with_format(r, cc, *v, &decimal)?,
                    Cell::Decimal(None) => ws.write_string(r, cc, "不适用")?,
                };
                if c >= widths.len() {
                    widths.resize(c + 1, 0.0);
                }
                widths[c] = widths[c].max(width_of(&cell.display()));
            }
        }
        let after = u32::try_from(s.rows.len() + 4).unwrap_or(u32::MAX);
        for (k, n) in s.notes.iter().enumerate() {
            let r = after.saturating_add(u32::try_from(k).unwrap_or(u32::MAX));
            ws.write_string_with_format(r, 0, n, &note)?;
        }
        for (c, w) in widths.iter().enumerate() {
            ws.set_column_width(col(c), (w + 2.0).clamp(8.0, 60.0))?;
        }
        ws.set_freeze_panes(3, 0)?;
    }
    book.save_to_buffer()
}

fn col(c: usize) -> u16 {
    u16::try_from(c).unwrap_or(u16::MAX)
}

/// A file download: the body with its type and `Content-Disposition` naming the file (an
/// ASCII fallback and the UTF-8 name, RFC 6266 / RFC 5987).
pub fn download(body: Vec<u8>, content_type: &str, ascii_name: &str, name: &str) -> Response {
    let encoded: String = form_urlencoded::byte_serialize(name.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{encoded}"),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet() -> Sheet {
        Sheet {
            name: "按地区".into(),
            title: "广州市 2026 年执法统计".into(),
            header: vec![
                "地区".into(),
                "立案数".into(),
                "罚款（元）".into(),
                "公示率（%）".into(),
            ],
            rows: vec![
                vec![
                    Cell::text("天河区, \"本级\""),
                    Cell::Int(12),
                    Cell::Yuan(Fen::new(123_456).unwrap()),
                    Cell::Decimal(Some(75.0)),
                ],
                vec![
                    Cell::text("越秀区"),
                    Cell::Int(0),
                    Cell::Yuan(Fen::ZERO),
                    Cell::Decimal(None),
                ],
            ],
            notes: vec!["口径：按决定日期统计。".into()],
        }
    }

    #[test]
    fn csv_has_bom_title_quoted_fields_and_notes() {
        let bytes = to_csv(&[sheet(), sheet()]);
        assert!(bytes.starts_with(&[0xef, 0xbb, 0xbf]));
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines[0], "广州市 2026 年执法统计");
        assert_eq!(lines[1], "地区,立案数,罚款（元）,公示率（%）");
        assert_eq!(lines[2], "\"天河区, \"\"本级\"\"\",12,1234.56,75.0");
        assert_eq!(lines[3], "越秀区,0,0.00,不适用");
        assert_eq!(lines[4], "口径：按决定日期统计。");
        // The second sheet follows after a blank line.
        assert_eq!(lines[5], "\"\"");
        assert_eq!(lines[6], "广州市 2026 年执法统计");
    }

    #[test]
    fn xlsx_is_a_workbook_with_numbers() {
        let bytes = to_xlsx(&[sheet()]).unwrap();
        assert!(bytes.starts_with(b"PK\x03\x04"), "a ZIP container");
        let mut book: calamine::Xlsx<_> =
            calamine::Xlsx::new(std::io::Cursor::new(bytes)).expect("readable");
        use calamine::{Data, Reader};
        let range = book.worksheet_range("按地区").expect("sheet");
        let at = |r: u32, c: u32| range.get_value((r, c)).cloned().unwrap_or(Data::Empty);
        assert_eq!(at(0, 0), Data::String("广州市 2026 年执法统计".into()));
        assert_eq!(at(2, 1), Data::String("立案数".into()));
        assert_eq!(at(3, 0), Data::String("天河区, \"本级\"".into()));
        assert_eq!(at(3, 1), Data::Float(12.0));
        assert_eq!(at(3, 2), Data::Float(1234.56));
        assert_eq!(at(3, 3), Data::Float(75.0));
        assert_eq!(at(4, 3), Data::String("不适用".into()));
        assert_eq!(at(6, 0), Data::String("口径：按决定日期统计。".into()));
        assert_eq!(sheet_name("a/b:c", 0), "a_b_c");
        assert_eq!(sheet_name("  ", 2), "Sheet3");
        assert_eq!(sheet_name(&"长".repeat(40), 0).chars().count(), 31);
    }

    #[test]
    fn downloads_name_the_file_in_utf8() {
        let r = download(b"x".to_vec(), CSV_TYPE, "stats.csv", "执法统计 2026.csv");
        let cd = r.headers()[header::CONTENT_DISPOSITION].to_str().unwrap();
        assert_eq!(
            cd,
            "attachment; filename=\"stats.csv\"; filename*=UTF-8''%E6%89%A7%E6%B3%95%E7%BB%9F%E8%AE%A1%202026.csv"
        );
        assert_eq!(r.headers()[header::CONTENT_TYPE], CSV_TYPE);
    }
}
