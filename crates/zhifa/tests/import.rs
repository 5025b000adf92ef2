//! `zhifa import` as a user runs it, on the three example exports of `examples/exchange/`
//! (a market-regulation CSV with pinyin columns, an environment system's XLSX, a legacy GBK
//! CSV with 万元 amounts and two-digit years): the validation report matches the expected
//! one, the accepted records are stored and become cases of the node (its agencies and
//! inspectors registered first), a re-import adds nothing, a dry run stores nothing,
//! every stored record is a change-log row with a ledger leaf and `zhifa ledger verify`
//! passes — on SQLite and on PostgreSQL.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use zhifa_domain::region::RegionTable;
use zhifa_store::crypto::Sm4GcmCipher;
use zhifa_store::testing::TestDb;
use zhifa_store::{Store, StoreOptions};

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/exchange")
        .join(name)
}

fn zhifa(data_dir: &Path, url: Option<&str>, args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_zhifa"));
    c.arg("--data-dir").arg(data_dir);
    if let Some(u) = url {
        c.arg("--database-url").arg(u);
    }
    c.args(args)
        .env_remove("ZHIFA_DATABASE_URL")
        .env_remove("ZHIFA_DATA_DIR")
        .output()
        .expect("run zhifa")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Non-empty lines of the expected records file: how many rows the mapping accepts.
fn expected_records(dir: &Path) -> usize {
    std::fs::read_to_string(dir.join("expected-records.jsonl"))
        .expect("expected records")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count()
}

fn import(data: &Path, url: Option<&str>, dir: &Path, extra: &[&str]) -> Output {
    let mapping = dir.join("mapping.toml");
    let input = std::fs::read_dir(dir)
        .expect("example dir")
        .map(|e| e.expect("entry").path())
        .find(|p| p.file_stem().is_some_and(|s| s == "input"))
        .expect("an input file");
    let mut args = vec![
        "import".to_string(),
        "--quiet".into(),
        "--mapping".into(),
        mapping.display().to_string(),
        input.display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    zhifa(data, url, &args)
}

async fn store_at(data: &Path, url: Option<&str>) -> Store {
    let key: [u8; 16] = std::fs::read(data.join("keys/field.key"))
        .ok()
        .and_then(|k| hex::decode(String::from_utf8_lossy(&k).trim()).ok())
        .and_then(|k| k.try_into().ok())
        .expect("the field key the CLI created");
    let url = url
        .map(str::to_string)
        .unwrap_or_else(|| format!("sqlite://{}?mode=rwc", data.join("zhifa.db").display()));
    Store::connect(StoreOptions {
        url,
        max_connections: 2,
        cipher: Arc::new(Sm4GcmCipher::new(key)),
    })
    .await
    .expect("store")
}

/// Migrates the node and registers the examples' agencies and inspectors, so that the
/// imported records resolve their references.
fn register_references(rt: &tokio::runtime::Runtime, data: &Path, url: Option<&str>) {
    let migrate = zhifa(data, url, &["migrate"]);
    assert!(migrate.status.success(), "{}", text(&migrate));
    rt.block_on(async {
        let store = store_at(data, url).await;
        store
            .load_regions(RegionTable::builtin())
            .await
            .expect("regions");
        zhifa_store::testing::register_example_references(&store, true)
            .await
            .expect("references");
    });
}

/// `expected` imported records, as many `imported_record` change-log rows, and an intact
/// ledger (`zhifa ledger verify` exits 0).
fn assert_stored_and_verified(
    rt: &tokio::runtime::Runtime,
    data: &Path,
    url: Option<&str>,
    expected: usize,
) {
    let stored = rt.block_on(async {
        let store = store_at(data, url).await;
        let changes = store
            .list_changes(
                &zhifa_store::model::ChangeFilter {
                    entity: Some(zhifa_store::IMPORTED_ENTITY.to_string()),
                    ..Default::default()
                },
                zhifa_store::model::PageRequest {
                    offset: 0,
                    limit: 1,
                },
            )
            .await
            .expect("changes");
        (
            store.imported_count(None).await.expect("count"),
            changes.total,
        )
    });
    assert_eq!(
        stored,
        (expected as i64, expected as i64),
        "records and change-log rows"
    );
    let verify = zhifa(data, url, &["ledger", "verify"]);
    assert!(verify.status.success(), "{}", text(&verify));
}

fn examples_import_once(url: Option<&str>) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let rt = tokio::runtime::Runtime::new().unwrap();
    register_references(&rt, &data, url);
    let mut total = 0usize;
    for name in ["market-regulation", "environment-xlsx", "legacy-gbk"] {
        let dir = example(name);
        let accepted = expected_records(&dir);
        total += accepted;

        // Dry run: the report, nothing stored.
        let report = tmp.path().join(format!("{name}.csv"));
        let dry = import(
            &data,
            url,
            &dir,
            &["--dry-run", "--report", report.to_str().unwrap()],
        );
        assert_eq!(
            dry.status.code(),
            Some(1),
            "rows are rejected: {}",
            text(&dry)
        );
        assert!(text(&dry).contains("未写入任何记录"), "{}", text(&dry));
        assert_eq!(
            std::fs::read_to_string(&report).unwrap(),
            std::fs::read_to_string(dir.join("expected-report.csv")).unwrap(),
            "{name}: the validation report"
        );
        let html = tmp.path().join(format!("{name}.html"));
        import(
            &data,
            url,
            &dir,
            &["--dry-run", "--report", html.to_str().unwrap()],
        );
        let page = std::fs::read_to_string(&html).unwrap();
        assert!(
            page.contains("<table") && page.contains("规则"),
            "{name}: {page}"
        );

        // The import stores every accepted row; a second run adds nothing.
        let first = import(&data, url, &dir, &[]);
        let out = text(&first);
        assert!(
            out.contains(&format!("新增 {accepted}，更新 0，未变 0")),
            "{name}: {out}"
        );
        assert!(
            out.contains(&format!("案件 {accepted} 件")),
            "{name}: {out}"
        );
        let again = import(&data, url, &dir, &[]);
        let out = text(&again);
        assert!(
            out.contains(&format!("新增 0，更新 0，未变 {accepted}")),
            "{name}: {out}"
        );
    }
    assert_stored_and_verified(&rt, &data, url, total);
}

#[test]
fn examples_import_once_sqlite() {
    examples_import_once(None);
}

#[test]
fn examples_import_once_postgres() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let Some(db) = rt.block_on(TestDb::postgres("zhifa_import")) else {
        return;
    };
    examples_import_once(Some(db.url()));
}

#[test]
fn unusable_mapping_or_input_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let bad = tmp.path().join("bad.toml");
    std::fs::write(&bad, "record_type = \"nothing\"\n").unwrap();
    let input = example("market-regulation").join("input.csv");
    let o = zhifa(
        &data,
        None,
        &[
            "import",
            "--mapping",
            bad.to_str().unwrap(),
            input.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("映射文件"), "{}", text(&o));
    let mapping = example("market-regulation").join("mapping.toml");
    let o = zhifa(
        &data,
        None,
        &[
            "import",
            "--mapping",
            mapping.to_str().unwrap(),
            "/nonexistent/input.csv",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

/// `rows` market-regulation rows with distinct ids and case numbers (the example's second
/// row, a valid decision, as the template).
fn large_export(path: &Path, rows: usize) {
    let example = std::fs::read_to_string(example("market-regulation").join("input.csv")).unwrap();
    let mut lines = example.lines();
    let header = lines.next().unwrap();
    let template = lines.nth(1).unwrap();
    let mut out = String::with_capacity(rows * (template.len() + 8));
    out.push_str(header);
    out.push('\n');
    for i in 0..rows {
        let n = 100_000 + i;
        let row = template
            .replace("CF2025000102,2,", &format!("CFX{n},{i},"))
            .replace("〔2025〕102号", &format!("〔2025〕{n}号"));
        out.push_str(&row);
        out.push('\n');
    }
    std::fs::write(path, out).unwrap();
}

/// SIGKILL in the middle of a large import, then the same import again: no duplicates,
/// nothing accepted lost, the ledger intact.
fn killed_import_resumes(url: Option<&str>) {
    const ROWS: usize = 40_000;
    const BATCH: usize = 500;
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let input = tmp.path().join("large.csv");
    large_export(&input, ROWS);
    let mapping = example("market-regulation").join("mapping.toml");
    let args = |c: &mut Command| {
        c.arg("--data-dir").arg(&data);
        if let Some(u) = url {
            c.arg("--database-url").arg(u);
        }
        c.args([
            "import",
            "--quiet",
            "--batch",
            &BATCH.to_string(),
            "--mapping",
        ])
        .arg(&mapping)
        .arg(&input)
        .env_remove("ZHIFA_DATABASE_URL")
        .env_remove("ZHIFA_DATA_DIR");
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    register_references(&rt, &data, url);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_zhifa"));
    args(&mut cmd);
    let mut child = cmd
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start the import");
    // Kill as soon as the first batches are in (the store exists once the key does).
    let killed_at = rt.block_on(async {
        loop {
            if let Some(status) = child.try_wait().expect("poll") {
                panic!("the import ended before it could be killed: {status}");
            }
            if data.join("keys/field.key").exists() {
                let store = store_at(&data, url).await;
                let n = store.imported_count(None).await.unwrap_or(0);
                if n > 0 {
                    child.kill().expect("SIGKILL");
                    child.wait().expect("reap");
                    return store.imported_count(None).await.expect("count");
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    });
    assert!(
        killed_at > 0 && (killed_at as usize) < ROWS,
        "killed mid-way: {killed_at}"
    );
    assert_eq!(
        killed_at as usize % BATCH,
        0,
        "only whole batches are stored"
    );

    let mut cmd = Command::new(env!("CARGO_BIN_EXE_zhifa"));
    args(&mut cmd);
    let again = cmd.output().expect("run the import again");
    let out = text(&again);
    assert!(again.status.success(), "{out}");
    let added = ROWS - killed_at as usize;
    assert!(
        out.contains(&format!("新增 {added}，更新 0，未变 {killed_at}")),
        "{out}"
    );
    assert_stored_and_verified(&rt, &data, url, ROWS);
}

#[test]
fn killed_import_resumes_sqlite() {
    killed_import_resumes(None);
}

#[test]
fn killed_import_resumes_postgres() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let Some(db) = rt.block_on(TestDb::postgres("zhifa_import_kill")) else {
        return;
    };
    killed_import_resumes(Some(db.url()));
}
