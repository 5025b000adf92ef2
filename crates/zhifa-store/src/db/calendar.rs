//! The legal calendar table loaded by an administrator (CSV `date,kind,festival`, as in
//! `data/calendar`): one stored text, validated by `zhifa_domain::LegalCalendar` before it is
//! saved.

use serde_json::json;
use sm3::{Digest, Sm3};
use sqlx::Row;
use zhifa_domain::{FieldError, LegalCalendar};

use super::Store;
use super::support::{ChangeEntry, now, record_change};
use crate::error::{Result, StoreError};
use crate::model::Actor;

/// Entity id of the one calendar table in the change log.
const CALENDAR_ID: &str = "cn-official-days";

/// What the change log keeps of a calendar table: its size, years and SM3 hash, not the text.
fn summary(csv: &str, calendar: &LegalCalendar) -> serde_json::Value {
    let rows = csv.lines().skip(1).filter(|l| !l.trim().is_empty()).count();
    json!({
        "rows": rows,
        "years": calendar.covered_years(),
        "sm3": hex::encode(Sm3::digest(csv.as_bytes())),
    })
}

impl Store {
    /// The calendar table an administrator loaded, if any.
    pub async fn calendar_csv(&self) -> Result<Option<String>> {
        let row = sqlx::query("SELECT csv FROM calendar WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get("csv")).transpose()?)
    }

    /// Validates and saves a calendar table (replacing the previous one), with a change-log
    /// entry (`calendar`, `create` or `update`) holding a summary of the table.
    pub async fn save_calendar_csv(&self, csv: &str, actor: &Actor) -> Result<()> {
        let calendar = LegalCalendar::from_csv(csv).map_err(|e| {
            StoreError::invalid(FieldError {
                field: "csv".to_string(),
                code: "calendar.csv.invalid".to_string(),
                rule: "《全国年节及纪念日放假办法》".to_string(),
                message: format!("法定工作日历表格有误：{e}"),
            })
        })?;
        let at = now();
        let mut tx = self.begin_write().await?;
        let old: Option<String> = sqlx::query("SELECT csv FROM calendar WHERE id = 1")
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.try_get("csv"))
            .transpose()?;
        let before = old
            .as_ref()
            .map(|text| match LegalCalendar::from_csv(text) {
                Ok(c) => summary(text, &c),
                Err(_) => json!({ "sm3": hex::encode(Sm3::digest(text.as_bytes())) }),
            });
        sqlx::query(
            "INSERT INTO calendar (id, csv, updated_at, updated_by) VALUES (1, $1, $2, $3) \
             ON CONFLICT (id) DO UPDATE SET csv = excluded.csv, updated_at = excluded.updated_at, \
             updated_by = excluded.updated_by",
        )
        .bind(csv)
        .bind(&at)
        .bind(actor.user.as_str())
        .execute(&mut *tx)
        .await?;
        let entry = ChangeEntry {
            entity: "calendar",
            entity_id: CALENDAR_ID,
            action: if old.is_some() { "update" } else { "create" },
            before,
            after: Some(summary(csv, &calendar)),
        };
        record_change(&mut tx, entry, actor, &at).await?;
        tx.commit().await?;
        Ok(())
    }
}
