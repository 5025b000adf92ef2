//! Complaint pages (投诉举报). Signed in: the list within the account's data scope (filters:
//! status, overdue, kind, text) and one complaint with its contact data masked, its deadlines,
//! and the handling steps the account may take now as forms (the others greyed with the
//! reason); the routed agency's officers and head may reveal the contact data (an audited
//! POST, 暂行办法第三十三条). The public intake form and tracking are in [`portal`].

pub mod portal;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use zhifa_domain::complaint::{ComplaintAction, ComplaintKind, ComplaintStatus};
use zhifa_store::complaint_model::{Complaint, ComplaintFilter, ComplaintStep};
use zhifa_store::model::{PageRequest, SubjectFilter};
use zhifa_store::scope::roles;
use zhifa_store::{AccessEvent, Scope, StoreError};

use super::member::{FormFields, Me, field, require_csrf};
use super::{
    PAGE_SIZE, PageError, PageQuery, PageResult, Pager, filtered, non_empty, offset_param, render,
};
use crate::auth::SignedIn;
use crate::cases::today;
use crate::complaints::{self, ComplaintView, kind_zh, status_zh};
use crate::state::AppState;

/// The routes of this module and of the public portal pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/complaints", get(list))
        .route("/complaints/{id}", get(detail))
        .route("/complaints/{id}/contact", post(reveal))
        .route("/complaints/{id}/steps/{action}", post(step))
        .merge(portal::routes())
}

#[derive(Debug, Deserialize, Default)]
struct ListQuery {
    status: Option<String>,
    overdue: Option<String>,
    kind: Option<String>,
    q: Option<String>,
    offset: Option<String>,
}

/// A row of the list.
struct Row {
    id: String,
    number: String,
    kind: String,
    respondent: String,
    agency: String,
    received_on: String,
    status: String,
    due_on: String,
    light: &'static str,
    light_label: &'static str,
}

fn row(c: &Complaint) -> Row {
    let overdue = c.is_overdue(today());
    let (light, light_label) = match (&c.due_on, overdue) {
        (None, _) => ("none", "无待办期限"),
        (Some(_), true) => ("bad", "已超期"),
        (Some(_), false) => ("ok", "期限内"),
    };
    Row {
        id: c.id.clone(),
        number: c.number.clone(),
        kind: kind_zh(&c.kind),
        respondent: c.respondent_name.clone(),
        agency: c
            .agency_name
            .clone()
            .unwrap_or_else(|| "（待分派）".to_string()),
        received_on: c.received_on.clone(),
        status: status_zh(&c.status),
        due_on: c.due_on.clone().unwrap_or_default(),
        light,
        light_label,
    }
}

#[derive(Template)]
#[template(path = "complaints.html")]
struct ListPage {
    me: Me,
    scope: String,
    statuses: Vec<(&'static str, &'static str)>,
    kinds: Vec<(&'static str, &'static str)>,
    status: String,
    kind: String,
    overdue: bool,
    q: String,
    rows: Vec<Row>,
    error: Option<String>,
    pager: Pager,
}

/// `GET /complaints`: the complaints within the account's scope.
async fn list(
    State(state): State<AppState>,
    me: SignedIn,
    PageQuery(q): PageQuery<ListQuery>,
) -> PageResult {
    let offset = offset_param(q.offset.as_deref());
    let status = non_empty(&q.status).unwrap_or_default();
    let kind = non_empty(&q.kind).unwrap_or_default();
    let text = non_empty(&q.q).unwrap_or_default();
    let overdue = non_empty(&q.overdue).is_some_and(|v| v == "1");
    let filter = ComplaintFilter {
        status: Some(status.clone()),
        overdue: Some(overdue),
        kind: Some(kind.clone()),
        q: Some(text.clone()),
        ..ComplaintFilter::default()
    };
    let result = state
        .store
        .list_complaints_in(
            &me.scope,
            &filter,
            today(),
            PageRequest {
                offset,
                limit: PAGE_SIZE,
            },
        )
        .await;
    let (page, error) = filtered(result, offset)?;
    let overdue_param = if overdue { "1" } else { "" };
    let pager = Pager::new(
        "/complaints",
        &[
            ("status", &status),
            ("kind", &kind),
            ("q", &text),
            ("overdue", overdue_param),
        ],
        offset,
        page.items.len(),
        page.total,
    );
    Ok(render(&ListPage {
        me: Me::of(&me),
        scope: me.scope.describe(),
        statuses: ComplaintStatus::ALL
            .iter()
            .map(|s| (s.code(), s.zh()))
            .collect(),
        kinds: ComplaintKind::ALL
            .iter()
            .map(|k| (k.code(), k.zh()))
            .collect(),
        status,
        kind,
        overdue,
        q: text,
        rows: page.items.iter().map(row).collect(),
        error,
        pager,
    }))
}

#[derive(Template)]
#[template(path = "complaint.html")]
struct DetailPage {
    me: Me,
    v: ComplaintView,
    today: String,
    agencies: Vec<(String, String)>,
    can_reveal: bool,
    contact: Option<(String, String)>,
    error: Option<String>,
    next_step: String,
}

/// The agencies a router may choose (its scope), the complaint's field first.
async fn agencies(
    state: &AppState,
    me: &SignedIn,
    field: &str,
) -> Result<Vec<(String, String)>, StoreError> {
    let region = match &me.scope {
        Scope::All => None,
        Scope::Region(_) => me.user().region_code.clone(),
        _ => return Ok(Vec::new()),
    };
    let page = state
        .store
        .list_subjects(
            &SubjectFilter {
                region,
                ..SubjectFilter::default()
            },
            PageRequest {
                offset: 0,
                limit: 500,
            },
        )
        .await?;
    let mut items = page.items;
    items.sort_by_key(|s| s.field != field);
    Ok(items
        .into_iter()
        .map(|s| {
            let label = format!(
                "{}（{}）",
                s.name,
                super::labels::code_label("enforcement_field", &s.field)
            );
            (s.id, label)
        })
        .collect())
}

async fn detail_page(
    state: &AppState,
    me: &SignedIn,
    id: &str,
    contact: Option<(String, String)>,
    error: Option<(StatusCode, String)>,
) -> PageResult {
    let c = state.store.get_complaint_in(&me.scope, id).await?;
    let may_route = me.is(&[roles::SUPERVISOR, roles::ADMIN])
        && c.status()
            .is_some_and(|s| ComplaintAction::Route.from_statuses().contains(&s));
    let agencies = if may_route {
        agencies(state, me, &c.field).await?
    } else {
        Vec::new()
    };
    let can_reveal = me.is(&[roles::OFFICER, roles::HEAD]) && !c.anonymous;
    let v = complaints::view(c, &me.user().role);
    // Steps refused by the flow are not shown; what comes next is said once instead.
    let next_step = v
        .actions
        .iter()
        .find(|a| a.refusal_code.as_deref() == Some("complaint.status"))
        .and_then(|a| a.remedy.clone())
        .unwrap_or_default();
    let page = DetailPage {
        me: Me::of(me),
        v,
        next_step,
        today: today().to_string(),
        agencies,
        can_reveal,
        contact,
        error: error.as_ref().map(|(_, m)| m.clone()),
    };
    let status = error.map_or(StatusCode::OK, |(s, _)| s);
    Ok((status, render(&page)).into_response())
}

/// `GET /complaints/{id}`.
async fn detail(
    State(state): State<AppState>,
    me: SignedIn,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> PageResult {
    detail_page(&state, &me, &id, None, None).await
}

/// `POST /complaints/{id}/contact`: shows the complainant's name and phone to the routed
/// agency's officers and head, writing the access audit.
async fn reveal(
    State(state): State<AppState>,
    me: SignedIn,
    axum::extract::Path(id): axum::extract::Path<String>,
    Form(form): Form<FormFields>,
) -> PageResult {
    require_csrf(&me, &form)?;
    if !me.is(&[roles::OFFICER, roles::HEAD]) {
        return Err(PageError(crate::error::ApiError::new(
            StatusCode::FORBIDDEN,
            "auth.role",
            "只有承办执法主体的执法人员和机关负责人可以查看投诉举报人的联系方式",
        )));
    }
    let (name, phone) = state.store.complaint_contact_in(&me.scope, &id).await?;
    let c = state.store.get_complaint_in(&me.scope, &id).await?;
    state
        .store
        .record_access(
            me.user(),
            &AccessEvent {
                entity: "complaint",
                entity_id: &id,
                field: "contact",
                subject_id: c.agency_id.as_deref(),
            },
            &me.client,
        )
        .await?;
    let contact = Some((name.unwrap_or_default(), phone.unwrap_or_default()));
    detail_page(&state, &me, &id, contact, None).await
}

/// `POST /complaints/{id}/steps/{action}`: one handling step; back to the complaint, or the
/// complaint again with the refusal or the missing data.
async fn step(
    State(state): State<AppState>,
    me: SignedIn,
    axum::extract::Path((id, action)): axum::extract::Path<(String, String)>,
    Form(form): Form<FormFields>,
) -> PageResult {
    require_csrf(&me, &form)?;
    let Some(action) = ComplaintAction::parse(&action) else {
        return Err(PageError(crate::error::ApiError::not_found(format!(
            "未找到办理环节：{action}"
        ))));
    };
    let opt = |name: &str| Some(field(&form, name)).filter(|v| !v.is_empty());
    let data = ComplaintStep {
        on: opt("on"),
        agency_id: opt("agency_id"),
        reason: opt("reason"),
        result: opt("result"),
        case_id: opt("case_id"),
        alert_id: opt("alert_id"),
        reply: opt("reply"),
    };
    let user = me.user().clone();
    match complaints::step(
        &state,
        &me.scope,
        Some(&user),
        &me.actor,
        &id,
        action,
        &data,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/complaints/{id}")).into_response()),
        Err(StoreError::Refused(r)) => {
            let message = format!(
                "“{}”未获准许：{}（{}）。{}",
                action.zh(),
                r.message,
                r.article,
                r.remedy
            );
            detail_page(
                &state,
                &me,
                &id,
                None,
                Some((StatusCode::CONFLICT, message)),
            )
            .await
        }
        Err(StoreError::Invalid(fields)) => {
            let message = fields
                .iter()
                .map(|f| f.message.as_str())
                .collect::<Vec<_>>()
                .join("；");
            let message = format!("“{}”未办理：{message}", action.zh());
            detail_page(
                &state,
                &me,
                &id,
                None,
                Some((StatusCode::UNPROCESSABLE_ENTITY, message)),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
