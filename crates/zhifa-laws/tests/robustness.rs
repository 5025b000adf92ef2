//! The parsers never panic, whatever the Markdown, and what they accept is consistent.

use proptest::prelude::*;
use zhifa_laws::{parse_article_label, parse_case, parse_chinese_number, parse_law};

/// Pieces that make up law-like Markdown, including the awkward ones.
fn piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "# 标题",
        "## 第一章 总则",
        "### 第一节",
        "#### ",
        "## 一、",
        "<!-- INFO END -->",
        "<!-- FORCE BREAK -->",
        "2021年1月22日 通过",
        "第",
        "笫",
        "条",
        "之",
        "一",
        "十",
        "百",
        "千",
        "零",
        "万",
        "二",
        "九",
        " ",
        "　",
        "\u{200b}",
        "\n",
        "\n\n",
        "（一）",
        "(二)",
        "1．",
        "附件",
        "附：",
        "附则",
        "总则",
        "序言",
        "、",
        "。",
        "的",
        "规定",
        "《",
        "》",
        "表",
        "\r\n",
    ])
}

fn document() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..80).prop_map(|v| v.concat())
}

proptest! {
    #[test]
    fn parse_law_never_panics(text in document()) {
        if let Ok(law) = parse_law("行政法/测试法(2020-01-01).md", &text) {
            prop_assert!(!law.articles.is_empty());
            for a in &law.articles {
                prop_assert_eq!(parse_article_label(&a.label), Some((a.number, a.suffix)));
                prop_assert!(!a.paragraphs.is_empty());
            }
        }
        let _ = parse_case("案例/x/测试.md", &text);
    }

    #[test]
    fn chinese_numbers_never_panic(s in "[零〇一二两三四五六七八九十百千万]{0,8}") {
        if let Some(n) = parse_chinese_number(&s) {
            prop_assert!(n < 100_000_000);
        }
    }
}
