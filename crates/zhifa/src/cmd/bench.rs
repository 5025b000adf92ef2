//! `zhifa bench ledger` — benchmarks P3 and P4 (docs/benchmarks.md), each against a reference
//! measured in the same run: in-memory SM3 leaf hashing of the same canonical bytes and raw SM3
//! throughput. Prints a table; asserts nothing (benchmarks are not tests).

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde_json::json;
use zhifa_ledger::{CompactRange, HashAlg, KeyAlg, NoteSigner, SoftwareSigner, leaf_hash};
use zhifa_store::crypto::Sm4GcmCipher;
use zhifa_store::ledger::ChangeRow;
use zhifa_store::model::Actor;
use zhifa_store::{AuditOptions, ChangeRecord, Store, StoreOptions};

use crate::cli::BenchCmd;

/// Runs a benchmark. `database_url` (global `--database-url` or `ZHIFA_DATABASE_URL`) adds a
/// PostgreSQL run to `bench cases` and `bench import` when it names a PostgreSQL server.
pub fn run(what: BenchCmd, database_url: Option<String>) -> Result<ExitCode> {
    match what {
        BenchCmd::Cases {
            seconds,
            clients,
            json,
        } => {
            let postgres = database_url.filter(|u| u.starts_with("postgres"));
            super::runtime()?.block_on(super::bench_cases::run(super::bench_cases::Options {
                seconds: seconds.max(0.5),
                clients,
                postgres,
                json,
            }))
        }
        BenchCmd::Supervision {
            samples,
            cases,
            json,
        } => super::runtime()?.block_on(super::bench_supervision::run(
            super::bench_supervision::Options {
                samples: samples.max(1),
                cases,
                json,
            },
        )),
        BenchCmd::Dashboards { cases, json, keep } => super::runtime()?.block_on(
            super::bench_dashboards::run(super::bench_dashboards::Options {
                cases: cases.max(1),
                json,
                keep,
            }),
        ),
        BenchCmd::Ledger {
            leaves,
            batch,
            postgres,
            hash,
        } => super::runtime()?.block_on(ledger(leaves, batch.max(1), postgres, hash)),
        BenchCmd::Import { rows, batch, json } => {
            let postgres = database_url.filter(|u| u.starts_with("postgres"));
            super::runtime()?.block_on(super::bench_import::run(super::bench_import::Options {
                rows,
                batch,
                postgres,
                json,
            }))
        }
    }
}

fn record(i: u64) -> ChangeRecord {
    ChangeRecord {
        entity: "inspection".into(),
        entity_id: format!("0190a1b2-c3d4-7e5f-8a9b-{i:012}"),
        action: "create".into(),
        before: None,
        after: Some(json!({
            "id": i, "subject_id": "0190a1b2-0000-7000-8000-000000000001",
            "region_code": "440106", "result": "合格", "officers": ["执法证 44010601000012", "执法证 44010601000013"],
        })),
    }
}

/// The canonical bytes of record `i`, as the store will encode it (same size and shape).
fn canonical(i: u64) -> Vec<u8> {
    let r = record(i);
    ChangeRow {
        seq: i as i64 + 1,
        entity: r.entity,
        entity_id: r.entity_id,
        action: r.action,
        actor: "system:bench".into(),
        ip: None,
        at: "2026-11-27T12:00:00.000+08:00".into(),
        before: None,
        after: r.after.map(|v| v.to_string()),
    }
    .canonical_bytes()
}

fn rate(n: u64, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64().max(1e-9)
}

/// A migrated bench store at `url` (fixed field key), with the ledger hash set if given.
pub(super) async fn open(url: &str, hash: Option<HashAlg>) -> Result<Store> {
    let store = Store::connect(StoreOptions {
        url: url.to_string(),
        max_connections: 4,
        cipher: Arc::new(Sm4GcmCipher::new(*b"zhifa-bench-key!")),
    })
    .await?;
    store.migrate().await?;
    if let Some(hash) = hash {
        store
            .init_ledger_hash(Some(hash), &Actor::system("bench"))
            .await?;
    }
    Ok(store)
}

/// One backend's measurements.
struct Row {
    backend: &'static str,
    appends: f64,
    checkpoint: Duration,
    inclusion: Duration,
    consistency: Duration,
    audit_leaves: f64,
    audit_mb: f64,
}

async fn measure(
    backend: &'static str,
    store: &Store,
    leaves: u64,
    batch: u64,
    bytes: usize,
) -> Result<Row> {
    let actor = Actor::system("bench");
    let signers = [
        SoftwareSigner::generate(KeyAlg::Sm2, "zhifa.local/bench")?,
        SoftwareSigner::generate(KeyAlg::Ed25519, "zhifa.local/bench")?,
    ];
    let refs: Vec<&(dyn NoteSigner + Send + Sync)> = signers.iter().map(|s| s as _).collect();
    let started = Instant::now();
    let mut done = 0u64;
    while done < leaves {
        let n = batch.min(leaves - done);
        let records: Vec<ChangeRecord> = (done..done + n).map(record).collect();
        store.record_changes(&records, &actor).await?;
        done += n;
    }
    let append_time = started.elapsed();
    let appends = rate(leaves, append_time);
    println!(
        "{backend}：{leaves} 个叶子持久追加用时 {:.1} 秒",
        append_time.as_secs_f64()
    );
    let t = Instant::now();
    store.sign_checkpoint("zhifa.local/bench", &refs).await?;
    let checkpoint = t.elapsed();
    // Proof latency from storage: mean over leaves and sizes spread over the whole log,
    // starting with an empty upper-level node cache (the first proofs fill it).
    let size = store.ledger_size().await?;
    let samples = 1_000u64;
    let spread = |k: u64| {
        let step = (size / samples).max(1);
        (k * step + (k * 7_919) % step) % size
    };
    let t = Instant::now();
    for k in 0..samples {
        store.ledger_inclusion_proof(spread(k), size).await?;
    }
    let inclusion = t.elapsed() / samples as u32;
    let t = Instant::now();
    for k in 0..samples {
        store
            .ledger_consistency_proof(spread(k).max(1), size)
            .await?;
    }
    let consistency = t.elapsed() / samples as u32;
    let t = Instant::now();
    let report = store
        .verify_ledger(&AuditOptions {
            evidence_dir: None,
            keys: signers.iter().map(SoftwareSigner::verifier).collect(),
        })
        .await?;
    let audit = t.elapsed();
    anyhow::ensure!(
        report.is_intact(),
        "bench ledger not intact: {:?}",
        report.findings.first()
    );
    println!("{backend}：全量审计用时 {:.1} 秒", audit.as_secs_f64());
    Ok(Row {
        backend,
        appends,
        checkpoint,
        inclusion,
        consistency,
        audit_leaves: rate(report.leaves, audit),
        audit_mb: bytes as f64 / 1e6 / audit.as_secs_f64(),
    })
}

async fn ledger(
    leaves: u64,
    batch: u64,
    postgres: Option<String>,
    hash: HashAlg,
) -> Result<ExitCode> {
    // References, same run, same bytes: the canonical encodings are built first (in chunks,
    // not kept), then hashed and appended in memory.
    let mut bytes = 0usize;
    let mut range = CompactRange::new(hash);
    let mut hashing = Duration::ZERO;
    for start in (0..leaves).step_by(100_000) {
        let data: Vec<Vec<u8>> = (start..leaves.min(start + 100_000))
            .map(canonical)
            .collect();
        let t = Instant::now();
        for d in &data {
            range.append(leaf_hash(hash, d));
        }
        hashing += t.elapsed();
        bytes += data.iter().map(Vec::len).sum::<usize>();
    }
    let mem_appends = rate(leaves, hashing);
    let buf = vec![0x5au8; 64 << 20];
    let t = Instant::now();
    let _ = hash.digest(&[&buf]);
    let hash_mb = buf.len() as f64 / 1e6 / t.elapsed().as_secs_f64();
    let avg = bytes / (leaves.max(1) as usize);
    let name = hash.as_str().to_uppercase();
    println!("zhifa bench ledger：{leaves} 个叶子（平均 {avg} 字节，{name}），每事务 {batch} 个");
    println!(
        "参照（同一次运行，内存中）：{name} 叶子哈希+紧凑范围追加 {mem_appends:.0} 个/秒；{name} 原始吞吐 {hash_mb:.0} MB/s"
    );

    let dir = tempfile::tempdir().context("while creating a scratch directory")?;
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("bench.db").display()
    );
    let mut rows = vec![
        measure(
            "sqlite",
            &open(&url, Some(hash)).await?,
            leaves,
            batch,
            bytes,
        )
        .await?,
    ];
    if let Some(admin_url) = postgres {
        let admin = open(&admin_url, None).await?;
        let name = format!("zhifa_bench_{}", uuid::Uuid::now_v7().simple());
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(admin.pool())
            .await?;
        let url = zhifa_url_with_db(&admin_url, &name);
        let result = async {
            let store = open(&url, Some(hash)).await?;
            measure("postgres", &store, leaves, batch, bytes).await
        }
        .await;
        let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        sqlx::raw_sql(sqlx::AssertSqlSafe(drop))
            .execute(admin.pool())
            .await?;
        rows.push(result?);
    }
    println!();
    println!(
        "| 后端 | 持久追加/秒 | 对内存 {name} 比 | 签检查点耗时 | 包含证明 | 一致性证明 | 全量审计 叶子/秒 | 审计 MB/s | 对 {name} 吞吐比 |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for r in rows {
        println!(
            "| {} | {:.0} | {:.3} | {:.1} ms | {:.0} µs | {:.0} µs | {:.0} | {:.1} | {:.3} |",
            r.backend,
            r.appends,
            r.appends / mem_appends,
            r.checkpoint.as_secs_f64() * 1e3,
            r.inclusion.as_secs_f64() * 1e6,
            r.consistency.as_secs_f64() * 1e6,
            r.audit_leaves,
            r.audit_mb,
            r.audit_mb / hash_mb,
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `admin_url` with its database replaced by `name` (query string kept).
pub(super) fn zhifa_url_with_db(admin_url: &str, name: &str) -> String {
    let (base, query) = admin_url
        .split_once('?')
        .map_or((admin_url, None), |(b, q)| (b, Some(q)));
    let after = base.find("://").map_or(0, |i| i + 3);
    let server = match base[after..].find('/') {
        Some(i) => &base[..after + i],
        None => base,
    };
    match query {
        Some(q) => format!("{server}/{name}?{q}"),
        None => format!("{server}/{name}"),
    }
}
