//! Enforcement subjects (执法主体): create, replace, deactivate, look up and list, each write
//! in one transaction with its change-log entry.

use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};
use zhifa_domain::FieldError;
use zhifa_domain::ids::Uscc;
use zhifa_domain::region::RegionCode;

use super::Store;
use super::support::{
    Arg, ChangeEntry, Tx, Where, blank_to_none, exists, fetch_page, field_error, get_bool,
    map_unique, new_id, now, record_change, snapshot, unknown_ref,
};
use crate::error::{Result, StoreError};
use crate::model::{Actor, Page, PageRequest, Subject, SubjectFilter, SubjectInput, Validate};

const COLUMNS: &str = "id, name, short_name, uscc, subject_type, field, level, region_code, parent_id, \
                       address, phone, active, version, created_at, updated_at";

/// How deep a chain of supervising bodies may go before it is taken for a cycle.
const MAX_DEPTH: usize = 32;

fn subject_from_row(row: &AnyRow) -> Result<Subject> {
    Ok(Subject {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        short_name: row.try_get("short_name")?,
        uscc: row.try_get("uscc")?,
        subject_type: row.try_get("subject_type")?,
        field: row.try_get("field")?,
        level: row.try_get("level")?,
        region_code: row.try_get("region_code")?,
        parent_id: row.try_get("parent_id")?,
        address: row.try_get("address")?,
        phone: row.try_get("phone")?,
        active: get_bool(row, "active")?,
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

async fn fetch<'e, E: Executor<'e, Database = Any>>(ex: E, id: &str) -> Result<Option<Subject>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM subjects WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(ex)
    .await?;
    row.as_ref().map(subject_from_row).transpose()
}

/// The input with texts trimmed and identifiers in canonical form (where they parse).
fn canonical(input: &SubjectInput) -> SubjectInput {
    SubjectInput {
        name: input.name.trim().to_string(),
        short_name: blank_to_none(&input.short_name),
        uscc: Uscc::parse(&input.uscc)
            .map(|u| u.as_str().to_string())
            .unwrap_or_else(|_| input.uscc.trim().to_string()),
        subject_type: input.subject_type.trim().to_string(),
        field: input.field.trim().to_string(),
        level: input.level.trim().to_string(),
        region_code: RegionCode::parse(&input.region_code)
            .map(|r| r.as_str().to_string())
            .unwrap_or_else(|_| input.region_code.trim().to_string()),
        parent_id: blank_to_none(&input.parent_id),
        address: blank_to_none(&input.address),
        phone: blank_to_none(&input.phone),
    }
}

/// The `LIKE` prefix that selects a region and everything below it (GB/T 2260 codes nest by
/// prefix: province `44`0000, city `4401`00, county `440106`, township `440106`xxx).
pub(crate) fn region_prefix(code: &str) -> Result<String> {
    let c = code.trim();
    let digits = c.bytes().all(|b| b.is_ascii_digit());
    let prefix = match c.len() {
        9 if digits => c,
        6 if digits && c.ends_with("0000") => &c[..2],
        6 if digits && c.ends_with("00") => &c[..4],
        6 if digits => c,
        _ => {
            return Err(StoreError::invalid(field_error(
                "region",
                "region.format",
                format!("行政区划代码“{c}”格式错误：应为 6 位或 9 位数字"),
            )));
        }
    };
    Ok(format!("{prefix}%"))
}

impl Store {
    /// Checks made inside the transaction: USCC not taken, parent exists and is not the
    /// subject itself or one of its subordinates.
    async fn check_subject(
        &self,
        tx: &mut Tx,
        id: Option<&str>,
        s: &SubjectInput,
        errors: &mut Vec<FieldError>,
    ) -> Result<()> {
        let taken = |f: &str| errors.iter().any(|e| e.field == f);
        if !taken("uscc") {
            let row = sqlx::query("SELECT id, name FROM subjects WHERE uscc = $1 AND id <> $2")
                .bind(s.uscc.as_str())
                .bind(id.unwrap_or(""))
                .fetch_optional(&mut **tx)
                .await?;
            if let Some(row) = row {
                let name: String = row.try_get("name")?;
                let mut e = field_error(
                    "uscc",
                    "uscc.duplicate",
                    format!("统一社会信用代码 {} 已被执法主体“{name}”使用", s.uscc),
                );
                e.rule = "GB 32100-2015".to_string();
                errors.push(e);
            }
        }
        if let Some(parent) = &s.parent_id {
            if !exists(tx, "subjects", parent).await? {
                errors.push(unknown_ref(
                    "parent_id",
                    "parent_id.unknown",
                    "上级主管部门",
                    parent,
                ));
            } else if let Some(id) = id {
                // Walk up from the new parent: meeting `id` means a cycle.
                let mut current = Some(parent.clone());
                for _ in 0..MAX_DEPTH {
                    let Some(c) = current else { break };
                    if c == id {
                        errors.push(field_error(
                            "parent_id",
                            "parent_id.cycle",
                            "上级主管部门不能是本主体或其下级",
                        ));
                        break;
                    }
                    current = sqlx::query("SELECT parent_id FROM subjects WHERE id = $1")
                        .bind(c.as_str())
                        .fetch_optional(&mut **tx)
                        .await?
                        .map(|r| r.try_get::<Option<String>, _>("parent_id"))
                        .transpose()?
                        .flatten();
                }
            }
        }
        Ok(())
    }

    /// Creates a subject (version 1) and logs it.
    pub async fn create_subject(&self, input: &SubjectInput, actor: &Actor) -> Result<Subject> {
        let mut errors = input.validate().err().unwrap_or_default();
        let s = canonical(input);
        let mut tx = self.begin_write().await?;
        self.check_subject(&mut tx, None, &s, &mut errors).await?;
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let (id, at) = (new_id(), now());
        sqlx::query(
            "INSERT INTO subjects (id, name, short_name, uscc, subject_type, field, level, region_code, \
             parent_id, address, phone, active, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $13)",
        )
        .bind(&id)
        .bind(&s.name)
        .bind(&s.short_name)
        .bind(&s.uscc)
        .bind(&s.subject_type)
        .bind(&s.field)
        .bind(&s.level)
        .bind(&s.region_code)
        .bind(&s.parent_id)
        .bind(&s.address)
        .bind(&s.phone)
        .bind(true)
        .bind(&at)
        .execute(&mut *tx)
        .await
        .map_err(|e| map_unique(e, "uscc", "统一社会信用代码已被其他执法主体使用"))?;
        let after = fetch(&mut *tx, &id)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "subject",
                id: id.clone(),
            })?;
        let entry = ChangeEntry {
            entity: "subject",
            entity_id: &id,
            action: "create",
            before: None,
            after: snapshot(&after),
        };
        record_change(&mut tx, entry, actor, &at).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Replaces every field of a subject (version + 1) and logs before and after.
    pub async fn update_subject(
        &self,
        id: &str,
        input: &SubjectInput,
        actor: &Actor,
    ) -> Result<Subject> {
        let mut errors = input.validate().err().unwrap_or_default();
        let s = canonical(input);
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut *tx, id)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "subject",
                id: id.to_string(),
            })?;
        self.check_subject(&mut tx, Some(id), &s, &mut errors)
            .await?;
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let at = now();
        sqlx::query(
            "UPDATE subjects SET name = $1, short_name = $2, uscc = $3, subject_type = $4, field = $5, \
             level = $6, region_code = $7, parent_id = $8, address = $9, phone = $10, \
             version = version + 1, updated_at = $11 WHERE id = $12",
        )
        .bind(&s.name)
        .bind(&s.short_name)
        .bind(&s.uscc)
        .bind(&s.subject_type)
        .bind(&s.field)
        .bind(&s.level)
        .bind(&s.region_code)
        .bind(&s.parent_id)
        .bind(&s.address)
        .bind(&s.phone)
        .bind(&at)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| map_unique(e, "uscc", "统一社会信用代码已被其他执法主体使用"))?;
        let after = fetch(&mut *tx, id)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "subject",
                id: id.to_string(),
            })?;
        let entry = ChangeEntry {
            entity: "subject",
            entity_id: id,
            action: "update",
            before: snapshot(&before),
            after: snapshot(&after),
        };
        record_change(&mut tx, entry, actor, &at).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Deactivates (撤销) a subject; an already inactive one is returned unchanged and unlogged.
    pub async fn deactivate_subject(&self, id: &str, actor: &Actor) -> Result<Subject> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut *tx, id)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "subject",
                id: id.to_string(),
            })?;
        if !before.active {
            return Ok(before);
        }
        let at = now();
        sqlx::query(
            "UPDATE subjects SET active = $1, version = version + 1, updated_at = $2 WHERE id = $3",
        )
        .bind(false)
        .bind(&at)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let after = fetch(&mut *tx, id)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "subject",
                id: id.to_string(),
            })?;
        let entry = ChangeEntry {
            entity: "subject",
            entity_id: id,
            action: "deactivate",
            before: snapshot(&before),
            after: snapshot(&after),
        };
        record_change(&mut tx, entry, actor, &at).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// One subject by id (active or not).
    pub async fn get_subject(&self, id: &str) -> Result<Subject> {
        fetch(&self.pool, id)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "subject",
                id: id.to_string(),
            })
    }

    /// The subject with this unified social credit code, if any (the code is canonicalised
    /// first, so lower case is accepted).
    pub async fn subject_by_uscc(&self, uscc: &str) -> Result<Option<Subject>> {
        let code = Uscc::parse(uscc)
            .map(|u| u.as_str().to_string())
            .unwrap_or_else(|_| uscc.trim().to_string());
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM subjects WHERE uscc = $1"
        )))
        .bind(code)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(subject_from_row).transpose()
    }

    /// Subjects matching the filter, ordered by region code and name. `region` selects the
    /// region and all regions below it.
    pub async fn list_subjects(
        &self,
        filter: &SubjectFilter,
        page: PageRequest,
    ) -> Result<Page<Subject>> {
        let mut w = Where::new();
        if let Some(region) = filter.region.as_deref().filter(|r| !r.trim().is_empty()) {
            let p = w.arg(Arg::Text(region_prefix(region)?));
            w.and(format!("region_code LIKE {p}"));
        }
        w.eq("field", filter.field.as_deref());
        w.contains(&["name", "short_name"], filter.q.as_deref());
        w.active_only("active", filter.include_inactive);
        fetch_page(
            &self.pool,
            COLUMNS,
            "subjects",
            w,
            "region_code, name, id",
            page,
            subject_from_row,
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::region_prefix;

    #[test]
    fn region_prefixes_follow_the_code_hierarchy() {
        assert_eq!(region_prefix("440000").ok().as_deref(), Some("44%"));
        assert_eq!(region_prefix("440100").ok().as_deref(), Some("4401%"));
        assert_eq!(region_prefix("440106").ok().as_deref(), Some("440106%"));
        assert_eq!(
            region_prefix("440106001").ok().as_deref(),
            Some("440106001%")
        );
        assert!(region_prefix("44").is_err());
        assert!(region_prefix("44010x").is_err());
    }
}
