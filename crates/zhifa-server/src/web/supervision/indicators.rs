//! `/supervision/indicators` (执法效能评价): the units of the target (agencies, regions or
//! fields) ranked by the weighted indicator tree, one unit's formulas with their inputs, and
//! its monthly trend as a chart; `/supervision/indicators/config`: the tree as TOML, which
//! administrators change (checked, logged in the change log and the ledger).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;
use zhifa_store::StoreError;
use zhifa_store::indicators::{DEFAULT_TOML, IndicatorTree, NodeScore, one_decimal};
use zhifa_store::scope::roles;
use zhifa_store::stats_model::Breakdown;

use super::{Crumb, Frame, PeriodForm, crumbs, href, require, target_label};
use crate::auth::SignedIn;
use crate::charts::{self, Bar, Caption, Series};
use crate::error::ApiError;
use crate::state::AppState;
use crate::supervision_stats::{self as stats, StatsParams};
use crate::web::member::{FormFields, Me, require_csrf};
use crate::web::{PageError, PageQuery, PageResult, render};

/// The routes of the indicator pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/supervision/indicators", get(page))
        .route(
            "/supervision/indicators/config",
            get(config_form).post(save_config),
        )
}

/// A score as shown (one decimal, or 不适用).
fn score(s: Option<f64>) -> String {
    s.map_or_else(|| "不适用".to_string(), one_decimal)
}

struct RankRow {
    rank: String,
    label: String,
    detail: String,
    drill: String,
    score: String,
    groups: Vec<String>,
    selected: bool,
}

struct NodeRow {
    n: NodeScore,
    score: String,
}

struct Tab {
    label: &'static str,
    href: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "supervision_indicators.html")]
struct IndicatorsPage {
    me: Me,
    title: String,
    crumbs: Vec<Crumb>,
    period: PeriodForm,
    from: String,
    to: String,
    default_tree: bool,
    tabs: Vec<Tab>,
    groups: Vec<String>,
    ranking: Vec<RankRow>,
    ranking_svg: String,
    unit_label: String,
    total: String,
    total_computation: String,
    nodes: Vec<NodeRow>,
    trend_svg: String,
    dashboard_href: String,
}

/// `GET /supervision/indicators`.
async fn page(
    State(state): State<AppState>,
    me: SignedIn,
    PageQuery(params): PageQuery<StatsParams>,
) -> PageResult {
    require(&me)?;
    let today = crate::cases::today();
    let r = stats::indicator_report(&state, &me.scope, &params, today).await?;
    let t = &r.target;
    let Frame {
        q,
        period,
        agency,
        base,
    } = Frame::of(&state, &params, today, t).await?;
    let tabs = [Breakdown::Agencies, Breakdown::Regions, Breakdown::Fields]
        .into_iter()
        .filter(|_| t.agency_id.is_none())
        .map(|b| {
            let mut pairs = base.clone();
            pairs.push(("by", b.code().to_string()));
            Tab {
                label: b.zh(),
                href: href("/supervision/indicators", &pairs),
                current: r.by == b,
            }
        })
        .collect();
    let mut with_by = base.clone();
    with_by.push(("by", r.by.code().to_string()));
    let ranking: Vec<RankRow> = r
        .ranking
        .iter()
        .map(|u| {
            let mut pairs = with_by.clone();
            pairs.push(("unit", u.key.clone()));
            let mut drill = period.clone();
            match r.by {
                Breakdown::Agencies => drill.push(("agency", u.key.clone())),
                Breakdown::Fields => {
                    drill.push(("region", t.region_code.clone().unwrap_or_default()));
                    drill.push(("field", u.key.clone()));
                }
                Breakdown::Regions => drill.push(("region", super::canonical_of(&u.key))),
            }
            RankRow {
                rank: u.rank.map_or_else(|| "—".to_string(), |n| n.to_string()),
                label: u.label.clone(),
                detail: href("/supervision/indicators", &pairs),
                drill: href("/supervision", &drill),
                score: score(u.evaluation.score),
                groups: u
                    .evaluation
                    .nodes
                    .iter()
                    .filter(|n| n.depth == 1)
                    .map(|n| score(n.score))
                    .collect(),
                selected: u.key == r.unit.key,
            }
        })
        .collect();
    let bars: Vec<Bar> = r
        .ranking
        .iter()
        .filter_map(|u| {
            Some(Bar {
                label: format!("{}. {}", u.rank?, u.label),
                value: u.evaluation.score?,
                shown: one_decimal(u.evaluation.score?),
            })
        })
        .take(20)
        .collect();
    let groups: Vec<String> = r.tree.indicators.iter().map(|i| i.name.clone()).collect();
    let labels = super::month_labels(
        &r.unit
            .trend
            .iter()
            .map(|p| p.month.clone())
            .collect::<Vec<_>>(),
    );
    let mut series = vec![Series {
        name: "综合得分".into(),
        values: r.unit.trend.iter().map(|p| p.score).collect(),
    }];
    for (i, g) in groups.iter().enumerate() {
        series.push(Series {
            name: g.clone(),
            values: r
                .unit
                .trend
                .iter()
                .map(|p| p.groups.get(i).copied().flatten())
                .collect(),
        });
    }
    let unit_label = if r.unit.key == "*" {
        target_label(&state, t).await?
    } else {
        r.unit.label.clone()
    };
    let page = IndicatorsPage {
        me: Me::of(&me),
        title: target_label(&state, t).await?,
        crumbs: crumbs(
            "/supervision/indicators",
            &me.scope,
            t,
            agency.as_ref().map(|(n, r)| (n.as_str(), r.as_str())),
            &period,
        ),
        period: PeriodForm::new("/supervision/indicators", &params, &q, today),
        from: r.from.clone(),
        to: r.to.clone(),
        default_tree: r.default_tree,
        tabs,
        ranking,
        ranking_svg: charts::ranking_bars(
            Caption {
                id: "chart-ranking",
                title: "综合得分排名",
                desc: "各单位执法效能综合得分（0–100），由高到低；不适用的单位未列入。",
            },
            &bars,
        ),
        trend_svg: charts::line_chart(
            Caption {
                id: "chart-score-trend",
                title: &format!("{unit_label}：月度得分趋势"),
                desc: "每月按同一指标体系计算的综合得分和各一级指标得分（0–100），缺口为当月不适用。",
            },
            &labels,
            &series,
            Some(100.0),
        ),
        total: score(r.unit.evaluation.score),
        total_computation: r.unit.evaluation.computation.clone(),
        nodes: r
            .unit
            .evaluation
            .nodes
            .iter()
            .map(|n| NodeRow {
                score: score(n.score),
                n: n.clone(),
            })
            .collect(),
        groups,
        unit_label,
        dashboard_href: href("/supervision", &base),
    };
    Ok(render(&page))
}

#[derive(Debug, Deserialize, Default)]
struct ConfigQuery {
    saved: Option<String>,
}

#[derive(Template)]
#[template(path = "supervision_indicator_config.html")]
struct ConfigPage {
    me: Me,
    text: String,
    errors: Vec<String>,
    saved: bool,
    default_tree: bool,
    can_edit: bool,
    default_toml: &'static str,
}

/// `GET /supervision/indicators/config`: supervisors read, administrators edit.
async fn config_form(
    State(state): State<AppState>,
    me: SignedIn,
    PageQuery(q): PageQuery<ConfigQuery>,
) -> PageResult {
    require(&me)?;
    let (tree, default_tree) = state.store.indicator_tree().await?;
    Ok(render(&ConfigPage {
        text: if default_tree {
            DEFAULT_TOML.to_string()
        } else {
            tree.to_toml()
        },
        errors: Vec::new(),
        saved: q.saved.is_some(),
        default_tree,
        can_edit: me.is(&[roles::ADMIN]),
        default_toml: DEFAULT_TOML,
        me: Me::of(&me),
    }))
}

/// `POST /supervision/indicators/config` (administrators): the TOML is parsed and checked;
/// every problem is listed above the form and nothing is saved.
async fn save_config(
    State(state): State<AppState>,
    me: SignedIn,
    Form(form): Form<FormFields>,
) -> PageResult {
    if !me.is(&[roles::ADMIN]) {
        return Err(PageError(ApiError::new(
            StatusCode::FORBIDDEN,
            "auth.role",
            "只有系统管理员可以修改效能评价指标",
        )));
    }
    require_csrf(&me, &form)?;
    let text = form.get("toml").cloned().unwrap_or_default();
    let errors: Vec<String> = match IndicatorTree::from_toml(&text) {
        Ok(tree) => match state.store.set_indicator_tree(&me.actor, &tree).await {
            Ok(_) => {
                return Ok(Redirect::to("/supervision/indicators/config?saved=1").into_response());
            }
            Err(StoreError::Invalid(fields)) => fields.into_iter().map(|f| f.message).collect(),
            Err(e) => return Err(e.into()),
        },
        Err(errors) => errors.iter().map(ToString::to_string).collect(),
    };
    let page = ConfigPage {
        me: Me::of(&me),
        text,
        errors,
        saved: false,
        default_tree: state.store.indicator_tree().await?.1,
        can_edit: true,
        default_toml: DEFAULT_TOML,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
}
