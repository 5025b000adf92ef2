//! The mapping engine. Input up to the first NUL byte is a mapping file, the rest the source
//! file; when the mapping does not compile, the rest is mapped with the market-regulation
//! example mapping instead, so both the compiler and the engine get exercised.
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use zhifa_exchange::{Mapping, Report};

const EXAMPLE: &str = include_str!("../../examples/exchange/market-regulation/mapping.toml");

fuzz_target!(|data: &[u8]| {
    let (head, input) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (&[][..], data),
    };
    let mapping = std::str::from_utf8(head)
        .ok()
        .and_then(|t| Mapping::from_toml(t).ok())
        .unwrap_or_else(|| Mapping::from_toml(EXAMPLE).expect("the example mapping compiles"));
    let mut report = Report::new(&mapping);
    if let Ok(rows) = mapping.open(Cursor::new(input.to_vec())) {
        for row in rows.flatten() {
            report.add(&row);
        }
    }
    let _ = report.to_csv_string();
    let _ = report.to_html_string();
});
