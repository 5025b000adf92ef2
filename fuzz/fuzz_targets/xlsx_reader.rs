//! Arbitrary bytes through the XLSX reader (seed the corpus with
//! `examples/exchange/environment-xlsx/input.xlsx`).
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use zhifa_exchange::read::{self, ReadOptions, SourceFormat};

fuzz_target!(|data: &[u8]| {
    let mut options = ReadOptions::new(SourceFormat::Xlsx);
    options.header_row = 2;
    let columns = vec!["记录编号".to_string(), "检查时间".to_string()];
    if let Ok(rows) = read::open(Cursor::new(data.to_vec()), &options, &columns) {
        for row in rows {
            let _ = row;
        }
    }
});
