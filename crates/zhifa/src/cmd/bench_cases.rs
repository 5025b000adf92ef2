//! `zhifa bench cases` — benchmark P1 (docs/benchmarks.md): case commands per second through
//! the full stack (HTTP → authentication → rules → events + `cases` projection + ledger leaf,
//! committed) at several numbers of concurrent clients, with p50/p99 latency, against the same
//! database's raw rate of one-row-per-transaction commits at the same durability setting,
//! measured in the same run. The server is the real router (`zhifa_server::Application`) bound
//! to 127.0.0.1 on a free port in this process; each client holds one keep-alive HTTP/1.1
//! connection. Asserts nothing (benchmarks are not tests).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1;
use hyper::{Request, header};
use hyper_util::rt::TokioIo;
use serde::Serialize;
use serde_json::{Value, json};
use zhifa_domain::ids::{OrgCode, citizen_id_with_check, uscc_with_check};
use zhifa_domain::region::RegionTable;
use zhifa_server::{AppState, Application, ServerConfig};
use zhifa_store::crypto::Sm4GcmCipher;
use zhifa_store::model::{Actor, CertificateInput, OfficerInput, SubjectInput, UserInput};
use zhifa_store::{Backend, Store, StoreOptions};

/// Options of the run.
pub struct Options {
    /// Seconds per measurement.
    pub seconds: f64,
    /// Concurrent clients, one measurement each.
    pub clients: Vec<usize>,
    /// PostgreSQL server to run on as well (a scratch database is created and dropped).
    pub postgres: Option<String>,
    /// Write the results as JSON here.
    pub json: Option<PathBuf>,
}

/// One measurement.
#[derive(Debug, Serialize)]
struct Row {
    backend: &'static str,
    durability: String,
    clients: usize,
    /// Case commands per second through the full stack.
    commands_per_sec: f64,
    commands: usize,
    p50_ms: f64,
    p99_ms: f64,
    /// Raw one-row transactions per second, same database, same clients.
    reference_tx_per_sec: f64,
    reference_p99_ms: f64,
    ratio: f64,
}

async fn open(url: &str) -> Result<Store> {
    let store = Store::connect(StoreOptions {
        url: url.to_string(),
        // As `zhifa serve` by default (config `max_connections`).
        max_connections: 8,
        cipher: Arc::new(Sm4GcmCipher::new(*b"zhifa-bench-key!")),
    })
    .await?;
    store.migrate().await?;
    Ok(store)
}

/// Runs the benchmark.
pub async fn run(opts: Options) -> Result<ExitCode> {
    let dir = tempfile::tempdir().context("while creating a scratch directory")?;
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("bench.db").display()
    );
    println!(
        "zhifa bench cases：每档 {:.0} 秒，并发客户端 {:?}；每个客户端一条 HTTP/1.1 长连接",
        opts.seconds, opts.clients
    );
    let mut rows = measure_backend("sqlite", &open(&url).await?, &opts).await?;
    if let Some(admin_url) = &opts.postgres {
        let admin = open(admin_url).await?;
        let name = format!("zhifa_bench_{}", uuid::Uuid::now_v7().simple());
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(admin.pool())
            .await?;
        let url = super::bench::zhifa_url_with_db(admin_url, &name);
        let result = async {
            let store = open(&url).await?;
            let rows = measure_backend("postgres", &store, &opts).await;
            store.pool().close().await;
            rows
        }
        .await;
        let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        sqlx::raw_sql(sqlx::AssertSqlSafe(drop))
            .execute(admin.pool())
            .await?;
        rows.extend(result?);
    }
    println!();
    println!(
        "| 后端（持久性） | 并发客户端 | 案件指令/秒 | p50 | p99 | 参照：单行事务/秒 | 参照 p99 | 比值 |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for r in &rows {
        println!(
            "| {} ({}) | {} | {:.0} | {:.1} ms | {:.1} ms | {:.0} | {:.1} ms | {:.3} |",
            r.backend,
            r.durability,
            r.clients,
            r.commands_per_sec,
            r.p50_ms,
            r.p99_ms,
            r.reference_tx_per_sec,
            r.reference_p99_ms,
            r.ratio
        );
    }
    if let Some(path) = &opts.json {
        let doc = json!({
            "benchmark": "P1",
            "seconds_per_measurement": opts.seconds,
            "rows": rows,
        });
        std::fs::write(path, serde_json::to_string_pretty(&doc)?)
            .with_context(|| format!("while writing {}", path.display()))?;
        println!("结果已写入 {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// The bench agency, its officers and two accounts with API tokens.
struct Fixture {
    officers: Vec<String>,
    officer_token: String,
    head_token: String,
    agency_id: String,
}

fn gov_uscc(region: &str) -> Result<String> {
    let org = "0123456789X"
        .chars()
        .find_map(|c| OrgCode::parse(&format!("11442233{c}")).ok())
        .context("no GB 11714 check character fits")?;
    Ok(uscc_with_check(&format!("11{region}{}", org.as_str()))?
        .as_str()
        .to_string())
}

async fn fixture(store: &Store) -> Result<Fixture> {
    let actor = Actor::system("bench");
    store.load_regions(RegionTable::builtin()).await?;
    let subject = store
        .create_subject(
            &SubjectInput {
                name: "广州市天河区市场监督管理局".into(),
                short_name: Some("天河市监".into()),
                uscc: gov_uscc("440106")?,
                subject_type: "1".into(),
                field: "01".into(),
                level: "4".into(),
                region_code: "440106".into(),
                parent_id: None,
                address: Some("广州市天河区天河路1号".into()),
                phone: None,
            },
            &actor,
        )
        .await?;
    let mut officers = Vec::new();
    for i in 0..4u32 {
        let id17 = format!("440106198501{:02}12{}", i + 1, i);
        let o = store
            .create_officer(
                &OfficerInput {
                    name: ["陈伟", "李娜", "黄志强", "梁嘉欣"][i as usize].into(),
                    citizen_id: citizen_id_with_check(&id17)?.as_str().to_string(),
                    subject_id: subject.id.clone(),
                    position: Some("执法人员".into()),
                    phone: None,
                },
                &actor,
            )
            .await?;
        store
            .create_certificate(
                &CertificateInput {
                    number: format!("44010601{:05}", i + 1),
                    officer_id: o.id.clone(),
                    status: "1".into(),
                    valid_from: "2024-01-01".into(),
                    valid_to: "2028-12-31".into(),
                    fields: vec!["01".into()],
                    legal_review_qualified: false,
                    issuer: Some("广州市天河区人民政府".into()),
                },
                &actor,
            )
            .await?;
        officers.push(o.id);
    }
    let mut tokens = Vec::new();
    for (username, role, officer) in [
        ("bench-officer", "officer", &officers[0]),
        ("bench-head", "head", &officers[3]),
    ] {
        store
            .create_user(
                &UserInput {
                    username: username.into(),
                    display_name: username.into(),
                    role: role.into(),
                    subject_id: Some(subject.id.clone()),
                    officer_id: Some(officer.clone()),
                    region_code: Some("440106".into()),
                    password: "zhifa-bench-2026".into(),
                },
                &actor,
            )
            .await?;
        let (_, secret) = store
            .create_api_token(
                username,
                username,
                &["read".to_string(), "write".to_string()],
                "system:bench",
            )
            .await?;
        tokens.push(secret);
    }
    Ok(Fixture {
        officers,
        officer_token: tokens[0].clone(),
        head_token: tokens[1].clone(),
        agency_id: subject.id,
    })
}

async fn measure_backend(backend: &'static str, store: &Store, opts: &Options) -> Result<Vec<Row>> {
    let durability = match store.backend() {
        Backend::Sqlite => "WAL, synchronous=NORMAL".to_string(),
        Backend::Postgres => {
            let (v,): (String,) = sqlx::query_as("SHOW synchronous_commit")
                .fetch_one(store.pool())
                .await?;
            format!("synchronous_commit={v}")
        }
    };
    let fx = Arc::new(fixture(store).await?);
    sqlx::raw_sql("CREATE TABLE bench_raw (id TEXT PRIMARY KEY, body TEXT NOT NULL)")
        .execute(store.pool())
        .await?;
    let calendar = crate::node::calendar(store).await?;
    let state = AppState {
        store: store.clone(),
        calendar: crate::node::shared(calendar),
        config: Arc::new(ServerConfig {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            api_token: Some(uuid::Uuid::now_v7().simple().to_string()),
            ..ServerConfig::default()
        }),
    };
    let app = Application::build(state).await?;
    let addr = app.local_addr();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run(async {
        let _ = stopped.await;
    }));
    let mut rows = Vec::new();
    for &n in &opts.clients {
        let n = n.max(1);
        let (ref_rate, ref_lat) = reference(store, n, opts.seconds).await?;
        let (count, elapsed, mut lat) = full_stack(addr, fx.clone(), n, opts.seconds).await?;
        lat.sort_unstable();
        let rate = count as f64 / elapsed.as_secs_f64();
        let row = Row {
            backend,
            durability: durability.clone(),
            clients: n,
            commands_per_sec: rate,
            commands: count,
            p50_ms: pct(&lat, 50.0),
            p99_ms: pct(&lat, 99.0),
            reference_tx_per_sec: ref_rate,
            reference_p99_ms: pct(&ref_lat, 99.0),
            ratio: rate / ref_rate.max(1e-9),
        };
        println!(
            "  {backend} {n:>3} 个客户端：{:.0} 条指令/秒（p50 {:.1} ms，p99 {:.1} ms）；参照 {:.0} 事务/秒",
            row.commands_per_sec, row.p50_ms, row.p99_ms, row.reference_tx_per_sec
        );
        rows.push(row);
    }
    let _ = stop.send(());
    server.await??;
    Ok(rows)
}

fn pct(sorted_us: &[u64], p: f64) -> f64 {
    if sorted_us.is_empty() {
        return 0.0;
    }
    let i = ((p / 100.0) * (sorted_us.len() - 1) as f64).round() as usize;
    sorted_us[i.min(sorted_us.len() - 1)] as f64 / 1000.0
}

/// The reference: `clients` tasks each committing one row per transaction (an event-sized
/// JSON body) on the same database and pool, for `seconds`.
async fn reference(store: &Store, clients: usize, seconds: f64) -> Result<(f64, Vec<u64>)> {
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let body = json!({
        "type": "evidence_added", "on": "2026-11-27", "evidence_type": "1",
        "description": "现场照片及相关票据复印件（基准测试参照行，与案件事件同等大小）",
        "sm3": null, "actor": "bench-officer", "role": "officer",
        "at": "2026-11-27T10:00:00+08:00", "idempotency_key": "0190a1b2-c3d4-7e5f-8a9b-000000000000"
    })
    .to_string();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let store = store.clone();
        let body = body.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            while Instant::now() < deadline {
                let t = Instant::now();
                let mut tx = match store.backend() {
                    Backend::Sqlite => store.pool().begin_with("BEGIN IMMEDIATE").await?,
                    Backend::Postgres => store.pool().begin().await?,
                };
                sqlx::query("INSERT INTO bench_raw (id, body) VALUES ($1, $2)")
                    .bind(uuid::Uuid::now_v7().to_string())
                    .bind(body.as_str())
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                lat.push(t.elapsed().as_micros() as u64);
            }
            Ok::<_, anyhow::Error>(lat)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    let elapsed = started.elapsed();
    all.sort_unstable();
    Ok((all.len() as f64 / elapsed.as_secs_f64(), all))
}

/// One keep-alive HTTP/1.1 connection to the server.
struct Client {
    sender: http1::SendRequest<Full<Bytes>>,
    host: String,
}

impl Client {
    async fn connect(addr: SocketAddr) -> Result<Client> {
        let stream = tokio::net::TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        let (sender, conn) = http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(conn);
        Ok(Client {
            sender,
            host: addr.to_string(),
        })
    }

    /// POSTs a command; returns the response JSON (2xx) or fails with the body.
    async fn post(&mut self, path: &str, token: &str, command: Value) -> Result<Value> {
        let body = json!({
            "command": command,
            "idempotency_key": uuid::Uuid::now_v7().to_string(),
        });
        let req = Request::builder()
            .method("POST")
            .uri(path)
            .header(header::HOST, &self.host)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from(body.to_string())))?;
        self.sender.ready().await?;
        let resp = self.sender.send_request(req).await?;
        let status = resp.status();
        let bytes = resp.into_body().collect().await?.to_bytes();
        if !status.is_success() {
            bail!("{path} 返回 {status}：{}", String::from_utf8_lossy(&bytes));
        }
        Ok(serde_json::from_slice(&bytes)?)
    }
}

/// `clients` clients for `seconds`: each registers a lead, has it filed (head), assigns two
/// officers, then records evidence and inspection records on it, starting a new case every
/// 40 commands. Every request is a committed command.
async fn full_stack(
    addr: SocketAddr,
    fx: Arc<Fixture>,
    clients: usize,
    seconds: f64,
) -> Result<(usize, Duration, Vec<u64>)> {
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let today = zhifa_domain::time::ChinaDate::today().date();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let fx = fx.clone();
        tasks.push(tokio::spawn(async move {
            let mut http = Client::connect(addr).await?;
            let mut lat = Vec::new();
            let mut n = 0u64;
            'cases: while Instant::now() < deadline {
                let created = timed(
                    &mut http,
                    &mut lat,
                    "/api/v1/cases",
                    &fx.officer_token,
                    register_lead(&fx.agency_id, today, c, n),
                )
                .await?;
                let id = created["case_id"]
                    .as_str()
                    .context("response without case_id")?
                    .to_string();
                let path = format!("/api/v1/cases/{id}/commands");
                let on = today.to_string();
                timed(
                    &mut http,
                    &mut lat,
                    &path,
                    &fx.head_token,
                    json!({"command": "file_case", "on": on}),
                )
                .await?;
                timed(
                    &mut http,
                    &mut lat,
                    &path,
                    &fx.officer_token,
                    json!({"command": "assign_officers", "on": on,
                           "officers": [fx.officers[0], fx.officers[1]]}),
                )
                .await?;
                for k in 0..37u64 {
                    if Instant::now() >= deadline {
                        break 'cases;
                    }
                    let cmd = if k % 2 == 0 {
                        json!({"command": "add_evidence", "on": on, "evidence_type": "1",
                               "description": format!("现场照片及相关票据复印件第 {} 份", k + 1)})
                    } else {
                        json!({"command": "make_record", "on": on, "kind": "inspection",
                               "place": "广州市天河区天河路1号", "officers": [fx.officers[0], fx.officers[1]],
                               "interviewee": "王伟", "content": "现场检查发现未按规定明码标价。"})
                    };
                    timed(&mut http, &mut lat, &path, &fx.officer_token, cmd).await?;
                }
                n += 1;
            }
            Ok::<_, anyhow::Error>(lat)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    Ok((all.len(), started.elapsed(), all))
}

/// Posts a command and records its latency (µs).
async fn timed(
    http: &mut Client,
    lat: &mut Vec<u64>,
    path: &str,
    token: &str,
    cmd: Value,
) -> Result<Value> {
    let t = Instant::now();
    let v = http.post(path, token, cmd).await;
    lat.push(t.elapsed().as_micros() as u64);
    v
}

fn register_lead(agency_id: &str, today: NaiveDate, client: usize, n: u64) -> Value {
    json!({
        "command": "register_lead",
        "on": today.to_string(),
        "agency_id": agency_id,
        "source": "2",
        "cause": "涉嫌未按规定明码标价案",
        "party": {
            "party_type": "2",
            "name": format!("广州基准测试{client}号贸易有限公司（第{n}案）"),
            "id_number": null,
            "legal_rep": "王伟",
            "address": "广州市天河区天河路1号",
            "phone": null
        },
        "act_date": (today - chrono::Duration::days(10)).to_string(),
        "summary": "群众投诉举报"
    })
}
