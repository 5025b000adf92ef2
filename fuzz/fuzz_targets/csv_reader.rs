//! Arbitrary bytes through the CSV reader; the first byte picks the declared encoding.
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use zhifa_exchange::read::{self, Encoding, ReadOptions, SourceFormat};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let mut options = ReadOptions::new(SourceFormat::Csv);
    options.encoding = match selector % 3 {
        0 => Encoding::Auto,
        1 => Encoding::Utf8,
        _ => Encoding::Gb18030,
    };
    options.delimiter = if selector & 0x80 == 0 { b',' } else { b'\t' };
    let columns = vec!["A".to_string(), "B".to_string()];
    if let Ok(rows) = read::open(Cursor::new(bytes.to_vec()), &options, &columns) {
        for row in rows {
            let _ = row;
        }
    }
});
