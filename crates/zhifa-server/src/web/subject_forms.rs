//! `/subjects/new` and `/subjects/{id}/edit`: the administrator creates and edits enforcement
//! subjects (执法主体) through server-validated forms; every Chinese error is shown beside its
//! field and nothing is written while any remains.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use axum::{Form, Router};
use zhifa_store::StoreError;
use zhifa_store::model::SubjectInput;
use zhifa_store::scope::roles;

use super::labels::code_options;
use super::member::{FieldErrors, FormFields, Me, field, require_csrf};
use super::{PageError, PageResult, render};
use crate::auth::SignedIn;
use crate::error::ApiError;
use crate::state::AppState;

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/subjects/new", get(new_form).post(create))
        .route("/subjects/{id}/edit", get(edit_form).post(update))
}

const SHOWN: &[&str] = &[
    "name",
    "short_name",
    "uscc",
    "subject_type",
    "field",
    "level",
    "region_code",
    "address",
    "phone",
];

#[derive(Template)]
#[template(path = "subject_form.html")]
struct FormPage {
    me: Me,
    title: &'static str,
    action: String,
    input: SubjectInput,
    short_name: String,
    address: String,
    phone: String,
    types: Vec<(String, String)>,
    fields: Vec<(String, String)>,
    levels: Vec<(String, String)>,
    errors: FieldErrors,
    others: Vec<String>,
}

fn admin_only(me: &SignedIn) -> Result<(), PageError> {
    if me.is(&[roles::ADMIN]) {
        Ok(())
    } else {
        Err(PageError(ApiError::new(
            StatusCode::FORBIDDEN,
            "auth.role",
            "只有系统管理员可以维护执法主体",
        )))
    }
}

fn page(
    me: &SignedIn,
    title: &'static str,
    action: String,
    input: SubjectInput,
    errors: FieldErrors,
) -> PageResult {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = FormPage {
        me: Me::of(me),
        title,
        action,
        short_name: input.short_name.clone().unwrap_or_default(),
        address: input.address.clone().unwrap_or_default(),
        phone: input.phone.clone().unwrap_or_default(),
        input,
        types: code_options("subject_type"),
        fields: code_options("enforcement_field"),
        levels: code_options("subject_level"),
        others: errors.others(SHOWN),
        errors,
    };
    Ok((status, render(&page)).into_response())
}

fn input_of(form: &FormFields, parent_id: Option<String>) -> SubjectInput {
    let opt = |n: &str| Some(field(form, n)).filter(|v| !v.is_empty());
    SubjectInput {
        name: field(form, "name"),
        short_name: opt("short_name"),
        uscc: field(form, "uscc"),
        subject_type: field(form, "subject_type"),
        field: field(form, "field"),
        level: field(form, "level"),
        region_code: field(form, "region_code"),
        parent_id,
        address: opt("address"),
        phone: opt("phone"),
    }
}

/// `GET /subjects/new`.
async fn new_form(me: SignedIn) -> PageResult {
    admin_only(&me)?;
    page(
        &me,
        "新增执法主体",
        "/subjects/new".into(),
        SubjectInput::default(),
        FieldErrors::default(),
    )
}

/// `POST /subjects/new`.
async fn create(
    State(state): State<AppState>,
    me: SignedIn,
    Form(form): Form<FormFields>,
) -> PageResult {
    admin_only(&me)?;
    require_csrf(&me, &form)?;
    let input = input_of(&form, None);
    match state.store.create_subject(&input, &me.actor).await {
        Ok(s) => Ok(Redirect::to(&format!("/subjects/{}", s.id)).into_response()),
        Err(StoreError::Invalid(f)) => page(
            &me,
            "新增执法主体",
            "/subjects/new".into(),
            input,
            FieldErrors::from_fields(&f),
        ),
        Err(e) => Err(e.into()),
    }
}

/// `GET /subjects/{id}/edit`.
async fn edit_form(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
) -> PageResult {
    admin_only(&me)?;
    let s = state.store.get_subject(&id).await?;
    let input = SubjectInput {
        name: s.name,
        short_name: s.short_name,
        uscc: s.uscc,
        subject_type: s.subject_type,
        field: s.field,
        level: s.level,
        region_code: s.region_code,
        parent_id: s.parent_id,
        address: s.address,
        phone: s.phone,
    };
    page(
        &me,
        "修改执法主体",
        format!("/subjects/{id}/edit"),
        input,
        FieldErrors::default(),
    )
}

/// `POST /subjects/{id}/edit` (the parent agency is kept as it is).
async fn update(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<FormFields>,
) -> PageResult {
    admin_only(&me)?;
    require_csrf(&me, &form)?;
    let current = state.store.get_subject(&id).await?;
    let input = input_of(&form, current.parent_id);
    match state.store.update_subject(&id, &input, &me.actor).await {
        Ok(s) => Ok(Redirect::to(&format!("/subjects/{}", s.id)).into_response()),
        Err(StoreError::Invalid(f)) => page(
            &me,
            "修改执法主体",
            format!("/subjects/{id}/edit"),
            input,
            FieldErrors::from_fields(&f),
        ),
        Err(e) => Err(e.into()),
    }
}
