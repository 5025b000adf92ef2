//! Regions (行政区划, GB/T 2260 + NBS township codes): loaded from the built-in table of
//! `zhifa-domain` in batches, and listed for pickers and filters.

use sm3::{Digest, Sm3};
use sqlx::Row;
use sqlx::any::AnyRow;
use zhifa_domain::region::{RegionLevel, RegionTable};

use super::Store;
use super::support::{BulkInsert, Where, fetch_page};
use crate::error::{Result, StoreError};
use crate::model::{Page, PageRequest, RegionFilter, RegionRow};

/// Meta key holding the SM3 fingerprint of the loaded region table.
const FINGERPRINT_KEY: &str = "regions.fingerprint";

/// Rows per multi-row INSERT (4 values each).
const BATCH: usize = 1000;

/// The stored name of a level.
fn level_name(level: RegionLevel) -> &'static str {
    match level {
        RegionLevel::Province => "province",
        RegionLevel::City => "city",
        RegionLevel::County => "county",
        RegionLevel::Township => "township",
    }
}

/// SM3 over every row of the table, so a changed edition is noticed even at the same size.
fn fingerprint(table: &RegionTable) -> String {
    let mut h = Sm3::new();
    for r in table.iter() {
        h.update(r.code.as_bytes());
        h.update(b"\t");
        h.update(r.name.as_bytes());
        h.update(b"\t");
        h.update(r.level.code().as_bytes());
        h.update(b"\t");
        h.update(r.parent.as_deref().unwrap_or("").as_bytes());
        h.update(b"\n");
    }
    hex::encode(h.finalize())
}

fn region_from_row(row: &AnyRow) -> Result<RegionRow> {
    Ok(RegionRow {
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        level: row.try_get("level")?,
        parent: row.try_get("parent")?,
    })
}

impl Store {
    /// Loads the region table (≈44,700 rows) in one transaction of batched upserts. Idempotent:
    /// when the stored table already matches (same SM3 fingerprint and row count) nothing is
    /// written and 0 is returned; otherwise returns the number of rows written.
    pub async fn load_regions(&self, table: &RegionTable) -> Result<usize> {
        let fp = fingerprint(table);
        let mut tx = self.begin_write().await?;
        let stored: Option<String> = sqlx::query("SELECT value FROM meta WHERE key = $1")
            .bind(FINGERPRINT_KEY)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.try_get("value"))
            .transpose()?;
        let count: i64 = sqlx::query("SELECT COUNT(*) FROM regions")
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
        if stored.as_deref() == Some(fp.as_str())
            && usize::try_from(count).ok() == Some(table.len())
        {
            return Ok(0);
        }
        let rows: Vec<_> = table.iter().collect();
        let insert = BulkInsert {
            head: "INSERT INTO regions (code, name, level, parent)",
            cols: 4,
            rows_per_statement: BATCH,
            tail: "ON CONFLICT (code) DO UPDATE SET name = excluded.name, level = excluded.level, \
                   parent = excluded.parent",
        };
        insert
            .run(&mut tx, self.backend, &rows, |q, r| {
                q.bind(r.code.clone())
                    .bind(r.name.clone())
                    .bind(level_name(r.level))
                    .bind(r.parent.clone())
            })
            .await?;
        sqlx::query(
            "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(FINGERPRINT_KEY)
        .bind(&fp)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(rows.len())
    }

    /// Regions matching the filter, ordered by code.
    pub async fn list_regions(
        &self,
        filter: &RegionFilter,
        page: PageRequest,
    ) -> Result<Page<RegionRow>> {
        let mut w = Where::new();
        w.eq("parent", filter.parent.as_deref());
        w.eq("level", filter.level.as_deref());
        w.contains(&["name"], filter.q.as_deref());
        fetch_page(
            &self.pool,
            "code, name, level, parent",
            "regions",
            w,
            "code",
            page,
            region_from_row,
        )
        .await
    }

    /// One region by code.
    pub async fn get_region(&self, code: &str) -> Result<RegionRow> {
        let row = sqlx::query("SELECT code, name, level, parent FROM regions WHERE code = $1")
            .bind(code.trim())
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "region",
                id: code.to_string(),
            })?;
        region_from_row(&row)
    }
}
