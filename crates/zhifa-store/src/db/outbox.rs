//! The outbox repository (一次报送，多头应用): consumers, the materialiser that tails the two
//! ordered logs, claims and results of delivery attempts, and the admin queries.
//!
//! Why a log-tailing outbox: `case_events.seq` and `changes.seq` are assigned under the write
//! lock and commit in order, so any snapshot sees a prefix of each log. A consumer's cursor
//! says "every record up to here has its deliveries"; the materialiser reads the records past
//! the cursors, builds the deliveries and moves each cursor with a compare-and-set in the same
//! transaction as the inserts. Two materialisers (two workers, or one restarted midway) cannot
//! both advance a cursor from the same position, and the unique key (consumer, log, seq) turns
//! any second insert into a no-op: every committed record gets its delivery exactly once, and
//! the case-command path writes nothing extra.

use std::collections::HashMap;

use serde_json::{Value, json};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use zhifa_domain::case::{CaseEvent, CaseState};
use zhifa_domain::ids::CitizenId;

use super::changes::change_from_row;
use super::support::{
    Arg, ChangeEntry, Tx, Where, get_bool, get_json, map_unique, new_id, now, record_change,
    snapshot, to_json,
};
use super::{Backend, Store};
use crate::error::{Result, StoreError};
use crate::model::{Actor, Change};
use crate::outbox::*;
use crate::scope::Scope;
use crate::shuanggongshi::{ShuangGongShi, ShuangGongShiRules};

/// Columns of `outbox_consumers` as [`consumer_from_row`] reads them.
const CONSUMER_COLUMNS: &str =
    "id, kind, name, url, secret, record_kinds, enabled, version, created_at, updated_at";

/// Associated data binding an encrypted consumer secret to its consumer.
pub(super) fn secret_aad(consumer_id: &str) -> Vec<u8> {
    format!("outbox.secret:{consumer_id}").into_bytes()
}

fn consumer_from_row(r: &AnyRow) -> Result<Consumer> {
    let kind: String = r.try_get("kind")?;
    let secret: Option<String> = r.try_get("secret")?;
    Ok(Consumer {
        id: r.try_get("id")?,
        kind: ConsumerKind::parse(&kind).unwrap_or(ConsumerKind::Webhook),
        name: r.try_get("name")?,
        url: r.try_get("url")?,
        has_secret: secret.is_some(),
        record_kinds: get_json(r, "record_kinds")?,
        enabled: get_bool(r, "enabled")?,
        version: r.try_get("version")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// A record of one of the logs, as the materialiser reads it.
enum LogRecord {
    /// A case event (payload read through the case when a consumer needs it).
    CaseEvent {
        seq: i64,
        case_id: String,
        version: i64,
        kind: String,
        at: String,
    },
    /// A change-log entry (personal data already masked or encrypted).
    Change(Change),
}

impl LogRecord {
    fn seq(&self) -> i64 {
        match self {
            LogRecord::CaseEvent { seq, .. } => *seq,
            LogRecord::Change(c) => c.seq,
        }
    }

    fn kind(&self) -> String {
        match self {
            LogRecord::CaseEvent { kind, .. } => format!("case_event:{kind}"),
            LogRecord::Change(c) => format!("change:{}", c.entity),
        }
    }

    fn record_id(&self) -> &str {
        match self {
            LogRecord::CaseEvent { case_id, .. } => case_id,
            LogRecord::Change(c) => &c.entity_id,
        }
    }

    fn at(&self) -> &str {
        match self {
            LogRecord::CaseEvent { at, .. } => at,
            LogRecord::Change(c) => &c.at,
        }
    }
}

/// An enabled consumer with its subscription, as the materialiser uses it.
struct Subscriber {
    id: String,
    kind: ConsumerKind,
    patterns: Vec<String>,
}

/// A delivery about to be inserted.
struct NewDelivery {
    consumer_id: String,
    seq: i64,
    record_kind: String,
    record_id: String,
    payload: String,
    key: String,
}

/// What one materialiser pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MaterialiseReport {
    /// Log records read past the cursors.
    pub records: usize,
    /// Deliveries inserted.
    pub deliveries: usize,
    /// Another materialiser moved a cursor first: this pass wrote nothing for that log.
    pub conflicts: usize,
}

/// The facts of one case the payload builders need, loaded once per pass.
struct CaseFacts {
    events: Vec<CaseEvent>,
    agency_uscc: String,
    decision_hash: Option<String>,
}

impl CaseFacts {
    fn state_at(&self, version: i64) -> CaseState {
        let n = usize::try_from(version).unwrap_or(0).min(self.events.len());
        CaseState::from_events(&self.events[..n])
    }
}

/// A phone number with all but its last four digits hidden.
fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    let keep = chars.len().saturating_sub(4);
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| if i < keep { '*' } else { *c })
        .collect()
}

/// Masks the personal data of every `party` object inside an event (a citizen ID as
/// published, a phone number but its last four digits); names and USCCs stay.
fn mask_parties(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if k == "party"
                    && let Value::Object(party) = v
                {
                    let citizen = party.get("party_type").and_then(Value::as_str) == Some("1");
                    if citizen && let Some(Value::String(id)) = party.get_mut("id_number") {
                        *id = CitizenId::parse(id)
                            .map(|c| c.masked())
                            .unwrap_or_else(|_| "******".to_string());
                    }
                    if let Some(Value::String(p)) = party.get_mut("phone") {
                        *p = mask_phone(p);
                    }
                }
                mask_parties(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask_parties),
        _ => {}
    }
}

impl Store {
    /// Begins a transaction for outbox bookkeeping: `BEGIN IMMEDIATE` on SQLite (one writer
    /// at a time anyway); a plain transaction on PostgreSQL, where the cursor compare-and-set
    /// serialises materialisers without taking the case and base-data write lock.
    async fn begin_outbox(&self) -> Result<Tx> {
        match self.backend {
            Backend::Sqlite => Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?),
            Backend::Postgres => Ok(self.pool.begin().await?),
        }
    }

    /// The encrypted form of a consumer secret (`None` for none).
    fn seal_secret(&self, id: &str, secret: &str) -> Result<Option<String>> {
        if secret.is_empty() {
            return Ok(None);
        }
        let c = self.cipher.encrypt(secret.as_bytes(), &secret_aad(id))?;
        Ok(Some(hex::encode(c)))
    }

    /// Creates an outbox consumer (admin). Its cursors start at the end of each log, or at
    /// the beginning with `backfill`. Written to the change log (without the secret).
    pub async fn create_outbox_consumer(
        &self,
        input: &ConsumerInput,
        actor: &Actor,
    ) -> Result<Consumer> {
        let (kind, record_kinds) = input.validate().map_err(StoreError::Invalid)?;
        let id = new_id();
        let at = now();
        let secret = self.seal_secret(&id, input.secret.as_deref().unwrap_or_default())?;
        let consumer = Consumer {
            id: id.clone(),
            kind,
            name: input.name.trim().to_string(),
            url: input.url.trim().to_string(),
            has_secret: secret.is_some(),
            record_kinds,
            enabled: input.enabled.unwrap_or(true),
            version: 1,
            created_at: at.clone(),
            updated_at: at.clone(),
        };
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO outbox_consumers (id, kind, name, url, secret, record_kinds, enabled, \
             version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&consumer.id)
        .bind(kind.code())
        .bind(&consumer.name)
        .bind(&consumer.url)
        .bind(secret)
        .bind(to_json(&consumer.record_kinds))
        .bind(consumer.enabled)
        .bind(1_i64)
        .bind(&at)
        .bind(&at)
        .execute(&mut *tx)
        .await
        .map_err(|e| map_unique(e, "name", "已有同名的接收方"))?;
        for log in LOGS {
            // Under the write lock nothing uncommitted precedes MAX(seq).
            let position: i64 = if input.backfill.unwrap_or(false) {
                0
            } else {
                sqlx::query(AssertSqlSafe(format!(
                    "SELECT COALESCE(MAX(seq), 0) FROM {log}"
                )))
                .fetch_one(&mut *tx)
                .await?
                .try_get(0)?
            };
            sqlx::query(
                "INSERT INTO outbox_cursors (consumer_id, log, position, updated_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(&id)
            .bind(log)
            .bind(position)
            .bind(&at)
            .execute(&mut *tx)
            .await?;
        }
        let entry = ChangeEntry {
            entity: "outbox_consumer",
            entity_id: &id,
            action: "create",
            before: None,
            after: snapshot(&consumer),
        };
        record_change(&mut tx, entry, actor, &at).await?;
        tx.commit().await?;
        Ok(consumer)
    }

    /// Updates a consumer (admin): name, URL, subscription, enabled; the secret is kept when
    /// the input carries none, removed by an empty one. Disabling keeps the cursor, so a
    /// consumer enabled again catches up with what it missed.
    pub async fn update_outbox_consumer(
        &self,
        id: &str,
        input: &ConsumerInput,
        actor: &Actor,
    ) -> Result<Consumer> {
        let (kind, record_kinds) = input.validate().map_err(StoreError::Invalid)?;
        let at = now();
        let mut tx = self.begin_write().await?;
        let sql = format!("SELECT {CONSUMER_COLUMNS} FROM outbox_consumers WHERE id = $1");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "outbox_consumer",
                id: id.to_string(),
            })?;
        let before = consumer_from_row(&row)?;
        let old_secret: Option<String> = row.try_get("secret")?;
        let secret = match input.secret.as_deref() {
            None => old_secret,
            Some(s) => self.seal_secret(id, s)?,
        };
        let after = Consumer {
            kind,
            name: input.name.trim().to_string(),
            url: input.url.trim().to_string(),
            has_secret: secret.is_some(),
            record_kinds,
            enabled: input.enabled.unwrap_or(before.enabled),
            version: before.version + 1,
            updated_at: at.clone(),
            ..before.clone()
        };
        sqlx::query(
            "UPDATE outbox_consumers SET kind = $1, name = $2, url = $3, secret = $4, \
             record_kinds = $5, enabled = $6, version = $7, updated_at = $8 WHERE id = $9",
        )
        .bind(kind.code())
        .bind(&after.name)
        .bind(&after.url)
        .bind(secret)
        .bind(to_json(&after.record_kinds))
        .bind(after.enabled)
        .bind(after.version)
        .bind(&at)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| map_unique(e, "name", "已有同名的接收方"))?;
        let entry = ChangeEntry {
            entity: "outbox_consumer",
            entity_id: id,
            action: "update",
            before: snapshot(&before),
            after: snapshot(&after),
        };
        record_change(&mut tx, entry, actor, &at).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// All consumers, by name.
    pub async fn list_outbox_consumers(&self) -> Result<Vec<Consumer>> {
        let sql = format!("SELECT {CONSUMER_COLUMNS} FROM outbox_consumers ORDER BY name");
        sqlx::query(AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(consumer_from_row)
            .collect()
    }

    /// One consumer.
    pub async fn get_outbox_consumer(&self, id: &str) -> Result<Consumer> {
        let sql = format!("SELECT {CONSUMER_COLUMNS} FROM outbox_consumers WHERE id = $1");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "outbox_consumer",
                id: id.to_string(),
            })?;
        consumer_from_row(&row)
    }

    /// One materialiser pass: for each log, reads up to `batch` records past the lowest
    /// cursor of the enabled consumers, builds the deliveries of the records each consumer
    /// subscribes to, and in one transaction moves every cursor (compare-and-set) and inserts
    /// the deliveries. Call it until `records` is below `batch` to catch up.
    pub async fn materialise_outbox(
        &self,
        batch: usize,
        rules: &ShuangGongShiRules,
    ) -> Result<MaterialiseReport> {
        let subscribers: Vec<Subscriber> = sqlx::query(
            "SELECT id, kind, record_kinds FROM outbox_consumers WHERE enabled = $1 ORDER BY id",
        )
        .bind(true)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            let kind: String = r.try_get("kind")?;
            Ok(Subscriber {
                id: r.try_get("id")?,
                kind: ConsumerKind::parse(&kind).unwrap_or(ConsumerKind::Webhook),
                patterns: get_json(r, "record_kinds")?,
            })
        })
        .collect::<Result<_>>()?;
        let mut report = MaterialiseReport::default();
        if subscribers.is_empty() {
            return Ok(report);
        }
        for log in LOGS {
            let cursors: HashMap<String, i64> =
                sqlx::query("SELECT consumer_id, position FROM outbox_cursors WHERE log = $1")
                    .bind(log)
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(|r| Ok((r.try_get("consumer_id")?, r.try_get("position")?)))
                    .collect::<Result<_>>()?;
            let active: Vec<(&Subscriber, i64)> = subscribers
                .iter()
                .filter_map(|s| cursors.get(&s.id).map(|p| (s, *p)))
                .collect();
            let Some(from) = active.iter().map(|(_, p)| *p).min() else {
                continue;
            };
            let records = self.read_log(log, from, batch).await?;
            let Some(last) = records.last().map(LogRecord::seq) else {
                continue;
            };
            report.records += records.len();
            let mut cases: HashMap<String, CaseFacts> = HashMap::new();
            let mut new = Vec::new();
            for (sub, position) in &active {
                for record in records.iter().filter(|r| r.seq() > *position) {
                    let record_kind = record.kind();
                    if !kind_matches(&sub.patterns, &record_kind) {
                        continue;
                    }
                    let Some(data) = self
                        .payload_data(sub.kind, record, &mut cases, rules)
                        .await?
                    else {
                        continue;
                    };
                    let key = format!("{}/{log}/{}", sub.id, record.seq());
                    let envelope = json!({
                        "schema": ENVELOPE_SCHEMA,
                        "idempotency_key": key,
                        "log": log,
                        "seq": record.seq(),
                        "record_kind": record_kind,
                        "record_id": record.record_id(),
                        "at": record.at(),
                        "data": data,
                    });
                    new.push(NewDelivery {
                        consumer_id: sub.id.clone(),
                        seq: record.seq(),
                        record_kind,
                        record_id: record.record_id().to_string(),
                        payload: to_json(&envelope),
                        key,
                    });
                }
            }
            match self.commit_materialised(log, &active, last, &new).await? {
                Some(inserted) => report.deliveries += inserted,
                None => report.conflicts += 1,
            }
        }
        Ok(report)
    }

    /// Moves the cursors of `active` to `last` and inserts `new`, in one transaction; `None`
    /// (and nothing written) when another materialiser moved one of the cursors first.
    async fn commit_materialised(
        &self,
        log: &str,
        active: &[(&Subscriber, i64)],
        last: i64,
        new: &[NewDelivery],
    ) -> Result<Option<usize>> {
        let at = now();
        let due = now_ms();
        let mut tx = self.begin_outbox().await?;
        for (sub, position) in active.iter().filter(|(_, p)| *p < last) {
            let moved = sqlx::query(
                "UPDATE outbox_cursors SET position = $1, updated_at = $2 \
                 WHERE consumer_id = $3 AND log = $4 AND position = $5",
            )
            .bind(last)
            .bind(&at)
            .bind(&sub.id)
            .bind(log)
            .bind(*position)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if moved != 1 {
                tx.rollback().await?;
                return Ok(None);
            }
        }
        let mut inserted = 0;
        for d in new {
            inserted += sqlx::query(
                "INSERT INTO outbox_deliveries (id, consumer_id, log, seq, record_kind, \
                 record_id, payload, idempotency_key, status, attempts, next_attempt_ms, \
                 created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', 0, $9, $10, $10) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(new_id())
            .bind(&d.consumer_id)
            .bind(log)
            .bind(d.seq)
            .bind(&d.record_kind)
            .bind(&d.record_id)
            .bind(&d.payload)
            .bind(&d.key)
            .bind(due)
            .bind(&at)
            .execute(&mut *tx)
            .await?
            .rows_affected() as usize;
        }
        tx.commit().await?;
        Ok(Some(inserted))
    }

    /// Up to `limit` records of `log` after `after`, in order.
    async fn read_log(&self, log: &str, after: i64, limit: usize) -> Result<Vec<LogRecord>> {
        let limit = limit.max(1) as i64;
        if log == "changes" {
            return sqlx::query(
                "SELECT seq, entity, entity_id, action, actor, ip, at, before, after \
                 FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2",
            )
            .bind(after)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| change_from_row(r).map(LogRecord::Change))
            .collect();
        }
        sqlx::query(
            "SELECT seq, case_id, version, kind, at FROM case_events \
             WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(LogRecord::CaseEvent {
                seq: r.try_get("seq")?,
                case_id: r.try_get("case_id")?,
                version: r.try_get("version")?,
                kind: r.try_get("kind")?,
                at: r.try_get("at")?,
            })
        })
        .collect()
    }

    /// The events (decrypted), agency USCC and decision verification code of a case.
    async fn case_facts(&self, case_id: &str) -> Result<CaseFacts> {
        let detail = self.get_case_in(&Scope::All, case_id).await?;
        let row = sqlx::query(
            "SELECT s.uscc, c.decision_hash FROM cases c \
             LEFT JOIN subjects s ON s.id = c.agency_id WHERE c.id = $1",
        )
        .bind(case_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(CaseFacts {
            events: detail.events.into_iter().map(|e| e.event).collect(),
            agency_uscc: row
                .try_get::<Option<String>, _>("uscc")?
                .unwrap_or_default(),
            decision_hash: row.try_get("decision_hash")?,
        })
    }

    /// The `data` of the envelope a consumer of `kind` gets for `record`, or `None` when the
    /// record means nothing to that kind (a credit export of a case without a penalty).
    async fn payload_data(
        &self,
        kind: ConsumerKind,
        record: &LogRecord,
        cases: &mut HashMap<String, CaseFacts>,
        rules: &ShuangGongShiRules,
    ) -> Result<Option<Value>> {
        let (case_id, version, event_kind) = match record {
            LogRecord::Change(change) => {
                return Ok((kind == ConsumerKind::Webhook).then(|| json!(change)));
            }
            LogRecord::CaseEvent {
                case_id,
                version,
                kind,
                ..
            } => (case_id, *version, kind.as_str()),
        };
        if !cases.contains_key(case_id) {
            let facts = self.case_facts(case_id).await?;
            cases.insert(case_id.clone(), facts);
        }
        let facts = &cases[case_id];
        let state = facts.state_at(version);
        let record_of = || {
            ShuangGongShi::from_case(
                &state,
                &facts.agency_uscc,
                facts.decision_hash.as_deref(),
                rules,
            )
        };
        Ok(match kind {
            ConsumerKind::CreditExport => record_of().map(|r| json!(r)),
            ConsumerKind::Publicity => {
                let action = match event_kind {
                    "decision_published" => "publish",
                    "publication_withdrawn" => "withdraw",
                    _ => return Ok(None),
                };
                record_of().map(|r| {
                    json!({
                        "action": action,
                        "withdrawn": state.withdrawn.as_ref().map(|(on, reason)| json!({"on": on, "reason": reason})),
                        "record": r,
                    })
                })
            }
            ConsumerKind::Webhook => {
                let index = usize::try_from(version - 1).unwrap_or(usize::MAX);
                let Some(event) = facts.events.get(index) else {
                    return Ok(None);
                };
                let mut event = json!(event);
                mask_parties(&mut event);
                Some(json!({
                    "case_id": case_id,
                    "version": version,
                    "label": facts.events[index].zh(),
                    "number": state.number,
                    "agency_id": state.agency_id,
                    "agency_name": state.agency_name,
                    "stage": state.stage().code(),
                    "event": event,
                }))
            }
        })
    }

    /// The 双公示 records of the published penalty decisions decided on or after `since`, in
    /// decision order (the CLI export; the outbox builds the same records).
    pub async fn shuanggongshi_records(
        &self,
        since: Option<chrono::NaiveDate>,
        rules: &ShuangGongShiRules,
    ) -> Result<Vec<ShuangGongShi>> {
        let mut w = Where::new();
        w.and("published_on IS NOT NULL AND decided_on IS NOT NULL");
        if let Some(since) = since {
            let p = w.arg(Arg::Text(since.to_string()));
            w.and(format!("decided_on >= {p}"));
        }
        let sql = format!(
            "SELECT id FROM cases{} ORDER BY decided_on, number, id",
            w.sql()
        );
        let ids: Vec<String> = super::support::query_with(sql, w.args())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.try_get("id"))
            .collect::<std::result::Result<_, _>>()?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let facts = self.case_facts(&id).await?;
            let state = facts.state_at(facts.events.len() as i64);
            if let Some(r) = ShuangGongShi::from_case(
                &state,
                &facts.agency_uscc,
                facts.decision_hash.as_deref(),
                rules,
            ) {
                out.push(r);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parties_are_masked_wherever_they_nest() {
        let mut v = json!({
            "type": "lead_registered",
            "party": {"party_type": "1", "name": "张三", "id_number": "11010519491231002X", "phone": "13912345678"},
            "nested": [{"party": {"party_type": "2", "name": "某公司", "id_number": "91440101MA59ABCD1X", "phone": "020-1234"}}]
        });
        mask_parties(&mut v);
        let text = v.to_string();
        assert!(
            !text.contains("11010519491231002X") && !text.contains("13912345678"),
            "{text}"
        );
        assert!(
            text.contains("*******5678") && text.contains("91440101MA59ABCD1X"),
            "{text}"
        );
        assert!(text.contains("****1234") && text.contains("张三"), "{text}");
    }
}
