//! Arbitrary bytes through the JSON Lines reader, with keys and dotted paths.
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use zhifa_exchange::read::{self, ReadOptions, SourceFormat};

fuzz_target!(|data: &[u8]| {
    let options = ReadOptions::new(SourceFormat::Jsonl);
    let columns = vec!["id".to_string(), "party.name".to_string(), "a.b.c".to_string()];
    if let Ok(rows) = read::open(Cursor::new(data.to_vec()), &options, &columns) {
        for row in rows {
            let _ = row;
        }
    }
});
