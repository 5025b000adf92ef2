//! The ledger audit (`zhifa ledger verify`): re-hash every referenced row and evidence file
//! from its canonical encoding (stored hashes are never trusted), rebuild the tree, compare it
//! with the stored nodes, and check every stored checkpoint's signature, root and consistency
//! with the previous one (全过程记录, APL Art. 47; 118号).

use std::collections::HashMap;
use std::path::PathBuf;

use sqlx::{AssertSqlSafe, Row};
use zhifa_ledger::{CompactRange, Hash, HashAlg, Node, NodeId, VerifierKey, leaf_hash};

use super::evidence::{EVIDENCE_COLUMNS, EvidenceError, check_evidence_file, evidence_from_row};
use super::ledger::{concat_pairs, in_list, ledger_head, node_key, parse_hash, parse_pairs};
use super::{Backend, Store};
use crate::error::{Result, StoreError};
use crate::ledger::{
    CaseEventFields, ChangeFields, ChangeRow, Evidence, KIND_CASE_EVENT, KIND_CHANGE, KIND_EVIDENCE,
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

/// Leaves read per round trip (one aggregated row of a few MB).
const CHUNK: u64 = 8_192;

/// What the audit needs besides the database.
#[derive(Debug, Clone, Default)]
pub struct AuditOptions {
    /// The evidence directory (`<data_dir>/evidence`); without it files are not re-hashed.
    pub evidence_dir: Option<PathBuf>,
    /// Public keys the checkpoints must verify with.
    pub keys: Vec<VerifierKey>,
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
    ///
    /// The leaves are read in chunks of `CHUNK`, each as one row of per-column aggregates
    /// (the leaf, its change row or case event, every value as a length-prefixed string,
    /// `chunk_sql`), together with the stored nodes the chunk completes and its evidence
    /// records. While one chunk is re-hashed
    /// on a blocking thread the next is read, so the database and the hashing run on two
    /// cores. Every referenced row is re-encoded and re-hashed; no stored hash is trusted.
    pub async fn verify_ledger(&self, opts: &AuditOptions) -> Result<LedgerReport> {
        let mut conn = self.pool.acquire().await?;
        let checkpoints = self.checkpoints().await?;
        let mut wanted_sizes: Vec<u64> = checkpoints.iter().map(|c| c.tree_size as u64).collect();
        wanted_sizes.dedup();
        // The hash function as recorded now: an edited record re-hashes every leaf differently,
        // which the audit reports like any other edit.
        let alg = ledger_head(&mut conn).await?.alg;
        let mut rebuild = Rebuild::new(alg, wanted_sizes);
        let mut next = Some(self.audit_chunk(&mut conn, 0, opts).await?);
        while let Some(chunk) = next.take() {
            let full = chunk.rows == CHUNK;
            let end = chunk.start + CHUNK;
            let work = tokio::task::spawn_blocking(move || {
                let outcome = rebuild.chunk(&chunk);
                (rebuild, outcome)
            });
            let (fetched, joined) = if full {
                let (f, j) = tokio::join!(self.audit_chunk(&mut conn, end, opts), work);
                (Some(f), j)
            } else {
                (None, work.await)
            };
            let (r, outcome) =
                joined.map_err(|e| StoreError::Ledger(format!("账本审计线程失败：{e}")))?;
            rebuild = r;
            outcome?;
            for p in std::mem::take(&mut rebuild.pending_cases) {
                let case = self.case_of_seq(&mut conn, &p.reference).await?;
                rebuild.report.findings[p.position] =
                    Finding::deleted_case_event(p.leaf, &p.reference, case.as_deref(), &p.at);
            }
            if rebuild.stopped {
                let size = rebuild.range.size();
                rebuild.report.hash = alg;
                return Ok(rebuild.report.finish(size));
            }
            next = fetched.transpose()?;
        }
        // A leaf beyond the last contiguous one (inserted with a far index).
        let size = rebuild.range.size();
        let stray: Option<i64> =
            sqlx::query("SELECT MIN(leaf_index) FROM ledger_leaves WHERE leaf_index >= $1")
                .bind(size as i64)
                .fetch_one(&mut *conn)
                .await?
                .try_get(0)?;
        let Rebuild {
            mut report, roots, ..
        } = rebuild;
        report.hash = alg;
        if let Some(found) = stray {
            report.push(Finding::gap(size, found));
            return Ok(report.finish(size));
        }
        self.unreferenced(&mut conn, &mut report).await?;
        audit_checkpoints(
            self,
            alg,
            &checkpoints,
            &roots,
            size,
            &opts.keys,
            &mut report,
        )
        .await?;
        Ok(report.finish(size))
    }

    /// Reads the leaves `[start, start + CHUNK)` with the rows they reference (one aggregated
    /// row), the stored nodes they complete, and their evidence records with the result of
    /// re-hashing each file.
    async fn audit_chunk(
        &self,
        conn: &mut sqlx::AnyConnection,
        start: u64,
        opts: &AuditOptions,
    ) -> Result<Chunk> {
        let end = start + CHUNK;
        let row = sqlx::query(AssertSqlSafe(chunk_sql(self.backend)))
            .bind(start as i64)
            .bind(end as i64)
            .fetch_one(&mut *conn)
            .await?;
        let rows = row.try_get::<i64, _>(0)?.max(0) as u64;
        let columns = (1..=CHUNK_COLUMNS.len())
            .map(|i| Ok(row.try_get::<Option<String>, _>(i)?.unwrap_or_default()))
            .collect::<Result<Vec<String>>>()?;
        let nodes = match completed_between(start, start + rows) {
            None => HashMap::new(),
            Some(filter) => {
                let sql = format!(
                    "SELECT COUNT(*) AS n, {} AS v FROM ledger_nodes WHERE {filter}",
                    concat_pairs(self.backend, "id", "hash"),
                );
                let row = sqlx::query(AssertSqlSafe(sql))
                    .persistent(false)
                    .fetch_one(&mut *conn)
                    .await?;
                let (n, v): (i64, Option<String>) = (row.try_get(0)?, row.try_get(1)?);
                parse_pairs(v.as_deref().unwrap_or_default(), n)?
                    .into_iter()
                    .collect()
            }
        };
        let refs = evidence_refs(&columns, rows)?;
        let mut evidence = HashMap::new();
        for e in self.evidence_by_sm3(conn, &refs).await?.into_values() {
            let file = match &opts.evidence_dir {
                Some(dir) => check_evidence_file(dir, &e).await.err(),
                None => None,
            };
            evidence.insert(e.sm3.clone(), (e, file));
        }
        Ok(Chunk {
            start,
            rows,
            columns,
            nodes,
            evidence,
        })
    }

    /// The evidence rows with these SM3s.
    async fn evidence_by_sm3(
        &self,
        conn: &mut sqlx::AnyConnection,
        refs: &[String],
    ) -> Result<HashMap<String, crate::ledger::Evidence>> {
        let mut out = HashMap::with_capacity(refs.len());
        if refs.is_empty() {
            return Ok(out);
        }
        let sql = format!(
            "SELECT {EVIDENCE_COLUMNS} FROM evidence WHERE sm3 IN {}",
            in_list(self.backend, refs.len())
        );
        let mut q = sqlx::query(AssertSqlSafe(sql)).persistent(false);
        for s in refs {
            q = q.bind(s.clone());
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

/// One chunk of the audit as read from the database.
struct Chunk {
    /// First leaf index asked for.
    start: u64,
    /// Leaves read.
    rows: u64,
    /// The leaves and the rows they reference, [`chunk_sql`]'s aggregates (one per column).
    columns: Vec<String>,
    /// Stored nodes (level ≥ 1) completed by these leaves, by `ledger_nodes.id`.
    nodes: HashMap<i64, Hash>,
    /// Evidence records referenced, with the result of re-hashing the file (if checked).
    evidence: HashMap<String, (Evidence, Option<EvidenceError>)>,
}

/// Columns of the chunk query, in the order [`parse_rows`] reads them.
const CHUNK_COLUMNS: [&str; 24] = [
    "l.leaf_index",
    "l.kind",
    "l.ref",
    "l.leaf_hash",
    "l.at",
    "c.seq",
    "c.entity",
    "c.entity_id",
    "c.action",
    "c.actor",
    "c.ip",
    "c.at",
    "c.before",
    "c.after",
    "e.seq",
    "e.case_id",
    "e.version",
    "e.kind",
    "e.actor",
    "e.role",
    "e.at",
    "e.place",
    "e.idempotency_key",
    "e.payload",
];

/// The chunk query: the leaves of `[$1, $2)` joined with the change rows and case events they
/// reference (a non-numeric `ref` joins nothing on both backends instead of failing the cast),
/// aggregated into one row: the count, then per column of [`CHUNK_COLUMNS`] the values of all
/// leaves as `<byte length>:<text>` (`-` for NULL). Length prefixes need no escaping, so any
/// stored text comes back exactly; one aggregate per column keeps the database from building a
/// long string per row. All aggregates run over the same rows in the same order.
fn chunk_sql(backend: Backend) -> String {
    let seq_of = |kind: &str| match backend {
        Backend::Sqlite => format!("CASE WHEN l.kind = '{kind}' THEN CAST(l.ref AS INTEGER) END"),
        Backend::Postgres => format!(
            "CASE WHEN l.kind = '{kind}' AND l.ref ~ '^[0-9]{{1,18}}$' \
             THEN CAST(l.ref AS BIGINT) END"
        ),
    };
    let aggregate = |i: usize| match backend {
        Backend::Sqlite => format!(
            "group_concat(COALESCE(length(CAST(t.c{i} AS BLOB)) || ':' || t.c{i}, '-'), '')"
        ),
        Backend::Postgres => format!(
            "string_agg(COALESCE(octet_length(CAST(t.c{i} AS TEXT)) || ':' || \
             CAST(t.c{i} AS TEXT), '-'), '' ORDER BY t.c0)"
        ),
    };
    let columns: Vec<String> = CHUNK_COLUMNS
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} AS c{i}"))
        .collect();
    let aggregates: Vec<String> = (0..CHUNK_COLUMNS.len()).map(aggregate).collect();
    format!(
        "SELECT COUNT(*) AS n, {} FROM (SELECT {} \
         FROM ledger_leaves l LEFT JOIN changes c ON c.seq = ({}) \
         LEFT JOIN case_events e ON e.seq = ({}) \
         WHERE l.leaf_index >= $1 AND l.leaf_index < $2 ORDER BY l.leaf_index) AS t",
        aggregates.join(", "),
        columns.join(", "),
        seq_of(KIND_CHANGE),
        seq_of(KIND_CASE_EVENT)
    )
}

/// The `WHERE` condition selecting the stored nodes (level ≥ 1) that leaves `[start, end)`
/// complete: node `(L, i)` is complete with leaf `(i + 1)·2^L − 1`. `None` when there are none.
fn completed_between(start: u64, end: u64) -> Option<String> {
    let mut ranges = Vec::new();
    for level in 1..64u8 {
        let width = 1u64 << level;
        if width > end {
            break;
        }
        // i + 1 in [ceil((start + 1) / width), floor(end / width)]
        let (lo, hi) = ((start + 1).div_ceil(width), end / width);
        if lo <= hi {
            let first = node_key(NodeId::new(level, lo - 1));
            let last = node_key(NodeId::new(level, hi - 1));
            ranges.push(format!("id BETWEEN {first} AND {last}"));
        }
    }
    (!ranges.is_empty()).then(|| format!("({})", ranges.join(" OR ")))
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Ledger(format!("账本审计读取的记录格式错误：{what}"))
}

/// Reads the `<byte length>:<text>` / `-` fields of [`chunk_sql`].
struct Fields<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Fields<'a> {
    fn new(text: &'a str) -> Self {
        Fields { text, pos: 0 }
    }

    fn done(&self) -> bool {
        self.pos >= self.text.len()
    }

    fn opt(&mut self) -> Result<Option<&'a str>> {
        let rest = &self.text[self.pos..];
        if rest.starts_with('-') {
            self.pos += 1;
            return Ok(None);
        }
        let colon = rest.find(':').ok_or_else(|| corrupt("缺少长度分隔符"))?;
        let len: usize = rest[..colon].parse().map_err(|_| corrupt("长度不是数字"))?;
        let value = rest
            .get(colon + 1..colon + 1 + len)
            .ok_or_else(|| corrupt("长度超出范围"))?;
        self.pos += colon + 1 + len;
        Ok(Some(value))
    }

    fn text(&mut self) -> Result<&'a str> {
        self.opt()?.ok_or_else(|| corrupt("必填列为空"))
    }

    fn int(&mut self) -> Result<Option<i64>> {
        self.opt()?
            .map(|v| v.parse().map_err(|_| corrupt("整数列不是整数")))
            .transpose()
    }
}

/// One leaf as stored, with the row it references, borrowed from the chunk text.
struct LeafView<'a> {
    index: i64,
    kind: &'a str,
    reference: &'a str,
    hash: &'a str,
    at: &'a str,
    change: Option<ChangeFields<'a>>,
    event: Option<CaseEventFields<'a>>,
}

/// The leaves of a chunk (`rows` of them, one value per column aggregate), in leaf order.
fn parse_rows(columns: &[String], rows: u64) -> Result<Vec<LeafView<'_>>> {
    if columns.len() != CHUNK_COLUMNS.len() {
        return Err(corrupt("列数不符"));
    }
    let mut f: Vec<Fields<'_>> = columns.iter().map(|c| Fields::new(c)).collect();
    let mut out = Vec::with_capacity(rows as usize);
    for _ in 0..rows {
        let index = f[0].int()?.ok_or_else(|| corrupt("叶子序号为空"))?;
        let (kind, reference, hash, at) = (f[1].text()?, f[2].text()?, f[3].text()?, f[4].text()?);
        let change = match f[5].int()? {
            None => {
                for c in &mut f[6..14] {
                    c.opt()?;
                }
                None
            }
            Some(seq) => Some(ChangeFields {
                seq,
                entity: f[6].text()?,
                entity_id: f[7].text()?,
                action: f[8].text()?,
                actor: f[9].text()?,
                ip: f[10].opt()?,
                at: f[11].text()?,
                before: f[12].opt()?,
                after: f[13].opt()?,
            }),
        };
        let event = match f[14].int()? {
            None => {
                for c in &mut f[15..24] {
                    c.opt()?;
                }
                None
            }
            Some(seq) => Some(CaseEventFields {
                seq,
                case_id: f[15].text()?,
                version: f[16].int()?.ok_or_else(|| corrupt("事件版本为空"))?,
                kind: f[17].text()?,
                actor: f[18].text()?,
                role: f[19].text()?,
                at: f[20].text()?,
                place: f[21].opt()?,
                idempotency_key: f[22].text()?,
                payload: f[23].text()?,
            }),
        };
        out.push(LeafView {
            index,
            kind,
            reference,
            hash,
            at,
            change,
            event,
        });
    }
    if !f.iter().all(Fields::done) {
        return Err(corrupt("叶子数与计数不符"));
    }
    // The aggregates keep the subquery's order in practice; do not depend on it.
    if !out.is_sorted_by_key(|r| r.index) {
        out.sort_by_key(|r| r.index);
    }
    Ok(out)
}

/// The evidence SM3s a chunk's leaves reference (only the `kind` and `ref` columns are read).
fn evidence_refs(columns: &[String], rows: u64) -> Result<Vec<String>> {
    let (Some(kinds), Some(refs)) = (columns.get(1), columns.get(2)) else {
        return Err(corrupt("列数不符"));
    };
    let (mut kinds, mut refs) = (Fields::new(kinds), Fields::new(refs));
    let mut out = Vec::new();
    for _ in 0..rows {
        let (kind, reference) = (kinds.text()?, refs.text()?);
        if kind == KIND_EVIDENCE {
            out.push(reference.to_string());
        }
    }
    Ok(out)
}

/// A deleted case event whose case is looked up once the chunk is done.
struct PendingCase {
    /// Position of its finding in the report.
    position: usize,
    leaf: u64,
    reference: String,
    at: String,
}

/// The audit's state carried from chunk to chunk: the rebuilt tree and the report.
struct Rebuild {
    alg: HashAlg,
    range: CompactRange,
    wanted_sizes: Vec<u64>,
    roots: HashMap<u64, Hash>,
    report: LedgerReport,
    /// A gap was found: the audit ends there.
    stopped: bool,
    pending_cases: Vec<PendingCase>,
    /// Reused canonical-encoding buffer.
    buf: Vec<u8>,
}

impl Rebuild {
    fn new(alg: HashAlg, wanted_sizes: Vec<u64>) -> Self {
        Rebuild {
            alg,
            range: CompactRange::new(alg),
            wanted_sizes,
            roots: HashMap::new(),
            report: LedgerReport::default(),
            stopped: false,
            pending_cases: Vec::new(),
            buf: Vec::with_capacity(4096),
        }
    }

    /// Re-hashes a chunk's entries, extends the rebuilt tree and compares the nodes it
    /// completes with the stored ones.
    fn chunk(&mut self, chunk: &Chunk) -> Result<()> {
        let rows = parse_rows(&chunk.columns, chunk.rows)?;
        let alg = self.alg;
        let mut completed: Vec<Node> = Vec::with_capacity(rows.len() * 2);
        for leaf in &rows {
            if leaf.index != self.range.size() as i64 {
                self.report
                    .push(Finding::gap(self.range.size(), leaf.index));
                self.stopped = true;
                return Ok(());
            }
            let index = leaf.index as u64;
            self.buf.clear();
            let recomputed = match leaf.kind {
                KIND_CHANGE => leaf.change.map(|c| {
                    self.report.changes += 1;
                    c.encode(&mut self.buf);
                    leaf_hash(alg, &self.buf)
                }),
                KIND_CASE_EVENT => leaf.event.map(|e| {
                    self.report.case_events += 1;
                    e.encode(&mut self.buf);
                    leaf_hash(alg, &self.buf)
                }),
                KIND_EVIDENCE => match chunk.evidence.get(leaf.reference) {
                    Some((e, file)) => {
                        self.report.evidence += 1;
                        if let Some(err) = file {
                            self.report.push(Finding::evidence_file(index, e, err));
                        }
                        Some(e.leaf_hash(alg))
                    }
                    None => None,
                },
                _ => None,
            };
            let stored = parse_hash(leaf.hash)?;
            let hash = match recomputed {
                None if leaf.kind == KIND_CASE_EVENT => {
                    let f = Finding::deleted_case_event(index, leaf.reference, None, leaf.at);
                    if let Some(position) = self.report.push_at(f) {
                        self.pending_cases.push(PendingCase {
                            position,
                            leaf: index,
                            reference: leaf.reference.to_string(),
                            at: leaf.at.to_string(),
                        });
                    }
                    stored
                }
                None => {
                    self.report
                        .push(Finding::deleted(index, leaf.kind, leaf.reference, leaf.at));
                    stored
                }
                Some(h) => {
                    if h != stored {
                        let f = match (&leaf.change, &leaf.event) {
                            (_, Some(e)) if leaf.kind == KIND_CASE_EVENT => {
                                Finding::modified_case_event(index, &e.to_row())
                            }
                            (Some(c), _) if leaf.kind == KIND_CHANGE => Finding::modified(
                                index,
                                leaf.kind,
                                leaf.reference,
                                Some(&c.to_row()),
                                leaf.at,
                            ),
                            _ => Finding::modified(index, leaf.kind, leaf.reference, None, leaf.at),
                        };
                        self.report.push(f);
                    }
                    h
                }
            };
            self.range.append_into(hash, &mut completed);
            let size = self.range.size();
            if self.wanted_sizes.binary_search(&size).is_ok() {
                self.roots.insert(size, self.range.root());
            }
        }
        // Every perfect node the rebuilt tree completed must equal the stored one.
        let mut missing = None;
        for node in completed.iter().filter(|n| n.level > 0) {
            match chunk.nodes.get(&node_key(node.id())) {
                Some(stored) if *stored == node.hash => {}
                Some(_) => self.report.push(Finding::node(node.id())),
                None => {
                    missing.get_or_insert(node.id());
                }
            }
        }
        if let Some(id) = missing {
            self.report.push(Finding::store(&format!(
                "账本缺少节点（层 {}，序号 {}）",
                id.level, id.index
            )));
        }
        Ok(())
    }
}
