//! Typed values of record fields and their validation against the data standard's elements
//! (数据元): required-ness, length, pattern, code set and the identifier check digits.

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone};
use regex::Regex;
use zhifa_domain::standard::{DataType, Element, Standard};
use zhifa_domain::{
    CertificateNumber, ChinaDate, CitizenId, Fen, Invalid, RegionCode, Uscc, check_code,
};

/// Rule cited for checks that come from the exchange format itself.
pub(crate) const RULE: &str = "Zhifa 数据交换格式 v1";

/// Rule cited for element-level checks (length, pattern, required-ness).
const ELEMENT_RULE: &str = "Zhifa 数据标准 ZF-1.0";

/// How many values a field holds (for the schema and the CSV profile).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Exactly one value; the field is required (必填).
    One,
    /// Zero or one value (选填).
    Optional,
    /// One or more values, `;`-separated in the CSV profile (多值).
    List,
}

/// The value representation of a field in Rust, checked against the element's
/// [`DataType`] by the tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Text, code or identifier: a string.
    Text,
    /// Calendar date.
    Date,
    /// Instant with offset.
    DateTime,
    /// Money in fen.
    Money,
    /// Integer.
    Integer,
    /// Boolean.
    Boolean,
}

impl Kind {
    /// Whether an element of `data_type` may be represented by this kind.
    pub fn fits(self, data_type: DataType) -> bool {
        matches!(
            (self, data_type),
            (
                Kind::Text,
                DataType::Text | DataType::Code | DataType::Identifier
            ) | (Kind::Date, DataType::Date)
                | (Kind::DateTime, DataType::DateTime)
                | (Kind::Money, DataType::MoneyFen)
                | (Kind::Integer, DataType::Integer)
                | (Kind::Boolean, DataType::Boolean)
        )
    }
}

/// The separator of multi-valued fields in the standard profiles.
pub const LIST_SEPARATOR: char = ';';

/// A Rust type that holds the value of one record field.
pub trait FieldValue: Sized {
    /// Required, optional or list.
    const SHAPE: Shape;
    /// Value representation.
    const KIND: Kind;
    /// Builds the value from its normalised text (`None` or empty: absent), validating it
    /// against `element`.
    fn from_cell(cell: Option<&str>, element: &Element) -> Result<Self, Invalid>;
    /// The value in the CSV profile (empty when absent).
    fn to_cell(&self) -> String;
}

/// A single value of a field.
trait Scalar: Sized {
    const KIND: Kind;
    fn parse(s: &str, element: &Element) -> Result<Self, Invalid>;
    fn render(&self) -> String;
}

fn required(element: &Element) -> Invalid {
    Invalid::new(
        "element.required",
        ELEMENT_RULE,
        format!("缺少必填数据元“{}”（{}）", element.name_zh, element.id),
    )
}

fn compiled_patterns() -> &'static HashMap<String, Regex> {
    static PATTERNS: OnceLock<HashMap<String, Regex>> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        Standard::builtin()
            .elements
            .iter()
            .filter_map(|e| {
                let p = e.pattern.as_deref()?;
                let re = Regex::new(p).unwrap_or_else(|err| {
                    panic!("pattern of data element {} is invalid: {err}", e.id)
                });
                Some((e.id.clone(), re))
            })
            .collect()
    })
}

/// Checks the identifier's own rule (check digits, region table) when the element is one of
/// the standard identifiers, and returns the normalised value.
fn check_identifier(element: &Element, s: &str) -> Result<String, Invalid> {
    let id = element.id.as_str();
    if id.ends_with("uscc") {
        return Uscc::parse(s).map(String::from);
    }
    if id.ends_with("citizen_id") {
        return CitizenId::parse(s).map(|c| c.as_str().to_string());
    }
    if id.ends_with("cert_no") || id.ends_with("cert_nos") {
        return CertificateNumber::parse(s).map(String::from);
    }
    if id.ends_with("region_code") {
        return RegionCode::parse(s).map(String::from);
    }
    Ok(s.to_string())
}

/// Validates one text value (text, code or identifier element) and returns it normalised.
/// The pattern is not checked here for list elements (it applies to the joined value).
fn check_text(s: &str, element: &Element, check_pattern: bool) -> Result<String, Invalid> {
    let value = check_identifier(element, s)?;
    if let Some(max) = element.max_len {
        let len = value.chars().count();
        if len > max as usize {
            return Err(Invalid::new(
                "element.max_len",
                ELEMENT_RULE,
                format!(
                    "数据元“{}”（{}）最长 {max} 个字符，实为 {len} 个",
                    element.name_zh, element.id
                ),
            ));
        }
    }
    if let Some(set) = element.code_set.as_deref() {
        check_code(set, &value)?;
    }
    if check_pattern
        && let Some(re) = compiled_patterns().get(&element.id)
        && !re.is_match(&value)
    {
        return Err(pattern_error(element, &value));
    }
    Ok(value)
}

fn pattern_error(element: &Element, value: &str) -> Invalid {
    Invalid::new(
        "element.pattern",
        ELEMENT_RULE,
        format!(
            "数据元“{}”（{}）的值“{value}”不符合格式 {}",
            element.name_zh,
            element.id,
            element.pattern.as_deref().unwrap_or_default()
        ),
    )
}

impl Scalar for String {
    const KIND: Kind = Kind::Text;
    fn parse(s: &str, element: &Element) -> Result<Self, Invalid> {
        check_text(s, element, true)
    }
    fn render(&self) -> String {
        self.clone()
    }
}

impl Scalar for NaiveDate {
    const KIND: Kind = Kind::Date;
    fn parse(s: &str, _: &Element) -> Result<Self, Invalid> {
        ChinaDate::parse(s).map(ChinaDate::date)
    }
    fn render(&self) -> String {
        self.format("%Y-%m-%d").to_string()
    }
}

/// Parses an instant: RFC 3339 (`2025-03-12T09:30:00+08:00`), or a local China time
/// `2025-03-12 09:30[:00]` / `2025-03-12T09:30[:00]`.
pub fn parse_date_time(s: &str) -> Result<DateTime<FixedOffset>, Invalid> {
    let t = s.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Ok(dt);
    }
    let local = [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok());
    local
        .and_then(|l| zhifa_domain::time::china_offset().from_local_datetime(&l).single())
        .ok_or_else(|| {
            Invalid::new(
                "datetime.format",
                "GB/T 7408-2005",
                format!(
                    "时间“{t}”格式错误或不存在：应为 2025-03-12T09:30:00+08:00 或 2025-03-12 09:30（北京时间）"
                ),
            )
        })
}

impl Scalar for DateTime<FixedOffset> {
    const KIND: Kind = Kind::DateTime;
    fn parse(s: &str, _: &Element) -> Result<Self, Invalid> {
        parse_date_time(s)
    }
    fn render(&self) -> String {
        self.to_rfc3339()
    }
}

impl Scalar for Fen {
    const KIND: Kind = Kind::Money;
    fn parse(s: &str, element: &Element) -> Result<Self, Invalid> {
        let t = s.trim();
        let n: i64 = t
            .parse()
            .ok()
            .filter(|_| t.bytes().all(|b| b.is_ascii_digit() || b == b'-'))
            .ok_or_else(|| {
                Invalid::new(
                    "money.format",
                    ELEMENT_RULE,
                    format!(
                        "数据元“{}”（{}）应为以分计的整数，实为“{t}”；以元或万元表示的金额请在映射中声明 amount",
                        element.name_zh, element.id
                    ),
                )
            })?;
        Fen::new(n)
    }
    fn render(&self) -> String {
        self.value().to_string()
    }
}

impl Scalar for i64 {
    const KIND: Kind = Kind::Integer;
    fn parse(s: &str, element: &Element) -> Result<Self, Invalid> {
        s.trim().parse().map_err(|_| {
            Invalid::new(
                "integer.format",
                ELEMENT_RULE,
                format!(
                    "数据元“{}”（{}）应为整数，实为“{}”",
                    element.name_zh,
                    element.id,
                    s.trim()
                ),
            )
        })
    }
    fn render(&self) -> String {
        self.to_string()
    }
}

impl Scalar for bool {
    const KIND: Kind = Kind::Boolean;
    fn parse(s: &str, element: &Element) -> Result<Self, Invalid> {
        match s.trim() {
            "true" => Ok(true),
            "false" => Ok(false),
            other => Err(Invalid::new(
                "boolean.format",
                ELEMENT_RULE,
                format!(
                    "数据元“{}”（{}）应为 true 或 false，实为“{other}”；其他写法请在映射中声明 boolean",
                    element.name_zh, element.id
                ),
            )),
        }
    }
    fn render(&self) -> String {
        self.to_string()
    }
}

fn present(cell: Option<&str>) -> Option<&str> {
    cell.map(str::trim).filter(|s| !s.is_empty())
}

macro_rules! field_value_impls {
    ($($t:ty),*) => {$(
        impl FieldValue for $t {
            const SHAPE: Shape = Shape::One;
            const KIND: Kind = <$t as Scalar>::KIND;
            fn from_cell(cell: Option<&str>, element: &Element) -> Result<Self, Invalid> {
                let s = present(cell).ok_or_else(|| required(element))?;
                <$t as Scalar>::parse(s, element)
            }
            fn to_cell(&self) -> String {
                self.render()
            }
        }

        impl FieldValue for Option<$t> {
            const SHAPE: Shape = Shape::Optional;
            const KIND: Kind = <$t as Scalar>::KIND;
            fn from_cell(cell: Option<&str>, element: &Element) -> Result<Self, Invalid> {
                present(cell).map(|s| <$t as Scalar>::parse(s, element)).transpose()
            }
            fn to_cell(&self) -> String {
                self.as_ref().map(Scalar::render).unwrap_or_default()
            }
        }
    )*};
}

field_value_impls!(String, NaiveDate, DateTime<FixedOffset>, Fen, i64, bool);

impl FieldValue for Vec<String> {
    const SHAPE: Shape = Shape::List;
    const KIND: Kind = Kind::Text;
    fn from_cell(cell: Option<&str>, element: &Element) -> Result<Self, Invalid> {
        let s = present(cell).ok_or_else(|| required(element))?;
        let items = s
            .split(LIST_SEPARATOR)
            .map(str::trim)
            .filter(|i| !i.is_empty())
            .map(|i| check_text(i, element, false))
            .collect::<Result<Vec<_>, _>>()?;
        if items.is_empty() {
            return Err(required(element));
        }
        if element.id.ends_with("officer_cert_nos") && items.len() < 2 {
            return Err(Invalid::new(
                "officers.too_few",
                "APL Art. 42",
                format!(
                    "执法人员不得少于两人（行政处罚法第四十二条），实为 {} 人：{}",
                    items.len(),
                    items.join("、")
                ),
            ));
        }
        if let Some(re) = compiled_patterns().get(&element.id) {
            let joined = items.join(";");
            if !re.is_match(&joined) {
                return Err(pattern_error(element, &joined));
            }
        }
        Ok(items)
    }
    fn to_cell(&self) -> String {
        self.join(";")
    }
}

/// Masks personal identity numbers in reports: the first 6 and last 4 characters stay.
pub(crate) fn mask_personal(element: &str, value: &str) -> String {
    let personal = element.ends_with("citizen_id") || element.ends_with("id_number");
    let n = value.chars().count();
    if !personal || n < 11 {
        return value.to_string();
    }
    value
        .chars()
        .enumerate()
        .map(|(i, c)| if i < 6 || i >= n - 4 { c } else { '*' })
        .collect()
}
