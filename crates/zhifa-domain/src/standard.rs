//! The Zhifa data standard ZF-1.0 (数据元和代码集, feature F1): data elements grouped in
//! classes, and code sets. The standard is data (`standard/zhifa-standard.toml`), compiled in
//! and parsed once; the JSON schema exports, validation reports and published documentation
//! are generated from it, and every code check in Zhifa goes through [`check_code`].

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::Invalid;

mod markdown;

/// The standard's source text.
const STANDARD_TOML: &str = include_str!("../standard/zhifa-standard.toml");

/// Rule cited when a code set has no basis of its own.
const DEFAULT_RULE: &str = "Zhifa 数据标准 ZF-1.0";

/// The data standard: classes, elements and code sets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standard {
    /// Identifier, e.g. `ZF-1.0`.
    pub id: String,
    /// Version, e.g. `1.0`.
    pub version: String,
    /// Title (Chinese and English).
    pub title: String,
    /// Element classes (组织机构, 人员 …).
    pub classes: Vec<ElementClass>,
    /// Data elements (数据元).
    pub elements: Vec<Element>,
    /// Code sets (代码集).
    pub code_sets: Vec<CodeSet>,
}

/// A class of data elements (数据元类别).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElementClass {
    /// Identifier, e.g. `org`.
    pub id: String,
    /// Chinese name, e.g. `组织机构`.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
}

/// The representation of a data element's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataType {
    /// Free text (字符型).
    Text,
    /// A code of a code set (代码型).
    Code,
    /// An identifier with a format and often a check character (标识符).
    Identifier,
    /// Calendar date `YYYY-MM-DD` in China time (日期型).
    Date,
    /// Instant, RFC 3339 with offset (日期时间型).
    DateTime,
    /// Integer (整数型).
    Integer,
    /// Amount of money in fen 分, a non-negative integer (金额型).
    MoneyFen,
    /// Boolean (布尔型).
    Boolean,
}

impl DataType {
    /// Chinese name of the type (字符型 …).
    pub fn zh(&self) -> &'static str {
        match self {
            DataType::Text => "字符型",
            DataType::Code => "代码型",
            DataType::Identifier => "标识符",
            DataType::Date => "日期型",
            DataType::DateTime => "日期时间型",
            DataType::Integer => "整数型",
            DataType::MoneyFen => "金额型（分）",
            DataType::Boolean => "布尔型",
        }
    }

    /// The serialised name (`text`, `money_fen` …).
    pub fn as_str(&self) -> &'static str {
        match self {
            DataType::Text => "text",
            DataType::Code => "code",
            DataType::Identifier => "identifier",
            DataType::Date => "date",
            DataType::DateTime => "date_time",
            DataType::Integer => "integer",
            DataType::MoneyFen => "money_fen",
            DataType::Boolean => "boolean",
        }
    }
}

/// A data element (数据元).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Element {
    /// Identifier `<class>.<name>`, e.g. `org.uscc`.
    pub id: String,
    /// Class id, e.g. `org`.
    pub class: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Value representation.
    pub data_type: DataType,
    /// Regular expression the whole value matches, for identifiers and formatted text.
    #[serde(default)]
    pub pattern: Option<String>,
    /// Maximum length in characters.
    #[serde(default)]
    pub max_len: Option<u32>,
    /// Code set id, for `code` elements.
    #[serde(default)]
    pub code_set: Option<String>,
    /// Whether the element is mandatory in its record.
    #[serde(default)]
    pub required: bool,
    /// Version of the standard that introduced the element.
    pub since: String,
    /// Description (Chinese).
    pub description: String,
    /// Standard or article the element comes from.
    #[serde(default)]
    pub basis: Option<String>,
}

/// A code set (代码集).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeSet {
    /// Identifier, e.g. `penalty_type`.
    pub id: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Standard or article the codes come from.
    #[serde(default)]
    pub basis: Option<String>,
    /// Version of the standard that introduced the set.
    pub since: String,
    /// The codes, in display order.
    pub codes: Vec<Code>,
}

/// One code of a code set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Code {
    /// The code value, e.g. `03`.
    pub code: String,
    /// Chinese name, e.g. `罚款`.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Note, e.g. the article the code comes from.
    #[serde(default)]
    pub note: Option<String>,
}

impl Standard {
    /// The built-in standard (ZF-1.0), parsed once from `standard/zhifa-standard.toml`.
    pub fn builtin() -> &'static Standard {
        static STANDARD: OnceLock<Standard> = OnceLock::new();
        STANDARD.get_or_init(|| {
            toml::from_str(STANDARD_TOML)
                .unwrap_or_else(|e| panic!("standard/zhifa-standard.toml is invalid: {e}"))
        })
    }

    /// The code set with this id.
    pub fn code_set(&self, id: &str) -> Option<&CodeSet> {
        self.code_sets.iter().find(|s| s.id == id)
    }

    /// The element with this id.
    pub fn element(&self, id: &str) -> Option<&Element> {
        self.elements.iter().find(|e| e.id == id)
    }

    /// The elements of one class, in file order.
    pub fn elements_of(&self, class: &str) -> impl Iterator<Item = &Element> {
        self.elements.iter().filter(move |e| e.class == class)
    }

    /// The whole standard as pretty-printed JSON (the published machine-readable form).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self)
            .unwrap_or_else(|e| unreachable!("standard serialises: {e}"))
    }

    /// The standard as a Chinese/English Markdown document: classes, one element table per
    /// class, and every code set with its basis.
    pub fn to_markdown(&self) -> String {
        markdown::render(self)
    }
}

impl CodeSet {
    /// Whether `code` is a code of this set (exact match).
    pub fn contains(&self, code: &str) -> bool {
        self.codes.iter().any(|c| c.code == code)
    }

    /// Chinese name of a code.
    pub fn name_of(&self, code: &str) -> Option<&str> {
        self.codes
            .iter()
            .find(|c| c.code == code)
            .map(|c| c.name_zh.as_str())
    }

    /// `01 市场监管、02 生态环境、…`: the allowed values for messages.
    pub fn describe_codes(&self) -> String {
        self.codes
            .iter()
            .map(|c| format!("{} {}", c.code, c.name_zh))
            .collect::<Vec<_>>()
            .join("、")
    }
}

/// Checks that `code` belongs to the built-in code set `set_id`. The error (`code.unknown`)
/// lists the allowed values with their names and cites the set's basis (or ZF-1.0); an unknown
/// set id is `code.set_unknown`.
pub fn check_code(set_id: &str, code: &str) -> Result<(), Invalid> {
    let Some(set) = Standard::builtin().code_set(set_id) else {
        return Err(Invalid::new(
            "code.set_unknown",
            DEFAULT_RULE,
            format!("代码集“{set_id}”不存在于 Zhifa 数据标准 ZF-1.0"),
        ));
    };
    if set.contains(code) {
        return Ok(());
    }
    Err(Invalid::new(
        "code.unknown",
        set.basis.as_deref().unwrap_or(DEFAULT_RULE),
        format!(
            "代码“{code}”不属于代码集“{}”（{}），允许的值：{}",
            set.name_zh,
            set.id,
            set.describe_codes()
        ),
    ))
}

#[cfg(test)]
mod tests;
