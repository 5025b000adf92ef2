//! Zhifa law corpus (法律法规库): parses the Markdown corpus of Chinese laws, administrative
//! regulations, departmental rules, local regulations and cases (`data/laws`) into
//! law → 编 / 章 / 节 → article (条) → paragraph (款) → item (项), each law versioned by the
//! date its file name carries.
//!
//! What it is: a pure, fast parser ([`parse_law`], [`parse_case`], [`parse_chinese_number`]),
//! a loader for a folder ([`load_dir`]) or for the copy compiled into the binary
//! ([`load_embedded`]), and an import report ([`Corpus::summary`], [`Corpus::failures`]).
//! Cases (案例) have no 第X条 articles and are kept apart as [`GuidingCase`]s split by their
//! `##` headings, never dressed up as articles.
//!
//! What it is not: no database (the store imports [`Law`]s), no full-text search index, no
//! legal reasoning, and no network access.
//!
//! File format: `# title`, dated history lines, `<!-- INFO END -->`, then `#`-marked headings
//! (编, 分编, 章, 节) and articles, each starting on a line that begins with `第X条` followed by
//! a space (see [`parse_law`] for the details and the source defects tolerated).
#![forbid(unsafe_code)]

mod case;
mod corpus;
mod document;
mod error;
pub mod fines;
mod level;
mod lines;
mod model;
mod number;
mod parse;
#[cfg(test)]
mod parse_tests;

pub use case::parse_case;
pub use corpus::{CASES_FOLDER, Corpus, Failure, Summary, load_dir, load_embedded};
pub use error::ParseError;
pub use model::{Article, CaseSection, GuidingCase, Law, LawLevel, Paragraph, parse_article_label};
pub use number::parse_chinese_number;
pub use parse::parse_law;
