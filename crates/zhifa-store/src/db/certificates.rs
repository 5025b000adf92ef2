//! Enforcement certificates (行政执法证): numbers are unique; the holder's name and subject
//! come from the officer record.

use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};
use zhifa_domain::FieldError;
use zhifa_domain::time::ChinaDate;

use super::Store;
use super::access::scope_agencies;
use super::support::{
    ChangeEntry, Tx, Where, blank_to_none, fetch_page, field_error, get_bool, get_json, map_unique,
    new_id, now, query_with, record_change, snapshot, to_json, unknown_ref,
};
use crate::error::{Result, StoreError};
use crate::model::{
    Actor, Certificate, CertificateFilter, CertificateInput, Page, PageRequest, Validate,
};
use crate::scope::Scope;

const COLUMNS: &str = "c.id, c.number, c.officer_id, o.name AS officer_name, o.subject_id, c.status, c.valid_from, \
                       c.valid_to, c.fields, c.legal_review_qualified, c.issuer, c.active, c.version, c.created_at, \
                       c.updated_at";

const FROM: &str = "certificates c JOIN officers o ON o.id = c.officer_id";

fn certificate_from_row(row: &AnyRow) -> Result<Certificate> {
    Ok(Certificate {
        id: row.try_get("id")?,
        number: row.try_get("number")?,
        officer_id: row.try_get("officer_id")?,
        officer_name: row.try_get("officer_name")?,
        subject_id: row.try_get("subject_id")?,
        status: row.try_get("status")?,
        valid_from: row.try_get("valid_from")?,
        valid_to: row.try_get("valid_to")?,
        fields: get_json(row, "fields")?,
        legal_review_qualified: get_bool(row, "legal_review_qualified")?,
        issuer: row.try_get("issuer")?,
        active: get_bool(row, "active")?,
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

async fn fetch_where<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    column: &str,
    value: &str,
) -> Result<Option<Certificate>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE c.{column} = $1"
    )))
    .bind(value)
    .fetch_optional(ex)
    .await?;
    row.as_ref().map(certificate_from_row).transpose()
}

fn not_found(id: &str) -> StoreError {
    StoreError::NotFound {
        entity: "certificate",
        id: id.to_string(),
    }
}

/// A valid certificate input in stored form.
struct Clean {
    number: String,
    officer_id: String,
    status: String,
    valid_from: String,
    valid_to: String,
    fields: Vec<String>,
    issuer: Option<String>,
}

fn canonical(input: &CertificateInput) -> Clean {
    let date = |s: &str| {
        ChinaDate::parse(s)
            .map(|d| d.to_string())
            .unwrap_or_else(|_| s.trim().to_string())
    };
    Clean {
        number: input.number.trim().to_string(),
        officer_id: input.officer_id.trim().to_string(),
        status: input.status.trim().to_string(),
        valid_from: date(&input.valid_from),
        valid_to: date(&input.valid_to),
        fields: input.fields.iter().map(|f| f.trim().to_string()).collect(),
        issuer: blank_to_none(&input.issuer),
    }
}

impl Store {
    /// Checks inside the transaction: the holder exists (and is active when newly assigned),
    /// and the number is not taken.
    async fn check_certificate(
        &self,
        tx: &mut Tx,
        current: Option<&Certificate>,
        c: &Clean,
        errors: &mut Vec<FieldError>,
    ) -> Result<()> {
        if !c.officer_id.is_empty() {
            let row = sqlx::query("SELECT active FROM officers WHERE id = $1")
                .bind(&c.officer_id)
                .fetch_optional(&mut **tx)
                .await?;
            match row {
                None => errors.push(unknown_ref(
                    "officer_id",
                    "officer_id.unknown",
                    "执法人员",
                    &c.officer_id,
                )),
                Some(row)
                    if !get_bool(&row, "active")?
                        && current.is_none_or(|x| x.officer_id != c.officer_id) =>
                {
                    errors.push(field_error(
                        "officer_id",
                        "officer_id.inactive",
                        "该执法人员已撤销，不能为其登记执法证",
                    ));
                }
                Some(_) => {}
            }
        }
        if !errors.iter().any(|e| e.field == "number") {
            let taken = sqlx::query("SELECT id FROM certificates WHERE number = $1 AND id <> $2")
                .bind(&c.number)
                .bind(current.map(|x| x.id.as_str()).unwrap_or(""))
                .fetch_optional(&mut **tx)
                .await?;
            if taken.is_some() {
                errors.push(field_error(
                    "number",
                    "number.duplicate",
                    format!("执法证号 {} 已被登记", c.number),
                ));
            }
        }
        Ok(())
    }

    /// Creates a certificate and logs it.
    pub async fn create_certificate(
        &self,
        input: &CertificateInput,
        actor: &Actor,
    ) -> Result<Certificate> {
        let mut tx = self.begin_write().await?;
        let after = self.create_certificate_tx(&mut tx, input, actor).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// [`Store::create_certificate`] inside the caller's write transaction (imports).
    pub(crate) async fn create_certificate_tx(
        &self,
        tx: &mut Tx,
        input: &CertificateInput,
        actor: &Actor,
    ) -> Result<Certificate> {
        let mut errors = input.validate().err().unwrap_or_default();
        let c = canonical(input);
        self.check_certificate(tx, None, &c, &mut errors).await?;
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let (id, at) = (new_id(), now());
        sqlx::query(
            "INSERT INTO certificates (id, number, officer_id, status, valid_from, valid_to, fields, \
             legal_review_qualified, issuer, active, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $11)",
        )
        .bind(&id)
        .bind(&c.number)
        .bind(&c.officer_id)
        .bind(&c.status)
        .bind(&c.valid_from)
        .bind(&c.valid_to)
        .bind(to_json(&c.fields))
        .bind(input.legal_review_qualified)
        .bind(&c.issuer)
        .bind(true)
        .bind(&at)
        .execute(&mut **tx)
        .await
        .map_err(|e| map_unique(e, "number", "执法证号已被登记"))?;
        let after = fetch_where(&mut **tx, "id", &id)
            .await?
            .ok_or_else(|| not_found(&id))?;
        let entry = ChangeEntry {
            entity: "certificate",
            entity_id: &id,
            action: "create",
            before: None,
            after: snapshot(&after),
        };
        record_change(tx, entry, actor, &at).await?;
        Ok(after)
    }

    /// Replaces every field of a certificate (version + 1) and logs before and after.
    pub async fn update_certificate(
        &self,
        id: &str,
        input: &CertificateInput,
        actor: &Actor,
    ) -> Result<Certificate> {
        let mut tx = self.begin_write().await?;
        let after = self
            .update_certificate_tx(&mut tx, id, input, actor)
            .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// [`Store::update_certificate`] inside the caller's write transaction (imports).
    pub(crate) async fn update_certificate_tx(
        &self,
        tx: &mut Tx,
        id: &str,
        input: &CertificateInput,
        actor: &Actor,
    ) -> Result<Certificate> {
        let mut errors = input.validate().err().unwrap_or_default();
        let c = canonical(input);
        let before = fetch_where(&mut **tx, "id", id)
            .await?
            .ok_or_else(|| not_found(id))?;
        self.check_certificate(tx, Some(&before), &c, &mut errors)
            .await?;
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let at = now();
        sqlx::query(
            "UPDATE certificates SET number = $1, officer_id = $2, status = $3, valid_from = $4, valid_to = $5, \
             fields = $6, legal_review_qualified = $7, issuer = $8, version = version + 1, updated_at = $9 \
             WHERE id = $10",
        )
        .bind(&c.number)
        .bind(&c.officer_id)
        .bind(&c.status)
        .bind(&c.valid_from)
        .bind(&c.valid_to)
        .bind(to_json(&c.fields))
        .bind(input.legal_review_qualified)
        .bind(&c.issuer)
        .bind(&at)
        .bind(id)
        .execute(&mut **tx)
        .await
        .map_err(|e| map_unique(e, "number", "执法证号已被登记"))?;
        let after = fetch_where(&mut **tx, "id", id)
            .await?
            .ok_or_else(|| not_found(id))?;
        let entry = ChangeEntry {
            entity: "certificate",
            entity_id: id,
            action: "update",
            before: snapshot(&before),
            after: snapshot(&after),
        };
        record_change(tx, entry, actor, &at).await?;
        Ok(after)
    }

    /// Whether `input` differs from the stored certificate `id` in anything an update would
    /// write.
    pub(crate) async fn certificate_differs(
        &self,
        tx: &mut Tx,
        id: &str,
        input: &CertificateInput,
    ) -> Result<bool> {
        let before = fetch_where(&mut **tx, "id", id)
            .await?
            .ok_or_else(|| not_found(id))?;
        let c = canonical(input);
        Ok(before.number != c.number
            || before.officer_id != c.officer_id
            || before.status != c.status
            || before.valid_from != c.valid_from
            || before.valid_to != c.valid_to
            || before.fields != c.fields
            || before.legal_review_qualified != input.legal_review_qualified
            || before.issuer != c.issuer)
    }

    /// Deactivates a certificate record; an already inactive one is returned unchanged and
    /// unlogged. (Suspension or revocation of the certificate itself is its `status`.)
    pub async fn deactivate_certificate(&self, id: &str, actor: &Actor) -> Result<Certificate> {
        let mut tx = self.begin_write().await?;
        let before = fetch_where(&mut *tx, "id", id)
            .await?
            .ok_or_else(|| not_found(id))?;
        if !before.active {
            return Ok(before);
        }
        let at = now();
        sqlx::query("UPDATE certificates SET active = $1, version = version + 1, updated_at = $2 WHERE id = $3")
            .bind(false)
            .bind(&at)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let after = fetch_where(&mut *tx, "id", id)
            .await?
            .ok_or_else(|| not_found(id))?;
        let entry = ChangeEntry {
            entity: "certificate",
            entity_id: id,
            action: "deactivate",
            before: snapshot(&before),
            after: snapshot(&after),
        };
        record_change(&mut tx, entry, actor, &at).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// One certificate by id, with no scope limit.
    pub async fn get_certificate(&self, id: &str) -> Result<Certificate> {
        self.get_certificate_in(&Scope::All, id).await
    }

    /// One certificate by id within a data scope (the holder's agency); outside it the
    /// certificate is not found.
    pub async fn get_certificate_in(&self, scope: &Scope, id: &str) -> Result<Certificate> {
        let mut w = Where::new();
        w.eq("c.id", Some(id));
        scope_agencies(&mut w, scope, "o.subject_id");
        let row = query_with(format!("SELECT {COLUMNS} FROM {FROM}{}", w.sql()), w.args())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref()
            .map(certificate_from_row)
            .transpose()?
            .ok_or_else(|| not_found(id))
    }

    /// The certificate with this number, if any (active or not). Public verification uses it
    /// and shows only what 《行政执法证件管理办法》 lets anyone check: holder, agency, status.
    pub async fn certificate_by_number(&self, number: &str) -> Result<Option<Certificate>> {
        fetch_where(&self.pool, "number", number.trim()).await
    }

    /// Certificates matching the filter, ordered by number, with no scope limit.
    pub async fn list_certificates(
        &self,
        filter: &CertificateFilter,
        page: PageRequest,
    ) -> Result<Page<Certificate>> {
        self.list_certificates_in(&Scope::All, filter, page).await
    }

    /// Certificates matching the filter within a data scope, ordered by number.
    pub async fn list_certificates_in(
        &self,
        scope: &Scope,
        filter: &CertificateFilter,
        page: PageRequest,
    ) -> Result<Page<Certificate>> {
        let mut w = Where::new();
        w.eq("c.officer_id", filter.officer_id.as_deref());
        w.eq("o.subject_id", filter.subject_id.as_deref());
        w.eq("c.status", filter.status.as_deref());
        w.active_only("c.active", filter.include_inactive);
        scope_agencies(&mut w, scope, "o.subject_id");
        fetch_page(
            &self.pool,
            COLUMNS,
            FROM,
            w,
            "c.number, c.id",
            page,
            certificate_from_row,
        )
        .await
    }

    /// Creates a certificate for an officer inside the caller's scope (an officer outside it
    /// is reported as unknown).
    pub async fn create_certificate_in(
        &self,
        scope: &Scope,
        input: &CertificateInput,
        actor: &Actor,
    ) -> Result<Certificate> {
        self.check_officer_ref_scope(scope, &input.officer_id)
            .await?;
        self.create_certificate(input, actor).await
    }

    /// Updates a certificate inside the caller's scope.
    pub async fn update_certificate_in(
        &self,
        scope: &Scope,
        id: &str,
        input: &CertificateInput,
        actor: &Actor,
    ) -> Result<Certificate> {
        self.get_certificate_in(scope, id).await?;
        self.check_officer_ref_scope(scope, &input.officer_id)
            .await?;
        self.update_certificate(id, input, actor).await
    }

    /// Deactivates a certificate inside the caller's scope.
    pub async fn deactivate_certificate_in(
        &self,
        scope: &Scope,
        id: &str,
        actor: &Actor,
    ) -> Result<Certificate> {
        self.get_certificate_in(scope, id).await?;
        self.deactivate_certificate(id, actor).await
    }

    async fn check_officer_ref_scope(&self, scope: &Scope, officer_id: &str) -> Result<()> {
        let officer_id = officer_id.trim();
        if officer_id.is_empty() || matches!(scope, Scope::All) {
            return Ok(());
        }
        match self.get_officer_in(scope, officer_id).await {
            Ok(_) => Ok(()),
            Err(StoreError::NotFound { .. }) => Err(StoreError::invalid(unknown_ref(
                "officer_id",
                "officer_id.unknown",
                "执法人员",
                officer_id,
            ))),
            Err(e) => Err(e),
        }
    }
}
