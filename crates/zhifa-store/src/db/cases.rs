//! Case handling (执法办案): commands decided by the procedure rules of `zhifa-domain`,
//! events stored with one ledger leaf each (全过程记录, APL Art. 47), and the `cases`
//! projection the lists and queues read.
//!
//! One write path serves single commands ([`Store::execute_case_command`]) and bulk loading
//! ([`Store::run_case_scripts`]): a [`Batch`] holds, for one write transaction, the facts the
//! rules consult (rules, agencies, officers, benchmarks, number counters, all cached), the
//! next event `seq` and leaf index (assigned under the write lock, so both are gap-free), and
//! the rows to write; [`Batch::flush`] writes them with multi-row INSERTs and one ledger
//! append — on PostgreSQL all as one statement of data-modifying CTEs (one round trip, which
//! is what a group commit there waits on most).
//!
//! Personal data: the `id_number` and `phone` of every `party` object in an event payload or
//! in the stored state are encrypted (SM4-GCM, bound to the case id) before they are written
//! and decrypted when read. The ledger hashes the payload as stored (encrypted).
//!
//! Queues (columns of `cases`, computed when a case changes):
//! - `review_queue`: legal review requested and no opinion yet (APL Art. 58);
//! - `head_queue`: a head could now file the case, decide a recusal, decide the case or close
//!   it — `allowed(state, kind, "head", …)` for `file_case`, `decide_recusal`, `decide` or
//!   `close` (the gates the case page's buttons use) on the day of the last change.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};
use zhifa_domain::calendar::LegalCalendar;
use zhifa_domain::case::{
    AgencyFacts, BenchmarkRange, CaseEvent, CaseRules, CaseState, CertFacts, Command, Context,
    Envelope, OfficerFacts, Refusal, Stage, allowed, deadlines, decide, format_number, next_due,
    number_word, number_year,
};

use super::ledger::{
    LedgerHead, NewLeaf, append_leaves_at, append_plan, in_list, node_key, parse_hash,
};
use super::support::{
    Arg, BulkInsert, PgChain, Tx, Where, backend_of, escape_like, fetch_page, field_error,
    get_bool, now, to_json,
};
use super::{Backend, Store};
use crate::case_model::*;
use crate::crypto::FieldCipher;
use crate::error::{Result, StoreError};
use crate::ledger::{CaseEventRow, KIND_CASE_EVENT};
use crate::model::*;
use crate::scope::Scope;

/// Key of the case rules in `node_settings`.
const RULES_KEY: &str = "case_rules";

/// Prefix of an encrypted value inside a JSON payload (`sm4gcm:` + hex).
const ENC_PREFIX: &str = "sm4gcm:";

/// Party fields encrypted at rest.
const PROTECTED: [&str; 2] = ["id_number", "phone"];

/// Scripts per transaction in [`Store::run_case_scripts`].
const SCRIPTS_PER_TX: usize = 500;

/// Columns of `case_events` as [`event_row`] reads them.
pub(crate) const EVENT_COLUMNS: &str =
    "seq, case_id, version, kind, payload, actor, role, at, place, idempotency_key, leaf_index";

/// Columns of `cases` as [`summary_from_row`] reads them.
const SUMMARY_COLUMNS: &str = "id, number, agency_id, agency_name, region_code, field, procedure, \
     stage, stage_name, cause, party_name, party_type, fine_fen, opened_on, filed_on, decided_on, \
     closed_on, next_due, next_due_label, review_pending, discretion_deviation, hearing, \
     late_decision, published_on, officer_ids, version, updated_at";

/// Event kinds whose leaf hash is a decision's verification code.
const DECISION_KINDS: [&str; 2] = ["decision_made", "on_spot_decided"];

fn aad(field: &str, case_id: &str) -> Vec<u8> {
    format!("case.party.{field}:{case_id}").into_bytes()
}

/// Encrypts (or decrypts) the protected fields of every `party` object inside `value`.
fn protect(
    cipher: &dyn FieldCipher,
    case_id: &str,
    value: &mut Value,
    encrypt: bool,
) -> Result<()> {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if k == "party"
                    && let Value::Object(party) = v
                {
                    for f in PROTECTED {
                        if let Some(Value::String(s)) = party.get_mut(f) {
                            *s = if encrypt {
                                let c = cipher.encrypt(s.as_bytes(), &aad(f, case_id))?;
                                format!("{ENC_PREFIX}{}", hex::encode(c))
                            } else if let Some(h) = s.strip_prefix(ENC_PREFIX) {
                                let c = hex::decode(h)
                                    .map_err(|e| StoreError::Crypto(e.to_string()))?;
                                let p = cipher.decrypt(&c, &aad(f, case_id))?;
                                String::from_utf8(p)
                                    .map_err(|e| StoreError::Crypto(e.to_string()))?
                            } else {
                                continue;
                            };
                        }
                    }
                }
                protect(cipher, case_id, v, encrypt)?;
            }
        }
        Value::Array(items) => {
            for v in items {
                protect(cipher, case_id, v, encrypt)?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn decode_err(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Database(sqlx::Error::Decode(format!("{what}: {e}").into()))
}

/// A value serialised with its party data encrypted.
fn seal<T: serde::Serialize>(cipher: &dyn FieldCipher, case_id: &str, v: &T) -> Result<String> {
    let text = to_json(v);
    // Most events carry no party: keep their text as serialised (no JSON tree round trip).
    if !text.contains("\"party\"") {
        return Ok(text);
    }
    let mut value: Value = serde_json::from_str(&text).map_err(|e| decode_err("json", e))?;
    protect(cipher, case_id, &mut value, true)?;
    Ok(to_json(&value))
}

/// The inverse of [`seal`].
pub(crate) fn open<T: serde::de::DeserializeOwned>(
    cipher: &dyn FieldCipher,
    case_id: &str,
    text: &str,
) -> Result<T> {
    let mut value: Value = serde_json::from_str(text).map_err(|e| decode_err("json", e))?;
    protect(cipher, case_id, &mut value, false)?;
    serde_json::from_value(value).map_err(|e| decode_err("json", e))
}

pub(crate) fn parse_date(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d")
        .map_err(|e| decode_err("date", e))
}

/// A `case_events` row as stored.
fn event_row(r: &AnyRow) -> Result<(CaseEventRow, Option<i64>)> {
    Ok((
        CaseEventRow {
            seq: r.try_get("seq")?,
            case_id: r.try_get("case_id")?,
            version: r.try_get("version")?,
            kind: r.try_get("kind")?,
            actor: r.try_get("actor")?,
            role: r.try_get("role")?,
            at: r.try_get("at")?,
            place: r.try_get("place")?,
            idempotency_key: r.try_get("idempotency_key")?,
            payload: r.try_get("payload")?,
        },
        r.try_get("leaf_index")?,
    ))
}

/// A `case_events` row (read with [`EVENT_COLUMNS`]) as returned to callers, decrypted.
pub(crate) fn stored_event_row(cipher: &dyn FieldCipher, r: &AnyRow) -> Result<StoredEvent> {
    let (row, leaf) = event_row(r)?;
    stored_event(cipher, row, leaf)
}

fn stored_event(
    cipher: &dyn FieldCipher,
    row: CaseEventRow,
    leaf: Option<i64>,
) -> Result<StoredEvent> {
    let event: CaseEvent = open(cipher, &row.case_id, &row.payload)?;
    Ok(StoredEvent {
        seq: row.seq,
        case_id: row.case_id,
        version: row.version,
        kind: row.kind,
        label: event.zh().to_string(),
        actor: row.actor,
        role: row.role,
        at: row.at,
        place: row.place,
        idempotency_key: row.idempotency_key,
        event,
        leaf_index: leaf,
    })
}

fn summary_from_row(r: &AnyRow) -> Result<CaseSummary> {
    let officers: String = r.try_get("officer_ids")?;
    Ok(CaseSummary {
        id: r.try_get("id")?,
        number: r.try_get("number")?,
        agency_id: r.try_get("agency_id")?,
        agency_name: r.try_get("agency_name")?,
        region_code: r.try_get("region_code")?,
        field: r.try_get("field")?,
        procedure: r.try_get("procedure")?,
        stage: r.try_get("stage")?,
        stage_name: r.try_get("stage_name")?,
        cause: r.try_get("cause")?,
        party_name: r.try_get("party_name")?,
        party_type: r.try_get("party_type")?,
        fine_fen: r.try_get("fine_fen")?,
        opened_on: r.try_get("opened_on")?,
        filed_on: r.try_get("filed_on")?,
        decided_on: r.try_get("decided_on")?,
        closed_on: r.try_get("closed_on")?,
        next_due: r.try_get("next_due")?,
        next_due_label: r.try_get("next_due_label")?,
        review_pending: get_bool(r, "review_pending")?,
        discretion_deviation: get_bool(r, "discretion_deviation")?,
        hearing: get_bool(r, "hearing")?,
        late_decision: get_bool(r, "late_decision")?,
        published_on: r.try_get("published_on")?,
        officer_ids: serde_json::from_str(&officers).map_err(|e| decode_err("officer_ids", e))?,
        version: r.try_get("version")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// Scope condition on the `cases` table.
fn scope_where(w: &mut Where, scope: &Scope) {
    match scope {
        Scope::All => {}
        Scope::Agency(id) => {
            let p = w.arg(Arg::Text(id.clone()));
            w.and(format!("agency_id = {p}"));
        }
        Scope::Region(prefix) => {
            let p = w.arg(Arg::Text(format!("{}%", escape_like(prefix))));
            w.and(format!("region_code LIKE {p} ESCAPE '\\'"));
        }
        Scope::Public => w.and("published_on IS NOT NULL"),
    }
}

// ------------------------------------------------------------------ facts the rules consult

async fn load_rules(conn: &mut AnyConnection) -> Result<CaseRules> {
    let row = sqlx::query("SELECT value FROM node_settings WHERE key = $1")
        .bind(RULES_KEY)
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        None => Ok(CaseRules::default()),
        Some(r) => {
            let text: String = r.try_get(0)?;
            serde_json::from_str(&text).map_err(|e| decode_err("case_rules", e))
        }
    }
}

async fn load_agency(conn: &mut AnyConnection, id: &str) -> Result<Option<AgencyFacts>> {
    let row =
        sqlx::query("SELECT id, name, short_name, field, region_code FROM subjects WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    row.map(|r| {
        let name: String = r.try_get("name")?;
        let short: Option<String> = r.try_get("short_name")?;
        Ok(AgencyFacts {
            id: r.try_get("id")?,
            short_name: short
                .filter(|s| !s.trim().is_empty())
                .unwrap_or_else(|| name.clone()),
            name,
            field: r.try_get("field")?,
            region_code: r.try_get("region_code")?,
        })
    })
    .transpose()
}

/// Officers by id (or of a subject), each with their active certificate records.
async fn load_officers(
    conn: &mut AnyConnection,
    backend: Backend,
    ids: Option<&[String]>,
    subject_id: Option<&str>,
) -> Result<Vec<OfficerFacts>> {
    let base = "SELECT o.id, o.name, o.subject_id, o.active, c.number, c.status, c.valid_from, \
                c.valid_to, c.fields, c.legal_review_qualified, c.active AS cert_active \
                FROM officers o LEFT JOIN certificates c ON c.officer_id = o.id";
    let rows = match (ids, subject_id) {
        (Some(ids), _) => {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            let sql = format!(
                "{base} WHERE o.id IN {} ORDER BY o.id, c.number",
                in_list(backend, ids.len())
            );
            let mut q = sqlx::query(AssertSqlSafe(sql)).persistent(false);
            for id in ids {
                q = q.bind(id.clone());
            }
            q.fetch_all(&mut *conn).await?
        }
        (None, Some(s)) => {
            let sql = format!(
                "{base} WHERE o.subject_id = $1 AND o.active = $2 ORDER BY o.name, o.id, c.number"
            );
            sqlx::query(AssertSqlSafe(sql))
                .bind(s.to_string())
                .bind(true)
                .fetch_all(&mut *conn)
                .await?
        }
        (None, None) => return Ok(Vec::new()),
    };
    let mut out: Vec<OfficerFacts> = Vec::new();
    for r in &rows {
        let id: String = r.try_get("id")?;
        if out.last().is_none_or(|o| o.officer_id != id) {
            out.push(OfficerFacts {
                officer_id: id,
                name: r.try_get("name")?,
                subject_id: r.try_get("subject_id")?,
                active: get_bool(r, "active")?,
                certificates: Vec::new(),
            });
        }
        let number: Option<String> = r.try_get("number")?;
        // A deactivated certificate record is not shown (its status is checked by the rules).
        let shown = number.is_some() && get_bool(r, "cert_active")?;
        if let Some(number) = number.filter(|_| shown) {
            let from: String = r.try_get("valid_from")?;
            let to: String = r.try_get("valid_to")?;
            let fields: String = r.try_get("fields")?;
            let cert = CertFacts {
                number,
                status: r.try_get("status")?,
                valid_from: parse_date(&from)?,
                valid_to: parse_date(&to)?,
                fields: serde_json::from_str(&fields).map_err(|e| decode_err("fields", e))?,
                legal_review_qualified: get_bool(r, "legal_review_qualified")?,
            };
            if let Some(o) = out.last_mut() {
                o.certificates.push(cert);
            }
        }
    }
    Ok(out)
}

async fn load_benchmarks(conn: &mut AnyConnection, power_id: &str) -> Result<Vec<BenchmarkRange>> {
    sqlx::query(
        "SELECT id, level, fine_min_fen, fine_max_fen FROM benchmarks \
         WHERE power_id = $1 AND active = $2 AND fine_min_fen IS NOT NULL \
         AND fine_max_fen IS NOT NULL ORDER BY level, id",
    )
    .bind(power_id)
    .bind(true)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(BenchmarkRange {
            id: r.try_get("id")?,
            level: r.try_get("level")?,
            min_fen: r.try_get("fine_min_fen")?,
            max_fen: r.try_get("fine_max_fen")?,
        })
    })
    .collect()
}

// ------------------------------------------------------------------ the write batch

/// A number series key: agency, year, word.
type NumberKey = (String, i32, String);

/// An event about to be written.
struct EventOut {
    row: CaseEventRow,
    leaf_index: i64,
    on_date: String,
    hash: zhifa_ledger::Hash,
    event: CaseEvent,
}

/// A case command waiting for the group-commit leader.
pub(crate) struct Pending {
    scope: Scope,
    calendar: LegalCalendar,
    today: NaiveDate,
    case_id: Option<String>,
    env: Envelope,
    cmd: Command,
    /// [`command_sm3`] of the command, computed by the caller rather than the leader.
    sm3: String,
    reply: tokio::sync::oneshot::Sender<Result<CommandOutcome>>,
}

/// Group commit of case commands: concurrent callers queue their commands; the one holding
/// `leader` writes the whole queue in one transaction (one fsync), so throughput grows with
/// concurrency instead of every caller waiting for the write lock in turn.
#[derive(Default)]
pub(crate) struct GroupCommit {
    queue: std::sync::Mutex<Vec<Pending>>,
    leader: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// The ledger's right edge after the last group this process committed (PostgreSQL), so
    /// the next group need not read it; used only when the log still has that size.
    edge: std::sync::Mutex<Option<zhifa_ledger::CompactRange>>,
    /// The facts the last committed batch looked up, for the next one.
    facts: std::sync::Mutex<Option<FactsCache>>,
}

/// The facts a batch looked up (agencies, officers with their certificates, benchmark ranges),
/// kept for the next write transaction of this process as long as the change log has not
/// grown. Every change of base data appends a change-log row under the write lock that case
/// writes also hold, so the same `MAX(seq)` of `changes` at the start of a later write
/// transaction means the same facts. Stored only after a commit (a rolled-back change could
/// otherwise leave its sequence number to a different change).
#[derive(Debug, Clone, Default)]
struct FactsCache {
    change_seq: i64,
    agencies: HashMap<String, Option<AgencyFacts>>,
    officers: HashMap<String, Option<OfficerFacts>>,
    benchmarks: HashMap<String, Vec<BenchmarkRange>>,
}

impl GroupCommit {
    /// The cached facts if they are still those of `change_seq`.
    fn facts_at(&self, change_seq: i64) -> Option<FactsCache> {
        let guard = self.facts.lock().unwrap_or_else(|e| e.into_inner());
        guard
            .as_ref()
            .filter(|f| f.change_seq == change_seq)
            .cloned()
    }

    /// Keeps the facts of a committed batch.
    fn keep_facts(&self, facts: FactsCache) {
        *self.facts.lock().unwrap_or_else(|e| e.into_inner()) = Some(facts);
    }
}

impl std::fmt::Debug for GroupCommit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupCommit").finish_non_exhaustive()
    }
}

/// A case projection about to be written.
struct CaseOut {
    state: CaseState,
    decision_seq: Option<i64>,
    decision_hash: Option<String>,
    updated_at: String,
}

/// A command's idempotency record about to be written.
struct CommandOut {
    key: String,
    case_id: String,
    kind: String,
    sm3: String,
    first_seq: i64,
    last_seq: i64,
    at: String,
}

/// Everything one write transaction decides and writes.
struct Batch<'a> {
    calendar: &'a LegalCalendar,
    today: NaiveDate,
    rules: CaseRules,
    agencies: HashMap<String, Option<AgencyFacts>>,
    officers: HashMap<String, Option<OfficerFacts>>,
    benchmarks: HashMap<String, Vec<BenchmarkRange>>,
    numbers: HashMap<NumberKey, i64>,
    numbers_used: HashSet<NumberKey>,
    /// `MAX(seq)` of the change log when the batch began (see [`FactsCache`]).
    change_seq: i64,
    next_seq: i64,
    first_leaf: i64,
    /// The ledger's hash function.
    hash: zhifa_ledger::HashAlg,
    events: Vec<EventOut>,
    cases: HashMap<String, CaseOut>,
    case_order: Vec<String>,
    commands: Vec<CommandOut>,
}

/// SM3 (hex) of the canonical JSON of a command and the case it targets.
fn command_sm3(case_id: Option<&str>, cmd: &Command) -> String {
    use sm3::Digest;
    let text = to_json(&(case_id, cmd));
    hex::encode(sm3::Sm3::digest(text.as_bytes()))
}

impl<'a> Batch<'a> {
    async fn new(tx: &mut Tx, calendar: &'a LegalCalendar, today: NaiveDate) -> Result<Batch<'a>> {
        // One round trip for the batch's starting point: next event seq, the ledger's size
        // and hash function, the rules.
        let row = sqlx::query(
            "SELECT (SELECT COALESCE(MAX(seq), 0) + 1 FROM case_events), \
             COALESCE((SELECT MAX(leaf_index) + 1 FROM ledger_leaves), 0), \
             (SELECT value FROM meta WHERE key = $1), \
             (SELECT value FROM node_settings WHERE key = $2), \
             (SELECT COALESCE(MAX(seq), 0) FROM changes)",
        )
        .bind(crate::ledger::LEDGER_HASH_KEY)
        .bind(RULES_KEY)
        .fetch_one(&mut **tx)
        .await?;
        let next_seq: i64 = row.try_get(0)?;
        let head = super::ledger::LedgerHead {
            size: row.try_get::<i64, _>(1)?.max(0) as u64,
            alg: super::ledger::parse_alg(row.try_get::<Option<String>, _>(2)?.as_deref())?,
        };
        let rules = match row.try_get::<Option<String>, _>(3)? {
            None => CaseRules::default(),
            Some(text) => serde_json::from_str(&text).map_err(|e| decode_err("case_rules", e))?,
        };
        Ok(Batch {
            calendar,
            today,
            rules,
            agencies: HashMap::new(),
            officers: HashMap::new(),
            benchmarks: HashMap::new(),
            numbers: HashMap::new(),
            numbers_used: HashSet::new(),
            change_seq: row.try_get(4)?,
            next_seq,
            first_leaf: head.size as i64,
            hash: head.alg,
            events: Vec::new(),
            cases: HashMap::new(),
            case_order: Vec::new(),
            commands: Vec::new(),
        })
    }

    /// Starts from the facts an earlier batch of this process looked up, when they are still
    /// current.
    fn adopt(&mut self, group: &GroupCommit) {
        if let Some(f) = group.facts_at(self.change_seq) {
            self.agencies = f.agencies;
            self.officers = f.officers;
            self.benchmarks = f.benchmarks;
        }
    }

    /// The facts looked up so far, for the next batch (after this one commits).
    fn facts(&self) -> FactsCache {
        FactsCache {
            change_seq: self.change_seq,
            agencies: self.agencies.clone(),
            officers: self.officers.clone(),
            benchmarks: self.benchmarks.clone(),
        }
    }

    async fn agency(&mut self, tx: &mut Tx, id: &str) -> Result<Option<AgencyFacts>> {
        if let Some(a) = self.agencies.get(id) {
            return Ok(a.clone());
        }
        let a = load_agency(tx, id).await?;
        self.agencies.insert(id.to_string(), a.clone());
        Ok(a)
    }

    async fn officer_facts(&mut self, tx: &mut Tx, ids: &[String]) -> Result<Vec<OfficerFacts>> {
        let missing: Vec<String> = ids
            .iter()
            .filter(|id| !self.officers.contains_key(*id))
            .cloned()
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        if !missing.is_empty() {
            let backend = backend_of(tx);
            for o in load_officers(tx, backend, Some(&missing), None).await? {
                self.officers.insert(o.officer_id.clone(), Some(o));
            }
            for id in missing {
                self.officers.entry(id).or_insert(None);
            }
        }
        let mut seen = HashSet::new();
        Ok(ids
            .iter()
            .filter(|id| seen.insert(id.as_str()))
            .filter_map(|id| self.officers.get(id).cloned().flatten())
            .collect())
    }

    async fn benchmarks_of(
        &mut self,
        tx: &mut Tx,
        power: Option<&str>,
    ) -> Result<Vec<BenchmarkRange>> {
        let Some(p) = power else {
            return Ok(Vec::new());
        };
        if let Some(b) = self.benchmarks.get(p) {
            return Ok(b.clone());
        }
        let b = load_benchmarks(tx, p).await?;
        self.benchmarks.insert(p.to_string(), b.clone());
        Ok(b)
    }

    async fn peek_number(&mut self, tx: &mut Tx, key: &NumberKey) -> Result<i64> {
        if let Some(n) = self.numbers.get(key) {
            return Ok(*n);
        }
        let row = sqlx::query(
            "SELECT next FROM case_numbers WHERE agency_id = $1 AND year = $2 AND word = $3",
        )
        .bind(key.0.clone())
        .bind(i64::from(key.1))
        .bind(key.2.clone())
        .fetch_optional(&mut **tx)
        .await?;
        let n = match row {
            Some(r) => r.try_get::<i64, _>(0)?,
            None => 1,
        };
        self.numbers.insert(key.clone(), n);
        Ok(n)
    }

    /// Decides one command against `state`. On success, returns the events and the number
    /// key consumed (already advanced in the batch's counters).
    async fn decide(
        &mut self,
        tx: &mut Tx,
        scope: &Scope,
        state: &CaseState,
        env: &Envelope,
        cmd: &Command,
    ) -> Result<std::result::Result<(Vec<CaseEvent>, Option<NumberKey>), Refusal>> {
        let agency_id = match cmd {
            Command::RegisterLead { agency_id, .. } | Command::ImposeOnSpot { agency_id, .. } => {
                agency_id.clone()
            }
            _ => state.agency_id.clone(),
        };
        let agency = self
            .agency(tx, &agency_id)
            .await?
            .filter(|a| !cmd.starts_case() || scope.covers_agency(&a.id, &a.region_code));
        let mut ids = cmd.officer_ids();
        ids.extend(env.officer_id.iter().cloned());
        let officers = self.officer_facts(tx, &ids).await?;
        let power = match cmd {
            Command::RegisterLead { power_id, .. } => power_id.clone(),
            _ => state.power_id.clone(),
        };
        let benchmarks = self.benchmarks_of(tx, power.as_deref()).await?;
        let mut number = None;
        let mut key = None;
        if let (Some(word), Some(a)) = (number_word(cmd), agency.as_ref()) {
            let year = number_year(cmd);
            let k: NumberKey = (a.id.clone(), year, word.to_string());
            let seq = self.peek_number(tx, &k).await?;
            number = Some(format_number(&a.short_name, word, year, seq));
            key = Some(k);
        }
        let ctx = Context {
            today: self.today,
            calendar: self.calendar,
            rules: &self.rules,
            officers: &officers,
            agency: agency.as_ref(),
            benchmarks: &benchmarks,
            number: number.as_deref(),
        };
        match decide(state, env, cmd, &ctx) {
            Err(r) => Ok(Err(r)),
            Ok(events) => {
                let used = number.as_ref().and_then(|n| {
                    events
                        .iter()
                        .any(|e| matches!(e, CaseEvent::CaseFiled { number: x, .. } | CaseEvent::OnSpotDecided { number: x, .. } if x == n))
                        .then_some(())
                });
                let key = match (used, key) {
                    (Some(()), Some(k)) => {
                        if let Some(n) = self.numbers.get_mut(&k) {
                            *n += 1;
                        }
                        self.numbers_used.insert(k.clone());
                        Some(k)
                    }
                    _ => None,
                };
                Ok(Ok((events, key)))
            }
        }
    }

    /// Gives back a number taken by a script that was refused later on (only the latest
    /// number of its series, so the series stays without gaps).
    fn give_back(&mut self, key: &NumberKey) {
        if let Some(n) = self.numbers.get_mut(key) {
            *n -= 1;
        }
    }

    /// Appends a command's events to the batch (assigning seq and leaf indexes) and folds
    /// them into `state`.
    fn record(
        &mut self,
        cipher: &dyn FieldCipher,
        case_id: &str,
        case: &mut CaseOut,
        (env, command_kind): (&Envelope, &str),
        sm3: String,
        events: Vec<CaseEvent>,
    ) -> Result<()> {
        let CaseOut {
            state,
            decision_seq,
            decision_hash,
            updated_at,
        } = case;
        updated_at.clone_from(&env.at);
        let first_seq = self.next_seq;
        for event in events {
            let seq = self.next_seq;
            self.next_seq += 1;
            state.apply(&event);
            let payload = seal(cipher, case_id, &event)?;
            let row = CaseEventRow {
                seq,
                case_id: case_id.to_string(),
                version: state.version as i64,
                kind: event.kind().to_string(),
                actor: env.actor.clone(),
                role: env.role.clone(),
                at: env.at.clone(),
                place: env.place.clone(),
                idempotency_key: env.idempotency_key.clone(),
                payload,
            };
            let hash = row.leaf_hash(self.hash);
            if DECISION_KINDS.contains(&row.kind.as_str()) {
                *decision_seq = Some(seq);
                *decision_hash = Some(hash.to_hex());
            }
            let leaf_index = self.first_leaf + self.events.len() as i64;
            self.events.push(EventOut {
                hash,
                on_date: state.last_on.map(|d| d.to_string()).unwrap_or_default(),
                row,
                leaf_index,
                event,
            });
        }
        self.commands.push(CommandOut {
            key: env.idempotency_key.clone(),
            case_id: case_id.to_string(),
            kind: command_kind.to_string(),
            sm3,
            first_seq,
            last_seq: self.next_seq - 1,
            at: env.at.clone(),
        });
        Ok(())
    }

    fn set_case(&mut self, case_id: &str, case: CaseOut) {
        if !self.cases.contains_key(case_id) {
            self.case_order.push(case_id.to_string());
        }
        self.cases.insert(case_id.to_string(), case);
    }

    /// Writes everything: events, their leaves, projections, idempotency records, counters.
    /// On PostgreSQL the inserts go as one statement (one round trip) when they fit, and the
    /// ledger's right edge is taken from `known` when it is current; the edge after the append
    /// is returned for the next group (valid once the transaction commits).
    async fn flush(
        self,
        tx: &mut Tx,
        cipher: &dyn FieldCipher,
        known: Option<zhifa_ledger::CompactRange>,
    ) -> Result<(Vec<EventOut>, Option<zhifa_ledger::CompactRange>)> {
        let backend = backend_of(tx);
        let at = now();
        let head = LedgerHead {
            size: self.first_leaf as u64,
            alg: self.hash,
        };
        let leaves: Vec<NewLeaf<'_>> = self
            .events
            .iter()
            .map(|e| NewLeaf {
                kind: KIND_CASE_EVENT,
                reference: e.row.seq.to_string(),
                hash: e.hash,
            })
            .collect();
        let mut rows = Vec::with_capacity(self.case_order.len());
        for id in &self.case_order {
            let c = &self.cases[id];
            let agency = self.agencies.get(&c.state.agency_id).cloned().flatten();
            rows.push(project(
                cipher,
                id,
                c,
                agency.as_ref(),
                &self.rules,
                self.calendar,
                self.today,
            )?);
        }
        let mut edge = None;
        let chained = backend == Backend::Postgres && {
            let nodes = if leaves.is_empty() {
                Vec::new()
            } else {
                let (nodes, after) = append_plan(tx, backend, head, &leaves, known).await?;
                edge = Some(after);
                nodes
            };
            let mut chain = PgChain::default();
            // Cases before their events (the statistics triggers of an event read its case;
            // PostgreSQL fires them after the whole statement anyway).
            let parts = [
                (CASES_HEAD, CASE_COLS, rows.len(), CASES_TAIL),
                (EVENTS_HEAD, EVENT_COLS, self.events.len(), ""),
                (LEAVES_HEAD, LEAF_COLS, leaves.len(), ""),
                (NODES_HEAD, NODE_COLS, nodes.len(), ""),
                (COMMANDS_HEAD, COMMAND_COLS, self.commands.len(), ""),
            ];
            let total: usize = parts.iter().map(|(_, c, n, _)| c * n).sum();
            if chain.fits(total, 1) {
                for (head, cols, n, tail) in parts {
                    chain.add(head, cols, n, tail);
                }
                if let Some(sql) = chain.sql() {
                    let mut q = sqlx::query(AssertSqlSafe(sql)).persistent(false);
                    for r in &rows {
                        q = bind_case(q, r);
                    }
                    for e in &self.events {
                        q = bind_event(q, e);
                    }
                    for (i, l) in leaves.iter().enumerate() {
                        q = bind_leaf(q, head.size as i64 + i as i64, l, &at);
                    }
                    for n in &nodes {
                        q = q.bind(node_key(n.id())).bind(n.hash.to_hex());
                    }
                    for c in &self.commands {
                        q = bind_command(q, c);
                    }
                    q.execute(&mut **tx).await?;
                }
                true
            } else {
                false
            }
        };
        if !chained {
            // Cases before their events: the statistics trigger of an inspection record
            // reads its case's row.
            BulkInsert {
                head: CASES_HEAD,
                cols: CASE_COLS,
                rows_per_statement: 200,
                tail: CASES_TAIL,
            }
            .run(tx, backend, &rows, bind_case)
            .await?;
            BulkInsert {
                head: EVENTS_HEAD,
                cols: EVENT_COLS,
                rows_per_statement: 400,
                tail: "",
            }
            .run(tx, backend, &self.events, bind_event)
            .await?;
            if !leaves.is_empty() {
                append_leaves_at(tx, backend, head, &leaves, &at).await?;
            }
            edge = None;
            BulkInsert {
                head: COMMANDS_HEAD,
                cols: COMMAND_COLS,
                rows_per_statement: 500,
                tail: "",
            }
            .run(tx, backend, &self.commands, bind_command)
            .await?;
        }
        for key in &self.numbers_used {
            sqlx::query(
                "INSERT INTO case_numbers (agency_id, year, word, next) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (agency_id, year, word) DO UPDATE SET next = excluded.next",
            )
            .bind(key.0.clone())
            .bind(i64::from(key.1))
            .bind(key.2.clone())
            .bind(self.numbers[key])
            .execute(&mut **tx)
            .await?;
        }
        Ok((self.events, edge))
    }
}

/// A query under construction (the binders below add one row's values each).
type Q = sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments>;

const EVENTS_HEAD: &str = "INSERT INTO case_events (seq, case_id, version, kind, payload, actor, \
                           role, at, place, idempotency_key, on_date, leaf_index)";
const EVENT_COLS: usize = 12;
const LEAVES_HEAD: &str = "INSERT INTO ledger_leaves (leaf_index, kind, ref, leaf_hash, at)";
const LEAF_COLS: usize = 5;
const NODES_HEAD: &str = "INSERT INTO ledger_nodes (id, hash)";
const NODE_COLS: usize = 2;
const CASES_HEAD: &str = "INSERT INTO cases (id, number, agency_id, agency_name, region_code, field, \
                   procedure, stage, stage_name, cause, party_name, party_type, fine_fen, opened_on, \
                   filed_on, decided_on, closed_on, next_due, next_due_label, review_pending, \
                   discretion_deviation, hearing, late_decision, published_on, officer_ids, version, \
                   updated_at, state, power_id, review_queue, head_queue, decision_seq, \
                   decision_hash, review_requested)";
const CASE_COLS: usize = 34;
const CASES_TAIL: &str = "ON CONFLICT (id) DO UPDATE SET number = excluded.number, \
                   agency_name = excluded.agency_name, region_code = excluded.region_code, \
                   field = excluded.field, procedure = excluded.procedure, stage = excluded.stage, \
                   stage_name = excluded.stage_name, cause = excluded.cause, \
                   party_name = excluded.party_name, party_type = excluded.party_type, \
                   fine_fen = excluded.fine_fen, opened_on = excluded.opened_on, \
                   filed_on = excluded.filed_on, decided_on = excluded.decided_on, \
                   closed_on = excluded.closed_on, next_due = excluded.next_due, \
                   next_due_label = excluded.next_due_label, \
                   review_pending = excluded.review_pending, \
                   discretion_deviation = excluded.discretion_deviation, \
                   hearing = excluded.hearing, late_decision = excluded.late_decision, \
                   published_on = excluded.published_on, officer_ids = excluded.officer_ids, \
                   version = excluded.version, updated_at = excluded.updated_at, \
                   state = excluded.state, power_id = excluded.power_id, \
                   review_queue = excluded.review_queue, head_queue = excluded.head_queue, \
                   decision_seq = excluded.decision_seq, decision_hash = excluded.decision_hash, \
                   review_requested = excluded.review_requested";
const COMMANDS_HEAD: &str = "INSERT INTO case_commands (idempotency_key, case_id, command, \
                             command_sm3, first_seq, last_seq, at)";
const COMMAND_COLS: usize = 7;

fn bind_event(q: Q, e: &EventOut) -> Q {
    q.bind(e.row.seq)
        .bind(e.row.case_id.clone())
        .bind(e.row.version)
        .bind(e.row.kind.clone())
        .bind(e.row.payload.clone())
        .bind(e.row.actor.clone())
        .bind(e.row.role.clone())
        .bind(e.row.at.clone())
        .bind(e.row.place.clone())
        .bind(e.row.idempotency_key.clone())
        .bind(e.on_date.clone())
        .bind(e.leaf_index)
}

fn bind_leaf(q: Q, index: i64, l: &NewLeaf<'_>, at: &str) -> Q {
    q.bind(index)
        .bind(l.kind.to_string())
        .bind(l.reference.clone())
        .bind(l.hash.to_hex())
        .bind(at.to_string())
}

fn bind_case(q: Q, r: &Projection) -> Q {
    let s = &r.summary;
    q.bind(s.id.clone())
        .bind(s.number.clone())
        .bind(s.agency_id.clone())
        .bind(s.agency_name.clone())
        .bind(s.region_code.clone())
        .bind(s.field.clone())
        .bind(s.procedure.clone())
        .bind(s.stage.clone())
        .bind(s.stage_name.clone())
        .bind(s.cause.clone())
        .bind(s.party_name.clone())
        .bind(s.party_type.clone())
        .bind(s.fine_fen)
        .bind(s.opened_on.clone())
        .bind(s.filed_on.clone())
        .bind(s.decided_on.clone())
        .bind(s.closed_on.clone())
        .bind(s.next_due.clone())
        .bind(s.next_due_label.clone())
        .bind(s.review_pending)
        .bind(s.discretion_deviation)
        .bind(s.hearing)
        .bind(s.late_decision)
        .bind(s.published_on.clone())
        .bind(to_json(&s.officer_ids))
        .bind(s.version)
        .bind(s.updated_at.clone())
        .bind(r.state.clone())
        .bind(r.power_id.clone())
        .bind(r.review_queue)
        .bind(r.head_queue)
        .bind(r.decision_seq)
        .bind(r.decision_hash.clone())
        .bind(r.review_requested)
}

fn bind_command(q: Q, c: &CommandOut) -> Q {
    q.bind(c.key.clone())
        .bind(c.case_id.clone())
        .bind(c.kind.clone())
        .bind(c.sm3.clone())
        .bind(c.first_seq)
        .bind(c.last_seq)
        .bind(c.at.clone())
}

/// A `cases` row.
struct Projection {
    summary: CaseSummary,
    state: String,
    power_id: Option<String>,
    review_queue: bool,
    /// Legal review (法制审核) was requested: the review figures of the statistics.
    review_requested: bool,
    head_queue: bool,
    decision_seq: Option<i64>,
    decision_hash: Option<String>,
}

/// The projection of a case's state (APL Art. 58 review, Art. 60 decision period, …).
fn project(
    cipher: &dyn FieldCipher,
    id: &str,
    c: &CaseOut,
    agency: Option<&AgencyFacts>,
    rules: &CaseRules,
    calendar: &LegalCalendar,
    today: NaiveDate,
) -> Result<Projection> {
    let s = &c.state;
    let stage = s.stage();
    let clocks = deadlines(s, calendar, rules, today);
    let due = next_due(&clocks);
    let fine_fen = match &s.decision {
        Some(d) => d.penalty.as_ref().map_or(0, |p| p.fine_fen),
        None => s.proposal.as_ref().map_or(0, |p| p.fine_fen),
    };
    let in_review_stages = matches!(stage, Stage::Notice | Stage::Review);
    let review_pending =
        in_review_stages && !s.review_triggers(rules).is_empty() && !s.review_approved();
    let ctx = Context {
        today,
        calendar,
        rules,
        officers: &[],
        agency,
        benchmarks: &[],
        number: None,
    };
    let head_queue = stage.is_open()
        && ["file_case", "decide_recusal", "decide", "close"]
            .iter()
            .any(|kind| allowed(s, kind, "head", &ctx));
    let review_queue = s.review.requested.is_some() && s.review.opinion.is_none();
    let opened = s
        .lead_on
        .or(s.decision.as_ref().map(|d| d.on))
        .or(s.last_on)
        .map(|d| d.to_string())
        .unwrap_or_default();
    Ok(Projection {
        summary: CaseSummary {
            id: id.to_string(),
            number: s.number.clone(),
            agency_id: s.agency_id.clone(),
            agency_name: s.agency_name.clone(),
            region_code: agency.map(|a| a.region_code.clone()).unwrap_or_default(),
            field: s.field.clone(),
            procedure: s.procedure.map_or("2", |p| p.code()).to_string(),
            stage: stage.code().to_string(),
            stage_name: stage.zh().to_string(),
            cause: s.cause.clone(),
            party_name: s.party.name.clone(),
            party_type: s.party.party_type.clone(),
            fine_fen,
            opened_on: opened,
            filed_on: s.filed_on.map(|d| d.to_string()),
            decided_on: s.decision.as_ref().map(|d| d.on.to_string()),
            closed_on: s.closed_on.map(|d| d.to_string()),
            next_due: due.map(|c| c.due.to_string()),
            next_due_label: due.map(|c| c.label.clone()),
            review_pending,
            discretion_deviation: s.discretion.as_ref().is_some_and(|d| d.deviates),
            hearing: s.hearing.requested.is_some() || s.hearing_was_held,
            late_decision: s.decision.as_ref().is_some_and(|d| d.late),
            published_on: s.published.map(|d| d.to_string()),
            officer_ids: s.officers.iter().map(|o| o.officer_id.clone()).collect(),
            version: s.version as i64,
            updated_at: c.updated_at.clone(),
        },
        state: seal(cipher, id, s)?,
        power_id: s.power_id.clone(),
        review_queue,
        review_requested: s.review.requested.is_some(),
        head_queue,
        decision_seq: c.decision_seq,
        decision_hash: c.decision_hash.clone(),
    })
}

/// The rows of `{select} IN (keys…)`, in one round trip (none when `keys` is empty).
pub(crate) async fn rows_where_in(
    tx: &mut Tx,
    backend: Backend,
    select: &str,
    keys: &HashSet<&str>,
) -> Result<Vec<AnyRow>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!("{select} IN {}", in_list(backend, keys.len()));
    // Not cached: the text varies with the group's size.
    let mut q = sqlx::query(AssertSqlSafe(sql)).persistent(false);
    for k in keys {
        q = q.bind(k.to_string());
    }
    Ok(q.fetch_all(&mut **tx).await?)
}

/// An earlier use of an idempotency key (`case_commands` row).
struct PriorCommand {
    case_id: String,
    sm3: String,
    first_seq: i64,
    last_seq: i64,
}

/// The earlier uses of the idempotency keys of `group`, by key, in one query.
async fn prior_commands(
    tx: &mut Tx,
    backend: Backend,
    group: &[Pending],
) -> Result<HashMap<String, PriorCommand>> {
    let keys: HashSet<&str> = group
        .iter()
        .map(|p| p.env.idempotency_key.as_str())
        .collect();
    let select = "SELECT idempotency_key, case_id, command_sm3, first_seq, last_seq \
                  FROM case_commands WHERE idempotency_key";
    rows_where_in(tx, backend, select, &keys)
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.try_get("idempotency_key")?,
                PriorCommand {
                    case_id: r.try_get("case_id")?,
                    sm3: r.try_get("command_sm3")?,
                    first_seq: r.try_get("first_seq")?,
                    last_seq: r.try_get("last_seq")?,
                },
            ))
        })
        .collect()
}

/// A case's stored row as the writer needs it: sealed state, agency and region (for the
/// scope check), decision seq and decision leaf hash.
struct StoredCase {
    state: String,
    agency_id: String,
    region_code: String,
    decision_seq: Option<i64>,
    decision_hash: Option<String>,
}

/// The stored rows of the cases `group` targets, by id, in one query.
async fn stored_cases(
    tx: &mut Tx,
    backend: Backend,
    group: &[Pending],
) -> Result<HashMap<String, StoredCase>> {
    let ids: HashSet<&str> = group.iter().filter_map(|p| p.case_id.as_deref()).collect();
    let select = "SELECT id, state, agency_id, region_code, decision_seq, decision_hash \
                  FROM cases WHERE id";
    rows_where_in(tx, backend, select, &ids)
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.try_get("id")?,
                StoredCase {
                    state: r.try_get("state")?,
                    agency_id: r.try_get("agency_id")?,
                    region_code: r.try_get("region_code")?,
                    decision_seq: r.try_get("decision_seq")?,
                    decision_hash: r.try_get("decision_hash")?,
                },
            ))
        })
        .collect()
}

/// The stored state, decision seq and decision hash of case `id` when it lies inside
/// `scope`, else `NotFound` (a case outside the caller's scope does not exist for them).
fn in_scope<'c>(
    cases: &'c HashMap<String, StoredCase>,
    scope: &Scope,
    id: &str,
) -> Result<(&'c str, Option<i64>, &'c Option<String>)> {
    match cases.get(id) {
        Some(c) if scope.covers_agency(&c.agency_id, &c.region_code) => {
            Ok((&c.state, c.decision_seq, &c.decision_hash))
        }
        _ => Err(StoreError::NotFound {
            entity: "case",
            id: id.to_string(),
        }),
    }
}

impl Store {
    /// The stored row of a case event, for an offline proof of it (APL Art. 47 全过程记录):
    /// `ce:SEQ` names one event; a case id or case number (案件编号) names the case's decision
    /// event — the leaf its published verification code is the hash of — or its newest event
    /// while undecided. `NotFound` (entity `case_event`) when nothing matches.
    pub async fn case_event_for_proof(&self, selector: &str) -> Result<CaseEventRow> {
        let selector = selector.trim();
        let not_found = || StoreError::NotFound {
            entity: "case_event",
            id: selector.to_string(),
        };
        let seq: i64 = match selector.strip_prefix("ce:") {
            Some(n) => n.trim().parse().map_err(|_| not_found())?,
            None => {
                let row = sqlx::query(
                    "SELECT c.decision_seq, (SELECT MAX(e.seq) FROM case_events e \
                     WHERE e.case_id = c.id) AS newest FROM cases c \
                     WHERE c.id = $1 OR c.number = $1 ORDER BY c.id LIMIT 1",
                )
                .bind(selector)
                .fetch_optional(&self.pool)
                .await?
                .ok_or_else(not_found)?;
                let decision: Option<i64> = row.try_get("decision_seq")?;
                let newest: Option<i64> = row.try_get("newest")?;
                decision.or(newest).ok_or_else(not_found)?
            }
        };
        let sql = format!("SELECT {EVENT_COLUMNS} FROM case_events WHERE seq = $1");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(seq)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(not_found)?;
        Ok(event_row(&row)?.0)
    }

    /// The node's case-handling thresholds ([`CaseRules::default`] when never set).
    pub async fn case_rules(&self) -> Result<CaseRules> {
        let mut conn = self.pool.acquire().await?;
        load_rules(&mut conn).await
    }

    /// Replaces the node's thresholds (administrators). Checked with [`CaseRules::check`]
    /// (`Invalid` with field `case_rules.<field>`); the change is logged (entity `setting`, id
    /// `case_rules`) and so becomes a ledger leaf in the same transaction.
    pub async fn set_case_rules(&self, actor: &Actor, rules: &CaseRules) -> Result<CaseRules> {
        if let Err((field, message)) = rules.check() {
            return Err(StoreError::invalid(field_error(
                format!("case_rules.{field}"),
                "case_rules.invalid",
                message,
            )));
        }
        self.set_node_setting(RULES_KEY, rules, actor).await?;
        Ok(rules.clone())
    }

    /// Decides one case command with the procedure rules and records its events in one
    /// transaction: idempotency check, state, facts, number allocation, `decide`, events with
    /// their ledger leaves, projection, idempotency record.
    ///
    /// `case_id` is `None` for a command that starts a case (its agency must lie in `scope`,
    /// else the rules refuse with `case.agency.unknown`). Errors: `NotFound` for a case
    /// outside `scope`; `Refused` when the rules say no (nothing written, no number used);
    /// `IdempotencyConflict` when the key was used for a different command. A retry with the
    /// same key and command returns the first result with `replayed = true`.
    pub async fn execute_case_command(
        &self,
        scope: &Scope,
        calendar: &LegalCalendar,
        today: NaiveDate,
        case_id: Option<&str>,
        env: &Envelope,
        cmd: &Command,
    ) -> Result<CommandOutcome> {
        let (reply, mut answer) = tokio::sync::oneshot::channel();
        let request = Pending {
            scope: scope.clone(),
            calendar: calendar.clone(),
            today,
            case_id: case_id.map(str::to_string),
            env: env.clone(),
            cmd: cmd.clone(),
            sm3: command_sm3(case_id, cmd),
            reply,
        };
        self.group
            .queue
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(request);
        // Group commit: whoever holds the leader lock writes every queued command in one
        // transaction. A follower returns as soon as a leader answers it, without waiting its
        // turn for the lock.
        let lost = || {
            Err(StoreError::Ledger(
                "案件指令未得到处理结果（写入组异常结束）".to_string(),
            ))
        };
        tokio::select! {
            biased;
            done = &mut answer => done.unwrap_or_else(|_| lost()),
            leader = self.group.leader.clone().lock_owned() => {
                if let Ok(done) = answer.try_recv() {
                    return done;
                }
                let queued: Vec<Pending> = std::mem::take(
                    &mut *self.group.queue.lock().unwrap_or_else(|e| e.into_inner()),
                );
                // The group is written by a task of its own that keeps the leader lock: a
                // caller going away (e.g. its client disconnected) must not cancel the other
                // callers' commands half-way.
                let store = self.clone();
                let writer = tokio::spawn(async move {
                    store.write_group(queued).await;
                    drop(leader);
                });
                if writer.await.is_err() {
                    return lost();
                }
                answer.try_recv().unwrap_or_else(|_| lost())
            }
        }
    }

    /// Writes a group of queued commands in one transaction and answers each. When the
    /// transaction fails as a whole, each command is retried alone so every caller gets its
    /// own precise result.
    async fn write_group(&self, queued: Vec<Pending>) {
        if queued.is_empty() {
            return;
        }
        if queued.len() == 1 {
            let mut queued = queued;
            if let Some(p) = queued.pop() {
                let result = self.write_one(&p).await;
                let _ = p.reply.send(result);
            }
            return;
        }
        match self.try_group(&queued).await {
            Ok(results) => {
                for (p, r) in queued.into_iter().zip(results) {
                    let _ = p.reply.send(r);
                }
            }
            Err(_) => {
                for p in queued {
                    let result = self.write_one(&p).await;
                    let _ = p.reply.send(result);
                }
            }
        }
    }

    /// One command in its own transaction.
    async fn write_one(&self, p: &Pending) -> Result<CommandOutcome> {
        self.try_group(std::slice::from_ref(p))
            .await?
            .pop()
            .unwrap_or_else(|| Err(StoreError::Ledger("空的写入组".to_string())))
    }

    /// Decides and writes `group` in one transaction. The outer error is a failure of the
    /// transaction itself; the inner results are each command's own (refusal, scope,
    /// idempotency conflict, replay or the events written).
    async fn try_group(&self, group: &[Pending]) -> Result<Vec<Result<CommandOutcome>>> {
        let Some(first) = group.first() else {
            return Ok(Vec::new());
        };
        let started = std::time::Instant::now();
        let mut tx = self.begin_write().await?;
        let mut batch = Batch::new(&mut tx, &first.calendar, first.today).await?;
        batch.adopt(&self.group);
        let began = started.elapsed();
        // Per command: a finished result, or the seq range of its events once written, or
        // the index of an earlier command in this group it replays.
        enum Slot {
            Done(Result<CommandOutcome>),
            Written(String, i64, i64),
            ReplayOf(usize),
        }
        // What every command of the group needs from storage, read in three round trips
        // rather than several per command: earlier uses of the idempotency keys, the cases'
        // stored states, the officers named.
        let backend = backend_of(&tx);
        let prior = prior_commands(&mut tx, backend, group).await?;
        let stored_cases = stored_cases(&mut tx, backend, group).await?;
        let named: Vec<String> = group
            .iter()
            .flat_map(|p| {
                p.cmd
                    .officer_ids()
                    .into_iter()
                    .chain(p.env.officer_id.clone())
            })
            .collect();
        batch.officer_facts(&mut tx, &named).await?;
        let read = started.elapsed();
        let mut slots: Vec<Slot> = Vec::with_capacity(group.len());
        let mut keys: HashMap<&str, (usize, String)> = HashMap::new();
        for (i, p) in group.iter().enumerate() {
            let sm3 = p.sm3.clone();
            let key = p.env.idempotency_key.as_str();
            if let Some((j, earlier)) = keys.get(key) {
                slots.push(if *earlier == sm3 {
                    Slot::ReplayOf(*j)
                } else {
                    Slot::Done(Err(StoreError::IdempotencyConflict(key.to_string())))
                });
                continue;
            }
            if let Some(first) = prior.get(key) {
                let done = self.replay(&mut tx, &p.scope, key, &sm3, first).await?;
                slots.push(Slot::Done(done));
                continue;
            }
            let (id, mut case, from_batch) = match p.case_id.as_deref() {
                Some(id) => match in_scope(&stored_cases, &p.scope, id) {
                    Ok((text, seq, hash)) => match batch.cases.remove(id) {
                        // Changed earlier in this group: continue from that state.
                        Some(c) => (id.to_string(), c, true),
                        None => (
                            id.to_string(),
                            CaseOut {
                                state: open(&*self.cipher, id, text)?,
                                decision_seq: seq,
                                decision_hash: hash.clone(),
                                updated_at: String::new(),
                            },
                            false,
                        ),
                    },
                    Err(e @ StoreError::NotFound { .. }) => {
                        slots.push(Slot::Done(Err(e)));
                        continue;
                    }
                    Err(e) => return Err(e),
                },
                None => (
                    super::support::new_id(),
                    CaseOut {
                        state: CaseState::default(),
                        decision_seq: None,
                        decision_hash: None,
                        updated_at: String::new(),
                    },
                    false,
                ),
            };
            let decided = batch
                .decide(&mut tx, &p.scope, &case.state, &p.env, &p.cmd)
                .await?;
            let events = match decided {
                Ok((events, _)) => events,
                Err(refusal) => {
                    if from_batch {
                        // Put back what earlier commands of this group changed.
                        batch.cases.insert(id, case);
                    }
                    slots.push(Slot::Done(Err(StoreError::Refused(refusal))));
                    continue;
                }
            };
            let first_seq = batch.next_seq;
            batch.record(
                &*self.cipher,
                &id,
                &mut case,
                (&p.env, p.cmd.kind()),
                sm3.clone(),
                events,
            )?;
            let last_seq = batch.next_seq - 1;
            let agency_id = case.state.agency_id.clone();
            batch.agency(&mut tx, &agency_id).await?;
            if from_batch {
                batch.cases.insert(id.clone(), case);
            } else {
                batch.set_case(&id, case);
            }
            keys.insert(key, (i, sm3));
            slots.push(Slot::Written(id, first_seq, last_seq));
        }
        let decided = started.elapsed();
        let known = self
            .group
            .edge
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        let facts = batch.facts();
        let (written, edge) = batch.flush(&mut tx, &*self.cipher, known).await?;
        let flushed = started.elapsed();
        tx.commit().await?;
        *self.group.edge.lock().unwrap_or_else(|e| e.into_inner()) = edge;
        self.group.keep_facts(facts);
        tracing::debug!(
            commands = group.len(),
            events = written.len(),
            begin_us = began.as_micros(),
            read_us = (read - began).as_micros(),
            decide_us = (decided - read).as_micros(),
            write_us = (flushed - decided).as_micros(),
            commit_us = (started.elapsed() - flushed).as_micros(),
            "case command group written"
        );
        let stored: Vec<StoredEvent> = written
            .into_iter()
            .map(|e| StoredEvent {
                seq: e.row.seq,
                case_id: e.row.case_id,
                version: e.row.version,
                kind: e.row.kind,
                label: e.event.zh().to_string(),
                actor: e.row.actor,
                role: e.row.role,
                at: e.row.at,
                place: e.row.place,
                idempotency_key: e.row.idempotency_key,
                event: e.event,
                leaf_index: Some(e.leaf_index),
            })
            .collect();
        let events_of = |first: i64, last: i64| -> Vec<StoredEvent> {
            stored
                .iter()
                .filter(|e| e.seq >= first && e.seq <= last)
                .cloned()
                .collect()
        };
        let mut out: Vec<Result<CommandOutcome>> = Vec::with_capacity(slots.len());
        for slot in &slots {
            out.push(match slot {
                Slot::Done(_) => Err(StoreError::Ledger(String::new())),
                Slot::Written(id, first, last) => Ok(CommandOutcome {
                    case_id: id.clone(),
                    events: events_of(*first, *last),
                    replayed: false,
                }),
                Slot::ReplayOf(j) => match &slots[*j] {
                    Slot::Written(id, first, last) => Ok(CommandOutcome {
                        case_id: id.clone(),
                        events: events_of(*first, *last),
                        replayed: true,
                    }),
                    _ => Err(StoreError::Ledger("重放目标缺失".to_string())),
                },
            });
        }
        for (o, slot) in out.iter_mut().zip(slots) {
            if let Slot::Done(r) = slot {
                *o = r;
            }
        }
        Ok(out)
    }

    /// The recorded result of an idempotency key used before (`first`): a replay when used
    /// for the same command (and the case is in scope); a conflict when used for another.
    async fn replay(
        &self,
        tx: &mut Tx,
        scope: &Scope,
        key: &str,
        sm3: &str,
        first: &PriorCommand,
    ) -> Result<Result<CommandOutcome>> {
        if first.sm3 != sm3 {
            return Ok(Err(StoreError::IdempotencyConflict(key.to_string())));
        }
        let id = first.case_id.clone();
        match self.case_in_scope(tx, scope, &id).await {
            Ok(_) => {}
            Err(e @ StoreError::NotFound { .. }) => return Ok(Err(e)),
            Err(e) => return Err(e),
        }
        let (first, last) = (first.first_seq, first.last_seq);
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM case_events WHERE seq >= $1 AND seq <= $2 ORDER BY seq"
        );
        let events = sqlx::query(AssertSqlSafe(sql))
            .bind(first)
            .bind(last)
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .map(|r| stored_event_row(&*self.cipher, r))
            .collect::<Result<Vec<_>>>()?;
        Ok(Ok(CommandOutcome {
            case_id: id,
            events,
            replayed: true,
        }))
    }

    /// The stored state (sealed JSON), decision seq and decision leaf hash of a case inside
    /// `scope`, else `NotFound`.
    async fn case_in_scope(
        &self,
        tx: &mut Tx,
        scope: &Scope,
        id: &str,
    ) -> Result<(String, Option<i64>, Option<String>)> {
        let row = sqlx::query(
            "SELECT state, agency_id, region_code, decision_seq, decision_hash FROM cases \
             WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
        let not_found = || StoreError::NotFound {
            entity: "case",
            id: id.to_string(),
        };
        let r = row.ok_or_else(not_found)?;
        let agency: String = r.try_get("agency_id")?;
        let region: String = r.try_get("region_code")?;
        if !scope.covers_agency(&agency, &region) {
            return Err(not_found());
        }
        Ok((
            r.try_get("state")?,
            r.try_get("decision_seq")?,
            r.try_get("decision_hash")?,
        ))
    }

    /// Runs case scripts (demo, bench): `SCRIPTS_PER_TX` scripts per write transaction,
    /// each script's commands decided against its in-memory state first; a refused command
    /// drops only its own script (nothing of it is written, its numbers are given back).
    /// Returns, per script, the new case id or the index of the refused command with the
    /// refusal. Idempotency keys already used are refused (`case.idempotency.reused`).
    pub async fn run_case_scripts(
        &self,
        calendar: &LegalCalendar,
        today: NaiveDate,
        scripts: &[CaseScript],
    ) -> Result<Vec<std::result::Result<String, (usize, Refusal)>>> {
        let mut out = Vec::with_capacity(scripts.len());
        for chunk in scripts.chunks(SCRIPTS_PER_TX) {
            let mut tx = self.begin_write().await?;
            let used = self.used_keys(&mut tx, chunk).await?;
            let mut seen: HashSet<&str> = HashSet::new();
            let mut batch = Batch::new(&mut tx, calendar, today).await?;
            batch.adopt(&self.group);
            for script in chunk {
                let mut state = CaseState::default();
                let mut taken: Vec<NumberKey> = Vec::new();
                let mut decided: Vec<Vec<CaseEvent>> = Vec::new();
                let mut refused = None;
                for (i, (env, cmd)) in script.commands.iter().enumerate() {
                    let key = env.idempotency_key.as_str();
                    if used.contains(key) || !seen.insert(key) {
                        refused = Some((
                            i,
                            Refusal::new(
                                "case.idempotency.reused",
                                zhifa_domain::case::law::APL_47_RECORD,
                                format!("幂等键“{key}”已被使用"),
                                "为每条指令使用新的幂等键",
                            ),
                        ));
                        break;
                    }
                    match batch.decide(&mut tx, &Scope::All, &state, env, cmd).await? {
                        Ok((events, k)) => {
                            for e in &events {
                                state.apply(e);
                            }
                            taken.extend(k);
                            decided.push(events);
                        }
                        Err(r) => {
                            refused = Some((i, r));
                            break;
                        }
                    }
                }
                if let Some(r) = refused {
                    for k in taken.iter().rev() {
                        batch.give_back(k);
                    }
                    out.push(Err(r));
                    continue;
                }
                if decided.is_empty() {
                    continue;
                }
                let id = super::support::new_id();
                let mut case = CaseOut {
                    state: CaseState::default(),
                    decision_seq: None,
                    decision_hash: None,
                    updated_at: String::new(),
                };
                for ((env, cmd), events) in script.commands.iter().zip(decided) {
                    let target = (!cmd.starts_case()).then_some(id.as_str());
                    let sm3 = command_sm3(target, cmd);
                    batch.record(
                        &*self.cipher,
                        &id,
                        &mut case,
                        (env, cmd.kind()),
                        sm3,
                        events,
                    )?;
                }
                batch.set_case(&id, case);
                out.push(Ok(id));
            }
            let facts = batch.facts();
            batch.flush(&mut tx, &*self.cipher, None).await?;
            tx.commit().await?;
            self.group.keep_facts(facts);
        }
        Ok(out)
    }

    /// Records the history of a case handled in another system (汇聚: imported enforcement
    /// behaviour data). The events are what that system recorded: they are appended as they
    /// are, without the procedure gates (the acts happened elsewhere; the supervision rules
    /// are what checks them), each a ledger leaf like any case event, with role `import` and
    /// the idempotency key `import:{source_system}:{source_id}`, so importing the same case
    /// again returns the first case id and `false` without writing anything. The first event
    /// must start a case (`lead_registered` or `on_spot_decided`) of a known agency.
    pub async fn import_case_history(
        &self,
        calendar: &LegalCalendar,
        today: NaiveDate,
        case: &ImportedCase,
    ) -> Result<(String, bool)> {
        let mut tx = self.begin_write().await?;
        let mut out = self
            .import_case_histories_in(&mut tx, calendar, today, &[case])
            .await?;
        tx.commit().await?;
        Ok(out.remove(0))
    }

    /// [`Store::import_case_history`] for several cases inside the caller's write transaction
    /// (the import batch's): one read of the keys already recorded, one write of all events,
    /// leaves and projections. Returns, per case in order, its id and whether it was added
    /// (a case whose key is recorded, or repeated earlier in `cases`, is not).
    pub(crate) async fn import_case_histories_in(
        &self,
        tx: &mut Tx,
        calendar: &LegalCalendar,
        today: NaiveDate,
        cases: &[&ImportedCase],
    ) -> Result<Vec<(String, bool)>> {
        let invalid = |field: &str, code: &'static str, message: String| {
            StoreError::invalid(field_error(field.to_string(), code, message))
        };
        let mut keys = Vec::with_capacity(cases.len());
        for case in cases {
            if case.source_system.trim().is_empty() || case.source_id.trim().is_empty() {
                return Err(invalid(
                    "source_id",
                    "case.import.source",
                    "导入案件必须注明来源系统和原系统编号".into(),
                ));
            }
            keys.push(format!(
                "import:{}:{}",
                case.source_system.trim(),
                case.source_id.trim()
            ));
        }
        let mut known: HashMap<String, String> = HashMap::new();
        let backend = backend_of(tx);
        for part in keys.chunks(5_000) {
            let sql = format!(
                "SELECT idempotency_key, case_id FROM case_commands WHERE idempotency_key IN {}",
                in_list(backend, part.len())
            );
            let mut q = sqlx::query(AssertSqlSafe(sql)).persistent(false);
            for k in part {
                q = q.bind(k.clone());
            }
            for r in q.fetch_all(&mut **tx).await? {
                known.insert(r.try_get(0)?, r.try_get(1)?);
            }
        }
        let mut out = Vec::with_capacity(cases.len());
        if keys.iter().all(|k| known.contains_key(k)) {
            return Ok(keys.iter().map(|k| (known[k].clone(), false)).collect());
        }
        let mut batch = Batch::new(tx, calendar, today).await?;
        batch.adopt(&self.group);
        for (case, key) in cases.iter().zip(keys) {
            if let Some(id) = known.get(&key) {
                out.push((id.clone(), false));
                continue;
            }
            let agency_id = match case.events.first() {
                Some(CaseEvent::LeadRegistered { agency_id, .. })
                | Some(CaseEvent::OnSpotDecided { agency_id, .. }) => agency_id.clone(),
                _ => {
                    return Err(invalid(
                        "events[0]",
                        "case.import.first_event",
                        "导入案件的第一个事件必须是案源登记或当场处罚决定".into(),
                    ));
                }
            };
            if batch.agency(tx, &agency_id).await?.is_none() {
                return Err(invalid(
                    "events[0].agency_id",
                    "case.import.agency",
                    format!("执法主体“{agency_id}”不存在"),
                ));
            }
            let id = super::support::new_id();
            let env = Envelope {
                actor: case.actor.clone(),
                role: "import".into(),
                officer_id: None,
                at: now(),
                place: Some(format!(
                    "导入自 {}（原编号 {}）",
                    case.source_system, case.source_id
                )),
                idempotency_key: key.clone(),
            };
            let sm3 = {
                use sm3::Digest;
                hex::encode(sm3::Sm3::digest(
                    to_json(&(&case.source_system, &case.source_id, &case.events)).as_bytes(),
                ))
            };
            let mut state = CaseOut {
                state: CaseState::default(),
                decision_seq: None,
                decision_hash: None,
                updated_at: String::new(),
            };
            batch.record(
                &*self.cipher,
                &id,
                &mut state,
                (&env, "import"),
                sm3,
                case.events.clone(),
            )?;
            batch.set_case(&id, state);
            known.insert(key, id.clone());
            out.push((id, true));
        }
        batch.flush(tx, &*self.cipher, None).await?;
        Ok(out)
    }

    /// The idempotency keys of `scripts` already recorded.
    async fn used_keys(&self, tx: &mut Tx, scripts: &[CaseScript]) -> Result<HashSet<String>> {
        let keys: Vec<&str> = scripts
            .iter()
            .flat_map(|s| s.commands.iter().map(|(e, _)| e.idempotency_key.as_str()))
            .collect();
        let mut out = HashSet::new();
        let backend = backend_of(tx);
        for part in keys.chunks(5_000) {
            let sql = format!(
                "SELECT idempotency_key FROM case_commands WHERE idempotency_key IN {}",
                in_list(backend, part.len())
            );
            let mut q = sqlx::query(AssertSqlSafe(sql)).persistent(false);
            for k in part {
                q = q.bind(k.to_string());
            }
            for r in q.fetch_all(&mut **tx).await? {
                out.insert(r.try_get::<String, _>(0)?);
            }
        }
        Ok(out)
    }

    /// The case list within `scope` (in SQL): Agency ⇒ its cases; Region ⇒ agencies whose
    /// region code starts with the prefix; Public ⇒ published cases only, a natural person's
    /// name masked. Filters: see [`CaseFilter`]; `overdue` = next deadline before `today`,
    /// `due_soon` = next deadline within `CaseRules::due_soon_days` from `today`. Newest
    /// change first.
    pub async fn list_cases_in(
        &self,
        scope: &Scope,
        filter: &CaseFilter,
        today: NaiveDate,
        page: PageRequest,
    ) -> Result<Page<CaseSummary>> {
        let mut w = Where::new();
        scope_where(&mut w, scope);
        w.eq("stage", filter.stage.as_deref());
        w.eq("procedure", filter.procedure.as_deref());
        w.eq("agency_id", filter.agency_id.as_deref());
        if let Some(o) = filter
            .officer_id
            .as_deref()
            .map(str::trim)
            .filter(|o| !o.is_empty())
        {
            let p = w.arg(Arg::Text(format!("%\"{}\"%", escape_like(o))));
            w.and(format!("officer_ids LIKE {p} ESCAPE '\\'"));
        }
        w.contains(&["number", "cause", "party_name"], filter.q.as_deref());
        if filter.overdue == Some(true) {
            let p = w.arg(Arg::Text(today.to_string()));
            w.and(format!("next_due < {p}"));
        }
        if filter.due_soon == Some(true) {
            let days = self.case_rules().await?.due_soon_days;
            let until = today + chrono::Days::new(u64::from(days));
            let a = w.arg(Arg::Text(today.to_string()));
            let b = w.arg(Arg::Text(until.to_string()));
            w.and(format!("next_due >= {a} AND next_due <= {b}"));
        }
        if filter.review_queue == Some(true) {
            let p = w.arg(Arg::Bool(true));
            w.and(format!("review_queue = {p}"));
        }
        if filter.head_queue == Some(true) {
            let p = w.arg(Arg::Bool(true));
            w.and(format!("head_queue = {p}"));
        }
        let public = *scope == Scope::Public;
        fetch_page(
            &self.pool,
            SUMMARY_COLUMNS,
            "cases",
            w,
            "updated_at DESC, id DESC",
            page,
            |r| {
                let mut s = summary_from_row(r)?;
                if public && s.party_type == "1" {
                    let p = zhifa_domain::case::Party {
                        party_type: s.party_type.clone(),
                        name: s.party_name.clone(),
                        ..Default::default()
                    };
                    s.party_name = p.public_name();
                }
                Ok(s)
            },
        )
        .await
    }

    /// One case within `scope` with its events in order (party data decrypted) and the
    /// state folded from them. `NotFound` outside the scope; the public sees cases only as
    /// published decisions ([`Store::published_decision`]).
    pub async fn get_case_in(&self, scope: &Scope, id: &str) -> Result<CaseDetail> {
        let not_found = || StoreError::NotFound {
            entity: "case",
            id: id.to_string(),
        };
        if *scope == Scope::Public {
            return Err(not_found());
        }
        let mut w = Where::new();
        let p = w.arg(Arg::Text(id.to_string()));
        w.and(format!("id = {p}"));
        scope_where(&mut w, scope);
        let sql = format!("SELECT {SUMMARY_COLUMNS} FROM cases{}", w.sql());
        let row = super::support::query_with(sql, w.args())
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(not_found)?;
        let summary = summary_from_row(&row)?;
        let sql =
            format!("SELECT {EVENT_COLUMNS} FROM case_events WHERE case_id = $1 ORDER BY version");
        let events = sqlx::query(AssertSqlSafe(sql))
            .bind(id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| stored_event_row(&*self.cipher, r))
            .collect::<Result<Vec<_>>>()?;
        let state = CaseState::from_events(events.iter().map(|e| &e.event));
        Ok(CaseDetail {
            summary,
            state,
            events,
        })
    }

    /// The active officers of an agency with their active certificate records (pickers,
    /// command availability).
    pub async fn case_officers(&self, subject_id: &str) -> Result<Vec<OfficerFacts>> {
        let mut conn = self.pool.acquire().await?;
        load_officers(&mut conn, self.backend, None, Some(subject_id)).await
    }

    /// The agency facts of a subject (short name falls back to the name).
    pub async fn case_agency(&self, subject_id: &str) -> Result<AgencyFacts> {
        let mut conn = self.pool.acquire().await?;
        load_agency(&mut conn, subject_id)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "subject",
                id: subject_id.to_string(),
            })
    }

    /// The fine ranges of a power's active discretion benchmarks (APL Art. 34).
    pub async fn power_benchmarks(&self, power_id: &str) -> Result<Vec<BenchmarkRange>> {
        let mut conn = self.pool.acquire().await?;
        load_benchmarks(&mut conn, power_id).await
    }

    /// Published decisions (APL Art. 48; 国办发〔2018〕118号), newest first; a natural
    /// person's name and ID masked. `q` searches the number, cause and agency name (never the
    /// party's name, so a person cannot be looked up by name).
    pub async fn published_decisions(
        &self,
        q: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<PublishedDecision>> {
        let mut w = Where::new();
        w.and("c.published_on IS NOT NULL");
        w.contains(&["c.number", "c.cause", "c.agency_name"], q);
        let rows = fetch_page(
            &self.pool,
            "c.id, c.state, c.published_on, c.decision_hash, e.leaf_index",
            "cases c LEFT JOIN case_events e ON e.seq = c.decision_seq",
            w,
            "c.published_on DESC, c.id DESC",
            page,
            |r| self.published_from_row(r),
        )
        .await?;
        Ok(rows)
    }

    fn published_from_row(&self, r: &AnyRow) -> Result<PublishedDecision> {
        let id: String = r.try_get("id")?;
        let text: String = r.try_get("state")?;
        let state: CaseState = open(&*self.cipher, &id, &text)?;
        let published: String = r.try_get("published_on")?;
        let decision = state.decision.as_ref();
        let penalty = decision.and_then(|d| d.penalty.as_ref());
        Ok(PublishedDecision {
            case_id: id,
            number: decision.map(|d| d.number.clone()).unwrap_or_default(),
            party: state.party.public_name(),
            party_id: state.party.public_id(),
            cause: state.cause.clone(),
            facts: penalty.map(|p| p.facts.clone()).unwrap_or_default(),
            basis: penalty.map(|p| p.basis.clone()).unwrap_or_default(),
            penalty: penalty.map_or_else(|| "不予行政处罚".to_string(), |p| p.summary()),
            fine_fen: penalty.map_or(0, |p| p.fine_fen),
            agency_name: state.agency_name.clone(),
            decided_on: decision.map(|d| d.on.to_string()).unwrap_or_default(),
            published_on: published,
            leaf_index: r.try_get("leaf_index")?,
            verification_code: r.try_get("decision_hash")?,
        })
    }

    /// One published decision (`NotFound` unless published and not withdrawn).
    pub async fn published_decision(&self, case_id: &str) -> Result<PublishedDecision> {
        let row = sqlx::query(
            "SELECT c.id, c.state, c.published_on, c.decision_hash, e.leaf_index \
             FROM cases c LEFT JOIN case_events e ON e.seq = c.decision_seq \
             WHERE c.id = $1 AND c.published_on IS NOT NULL",
        )
        .bind(case_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: "decision",
            id: case_id.to_string(),
        })?;
        self.published_from_row(&row)
    }

    /// Checks a verification code (the SM3 leaf hash of a published decision's event): finds
    /// the leaf, re-hashes the stored event, and verifies an inclusion proof against the
    /// latest signed checkpoint covering the leaf (else the current tree) with zhifa-ledger's
    /// independent verifier. `None` when no published decision has this code.
    pub async fn verify_decision_code(&self, code: &str) -> Result<Option<DecisionVerification>> {
        let code = code.trim().to_ascii_lowercase();
        if code.len() != 64 || !code.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(None);
        }
        let Some(case) = sqlx::query(
            "SELECT decision_seq FROM cases WHERE decision_hash = $1 AND published_on IS NOT NULL",
        )
        .bind(code.clone())
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let seq: Option<i64> = case.try_get("decision_seq")?;
        let sql = format!("SELECT {EVENT_COLUMNS} FROM case_events WHERE seq = $1");
        let Some(r) = sqlx::query(AssertSqlSafe(sql))
            .bind(seq)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let (row, leaf_index) = event_row(&r)?;
        let Some(leaf_index) = leaf_index else {
            return Ok(None);
        };
        if !DECISION_KINDS.contains(&row.kind.as_str()) {
            return Ok(None);
        }
        let decision = match self.published_decision(&row.case_id).await {
            Ok(d) => d,
            Err(StoreError::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        let checkpoint = self.checkpoint_covering(leaf_index as u64).await?;
        let size = match &checkpoint {
            Some(c) => c.tree_size as u64,
            None => self.ledger_size().await?,
        };
        let proof = self.ledger_inclusion_proof(leaf_index as u64, size).await?;
        let root = match &checkpoint {
            Some(c) => parse_hash(&c.root)?,
            None => proof.root,
        };
        let recomputed = row.leaf_hash(proof.hash);
        let verified = recomputed.to_hex() == code
            && proof.leaf_hash == recomputed
            && zhifa_ledger::verify_inclusion(
                proof.hash,
                &recomputed,
                leaf_index as u64,
                size,
                &proof.proof,
                &root,
            )
            .is_ok();
        Ok(Some(DecisionVerification {
            decision,
            leaf_index,
            tree_size: size as i64,
            proof: proof.proof.iter().map(|h| h.to_hex()).collect(),
            root: root.to_hex(),
            checkpoint: checkpoint.map(|c| c.note),
            verified,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::Sm4GcmCipher;

    #[test]
    fn party_data_is_sealed_and_opened_wherever_it_nests() {
        let cipher = Sm4GcmCipher::new(*b"0123456789abcdef");
        let value = serde_json::json!({
            "type": "lead_registered",
            "party": {"name": "张三", "id_number": "110105198001010011", "phone": "13900000000"},
            "nested": [{"party": {"name": "李四", "id_number": null, "phone": "020-1"}}]
        });
        let sealed = seal(&cipher, "case-1", &value).expect("seal");
        for secret in ["110105198001010011", "13900000000", "020-1"] {
            assert!(!sealed.contains(secret), "{sealed}");
        }
        assert!(sealed.contains("张三") && sealed.contains(ENC_PREFIX));
        let opened: Value = open(&cipher, "case-1", &sealed).expect("open");
        assert_eq!(opened, value);
        // Bound to its case: moving the payload to another case fails to decrypt.
        assert!(open::<Value>(&cipher, "case-2", &sealed).is_err());
        // Without a party nothing changes.
        let plain = serde_json::json!({"type": "case_filed", "number": "x"});
        assert_eq!(
            seal(&cipher, "case-1", &plain).expect("seal"),
            to_json(&plain)
        );
    }
}
