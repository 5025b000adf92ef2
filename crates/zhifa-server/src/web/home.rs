//! The home page (`/`) with the counts of the base data, and the data standard page
//! (`/standard`) listing every code set with its codes.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use zhifa_domain::standard::{CodeSet, Standard};
use zhifa_store::model::Counts;

use super::{PageResult, render};
use crate::auth::MaybeSignedIn;
use crate::state::AppState;

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/standard", get(standard))
}

/// One tile of the home page.
struct Tile {
    label: &'static str,
    count: i64,
    href: &'static str,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    tiles: Vec<Tile>,
    regions: [i64; 4],
    standard_title: &'static str,
}

fn tiles(c: &Counts) -> Vec<Tile> {
    vec![
        Tile {
            label: "执法主体",
            count: c.subjects,
            href: "/subjects",
        },
        Tile {
            label: "执法人员",
            count: c.officers,
            href: "",
        },
        Tile {
            label: "执法证",
            count: c.certificates,
            href: "/certificates/verify",
        },
        Tile {
            label: "执法事项",
            count: c.powers,
            href: "/powers",
        },
        Tile {
            label: "裁量基准",
            count: c.benchmarks,
            href: "/powers",
        },
        Tile {
            label: "法律法规",
            count: c.laws,
            href: "/laws",
        },
        Tile {
            label: "法条",
            count: c.articles,
            href: "/laws",
        },
        Tile {
            label: "变更记录",
            count: c.changes,
            href: "",
        },
    ]
}

/// `GET /`: the workbench of a signed-in account; for the public, the product name, counts of
/// the base data and where to go next.
pub async fn home(State(state): State<AppState>, MaybeSignedIn(me): MaybeSignedIn) -> PageResult {
    if let Some(me) = me {
        return super::workbench::page(&state, &me).await;
    }
    let counts = state.store.counts().await?;
    Ok(render(&HomePage {
        tiles: tiles(&counts),
        regions: counts.regions,
        standard_title: &Standard::builtin().title,
    }))
}

#[derive(Template)]
#[template(path = "standard.html")]
struct StandardPage {
    standard: &'static Standard,
    code_sets: &'static [CodeSet],
}

/// `GET /standard`: the code sets of the data standard.
pub async fn standard() -> PageResult {
    let standard = Standard::builtin();
    Ok(render(&StandardPage {
        standard,
        code_sets: &standard.code_sets,
    }))
}
