//! The standard exchange format v1 (标准交换格式): one record type per kind of base data and
//! enforcement behaviour, each field bound to a data element of the standard ZF-1.0.
//!
//! Every record carries its source system (来源系统) and original id (原始标识) and has a
//! natural key (自然键) by which an import applies it idempotently. The field tables below are
//! the one definition: the serde types, the CSV profile's columns, the JSON Schemas and the
//! validation are all derived from them.

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};
use zhifa_domain::standard::{Element, Standard};
use zhifa_domain::{CitizenId, Fen, Invalid};

use crate::value::{FieldValue, Kind, RULE, Shape};

/// Versions of the exchange format (交换格式版本).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Version {
    /// Version 1, built on the data standard ZF-1.0.
    #[default]
    #[serde(rename = "v1")]
    V1,
}

impl Version {
    /// All versions, oldest first.
    pub const ALL: &'static [Version] = &[Version::V1];

    /// `v1`.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::V1 => "v1",
        }
    }

    /// Parses `v1` (also `1`); `format.version_unknown` otherwise.
    pub fn parse(s: &str) -> Result<Version, Invalid> {
        match s.trim() {
            "v1" | "1" | "V1" => Ok(Version::V1),
            other => Err(Invalid::new(
                "format.version_unknown",
                RULE,
                format!("交换格式版本“{other}”不存在，已发布的版本：v1"),
            )),
        }
    }

    /// The data standard this version is built on.
    pub fn standard_id(self) -> &'static str {
        match self {
            Version::V1 => "ZF-1.0",
        }
    }
}

/// One field of a record type: its name in the profiles and the data element it carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldDef {
    /// Name in the JSON Lines and CSV profiles, e.g. `party_uscc`.
    pub name: &'static str,
    /// Data element id in ZF-1.0, e.g. `object.uscc`.
    pub element: &'static str,
    /// Required, optional or multi-valued.
    pub shape: Shape,
    /// Value representation.
    pub kind: Kind,
}

impl FieldDef {
    /// The data element (the tests guarantee it exists in the built-in standard).
    pub fn element(&self) -> &'static Element {
        static INDEX: OnceLock<HashMap<&'static str, &'static Element>> = OnceLock::new();
        INDEX
            .get_or_init(|| {
                Standard::builtin()
                    .elements
                    .iter()
                    .map(|e| (e.id.as_str(), e))
                    .collect()
            })
            .get(self.element)
            .copied()
            .unwrap_or_else(|| panic!("data element {} is not in ZF-1.0", self.element))
    }
}

/// The envelope fields every record carries before its own fields.
pub const ENVELOPE: &[(&str, &str, &str)] = &[
    ("record_type", "记录类型", "The record type, e.g. `case`."),
    (
        "source_system",
        "来源系统",
        "The system the record comes from, as named in the mapping.",
    ),
    (
        "source_id",
        "原始标识",
        "The record's id in the source system.",
    ),
];

/// A natural key (自然键): the record type and the values that identify the record across
/// systems, e.g. agency USCC + case number.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct NaturalKey {
    /// Record type id.
    pub record_type: &'static str,
    /// The key's parts in order.
    pub parts: Vec<String>,
}

impl std::fmt::Display for NaturalKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.record_type, self.parts.join("|"))
    }
}

/// A cross-field problem found by a record type's own rules: the field and the error.
pub(crate) type FieldProblem = (usize, Option<String>, Invalid);

/// Cross-field rules of a record type (beyond each element's own checks).
trait Rules {
    /// Problems as (field name, error); may normalise values (a 15-digit citizen ID becomes
    /// its 18-digit form).
    fn check(&mut self) -> Vec<(&'static str, Invalid)>;
    /// The natural key.
    fn key(&self) -> Vec<String>;
}

macro_rules! records {
    ($(
        $(#[doc = $doc:literal])*
        $name:ident = $id:literal, $zh:literal, key $key_zh:literal {
            $( $(#[doc = $fdoc:literal])* $field:ident : $ty:ty = $elem:literal, )*
        }
    )*) => {
        $(
            $(#[doc = $doc])*
            #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
            #[serde(deny_unknown_fields)]
            pub struct $name {
                /// 来源系统: the system the record comes from.
                pub source_system: String,
                /// 原始标识: the record's id in the source system.
                pub source_id: String,
                $( $(#[doc = $fdoc])* #[doc = concat!("\n\nData element `", $elem, "`.")]
                pub $field: $ty, )*
            }

            impl $name {
                /// The fields of this record type in profile order.
                pub const FIELDS: &'static [FieldDef] = &[
                    $( FieldDef {
                        name: stringify!($field),
                        element: $elem,
                        shape: <$ty as FieldValue>::SHAPE,
                        kind: <$ty as FieldValue>::KIND,
                    }, )*
                ];

                /// Builds and validates the record from normalised cell texts aligned with
                /// [`Self::FIELDS`]. Problems are (field index, value, error).
                fn build(
                    source_system: &str,
                    source_id: &str,
                    cells: &[Option<String>],
                ) -> Result<Self, Vec<FieldProblem>> {
                    let mut problems = Vec::new();
                    let mut i = 0usize;
                    $(
                        let cell = cells.get(i).and_then(|c| c.as_deref());
                        let $field: Option<$ty> =
                            match <$ty as FieldValue>::from_cell(cell, Self::FIELDS[i].element()) {
                                Ok(v) => Some(v),
                                Err(e) => {
                                    problems.push((i, cell.map(str::to_string), e));
                                    None
                                }
                            };
                        i += 1;
                    )*
                    let _ = i;
                    if !problems.is_empty() {
                        return Err(problems);
                    }
                    let mut record = Self {
                        source_system: source_system.to_string(),
                        source_id: source_id.to_string(),
                        $( $field: $field.unwrap_or_else(|| unreachable!("no problem, so set")), )*
                    };
                    let rule_problems: Vec<FieldProblem> = record
                        .check()
                        .into_iter()
                        .map(|(name, e)| {
                            let idx = Self::FIELDS
                                .iter()
                                .position(|f| f.name == name)
                                .unwrap_or_else(|| panic!("rule names unknown field {name}"));
                            (idx, cells.get(idx).cloned().flatten(), e)
                        })
                        .collect();
                    if rule_problems.is_empty() {
                        Ok(record)
                    } else {
                        Err(rule_problems)
                    }
                }

                /// The record's cells in the CSV profile, in [`Self::FIELDS`] order.
                fn cells(&self) -> Vec<String> {
                    vec![$( FieldValue::to_cell(&self.$field), )*]
                }
            }
        )*

        /// The record types of the exchange format (记录类型).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum RecordType {
            $( $(#[doc = $doc])* $name, )*
        }

        impl RecordType {
            /// All record types in documentation order.
            pub const ALL: &'static [RecordType] = &[$( RecordType::$name, )*];

            /// Identifier used in files, URLs and mappings, e.g. `case_event`.
            pub fn id(self) -> &'static str {
                match self { $( RecordType::$name => $id, )* }
            }

            /// Chinese name, e.g. `案件`.
            pub fn name_zh(self) -> &'static str {
                match self { $( RecordType::$name => $zh, )* }
            }

            /// What the natural key is made of, in Chinese.
            pub fn key_zh(self) -> &'static str {
                match self { $( RecordType::$name => $key_zh, )* }
            }

            /// The record type's fields in profile order.
            pub fn fields(self) -> &'static [FieldDef] {
                match self { $( RecordType::$name => $name::FIELDS, )* }
            }

            /// Builds and validates a record of this type from normalised cells aligned with
            /// [`RecordType::fields`].
            pub(crate) fn build(
                self,
                source_system: &str,
                source_id: &str,
                cells: &[Option<String>],
            ) -> Result<StandardRecord, Vec<FieldProblem>> {
                match self {
                    $( RecordType::$name =>
                        $name::build(source_system, source_id, cells).map(StandardRecord::$name), )*
                }
            }
        }

        /// One record of the exchange format; serialised with a `record_type` tag (the JSON
        /// Lines profile).
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "record_type", rename_all = "snake_case")]
        pub enum StandardRecord {
            $( $(#[doc = $doc])* $name($name), )*
        }

        impl StandardRecord {
            /// The record's type.
            pub fn record_type(&self) -> RecordType {
                match self { $( StandardRecord::$name(_) => RecordType::$name, )* }
            }

            /// The record's natural key.
            pub fn natural_key(&self) -> NaturalKey {
                let parts = match self { $( StandardRecord::$name(r) => r.key(), )* };
                NaturalKey { record_type: self.record_type().id(), parts }
            }

            /// Source system and original id.
            pub fn source(&self) -> (&str, &str) {
                match self {
                    $( StandardRecord::$name(r) => (&r.source_system, &r.source_id), )*
                }
            }

            /// The CSV profile row: `source_system`, `source_id`, then the fields.
            pub fn csv_row(&self) -> Vec<String> {
                let (system, id) = self.source();
                let mut row = vec![system.to_string(), id.to_string()];
                row.extend(match self { $( StandardRecord::$name(r) => r.cells(), )* });
                row
            }
        }
    };
}

records! {
    /// 执法对象（市场主体）: a party that enforcement acts on. Natural key: the USCC, or for a
    /// natural person the identity document type and number.
    Subject = "subject", "执法对象", key "统一社会信用代码；自然人为证件类型 + 证件号码" {
        /// 当事人类型.
        party_type: String = "object.party_type",
        /// 名称或姓名.
        name: String = "object.name",
        /// 统一社会信用代码.
        uscc: Option<String> = "object.uscc",
        /// 证件类型.
        id_type: Option<String> = "object.id_type",
        /// 证件号码.
        id_number: Option<String> = "object.id_number",
        /// 法定代表人.
        legal_representative: Option<String> = "object.legal_representative",
        /// 住所.
        address: Option<String> = "object.address",
        /// 所在行政区划.
        region_code: Option<String> = "object.region_code",
        /// 行业（GB/T 4754）.
        industry: Option<String> = "object.industry",
        /// 信用风险分类.
        credit_class: Option<String> = "object.credit_class",
        /// 联系电话.
        phone: Option<String> = "object.phone",
    }

    /// 执法人员 with the enforcement certificate. Natural key: the certificate number.
    Officer = "officer", "执法人员", key "执法证号" {
        /// 姓名.
        name: String = "person.name",
        /// 公民身份号码.
        citizen_id: String = "person.citizen_id",
        /// 性别.
        sex: Option<String> = "person.sex",
        /// 所属执法主体统一社会信用代码.
        org_uscc: String = "person.org_uscc",
        /// 执法证号.
        cert_no: String = "person.cert_no",
        /// 执法证状态.
        cert_status: String = "person.cert_status",
        /// 证件有效期起.
        cert_valid_from: NaiveDate = "person.cert_valid_from",
        /// 证件有效期止.
        cert_valid_to: NaiveDate = "person.cert_valid_to",
        /// 执法领域（可多值）.
        cert_fields: Vec<String> = "person.cert_fields",
        /// 法制审核资格.
        legal_review_qualified: Option<bool> = "person.legal_review_qualified",
        /// 职务.
        position: Option<String> = "person.position",
        /// 联系电话.
        phone: Option<String> = "person.phone",
    }

    /// 执法事项（权责清单）: a power of an enforcement subject. Natural key: the power code.
    Matter = "matter", "执法事项", key "职权编码" {
        /// 职权编码.
        power_code: String = "matter.power_code",
        /// 事项名称.
        name: String = "matter.name",
        /// 职权类别.
        category: String = "matter.category",
        /// 执法领域.
        enforcement_field: String = "matter.enforcement_field",
        /// 设定依据.
        legal_basis: String = "matter.legal_basis",
        /// 依据效力级别.
        basis_level: Option<String> = "matter.basis_level",
        /// 实施主体统一社会信用代码.
        subject_uscc: String = "matter.subject_uscc",
        /// 裁量基准.
        discretion_benchmark: Option<String> = "matter.discretion_benchmark",
        /// 罚款下限（分）.
        fine_min_fen: Option<Fen> = "matter.fine_min_fen",
        /// 罚款上限（分）.
        fine_max_fen: Option<Fen> = "matter.fine_max_fen",
        /// 生效日期.
        valid_from: NaiveDate = "matter.valid_from",
    }

    /// 案件: an enforcement case. Natural key: agency USCC + case number.
    Case = "case", "案件", key "执法主体统一社会信用代码 + 案件编号" {
        /// 办案机关统一社会信用代码.
        agency_uscc: String = "org.uscc",
        /// 案件编号.
        case_no: String = "behaviour.case_no",
        /// 案由.
        case_cause: String = "behaviour.case_cause",
        /// 适用程序.
        procedure: String = "behaviour.procedure",
        /// 案件来源.
        case_source: String = "behaviour.case_source",
        /// 执法领域.
        enforcement_field: String = "behaviour.enforcement_field",
        /// 立案日期.
        filed_on: NaiveDate = "behaviour.filed_on",
        /// 违法行为发生时间.
        occurred_at: Option<DateTime<FixedOffset>> = "behaviour.occurred_at",
        /// 承办执法人员执法证号（至少两人）.
        officer_cert_nos: Vec<String> = "behaviour.officer_cert_nos",
        /// 当事人类型.
        party_type: String = "object.party_type",
        /// 当事人名称或姓名.
        party_name: String = "object.name",
        /// 当事人统一社会信用代码.
        party_uscc: Option<String> = "object.uscc",
        /// 当事人证件类型.
        party_id_type: Option<String> = "object.id_type",
        /// 当事人证件号码.
        party_id_number: Option<String> = "object.id_number",
        /// 违反的条款.
        violated_articles: Option<String> = "behaviour.violated_articles",
        /// 结案日期.
        closed_on: Option<NaiveDate> = "behaviour.closed_on",
    }

    /// 案件事件: one step of a case's whole-process record. Natural key: agency USCC + case
    /// number + event sequence number.
    CaseEvent = "case_event", "案件事件", key "执法主体统一社会信用代码 + 案件编号 + 事件序号" {
        /// 办案机关统一社会信用代码.
        agency_uscc: String = "org.uscc",
        /// 案件编号.
        case_no: String = "behaviour.case_no",
        /// 事件序号.
        seq: i64 = "behaviour.event_seq",
        /// 办案事件类型.
        event_type: String = "behaviour.event_type",
        /// 事件时间.
        occurred_at: DateTime<FixedOffset> = "behaviour.event_at",
        /// 经办执法人员执法证号.
        officer_cert_no: Option<String> = "person.cert_no",
        /// 文书种类.
        document_type: Option<String> = "behaviour.document_type",
        /// 事件说明.
        note: Option<String> = "behaviour.event_note",
    }

    /// 处罚决定: the penalty decision of a case. Natural key: agency USCC + case number.
    Decision = "decision", "处罚决定", key "执法主体统一社会信用代码 + 案件编号" {
        /// 处罚机关统一社会信用代码.
        agency_uscc: String = "org.uscc",
        /// 案件编号.
        case_no: String = "behaviour.case_no",
        /// 处罚决定书文号.
        decision_no: String = "behaviour.decision_no",
        /// 决定日期.
        decided_on: NaiveDate = "behaviour.decided_on",
        /// 当事人类型.
        party_type: String = "object.party_type",
        /// 当事人名称或姓名.
        party_name: String = "object.name",
        /// 当事人统一社会信用代码.
        party_uscc: Option<String> = "object.uscc",
        /// 当事人证件类型.
        party_id_type: Option<String> = "object.id_type",
        /// 当事人证件号码.
        party_id_number: Option<String> = "object.id_number",
        /// 法定代表人.
        legal_representative: Option<String> = "object.legal_representative",
        /// 处罚种类（可多值）.
        penalty_types: Vec<String> = "behaviour.penalty_type",
        /// 罚款金额（分）.
        fine_fen: Option<Fen> = "behaviour.fine_fen",
        /// 没收金额（分）.
        confiscation_fen: Option<Fen> = "behaviour.confiscation_fen",
        /// 违反的条款.
        violated_articles: Option<String> = "behaviour.violated_articles",
        /// 处罚依据.
        penalty_basis: Option<String> = "behaviour.penalty_basis",
        /// 裁量情节.
        circumstance_level: Option<String> = "behaviour.circumstance_level",
        /// 送达方式.
        service_method: Option<String> = "behaviour.service_method",
        /// 送达日期.
        served_on: Option<NaiveDate> = "behaviour.served_on",
        /// 已缴纳金额（分）.
        paid_fen: Option<Fen> = "behaviour.paid_fen",
        /// 缴纳日期.
        paid_on: Option<NaiveDate> = "behaviour.paid_on",
        /// 公示日期.
        published_on: Option<NaiveDate> = "behaviour.published_on",
    }

    /// 行政检查: one inspection. Natural key: agency USCC + inspection number.
    Inspection = "inspection", "行政检查", key "执法主体统一社会信用代码 + 检查编号" {
        /// 检查机关统一社会信用代码.
        agency_uscc: String = "org.uscc",
        /// 检查编号.
        inspection_no: String = "behaviour.inspection_no",
        /// 检查时间.
        inspected_at: DateTime<FixedOffset> = "behaviour.inspected_at",
        /// 执法领域.
        enforcement_field: String = "behaviour.enforcement_field",
        /// 检查人员执法证号（至少两人）.
        officer_cert_nos: Vec<String> = "behaviour.officer_cert_nos",
        /// 被检查对象类型.
        party_type: String = "object.party_type",
        /// 被检查对象名称.
        party_name: String = "object.name",
        /// 被检查对象统一社会信用代码.
        party_uscc: Option<String> = "object.uscc",
        /// 检查地点.
        address: Option<String> = "object.address",
        /// 所在行政区划.
        region_code: Option<String> = "object.region_code",
        /// 检查依据的执法事项职权编码.
        power_code: Option<String> = "matter.power_code",
        /// 检查结果.
        result: String = "behaviour.inspection_result",
        /// 检查情况.
        findings: Option<String> = "behaviour.inspection_findings",
    }
}

/// Party types that are organisations and so are identified by their USCC (APL Art. 4).
fn is_organisation(party_type: &str) -> bool {
    matches!(party_type, "2" | "3" | "4")
}

/// A party must be identifiable: an organisation by its USCC, a natural person by an
/// identity document (type + number; a resident ID card is checked by GB 11643-1999).
fn party_problems(
    party_type: &str,
    uscc: &Option<String>,
    id_type: &Option<String>,
    id_number: &mut Option<String>,
    names: [&'static str; 3],
) -> Vec<(&'static str, Invalid)> {
    let [uscc_field, type_field, number_field] = names;
    let mut out = Vec::new();
    if is_organisation(party_type) && uscc.is_none() && party_type != "4" {
        out.push((
            uscc_field,
            Invalid::new(
                "party.uscc_missing",
                "GB 32100-2015",
                "法人和非法人组织须提供统一社会信用代码（GB 32100-2015）",
            ),
        ));
    }
    if party_type == "4" && uscc.is_none() && id_number.is_none() {
        out.push((
            uscc_field,
            Invalid::new(
                "party.key_missing",
                RULE,
                "个体工商户须提供统一社会信用代码或经营者身份证件号码",
            ),
        ));
    }
    if party_type == "1" && id_number.is_none() {
        out.push((
            number_field,
            Invalid::new("party.id_missing", RULE, "自然人须提供证件类型和证件号码"),
        ));
    }
    if id_type.as_deref() == Some("1")
        && let Some(n) = id_number.as_mut()
    {
        match CitizenId::parse(n) {
            Ok(id) => *n = id.as_str().to_string(),
            Err(e) => out.push((number_field, e)),
        }
    }
    if id_number.is_some() && id_type.is_none() {
        out.push((
            type_field,
            Invalid::new(
                "party.id_type_missing",
                RULE,
                "填写了证件号码时须同时填写证件类型",
            ),
        ));
    }
    out
}

/// The party's key part: USCC, else `<id type>:<id number>`.
fn party_key(
    uscc: &Option<String>,
    id_type: &Option<String>,
    id_number: &Option<String>,
) -> String {
    match (uscc, id_type, id_number) {
        (Some(u), _, _) => u.clone(),
        (None, Some(t), Some(n)) => format!("{t}:{n}"),
        (None, _, Some(n)) => n.clone(),
        _ => String::new(),
    }
}

fn date_order(
    field: &'static str,
    what: &str,
    later: NaiveDate,
    earlier: NaiveDate,
    earlier_what: &str,
) -> Option<(&'static str, Invalid)> {
    (later < earlier).then(|| {
        (
            field,
            Invalid::new(
                "record.date_order",
                RULE,
                format!("{what}（{later}）早于{earlier_what}（{earlier}）"),
            ),
        )
    })
}

impl Rules for Subject {
    fn check(&mut self) -> Vec<(&'static str, Invalid)> {
        party_problems(
            &self.party_type,
            &self.uscc,
            &self.id_type,
            &mut self.id_number,
            ["uscc", "id_type", "id_number"],
        )
    }
    fn key(&self) -> Vec<String> {
        vec![party_key(&self.uscc, &self.id_type, &self.id_number)]
    }
}

impl Rules for Officer {
    fn check(&mut self) -> Vec<(&'static str, Invalid)> {
        date_order(
            "cert_valid_to",
            "证件有效期止",
            self.cert_valid_to,
            self.cert_valid_from,
            "证件有效期起",
        )
        .into_iter()
        .collect()
    }
    fn key(&self) -> Vec<String> {
        vec![self.cert_no.clone()]
    }
}

impl Rules for Matter {
    fn check(&mut self) -> Vec<(&'static str, Invalid)> {
        match (self.fine_min_fen, self.fine_max_fen) {
            (Some(min), Some(max)) if min > max => vec![(
                "fine_min_fen",
                Invalid::new(
                    "record.fine_range",
                    RULE,
                    format!(
                        "罚款下限（{} 元）高于上限（{} 元）",
                        min.to_yuan_string(),
                        max.to_yuan_string()
                    ),
                ),
            )],
            _ => Vec::new(),
        }
    }
    fn key(&self) -> Vec<String> {
        vec![self.power_code.clone()]
    }
}

impl Rules for Case {
    fn check(&mut self) -> Vec<(&'static str, Invalid)> {
        let mut out = party_problems(
            &self.party_type,
            &self.party_uscc,
            &self.party_id_type,
            &mut self.party_id_number,
            ["party_uscc", "party_id_type", "party_id_number"],
        );
        if let Some(closed) = self.closed_on {
            out.extend(date_order(
                "closed_on",
                "结案日期",
                closed,
                self.filed_on,
                "立案日期",
            ));
        }
        out
    }
    fn key(&self) -> Vec<String> {
        vec![self.agency_uscc.clone(), self.case_no.clone()]
    }
}

impl Rules for CaseEvent {
    fn check(&mut self) -> Vec<(&'static str, Invalid)> {
        if self.seq < 1 {
            return vec![(
                "seq",
                Invalid::new(
                    "record.event_seq",
                    RULE,
                    format!("事件序号应从 1 起，实为 {}", self.seq),
                ),
            )];
        }
        Vec::new()
    }
    fn key(&self) -> Vec<String> {
        vec![
            self.agency_uscc.clone(),
            self.case_no.clone(),
            self.seq.to_string(),
        ]
    }
}

/// Penalty type code of a fine (罚款, APL Art. 9 (2)).
const FINE: &str = "03";

impl Rules for Decision {
    fn check(&mut self) -> Vec<(&'static str, Invalid)> {
        let mut out = party_problems(
            &self.party_type,
            &self.party_uscc,
            &self.party_id_type,
            &mut self.party_id_number,
            ["party_uscc", "party_id_type", "party_id_number"],
        );
        let fined = self.penalty_types.iter().any(|t| t == FINE);
        match (fined, self.fine_fen) {
            (true, None) | (true, Some(Fen::ZERO)) => out.push((
                "fine_fen",
                Invalid::new(
                    "decision.fine_missing",
                    "APL Art. 9",
                    "处罚种类含罚款（03），但罚款金额为空或为零",
                ),
            )),
            (false, Some(f)) if f > Fen::ZERO => out.push((
                "fine_fen",
                Invalid::new(
                    "decision.fine_without_type",
                    "APL Art. 9",
                    format!(
                        "填写了罚款金额 {} 元，但处罚种类不含罚款（03）",
                        f.to_yuan_string()
                    ),
                ),
            )),
            _ => {}
        }
        if let Some(served) = self.served_on {
            out.extend(date_order(
                "served_on",
                "送达日期",
                served,
                self.decided_on,
                "决定日期",
            ));
        }
        if let Some(paid) = self.paid_on {
            out.extend(date_order(
                "paid_on",
                "缴纳日期",
                paid,
                self.decided_on,
                "决定日期",
            ));
        }
        out
    }
    fn key(&self) -> Vec<String> {
        vec![self.agency_uscc.clone(), self.case_no.clone()]
    }
}

impl Rules for Inspection {
    fn check(&mut self) -> Vec<(&'static str, Invalid)> {
        party_problems(
            &self.party_type,
            &self.party_uscc,
            &None,
            &mut None,
            ["party_uscc", "party_uscc", "party_uscc"],
        )
    }
    fn key(&self) -> Vec<String> {
        vec![self.agency_uscc.clone(), self.inspection_no.clone()]
    }
}

impl RecordType {
    /// Parses a record type id (`case`, `case_event` …); `format.record_type_unknown`
    /// otherwise, listing the ids.
    pub fn parse(s: &str) -> Result<RecordType, Invalid> {
        RecordType::ALL
            .iter()
            .copied()
            .find(|t| t.id() == s.trim())
            .ok_or_else(|| {
                Invalid::new(
                    "format.record_type_unknown",
                    RULE,
                    format!(
                        "记录类型“{}”不存在，可用的类型：{}",
                        s.trim(),
                        RecordType::ALL
                            .iter()
                            .map(|t| format!("{}（{}）", t.id(), t.name_zh()))
                            .collect::<Vec<_>>()
                            .join("、")
                    ),
                )
            })
    }

    /// The CSV profile's header: `source_system`, `source_id`, then the field names.
    pub fn csv_header(self) -> Vec<&'static str> {
        let mut h = vec!["source_system", "source_id"];
        h.extend(self.fields().iter().map(|f| f.name));
        h
    }

    /// Index of a field by name.
    pub fn field_index(self, name: &str) -> Option<usize> {
        self.fields().iter().position(|f| f.name == name)
    }
}

impl std::fmt::Display for RecordType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

impl StandardRecord {
    /// The record as one line of the JSON Lines profile (no trailing newline).
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| unreachable!("records serialise: {e}"))
    }
}
