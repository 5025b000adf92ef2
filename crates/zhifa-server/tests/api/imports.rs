//! `POST /api/v1/imports` (数据导入 by API upload, issue 7): the three example exports of
//! `examples/exchange/` uploaded with their mappings store exactly the expected records, keep
//! exactly the expected validation report and become cases of the node's case list (their
//! agencies and officers registered first); a re-upload adds nothing; records whose agency or
//! officer the node does not know are rejected with the field and a stable code; a dry run
//! writes nothing; only administrators and the node token may upload or see runs; a bad mapping or
//! unreadable file is 422 naming the field, an oversize body 413, and nothing is imported by
//! any refused upload; the ledger audit passes afterwards.

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::Value;
use zhifa_server::ImportSettings;
use zhifa_store::case_model::CaseFilter;
use zhifa_store::model::{Actor, ChangeFilter, PageRequest, UserInput};
use zhifa_store::{AuditOptions, Scope};

use crate::common::{Db, TOKEN, TestApp, TestResponse, error_fields};

const BOUNDARY: &str = "zhifa-test-boundary-7MA4YWxkTrZu0gW";

/// The three examples, in the order they are uploaded.
const EXAMPLES: [&str; 3] = ["market-regulation", "environment-xlsx", "legacy-gbk"];

fn example_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/exchange")
        .join(name)
}

/// The mapping text, the input file's name and bytes of an example.
fn example(name: &str) -> (String, String, Vec<u8>) {
    let dir = example_dir(name);
    let mapping = std::fs::read_to_string(dir.join("mapping.toml")).expect("mapping");
    let input = std::fs::read_dir(&dir)
        .expect("example dir")
        .map(|e| e.expect("entry").path())
        .find(|p| p.file_stem().is_some_and(|s| s == "input"))
        .expect("an input file");
    let file_name = input.file_name().unwrap().to_string_lossy().into_owned();
    (mapping, file_name, std::fs::read(&input).expect("input"))
}

/// The expected standard JSON lines of an example, sorted.
fn expected_records(name: &str) -> Vec<String> {
    let text = std::fs::read_to_string(example_dir(name).join("expected-records.jsonl"))
        .expect("expected records");
    let mut lines: Vec<String> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect();
    lines.sort();
    lines
}

/// One part of a form: name, file name (for file parts), content.
#[derive(Clone, Copy)]
struct Part<'a> {
    name: &'a str,
    file_name: Option<&'a str>,
    content: &'a [u8],
}

fn text<'a>(name: &'a str, content: &'a str) -> Part<'a> {
    Part {
        name,
        file_name: None,
        content: content.as_bytes(),
    }
}

fn file<'a>(file_name: &'a str, content: &'a [u8]) -> Part<'a> {
    Part {
        name: "file",
        file_name: Some(file_name),
        content,
    }
}

/// A `multipart/form-data` body.
fn form(parts: &[Part<'_>]) -> Vec<u8> {
    let mut body = Vec::new();
    for p in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match p.file_name {
            Some(f) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{}\"; filename=\"{f}\"\r\n\
                     Content-Type: application/octet-stream\r\n\r\n",
                    p.name
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{}\"\r\n\r\n",
                    p.name
                )
                .as_bytes(),
            ),
        }
        body.extend_from_slice(p.content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// How the body is sent: with its `Content-Length` or as a stream of unknown length.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Length {
    Declared,
    Streamed,
}

async fn post_form(
    app: &TestApp,
    token: Option<&str>,
    parts: &[Part<'_>],
    length: Length,
) -> TestResponse {
    let body = form(parts);
    let mut request = Request::post("/api/v1/imports").header(
        header::CONTENT_TYPE,
        format!("multipart/form-data; boundary={BOUNDARY}"),
    );
    if let Some(t) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let body = match length {
        Length::Declared => {
            request = request.header(header::CONTENT_LENGTH, body.len());
            Body::from(body)
        }
        Length::Streamed => {
            // Chunks of 1 KiB, so the limit is met part-way through the file.
            let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
                body.chunks(1024).map(|c| Ok(c.to_vec())).collect();
            Body::from_stream(futures_util::stream::iter(chunks))
        }
    };
    app.send(request.body(body).expect("request")).await
}

/// Uploads an example with the node token; `extra` form fields come after the file.
async fn upload(app: &TestApp, name: &str, extra: &[Part<'_>]) -> Value {
    let (mapping, file_name, input) = example(name);
    let mut parts = vec![text("mapping", &mapping), file(&file_name, &input)];
    parts.extend(extra.iter().copied());
    let r = post_form(app, Some(TOKEN), &parts, Length::Declared).await;
    assert_eq!(r.status, StatusCode::OK, "{name}: {}", r.text());
    r.json()
}

/// Imported records and `imported_record` change-log rows.
async fn stored(app: &TestApp) -> (i64, i64) {
    let changes = app
        .store
        .list_changes(
            &ChangeFilter {
                entity: Some(zhifa_store::IMPORTED_ENTITY.to_string()),
                ..Default::default()
            },
            PageRequest {
                offset: 0,
                limit: 1,
            },
        )
        .await
        .expect("changes")
        .total;
    (
        app.store.imported_count(None).await.expect("count"),
        changes,
    )
}

/// Audits the whole ledger (every leaf re-hashed), asserts it intact and returns the number of
/// change-log rows checked.
async fn ledger_intact(app: &TestApp) -> u64 {
    let audit = app
        .store
        .verify_ledger(&AuditOptions::default())
        .await
        .expect("audit runs");
    assert!(audit.is_intact(), "{:?}", audit.findings);
    audit.changes
}

fn counts(answer: &Value) -> [u64; 7] {
    let c = &answer["counts"];
    [
        "read",
        "accepted",
        "added",
        "changed",
        "unchanged",
        "rejected",
        "skipped",
    ]
    .map(|k| {
        c[k].as_u64()
            .unwrap_or_else(|| panic!("counts.{k}: {answer}"))
    })
}

/// Registers the examples' agencies and, with `officers`, the inspectors.
async fn register_example_references(app: &TestApp, officers: bool) {
    zhifa_store::testing::register_example_references(&app.store, officers)
        .await
        .expect("example references");
}

/// Every case of the node.
async fn case_count(app: &TestApp) -> u64 {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
    app.store
        .list_cases_in(
            &Scope::All,
            &CaseFilter::default(),
            today,
            PageRequest {
                offset: 0,
                limit: 1,
            },
        )
        .await
        .expect("cases")
        .total as u64
}

/// A test app that keeps the validation reports of stored uploads in a scratch directory.
async fn app_keeping_reports(db: Db) -> (tempfile::TempDir, TestApp) {
    let dir = tempfile::tempdir().expect("import dir");
    let app = TestApp::builder()
        .imports(ImportSettings {
            dir: Some(dir.path().to_path_buf()),
            ..ImportSettings::default()
        })
        .start(db)
        .await;
    (dir, app)
}

async fn examples_upload_once(db: Db) {
    let (dir, app) = app_keeping_reports(db).await;
    register_example_references(&app, true).await;
    let mut total = 0i64;
    let mut run_ids = Vec::new();
    for name in EXAMPLES {
        let expected = expected_records(name);
        let accepted = expected.len() as u64;
        let expected_report =
            std::fs::read_to_string(example_dir(name).join("expected-report.csv")).unwrap();
        // The expected report has one line per rejection after its header.
        let rejections = expected_report.lines().count() as u64 - 1;

        // A dry run validates and lists the rejections, and writes nothing at all.
        let before = app.snapshot().await;
        let dry = upload(&app, name, &[text("dry_run", "true")]).await;
        assert_eq!(dry["dry_run"], true, "{dry}");
        assert_eq!(dry["run_id"], Value::Null, "a dry run records no run");
        assert_eq!(dry["report"], Value::Null, "a dry run keeps no report");
        let [read, acc, added, changed, unchanged, rejected, skipped] = counts(&dry);
        assert_eq!(acc, accepted, "{name}: {dry}");
        assert_eq!((added, changed, unchanged), (0, 0, 0), "{dry}");
        assert!(rejected > 0, "{name}: the examples have rejected rows");
        assert_eq!(read, acc + rejected + skipped, "{dry}");
        assert_eq!(
            dry["rejections"].as_array().unwrap().len() as u64,
            rejections,
            "{name}: every rejection of the expected report is listed: {dry}"
        );
        assert_eq!(dry["input"], format!("upload:{}", example(name).1));
        assert_eq!(app.snapshot().await, before, "{name}: the dry run wrote");
        assert_eq!(stored(&app).await.0, total);

        // The upload stores every accepted row (in batches of 2 for the first example).
        let extra: Vec<Part<'_>> = if name == EXAMPLES[0] {
            vec![text("batch", "2")]
        } else {
            Vec::new()
        };
        let first = upload(&app, name, &extra).await;
        assert_eq!(first["dry_run"], false);
        let [read2, acc2, added, changed, unchanged, rejected2, skipped2] = counts(&first);
        assert_eq!(
            (read2, acc2, rejected2, skipped2),
            (read, acc, rejected, skipped)
        );
        assert_eq!((added, changed, unchanged), (accepted, 0, 0), "{first}");
        assert_eq!(first["stopped"], Value::Null);
        // Every accepted record became a case of the node (一次录入，多头应用).
        assert_eq!(first["counts"]["cases"], accepted, "{first}");
        assert_eq!(case_count(&app).await, (total as u64) + accepted, "{name}");
        let run_id = first["run_id"].as_str().expect("run id").to_string();
        let link = first["report"].as_str().expect("report link").to_string();
        assert_eq!(link, format!("/api/v1/imports/{run_id}/report.csv"));
        let report = app.get_authorized(&link).await;
        assert_eq!(report.status, StatusCode::OK, "{}", report.text());
        assert!(
            report.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        assert_eq!(
            report.text(),
            expected_report,
            "{name}: the kept report is the expected validation report"
        );
        // What is stored is exactly the expected standard records.
        let system: Value = serde_json::from_str(&expected[0]).unwrap();
        let mut records: Vec<String> = app
            .store
            .imported_records(system["source_system"].as_str().unwrap())
            .await
            .expect("records")
            .into_iter()
            .map(|r| r.record_json)
            .collect();
        records.sort();
        assert_eq!(records, expected, "{name}: the stored records");
        total += accepted as i64;
        assert_eq!(stored(&app).await, (total, total));

        // The same upload again adds nothing.
        let again = upload(&app, name, &[]).await;
        let [_, _, added, changed, unchanged, _, _] = counts(&again);
        assert_eq!((added, changed, unchanged), (0, 0, accepted), "{again}");
        assert_eq!(again["counts"]["cases"], 0, "{again}");
        assert_eq!(case_count(&app).await, total as u64, "{name}: re-upload");
        assert_eq!(stored(&app).await, (total, total), "{name}: re-upload");
        run_ids.push(run_id);
        run_ids.push(again["run_id"].as_str().expect("run id").to_string());
    }

    // The runs, newest first, each with its totals and report.
    let list = app.get_authorized("/api/v1/imports?limit=10").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text());
    let list = list.json();
    assert_eq!(list["total"], 6, "{list}");
    let listed: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let newest_first: Vec<&str> = run_ids.iter().rev().map(String::as_str).collect();
    assert_eq!(listed, newest_first);
    let one = app
        .get_authorized(&format!("/api/v1/imports/{}", run_ids[0]))
        .await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.text());
    let one = one.json();
    assert_eq!(one["actor"], "api");
    assert_eq!(one["record_type"], "decision");
    assert_eq!(
        one["added"].as_i64().unwrap(),
        expected_records(EXAMPLES[0]).len() as i64
    );
    assert!(one["finished_at"].is_string(), "{one}");
    assert!(one["report"].as_str().unwrap().ends_with("/report.csv"));
    app.get_authorized("/api/v1/imports/no-such-run")
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    // Uploads leave no temporary files behind.
    let tmp: Vec<_> = std::fs::read_dir(dir.path().join("tmp"))
        .expect("tmp dir")
        .collect();
    assert!(tmp.is_empty(), "left behind: {tmp:?}");

    assert!(ledger_intact(&app).await >= total as u64);

    // The imported cases are evaluated by the supervision rules like any other case: the
    // exported decisions record no prior notice, which the rules find (APL Art. 44).
    let calendar = zhifa_domain::calendar::LegalCalendar::builtin();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
    app.store
        .supervision_pass(&calendar, today, 10_000)
        .await
        .expect("pass");
    app.store
        .supervision_sweep(&calendar, today, true)
        .await
        .expect("sweep");
    let alerts = app
        .store
        .list_alerts_in(
            &Scope::All,
            &zhifa_store::supervision_model::AlertFilter::default(),
            PageRequest {
                offset: 0,
                limit: 500,
            },
        )
        .await
        .expect("alerts");
    assert!(
        alerts
            .items
            .iter()
            .any(|a| a.rule_id == "notice_missing" && a.case_id.is_some()),
        "no alert on the imported cases: {:?}",
        alerts.items
    );
}
on_both!(examples_upload_once => examples_upload_once_sqlite, examples_upload_once_postgres);

/// The rejections of an answer with this code, as (field, value, message).
fn rejections_with(answer: &Value, code: &str) -> Vec<(String, String, String)> {
    answer["rejections"]
        .as_array()
        .expect("rejections")
        .iter()
        .filter(|r| r["code"] == code)
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap_or_default().to_string();
            (s("field"), s("value"), s("message"))
        })
        .collect()
}

/// Records whose agency (by USCC) or officers (by certificate number) the node does not know
/// are rejected in the report with the field, a stable code and a Chinese message; nothing of
/// them is stored; once the references are registered the same upload imports them.
async fn unknown_references_are_rejected(db: Db) {
    let (_dir, app) = app_keeping_reports(db).await;
    let accepted = expected_records("market-regulation").len();
    let answer = upload(&app, "market-regulation", &[]).await;
    let [_, acc, added, _, _, _, _] = counts(&answer);
    assert_eq!((acc, added), (0, 0), "{answer}");
    let unknown = rejections_with(&answer, "import.agency_unknown");
    assert_eq!(unknown.len(), accepted, "{answer}");
    for (field, value, message) in &unknown {
        assert_eq!(field, "agency_uscc");
        assert!(message.contains(value.as_str()) && message.contains("未在本节点登记"));
    }
    assert_eq!(stored(&app).await, (0, 0));
    assert_eq!(case_count(&app).await, 0);

    // The agencies known, the inspectors not: the inspections are rejected by certificate.
    register_example_references(&app, false).await;
    let answer = upload(&app, "environment-xlsx", &[]).await;
    let [_, acc, added, _, _, _, _] = counts(&answer);
    assert_eq!((acc, added), (0, 0), "{answer}");
    let unknown = rejections_with(&answer, "import.officer_unknown");
    assert!(!unknown.is_empty(), "{answer}");
    assert!(
        unknown
            .iter()
            .all(|(f, v, m)| f == "officer_cert_nos" && m.contains(v.as_str())),
        "{unknown:?}"
    );
    assert_eq!(case_count(&app).await, 0);

    // Now the market-regulation upload imports its records as cases.
    let answer = upload(&app, "market-regulation", &[]).await;
    assert_eq!(answer["counts"]["cases"], accepted, "{answer}");
    assert_eq!(case_count(&app).await, accepted as u64);
    assert!(ledger_intact(&app).await > 0);
}
on_both!(unknown_references_are_rejected => unknown_references_are_rejected_sqlite, unknown_references_are_rejected_postgres);

/// An administrator and a supervisor (not an administrator), each with a read+write token,
/// and a read-only token of the administrator.
async fn tokens(app: &TestApp) -> (String, String, String) {
    for (username, role, region) in [
        ("imp_admin", "admin", None),
        ("imp_sup", "supervisor", Some("440100")),
    ] {
        app.store
            .create_user(
                &UserInput {
                    username: username.into(),
                    display_name: format!("{username} 的姓名"),
                    role: role.into(),
                    subject_id: None,
                    officer_id: None,
                    region_code: region.map(Into::into),
                    password: "correct horse 1".into(),
                },
                &Actor::system("test"),
            )
            .await
            .expect("create user");
    }
    let token = |user: &'static str, scopes: &'static [&'static str]| async move {
        let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
        app.store
            .create_api_token("导入测试", user, &scopes, "test")
            .await
            .expect("token")
            .1
    };
    (
        token("imp_admin", &["read", "write"]).await,
        token("imp_sup", &["read", "write"]).await,
        token("imp_admin", &["read"]).await,
    )
}

async fn refused_uploads_import_nothing(db: Db) {
    let dir = tempfile::tempdir().expect("import dir");
    let (mapping, file_name, input) = example("market-regulation");
    let app = TestApp::builder()
        .imports(ImportSettings {
            dir: Some(dir.path().to_path_buf()),
            // Room for a mapping (about 2 KB) and 1 KB of the export, not for the whole
            // example export (4,464 bytes).
            max_import_bytes: 4096,
        })
        .start(db)
        .await;
    let (admin, supervisor, read_only) = tokens(&app).await;
    let before = app.snapshot().await;
    // The header and the first rows: under the limit.
    let head = &input[..=input[..1000].iter().rposition(|b| *b == b'\n').unwrap()];
    let good = [text("mapping", &mapping), file(&file_name, head)];

    // Who may upload: administrators and the node token only.
    post_form(&app, Some(&supervisor), &good, Length::Declared)
        .await
        .assert_error(StatusCode::FORBIDDEN, "auth.role");
    post_form(&app, Some(&read_only), &good, Length::Declared)
        .await
        .assert_error(StatusCode::FORBIDDEN, "auth.scope");
    post_form(&app, None, &good, Length::Declared)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "auth.token");
    for path in ["/api/v1/imports", "/api/v1/imports/x/report.csv"] {
        let r = app
            .raw(
                axum::http::Method::GET,
                path,
                Some(&supervisor),
                None,
                String::new(),
            )
            .await;
        r.assert_error(StatusCode::FORBIDDEN, "auth.role");
        app.get(path)
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "auth.token");
    }

    // 422 naming the form field at fault, with the exchange crate's code and Chinese message
    // for a malformed mapping (`mapping`) or a file that cannot be opened as the mapping
    // declares (`file`: an XLSX mapping given CSV bytes).
    let (xlsx_mapping, _, _) = example("environment-xlsx");
    let with = |extra: Part<'static>| {
        let mut parts = good.to_vec();
        parts.push(extra);
        parts
    };
    let cases: Vec<(Vec<Part<'_>>, &str, &str, &str)> = vec![
        (
            vec![
                text("mapping", "record_type = \"nothing\"\n"),
                file(&file_name, head),
            ],
            "mapping.syntax",
            "mapping",
            "映射文件错误",
        ),
        (
            vec![text("mapping", "[input\n"), file(&file_name, head)],
            "mapping.syntax",
            "mapping",
            "映射文件错误",
        ),
        (
            vec![text("mapping", &xlsx_mapping), file("export.xlsx", head)],
            "xlsx.read",
            "file",
            "XLSX",
        ),
        (
            vec![text("mapping", &mapping)],
            "import.field_missing",
            "file",
            "file",
        ),
        (
            vec![file(&file_name, head)],
            "import.field_missing",
            "mapping",
            "mapping",
        ),
        (
            with(text("dryrun", "true")),
            "import.field_unknown",
            "dryrun",
            "dryrun",
        ),
        (with(text("batch", "0")), "import.batch", "batch", "batch"),
        (with(text("batch", "many")), "import.batch", "batch", "many"),
        (
            with(text("dry_run", "perhaps")),
            "import.dry_run",
            "dry_run",
            "perhaps",
        ),
    ];
    for (parts, code, field, said) in cases {
        let r = post_form(&app, Some(&admin), &parts, Length::Declared).await;
        let body = r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, code);
        assert_eq!(error_fields(&body), [field], "{body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(said), "{message}");
    }
    app.raw(
        axum::http::Method::POST,
        "/api/v1/imports",
        Some(&admin),
        Some("text/csv"),
        "a,b\n".into(),
    )
    .await
    .assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "import.content_type");

    // Larger than max_import_bytes: refused by the declared length, and part-way through a
    // body of unknown length.
    let whole = [text("mapping", &mapping), file(&file_name, &input)];
    for length in [Length::Declared, Length::Streamed] {
        post_form(&app, Some(&admin), &whole, length)
            .await
            .assert_error(StatusCode::PAYLOAD_TOO_LARGE, "import.too_large");
    }

    // Nothing of it was imported or recorded, and no temporary file is left.
    assert_eq!(app.snapshot().await, before);
    assert_eq!(stored(&app).await, (0, 0));
    let runs = app.get_authorized("/api/v1/imports").await.json();
    assert_eq!(runs["total"], 0, "{runs}");
    let left: Vec<_> = std::fs::read_dir(dir.path().join("tmp"))
        .map(|d| d.collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "left behind: {left:?}");

    // The administrator's own token may upload (the part that fits), and see the run.
    let ok = post_form(&app, Some(&admin), &good, Length::Streamed).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
    let ok = ok.json();
    let id = ok["run_id"].as_str().expect("run id");
    let run = app
        .raw(
            axum::http::Method::GET,
            &format!("/api/v1/imports/{id}"),
            Some(&admin),
            None,
            String::new(),
        )
        .await
        .json();
    assert_eq!(run["actor"], "imp_admin", "{run}");
    assert_eq!(run["added"], ok["counts"]["added"]);
    ledger_intact(&app).await;
}
on_both!(refused_uploads_import_nothing => refused_uploads_import_nothing_sqlite, refused_uploads_import_nothing_postgres);
