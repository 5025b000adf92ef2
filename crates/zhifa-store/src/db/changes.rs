//! The change log (变更记录): read side, and the bulk write of many entries with their ledger
//! leaves in one transaction (group commit). Single entries are written by each repository
//! inside the transaction of the change they describe (`support::record_change`).

use sqlx::Row;
use sqlx::any::AnyRow;

use super::Backend;
use super::Store;
use super::ledger::{NewLeaf, append_leaves_at, ledger_head};
use super::support::{BulkInsert, Tx, Where, fetch_page, get_json_opt, now, to_json};
use crate::error::Result;
use crate::ledger::{ChangeRow, KIND_CHANGE};
use crate::model::{Actor, Change, ChangeFilter, Page, PageRequest};

/// One entry of a bulk change-log write ([`Store::record_changes`]).
#[derive(Debug, Clone)]
pub struct ChangeRecord {
    /// Entity kind, e.g. `inspection`.
    pub entity: String,
    /// Id of the record.
    pub entity_id: String,
    /// `create`, `update`, `deactivate`, `import`.
    pub action: String,
    /// Record before (masked).
    pub before: Option<serde_json::Value>,
    /// Record after (masked).
    pub after: Option<serde_json::Value>,
}

pub(crate) fn change_from_row(row: &AnyRow) -> Result<Change> {
    Ok(Change {
        seq: row.try_get("seq")?,
        entity: row.try_get("entity")?,
        entity_id: row.try_get("entity_id")?,
        action: row.try_get("action")?,
        actor: row.try_get("actor")?,
        ip: row.try_get("ip")?,
        at: row.try_get("at")?,
        before: get_json_opt(row, "before")?,
        after: get_json_opt(row, "after")?,
    })
}

/// Reserves `n` consecutive change sequence numbers inside a write transaction (the write lock
/// makes them consecutive) and returns the first.
async fn next_seqs(tx: &mut Tx, backend: Backend, n: usize) -> Result<i64> {
    let first: i64 = match backend {
        // AUTOINCREMENT: never reuse a number, even of a deleted last row.
        Backend::Sqlite => sqlx::query(
            "SELECT MAX(COALESCE((SELECT MAX(seq) FROM changes), 0), \
             COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'changes'), 0)) + 1",
        )
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?,
        Backend::Postgres => sqlx::query(
            "SELECT MIN(v) FROM (SELECT nextval(pg_get_serial_sequence('changes', 'seq')) AS v \
             FROM generate_series(1, $1)) s",
        )
        .bind(n.max(1) as i64)
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?,
    };
    Ok(first)
}

/// Writes change-log entries and their ledger leaves inside `tx` (multi-row inserts); returns
/// the index of the first leaf. Call it last in the transaction, as [`record_change`].
///
/// [`record_change`]: super::support::record_change
pub(crate) async fn record_changes_in(
    tx: &mut Tx,
    backend: Backend,
    entries: &[ChangeRecord],
    actor: &Actor,
    at: &str,
) -> Result<u64> {
    let first_seq = next_seqs(tx, backend, entries.len()).await?;
    let rows: Vec<ChangeRow> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| ChangeRow {
            seq: first_seq + i as i64,
            entity: e.entity.clone(),
            entity_id: e.entity_id.clone(),
            action: e.action.clone(),
            actor: actor.user.clone(),
            ip: actor.ip.clone(),
            at: at.to_string(),
            before: e.before.as_ref().map(to_json),
            after: e.after.as_ref().map(to_json),
        })
        .collect();
    BulkInsert {
        head: "INSERT INTO changes (seq, entity, entity_id, action, actor, ip, at, before, after)",
        cols: 9,
        // 22,500 bound values: under SQLite's 32,766.
        rows_per_statement: 2_500,
        tail: "",
    }
    .run(tx, backend, &rows, |q, r| {
        q.bind(r.seq)
            .bind(r.entity.clone())
            .bind(r.entity_id.clone())
            .bind(r.action.clone())
            .bind(r.actor.clone())
            .bind(r.ip.clone())
            .bind(r.at.clone())
            .bind(r.before.clone())
            .bind(r.after.clone())
    })
    .await?;
    let head = ledger_head(tx).await?;
    let leaves: Vec<NewLeaf<'_>> = rows
        .iter()
        .map(|r| NewLeaf {
            kind: KIND_CHANGE,
            reference: r.seq.to_string(),
            hash: r.leaf_hash(head.alg),
        })
        .collect();
    append_leaves_at(tx, backend, head, &leaves, at).await
}

impl Store {
    /// Writes many change-log entries and their ledger leaves in one transaction (group
    /// commit: one durable commit for the whole batch, APL Art. 47 全过程记录). Returns the
    /// index of the first leaf.
    pub async fn record_changes(&self, entries: &[ChangeRecord], actor: &Actor) -> Result<u64> {
        let at = now();
        let mut tx = self.begin_write().await?;
        let first = record_changes_in(&mut tx, self.backend, entries, actor, &at).await?;
        tx.commit().await?;
        Ok(first)
    }

    /// Change-log entries matching the filter, newest first.
    pub async fn list_changes(
        &self,
        filter: &ChangeFilter,
        page: PageRequest,
    ) -> Result<Page<Change>> {
        let mut w = Where::new();
        w.eq("entity", filter.entity.as_deref());
        w.eq("entity_id", filter.entity_id.as_deref());
        fetch_page(
            &self.pool,
            "seq, entity, entity_id, action, actor, ip, at, before, after",
            "changes",
            w,
            "seq DESC",
            page,
            change_from_row,
        )
        .await
    }
}
