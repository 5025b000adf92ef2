//! The whole corpus: loading a folder (or the compiled-in copy) and summarising the import.

use std::fmt;
use std::path::Path;

use serde::Serialize;

use crate::{GuidingCase, Law, ParseError, parse_case, parse_law};

/// The top folder that holds cases (案例), which are parsed by [`parse_case`], not
/// [`parse_law`].
pub const CASES_FOLDER: &str = "案例";

/// The parsed corpus.
///
/// Law files and case files are counted apart: `files`, `laws` and `failures` are about law
/// files only (every `.md` outside `案例/`, `_index.md` excluded); case files are in `cases`
/// (or `skipped` with the reason when one has no sections).
#[derive(Serialize, Debug, Clone, Default)]
pub struct Corpus {
    /// Law files seen (`.md` files outside `案例/`, excluding `_index.md`).
    pub files: usize,
    /// Laws parsed with their articles, sorted by source file.
    pub laws: Vec<Law>,
    /// Law files that could not be parsed, with the reason.
    pub failures: Vec<Failure>,
    /// Files not imported and not counted as law failures, as `path：reason` (case files
    /// without `##` sections).
    pub skipped: Vec<String>,
    /// Cases (案例) parsed into their `##` sections, sorted by source file.
    pub cases: Vec<GuidingCase>,
}

/// A law file that could not be parsed.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// Path relative to the corpus root.
    pub file: String,
    /// Why.
    pub error: ParseError,
}

/// Counts of an import, for a report line.
#[derive(Serialize, Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Law files seen (cases and `_index.md` excluded).
    pub files: usize,
    /// Laws imported with article structure.
    pub laws: usize,
    /// Articles in those laws.
    pub articles: usize,
    /// Law files that failed.
    pub failures: usize,
    /// `laws / files`, between 0 and 1 (0 for an empty corpus); for display only.
    pub parsed_ratio: f64,
    /// Case files imported as sectioned cases (not in the ratio).
    pub cases: usize,
    /// Files skipped with a reason (not in the ratio).
    pub skipped: usize,
}

impl fmt::Display for Summary {
    /// `法规文件 1542 个，导入 1518 部，条文 … 条，失败 24 个（98.4%）；另有案例 52 篇（按小节导入，不计入比例）`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "法规文件 {} 个，导入 {} 部，条文 {} 条，失败 {} 个（{:.1}%）；另有案例 {} 篇（按小节导入，不计入比例）",
            self.files,
            self.laws,
            self.articles,
            self.failures,
            self.parsed_ratio * 100.0,
            self.cases
        )?;
        if self.skipped > 0 {
            write!(f, "，跳过 {} 个", self.skipped)?;
        }
        Ok(())
    }
}

impl Corpus {
    /// Parses files given as (path relative to the corpus root, bytes). Only `.md` files count;
    /// `_index.md` files are ignored; files under `案例/` are cases.
    pub fn from_files<I, P, B>(files: I) -> Corpus
    where
        I: IntoIterator<Item = (P, B)>,
        P: AsRef<str>,
        B: AsRef<[u8]>,
    {
        let mut corpus = Corpus::default();
        for (path, bytes) in files {
            let path = path.as_ref().replace('\\', "/");
            let name = path.rsplit('/').next().unwrap_or(&path);
            if !name.ends_with(".md") || name == "_index.md" {
                continue;
            }
            let is_case = path.split('/').next() == Some(CASES_FOLDER);
            if !is_case {
                corpus.files += 1;
            }
            let Ok(text) = std::str::from_utf8(bytes.as_ref()) else {
                if is_case {
                    corpus
                        .skipped
                        .push(format!("{path}：{}", ParseError::NotUtf8));
                } else {
                    corpus.failures.push(Failure {
                        file: path,
                        error: ParseError::NotUtf8,
                    });
                }
                continue;
            };
            if is_case {
                match parse_case(&path, text) {
                    Ok(c) => corpus.cases.push(c),
                    Err(e) => corpus.skipped.push(format!("{path}：{e}")),
                }
            } else {
                match parse_law(&path, text) {
                    Ok(l) => corpus.laws.push(l),
                    Err(error) => corpus.failures.push(Failure { file: path, error }),
                }
            }
        }
        corpus
            .laws
            .sort_by(|a, b| a.source_file.cmp(&b.source_file));
        corpus
            .cases
            .sort_by(|a, b| a.source_file.cmp(&b.source_file));
        corpus.failures.sort_by(|a, b| a.file.cmp(&b.file));
        corpus.skipped.sort();
        corpus
    }

    /// The counts for a report line.
    pub fn summary(&self) -> Summary {
        Summary {
            files: self.files,
            laws: self.laws.len(),
            articles: self.laws.iter().map(|l| l.articles.len()).sum(),
            failures: self.failures.len(),
            parsed_ratio: if self.files == 0 {
                0.0
            } else {
                self.laws.len() as f64 / self.files as f64
            },
            cases: self.cases.len(),
            skipped: self.skipped.len(),
        }
    }

    /// The law with this title — exact, or with or without the `中华人民共和国` prefix
    /// (`行政处罚法` finds `中华人民共和国行政处罚法`). Of several versions the newest
    /// `version_date` wins.
    pub fn find(&self, title: &str) -> Option<&Law> {
        self.versions(title).pop()
    }

    /// Every version of the law with this title (matched as in [`Corpus::find`]), oldest first
    /// (a version without date first).
    pub fn versions(&self, title: &str) -> Vec<&Law> {
        let title = title.trim();
        let short = crate::model::short_title(title);
        let mut found: Vec<&Law> = self
            .laws
            .iter()
            .filter(|l| l.title == title || l.short_title() == short)
            .collect();
        found.sort_by_key(|l| l.version_date);
        found
    }
}

/// Loads every `.md` file below `dir` (recursively; `_index.md` ignored).
///
/// # Errors
/// An I/O error reading the folder tree or a file.
pub fn load_dir(dir: &Path) -> std::io::Result<Corpus> {
    let mut files = Vec::new();
    collect(dir, dir, &mut files)?;
    files.sort();
    let mut loaded = Vec::with_capacity(files.len());
    for (rel, path) in files {
        let bytes = std::fs::read(&path)?;
        loaded.push((rel, bytes));
    }
    Ok(Corpus::from_files(loaded))
}

/// Collects (relative path, full path) of the `.md` files below `dir`.
fn collect(
    root: &Path,
    dir: &Path,
    out: &mut Vec<(String, std::path::PathBuf)>,
) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            collect(root, &path, out)?;
        } else if path.extension().is_some_and(|e| e == "md") {
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            out.push((rel, path));
        }
    }
    Ok(())
}

/// The corpus `data/laws` of the repository, compiled into the binary (only `*.md`). In debug
/// builds rust-embed reads the files from disk at run time; in release builds they are embedded.
#[derive(rust_embed::RustEmbed)]
#[folder = "../../data/laws/"]
#[include = "*.md"]
struct Embedded;

/// Loads the compiled-in corpus (the repository's `data/laws`).
pub fn load_embedded() -> Corpus {
    let mut names: Vec<String> = Embedded::iter().map(|n| n.into_owned()).collect();
    names.sort();
    let files = names
        .into_iter()
        .filter_map(|n| Embedded::get(&n).map(|f| (n, f.data)));
    Corpus::from_files(files)
}
