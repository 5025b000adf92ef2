//! The common frame of every corpus file: `# title`, header lines, `<!-- INFO END -->`, body.

use std::borrow::Cow;

use chrono::NaiveDate;

use crate::ParseError;
use crate::lines::{clean, clean_line, has_zero_width, is_comment, leading_date};

/// The marker that ends the header.
const INFO_END: &str = "<!-- INFO END -->";

/// A file split into title, header and body lines (non-blank, cleaned, comments dropped).
pub(crate) struct Document<'a> {
    pub title: String,
    /// Non-blank header lines between the title and `<!-- INFO END -->`.
    pub header: Vec<Cow<'a, str>>,
    /// Non-blank body lines with their 1-based line numbers.
    pub body: Vec<(usize, Cow<'a, str>)>,
    /// False if the file has no `<!-- INFO END -->` marker.
    pub has_marker: bool,
}

impl<'a> Document<'a> {
    /// Splits `text`; fails only if there is no `# title` line.
    pub fn split(text: &'a str) -> Result<Document<'a>, ParseError> {
        let zero_width = has_zero_width(text);
        let mut lines = text
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, clean_line(l, zero_width)));
        let title = loop {
            match lines.next() {
                None => return Err(ParseError::NoTitle),
                Some((_, l)) if l.is_empty() => continue,
                Some((_, l)) => {
                    let Some(t) = l.strip_prefix('#') else {
                        return Err(ParseError::NoTitle);
                    };
                    if t.starts_with('#') {
                        return Err(ParseError::NoTitle);
                    }
                    let t = clean(t);
                    if t.is_empty() {
                        return Err(ParseError::NoTitle);
                    }
                    break t.into_owned();
                }
            }
        };
        let rest: Vec<(usize, Cow<'a, str>)> = lines.filter(|(_, l)| !l.is_empty()).collect();
        let marker = rest.iter().position(|(_, l)| l == INFO_END);
        let (header, body) = match marker {
            Some(m) => (rest[..m].to_vec(), rest[m + 1..].to_vec()),
            None => {
                // Without the marker, the header is the run of dated lines after the title.
                let n = rest
                    .iter()
                    .take_while(|(_, l)| leading_date(l).is_some())
                    .count();
                (rest[..n].to_vec(), rest[n..].to_vec())
            }
        };
        Ok(Document {
            title,
            header: header.into_iter().map(|(_, l)| l).collect(),
            body: body.into_iter().filter(|(_, l)| !is_comment(l)).collect(),
            has_marker: marker.is_some(),
        })
    }

    /// The history lines: a repeat of the title is dropped, and a line the source broke inside
    /// a 《…》 title is joined to the next.
    pub fn history(&self) -> Vec<String> {
        let skip = title_repeat(&self.title, &self.header);
        let mut out: Vec<String> = Vec::new();
        for l in &self.header[skip..] {
            match out.last_mut() {
                Some(last) if unclosed(last) => last.push_str(l),
                _ => out.push(l.to_string()),
            }
        }
        out
    }
}

/// How many leading `lines` only repeat the title, as some sources do, broken over lines
/// (`中华人民共和国境外非政府组织` / `境内活动管理法`); 0 if they do not.
pub(crate) fn title_repeat<S: AsRef<str>>(title: &str, lines: &[S]) -> usize {
    let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let full = squash(title);
    let short = squash(crate::model::short_title(title));
    let mut acc = String::new();
    for (k, l) in lines.iter().enumerate() {
        let l = l.as_ref();
        if leading_date(l).is_some() {
            break;
        }
        acc.push_str(&squash(l));
        if acc == full || acc == short {
            return k + 1;
        }
        if !full.starts_with(&acc) && !short.starts_with(&acc) {
            break;
        }
    }
    0
}

/// True if `s` opens a 《 title it does not close.
fn unclosed(s: &str) -> bool {
    s.matches('《').count() > s.matches('》').count()
}

/// The date of the first dated history line.
pub(crate) fn issued(history: &[String]) -> Option<NaiveDate> {
    history.iter().find_map(|h| leading_date(h))
}

/// `("行政法", Some("…"), "行政处罚法(2021-01-22).md")` from a relative path: the top folder,
/// the second folder if the file sits deeper, and the file name.
pub(crate) fn path_parts(relative_path: &str) -> (String, Option<String>, &str) {
    let parts: Vec<&str> = relative_path
        .split(['/', '\\'])
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    match parts.as_slice() {
        [] => (String::new(), None, ""),
        [file] => (String::new(), None, file),
        [cat, file] => ((*cat).to_string(), None, file),
        [cat, sub, .., file] => ((*cat).to_string(), Some((*sub).to_string()), file),
    }
}

/// The version date a file name carries: `行政处罚法(2021-01-22).md` → 2021-01-22.
pub(crate) fn version_date(file_name: &str) -> Option<NaiveDate> {
    let stem = file_name.strip_suffix(".md").unwrap_or(file_name);
    let stem = stem.strip_suffix([')', '）'])?;
    let open = stem.rfind(['(', '（'])?;
    let inner = stem[open..].trim_start_matches(['(', '（']);
    NaiveDate::parse_from_str(inner, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_joins_broken_titles_and_drops_title_repeats() {
        let text = "# 中华人民共和国境外非政府组织境内活动管理法\n\n中华人民共和国境外非政府组织\n\n境内活动管理法\n\n\
                    2016年4月28日 通过\n\n1991年6月29日 《关于修改<中华人民共和国文物保护法>第三十条\n\n第三十一条的决定》第一次修正\n\n\
                    <!-- INFO END -->\n\n第一条 正文\n";
        let d = Document::split(text).unwrap();
        assert_eq!(
            d.history(),
            vec![
                "2016年4月28日 通过".to_string(),
                "1991年6月29日 《关于修改<中华人民共和国文物保护法>第三十条第三十一条的决定》第一次修正"
                    .to_string()
            ]
        );
        assert_eq!(issued(&d.history()), NaiveDate::from_ymd_opt(2016, 4, 28));
        assert_eq!(d.body.len(), 1);
    }

    #[test]
    fn paths_and_version_dates() {
        assert_eq!(
            path_parts("地方性法规/浙江/x(2020-01-01).md"),
            ("地方性法规".into(), Some("浙江".into()), "x(2020-01-01).md")
        );
        assert_eq!(
            version_date("行政处罚法(2021-01-22).md"),
            NaiveDate::from_ymd_opt(2021, 1, 22)
        );
        assert_eq!(version_date("浙江省禁毒条例.md"), None);
        assert_eq!(
            version_date("浙江省实施《村民委员会组织法》办法(2020-07-31).md"),
            NaiveDate::from_ymd_opt(2020, 7, 31)
        );
    }
}
