//! Discretion benchmarks (行政裁量权基准, APL Art. 34): rows of a power by circumstance level,
//! each with a fine range in fen or as multiples of the illegal income.

use sqlx::any::AnyRow;
use sqlx::{Any, AssertSqlSafe, Executor, Row};
use zhifa_domain::FieldError;

use super::Store;
use super::support::{
    ChangeEntry, Tx, Where, blank_to_none, fetch_page, field_error, get_bool, get_json, new_id,
    now, record_change, snapshot, to_json, unknown_ref,
};
use crate::error::{Result, StoreError};
use crate::model::{
    Actor, Benchmark, BenchmarkFilter, BenchmarkInput, Page, PageRequest, Validate,
};

const COLUMNS: &str = "id, power_id, level, conditions, fine_min_fen, fine_max_fen, income_multiple_min_permille, \
                       income_multiple_max_permille, other_penalties, note, active, version, created_at, updated_at";

fn benchmark_from_row(row: &AnyRow) -> Result<Benchmark> {
    Ok(Benchmark {
        id: row.try_get("id")?,
        power_id: row.try_get("power_id")?,
        level: row.try_get("level")?,
        conditions: row.try_get("conditions")?,
        fine_min_fen: row.try_get("fine_min_fen")?,
        fine_max_fen: row.try_get("fine_max_fen")?,
        income_multiple_min_permille: row.try_get("income_multiple_min_permille")?,
        income_multiple_max_permille: row.try_get("income_multiple_max_permille")?,
        other_penalties: get_json(row, "other_penalties")?,
        note: row.try_get("note")?,
        active: get_bool(row, "active")?,
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

async fn fetch<'e, E: Executor<'e, Database = Any>>(ex: E, id: &str) -> Result<Option<Benchmark>> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM benchmarks WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(ex)
    .await?;
    row.as_ref().map(benchmark_from_row).transpose()
}

fn not_found(id: &str) -> StoreError {
    StoreError::NotFound {
        entity: "benchmark",
        id: id.to_string(),
    }
}

impl Store {
    /// Checks inside the transaction: the power exists (and is active when newly assigned).
    async fn check_benchmark(
        &self,
        tx: &mut Tx,
        current: Option<&Benchmark>,
        input: &BenchmarkInput,
        errors: &mut Vec<FieldError>,
    ) -> Result<()> {
        let power_id = input.power_id.trim();
        if power_id.is_empty() {
            return Ok(());
        }
        let row = sqlx::query("SELECT active FROM powers WHERE id = $1")
            .bind(power_id)
            .fetch_optional(&mut **tx)
            .await?;
        match row {
            None => errors.push(unknown_ref(
                "power_id",
                "power_id.unknown",
                "执法事项",
                power_id,
            )),
            Some(row)
                if !get_bool(&row, "active")? && current.is_none_or(|c| c.power_id != power_id) =>
            {
                errors.push(field_error(
                    "power_id",
                    "power_id.inactive",
                    "该执法事项已撤销，不能新增裁量基准",
                ));
            }
            Some(_) => {}
        }
        Ok(())
    }

    /// Creates a benchmark row and logs it.
    pub async fn create_benchmark(
        &self,
        input: &BenchmarkInput,
        actor: &Actor,
    ) -> Result<Benchmark> {
        let mut errors = input.validate().err().unwrap_or_default();
        let mut tx = self.begin_write().await?;
        self.check_benchmark(&mut tx, None, input, &mut errors)
            .await?;
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let (id, at) = (new_id(), now());
        let others: Vec<&str> = input.other_penalties.iter().map(|s| s.trim()).collect();
        sqlx::query(
            "INSERT INTO benchmarks (id, power_id, level, conditions, fine_min_fen, fine_max_fen, \
             income_multiple_min_permille, income_multiple_max_permille, other_penalties, note, active, version, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12, $12)",
        )
        .bind(&id)
        .bind(input.power_id.trim())
        .bind(input.level.trim())
        .bind(input.conditions.trim())
        .bind(input.fine_min_fen)
        .bind(input.fine_max_fen)
        .bind(input.income_multiple_min_permille)
        .bind(input.income_multiple_max_permille)
        .bind(to_json(&others))
        .bind(blank_to_none(&input.note))
        .bind(true)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        let after = fetch(&mut *tx, &id).await?.ok_or_else(|| not_found(&id))?;
        let entry = ChangeEntry {
            entity: "benchmark",
            entity_id: &id,
            action: "create",
            before: None,
            after: snapshot(&after),
        };
        record_change(&mut tx, entry, actor, &at).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Replaces every field of a benchmark row (version + 1).
    pub async fn update_benchmark(
        &self,
        id: &str,
        input: &BenchmarkInput,
        actor: &Actor,
    ) -> Result<Benchmark> {
        let mut errors = input.validate().err().unwrap_or_default();
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut *tx, id).await?.ok_or_else(|| not_found(id))?;
        self.check_benchmark(&mut tx, Some(&before), input, &mut errors)
            .await?;
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let at = now();
        let others: Vec<&str> = input.other_penalties.iter().map(|s| s.trim()).collect();
        sqlx::query(
            "UPDATE benchmarks SET power_id = $1, level = $2, conditions = $3, fine_min_fen = $4, fine_max_fen = $5, \
             income_multiple_min_permille = $6, income_multiple_max_permille = $7, other_penalties = $8, note = $9, \
             version = version + 1, updated_at = $10 WHERE id = $11",
        )
        .bind(input.power_id.trim())
        .bind(input.level.trim())
        .bind(input.conditions.trim())
        .bind(input.fine_min_fen)
        .bind(input.fine_max_fen)
        .bind(input.income_multiple_min_permille)
        .bind(input.income_multiple_max_permille)
        .bind(to_json(&others))
        .bind(blank_to_none(&input.note))
        .bind(&at)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let after = fetch(&mut *tx, id).await?.ok_or_else(|| not_found(id))?;
        let entry = ChangeEntry {
            entity: "benchmark",
            entity_id: id,
            action: "update",
            before: snapshot(&before),
            after: snapshot(&after),
        };
        record_change(&mut tx, entry, actor, &at).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Deactivates a benchmark row; an already inactive one is returned unchanged and unlogged.
    pub async fn deactivate_benchmark(&self, id: &str, actor: &Actor) -> Result<Benchmark> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut *tx, id).await?.ok_or_else(|| not_found(id))?;
        if !before.active {
            return Ok(before);
        }
        let at = now();
        sqlx::query("UPDATE benchmarks SET active = $1, version = version + 1, updated_at = $2 WHERE id = $3")
            .bind(false)
            .bind(&at)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let after = fetch(&mut *tx, id).await?.ok_or_else(|| not_found(id))?;
        let entry = ChangeEntry {
            entity: "benchmark",
            entity_id: id,
            action: "deactivate",
            before: snapshot(&before),
            after: snapshot(&after),
        };
        record_change(&mut tx, entry, actor, &at).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// One benchmark row by id.
    pub async fn get_benchmark(&self, id: &str) -> Result<Benchmark> {
        fetch(&self.pool, id).await?.ok_or_else(|| not_found(id))
    }

    /// Benchmark rows matching the filter, ordered by power and circumstance level.
    pub async fn list_benchmarks(
        &self,
        filter: &BenchmarkFilter,
        page: PageRequest,
    ) -> Result<Page<Benchmark>> {
        let mut w = Where::new();
        w.eq("power_id", filter.power_id.as_deref());
        w.active_only("active", filter.include_inactive);
        fetch_page(
            &self.pool,
            COLUMNS,
            "benchmarks",
            w,
            "power_id, level, id",
            page,
            benchmark_from_row,
        )
        .await
    }
}
