//! Ledger storage, write side: appending leaves inside the caller's transaction
//! (全过程记录, APL Art. 47; 118号). See docs/ledger.md for the tables.
//!
//! An append never reads the tree: it restores the [`CompactRange`] from the stored right edge
//! (`popcount(size)` nodes, one query), appends, and inserts the leaf row and the perfect nodes
//! the append completed. Writers are serialised by [`Store::begin_write`], so leaf indexes are
//! gap-free; a rolled-back transaction takes its leaves with it.

use sqlx::AnyConnection;
use sqlx::{AssertSqlSafe, Row};
use zhifa_ledger::{CompactRange, Hash, Node, NodeId};

use super::support::{BulkInsert, Tx};
use super::{Backend, Store};
use crate::error::{Result, StoreError};
use crate::ledger::LEDGER_HASH;

/// Rows per multi-row INSERT of leaves or nodes.
const ROWS_PER_STATEMENT: usize = 500;

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
/// `ledger_nodes`) in the order asked, in one round trip (`UNION ALL` of two indexed `IN`
/// lookups) whatever the count.
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
    let mut found = std::collections::HashMap::with_capacity(ids.len());
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
                "SELECT 0 AS inner_node, leaf_index AS k, leaf_hash AS h FROM ledger_leaves \
                 WHERE leaf_index IN {}",
                list(l.len())
            ));
        }
        if !n.is_empty() {
            parts.push(format!(
                "SELECT 1 AS inner_node, id AS k, hash AS h FROM ledger_nodes WHERE id IN {}",
                list(n.len())
            ));
        }
        if parts.is_empty() {
            continue;
        }
        let sql = parts.join(" UNION ALL ");
        let mut q = sqlx::query(AssertSqlSafe(sql)).persistent(ids.len() < 128);
        for k in l.iter().chain(&n) {
            q = q.bind(*k);
        }
        for row in q.fetch_all(&mut *conn).await? {
            let inner_node: i32 = match row.try_get::<i32, _>(0) {
                Ok(v) => v,
                Err(_) => row.try_get::<i64, _>(0)? as i32,
            };
            let key: i64 = row.try_get(1)?;
            let hash: String = row.try_get(2)?;
            found.insert((inner_node == 0, key), parse_hash(&hash)?);
        }
    }
    ids.iter()
        .map(|id| {
            let key = if id.level == 0 {
                (true, id.index as i64)
            } else {
                (false, node_key(*id))
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

/// Number of leaves in the log as seen by `conn`.
pub(crate) async fn leaf_count(conn: &mut AnyConnection) -> Result<u64> {
    let row = sqlx::query("SELECT COALESCE(MAX(leaf_index) + 1, 0) FROM ledger_leaves")
        .fetch_one(&mut *conn)
        .await?;
    Ok(row.try_get::<i64, _>(0)?.max(0) as u64)
}

/// The compact range of the first `size` leaves, from the stored right edge.
pub(crate) async fn compact_range(
    conn: &mut AnyConnection,
    backend: Backend,
    size: u64,
) -> Result<CompactRange> {
    let nodes = read_nodes(conn, backend, &CompactRange::edge_ids(size)).await?;
    CompactRange::from_nodes(LEDGER_HASH, size, nodes)
        .map_err(|e| StoreError::Ledger(e.to_string()))
}

/// Appends `leaves` in order inside `tx` and returns the index of the first. Call it under
/// the write lock ([`Store::begin_write`]).
pub(crate) async fn append_leaves(
    tx: &mut Tx,
    backend: Backend,
    leaves: &[NewLeaf<'_>],
    at: &str,
) -> Result<u64> {
    let size = leaf_count(tx).await?;
    let mut range = compact_range(tx, backend, size).await?;
    let mut nodes: Vec<Node> = Vec::with_capacity(leaves.len() * 2);
    for leaf in leaves {
        range.append_into(leaf.hash, &mut nodes);
    }
    let rows: Vec<(i64, &NewLeaf<'_>)> = leaves
        .iter()
        .enumerate()
        .map(|(i, l)| ((size + i as u64) as i64, l))
        .collect();
    BulkInsert {
        head: "INSERT INTO ledger_leaves (leaf_index, kind, ref, leaf_hash, at)",
        cols: 5,
        rows_per_statement: ROWS_PER_STATEMENT,
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
    let inner: Vec<&Node> = nodes.iter().filter(|n| n.level > 0).collect();
    BulkInsert {
        head: "INSERT INTO ledger_nodes (id, hash)",
        cols: 2,
        rows_per_statement: ROWS_PER_STATEMENT,
        tail: "",
    }
    .run(tx, backend, &inner, |q, n| {
        q.bind(node_key(n.id())).bind(n.hash.to_hex())
    })
    .await?;
    Ok(size)
}

impl Store {
    /// Number of leaves in the ledger.
    pub async fn ledger_size(&self) -> Result<u64> {
        let mut conn = self.pool.acquire().await?;
        leaf_count(&mut conn).await
    }

    /// Root hash of the first `size` leaves, from the stored right edge (at most
    /// `log2(size)+1` nodes read).
    pub async fn ledger_root(&self, size: u64) -> Result<Hash> {
        let mut conn = self.pool.acquire().await?;
        let have = leaf_count(&mut conn).await?;
        if size > have {
            return Err(super::ledger_read::size_error("tree_size", size, have));
        }
        Ok(compact_range(&mut conn, self.backend, size).await?.root())
    }
}
