//! Helpers shared by the repositories: dynamic `WHERE` clauses with `$n` placeholders, row
//! decoding that papers over the backends' differences, write transactions, the change log
//! and the mapping of unique violations to field errors.

use chrono::SecondsFormat;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::AnyPool;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, AssertSqlSafe, Row, Transaction};
use zhifa_domain::FieldError;

use super::ledger::{NewLeaf, append_leaves_at, ledger_head};
use super::{Backend, Store};
use crate::error::{Result, StoreError};
use crate::ledger::{ChangeRow, KIND_CHANGE};
use crate::model::{Actor, Page, PageRequest};

/// A write transaction.
pub(crate) type Tx = Transaction<'static, Any>;

/// The rule cited by checks that come from Zhifa's own data standard.
pub(crate) const STANDARD: &str = "Zhifa 数据标准 ZF-1.0";

/// Key of the PostgreSQL advisory lock that serialises base-data writes (so checks made
/// inside a transaction hold until it commits, and the change log has no gaps).
const WRITE_LOCK_KEY: i64 = 0x7a68_6966_6101;

/// A bind value of a dynamically built statement.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    /// Text.
    Text(String),
    /// Integer.
    Int(i64),
    /// Boolean (INTEGER 0/1 on SQLite, BOOLEAN on PostgreSQL).
    Bool(bool),
}

/// A `WHERE` clause under construction: conditions joined with `AND`, placeholders numbered
/// in the order their values are added.
#[derive(Debug, Default)]
pub(crate) struct Where {
    conditions: Vec<String>,
    args: Vec<Arg>,
}

impl Where {
    /// An empty clause.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Adds a value and returns its placeholder (`$n`).
    pub(crate) fn arg(&mut self, value: Arg) -> String {
        self.args.push(value);
        format!("${}", self.args.len())
    }

    /// Adds a condition.
    pub(crate) fn and(&mut self, condition: impl Into<String>) {
        self.conditions.push(condition.into());
    }

    /// The conditions so far as `a AND b` (empty for none), removed from the clause; the
    /// values stay, for conditions placed elsewhere in the same statement.
    pub(crate) fn take_conditions(&mut self) -> String {
        std::mem::take(&mut self.conditions).join(" AND ")
    }

    /// `" WHERE a AND b"`, or nothing.
    pub(crate) fn sql(&self) -> String {
        if self.conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.conditions.join(" AND "))
        }
    }

    /// The condition `lower(column) LIKE %q%` (escaped), unless `q` is blank.
    pub(crate) fn contains(&mut self, columns: &[&str], q: Option<&str>) {
        let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) else {
            return;
        };
        let p = self.arg(Arg::Text(format!("%{}%", escape_like(&q.to_lowercase()))));
        let any: Vec<String> = columns
            .iter()
            .map(|c| format!("lower({c}) LIKE {p} ESCAPE '\\'"))
            .collect();
        self.and(format!("({})", any.join(" OR ")));
    }

    /// The condition `column = value`, unless the value is absent or blank.
    pub(crate) fn eq(&mut self, column: &str, value: Option<&str>) {
        if let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) {
            let p = self.arg(Arg::Text(v.to_string()));
            self.and(format!("{column} = {p}"));
        }
    }

    /// `active = TRUE` unless inactive records are asked for.
    pub(crate) fn active_only(&mut self, column: &str, include_inactive: Option<bool>) {
        if !include_inactive.unwrap_or(false) {
            let p = self.arg(Arg::Bool(true));
            self.and(format!("{column} = {p}"));
        }
    }

    /// The values bound so far.
    pub(crate) fn args(&self) -> &[Arg] {
        &self.args
    }
}

/// Escapes `%`, `_` and `\` for `LIKE … ESCAPE '\'`.
pub(crate) fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A query over a dynamically built SQL text with its values bound in order.
pub(crate) fn query_with(sql: String, args: &[Arg]) -> Query<'static, Any, AnyArguments> {
    let mut q = sqlx::query(AssertSqlSafe(sql));
    for a in args {
        q = match a {
            Arg::Text(s) => q.bind(s.clone()),
            Arg::Int(i) => q.bind(*i),
            Arg::Bool(b) => q.bind(*b),
        };
    }
    q
}

/// One page of `SELECT {select} FROM {from}{where} ORDER BY {order}`, with the total count
/// of matching rows.
pub(crate) async fn fetch_page<T>(
    pool: &AnyPool,
    select: &str,
    from: &str,
    mut w: Where,
    order: &str,
    page: PageRequest,
    map: impl Fn(&AnyRow) -> Result<T>,
) -> Result<Page<T>> {
    let (offset, limit) = page.clamped();
    let total: i64 = query_with(format!("SELECT COUNT(*) FROM {from}{}", w.sql()), w.args())
        .fetch_one(pool)
        .await?
        .try_get(0)?;
    let lim = w.arg(Arg::Int(limit));
    let off = w.arg(Arg::Int(offset));
    let sql = format!(
        "SELECT {select} FROM {from}{} ORDER BY {order} LIMIT {lim} OFFSET {off}",
        w.sql()
    );
    let items = query_with(sql, w.args())
        .fetch_all(pool)
        .await?
        .iter()
        .map(map)
        .collect::<Result<Vec<_>>>()?;
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}

/// `($1, $2), ($3, $4)` for `rows` rows of `cols` values, numbered from `$1`.
pub(crate) fn values_list(rows: usize, cols: usize) -> String {
    values_list_from(0, rows, cols)
}

/// [`values_list`] whose placeholders start after `offset` (`$offset+1` …).
pub(crate) fn values_list_from(offset: usize, rows: usize, cols: usize) -> String {
    let mut out = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        if r > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for c in 0..cols {
            if c > 0 {
                out.push_str(", ");
            }
            out.push('$');
            out.push_str(&(offset + r * cols + c + 1).to_string());
        }
        out.push(')');
    }
    out
}

/// `(?, ?), (?, ?)` for `rows` rows of `cols` anonymous values.
fn anonymous_values_list(rows: usize, cols: usize) -> String {
    let row = format!("({})", vec!["?"; cols].join(", "));
    vec![row; rows].join(", ")
}

/// Several multi-row INSERTs as one PostgreSQL statement, one round trip: every part but the
/// last becomes a data-modifying CTE (`WITH p0 AS (INSERT … RETURNING 1), … INSERT …`), which
/// PostgreSQL runs exactly once and to completion whether or not it is read. Parts must not
/// depend on each other's rows (they all see the statement's snapshot).
#[derive(Debug, Default)]
pub(crate) struct PgChain {
    ctes: Vec<String>,
    last: Option<String>,
    params: usize,
}

impl PgChain {
    /// Most parameters one statement may carry (PostgreSQL's protocol limit is 65,535).
    pub(crate) const MAX_PARAMS: usize = 60_000;

    /// Whether `rows` more rows of `cols` values still fit.
    pub(crate) fn fits(&self, rows: usize, cols: usize) -> bool {
        self.params + rows * cols <= Self::MAX_PARAMS
    }

    /// Adds `{head} VALUES … {tail}` for `rows` rows (nothing for none); bind their values in
    /// the same order, after the values of the parts added before.
    pub(crate) fn add(&mut self, head: &str, cols: usize, rows: usize, tail: &str) {
        if rows == 0 {
            return;
        }
        let values = values_list_from(self.params, rows, cols);
        self.params += rows * cols;
        if let Some(prev) = self.last.take() {
            let n = self.ctes.len();
            self.ctes.push(format!("p{n} AS ({prev} RETURNING 1)"));
        }
        self.last = Some(format!("{head} VALUES {values} {tail}"));
    }

    /// The statement, or `None` when no part has rows.
    pub(crate) fn sql(&self) -> Option<String> {
        let last = self.last.as_ref()?;
        Some(if self.ctes.is_empty() {
            last.clone()
        } else {
            format!("WITH {} {last}", self.ctes.join(", "))
        })
    }
}

/// A multi-row INSERT: `{head} VALUES (…), (…) {tail}` with `cols` values per row.
pub(crate) struct BulkInsert<'a> {
    /// `INSERT INTO table (a, b, …)`.
    pub head: &'a str,
    /// Values per row.
    pub cols: usize,
    /// Rows per statement.
    pub rows_per_statement: usize,
    /// Text after the values, e.g. `ON CONFLICT … DO UPDATE …`, or empty.
    pub tail: &'a str,
}

impl BulkInsert<'_> {
    /// Inserts `rows` in statements of `rows_per_statement` rows, binding each row's values
    /// with `bind` (which must bind exactly `cols` values, in column order).
    ///
    /// This is the one place where the SQL text differs by backend: SQLite gets anonymous `?`
    /// placeholders, PostgreSQL `$n`. SQLite keeps numbered parameters in a list it searches
    /// linearly for every bind, so a statement of n `$n` parameters costs O(n²): importing
    /// the law corpus took 23 s instead of about 1 s (measured, release build).
    pub(crate) async fn run<T>(
        &self,
        tx: &mut Tx,
        backend: Backend,
        rows: &[T],
        bind: impl Fn(Query<'static, Any, AnyArguments>, &T) -> Query<'static, Any, AnyArguments>,
    ) -> Result<()> {
        for chunk in rows.chunks(self.rows_per_statement.max(1)) {
            let values = match backend {
                Backend::Sqlite => anonymous_values_list(chunk.len(), self.cols),
                Backend::Postgres => values_list(chunk.len(), self.cols),
            };
            let sql = format!("{} VALUES {} {}", self.head, values, self.tail);
            // Not cached: these large texts are used once per import.
            let mut q = sqlx::query(AssertSqlSafe(sql)).persistent(false);
            for row in chunk {
                q = bind(q, row);
            }
            q.execute(&mut **tx).await?;
        }
        Ok(())
    }
}

/// Reads a boolean column: BOOLEAN on PostgreSQL, INTEGER 0/1 on SQLite.
pub(crate) fn get_bool(row: &AnyRow, column: &str) -> Result<bool> {
    match row.try_get::<bool, _>(column) {
        Ok(b) => Ok(b),
        Err(_) => Ok(row.try_get::<i64, _>(column)? != 0),
    }
}

/// Reads a JSON TEXT column.
pub(crate) fn get_json<T: DeserializeOwned>(row: &AnyRow, column: &str) -> Result<T> {
    let text: String = row.try_get(column)?;
    parse_json(&text, column)
}

/// Reads a nullable JSON TEXT column.
pub(crate) fn get_json_opt<T: DeserializeOwned>(row: &AnyRow, column: &str) -> Result<Option<T>> {
    let text: Option<String> = row.try_get(column)?;
    text.map(|t| parse_json(&t, column)).transpose()
}

fn parse_json<T: DeserializeOwned>(text: &str, column: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| {
        StoreError::Database(sqlx::Error::ColumnDecode {
            index: column.to_string(),
            source: Box::new(e),
        })
    })
}

/// Encodes a value as JSON TEXT.
pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T) -> String {
    // Serialising plain records and string lists cannot fail.
    serde_json::to_string(value).unwrap_or_else(|e| unreachable!("JSON encoding failed: {e}"))
}

/// The current time as stored: RFC 3339 in China time (UTC+8), milliseconds.
pub(crate) fn now() -> String {
    zhifa_domain::time::now_china().to_rfc3339_opts(SecondsFormat::Millis, false)
}

/// A fresh id (UUID v7, time-ordered).
pub(crate) fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// `Some(trimmed)` for a non-blank string, else `None`.
pub(crate) fn blank_to_none(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// A field error whose rule is Zhifa's data standard.
pub(crate) fn field_error(
    field: impl Into<String>,
    code: &str,
    message: impl Into<String>,
) -> FieldError {
    FieldError {
        field: field.into(),
        code: code.to_string(),
        rule: STANDARD.to_string(),
        message: message.into(),
    }
}

/// `<field>.unknown`: a reference to a record that does not exist.
pub(crate) fn unknown_ref(
    field: impl Into<String>,
    code: &str,
    what: &str,
    id: &str,
) -> FieldError {
    field_error(field, code, format!("{what}“{id}”不存在"))
}

/// Maps a unique violation raised by the database to `<field>.duplicate`; other errors pass.
pub(crate) fn map_unique(e: sqlx::Error, field: &str, message: &str) -> StoreError {
    if e.as_database_error()
        .is_some_and(|d| d.is_unique_violation())
    {
        StoreError::invalid(field_error(field, &format!("{field}.duplicate"), message))
    } else {
        e.into()
    }
}

/// One change-log entry about to be written.
pub(crate) struct ChangeEntry<'a> {
    /// Entity kind, e.g. `subject`.
    pub entity: &'a str,
    /// Id of the record.
    pub entity_id: &'a str,
    /// `create`, `update`, `deactivate` or `import`.
    pub action: &'a str,
    /// Record before (masked).
    pub before: Option<serde_json::Value>,
    /// Record after (masked).
    pub after: Option<serde_json::Value>,
}

/// A record as it goes into the change log.
pub(crate) fn snapshot<T: Serialize>(record: &T) -> Option<serde_json::Value> {
    serde_json::to_value(record).ok()
}

/// Appends a change-log row inside `tx`, and its leaf to the ledger (全过程记录, APL Art. 47)
/// in the same transaction, so no change exists without its leaf. Call it last in the
/// transaction, so nothing after it can fail and leave a gap in the sequence.
pub(crate) async fn record_change(
    tx: &mut Tx,
    entry: ChangeEntry<'_>,
    actor: &Actor,
    at: &str,
) -> Result<()> {
    let before = entry.before.map(|v| to_json(&v));
    let after = entry.after.map(|v| to_json(&v));
    let seq: i64 = sqlx::query(
        "INSERT INTO changes (entity, entity_id, action, actor, ip, at, before, after) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING seq",
    )
    .bind(entry.entity)
    .bind(entry.entity_id)
    .bind(entry.action)
    .bind(actor.user.as_str())
    .bind(actor.ip.as_deref())
    .bind(at)
    .bind(before.as_deref())
    .bind(after.as_deref())
    .fetch_one(&mut **tx)
    .await?
    .try_get(0)?;
    let row = ChangeRow {
        seq,
        entity: entry.entity.to_string(),
        entity_id: entry.entity_id.to_string(),
        action: entry.action.to_string(),
        actor: actor.user.clone(),
        ip: actor.ip.clone(),
        at: at.to_string(),
        before,
        after,
    };
    let head = ledger_head(tx).await?;
    let leaf = NewLeaf {
        kind: KIND_CHANGE,
        reference: seq.to_string(),
        hash: row.leaf_hash(head.alg),
    };
    append_leaves_at(tx, backend_of(tx), head, &[leaf], at).await?;
    Ok(())
}

/// The backend a transaction runs on (the `Any` driver knows it by name).
pub(crate) fn backend_of(tx: &Tx) -> Backend {
    match tx.backend_name() {
        "PostgreSQL" => Backend::Postgres,
        _ => Backend::Sqlite,
    }
}

/// Whether a row with `id` exists in `table` (a constant table name).
pub(crate) async fn exists(tx: &mut Tx, table: &'static str, id: &str) -> Result<bool> {
    let sql = format!("SELECT 1 FROM {table} WHERE id = $1");
    Ok(sqlx::query(AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .is_some())
}

impl Store {
    /// Begins a write transaction that holds the database's write lock from the start:
    /// `BEGIN IMMEDIATE` on SQLite (so a read-then-write transaction cannot fail with a stale
    /// snapshot), an advisory lock on PostgreSQL (so writers are serialised and the checks made
    /// before writing stay true until commit).
    pub(crate) async fn begin_write(&self) -> Result<Tx> {
        match self.backend {
            Backend::Sqlite => Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?),
            // BEGIN and the lock in one round trip (a simple-protocol query of two statements;
            // the key is a constant of this file, never input).
            Backend::Postgres => Ok(self
                .pool
                .begin_with(AssertSqlSafe(format!(
                    "BEGIN; SELECT 1 FROM pg_advisory_xact_lock({WRITE_LOCK_KEY})"
                )))
                .await?),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn where_numbers_placeholders_in_order() {
        let mut w = Where::new();
        w.eq("field", Some("01"));
        w.eq("level", Some("  "));
        w.contains(&["name", "code"], Some("50%_off"));
        w.active_only("active", None);
        assert_eq!(
            w.sql(),
            " WHERE field = $1 AND (lower(name) LIKE $2 ESCAPE '\\' OR lower(code) LIKE $2 ESCAPE '\\') AND active = $3"
        );
        assert_eq!(w.args().len(), 3);
        assert!(matches!(&w.args()[1], Arg::Text(s) if s == "%50\\%\\_off%"));
    }

    #[test]
    fn values_lists() {
        assert_eq!(values_list(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(anonymous_values_list(2, 2), "(?, ?), (?, ?)");
        assert_eq!(values_list_from(3, 1, 2), "($4, $5)");
    }

    #[test]
    fn pg_chain_numbers_parameters_across_parts() {
        let mut c = PgChain::default();
        assert_eq!(c.sql(), None);
        c.add("INSERT INTO a (x, y)", 2, 1, "");
        c.add("INSERT INTO b (z)", 1, 0, "");
        assert_eq!(
            c.sql().as_deref(),
            Some("INSERT INTO a (x, y) VALUES ($1, $2) ")
        );
        c.add("INSERT INTO b (z)", 1, 2, "ON CONFLICT DO NOTHING");
        assert_eq!(
            c.sql().as_deref(),
            Some(
                "WITH p0 AS (INSERT INTO a (x, y) VALUES ($1, $2)  RETURNING 1) \
                 INSERT INTO b (z) VALUES ($3), ($4) ON CONFLICT DO NOTHING"
            )
        );
        assert!(c.fits(1, PgChain::MAX_PARAMS - 4) && !c.fits(1, PgChain::MAX_PARAMS - 3));
    }

    #[test]
    fn empty_where_is_empty() {
        let mut w = Where::new();
        w.active_only("active", Some(true));
        assert_eq!(w.sql(), "");
    }
}
