//! `zhifa bench import` — benchmark P2 (docs/benchmarks.md): a large export in the standard
//! CSV profile (执法对象 `subject` records, the base data with the most rows) imported through
//! the real pipeline (`zhifa_server::imports::run_import`: read → map → validate → store by
//! natural key, SM4-sealed, one change-log row and ledger leaf per record, batched
//! transactions), against the reference measured in the same run on the same file: the raw
//! bulk insert of the same rows into a plain table (SQLite: the CSV parsed and inserted with
//! prepared multi-row statements in one transaction; PostgreSQL: `COPY … FROM STDIN` of the
//! file). Peak and sampled resident memory (`/proc/self/status` VmHWM/VmRSS) show whether
//! memory stays flat. Asserts nothing (benchmarks are not tests).

use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde::Serialize;
use serde_json::json;
use sqlx::postgres::PgPoolCopyExt;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{Connection, Executor};
use zhifa_domain::ids::uscc_with_check;
use zhifa_exchange::{Mapping, RecordType, SourceFormat};
use zhifa_server::imports::{ImportJob, run_import};
use zhifa_store::Store;
use zhifa_store::model::Actor;

/// Options of the run.
pub struct Options {
    /// Rows of the generated export.
    pub rows: u64,
    /// Records per import transaction.
    pub batch: usize,
    /// PostgreSQL server (a database of its own is created and dropped), if measured.
    pub postgres: Option<String>,
    /// Also write the results as JSON to this file.
    pub json: Option<PathBuf>,
}

/// Source system of the generated records.
const SYSTEM: &str = "bench-scjg";

/// The plain table of the reference: the CSV profile's columns, all text.
fn raw_table() -> String {
    let cols: Vec<String> = RecordType::Subject
        .csv_header()
        .iter()
        .map(|c| format!("{c} TEXT"))
        .collect();
    format!("CREATE TABLE raw_subjects ({})", cols.join(", "))
}

/// Writes `rows` valid `subject` records in the standard CSV profile: organisations with
/// distinct, check-digit-valid USCCs.
fn generate(path: &Path, rows: u64) -> Result<u64> {
    let file = std::fs::File::create(path)
        .with_context(|| format!("while creating {}", path.display()))?;
    let mut out = csv::Writer::from_writer(BufWriter::with_capacity(1 << 20, file));
    out.write_record(RecordType::Subject.csv_header())?;
    for i in 0..rows {
        // 91 (enterprise) + 440106 (天河区) + 9-digit body + check character.
        let uscc = uscc_with_check(&format!("91440106{:09}", i))
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .to_string();
        let district = ["天河区", "越秀区", "海珠区", "白云区"][(i % 4) as usize];
        out.write_record([
            SYSTEM,
            &format!("QY{i:09}"),
            "2",
            &format!("广州{district}示例商贸有限公司第{i}号"),
            &uscc,
            "",
            "",
            "张三",
            &format!("广州市{district}示例路{}号", i % 1000 + 1),
            "440106",
            "",
            "",
            "",
        ])?;
    }
    out.flush()?;
    let size = std::fs::metadata(path)?.len();
    Ok(size)
}

/// Resident memory samples of this process, taken every 100 ms while a measurement runs.
struct Rss {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<Vec<u64>>,
}

/// A `/proc/self/status` value in KiB (`VmRSS`, `VmHWM`); 0 where there is no procfs.
fn status_kib(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

impl Rss {
    fn start() -> Rss {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut samples = Vec::new();
            while !flag.load(Ordering::Relaxed) {
                samples.push(status_kib("VmRSS:"));
                std::thread::sleep(Duration::from_millis(100));
            }
            samples
        });
        Rss { stop, thread }
    }

    /// RSS (MiB) at 10 %, 50 % and 90 % of the run and the largest sample.
    fn finish(self) -> [f64; 4] {
        self.stop.store(true, Ordering::Relaxed);
        let s = self.thread.join().unwrap_or_default();
        let mib = |k: u64| k as f64 / 1024.0;
        let at = |f: f64| {
            s.get(((s.len() as f64 * f) as usize).min(s.len().saturating_sub(1)))
                .copied()
                .unwrap_or(0)
        };
        [
            mib(at(0.1)),
            mib(at(0.5)),
            mib(at(0.9)),
            mib(s.iter().copied().max().unwrap_or(0)),
        ]
    }
}

/// One backend's measurements.
#[derive(Debug, Serialize)]
struct Measured {
    backend: &'static str,
    rows: u64,
    import_secs: f64,
    import_per_sec: f64,
    added: u64,
    reference: &'static str,
    reference_secs: f64,
    reference_per_sec: f64,
    ratio: f64,
    rss_mib_10_50_90_max: [f64; 4],
}

async fn open_store(url: &str) -> Result<Store> {
    super::bench::open(url, None).await
}

/// The import through the real pipeline; returns the time and the records added.
async fn import(store: &Store, input: &Path, batch: usize) -> Result<(Duration, u64)> {
    let mapping = Mapping::standard(RecordType::Subject, SourceFormat::Csv);
    let rows = mapping.open_path(input)?;
    let mut job = ImportJob::new(mapping, b"standard subject csv", "bench", 100);
    job.batch = batch;
    let t = Instant::now();
    let outcome = run_import(Some(store), &job, rows, &Actor::system("bench"), ())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let elapsed = t.elapsed();
    if outcome.report.rejected > 0 || outcome.report.stopped.is_some() {
        anyhow::bail!(
            "the generated export was not accepted whole: {} rejected, {:?}",
            outcome.report.rejected,
            outcome.report.stopped
        );
    }
    Ok((elapsed, outcome.totals.counts.added))
}

/// Rows per multi-row statement of the SQLite reference (13 columns: 1,040 parameters).
const RAW_ROWS_PER_STATEMENT: usize = 80;

/// SQLite reference: the CSV parsed and inserted into a plain table with prepared multi-row
/// statements in one transaction, at the store's durability (WAL, `synchronous=NORMAL`).
async fn raw_sqlite(db: &Path, input: &Path) -> Result<(Duration, u64)> {
    let opts = SqliteConnectOptions::new()
        .filename(db)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal);
    let mut conn = sqlx::SqliteConnection::connect_with(&opts).await?;
    conn.execute(sqlx::AssertSqlSafe(raw_table())).await?;
    let cols = RecordType::Subject.csv_header().len();
    // Anonymous `?` parameters: SQLite searches numbered ones linearly on every bind.
    let statement = |n: usize| {
        let group = format!("({})", vec!["?"; cols].join(", "));
        format!(
            "INSERT INTO raw_subjects VALUES {}",
            vec![group; n].join(", ")
        )
    };
    let full = statement(RAW_ROWS_PER_STATEMENT);
    let t = Instant::now();
    let mut reader = csv::Reader::from_path(input)?;
    let mut tx = conn.begin().await?;
    let mut pending: Vec<csv::StringRecord> = Vec::with_capacity(RAW_ROWS_PER_STATEMENT);
    let mut n = 0u64;
    let mut record = csv::StringRecord::new();
    while reader.read_record(&mut record)? {
        pending.push(record.clone());
        if pending.len() == RAW_ROWS_PER_STATEMENT {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(full.as_str()));
            for r in &pending {
                for f in r.iter() {
                    q = q.bind(f.to_string());
                }
            }
            q.execute(&mut *tx).await?;
            n += pending.len() as u64;
            pending.clear();
        }
    }
    if !pending.is_empty() {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(statement(pending.len())));
        for r in &pending {
            for f in r.iter() {
                q = q.bind(f.to_string());
            }
        }
        q.execute(&mut *tx).await?;
        n += pending.len() as u64;
    }
    tx.commit().await?;
    Ok((t.elapsed(), n))
}

/// PostgreSQL reference: `COPY raw_subjects FROM STDIN (FORMAT csv, HEADER)` of the file.
async fn raw_postgres(url: &str, input: &Path) -> Result<(Duration, u64)> {
    let pool = sqlx::PgPool::connect(url).await?;
    pool.execute(sqlx::AssertSqlSafe(raw_table())).await?;
    let t = Instant::now();
    let mut copy = pool
        .copy_in_raw("COPY raw_subjects FROM STDIN WITH (FORMAT csv, HEADER true)")
        .await?;
    let mut file = std::fs::File::open(input)?;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        copy.send(&buf[..n]).await?;
    }
    let n = copy.finish().await?;
    let elapsed = t.elapsed();
    pool.close().await;
    Ok((elapsed, n))
}

fn per_sec(n: u64, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64().max(1e-9)
}

async fn measure(
    backend: &'static str,
    store: &Store,
    input: &Path,
    rows: u64,
    batch: usize,
    reference: impl std::future::Future<Output = Result<(Duration, u64)>>,
    reference_name: &'static str,
) -> Result<Measured> {
    println!("{backend}：导入 {rows} 行（每批 {batch} 条）……");
    let rss = Rss::start();
    let (took, added) = import(store, input, batch).await?;
    let rss = rss.finish();
    println!("{backend}：参照（{reference_name}）……");
    let (ref_took, ref_rows) = reference.await?;
    let import_per_sec = per_sec(rows, took);
    let reference_per_sec = per_sec(ref_rows, ref_took);
    Ok(Measured {
        backend,
        rows,
        import_secs: took.as_secs_f64(),
        import_per_sec,
        added,
        reference: reference_name,
        reference_secs: ref_took.as_secs_f64(),
        reference_per_sec,
        ratio: import_per_sec / reference_per_sec.max(1e-9),
        rss_mib_10_50_90_max: rss,
    })
}

/// Runs the benchmark.
pub async fn run(opts: Options) -> Result<ExitCode> {
    let dir = tempfile::tempdir().context("while creating a scratch directory")?;
    let input = dir.path().join("subjects.csv");
    println!(
        "zhifa bench import：生成 {} 行标准 CSV（执法对象 subject）于 {} ……",
        opts.rows,
        dir.path().display()
    );
    let bytes = generate(&input, opts.rows)?;
    let batch = opts.batch.max(1);
    let mut results = Vec::new();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("import.db").display()
    );
    let store = open_store(&url).await?;
    let raw_db = dir.path().join("raw.db");
    results.push(
        measure(
            "sqlite",
            &store,
            &input,
            opts.rows,
            batch,
            raw_sqlite(&raw_db, &input),
            "SQLite 预编译多行插入，单事务",
        )
        .await?,
    );
    store.pool().close().await;
    if let Some(admin_url) = &opts.postgres {
        let admin = sqlx::PgPool::connect(admin_url).await?;
        let name = format!("zhifa_bench_import_{}", uuid::Uuid::now_v7().simple());
        let raw_name = format!("{name}_raw");
        for n in [&name, &raw_name] {
            admin
                .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {n}")))
                .await?;
        }
        let result = async {
            let store = open_store(&super::bench::zhifa_url_with_db(admin_url, &name)).await?;
            let raw_url = super::bench::zhifa_url_with_db(admin_url, &raw_name);
            let m = measure(
                "postgres",
                &store,
                &input,
                opts.rows,
                batch,
                raw_postgres(&raw_url, &input),
                "PostgreSQL COPY FROM STDIN (csv)",
            )
            .await;
            store.pool().close().await;
            m
        }
        .await;
        for n in [&name, &raw_name] {
            admin
                .execute(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {n} WITH (FORCE)"
                )))
                .await?;
        }
        results.push(result?);
    }
    println!();
    println!(
        "输入：{} 行，{:.1} MiB；峰值常驻内存 VmHWM {:.0} MiB",
        opts.rows,
        bytes as f64 / 1048576.0,
        status_kib("VmHWM:") as f64 / 1024.0
    );
    println!(
        "| 后端 | 导入 记录/秒 | 导入耗时 | 参照 | 参照 记录/秒 | 比值（导入/参照） | RSS 10%/50%/90%/最大 (MiB) |"
    );
    println!("|---|---|---|---|---|---|---|");
    for m in &results {
        let [a, b, c, d] = m.rss_mib_10_50_90_max;
        println!(
            "| {} | {:.0} | {:.1} s | {} | {:.0} | {:.3} | {a:.0}/{b:.0}/{c:.0}/{d:.0} |",
            m.backend, m.import_per_sec, m.import_secs, m.reference, m.reference_per_sec, m.ratio
        );
    }
    if let Some(path) = &opts.json {
        let doc = json!({
            "benchmark": "P2",
            "rows": opts.rows,
            "batch": batch,
            "input_bytes": bytes,
            "vm_hwm_kib": status_kib("VmHWM:"),
            "results": results,
        });
        let mut f = std::fs::File::create(path)
            .with_context(|| format!("while writing {}", path.display()))?;
        f.write_all(serde_json::to_string_pretty(&doc)?.as_bytes())?;
        println!("结果已写入 {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}
