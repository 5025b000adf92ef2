//! Server-rendered Simplified-Chinese pages (F14, F6): the public portal (home, subjects, powers,
//! laws, the data standard, certificate verification with QR codes, published decisions) and,
//! after login, each role's workbench, officers and certificates, and the administration pages.
//!
//! Templates live in `templates/` (askama, compiled into the binary, auto-escaped) and share
//! `base.html`; the stylesheet is embedded. Pages work without JavaScript and on phones.

pub mod admin;
pub mod alerts;
pub mod case_forms;
pub mod cases;
pub mod certificates;
pub mod complaints;
pub mod home;
pub mod labels;
pub mod laws;
pub mod member;
pub mod officers;
pub mod outbox;
pub mod portal;
pub mod powers;
pub mod session;
pub mod subject_forms;
pub mod subjects;
pub mod supervision;
pub mod workbench;

use askama::Template;
use axum::Router;
use axum::extract::{FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde::de::DeserializeOwned;

use zhifa_store::StoreError;
use zhifa_store::model::Page;

use crate::error::ApiError;
use crate::state::AppState;

/// Version shown in the footer.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Rows per page of the browse lists.
pub const PAGE_SIZE: i64 = 20;

const STYLE_CSS: &str = include_str!("../../static/style.css");

/// Every page route.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/static/style.css", get(style))
        .merge(home::routes())
        .merge(subjects::routes())
        .merge(laws::routes())
        .merge(powers::routes())
        .merge(certificates::routes())
        .merge(session::routes())
        .merge(subject_forms::routes())
        .merge(officers::routes())
        .merge(admin::routes())
        .merge(portal::routes())
        .merge(cases::routes())
        .merge(outbox::routes())
        .merge(alerts::routes())
        .merge(complaints::routes())
        .merge(supervision::routes())
}

async fn style() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLE_CSS,
    )
}

/// Renders a template into an HTML response (a rendering failure is a logged 500).
pub fn render(template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => PageError(ApiError::internal(format!(
            "template rendering failed: {e}"
        )))
        .into_response(),
    }
}

/// The error page.
#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    message: &'a str,
}

/// An [`ApiError`] answered as an HTML page instead of JSON.
#[derive(Debug)]
pub struct PageError(pub ApiError);

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        PageError(e)
    }
}

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> Self {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let page = ErrorPage {
            status: status.as_u16(),
            message: self.0.message(),
        };
        let body = page
            .render()
            .unwrap_or_else(|_| self.0.message().to_string());
        (status, Html(body)).into_response()
    }
}

/// Result of a page handler.
pub type PageResult = Result<Response, PageError>;

/// Query-string parameters of a page; errors become an HTML error page.
#[derive(Debug, Clone, Default)]
pub struct PageQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for PageQuery<T> {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        // Pages are lenient about repeated parameters (a hand-edited address): the first wins.
        let mut seen = std::collections::HashSet::new();
        let query = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(
                form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes())
                    .filter(|(k, _)| seen.insert(k.clone())),
            )
            .finish();
        crate::extract::parse_query(&query)
            .map(PageQuery)
            .map_err(PageError)
    }
}

/// Answer for paths that match no route: JSON under `/api/`, an HTML page elsewhere.
pub async fn not_found(request: Request) -> Response {
    let path = request.uri().path();
    let error = ApiError::not_found(format!("未找到请求的地址：{path}"));
    if path.starts_with("/api/") {
        error.into_response()
    } else {
        PageError(error).into_response()
    }
}

/// Links to the previous and next page of a list.
#[derive(Debug, Clone)]
pub struct Pager {
    /// 1-based number of the first row shown.
    pub first: i64,
    /// 1-based number of the last row shown.
    pub last: i64,
    /// Rows matching in total.
    pub total: i64,
    /// Link to the previous page.
    pub prev: Option<String>,
    /// Link to the next page.
    pub next: Option<String>,
}

impl Pager {
    /// Pager of a page of `shown` rows from `offset` out of `total`, for `path` with the list's
    /// other parameters `params` (empty values left out).
    pub fn new(path: &str, params: &[(&str, &str)], offset: i64, shown: usize, total: i64) -> Self {
        let link = |offset: i64| {
            let mut query = form_urlencoded::Serializer::new(String::new());
            for (k, v) in params.iter().filter(|(_, v)| !v.is_empty()) {
                query.append_pair(k, v);
            }
            if offset > 0 {
                query.append_pair("offset", &offset.to_string());
            }
            let query = query.finish();
            if query.is_empty() {
                path.to_string()
            } else {
                format!("{path}?{query}")
            }
        };
        let shown = i64::try_from(shown).unwrap_or(i64::MAX);
        Pager {
            first: if shown == 0 { 0 } else { offset + 1 },
            last: offset + shown,
            total,
            prev: (offset > 0).then(|| link((offset - PAGE_SIZE).max(0))),
            next: (offset + shown < total).then(|| link(offset + PAGE_SIZE)),
        }
    }
}

/// A page offset from a query parameter: non-numbers and negatives count as 0.
pub fn offset_param(value: Option<&str>) -> i64 {
    value
        .and_then(|v| v.trim().parse::<i64>().ok())
        .unwrap_or(0)
        .max(0)
}

/// The page of a filtered list, or an empty page and the Chinese reasons when the store
/// rejected the filter (shown above the form instead of an error page).
pub fn filtered<T>(
    result: Result<Page<T>, StoreError>,
    offset: i64,
) -> Result<(Page<T>, Option<String>), PageError> {
    match result {
        Ok(page) => Ok((page, None)),
        Err(StoreError::Invalid(fields)) => {
            let reasons = fields
                .iter()
                .map(|f| f.message.as_str())
                .collect::<Vec<_>>()
                .join("；");
            let empty = Page {
                items: Vec::new(),
                total: 0,
                offset,
                limit: PAGE_SIZE,
            };
            Ok((empty, Some(reasons)))
        }
        Err(e) => Err(e.into()),
    }
}

/// An optional query parameter with blanks treated as absent.
pub fn non_empty(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}
