//! Parser tests on real corpus files (compiled in with `include_str!`) and on synthetic edge
//! cases.

use chrono::NaiveDate;

use crate::{LawLevel, ParseError, parse_case, parse_law};

macro_rules! corpus_file {
    ($path:literal) => {
        ($path, include_str!(concat!("../../../data/laws/", $path)))
    };
}

fn parse(file: (&str, &str)) -> crate::Law {
    parse_law(file.0, file.1).unwrap_or_else(|e| panic!("{}: {e}", file.0))
}

/// 行政处罚法 (2021 revision): 86 articles in 8 chapters.
#[test]
fn administrative_penalty_law() {
    let law = parse(corpus_file!("行政法/行政处罚法(2021-01-22).md"));
    assert_eq!(law.title, "中华人民共和国行政处罚法");
    assert_eq!(law.short_title(), "行政处罚法");
    assert_eq!(law.level, LawLevel::Law);
    assert_eq!(law.category, "行政法");
    assert_eq!(law.subcategory, None);
    assert_eq!(law.version_date, NaiveDate::from_ymd_opt(2021, 1, 22));
    assert_eq!(law.issued, NaiveDate::from_ymd_opt(1996, 3, 17));
    assert_eq!(law.history.len(), 4);
    assert!(law.history[3].contains("修订"));
    assert_eq!(law.source_file, "行政法/行政处罚法(2021-01-22).md");
    assert_eq!(law.preamble, None);
    assert_eq!(law.appendix, None);
    assert!(law.warnings.is_empty(), "{:?}", law.warnings);

    assert_eq!(law.articles.len(), 86);
    for (i, a) in law.articles.iter().enumerate() {
        assert_eq!((a.number, a.suffix), (i as u32 + 1, 0));
    }
    let chapters = law.chapters();
    assert_eq!(chapters.len(), 8);
    assert_eq!(chapters[0], "第一章 总则");
    assert_eq!(chapters[1], "第二章 行政处罚的种类和设定");
    assert_eq!(chapters[7], "第八章 附则");

    // 第五条: three paragraphs (款), no items.
    let a5 = law.article(5, 0).unwrap();
    assert_eq!(a5.label, "第五条");
    assert_eq!(a5.paragraphs.len(), 3);
    assert!(a5.text.starts_with("行政处罚遵循公正、公开的原则。"));
    assert_eq!(a5.text.lines().count(), 3);

    // 第九条: the kinds of penalty, items （一）…（六）.
    let a9 = law.find_article("第九条").unwrap();
    assert_eq!(a9.chapter.as_deref(), Some("第二章 行政处罚的种类和设定"));
    assert_eq!(a9.paragraphs.len(), 1);
    assert_eq!(a9.paragraphs[0].text, "行政处罚的种类：");
    assert_eq!(a9.paragraphs[0].items.len(), 6);
    assert_eq!(
        a9.paragraph(1).unwrap().item(1),
        Some("（一）警告、通报批评；")
    );

    // 第五十八条: legal review before the decision, items （一）…（四）.
    let a58 = law.find_article("第五十八条").unwrap();
    let items: Vec<&String> = a58.paragraphs.iter().flat_map(|p| &p.items).collect();
    assert_eq!(items.len(), 4);
    assert!(items[0].starts_with("（一）"));
    assert!(items[3].starts_with("（四）"));
    assert!(a58.text.contains("法制审核"));
    assert!(!a58.text.starts_with("第五十八条"));
    assert_eq!(a58.chapter.as_deref(), Some("第五章 行政处罚的决定"));
    assert_eq!(a58.section.as_deref(), Some("第三节 普通程序"));

    // 第八十五条: "期限以工作日计算".
    let a85 = law.article(85, 0).unwrap();
    assert!(a85.text.contains("工作日"));
    assert_eq!(a85.chapter.as_deref(), Some("第八章 附则"));
    assert_eq!(law.find_article("第八十七条"), None);
    assert_eq!(law.find_article("第十条之一"), None);
    assert_eq!(law.find_article("not a label"), None);
}

/// 行政强制法: 71 articles.
#[test]
fn administrative_coercion_law() {
    let law = parse(corpus_file!("行政法/行政强制法(2011-06-30).md"));
    assert_eq!(law.title, "中华人民共和国行政强制法");
    assert_eq!(law.articles.len(), 71);
    assert_eq!(law.articles.last().unwrap().label, "第七十一条");
    assert!(law.warnings.is_empty(), "{:?}", law.warnings);
}

/// A regulation without chapters: 全国年节及纪念日放假办法 (2024).
#[test]
fn law_without_chapters() {
    let law = parse(corpus_file!(
        "行政法规/全国年节及纪念日放假办法(2024-11-10).md"
    ));
    assert_eq!(law.level, LawLevel::AdministrativeRegulation);
    assert_eq!(law.articles.len(), 8);
    assert!(law.chapters().is_empty());
    assert!(law.articles.iter().all(|a| a.chapter.is_none()));
    let a2 = law.article(2, 0).unwrap();
    assert_eq!(a2.paragraphs[0].items.len(), 7);
    assert!(a2.paragraphs[0].items[1].contains("春节，放假4天"));
    assert_eq!(law.issued, NaiveDate::from_ymd_opt(1949, 12, 23));
}

/// 民事诉讼法: 编 (`##`), 章 (`###`) and 节 (`####`).
#[test]
fn parts_chapters_sections() {
    let law = parse(corpus_file!("诉讼与非诉讼程序法/民事诉讼法(2023-09-01).md"));
    let a1 = law.article(1, 0).unwrap();
    assert_eq!(a1.part.as_deref(), Some("第一编 总则"));
    assert_eq!(
        a1.chapter.as_deref(),
        Some("第一章 任务、适用范围和基本原则")
    );
    assert_eq!(a1.section, None);
    let a18 = law.article(18, 0).unwrap();
    assert_eq!(a18.chapter.as_deref(), Some("第二章 管辖"));
    assert_eq!(a18.section.as_deref(), Some("第一节 级别管辖"));
    let last = law.articles.last().unwrap();
    assert_eq!(
        last.part.as_deref(),
        Some("第四编 涉外民事诉讼程序的特别规定")
    );
    assert!(law.warnings.is_empty(), "{:?}", law.warnings);
}

/// Source defects: `第一百二十八 条侦查…` and a bare `附则` line (刑事诉讼法 2018); `笫五十四条`
/// (农民专业合作社法).
#[test]
fn tolerated_source_defects() {
    let law = parse(corpus_file!("诉讼与非诉讼程序法/刑事诉讼法(2018-10-26).md"));
    assert_eq!(law.articles.len(), 308);
    let a128 = law.article(128, 0).unwrap();
    assert_eq!(a128.label, "第一百二十八条");
    assert!(a128.text.starts_with("侦查人员"));
    assert_eq!(
        law.article(308, 0).unwrap().chapter.as_deref(),
        Some("附则")
    );
    assert!(law.article(307, 0).unwrap().text.ends_with("实行监督。"));
    assert_eq!(law.warnings.len(), 3, "{:?}", law.warnings);

    let law = parse(corpus_file!("民法商法/农民专业合作社法(2017-12-27).md"));
    assert_eq!(law.find_article("第五十四条").unwrap().label, "第五十四条");
    assert_eq!(law.articles.len(), 74);
}

/// Annexes after the last article go to `appendix`, not into the last article.
#[test]
fn annex_after_last_article() {
    let law = parse(corpus_file!("经济法/环境保护税法(2018-10-26).md"));
    let last = law.articles.last().unwrap();
    assert_eq!(last.label, "第二十八条");
    assert_eq!(last.text, "本法自2018年1月1日起施行。");
    let appendix = law.appendix.as_deref().unwrap();
    assert!(appendix.starts_with("附表一\n环境保护税税目税额表"));
    assert!(appendix.contains("一、第一类水污染物污染当量值"));
}

/// 序言 before the first article goes to `preamble`.
#[test]
fn preamble_kept() {
    let law = parse(corpus_file!("宪法相关法/民族区域自治法(2001-02-28).md"));
    let preamble = law.preamble.as_deref().unwrap();
    assert!(preamble.starts_with("序言\n中华人民共和国是全国各族人民共同缔造的统一的多民族国家。"));
    assert_eq!(
        law.article(1, 0).unwrap().chapter.as_deref(),
        Some("第一章 总则")
    );
}

/// A local regulation keeps its province as subcategory.
#[test]
fn local_regulation() {
    let law = parse(corpus_file!(
        "地方性法规/浙江/浙江省村民委员会选举办法(2020-07-31).md"
    ));
    assert_eq!(law.level, LawLevel::LocalRegulation);
    assert_eq!(law.category, "地方性法规");
    assert_eq!(law.subcategory.as_deref(), Some("浙江"));
    assert!(law.history.last().unwrap().ends_with("的决定》修正"));
}

/// Only a line starting with a label and a space starts an article; references do not.
#[test]
fn references_do_not_start_articles() {
    let text = "# 测试法\n\n2020年1月1日 通过\n\n<!-- INFO END -->\n\n## 第一章 总则\n\n\
                第一条 依照本法第十条规定\n\n第十条规定的情形除外。\n\n第二条　全角空格分隔。\n\n\
                第十条之一 插入的条文。\n\n第十条之二 又一条。\n\n第三条\n\n只有标签的条文。\n";
    let law = parse_law("行政法/测试法(2020-01-01).md", text).unwrap();
    let labels: Vec<&str> = law.articles.iter().map(|a| a.label.as_str()).collect();
    assert_eq!(
        labels,
        ["第一条", "第二条", "第十条之一", "第十条之二", "第三条"]
    );
    assert_eq!(law.articles[0].paragraphs.len(), 2);
    assert_eq!(
        law.articles[0].text,
        "依照本法第十条规定\n第十条规定的情形除外。"
    );
    assert_eq!(law.articles[1].text, "全角空格分隔。");
    let a = law.find_article("第十条之一").unwrap();
    assert_eq!(
        (a.number, a.suffix, a.text.as_str()),
        (10, 1, "插入的条文。")
    );
    assert_eq!(law.article(10, 2).unwrap().label, "第十条之二");
    assert_eq!(law.article(3, 0).unwrap().text, "只有标签的条文。");
    assert_eq!(law.article(3, 0).unwrap().paragraphs.len(), 1);
    // 第二条 → 第十条之一 → 第十条之二 → 第三条 is out of order and noted.
    assert_eq!(law.warnings.len(), 2, "{:?}", law.warnings);
}

#[test]
fn errors() {
    assert_eq!(parse_law("行政法/x.md", ""), Err(ParseError::NoTitle));
    assert_eq!(
        parse_law("行政法/x.md", "## 第一章\n"),
        Err(ParseError::NoTitle)
    );
    assert_eq!(
        parse_law(
            "行政法/x.md",
            "# 标题\n\n2020年1月1日 通过\n\n<!-- INFO END -->\n\n"
        ),
        Err(ParseError::EmptyBody)
    );
    assert_eq!(
        parse_law(
            "行政法/x.md",
            "# 标题\n\n<!-- INFO END -->\n\n一、第一点。\n\n二、第二点。\n\n说明。\n"
        ),
        Err(ParseError::NoArticles {
            blocks: 3,
            numbered_points: 2
        })
    );
    assert_eq!(
        parse_law(
            "行政法/x.md",
            "# 标题\n\n<!-- INFO END -->\n\n第一条 好。\n\n第十十条 坏。\n"
        ),
        Err(ParseError::BadArticleNumber {
            line: 7,
            label: "第十十条".into()
        })
    );
    let msg = ParseError::NoTitle.to_string();
    assert!(msg.contains("缺少标题") && msg.contains("no title"));
}

/// Cases are split by their `##` headings, never into articles.
#[test]
fn guiding_case() {
    let (path, text) =
        corpus_file!("案例/消费购物/张莉诉北京合力华通汽车服务有限公司买卖合同纠纷案.md");
    let case = parse_case(path, text).unwrap();
    assert_eq!(case.level(), LawLevel::GuidingCase);
    assert_eq!(
        case.case_name.as_deref(),
        Some("张莉诉北京合力华通汽车服务有限公司买卖合同纠纷案")
    );
    let headings: Vec<&str> = case.sections.iter().map(|s| s.heading.as_str()).collect();
    assert_eq!(
        headings,
        ["关键词", "裁判要点", "基本案情", "裁判结果", "裁判理由"]
    );
    assert!(
        case.section("裁判要点")
            .unwrap()
            .text
            .starts_with("一、为家庭生活消费需要购买汽车")
    );
    assert!(
        !case
            .section("基本案情")
            .unwrap()
            .text
            .contains("FORCE BREAK")
    );
    // parse_law refuses a case: it has no articles.
    assert!(matches!(
        parse_law(path, text),
        Err(ParseError::NoArticles { .. })
    ));
}

/// A parsed law survives a JSON round trip (the store and the API carry it as JSON).
#[test]
fn json_round_trip() {
    let law = parse(corpus_file!("行政法/行政处罚法(2021-01-22).md"));
    let json = serde_json::to_string(&law).unwrap();
    let back: crate::Law = serde_json::from_str(&json).unwrap();
    assert_eq!(back, law);
    let level: LawLevel = serde_json::from_str("\"AdministrativeRegulation\"").unwrap();
    assert_eq!((level.code(), level.zh()), ("3", "行政法规"));
    assert_eq!(LawLevel::from_code("8"), Some(LawLevel::GuidingCase));
    let codes: Vec<&str> = LawLevel::ALL.iter().map(|l| l.code()).collect();
    assert_eq!(codes, ["1", "2", "3", "4", "5", "6", "7", "8", "9"]);
}
