//! Parsing one law file into a [`Law`].

use crate::document::{Document, issued, path_parts, title_repeat, version_date};
use crate::level::classify;
use crate::lines::{
    ArticleStart, BadLabel, HeadingKind, article_start, canonical_label, heading, is_annex_title,
    is_appendix_marker, is_item, is_numbered_point, looks_like_heading, looks_like_heading_within,
    squash_spaces,
};
use crate::{Article, Law, Paragraph, ParseError};

/// One classified body line.
enum Block<'a> {
    Heading { kind: HeadingKind, text: String },
    Article(ArticleStart<'a>),
    Item,
    Text,
}

/// Parses one law file.
///
/// `relative_path` is the path below the corpus root (`行政法/行政处罚法(2021-01-22).md`): its
/// top folder gives the category and level, its file name the version date. `text` is the
/// Markdown. Text is never dropped silently: what precedes the first article goes to
/// [`Law::preamble`], annexes after the last article to [`Law::appendix`], and everything
/// between to the articles. Source defects that do not stop parsing are listed in
/// [`Law::warnings`].
///
/// # Errors
/// [`ParseError::NoTitle`] without a `# title` line, [`ParseError::EmptyBody`] if nothing
/// follows the header, [`ParseError::NoArticles`] if no line starts with a 第X条 label, and
/// [`ParseError::BadArticleNumber`] if a label's numeral is malformed.
pub fn parse_law(relative_path: &str, text: &str) -> Result<Law, ParseError> {
    let doc = Document::split(text)?;
    let (category, subcategory, file_name) = path_parts(relative_path);
    let history = doc.history();
    let mut warnings = Vec::new();
    if !doc.has_marker {
        warnings.push("缺少“<!-- INFO END -->”标记，按日期行识别沿革".to_string());
    }
    if doc.body.is_empty() {
        return Err(ParseError::EmptyBody);
    }

    let mut blocks = Vec::with_capacity(doc.body.len());
    for (no, line) in &doc.body {
        let block = if let Some(h) = line.strip_prefix('#') {
            let (kind, text) = heading(h.trim_start_matches('#').trim());
            Block::Heading { kind, text }
        } else if let Some(a) = article_start(line) {
            match a {
                Ok(a) => Block::Article(a),
                Err(BadLabel(label)) => {
                    return Err(ParseError::BadArticleNumber { line: *no, label });
                }
            }
        } else if is_item(line) {
            Block::Item
        } else {
            Block::Text
        };
        blocks.push(block);
    }
    let lines: Vec<&str> = doc.body.iter().map(|(_, l)| l.as_ref()).collect();

    let Some(first_article) = blocks.iter().position(|b| matches!(b, Block::Article(_))) else {
        return Err(ParseError::NoArticles {
            blocks: lines.len(),
            numbered_points: lines
                .iter()
                .filter(|l| is_numbered_point(l.trim_start_matches('#').trim_start()))
                .count(),
        });
    };
    let end = appendix_start(&blocks, &lines, first_article);
    let bare = bare_headings(&blocks[..end], &lines[..end]);

    let mut state = Outline::default();
    let mut preamble: Vec<String> = Vec::new();
    let mut articles: Vec<Article> = Vec::new();
    // True between a heading and the next article: text there has no label of its own.
    let mut after_heading = false;
    for (i, block) in blocks[..end].iter().enumerate() {
        let line = lines[i];
        if matches!(block, Block::Text | Block::Item) && bare[i].is_none() && after_heading {
            if let Some(art) = articles.last() {
                warnings.push(format!(
                    "标题与下一条之间的文字“{}”无条文标签，并入{}",
                    excerpt(line),
                    art.label
                ));
            }
            after_heading = false;
        }
        match block {
            Block::Heading { kind, text } => {
                if *kind == HeadingKind::Other {
                    if articles.is_empty() {
                        preamble.push(text.clone());
                    } else {
                        // A heading between articles that is neither 编/章/节 nor an annex:
                        // kept as the chapter of what follows.
                        warnings.push(format!("非标准标题“{text}”按章处理"));
                        state.enter(HeadingKind::Chapter, text.clone());
                    }
                } else {
                    state.enter(*kind, text.clone());
                }
                after_heading = true;
            }
            Block::Text if bare[i].is_some() => {
                match &bare[i] {
                    Some(Bare::Chapter(text)) => {
                        warnings.push(format!("章标题“{text}”无“第X章”编号或“#”标记"));
                        state.enter(HeadingKind::Chapter, text.clone());
                    }
                    Some(Bare::Section(text)) => {
                        warnings.push(format!("节标题“{text}”无“第X节”编号或“#”标记"));
                        state.enter(HeadingKind::Section, text.clone());
                    }
                    Some(Bare::Continuation(text)) => {
                        warnings.push(format!("标题跨行书写，续行“{text}”已并入上一标题"));
                        state.extend(text);
                    }
                    _ => {}
                }
                after_heading = true;
            }
            Block::Article(a) => {
                if a.irregular {
                    warnings.push(format!(
                        "条文标签写作“{}”，按“{}”处理",
                        a.written,
                        canonical_label(a.written, a.suffix)
                    ));
                }
                articles.push(state.article(a));
                after_heading = false;
            }
            Block::Item => match articles.last_mut() {
                Some(art) => push_item(art, line),
                None => preamble.push(line.to_string()),
            },
            Block::Text => match articles.last_mut() {
                Some(art) => push_paragraph(art, line),
                None => preamble.push(line.to_string()),
            },
        }
    }
    // A repeat of the title at the top of the body is not preamble text.
    preamble.drain(..title_repeat(&doc.title, &preamble));
    for art in &mut articles {
        art.text = article_text(&art.paragraphs);
    }
    number_warnings(&articles, &mut warnings);

    let appendix: Vec<String> = blocks[end..]
        .iter()
        .zip(&lines[end..])
        .map(|(b, l)| match b {
            Block::Heading { text, .. } => text.clone(),
            _ => (*l).to_string(),
        })
        .collect();

    let level = classify(&category, &doc.title, &history);
    Ok(Law {
        level,
        version_date: version_date(file_name),
        issued: issued(&history),
        history,
        source_file: relative_path.replace('\\', "/"),
        articles,
        preamble: join(preamble),
        appendix: join(appendix),
        title: doc.title,
        category,
        subcategory,
        warnings,
    })
}

/// The first 20 characters of `line`, for a warning.
fn excerpt(line: &str) -> String {
    match line.char_indices().nth(20) {
        Some((i, _)) => format!("{}…", &line[..i]),
        None => line.to_string(),
    }
}

fn join(lines: Vec<String>) -> Option<String> {
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// The index of the first block of an annex, or `blocks.len()`. An annex opens with a marker
/// (附件, 附表, 附录, 送：…, or a `#` heading that is not 编/章/节) after which no article
/// carries the numbering on, or with a table or figure title (`…税率表一`) after which no
/// article follows at all.
fn appendix_start(blocks: &[Block<'_>], lines: &[&str], first_article: usize) -> usize {
    let mut last = (0, 0);
    for (i, block) in blocks.iter().enumerate().skip(first_article) {
        // (opens an annex if the numbering restarts after it, opens one if no article follows)
        let (marker, title) = match block {
            Block::Article(a) => {
                last = last.max((a.number, a.suffix));
                (false, false)
            }
            Block::Heading { kind, .. } => (*kind == HeadingKind::Other, false),
            Block::Text => (is_appendix_marker(lines[i]), is_annex_title(lines[i])),
            Block::Item => (false, false),
        };
        if marker || title {
            let next = blocks[i + 1..].iter().find_map(|b| match b {
                Block::Article(a) => Some((a.number, a.suffix)),
                _ => None,
            });
            let restarts = next.is_none_or(|n| n <= last);
            if (marker && restarts) || (title && next.is_none()) {
                return i;
            }
        }
    }
    blocks.len()
}

/// What a heading-like body line turned out to be.
enum Bare {
    /// A chapter heading written without `#` and without its 第X章 number (`附则`,
    /// `法律责任`); the text of a run of lines joined.
    Chapter(String),
    /// A section heading written without `#` and number, right under a chapter heading.
    Section(String),
    /// The rest of the `#` heading just above, which the source broke over lines.
    Continuation(String),
    /// A further line of a run whose text the first line carries.
    Skip,
}

/// Characters a heading broken over two lines ends its first line with, or starts its second
/// line with.
const CONNECTORS: &[char] = &['、', '和', '的', '及', '与', '或', '，', ','];

/// Finds headings written as plain lines: a run of one to three short lines without closing
/// punctuation (earlier lines may end in `、`), right before an article or a `#` 节 heading
/// (one line of up to 40 characters right under a `#` heading).
///
/// Right after a `#` heading, the run continues it when that heading is long (≥ 12 characters
/// of title) or either side of the break is a connector (`## 第五章 没有划入军事禁区、军事管理区的`
/// / `军事设施的保护`); otherwise it is a heading one level down (a 节 under a 章). Elsewhere it
/// is a chapter heading whose number was lost, taken as such only when the law has `#` chapter
/// headings too, or at least three such runs (a lone `总则` in a law whose other headings were
/// all lost stays text). Before the first article only `总则` counts (other lines there are
/// enacting clauses or a repeated title).
fn bare_headings(blocks: &[Block<'_>], lines: &[&str]) -> Vec<Option<Bare>> {
    let heading_like = |i: usize, last: bool| {
        let l = lines[i];
        matches!(blocks[i], Block::Text)
            && l.len() <= 80
            && !l.contains(|c: char| c.is_ascii_digit() || c == '＝' || c == '=')
            && (looks_like_heading(l) || (!last && l.ends_with('、') && l.chars().count() <= 20))
    };
    let first_article = blocks.iter().position(|b| matches!(b, Block::Article(_)));
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for end in 0..blocks.len().saturating_sub(1) {
        let next = &blocks[end + 1];
        if !(matches!(next, Block::Article(_)) || structural(next).is_some()) {
            continue;
        }
        // A long heading's second line may itself be long (监督法 第三章).
        let long_continuation = end > 0
            && structural(&blocks[end - 1]).is_some()
            && matches!(blocks[end], Block::Text)
            && looks_like_heading_within(lines[end], 40);
        if long_continuation {
            runs.push((end, end));
            continue;
        }
        if !heading_like(end, true) {
            continue;
        }
        let mut start = end;
        while start > 0 && end - start < 2 && heading_like(start - 1, false) {
            start -= 1;
        }
        runs.push((start, end));
    }
    let has_chapters = blocks.iter().any(|b| structural(b).is_some());
    let mut out: Vec<Option<Bare>> = (0..blocks.len()).map(|_| None).collect();
    let mut chapters = Vec::new();
    for (start, end) in runs {
        let text: String = lines[start..=end]
            .iter()
            .map(|l| squash_spaces(l))
            .collect();
        let above = start.checked_sub(1).and_then(|i| structural(&blocks[i]));
        let bare = match above {
            Some((kind, heading)) => {
                let title = heading.split_once(' ').map_or("", |(_, t)| t);
                if title.chars().count() >= 12
                    || title.ends_with(CONNECTORS)
                    || text.starts_with(CONNECTORS)
                    || text.starts_with(['在', '并'])
                {
                    Bare::Continuation(text)
                } else if kind == HeadingKind::Chapter {
                    Bare::Section(text)
                } else {
                    Bare::Chapter(text)
                }
            }
            None if first_article.is_some_and(|f| start < f) && text != "总则" => continue,
            None => {
                chapters.push((start, end, text));
                continue;
            }
        };
        out[start] = Some(bare);
        for slot in &mut out[start + 1..=end] {
            *slot = Some(Bare::Skip);
        }
    }
    if has_chapters || chapters.len() >= 3 {
        for (start, end, text) in chapters {
            out[start] = Some(Bare::Chapter(text));
            for slot in &mut out[start + 1..=end] {
                *slot = Some(Bare::Skip);
            }
        }
    }
    out
}

/// The kind and text of a 编 / 分编 / 章 / 节 heading block.
fn structural<'b>(block: &'b Block<'_>) -> Option<(HeadingKind, &'b str)> {
    match block {
        Block::Heading { kind, text } if *kind != HeadingKind::Other => Some((*kind, text)),
        _ => None,
    }
}

/// The current 编 / 分编 / 章 / 节.
#[derive(Default)]
struct Outline {
    part: Option<String>,
    subpart: Option<String>,
    chapter: Option<String>,
    section: Option<String>,
    last: Option<HeadingKind>,
}

impl Outline {
    fn enter(&mut self, kind: HeadingKind, text: String) {
        self.last = Some(kind);
        match kind {
            HeadingKind::Part => {
                self.part = Some(text);
                self.subpart = None;
                self.chapter = None;
                self.section = None;
            }
            HeadingKind::Subpart => {
                self.subpart = Some(text);
                self.chapter = None;
                self.section = None;
            }
            HeadingKind::Chapter | HeadingKind::Other => {
                self.chapter = Some(text);
                self.section = None;
            }
            HeadingKind::Section => self.section = Some(text),
        }
    }

    /// Appends a continuation line to the heading entered last.
    fn extend(&mut self, more: &str) {
        let slot = match self.last {
            Some(HeadingKind::Part) => &mut self.part,
            Some(HeadingKind::Subpart) => &mut self.subpart,
            Some(HeadingKind::Section) => &mut self.section,
            _ => &mut self.chapter,
        };
        if let Some(text) = slot {
            text.push_str(more);
        }
    }

    fn article(&self, a: &ArticleStart<'_>) -> Article {
        Article {
            number: a.number,
            suffix: a.suffix,
            label: canonical_label(a.written, a.suffix),
            chapter: self.chapter.clone(),
            section: self.section.clone(),
            text: String::new(),
            paragraphs: vec![Paragraph {
                text: a.rest.to_string(),
                items: Vec::new(),
            }],
            part: self.part.clone(),
            subpart: self.subpart.clone(),
        }
    }
}

fn push_item(art: &mut Article, line: &str) {
    // An article always has its first paragraph (the label line).
    if let Some(p) = art.paragraphs.last_mut() {
        p.items.push(line.to_string());
    }
}

fn push_paragraph(art: &mut Article, line: &str) {
    match art.paragraphs.as_mut_slice() {
        // A label alone on its line: the next line is the first paragraph.
        [only] if only.text.is_empty() && only.items.is_empty() => only.text = line.to_string(),
        _ => art.paragraphs.push(Paragraph {
            text: line.to_string(),
            items: Vec::new(),
        }),
    }
}

fn article_text(paragraphs: &[Paragraph]) -> String {
    let mut out = String::new();
    for p in paragraphs {
        for line in std::iter::once(&p.text)
            .filter(|t| !t.is_empty())
            .chain(&p.items)
        {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(line);
        }
    }
    out
}

/// Notes gaps, repeats and disorder in the article numbering.
fn number_warnings(articles: &[Article], warnings: &mut Vec<String>) {
    if let Some(first) = articles.first()
        && (first.number, first.suffix) != (1, 0)
    {
        warnings.push(format!("首条为{}，不是第一条", first.label));
    }
    for w in articles.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        let next_ok = (b.number == a.number && b.suffix == a.suffix + 1)
            || (b.number == a.number + 1 && b.suffix == 0);
        if !next_ok {
            warnings.push(format!("条文编号不连续：{}之后为{}", a.label, b.label));
        }
    }
}
