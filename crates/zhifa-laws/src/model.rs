//! What a parsed law is: [`Law`] → [`Article`] (条) → [`Paragraph`] (款) → items (项).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The rank of a legal source (效力层级), as in the data standard's `law_level` code set:
/// 1 宪法, 2 法律, 3 行政法规, 4 部门规章, 5 地方性法规, 6 地方政府规章, 7 司法解释,
/// 8 指导性案例, 9 其他 (立法法 第八十七条 to 第九十一条 give the ranking).
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LawLevel {
    /// 宪法 — the Constitution and its amendments.
    Constitution,
    /// 法律 — laws (and 决定) of the NPC and its Standing Committee.
    Law,
    /// 行政法规 — administrative regulations of the State Council.
    AdministrativeRegulation,
    /// 部门规章 — rules of State Council departments.
    DepartmentalRule,
    /// 地方性法规 — local regulations of local people's congresses.
    LocalRegulation,
    /// 地方政府规章 — rules of local people's governments.
    LocalGovernmentRule,
    /// 司法解释 — interpretations of the Supreme People's Court or Procuratorate.
    JudicialInterpretation,
    /// 指导性案例 — guiding (and typical) cases.
    GuidingCase,
    /// 其他 — anything else.
    Other,
}

impl LawLevel {
    /// Every level, in code order.
    pub const ALL: [LawLevel; 9] = [
        LawLevel::Constitution,
        LawLevel::Law,
        LawLevel::AdministrativeRegulation,
        LawLevel::DepartmentalRule,
        LawLevel::LocalRegulation,
        LawLevel::LocalGovernmentRule,
        LawLevel::JudicialInterpretation,
        LawLevel::GuidingCase,
        LawLevel::Other,
    ];

    /// The code in the data standard's `law_level` code set, `"1"` to `"9"`.
    pub fn code(self) -> &'static str {
        match self {
            LawLevel::Constitution => "1",
            LawLevel::Law => "2",
            LawLevel::AdministrativeRegulation => "3",
            LawLevel::DepartmentalRule => "4",
            LawLevel::LocalRegulation => "5",
            LawLevel::LocalGovernmentRule => "6",
            LawLevel::JudicialInterpretation => "7",
            LawLevel::GuidingCase => "8",
            LawLevel::Other => "9",
        }
    }

    /// The Chinese name, e.g. `行政法规`.
    pub fn zh(self) -> &'static str {
        match self {
            LawLevel::Constitution => "宪法",
            LawLevel::Law => "法律",
            LawLevel::AdministrativeRegulation => "行政法规",
            LawLevel::DepartmentalRule => "部门规章",
            LawLevel::LocalRegulation => "地方性法规",
            LawLevel::LocalGovernmentRule => "地方政府规章",
            LawLevel::JudicialInterpretation => "司法解释",
            LawLevel::GuidingCase => "指导性案例",
            LawLevel::Other => "其他",
        }
    }

    /// The level with this `law_level` code, if any.
    pub fn from_code(code: &str) -> Option<LawLevel> {
        LawLevel::ALL.into_iter().find(|l| l.code() == code)
    }
}

/// One version of a law, regulation or rule, parsed from one Markdown file.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Law {
    /// Title from the `# ` line, e.g. `中华人民共和国行政处罚法`.
    pub title: String,
    /// Rank of the source.
    pub level: LawLevel,
    /// Top corpus folder, e.g. `行政法`, `行政法规`, `地方性法规`.
    pub category: String,
    /// Version date from the file name, e.g. `行政处罚法(2021-01-22).md` → 2021-01-22.
    pub version_date: Option<NaiveDate>,
    /// Date of the first dated history line (usually adoption or promulgation).
    pub issued: Option<NaiveDate>,
    /// History lines between the title and `<!-- INFO END -->` (adoption, amendments,
    /// promulgation), with lines the source broke in the middle of a title joined again.
    pub history: Vec<String>,
    /// Path relative to the corpus root, with `/` separators.
    pub source_file: String,
    /// Articles (条) in source order.
    pub articles: Vec<Article>,
    /// Text between `<!-- INFO END -->` and the first article (序言, enacting clauses, or
    /// article text whose 第X条 label the source lost), one block per line.
    pub preamble: Option<String>,
    /// Sub-folder below the category, e.g. `浙江` (地方性法规) or `公安部` (部门规章).
    #[serde(default)]
    pub subcategory: Option<String>,
    /// Text after the last article that belongs to an annex (附件, 附表, 附录 …), one block per
    /// line, headings without their `#` marks.
    #[serde(default)]
    pub appendix: Option<String>,
    /// Defects of the source noticed while parsing, in Chinese (gaps in the article numbering,
    /// misspelt labels, chapter headings without a number …). Empty for a clean file.
    #[serde(default)]
    pub warnings: Vec<String>,
}

impl Law {
    /// The article with this number and suffix (`article(10, 1)` is 第十条之一).
    pub fn article(&self, number: u32, suffix: u32) -> Option<&Article> {
        self.articles
            .iter()
            .find(|a| a.number == number && a.suffix == suffix)
    }

    /// The article with this label, e.g. `第五十八条` or `第十条之一` (surrounding spaces are
    /// ignored; a label that is not a valid article label finds nothing).
    pub fn find_article(&self, label: &str) -> Option<&Article> {
        let (number, suffix) = parse_article_label(label)?;
        self.article(number, suffix)
    }

    /// The chapters (章) that hold articles, in order, without repeats, e.g. `第一章 总则`.
    pub fn chapters(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for a in &self.articles {
            if let Some(c) = a.chapter.as_deref()
                && !out.contains(&c)
            {
                out.push(c);
            }
        }
        out
    }

    /// The title without the `中华人民共和国` prefix, e.g. `行政处罚法`.
    pub fn short_title(&self) -> &str {
        short_title(&self.title)
    }
}

/// The title without the `中华人民共和国` prefix.
pub(crate) fn short_title(title: &str) -> &str {
    title.strip_prefix("中华人民共和国").unwrap_or(title)
}

/// Parses an article label: `第五十八条` → (58, 0), `第十条之一` → (10, 1).
pub fn parse_article_label(label: &str) -> Option<(u32, u32)> {
    let s = label.trim().strip_prefix('第')?;
    let (number, rest) = s.split_once('条')?;
    let number = crate::parse_chinese_number(number)?;
    let suffix = match rest {
        "" => 0,
        _ => crate::parse_chinese_number(rest.strip_prefix('之')?)?,
    };
    Some((number, suffix))
}

/// One article (条).
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Article {
    /// Article number: 第十五条 → 15.
    pub number: u32,
    /// Inserted-article suffix: 第十条之一 → 1; 0 for an ordinary article.
    pub suffix: u32,
    /// Canonical label, e.g. `第十五条` or `第十条之一` (a misspelt source label such as
    /// `笫五十四条` is given here in its correct form and noted in [`Law::warnings`]).
    pub label: String,
    /// Chapter (章) heading, e.g. `第一章 总则` (spaces inside the title removed).
    pub chapter: Option<String>,
    /// Section (节) heading, e.g. `第一节 一般规定`.
    pub section: Option<String>,
    /// The whole article text without its label: paragraphs and items, one per line.
    pub text: String,
    /// Paragraphs (款) with their items (项).
    pub paragraphs: Vec<Paragraph>,
    /// Part (编) heading, e.g. `第一编 总则` (民事诉讼法, 民法典).
    #[serde(default)]
    pub part: Option<String>,
    /// Sub-part (分编) heading, e.g. `第一分编 通则` (民法典).
    #[serde(default)]
    pub subpart: Option<String>,
}

impl Article {
    /// Paragraph (款) `n`, counting from 1 as citations do (第二款 → `paragraph(2)`).
    pub fn paragraph(&self, n: usize) -> Option<&Paragraph> {
        self.paragraphs.get(n.checked_sub(1)?)
    }
}

/// One paragraph (款) of an article.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct Paragraph {
    /// The paragraph's own text (for a paragraph with items, the lead-in before them).
    pub text: String,
    /// Items (项) with their numerals kept, e.g. `（一）警告、通报批评；`. Numbered sub-items
    /// (`1．…`) under an item are listed here too, in order.
    pub items: Vec<String>,
}

impl Paragraph {
    /// Item (项) `n`, counting from 1 as citations do (第三项 → `item(3)`).
    pub fn item(&self, n: usize) -> Option<&str> {
        self.items.get(n.checked_sub(1)?).map(String::as_str)
    }
}

/// A guiding or typical case (案例). Cases have no 第X条 articles; their structure is the `##`
/// headings (基本案情, 裁判要点, 裁判结果 …), kept here as sections.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct GuidingCase {
    /// Title from the `# ` line (often the holding, e.g. `为家庭生活消费需要购买汽车…`).
    pub title: String,
    /// The case name (张莉诉…纠纷案) when the file gives one as a heading with no text of its
    /// own, or when the title itself names the case.
    pub case_name: Option<String>,
    /// Top corpus folder, `案例`.
    pub category: String,
    /// Collection below it, e.g. `消费购物`, `行政协议诉讼`.
    pub subcategory: Option<String>,
    /// Path relative to the corpus root, with `/` separators.
    pub source_file: String,
    /// Text before the first heading, if any.
    pub preamble: Option<String>,
    /// Sections in source order.
    pub sections: Vec<CaseSection>,
}

impl GuidingCase {
    /// The rank of a case: always [`LawLevel::GuidingCase`].
    pub fn level(&self) -> LawLevel {
        LawLevel::GuidingCase
    }

    /// The first section with this heading, e.g. `裁判要点`.
    pub fn section(&self, heading: &str) -> Option<&CaseSection> {
        self.sections.iter().find(|s| s.heading == heading)
    }
}

/// One `##` section of a case.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct CaseSection {
    /// Heading text, e.g. `基本案情`.
    pub heading: String,
    /// Section text, one paragraph per line.
    pub text: String,
}
