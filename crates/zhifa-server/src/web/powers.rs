//! `/powers`: browse the powers catalogue (权责清单 / 执法事项); `/powers/{id}`: one power with
//! its legal bases (linked to the articles) and its discretion benchmarks (裁量基准) with the
//! fine ranges in 元.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde::Deserialize;
use zhifa_store::model::{Benchmark, BenchmarkFilter, PageRequest, Power, PowerFilter};

use super::labels::{code_label, code_labels, code_options, fine_range};
use super::{PAGE_SIZE, PageQuery, PageResult, Pager, filtered, non_empty, offset_param, render};
use crate::extract::Path;
use crate::state::AppState;

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/powers", get(list))
        .route("/powers/{id}", get(detail))
}

/// Parameters of the list page.
#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    q: Option<String>,
    field: Option<String>,
    category: Option<String>,
    offset: Option<String>,
}

/// A power as shown: codes replaced by their Chinese names.
struct PowerView {
    power: Power,
    category: String,
    field: String,
    subject_types: String,
}

impl From<Power> for PowerView {
    fn from(power: Power) -> Self {
        PowerView {
            category: code_label("power_category", &power.category),
            field: code_label("enforcement_field", &power.field),
            subject_types: code_labels("subject_type", &power.subject_types),
            power,
        }
    }
}

#[derive(Template)]
#[template(path = "powers.html")]
struct ListPage {
    error: Option<String>,
    rows: Vec<PowerView>,
    pager: Pager,
    q: String,
    field: String,
    category: String,
    fields: Vec<(String, String)>,
    categories: Vec<(String, String)>,
}

/// `GET /powers`: paginated list with name/code, field and category filters.
pub async fn list(
    State(state): State<AppState>,
    PageQuery(p): PageQuery<ListParams>,
) -> PageResult {
    let filter = PowerFilter {
        q: non_empty(&p.q),
        field: non_empty(&p.field),
        category: non_empty(&p.category),
        include_inactive: None,
    };
    let offset = offset_param(p.offset.as_deref());
    let (page, error) = filtered(
        state
            .store
            .list_powers(
                &filter,
                PageRequest {
                    offset,
                    limit: PAGE_SIZE,
                },
            )
            .await,
        offset,
    )?;
    let q = filter.q.unwrap_or_default();
    let field = filter.field.unwrap_or_default();
    let category = filter.category.unwrap_or_default();
    let params = [
        ("q", q.as_str()),
        ("field", field.as_str()),
        ("category", category.as_str()),
    ];
    let pager = Pager::new("/powers", &params, offset, page.items.len(), page.total);
    Ok(render(&ListPage {
        error,
        rows: page.items.into_iter().map(PowerView::from).collect(),
        pager,
        q,
        field,
        category,
        fields: code_options("enforcement_field"),
        categories: code_options("power_category"),
    }))
}

/// Chinese name of a legal-basis role.
fn role_label(role: &str) -> &str {
    match role {
        "violation" => "违则",
        "penalty" => "罚则",
        "basis" => "设定依据",
        other => other,
    }
}

/// A benchmark row as shown.
struct BenchmarkView {
    level: String,
    conditions: String,
    fine: String,
    other_penalties: String,
    note: String,
}

impl From<Benchmark> for BenchmarkView {
    fn from(b: Benchmark) -> Self {
        BenchmarkView {
            level: code_label("circumstance_level", &b.level),
            fine: fine_range(
                b.fine_min_fen,
                b.fine_max_fen,
                b.income_multiple_min_permille,
                b.income_multiple_max_permille,
            ),
            other_penalties: code_labels("penalty_type", &b.other_penalties),
            conditions: b.conditions,
            note: b.note.unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "power.html")]
struct DetailPage {
    view: PowerView,
    bases: Vec<(String, String, String, String)>,
    benchmarks: Vec<BenchmarkView>,
}

/// `GET /powers/{id}`: one power, its legal bases and its active benchmark rows.
pub async fn detail(State(state): State<AppState>, Path(id): Path<String>) -> PageResult {
    let power = state.store.get_power(&id).await?;
    let filter = BenchmarkFilter {
        power_id: Some(power.id.clone()),
        include_inactive: None,
    };
    let benchmarks = state
        .store
        .list_benchmarks(
            &filter,
            PageRequest {
                offset: 0,
                limit: 500,
            },
        )
        .await?;
    let bases = power
        .bases
        .iter()
        .map(|b| {
            (
                role_label(&b.role).to_string(),
                b.law_title.clone(),
                b.article_label.clone(),
                b.article_id.clone(),
            )
        })
        .collect();
    Ok(render(&DetailPage {
        view: power.into(),
        bases,
        benchmarks: benchmarks
            .items
            .into_iter()
            .map(BenchmarkView::from)
            .collect(),
    }))
}
