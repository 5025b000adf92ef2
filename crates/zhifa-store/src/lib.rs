//! Zhifa storage (存储层): one `Store` over SQLite (the embedded default, WAL) or PostgreSQL
//! (production), chosen by the URL scheme. Holds the base data of F2 (regions, enforcement
//! subjects, officers and certificates, laws, powers catalogue, discretion benchmarks, user
//! accounts) and the change log: every create, update and deactivation writes a `changes` row
//! (who, when, before/after) in the same transaction as the change itself. Access control (F13)
//! lives here too: sessions, API tokens, login lockout, the access audit, and the data
//! [`Scope`] that the `*_in` queries apply in SQL. The outbox ([`outbox`], 一次报送，多头应用)
//! derives deliveries for the configured consumers from the case-event and change logs, and
//! [`shuanggongshi`] builds the 双公示 record of a penalty decision. The supervisor's statistics
//! ([`stats_model`]: breakdowns by region, agency, field and month, the annual report of D5) and
//! the effectiveness evaluation ([`indicators`]) read the case projection within a scope.
//!
//! This crate is not the place for legal rules (see `zhifa-domain`) or HTTP (see
//! `zhifa-server`). Queries are runtime-checked (`sqlx::query`), so building never needs a
//! live database.

pub mod case_model;
pub mod complaint_model;
pub mod crypto;
pub mod error;
pub mod indicators;
pub mod ledger;
pub mod ledger_audit;
pub mod model;
pub mod outbox;
pub mod scope;
pub mod shuanggongshi;
pub mod stats_model;
pub mod supervision_model;
#[cfg(feature = "testing")]
pub mod testing;

mod db;
mod validate;

pub use case_model::{CaseScript, DecisionVerification, ImportedCase};
pub use db::access::{
    AccessEvent, AccessRecord, ApiToken, ClientInfo, LockoutPolicy, NewSession, Session,
    TOKEN_SCOPES, random_secret, secret_hash,
};
pub use db::changes::ChangeRecord;
pub use db::evidence::{
    EvidenceError, EvidenceUpload, FinishedUpload, check_evidence_file, evidence_path,
};
pub use db::import_merge::{
    AgencyRef, CertificateRef, ImportContext, ImportReferences, ImportTarget, OfficerImport,
};
pub use db::imports::{
    IMPORTED_ENTITY, ImportCounts, ImportItem, ImportRun, ImportRunInput, ImportTotals,
    ImportedRecord, PreparedItem,
};
pub use db::ledger_verify::AuditOptions;
pub use db::outbox::MaterialiseReport;
pub use db::supervision::ALERT_ENTITY;
pub use db::{Backend, Store, StoreOptions};
pub use error::StoreError;
pub use scope::Scope;
