//! Parsing one case file (案例) into a [`GuidingCase`].

use crate::document::{Document, path_parts};
use crate::{CaseSection, GuidingCase, ParseError};

/// Parses one case file: its `##` headings become [`CaseSection`]s; no article structure is
/// invented. A first heading with no text of its own is the case name.
///
/// # Errors
/// [`ParseError::NoTitle`] without a `# title` line, [`ParseError::NoCaseSections`] without a
/// `##` heading.
pub fn parse_case(relative_path: &str, text: &str) -> Result<GuidingCase, ParseError> {
    let doc = Document::split(text)?;
    let (category, subcategory, _) = path_parts(relative_path);
    let mut preamble: Vec<&str> = Vec::new();
    let mut sections: Vec<(String, Vec<&str>)> = Vec::new();
    for (_, line) in &doc.body {
        if let Some(h) = line.strip_prefix('#') {
            let heading = crate::lines::clean(h.trim_start_matches('#')).into_owned();
            sections.push((heading, Vec::new()));
        } else {
            match sections.last_mut() {
                Some((_, lines)) => lines.push(line),
                None => preamble.push(line),
            }
        }
    }
    if sections.is_empty() {
        return Err(ParseError::NoCaseSections);
    }
    // Header lines of a case (rare) are kept with the preamble.
    let header: Vec<&str> = doc.header.iter().map(|l| l.as_ref()).collect();
    let preamble: Vec<&str> = header.into_iter().chain(preamble).collect();

    let mut case_name = None;
    if sections[0].1.is_empty() && sections.len() > 1 {
        case_name = Some(sections.remove(0).0);
    } else if doc.title.ends_with('案') {
        case_name = Some(doc.title.clone());
    }
    Ok(GuidingCase {
        title: doc.title,
        case_name,
        category,
        subcategory,
        source_file: relative_path.replace('\\', "/"),
        preamble: (!preamble.is_empty()).then(|| preamble.join("\n")),
        sections: sections
            .into_iter()
            .map(|(heading, lines)| CaseSection {
                heading,
                text: lines.join("\n"),
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_and_case_name() {
        let text = "# 要旨\n\n<!-- INFO END -->\n\n## 张某诉某公司买卖合同纠纷案\n\n## 关键词　\n\n民事\n\n\
                    ## 基本案情\n\n第一段\n\n<!-- FORCE BREAK -->\n\n第二段\n";
        let c = parse_case("案例/消费购物/x.md", text).unwrap();
        assert_eq!(c.case_name.as_deref(), Some("张某诉某公司买卖合同纠纷案"));
        assert_eq!(c.subcategory.as_deref(), Some("消费购物"));
        assert_eq!(c.sections.len(), 2);
        assert_eq!(c.section("关键词").unwrap().text, "民事");
        assert_eq!(c.section("基本案情").unwrap().text, "第一段\n第二段");
        assert_eq!(
            parse_case("案例/x.md", "# t\n\n<!-- INFO END -->\n\n正文\n"),
            Err(ParseError::NoCaseSections)
        );
    }
}
