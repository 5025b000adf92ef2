//! The public complaint pages (no login): `/complaints/new`, the intake form (投诉 or 举报, the
//! field and place, the respondent, the facts, contact data or anonymous for a report) whose
//! answer page shows the number and the query code once, and `/complaints/track`, where a
//! citizen enters both to see the progress and the reply — nothing else of the record and
//! nothing of anybody else's. Both forms carry a double-submit CSRF token (cookie + field),
//! as the login form does.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use zhifa_store::StoreError;
use zhifa_store::complaint_model::{
    ComplaintInput, ComplaintReceipt, ComplaintTrack, IntakeRegion,
};
use zhifa_store::model::Actor;
use zhifa_store::random_secret;

use crate::auth::{CSRF_FIELD, Client, MaybeSignedIn, check_csrf, cookie_value, set_cookie};
use crate::cases::{calendar, today};
use crate::complaints::{PUBLIC_ACTOR, kind_zh};
use crate::state::AppState;
use crate::web::labels::code_options;
use crate::web::member::{FieldErrors, FormFields, field};
use crate::web::{PageResult, render};

/// Cookie of the public forms' CSRF token (double submit).
pub const PUBLIC_CSRF_COOKIE: &str = "zhifa_public_csrf";

/// Channel code of the portal: 网络 (set `complaint_channel`).
const ONLINE: &str = "3";

/// The fields the intake form shows (errors of other fields go above it).
const SHOWN: [&str; 10] = [
    "kind",
    "field",
    "region_code",
    "respondent_name",
    "respondent_uscc",
    "respondent_address",
    "content",
    "anonymous",
    "contact_name",
    "contact_phone",
];

/// The routes of the public pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/complaints/new", get(new_form).post(submit))
        .route("/complaints/track", get(track_form).post(track))
}

/// A fresh CSRF token and the cookie carrying it.
fn csrf_pair(state: &AppState) -> (String, String) {
    let token = random_secret();
    let cookie = set_cookie(
        PUBLIC_CSRF_COOKIE,
        &token,
        3600,
        state.config.secure_cookies,
    );
    (token, cookie)
}

/// Refuses a public form whose token does not match its cookie (403).
fn require_public_csrf(
    headers: &HeaderMap,
    form: &FormFields,
) -> Result<(), crate::web::PageError> {
    let expected = cookie_value(headers, PUBLIC_CSRF_COOKIE).unwrap_or_default();
    check_csrf(&expected, form.get(CSRF_FIELD).map(String::as_str)).map_err(crate::web::PageError)
}

/// The intake form's values as the template shows them.
struct Values {
    kind: String,
    field: String,
    region_code: String,
    respondent_name: String,
    respondent_uscc: String,
    respondent_address: String,
    content: String,
    anonymous: bool,
    contact_name: String,
    contact_phone: String,
}

impl From<ComplaintInput> for Values {
    fn from(i: ComplaintInput) -> Self {
        let text = |v: Option<String>| v.unwrap_or_default();
        Values {
            kind: i.kind,
            field: i.field,
            region_code: i.region_code,
            respondent_name: i.respondent_name,
            respondent_uscc: text(i.respondent_uscc),
            respondent_address: text(i.respondent_address),
            content: i.content,
            anonymous: i.anonymous,
            contact_name: text(i.contact_name),
            contact_phone: text(i.contact_phone),
        }
    }
}

#[derive(Template)]
#[template(path = "complaint_new.html")]
struct NewPage {
    csrf: String,
    v: Values,
    fields: Vec<(String, String)>,
    regions: Vec<IntakeRegion>,
    errors: FieldErrors,
    others: Vec<String>,
}

async fn new_page(
    state: &AppState,
    status: StatusCode,
    input: ComplaintInput,
    errors: FieldErrors,
) -> PageResult {
    let regions = state.store.intake_regions().await?;
    let (csrf, cookie) = csrf_pair(state);
    let others = errors.others(&SHOWN);
    let page = NewPage {
        csrf,
        v: Values::from(input),
        fields: code_options("enforcement_field"),
        regions,
        errors,
        others,
    };
    Ok((status, [(header::SET_COOKIE, cookie)], render(&page)).into_response())
}

/// `GET /complaints/new`.
async fn new_form(State(state): State<AppState>) -> PageResult {
    let input = ComplaintInput {
        kind: "complaint".into(),
        ..ComplaintInput::default()
    };
    new_page(&state, StatusCode::OK, input, FieldErrors::default()).await
}

#[derive(Template)]
#[template(path = "complaint_receipt.html")]
struct ReceiptPage {
    r: ComplaintReceipt,
    kind: String,
}

/// `POST /complaints/new`: registers the complaint (channel 网络) and shows its number and
/// query code, or the form again with every error beside its field.
async fn submit(
    State(state): State<AppState>,
    MaybeSignedIn(me): MaybeSignedIn,
    Client(client): Client,
    headers: HeaderMap,
    Form(form): Form<FormFields>,
) -> PageResult {
    require_public_csrf(&headers, &form)?;
    let opt = |name: &str| Some(field(&form, name)).filter(|v| !v.is_empty());
    let input = ComplaintInput {
        kind: field(&form, "kind"),
        channel: ONLINE.to_string(),
        region_code: field(&form, "region_code"),
        field: field(&form, "field"),
        respondent_name: field(&form, "respondent_name"),
        respondent_uscc: opt("respondent_uscc"),
        respondent_address: opt("respondent_address"),
        content: field(&form, "content"),
        anonymous: form.get("anonymous").is_some_and(|v| v == "1"),
        contact_name: opt("contact_name"),
        contact_phone: opt("contact_phone"),
    };
    let actor = Actor {
        user: me
            .as_ref()
            .map_or_else(|| PUBLIC_ACTOR.to_string(), |m| m.actor.user.clone()),
        ip: client.ip,
    };
    match state
        .store
        .create_complaint(&input, today(), &calendar(&state), &actor)
        .await
    {
        Ok(r) => {
            let kind = kind_zh(&input.kind);
            let cookie = set_cookie(PUBLIC_CSRF_COOKIE, "", 0, state.config.secure_cookies);
            Ok((
                [(header::SET_COOKIE, cookie)],
                render(&ReceiptPage { r, kind }),
            )
                .into_response())
        }
        Err(StoreError::Invalid(fields)) => {
            new_page(
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                input,
                FieldErrors::from_fields(&fields),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "complaint_track.html")]
struct TrackPage {
    csrf: String,
    number: String,
    found: Option<ComplaintTrack>,
    kind: String,
    error: Option<String>,
}

fn track_page(
    state: &AppState,
    status: StatusCode,
    number: String,
    found: Option<ComplaintTrack>,
    error: Option<String>,
) -> Response {
    let (csrf, cookie) = csrf_pair(state);
    let kind = found.as_ref().map(|t| kind_zh(&t.kind)).unwrap_or_default();
    let page = TrackPage {
        csrf,
        number,
        found,
        kind,
        error,
    };
    (status, [(header::SET_COOKIE, cookie)], render(&page)).into_response()
}

/// `GET /complaints/track`.
async fn track_form(State(state): State<AppState>) -> Response {
    track_page(&state, StatusCode::OK, String::new(), None, None)
}

/// `POST /complaints/track`: the progress and reply for a number and its query code (the code
/// travels in the body, never in the address).
async fn track(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<FormFields>,
) -> PageResult {
    require_public_csrf(&headers, &form)?;
    let number = field(&form, "number");
    let code = field(&form, "query_code");
    if number.is_empty() || code.is_empty() {
        let msg = "请输入编号和查询码".to_string();
        return Ok(track_page(
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            number,
            None,
            Some(msg),
        ));
    }
    match state.store.track_complaint(&number, &code).await {
        Ok(t) => Ok(track_page(&state, StatusCode::OK, number, Some(t), None)),
        Err(StoreError::NotFound { .. }) => Ok(track_page(
            &state,
            StatusCode::NOT_FOUND,
            number,
            None,
            Some("未找到该投诉举报：请核对编号和查询码".to_string()),
        )),
        Err(e) => Err(e.into()),
    }
}
