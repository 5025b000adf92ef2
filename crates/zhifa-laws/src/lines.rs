//! Line-level recognisers for the corpus Markdown: article labels, items, headings, dates.

use std::borrow::Cow;

use chrono::NaiveDate;

use crate::number::{is_numeral_char, parse_chinese_number};

/// Zero-width characters some sources scatter through the text (U+200B, U+200C, U+200D,
/// U+2060, U+FEFF); they carry no text.
fn is_zero_width(c: char) -> bool {
    matches!(
        c,
        '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}'
    )
}

/// True if `text` holds a zero-width character anywhere (one fast scan per file, so lines
/// of the many files without any need no check of their own).
pub(crate) fn has_zero_width(text: &str) -> bool {
    ["\u{200b}", "\u{200c}", "\u{200d}", "\u{2060}", "\u{feff}"]
        .iter()
        .any(|z| memchr::memmem::find(text.as_bytes(), z.as_bytes()).is_some())
}

/// The line without surrounding whitespace (including full-width spaces U+3000 and a trailing
/// `\r`) and, if `zero_width` says the file has any, without zero-width characters.
pub(crate) fn clean_line(line: &str, zero_width: bool) -> Cow<'_, str> {
    if !zero_width {
        return Cow::Borrowed(line.trim());
    }
    let t = line.trim_matches(|c: char| c.is_whitespace() || is_zero_width(c));
    if t.contains(is_zero_width) {
        Cow::Owned(t.chars().filter(|&c| !is_zero_width(c)).collect())
    } else {
        Cow::Borrowed(t)
    }
}

/// The line without zero-width characters and without surrounding whitespace.
pub(crate) fn clean(line: &str) -> Cow<'_, str> {
    clean_line(line, has_zero_width(line))
}

/// True for a whole-line HTML comment such as `<!-- FORCE BREAK -->` (a rendering hint).
pub(crate) fn is_comment(line: &str) -> bool {
    line.starts_with("<!--") && line.ends_with("-->")
}

/// Characters CJK text never separates with a space: everything but ASCII letters and digits.
fn is_cjk_like(c: char) -> bool {
    !c.is_ascii() && !c.is_whitespace()
}

/// Collapses whitespace runs: removed between two CJK characters (`总 则` → `总则`),
/// otherwise one ASCII space.
pub(crate) fn squash_spaces(s: &str) -> String {
    let chars: Vec<char> = s.trim().chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            let start = i;
            while i < chars.len() && chars[i].is_whitespace() {
                i += 1;
            }
            let before = chars[start - 1];
            let after = chars.get(i).copied();
            if !(is_cjk_like(before) && after.is_some_and(is_cjk_like)) {
                out.push(' ');
            }
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

/// The structural rank of a heading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HeadingKind {
    /// 编
    Part,
    /// 分编
    Subpart,
    /// 章 (also a bare 总则 / 分则 / 附则)
    Chapter,
    /// 节
    Section,
    /// Anything else (序言, 一、…, annex titles).
    Other,
}

/// Classifies a heading's text (without `#`) and gives its normalised form:
/// `第一章  总 则` → (Chapter, `第一章 总则`).
pub(crate) fn heading(text: &str) -> (HeadingKind, String) {
    if let Some(rest) = text.strip_prefix('第') {
        let num_len: usize = rest
            .chars()
            .take_while(|&c| is_numeral_char(c))
            .map(char::len_utf8)
            .sum();
        if num_len > 0 {
            let after = &rest[num_len..];
            let kinds = [
                ("分编", HeadingKind::Subpart),
                ("编", HeadingKind::Part),
                ("章", HeadingKind::Chapter),
                ("节", HeadingKind::Section),
            ];
            for (word, kind) in kinds {
                if let Some(title) = after.strip_prefix(word) {
                    let label = &text[..text.len() - title.len()];
                    let title = squash_spaces(title);
                    let norm = if title.is_empty() {
                        label.to_string()
                    } else {
                        format!("{label} {title}")
                    };
                    return (kind, norm);
                }
            }
        }
    }
    let squashed = squash_spaces(text);
    if matches!(squashed.as_str(), "总则" | "分则" | "附则") {
        return (HeadingKind::Chapter, squashed);
    }
    (HeadingKind::Other, text.trim().to_string())
}

/// The start of an article: `第十五条 …`, `第十条之一 …`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ArticleStart<'a> {
    /// 第十五条 → 15.
    pub number: u32,
    /// 之一 → 1, else 0.
    pub suffix: u32,
    /// The label as written (may be misspelt, e.g. `笫五十四条`, `第一百二十八 条`).
    pub written: &'a str,
    /// The text after the label.
    pub rest: &'a str,
    /// True if the label is not in canonical form (`笫` for `第`, a space before `条`).
    pub irregular: bool,
}

/// A label that looks like an article label but whose number does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BadLabel(pub String);

/// Recognises a line that starts an article.
///
/// Only a line that *begins* with `第X条` (or `第X条之Y`) followed by whitespace (ASCII or
/// full-width) or by the end of the line starts an article; `第三十一条的决定》…` or
/// `第十条之规定…` at the start of a line are references, not labels. Two defects seen in the
/// corpus are tolerated: `笫` (a look-alike of 第) and a space before 条 (`第一百二十八 条侦查…`).
pub(crate) fn article_start(line: &str) -> Option<Result<ArticleStart<'_>, BadLabel>> {
    let mut irregular = false;
    let rest = if let Some(r) = line.strip_prefix('第') {
        r
    } else {
        irregular = true;
        line.strip_prefix('笫')?
    };
    let (num, rest) = split_numeral(rest);
    if num.is_empty() {
        return None;
    }
    let trimmed = rest.trim_start();
    let spaced = trimmed.len() != rest.len();
    let rest = trimmed.strip_prefix('条')?;
    let (suffix_str, rest) = match rest.strip_prefix('之') {
        Some(r) => {
            let (s, r) = split_numeral(r);
            if s.is_empty() {
                return None; // 第十条之规定 …
            }
            (Some(s), r)
        }
        None => (None, rest),
    };
    let text = if rest.is_empty() {
        rest
    } else if rest.starts_with(char::is_whitespace) {
        rest.trim_start()
    } else if spaced {
        rest
    } else {
        return None; // a reference: 第三十一条的决定
    };
    let written = &line[..line.len() - rest.len()];
    let number = parse_chinese_number(num);
    let suffix = match suffix_str {
        Some(s) => parse_chinese_number(s),
        None => Some(0),
    };
    let (Some(number), Some(suffix)) = (number, suffix) else {
        return Some(Err(BadLabel(written.trim().to_string())));
    };
    Some(Ok(ArticleStart {
        number,
        suffix,
        written: written.trim(),
        rest: text,
        irregular: irregular || spaced,
    }))
}

/// Splits a leading run of numeral characters off `s`.
fn split_numeral(s: &str) -> (&str, &str) {
    let n: usize = s
        .chars()
        .take_while(|&c| is_numeral_char(c))
        .map(char::len_utf8)
        .sum();
    s.split_at(n)
}

/// The canonical label: `第十五条`, `第十条之一`.
pub(crate) fn canonical_label(written: &str, suffix: u32) -> String {
    let body = written.trim_start_matches(['第', '笫']);
    let (num, _) = split_numeral(body);
    if suffix == 0 {
        format!("第{num}条")
    } else {
        let after = body.split_once('之').map_or("", |(_, s)| s);
        format!("第{num}条之{after}")
    }
}

fn is_digit_like(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

/// True for an item (项) line: `（一）…`, `(一)…`, `（1）…`, or a numbered sub-item `1．…`,
/// `1.…`, `1、…`.
pub(crate) fn is_item(line: &str) -> bool {
    if let Some(r) = line.strip_prefix(['（', '(']) {
        let n: usize = r
            .chars()
            .take_while(|&c| is_numeral_char(c) || is_digit_like(c))
            .map(char::len_utf8)
            .sum();
        return n > 0 && r[n..].starts_with(['）', ')']);
    }
    let n: usize = line
        .chars()
        .take_while(|&c| is_digit_like(c))
        .map(char::len_utf8)
        .sum();
    if n == 0 {
        return false;
    }
    let mut after = line[n..].chars();
    match after.next() {
        Some('．' | '、') => true,
        // `1.` but not a decimal such as `1.5倍`.
        Some('.') => !after.next().is_some_and(is_digit_like),
        _ => false,
    }
}

/// True for a point numbered `一、`, `二、` … (the style of 决定 and old regulations).
pub(crate) fn is_numbered_point(line: &str) -> bool {
    let (num, rest) = split_numeral(line);
    !num.is_empty() && rest.starts_with('、')
}

/// True for a line that opens an annex: `附：`, `附件`, `附件一：…`, `附表二`, `附录`, `附图：`,
/// or a distribution list (`送：`, `抄送：`).
/// `附则` and sentences such as `附图中除必需的词语外…` or `附带民事诉讼…` are not.
pub(crate) fn is_appendix_marker(line: &str) -> bool {
    const OPENERS: &[&str] = &["附：", "附:", "抄送：", "主送：", "送："];
    if OPENERS.iter().any(|o| line.starts_with(o)) {
        return true;
    }
    for word in ["附件", "附表", "附录", "附图"] {
        if let Some(rest) = line.strip_prefix(word) {
            return match rest.chars().next() {
                None => true,
                Some(c) => {
                    matches!(c, '：' | ':' | '、' | '．' | '.' | '（' | '(')
                        || c.is_whitespace()
                        || is_digit_like(c)
                        || is_numeral_char(c)
                }
            };
        }
    }
    false
}

/// True for a short line without closing punctuation: the shape of a heading the source
/// wrote without `#` (`附则`, `法律责任`).
pub(crate) fn looks_like_heading(line: &str) -> bool {
    looks_like_heading_within(line, 20)
}

/// [`looks_like_heading`] with a limit of `max` characters.
pub(crate) fn looks_like_heading_within(line: &str, max: usize) -> bool {
    const CLOSERS: &[char] = &[
        '。', '；', ';', '：', ':', '，', ',', '、', '！', '？', '!', '?', '”', '"', '…',
    ];
    line.len() <= 4 * max // bytes: a quick bound before counting characters
        && line.chars().count() <= max
        && !line.contains('。')
        && !line.ends_with(CLOSERS)
        && !is_item(line)
}

/// True for the title of a table or figure (`个人所得税税率表一（综合所得适用）`,
/// `人民警察警衔标志式样`): after the last article such a line opens an annex.
pub(crate) fn is_annex_title(line: &str) -> bool {
    const WORDS: &[&str] = &["表", "式样", "图案", "图样", "目录", "清单", "名录"];
    looks_like_heading(line) && WORDS.iter().any(|w| line.contains(w))
}

/// The date a history line starts with: `2021年1月22日 …` or `(2014年11月1日…)`.
pub(crate) fn leading_date(line: &str) -> Option<NaiveDate> {
    let s = line.trim_start_matches(['(', '（']);
    let (y, s) = s.split_once('年')?;
    let (m, s) = s.split_once('月')?;
    let (d, _) = s.split_once('日')?;
    let ok = |t: &str, max: usize| {
        !t.is_empty() && t.len() <= max && t.bytes().all(|b| b.is_ascii_digit())
    };
    if !(y.len() == 4 && ok(y, 4) && ok(m, 2) && ok(d, 2)) {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn article_labels() {
        let a = article_start("第十五条 行政处罚").unwrap().unwrap();
        assert_eq!(
            (a.number, a.suffix, a.rest, a.irregular),
            (15, 0, "行政处罚", false)
        );
        let a = article_start("第十条之一　全角空格").unwrap().unwrap();
        assert_eq!((a.number, a.suffix, a.rest), (10, 1, "全角空格"));
        assert_eq!(canonical_label(a.written, a.suffix), "第十条之一");
        let a = article_start("第三条").unwrap().unwrap();
        assert_eq!((a.number, a.rest), (3, ""));
        // Source defects tolerated (农民专业合作社法, 刑事诉讼法 2018).
        let a = article_start("笫五十四条 清算组").unwrap().unwrap();
        assert_eq!((a.number, a.irregular), (54, true));
        assert_eq!(canonical_label(a.written, 0), "第五十四条");
        let a = article_start("第一百二十八 条侦查人员").unwrap().unwrap();
        assert_eq!((a.number, a.rest, a.irregular), (128, "侦查人员", true));
        assert_eq!(canonical_label(a.written, 0), "第一百二十八条");
        // References are not labels.
        assert!(article_start("第三十一条的决定》第一次修正").is_none());
        assert!(article_start("第十条之规定").is_none());
        assert!(article_start("第一章 总则").is_none());
        assert!(article_start("依照本法第十条规定").is_none());
        assert_eq!(
            article_start("第十十条 坏"),
            Some(Err(BadLabel("第十十条".into())))
        );
    }

    #[test]
    fn headings() {
        assert_eq!(
            heading("第一章 总则"),
            (HeadingKind::Chapter, "第一章 总则".into())
        );
        assert_eq!(
            heading("第一章  总 则"),
            (HeadingKind::Chapter, "第一章 总则".into())
        );
        assert_eq!(
            heading("第七章附则"),
            (HeadingKind::Chapter, "第七章 附则".into())
        );
        assert_eq!(
            heading("第二节 地域管辖"),
            (HeadingKind::Section, "第二节 地域管辖".into())
        );
        assert_eq!(
            heading("第一编 总 则"),
            (HeadingKind::Part, "第一编 总则".into())
        );
        assert_eq!(
            heading("第一分编 通则"),
            (HeadingKind::Subpart, "第一分编 通则".into())
        );
        assert_eq!(heading("附 则"), (HeadingKind::Chapter, "附则".into()));
        assert_eq!(heading("序言").0, HeadingKind::Other);
        assert_eq!(heading("一、基础电信业务").0, HeadingKind::Other);
        assert_eq!(squash_spaces("5G 网络  管理"), "5G 网络管理");
    }

    #[test]
    fn items_and_markers() {
        assert!(is_item("（一）警告、通报批评；"));
        assert!(is_item("(二)移动网络电话和数据业务；"));
        assert!(is_item("（1）其他"));
        assert!(is_item("1．热量计"));
        assert!(!is_item("1.5倍以上"));
        assert!(!is_item("（本表仅适用于…）"));
        assert!(!is_item("2021年1月1日"));
        assert!(is_numbered_point("一、地方口岸管理委员会"));
        assert!(!is_numbered_point("一九八六年"));
        for m in [
            "附：",
            "附件",
            "附件一：香港",
            "附表二",
            "附录",
            "附图：",
            "附件1：查处",
        ] {
            assert!(is_appendix_marker(m), "{m}");
        }
        for m in [
            "附则",
            "附 则",
            "附图中除必需的词语外",
            "附带民事诉讼的当事人",
        ] {
            assert!(!is_appendix_marker(m), "{m}");
        }
        assert!(looks_like_heading("法律责任"));
        assert!(is_annex_title("个人所得税税率表一（综合所得适用）"));
        assert!(!is_annex_title("法律责任"));
        assert!(is_appendix_marker("送：浙江省人大常委会"));
        assert!(!looks_like_heading("本法自公布之日起施行。"));
    }

    #[test]
    fn dates_and_cleaning() {
        assert_eq!(
            leading_date("2021年1月22日 第十三届全国人民代表大会常务委员会第二十五次会议修订"),
            NaiveDate::from_ymd_opt(2021, 1, 22)
        );
        assert_eq!(
            leading_date("(2014年11月1日第十二届全国人民代表大会常务委员会第十一次会议通过)"),
            NaiveDate::from_ymd_opt(2014, 11, 1)
        );
        assert_eq!(leading_date("一九九四年十二月六日"), None);
        assert_eq!(leading_date("劳社部发[2008]3号"), None);
        assert_eq!(clean("\u{200b}  第一条 x\u{3000}\r"), "第一条 x");
        assert_eq!(clean("a\u{200b}b"), "ab");
    }
}
