//! The report of a ledger audit ([`crate::Store::verify_ledger`]): what was checked and every
//! finding, each with a stable code, the entry it concerns (entity, id, change seq, time) and a
//! Chinese sentence. The first finding is the first bad entry in log order.

use std::collections::HashMap;

use serde::Serialize;
use zhifa_ledger::{Checkpoint, Hash, HashAlg, NodeId, NoteVerifier, VerifierKey};

use crate::Store;
use crate::error::Result;
use crate::ledger::{CaseEventRow, ChangeRow, Evidence, StoredCheckpoint};

/// Findings kept at most (the first ones matter; the rest are counted).
const MAX_FINDINGS: usize = 100;

/// One problem found by the audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable machine code, e.g. `ledger.entry_modified`.
    pub code: &'static str,
    /// Chinese description naming the entry.
    pub message: String,
    /// The leaf concerned, if any.
    pub leaf_index: Option<u64>,
    /// `change` or `evidence`.
    pub kind: Option<String>,
    /// Entity kind of the change (as stored now); for a case event its event kind.
    pub entity: Option<String>,
    /// Id of the changed record (as stored now); for a case event the case id.
    pub entity_id: Option<String>,
    /// `changes.seq` (or `case_events.seq`).
    pub seq: Option<i64>,
    /// Version (position in the case) of a case event.
    pub version: Option<i64>,
    /// SM3 of an evidence file.
    pub sm3: Option<String>,
    /// Time of the entry.
    pub at: Option<String>,
}

impl Finding {
    fn new(code: &'static str, message: String) -> Self {
        Finding {
            code,
            message,
            leaf_index: None,
            kind: None,
            entity: None,
            entity_id: None,
            seq: None,
            version: None,
            sm3: None,
            at: None,
        }
    }

    fn entry(mut self, leaf: u64, kind: &str, reference: &str, at: &str) -> Self {
        self.leaf_index = Some(leaf);
        self.kind = Some(kind.to_string());
        self.at = Some(at.to_string());
        if kind == crate::ledger::KIND_CHANGE || kind == crate::ledger::KIND_CASE_EVENT {
            self.seq = reference.parse().ok();
        } else {
            self.sm3 = Some(reference.to_string());
        }
        self
    }

    pub(crate) fn gap(expected: u64, found: i64) -> Self {
        let mut f = Finding::new(
            "ledger.leaf_gap",
            format!(
                "账本叶子序号不连续：应为第 {expected} 号，实为第 {found} 号（叶子被删除或插入）"
            ),
        );
        f.leaf_index = Some(expected);
        f
    }

    pub(crate) fn deleted(leaf: u64, kind: &str, reference: &str, at: &str) -> Self {
        let what = describe(kind, reference);
        Finding::new(
            "ledger.entry_deleted",
            format!("第 {leaf} 号叶子记录的{what}（记入时间 {at}）已被删除"),
        )
        .entry(leaf, kind, reference, at)
    }

    pub(crate) fn modified(
        leaf: u64,
        kind: &str,
        reference: &str,
        change: Option<&ChangeRow>,
        at: &str,
    ) -> Self {
        let what = match change {
            Some(c) => format!(
                "变更记录（序号 {}，{} {}，{}，时间 {}）",
                c.seq, c.entity, c.entity_id, c.action, c.at
            ),
            None => describe(kind, reference),
        };
        let mut f = Finding::new(
            "ledger.entry_modified",
            format!("第 {leaf} 号叶子记录的{what}已被改动：重新计算的哈希与账本不符"),
        )
        .entry(leaf, kind, reference, at);
        if let Some(c) = change {
            f.entity = Some(c.entity.clone());
            f.entity_id = Some(c.entity_id.clone());
            f.at = Some(c.at.clone());
        }
        f
    }

    pub(crate) fn modified_case_event(leaf: u64, e: &CaseEventRow) -> Self {
        let mut f = Finding::new(
            "ledger.entry_modified",
            format!(
                "第 {leaf} 号叶子记录的案件事件（案件 {}，第 {} 个事件 {}，序号 {}，时间 {}）已被改动：重新计算的哈希与账本不符",
                e.case_id, e.version, e.kind, e.seq, e.at
            ),
        );
        f.leaf_index = Some(leaf);
        f.kind = Some(crate::ledger::KIND_CASE_EVENT.into());
        f.entity = Some(e.kind.clone());
        f.entity_id = Some(e.case_id.clone());
        f.seq = Some(e.seq);
        f.version = Some(e.version);
        f.at = Some(e.at.clone());
        f
    }

    pub(crate) fn deleted_case_event(
        leaf: u64,
        reference: &str,
        case_id: Option<&str>,
        at: &str,
    ) -> Self {
        let case = case_id.map_or_else(String::new, |c| format!("案件 {c}，"));
        let mut f = Finding::new(
            "ledger.entry_deleted",
            format!(
                "第 {leaf} 号叶子记录的案件事件（{case}序号 {reference}，记入时间 {at}）已被删除"
            ),
        );
        f.leaf_index = Some(leaf);
        f.kind = Some(crate::ledger::KIND_CASE_EVENT.into());
        f.entity_id = case_id.map(str::to_string);
        f.seq = reference.parse().ok();
        f.at = Some(at.to_string());
        f
    }

    pub(crate) fn inserted_case_event(
        seq: i64,
        case_id: String,
        version: i64,
        kind: String,
        at: String,
    ) -> Self {
        let mut f = Finding::new(
            "ledger.entry_inserted",
            format!(
                "案件事件（案件 {case_id}，第 {version} 个事件 {kind}，序号 {seq}，时间 {at}）不在账本中：绕过系统插入"
            ),
        );
        f.kind = Some(crate::ledger::KIND_CASE_EVENT.into());
        f.entity = Some(kind);
        f.entity_id = Some(case_id);
        f.seq = Some(seq);
        f.version = Some(version);
        f.at = Some(at);
        f
    }

    pub(crate) fn evidence_file(
        leaf: u64,
        e: &Evidence,
        err: &crate::db::evidence::EvidenceError,
    ) -> Self {
        let code = match err.code() {
            "evidence.missing" => "ledger.evidence_missing",
            _ => "ledger.evidence_modified",
        };
        let name = e.original_name.as_deref().unwrap_or("（无文件名）");
        Finding::new(
            code,
            format!(
                "第 {leaf} 号叶子记录的证据文件 {name}（SM3 {}，上传时间 {}）：{err}",
                e.sm3, e.at
            ),
        )
        .entry(leaf, crate::ledger::KIND_EVIDENCE, &e.sm3, &e.at)
    }

    pub(crate) fn node(id: NodeId) -> Self {
        let first = id.index << id.level;
        let last = ((id.index + 1) << id.level) - 1;
        let mut f = Finding::new(
            "ledger.node_mismatch",
            format!(
                "账本树节点（层 {}，序号 {}）与重建结果不符：第 {first}–{last} 号叶子的哈希或顺序被改动",
                id.level, id.index
            ),
        );
        f.leaf_index = Some(first);
        f
    }

    pub(crate) fn store(message: &str) -> Self {
        Finding::new("ledger.store", message.to_string())
    }

    pub(crate) fn inserted_change(seq: i64, entity: String, entity_id: String, at: String) -> Self {
        let mut f = Finding::new(
            "ledger.entry_inserted",
            format!(
                "变更记录（序号 {seq}，{entity} {entity_id}，时间 {at}）不在账本中：绕过系统插入"
            ),
        );
        f.kind = Some(crate::ledger::KIND_CHANGE.into());
        f.seq = Some(seq);
        f.entity = Some(entity);
        f.entity_id = Some(entity_id);
        f.at = Some(at);
        f
    }

    pub(crate) fn inserted_evidence(sm3: String, at: String) -> Self {
        let mut f = Finding::new(
            "ledger.entry_inserted",
            format!("证据文件记录（SM3 {sm3}，时间 {at}）不在账本中：绕过系统插入"),
        );
        f.kind = Some(crate::ledger::KIND_EVIDENCE.into());
        f.sm3 = Some(sm3);
        f.at = Some(at);
        f
    }

    fn checkpoint(code: &'static str, c: &StoredCheckpoint, why: String) -> Self {
        Finding::new(
            code,
            format!("检查点（树大小 {}，签署时间 {}）{why}", c.tree_size, c.at),
        )
    }
}

fn describe(kind: &str, reference: &str) -> String {
    match kind {
        crate::ledger::KIND_CHANGE => format!("变更记录（序号 {reference}）"),
        crate::ledger::KIND_EVIDENCE => format!("证据文件（SM3 {reference}）"),
        crate::ledger::KIND_CASE_EVENT => format!("案件事件（序号 {reference}）"),
        other => format!("未知类型“{other}”的记录 {reference}"),
    }
}

/// What the audit checked and found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LedgerReport {
    /// The log's hash function the leaves were re-hashed with.
    pub hash: HashAlg,
    /// Leaves re-hashed.
    pub leaves: u64,
    /// Change-log rows re-hashed.
    pub changes: u64,
    /// Evidence records re-hashed.
    pub evidence: u64,
    /// Case events re-hashed.
    pub case_events: u64,
    /// Checkpoints checked.
    pub checkpoints: u64,
    /// Findings, first bad entry first (at most 100 kept).
    pub findings: Vec<Finding>,
    /// Findings beyond those kept.
    pub more_findings: u64,
}

impl LedgerReport {
    /// Whether nothing was found.
    pub fn is_intact(&self) -> bool {
        self.findings.is_empty()
    }

    pub(crate) fn push(&mut self, f: Finding) {
        self.push_at(f);
    }

    /// Like [`LedgerReport::push`]; returns the finding's position when it was kept.
    pub(crate) fn push_at(&mut self, f: Finding) -> Option<usize> {
        if self.findings.len() < MAX_FINDINGS {
            self.findings.push(f);
            Some(self.findings.len() - 1)
        } else {
            self.more_findings += 1;
            None
        }
    }

    pub(crate) fn finish(mut self, leaves: u64) -> Self {
        self.leaves = leaves;
        self
    }
}

/// Checks every stored checkpoint: signature with `keys`, body against its row, root against
/// the rebuilt tree, and consistency (RFC 9162 §2.1.4) with the previous checkpoint.
pub(crate) async fn audit_checkpoints(
    store: &Store,
    alg: HashAlg,
    checkpoints: &[StoredCheckpoint],
    roots: &HashMap<u64, Hash>,
    size: u64,
    keys: &[VerifierKey],
    report: &mut LedgerReport,
) -> Result<()> {
    let mut previous: Option<Checkpoint> = None;
    for row in checkpoints {
        report.checkpoints += 1;
        let parsed = if keys.is_empty() {
            Err("没有可用的验证公钥".to_string())
        } else {
            let verifiers: Vec<&dyn NoteVerifier> =
                keys.iter().map(|k| k as &dyn NoteVerifier).collect();
            Checkpoint::parse_and_verify(&row.note, &verifiers)
                .map(|(c, _)| c)
                .map_err(|e| e.to_string())
        };
        let cp = match parsed {
            Ok(cp) => cp,
            Err(why) => {
                let f = Finding::checkpoint(
                    "ledger.checkpoint_signature",
                    row,
                    format!("签名无效：{why}"),
                );
                report.push(f);
                continue;
            }
        };
        if cp.size() != row.tree_size as u64 || cp.root().to_hex() != row.root {
            let why = "的签名内容与存储的树大小或根哈希不符".to_string();
            report.push(Finding::checkpoint(
                "ledger.checkpoint_row_mismatch",
                row,
                why,
            ));
        }
        if cp.size() > size {
            let why = format!(
                "覆盖 {} 个叶子，账本现只有 {size} 个：末尾记录被删除",
                cp.size()
            );
            report.push(Finding::checkpoint(
                "ledger.checkpoint_beyond_tree",
                row,
                why,
            ));
            continue;
        }
        if roots.get(&cp.size()) != Some(&cp.root()) {
            let why =
                "的根哈希与按现存记录重建的树不符：其中的记录被改动、删除、插入或调换".to_string();
            report.push(Finding::checkpoint(
                "ledger.checkpoint_root_mismatch",
                row,
                why,
            ));
        }
        if let Some(prev) = &previous {
            let ok = match store.ledger_consistency_proof(prev.size(), cp.size()).await {
                Ok(p) => prev.verify_consistency(alg, &cp, &p.proof).is_ok(),
                Err(_) => false,
            };
            if !ok {
                let why = format!("与前一检查点（树大小 {}）不一致", prev.size());
                report.push(Finding::checkpoint(
                    "ledger.checkpoint_inconsistent",
                    row,
                    why,
                ));
            }
        }
        previous = Some(cp);
    }
    Ok(())
}
