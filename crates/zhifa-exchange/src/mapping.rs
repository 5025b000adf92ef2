//! The declarative mapping engine (映射引擎): a TOML mapping file turns each row of a
//! department system's export into a record of the standard exchange format, or into a list
//! of rejections naming line, column, element and rule.
//!
//! The file format is documented in `docs/exchange-mapping.md`.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::Path;
use std::sync::Arc;

use chrono::format::{Item, Parsed, StrftimeItems};
use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeZone};
use regex::Regex;
use serde::Serialize;
use zhifa_domain::{Fen, Invalid};

use crate::error::{MappingError, ReadError};
use crate::format::{FieldDef, RecordType, StandardRecord, Version};
use crate::read::{self, CellProblem, Encoding, ReadOptions, Rows, SourceFormat, SourceRow};
use crate::value::{Kind, LIST_SEPARATOR, Shape, mask_personal, parse_date_time};

mod toml;

use self::toml::{AmountUnit, ConditionToml, MappingToml, OneOrMany, RuleToml, Unmapped};

/// Default pivot for two-digit years: `00`–`49` → 2000–2049, `50`–`99` → 1950–1999.
pub const DEFAULT_PIVOT_YEAR: u32 = 50;

/// One rejected value of a row (驳回原因): where it is, what it is, which rule it breaks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Rejection {
    /// 1-based line (CSV, JSON Lines) or Excel row number.
    pub line: u64,
    /// Source column(s) the value came from (`*` for the whole row).
    pub column: String,
    /// Field of the standard record (empty for problems of the row itself).
    pub field: String,
    /// Data element id of ZF-1.0 (empty for problems of the row itself).
    pub element: String,
    /// Stable machine code, e.g. `uscc.check_char`, `mapping.code_unmapped`.
    pub code: String,
    /// The standard, article or file the rule comes from.
    pub rule: String,
    /// The offending value (personal identity numbers masked).
    pub value: String,
    /// Chinese message.
    pub message: String,
}

/// What became of one source row.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// A valid standard record (通过).
    Accepted(Box<StandardRecord>),
    /// Rejected, with every problem found (驳回).
    Rejected(Vec<Rejection>),
    /// Skipped by a `[[skip]]` condition of the mapping, with its reason (跳过).
    Skipped(String),
}

/// One source row after mapping.
#[derive(Clone, Debug, PartialEq)]
pub struct MappedRow {
    /// 1-based line (CSV, JSON Lines) or Excel row number.
    pub line: u64,
    /// The row's id in the source system, when it could be determined.
    pub source_id: Option<String>,
    /// Accepted, rejected or skipped.
    pub outcome: Outcome,
}

/// A compiled mapping (映射).
#[derive(Clone, Debug)]
pub struct Mapping {
    name: String,
    description: Option<String>,
    record_type: RecordType,
    version: Version,
    source_system: Rule,
    read: ReadOptions,
    columns: Vec<String>,
    source_id: Rule,
    skips: Vec<Skip>,
    /// Alternatives per field of the record type, in field order.
    fields: Vec<Vec<Rule>>,
}

#[derive(Clone, Debug)]
struct Skip {
    when: Vec<Condition>,
    reason: String,
}

#[derive(Clone, Debug)]
enum Test {
    Equals(String),
    NotEquals(String),
    In(Vec<String>),
    NotIn(Vec<String>),
    Empty(bool),
    Matches(Regex),
}

#[derive(Clone, Debug)]
struct Condition {
    column: usize,
    tests: Vec<Test>,
}

#[derive(Clone, Debug)]
enum Part {
    Text(String),
    Column(usize),
}

#[derive(Clone, Debug)]
enum Source {
    Column(usize),
    Columns(Vec<usize>, String),
    Value(String),
    Template(Vec<Part>),
}

/// A date or time format of the mapping, parsed once.
#[derive(Clone, Debug)]
struct DateFormat {
    text: String,
    items: Vec<Item<'static>>,
}

impl DateFormat {
    /// Parses `value` with this format; `None` when it does not fit.
    fn parse(&self, value: &str) -> Option<Parsed> {
        let mut parsed = Parsed::new();
        chrono::format::parse(&mut parsed, value, self.items.iter()).ok()?;
        Some(parsed)
    }
}

#[derive(Clone, Debug)]
enum Convert {
    None,
    Date(Vec<DateFormat>, u32),
    DateTime(Vec<DateFormat>, u32),
    Amount(AmountUnit),
    Boolean(Vec<String>, Vec<String>),
}

#[derive(Clone, Debug)]
struct Translate {
    table: Arc<BTreeMap<String, String>>,
    name: String,
    keep: bool,
}

#[derive(Clone, Debug)]
struct Rule {
    when: Vec<Condition>,
    source: Source,
    /// Source column(s) for reports.
    label: String,
    split: Option<(String, i64)>,
    extract: Option<Regex>,
    replace: Vec<(String, String)>,
    items: Option<String>,
    translate: Option<Translate>,
    upper: bool,
    default: Option<String>,
    convert: Convert,
}

/// Collects the columns a mapping reads, in order of first use.
#[derive(Default)]
struct Columns(Vec<String>);

impl Columns {
    fn id(&mut self, name: &str) -> usize {
        let name = name.trim();
        match self.0.iter().position(|c| c == name) {
            Some(i) => i,
            None => {
                self.0.push(name.to_string());
                self.0.len() - 1
            }
        }
    }
}

fn err(code: &'static str, key: &str, message: impl Into<String>) -> MappingError {
    MappingError::new(code, Some(key), message)
}

fn compile_regex(key: &str, pattern: &str) -> Result<Regex, MappingError> {
    Regex::new(pattern).map_err(|e| {
        err(
            "mapping.regex",
            key,
            format!("正则表达式“{pattern}”无效：{e}"),
        )
    })
}

fn compile_conditions(
    key: &str,
    when: Option<OneOrMany<ConditionToml>>,
    columns: &mut Columns,
) -> Result<Vec<Condition>, MappingError> {
    let mut out = Vec::new();
    for c in when.map(OneOrMany::into_vec).unwrap_or_default() {
        let mut tests = Vec::new();
        if let Some(v) = c.equals {
            tests.push(Test::Equals(v));
        }
        if let Some(v) = c.not_equals {
            tests.push(Test::NotEquals(v));
        }
        if let Some(v) = c.any_of {
            tests.push(Test::In(v));
        }
        if let Some(v) = c.not_in {
            tests.push(Test::NotIn(v));
        }
        if let Some(v) = c.empty {
            tests.push(Test::Empty(v));
        }
        if let Some(p) = c.matches {
            tests.push(Test::Matches(compile_regex(key, &p)?));
        }
        if tests.is_empty() {
            return Err(err(
                "mapping.condition_empty",
                key,
                format!(
                    "条件（when）须至少有 equals、not_equals、in、not_in、empty、matches 之一：列“{}”",
                    c.column
                ),
            ));
        }
        out.push(Condition {
            column: columns.id(&c.column),
            tests,
        });
    }
    Ok(out)
}

/// Parses a chrono format string once; `%y` (two-digit year) is allowed and pivoted.
fn date_format(key: &str, f: &str) -> Result<DateFormat, MappingError> {
    let invalid = || {
        err(
            "mapping.date_format",
            key,
            format!("日期格式“{f}”无效：请使用 %Y（四位年）、%y（两位年）、%m、%d、%H、%M、%S 等"),
        )
    };
    if StrftimeItems::new(f).any(|i| matches!(i, Item::Error)) {
        return Err(invalid());
    }
    let items = StrftimeItems::new(f)
        .parse_to_owned()
        .map_err(|_| invalid())?;
    Ok(DateFormat {
        text: f.to_string(),
        items,
    })
}

fn date_formats(key: &str, formats: OneOrMany<String>) -> Result<Vec<DateFormat>, MappingError> {
    formats
        .into_vec()
        .iter()
        .map(|f| date_format(key, f))
        .collect()
}

fn compile_template(key: &str, t: &str, columns: &mut Columns) -> Result<Vec<Part>, MappingError> {
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut chars = t.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                text.push('}');
            }
            '{' => {
                let mut name = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(ch) => name.push(ch),
                        None => {
                            return Err(err(
                                "mapping.template",
                                key,
                                format!("模板“{t}”中的“{{”没有对应的“}}”"),
                            ));
                        }
                    }
                }
                if !text.is_empty() {
                    parts.push(Part::Text(std::mem::take(&mut text)));
                }
                parts.push(Part::Column(columns.id(&name)));
            }
            '}' => {
                return Err(err(
                    "mapping.template",
                    key,
                    format!("模板“{t}”中有多余的“}}”（字面的花括号请写作 {{{{ 或 }}}}）"),
                ));
            }
            other => text.push(other),
        }
    }
    if !text.is_empty() {
        parts.push(Part::Text(text));
    }
    Ok(parts)
}

struct Context<'a> {
    codes: &'a BTreeMap<String, Arc<BTreeMap<String, String>>>,
    pivot: u32,
}

fn compile_rule(
    key: &str,
    rule: RuleToml,
    field: Option<&FieldDef>,
    ctx: &Context<'_>,
    columns: &mut Columns,
) -> Result<Rule, MappingError> {
    let sources = [
        rule.column.is_some(),
        rule.columns.is_some(),
        rule.value.is_some(),
        rule.template.is_some(),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if sources != 1 {
        return Err(err(
            "mapping.source_count",
            key,
            "须且只能声明一个取值来源：column、columns、value 或 template",
        ));
    }
    let when = compile_conditions(key, rule.when, columns)?;
    let (source, label) = if let Some(c) = rule.column {
        let label = c.trim().to_string();
        (Source::Column(columns.id(&c)), label)
    } else if let Some(cs) = rule.columns {
        if cs.is_empty() {
            return Err(err("mapping.source_count", key, "columns 不能为空"));
        }
        let label = cs.join("+");
        let ids = cs.iter().map(|c| columns.id(c)).collect();
        let join = rule.join.unwrap_or_else(|| LIST_SEPARATOR.to_string());
        (Source::Columns(ids, join), label)
    } else if let Some(t) = rule.template {
        let parts = compile_template(key, &t, columns)?;
        let label = parts
            .iter()
            .filter_map(|p| match p {
                Part::Column(i) => Some(columns.0[*i].clone()),
                Part::Text(_) => None,
            })
            .collect::<Vec<_>>()
            .join("+");
        (Source::Template(parts), label)
    } else {
        (Source::Value(rule.value.unwrap_or_default()), String::new())
    };
    let extract = match rule.extract {
        Some(p) => {
            let re = compile_regex(key, &p)?;
            if re.captures_len() < 2 {
                return Err(err(
                    "mapping.extract",
                    key,
                    format!("extract 正则“{p}”须含一个捕获组 (…)，取其内容"),
                ));
            }
            Some(re)
        }
        None => None,
    };
    let translate = match (rule.codes, rule.map) {
        (Some(_), Some(_)) => {
            return Err(err(
                "mapping.translate_twice",
                key,
                "codes（引用代码对照表）与 map（内联对照表）只能声明一个",
            ));
        }
        (Some(name), None) => {
            let table = ctx.codes.get(&name).cloned().ok_or_else(|| {
                err(
                    "mapping.codes_unknown",
                    key,
                    format!(
                        "代码对照表“{name}”未在 [codes] 中定义；已定义：{}",
                        ctx.codes.keys().cloned().collect::<Vec<_>>().join("、")
                    ),
                )
            })?;
            Some(Translate {
                table,
                name,
                keep: rule.unmapped == Some(Unmapped::Keep),
            })
        }
        (None, Some(map)) => Some(Translate {
            table: Arc::new(map),
            name: key.to_string(),
            keep: rule.unmapped == Some(Unmapped::Keep),
        }),
        (None, None) => None,
    };
    let pivot = rule.pivot_year.unwrap_or(ctx.pivot);
    if pivot > 99 {
        return Err(err(
            "mapping.pivot_year",
            key,
            format!("pivot_year 应为 0–99，实为 {pivot}"),
        ));
    }
    let kind = field.map(|f| f.kind);
    let wrong_kind = |what: &str, expected: &str| {
        err(
            "mapping.conversion_kind",
            key,
            format!("{what} 只能用于{expected}字段"),
        )
    };
    let declared = [
        rule.date.is_some(),
        rule.datetime.is_some(),
        rule.amount.is_some(),
        rule.boolean.is_some(),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if declared > 1 {
        return Err(err(
            "mapping.conversion_count",
            key,
            "date、datetime、amount、boolean 只能声明一个",
        ));
    }
    let convert = if let Some(formats) = rule.date {
        if kind != Some(Kind::Date) {
            return Err(wrong_kind("date", "日期型"));
        }
        Convert::Date(date_formats(key, formats)?, pivot)
    } else if let Some(formats) = rule.datetime {
        if kind != Some(Kind::DateTime) {
            return Err(wrong_kind("datetime", "日期时间型"));
        }
        Convert::DateTime(date_formats(key, formats)?, pivot)
    } else if let Some(unit) = rule.amount {
        if kind != Some(Kind::Money) {
            return Err(wrong_kind("amount", "金额型"));
        }
        Convert::Amount(unit)
    } else if let Some(b) = rule.boolean {
        if kind != Some(Kind::Boolean) {
            return Err(wrong_kind("boolean", "布尔型"));
        }
        Convert::Boolean(b.yes, b.no)
    } else {
        Convert::None
    };
    let is_list = field.is_some_and(|f| f.shape == Shape::List);
    let items = match (rule.items, is_list) {
        (Some(sep), true) if !sep.is_empty() => Some(sep),
        (Some(_), _) => {
            return Err(err(
                "mapping.items",
                key,
                "items（多值分隔符）只能用于多值字段，且不能为空",
            ));
        }
        (None, true) => Some(LIST_SEPARATOR.to_string()),
        (None, false) => None,
    };
    Ok(Rule {
        when,
        source,
        label,
        split: rule.split.map(|s| (s.separator, s.index)),
        extract,
        replace: rule.replace.unwrap_or_default(),
        items,
        translate,
        upper: rule.upper.unwrap_or(false),
        default: rule.default,
        convert,
    })
}

impl Mapping {
    /// Parses and compiles a mapping file. Every problem of the file itself (syntax, unknown
    /// keys, record types and fields, a required field without a rule, a bad date format or
    /// regular expression, a GBK delimiter that could split characters) is a
    /// [`MappingError`] here, before any row is read.
    pub fn from_toml(text: &str) -> Result<Mapping, MappingError> {
        let file: MappingToml = ::toml::from_str(text).map_err(|e| {
            MappingError::new(
                "mapping.syntax",
                None,
                format!("映射文件不是有效的 TOML 或含有未知的键：{e}"),
            )
        })?;
        if let Some(v) = file.mapping_version
            && v != 1
        {
            return Err(err(
                "mapping.version",
                "mapping_version",
                format!("映射文件格式版本 {v} 不受支持，当前为 1"),
            ));
        }
        let version = match &file.standard {
            Some(s) => Version::parse(s).map_err(|e| err(e.code, "standard", e.message))?,
            None => Version::V1,
        };
        let record_type = RecordType::parse(&file.record_type)
            .map_err(|e| err("mapping.record_type_unknown", "record_type", e.message))?;
        let pivot = file.options.pivot_year.unwrap_or(DEFAULT_PIVOT_YEAR);
        let codes = file
            .codes
            .into_iter()
            .map(|(k, v)| (k, Arc::new(v)))
            .collect();
        let ctx = Context {
            codes: &codes,
            pivot,
        };
        let mut columns = Columns::default();
        let read = read_options(&file.input)?;
        let source_id = compile_rule("source_id", file.source_id, None, &ctx, &mut columns)?;
        let mut skips = Vec::new();
        for (i, s) in file.skip.into_iter().enumerate() {
            let key = format!("skip[{i}]");
            skips.push(Skip {
                when: compile_conditions(&key, Some(s.when), &mut columns)?,
                reason: s.reason,
            });
        }
        let defs = record_type.fields();
        let mut fields: Vec<Vec<Rule>> = vec![Vec::new(); defs.len()];
        for (name, rules) in file.fields {
            let key = format!("fields.{name}");
            let idx = record_type.field_index(&name).ok_or_else(|| {
                err(
                    "mapping.field_unknown",
                    &key,
                    format!(
                        "记录类型 {}（{}）没有字段“{name}”；可用字段：{}",
                        record_type.id(),
                        record_type.name_zh(),
                        defs.iter().map(|f| f.name).collect::<Vec<_>>().join("、")
                    ),
                )
            })?;
            for rule in rules.into_vec() {
                fields[idx].push(compile_rule(
                    &key,
                    rule,
                    Some(&defs[idx]),
                    &ctx,
                    &mut columns,
                )?);
            }
        }
        for (def, rules) in defs.iter().zip(&fields) {
            if def.shape != Shape::Optional && rules.is_empty() {
                return Err(err(
                    "mapping.field_missing",
                    &format!("fields.{}", def.name),
                    format!(
                        "必填字段“{}”（{}，数据元 {}）没有映射规则",
                        def.name,
                        def.element().name_zh,
                        def.element
                    ),
                ));
            }
        }
        Ok(Mapping {
            name: file.name.unwrap_or_else(|| file.source_system.clone()),
            description: file.description,
            record_type,
            version,
            source_system: fixed(file.source_system),
            read,
            columns: columns.0,
            source_id,
            skips,
            fields,
        })
    }

    /// Reads a mapping file from disk.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Mapping, MappingError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| {
            MappingError::new(
                "mapping.io",
                None,
                format!("无法读取映射文件 {}：{e}", path.display()),
            )
        })?;
        Mapping::from_toml(&text)
    }

    /// The identity mapping of the standard profiles: a CSV file with the header of
    /// [`RecordType::csv_header`] (UTF-8, comma) or a JSON Lines file of the standard format,
    /// whose `source_system` and `source_id` come from each row.
    pub fn standard(record_type: RecordType, format: SourceFormat) -> Mapping {
        let mut columns = Columns::default();
        let column_rule = |columns: &mut Columns, name: &str, list: bool| Rule {
            when: Vec::new(),
            source: Source::Column(columns.id(name)),
            label: name.to_string(),
            split: None,
            extract: None,
            replace: Vec::new(),
            items: list.then(|| LIST_SEPARATOR.to_string()),
            translate: None,
            upper: false,
            default: None,
            convert: Convert::None,
        };
        let source_system = column_rule(&mut columns, "source_system", false);
        let source_id = column_rule(&mut columns, "source_id", false);
        let fields = record_type
            .fields()
            .iter()
            .map(|f| vec![column_rule(&mut columns, f.name, f.shape == Shape::List)])
            .collect();
        let mut read = ReadOptions::new(format);
        if format == SourceFormat::Csv {
            read.encoding = Encoding::Utf8;
        }
        Mapping {
            name: format!("标准格式 {}（{}）", record_type.id(), Version::V1.as_str()),
            description: None,
            record_type,
            version: Version::V1,
            source_system,
            read,
            columns: columns.0,
            source_id,
            skips: Vec::new(),
            fields,
        }
    }

    /// The mapping's name (or its source system).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The mapping's description, if it has one.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The record type it produces.
    pub fn record_type(&self) -> RecordType {
        self.record_type
    }

    /// The exchange format version it produces.
    pub fn version(&self) -> Version {
        self.version
    }

    /// How the input is read.
    pub fn read_options(&self) -> &ReadOptions {
        &self.read
    }

    /// The source columns the mapping reads, in order of first use.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// The source column(s) a field's rules read, for reports: the labels of its
    /// alternatives joined with `/` (`A+B` for joined columns); empty when the field has no
    /// rule or does not exist.
    pub fn field_columns(&self, field: &str) -> String {
        let Some(i) = self.record_type.field_index(field) else {
            return String::new();
        };
        let mut labels: Vec<&str> = Vec::new();
        for rule in self.fields.get(i).into_iter().flatten() {
            if !labels.contains(&rule.label.as_str()) {
                labels.push(&rule.label);
            }
        }
        labels.join("/")
    }

    /// Opens a file and maps it row by row.
    pub fn open_path(&self, path: impl AsRef<Path>) -> Result<MappedRows, ReadError> {
        let path = path.as_ref();
        let file = File::open(path).map_err(|e| {
            ReadError::new(
                "io.open",
                format!("无法打开输入文件 {}：{e}", path.display()),
            )
        })?;
        self.open(BufReader::new(file))
    }

    /// Maps a seekable input (a file, a byte buffer) of any format row by row.
    pub fn open<R: Read + Seek + Send + 'static>(&self, input: R) -> Result<MappedRows, ReadError> {
        let rows = read::open(input, &self.read, &self.columns)?;
        Ok(self.rows(rows))
    }

    /// Maps a non-seekable input (a pipe, a request body): CSV and JSON Lines.
    pub fn open_stream<R: Read + Send + 'static>(&self, input: R) -> Result<MappedRows, ReadError> {
        let rows = read::open_stream(input, &self.read, &self.columns)?;
        Ok(self.rows(rows))
    }

    fn rows(&self, rows: Rows) -> MappedRows {
        MappedRows {
            mapping: self.clone(),
            rows,
        }
    }

    /// Maps one source row whose values are aligned with [`Mapping::columns`].
    pub fn map_row(&self, row: SourceRow) -> MappedRow {
        let line = row.line;
        if !row.problems.is_empty() {
            return MappedRow {
                line,
                source_id: None,
                outcome: Outcome::Rejected(
                    row.problems
                        .iter()
                        .map(|p| problem_rejection(line, p))
                        .collect(),
                ),
            };
        }
        let values = &row.values;
        let cell = |i: usize| values.get(i).map(|s| s.trim()).unwrap_or("");
        for skip in &self.skips {
            if skip.when.iter().all(|c| c.holds(cell(c.column))) {
                return MappedRow {
                    line,
                    source_id: self.source_id.eval(values).ok().filter(|s| !s.is_empty()),
                    outcome: Outcome::Skipped(skip.reason.clone()),
                };
            }
        }
        let mut rejections: Vec<Rejection> = Vec::new();
        let reject = |rejections: &mut Vec<Rejection>,
                      label: &str,
                      field: &str,
                      element: &str,
                      e: Invalid,
                      value: &str| {
            rejections.push(Rejection {
                line,
                column: label.to_string(),
                field: field.to_string(),
                element: element.to_string(),
                code: e.code.to_string(),
                rule: e.rule.to_string(),
                value: mask_personal(element, value),
                message: e.message,
            });
        };
        let source_id = match self.source_id.eval(values) {
            Ok(s) if !s.is_empty() => Some(s),
            Ok(_) => {
                reject(
                    &mut rejections,
                    &self.source_id.label,
                    "source_id",
                    "",
                    Invalid::new(
                        "mapping.source_id_missing",
                        crate::value::RULE,
                        "缺少原始标识（source_id）：每条记录须带有来源系统中的标识",
                    ),
                    "",
                );
                None
            }
            Err((e, v)) => {
                reject(
                    &mut rejections,
                    &self.source_id.label,
                    "source_id",
                    "",
                    e,
                    &v,
                );
                None
            }
        };
        let system = self.source_system.eval(values).unwrap_or_default();
        if system.is_empty() {
            reject(
                &mut rejections,
                &self.source_system.label,
                "source_system",
                "",
                Invalid::new(
                    "mapping.source_system_missing",
                    crate::value::RULE,
                    "缺少来源系统（source_system）",
                ),
                "",
            );
        }
        let defs = self.record_type.fields();
        let mut cells: Vec<Option<String>> = vec![None; defs.len()];
        let mut labels: Vec<&str> = vec![""; defs.len()];
        for (i, alternatives) in self.fields.iter().enumerate() {
            let Some(rule) = alternatives
                .iter()
                .find(|r| r.when.iter().all(|c| c.holds(cell(c.column))))
            else {
                continue;
            };
            labels[i] = &rule.label;
            match rule.eval(values) {
                Ok(v) => cells[i] = (!v.is_empty()).then_some(v),
                Err((e, v)) => reject(
                    &mut rejections,
                    &rule.label,
                    defs[i].name,
                    defs[i].element,
                    e,
                    &v,
                ),
            }
        }
        // Validate what did convert, so that one pass lists every problem of the row; a field
        // whose conversion already failed is not reported twice.
        let id = source_id.as_deref().unwrap_or("-");
        match self.record_type.build(&system, id, &cells) {
            Ok(record) if rejections.is_empty() => {
                return MappedRow {
                    line,
                    source_id,
                    outcome: Outcome::Accepted(Box::new(record)),
                };
            }
            Ok(_) => {}
            Err(problems) => {
                for (i, value, e) in problems {
                    if rejections.iter().any(|r| r.field == defs[i].name) {
                        continue;
                    }
                    let v = value.unwrap_or_default();
                    reject(
                        &mut rejections,
                        labels[i],
                        defs[i].name,
                        defs[i].element,
                        e,
                        &v,
                    );
                }
            }
        }
        MappedRow {
            line,
            source_id,
            outcome: Outcome::Rejected(rejections),
        }
    }
}

fn fixed(value: String) -> Rule {
    Rule {
        when: Vec::new(),
        source: Source::Value(value),
        label: String::new(),
        split: None,
        extract: None,
        replace: Vec::new(),
        items: None,
        translate: None,
        upper: false,
        default: None,
        convert: Convert::None,
    }
}

fn read_options(input: &self::toml::InputToml) -> Result<ReadOptions, MappingError> {
    let mut read = ReadOptions::new(input.format);
    read.encoding = input.encoding;
    read.sheet = input.sheet.clone();
    if let Some(h) = input.header_row {
        if h == 0 {
            return Err(err(
                "mapping.header_row",
                "input.header_row",
                "header_row 从 1 起计",
            ));
        }
        read.header_row = h;
    }
    if let Some(d) = &input.delimiter {
        let d = if d == "\\t" { "\t" } else { d.as_str() };
        let [b] = d.as_bytes() else {
            return Err(err(
                "mapping.delimiter",
                "input.delimiter",
                format!("分隔符须为一个 ASCII 字符，实为“{d}”"),
            ));
        };
        if !b.is_ascii() || *b == b'"' || *b == b'\n' || *b == b'\r' {
            return Err(err(
                "mapping.delimiter",
                "input.delimiter",
                format!("分隔符“{d}”不可用：须为引号和换行以外的 ASCII 字符"),
            ));
        }
        if *b >= 0x40 && read.encoding != Encoding::Utf8 {
            return Err(err(
                "mapping.delimiter_gbk",
                "input.delimiter",
                format!(
                    "分隔符“{d}”可能出现在 GBK/GB18030 汉字的第二个字节中：GBK 文件请用逗号、分号或制表符，或声明 encoding = \"utf-8\""
                ),
            ));
        }
        read.delimiter = *b;
    }
    Ok(read)
}

fn problem_rejection(line: u64, p: &CellProblem) -> Rejection {
    let rule = match p.code.split('.').next() {
        Some("csv") => "RFC 4180",
        Some("encoding") => "GB 18030-2022 / RFC 3629",
        Some("jsonl") => "RFC 8259",
        Some("xlsx") => "ECMA-376",
        _ => crate::value::RULE,
    };
    Rejection {
        line,
        column: p.column.clone(),
        field: String::new(),
        element: String::new(),
        code: p.code.to_string(),
        rule: rule.to_string(),
        value: p.value.clone(),
        message: p.message.clone(),
    }
}

impl Condition {
    fn holds(&self, v: &str) -> bool {
        self.tests.iter().all(|t| match t {
            Test::Equals(x) => v == x,
            Test::NotEquals(x) => v != x,
            Test::In(xs) => xs.iter().any(|x| x == v),
            Test::NotIn(xs) => !xs.iter().any(|x| x == v),
            Test::Empty(e) => v.is_empty() == *e,
            Test::Matches(re) => re.is_match(v),
        })
    }
}

/// A rejection raised while converting: the error and the value it concerns.
type EvalError = (Invalid, String);

fn mapping_invalid(code: &'static str, message: String) -> Invalid {
    Invalid::new(code, "映射文件", message)
}

impl Rule {
    fn raw(&self, values: &[String]) -> String {
        let cell = |i: usize| values.get(i).map(String::as_str).unwrap_or("");
        match &self.source {
            Source::Column(i) => cell(*i).trim().to_string(),
            Source::Columns(ids, join) => ids
                .iter()
                .map(|i| cell(*i).trim())
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(join),
            Source::Value(v) => v.clone(),
            Source::Template(parts) => parts
                .iter()
                .map(|p| match p {
                    Part::Text(t) => t.as_str(),
                    Part::Column(i) => cell(*i).trim(),
                })
                .collect::<String>()
                .trim()
                .to_string(),
        }
    }

    /// One value through split, extract, code translation and case.
    fn item(&self, item: &str) -> Result<String, EvalError> {
        let mut v = item.trim().to_string();
        if v.is_empty() {
            return Ok(v);
        }
        if let Some(re) = &self.extract {
            v = re
                .captures(&v)
                .and_then(|c| c.get(1))
                .map(|m| m.as_str().trim().to_string())
                .ok_or_else(|| {
                    (
                        mapping_invalid(
                            "mapping.extract_no_match",
                            format!("值“{v}”不符合映射的提取规则 {}", re.as_str()),
                        ),
                        v.clone(),
                    )
                })?;
        }
        for (from, to) in &self.replace {
            if !from.is_empty() {
                v = v.replace(from.as_str(), to);
            }
        }
        if let Some(t) = &self.translate {
            match t.table.get(&v) {
                Some(code) => v = code.clone(),
                None if t.keep => {}
                None => {
                    let known: Vec<&str> = t.table.keys().map(String::as_str).collect();
                    return Err((
                        mapping_invalid(
                            "mapping.code_unmapped",
                            format!(
                                "代码值“{v}”不在代码对照表“{}”中；对照表中的值：{}",
                                t.name,
                                known.join("、")
                            ),
                        ),
                        v,
                    ));
                }
            }
        }
        if self.upper {
            v = v.to_uppercase();
        }
        Ok(v)
    }

    /// The normalised text of the value for the field (empty when absent).
    fn eval(&self, values: &[String]) -> Result<String, EvalError> {
        let mut v = self.raw(values);
        if let Some((sep, index)) = &self.split {
            let parts: Vec<&str> = v.split(sep.as_str()).collect();
            let i = if *index < 0 {
                usize::try_from(parts.len() as i64 + index).ok()
            } else {
                usize::try_from(*index).ok()
            };
            v = i
                .and_then(|i| parts.get(i))
                .map(|s| s.trim().to_string())
                .unwrap_or_default();
        }
        let v = match &self.items {
            Some(sep) => {
                let items = v
                    .split(sep.as_str())
                    .filter(|s| !s.trim().is_empty())
                    .map(|s| self.item(s))
                    .collect::<Result<Vec<_>, _>>()?;
                items.join(&LIST_SEPARATOR.to_string())
            }
            None => self.item(&v)?,
        };
        if v.is_empty() {
            return Ok(self.default.clone().unwrap_or_default());
        }
        self.convert(v)
    }

    fn convert(&self, v: String) -> Result<String, EvalError> {
        match &self.convert {
            Convert::None => Ok(v),
            Convert::Date(formats, pivot) => parse_date(&v, formats, *pivot)
                .map(|d| d.to_string())
                .ok_or_else(|| {
                    (
                        Invalid::new(
                            "date.format",
                            "GB/T 7408-2005",
                            format!(
                                "日期“{v}”不符合映射声明的格式 {} 或不存在",
                                format_list(formats)
                            ),
                        ),
                        v.clone(),
                    )
                }),
            Convert::DateTime(formats, pivot) => parse_naive_date_time(&v, formats, *pivot)
                .and_then(|t| {
                    zhifa_domain::time::china_offset()
                        .from_local_datetime(&t)
                        .single()
                })
                .map(|t| t.to_rfc3339())
                .or_else(|| parse_date_time(&v).ok().map(|t| t.to_rfc3339()))
                .ok_or_else(|| {
                    (
                        Invalid::new(
                            "datetime.format",
                            "GB/T 7408-2005",
                            format!(
                                "时间“{v}”不符合映射声明的格式 {} 或不存在",
                                format_list(formats)
                            ),
                        ),
                        v.clone(),
                    )
                }),
            Convert::Amount(unit) => {
                let fen = match unit {
                    AmountUnit::Yuan => Fen::parse_yuan(&v),
                    AmountUnit::WanYuan => Fen::parse_wan_yuan(&v),
                    AmountUnit::Fen => parse_fen(&v),
                };
                fen.map(|f| f.value().to_string()).map_err(|e| (e, v))
            }
            Convert::Boolean(yes, no) => {
                if yes.contains(&v) {
                    Ok("true".into())
                } else if no.contains(&v) {
                    Ok("false".into())
                } else {
                    Err((
                        mapping_invalid(
                            "mapping.boolean_unmapped",
                            format!(
                                "值“{v}”既不在“是”的写法（{}）中，也不在“否”的写法（{}）中",
                                yes.join("、"),
                                no.join("、")
                            ),
                        ),
                        v,
                    ))
                }
            }
        }
    }
}

/// An amount already in fen: digits, optionally grouped by thousands, with an optional `分`.
fn parse_fen(s: &str) -> Result<Fen, Invalid> {
    let t = s.trim().trim_end_matches('分').trim();
    // A whole number of fen is a whole number of yuan with two implied decimals.
    let digits: String = t.chars().filter(|c| *c != ',').collect();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
        return Err(Invalid::new(
            "money.format",
            "Zhifa 数据标准 ZF-1.0（金额以分计）",
            format!("金额“{}”格式错误：以分为单位时应为整数", s.trim()),
        ));
    }
    let n: i64 = digits.parse().map_err(|_| {
        Invalid::new(
            "money.overflow",
            "Zhifa 数据标准 ZF-1.0（金额以分计）",
            format!("金额“{}”超出可表示的范围", s.trim()),
        )
    })?;
    Fen::new(n)
}

fn format_list(formats: &[DateFormat]) -> String {
    formats
        .iter()
        .map(|f| f.text.as_str())
        .collect::<Vec<_>>()
        .join(" / ")
}

/// Applies the two-digit-year pivot when the format has `%y`.
fn pivot_year(year: i32, format: &DateFormat, pivot: u32) -> i32 {
    if !format.text.contains("%y") {
        return year;
    }
    let yy = year.rem_euclid(100);
    if (yy as u32) < pivot {
        2000 + yy
    } else {
        1900 + yy
    }
}

fn parse_date(v: &str, formats: &[DateFormat], pivot: u32) -> Option<NaiveDate> {
    for f in formats {
        if let Some(d) = f.parse(v).and_then(|p| p.to_naive_date().ok()) {
            let y = pivot_year(d.year(), f, pivot);
            return NaiveDate::from_ymd_opt(y, d.month(), d.day());
        }
    }
    // XLSX date cells arrive as ISO 8601 whatever the source's display format.
    NaiveDate::parse_from_str(v, "%Y-%m-%d").ok().or_else(|| {
        NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S")
            .ok()
            .map(|t| t.date())
    })
}

fn parse_naive_date_time(v: &str, formats: &[DateFormat], pivot: u32) -> Option<NaiveDateTime> {
    for f in formats {
        let Some(parsed) = f.parse(v) else { continue };
        let time = parsed.to_naive_datetime_with_offset(0).ok().or_else(|| {
            parsed
                .to_naive_date()
                .ok()
                .map(|d| d.and_time(chrono::NaiveTime::MIN))
        });
        if let Some(t) = time {
            let y = pivot_year(t.year(), f, pivot);
            return NaiveDate::from_ymd_opt(y, t.month(), t.day()).map(|d| d.and_time(t.time()));
        }
    }
    NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S").ok()
}

/// The mapped rows of an input, in order. An `Err` item means reading stopped there (the
/// rows before it were read); it is the last item.
pub struct MappedRows {
    mapping: Mapping,
    rows: Rows,
}

impl Iterator for MappedRows {
    type Item = Result<MappedRow, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.rows
            .next()
            .map(|r| r.map(|row| self.mapping.map_row(row)))
    }
}
