//! The TOML form of a mapping file (映射文件), as documented in `docs/exchange-mapping.md`.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::read::{Encoding, SourceFormat};

/// One value or a list of values.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<T> OneOrMany<T> {
    pub(crate) fn into_vec(self) -> Vec<T> {
        match self {
            OneOrMany::One(t) => vec![t],
            OneOrMany::Many(v) => v,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MappingToml {
    pub mapping_version: Option<u32>,
    pub standard: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub record_type: String,
    pub source_system: String,
    pub input: InputToml,
    #[serde(default)]
    pub options: OptionsToml,
    pub source_id: RuleToml,
    #[serde(default)]
    pub skip: Vec<SkipToml>,
    #[serde(default)]
    pub codes: BTreeMap<String, BTreeMap<String, String>>,
    #[serde(default)]
    pub fields: BTreeMap<String, OneOrMany<RuleToml>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct InputToml {
    pub format: SourceFormat,
    #[serde(default)]
    pub encoding: Encoding,
    pub delimiter: Option<String>,
    pub header_row: Option<u32>,
    pub sheet: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct OptionsToml {
    pub pivot_year: Option<u32>,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Unmapped {
    Reject,
    Keep,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub(crate) enum AmountUnit {
    Yuan,
    WanYuan,
    Fen,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SplitToml {
    pub separator: String,
    #[serde(default)]
    pub index: i64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BooleanToml {
    #[serde(rename = "true")]
    pub yes: Vec<String>,
    #[serde(rename = "false")]
    pub no: Vec<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleToml {
    pub column: Option<String>,
    pub columns: Option<Vec<String>>,
    pub join: Option<String>,
    pub value: Option<String>,
    pub template: Option<String>,
    pub when: Option<OneOrMany<ConditionToml>>,
    pub split: Option<SplitToml>,
    pub extract: Option<String>,
    pub replace: Option<Vec<(String, String)>>,
    pub items: Option<String>,
    pub codes: Option<String>,
    pub map: Option<BTreeMap<String, String>>,
    pub unmapped: Option<Unmapped>,
    pub upper: Option<bool>,
    pub default: Option<String>,
    pub date: Option<OneOrMany<String>>,
    pub datetime: Option<OneOrMany<String>>,
    pub pivot_year: Option<u32>,
    pub amount: Option<AmountUnit>,
    pub boolean: Option<BooleanToml>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConditionToml {
    pub column: String,
    pub equals: Option<String>,
    pub not_equals: Option<String>,
    #[serde(rename = "in")]
    pub any_of: Option<Vec<String>>,
    pub not_in: Option<Vec<String>>,
    pub empty: Option<bool>,
    pub matches: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SkipToml {
    pub when: OneOrMany<ConditionToml>,
    pub reason: String,
}
