//! Imports (汇聚, issue 7): records of department systems, mapped to the exchange standard
//! by `zhifa-exchange`, kept by natural key so that a re-import never duplicates.
//!
//! The store does not depend on the exchange crate: the caller hands over each accepted record
//! as an [`ImportItem`] (its standard JSON line, natural key, source and a masked copy for the
//! change log). Per batch, in one write transaction:
//!
//! - the natural key becomes a keyed blind index (HMAC-SM3), so a citizen ID inside a key is
//!   neither stored in clear nor findable by hashing candidates;
//! - a record whose key is new is added, one whose content (SM3 of its JSON line) differs is
//!   replaced, an identical one is left alone (`unchanged`);
//! - every added or replaced record writes a change-log row (`imported_record`, masked) and
//!   so a ledger leaf, in the same transaction (APL Art. 47 全过程记录);
//! - each record's [`ImportTarget`] reaches the node's own tables in the same transaction
//!   (`import_merge`): officers and certificates through the admin forms' validation and
//!   change log, cases through the imported-history path.
//!
//! A process killed mid-import loses at most its open batch; running the import again adds
//! what is missing and counts the rest as unchanged.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::{Value, json};
use sm3::{Digest, Sm3};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use utoipa::ToSchema;

use super::Store;
use super::changes::{ChangeRecord, record_changes_in};
use super::import_merge::{ImportContext, ImportTarget};
use super::ledger::in_list;
use super::support::{BulkInsert, Where, fetch_page, new_id, now};
use crate::error::{Result, StoreError};
use crate::model::{Actor, Page, PageRequest};

/// Change-log entity of an imported record.
pub const IMPORTED_ENTITY: &str = "imported_record";

/// One accepted record to import.
#[derive(Debug, Clone)]
pub struct ImportItem {
    /// Record type id, e.g. `decision`.
    pub record_type: String,
    /// The natural key's parts (e.g. agency USCC and case number).
    pub natural_key: Vec<String>,
    /// The key for display, personal identifiers masked.
    pub key_masked: String,
    /// Source system (来源系统).
    pub source_system: String,
    /// Id in the source system (原系统编号).
    pub source_id: String,
    /// The standard JSON line of the record.
    pub record_json: String,
    /// The record with personal data masked: what the change log keeps.
    pub masked: Value,
    /// Where the record goes besides the exchange store.
    pub target: ImportTarget,
}

/// What an import run is.
#[derive(Debug, Clone)]
pub struct ImportRunInput {
    /// Mapping name.
    pub mapping: String,
    /// SM3 (hex) of the mapping file.
    pub mapping_sm3: String,
    /// Input file name.
    pub input: String,
    /// Record type produced.
    pub record_type: String,
}

/// Counts of one batch or run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportCounts {
    /// Records whose key was new (新增).
    pub added: u64,
    /// Records whose key existed with other content (更新).
    pub changed: u64,
    /// Records identical to what is stored (未变).
    pub unchanged: u64,
    /// Officers and certificates of the node created or updated from the records (入库人员).
    pub base: u64,
    /// Cases created from the records (入库案件).
    pub cases: u64,
}

impl std::ops::AddAssign for ImportCounts {
    fn add_assign(&mut self, o: Self) {
        self.added += o.added;
        self.changed += o.changed;
        self.unchanged += o.unchanged;
        self.base += o.base;
        self.cases += o.cases;
    }
}

/// Totals recorded when a run finishes.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportTotals {
    /// Rows read.
    pub rows_read: u64,
    /// Accepted rows by what they did.
    pub counts: ImportCounts,
    /// Rows rejected.
    pub rejected: u64,
    /// Rows skipped by a mapping condition.
    pub skipped: u64,
}

/// One import run as recorded (导入批次): what was imported, by whom, and its totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ImportRun {
    /// Run id (UUID v7).
    pub id: String,
    /// Mapping name.
    pub mapping: String,
    /// SM3 (hex) of the mapping file.
    pub mapping_sm3: String,
    /// Input file name (a path for `zhifa import`, `upload:<name>` for an API upload).
    pub input: String,
    /// Record type produced, e.g. `decision`.
    pub record_type: String,
    /// Who ran it (user name, `api` for the node token, `cli:import`).
    pub actor: String,
    /// Start (RFC 3339, China time).
    pub started_at: String,
    /// End; `None` while running, or when the run was killed before it finished.
    pub finished_at: Option<String>,
    /// Rows read.
    pub rows_read: i64,
    /// Records added (新增).
    pub added: i64,
    /// Records replaced with other content (更新).
    pub changed: i64,
    /// Records identical to what was stored (未变).
    pub unchanged: i64,
    /// Rows rejected (驳回).
    pub rejected: i64,
    /// Rows skipped by a mapping condition (跳过).
    pub skipped: i64,
}

const RUN_COLUMNS: &str = "id, mapping, mapping_sm3, input, record_type, actor, started_at, \
                           finished_at, rows_read, added, changed, unchanged, rejected, skipped";

fn run_from_row(r: &AnyRow) -> Result<ImportRun> {
    Ok(ImportRun {
        id: r.try_get("id")?,
        mapping: r.try_get("mapping")?,
        mapping_sm3: r.try_get("mapping_sm3")?,
        input: r.try_get("input")?,
        record_type: r.try_get("record_type")?,
        actor: r.try_get("actor")?,
        started_at: r.try_get("started_at")?,
        finished_at: r.try_get("finished_at")?,
        rows_read: r.try_get("rows_read")?,
        added: r.try_get("added")?,
        changed: r.try_get("changed")?,
        unchanged: r.try_get("unchanged")?,
        rejected: r.try_get("rejected")?,
        skipped: r.try_get("skipped")?,
    })
}

/// An imported record as stored (decrypted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedRecord {
    /// Record type id.
    pub record_type: String,
    /// Key for display, masked.
    pub key_masked: String,
    /// Source system.
    pub source_system: String,
    /// Id in the source system.
    pub source_id: String,
    /// The standard JSON line.
    pub record_json: String,
}

fn sm3_hex(data: &[u8]) -> String {
    hex::encode(Sm3::digest(data))
}

/// Keys are joined with the unit separator, which no key part contains.
fn key_text(record_type: &str, parts: &[String]) -> String {
    let mut s = String::from(record_type);
    for p in parts {
        s.push('\u{1f}');
        s.push_str(p);
    }
    s
}

fn aad(key_index: &str) -> Vec<u8> {
    format!("imported_record:{key_index}").into_bytes()
}

/// An item with its blind index, digest and sealed record, computed by
/// [`Store::prepare_import`] before the write transaction (the import pipeline does it on its
/// reading thread, so the writer only writes).
#[derive(Debug, Clone)]
pub struct PreparedItem {
    item: ImportItem,
    key_index: String,
    record_sm3: String,
    sealed: String,
}

impl PreparedItem {
    /// The item prepared.
    pub fn item(&self) -> &ImportItem {
        &self.item
    }
}

impl Store {
    /// Starts an import run; returns its id.
    pub async fn start_import_run(&self, run: &ImportRunInput, actor: &Actor) -> Result<String> {
        let id = new_id();
        sqlx::query(
            "INSERT INTO import_runs (id, mapping, mapping_sm3, input, record_type, actor, \
             started_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&id)
        .bind(&run.mapping)
        .bind(&run.mapping_sm3)
        .bind(&run.input)
        .bind(&run.record_type)
        .bind(&actor.user)
        .bind(now())
        .execute(&self.pool)
        .await?;
        Ok(id)
    }

    /// Records the totals of a finished run.
    pub async fn finish_import_run(&self, run_id: &str, totals: &ImportTotals) -> Result<()> {
        sqlx::query(
            "UPDATE import_runs SET finished_at = $1, rows_read = $2, added = $3, changed = $4, \
             unchanged = $5, rejected = $6, skipped = $7 WHERE id = $8",
        )
        .bind(now())
        .bind(totals.rows_read as i64)
        .bind(totals.counts.added as i64)
        .bind(totals.counts.changed as i64)
        .bind(totals.counts.unchanged as i64)
        .bind(totals.rejected as i64)
        .bind(totals.skipped as i64)
        .bind(run_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Import runs, newest first.
    pub async fn list_import_runs(&self, page: PageRequest) -> Result<Page<ImportRun>> {
        fetch_page(
            &self.pool,
            RUN_COLUMNS,
            "import_runs",
            Where::new(),
            "started_at DESC, id DESC",
            page,
            run_from_row,
        )
        .await
    }

    /// One import run.
    pub async fn import_run(&self, id: &str) -> Result<ImportRun> {
        let sql = format!("SELECT {RUN_COLUMNS} FROM import_runs WHERE id = $1");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "import_run",
                id: id.to_string(),
            })?;
        run_from_row(&row)
    }

    /// The blind index of the item's natural key, the SM3 of its JSON line and the line
    /// sealed (SM4-GCM, bound to the key): the CPU work of an import, done outside the write
    /// transaction.
    pub fn prepare_import(&self, item: ImportItem) -> Result<PreparedItem> {
        let key_index = self
            .cipher
            .blind_index(key_text(&item.record_type, &item.natural_key).as_bytes());
        let sealed = hex::encode(
            self.cipher
                .encrypt(item.record_json.as_bytes(), &aad(&key_index))?,
        );
        Ok(PreparedItem {
            record_sm3: sm3_hex(item.record_json.as_bytes()),
            key_index,
            sealed,
            item,
        })
    }

    /// Imports a batch of accepted records in one transaction (see the module docs): adds new
    /// keys, replaces changed ones, leaves identical ones; one change-log row and ledger leaf
    /// per added or replaced record; the targets of added or replaced officers and of every
    /// case record merged into the node's tables. Within a batch, a later record with the
    /// same key wins.
    pub async fn import_batch(
        &self,
        run_id: &str,
        ctx: &ImportContext,
        items: &[ImportItem],
        actor: &Actor,
    ) -> Result<ImportCounts> {
        let prepared = items
            .iter()
            .map(|i| self.prepare_import(i.clone()))
            .collect::<Result<Vec<_>>>()?;
        self.import_prepared(run_id, ctx, &prepared, actor).await
    }

    /// [`Store::import_batch`] of items prepared with [`Store::prepare_import`].
    pub async fn import_prepared(
        &self,
        run_id: &str,
        ctx: &ImportContext,
        items: &[PreparedItem],
        actor: &Actor,
    ) -> Result<ImportCounts> {
        let mut counts = ImportCounts::default();
        // Latest record per key, in first-seen order.
        let mut order: Vec<&str> = Vec::new();
        let mut latest: HashMap<&str, &PreparedItem> = HashMap::new();
        for p in items {
            if latest.insert(&p.key_index, p).is_some() {
                // An earlier record of this batch with the same key is superseded by this one;
                // it is counted as unchanged (nothing of it is written).
                counts.unchanged += 1;
            } else {
                order.push(&p.key_index);
            }
        }
        if order.is_empty() {
            return Ok(counts);
        }
        let at = now();
        let mut tx = self.begin_write().await?;
        let mut stored: HashMap<String, String> = HashMap::new();
        for chunk in order.chunks(500) {
            let sql = format!(
                "SELECT key_index, record_sm3 FROM imported_records WHERE key_index IN {}",
                in_list(self.backend, chunk.len())
            );
            let mut q = sqlx::query(AssertSqlSafe(sql)).persistent(false);
            for k in chunk {
                q = q.bind(k.to_string());
            }
            for r in q.fetch_all(&mut *tx).await? {
                stored.insert(r.try_get("key_index")?, r.try_get("record_sm3")?);
            }
        }
        let mut rows: Vec<&PreparedItem> = Vec::with_capacity(order.len());
        let mut changes: Vec<ChangeRecord> = Vec::new();
        let (mut officers, mut cases) = (Vec::new(), Vec::new());
        for key in &order {
            let k = latest[key];
            if let ImportTarget::Case(c) = &k.item.target {
                cases.push(&**c);
            }
            let before = match stored.get(*key) {
                Some(sm3) if *sm3 == k.record_sm3 => {
                    counts.unchanged += 1;
                    continue;
                }
                Some(sm3) => {
                    counts.changed += 1;
                    Some(json!({ "record_sm3": sm3 }))
                }
                None => {
                    counts.added += 1;
                    None
                }
            };
            if let ImportTarget::Officer(o) = &k.item.target {
                officers.push(&**o);
            }
            rows.push(k);
            let mut after = k.item.masked.clone();
            if let Value::Object(m) = &mut after {
                m.insert("record_sm3".into(), Value::String(k.record_sm3.clone()));
                m.insert("import_run".into(), Value::String(run_id.to_string()));
            }
            changes.push(ChangeRecord {
                entity: IMPORTED_ENTITY.to_string(),
                entity_id: key.to_string(),
                action: if before.is_some() { "update" } else { "import" }.to_string(),
                before,
                after: Some(after),
            });
        }
        BulkInsert {
            head: "INSERT INTO imported_records (key_index, record_type, key_masked, \
                   source_system, source_id, record, record_sm3, first_run, last_run, \
                   imported_at, updated_at)",
            cols: 11,
            rows_per_statement: 200,
            tail: "ON CONFLICT (key_index) DO UPDATE SET key_masked = excluded.key_masked, \
                   source_system = excluded.source_system, source_id = excluded.source_id, \
                   record = excluded.record, record_sm3 = excluded.record_sm3, \
                   last_run = excluded.last_run, updated_at = excluded.updated_at",
        }
        .run(&mut tx, self.backend, &rows, |q, k| {
            q.bind(k.key_index.clone())
                .bind(k.item.record_type.clone())
                .bind(k.item.key_masked.clone())
                .bind(k.item.source_system.clone())
                .bind(k.item.source_id.clone())
                .bind(k.sealed.clone())
                .bind(k.record_sm3.clone())
                .bind(run_id.to_string())
                .bind(run_id.to_string())
                .bind(at.clone())
                .bind(at.clone())
        })
        .await?;
        if !changes.is_empty() {
            record_changes_in(&mut tx, self.backend, &changes, actor, &at).await?;
        }
        let merged = self
            .merge_targets(&mut tx, ctx, &officers, &cases, actor)
            .await?;
        counts.base += merged.base;
        counts.cases += merged.cases;
        tx.commit().await?;
        Ok(counts)
    }

    /// Number of imported records, of one type or all.
    pub async fn imported_count(&self, record_type: Option<&str>) -> Result<i64> {
        let row = match record_type {
            Some(t) => {
                sqlx::query("SELECT COUNT(*) FROM imported_records WHERE record_type = $1")
                    .bind(t)
                    .fetch_one(&self.pool)
                    .await?
            }
            None => {
                sqlx::query("SELECT COUNT(*) FROM imported_records")
                    .fetch_one(&self.pool)
                    .await?
            }
        };
        Ok(row.try_get(0)?)
    }

    /// The imported records of a source system, decrypted, in source-id order.
    pub async fn imported_records(&self, source_system: &str) -> Result<Vec<ImportedRecord>> {
        let rows = sqlx::query(
            "SELECT key_index, record_type, key_masked, source_system, source_id, record, \
             record_sm3 FROM imported_records WHERE source_system = $1 ORDER BY source_id",
        )
        .bind(source_system)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let key: String = r.try_get("key_index")?;
                let sealed: String = r.try_get("record")?;
                let bytes = hex::decode(sealed)
                    .map_err(|e| StoreError::Crypto(format!("导入记录密文无法解码：{e}")))?;
                let clear = self.cipher.decrypt(&bytes, &aad(&key))?;
                let record_json = String::from_utf8(clear)
                    .map_err(|e| StoreError::Crypto(format!("导入记录不是 UTF-8：{e}")))?;
                let want: String = r.try_get("record_sm3")?;
                if sm3_hex(record_json.as_bytes()) != want {
                    return Err(StoreError::Crypto(format!(
                        "导入记录内容与其 SM3 不符（{}）",
                        r.try_get::<String, _>("key_masked")?
                    )));
                }
                Ok(ImportedRecord {
                    record_type: r.try_get("record_type")?,
                    key_masked: r.try_get("key_masked")?,
                    source_system: r.try_get("source_system")?,
                    source_id: r.try_get("source_id")?,
                    record_json,
                })
            })
            .collect()
    }
}
