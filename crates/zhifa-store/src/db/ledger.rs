//! Ledger storage, write side: appending leaves inside the caller's transaction
//! (全过程记录, APL Art. 47; 118号). See docs/ledger.md for the tables.
//!
//! An append never reads the tree: it restores the [`CompactRange`] from the stored right edge
//! (`popcount(size)` nodes, one query), appends, and inserts the leaf row and the perfect nodes
//! the append completed. Writers are serialised by [`Store::begin_write`], so leaf indexes are
//! gap-free; a rolled-back transaction takes its leaves with it.

use std::collections::HashMap;
use std::sync::{OnceLock, RwLock};

use sqlx::AnyConnection;
use sqlx::{AssertSqlSafe, Row};
use zhifa_ledger::{CompactRange, Hash, HashAlg, Node, NodeId};

use super::support::{BulkInsert, ChangeEntry, Tx, field_error, now, record_change};
use super::{Backend, Store};
use crate::error::{Result, StoreError};
use crate::ledger::{DEFAULT_LEDGER_HASH, LEDGER_HASH_KEY};
use crate::model::Actor;

/// Rows per multi-row INSERT of leaves (5 values each): large statements (fewer round trips to
/// the database thread) that stay below SQLite's 32,766 and PostgreSQL's 65,535 bound values.
const LEAF_ROWS_PER_STATEMENT: usize = 5_000;
/// Rows per multi-row INSERT of nodes (2 values each), same bound.
const NODE_ROWS_PER_STATEMENT: usize = 10_000;

/// The `ledger_nodes.id` of a perfect subtree of level ≥ 1: `level · 2^56 + index`.
pub(crate) fn node_key(id: NodeId) -> i64 {
    ((u64::from(id.level) << 56) | id.index) as i64
}

/// One leaf about to be appended.
pub(crate) struct NewLeaf<'a> {
    /// `change` or `evidence`.
    pub kind: &'a str,
    /// The referenced row (`changes.seq` or the evidence SM3).
    pub reference: String,
    /// `H(0x00 ‖ canonical bytes)`.
    pub hash: Hash,
}

/// A hash column (hex) as a [`Hash`]; a malformed value is ledger corruption.
pub(crate) fn parse_hash(text: &str) -> Result<Hash> {
    text.parse()
        .map_err(|_| StoreError::Ledger(format!("账本中的哈希值格式错误：{text}")))
}

/// `(?, ?, …)` on SQLite, `($1, $2, …)` on PostgreSQL, for `n` values.
pub(crate) fn in_list(backend: Backend, n: usize) -> String {
    let items: Vec<String> = match backend {
        Backend::Sqlite => vec!["?".to_string(); n],
        Backend::Postgres => (1..=n).map(|i| format!("${i}")).collect(),
    };
    format!("({})", items.join(", "))
}

/// Reads stored perfect-subtree hashes (level 0 from `ledger_leaves`, others from
/// `ledger_nodes`) in the order asked, in one round trip whatever the count: a `UNION ALL` of
/// two indexed `IN` lookups, aggregated into a single `key:hash,…` text so the driver hands
/// over one row instead of one per node (each row costs a hop between the database thread
/// and the caller; see docs/benchmarks.md P4). Leaf indexes and node keys do not overlap
/// (node keys are ≥ 2^56), so the key alone says which table a hash came from.
pub(crate) async fn read_nodes(
    conn: &mut AnyConnection,
    backend: Backend,
    ids: &[NodeId],
) -> Result<Vec<Hash>> {
    let mut leaves: Vec<i64> = Vec::new();
    let mut inner: Vec<i64> = Vec::new();
    for id in ids {
        if id.level == 0 {
            leaves.push(id.index as i64);
        } else {
            inner.push(node_key(*id));
        }
    }
    leaves.sort_unstable();
    leaves.dedup();
    inner.sort_unstable();
    inner.dedup();
    let mut found = HashMap::with_capacity(ids.len());
    // Chunks keep the bind count under SQLite's and PostgreSQL's limits.
    const CHUNK: usize = 8_000;
    let chunks = leaves
        .len()
        .div_ceil(CHUNK)
        .max(inner.len().div_ceil(CHUNK));
    for c in 0..chunks {
        let part =
            |v: &[i64]| -> Vec<i64> { v.iter().skip(c * CHUNK).take(CHUNK).copied().collect() };
        let (l, n) = (part(&leaves), part(&inner));
        let mut parts = Vec::new();
        let mut numbered = 0usize;
        let mut list = |count: usize| match backend {
            Backend::Sqlite => in_list(backend, count),
            Backend::Postgres => {
                let items: Vec<String> = (numbered + 1..=numbered + count)
                    .map(|i| format!("${i}"))
                    .collect();
                numbered += count;
                format!("({})", items.join(", "))
            }
        };
        if !l.is_empty() {
            parts.push(format!(
                "SELECT leaf_index AS k, leaf_hash AS h FROM ledger_leaves WHERE leaf_index IN {}",
                list(l.len())
            ));
        }
        if !n.is_empty() {
            parts.push(format!(
                "SELECT id AS k, hash AS h FROM ledger_nodes WHERE id IN {}",
                list(n.len())
            ));
        }
        if parts.is_empty() {
            continue;
        }
        let sql = format!(
            "SELECT COUNT(*) AS n, {} AS v FROM ({}) AS t",
            concat_pairs(backend, "k", "h"),
            parts.join(" UNION ALL ")
        );
        let mut q = sqlx::query(AssertSqlSafe(sql)).persistent(ids.len() < 128);
        for k in l.iter().chain(&n) {
            q = q.bind(*k);
        }
        let row = q.fetch_one(&mut *conn).await?;
        let (rows, text): (i64, Option<String>) = (row.try_get(0)?, row.try_get(1)?);
        for (key, hash) in parse_pairs(text.as_deref().unwrap_or_default(), rows)? {
            if found.insert(key, hash).is_some() {
                return Err(StoreError::Ledger(format!("账本节点 {key} 重复")));
            }
        }
    }
    ids.iter()
        .map(|id| {
            let key = if id.level == 0 {
                id.index as i64
            } else {
                node_key(*id)
            };
            found.get(&key).copied().ok_or_else(|| {
                StoreError::Ledger(format!(
                    "账本缺少节点（层 {}，序号 {}）",
                    id.level, id.index
                ))
            })
        })
        .collect()
}

/// The aggregate `key:hash,key:hash,…` over the rows of a query (`group_concat` on SQLite,
/// `string_agg` on PostgreSQL; NULL over no rows).
pub(crate) fn concat_pairs(backend: Backend, key: &str, hash: &str) -> String {
    let pair = format!("CAST({key} AS TEXT) || ':' || {hash}");
    match backend {
        Backend::Sqlite => format!("group_concat({pair}, ',')"),
        Backend::Postgres => format!("string_agg({pair}, ',')"),
    }
}

/// Parses the text of [`concat_pairs`] over `rows` rows. A malformed pair, or a count of pairs
/// other than `rows` (a stored value holding a separator), is ledger corruption.
pub(crate) fn parse_pairs(text: &str, rows: i64) -> Result<Vec<(i64, Hash)>> {
    let pairs: Vec<&str> = text.split(',').filter(|p| !p.is_empty()).collect();
    if pairs.len() as i64 != rows {
        return Err(StoreError::Ledger(format!(
            "账本节点记录格式错误：读到 {} 项，应为 {rows} 项",
            pairs.len()
        )));
    }
    pairs
        .into_iter()
        .map(|pair| {
            let (key, hash) = pair
                .split_once(':')
                .ok_or_else(|| StoreError::Ledger(format!("账本节点记录格式错误：{pair}")))?;
            let key = key
                .parse()
                .map_err(|_| StoreError::Ledger(format!("账本节点记录格式错误：{pair}")))?;
            Ok((key, parse_hash(hash)?))
        })
        .collect()
}

/// Number of leaves in the log as seen by `conn`.
pub(crate) async fn leaf_count(conn: &mut AnyConnection) -> Result<u64> {
    let row = sqlx::query("SELECT COALESCE(MAX(leaf_index) + 1, 0) FROM ledger_leaves")
        .fetch_one(&mut *conn)
        .await?;
    Ok(row.try_get::<i64, _>(0)?.max(0) as u64)
}

/// What an append starts from: the log's size and its hash function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LedgerHead {
    /// Number of leaves.
    pub size: u64,
    /// The log's hash function (the `meta` row [`LEDGER_HASH_KEY`], SM3 when absent).
    pub alg: HashAlg,
}

/// The log's size and hash function as seen by `conn`, in one query.
pub(crate) async fn ledger_head(conn: &mut AnyConnection) -> Result<LedgerHead> {
    let row = sqlx::query(
        "SELECT COALESCE((SELECT MAX(leaf_index) + 1 FROM ledger_leaves), 0) AS size, \
         (SELECT value FROM meta WHERE key = $1) AS alg",
    )
    .bind(LEDGER_HASH_KEY)
    .fetch_one(&mut *conn)
    .await?;
    let alg: Option<String> = row.try_get(1)?;
    Ok(LedgerHead {
        size: row.try_get::<i64, _>(0)?.max(0) as u64,
        alg: parse_alg(alg.as_deref())?,
    })
}

/// The recorded hash function (`None`: none recorded, the log predates the choice: SM3).
pub(crate) fn parse_alg(recorded: Option<&str>) -> Result<HashAlg> {
    match recorded {
        None => Ok(DEFAULT_LEDGER_HASH),
        Some(text) => text.parse().map_err(|_| {
            StoreError::Ledger(format!(
                "账本哈希算法记录无效：{text:?}（应为 sm3 或 sha256）"
            ))
        }),
    }
}

/// What the store keeps in memory about its log: the hash function once the log has a leaf
/// (it cannot change after that), and the perfect-subtree hashes of the upper levels read so
/// far (a stored node never changes once written).
#[derive(Debug, Default)]
pub(crate) struct LedgerCache {
    alg: OnceLock<HashAlg>,
    upper: RwLock<HashMap<i64, Hash>>,
}

/// Stored nodes at or above this level are kept in memory once read (at 10^7 leaves that is
/// at most ~80,000 hashes, a few MB), so a proof reads only its lower levels from storage.
const CACHED_LEVEL: u8 = 8;
/// At most this many nodes are kept (≈ 50 MB); beyond it proofs read more from storage.
const CACHE_CAPACITY: usize = 1 << 20;

impl LedgerCache {
    /// The cached hash of a node, if kept.
    pub(crate) fn node(&self, id: NodeId) -> Option<Hash> {
        if id.level < CACHED_LEVEL {
            return None;
        }
        let upper = self.upper.read().unwrap_or_else(|e| e.into_inner());
        upper.get(&node_key(id)).copied()
    }

    /// Keeps the upper-level nodes among `ids` (read from committed storage: they never
    /// change once written).
    pub(crate) fn keep(&self, ids: &[NodeId], hashes: &[Hash]) {
        if !ids.iter().any(|id| id.level >= CACHED_LEVEL) {
            return;
        }
        let mut upper = self.upper.write().unwrap_or_else(|e| e.into_inner());
        for (id, hash) in ids.iter().zip(hashes) {
            if id.level >= CACHED_LEVEL && upper.len() < CACHE_CAPACITY {
                upper.insert(node_key(*id), *hash);
            }
        }
    }
}

/// The compact range of the first `size` leaves, from the stored right edge.
pub(crate) async fn compact_range(
    conn: &mut AnyConnection,
    backend: Backend,
    alg: HashAlg,
    size: u64,
) -> Result<CompactRange> {
    let nodes = read_nodes(conn, backend, &CompactRange::edge_ids(size)).await?;
    CompactRange::from_nodes(alg, size, nodes).map_err(|e| StoreError::Ledger(e.to_string()))
}

/// The inner nodes (level > 0) that appending `leaves` after `head` completes, and the right
/// edge after them; the caller inserts the nodes with the leaves ([`append_leaves_at`] does).
/// The edge at `head` is `known` when it has `head`'s size and hash (kept from this process's
/// previous append), else read from storage.
pub(crate) async fn append_plan(
    tx: &mut Tx,
    backend: Backend,
    head: LedgerHead,
    leaves: &[NewLeaf<'_>],
    known: Option<CompactRange>,
) -> Result<(Vec<Node>, CompactRange)> {
    let mut range = match known {
        Some(r) if r.size() == head.size && r.alg() == head.alg => r,
        _ => compact_range(tx, backend, head.alg, head.size).await?,
    };
    let mut nodes: Vec<Node> = Vec::with_capacity(leaves.len() * 2);
    for leaf in leaves {
        range.append_into(leaf.hash, &mut nodes);
    }
    nodes.retain(|n| n.level > 0);
    Ok((nodes, range))
}

/// Appends `leaves` in order inside `tx` after `head` (read earlier in the same write
/// transaction with [`ledger_head`]) and returns the index of the first. Call it under the
/// write lock ([`Store::begin_write`]); the leaf hashes must use `head.alg`.
pub(crate) async fn append_leaves_at(
    tx: &mut Tx,
    backend: Backend,
    head: LedgerHead,
    leaves: &[NewLeaf<'_>],
    at: &str,
) -> Result<u64> {
    let size = head.size;
    let (nodes, _) = append_plan(tx, backend, head, leaves, None).await?;
    let rows: Vec<(i64, &NewLeaf<'_>)> = leaves
        .iter()
        .enumerate()
        .map(|(i, l)| ((size + i as u64) as i64, l))
        .collect();
    BulkInsert {
        head: "INSERT INTO ledger_leaves (leaf_index, kind, ref, leaf_hash, at)",
        cols: 5,
        rows_per_statement: LEAF_ROWS_PER_STATEMENT,
        tail: "",
    }
    .run(tx, backend, &rows, |q, (i, l)| {
        q.bind(*i)
            .bind(l.kind.to_string())
            .bind(l.reference.clone())
            .bind(l.hash.to_hex())
            .bind(at.to_string())
    })
    .await?;
    let inner: Vec<&Node> = nodes.iter().collect();
    BulkInsert {
        head: "INSERT INTO ledger_nodes (id, hash)",
        cols: 2,
        rows_per_statement: NODE_ROWS_PER_STATEMENT,
        tail: "",
    }
    .run(tx, backend, &inner, |q, n| {
        q.bind(node_key(n.id())).bind(n.hash.to_hex())
    })
    .await?;
    Ok(size)
}

impl Store {
    /// The hash function of this node's log (SM3 unless the database was initialised with
    /// SHA-256, see [`Store::init_ledger_hash`]).
    pub async fn ledger_hash(&self) -> Result<HashAlg> {
        if let Some(alg) = self.ledger.alg.get() {
            return Ok(*alg);
        }
        let mut conn = self.pool.acquire().await?;
        let head = ledger_head(&mut conn).await?;
        if head.size > 0 {
            // Fixed from the first leaf on: safe to keep.
            let _ = self.ledger.alg.set(head.alg);
        }
        Ok(head.alg)
    }

    /// Records the log's hash function when the node's database is initialised and returns
    /// the one in force. `wanted = None` keeps what is recorded (SM3 for a new log). A
    /// different function is accepted only while the log is empty; the choice is then
    /// itself the first change-log entry (and so leaf 0, hashed with it). Once the log has a
    /// leaf, asking for another function is refused (`ledger.hash_fixed`) and nothing changes.
    pub async fn init_ledger_hash(
        &self,
        wanted: Option<HashAlg>,
        actor: &Actor,
    ) -> Result<HashAlg> {
        let mut tx = self.begin_write().await?;
        let recorded: Option<String> = sqlx::query("SELECT value FROM meta WHERE key = $1")
            .bind(LEDGER_HASH_KEY)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.try_get(0))
            .transpose()?;
        let head = ledger_head(&mut tx).await?;
        let current = head.alg;
        let wanted = wanted.unwrap_or(current);
        if wanted != current && head.size > 0 {
            return Err(StoreError::invalid(field_error(
                "ledger_hash",
                "ledger.hash_fixed",
                format!(
                    "账本已有 {} 个叶子，以 {current} 计算；哈希算法不能再改为 {wanted}",
                    head.size
                ),
            )));
        }
        if recorded.as_deref() != Some(wanted.as_str()) {
            sqlx::query(
                "INSERT INTO meta (key, value) VALUES ($1, $2) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .bind(LEDGER_HASH_KEY)
            .bind(wanted.as_str())
            .execute(&mut *tx)
            .await?;
        }
        if wanted != current {
            let entry = ChangeEntry {
                entity: "ledger",
                entity_id: LEDGER_HASH_KEY,
                action: "update",
                before: Some(serde_json::json!({ "hash": current })),
                after: Some(serde_json::json!({ "hash": wanted })),
            };
            record_change(&mut tx, entry, actor, &now()).await?;
        }
        tx.commit().await?;
        Ok(wanted)
    }

    /// Number of leaves in the ledger.
    pub async fn ledger_size(&self) -> Result<u64> {
        let mut conn = self.pool.acquire().await?;
        leaf_count(&mut conn).await
    }

    /// Root hash of the first `size` leaves, from the stored right edge (at most
    /// `log2(size)+1` nodes read).
    pub async fn ledger_root(&self, size: u64) -> Result<Hash> {
        let alg = self.ledger_hash().await?;
        let mut conn = self.pool.acquire().await?;
        let have = leaf_count(&mut conn).await?;
        if size > have {
            return Err(super::ledger_read::size_error("tree_size", size, have));
        }
        Ok(compact_range(&mut conn, self.backend, alg, size)
            .await?
            .root())
    }
}
