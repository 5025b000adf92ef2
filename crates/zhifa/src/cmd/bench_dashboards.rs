//! `zhifa bench dashboards` — benchmark P5, dashboard part (docs/benchmarks.md): the
//! supervisor's statistics over a national node of `--cases` synthetic cases (10^7 by
//! default), answered by the store, against DuckDB computing the same figures over the same
//! rows in the same run.
//!
//! The cases are not made through the case commands (10^7 full histories would take many
//! hours): the generator writes what the statistics read — `cases` projection rows, on-site
//! inspection records in `case_events` and `supervision_alerts` — straight into a fresh
//! SQLite node, agencies for every county and city of GB/T 2260, dates over the last five
//! years. The maintained aggregates (`case_stats`, `open_stats`, `alert_stats`) are kept by the
//! same triggers as in production while the rows are written, so the load rate reported is
//! also the cost of maintaining them. The same rows go to CSV files that DuckDB loads into
//! typed in-memory tables (`pip install duckdb`; without it the reference is reported missing).
//!
//! Measured, each the median of several runs: the province supervisor's (广东) and the
//! national supervisor's dashboards of the current year (whole months: the monthly buckets),
//! and ad-hoc drill-downs over an arbitrary date range (the months it cuts read from the daily
//! buckets).
//! Asserts nothing (benchmarks are not tests).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use chrono::{Datelike, NaiveDate};
use serde_json::{Value, json};
use sqlx::sqlite::SqliteConnection;
use sqlx::{AssertSqlSafe, Connection, Row};
use zhifa_domain::case::Stage;
use zhifa_domain::region::{RegionLevel, RegionTable};
use zhifa_domain::time::ChinaDate;
use zhifa_store::stats_model::{Breakdown, StatsQuery};
use zhifa_store::{Scope, Store};

use crate::config::Config;
use crate::demo::rng::Rng;

/// Options of the run.
pub struct Options {
    /// Synthetic cases to generate.
    pub cases: u64,
    /// Also write the results as JSON to this file.
    pub json: Option<PathBuf>,
    /// Keep the generated node and CSV files in this directory (a scratch directory otherwise).
    pub keep: Option<PathBuf>,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A synthetic enforcement agency (执法主体).
struct Agency {
    id: String,
    name: String,
    region: String,
    field: String,
}

/// Runs the benchmark.
pub async fn run(opts: Options) -> Result<ExitCode> {
    let scratch = tempfile::tempdir().context("while creating a scratch directory")?;
    let dir = match &opts.keep {
        Some(d) => {
            std::fs::create_dir_all(d)?;
            d.clone()
        }
        None => scratch.path().to_path_buf(),
    };
    // A node kept by an earlier run (its database and the CSV files) is measured again.
    let reuse = ["zhifa.db", "cases.csv", "inspections.csv", "alerts.csv"]
        .iter()
        .all(|f| dir.join(f).exists());
    if !reuse && dir.join("zhifa.db").exists() {
        bail!(
            "{} holds a node without the benchmark's CSV files; give an empty directory",
            dir.display()
        );
    }
    let config = Config {
        data_dir: dir.clone(),
        ..Config::default()
    };
    let store = crate::node::open_store(&config).await?;
    let today = ChinaDate::today().date();
    let (load, load_time) = if reuse {
        println!(
            "zhifa bench dashboards：沿用 {} 中已生成的节点",
            dir.display()
        );
        (Load::count(&store).await?, None)
    } else {
        println!(
            "zhifa bench dashboards：生成 {} 件合成案件（全国节点，{}）……",
            opts.cases,
            dir.display()
        );
        let started = Instant::now();
        let load = generate(&config.database_url(), &dir, opts.cases, today).await?;
        let load_time = started.elapsed();
        println!(
            "  写入 {} 件案件、{} 条检查记录、{} 条预警：{:.0} 秒（{:.0} 件/秒，含汇总表维护）",
            load.cases,
            load.inspections,
            load.alerts,
            load_time.as_secs_f64(),
            load.cases as f64 / load_time.as_secs_f64()
        );
        (load, Some(load_time))
    };
    let db_bytes = std::fs::metadata(dir.join("zhifa.db"))
        .map(|m| m.len())
        .unwrap_or(0);

    let year_start = NaiveDate::from_ymd_opt(today.year(), 1, 1).context("year start")?;
    let adhoc_from = NaiveDate::from_ymd_opt(today.year(), 3, 15).context("from")?;
    let adhoc_to = NaiveDate::from_ymd_opt(today.year(), 6, 20).context("to")?;
    let specs = [
        Spec::new(
            "广东 按地市（本年）",
            "44",
            Figures::Regions(4),
            year_start,
            today,
        ),
        Spec::new(
            "广东 按月份（本年）",
            "44",
            Figures::Monthly,
            year_start,
            today,
        ),
        Spec::new(
            "广东 按领域（本年）",
            "44",
            Figures::Fields,
            year_start,
            today,
        ),
        Spec::new(
            "广东 预警按规则（本年）",
            "44",
            Figures::Rules,
            year_start,
            today,
        ),
        Spec::new(
            "全国 按省份（本年）",
            "",
            Figures::Regions(2),
            year_start,
            today,
        ),
        Spec::new(
            "全国 按月份（本年）",
            "",
            Figures::Monthly,
            year_start,
            today,
        ),
        Spec::new(
            "天河区 按执法主体（任意日期区间）",
            "440106",
            Figures::Agencies,
            adhoc_from,
            adhoc_to,
        ),
        Spec::new(
            "广州市 按区县（任意日期区间）",
            "4401",
            Figures::Regions(6),
            adhoc_from,
            adhoc_to,
        ),
    ];
    let mut results = Vec::new();
    for s in &specs {
        let store_ms = s.time(&store, today).await?;
        results.push((s, store_ms));
    }
    let spec_json: Vec<Value> = specs.iter().map(|s| s.duckdb_spec(today)).collect();
    let reference = duckdb(&dir, &spec_json)?;

    println!();
    println!(
        "数据：{} 件案件，{} 条检查记录，{} 条预警，{} 个执法主体；SQLite 文件 {:.1} GB",
        load.cases,
        load.inspections,
        load.alerts,
        load.agencies,
        db_bytes as f64 / 1e9
    );
    println!();
    println!("| 查询 | 来源 | Zhifa（中位数） | DuckDB（同一数据，中位数） | 比值 Zhifa/DuckDB |");
    println!("|---|---|---|---|---|");
    for (s, store_ms) in &results {
        let duck = reference.as_ref().and_then(|r| r[s.name].as_f64());
        let q = StatsQuery::new(s.from, s.to, today)?;
        // What the store reads (migration 0011 for the country and whole provinces).
        let coarse = s.prefix.len() <= 2
            && match s.figures {
                Figures::Agencies => false,
                Figures::Regions(len) => len <= 2,
                Figures::Fields | Figures::Monthly | Figures::Rules => true,
            };
        let table = if coarse {
            "省级汇总表"
        } else {
            "月汇总表"
        };
        let source = if q.whole_months() {
            table.to_string()
        } else {
            format!("{table} + 日汇总表")
        };
        match duck {
            Some(d) => println!(
                "| {} | {source} | {store_ms:.1} ms | {d:.1} ms | {:.2} |",
                s.name,
                store_ms / d
            ),
            None => println!(
                "| {} | {source} | {store_ms:.1} ms | 未测（未安装 duckdb：pip install duckdb） | — |",
                s.name
            ),
        }
    }
    if let Some(path) = &opts.json {
        let out = json!({
            "cases": load.cases,
            "inspections": load.inspections,
            "alerts": load.alerts,
            "agencies": load.agencies,
            "load_seconds": load_time.map(|t| t.as_secs_f64()),
            "db_bytes": db_bytes,
            "queries": results.iter().map(|(s, ms)| json!({
                "query": s.name,
                "store_ms": ms,
                "duckdb_ms": reference.as_ref().and_then(|r| r[s.name].as_f64()),
            })).collect::<Vec<_>>(),
        });
        std::fs::write(path, serde_json::to_string_pretty(&out)?)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// What a dashboard query asks for.
#[derive(Clone, Copy)]
enum Figures {
    /// The unit's figures per region of this prefix length.
    Regions(usize),
    /// Per agency.
    Agencies,
    /// Per field.
    Fields,
    /// Received, filed, decided, closed, fines and alerts per month.
    Monthly,
    /// Alerts per rule.
    Rules,
}

/// One dashboard query: a supervisor of region `prefix` (national for none), a period.
struct Spec {
    name: &'static str,
    prefix: &'static str,
    figures: Figures,
    from: NaiveDate,
    to: NaiveDate,
}

impl Spec {
    fn new(
        name: &'static str,
        prefix: &'static str,
        figures: Figures,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Spec {
        Spec {
            name,
            prefix,
            figures,
            from,
            to,
        }
    }

    /// The supervisor's scope: their region, or the whole node.
    fn scope(&self) -> Scope {
        if self.prefix.is_empty() {
            Scope::All
        } else {
            Scope::region(&format!("{:0<6}", self.prefix))
        }
    }

    /// Median time of the query through the store, as the dashboard pages ask it.
    async fn time(&self, store: &Store, today: NaiveDate) -> Result<f64> {
        let q = StatsQuery::new(self.from, self.to, today)?;
        let scope = self.scope();
        let runs = 7;
        let mut v = Vec::with_capacity(runs);
        for _ in 0..runs {
            let t = Instant::now();
            match self.figures {
                Figures::Regions(_) => {
                    std::hint::black_box(
                        store
                            .stats_breakdown_in(&scope, &q, Breakdown::Regions)
                            .await?,
                    );
                }
                Figures::Agencies => {
                    std::hint::black_box(
                        store
                            .stats_breakdown_in(&scope, &q, Breakdown::Agencies)
                            .await?,
                    );
                }
                Figures::Fields => {
                    std::hint::black_box(
                        store
                            .stats_breakdown_in(&scope, &q, Breakdown::Fields)
                            .await?,
                    );
                }
                Figures::Monthly => {
                    std::hint::black_box(store.stats_monthly_in(&scope, &q).await?);
                }
                Figures::Rules => {
                    std::hint::black_box(store.alerts_by_rule_in(&scope, &q).await?);
                }
            }
            v.push(ms(t.elapsed()));
        }
        v.sort_by(f64::total_cmp);
        Ok(v[v.len() / 2])
    }

    /// The same query for the DuckDB script.
    fn duckdb_spec(&self, today: NaiveDate) -> Value {
        let (kind, key) = match self.figures {
            Figures::Regions(len) => ("metrics", format!("substr(region_code, 1, {len})")),
            Figures::Agencies => ("metrics", "agency_id".to_string()),
            Figures::Fields => ("metrics", "field".to_string()),
            Figures::Monthly => ("monthly", String::new()),
            Figures::Rules => ("rules", String::new()),
        };
        json!({
            "name": self.name,
            "kind": kind,
            "key": key,
            "prefix": self.prefix,
            "from": self.from.to_string(),
            "to": self.to.to_string(),
            "today": today.to_string(),
        })
    }
}

/// What the generator wrote.
struct Load {
    cases: u64,
    agencies: usize,
    inspections: u64,
    alerts: u64,
}

impl Load {
    /// The counts of a node generated by an earlier run.
    async fn count(store: &Store) -> Result<Load> {
        let n = |sql: &'static str| async move {
            let v: i64 = sqlx::query(sql).fetch_one(store.pool()).await?.try_get(0)?;
            anyhow::Ok(v.max(0) as u64)
        };
        Ok(Load {
            cases: n("SELECT COUNT(*) FROM cases").await?,
            agencies: n("SELECT COUNT(*) FROM subjects").await? as usize,
            inspections: n("SELECT COUNT(*) FROM case_events WHERE kind = 'record_made'").await?,
            alerts: n("SELECT COUNT(*) FROM supervision_alerts").await?,
        })
    }
}

/// Agencies of every county (five fields each) and city (three) of GB/T 2260.
fn agencies() -> Result<Vec<Agency>> {
    let fields: Vec<(String, String)> = zhifa_domain::standard::Standard::builtin()
        .code_set("enforcement_field")
        .context("enforcement_field code set")?
        .codes
        .iter()
        .map(|c| (c.code.clone(), c.name_zh.clone()))
        .collect();
    let mut out = Vec::new();
    for r in RegionTable::builtin().iter() {
        let per = match r.level {
            RegionLevel::County => 5,
            RegionLevel::City => 3,
            _ => continue,
        };
        let start: usize = r.code.parse::<usize>().unwrap_or(0) % fields.len();
        for k in 0..per {
            let (code, name) = &fields[(start + k) % fields.len()];
            out.push(Agency {
                id: format!("syn-agency-{:05}", out.len()),
                name: format!("{}{}执法局", r.name, name),
                region: r.code.clone(),
                field: code.clone(),
            });
        }
    }
    Ok(out)
}

/// A day `days` after `d`.
fn plus(d: NaiveDate, days: u64) -> NaiveDate {
    d + chrono::Duration::days(days as i64)
}

/// The case columns both P5 benchmarks hand to DuckDB (flags as `0`/`1`).
pub(super) const CASES_CSV_HEADER: [&str; 16] = [
    "agency_id",
    "region_code",
    "field",
    "procedure",
    "opened_on",
    "filed_on",
    "decided_on",
    "closed_on",
    "next_due",
    "open",
    "fine_fen",
    "deviation",
    "late",
    "published_on",
    "review_requested",
    "review_opinion",
];

/// Rows of one multi-row insert.
const ROWS: usize = 400;

const CASE_INSERT: &str = "INSERT INTO cases (id, number, agency_id, agency_name, region_code, \
    field, procedure, stage, stage_name, cause, party_name, party_type, fine_fen, opened_on, \
    filed_on, decided_on, closed_on, next_due, next_due_label, review_pending, \
    discretion_deviation, hearing, late_decision, published_on, officer_ids, version, \
    updated_at, state, power_id, review_queue, head_queue, decision_seq, decision_hash, \
    review_requested) VALUES ";
const CASE_VALUES: &str = "(?, ?, ?, ?, ?, ?, ?, ?, ?, '无照经营', '某某商行', '2', ?, ?, ?, ?, \
    ?, ?, ?, 0, ?, 0, ?, ?, '[]', 1, ?, '{}', NULL, ?, 0, NULL, NULL, ?)";
const EVENT_INSERT: &str = "INSERT INTO case_events (seq, case_id, version, kind, payload, actor, \
    role, at, place, idempotency_key, on_date, leaf_index) VALUES ";
const EVENT_VALUES: &str =
    "(?, ?, 2, 'record_made', '{\"kind\":\"inspection\"}', 'bench', 'officer', ?, NULL, ?, ?, ?)";
const ALERT_INSERT: &str = "INSERT INTO supervision_alerts (id, rule_id, rule_name, citation, \
    severity, dedupe_key, case_id, agency_id, agency_name, region_code, field, message, facts, \
    status, escalation, raised_at, raised_on, version, updated_at) VALUES ";
const ALERT_VALUES: &str =
    "(?, ?, ?, ?, 'medium', ?, ?, ?, ?, ?, ?, '合成预警', '{}', ?, 0, ?, ?, 1, ?)";

/// Alert rules of the synthetic alerts (ids and names of the built-in rules).
const RULES: &[(&str, &str, &str)] = &[
    (
        "decision_overdue",
        "超期未作出处罚决定",
        "《行政处罚法》第六十条",
    ),
    (
        "publication_overdue",
        "处罚决定超期未公示",
        "《行政处罚法》第四十八条",
    ),
    (
        "review_missing",
        "未经法制审核作出决定",
        "《行政处罚法》第五十八条",
    ),
    (
        "discretion_deviation",
        "偏离裁量基准",
        "《行政处罚法》第三十四条",
    ),
    (
        "service_overdue",
        "决定书超期未送达",
        "《行政处罚法》第六十一条",
    ),
];

/// One synthetic case row (what the projection would hold).
struct CaseRow {
    id: String,
    number: Option<String>,
    agency: usize,
    procedure: &'static str,
    stage: Stage,
    fine_fen: i64,
    opened: String,
    filed: Option<String>,
    decided: Option<String>,
    closed: Option<String>,
    next_due: Option<String>,
    deviation: bool,
    late: bool,
    published: Option<String>,
    review_requested: bool,
    review_queue: bool,
}

/// A synthetic case with a life plausible for its age: simple procedure (当场处罚) decided
/// and closed the day it is received; general procedure filed within days, decided within
/// the 90-day period (some late, APL Art. 60), published, closed within two months.
fn case_row(rng: &mut Rng, i: u64, agency: usize, opened: NaiveDate, today: NaiveDate) -> CaseRow {
    let d = |x: NaiveDate| Some(x.to_string()).filter(|_| x <= today);
    let mut row = CaseRow {
        id: format!("syn-case-{i:09}"),
        number: None,
        agency,
        procedure: "2",
        stage: Stage::Lead,
        fine_fen: 0,
        opened: opened.to_string(),
        filed: None,
        decided: None,
        closed: None,
        next_due: None,
        deviation: false,
        late: false,
        published: None,
        review_requested: false,
        review_queue: false,
    };
    if rng.chance(20) {
        row.procedure = "1";
        row.stage = Stage::Closed;
        row.fine_fen = (50 + rng.below(150) as i64) * 100;
        row.decided = d(opened);
        row.closed = d(opened);
        row.number = Some(format!("当场〔{}〕{i}号", opened.year()));
        return row;
    }
    row.next_due = d(plus(opened, 15));
    let filed_on = plus(opened, 1 + rng.below(10));
    if rng.chance(8) || filed_on > today {
        // Not filed (yet, or 不予立案 and closed).
        if filed_on <= today {
            row.stage = Stage::Closed;
            row.closed = d(filed_on);
            row.next_due = None;
        }
        return row;
    }
    row.filed = d(filed_on);
    row.number = Some(format!("〔{}〕{i}号", filed_on.year()));
    row.stage = Stage::Investigating;
    row.next_due = Some(plus(filed_on, 90).to_string());
    row.review_requested = rng.chance(35);
    let late = rng.chance(5);
    let decided_on = plus(
        filed_on,
        if late {
            91 + rng.below(60)
        } else {
            20 + rng.below(70)
        },
    );
    if decided_on > today {
        if row.review_requested && decided_on <= plus(today, 10) {
            row.review_queue = true;
            row.stage = Stage::Review;
        }
        row.review_requested &= row.review_queue;
        return row;
    }
    row.decided = d(decided_on);
    row.late = late;
    row.deviation = rng.chance(3);
    row.fine_fen = (1_000 + rng.below(199_000) as i64) * 100;
    row.stage = Stage::Executing;
    row.next_due = Some(plus(decided_on, 7).to_string());
    if rng.chance(92) {
        row.published = d(plus(decided_on, 1 + rng.below(9)));
        if row.published.is_some() {
            row.next_due = Some(plus(decided_on, 60).to_string());
        }
    }
    let closed_on = plus(decided_on, 15 + rng.below(60));
    if closed_on <= today {
        row.closed = d(closed_on);
        row.stage = if rng.chance(40) {
            Stage::Archived
        } else {
            Stage::Closed
        };
        row.next_due = None;
    }
    row
}

/// Writes the synthetic node: agencies, cases (in the order received), inspection records and
/// alerts, in transactions of 100,000 cases; the same rows to CSV for DuckDB.
async fn generate(url: &str, dir: &Path, n: u64, today: NaiveDate) -> Result<Load> {
    let agencies = agencies()?;
    let mut conn = SqliteConnection::connect(url).await?;
    for pragma in [
        "PRAGMA synchronous = OFF",
        "PRAGMA cache_size = -3000000",
        "PRAGMA temp_store = MEMORY",
    ] {
        sqlx::query(pragma).execute(&mut conn).await?;
    }
    let now = format!("{today}T09:00:00.000+08:00");
    let mut tx = conn.begin().await?;
    for (i, a) in agencies.iter().enumerate() {
        let first17 = format!("11{}MB{:07}", a.region, i);
        let uscc = zhifa_domain::ids::uscc_with_check(&first17)
            .map_err(|e| anyhow::anyhow!("{first17}: {e:?}"))?;
        let level = if a.region.ends_with("00") { "2" } else { "3" };
        sqlx::query(
            "INSERT INTO subjects (id, name, uscc, subject_type, field, level, region_code, \
             active, version, created_at, updated_at) VALUES (?, ?, ?, '1', ?, ?, ?, 1, 1, ?, ?)",
        )
        .bind(&a.id)
        .bind(&a.name)
        .bind(uscc.as_str())
        .bind(&a.field)
        .bind(level)
        .bind(&a.region)
        .bind(&now)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;

    let mut cases_csv = csv::Writer::from_path(dir.join("cases.csv"))?;
    cases_csv.write_record(CASES_CSV_HEADER)?;
    let mut insp_csv = csv::Writer::from_path(dir.join("inspections.csv"))?;
    insp_csv.write_record(["agency_id", "region_code", "field", "on_date"])?;
    let mut alerts_csv = csv::Writer::from_path(dir.join("alerts.csv"))?;
    alerts_csv.write_record([
        "agency_id",
        "region_code",
        "field",
        "rule_id",
        "raised_on",
        "open",
    ])?;

    let start = NaiveDate::from_ymd_opt(today.year() - 4, 1, 1).context("start")?;
    let span = (today - start).num_days().max(1) as u64;
    let mut rng = Rng::new(0x5035_4441_5348_4244); // "P5DASHBD"
    // Received dates in order, so that the table grows at its end like a real node's.
    let mut days: Vec<u64> = (0..n).map(|_| rng.below(span)).collect();
    days.sort_unstable();
    let mut load = Load {
        cases: n,
        agencies: agencies.len(),
        inspections: 0,
        alerts: 0,
    };
    let full_case_sql = multi(CASE_INSERT, CASE_VALUES, ROWS);
    let full_event_sql = multi(EVENT_INSERT, EVENT_VALUES, ROWS);
    let mut seq: i64 = 0;
    let mut tx = conn.begin().await?;
    let mut batch: Vec<CaseRow> = Vec::with_capacity(ROWS);
    let mut events: Vec<(i64, String, String)> = Vec::with_capacity(ROWS);
    let mut alerts: Vec<(String, usize, usize, String, bool)> = Vec::new();
    let progress_every = (n / 20).max(1);
    for (i, day) in days.into_iter().enumerate() {
        let i = i as u64;
        let agency = rng.below(agencies.len() as u64) as usize;
        let row = case_row(&mut rng, i, agency, plus(start, day), today);
        let a = &agencies[agency];
        let flag = |b: bool| if b { "1" } else { "0" };
        cases_csv.write_record([
            a.id.as_str(),
            &a.region,
            &a.field,
            row.procedure,
            &row.opened,
            row.filed.as_deref().unwrap_or(""),
            row.decided.as_deref().unwrap_or(""),
            row.closed.as_deref().unwrap_or(""),
            row.next_due.as_deref().unwrap_or(""),
            flag(row.stage.is_open() && row.closed.is_none()),
            &row.fine_fen.to_string(),
            flag(row.deviation),
            flag(row.late),
            row.published.as_deref().unwrap_or(""),
            flag(row.review_requested),
            flag(row.review_requested && !row.review_queue),
        ])?;
        if rng.chance(40) {
            let on = plus(NaiveDate::parse_from_str(&row.opened, "%F")?, rng.below(3));
            if on <= today {
                seq += 1;
                insp_csv.write_record([a.id.as_str(), &a.region, &a.field, &on.to_string()])?;
                events.push((seq, row.id.clone(), on.to_string()));
                load.inspections += 1;
            }
        }
        if rng.chance(3) {
            let (rule, _, _) = RULES[rng.below(RULES.len() as u64) as usize];
            let on = plus(
                NaiveDate::parse_from_str(&row.opened, "%F")?,
                5 + rng.below(60),
            );
            if on <= today {
                let open = rng.chance(30);
                let rule_ix = RULES.iter().position(|r| r.0 == rule).unwrap_or(0);
                alerts_csv.write_record([
                    a.id.as_str(),
                    &a.region,
                    &a.field,
                    rule,
                    &on.to_string(),
                    flag(open),
                ])?;
                alerts.push((row.id.clone(), agency, rule_ix, on.to_string(), open));
                load.alerts += 1;
            }
        }
        batch.push(row);
        if batch.len() == ROWS {
            insert_cases(&mut tx, &full_case_sql, &batch, &agencies, &now).await?;
            batch.clear();
            if events.len() >= ROWS {
                insert_events(&mut tx, &full_event_sql, &events[..ROWS], &now).await?;
                events.drain(..ROWS);
            }
        }
        if (i + 1).is_multiple_of(100_000) {
            insert_alerts(&mut tx, &alerts, &agencies, &now).await?;
            alerts.clear();
            tx.commit().await?;
            tx = conn.begin().await?;
        }
        if (i + 1).is_multiple_of(progress_every) {
            println!("  已写入 {} / {n}", i + 1);
        }
    }
    if !batch.is_empty() {
        let sql = multi(CASE_INSERT, CASE_VALUES, batch.len());
        insert_cases(&mut tx, &sql, &batch, &agencies, &now).await?;
    }
    for chunk in events.chunks(ROWS) {
        let sql = multi(EVENT_INSERT, EVENT_VALUES, chunk.len());
        insert_events(&mut tx, &sql, chunk, &now).await?;
    }
    insert_alerts(&mut tx, &alerts, &agencies, &now).await?;
    tx.commit().await?;
    cases_csv.flush()?;
    insp_csv.flush()?;
    alerts_csv.flush()?;
    // Planner statistics, as a node's periodic `PRAGMA optimize` would gather.
    sqlx::query("ANALYZE").execute(&mut conn).await?;
    conn.close().await?;
    Ok(load)
}

/// `{head} (…), (…), …` with `rows` value groups.
fn multi(head: &str, values: &str, rows: usize) -> String {
    let mut sql = String::with_capacity(head.len() + rows * (values.len() + 2));
    sql.push_str(head);
    for i in 0..rows {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(values);
    }
    sql
}

async fn insert_cases(
    tx: &mut SqliteConnection,
    sql: &str,
    rows: &[CaseRow],
    agencies: &[Agency],
    now: &str,
) -> Result<()> {
    let mut q = sqlx::query(AssertSqlSafe(sql.to_string()));
    for r in rows {
        let a = &agencies[r.agency];
        q = q
            .bind(r.id.clone())
            .bind(r.number.clone())
            .bind(a.id.clone())
            .bind(a.name.clone())
            .bind(a.region.clone())
            .bind(a.field.clone())
            .bind(r.procedure)
            .bind(r.stage.code())
            .bind(r.stage.zh())
            .bind(r.fine_fen)
            .bind(r.opened.clone())
            .bind(r.filed.clone())
            .bind(r.decided.clone())
            .bind(r.closed.clone())
            .bind(r.next_due.clone())
            .bind(r.next_due.as_ref().map(|_| "法定期限"))
            .bind(r.deviation)
            .bind(r.late)
            .bind(r.published.clone())
            .bind(now.to_string())
            .bind(r.review_queue)
            .bind(r.review_requested);
    }
    q.execute(&mut *tx).await?;
    Ok(())
}

async fn insert_events(
    tx: &mut SqliteConnection,
    sql: &str,
    events: &[(i64, String, String)],
    now: &str,
) -> Result<()> {
    let mut q = sqlx::query(AssertSqlSafe(sql.to_string()));
    for (seq, case_id, on) in events {
        q = q
            .bind(*seq)
            .bind(case_id.clone())
            .bind(now.to_string())
            .bind(format!("syn-event-{seq}"))
            .bind(on.clone())
            .bind(*seq - 1);
    }
    q.execute(&mut *tx).await?;
    Ok(())
}

async fn insert_alerts(
    tx: &mut SqliteConnection,
    alerts: &[(String, usize, usize, String, bool)],
    agencies: &[Agency],
    now: &str,
) -> Result<()> {
    for chunk in alerts.chunks(ROWS) {
        let sql = multi(ALERT_INSERT, ALERT_VALUES, chunk.len());
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for (case_id, agency, rule, on, open) in chunk {
            let a = &agencies[*agency];
            let (rule_id, name, citation) = RULES[*rule];
            q = q
                .bind(format!("syn-alert-{case_id}"))
                .bind(rule_id)
                .bind(name)
                .bind(citation)
                .bind(format!("{rule_id}:{case_id}"))
                .bind(case_id.clone())
                .bind(a.id.clone())
                .bind(a.name.clone())
                .bind(a.region.clone())
                .bind(a.field.clone())
                .bind(if *open { "open" } else { "closed" })
                .bind(format!("{on}T09:00:00.000+08:00"))
                .bind(on.clone())
                .bind(now.to_string());
        }
        q.execute(&mut *tx).await?;
    }
    Ok(())
}

/// The DuckDB side: every query of the spec over the same rows loaded into typed tables.
const DUCKDB_SCRIPT: &str = r#"
import json, sys, time, duckdb
d, spec = sys.argv[1], json.loads(sys.argv[2])
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
flags = {c: 'INTEGER' for c in ['open', 'deviation', 'late', 'review_requested', 'review_opinion']}
types = {c: 'VARCHAR' for c in ['agency_id', 'region_code', 'field', 'procedure', 'opened_on', 'filed_on', 'decided_on', 'closed_on', 'next_due', 'published_on']}
types.update(flags); types['fine_fen'] = 'BIGINT'
con.execute(f"CREATE TABLE cases AS SELECT * FROM read_csv('{d}/cases.csv', header=true, types={types})")
con.execute(f"CREATE TABLE inspections AS SELECT * FROM read_csv('{d}/inspections.csv', header=true, all_varchar=true)")
con.execute(f"CREATE TABLE alerts AS SELECT * FROM read_csv('{d}/alerts.csv', header=true, types={{'agency_id': 'VARCHAR', 'region_code': 'VARCHAR', 'field': 'VARCHAR', 'rule_id': 'VARCHAR', 'raised_on': 'VARCHAR', 'open': 'INTEGER'}})")
def queries(s):
    p, frm, to, today, key = s['prefix'], s['from'], s['to'], s['today'], s['key']
    region = f"region_code LIKE '{p}%'"
    if s['kind'] == 'rules':
        return [f"SELECT rule_id, COUNT(*), SUM(open) FROM alerts WHERE {region} AND raised_on BETWEEN '{frm}' AND '{to}' GROUP BY rule_id"]
    if s['kind'] == 'monthly':
        part = lambda col, amount: f"SELECT substr({col}, 1, 7) AS m, COUNT(*), SUM({amount}) FROM cases WHERE {region} AND {col} BETWEEN '{frm}' AND '{to}' GROUP BY m"
        return [part('opened_on', '0'), part('filed_on', '0'), part('decided_on', 'fine_fen'), part('closed_on', '0'),
                f"SELECT substr(raised_on, 1, 7) AS m, COUNT(*) FROM alerts WHERE {region} AND raised_on BETWEEN '{frm}' AND '{to}' GROUP BY m"]
    within = lambda c: f"{c} BETWEEN '{frm}' AND '{to}'"
    dec = within('decided_on')
    cols = f'''
      COUNT(DISTINCT CASE WHEN {within('opened_on')} OR {dec} THEN agency_id END) AS acting,
      SUM(CASE WHEN {within('opened_on')} THEN 1 ELSE 0 END) AS received,
      SUM(CASE WHEN {within('filed_on')} THEN 1 ELSE 0 END) AS filed,
      SUM(CASE WHEN {dec} THEN 1 ELSE 0 END) AS decided,
      SUM(CASE WHEN {within('closed_on')} THEN 1 ELSE 0 END) AS closed,
      SUM(open) AS open_now,
      SUM(CASE WHEN open = 1 AND next_due < '{today}' THEN 1 ELSE 0 END) AS overdue,
      SUM(CASE WHEN {dec} THEN fine_fen ELSE 0 END) AS fine,
      SUM(CASE WHEN {dec} THEN deviation ELSE 0 END) AS deviations,
      SUM(CASE WHEN {dec} THEN late ELSE 0 END) AS late,
      SUM(CASE WHEN {dec} AND published_on IS NOT NULL THEN 1 ELSE 0 END) AS published,
      SUM(CASE WHEN {dec} AND procedure = '2' THEN review_requested ELSE 0 END) AS reviews_due,
      SUM(CASE WHEN {dec} AND procedure = '2' THEN review_opinion ELSE 0 END) AS reviewed'''
    alive = f"WHERE {region} AND opened_on <= '{to}' AND (closed_on IS NULL OR closed_on >= '{frm}')"
    return [f"SELECT {key} AS k, {cols} FROM cases {alive} GROUP BY k",
            f"SELECT {key} AS k, COUNT(*) FROM inspections WHERE {region} AND on_date BETWEEN '{frm}' AND '{to}' GROUP BY k",
            f"SELECT {key} AS k, COUNT(*), SUM(open) FROM alerts WHERE {region} AND raised_on BETWEEN '{frm}' AND '{to}' GROUP BY k"]
out = {}
for s in spec:
    qs = queries(s)
    v = []
    for _ in range(5):
        t = time.perf_counter()
        for q in qs:
            con.execute(q).fetchall()
        v.append((time.perf_counter() - t) * 1000)
    v.sort(); out[s['name']] = v[len(v) // 2]
print(json.dumps(out))
"#;

/// Runs the DuckDB script over the CSV files in `dir`; `None` (with the reason on stderr) when
/// DuckDB is not installed or fails.
fn duckdb(dir: &Path, spec: &[Value]) -> Result<Option<Value>> {
    println!("DuckDB 参照：载入同一数据并计算同样的汇总……");
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(DUCKDB_SCRIPT)
        .arg(dir)
        .arg(serde_json::to_string(spec)?)
        .output();
    Ok(match out {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout)
            .lines()
            .rfind(|l| l.starts_with('{'))
            .and_then(|l| serde_json::from_str(l).ok()),
        Ok(o) => {
            eprintln!(
                "DuckDB 参照未运行：{}",
                String::from_utf8_lossy(&o.stderr)
                    .lines()
                    .rfind(|l| !l.trim().is_empty())
                    .unwrap_or("")
            );
            None
        }
        Err(e) => {
            eprintln!("DuckDB 参照未运行：{e}");
            None
        }
    })
}
