//! The outbox (一次报送，多头应用, issue 7): consumers of the node's records, the deliveries
//! materialised for them from the two ordered logs (`case_events`, `changes`), retry policy,
//! receipts and the request signature.
//!
//! The repository (materialiser, claims, results, admin queries) is `db/outbox.rs`; the
//! delivery over HTTP or to a directory is the worker in `zhifa-server`.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use zhifa_domain::FieldError;

/// A field error of a consumer input (rule: Zhifa's data standard).
fn field_error(field: &str, code: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.to_string(),
        code: code.to_string(),
        rule: "Zhifa 数据标准 ZF-1.0".to_string(),
        message: message.into(),
    }
}

/// Schema id of every delivered envelope.
pub const ENVELOPE_SCHEMA: &str = "zhifa-outbox/v1";

/// Header carrying the idempotency key of a delivery.
pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";

/// Header carrying the HMAC-SM3 signature (`t=<unix seconds>,v1=<hex>`).
pub const SIGNATURE_HEADER: &str = "Zhifa-Signature";

/// The two ordered logs the outbox tails.
pub const LOGS: [&str; 2] = ["case_events", "changes"];

/// What kind of system a consumer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsumerKind {
    /// 信用平台报送: the 双公示 行政处罚 record of each published decision.
    CreditExport,
    /// 部门系统订阅: a department system's webhook, every record of the subscribed kinds.
    Webhook,
    /// 公示平台: publication and withdrawal of decisions (APL Art. 48).
    Publicity,
}

impl ConsumerKind {
    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            ConsumerKind::CreditExport => "credit_export",
            ConsumerKind::Webhook => "webhook",
            ConsumerKind::Publicity => "publicity",
        }
    }

    /// Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            ConsumerKind::CreditExport => "信用平台（双公示）",
            ConsumerKind::Webhook => "部门系统订阅",
            ConsumerKind::Publicity => "公示平台",
        }
    }

    /// The kind of a stored code.
    pub fn parse(code: &str) -> Option<Self> {
        [
            ConsumerKind::CreditExport,
            ConsumerKind::Webhook,
            ConsumerKind::Publicity,
        ]
        .into_iter()
        .find(|k| k.code() == code)
    }

    /// Record kinds subscribed when the input names none (webhooks must name theirs).
    pub fn default_record_kinds(self) -> Vec<String> {
        match self {
            ConsumerKind::CreditExport => vec!["case_event:decision_published".to_string()],
            ConsumerKind::Publicity => vec![
                "case_event:decision_published".to_string(),
                "case_event:publication_withdrawn".to_string(),
            ],
            ConsumerKind::Webhook => Vec::new(),
        }
    }
}

/// Whether a record kind (`case_event:decision_made`, `change:subject`) matches one of the
/// subscribed patterns (exact, or a prefix ending in `*`).
pub fn kind_matches(patterns: &[String], record_kind: &str) -> bool {
    patterns.iter().any(|p| match p.strip_suffix('*') {
        Some(prefix) => record_kind.starts_with(prefix),
        None => p == record_kind,
    })
}

/// A consumer as the admin sees it (the secret never leaves the store).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct Consumer {
    /// Id (UUID v7).
    pub id: String,
    /// Kind.
    pub kind: ConsumerKind,
    /// Name (unique).
    pub name: String,
    /// `https://…` / `http://…` (POST) or `file:///dir` (one JSON file per record).
    pub url: String,
    /// Whether requests are signed (a secret is set).
    pub has_secret: bool,
    /// Subscribed record kinds.
    pub record_kinds: Vec<String>,
    /// Enabled.
    pub enabled: bool,
    /// Version (1 on create).
    pub version: i64,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Last changed (RFC 3339).
    pub updated_at: String,
}

/// Input of a consumer create or update, raw as a client sent it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct ConsumerInput {
    /// `credit_export`, `webhook` or `publicity`.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Target URL (`http(s)://` or `file:///`).
    pub url: String,
    /// HMAC key for the signature header; on update, absent keeps the stored one and an
    /// empty string removes it.
    pub secret: Option<String>,
    /// Subscribed record kinds; absent means the kind's defaults.
    pub record_kinds: Option<Vec<String>>,
    /// Enabled (default true).
    pub enabled: Option<bool>,
    /// On create: also deliver the records already in the logs (default: only new ones).
    pub backfill: Option<bool>,
}

impl ConsumerInput {
    /// Checks every field; returns the kind and the record kinds to store, or all errors.
    pub fn validate(&self) -> Result<(ConsumerKind, Vec<String>), Vec<FieldError>> {
        let mut errors = Vec::new();
        let kind = ConsumerKind::parse(self.kind.trim());
        if kind.is_none() {
            errors.push(field_error(
                "kind",
                "kind.unknown",
                "接收方类型应为 credit_export（信用平台）、webhook（部门系统）或 publicity（公示平台）",
            ));
        }
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            errors.push(field_error(
                "name",
                "name.length",
                "名称不能为空，且不超过 100 个字",
            ));
        }
        let url = self.url.trim();
        let url_ok = (url.starts_with("http://") || url.starts_with("https://"))
            && url.len() > "https://".len()
            || url
                .strip_prefix("file://")
                .is_some_and(|p| p.starts_with('/'));
        if !url_ok || url.chars().any(char::is_whitespace) {
            errors.push(field_error(
                "url",
                "url.format",
                "地址应以 http://、https:// 开头，或为 file:///绝对目录",
            ));
        }
        let record_kinds: Vec<String> = match (&self.record_kinds, kind) {
            (Some(list), _) => list
                .iter()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
            (None, Some(k)) => k.default_record_kinds(),
            (None, None) => Vec::new(),
        };
        if kind.is_some() && record_kinds.is_empty() {
            errors.push(field_error(
                "record_kinds",
                "record_kinds.empty",
                "至少订阅一种记录类型，例如 case_event:*、case_event:decision_made 或 change:subject",
            ));
        }
        if let Some(bad) = record_kinds.iter().find(|p| {
            !(p.starts_with("case_event:") || p.starts_with("change:") || p.as_str() == "*")
        }) {
            errors.push(field_error(
                "record_kinds",
                "record_kinds.format",
                format!("记录类型“{bad}”应以 case_event: 或 change: 开头（可用 * 结尾表示前缀）"),
            ));
        }
        match kind {
            Some(k) if errors.is_empty() => Ok((k, record_kinds)),
            _ => Err(errors),
        }
    }
}

/// Delivery status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// 待投递 (including waiting for a retry).
    Pending,
    /// 已投递: the receiver acknowledged it (receipt recorded).
    Delivered,
    /// 投递失败: attempts exhausted; an admin may retry.
    Failed,
}

impl DeliveryStatus {
    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
        }
    }

    /// Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "待投递",
            DeliveryStatus::Delivered => "已投递",
            DeliveryStatus::Failed => "投递失败",
        }
    }

    /// The status of a stored code.
    pub fn parse(code: &str) -> Option<Self> {
        [
            DeliveryStatus::Pending,
            DeliveryStatus::Delivered,
            DeliveryStatus::Failed,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }
}

/// What the receiver answered to a successful delivery.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct Receipt {
    /// HTTP status code (0 for a file written).
    pub status: u16,
    /// The receiver's receipt id (header `Receipt-Id` or JSON field `receipt_id`), or the
    /// file written.
    pub receipt_id: Option<String>,
    /// SM3 (hex) of the response body (of the file's content for a file).
    pub body_sm3: String,
    /// When it was received (RFC 3339).
    pub at: String,
}

/// One delivery as the admin sees it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Delivery {
    /// Id.
    pub id: String,
    /// Consumer id.
    pub consumer_id: String,
    /// Consumer name.
    pub consumer_name: String,
    /// Log (`case_events` or `changes`).
    pub log: String,
    /// Sequence number in that log.
    pub seq: i64,
    /// Record kind, e.g. `case_event:decision_published`.
    pub record_kind: String,
    /// Case id or entity id.
    pub record_id: String,
    /// The envelope delivered (personal data masked).
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    /// Idempotency key sent with every attempt.
    pub idempotency_key: String,
    /// Status.
    pub status: DeliveryStatus,
    /// Attempts made since materialised or last retried by an admin.
    pub attempts: i64,
    /// Next attempt (Unix milliseconds), for pending deliveries.
    pub next_attempt_ms: i64,
    /// The last error, if an attempt failed.
    pub last_error: Option<String>,
    /// The receipt, once delivered.
    pub receipt: Option<Receipt>,
    /// Materialised (RFC 3339).
    pub created_at: String,
    /// Last changed (RFC 3339).
    pub updated_at: String,
    /// Delivered (RFC 3339).
    pub delivered_at: Option<String>,
}

/// Filters of the delivery list.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams, ToSchema)]
pub struct DeliveryFilter {
    /// `pending`, `delivered` or `failed`.
    pub status: Option<String>,
    /// Consumer id.
    pub consumer_id: Option<String>,
}

/// Counts of deliveries by status.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct OutboxStats {
    /// Pending.
    pub pending: i64,
    /// Delivered.
    pub delivered: i64,
    /// Failed.
    pub failed: i64,
}

/// Where and how to deliver a claimed delivery.
#[derive(Clone)]
pub struct DueDelivery {
    /// Delivery id.
    pub id: String,
    /// Consumer kind.
    pub kind: ConsumerKind,
    /// Consumer name.
    pub consumer_name: String,
    /// Target URL.
    pub url: String,
    /// HMAC key (decrypted), if any.
    pub secret: Option<Vec<u8>>,
    /// The envelope as stored (sent byte for byte).
    pub payload: String,
    /// Idempotency key.
    pub idempotency_key: String,
    /// Attempt number of this attempt (1-based).
    pub attempt: i64,
    /// The claim token: the lease end this worker set (a result is recorded only while the
    /// claim is still this one).
    pub claim_ms: i64,
}

impl std::fmt::Debug for DueDelivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DueDelivery")
            .field("id", &self.id)
            .field("consumer_name", &self.consumer_name)
            .field("idempotency_key", &self.idempotency_key)
            .field("attempt", &self.attempt)
            .field("secret", &self.secret.as_ref().map(|_| "<hidden>"))
            .finish()
    }
}

/// Retry policy: exponential backoff `base × 2^(attempt−1)`, capped; after `max_attempts`
/// failed attempts a delivery is `failed` until an admin retries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Delay after the first failure, milliseconds.
    pub base_ms: i64,
    /// Longest delay, milliseconds.
    pub max_ms: i64,
    /// Attempts before giving up.
    pub max_attempts: i64,
    /// How long a claimed delivery stays with its worker before another may take it.
    pub lease_ms: i64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            base_ms: 5_000,
            max_ms: 3_600_000,
            max_attempts: 10,
            lease_ms: 60_000,
        }
    }
}

impl RetryPolicy {
    /// Delay before the attempt after failed attempt number `attempt` (1-based).
    pub fn backoff_ms(&self, attempt: i64) -> i64 {
        let shift = (attempt - 1).clamp(0, 40) as u32;
        self.base_ms
            .max(0)
            .saturating_mul(1_i64 << shift)
            .min(self.max_ms.max(self.base_ms))
    }
}

/// The signature header value: HMAC-SM3 over `"{t}.{body}"` with the consumer's secret,
/// `t=<unix seconds>,v1=<hex>` (the receiver recomputes it and may reject old `t`).
pub fn signature(secret: &[u8], unix_seconds: i64, body: &[u8]) -> String {
    let mut signed = format!("{unix_seconds}.").into_bytes();
    signed.extend_from_slice(body);
    format!(
        "t={unix_seconds},v1={}",
        hex::encode(crate::crypto::hmac_sm3(secret, &signed))
    )
}

/// Unix milliseconds now.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_exactly_or_by_prefix() {
        let p = vec!["case_event:decision_*".to_string(), "change:subject".into()];
        assert!(kind_matches(&p, "case_event:decision_made"));
        assert!(kind_matches(&p, "change:subject"));
        assert!(!kind_matches(&p, "change:subjects"));
        assert!(!kind_matches(&p, "case_event:case_filed"));
        assert!(kind_matches(&["*".to_string()], "change:power"));
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let p = RetryPolicy {
            base_ms: 100,
            max_ms: 1_000,
            max_attempts: 5,
            lease_ms: 10,
        };
        let delays: Vec<i64> = (1..=6).map(|a| p.backoff_ms(a)).collect();
        assert_eq!(delays, [100, 200, 400, 800, 1_000, 1_000]);
    }

    #[test]
    fn input_errors_name_their_fields() {
        let bad = ConsumerInput {
            kind: "fax".into(),
            url: "ftp://x".into(),
            ..Default::default()
        };
        let fields: Vec<String> = bad
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.code)
            .collect();
        assert_eq!(fields, ["kind.unknown", "name.length", "url.format"]);
        let hook = ConsumerInput {
            kind: "webhook".into(),
            name: "市场监管业务系统".into(),
            url: "https://example.gov.cn/hook".into(),
            ..Default::default()
        };
        let codes: Vec<String> = hook
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.code)
            .collect();
        assert_eq!(
            codes,
            ["record_kinds.empty"],
            "a webhook names what it subscribes"
        );
        let credit = ConsumerInput {
            kind: "credit_export".into(),
            name: "信用平台".into(),
            url: "file:///var/lib/zhifa/credit".into(),
            ..Default::default()
        };
        let (kind, kinds) = credit.validate().expect("valid");
        assert_eq!(kind, ConsumerKind::CreditExport);
        assert_eq!(kinds, ["case_event:decision_published"]);
    }

    #[test]
    fn signature_is_hmac_sm3_of_time_and_body() {
        let a = signature(b"k", 1_700_000_000, b"{}");
        assert!(a.starts_with("t=1700000000,v1="));
        assert_eq!(a.len(), "t=1700000000,v1=".len() + 64);
        assert_ne!(a, signature(b"k2", 1_700_000_000, b"{}"));
        assert_ne!(a, signature(b"k", 1_700_000_000, b"{ }"));
    }
}
