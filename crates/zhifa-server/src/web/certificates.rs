//! `/certificates/verify?number=`: public verification of an enforcement certificate
//! (执法证查验, F6): 有效 / 暂扣 / 注销 / 已过期 / 尚未生效 / 未找到, judged against today's date
//! in China time.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::NaiveDate;
use serde::Deserialize;
use zhifa_domain::time::ChinaDate;
use zhifa_store::model::Certificate;

use super::labels::code_labels;
use super::{PageQuery, PageResult, non_empty, render};
use crate::state::AppState;

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/certificates/verify", get(verify))
        .route("/certificates/qr/{number}", get(qr))
}

/// What a verification finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// 有效: status valid and today within the validity period.
    Valid,
    /// 暂扣: suspended.
    Suspended,
    /// 注销: cancelled, or the record was deactivated.
    Cancelled,
    /// 已过期: the last valid day has passed.
    Expired,
    /// 尚未生效: the first valid day is still to come.
    NotYetValid,
    /// 未找到: no certificate with that number.
    NotFound,
}

impl Verdict {
    /// The verdict for a certificate on `today` (China time). Cancellation and suspension
    /// outrank the dates.
    pub fn of(certificate: &Certificate, today: NaiveDate) -> Verdict {
        let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        if !certificate.active || certificate.status == "3" {
            return Verdict::Cancelled;
        }
        if certificate.status == "2" {
            return Verdict::Suspended;
        }
        if date(&certificate.valid_to).is_none_or(|to| to < today) {
            return Verdict::Expired;
        }
        if date(&certificate.valid_from).is_some_and(|from| from > today) {
            return Verdict::NotYetValid;
        }
        Verdict::Valid
    }

    /// Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            Verdict::Valid => "有效",
            Verdict::Suspended => "暂扣",
            Verdict::Cancelled => "注销",
            Verdict::Expired => "已过期",
            Verdict::NotYetValid => "尚未生效",
            Verdict::NotFound => "未找到",
        }
    }

    /// CSS class of the badge.
    pub fn css(self) -> &'static str {
        match self {
            Verdict::Valid => "ok",
            Verdict::Suspended | Verdict::NotYetValid => "warn",
            Verdict::Cancelled | Verdict::Expired => "bad",
            Verdict::NotFound => "none",
        }
    }
}

/// Parameters of the page.
#[derive(Debug, Default, Deserialize)]
pub struct VerifyParams {
    number: Option<String>,
}

/// A found certificate as shown to the public (no identity numbers).
struct Found {
    holder: String,
    subject: String,
    fields: String,
    valid_from: String,
    valid_to: String,
    issuer: String,
    legal_review_qualified: bool,
}

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    number: String,
    today: String,
    verdict: Option<Verdict>,
    found: Option<Found>,
}

/// `GET /certificates/verify`: the form, and the verdict when a number was given.
pub async fn verify(
    State(state): State<AppState>,
    PageQuery(p): PageQuery<VerifyParams>,
) -> PageResult {
    let today = ChinaDate::today().date();
    let Some(number) = non_empty(&p.number) else {
        return Ok(render(&VerifyPage {
            number: String::new(),
            today: today.to_string(),
            verdict: None,
            found: None,
        }));
    };
    let (verdict, found) = match state.store.certificate_by_number(&number).await? {
        None => (Verdict::NotFound, None),
        Some(c) => {
            let subject = match state.store.get_subject(&c.subject_id).await {
                Ok(s) => s.name,
                Err(zhifa_store::StoreError::NotFound { .. }) => String::new(),
                Err(e) => return Err(e.into()),
            };
            let found = Found {
                holder: c.officer_name.clone(),
                subject,
                fields: code_labels("enforcement_field", &c.fields),
                valid_from: c.valid_from.clone(),
                valid_to: c.valid_to.clone(),
                issuer: c.issuer.clone().unwrap_or_default(),
                legal_review_qualified: c.legal_review_qualified,
            };
            (Verdict::of(&c, today), Some(found))
        }
    };
    Ok(render(&VerifyPage {
        number,
        today: today.to_string(),
        verdict: Some(verdict),
        found,
    }))
}

/// The verification address of a certificate number on this server (scheme from the
/// configuration, host from the request).
fn verify_url(state: &AppState, headers: &HeaderMap, number: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    let scheme = if state.config.secure_cookies {
        "https"
    } else {
        "http"
    };
    let number = form_urlencoded::byte_serialize(number.as_bytes()).collect::<String>();
    format!("{scheme}://{host}/certificates/verify?number={number}")
}

/// A QR code (SVG, rendered on the server) of `url`.
pub fn qr_svg(url: &str) -> Option<String> {
    let code =
        qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(160, 160)
            .quiet_zone(true)
            .build(),
    )
}

/// `GET /certificates/qr/{number}`: a QR code linking to the verification page of a
/// certificate number (printed on or beside the certificate; scanning it verifies the
/// certificate on this platform).
pub async fn qr(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Path(number): axum::extract::Path<String>,
) -> Response {
    let number: String = number.trim().chars().take(32).collect();
    match qr_svg(&verify_url(&state, &headers, &number)) {
        Some(svg) => (
            [
                (header::CONTENT_TYPE, "image/svg+xml"),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            svg,
        )
            .into_response(),
        None => {
            super::PageError(crate::error::ApiError::not_found("无法生成二维码")).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(status: &str, from: &str, to: &str, active: bool) -> Certificate {
        Certificate {
            id: "c".into(),
            number: "4401060100001".into(),
            officer_id: "o".into(),
            officer_name: "张三".into(),
            subject_id: "s".into(),
            status: status.into(),
            valid_from: from.into(),
            valid_to: to.into(),
            fields: vec!["01".into()],
            legal_review_qualified: false,
            issuer: None,
            active,
            version: 1,
            created_at: String::new(),
            updated_at: String::new(),
        }
    }

    #[test]
    fn qr_codes_are_svg() {
        let svg = qr_svg("http://127.0.0.1:8080/certificates/verify?number=4401060100001").unwrap();
        assert!(svg.contains("<svg") && svg.contains("</svg>"));
    }

    #[test]
    fn verdicts() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        assert_eq!(
            Verdict::of(&cert("1", "2025-01-01", "2027-12-31", true), today),
            Verdict::Valid
        );
        assert_eq!(
            Verdict::of(&cert("1", "2025-01-01", "2026-03-01", true), today),
            Verdict::Valid
        );
        assert_eq!(
            Verdict::of(&cert("1", "2020-01-01", "2026-02-28", true), today),
            Verdict::Expired
        );
        assert_eq!(
            Verdict::of(&cert("1", "2026-03-02", "2030-01-01", true), today),
            Verdict::NotYetValid
        );
        assert_eq!(
            Verdict::of(&cert("2", "2025-01-01", "2027-12-31", true), today),
            Verdict::Suspended
        );
        assert_eq!(
            Verdict::of(&cert("3", "2025-01-01", "2027-12-31", true), today),
            Verdict::Cancelled
        );
        assert_eq!(
            Verdict::of(&cert("1", "2025-01-01", "2027-12-31", false), today),
            Verdict::Cancelled
        );
    }
}
