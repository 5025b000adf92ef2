//! `/laws`: search laws by title; `/laws/{id}`: a law as law → chapter → section → article
//! with paragraphs (款) and items (项); `/articles/{id}`: jump to an article inside its law.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use serde::Deserialize;
use zhifa_store::model::{ArticleRow, LawFilter, LawRow, PageRequest};

use super::labels::{code_label, code_options};
use super::{PAGE_SIZE, PageQuery, PageResult, Pager, filtered, non_empty, offset_param, render};
use crate::extract::Path;
use crate::state::AppState;

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/laws", get(list))
        .route("/laws/{id}", get(detail))
        .route("/articles/{id}", get(article))
}

/// Parameters of the list page.
#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    q: Option<String>,
    level: Option<String>,
    offset: Option<String>,
}

#[derive(Template)]
#[template(path = "laws.html")]
struct ListPage {
    error: Option<String>,
    rows: Vec<(LawRow, String)>,
    pager: Pager,
    q: String,
    level: String,
    levels: Vec<(String, String)>,
}

/// `GET /laws`: laws whose title contains `q`, optionally of one level.
pub async fn list(
    State(state): State<AppState>,
    PageQuery(p): PageQuery<ListParams>,
) -> PageResult {
    let filter = LawFilter {
        q: non_empty(&p.q),
        level: non_empty(&p.level),
        category: None,
    };
    let offset = offset_param(p.offset.as_deref());
    let (page, error) = filtered(
        state
            .store
            .list_laws(
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
    let level = filter.level.unwrap_or_default();
    let pager = Pager::new(
        "/laws",
        &[("q", q.as_str()), ("level", level.as_str())],
        offset,
        page.items.len(),
        page.total,
    );
    let rows = page
        .items
        .into_iter()
        .map(|law| {
            let level = code_label("law_level", &law.level);
            (law, level)
        })
        .collect();
    Ok(render(&ListPage {
        error,
        rows,
        pager,
        q,
        level,
        levels: code_options("law_level"),
    }))
}

/// Articles of one section (节), or of a chapter without sections.
struct Section {
    heading: Option<String>,
    articles: Vec<ArticleRow>,
}

/// Articles of one chapter (章), or of a law without chapters.
struct Chapter {
    heading: Option<String>,
    sections: Vec<Section>,
}

/// Groups articles, in order, by consecutive chapter and section headings.
fn outline(articles: Vec<ArticleRow>) -> Vec<Chapter> {
    let mut chapters: Vec<Chapter> = Vec::new();
    for article in articles {
        let new_chapter = chapters.last().is_none_or(|c| c.heading != article.chapter);
        if new_chapter {
            chapters.push(Chapter {
                heading: article.chapter.clone(),
                sections: Vec::new(),
            });
        }
        let Some(chapter) = chapters.last_mut() else {
            continue;
        };
        if chapter
            .sections
            .last()
            .is_none_or(|s| s.heading != article.section)
        {
            chapter.sections.push(Section {
                heading: article.section.clone(),
                articles: Vec::new(),
            });
        }
        if let Some(section) = chapter.sections.last_mut() {
            section.articles.push(article);
        }
    }
    chapters
}

#[derive(Template)]
#[template(path = "law.html")]
struct DetailPage {
    law: LawRow,
    level: String,
    chapters: Vec<Chapter>,
}

/// `GET /laws/{id}`: the whole law.
pub async fn detail(State(state): State<AppState>, Path(id): Path<String>) -> PageResult {
    let law = state.store.get_law(&id).await?;
    let articles = state.store.list_articles(&law.id).await?;
    Ok(render(&DetailPage {
        level: code_label("law_level", &law.level),
        law,
        chapters: outline(articles),
    }))
}

/// `GET /articles/{id}`: redirects to the article's place in its law.
pub async fn article(State(state): State<AppState>, Path(id): Path<String>) -> PageResult {
    let article = state.store.get_article(&id).await?;
    Ok(Redirect::to(&format!("/laws/{}#a-{}", article.law_id, article.id)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(seq: i64, chapter: Option<&str>, section: Option<&str>) -> ArticleRow {
        ArticleRow {
            id: format!("a{seq}"),
            law_id: "l".into(),
            law_title: "某法".into(),
            seq,
            number: seq + 1,
            suffix: 0,
            label: format!("第{}条", seq + 1),
            chapter: chapter.map(str::to_string),
            section: section.map(str::to_string),
            text: String::new(),
            paragraphs: Vec::new(),
        }
    }

    #[test]
    fn outline_groups_consecutive_chapters_and_sections() {
        let chapters = outline(vec![
            article(0, Some("第一章"), None),
            article(1, Some("第二章"), Some("第一节")),
            article(2, Some("第二章"), Some("第一节")),
            article(3, Some("第二章"), Some("第二节")),
        ]);
        assert_eq!(chapters.len(), 2);
        assert_eq!(chapters[0].sections.len(), 1);
        assert_eq!(chapters[1].sections.len(), 2);
        assert_eq!(chapters[1].sections[0].articles.len(), 2);
    }

    #[test]
    fn a_law_without_chapters_is_one_group() {
        let chapters = outline(vec![article(0, None, None), article(1, None, None)]);
        assert_eq!(chapters.len(), 1);
        assert!(chapters[0].heading.is_none());
        assert_eq!(chapters[0].sections[0].articles.len(), 2);
    }
}
