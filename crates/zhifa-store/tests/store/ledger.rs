//! The whole-process record (全过程记录, APL Art. 47; 118号): every change is a leaf, proofs
//! come from storage, and the audit finds and names every edit, deletion, insertion and swap of
//! `changes` rows made directly in SQL, and evidence files edited on disk.

use std::path::Path;

use zhifa_domain::region::RegionTable;
use zhifa_ledger::{
    Checkpoint, HashAlg, KeyAlg, MemoryTree, NoteSigner, ProofJson, SoftwareSigner, VerifierKey,
};
use zhifa_store::ledger_audit::LedgerReport;
use zhifa_store::model::Actor;
use zhifa_store::{AuditOptions, EvidenceError, EvidenceUpload, Store, check_evidence_file};

use crate::fixtures::*;
use crate::store_test;

const ORIGIN: &str = "zhifa.test/ledger";

fn signers() -> Vec<SoftwareSigner> {
    vec![
        SoftwareSigner::generate(KeyAlg::Sm2, ORIGIN).expect("sm2 key"),
        SoftwareSigner::generate(KeyAlg::Ed25519, ORIGIN).expect("ed25519 key"),
    ]
}

fn keys(signers: &[SoftwareSigner]) -> Vec<VerifierKey> {
    signers.iter().map(SoftwareSigner::verifier).collect()
}

/// Five changes (subjects 1–5), a checkpoint, then two more changes and a second checkpoint.
async fn populate(store: &Store, signers: &[SoftwareSigner]) {
    store
        .load_regions(RegionTable::builtin())
        .await
        .expect("regions");
    let refs: Vec<&(dyn NoteSigner + Send + Sync)> = signers.iter().map(|s| s as _).collect();
    for n in 1..=7 {
        let name = format!("第{n}市场监督管理局");
        store
            .create_subject(&subject_input(&name, "440106", n), &actor())
            .await
            .expect("create subject");
        if n == 5 || n == 7 {
            let c = store.sign_checkpoint(ORIGIN, &refs).await.expect("sign");
            assert!(c.is_some());
        }
    }
}

async fn audit(store: &Store, signers: &[SoftwareSigner], dir: Option<&Path>) -> LedgerReport {
    let opts = AuditOptions {
        evidence_dir: dir.map(Path::to_path_buf),
        keys: keys(signers),
    };
    store.verify_ledger(&opts).await.expect("audit runs")
}

async fn exec(store: &Store, sql: &str) {
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(store.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn untouched_ledger_passes_and_proves(store: Store) {
    let s = signers();
    populate(&store, &s).await;
    let size = store.ledger_size().await.expect("size");
    let changes = store.counts().await.expect("counts").changes as u64;
    assert_eq!(size, changes, "one leaf per change row");
    let report = audit(&store, &s, None).await;
    assert!(report.is_intact(), "{:?}", report.findings);
    assert_eq!((report.leaves, report.checkpoints), (size, 2));
    // Nothing new: no new checkpoint.
    let refs: Vec<&(dyn NoteSigner + Send + Sync)> = s.iter().map(|x| x as _).collect();
    assert!(
        store
            .sign_checkpoint(ORIGIN, &refs)
            .await
            .expect("sign")
            .is_none()
    );

    // Proofs from storage match an in-memory tree and verify under the signed checkpoint.
    let latest = store
        .latest_checkpoint()
        .await
        .expect("latest")
        .expect("some");
    let (cp, names) = {
        let k = keys(&s);
        let vs: Vec<&dyn zhifa_ledger::NoteVerifier> = k.iter().map(|x| x as _).collect();
        assert!(Checkpoint::parse_and_verify(&latest.note, &[]).is_err());
        Checkpoint::parse_and_verify(&latest.note, &vs).expect("signed")
    };
    assert_eq!(
        (cp.size(), names.len()),
        (size, 1),
        "both keys share the origin name"
    );
    assert_eq!(
        latest.note.matches("\n— ").count(),
        2,
        "SM2 and Ed25519 signatures"
    );
    let alg = store.ledger_hash().await.expect("hash");
    assert_eq!(alg, HashAlg::Sm3, "SM3 is the default");
    let mut tree = MemoryTree::new(alg);
    for i in 0..size {
        let p = store.ledger_inclusion_proof(i, size).await.expect("proof");
        assert_eq!(p.hash, HashAlg::Sm3);
        tree.push(p.leaf_hash);
        cp.verify_inclusion(alg, &p.leaf_hash, i, &p.proof)
            .expect("inclusion verifies");
    }
    assert_eq!(tree.root(), cp.root());
    for m in 0..=size {
        let p = store
            .ledger_consistency_proof(m, size)
            .await
            .expect("proof");
        assert_eq!(p.proof, tree.consistency_proof(m, size).expect("memory"));
        p.verify().expect("consistency verifies");
    }
    assert!(store.ledger_inclusion_proof(0, size + 1).await.is_err());
    assert!(store.ledger_inclusion_proof(size, size).await.is_err());
    assert!(store.ledger_consistency_proof(3, 2).await.is_err());
}
store_test!(
    untouched_ledger_passes_and_proves,
    ledger_untouched_sqlite,
    ledger_untouched_postgres
);

async fn tamper_update_is_found(store: Store) {
    let s = signers();
    populate(&store, &s).await;
    exec(&store, "UPDATE changes SET actor = 'mallory' WHERE seq = 3").await;
    let report = audit(&store, &s, None).await;
    let first = &report.findings[0];
    assert_eq!(
        (first.code, first.seq),
        ("ledger.entry_modified", Some(3)),
        "{report:?}"
    );
    assert_eq!(first.entity.as_deref(), Some("subject"));
    assert!(first.message.contains("序号 3"), "{}", first.message);
    assert!(first.at.is_some());
}
store_test!(
    tamper_update_is_found,
    ledger_tamper_update_sqlite,
    ledger_tamper_update_postgres
);

async fn tamper_delete_is_found(store: Store) {
    let s = signers();
    populate(&store, &s).await;
    exec(&store, "DELETE FROM changes WHERE seq = 4").await;
    let report = audit(&store, &s, None).await;
    let first = &report.findings[0];
    assert_eq!(
        (first.code, first.seq),
        ("ledger.entry_deleted", Some(4)),
        "{report:?}"
    );
    assert!(first.message.contains("已被删除"), "{}", first.message);
}
store_test!(
    tamper_delete_is_found,
    ledger_tamper_delete_sqlite,
    ledger_tamper_delete_postgres
);

async fn tamper_delete_last_with_its_leaf_is_found(store: Store) {
    let s = signers();
    populate(&store, &s).await;
    // A DBA removing the newest change together with its leaf (no tree nodes to fix at an
    // even size): the signed checkpoint still covers it.
    exec(&store, "DELETE FROM changes WHERE seq = 7").await;
    exec(&store, "DELETE FROM ledger_leaves WHERE leaf_index = 6").await;
    let report = audit(&store, &s, None).await;
    assert!(!report.is_intact());
    let first = &report.findings[0];
    assert_eq!(first.code, "ledger.checkpoint_beyond_tree", "{report:?}");
}
store_test!(
    tamper_delete_last_with_its_leaf_is_found,
    ledger_tamper_truncate_sqlite,
    ledger_tamper_truncate_postgres
);

async fn tamper_insert_is_found(store: Store) {
    let s = signers();
    populate(&store, &s).await;
    exec(
        &store,
        "INSERT INTO changes (entity, entity_id, action, actor, ip, at, before, after) \
         VALUES ('subject', 'forged', 'create', 'admin', NULL, '2026-01-01T00:00:00.000+08:00', NULL, '{}')",
    )
    .await;
    let report = audit(&store, &s, None).await;
    let first = &report.findings[0];
    assert_eq!(first.code, "ledger.entry_inserted", "{report:?}");
    assert_eq!(
        (first.seq, first.entity_id.as_deref()),
        (Some(8), Some("forged"))
    );
}
store_test!(
    tamper_insert_is_found,
    ledger_tamper_insert_sqlite,
    ledger_tamper_insert_postgres
);

async fn tamper_swap_is_found(store: Store) {
    let s = signers();
    populate(&store, &s).await;
    // Exchange the contents of rows 2 and 5 (everything but the key), i.e. reorder them.
    for sql in [
        "UPDATE changes SET seq = -2 WHERE seq = 2",
        "UPDATE changes SET seq = 2 WHERE seq = 5",
        "UPDATE changes SET seq = 5 WHERE seq = -2",
    ] {
        exec(&store, sql).await;
    }
    let report = audit(&store, &s, None).await;
    let first = &report.findings[0];
    assert_eq!(
        (first.code, first.seq),
        ("ledger.entry_modified", Some(2)),
        "{report:?}"
    );
    assert!(report.findings.iter().any(|f| f.seq == Some(5)));
}
store_test!(
    tamper_swap_is_found,
    ledger_tamper_swap_sqlite,
    ledger_tamper_swap_postgres
);

async fn tamper_recomputed_leaf_hash_is_found(store: Store) {
    let s = signers();
    populate(&store, &s).await;
    // Editing a row and its stored leaf hash together still breaks the tree and checkpoints.
    let report_before = audit(&store, &s, None).await;
    assert!(report_before.is_intact());
    exec(&store, "UPDATE changes SET actor = 'mallory' WHERE seq = 1").await;
    let leaf = store.ledger_leaf("change", "1").await.expect("leaf");
    let rows = sqlx::query("SELECT seq, entity, entity_id, action, actor, ip, at, before, after FROM changes WHERE seq = 1")
        .fetch_one(store.pool())
        .await
        .expect("row");
    use sqlx::Row;
    let row = zhifa_store::ledger::ChangeRow {
        seq: rows.get("seq"),
        entity: rows.get("entity"),
        entity_id: rows.get("entity_id"),
        action: rows.get("action"),
        actor: rows.get("actor"),
        ip: rows.get("ip"),
        at: rows.get("at"),
        before: rows.get("before"),
        after: rows.get("after"),
    };
    let sql = format!(
        "UPDATE ledger_leaves SET leaf_hash = '{}' WHERE leaf_index = {}",
        row.leaf_hash(HashAlg::Sm3).to_hex(),
        leaf.leaf_index
    );
    exec(&store, &sql).await;
    let report = audit(&store, &s, None).await;
    let first = &report.findings[0];
    assert_eq!(first.code, "ledger.node_mismatch", "{report:?}");
    assert_eq!(first.leaf_index, Some(0));
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.code == "ledger.checkpoint_root_mismatch")
    );
}
store_test!(
    tamper_recomputed_leaf_hash_is_found,
    ledger_tamper_rehash_sqlite,
    ledger_tamper_rehash_postgres
);

async fn evidence_edited_on_disk_is_found(store: Store) {
    let s = signers();
    populate(&store, &s).await;
    let dir = tempfile::tempdir().expect("dir");
    let mut up = EvidenceUpload::begin(dir.path(), 1024)
        .await
        .expect("begin");
    up.write(b"photo of the scene, ").await.expect("write");
    up.write(b"taken at 10:00").await.expect("write");
    let done = up.finish().await.expect("finish");
    let (e, created) = store
        .add_evidence(done, "image/jpeg", Some("现场.jpg"), &actor())
        .await
        .expect("add");
    assert!(created && e.size == 34);
    assert_eq!(e.stored_path, format!("{}/{}", &e.sm3[..2], &e.sm3[2..]));
    assert_eq!(store.evidence(&e.sm3).await.expect("get"), e);
    check_evidence_file(dir.path(), &e)
        .await
        .expect("intact file");
    assert!(audit(&store, &s, Some(dir.path())).await.is_intact());

    // Over the limit: refused, nothing left behind.
    let mut big = EvidenceUpload::begin(dir.path(), 4).await.expect("begin");
    assert!(matches!(
        big.write(b"12345").await,
        Err(EvidenceError::TooLarge { limit: 4 })
    ));
    drop(big);
    assert_eq!(
        std::fs::read_dir(dir.path().join("tmp"))
            .expect("tmp")
            .count(),
        0
    );

    std::fs::write(dir.path().join(&e.stored_path), b"photo of another scene").expect("edit");
    let err = check_evidence_file(dir.path(), &e)
        .await
        .expect_err("tampered");
    assert_eq!(err.code(), "evidence.tampered");
    let report = audit(&store, &s, Some(dir.path())).await;
    let first = &report.findings[0];
    assert_eq!(first.code, "ledger.evidence_modified", "{report:?}");
    assert_eq!(first.sm3.as_deref(), Some(e.sm3.as_str()));
    assert!(first.message.contains("现场.jpg"), "{}", first.message);
}
store_test!(
    evidence_edited_on_disk_is_found,
    ledger_evidence_tamper_sqlite,
    ledger_evidence_tamper_postgres
);

async fn batched_changes_interleave_with_single_ones(store: Store) {
    let s = signers();
    populate(&store, &s).await;
    let records: Vec<zhifa_store::ChangeRecord> = (0..1_234)
        .map(|i| zhifa_store::ChangeRecord {
            entity: "inspection".into(),
            entity_id: format!("i-{i}"),
            action: "create".into(),
            before: None,
            after: Some(serde_json::json!({ "n": i })),
        })
        .collect();
    let first = store
        .record_changes(&records, &actor())
        .await
        .expect("batch");
    assert_eq!(first, 7, "leaves continue after the seven subjects");
    store
        .create_subject(&subject_input("第八局", "440106", 8), &actor())
        .await
        .expect("single change after the batch");
    let size = store.ledger_size().await.expect("size");
    assert_eq!(size, 7 + 1_234 + 1);
    let last = store
        .change_row(&size.to_string())
        .await
        .expect("seq = size");
    assert_eq!(last.entity, "subject");
    let refs: Vec<&(dyn NoteSigner + Send + Sync)> = s.iter().map(|x| x as _).collect();
    store.sign_checkpoint(ORIGIN, &refs).await.expect("sign");
    let report = audit(&store, &s, None).await;
    assert!(report.is_intact(), "{:?}", report.findings);
    assert_eq!((report.changes, report.checkpoints), (size, 3));
}
store_test!(
    batched_changes_interleave_with_single_ones,
    ledger_batch_sqlite,
    ledger_batch_postgres
);

async fn tamper_leaf_reference_is_found(store: Store) {
    let s = signers();
    populate(&store, &s).await;
    // Pointing a leaf somewhere else (even at nothing readable) is found, not an audit error.
    exec(
        &store,
        "UPDATE ledger_leaves SET ref = 'x' WHERE leaf_index = 2",
    )
    .await;
    let report = audit(&store, &s, None).await;
    let first = &report.findings[0];
    assert_eq!(
        (first.code, first.leaf_index),
        ("ledger.entry_deleted", Some(2)),
        "{report:?}"
    );
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.code == "ledger.entry_inserted" && f.seq == Some(3))
    );
}
store_test!(
    tamper_leaf_reference_is_found,
    ledger_tamper_leaf_ref_sqlite,
    ledger_tamper_leaf_ref_postgres
);

/// The proof as the bare JSON of `zhifa ledger verify-proof`, checked by the independent
/// verifier after a round trip through text.
fn verify_as_json<T: serde::Serialize>(proof: &T) {
    let text = serde_json::to_string(proof).expect("json");
    ProofJson::parse(&text)
        .expect("parses")
        .verify()
        .unwrap_or_else(|e| panic!("{text}: {e}"));
}

async fn sha256_log_appends_proves_and_audits(store: Store) {
    let s = signers();
    let chosen = store
        .init_ledger_hash(Some(HashAlg::Sha256), &Actor::system("init"))
        .await
        .expect("sha256 on an empty log");
    assert_eq!(chosen, HashAlg::Sha256);
    // The choice is itself leaf 0, hashed with SHA-256.
    assert_eq!(store.ledger_size().await.expect("size"), 1);
    populate(&store, &s).await;
    assert_eq!(store.ledger_hash().await.expect("hash"), HashAlg::Sha256);
    let size = store.ledger_size().await.expect("size");
    assert_eq!(size, 8);

    // Every leaf is SHA-256 of its canonical bytes.
    let first = store.change_row("1").await.expect("row 1");
    assert_eq!(first.entity, "ledger");
    let leaf = store.ledger_leaf("change", "1").await.expect("leaf 0");
    assert_eq!(leaf.leaf_hash, first.leaf_hash(HashAlg::Sha256).to_hex());
    assert_ne!(leaf.leaf_hash, first.leaf_hash(HashAlg::Sm3).to_hex());

    // Proofs carry `sha256` and verify with the independent verifier, as JSON too.
    let latest = store
        .latest_checkpoint()
        .await
        .expect("latest")
        .expect("some");
    let cp = {
        let k = keys(&s);
        let vs: Vec<&dyn zhifa_ledger::NoteVerifier> = k.iter().map(|x| x as _).collect();
        Checkpoint::parse_and_verify(&latest.note, &vs)
            .expect("signed")
            .0
    };
    let mut tree = MemoryTree::new(HashAlg::Sha256);
    for i in 0..size {
        let p = store.ledger_inclusion_proof(i, size).await.expect("proof");
        assert_eq!(p.hash, HashAlg::Sha256);
        tree.push(p.leaf_hash);
        cp.verify_inclusion(HashAlg::Sha256, &p.leaf_hash, i, &p.proof)
            .expect("inclusion verifies");
        assert!(
            cp.verify_inclusion(HashAlg::Sm3, &p.leaf_hash, i, &p.proof)
                .is_err()
                || size == 1,
            "a SHA-256 proof does not verify as SM3"
        );
        verify_as_json(&p);
    }
    assert_eq!(tree.root(), cp.root());
    for m in 1..=size {
        let p = store
            .ledger_consistency_proof(m, size)
            .await
            .expect("proof");
        assert_eq!(p.hash, HashAlg::Sha256);
        assert_eq!(p.proof, tree.consistency_proof(m, size).expect("memory"));
        verify_as_json(&p);
    }

    // The audit re-hashes with SHA-256 and passes.
    let report = audit(&store, &s, None).await;
    assert!(report.is_intact(), "{:?}", report.findings);
    assert_eq!(
        (report.hash, report.leaves, report.checkpoints),
        (HashAlg::Sha256, size, 2)
    );

    // Once the log has leaves the function is fixed: asking for SM3 is refused, nothing
    // changes; asking for what is recorded (or nothing) is fine.
    let err = store
        .init_ledger_hash(Some(HashAlg::Sm3), &Actor::system("init"))
        .await
        .expect_err("cannot switch a non-empty log");
    assert!(
        matches!(&err, zhifa_store::StoreError::Invalid(e) if e[0].code == "ledger.hash_fixed"),
        "{err:?}"
    );
    for wanted in [None, Some(HashAlg::Sha256)] {
        let kept = store
            .init_ledger_hash(wanted, &Actor::system("init"))
            .await
            .expect("same function");
        assert_eq!(kept, HashAlg::Sha256);
    }
    assert_eq!(store.ledger_size().await.expect("size"), size);
    assert!(audit(&store, &s, None).await.is_intact());

    // One tampered row is found and named.
    exec(&store, "UPDATE changes SET actor = 'mallory' WHERE seq = 4").await;
    let report = audit(&store, &s, None).await;
    let first = &report.findings[0];
    assert_eq!(
        (first.code, first.seq, first.leaf_index),
        ("ledger.entry_modified", Some(4), Some(3)),
        "{report:?}"
    );

    // Re-labelling the log as SM3 behind the node's back breaks every leaf (the audit reads
    // the recorded function itself, whatever the handle cached).
    exec(
        &store,
        "UPDATE meta SET value = 'sm3' WHERE key = 'ledger_hash'",
    )
    .await;
    let report = audit(&store, &s, None).await;
    assert_eq!(report.hash, HashAlg::Sm3);
    assert_eq!(
        report.findings[0].code, "ledger.entry_modified",
        "{report:?}"
    );
    assert_eq!(report.findings[0].leaf_index, Some(0));
}
store_test!(
    sha256_log_appends_proves_and_audits,
    ledger_sha256_sqlite,
    ledger_sha256_postgres
);

async fn default_log_stays_sm3(store: Store) {
    // A new log without a choice is SM3 and records it; no leaf is written for that.
    assert_eq!(store.ledger_hash().await.expect("hash"), HashAlg::Sm3);
    let kept = store
        .init_ledger_hash(None, &Actor::system("init"))
        .await
        .expect("init");
    assert_eq!(kept, HashAlg::Sm3);
    assert_eq!(store.ledger_size().await.expect("size"), 0);
    assert_eq!(
        store
            .meta_get("ledger_hash")
            .await
            .expect("meta")
            .as_deref(),
        Some("sm3")
    );
    let s = signers();
    populate(&store, &s).await;
    let p = store.ledger_inclusion_proof(2, 7).await.expect("proof");
    assert_eq!(p.hash, HashAlg::Sm3);
    let row = store.change_row("3").await.expect("row");
    assert_eq!(p.leaf_hash, row.leaf_hash(HashAlg::Sm3));
    verify_as_json(&p);
    let report = audit(&store, &s, None).await;
    assert!(report.is_intact(), "{:?}", report.findings);
    assert_eq!(report.hash, HashAlg::Sm3);
    let refused = store
        .init_ledger_hash(Some(HashAlg::Sha256), &Actor::system("init"))
        .await;
    assert!(refused.is_err());
    assert_eq!(store.ledger_hash().await.expect("hash"), HashAlg::Sm3);
}
store_test!(
    default_log_stays_sm3,
    ledger_default_sm3_sqlite,
    ledger_default_sm3_postgres
);

async fn large_log_proofs_and_audit_cross_chunks(store: Store) {
    // More leaves than one audit chunk (8,192) and upper tree levels (≥ 8) that proofs keep
    // in memory once read.
    let n = 9_000usize;
    let records: Vec<zhifa_store::ChangeRecord> = (0..n)
        .map(|i| zhifa_store::ChangeRecord {
            entity: "inspection".into(),
            entity_id: format!("i-{i}"),
            action: "create".into(),
            before: None,
            after: Some(serde_json::json!({ "n": i, "结果": "合格" })),
        })
        .collect();
    store
        .record_changes(&records, &actor())
        .await
        .expect("batch");
    let size = n as u64;
    let alg = store.ledger_hash().await.expect("hash");
    let mut tree = MemoryTree::new(alg);
    for seq in 1..=size {
        let row = store.change_row(&seq.to_string()).await.expect("row");
        tree.push(row.leaf_hash(alg));
    }
    // Twice: the first proof reads every node from storage, the second takes the upper levels
    // from memory; both must match the tree rebuilt from the rows.
    for _ in 0..2 {
        for (i, m) in [
            (0, size),
            (8_191, size),
            (8_192, 8_193),
            (4_097, 8_500),
            (8_999, size),
        ] {
            let p = store.ledger_inclusion_proof(i, m).await.expect("proof");
            assert_eq!(
                p.proof,
                tree.inclusion_proof(i, m).expect("memory"),
                "{i} {m}"
            );
            assert_eq!(p.root, tree.root_at(m).expect("root"));
            verify_as_json(&p);
        }
        for (a, b) in [(1, size), (256, 4_096), (3_000, 8_999), (8_192, size)] {
            let p = store.ledger_consistency_proof(a, b).await.expect("proof");
            assert_eq!(p.proof, tree.consistency_proof(a, b).expect("memory"));
            verify_as_json(&p);
        }
    }
    let s = signers();
    let refs: Vec<&(dyn NoteSigner + Send + Sync)> = s.iter().map(|x| x as _).collect();
    store.sign_checkpoint(ORIGIN, &refs).await.expect("sign");
    let report = audit(&store, &s, None).await;
    assert!(report.is_intact(), "{:?}", report.findings);
    assert_eq!((report.leaves, report.changes), (size, size));

    // An edit in the second chunk is found and named.
    exec(
        &store,
        "UPDATE changes SET after = '{\"n\":1}' WHERE seq = 8500",
    )
    .await;
    let report = audit(&store, &s, None).await;
    let first = &report.findings[0];
    assert_eq!(
        (first.code, first.seq, first.leaf_index),
        ("ledger.entry_modified", Some(8_500), Some(8_499)),
        "{report:?}"
    );
    // A stored node of the second chunk edited (its leaves untouched) is found too.
    exec(
        &store,
        "UPDATE changes SET after = '{\"n\":8499,\"结果\":\"合格\"}' WHERE seq = 8500",
    )
    .await;
    assert!(audit(&store, &s, None).await.is_intact());
    let key = (1i64 << 56) + 4_200;
    exec(
        &store,
        &format!(
            "UPDATE ledger_nodes SET hash = '{}' WHERE id = {key}",
            "0".repeat(64)
        ),
    )
    .await;
    let report = audit(&store, &s, None).await;
    assert_eq!(
        report.findings[0].code, "ledger.node_mismatch",
        "{report:?}"
    );
    assert_eq!(report.findings[0].leaf_index, Some(8_400));
}
store_test!(
    large_log_proofs_and_audit_cross_chunks,
    ledger_large_sqlite,
    ledger_large_postgres
);
