//! Enforcement officers (执法人员). The citizen ID and phone are stored encrypted (SM4-GCM,
//! bound to the record id) with masked copies for display; a blind index (HMAC-SM3) keeps
//! citizen IDs unique without decrypting. The change log sees only the masked forms.

use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};
use zhifa_domain::FieldError;
use zhifa_domain::ids::CitizenId;

use super::Store;
use super::access::scope_agencies;
use super::support::{
    ChangeEntry, Tx, Where, blank_to_none, fetch_page, field_error, get_bool, map_unique, new_id,
    now, query_with, record_change, snapshot, unknown_ref,
};
use crate::error::{Result, StoreError};
use crate::model::{Actor, Officer, OfficerFilter, OfficerInput, Page, PageRequest, Validate};
use crate::scope::Scope;

const COLUMNS: &str = "id, name, sex, citizen_id_masked, subject_id, position, phone_masked, active, version, created_at, updated_at";

fn officer_from_row(row: &AnyRow) -> Result<Officer> {
    Ok(Officer {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        sex: row.try_get("sex")?,
        citizen_id_masked: row.try_get("citizen_id_masked")?,
        subject_id: row.try_get("subject_id")?,
        position: row.try_get("position")?,
        phone_masked: row.try_get("phone_masked")?,
        active: get_bool(row, "active")?,
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

async fn fetch<'e, E: Executor<'e, Database = Any>>(ex: E, id: &str) -> Result<Option<Officer>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM officers WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(ex)
    .await?;
    row.as_ref().map(officer_from_row).transpose()
}

fn not_found(id: &str) -> StoreError {
    StoreError::NotFound {
        entity: "officer",
        id: id.to_string(),
    }
}

/// `138****5678`.
fn mask_phone(p: &str) -> String {
    if p.len() == 11 && p.is_ascii() {
        format!("{}****{}", &p[..3], &p[7..])
    } else {
        "****".to_string()
    }
}

/// Associated data binding a ciphertext to its column and record.
fn aad(column: &str, id: &str) -> Vec<u8> {
    format!("officer.{column}:{id}").into_bytes()
}

/// The protected values of an officer, ready to store.
struct Protected {
    sex: String,
    citizen_id_enc: Vec<u8>,
    citizen_id_index: String,
    citizen_id_masked: String,
    phone_enc: Option<Vec<u8>>,
    phone_masked: Option<String>,
}

impl Store {
    /// Encrypts and masks the citizen ID and phone of a valid input.
    fn protect(&self, id: &str, citizen_id: &CitizenId, phone: Option<&str>) -> Result<Protected> {
        Ok(Protected {
            sex: citizen_id.sex().code().to_string(),
            citizen_id_enc: self
                .cipher
                .encrypt(citizen_id.as_str().as_bytes(), &aad("citizen_id", id))?,
            citizen_id_index: self.cipher.blind_index(citizen_id.as_str().as_bytes()),
            citizen_id_masked: citizen_id.masked(),
            phone_enc: phone
                .map(|p| self.cipher.encrypt(p.as_bytes(), &aad("phone", id)))
                .transpose()?,
            phone_masked: phone.map(mask_phone),
        })
    }

    /// Checks inside the transaction: the subject exists (and is active when newly assigned),
    /// and no other officer has the same citizen ID (by blind index).
    async fn check_officer(
        &self,
        tx: &mut Tx,
        current: Option<&Officer>,
        input: &OfficerInput,
        citizen_id: Option<&CitizenId>,
        errors: &mut Vec<FieldError>,
    ) -> Result<()> {
        let subject_id = input.subject_id.trim();
        if !subject_id.is_empty() {
            let row = sqlx::query("SELECT active FROM subjects WHERE id = $1")
                .bind(subject_id)
                .fetch_optional(&mut **tx)
                .await?;
            match row {
                None => errors.push(unknown_ref(
                    "subject_id",
                    "subject_id.unknown",
                    "执法主体",
                    subject_id,
                )),
                Some(row)
                    if !get_bool(&row, "active")?
                        && current.is_none_or(|c| c.subject_id != subject_id) =>
                {
                    errors.push(field_error(
                        "subject_id",
                        "subject_id.inactive",
                        "该执法主体已撤销，不能新增人员",
                    ));
                }
                Some(_) => {}
            }
        }
        if let Some(cid) = citizen_id {
            let index = self.cipher.blind_index(cid.as_str().as_bytes());
            let row =
                sqlx::query("SELECT name FROM officers WHERE citizen_id_index = $1 AND id <> $2")
                    .bind(index)
                    .bind(current.map(|c| c.id.as_str()).unwrap_or(""))
                    .fetch_optional(&mut **tx)
                    .await?;
            if let Some(row) = row {
                let name: String = row.try_get("name")?;
                errors.push(field_error(
                    "citizen_id",
                    "citizen_id.duplicate",
                    format!("公民身份号码 {} 已登记为执法人员“{name}”", cid.masked()),
                ));
            }
        }
        Ok(())
    }

    /// Creates an officer (citizen ID encrypted, sex derived from it) and logs the masked record.
    pub async fn create_officer(&self, input: &OfficerInput, actor: &Actor) -> Result<Officer> {
        let mut tx = self.begin_write().await?;
        let after = self.create_officer_tx(&mut tx, input, actor).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// [`Store::create_officer`] inside the caller's write transaction (imports).
    pub(crate) async fn create_officer_tx(
        &self,
        tx: &mut Tx,
        input: &OfficerInput,
        actor: &Actor,
    ) -> Result<Officer> {
        let mut errors = input.validate().err().unwrap_or_default();
        let citizen_id = CitizenId::parse(&input.citizen_id).ok();
        self.check_officer(tx, None, input, citizen_id.as_ref(), &mut errors)
            .await?;
        let Some(citizen_id) = citizen_id.filter(|_| errors.is_empty()) else {
            return Err(StoreError::Invalid(errors));
        };
        let (id, at) = (new_id(), now());
        let phone = blank_to_none(&input.phone);
        let p = self.protect(&id, &citizen_id, phone.as_deref())?;
        sqlx::query(
            "INSERT INTO officers (id, name, sex, citizen_id_enc, citizen_id_index, citizen_id_masked, subject_id, \
             position, phone_enc, phone_masked, active, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12, $12)",
        )
        .bind(&id)
        .bind(input.name.trim())
        .bind(&p.sex)
        .bind(p.citizen_id_enc)
        .bind(&p.citizen_id_index)
        .bind(&p.citizen_id_masked)
        .bind(input.subject_id.trim())
        .bind(blank_to_none(&input.position))
        .bind(p.phone_enc)
        .bind(&p.phone_masked)
        .bind(true)
        .bind(&at)
        .execute(&mut **tx)
        .await
        .map_err(|e| map_unique(e, "citizen_id", "该公民身份号码已登记为执法人员"))?;
        let after = fetch(&mut **tx, &id).await?.ok_or_else(|| not_found(&id))?;
        let entry = ChangeEntry {
            entity: "officer",
            entity_id: &id,
            action: "create",
            before: None,
            after: snapshot(&after),
        };
        record_change(tx, entry, actor, &at).await?;
        Ok(after)
    }

    /// Replaces every field of an officer (version + 1), re-encrypting the protected fields.
    pub async fn update_officer(
        &self,
        id: &str,
        input: &OfficerInput,
        actor: &Actor,
    ) -> Result<Officer> {
        let mut tx = self.begin_write().await?;
        let after = self.update_officer_tx(&mut tx, id, input, actor).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// [`Store::update_officer`] inside the caller's write transaction (imports).
    pub(crate) async fn update_officer_tx(
        &self,
        tx: &mut Tx,
        id: &str,
        input: &OfficerInput,
        actor: &Actor,
    ) -> Result<Officer> {
        let mut errors = input.validate().err().unwrap_or_default();
        let citizen_id = CitizenId::parse(&input.citizen_id).ok();
        let before = fetch(&mut **tx, id).await?.ok_or_else(|| not_found(id))?;
        self.check_officer(tx, Some(&before), input, citizen_id.as_ref(), &mut errors)
            .await?;
        let Some(citizen_id) = citizen_id.filter(|_| errors.is_empty()) else {
            return Err(StoreError::Invalid(errors));
        };
        let at = now();
        let phone = blank_to_none(&input.phone);
        let p = self.protect(id, &citizen_id, phone.as_deref())?;
        sqlx::query(
            "UPDATE officers SET name = $1, sex = $2, citizen_id_enc = $3, citizen_id_index = $4, \
             citizen_id_masked = $5, subject_id = $6, position = $7, phone_enc = $8, phone_masked = $9, \
             version = version + 1, updated_at = $10 WHERE id = $11",
        )
        .bind(input.name.trim())
        .bind(&p.sex)
        .bind(p.citizen_id_enc)
        .bind(&p.citizen_id_index)
        .bind(&p.citizen_id_masked)
        .bind(input.subject_id.trim())
        .bind(blank_to_none(&input.position))
        .bind(p.phone_enc)
        .bind(&p.phone_masked)
        .bind(&at)
        .bind(id)
        .execute(&mut **tx)
        .await
        .map_err(|e| map_unique(e, "citizen_id", "该公民身份号码已登记为执法人员"))?;
        let after = fetch(&mut **tx, id).await?.ok_or_else(|| not_found(id))?;
        let entry = ChangeEntry {
            entity: "officer",
            entity_id: id,
            action: "update",
            before: snapshot(&before),
            after: snapshot(&after),
        };
        record_change(tx, entry, actor, &at).await?;
        Ok(after)
    }

    /// Whether `input` (with its subject id resolved) differs from the stored officer `id`
    /// in anything an update would write (name, citizen ID, subject, post, phone).
    pub(crate) async fn officer_differs(
        &self,
        tx: &mut Tx,
        id: &str,
        input: &OfficerInput,
    ) -> Result<bool> {
        let row = sqlx::query(
            "SELECT name, citizen_id_index, subject_id, position, phone_enc FROM officers \
             WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| not_found(id))?;
        let index = CitizenId::parse(&input.citizen_id)
            .map(|c| self.cipher.blind_index(c.as_str().as_bytes()))
            .unwrap_or_default();
        let phone = match row.try_get::<Option<Vec<u8>>, _>("phone_enc")? {
            Some(enc) => Some(
                String::from_utf8(self.cipher.decrypt(&enc, &aad("phone", id))?)
                    .map_err(|e| StoreError::Crypto(format!("手机号码密文无法解码：{e}")))?,
            ),
            None => None,
        };
        Ok(row.try_get::<String, _>("name")? != input.name.trim()
            || row.try_get::<String, _>("citizen_id_index")? != index
            || row.try_get::<String, _>("subject_id")? != input.subject_id.trim()
            || row.try_get::<Option<String>, _>("position")? != blank_to_none(&input.position)
            || phone != blank_to_none(&input.phone))
    }

    /// Deactivates an officer; an already inactive one is returned unchanged and unlogged.
    pub async fn deactivate_officer(&self, id: &str, actor: &Actor) -> Result<Officer> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut *tx, id).await?.ok_or_else(|| not_found(id))?;
        if !before.active {
            return Ok(before);
        }
        let at = now();
        sqlx::query(
            "UPDATE officers SET active = $1, version = version + 1, updated_at = $2 WHERE id = $3",
        )
        .bind(false)
        .bind(&at)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let after = fetch(&mut *tx, id).await?.ok_or_else(|| not_found(id))?;
        let entry = ChangeEntry {
            entity: "officer",
            entity_id: id,
            action: "deactivate",
            before: snapshot(&before),
            after: snapshot(&after),
        };
        record_change(&mut tx, entry, actor, &at).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// One officer by id (masked personal data), with no scope limit (the platform itself).
    pub async fn get_officer(&self, id: &str) -> Result<Officer> {
        self.get_officer_in(&Scope::All, id).await
    }

    /// One officer by id within a data scope; outside it the officer is not found.
    pub async fn get_officer_in(&self, scope: &Scope, id: &str) -> Result<Officer> {
        let mut w = Where::new();
        w.eq("id", Some(id));
        scope_agencies(&mut w, scope, "subject_id");
        let row = query_with(
            format!("SELECT {COLUMNS} FROM officers{}", w.sql()),
            w.args(),
        )
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref()
            .map(officer_from_row)
            .transpose()?
            .ok_or_else(|| not_found(id))
    }

    /// Decrypts the full citizen ID (an explicit action; callers log the access).
    pub async fn officer_citizen_id(&self, id: &str) -> Result<String> {
        let row = sqlx::query("SELECT citizen_id_enc FROM officers WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| not_found(id))?;
        let enc: Vec<u8> = row.try_get("citizen_id_enc")?;
        let plain = self.cipher.decrypt(&enc, &aad("citizen_id", id))?;
        String::from_utf8(plain).map_err(|_| StoreError::Crypto("解密结果不是有效文本".into()))
    }

    /// The full citizen ID and phone of an officer within a scope (an explicit action; callers
    /// write the access audit).
    pub async fn officer_personal_data_in(
        &self,
        scope: &Scope,
        id: &str,
    ) -> Result<(String, Option<String>)> {
        self.get_officer_in(scope, id).await?;
        let citizen_id = self.officer_citizen_id(id).await?;
        let row = sqlx::query("SELECT phone_enc FROM officers WHERE id = $1")
            .bind(id)
            .fetch_one(&self.pool)
            .await?;
        let enc: Option<Vec<u8>> = row.try_get("phone_enc")?;
        let phone = enc
            .map(|e| {
                let plain = self.cipher.decrypt(&e, &aad("phone", id))?;
                String::from_utf8(plain)
                    .map_err(|_| StoreError::Crypto("解密结果不是有效文本".into()))
            })
            .transpose()?;
        Ok((citizen_id, phone))
    }

    /// Officers matching the filter, ordered by name, with no scope limit.
    pub async fn list_officers(
        &self,
        filter: &OfficerFilter,
        page: PageRequest,
    ) -> Result<Page<Officer>> {
        self.list_officers_in(&Scope::All, filter, page).await
    }

    /// Officers matching the filter within a data scope, ordered by name.
    pub async fn list_officers_in(
        &self,
        scope: &Scope,
        filter: &OfficerFilter,
        page: PageRequest,
    ) -> Result<Page<Officer>> {
        let mut w = Where::new();
        w.eq("subject_id", filter.subject_id.as_deref());
        w.contains(&["name"], filter.q.as_deref());
        w.active_only("active", filter.include_inactive);
        scope_agencies(&mut w, scope, "subject_id");
        fetch_page(
            &self.pool,
            COLUMNS,
            "officers",
            w,
            "name, id",
            page,
            officer_from_row,
        )
        .await
    }

    /// Whether an agency lies inside a scope; outside, a write naming it is refused as if the
    /// agency did not exist.
    pub(crate) async fn check_subject_scope(&self, scope: &Scope, subject_id: &str) -> Result<()> {
        let mut w = Where::new();
        w.eq("id", Some(subject_id));
        scope_agencies(&mut w, scope, "id");
        let found = query_with(format!("SELECT 1 FROM subjects{}", w.sql()), w.args())
            .fetch_optional(&self.pool)
            .await?
            .is_some();
        if found || subject_id.trim().is_empty() {
            Ok(())
        } else {
            Err(StoreError::invalid(unknown_ref(
                "subject_id",
                "subject_id.unknown",
                "执法主体",
                subject_id.trim(),
            )))
        }
    }

    /// Creates an officer in an agency inside the caller's scope.
    pub async fn create_officer_in(
        &self,
        scope: &Scope,
        input: &OfficerInput,
        actor: &Actor,
    ) -> Result<Officer> {
        self.check_subject_scope(scope, &input.subject_id).await?;
        self.create_officer(input, actor).await
    }

    /// Updates an officer inside the caller's scope (and keeps it there).
    pub async fn update_officer_in(
        &self,
        scope: &Scope,
        id: &str,
        input: &OfficerInput,
        actor: &Actor,
    ) -> Result<Officer> {
        self.get_officer_in(scope, id).await?;
        self.check_subject_scope(scope, &input.subject_id).await?;
        self.update_officer(id, input, actor).await
    }

    /// Deactivates an officer inside the caller's scope.
    pub async fn deactivate_officer_in(
        &self,
        scope: &Scope,
        id: &str,
        actor: &Actor,
    ) -> Result<Officer> {
        self.get_officer_in(scope, id).await?;
        self.deactivate_officer(id, actor).await
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn phones_are_masked() {
        assert_eq!(super::mask_phone("13800138000"), "138****8000");
        assert_eq!(super::mask_phone("1380013"), "****");
    }
}
