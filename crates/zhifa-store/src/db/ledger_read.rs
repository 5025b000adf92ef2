//! Ledger storage, read side: inclusion and consistency proofs from stored nodes (RFC 9162
//! §2.1.3–2.1.4), leaves, and signed checkpoints (c2sp.org/tlog-checkpoint).
//!
//! A proof reads only the `O(log n)` perfect nodes it needs ([`inclusion_proof_nodes`],
//! [`consistency_proof_nodes`]) with two indexed `IN` queries, then folds them in memory.

use sqlx::Row;
use sqlx::any::AnyRow;
use zhifa_ledger::{
    Checkpoint, CompactRange, ConsistencyProof, HashAlg, InclusionProof, NodeId, NodeMap,
    NoteSigner, consistency_proof, consistency_proof_nodes, inclusion_proof, inclusion_proof_nodes,
};

use super::Store;
use super::ledger::{leaf_count, read_nodes};
use super::support::{field_error, now};
use crate::error::{Result, StoreError};
use crate::ledger::{LeafRow, StoredCheckpoint};

/// `ledger.tree_size`: a size beyond the current log.
pub(crate) fn size_error(field: &str, size: u64, have: u64) -> StoreError {
    StoreError::invalid(field_error(
        field,
        "ledger.tree_size",
        format!("树大小 {size} 超出账本当前大小 {have}"),
    ))
}

/// Reads the nodes of a proof for a tree of `size` leaves in one round trip. The size is only
/// checked against the log when a node is missing: every node of a size beyond the log is
/// missing (its right edge covers the last leaf), so a missing node then means
/// `ledger.tree_size`, and otherwise corruption.
async fn read_or_size_error(
    conn: &mut sqlx::AnyConnection,
    backend: super::Backend,
    ids: &[NodeId],
    field: &str,
    size: u64,
) -> Result<Vec<zhifa_ledger::Hash>> {
    match read_nodes(conn, backend, ids).await {
        Err(StoreError::Ledger(why)) => {
            let have = leaf_count(conn).await?;
            if size > have {
                Err(size_error(field, size, have))
            } else {
                Err(StoreError::Ledger(why))
            }
        }
        other => other,
    }
}

impl Store {
    /// The stored hashes of `ids` for a proof over `size` leaves: upper levels from the
    /// in-memory cache when kept, the rest in one read ([`read_or_size_error`]).
    async fn proof_nodes(
        &self,
        conn: &mut sqlx::AnyConnection,
        ids: &[NodeId],
        field: &str,
        size: u64,
    ) -> Result<Vec<zhifa_ledger::Hash>> {
        let mut out: Vec<Option<zhifa_ledger::Hash>> =
            ids.iter().map(|id| self.ledger.node(*id)).collect();
        let missing: Vec<NodeId> = ids
            .iter()
            .zip(&out)
            .filter(|(_, h)| h.is_none())
            .map(|(id, _)| *id)
            .collect();
        if !missing.is_empty() {
            let read = read_or_size_error(conn, self.backend, &missing, field, size).await?;
            self.ledger.keep(&missing, &read);
            let mut read = read.into_iter();
            for slot in out.iter_mut().filter(|h| h.is_none()) {
                *slot = read.next();
            }
        }
        out.into_iter()
            .map(|h| h.ok_or_else(|| StoreError::Ledger("账本节点读取不完整".to_string())))
            .collect()
    }
}

/// The root of a tree from its right-edge node hashes.
fn edge_root(
    alg: HashAlg,
    size: u64,
    nodes: Vec<zhifa_ledger::Hash>,
) -> Result<zhifa_ledger::Hash> {
    CompactRange::from_nodes(alg, size, nodes)
        .map(|r| r.root())
        .map_err(|e| StoreError::Ledger(e.to_string()))
}

fn checkpoint_from_row(row: &AnyRow) -> Result<StoredCheckpoint> {
    Ok(StoredCheckpoint {
        tree_size: row.try_get("tree_size")?,
        root: row.try_get("root")?,
        note: row.try_get("note")?,
        at: row.try_get("at")?,
    })
}

impl Store {
    /// The inclusion proof of leaf `leaf_index` in the tree of `tree_size` leaves, with the
    /// stored leaf hash and the root, in the bare proof format of `zhifa ledger verify-proof`.
    pub async fn ledger_inclusion_proof(
        &self,
        leaf_index: u64,
        tree_size: u64,
    ) -> Result<InclusionProof> {
        let alg = self.ledger_hash().await?;
        let mut conn = self.pool.acquire().await?;
        let ids = inclusion_proof_nodes(leaf_index, tree_size).map_err(|_| {
            StoreError::invalid(field_error(
                "leaf_index",
                "ledger.leaf_index",
                format!("叶子序号 {leaf_index} 不在树大小 {tree_size} 之内"),
            ))
        })?;
        // One read: the audit path, the leaf, and the right edge that gives the root.
        let edge = CompactRange::edge_ids(tree_size);
        let mut wanted = ids;
        wanted.push(NodeId::new(0, leaf_index));
        let path_len = wanted.len();
        wanted.extend_from_slice(&edge);
        let hashes = self
            .proof_nodes(&mut conn, &wanted, "tree_size", tree_size)
            .await?;
        let leaf_hash = hashes[path_len - 1];
        let root = edge_root(alg, tree_size, hashes[path_len..].to_vec())?;
        let map = NodeMap::new(alg, wanted.into_iter().zip(hashes));
        let proof = inclusion_proof(&map, leaf_index, tree_size)
            .map_err(|e| StoreError::Ledger(e.to_string()))?;
        Ok(InclusionProof {
            hash: alg,
            leaf_index,
            tree_size,
            leaf_hash,
            proof,
            root,
        })
    }

    /// The consistency proof between the trees of `size1` and `size2` leaves, with both
    /// roots, in the bare proof format.
    pub async fn ledger_consistency_proof(
        &self,
        size1: u64,
        size2: u64,
    ) -> Result<ConsistencyProof> {
        let alg = self.ledger_hash().await?;
        let mut conn = self.pool.acquire().await?;
        let ids = consistency_proof_nodes(size1, size2).map_err(|_| {
            StoreError::invalid(field_error(
                "size1",
                "ledger.size_order",
                format!("size1（{size1}）不能大于 size2（{size2}）"),
            ))
        })?;
        let (edge1, edge2) = (CompactRange::edge_ids(size1), CompactRange::edge_ids(size2));
        let mut wanted = ids;
        let (a, b) = (wanted.len(), wanted.len() + edge1.len());
        wanted.extend_from_slice(&edge1);
        wanted.extend_from_slice(&edge2);
        let hashes = self.proof_nodes(&mut conn, &wanted, "size2", size2).await?;
        let root1 = edge_root(alg, size1, hashes[a..b].to_vec())?;
        let root2 = edge_root(alg, size2, hashes[b..].to_vec())?;
        let map = NodeMap::new(alg, wanted.into_iter().zip(hashes));
        let proof =
            consistency_proof(&map, size1, size2).map_err(|e| StoreError::Ledger(e.to_string()))?;
        Ok(ConsistencyProof {
            hash: alg,
            size1,
            size2,
            root1,
            root2,
            proof,
        })
    }

    /// The leaf of a change-log row (by `seq`) or an evidence file (by SM3).
    pub async fn ledger_leaf(&self, kind: &str, reference: &str) -> Result<LeafRow> {
        let row = sqlx::query(
            "SELECT leaf_index, kind, ref, leaf_hash, at FROM ledger_leaves \
             WHERE kind = $1 AND ref = $2",
        )
        .bind(kind)
        .bind(reference)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: "ledger_leaf",
            id: format!("{kind}:{reference}"),
        })?;
        Ok(LeafRow {
            leaf_index: row.try_get("leaf_index")?,
            kind: row.try_get("kind")?,
            reference: row.try_get("ref")?,
            leaf_hash: row.try_get("leaf_hash")?,
            at: row.try_get("at")?,
        })
    }

    /// The latest signed checkpoint, if any.
    pub async fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>> {
        sqlx::query(
            "SELECT tree_size, root, note, at FROM ledger_checkpoints \
             ORDER BY tree_size DESC LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?
        .map(|r| checkpoint_from_row(&r))
        .transpose()
    }

    /// Every stored checkpoint, smallest tree first.
    pub async fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>> {
        sqlx::query("SELECT tree_size, root, note, at FROM ledger_checkpoints ORDER BY tree_size")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(checkpoint_from_row)
            .collect()
    }

    /// Signs and stores a checkpoint of the current tree when it grew since the latest one
    /// (or there is none yet and the tree is not empty); returns the new checkpoint.
    ///
    /// Stored nodes never change once written, so reading the size and then its right edge
    /// is consistent without a lock.
    pub async fn sign_checkpoint(
        &self,
        origin: &str,
        signers: &[&(dyn NoteSigner + Send + Sync)],
    ) -> Result<Option<StoredCheckpoint>> {
        let size = self.ledger_size().await?;
        let latest = self.latest_checkpoint().await?;
        if size == 0 || latest.is_some_and(|c| c.tree_size as u64 >= size) {
            return Ok(None);
        }
        let root = self.ledger_root(size).await?;
        let note = {
            let refs: Vec<&dyn NoteSigner> =
                signers.iter().map(|s| *s as &dyn NoteSigner).collect();
            Checkpoint::new(origin, size, root).and_then(|c| c.sign(&refs))
        }
        .map_err(|e| StoreError::Ledger(format!("无法签署检查点：{e}")))?;
        let checkpoint = StoredCheckpoint {
            tree_size: size as i64,
            root: root.to_hex(),
            note,
            at: now(),
        };
        sqlx::query(
            "INSERT INTO ledger_checkpoints (tree_size, root, note, at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (tree_size) DO NOTHING",
        )
        .bind(checkpoint.tree_size)
        .bind(&checkpoint.root)
        .bind(&checkpoint.note)
        .bind(&checkpoint.at)
        .execute(&self.pool)
        .await?;
        Ok(Some(checkpoint))
    }

    /// The latest stored checkpoint, if its tree contains leaf `leaf_index`.
    pub async fn checkpoint_covering(&self, leaf_index: u64) -> Result<Option<StoredCheckpoint>> {
        sqlx::query(
            "SELECT tree_size, root, note, at FROM ledger_checkpoints WHERE tree_size > $1 \
             ORDER BY tree_size DESC LIMIT 1",
        )
        .bind(leaf_index as i64)
        .fetch_optional(&self.pool)
        .await?
        .map(|r| checkpoint_from_row(&r))
        .transpose()
    }
}
