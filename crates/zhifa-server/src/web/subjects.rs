//! `/subjects`: browse enforcement subjects (执法主体) by region and field; `/subjects/{id}`:
//! one subject with its officers.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde::Deserialize;
use zhifa_store::model::{Officer, OfficerFilter, PageRequest, Subject, SubjectFilter};

use super::labels::{code_label, code_options, region_name};
use super::{PAGE_SIZE, PageQuery, PageResult, Pager, filtered, non_empty, offset_param, render};
use crate::extract::Path;
use crate::state::AppState;

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/subjects", get(list))
        .route("/subjects/{id}", get(detail))
}

/// Parameters of the list page.
#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    region: Option<String>,
    field: Option<String>,
    q: Option<String>,
    offset: Option<String>,
}

/// A subject as shown: codes replaced by their Chinese names.
struct SubjectView {
    id: String,
    name: String,
    short_name: String,
    uscc: String,
    subject_type: String,
    field: String,
    level: String,
    region: String,
    address: String,
    phone: String,
    active: bool,
}

impl From<Subject> for SubjectView {
    fn from(s: Subject) -> Self {
        SubjectView {
            subject_type: code_label("subject_type", &s.subject_type),
            field: code_label("enforcement_field", &s.field),
            level: code_label("subject_level", &s.level),
            region: region_name(&s.region_code),
            short_name: s.short_name.unwrap_or_default(),
            address: s.address.unwrap_or_default(),
            phone: s.phone.unwrap_or_default(),
            id: s.id,
            name: s.name,
            uscc: s.uscc,
            active: s.active,
        }
    }
}

#[derive(Template)]
#[template(path = "subjects.html")]
struct ListPage {
    error: Option<String>,
    rows: Vec<SubjectView>,
    pager: Pager,
    region: String,
    region_label: String,
    field: String,
    q: String,
    fields: Vec<(String, String)>,
}

/// `GET /subjects`: paginated list with region, field and name filters.
pub async fn list(
    State(state): State<AppState>,
    PageQuery(p): PageQuery<ListParams>,
) -> PageResult {
    let filter = SubjectFilter {
        region: non_empty(&p.region),
        field: non_empty(&p.field),
        q: non_empty(&p.q),
        include_inactive: None,
    };
    let offset = offset_param(p.offset.as_deref());
    let (page, error) = filtered(
        state
            .store
            .list_subjects(
                &filter,
                PageRequest {
                    offset,
                    limit: PAGE_SIZE,
                },
            )
            .await,
        offset,
    )?;
    let region = filter.region.clone().unwrap_or_default();
    let field = filter.field.clone().unwrap_or_default();
    let q = filter.q.clone().unwrap_or_default();
    let params = [
        ("region", region.as_str()),
        ("field", field.as_str()),
        ("q", q.as_str()),
    ];
    let pager = Pager::new("/subjects", &params, offset, page.items.len(), page.total);
    Ok(render(&ListPage {
        error,
        rows: page.items.into_iter().map(SubjectView::from).collect(),
        pager,
        region_label: if region.is_empty() {
            String::new()
        } else {
            region_name(&region)
        },
        region,
        field,
        q,
        fields: code_options("enforcement_field"),
    }))
}

/// An officer as shown on the subject page (no identity numbers).
struct OfficerView {
    name: String,
    sex: String,
    position: String,
}

impl From<Officer> for OfficerView {
    fn from(o: Officer) -> Self {
        OfficerView {
            sex: code_label("sex", &o.sex),
            position: o.position.unwrap_or_default(),
            name: o.name,
        }
    }
}

#[derive(Template)]
#[template(path = "subject.html")]
struct DetailPage {
    subject: SubjectView,
    parent: Option<SubjectView>,
    officers: Vec<OfficerView>,
    officer_total: i64,
}

/// `GET /subjects/{id}`: one subject, its supervising body and its active officers.
pub async fn detail(State(state): State<AppState>, Path(id): Path<String>) -> PageResult {
    let subject = state.store.get_subject(&id).await?;
    let parent = match &subject.parent_id {
        Some(pid) => Some(SubjectView::from(state.store.get_subject(pid).await?)),
        None => None,
    };
    let filter = OfficerFilter {
        subject_id: Some(subject.id.clone()),
        ..OfficerFilter::default()
    };
    let officers = state
        .store
        .list_officers(
            &filter,
            PageRequest {
                offset: 0,
                limit: 200,
            },
        )
        .await?;
    Ok(render(&DetailPage {
        subject: subject.into(),
        parent,
        officer_total: officers.total,
        officers: officers.items.into_iter().map(OfficerView::from).collect(),
    }))
}
