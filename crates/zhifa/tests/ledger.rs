//! `zhifa ledger …` as a user runs it on a SQLite data directory: `verify` exit codes (0
//! intact, 1 tampered, naming the entry), `verify-proof` exit codes 0/1/2, and `prove` +
//! `verify-bundle` round trips (a tampered bundle or a wrong key fails).

use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;

use zhifa_ledger::{HashAlg, MemoryTree, leaf_hash};
use zhifa_store::crypto::Sm4GcmCipher;
use zhifa_store::model::Actor;
use zhifa_store::{ChangeRecord, EvidenceUpload, Store, StoreOptions};

fn zhifa(args: &[&str]) -> Output {
    zhifa_with_hash(args, None)
}

/// `zhifa args…` with `ZHIFA_LEDGER_HASH` set to `hash` (or unset).
fn zhifa_with_hash(args: &[&str], hash: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_zhifa"));
    cmd.args(args)
        .env_remove("ZHIFA_DATABASE_URL")
        .env_remove("ZHIFA_DATA_DIR")
        .env_remove("ZHIFA_LEDGER_HASH");
    if let Some(h) = hash {
        cmd.env("ZHIFA_LEDGER_HASH", h);
    }
    cmd.output().expect("run zhifa")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// `zhifa ledger prove --event EVENT --out OUT` on data directory `d`.
fn prove_to(d: &str, event: &str, out: &str) -> Output {
    zhifa(&[
        "--data-dir",
        d,
        "ledger",
        "prove",
        "--event",
        event,
        "--out",
        out,
    ])
}

/// `zhifa ledger verify-bundle FILE --key KEYS` (no database).
fn verify_bundle(file: &str, keys: &str) -> Output {
    zhifa(&["ledger", "verify-bundle", file, "--key", keys])
}

/// A data directory with five changes and one evidence file, migrated by the binary.
fn node(dir: &Path) -> (String, String) {
    node_with_hash(dir, None)
}

/// [`node`] initialised with `ZHIFA_LEDGER_HASH=hash`.
fn node_with_hash(dir: &Path, hash: Option<&str>) -> (String, String) {
    let d = dir.to_str().expect("utf-8 path").to_string();
    let o = zhifa_with_hash(&["--data-dir", &d, "migrate"], hash);
    assert!(o.status.success(), "{}", text(&o));
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let sm3 = rt.block_on(async {
        let store = open(dir).await;
        let records: Vec<ChangeRecord> = (1..=5)
            .map(|i| ChangeRecord {
                entity: "subject".into(),
                entity_id: format!("s-{i}"),
                action: "create".into(),
                before: None,
                after: Some(serde_json::json!({ "name": format!("第{i}局") })),
            })
            .collect();
        store
            .record_changes(&records, &Actor::system("test"))
            .await
            .expect("changes");
        let mut up = EvidenceUpload::begin(&dir.join("evidence"), 1 << 20)
            .await
            .expect("upload");
        up.write(b"scene photo").await.expect("write");
        let done = up.finish().await.expect("finish");
        let (e, _) = store
            .add_evidence(done, "image/jpeg", Some("现场.jpg"), &Actor::system("test"))
            .await
            .expect("evidence");
        store.pool().close().await;
        e.sm3
    });
    let o = zhifa_with_hash(&["--data-dir", &d, "ledger", "checkpoint"], hash);
    assert!(o.status.success(), "{}", text(&o));
    (d, sm3)
}

async fn open(dir: &Path) -> Store {
    let url = format!("sqlite://{}?mode=rw", dir.join("zhifa.db").display());
    Store::connect(StoreOptions {
        url,
        max_connections: 1,
        cipher: Arc::new(Sm4GcmCipher::new([7; 16])),
    })
    .await
    .expect("open store")
}

fn sql(dir: &Path, statement: &str) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let store = open(dir).await;
        sqlx::raw_sql(sqlx::AssertSqlSafe(statement.to_string()))
            .execute(store.pool())
            .await
            .expect("tamper");
        store.pool().close().await;
    });
}

#[test]
fn verify_exits_0_when_intact_and_1_naming_the_edited_row() {
    let dir = tempfile::tempdir().expect("dir");
    let (d, _) = node(dir.path());
    let o = zhifa(&["--data-dir", &d, "ledger", "verify"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("账本完整：6 个叶子"), "{}", text(&o));

    sql(
        dir.path(),
        "UPDATE changes SET after = '{\"name\":\"伪造\"}' WHERE seq = 3",
    );
    let o = zhifa(&["--data-dir", &d, "ledger", "verify"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let out = text(&o);
    assert!(
        out.contains("ledger.entry_modified") && out.contains("序号 3") && out.contains("s-3"),
        "{out}"
    );
    let o = zhifa(&["--data-dir", &d, "ledger", "verify", "--json"]);
    assert_eq!(o.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json report");
    assert_eq!(report["findings"][0]["seq"], 3);
}

#[test]
fn verify_exits_1_on_an_evidence_file_edited_on_disk() {
    let dir = tempfile::tempdir().expect("dir");
    let (d, sm3) = node(dir.path());
    let file = dir.path().join("evidence").join(&sm3[..2]).join(&sm3[2..]);
    std::fs::write(&file, b"another photo").expect("edit");
    let o = zhifa(&["--data-dir", &d, "ledger", "verify"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("现场.jpg") && text(&o).contains("已被篡改"),
        "{}",
        text(&o)
    );
}

#[test]
fn verify_proof_exit_codes() {
    let dir = tempfile::tempdir().expect("dir");
    let alg = HashAlg::Sm3;
    let tree = MemoryTree::from_leaf_hashes(alg, (0..7u8).map(|i| leaf_hash(alg, &[i])));
    let proof = tree.inclusion_proof(5, 7).expect("proof");
    let hex = |h: &zhifa_ledger::Hash| h.to_hex();
    let good = serde_json::json!({
        "hash": "sm3", "leaf_index": 5, "tree_size": 7,
        "leaf_hash": hex(&leaf_hash(alg, &[5])),
        "proof": proof.iter().map(hex).collect::<Vec<_>>(),
        "root": hex(&tree.root()),
    });
    let write = |name: &str, v: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, v).expect("write");
        p.to_str().expect("utf-8").to_string()
    };
    let ok = write("ok.json", &good.to_string());
    assert_eq!(
        zhifa(&["ledger", "verify-proof", &ok]).status.code(),
        Some(0)
    );
    let mut wrong_index = good.clone();
    wrong_index["leaf_index"] = 4.into();
    let bad = write("bad.json", &wrong_index.to_string());
    let o = zhifa(&["ledger", "verify-proof", &bad]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let mut short = good.clone();
    short["proof"].as_array_mut().expect("array").pop();
    let bad = write("short.json", &short.to_string());
    assert_eq!(
        zhifa(&["ledger", "verify-proof", &bad]).status.code(),
        Some(1)
    );
    let junk = write("junk.json", "{\"hash\":\"md5\"}");
    assert_eq!(
        zhifa(&["ledger", "verify-proof", &junk]).status.code(),
        Some(2)
    );
    let missing = dir.path().join("none.json");
    let o = zhifa(&["ledger", "verify-proof", missing.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn prove_and_verify_bundle_round_trip() {
    let dir = tempfile::tempdir().expect("dir");
    let (d, sm3) = node(dir.path());
    let keys = dir.path().join("keys.txt");
    let o = zhifa(&["--data-dir", &d, "ledger", "keys"]);
    assert!(o.status.success());
    std::fs::write(&keys, &o.stdout).expect("keys");
    let keys = keys.to_str().expect("utf-8");
    for event in ["2", "s-4", sm3.as_str()] {
        let out = dir.path().join("bundle.json");
        let out = out.to_str().expect("utf-8");
        let o = prove_to(&d, event, out);
        assert!(o.status.success(), "{}", text(&o));
        let o = verify_bundle(out, keys);
        assert_eq!(o.status.code(), Some(0), "{event}: {}", text(&o));
    }
    let o = zhifa(&["--data-dir", &d, "ledger", "prove", "--event", "2"]);
    let bundle: serde_json::Value = serde_json::from_slice(&o.stdout).expect("bundle on stdout");
    assert_eq!(
        (
            bundle["entry"]["seq"].as_i64(),
            bundle["leaf_index"].as_i64()
        ),
        (Some(2), Some(1))
    );
    let tampered = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut b = bundle.clone();
        f(&mut b);
        let p = dir.path().join("tampered.json");
        std::fs::write(&p, b.to_string()).expect("write");
        zhifa(&[
            "ledger",
            "verify-bundle",
            p.to_str().expect("utf-8"),
            "--key",
            keys,
        ])
    };
    let o = tampered(&|b| b["entry"]["actor"] = "mallory".into());
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let o = tampered(&|b| b["leaf_index"] = 2.into());
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let o = tampered(&|b| {
        let note = b["checkpoint"]
            .as_str()
            .expect("note")
            .replacen("\n6\n", "\n7\n", 1);
        b["checkpoint"] = note.into();
    });
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    // A key of another node does not verify this node's checkpoint.
    let other = tempfile::tempdir().expect("dir");
    let o = zhifa(&[
        "--data-dir",
        other.path().to_str().expect("utf-8"),
        "ledger",
        "keys",
    ]);
    let other_key = String::from_utf8_lossy(&o.stdout)
        .lines()
        .next()
        .expect("key")
        .to_string();
    let p = dir.path().join("b.json");
    std::fs::write(&p, bundle.to_string()).expect("write");
    let o = zhifa(&[
        "ledger",
        "verify-bundle",
        p.to_str().expect("utf-8"),
        "--key",
        &other_key,
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
}

#[test]
fn sha256_log_verifies_proves_and_refuses_a_switch() {
    let dir = tempfile::tempdir().expect("dir");
    let (d, sm3) = node_with_hash(dir.path(), Some("sha256"));
    // Leaf 0 records the choice; five changes and the evidence follow.
    let o = zhifa(&["--data-dir", &d, "ledger", "verify"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("账本完整：7 个叶子") && text(&o).contains("SHA256"),
        "{}",
        text(&o)
    );
    let keys = dir.path().join("keys.txt");
    let o = zhifa(&["--data-dir", &d, "ledger", "keys"]);
    std::fs::write(&keys, &o.stdout).expect("keys");
    let keys = keys.to_str().expect("utf-8");
    for event in ["3", sm3.as_str()] {
        let path = dir.path().join("bundle.json");
        let out = path.to_str().expect("utf-8");
        let o = prove_to(&d, event, out);
        assert!(o.status.success(), "{}", text(&o));
        let bundle: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).expect("bundle")).expect("json");
        assert_eq!(bundle["hash"], "sha256");
        let o = verify_bundle(out, keys);
        assert_eq!(o.status.code(), Some(0), "{event}: {}", text(&o));
        // The same bundle claimed as SM3 does not hold.
        let mut claimed = bundle.clone();
        claimed["hash"] = "sm3".into();
        std::fs::write(&path, claimed.to_string()).expect("write");
        let o = verify_bundle(out, keys);
        assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    }
    // The log has leaves: switching to SM3 is refused and changes nothing.
    let o = zhifa_with_hash(&["--data-dir", &d, "ledger", "verify"], Some("sm3"));
    assert!(!o.status.success());
    assert!(text(&o).contains("ledger_hash"), "{}", text(&o));
    let o = zhifa_with_hash(&["--data-dir", &d, "ledger", "verify"], Some("sha256"));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // An unknown name is a configuration error naming the key.
    let o = zhifa_with_hash(&["--data-dir", &d, "ledger", "verify"], Some("md5"));
    assert!(!o.status.success());
    assert!(text(&o).contains("ledger_hash"), "{}", text(&o));
}

/// `GET path` on a running server, answering the status line and body.
fn http_get(addr: &str, path: &str) -> (String, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut resp = String::new();
    s.read_to_string(&mut resp).expect("read");
    let (head, body) = resp.split_once("\r\n\r\n").unwrap_or((&resp, ""));
    (
        head.lines().next().unwrap_or_default().to_string(),
        body.to_string(),
    )
}

#[test]
fn serve_publishes_keys_and_signs_checkpoints_as_the_ledger_grows() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().expect("dir");
    let (d, _) = node(dir.path());
    let mut child = Command::new(env!("CARGO_BIN_EXE_zhifa"))
        .args(["serve", "--bind", "127.0.0.1:0", "--data-dir", &d])
        .env_remove("ZHIFA_DATABASE_URL")
        .env("ZHIFA_CHECKPOINT_INTERVAL_MS", "50")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    let mut lines = std::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
    let url = loop {
        let line = lines.next().expect("server printed its URL").expect("line");
        if let Some(u) = line.strip_prefix("serving ") {
            break u.to_string();
        }
    };
    let addr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let (status, keys) = http_get(&addr, "/api/v1/ledger/keys");
    let (_, checkpoint) = http_get(&addr, "/api/v1/ledger/checkpoint");
    let size = |note: &str| note.lines().nth(1).and_then(|l| l.parse::<u64>().ok());
    let before = size(&checkpoint).expect("a checkpoint at start");
    // A write by another process: the background task must sign over it.
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let store = open(dir.path()).await;
        let record = ChangeRecord {
            entity: "subject".into(),
            entity_id: "s-late".into(),
            action: "update".into(),
            before: None,
            after: None,
        };
        store
            .record_changes(&[record], &Actor::system("test"))
            .await
            .expect("write");
        store.pool().close().await;
    });
    let mut after = before;
    for _ in 0..400 {
        after = size(&http_get(&addr, "/api/v1/ledger/checkpoint").1).unwrap_or(before);
        if after > before {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(status.contains("200"), "{status}");
    let keys: serde_json::Value = serde_json::from_str(&keys).expect("keys json");
    assert_eq!(keys["keys"].as_array().map(Vec::len), Some(2), "{keys}");
    assert_eq!(after, before + 1, "the new leaf was never checkpointed");
}
