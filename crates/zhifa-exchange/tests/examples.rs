//! The example source exports under `examples/exchange/<system>/`: each is mapped with its
//! mapping file and the validation report and the accepted records must equal the committed
//! expectations exactly (`expected-report.csv`, `expected-records.jsonl`).
//!
//! After a deliberate change, regenerate the expectations with
//! `ZHIFA_UPDATE_EXPECTED=1 cargo test -p zhifa-exchange --test examples` and review the diff.

use std::path::{Path, PathBuf};

use zhifa_exchange::{Mapping, Outcome, Report};

fn example_dir(system: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/exchange")
        .join(system)
}

/// Maps an example and returns its report and the accepted records as JSON Lines.
fn run(system: &str, input: &str) -> (Report, String) {
    let dir = example_dir(system);
    let mapping = Mapping::from_path(dir.join("mapping.toml")).expect("mapping compiles");
    let mut report = Report::new(&mapping);
    let mut records = String::new();
    for row in mapping.open_path(dir.join(input)).expect("input opens") {
        let row = row.expect("the example reads to the end");
        if let Outcome::Accepted(r) = &row.outcome {
            records.push_str(&r.to_json_line());
            records.push('\n');
        }
        report.add(&row);
    }
    (report, records)
}

fn compare(system: &str, name: &str, actual: &str) {
    let path = example_dir(system).join(name);
    if std::env::var_os("ZHIFA_UPDATE_EXPECTED").is_some() {
        std::fs::write(&path, actual).expect("write expectation");
        return;
    }
    let expected =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(
        actual,
        expected,
        "{} differs from the mapped output",
        path.display()
    );
}

fn check(system: &str, input: &str, counts: (u64, u64, u64)) -> Report {
    let (report, records) = run(system, input);
    compare(system, "expected-report.csv", &report.to_csv_string());
    compare(system, "expected-records.jsonl", &records);
    assert_eq!(
        (report.accepted, report.rejected, report.skipped),
        counts,
        "accepted, rejected, skipped of {system}"
    );
    let html = report.to_html_string();
    assert!(html.contains("数据导入校验报告"));
    for r in &report.rejections {
        assert!(html.contains(&r.code), "{} missing from HTML", r.code);
    }
    report
}

#[test]
fn market_regulation_csv_with_pinyin_columns() {
    let report = check("market-regulation", "input.csv", (4, 7, 1));
    assert_eq!(report.skipped_rows[0].reason, "源系统中已作废的处罚记录");
}

#[test]
fn environment_xlsx_inspections() {
    check("environment-xlsx", "input.xlsx", (3, 5, 0));
}

#[test]
fn legacy_gbk_csv_with_wan_yuan_and_two_digit_years() {
    check("legacy-gbk", "input.csv", (4, 6, 0));
}
