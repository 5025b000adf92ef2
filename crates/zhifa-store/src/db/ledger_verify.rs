//! The ledger audit (`zhifa ledger verify`): re-hash every referenced row and evidence file
//! from its canonical encoding (stored hashes are never trusted), rebuild the tree, compare it
//! with the stored nodes, and check every stored checkpoint's signature, root and consistency
//! with the previous one (全过程记录, APL Art. 47; 118号).

use std::collections::HashMap;
use std::path::PathBuf;

use sqlx::{AssertSqlSafe, Row};
use zhifa_ledger::{CompactRange, Hash, Node, NodeId, VerifierKey};

use super::evidence::{EVIDENCE_COLUMNS, check_evidence_file, evidence_from_row};
use super::ledger::{in_list, parse_hash, read_nodes};
use super::{Backend, Store};
use crate::error::Result;
use crate::ledger::{
    CaseEventRow, ChangeRow, KIND_CASE_EVENT, KIND_CHANGE, KIND_EVIDENCE, LEDGER_HASH,
};
use crate::ledger_audit::{Finding, LedgerReport, audit_checkpoints};

/// Columns of `changes`, as [`change_row`] reads them.
const CHANGE_COLUMNS: &str = "seq, entity, entity_id, action, actor, ip, at, before, after";

/// A `changes` row exactly as stored.
fn change_row(r: &sqlx::any::AnyRow) -> Result<ChangeRow> {
    Ok(ChangeRow {
        seq: r.try_get("seq")?,
        entity: r.try_get("entity")?,
        entity_id: r.try_get("entity_id")?,
        action: r.try_get("action")?,
        actor: r.try_get("actor")?,
        ip: r.try_get("ip")?,
        at: r.try_get("at")?,
        before: r.try_get("before")?,
        after: r.try_get("after")?,
    })
}

/// Leaves read per round trip.
const CHUNK: i64 = 2_000;

/// What the audit needs besides the database.
#[derive(Debug, Clone, Default)]
pub struct AuditOptions {
    /// The evidence directory (`<data_dir>/evidence`); without it files are not re-hashed.
    pub evidence_dir: Option<PathBuf>,
    /// Public keys the checkpoints must verify with.
    pub keys: Vec<VerifierKey>,
}

/// One leaf row as stored.
struct Leaf {
    index: i64,
    kind: String,
    reference: String,
    hash: String,
    at: String,
    /// The change row it references, read in the same query (None: absent or not a change).
    change: Option<ChangeRow>,
    /// The case event it references, read in the same query (None: absent or not an event).
    event: Option<CaseEventRow>,
}

/// The case event joined to a leaf (columns prefixed `e_`), if any.
fn joined_event(r: &sqlx::any::AnyRow) -> Result<Option<CaseEventRow>> {
    let seq: Option<i64> = r.try_get("e_seq")?;
    let Some(seq) = seq else { return Ok(None) };
    Ok(Some(CaseEventRow {
        seq,
        case_id: r.try_get("e_case_id")?,
        version: r.try_get("e_version")?,
        kind: r.try_get("e_kind")?,
        actor: r.try_get("e_actor")?,
        role: r.try_get("e_role")?,
        at: r.try_get("e_at")?,
        place: r.try_get("e_place")?,
        idempotency_key: r.try_get("e_key")?,
        payload: r.try_get("e_payload")?,
    }))
}

impl Store {
    /// A change-log row exactly as stored (what its leaf commits to): by `seq` when
    /// `selector` is a number, else the newest change of the record with that id.
    pub async fn change_row(&self, selector: &str) -> Result<ChangeRow> {
        let selector = selector.trim();
        let row = match selector.parse::<i64>() {
            Ok(seq) => {
                let sql = format!("SELECT {CHANGE_COLUMNS} FROM changes WHERE seq = $1");
                sqlx::query(AssertSqlSafe(sql))
                    .bind(seq)
                    .fetch_optional(&self.pool)
                    .await?
            }
            Err(_) => {
                let sql = format!(
                    "SELECT {CHANGE_COLUMNS} FROM changes WHERE entity_id = $1 \
                     ORDER BY seq DESC LIMIT 1"
                );
                sqlx::query(AssertSqlSafe(sql))
                    .bind(selector)
                    .fetch_optional(&self.pool)
                    .await?
            }
        };
        let row = row.ok_or_else(|| crate::error::StoreError::NotFound {
            entity: "change",
            id: selector.to_string(),
        })?;
        change_row(&row)
    }

    /// Audits the whole ledger and returns every finding (first bad entry first).
    pub async fn verify_ledger(&self, opts: &AuditOptions) -> Result<LedgerReport> {
        let mut report = LedgerReport::default();
        let mut conn = self.pool.acquire().await?;
        let checkpoints = self.checkpoints().await?;
        let mut wanted_sizes: Vec<u64> = checkpoints.iter().map(|c| c.tree_size as u64).collect();
        wanted_sizes.dedup();
        let mut roots: HashMap<u64, Hash> = HashMap::new();
        let mut range = CompactRange::new(LEDGER_HASH);
        let mut next = 0i64;
        loop {
            // One query per chunk: the leaves joined with the change rows they reference (a
            // non-numeric `ref` joins nothing on both backends instead of failing the cast).
            let seq_of = |kind: &str| match self.backend {
                Backend::Sqlite => {
                    format!("CASE WHEN l.kind = '{kind}' THEN CAST(l.ref AS INTEGER) END")
                }
                Backend::Postgres => format!(
                    "CASE WHEN l.kind = '{kind}' AND l.ref ~ '^[0-9]{{1,18}}$' \
                     THEN CAST(l.ref AS BIGINT) END"
                ),
            };
            let (seq_of_ref, seq_of_event) = (seq_of(KIND_CHANGE), seq_of(KIND_CASE_EVENT));
            let sql = format!(
                "SELECT l.leaf_index, l.kind, l.ref, l.leaf_hash, l.at AS leaf_at, \
                 c.seq, c.entity, c.entity_id, c.action, c.actor, c.ip, c.at, c.before, c.after, \
                 e.seq AS e_seq, e.case_id AS e_case_id, e.version AS e_version, \
                 e.kind AS e_kind, e.actor AS e_actor, e.role AS e_role, e.at AS e_at, \
                 e.place AS e_place, e.idempotency_key AS e_key, e.payload AS e_payload \
                 FROM ledger_leaves l LEFT JOIN changes c ON c.seq = ({seq_of_ref}) \
                 LEFT JOIN case_events e ON e.seq = ({seq_of_event}) \
                 WHERE l.leaf_index >= $1 ORDER BY l.leaf_index LIMIT $2"
            );
            let leaves: Vec<Leaf> = sqlx::query(AssertSqlSafe(sql))
                .bind(next)
                .bind(CHUNK)
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(|r| {
                    let seq: Option<i64> = r.try_get("seq")?;
                    Ok(Leaf {
                        index: r.try_get("leaf_index")?,
                        kind: r.try_get("kind")?,
                        reference: r.try_get("ref")?,
                        hash: r.try_get("leaf_hash")?,
                        at: r.try_get("leaf_at")?,
                        change: seq.map(|_| change_row(r)).transpose()?,
                        event: joined_event(r)?,
                    })
                })
                .collect::<Result<_>>()?;
            let Some(last) = leaves.last() else { break };
            next = last.index + 1;
            let evidence = self.evidence_by_sm3(&mut conn, &leaves).await?;
            let mut completed: Vec<Node> = Vec::new();
            for leaf in &leaves {
                if leaf.index != range.size() as i64 {
                    report.push(Finding::gap(range.size(), leaf.index));
                    return Ok(report.finish(range.size()));
                }
                let recomputed = match leaf.kind.as_str() {
                    KIND_CHANGE => leaf.change.as_ref().map(|c| {
                        report.changes += 1;
                        (c.leaf_hash(), Some(c))
                    }),
                    KIND_CASE_EVENT => leaf.event.as_ref().map(|e| {
                        report.case_events += 1;
                        (e.leaf_hash(), None)
                    }),
                    KIND_EVIDENCE => match evidence.get(&leaf.reference) {
                        Some(e) => {
                            report.evidence += 1;
                            if let Some(dir) = &opts.evidence_dir
                                && let Err(err) = check_evidence_file(dir, e).await
                            {
                                report.push(Finding::evidence_file(leaf.index as u64, e, &err));
                            }
                            Some((e.leaf_hash(), None))
                        }
                        None => None,
                    },
                    _ => None,
                };
                let stored = parse_hash(&leaf.hash)?;
                let hash = match recomputed {
                    None if leaf.kind == KIND_CASE_EVENT => {
                        let case = self.case_of_seq(&mut conn, &leaf.reference).await?;
                        report.push(Finding::deleted_case_event(
                            leaf.index as u64,
                            &leaf.reference,
                            case.as_deref(),
                            &leaf.at,
                        ));
                        stored
                    }
                    Some((h, _)) if leaf.kind == KIND_CASE_EVENT && h != stored => {
                        if let Some(e) = &leaf.event {
                            report.push(Finding::modified_case_event(leaf.index as u64, e));
                        }
                        h
                    }
                    None => {
                        report.push(Finding::deleted(
                            leaf.index as u64,
                            &leaf.kind,
                            &leaf.reference,
                            &leaf.at,
                        ));
                        stored
                    }
                    Some((h, change)) => {
                        if h != stored {
                            report.push(Finding::modified(
                                leaf.index as u64,
                                &leaf.kind,
                                &leaf.reference,
                                change,
                                &leaf.at,
                            ));
                        }
                        h
                    }
                };
                range.append_into(hash, &mut completed);
                let size = range.size();
                if wanted_sizes.binary_search(&size).is_ok() {
                    roots.insert(size, range.root());
                }
            }
            // Every perfect node the rebuilt tree completed must equal the stored one.
            let ids: Vec<NodeId> = completed
                .iter()
                .filter(|n| n.level > 0)
                .map(Node::id)
                .collect();
            let stored = read_nodes(&mut conn, self.backend, &ids).await;
            match stored {
                Ok(stored) => {
                    for (node, s) in completed.iter().filter(|n| n.level > 0).zip(stored) {
                        if node.hash != s {
                            report.push(Finding::node(node.id()));
                        }
                    }
                }
                Err(e) => report.push(Finding::store(&e.to_string())),
            }
        }
        self.unreferenced(&mut conn, &mut report).await?;
        let size = range.size();
        audit_checkpoints(self, &checkpoints, &roots, size, &opts.keys, &mut report).await?;
        Ok(report.finish(size))
    }

    /// The evidence rows the leaves of a chunk reference, by SM3.
    async fn evidence_by_sm3(
        &self,
        conn: &mut sqlx::AnyConnection,
        leaves: &[Leaf],
    ) -> Result<HashMap<String, crate::ledger::Evidence>> {
        let refs: Vec<&str> = leaves
            .iter()
            .filter(|l| l.kind == KIND_EVIDENCE)
            .map(|l| l.reference.as_str())
            .collect();
        let mut out = HashMap::with_capacity(refs.len());
        if refs.is_empty() {
            return Ok(out);
        }
        let sql = format!(
            "SELECT {EVIDENCE_COLUMNS} FROM evidence WHERE sm3 IN {}",
            in_list(self.backend, refs.len())
        );
        let mut q = sqlx::query(AssertSqlSafe(sql)).persistent(false);
        for s in &refs {
            q = q.bind(s.to_string());
        }
        for r in q.fetch_all(&mut *conn).await? {
            let e = evidence_from_row(&r)?;
            out.insert(e.sm3.clone(), e);
        }
        Ok(out)
    }

    /// The case a deleted event belonged to, from the idempotency record of its command.
    async fn case_of_seq(
        &self,
        conn: &mut sqlx::AnyConnection,
        reference: &str,
    ) -> Result<Option<String>> {
        let Ok(seq) = reference.parse::<i64>() else {
            return Ok(None);
        };
        let row = sqlx::query(
            "SELECT case_id FROM case_commands WHERE first_seq <= $1 AND last_seq >= $1",
        )
        .bind(seq)
        .fetch_optional(&mut *conn)
        .await?;
        Ok(row.map(|r| r.try_get("case_id")).transpose()?)
    }

    /// Case events that no leaf references.
    async fn unreferenced_case_events(
        &self,
        conn: &mut sqlx::AnyConnection,
        report: &mut LedgerReport,
    ) -> Result<()> {
        let total: i64 = sqlx::query("SELECT COUNT(*) FROM case_events")
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
        if total as u64 == report.case_events {
            return Ok(());
        }
        let rows = sqlx::query(
            "SELECT e.seq, e.case_id, e.version, e.kind, e.at FROM case_events e \
             LEFT JOIN ledger_leaves l ON l.kind = 'case_event' AND l.ref = CAST(e.seq AS TEXT) \
             WHERE l.leaf_index IS NULL ORDER BY e.seq LIMIT 20",
        )
        .fetch_all(&mut *conn)
        .await?;
        for r in rows {
            report.push(Finding::inserted_case_event(
                r.try_get("seq")?,
                r.try_get("case_id")?,
                r.try_get("version")?,
                r.try_get("kind")?,
                r.try_get("at")?,
            ));
        }
        Ok(())
    }

    /// Rows that no leaf references: inserted behind the ledger's back.
    async fn unreferenced(
        &self,
        conn: &mut sqlx::AnyConnection,
        report: &mut LedgerReport,
    ) -> Result<()> {
        // Leaf references are unique and each resolved leaf found a distinct row, so equal
        // counts mean no row is unreferenced; only otherwise look for them (a full join).
        self.unreferenced_case_events(conn, report).await?;
        let total: i64 = sqlx::query("SELECT COUNT(*) FROM changes")
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
        if total as u64 == report.changes {
            return self.unreferenced_evidence(conn, report).await;
        }
        let rows = sqlx::query(
            "SELECT c.seq, c.entity, c.entity_id, c.at FROM changes c \
             LEFT JOIN ledger_leaves l ON l.kind = 'change' AND l.ref = CAST(c.seq AS TEXT) \
             WHERE l.leaf_index IS NULL ORDER BY c.seq LIMIT 20",
        )
        .fetch_all(&mut *conn)
        .await?;
        for r in rows {
            report.push(Finding::inserted_change(
                r.try_get("seq")?,
                r.try_get("entity")?,
                r.try_get("entity_id")?,
                r.try_get("at")?,
            ));
        }
        self.unreferenced_evidence(conn, report).await
    }

    /// Evidence records that no leaf references.
    async fn unreferenced_evidence(
        &self,
        conn: &mut sqlx::AnyConnection,
        report: &mut LedgerReport,
    ) -> Result<()> {
        let rows = sqlx::query(
            "SELECT e.sm3, e.at FROM evidence e \
             LEFT JOIN ledger_leaves l ON l.kind = 'evidence' AND l.ref = e.sm3 \
             WHERE l.leaf_index IS NULL ORDER BY e.sm3 LIMIT 20",
        )
        .fetch_all(&mut *conn)
        .await?;
        for r in rows {
            report.push(Finding::inserted_evidence(
                r.try_get("sm3")?,
                r.try_get("at")?,
            ));
        }
        Ok(())
    }
}
