//! Measures loading the reference data the way `zhifa demo` does: parse the law corpus
//! (`data/laws`), then import regions and laws into a fresh store.
//!
//! ```text
//! cargo run --release -p zhifa-store --example import_corpus            # temporary SQLite file
//! cargo run --release -p zhifa-store --example import_corpus -- postgres://postgres@127.0.0.1/zhifa_bench
//! ```
//!
//! A benchmark, not a test: it prints timings and asserts nothing about them.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use zhifa_store::crypto::Sm4GcmCipher;
use zhifa_store::model::Actor;
use zhifa_store::{Store, StoreOptions};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("bench.db").display()));
    let corpus_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/laws");

    let t = Instant::now();
    let corpus = zhifa_laws::load_dir(&corpus_dir)?;
    let articles: usize = corpus.laws.iter().map(|l| l.articles.len()).sum();
    println!(
        "parse corpus:   {:>7.3} s  ({} laws, {articles} articles)",
        t.elapsed().as_secs_f64(),
        corpus.laws.len()
    );

    let t = Instant::now();
    let opts = StoreOptions {
        url,
        max_connections: 4,
        cipher: Arc::new(Sm4GcmCipher::new([0; 16])),
    };
    let store = Store::connect(opts).await?;
    store.migrate().await?;
    println!("connect+migrate:{:>7.3} s", t.elapsed().as_secs_f64());

    let t = Instant::now();
    let regions = store
        .load_regions(zhifa_domain::region::RegionTable::builtin())
        .await?;
    println!(
        "load regions:   {:>7.3} s  ({regions} regions)",
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let report = store
        .import_laws(&corpus.laws, &Actor::system("bench"))
        .await?;
    println!(
        "import laws:    {:>7.3} s  ({} laws, {} articles added)",
        t.elapsed().as_secs_f64(),
        report.laws_added,
        report.articles_added
    );

    let t = Instant::now();
    let again = store
        .import_laws(&corpus.laws, &Actor::system("bench"))
        .await?;
    println!(
        "re-import:      {:>7.3} s  ({} skipped)",
        t.elapsed().as_secs_f64(),
        again.laws_skipped
    );

    let t = Instant::now();
    let found = store.find_article("行政处罚法", "第二十八条").await?;
    println!(
        "find_article:   {:>7.3} s  ({})",
        t.elapsed().as_secs_f64(),
        found
            .map(|a| format!("{} {}", a.law_title, a.label))
            .unwrap_or_else(|| "not found".into())
    );
    let counts = store.counts().await?;
    println!("counts: {counts:?}");
    store.pool().close().await;
    Ok(())
}
