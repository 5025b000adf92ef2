//! The powers catalogue (权责清单 / 执法事项): each power with its legal bases, references to
//! stored articles (违则, 罚则, 设定依据). Codes are unique.

use std::collections::HashMap;

use sqlx::any::AnyRow;
use sqlx::{Any, AssertSqlSafe, Executor, Row};
use zhifa_domain::FieldError;

use super::Store;
use super::support::{
    ChangeEntry, Tx, Where, blank_to_none, exists, fetch_page, field_error, get_bool, get_json,
    map_unique, new_id, now, record_change, snapshot, to_json, unknown_ref,
};
use crate::error::{Result, StoreError};
use crate::model::{
    Actor, LegalBasis, Page, PageRequest, Power, PowerFilter, PowerInput, Validate,
};

const COLUMNS: &str = "id, code, name, category, field, subject_types, description, active, version, created_at, updated_at";

/// A power row without its bases.
fn power_from_row(row: &AnyRow) -> Result<Power> {
    Ok(Power {
        id: row.try_get("id")?,
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        category: row.try_get("category")?,
        field: row.try_get("field")?,
        subject_types: get_json(row, "subject_types")?,
        description: row.try_get("description")?,
        bases: Vec::new(),
        active: get_bool(row, "active")?,
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// The legal bases of the given powers, in their stored order.
async fn load_bases<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    ids: &[&str],
) -> Result<HashMap<String, Vec<LegalBasis>>> {
    let mut out: HashMap<String, Vec<LegalBasis>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT pb.power_id, pb.article_id, l.title AS law_title, a.label AS article_label, pb.role \
         FROM power_bases pb JOIN articles a ON a.id = pb.article_id JOIN laws l ON l.id = a.law_id \
         WHERE pb.power_id IN ({}) ORDER BY pb.power_id, pb.seq",
        placeholders.join(", ")
    );
    let mut q = sqlx::query(AssertSqlSafe(sql));
    for id in ids {
        q = q.bind(id.to_string());
    }
    for row in q.fetch_all(ex).await? {
        out.entry(row.try_get("power_id")?)
            .or_default()
            .push(LegalBasis {
                article_id: row.try_get("article_id")?,
                law_title: row.try_get("law_title")?,
                article_label: row.try_get("article_label")?,
                role: row.try_get("role")?,
            });
    }
    Ok(out)
}

async fn fetch(tx: &mut Tx, id: &str) -> Result<Option<Power>> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM powers WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(mut power) = row.as_ref().map(power_from_row).transpose()? else {
        return Ok(None);
    };
    power.bases = load_bases(&mut **tx, &[id])
        .await?
        .remove(id)
        .unwrap_or_default();
    Ok(Some(power))
}

fn not_found(id: &str) -> StoreError {
    StoreError::NotFound {
        entity: "power",
        id: id.to_string(),
    }
}

impl Store {
    /// Checks inside the transaction: the code is not taken and every basis article exists.
    async fn check_power(
        &self,
        tx: &mut Tx,
        id: Option<&str>,
        input: &PowerInput,
        errors: &mut Vec<FieldError>,
    ) -> Result<()> {
        if !errors.iter().any(|e| e.field == "code") {
            let taken = sqlx::query("SELECT name FROM powers WHERE code = $1 AND id <> $2")
                .bind(input.code.trim())
                .bind(id.unwrap_or(""))
                .fetch_optional(&mut **tx)
                .await?;
            if let Some(row) = taken {
                let name: String = row.try_get("name")?;
                errors.push(field_error(
                    "code",
                    "code.duplicate",
                    format!("事项编码 {} 已被事项“{name}”使用", input.code.trim()),
                ));
            }
        }
        for (i, b) in input.bases.iter().enumerate() {
            let article = b.article_id.trim();
            if !article.is_empty() && !exists(tx, "articles", article).await? {
                errors.push(unknown_ref(
                    format!("bases[{i}].article_id"),
                    "article_id.unknown",
                    "法律条文",
                    article,
                ));
            }
        }
        Ok(())
    }

    /// Writes the row's legal bases (after deleting the old ones).
    async fn write_bases(tx: &mut Tx, id: &str, input: &PowerInput) -> Result<()> {
        sqlx::query("DELETE FROM power_bases WHERE power_id = $1")
            .bind(id)
            .execute(&mut **tx)
            .await?;
        for (seq, b) in input.bases.iter().enumerate() {
            sqlx::query(
                "INSERT INTO power_bases (power_id, seq, article_id, role) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(seq as i64)
            .bind(b.article_id.trim())
            .bind(b.role.trim())
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }

    /// Creates a power with its legal bases and logs it.
    pub async fn create_power(&self, input: &PowerInput, actor: &Actor) -> Result<Power> {
        let mut errors = input.validate().err().unwrap_or_default();
        let mut tx = self.begin_write().await?;
        self.check_power(&mut tx, None, input, &mut errors).await?;
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let (id, at) = (new_id(), now());
        let types: Vec<&str> = input.subject_types.iter().map(|s| s.trim()).collect();
        sqlx::query(
            "INSERT INTO powers (id, code, name, category, field, subject_types, description, active, version, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9)",
        )
        .bind(&id)
        .bind(input.code.trim())
        .bind(input.name.trim())
        .bind(input.category.trim())
        .bind(input.field.trim())
        .bind(to_json(&types))
        .bind(blank_to_none(&input.description))
        .bind(true)
        .bind(&at)
        .execute(&mut *tx)
        .await
        .map_err(|e| map_unique(e, "code", "事项编码已被使用"))?;
        Self::write_bases(&mut tx, &id, input).await?;
        let after = fetch(&mut tx, &id).await?.ok_or_else(|| not_found(&id))?;
        let entry = ChangeEntry {
            entity: "power",
            entity_id: &id,
            action: "create",
            before: None,
            after: snapshot(&after),
        };
        record_change(&mut tx, entry, actor, &at).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Replaces every field and the legal bases of a power (version + 1).
    pub async fn update_power(&self, id: &str, input: &PowerInput, actor: &Actor) -> Result<Power> {
        let mut errors = input.validate().err().unwrap_or_default();
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?.ok_or_else(|| not_found(id))?;
        self.check_power(&mut tx, Some(id), input, &mut errors)
            .await?;
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let at = now();
        let types: Vec<&str> = input.subject_types.iter().map(|s| s.trim()).collect();
        sqlx::query(
            "UPDATE powers SET code = $1, name = $2, category = $3, field = $4, subject_types = $5, description = $6, \
             version = version + 1, updated_at = $7 WHERE id = $8",
        )
        .bind(input.code.trim())
        .bind(input.name.trim())
        .bind(input.category.trim())
        .bind(input.field.trim())
        .bind(to_json(&types))
        .bind(blank_to_none(&input.description))
        .bind(&at)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| map_unique(e, "code", "事项编码已被使用"))?;
        Self::write_bases(&mut tx, id, input).await?;
        let after = fetch(&mut tx, id).await?.ok_or_else(|| not_found(id))?;
        let entry = ChangeEntry {
            entity: "power",
            entity_id: id,
            action: "update",
            before: snapshot(&before),
            after: snapshot(&after),
        };
        record_change(&mut tx, entry, actor, &at).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Deactivates a power; an already inactive one is returned unchanged and unlogged.
    pub async fn deactivate_power(&self, id: &str, actor: &Actor) -> Result<Power> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?.ok_or_else(|| not_found(id))?;
        if !before.active {
            return Ok(before);
        }
        let at = now();
        sqlx::query(
            "UPDATE powers SET active = $1, version = version + 1, updated_at = $2 WHERE id = $3",
        )
        .bind(false)
        .bind(&at)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let after = fetch(&mut tx, id).await?.ok_or_else(|| not_found(id))?;
        let entry = ChangeEntry {
            entity: "power",
            entity_id: id,
            action: "deactivate",
            before: snapshot(&before),
            after: snapshot(&after),
        };
        record_change(&mut tx, entry, actor, &at).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// One power by id, with its legal bases.
    pub async fn get_power(&self, id: &str) -> Result<Power> {
        self.power_where("id", id)
            .await?
            .ok_or_else(|| not_found(id))
    }

    /// The power with this catalogue code, if any.
    pub async fn power_by_code(&self, code: &str) -> Result<Option<Power>> {
        self.power_where("code", code.trim()).await
    }

    async fn power_where(&self, column: &str, value: &str) -> Result<Option<Power>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM powers WHERE {column} = $1"
        )))
        .bind(value)
        .fetch_optional(&self.pool)
        .await?;
        let Some(mut power) = row.as_ref().map(power_from_row).transpose()? else {
            return Ok(None);
        };
        power.bases = load_bases(&self.pool, &[power.id.as_str()])
            .await?
            .remove(&power.id)
            .unwrap_or_default();
        Ok(Some(power))
    }

    /// Powers matching the filter, ordered by code, with their legal bases.
    pub async fn list_powers(
        &self,
        filter: &PowerFilter,
        page: PageRequest,
    ) -> Result<Page<Power>> {
        let mut w = Where::new();
        w.eq("category", filter.category.as_deref());
        w.eq("field", filter.field.as_deref());
        w.contains(&["name", "code"], filter.q.as_deref());
        w.active_only("active", filter.include_inactive);
        let mut page = fetch_page(
            &self.pool,
            COLUMNS,
            "powers",
            w,
            "code",
            page,
            power_from_row,
        )
        .await?;
        let ids: Vec<&str> = page.items.iter().map(|p| p.id.as_str()).collect();
        let mut bases = load_bases(&self.pool, &ids).await?;
        for p in &mut page.items {
            p.bases = bases.remove(&p.id).unwrap_or_default();
        }
        Ok(page)
    }
}
