//! `/officers`: enforcement officers and their certificates for signed-in accounts, within
//! their data scope (an officer outside it is answered 404). Citizen ID and phone are masked
//! in every list and page; the full values are shown only after an explicit request (a POST
//! with the CSRF token) that writes an access-audit row. Administrators (any agency) and
//! agency heads (their own) create and edit officers through forms validated on the server.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use zhifa_domain::time::ChinaDate;
use zhifa_store::model::{
    CertificateFilter, Officer, OfficerFilter, OfficerInput, PageRequest, Subject, SubjectFilter,
};
use zhifa_store::scope::roles;
use zhifa_store::{AccessEvent, Scope, StoreError};

use super::certificates::Verdict;
use super::labels::code_labels;
use super::member::{FieldErrors, FormFields, Me, field, require_csrf};
use super::{PAGE_SIZE, PageError, PageQuery, PageResult, Pager, non_empty, offset_param, render};
use crate::auth::SignedIn;
use crate::error::ApiError;
use crate::state::AppState;

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/officers", get(list))
        .route("/officers/new", get(new_form).post(create))
        .route("/officers/{id}", get(detail))
        .route("/officers/{id}/edit", get(edit_form).post(update))
        .route("/officers/{id}/personal-data", post(reveal))
}

#[derive(Debug, Deserialize, Default)]
struct ListQuery {
    q: Option<String>,
    offset: Option<String>,
}

struct OfficerRow {
    id: String,
    name: String,
    citizen_id_masked: String,
    phone_masked: String,
    position: String,
    subject: String,
    active: bool,
}

#[derive(Template)]
#[template(path = "officers.html")]
struct ListPage {
    me: Me,
    q: String,
    rows: Vec<OfficerRow>,
    pager: Pager,
    can_create: bool,
}

async fn subject_name(state: &AppState, id: &str) -> String {
    state
        .store
        .get_subject(id)
        .await
        .map(|s| s.name)
        .unwrap_or_else(|_| id.to_string())
}

/// Who may create and edit officers: administrators, and agency heads in their agency.
fn can_manage(me: &SignedIn) -> bool {
    me.is(&[roles::ADMIN, roles::HEAD])
}

/// `GET /officers`: officers in scope, masked, searchable by name.
async fn list(
    State(state): State<AppState>,
    me: SignedIn,
    PageQuery(q): PageQuery<ListQuery>,
) -> PageResult {
    let offset = offset_param(q.offset.as_deref());
    let text = non_empty(&q.q).unwrap_or_default();
    let filter = OfficerFilter {
        q: Some(text.clone()),
        ..Default::default()
    };
    let page = state
        .store
        .list_officers_in(
            &me.scope,
            &filter,
            PageRequest {
                offset,
                limit: PAGE_SIZE,
            },
        )
        .await?;
    let mut rows = Vec::with_capacity(page.items.len());
    for o in &page.items {
        rows.push(OfficerRow {
            id: o.id.clone(),
            name: o.name.clone(),
            citizen_id_masked: o.citizen_id_masked.clone(),
            phone_masked: o.phone_masked.clone().unwrap_or_default(),
            position: o.position.clone().unwrap_or_default(),
            subject: subject_name(&state, &o.subject_id).await,
            active: o.active,
        });
    }
    let pager = Pager::new("/officers", &[("q", &text)], offset, rows.len(), page.total);
    Ok(render(&ListPage {
        me: Me::of(&me),
        q: text,
        rows,
        pager,
        can_create: can_manage(&me),
    }))
}

struct CertView {
    number: String,
    fields: String,
    valid_from: String,
    valid_to: String,
    verdict: Verdict,
}

#[derive(Template)]
#[template(path = "officer.html")]
struct DetailPage {
    me: Me,
    officer: Officer,
    subject: String,
    certificates: Vec<CertView>,
    revealed: Option<(String, String)>,
    can_edit: bool,
}

async fn detail_page(
    state: &AppState,
    me: &SignedIn,
    id: &str,
    revealed: Option<(String, String)>,
) -> PageResult {
    let officer = state.store.get_officer_in(&me.scope, id).await?;
    let today = ChinaDate::today().date();
    let certificates = state
        .store
        .list_certificates_in(
            &me.scope,
            &CertificateFilter {
                officer_id: Some(id.to_string()),
                include_inactive: Some(true),
                ..Default::default()
            },
            PageRequest::default(),
        )
        .await?
        .items
        .iter()
        .map(|c| CertView {
            number: c.number.clone(),
            fields: code_labels("enforcement_field", &c.fields),
            valid_from: c.valid_from.clone(),
            valid_to: c.valid_to.clone(),
            verdict: Verdict::of(c, today),
        })
        .collect();
    Ok(render(&DetailPage {
        me: Me::of(me),
        subject: subject_name(state, &officer.subject_id).await,
        officer,
        certificates,
        revealed,
        can_edit: can_manage(me),
    }))
}

/// `GET /officers/{id}`.
async fn detail(
    State(state): State<AppState>,
    me: SignedIn,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> PageResult {
    detail_page(&state, &me, &id, None).await
}

/// `POST /officers/{id}/personal-data`: shows the full citizen ID and phone once, and writes
/// the access audit (who, which record, which fields, when, from where).
async fn reveal(
    State(state): State<AppState>,
    me: SignedIn,
    axum::extract::Path(id): axum::extract::Path<String>,
    Form(form): Form<FormFields>,
) -> PageResult {
    require_csrf(&me, &form)?;
    let officer = state.store.get_officer_in(&me.scope, &id).await?;
    let (citizen_id, phone) = state.store.officer_personal_data_in(&me.scope, &id).await?;
    for f in ["citizen_id", "phone"] {
        let event = AccessEvent {
            entity: "officer",
            entity_id: &id,
            field: f,
            subject_id: Some(&officer.subject_id),
        };
        state
            .store
            .record_access(me.user(), &event, &me.client)
            .await?;
    }
    let mut response = detail_page(
        &state,
        &me,
        &id,
        Some((citizen_id, phone.unwrap_or_default())),
    )
    .await?;
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

#[derive(Template)]
#[template(path = "officer_form.html")]
struct FormPage {
    me: Me,
    action: String,
    title: &'static str,
    name: String,
    citizen_id: String,
    subject_id: String,
    position: String,
    phone: String,
    subjects: Vec<(String, String)>,
    errors: FieldErrors,
    others: Vec<String>,
}

const SHOWN_FIELDS: &[&str] = &["name", "citizen_id", "subject_id", "position", "phone"];

/// Agencies the account may assign officers to.
async fn subject_options(
    state: &AppState,
    me: &SignedIn,
) -> Result<Vec<(String, String)>, PageError> {
    let subjects: Vec<Subject> = match &me.scope {
        Scope::Agency(id) => vec![state.store.get_subject(id).await?],
        Scope::All => {
            state
                .store
                .list_subjects(
                    &SubjectFilter::default(),
                    PageRequest {
                        offset: 0,
                        limit: 500,
                    },
                )
                .await?
                .items
        }
        _ => Vec::new(),
    };
    Ok(subjects.into_iter().map(|s| (s.id, s.name)).collect())
}

fn refuse_manage(me: &SignedIn) -> Result<(), PageError> {
    if can_manage(me) {
        Ok(())
    } else {
        Err(PageError(ApiError::new(
            StatusCode::FORBIDDEN,
            "auth.role",
            "只有系统管理员和机关负责人可以维护执法人员信息",
        )))
    }
}

fn input_of(form: &FormFields) -> OfficerInput {
    let opt = |n: &str| Some(field(form, n)).filter(|v| !v.is_empty());
    OfficerInput {
        name: field(form, "name"),
        citizen_id: field(form, "citizen_id"),
        subject_id: field(form, "subject_id"),
        position: opt("position"),
        phone: opt("phone"),
    }
}

async fn form_page(
    state: &AppState,
    me: &SignedIn,
    action: String,
    title: &'static str,
    input: &OfficerInput,
    errors: FieldErrors,
) -> PageResult {
    let others = errors.others(SHOWN_FIELDS);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = FormPage {
        me: Me::of(me),
        action,
        title,
        name: input.name.clone(),
        citizen_id: input.citizen_id.clone(),
        subject_id: input.subject_id.clone(),
        position: input.position.clone().unwrap_or_default(),
        phone: input.phone.clone().unwrap_or_default(),
        subjects: subject_options(state, me).await?,
        errors,
        others,
    };
    Ok((status, render(&page)).into_response())
}

/// `GET /officers/new`.
async fn new_form(State(state): State<AppState>, me: SignedIn) -> PageResult {
    refuse_manage(&me)?;
    let input = OfficerInput {
        subject_id: me.user().subject_id.clone().unwrap_or_default(),
        ..Default::default()
    };
    form_page(
        &state,
        &me,
        "/officers/new".into(),
        "新增执法人员",
        &input,
        FieldErrors::default(),
    )
    .await
}

/// `POST /officers/new`.
async fn create(
    State(state): State<AppState>,
    me: SignedIn,
    Form(form): Form<FormFields>,
) -> PageResult {
    refuse_manage(&me)?;
    require_csrf(&me, &form)?;
    let input = input_of(&form);
    match state
        .store
        .create_officer_in(&me.scope, &input, &me.actor)
        .await
    {
        Ok(o) => Ok(Redirect::to(&format!("/officers/{}", o.id)).into_response()),
        Err(StoreError::Invalid(f)) => {
            let errors = FieldErrors::from_fields(&f);
            form_page(
                &state,
                &me,
                "/officers/new".into(),
                "新增执法人员",
                &input,
                errors,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /officers/{id}/edit`. The citizen ID must be entered again (it is stored encrypted
/// and never placed in a form unasked).
async fn edit_form(
    State(state): State<AppState>,
    me: SignedIn,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> PageResult {
    refuse_manage(&me)?;
    let o = state.store.get_officer_in(&me.scope, &id).await?;
    let input = OfficerInput {
        name: o.name,
        citizen_id: String::new(),
        subject_id: o.subject_id,
        position: o.position,
        phone: None,
    };
    form_page(
        &state,
        &me,
        format!("/officers/{id}/edit"),
        "修改执法人员",
        &input,
        FieldErrors::default(),
    )
    .await
}

/// `POST /officers/{id}/edit`.
async fn update(
    State(state): State<AppState>,
    me: SignedIn,
    axum::extract::Path(id): axum::extract::Path<String>,
    Form(form): Form<FormFields>,
) -> PageResult {
    refuse_manage(&me)?;
    require_csrf(&me, &form)?;
    let input = input_of(&form);
    match state
        .store
        .update_officer_in(&me.scope, &id, &input, &me.actor)
        .await
    {
        Ok(o) => Ok(Redirect::to(&format!("/officers/{}", o.id)).into_response()),
        Err(StoreError::Invalid(f)) => {
            let errors = FieldErrors::from_fields(&f);
            form_page(
                &state,
                &me,
                format!("/officers/{id}/edit"),
                "修改执法人员",
                &input,
                errors,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
