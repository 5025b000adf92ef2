//! The public portal's published decisions (行政处罚决定公开, 《行政处罚法》第四十八条; 国办发
//! 〔2018〕118号): the list with search, one decision with the party's personal data masked, and
//! 决定书验证 — a citizen enters a decision's verification code and the platform proves, from
//! the tamper-evident ledger, that the decision was recorded under a signed checkpoint (or says
//! that the code is unknown, i.e. the document may be forged).

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde::Deserialize;
use zhifa_store::DecisionVerification;
use zhifa_store::StoreError;
use zhifa_store::case_model::PublishedDecision;
use zhifa_store::model::PageRequest;

use super::labels::yuan;
use super::{PAGE_SIZE, PageQuery, PageResult, Pager, non_empty, offset_param, render};
use crate::state::AppState;

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/decisions", get(decisions))
        .route("/decisions/verify", get(verify))
        .route("/decisions/{id}", get(decision))
}

#[derive(Debug, Deserialize, Default)]
struct ListQuery {
    q: Option<String>,
    offset: Option<String>,
}

#[derive(Template)]
#[template(path = "decisions.html")]
struct DecisionsPage {
    q: String,
    rows: Vec<PublishedDecision>,
    pager: Pager,
}

/// `GET /decisions`: published decisions, newest first, searchable.
async fn decisions(
    State(state): State<AppState>,
    PageQuery(q): PageQuery<ListQuery>,
) -> PageResult {
    let offset = offset_param(q.offset.as_deref());
    let text = non_empty(&q.q).unwrap_or_default();
    let page = state
        .store
        .published_decisions(
            Some(text.as_str()).filter(|t| !t.is_empty()),
            PageRequest {
                offset,
                limit: PAGE_SIZE,
            },
        )
        .await?;
    let pager = Pager::new(
        "/decisions",
        &[("q", &text)],
        offset,
        page.items.len(),
        page.total,
    );
    Ok(render(&DecisionsPage {
        q: text,
        rows: page.items,
        pager,
    }))
}

#[derive(Template)]
#[template(path = "decision.html")]
struct DecisionPage {
    d: PublishedDecision,
    fine: String,
}

/// `GET /decisions/{id}`: one published decision (masked).
async fn decision(
    State(state): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> PageResult {
    let d = state.store.published_decision(&id).await?;
    Ok(render(&DecisionPage {
        fine: yuan(d.fine_fen),
        d,
    }))
}

#[derive(Debug, Deserialize, Default)]
struct VerifyQuery {
    code: Option<String>,
}

#[derive(Template)]
#[template(path = "decision_verify.html")]
struct VerifyPage {
    code: String,
    asked: bool,
    found: Option<DecisionVerification>,
    error: Option<String>,
}

/// `GET /decisions/verify?code=…`: 决定书验证.
async fn verify(State(state): State<AppState>, PageQuery(q): PageQuery<VerifyQuery>) -> PageResult {
    let code = non_empty(&q.code).unwrap_or_default();
    let (found, error) = if code.is_empty() {
        (None, None)
    } else {
        match state.store.verify_decision_code(&code).await {
            Ok(v) => (v, None),
            Err(StoreError::Invalid(fields)) => (
                None,
                Some(
                    fields
                        .iter()
                        .map(|f| f.message.clone())
                        .collect::<Vec<_>>()
                        .join("；"),
                ),
            ),
            Err(e) => return Err(e.into()),
        }
    };
    Ok(render(&VerifyPage {
        asked: !code.is_empty(),
        code,
        found,
        error,
    }))
}
