//! The import pipeline (数据导入, 汇聚, issue 7), shared by `zhifa import` and
//! `POST /api/v1/imports`: a department system's export, mapped row by row to the exchange
//! standard (`zhifa-exchange`), becomes [`ImportItem`]s stored by natural key in batches
//! ([`Store::import_batch`]), so a re-import adds nothing; rejected rows go to the validation
//! [`Report`].
//!
//! Reading and mapping are blocking (files, XLSX through calamine), so they run on a blocking
//! thread that hands full batches over a channel of one to the async side, which writes them:
//! memory stays flat for any file size (at most three batches are held: one being filled, one
//! waiting, one being written), and the runtime's workers are never blocked by file I/O.
//! Every mapped row is also shown to a [`RowObserver`] on the reading thread (the CLI's
//! progress bar, the server's streamed CSV report).
//!
//! When storing, each accepted record's target on the node (officers, cases) is built on the
//! reading thread from the node's references loaded once per run (`targets`); a record
//! whose agency or officer the node does not know becomes a rejection there, before the
//! observer and the report see the row. A dry run checks the rows against the standard only.
//!
//! What the caller keeps: opening the mapping and the input (its errors are the caller's to
//! word), printing, the progress bar, where a report goes.

mod targets;

pub use targets::target_of;

use std::io::{self, Write};

use serde_json::Value;
use sm3::{Digest, Sm3};
use zhifa_exchange::{
    CsvReportWriter, MappedRow, MappedRows, Mapping, Outcome, Report, StandardRecord,
};
use zhifa_store::model::Actor;
use zhifa_store::{
    ImportItem, ImportRunInput, ImportTarget, ImportTotals, PreparedItem, Store, StoreError,
};

/// Default accepted records per transaction (`zhifa import --batch`, the upload's `batch`).
pub const DEFAULT_BATCH: usize = 1000;

/// Fields holding personal identifiers or contact data, masked in the change log.
const PERSONAL: &[&str] = &["citizen_id", "id_number", "party_id_number", "phone"];

/// `110101199003071234` → `110101********1234`; short values are kept.
fn mask(value: &str) -> String {
    let n = value.chars().count();
    if n < 11 {
        return value.to_string();
    }
    let keep_head = if n >= 15 { 6 } else { 3 };
    value
        .chars()
        .enumerate()
        .map(|(i, c)| if i < keep_head || i >= n - 4 { c } else { '*' })
        .collect()
}

/// A key part that is a citizen ID (15 or 18 characters of digits, the last may be X).
fn looks_personal(part: &str) -> bool {
    let n = part.len();
    (n == 15 || n == 18)
        && part
            .chars()
            .enumerate()
            .all(|(i, c)| c.is_ascii_digit() || (i == n - 1 && (c == 'X' || c == 'x')))
}

/// The store's item for an accepted record: its standard JSON line, natural key (shown with
/// citizen IDs masked), source, a copy with personal fields masked for the change log, and
/// its target on the node.
pub fn item_of(record: &StandardRecord, target: ImportTarget) -> ImportItem {
    let key = record.natural_key();
    let (system, id) = record.source();
    let record_json = record.to_json_line();
    let mut masked: Value = serde_json::from_str(&record_json).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut masked {
        for (k, v) in m.iter_mut() {
            if PERSONAL.contains(&k.as_str())
                && let Value::String(s) = v
            {
                *s = mask(s);
            }
        }
    }
    let key_masked = key
        .parts
        .iter()
        .map(|p| {
            if looks_personal(p) {
                mask(p)
            } else {
                p.clone()
            }
        })
        .collect::<Vec<_>>()
        .join("|");
    ImportItem {
        record_type: key.record_type.to_string(),
        natural_key: key.parts,
        key_masked,
        source_system: system.to_string(),
        source_id: id.to_string(),
        record_json,
        masked,
        target,
    }
}

/// Sees every mapped row, in order, on the reading thread (before it is counted).
pub trait RowObserver: Send + 'static {
    /// One mapped row; an error stops the import ([`ImportError::Observer`]).
    fn observe(&mut self, row: &MappedRow) -> io::Result<()>;
}

/// No observer.
impl RowObserver for () {
    fn observe(&mut self, _row: &MappedRow) -> io::Result<()> {
        Ok(())
    }
}

/// An optional observer.
impl<O: RowObserver> RowObserver for Option<O> {
    fn observe(&mut self, row: &MappedRow) -> io::Result<()> {
        match self {
            Some(o) => o.observe(row),
            None => Ok(()),
        }
    }
}

/// The full validation report, streamed while rows are mapped (every rejection, not only the
/// ones the in-memory [`Report`] keeps).
impl<W: Write + Send + 'static> RowObserver for CsvReportWriter<W> {
    fn observe(&mut self, row: &MappedRow) -> io::Result<()> {
        self.write_row(row)
    }
}

/// What to import, besides the rows.
#[derive(Debug, Clone)]
pub struct ImportJob {
    /// The compiled mapping.
    pub mapping: Mapping,
    /// SM3 (hex) of the mapping file's text, recorded with the run.
    pub mapping_sm3: String,
    /// The input's name recorded with the run (a path; `upload:<name>` for an upload).
    pub input: String,
    /// Accepted records per transaction (at least 1).
    pub batch: usize,
    /// Most rejections (and skipped rows) the returned [`Report`] keeps; all are counted.
    pub report_limit: usize,
}

impl ImportJob {
    /// A job with the SM3 of `mapping_text`, [`DEFAULT_BATCH`] records per transaction and
    /// a report keeping `report_limit` rejections.
    pub fn new(
        mapping: Mapping,
        mapping_text: &[u8],
        input: impl Into<String>,
        report_limit: usize,
    ) -> Self {
        ImportJob {
            mapping,
            mapping_sm3: hex::encode(Sm3::digest(mapping_text)),
            input: input.into(),
            batch: DEFAULT_BATCH,
            report_limit,
        }
    }
}

/// What an import did.
#[derive(Debug)]
pub struct ImportOutcome<O> {
    /// The recorded run (`None` for a dry run, which records nothing).
    pub run_id: Option<String>,
    /// Counts of every row, the first rejections, and the error that stopped reading if any.
    pub report: Report,
    /// Rows read, stored records by what they did (all zero for a dry run), rejected, skipped.
    pub totals: ImportTotals,
    /// The observer, handed back (to finish a streamed report).
    pub observer: O,
}

/// Why an import could not finish (a row that fails to map is a rejection, not an error).
#[derive(Debug)]
pub enum ImportError {
    /// The database refused a batch or the run record; batches before it are stored.
    Store(StoreError),
    /// The observer failed (e.g. the streamed report could not be written).
    Observer(io::Error),
    /// The reading thread panicked or was cancelled.
    Reader(String),
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImportError::Store(e) => write!(f, "{e}"),
            ImportError::Observer(e) => write!(f, "无法写入导入校验报告：{e}"),
            ImportError::Reader(e) => write!(f, "读取输入的线程异常结束：{e}"),
        }
    }
}

impl std::error::Error for ImportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ImportError::Store(e) => Some(e),
            ImportError::Observer(e) => Some(e),
            ImportError::Reader(_) => None,
        }
    }
}

impl From<StoreError> for ImportError {
    fn from(e: StoreError) -> Self {
        ImportError::Store(e)
    }
}

/// What the reading thread ends with.
struct Reading<O> {
    report: Report,
    observer: O,
    failed: Option<io::Error>,
    /// Preparing an item for the store failed (its sealing).
    unprepared: Option<StoreError>,
}

/// Reads and maps every row of `rows`, showing each to `observer`; with a store, records a
/// run and stores the accepted records in transactions of `job.batch`, then records the
/// run's totals. Without a store (dry run) nothing is written. Reading stops at the first
/// [`zhifa_exchange::ReadError`] (in `report.stopped`; the rows before it are stored).
pub async fn run_import<O: RowObserver>(
    store: Option<&Store>,
    job: &ImportJob,
    rows: MappedRows,
    actor: &Actor,
    observer: O,
) -> Result<ImportOutcome<O>, ImportError> {
    let run_id = match store {
        Some(s) => Some(
            s.start_import_run(
                &ImportRunInput {
                    mapping: job.mapping.name().to_string(),
                    mapping_sm3: job.mapping_sm3.clone(),
                    input: job.input.clone(),
                    record_type: job.mapping.record_type().id().to_string(),
                },
                actor,
            )
            .await?,
        ),
        None => None,
    };
    let (refs, ctx) = match store {
        Some(s) => (
            Some(s.import_references().await?),
            Some(s.import_context().await?),
        ),
        None => (None, None),
    };
    let batch_size = job.batch.max(1);
    // The items are prepared (blind index, SM3, sealing) on the reading thread, so that the
    // writer's transaction is only database work and the two run on both cores.
    let preparer = store.cloned();
    let keep_items = preparer.is_some();
    let mapping = job.mapping.clone();
    let report = Report::with_limit(&job.mapping, job.report_limit);
    let (send, mut batches) = tokio::sync::mpsc::channel::<Vec<PreparedItem>>(1);
    let reader = tokio::task::spawn_blocking(move || {
        let mut read = Reading {
            report,
            observer,
            failed: None,
            unprepared: None,
        };
        let mut batch: Vec<PreparedItem> =
            Vec::with_capacity(if keep_items { batch_size } else { 0 });
        for row in rows {
            let mut row = match row {
                Ok(row) => row,
                Err(e) => {
                    read.report.stop(&e);
                    break;
                }
            };
            let target = match (&row.outcome, &refs) {
                (Outcome::Accepted(record), Some(refs)) => {
                    match target_of(record, refs, &mapping, row.line) {
                        Ok(t) => Some(t),
                        Err(rejections) => {
                            row.outcome = Outcome::Rejected(rejections);
                            None
                        }
                    }
                }
                _ => None,
            };
            if let Err(e) = read.observer.observe(&row) {
                read.failed = Some(e);
                break;
            }
            read.report.add(&row);
            if let (Some(store), Outcome::Accepted(record)) = (&preparer, &row.outcome) {
                match store.prepare_import(item_of(record, target.unwrap_or_default())) {
                    Ok(p) => batch.push(p),
                    Err(e) => {
                        read.unprepared = Some(e);
                        return read;
                    }
                }
                if batch.len() >= batch_size {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(batch_size));
                    if send.blocking_send(full).is_err() {
                        // The writer gave up (a store error): stop reading.
                        return read;
                    }
                }
            }
        }
        if !batch.is_empty() {
            // Ignored when the writer gave up: its error is what is answered.
            let _ = send.blocking_send(batch);
        }
        read
    });
    let mut totals = ImportTotals::default();
    if let (Some(s), Some(id), Some(ctx)) = (store, &run_id, &ctx) {
        while let Some(batch) = batches.recv().await {
            totals.counts += s.import_prepared(id, ctx, &batch, actor).await?;
        }
    }
    drop(batches);
    let read = reader
        .await
        .map_err(|e| ImportError::Reader(e.to_string()))?;
    if let Some(e) = read.failed {
        return Err(ImportError::Observer(e));
    }
    if let Some(e) = read.unprepared {
        return Err(ImportError::Store(e));
    }
    let report = read.report;
    totals.rows_read = report.total;
    totals.rejected = report.rejected;
    totals.skipped = report.skipped;
    if let (Some(s), Some(id)) = (store, &run_id) {
        s.finish_import_run(id, &totals).await?;
    }
    Ok(ImportOutcome {
        run_id,
        report,
        totals,
        observer: read.observer,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_personal_identifiers_only() {
        assert_eq!(mask("110101199003071234"), "110101********1234");
        assert_eq!(mask("13800138000"), "138****8000");
        assert_eq!(mask("short"), "short");
        assert!(looks_personal("11010119900307123X"));
        assert!(!looks_personal("91440106MA5AL3R18Y"));
        assert!(!looks_personal("穗天市监罚〔2025〕12号"));
    }
}
