//! The `zhifa` binary as a user runs it: identifier checks, the legal calendar, the data
//! standard, and `zhifa demo` from an empty directory on SQLite and on PostgreSQL.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

use zhifa_store::case_model::CaseFilter;
use zhifa_store::crypto::Sm4GcmCipher;
use zhifa_store::model::{BenchmarkFilter, PageRequest, PowerFilter, SubjectFilter};
use zhifa_store::testing::TestDb;
use zhifa_store::{Scope, Store, StoreOptions};

fn zhifa(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zhifa"))
        .args(args)
        .env_remove("ZHIFA_DATABASE_URL")
        .env_remove("ZHIFA_DATA_DIR")
        .output()
        .expect("run zhifa")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn check_uscc_valid_and_invalid() {
    let ok = zhifa(&["check", "uscc", "91350100M000100Y43"]);
    assert!(ok.status.success(), "{}", stdout(&ok));
    assert!(stdout(&ok).contains("有效"));
    let bad = zhifa(&["check", "uscc", "91350100M000100Y44"]);
    assert_eq!(bad.status.code(), Some(1));
    let out = stdout(&bad);
    assert!(out.contains("无效") && out.contains("GB 32100"), "{out}");
}

#[test]
fn check_idcard_converts_legacy_numbers() {
    let o = zhifa(&["check", "idcard", "110105491231002"]);
    assert!(o.status.success(), "{}", stdout(&o));
    let out = stdout(&o);
    assert!(
        out.contains("11010519491231002X") && out.contains("1949-12-31") && out.contains("女"),
        "{out}"
    );
    assert_eq!(
        zhifa(&["check", "idcard", "110105194912310021"])
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn check_region_and_certificate() {
    let o = zhifa(&["check", "region", "440106"]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("天河区"), "{}", stdout(&o));
    assert_eq!(zhifa(&["check", "region", "449999"]).status.code(), Some(1));
    assert!(zhifa(&["check", "cert", "4401000100001"]).status.success());
    assert_eq!(
        zhifa(&["check", "cert", "4401009900001"]).status.code(),
        Some(1)
    );
}

#[test]
fn calendar_answers_everyday_questions() {
    // 2024 National Day: 2024-10-01..07 holidays, 2024-10-12 (Saturday) a make-up workday.
    let o = zhifa(&["calendar", "add", "2024-09-30", "5"]);
    assert!(o.status.success());
    assert!(stdout(&o).starts_with("2024-10-12"), "{}", stdout(&o));
    assert_eq!(
        zhifa(&["calendar", "workday", "2024-10-01"]).status.code(),
        Some(1)
    );
    assert!(
        zhifa(&["calendar", "workday", "2024-10-12"])
            .status
            .success()
    );
    let o = zhifa(&["calendar", "between", "2024-09-30", "2024-10-12"]);
    assert!(stdout(&o).starts_with("5"), "{}", stdout(&o));
    let o = zhifa(&["calendar", "add", "2027-03-01", "3"]);
    assert!(
        stdout(&o).contains("暂定"),
        "beyond the table the result is provisional: {}",
        stdout(&o)
    );
    let bad = zhifa(&["calendar", "add", "2024-13-01", "3"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("date"));
}

#[test]
fn standard_export_and_published_markdown_agree() {
    let json = zhifa(&["standard", "export", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("standard JSON");
    assert!(v["code_sets"].as_array().is_some_and(|a| a.len() >= 14));
    let md = zhifa(&["standard", "export", "--format", "markdown"]);
    let published = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/data-standard.md"),
    )
    .expect("docs/data-standard.md");
    assert!(
        stdout(&md) == published,
        "docs/data-standard.md is stale: regenerate with `zhifa standard export --format markdown > docs/data-standard.md`"
    );
}

#[test]
fn standard_schema_prints_exchange_schemas() {
    let one = zhifa(&["standard", "schema", "decision", "--version", "v1"]);
    assert!(
        one.status.success(),
        "{}",
        String::from_utf8_lossy(&one.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&one.stdout).expect("schema JSON");
    assert_eq!(v["$id"], "urn:zhifa:exchange:v1:decision");
    assert_eq!(v["properties"]["penalty_types"]["type"], "array");
    let all = zhifa(&["standard", "schema"]);
    let all: serde_json::Value = serde_json::from_slice(&all.stdout).expect("schemas JSON");
    let types: Vec<&String> = all.as_object().expect("object").keys().collect();
    assert_eq!(types.len(), 7, "{types:?}");
    let bad = zhifa(&["standard", "schema", "invoice"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("记录类型“invoice”不存在"));
    let bad = zhifa(&["standard", "schema", "case", "--version", "v7"]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("交换格式版本“v7”不存在"));
}

async fn open(url: &str, key_file: &Path) -> Store {
    let key = hex_key(key_file);
    Store::connect(StoreOptions {
        url: url.into(),
        max_connections: 2,
        cipher: Arc::new(Sm4GcmCipher::new(key)),
    })
    .await
    .expect("open store")
}

fn hex_key(path: &Path) -> [u8; 16] {
    let text = std::fs::read_to_string(path).expect("key file");
    let bytes: Vec<u8> = (0..32)
        .step_by(2)
        .map(|i| u8::from_str_radix(&text.trim()[i..i + 2], 16).unwrap())
        .collect();
    bytes.try_into().unwrap()
}

/// Runs `zhifa demo --no-serve` twice on one database and checks what it loaded.
fn demo_twice(data_dir: &Path, url: Option<&str>) {
    let mut args = vec![
        "demo",
        "--no-serve",
        "--data-dir",
        data_dir.to_str().unwrap(),
    ];
    if let Some(u) = url {
        args.extend(["--database-url", u]);
    }
    let first = zhifa(&args);
    assert!(
        first.status.success(),
        "{}\n{}",
        stdout(&first),
        String::from_utf8_lossy(&first.stderr)
    );
    let out = stdout(&first);
    for needle in [
        "浏览器访问",
        "演示账号",
        "officer",
        "reviewer",
        "head",
        "supervisor",
        "admin",
    ] {
        assert!(out.contains(needle), "missing {needle}: {out}");
    }
    let second = zhifa(&args);
    assert!(
        second.status.success(),
        "re-running the demo is safe: {}",
        String::from_utf8_lossy(&second.stderr)
    );

    let url = url
        .map(str::to_string)
        .unwrap_or_else(|| format!("sqlite://{}?mode=rwc", data_dir.join("zhifa.db").display()));
    let key = data_dir.join("keys/field.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = open(&url, &key).await;
        let c = store.counts().await.unwrap();
        assert!(
            c.subjects >= 50 && c.officers >= 500 && c.powers >= 100,
            "{c:?}"
        );
        assert_eq!(c.regions[0], 31);
        assert!(c.laws >= 1_500 && c.articles >= 50_000, "{c:?}");
        let page = PageRequest {
            offset: 0,
            limit: 500,
        };
        let subjects = store
            .list_subjects(&SubjectFilter::default(), page)
            .await
            .unwrap();
        let mut fields: Vec<&str> = subjects.items.iter().map(|s| s.field.as_str()).collect();
        fields.sort();
        fields.dedup();
        assert!(fields.len() >= 6, "{fields:?}");
        // Every power's legal basis is a stored article of a real law.
        let powers = store
            .list_powers(&PowerFilter::default(), page)
            .await
            .unwrap();
        for p in &powers.items {
            assert!(!p.bases.is_empty());
            for b in &p.bases {
                let a = store.get_article(&b.article_id).await.unwrap();
                assert_eq!(a.label, b.article_label);
            }
            if p.category == "02" {
                let rows = store
                    .list_benchmarks(
                        &BenchmarkFilter {
                            power_id: Some(p.id.clone()),
                            include_inactive: None,
                        },
                        page,
                    )
                    .await
                    .unwrap();
                assert_eq!(rows.total, 4, "four circumstance levels for {}", p.name);
            }
        }
        // Some certificates are suspended, revoked or expired.
        let suspended = store
            .list_certificates(
                &zhifa_store::model::CertificateFilter {
                    status: Some("2".into()),
                    ..Default::default()
                },
                page,
            )
            .await
            .unwrap();
        assert!(suspended.total > 0);
        assert!(
            store
                .verify_password("officer", "zhifa-demo-2026")
                .await
                .unwrap()
                .is_some()
        );
        let cases = demo_cases(&store).await;
        let complaints = demo_complaints(&store).await;
        export_shuanggongshi(data_dir, url.as_str(), &store).await;
        // The second run added nothing.
        let again = store.counts().await.unwrap();
        assert_eq!(c, again);
        assert_eq!(cases, demo_cases(&store).await);
        assert_eq!(complaints, demo_complaints(&store).await);
    });
}

/// The demo complaints (投诉举报): dozens, in every state of the flow, some overdue, some for
/// the demo accounts' bureau. Returns how many there are.
async fn demo_complaints(store: &Store) -> i64 {
    use zhifa_store::complaint_model::ComplaintFilter;
    let today = zhifa_domain::time::ChinaDate::today().date();
    let page = PageRequest {
        offset: 0,
        limit: 500,
    };
    let all = store
        .list_complaints_in(&Scope::All, &ComplaintFilter::default(), today, page)
        .await
        .unwrap();
    assert!(all.total >= 40, "only {} demo complaints", all.total);
    for status in ["received", "routed", "accepted", "handled", "replied"] {
        assert!(
            all.items.iter().any(|c| c.status == status),
            "no demo complaint {status}"
        );
    }
    assert!(all.items.iter().any(|c| c.reject_reason.is_some()));
    assert!(all.items.iter().any(|c| c.anonymous));
    assert!(all.items.iter().any(|c| c.case_id.is_some()));
    let counts = store
        .complaint_counts(
            &Scope::All,
            chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap(),
            today.max(chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()),
            chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
        )
        .await
        .unwrap();
    assert!(counts.iter().any(|c| c.overdue > 0), "{counts:?}");
    let bureau = store
        .list_subjects(&SubjectFilter::default(), page)
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|s| s.region_code == "440100" && s.field == "01")
        .unwrap();
    assert!(
        counts
            .iter()
            .any(|c| c.agency_id.as_deref() == Some(bureau.id.as_str()) && c.received >= 5),
        "the demo bureau has too few complaints: {counts:?}"
    );
    all.total
}

/// `zhifa export --format shuanggongshi` over the demo: CSV with the field header, JSON Lines
/// with one record per published penalty decision, natural persons masked, amounts in 万元.
async fn export_shuanggongshi(data_dir: &Path, url: &str, store: &Store) {
    let dir = data_dir.to_str().unwrap();
    let csv_path = data_dir.join("sgs.csv");
    let base = [
        "export",
        "--format",
        "shuanggongshi",
        "--data-dir",
        dir,
        "--database-url",
        url,
    ];
    let o = zhifa(&[&base[..], &["--output", csv_path.to_str().unwrap()]].concat());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&csv_path).unwrap();
    assert!(
        text.starts_with("cf_xdr_mc,cf_xdr_lb,cf_xdr_shxym,"),
        "{}",
        &text[..200.min(text.len())]
    );
    let o = zhifa(&[&base[..], &["--json"]].concat());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let records: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        records.len() + 1,
        text.lines().count(),
        "CSV and JSON Lines agree"
    );
    let mut published = Vec::new();
    loop {
        let page = PageRequest {
            offset: published.len() as i64,
            limit: 500,
        };
        let p = store.published_decisions(None, page).await.unwrap();
        let done = p.items.is_empty() || published.len() + p.items.len() >= p.total as usize;
        published.extend(p.items);
        if done {
            break;
        }
    }
    let penalties = published
        .iter()
        .filter(|d| d.penalty != "不予行政处罚")
        .count();
    assert_eq!(records.len(), penalties);
    assert!(!records.is_empty(), "the demo publishes decisions");
    for r in &records {
        if r["cf_xdr_lb"] == "自然人" {
            assert!(r["cf_xdr_mc"].as_str().unwrap().contains('某'), "{r}");
            assert!(r["cf_xdr_zjhm"].as_str().unwrap().contains('*'), "{r}");
        }
        let fk = r["cf_nr_fk"].as_str().unwrap();
        let fen = zhifa_domain::money::Fen::parse_wan_yuan(fk).unwrap();
        assert!(
            published
                .iter()
                .any(|d| d.number == r["cf_wsh"] && d.fine_fen == fen.value()),
            "{r}"
        );
    }
}

/// The demo cases, read through the store API: at least 10,000, in every stage, a share of
/// them simple-procedure, and the demo bureau's queues filled. Returns how many there are.
async fn demo_cases(store: &Store) -> i64 {
    let today = zhifa_domain::time::ChinaDate::today().date();
    let one = PageRequest {
        offset: 0,
        limit: 1,
    };
    let count = |f: CaseFilter| async move {
        store
            .list_cases_in(&Scope::All, &f, today, one)
            .await
            .unwrap()
            .total
    };
    let total = count(CaseFilter::default()).await;
    assert!(total >= 10_000, "only {total} demo cases");
    for stage in 1..=9 {
        let n = count(CaseFilter {
            stage: Some(stage.to_string()),
            ..Default::default()
        })
        .await;
        assert!(n > 0, "no demo case in stage {stage}");
    }
    let simple = count(CaseFilter {
        procedure: Some("1".into()),
        ..Default::default()
    })
    .await;
    assert!(
        simple * 5 >= total && simple * 5 <= total * 2,
        "{simple} of {total} simple"
    );
    // The demo accounts' bureau: cases in the reviewer's and the head's queues, overdue ones,
    // and cases the officer account works on.
    let users = store.list_users(one_hundred()).await.unwrap().items;
    let officer = users.iter().find(|u| u.username == "officer").unwrap();
    let agency = officer.subject_id.clone();
    for (what, filter) in [
        (
            "review queue",
            CaseFilter {
                review_queue: Some(true),
                ..Default::default()
            },
        ),
        (
            "head queue",
            CaseFilter {
                head_queue: Some(true),
                ..Default::default()
            },
        ),
        (
            "overdue",
            CaseFilter {
                overdue: Some(true),
                ..Default::default()
            },
        ),
        (
            "officer's cases",
            CaseFilter {
                officer_id: officer.officer_id.clone(),
                ..Default::default()
            },
        ),
    ] {
        let n = count(CaseFilter {
            agency_id: agency.clone(),
            ..filter
        })
        .await;
        assert!(n > 0, "the demo bureau has no case in the {what}");
    }
    let published = store.published_decisions(None, one).await.unwrap().total;
    assert!(published > 1_000, "{published} published decisions");
    total
}

fn one_hundred() -> PageRequest {
    PageRequest {
        offset: 0,
        limit: 100,
    }
}

#[test]
fn demo_loads_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    demo_twice(&dir.path().join("data"), None);
}

#[test]
fn demo_loads_postgres() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let Some(db) = rt.block_on(TestDb::postgres("zhifa_cli")) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    demo_twice(&dir.path().join("data"), Some(db.url()));
}

#[test]
fn serve_answers_http() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut child = Command::new(env!("CARGO_BIN_EXE_zhifa"))
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--data-dir",
            data.to_str().unwrap(),
        ])
        .env_remove("ZHIFA_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = loop {
        let line = lines.next().expect("server printed its URL").unwrap();
        if let Some(u) = line.strip_prefix("serving ") {
            break u.to_string();
        }
    };
    let addr = url.trim_start_matches("http://").trim_end_matches('/');
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
}
