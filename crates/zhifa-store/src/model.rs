//! Records the store returns and inputs it accepts, for the base data of F2.
//!
//! Inputs carry raw strings as a client sent them; `validate()` checks every field against
//! the data standard (`zhifa-domain`) and returns *all* field errors at once, so a form or an
//! import report can show each one beside its field. Records carry values already validated.
//! Times are RFC 3339 strings in China time (UTC+8); dates are ISO `YYYY-MM-DD`.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use zhifa_domain::FieldError;

/// Who performs a change (recorded in the change log).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Actor {
    /// User name or API client name, e.g. `admin`, `system:demo`.
    pub user: String,
    /// Client address, when known.
    pub ip: Option<String>,
}

impl Actor {
    /// The platform itself (demo loader, migrations, reference-data import).
    pub fn system(what: &str) -> Self {
        Actor {
            user: format!("system:{what}"),
            ip: None,
        }
    }
}

/// Offset pagination. `limit` is clamped to 1..=500 (default 50).
#[derive(Debug, Clone, Copy, Deserialize, Serialize, IntoParams, ToSchema)]
pub struct PageRequest {
    /// Rows to skip.
    #[serde(default)]
    pub offset: i64,
    /// Rows to return (1–500, default 50).
    #[serde(default = "default_limit")]
    pub limit: i64,
}

fn default_limit() -> i64 {
    50
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest {
            offset: 0,
            limit: 50,
        }
    }
}

impl PageRequest {
    /// Offset and limit clamped to their allowed ranges.
    pub fn clamped(self) -> (i64, i64) {
        (self.offset.max(0), self.limit.clamp(1, 500))
    }
}

/// One page of a list.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Page<T> {
    /// The rows of this page.
    pub items: Vec<T>,
    /// Number of rows matching the filter, over all pages.
    pub total: i64,
    /// Offset used.
    pub offset: i64,
    /// Limit used.
    pub limit: i64,
}

// ---------------------------------------------------------------- regions (行政区划)

/// A region of GB/T 2260 as stored.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct RegionRow {
    /// Canonical code: 6 digits (province/city/county) or 9 digits (township).
    pub code: String,
    /// Name, e.g. 天河区.
    pub name: String,
    /// `province`, `city`, `county` or `township`.
    pub level: String,
    /// Parent region code.
    pub parent: Option<String>,
}

/// Filters for listing regions.
#[derive(Debug, Clone, Default, Deserialize, IntoParams, ToSchema)]
pub struct RegionFilter {
    /// Only children of this region.
    pub parent: Option<String>,
    /// Only this level (`province`, `city`, `county`, `township`).
    pub level: Option<String>,
    /// Name contains.
    pub q: Option<String>,
}

// ---------------------------------------------------------------- subjects (执法主体)

/// An enforcement subject (执法主体).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct Subject {
    /// Id (UUID v7 text).
    pub id: String,
    /// Full name, e.g. 广州市天河区市场监督管理局.
    pub name: String,
    /// Short name used in case numbers, e.g. 天河市监.
    pub short_name: Option<String>,
    /// Unified social credit code (GB 32100).
    pub uscc: String,
    /// Code of set `subject_type`.
    pub subject_type: String,
    /// Code of set `enforcement_field`.
    pub field: String,
    /// Code of set `subject_level`.
    pub level: String,
    /// GB/T 2260 region code.
    pub region_code: String,
    /// Supervising body (上级主管部门), another subject.
    pub parent_id: Option<String>,
    /// Address.
    pub address: Option<String>,
    /// Public telephone.
    pub phone: Option<String>,
    /// False once deactivated (撤销).
    pub active: bool,
    /// Incremented on every change.
    pub version: i64,
    /// Creation time (RFC 3339, UTC+8).
    pub created_at: String,
    /// Last change time (RFC 3339, UTC+8).
    pub updated_at: String,
}

/// Input to create or replace a subject.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq, Default)]
pub struct SubjectInput {
    /// Full name (1–100 chars).
    pub name: String,
    /// Short name (≤ 20 chars).
    #[serde(default)]
    pub short_name: Option<String>,
    /// Unified social credit code.
    pub uscc: String,
    /// Code of set `subject_type`.
    pub subject_type: String,
    /// Code of set `enforcement_field`.
    pub field: String,
    /// Code of set `subject_level`.
    pub level: String,
    /// GB/T 2260 region code (must exist).
    pub region_code: String,
    /// Supervising subject id (must exist).
    #[serde(default)]
    pub parent_id: Option<String>,
    /// Address.
    #[serde(default)]
    pub address: Option<String>,
    /// Public telephone.
    #[serde(default)]
    pub phone: Option<String>,
}

/// Filters for listing subjects.
#[derive(Debug, Clone, Default, Deserialize, IntoParams, ToSchema)]
pub struct SubjectFilter {
    /// Region code; matches the region and everything below it.
    pub region: Option<String>,
    /// Enforcement field code.
    pub field: Option<String>,
    /// Name contains.
    pub q: Option<String>,
    /// Include deactivated records (default false).
    pub include_inactive: Option<bool>,
}

// ---------------------------------------------------------------- officers (执法人员)

/// An enforcement officer (执法人员). The citizen ID is encrypted at rest (SM4-GCM) and only
/// the masked form appears here; `Store::officer_citizen_id` reveals it on an explicit action.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct Officer {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Sex code (GB/T 2261.1: 1 男, 2 女), derived from the citizen ID.
    pub sex: String,
    /// Masked citizen ID, e.g. 110101********001X.
    pub citizen_id_masked: String,
    /// The subject the officer works for.
    pub subject_id: String,
    /// Post (职务).
    pub position: Option<String>,
    /// Masked phone, e.g. 138****5678.
    pub phone_masked: Option<String>,
    /// False once deactivated.
    pub active: bool,
    /// Incremented on every change.
    pub version: i64,
    /// Creation time.
    pub created_at: String,
    /// Last change time.
    pub updated_at: String,
}

/// Input to create or replace an officer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq, Default)]
pub struct OfficerInput {
    /// Name (1–50 chars).
    pub name: String,
    /// Citizen ID (GB 11643; 15-digit legacy numbers are converted).
    pub citizen_id: String,
    /// Employing subject id (must exist).
    pub subject_id: String,
    /// Post.
    #[serde(default)]
    pub position: Option<String>,
    /// Mobile phone (11 digits starting with 1).
    #[serde(default)]
    pub phone: Option<String>,
}

/// Filters for listing officers.
#[derive(Debug, Clone, Default, Deserialize, IntoParams, ToSchema)]
pub struct OfficerFilter {
    /// Only officers of this subject.
    pub subject_id: Option<String>,
    /// Name contains.
    pub q: Option<String>,
    /// Include deactivated records.
    pub include_inactive: Option<bool>,
}

// ---------------------------------------------------------------- certificates (执法证)

/// An enforcement certificate (行政执法证).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct Certificate {
    /// Id.
    pub id: String,
    /// Certificate number (Zhifa format, see the data standard).
    pub number: String,
    /// Holder.
    pub officer_id: String,
    /// Holder's name (denormalised for display).
    pub officer_name: String,
    /// Holder's subject.
    pub subject_id: String,
    /// Code of set `certificate_status` (1 有效, 2 暂扣, 3 注销).
    pub status: String,
    /// First valid day.
    pub valid_from: String,
    /// Last valid day.
    pub valid_to: String,
    /// Enforcement field codes the certificate covers.
    pub fields: Vec<String>,
    /// Holder has the legal-review qualification (法制审核资格, APL Art. 58).
    pub legal_review_qualified: bool,
    /// Issuing authority.
    pub issuer: Option<String>,
    /// False once deactivated.
    pub active: bool,
    /// Incremented on every change.
    pub version: i64,
    /// Creation time.
    pub created_at: String,
    /// Last change time.
    pub updated_at: String,
}

/// Input to create or replace a certificate.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq, Default)]
pub struct CertificateInput {
    /// Certificate number.
    pub number: String,
    /// Holder id (must exist).
    pub officer_id: String,
    /// Status code.
    pub status: String,
    /// First valid day (ISO date).
    pub valid_from: String,
    /// Last valid day (ISO date, ≥ valid_from).
    pub valid_to: String,
    /// Field codes covered (≥ 1, each in `enforcement_field`).
    pub fields: Vec<String>,
    /// Legal-review qualification.
    #[serde(default)]
    pub legal_review_qualified: bool,
    /// Issuing authority.
    #[serde(default)]
    pub issuer: Option<String>,
}

/// Filters for listing certificates.
#[derive(Debug, Clone, Default, Deserialize, IntoParams, ToSchema)]
pub struct CertificateFilter {
    /// Only certificates of this officer.
    pub officer_id: Option<String>,
    /// Only certificates of officers of this subject.
    pub subject_id: Option<String>,
    /// Status code.
    pub status: Option<String>,
    /// Include deactivated records.
    pub include_inactive: Option<bool>,
}

// ---------------------------------------------------------------- laws (法律法规)

/// A law, regulation or rule as stored.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct LawRow {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Code of set `law_level`.
    pub level: String,
    /// Corpus category (folder), e.g. 行政法.
    pub category: String,
    /// Version date from the file name.
    pub version_date: Option<String>,
    /// First adoption date.
    pub issued: Option<String>,
    /// Source file, relative to the corpus root.
    pub source_file: String,
    /// Number of articles.
    pub article_count: i64,
}

/// An article (条) of a law.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ArticleRow {
    /// Id.
    pub id: String,
    /// The law.
    pub law_id: String,
    /// Law title (denormalised).
    pub law_title: String,
    /// Position in the law (0-based).
    pub seq: i64,
    /// Article number (第十五条 → 15).
    pub number: i64,
    /// 之一 → 1, else 0.
    pub suffix: i64,
    /// Label, e.g. 第十五条.
    pub label: String,
    /// Chapter heading.
    pub chapter: Option<String>,
    /// Section heading.
    pub section: Option<String>,
    /// Whole text.
    pub text: String,
    /// Paragraphs (款) with items (项).
    pub paragraphs: Vec<ParagraphRow>,
}

/// A paragraph (款) of an article, with its items (项).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ParagraphRow {
    /// Lead text.
    pub text: String,
    /// Items, numerals kept.
    pub items: Vec<String>,
}

/// Filters for listing laws.
#[derive(Debug, Clone, Default, Deserialize, IntoParams, ToSchema)]
pub struct LawFilter {
    /// Title contains.
    pub q: Option<String>,
    /// Level code.
    pub level: Option<String>,
    /// Corpus category.
    pub category: Option<String>,
}

/// What a law import did.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct LawImportReport {
    /// Laws newly stored.
    pub laws_added: usize,
    /// Laws already present (same title and version date), left as they were.
    pub laws_skipped: usize,
    /// Articles newly stored.
    pub articles_added: usize,
}

// ---------------------------------------------------------------- powers (权责清单 / 执法事项)

/// A legal basis of a power: a reference to a stored article.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct LegalBasis {
    /// Article id.
    pub article_id: String,
    /// Law title (denormalised).
    pub law_title: String,
    /// Article label, e.g. 第一百二十四条.
    pub article_label: String,
    /// `violation` (违则: the rule broken), `penalty` (罚则: the penalty clause) or `basis`
    /// (设定依据).
    pub role: String,
}

/// Reference to an article when creating a power.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct LegalBasisInput {
    /// Article id (must exist).
    pub article_id: String,
    /// `violation`, `penalty` or `basis`.
    pub role: String,
}

/// A power (执法事项) of the catalogue.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct Power {
    /// Id.
    pub id: String,
    /// Catalogue code (unique, `[0-9A-Z-]{4,32}`).
    pub code: String,
    /// Name, e.g. 对生产经营不符合食品安全标准的食品的行政处罚.
    pub name: String,
    /// Code of set `power_category`.
    pub category: String,
    /// Code of set `enforcement_field`.
    pub field: String,
    /// Codes of set `subject_type` that may exercise it.
    pub subject_types: Vec<String>,
    /// Description.
    pub description: Option<String>,
    /// Legal bases (≥ 1).
    pub bases: Vec<LegalBasis>,
    /// False once deactivated.
    pub active: bool,
    /// Incremented on every change.
    pub version: i64,
    /// Creation time.
    pub created_at: String,
    /// Last change time.
    pub updated_at: String,
}

/// Input to create or replace a power.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq, Default)]
pub struct PowerInput {
    /// Catalogue code.
    pub code: String,
    /// Name (1–200 chars).
    pub name: String,
    /// Category code.
    pub category: String,
    /// Field code.
    pub field: String,
    /// Subject type codes (≥ 1).
    pub subject_types: Vec<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Legal bases (≥ 1).
    pub bases: Vec<LegalBasisInput>,
}

/// Filters for listing powers.
#[derive(Debug, Clone, Default, Deserialize, IntoParams, ToSchema)]
pub struct PowerFilter {
    /// Category code.
    pub category: Option<String>,
    /// Field code.
    pub field: Option<String>,
    /// Name or code contains.
    pub q: Option<String>,
    /// Include deactivated records.
    pub include_inactive: Option<bool>,
}

// ---------------------------------------------------------------- benchmarks (裁量基准)

/// A discretion benchmark row (裁量基准, APL Art. 34): for one power and one circumstance
/// level, the conditions and the fine range, either absolute (fen) or as multiples of the
/// illegal income (倍数, in thousandths: 1500 = 1.5 倍).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct Benchmark {
    /// Id.
    pub id: String,
    /// The power.
    pub power_id: String,
    /// Code of set `circumstance_level`.
    pub level: String,
    /// Conditions of this level (情形).
    pub conditions: String,
    /// Lower fine bound in fen (absolute mode).
    pub fine_min_fen: Option<i64>,
    /// Upper fine bound in fen (absolute mode).
    pub fine_max_fen: Option<i64>,
    /// Lower multiple of illegal income, thousandths (multiple mode).
    pub income_multiple_min_permille: Option<i64>,
    /// Upper multiple of illegal income, thousandths (multiple mode).
    pub income_multiple_max_permille: Option<i64>,
    /// Other penalty type codes applicable at this level.
    pub other_penalties: Vec<String>,
    /// Note.
    pub note: Option<String>,
    /// False once deactivated.
    pub active: bool,
    /// Incremented on every change.
    pub version: i64,
    /// Creation time.
    pub created_at: String,
    /// Last change time.
    pub updated_at: String,
}

/// Input to create or replace a benchmark. Exactly one of the two ranges must be given,
/// with min ≤ max and no negative value.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq, Default)]
pub struct BenchmarkInput {
    /// Power id (must exist).
    pub power_id: String,
    /// Circumstance level code.
    pub level: String,
    /// Conditions (1–1000 chars).
    pub conditions: String,
    /// Lower fine bound in fen.
    #[serde(default)]
    pub fine_min_fen: Option<i64>,
    /// Upper fine bound in fen.
    #[serde(default)]
    pub fine_max_fen: Option<i64>,
    /// Lower multiple, thousandths.
    #[serde(default)]
    pub income_multiple_min_permille: Option<i64>,
    /// Upper multiple, thousandths.
    #[serde(default)]
    pub income_multiple_max_permille: Option<i64>,
    /// Other penalty type codes.
    #[serde(default)]
    pub other_penalties: Vec<String>,
    /// Note.
    #[serde(default)]
    pub note: Option<String>,
}

/// Filters for listing benchmarks.
#[derive(Debug, Clone, Default, Deserialize, IntoParams, ToSchema)]
pub struct BenchmarkFilter {
    /// Only rows of this power.
    pub power_id: Option<String>,
    /// Include deactivated records.
    pub include_inactive: Option<bool>,
}

// ---------------------------------------------------------------- users (账号)

/// A user account. Roles (codes): `officer` 执法人员, `reviewer` 法制审核人员, `head` 机关负责人,
/// `supervisor` 执法监督人员, `admin` 系统管理员.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct User {
    /// Id.
    pub id: String,
    /// Login name.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Role code.
    pub role: String,
    /// Subject the account belongs to (officers, reviewers, heads).
    pub subject_id: Option<String>,
    /// Officer record linked to the account.
    pub officer_id: Option<String>,
    /// Region the account supervises (supervisors) or belongs to.
    pub region_code: Option<String>,
    /// False once disabled.
    pub active: bool,
    /// Creation time.
    pub created_at: String,
}

/// Input to create a user. The password is hashed with argon2id and never stored in clear.
#[derive(Debug, Clone, Deserialize, ToSchema, Default)]
pub struct UserInput {
    /// Login name (`[a-z0-9_.-]{3,32}`).
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Role code.
    pub role: String,
    /// Subject id.
    #[serde(default)]
    pub subject_id: Option<String>,
    /// Officer id.
    #[serde(default)]
    pub officer_id: Option<String>,
    /// Region code.
    #[serde(default)]
    pub region_code: Option<String>,
    /// Password (≥ 8 chars).
    pub password: String,
}

// ---------------------------------------------------------------- change log (变更记录)

/// One entry of the change log: every create, update and deactivation of base data.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Change {
    /// Position in the log (1-based, gap-free per store).
    pub seq: i64,
    /// Entity kind: `subject`, `officer`, `certificate`, `power`, `benchmark`, `user`,
    /// `calendar`, `law`.
    pub entity: String,
    /// Id of the changed record.
    pub entity_id: String,
    /// `create`, `update`, `deactivate` or `import`.
    pub action: String,
    /// Acting user.
    pub actor: String,
    /// Client address.
    pub ip: Option<String>,
    /// Time (RFC 3339, UTC+8).
    pub at: String,
    /// Record before (None on create). Personal data appears only encrypted or masked.
    pub before: Option<serde_json::Value>,
    /// Record after.
    pub after: Option<serde_json::Value>,
}

/// Filters for the change log.
#[derive(Debug, Clone, Default, Deserialize, IntoParams, ToSchema)]
pub struct ChangeFilter {
    /// Entity kind.
    pub entity: Option<String>,
    /// Entity id.
    pub entity_id: Option<String>,
}

/// Counts of the base data (for the home page and `zhifa demo`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct Counts {
    /// Regions by level: province, city, county, township.
    pub regions: [i64; 4],
    /// Active subjects.
    pub subjects: i64,
    /// Active officers.
    pub officers: i64,
    /// Certificates (all statuses).
    pub certificates: i64,
    /// Laws.
    pub laws: i64,
    /// Articles.
    pub articles: i64,
    /// Active powers.
    pub powers: i64,
    /// Active benchmark rows.
    pub benchmarks: i64,
    /// Users.
    pub users: i64,
    /// Change-log entries.
    pub changes: i64,
}

/// Validation of inputs against the data standard. Each returns every field error found.
pub trait Validate {
    /// Checks every field; `Err` lists all problems (field, code, rule, Chinese message).
    fn validate(&self) -> Result<(), Vec<FieldError>>;
}
