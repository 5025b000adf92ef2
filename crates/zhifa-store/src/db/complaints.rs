//! Complaints and reports (投诉举报): intake (number allocated and agency routed inside the
//! transaction, contact data SM4-encrypted with masked copies), scoped reads, the public
//! tracking by number and query code, the counts the indicators read, and the node's
//! complaint rules. The handling steps are in `complaint_steps.rs`.
//!
//! Every write records a change-log row (entity `complaint`, the record with only masked
//! personal data) and its ledger leaf in the same transaction.

use chrono::{Datelike, NaiveDate};
use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};
use zhifa_domain::calendar::LegalCalendar;
use zhifa_domain::complaint::{
    ComplaintKind, ComplaintRules, ComplaintStatus, format_number, mask_name, mask_phone,
    parse_number,
};
use zhifa_domain::ids::Uscc;
use zhifa_domain::region::RegionTable;
use zhifa_domain::time::ChinaDate;

use super::Store;
use super::support::{
    Arg, ChangeEntry, Tx, Where, blank_to_none, escape_like, fetch_page, field_error, get_bool,
    new_id, now, query_with, record_change, snapshot,
};
use crate::complaint_model::*;
use crate::error::{Result, StoreError};
use crate::model::{Actor, Page, PageRequest, Validate};
use crate::scope::{Scope, region_prefix};
use crate::validate::complaints::intake_region;

/// Entity name in the change log.
pub(crate) const ENTITY: &str = "complaint";

/// Key of the complaint rules in `node_settings`.
const RULES_KEY: &str = "complaint_rules";

/// Columns of `complaints` as [`complaint_from_row`] reads them.
pub(crate) const COLUMNS: &str = "id, number, kind, channel, region_code, field, respondent_name, \
     respondent_uscc, respondent_address, content, anonymous, contact_name_masked, \
     contact_phone_masked, agency_id, agency_name, routing, received_on, received_at, accept_due, \
     handle_due, due_on, due_provisional, status, routed_on, decided_on, reject_reason, handled_on, \
     result, case_id, alert_id, replied_on, reply, version, created_at, updated_at";

/// Alphabet of query codes: 32 symbols without 0/O and 1/I, so a code read aloud or copied by
/// hand is not mistaken.
const CODE_ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/// Length of a query code (32^8 ≈ 10^12 codes per number).
const CODE_LEN: usize = 8;

pub(crate) fn complaint_from_row(row: &AnyRow) -> Result<Complaint> {
    Ok(Complaint {
        id: row.try_get("id")?,
        number: row.try_get("number")?,
        kind: row.try_get("kind")?,
        channel: row.try_get("channel")?,
        region_code: row.try_get("region_code")?,
        field: row.try_get("field")?,
        respondent_name: row.try_get("respondent_name")?,
        respondent_uscc: row.try_get("respondent_uscc")?,
        respondent_address: row.try_get("respondent_address")?,
        content: row.try_get("content")?,
        anonymous: get_bool(row, "anonymous")?,
        contact_name_masked: row.try_get("contact_name_masked")?,
        contact_phone_masked: row.try_get("contact_phone_masked")?,
        agency_id: row.try_get("agency_id")?,
        agency_name: row.try_get("agency_name")?,
        routing: row.try_get("routing")?,
        received_on: row.try_get("received_on")?,
        received_at: row.try_get("received_at")?,
        accept_due: row.try_get("accept_due")?,
        handle_due: row.try_get("handle_due")?,
        due_on: row.try_get("due_on")?,
        due_provisional: get_bool(row, "due_provisional")?,
        status: row.try_get("status")?,
        routed_on: row.try_get("routed_on")?,
        decided_on: row.try_get("decided_on")?,
        reject_reason: row.try_get("reject_reason")?,
        handled_on: row.try_get("handled_on")?,
        result: row.try_get("result")?,
        case_id: row.try_get("case_id")?,
        alert_id: row.try_get("alert_id")?,
        replied_on: row.try_get("replied_on")?,
        reply: row.try_get("reply")?,
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

pub(crate) async fn fetch<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    scope: &Scope,
    id: &str,
) -> Result<Option<Complaint>> {
    let mut w = Where::new();
    w.eq("id", Some(id));
    scope_where(&mut w, scope);
    let row = query_with(
        format!("SELECT {COLUMNS} FROM complaints{}", w.sql()),
        w.args(),
    )
    .fetch_optional(ex)
    .await?;
    row.as_ref().map(complaint_from_row).transpose()
}

pub(crate) fn not_found(id: &str) -> StoreError {
    StoreError::NotFound {
        entity: ENTITY,
        id: id.to_string(),
    }
}

/// Adds the data scope: an agency sees the complaints routed to it; a supervisor those that
/// happened in the region or were routed to an agency of it; the public nothing.
pub(crate) fn scope_where(w: &mut Where, scope: &Scope) {
    match scope {
        Scope::All => {}
        Scope::Agency(id) => {
            let p = w.arg(Arg::Text(id.clone()));
            w.and(format!("agency_id = {p}"));
        }
        Scope::Region(prefix) => {
            let p = w.arg(Arg::Text(format!("{}%", escape_like(prefix))));
            w.and(format!(
                "(region_code LIKE {p} ESCAPE '\\' OR agency_region LIKE {p} ESCAPE '\\')"
            ));
        }
        Scope::Public => w.and("1 = 0"),
    }
}

/// Associated data binding a ciphertext to its column and record.
pub(crate) fn aad(column: &str, id: &str) -> Vec<u8> {
    format!("complaint.{column}:{id}").into_bytes()
}

/// A fresh query code.
fn new_query_code() -> Result<String> {
    let mut bytes = [0u8; CODE_LEN];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::Crypto(format!("无法取得随机数：{e}")))?;
    Ok(bytes
        .iter()
        .map(|b| char::from(CODE_ALPHABET[usize::from(*b) % CODE_ALPHABET.len()]))
        .collect())
}

/// A query code as typed (spaces, dashes, lower case accepted).
fn normalise_code(code: &str) -> String {
    code.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The routing decision of an intake.
struct Route {
    /// (id, name, region) of the agency, if exactly one is competent most locally.
    agency: Option<(String, String, String)>,
    /// `auto`, `none` or `ambiguous`.
    routing: &'static str,
}

/// The agency of `field` whose region covers `region` most locally (暂行办法第十二条、第二十五条:
/// the body where the respondent operates or the act happened handles it). None when no
/// active agency covers it, or when several cover it at the same level (left for a
/// supervisor to route by hand).
async fn route_for(tx: &mut Tx, field: &str, region: &str) -> Result<Route> {
    let rows =
        sqlx::query("SELECT id, name, region_code FROM subjects WHERE field = $1 AND active = $2")
            .bind(field)
            .bind(true)
            .fetch_all(&mut **tx)
            .await?;
    let mut best: Vec<(String, String, String)> = Vec::new();
    let mut best_len = 0;
    for r in &rows {
        let code: String = r.try_get("region_code")?;
        let prefix = region_prefix(&code);
        if !region.starts_with(prefix) || prefix.len() < best_len {
            continue;
        }
        if prefix.len() > best_len {
            best.clear();
            best_len = prefix.len();
        }
        best.push((r.try_get("id")?, r.try_get("name")?, code));
    }
    Ok(match best.len() {
        0 => Route {
            agency: None,
            routing: "none",
        },
        1 => Route {
            agency: best.pop(),
            routing: "auto",
        },
        _ => Route {
            agency: None,
            routing: "ambiguous",
        },
    })
}

/// The next number of a series, taken inside the write transaction (no gaps: a rolled-back
/// intake gives its number back).
async fn next_number(tx: &mut Tx, word: &str, year: i64) -> Result<i64> {
    let n: i64 = sqlx::query("SELECT next FROM complaint_numbers WHERE word = $1 AND year = $2")
        .bind(word)
        .bind(year)
        .fetch_optional(&mut **tx)
        .await?
        .map(|r| r.try_get("next"))
        .transpose()?
        .unwrap_or(1);
    sqlx::query(
        "INSERT INTO complaint_numbers (word, year, next) VALUES ($1, $2, $3) \
         ON CONFLICT (word, year) DO UPDATE SET next = excluded.next",
    )
    .bind(word)
    .bind(year)
    .bind(n + 1)
    .execute(&mut **tx)
    .await?;
    Ok(n)
}

/// A date filter value (`from`, `to`) or its field error.
fn date_param(field: &str, value: Option<&str>) -> Result<Option<String>> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => ChinaDate::parse(v)
            .map(|d| Some(d.to_string()))
            .map_err(|e| StoreError::invalid(e.at(field))),
    }
}

impl Complaint {
    /// Whether the deadline running now has passed on `today`.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.due_on
            .as_deref()
            .is_some_and(|d| d < today.to_string().as_str())
    }

    /// The status, when the stored code is known.
    pub fn status(&self) -> Option<ComplaintStatus> {
        ComplaintStatus::parse(&self.status)
    }
}

impl Store {
    /// The node's complaint rules (defaults when never set).
    pub async fn complaint_rules(&self) -> Result<ComplaintRules> {
        self.node_setting(RULES_KEY).await
    }

    /// Replaces the node's complaint rules (administrators): checked with
    /// [`ComplaintRules::check`] (`Invalid` with field `complaint_rules.<field>`), logged as
    /// entity `setting`, id `complaint_rules`.
    pub async fn set_complaint_rules(
        &self,
        actor: &Actor,
        rules: &ComplaintRules,
    ) -> Result<ComplaintRules> {
        if let Err((field, message)) = rules.check() {
            return Err(StoreError::invalid(field_error(
                format!("complaint_rules.{field}"),
                "complaint_rules.invalid",
                message,
            )));
        }
        self.set_node_setting(RULES_KEY, rules, actor).await?;
        Ok(rules.clone())
    }

    /// The regions of the active agencies, for the intake form (a complaint there can be
    /// routed), with their full names.
    pub async fn intake_regions(&self) -> Result<Vec<IntakeRegion>> {
        let rows = sqlx::query(
            "SELECT DISTINCT region_code FROM subjects WHERE active = $1 ORDER BY region_code",
        )
        .bind(true)
        .fetch_all(&self.pool)
        .await?;
        let table = RegionTable::builtin();
        rows.iter()
            .map(|r| {
                let code: String = r.try_get("region_code")?;
                Ok(IntakeRegion {
                    name: table.full_name(&code).unwrap_or_else(|| code.clone()),
                    code,
                })
            })
            .collect()
    }

    /// Registers a complaint or report received on `received_on` (登记): validates every
    /// field, allocates its number, routes it to the competent agency when exactly one is
    /// (else it waits, 待分派, for a supervisor), computes the acceptance deadline in working
    /// days, encrypts the contact data, and logs it — one transaction. Returns the number and
    /// the query code (the code itself is not stored).
    pub async fn create_complaint(
        &self,
        input: &ComplaintInput,
        received_on: NaiveDate,
        calendar: &LegalCalendar,
        actor: &Actor,
    ) -> Result<ComplaintReceipt> {
        input.validate().map_err(StoreError::Invalid)?;
        let kind = ComplaintKind::parse(&input.kind).ok_or_else(|| {
            StoreError::invalid(field_error("kind", "complaint.kind.unknown", "类别不存在"))
        })?;
        let region = intake_region(input).ok_or_else(|| {
            StoreError::invalid(field_error(
                "region_code",
                "complaint.region_code.required",
                "请选择事发地（行政区划）",
            ))
        })?;
        let field = input.field.trim().to_string();
        let rules = self.complaint_rules().await?;
        let accept_due = rules.acceptance_due(calendar, received_on);
        let (id, at) = (new_id(), now());
        let code = new_query_code()?;
        let (name, phone) = if input.anonymous {
            (None, None)
        } else {
            (
                blank_to_none(&input.contact_name),
                blank_to_none(&input.contact_phone),
            )
        };
        let encrypt = |column: &str, v: &Option<String>| {
            v.as_ref()
                .map(|v| self.cipher.encrypt(v.as_bytes(), &aad(column, &id)))
                .transpose()
        };
        let name_enc = encrypt("contact_name", &name)?;
        let phone_enc = encrypt("contact_phone", &phone)?;
        let uscc = blank_to_none(&input.respondent_uscc)
            .map(|u| Uscc::parse(&u).map(|c| c.as_str().to_string()).unwrap_or(u));

        let mut tx = self.begin_write().await?;
        let year = i64::from(received_on.year());
        let seq = next_number(&mut tx, kind.zh(), year).await?;
        let number = format_number(kind, received_on.year(), seq);
        let route = route_for(&mut tx, &field, &region).await?;
        let status = if route.agency.is_some() {
            ComplaintStatus::Routed
        } else {
            ComplaintStatus::Received
        };
        let (agency_id, agency_name, agency_region) = match &route.agency {
            Some((i, n, r)) => (Some(i.clone()), Some(n.clone()), Some(r.clone())),
            None => (None, None, None),
        };
        let received = received_on.to_string();
        sqlx::query(
            "INSERT INTO complaints (id, number, year, seq, kind, channel, region_code, field, \
             respondent_name, respondent_uscc, respondent_address, content, anonymous, \
             contact_name_enc, contact_name_masked, contact_phone_enc, contact_phone_masked, \
             query_code_index, agency_id, agency_name, agency_region, routing, received_on, \
             received_at, accept_due, due_on, due_provisional, status, routed_on, version, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, \
             $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $25, $26, $27, $28, \
             1, $24, $24)",
        )
        .bind(&id)
        .bind(&number)
        .bind(year)
        .bind(seq)
        .bind(kind.code())
        .bind(input.channel.trim())
        .bind(&region)
        .bind(&field)
        .bind(input.respondent_name.trim())
        .bind(uscc)
        .bind(blank_to_none(&input.respondent_address))
        .bind(input.content.trim())
        .bind(input.anonymous)
        .bind(name_enc)
        .bind(name.as_deref().map(mask_name))
        .bind(phone_enc)
        .bind(phone.as_deref().map(mask_phone))
        .bind(
            self.cipher
                .blind_index(format!("complaint-query:{id}:{code}").as_bytes()),
        )
        .bind(agency_id)
        .bind(agency_name.clone())
        .bind(agency_region)
        .bind(route.routing)
        .bind(&received)
        .bind(&at)
        .bind(accept_due.date.to_string())
        .bind(accept_due.provisional)
        .bind(status.code())
        .bind(route.agency.as_ref().map(|_| received.clone()))
        .execute(&mut *tx)
        .await?;
        let after = fetch(&mut *tx, &Scope::All, &id)
            .await?
            .ok_or_else(|| not_found(&id))?;
        let entry = ChangeEntry {
            entity: ENTITY,
            entity_id: &id,
            action: "create",
            before: None,
            after: snapshot(&after),
        };
        record_change(&mut tx, entry, actor, &at).await?;
        tx.commit().await?;
        Ok(ComplaintReceipt {
            id,
            number,
            query_code: code,
            status: status.code().to_string(),
            status_name: status.zh().to_string(),
            agency_name,
            received_on: received,
            accept_due: accept_due.date.to_string(),
        })
    }

    /// One complaint within a data scope (outside it: not found).
    pub async fn get_complaint_in(&self, scope: &Scope, id: &str) -> Result<Complaint> {
        fetch(&self.pool, scope, id)
            .await?
            .ok_or_else(|| not_found(id))
    }

    /// The complainant's name and phone in clear, within a data scope (an explicit action:
    /// callers write the access audit, 暂行办法第三十三条).
    pub async fn complaint_contact_in(
        &self,
        scope: &Scope,
        id: &str,
    ) -> Result<(Option<String>, Option<String>)> {
        self.get_complaint_in(scope, id).await?;
        let row =
            sqlx::query("SELECT contact_name_enc, contact_phone_enc FROM complaints WHERE id = $1")
                .bind(id)
                .fetch_one(&self.pool)
                .await?;
        let open = |column: &str| -> Result<Option<String>> {
            let enc: Option<Vec<u8>> = row.try_get(format!("{column}_enc").as_str())?;
            enc.map(|e| {
                let plain = self.cipher.decrypt(&e, &aad(column, id))?;
                String::from_utf8(plain)
                    .map_err(|_| StoreError::Crypto("解密结果不是有效文本".into()))
            })
            .transpose()
        };
        Ok((open("contact_name")?, open("contact_phone")?))
    }

    /// Complaints within a data scope matching the filter, newest first. `today` decides
    /// which are overdue.
    pub async fn list_complaints_in(
        &self,
        scope: &Scope,
        filter: &ComplaintFilter,
        today: NaiveDate,
        page: PageRequest,
    ) -> Result<Page<Complaint>> {
        let mut w = Where::new();
        scope_where(&mut w, scope);
        if let Some(s) = filter
            .status
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            if ComplaintStatus::parse(s).is_none() {
                return Err(StoreError::invalid(field_error(
                    "status",
                    "complaint.status.unknown",
                    format!("办理状态“{s}”不存在"),
                )));
            }
            w.eq("status", Some(s));
        }
        if let Some(k) = filter
            .kind
            .as_deref()
            .map(str::trim)
            .filter(|k| !k.is_empty())
        {
            let kind = ComplaintKind::parse(k).ok_or_else(|| {
                StoreError::invalid(field_error(
                    "kind",
                    "complaint.kind.unknown",
                    format!("类别“{k}”不存在：应为 complaint（投诉）或 report（举报）"),
                ))
            })?;
            w.eq("kind", Some(kind.code()));
        }
        w.eq("agency_id", filter.agency_id.as_deref());
        w.contains(&["number", "respondent_name"], filter.q.as_deref());
        if let Some(from) = date_param("from", filter.from.as_deref())? {
            let p = w.arg(Arg::Text(from));
            w.and(format!("received_on >= {p}"));
        }
        if let Some(to) = date_param("to", filter.to.as_deref())? {
            let p = w.arg(Arg::Text(to));
            w.and(format!("received_on <= {p}"));
        }
        if filter.overdue == Some(true) {
            let p = w.arg(Arg::Text(today.to_string()));
            w.and(format!("due_on IS NOT NULL AND due_on < {p}"));
        }
        fetch_page(
            &self.pool,
            COLUMNS,
            "complaints",
            w,
            "received_at DESC, id DESC",
            page,
            complaint_from_row,
        )
        .await
    }

    /// What a citizen sees with the number and the query code. An unknown number and a wrong
    /// code are answered alike (not found), so neither the existence of a number nor anybody
    /// else's data is disclosed.
    pub async fn track_complaint(&self, number: &str, code: &str) -> Result<ComplaintTrack> {
        let missing = || not_found(number.trim());
        let (kind, year, seq) = parse_number(number).ok_or_else(missing)?;
        let code = normalise_code(code);
        if code.len() != CODE_LEN {
            return Err(missing());
        }
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS}, query_code_index FROM complaints WHERE kind = $1 AND year = $2 AND seq = $3"
        )))
        .bind(kind.code())
        .bind(i64::from(year))
        .bind(seq)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(missing)?;
        let c = complaint_from_row(&row)?;
        let stored: String = row.try_get("query_code_index")?;
        let presented = self
            .cipher
            .blind_index(format!("complaint-query:{}:{code}", c.id).as_bytes());
        if stored != presented {
            return Err(missing());
        }
        let status = c.status();
        Ok(ComplaintTrack {
            number: c.number,
            kind: c.kind,
            respondent_name: c.respondent_name,
            received_on: c.received_on,
            status_name: status.map_or_else(|| c.status.clone(), |s| s.zh().to_string()),
            status: c.status,
            agency_name: c.agency_name,
            due_on: c.due_on,
            decided_on: c.decided_on,
            reject_reason: c.reject_reason,
            handled_on: c.handled_on,
            replied_on: c.replied_on,
            reply: c.reply,
        })
    }

    /// Complaints received in `from..=to` within `scope`, counted by routed agency, region
    /// (the agency's once routed, else the complaint's place) and field — the form the
    /// supervision statistics and indicators (投诉率) roll up.
    pub async fn complaint_counts_by_place(
        &self,
        scope: &Scope,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<crate::stats_model::ComplaintCount>> {
        let mut w = Where::new();
        scope_where(&mut w, scope);
        let f = w.arg(Arg::Text(from.to_string()));
        let t = w.arg(Arg::Text(to.to_string()));
        w.and(format!("received_on >= {f} AND received_on <= {t}"));
        let sql = format!(
            "SELECT agency_id, COALESCE(agency_region, region_code) AS place, field, \
             COUNT(*) AS n FROM complaints{} \
             GROUP BY agency_id, COALESCE(agency_region, region_code), field",
            w.sql()
        );
        query_with(sql, w.args())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(crate::stats_model::ComplaintCount {
                    agency_id: r.try_get("agency_id")?,
                    region_code: r.try_get("place")?,
                    field: r.try_get("field")?,
                    count: r.try_get("n")?,
                })
            })
            .collect()
    }

    /// Complaint counts per agency within a data scope for those received from `from` to `to`
    /// (inclusive): received, of those overdue (acceptance decided after its deadline or still
    /// undecided past it; handled after its deadline or still unhandled past it, judged on
    /// `today`), and replied. Complaints not routed yet are counted under `agency_id = None`.
    /// Ordered by received, most first.
    pub async fn complaint_counts(
        &self,
        scope: &Scope,
        from: NaiveDate,
        to: NaiveDate,
        today: NaiveDate,
    ) -> Result<Vec<ComplaintCount>> {
        let mut w = Where::new();
        scope_where(&mut w, scope);
        let f = w.arg(Arg::Text(from.to_string()));
        let t = w.arg(Arg::Text(to.to_string()));
        w.and(format!("received_on >= {f} AND received_on <= {t}"));
        let d = w.arg(Arg::Text(today.to_string()));
        let sql = format!(
            "SELECT agency_id, MAX(agency_name) AS agency_name, COUNT(*) AS received, \
             SUM(CASE WHEN (decided_on IS NULL AND accept_due < {d}) OR decided_on > accept_due \
             OR (handle_due IS NOT NULL AND ((handled_on IS NULL AND status = 'accepted' \
             AND handle_due < {d}) OR handled_on > handle_due)) THEN 1 ELSE 0 END) AS overdue, \
             SUM(CASE WHEN status = 'replied' THEN 1 ELSE 0 END) AS replied \
             FROM complaints{} GROUP BY agency_id ORDER BY received DESC, agency_id",
            w.sql()
        );
        query_with(sql, w.args())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(ComplaintCount {
                    agency_id: r.try_get("agency_id")?,
                    agency_name: r.try_get("agency_name")?,
                    received: r.try_get("received")?,
                    overdue: r.try_get("overdue")?,
                    replied: r.try_get("replied")?,
                })
            })
            .collect()
    }
}
