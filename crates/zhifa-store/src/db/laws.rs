//! Laws, regulations and rules (法律法规规章) and their articles: imported from the parsed
//! corpus (`zhifa-laws`) in batched multi-row INSERTs inside one transaction, then read by
//! the powers catalogue, the case forms and the public portal.

use std::collections::HashSet;

use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use super::Store;
use super::support::{
    Arg, BulkInsert, ChangeEntry, Where, fetch_page, get_json, new_id, now, query_with,
    record_change, to_json,
};
use crate::error::{Result, StoreError};
use crate::model::{
    Actor, ArticleRow, LawFilter, LawImportReport, LawRow, Page, PageRequest, ParagraphRow,
};

/// The prefix that national laws carry in full titles and drop in citations.
const PRC: &str = "中华人民共和国";

const LAW_COLUMNS: &str =
    "id, title, level, category, version_date, issued, source_file, article_count";

const ARTICLE_COLUMNS: &str = "a.id, a.law_id, l.title AS law_title, a.seq, a.number, a.suffix, a.label, a.chapter, \
                               a.section, a.text, a.paragraphs";

const ARTICLE_FROM: &str = "articles a JOIN laws l ON l.id = a.law_id";

/// Laws per INSERT (11 values each).
const LAW_BATCH: usize = 500;

/// Articles per INSERT (10 values each; SQLite allows 32,766 bound values, PostgreSQL 65,535).
const ARTICLE_BATCH: usize = 2000;

fn law_from_row(row: &AnyRow) -> Result<LawRow> {
    Ok(LawRow {
        id: row.try_get("id")?,
        title: row.try_get("title")?,
        level: row.try_get("level")?,
        category: row.try_get("category")?,
        version_date: row.try_get("version_date")?,
        issued: row.try_get("issued")?,
        source_file: row.try_get("source_file")?,
        article_count: row.try_get("article_count")?,
    })
}

fn article_from_row(row: &AnyRow) -> Result<ArticleRow> {
    Ok(ArticleRow {
        id: row.try_get("id")?,
        law_id: row.try_get("law_id")?,
        law_title: row.try_get("law_title")?,
        seq: row.try_get("seq")?,
        number: row.try_get("number")?,
        suffix: row.try_get("suffix")?,
        label: row.try_get("label")?,
        chapter: row.try_get("chapter")?,
        section: row.try_get("section")?,
        text: row.try_get("text")?,
        paragraphs: get_json(row, "paragraphs")?,
    })
}

/// A law about to be inserted, with the id its articles refer to.
struct NewLaw<'a> {
    id: String,
    law: &'a zhifa_laws::Law,
    version_date: Option<String>,
}

impl Store {
    /// Imports parsed laws with their articles in one transaction. Laws whose (title, version
    /// date) is already stored — or repeated in `laws` — are skipped, so importing the same
    /// corpus twice adds nothing. One change-log entry (`law`, `import`) lists what was added;
    /// an import that adds nothing writes none.
    pub async fn import_laws(
        &self,
        laws: &[zhifa_laws::Law],
        actor: &Actor,
    ) -> Result<LawImportReport> {
        let at = now();
        let mut tx = self.begin_write().await?;
        let mut seen: HashSet<(String, String)> = HashSet::new();
        for row in sqlx::query("SELECT title, COALESCE(version_date, '') AS v FROM laws")
            .fetch_all(&mut *tx)
            .await?
        {
            seen.insert((row.try_get("title")?, row.try_get("v")?));
        }
        let mut report = LawImportReport::default();
        let mut added: Vec<NewLaw<'_>> = Vec::new();
        for law in laws {
            let version_date = law.version_date.map(|d| d.format("%Y-%m-%d").to_string());
            if !seen.insert((law.title.clone(), version_date.clone().unwrap_or_default())) {
                report.laws_skipped += 1;
                continue;
            }
            report.articles_added += law.articles.len();
            added.push(NewLaw {
                id: new_id(),
                law,
                version_date,
            });
        }
        report.laws_added = added.len();
        if added.is_empty() {
            return Ok(report);
        }
        let insert_laws = BulkInsert {
            head: "INSERT INTO laws (id, title, level, category, version_date, issued, source_file, history, \
                   preamble, article_count, created_at)",
            cols: 11,
            rows_per_statement: LAW_BATCH,
            tail: "",
        };
        insert_laws
            .run(&mut tx, self.backend, &added, |q, n| {
                q.bind(n.id.clone())
                    .bind(n.law.title.clone())
                    .bind(n.law.level.code())
                    .bind(n.law.category.clone())
                    .bind(n.version_date.clone())
                    .bind(n.law.issued.map(|d| d.format("%Y-%m-%d").to_string()))
                    .bind(n.law.source_file.clone())
                    .bind(to_json(&n.law.history))
                    .bind(n.law.preamble.clone())
                    .bind(n.law.articles.len() as i64)
                    .bind(at.clone())
            })
            .await?;
        let articles: Vec<(&str, usize, &zhifa_laws::Article)> = added
            .iter()
            .flat_map(|n| {
                n.law
                    .articles
                    .iter()
                    .enumerate()
                    .map(move |(seq, a)| (n.id.as_str(), seq, a))
            })
            .collect();
        let insert_articles = BulkInsert {
            head: "INSERT INTO articles (id, law_id, seq, number, suffix, label, chapter, section, text, paragraphs)",
            cols: 10,
            rows_per_statement: ARTICLE_BATCH,
            tail: "",
        };
        insert_articles
            .run(&mut tx, self.backend, &articles, |q, (law_id, seq, a)| {
                let paragraphs: Vec<ParagraphRow> = a
                    .paragraphs
                    .iter()
                    .map(|p| ParagraphRow {
                        text: p.text.clone(),
                        items: p.items.clone(),
                    })
                    .collect();
                q.bind(new_id())
                    .bind(law_id.to_string())
                    .bind(*seq as i64)
                    .bind(i64::from(a.number))
                    .bind(i64::from(a.suffix))
                    .bind(a.label.clone())
                    .bind(a.chapter.clone())
                    .bind(a.section.clone())
                    .bind(a.text.clone())
                    .bind(to_json(&paragraphs))
            })
            .await?;
        let import_id = new_id();
        let list: Vec<_> = added
            .iter()
            .map(|n| json!({ "id": n.id, "title": n.law.title, "version_date": n.version_date }))
            .collect();
        let entry = ChangeEntry {
            entity: "law",
            entity_id: &import_id,
            action: "import",
            before: None,
            after: Some(json!({
                "laws_added": report.laws_added,
                "laws_skipped": report.laws_skipped,
                "articles_added": report.articles_added,
                "laws": list,
            })),
        };
        record_change(&mut tx, entry, actor, &at).await?;
        tx.commit().await?;
        Ok(report)
    }

    /// Laws matching the filter, ordered by title and newest version first.
    pub async fn list_laws(&self, filter: &LawFilter, page: PageRequest) -> Result<Page<LawRow>> {
        let mut w = Where::new();
        w.contains(&["title"], filter.q.as_deref());
        w.eq("level", filter.level.as_deref());
        w.eq("category", filter.category.as_deref());
        fetch_page(
            &self.pool,
            LAW_COLUMNS,
            "laws",
            w,
            "title, COALESCE(version_date, '') DESC, id",
            page,
            law_from_row,
        )
        .await
    }

    /// One law by id.
    pub async fn get_law(&self, id: &str) -> Result<LawRow> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {LAW_COLUMNS} FROM laws WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: "law",
            id: id.to_string(),
        })?;
        law_from_row(&row)
    }

    /// The articles of a law in source order (`NotFound` for an unknown law).
    pub async fn list_articles(&self, law_id: &str) -> Result<Vec<ArticleRow>> {
        self.get_law(law_id).await?;
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {ARTICLE_COLUMNS} FROM {ARTICLE_FROM} WHERE a.law_id = $1 ORDER BY a.seq"
        )))
        .bind(law_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(article_from_row)
        .collect()
    }

    /// One article by id.
    pub async fn get_article(&self, id: &str) -> Result<ArticleRow> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {ARTICLE_COLUMNS} FROM {ARTICLE_FROM} WHERE a.id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: "article",
            id: id.to_string(),
        })?;
        article_from_row(&row)
    }

    /// Article by law title (exact, or without the 中华人民共和国 prefix; newest version) and
    /// label (`第十五条`, `第十条之一`; matched by number when the label parses).
    pub async fn find_article(&self, law_title: &str, label: &str) -> Result<Option<ArticleRow>> {
        let title = law_title.trim();
        let short = title.strip_prefix(PRC).unwrap_or(title);
        let full = format!("{PRC}{short}");
        let mut w = Where::new();
        let (p_full, p_short) = (w.arg(Arg::Text(full)), w.arg(Arg::Text(short.to_string())));
        w.and(format!("(l.title = {p_full} OR l.title = {p_short})"));
        match zhifa_laws::parse_article_label(label) {
            Some((number, suffix)) => {
                let n = w.arg(Arg::Int(i64::from(number)));
                let s = w.arg(Arg::Int(i64::from(suffix)));
                w.and(format!("a.number = {n} AND a.suffix = {s}"));
            }
            None => {
                let l = w.arg(Arg::Text(label.trim().to_string()));
                w.and(format!("a.label = {l}"));
            }
        }
        let sql = format!(
            "SELECT {ARTICLE_COLUMNS} FROM {ARTICLE_FROM}{} ORDER BY COALESCE(l.version_date, '') DESC, a.seq LIMIT 1",
            w.sql()
        );
        let row = query_with(sql, w.args()).fetch_optional(&self.pool).await?;
        row.as_ref().map(article_from_row).transpose()
    }
}
