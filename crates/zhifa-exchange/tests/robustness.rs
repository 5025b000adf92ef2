//! Never-panic properties: arbitrary bytes through every reader and arbitrary text through
//! the mapping compiler and engine end in rows, rejections or a clear error — never a panic,
//! and never a row lost without a trace. The cargo-fuzz targets in `fuzz/` run the same
//! entry points for longer.

use std::io::Cursor;
use std::path::Path;

use proptest::prelude::*;
use zhifa_exchange::read::{self, ReadOptions, SourceFormat};
use zhifa_exchange::{Mapping, Outcome, Report};

fn columns() -> Vec<String> {
    ["A", "B", "x.y", "检查时间"]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// Reads everything; checks that every error has a code and a Chinese message and that
/// line numbers never go backwards.
fn drain(format: SourceFormat, bytes: Vec<u8>, encoding: read::Encoding) {
    let mut options = ReadOptions::new(format);
    options.encoding = encoding;
    let rows = match read::open(Cursor::new(bytes), &options, &columns()) {
        Ok(rows) => rows,
        Err(e) => {
            assert!(!e.code.is_empty() && !e.message.is_empty());
            return;
        }
    };
    let mut last = 0;
    for row in rows {
        match row {
            Ok(r) => {
                assert!(r.line >= last, "line {} after {last}", r.line);
                last = r.line;
                if r.problems.is_empty() {
                    assert_eq!(
                        r.values.len(),
                        columns().len(),
                        "a clean row has every column"
                    );
                }
                for p in &r.problems {
                    assert!(!p.code.is_empty() && !p.message.is_empty());
                }
            }
            Err(e) => assert!(!e.code.is_empty() && !e.message.is_empty()),
        }
    }
}

fn example_xlsx() -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples/exchange/environment-xlsx/input.xlsx"),
    )
    .expect("example workbook")
}

/// CSV-ish bytes: the header, then arbitrary bytes biased towards separators and quotes.
fn csvish() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            Just(b','),
            Just(b'"'),
            Just(b'\n'),
            Just(b'\r'),
            Just(0xFFu8),
            Just(0x81u8),
            any::<u8>(),
        ],
        0..400,
    )
    .prop_map(|tail| {
        [
            b"A,B,x.y,\xE6\xA3\x80\xE6\x9F\xA5\xE6\x97\xB6\xE9\x97\xB4\n".as_slice(),
            &tail,
        ]
        .concat()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, .. ProptestConfig::default() })]

    #[test]
    fn csv_reader_never_panics(bytes in csvish(), raw in prop::collection::vec(any::<u8>(), 0..300)) {
        for enc in [read::Encoding::Auto, read::Encoding::Utf8, read::Encoding::Gb18030] {
            drain(SourceFormat::Csv, bytes.clone(), enc);
            drain(SourceFormat::Csv, raw.clone(), enc);
        }
    }

    #[test]
    fn jsonl_reader_never_panics(raw in prop::collection::vec(any::<u8>(), 0..400), text in "[{}\\[\\]\":,0-9a-z.\\n ]{0,200}") {
        drain(SourceFormat::Jsonl, raw, read::Encoding::Auto);
        drain(SourceFormat::Jsonl, text.into_bytes(), read::Encoding::Auto);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn xlsx_reader_never_panics_on_damaged_workbooks(
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
        raw in prop::collection::vec(any::<u8>(), 0..200),
    ) {
        let good = example_xlsx();
        let mut damaged = good.clone();
        for (at, b) in flips {
            let i = at.index(damaged.len());
            damaged[i] = b;
        }
        drain(SourceFormat::Xlsx, damaged, read::Encoding::Auto);
        drain(SourceFormat::Xlsx, good[..cut.index(good.len())].to_vec(), read::Encoding::Auto);
        drain(SourceFormat::Xlsx, raw, read::Encoding::Auto);
    }
}

const MAPPING: &str = r#"
record_type = "decision"
source_system = "fuzz"
[input]
format = "csv"
[source_id]
template = "{A}-{B}"
[[skip]]
when = { column = "A", equals = "skip" }
reason = "跳过"
[fields.agency_uscc]
column = "A"
[fields.case_no]
column = "B"
replace = [["[", "〔"], ["]", "〕"]]
[fields.decision_no]
column = "B"
[fields.decided_on]
column = "检查时间"
date = ["%y-%m-%d", "%Y%m%d"]
[fields.party_type]
column = "x.y"
map = { "a" = "1", "b" = "2" }
unmapped = "keep"
[fields.party_name]
column = "A"
split = { separator = "/", index = -1 }
[fields.party_uscc]
column = "B"
extract = '([0-9A-Z]{18})'
[[fields.party_id_number]]
when = { column = "x.y", matches = "^1" }
column = "B"
[fields.penalty_types]
columns = ["A", "x.y"]
items = ","
[fields.fine_fen]
column = "B"
amount = "wan_yuan"
"#;

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    #[test]
    fn mapping_engine_never_panics_and_accounts_for_every_row(
        rows in prop::collection::vec(prop::collection::vec(".{0,24}", 4), 0..12)
    ) {
        let mapping = Mapping::from_toml(MAPPING).expect("mapping compiles");
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(["A", "B", "x.y", "检查时间"]).unwrap();
        for r in &rows {
            w.write_record(r).unwrap();
        }
        let bytes = w.into_inner().unwrap();
        let mut report = Report::new(&mapping);
        for row in mapping.open(Cursor::new(bytes)).expect("opens") {
            let row = row.expect("in-memory CSV reads to the end");
            if let Outcome::Rejected(r) = &row.outcome {
                prop_assert!(!r.is_empty(), "a rejected row names at least one reason");
            }
            report.add(&row);
        }
        // Every row that is not blank comes out exactly once.
        let non_blank = rows
            .iter()
            .filter(|r| r.iter().any(|c| c.bytes().any(|b| !b.is_ascii_whitespace())))
            .count() as u64;
        prop_assert_eq!(report.total, non_blank);
        prop_assert_eq!(report.total, report.accepted + report.rejected + report.skipped);
        let _ = report.to_html_string();
    }

    #[test]
    fn mapping_compiler_never_panics(text in "[a-z_=\\[\\]{}\"., \\n0-9%]{0,300}") {
        if let Err(e) = Mapping::from_toml(&text) {
            prop_assert!(!e.code.is_empty() && !e.message.is_empty());
        }
        let with_fields = format!("record_type = \"subject\"\nsource_system = \"s\"\n[input]\nformat = \"csv\"\n[source_id]\ncolumn = \"A\"\n{text}");
        if let Err(e) = Mapping::from_toml(&with_fields) {
            prop_assert!(!e.code.is_empty() && !e.message.is_empty());
        }
    }
}
