//! The public portal's published-decisions page (`/decisions`, 行政处罚决定公开, 《行政处罚法》
//! 第四十八条). Case handling does not exist on this platform yet, so nothing can have been
//! published: the page says so plainly and links to what is published beforehand (subjects,
//! powers and their legal bases, 第三十九条). The case issue adds its list here.

use askama::Template;
use axum::Router;
use axum::routing::get;

use super::{PageResult, render};
use crate::state::AppState;

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new().route("/decisions", get(decisions))
}

#[derive(Template)]
#[template(path = "decisions.html")]
struct DecisionsPage;

/// `GET /decisions`.
async fn decisions() -> PageResult {
    Ok(render(&DecisionsPage))
}
