//! `zhifa bench supervision` — benchmark P5, supervision part (docs/benchmarks.md), on the
//! demo province node (10,200 cases) in a scratch directory:
//!
//! - **evaluation of the whole history**: the worker pass over every case event from the
//!   start of the log, an open-case sweep and a full sweep, each against the reference measured
//!   in the same run — a full sweep with an empty rule set: the same cases and events read,
//!   decrypted and parsed, the same facts looked up, no rule evaluated;
//! - **alert latency**: with the worker running at its default interval, the time from the
//!   commit of a command that breaks a rule (filing past the limitation period with a head's
//!   override, APL Art. 36) to the alert being readable, p50/p99/max against the 1 s target.
//!
//! - **dashboards**: the province supervisor's figures of the year as the pages ask the store
//!   for them (by city, by month, by field, alerts by rule; median of 5), against DuckDB
//!   computing the same aggregates on the same rows exported to CSV and loaded into an
//!   in-memory table (`pip install duckdb`; without it the reference is reported missing).
//!
//! Asserts nothing (benchmarks are not tests).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::json;
use sqlx::Row;
use zhifa_domain::case::{Command, Envelope, Party};
use zhifa_domain::time::ChinaDate;
use zhifa_server::supervision::{SupervisionSettings, SupervisionWorker};
use zhifa_store::model::PageRequest;
use zhifa_store::supervision_model::AlertFilter;
use zhifa_store::{Scope, Store};

use crate::config::Config;

/// Options of the run.
pub struct Options {
    /// Alert-latency samples.
    pub samples: usize,
    /// Cases of the node: the demo's, plus synthetic cases of the same kind up to this many.
    pub cases: usize,
    /// Also write the results as JSON to this file.
    pub json: Option<PathBuf>,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Runs the benchmark.
pub async fn run(opts: Options) -> Result<ExitCode> {
    let dir = tempfile::tempdir().context("while creating a scratch directory")?;
    let config = Config {
        data_dir: dir.path().to_path_buf(),
        ..Config::default()
    };
    println!(
        "zhifa bench supervision：生成演示省级节点（{}）……",
        dir.path().display()
    );
    super::serve::run(config.clone(), true, true).await?;
    let store = crate::node::open_store(&config).await?;
    let calendar = crate::node::calendar(&store).await?;
    if opts.cases > crate::demo::cases::CASES {
        let more = opts.cases - crate::demo::cases::CASES;
        println!("  另生成 {more} 件同类案件（经办案规则逐条裁决后入库）……");
        let added = crate::demo::cases::add(
            &store,
            &calendar,
            more,
            0x4d4f_5245_2043_4153, // "MORE CAS"
            1_000_000_000,
        )
        .await?;
        println!(
            "  入库 {} 件（{} 条指令），{:.0} 秒，{:.0} 件/秒",
            added.cases,
            added.commands,
            added.store_secs,
            added.cases as f64 / added.store_secs.max(1e-9)
        );
    }
    let today = ChinaDate::today().date();
    let cases: i64 = sqlx::query("SELECT COUNT(*) FROM cases")
        .fetch_one(store.pool())
        .await?
        .try_get(0)?;

    let events: i64 = sqlx::query("SELECT COUNT(*) FROM case_events")
        .fetch_one(store.pool())
        .await?
        .try_get(0)?;
    // The pass over the whole log, from position 0.
    let t = Instant::now();
    let raised = store
        .supervision_catch_up(&calendar, today, 2_000)
        .await?
        .raised;
    let pass = t.elapsed();
    let t = Instant::now();
    let open = store.supervision_sweep(&calendar, today, false).await?;
    let open_sweep = t.elapsed();
    let t = Instant::now();
    let full = store.supervision_sweep(&calendar, today, true).await?;
    let full_sweep = t.elapsed();

    // Reference: the same sweep with no rules.
    let actor = zhifa_store::model::Actor::system("bench");
    store.set_alert_rules(&actor, "").await?;
    let t = Instant::now();
    store.supervision_sweep(&calendar, today, true).await?;
    let reference = t.elapsed();
    store
        .set_alert_rules(&actor, zhifa_supervise::rules::DEFAULT_RULES_TOML)
        .await?;

    // Alert latency with the worker running.
    let worker = SupervisionWorker::new(
        store.clone(),
        crate::node::shared(calendar.clone()),
        SupervisionSettings::default(),
    );
    let handle = worker.clone().spawn();
    let (agency, officers) = agency_with_officers(&store).await?;
    let mut latencies = Vec::with_capacity(opts.samples);
    let mut commits = Vec::with_capacity(opts.samples);
    for i in 0..opts.samples {
        let (case_id, commit) =
            late_filing(&store, &calendar, today, &agency, &officers, i).await?;
        commits.push(commit);
        let filed = Instant::now();
        // The next sample starts at a different point of the worker's interval.
        let jitter = Duration::from_millis((i as u64 * 97) % 250);
        loop {
            let page = store
                .list_alerts_in(
                    &Scope::All,
                    &AlertFilter {
                        case_id: Some(case_id.clone()),
                        ..AlertFilter::default()
                    },
                    PageRequest {
                        offset: 0,
                        limit: 1,
                    },
                )
                .await?;
            if page.total > 0 {
                latencies.push(filed.elapsed());
                tokio::time::sleep(jitter).await;
                break;
            }
            if filed.elapsed() > Duration::from_secs(30) {
                bail!("no alert 30 s after the command of sample {i}");
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }
    handle.shutdown().await;
    let dashboards = dashboards(&store, today, dir.path()).await?;
    latencies.sort();
    commits.sort();
    let pct = |v: &[Duration], p: f64| {
        v.get(((v.len() as f64 - 1.0) * p).round() as usize)
            .copied()
            .unwrap_or_default()
    };
    let (p50, p99, max) = (
        pct(&latencies, 0.5),
        pct(&latencies, 0.99),
        latencies.last().copied().unwrap_or_default(),
    );

    println!();
    println!(
        "演示节点：{cases} 件案件，{events} 个案件事件；规则 {} 条",
        store.alert_rules().await?.rules.len()
    );
    println!();
    println!("| 测量 | 用时 | 参照：无规则全量扫描（同样读取） | 比值（参照/用时） | 新线索 |");
    println!("|---|---|---|---|---|");
    for (what, d, n) in [
        ("逐事件评估全部历史（worker pass，自游标 0）", pass, raised),
        ("未结案件扫描（定时）", open_sweep, open.raised),
        ("全量扫描（规则变更后）", full_sweep, full.raised),
    ] {
        println!(
            "| {what} | {:.0} ms | {:.0} ms | {:.2} | {n} |",
            ms(d),
            ms(reference),
            reference.as_secs_f64() / d.as_secs_f64().max(1e-9)
        );
    }
    println!();
    println!(
        "线索时延（提交违规指令 → 线索可读，worker 间隔 {} ms，{} 个样本）：p50 {:.0} ms，p99 {:.0} ms，最大 {:.0} ms；目标 ≤ 1000 ms（p99/目标 = {:.2}）；指令提交本身 p50 {:.1} ms",
        SupervisionSettings::default().interval.as_millis(),
        latencies.len(),
        ms(p50),
        ms(p99),
        ms(max),
        ms(p99) / 1000.0,
        ms(pct(&commits, 0.5)),
    );
    println!();
    println!(
        "| 看板查询（广东省，本年度） | 本系统（存储层，中位数） | DuckDB（同样数据，中位数） | 比值（本系统/DuckDB） |"
    );
    println!("|---|---|---|---|");
    for d in &dashboards {
        match d.duckdb_ms {
            Some(r) => println!(
                "| {} | {:.1} ms | {:.1} ms | {:.1} |",
                d.what,
                d.store_ms,
                r,
                d.store_ms / r.max(1e-6)
            ),
            None => println!(
                "| {} | {:.1} ms | 未测（未安装 duckdb：pip install duckdb） | — |",
                d.what, d.store_ms
            ),
        }
    }
    if let Some(path) = &opts.json {
        let doc = json!({
            "benchmark": "P5-supervision",
            "cases": cases, "events": events,
            "reference_empty_rules_full_sweep_ms": ms(reference),
            "pass_all_ms": ms(pass), "pass_raised": raised,
            "open_sweep_ms": ms(open_sweep), "open_sweep_cases": open.cases,
            "full_sweep_ms": ms(full_sweep), "full_sweep_cases": full.cases,
            "alert_latency_ms": {"p50": ms(p50), "p99": ms(p99), "max": ms(max), "samples": latencies.len()},
            "command_commit_p50_ms": ms(pct(&commits, 0.5)),
            "dashboards": dashboards.iter().map(|d| json!({"query": d.what, "store_ms": d.store_ms, "duckdb_ms": d.duckdb_ms})).collect::<Vec<_>>(),
        });
        std::fs::write(path, serde_json::to_string_pretty(&doc)?)
            .with_context(|| format!("while writing {}", path.display()))?;
        println!("结果已写入 {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// One dashboard query, timed through the store and in DuckDB.
struct Dashboard {
    what: &'static str,
    store_ms: f64,
    duckdb_ms: Option<f64>,
}

/// Median of `runs` timings of `f`, ms.
async fn median_ms<F, Fut, T>(runs: usize, mut f: F) -> Result<f64>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = std::result::Result<T, zhifa_store::StoreError>>,
{
    let mut v = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        std::hint::black_box(f().await?);
        v.push(ms(t.elapsed()));
    }
    v.sort_by(f64::total_cmp);
    Ok(v[v.len() / 2])
}

/// The DuckDB side: the same aggregates over the exported rows (period `$from`..`$to`).
const DUCKDB_SCRIPT: &str = r#"
import json, sys, time, duckdb
cases, alerts, frm, to, today = sys.argv[1:6]
con = duckdb.connect()
con.execute(f"CREATE TABLE cases AS SELECT * FROM read_csv('{cases}', header=true, all_varchar=true)")
con.execute(f"CREATE TABLE alerts AS SELECT * FROM read_csv('{alerts}', header=true, all_varchar=true)")
cols = f'''
  COUNT(DISTINCT CASE WHEN opened_on BETWEEN '{frm}' AND '{to}' OR decided_on BETWEEN '{frm}' AND '{to}' THEN agency_id END) AS acting,
  SUM(CASE WHEN opened_on BETWEEN '{frm}' AND '{to}' THEN 1 ELSE 0 END) AS received,
  SUM(CASE WHEN filed_on BETWEEN '{frm}' AND '{to}' THEN 1 ELSE 0 END) AS filed,
  SUM(CASE WHEN decided_on BETWEEN '{frm}' AND '{to}' THEN 1 ELSE 0 END) AS decided,
  SUM(CASE WHEN closed_on BETWEEN '{frm}' AND '{to}' THEN 1 ELSE 0 END) AS closed,
  SUM(CASE WHEN open = '1' THEN 1 ELSE 0 END) AS open_now,
  SUM(CASE WHEN open = '1' AND next_due < '{today}' THEN 1 ELSE 0 END) AS overdue,
  SUM(CASE WHEN decided_on BETWEEN '{frm}' AND '{to}' THEN CAST(fine_fen AS BIGINT) ELSE 0 END) AS fine,
  SUM(CASE WHEN decided_on BETWEEN '{frm}' AND '{to}' AND deviation = '1' THEN 1 ELSE 0 END) AS deviations,
  SUM(CASE WHEN decided_on BETWEEN '{frm}' AND '{to}' AND late = '1' THEN 1 ELSE 0 END) AS late,
  SUM(CASE WHEN decided_on BETWEEN '{frm}' AND '{to}' AND published_on IS NOT NULL THEN 1 ELSE 0 END) AS published,
  SUM(CASE WHEN decided_on BETWEEN '{frm}' AND '{to}' AND procedure = '2' AND review_requested = '1' THEN 1 ELSE 0 END) AS reviews_due,
  SUM(CASE WHEN decided_on BETWEEN '{frm}' AND '{to}' AND procedure = '2' AND review_requested = '1' AND review_opinion = '1' THEN 1 ELSE 0 END) AS reviewed'''
alive = f"WHERE region_code LIKE '44%' AND opened_on <= '{to}' AND (closed_on IS NULL OR closed_on >= '{frm}')"
queries = {
  "by_city": f"SELECT substr(region_code, 1, 4) AS k, {cols} FROM cases {alive} GROUP BY k",
  "by_month": f"SELECT substr(opened_on, 1, 7) AS k, {cols} FROM cases {alive} GROUP BY k",
  "by_field": f"SELECT field AS k, {cols} FROM cases {alive} GROUP BY k",
  "alerts_by_rule": f"SELECT rule_id, COUNT(*), SUM(CASE WHEN status NOT IN ('closed', 'muted') THEN 1 ELSE 0 END) FROM alerts WHERE region_code LIKE '44%' AND raised_on BETWEEN '{frm}' AND '{to}' GROUP BY rule_id",
}
out = {}
for name, q in queries.items():
    v = []
    for _ in range(5):
        t = time.perf_counter(); con.execute(q).fetchall(); v.append((time.perf_counter() - t) * 1000)
    v.sort(); out[name] = v[len(v) // 2]
print(json.dumps(out))
"#;

/// Times the province supervisor's dashboard queries through the store and, when DuckDB is
/// installed, the same aggregates in DuckDB over the same rows.
async fn dashboards(
    store: &Store,
    today: chrono::NaiveDate,
    dir: &std::path::Path,
) -> Result<Vec<Dashboard>> {
    use chrono::Datelike;
    use zhifa_store::stats_model::{Breakdown, StatsQuery};
    let scope = Scope::region("440000");
    let from = chrono::NaiveDate::from_ymd_opt(today.year(), 1, 1).context("year start")?;
    let q = StatsQuery::new(from, today, today)?;
    let by_city = median_ms(5, || {
        store.stats_breakdown_in(&scope, &q, Breakdown::Regions)
    })
    .await?;
    let by_month = median_ms(5, || store.stats_monthly_in(&scope, &q)).await?;
    let by_field = median_ms(5, || {
        store.stats_breakdown_in(&scope, &q, Breakdown::Fields)
    })
    .await?;
    let by_rule = median_ms(5, || store.alerts_by_rule_in(&scope, &q)).await?;
    // The same rows for DuckDB.
    let cases_csv = dir.join("cases.csv");
    let alerts_csv = dir.join("alerts.csv");
    let mut w = csv::Writer::from_path(&cases_csv)?;
    w.write_record(super::bench_dashboards::CASES_CSV_HEADER)?;
    let rows = sqlx::query(
        "SELECT agency_id, region_code, field, procedure, opened_on, filed_on, decided_on, \
         closed_on, next_due, CASE WHEN stage IN ('7', '8', '9') THEN '0' ELSE '1' END AS open, \
         fine_fen, discretion_deviation, late_decision, published_on, \
         CASE WHEN json_extract(state, '$.review.requested') IS NOT NULL THEN '1' ELSE '0' END AS rr, \
         CASE WHEN json_extract(state, '$.review.opinion') IS NOT NULL THEN '1' ELSE '0' END AS ro \
         FROM cases",
    )
    .fetch_all(store.pool())
    .await?;
    let text = |r: &sqlx::any::AnyRow, c: &str| -> Result<String> {
        Ok(r.try_get::<Option<String>, _>(c)?.unwrap_or_default())
    };
    for r in &rows {
        let int = |c: &str| -> Result<String> { Ok(r.try_get::<i64, _>(c)?.to_string()) };
        w.write_record([
            text(r, "agency_id")?,
            text(r, "region_code")?,
            text(r, "field")?,
            text(r, "procedure")?,
            text(r, "opened_on")?,
            text(r, "filed_on")?,
            text(r, "decided_on")?,
            text(r, "closed_on")?,
            text(r, "next_due")?,
            text(r, "open")?,
            int("fine_fen")?,
            int("discretion_deviation")?,
            int("late_decision")?,
            text(r, "published_on")?,
            text(r, "rr")?,
            text(r, "ro")?,
        ])?;
    }
    w.flush()?;
    let mut w = csv::Writer::from_path(&alerts_csv)?;
    w.write_record(["rule_id", "region_code", "raised_on", "status"])?;
    for r in sqlx::query("SELECT rule_id, region_code, raised_on, status FROM supervision_alerts")
        .fetch_all(store.pool())
        .await?
    {
        w.write_record([
            text(&r, "rule_id")?,
            text(&r, "region_code")?,
            text(&r, "raised_on")?,
            text(&r, "status")?,
        ])?;
    }
    w.flush()?;
    let duck = std::process::Command::new("python3")
        .arg("-c")
        .arg(DUCKDB_SCRIPT)
        .arg(&cases_csv)
        .arg(&alerts_csv)
        .arg(from.to_string())
        .arg(today.to_string())
        .arg(today.to_string())
        .output();
    let reference: Option<serde_json::Value> = match duck {
        Ok(o) if o.status.success() => serde_json::from_slice(&o.stdout).ok(),
        Ok(o) => {
            eprintln!(
                "DuckDB 参照未运行：{}",
                String::from_utf8_lossy(&o.stderr)
                    .lines()
                    .last()
                    .unwrap_or("")
            );
            None
        }
        Err(e) => {
            eprintln!("DuckDB 参照未运行：{e}");
            None
        }
    };
    let r = |k: &str| reference.as_ref().and_then(|v| v[k].as_f64());
    Ok(vec![
        Dashboard {
            what: "按地市（区划下钻）",
            store_ms: by_city,
            duckdb_ms: r("by_city"),
        },
        Dashboard {
            what: "按月份（趋势）",
            store_ms: by_month,
            duckdb_ms: r("by_month"),
        },
        Dashboard {
            what: "按执法领域",
            store_ms: by_field,
            duckdb_ms: r("by_field"),
        },
        Dashboard {
            what: "监督预警按规则",
            store_ms: by_rule,
            duckdb_ms: r("alerts_by_rule"),
        },
    ])
}

/// A demo agency with at least two officers.
async fn agency_with_officers(store: &Store) -> Result<(String, Vec<String>)> {
    let rows = sqlx::query(
        "SELECT subject_id, COUNT(*) FROM officers WHERE active = $1 GROUP BY subject_id \
         ORDER BY COUNT(*) DESC LIMIT 1",
    )
    .bind(true)
    .fetch_all(store.pool())
    .await?;
    let agency: String = rows
        .first()
        .context("the demo has no officers")?
        .try_get(0)?;
    let officers = store
        .case_officers(&agency)
        .await?
        .into_iter()
        .map(|o| o.officer_id)
        .collect();
    Ok((agency, officers))
}

/// Registers a lead for an act three years back and files it with the head's override; returns
/// the case id and the filing command's commit time.
async fn late_filing(
    store: &Store,
    calendar: &zhifa_domain::calendar::LegalCalendar,
    today: chrono::NaiveDate,
    agency: &str,
    officers: &[String],
    i: usize,
) -> Result<(String, Duration)> {
    let env = |role: &str, step: &str| Envelope {
        actor: format!("bench-{role}"),
        role: role.into(),
        officer_id: (role == "officer").then(|| officers[0].clone()),
        at: format!("{today}T10:00:00.000+08:00"),
        place: None,
        idempotency_key: format!("bench-supervision-{i}-{step}"),
    };
    let lead = Command::RegisterLead {
        on: today,
        agency_id: agency.to_string(),
        source: "1".into(),
        cause: "无证经营（基准测试）".into(),
        party: Party {
            party_type: "1".into(),
            name: format!("测试当事人{i}"),
            ..Party::default()
        },
        act_date: today - chrono::Days::new(3 * 365 + 30),
        act_ended: None,
        serious_harm: false,
        power_id: None,
        summary: "基准测试".into(),
    };
    let scope = Scope::All;
    let out = store
        .execute_case_command(
            &scope,
            calendar,
            today,
            None,
            &env("officer", "lead"),
            &lead,
        )
        .await?;
    let file = Command::FileCase {
        on: today,
        limitation_override: Some("违法行为处于连续状态（基准测试）".into()),
    };
    let t = Instant::now();
    store
        .execute_case_command(
            &scope,
            calendar,
            today,
            Some(&out.case_id),
            &env("head", "file"),
            &file,
        )
        .await?;
    Ok((out.case_id, t.elapsed()))
}
