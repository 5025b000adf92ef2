//! Imported records reach the node's own tables (一次录入，多头应用, issue 7): an accepted
//! officer record becomes an officer and a certificate through the same validation and
//! change-log path as the admin forms; an accepted case, decision or inspection record becomes
//! a case through the imported-history path of [`Store::import_case_history`]. Both happen in
//! the import batch's transaction ([`Store::import_batch`]), so the batch, its change-log rows
//! and their ledger leaves commit together or not at all.
//!
//! The pipeline (which knows the exchange format) builds each item's [`ImportTarget`] from the
//! standard record and the node's [`ImportReferences`] (agencies by USCC, certificates by
//! number), rejecting a record whose agency or officer the node does not know before it is
//! stored. The store checks the agency again inside the transaction.

use std::collections::HashMap;

use chrono::NaiveDate;
use sqlx::Row;
use zhifa_domain::calendar::LegalCalendar;
use zhifa_domain::ids::{CitizenId, Uscc};
use zhifa_domain::time::ChinaDate;

use super::Store;
use super::support::{Tx, field_error};
use crate::case_model::ImportedCase;
use crate::error::{Result, StoreError};
use crate::model::{Actor, CertificateInput, OfficerInput};

/// Where an accepted import record goes besides the exchange store (汇聚库).
#[derive(Debug, Clone, Default)]
pub enum ImportTarget {
    /// Kept in the exchange store only: records the node has no table of its own for
    /// (执法对象, 执法事项, single case events).
    #[default]
    Kept,
    /// An officer with the certificate, merged into `officers` and `certificates`.
    Officer(Box<OfficerImport>),
    /// A case with its history, recorded as an imported case.
    Case(Box<ImportedCase>),
}

/// An imported officer record in the admin forms' terms.
#[derive(Debug, Clone)]
pub struct OfficerImport {
    /// USCC of the employing enforcement subject (must be registered on the node).
    pub agency_uscc: String,
    /// The officer; `subject_id` is filled in from the agency.
    pub officer: OfficerInput,
    /// The certificate; `officer_id` is filled in from the merged officer.
    pub certificate: CertificateInput,
}

/// An enforcement subject as imports reference it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyRef {
    /// Subject id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Enforcement field code (执法领域).
    pub field: String,
    /// Not deactivated.
    pub active: bool,
}

/// A certificate as imports reference it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRef {
    /// Holder id.
    pub officer_id: String,
    /// Holder name.
    pub officer_name: String,
    /// Holder's subject id.
    pub subject_id: String,
}

/// What the node knows that imported records refer to: agencies by USCC, certificates by
/// number. Small (one row per agency and per certificate), loaded once per import run.
#[derive(Debug, Clone, Default)]
pub struct ImportReferences {
    /// Enforcement subjects by USCC.
    pub agencies: HashMap<String, AgencyRef>,
    /// Certificates by number.
    pub certificates: HashMap<String, CertificateRef>,
}

/// The calendar and date the imported cases' clocks are computed with.
#[derive(Debug, Clone)]
pub struct ImportContext {
    /// The legal calendar in force (shipped table plus what an administrator loaded).
    pub calendar: LegalCalendar,
    /// Today in China.
    pub today: NaiveDate,
}

/// What the merge wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MergeCounts {
    /// Officers and certificates created or updated.
    pub base: u64,
    /// Cases created.
    pub cases: u64,
}

fn canonical_uscc(s: &str) -> String {
    Uscc::parse(s)
        .map(|u| u.as_str().to_string())
        .unwrap_or_else(|_| s.trim().to_string())
}

impl Store {
    /// The agencies and certificates imported records may refer to.
    pub async fn import_references(&self) -> Result<ImportReferences> {
        let mut refs = ImportReferences::default();
        for r in sqlx::query("SELECT id, name, uscc, field, active FROM subjects")
            .fetch_all(&self.pool)
            .await?
        {
            refs.agencies.insert(
                r.try_get("uscc")?,
                AgencyRef {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    field: r.try_get("field")?,
                    active: super::support::get_bool(&r, "active")?,
                },
            );
        }
        for r in sqlx::query(
            "SELECT c.number, c.officer_id, o.name, o.subject_id FROM certificates c \
             JOIN officers o ON o.id = c.officer_id",
        )
        .fetch_all(&self.pool)
        .await?
        {
            refs.certificates.insert(
                r.try_get("number")?,
                CertificateRef {
                    officer_id: r.try_get("officer_id")?,
                    officer_name: r.try_get("name")?,
                    subject_id: r.try_get("subject_id")?,
                },
            );
        }
        Ok(refs)
    }

    /// The calendar in force and today's date, for imported cases.
    pub async fn import_context(&self) -> Result<ImportContext> {
        let mut calendar = LegalCalendar::builtin();
        if let Some(csv) = self.calendar_csv().await? {
            calendar.load_csv(&csv).map_err(|e| {
                StoreError::invalid(field_error(
                    "calendar",
                    "calendar.csv.invalid",
                    format!("已载入的法定工作日历无法解析：{e}"),
                ))
            })?;
        }
        Ok(ImportContext {
            calendar,
            today: ChinaDate::today().date(),
        })
    }

    /// Merges the targets of a batch's new or changed records (officers) and of all its
    /// case records (cases are idempotent by source system and id, so a case that is already
    /// recorded is left alone) inside the batch's transaction.
    pub(crate) async fn merge_targets(
        &self,
        tx: &mut Tx,
        ctx: &ImportContext,
        officers: &[&OfficerImport],
        cases: &[&ImportedCase],
        actor: &Actor,
    ) -> Result<MergeCounts> {
        let mut counts = MergeCounts::default();
        for o in officers {
            counts.base += self.merge_officer(tx, o, actor).await?;
        }
        if !cases.is_empty() {
            let done = self
                .import_case_histories_in(tx, &ctx.calendar, ctx.today, cases)
                .await?;
            counts.cases += done.iter().filter(|(_, added)| *added).count() as u64;
        }
        Ok(counts)
    }

    /// One officer record: the officer found by certificate number, else by citizen ID, is
    /// updated when it differs, else created; the same for the certificate. Returns how many
    /// records were written (0 when both were already as imported).
    async fn merge_officer(&self, tx: &mut Tx, o: &OfficerImport, actor: &Actor) -> Result<u64> {
        let uscc = canonical_uscc(&o.agency_uscc);
        let Some(agency) = sqlx::query("SELECT id FROM subjects WHERE uscc = $1")
            .bind(&uscc)
            .fetch_optional(&mut **tx)
            .await?
        else {
            return Err(StoreError::invalid(field_error(
                "org_uscc",
                "import.agency_unknown",
                format!("所属执法主体（统一社会信用代码 {uscc}）未在本节点登记"),
            )));
        };
        let mut officer = o.officer.clone();
        officer.subject_id = agency.try_get("id")?;
        let number = o.certificate.number.trim().to_string();
        let cert = sqlx::query("SELECT id, officer_id FROM certificates WHERE number = $1")
            .bind(&number)
            .fetch_optional(&mut **tx)
            .await?;
        let (cert_id, mut officer_id) = match &cert {
            Some(r) => (
                Some(r.try_get::<String, _>("id")?),
                Some(r.try_get::<String, _>("officer_id")?),
            ),
            None => (None, None),
        };
        if officer_id.is_none()
            && let Ok(cid) = CitizenId::parse(&officer.citizen_id)
        {
            officer_id = sqlx::query("SELECT id FROM officers WHERE citizen_id_index = $1")
                .bind(self.cipher.blind_index(cid.as_str().as_bytes()))
                .fetch_optional(&mut **tx)
                .await?
                .map(|r| r.try_get::<String, _>("id"))
                .transpose()?;
        }
        let mut written = 0;
        let officer_id = match officer_id {
            Some(id) => {
                if self.officer_differs(tx, &id, &officer).await? {
                    self.update_officer_tx(tx, &id, &officer, actor).await?;
                    written += 1;
                }
                id
            }
            None => {
                written += 1;
                self.create_officer_tx(tx, &officer, actor).await?.id
            }
        };
        let mut certificate = o.certificate.clone();
        certificate.officer_id = officer_id;
        match cert_id {
            Some(id) => {
                if self.certificate_differs(tx, &id, &certificate).await? {
                    self.update_certificate_tx(tx, &id, &certificate, actor)
                        .await?;
                    written += 1;
                }
            }
            None => {
                self.create_certificate_tx(tx, &certificate, actor).await?;
                written += 1;
            }
        }
        Ok(written)
    }
}
