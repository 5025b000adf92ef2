//! The whole corpus: at least 98% of the law files import with article structure, no text is
//! dropped, and the compiled-in copy matches the folder.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Instant;

use zhifa_laws::{Corpus, Law, load_dir, load_embedded, parse_article_label};

/// `../shared/data/laws` beside the repository when present (as for developers and CI), else
/// the repository's own copy `data/laws`.
fn corpus_dir() -> PathBuf {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = crate_dir.join("../../../shared/data/laws");
    if shared.is_dir() {
        shared
    } else {
        crate_dir.join("../../data/laws")
    }
}

fn repo_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/laws")
}

fn load(dir: &Path) -> Corpus {
    let started = Instant::now();
    let corpus = load_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    eprintln!("{}: loaded in {:?}", dir.display(), started.elapsed());
    corpus
}

/// The repository copy, loaded once for the tests of this file.
fn repo_corpus() -> &'static Corpus {
    static CORPUS: OnceLock<Corpus> = OnceLock::new();
    CORPUS.get_or_init(|| load(&repo_dir()))
}

#[test]
fn at_least_98_percent_of_law_files_import_with_articles() {
    let corpus = load(&corpus_dir());
    let summary = corpus.summary();
    println!("{summary}");
    for f in &corpus.failures {
        println!("  失败：{}：{}", f.file, f.error);
    }
    for s in &corpus.skipped {
        println!("  跳过：{s}");
    }
    assert!(summary.files > 1_000, "{summary}");
    assert_eq!(summary.files, summary.laws + summary.failures);
    assert!(
        summary.laws * 100 >= summary.files * 98,
        "only {} of {} law files parsed",
        summary.laws,
        summary.files
    );
    assert!(corpus.laws.iter().all(|l| !l.articles.is_empty()));
    assert!(summary.cases > 0, "the 案例 folder should give cases");
    assert!(corpus.cases.iter().all(|c| !c.sections.is_empty()));
    assert!(
        summary
            .to_string()
            .starts_with(&format!("法规文件 {} 个", summary.files))
    );
}

#[test]
fn labels_are_canonical_and_unique() {
    let corpus = repo_corpus();
    for law in &corpus.laws {
        let mut seen = HashSet::new();
        for a in &law.articles {
            assert_eq!(
                parse_article_label(&a.label),
                Some((a.number, a.suffix)),
                "{} {}",
                law.source_file,
                a.label
            );
            assert!(
                seen.insert((a.number, a.suffix)),
                "{} repeats {}",
                law.source_file,
                a.label
            );
            assert!(!a.text.is_empty() || a.paragraphs.iter().all(|p| p.items.is_empty()));
        }
    }
}

/// Every non-blank body line of every imported law is found again in its preamble, an article,
/// a heading or the appendix.
#[test]
fn no_text_is_dropped() {
    let dir = repo_dir();
    let corpus = repo_corpus();
    let mut checked = 0;
    for law in &corpus.laws {
        let source = std::fs::read_to_string(dir.join(&law.source_file)).unwrap();
        let produced = produced_lines(law);
        let headings: Vec<&str> = law
            .articles
            .iter()
            .flat_map(|a| [&a.part, &a.subpart, &a.chapter, &a.section])
            .filter_map(|h| h.as_deref())
            .collect();
        let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        let body = source
            .split_once("<!-- INFO END -->")
            .map_or("", |(_, b)| b);
        for raw in body.lines() {
            let line: String = raw
                .chars()
                .filter(|c| !matches!(c, '\u{200b}' | '\u{feff}'))
                .collect();
            let line = line.trim();
            if line.is_empty() || line.starts_with("<!--") {
                continue;
            }
            checked += 1;
            let text = line.trim_start_matches('#').trim();
            // A misspelt label (`第三十五 条…`) is given canonically: compare what follows 条.
            let after_label = text
                .starts_with(['第', '笫'])
                .then(|| text.split_once('条').map(|(_, r)| r.trim()))
                .flatten();
            let found = produced.contains(text)
                || after_label.is_some_and(|r| produced.contains(r))
                || text
                    .split_once([' ', '\u{3000}'])
                    .is_some_and(|(_, rest)| produced.contains(rest.trim()))
                || headings.iter().any(|h| squash(h).contains(&squash(text)))
                || law.title.contains(&squash(text));
            assert!(
                found,
                "{}: line not found after parsing: {line}",
                law.source_file
            );
        }
    }
    assert!(checked > 100_000, "{checked}");
}

fn produced_lines(law: &Law) -> HashSet<&str> {
    let mut out: HashSet<&str> = HashSet::new();
    for block in [&law.preamble, &law.appendix].into_iter().flatten() {
        out.extend(block.lines());
    }
    for a in &law.articles {
        out.extend(a.text.lines());
        out.insert(""); // a label alone on its line
    }
    out
}

#[test]
fn newest_version_is_found_by_short_or_full_title() {
    let corpus = repo_corpus();
    let law = corpus.find("行政复议法").expect("行政复议法");
    assert_eq!(law.title, "中华人民共和国行政复议法");
    assert_eq!(law.version_date.unwrap().to_string(), "2023-09-01");
    assert_eq!(corpus.versions("中华人民共和国行政复议法").len(), 2);
    let penalty = corpus.find("中华人民共和国行政处罚法").expect("行政处罚法");
    assert_eq!(
        penalty.find_article("第五十八条").unwrap().paragraphs[0]
            .items
            .len(),
        4
    );
    assert!(corpus.find("不存在的法").is_none());
}

#[test]
fn embedded_corpus_matches_the_folder() {
    let from_dir = repo_corpus();
    let started = Instant::now();
    let embedded = load_embedded();
    eprintln!("embedded: loaded in {:?}", started.elapsed());
    assert_eq!(embedded.files, from_dir.files);
    assert_eq!(embedded.cases.len(), from_dir.cases.len());
    assert_eq!(embedded.summary(), from_dir.summary());
}
