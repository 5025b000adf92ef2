//! Values that case events and commands carry.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::law;
use super::refusal::Refusal;
use crate::ids::{CitizenId, Uscc};
use crate::standard::check_code;

/// Procedure (code set `procedure`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Procedure {
    /// 简易程序 (当场处罚), APL Art. 51.
    Simple,
    /// 普通程序.
    General,
}

impl Procedure {
    /// Code in the data standard.
    pub fn code(self) -> &'static str {
        match self {
            Procedure::Simple => "1",
            Procedure::General => "2",
        }
    }
    /// Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            Procedure::Simple => "简易程序",
            Procedure::General => "普通程序",
        }
    }
}

/// Party (当事人, 执法对象).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Party {
    /// Party type code: 1 自然人, 2 法人, 3 非法人组织, 4 个体工商户.
    pub party_type: String,
    /// Name.
    pub name: String,
    /// USCC (organisations, 个体工商户) or citizen ID (自然人).
    pub id_number: Option<String>,
    /// Legal representative / person in charge (organisations).
    pub legal_rep: Option<String>,
    /// Address.
    pub address: Option<String>,
    /// Phone.
    pub phone: Option<String>,
}

impl Party {
    /// True for a natural person (自然人): personal data is masked in public output.
    pub fn is_citizen(&self) -> bool {
        self.party_type == "1"
    }

    /// Checks the party's fields; returns every problem as a refusal naming the field.
    pub fn check(&self) -> Result<(), Refusal> {
        check_code("party_type", &self.party_type).map_err(|e| {
            Refusal::new(
                "case.party.type",
                "Zhifa 数据标准 ZF-1.0",
                format!("当事人类型：{}", e.message),
                "选择自然人、法人、非法人组织或个体工商户",
            )
        })?;
        if self.name.trim().is_empty() {
            return Err(Refusal::new(
                "case.party.name",
                law::APL_59,
                "当事人姓名或名称不能为空",
                "填写当事人姓名或名称",
            ));
        }
        if let Some(id) = self.id_number.as_deref().filter(|s| !s.trim().is_empty()) {
            let bad = if self.is_citizen() {
                CitizenId::parse(id).err()
            } else {
                Uscc::parse(id).err()
            };
            if let Some(e) = bad {
                return Err(Refusal::new(
                    "case.party.id_number",
                    e.rule,
                    format!("当事人证件号码：{}", e.message),
                    "核对证件号码",
                ));
            }
        }
        Ok(())
    }

    /// The citizen ID, when the party is a natural person with a valid one.
    pub fn citizen_id(&self) -> Option<CitizenId> {
        if !self.is_citizen() {
            return None;
        }
        self.id_number
            .as_deref()
            .and_then(|s| CitizenId::parse(s).ok())
    }

    /// Name as published: a natural person's given name masked (张某某), organisations as is.
    pub fn public_name(&self) -> String {
        if !self.is_citizen() {
            return self.name.clone();
        }
        let mut chars = self.name.chars();
        match chars.next() {
            Some(first) => {
                let rest = chars.count().max(1);
                format!("{first}{}", "某".repeat(rest))
            }
            None => String::new(),
        }
    }

    /// Identifier as published: a citizen ID masked, a USCC in full.
    pub fn public_id(&self) -> Option<String> {
        let id = self.id_number.as_deref()?;
        if self.is_citizen() {
            Some(
                CitizenId::parse(id)
                    .map(|c| c.masked())
                    .unwrap_or_else(|_| "******".to_string()),
            )
        } else {
            Some(id.to_string())
        }
    }
}

/// A penalty (proposed, notified or decided): types from APL Art. 9 and amounts in fen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Penalty {
    /// Penalty type codes (code set `penalty_type`), several allowed.
    pub types: Vec<String>,
    /// Fine (罚款), fen.
    pub fine_fen: i64,
    /// Confiscated illegal income and property (没收违法所得、非法财物), fen.
    pub confiscation_fen: i64,
    /// Licence or certificate suspended/revoked (name and number), if any.
    pub licence: Option<String>,
    /// Facts found (违法事实).
    pub facts: String,
    /// Violated provisions (违反的法律条款).
    pub violated: String,
    /// Penalty basis (处罚依据).
    pub basis: String,
}

/// Penalty types that carry hearing rights regardless of amount: 降低资质等级、吊销许可证件
/// (APL Art. 63 para 1 (3)); 责令停产停业、责令关闭、限制从业 ((4)); 暂扣许可证件 and 限制开展
/// 生产经营活动 as "其他较重的行政处罚" ((5)).
const HEARING_TYPES: [&str; 7] = ["06", "07", "08", "09", "10", "11", "12"];

impl Penalty {
    /// Checks codes and amounts (APL Art. 9).
    pub fn check(&self) -> Result<(), Refusal> {
        if self.types.is_empty() {
            return Err(Refusal::new(
                "case.penalty.types",
                law::APL_9,
                "处罚种类不能为空",
                "至少选择一种处罚种类",
            ));
        }
        for t in &self.types {
            check_code("penalty_type", t).map_err(|e| {
                Refusal::new(
                    "case.penalty.type",
                    law::APL_9,
                    format!("处罚种类：{}", e.message),
                    "选择《行政处罚法》第九条规定的处罚种类",
                )
            })?;
        }
        if self.fine_fen < 0 || self.confiscation_fen < 0 {
            return Err(Refusal::new(
                "case.penalty.negative",
                law::APL_9,
                "金额不能为负数",
                "填写非负金额",
            ));
        }
        let has_fine = self.has_type("03");
        if has_fine != (self.fine_fen > 0) {
            return Err(Refusal::new(
                "case.penalty.fine_mismatch",
                law::APL_9,
                "处罚种类含“罚款”时罚款金额必须大于零，否则罚款金额应为零",
                "使处罚种类与罚款金额一致",
            ));
        }
        let has_conf = self.has_type("04") || self.has_type("05");
        if !has_conf && self.confiscation_fen > 0 {
            return Err(Refusal::new(
                "case.penalty.confiscation_mismatch",
                law::APL_9,
                "填写了没收金额，但处罚种类不含没收违法所得或没收非法财物",
                "补选没收种类或清空没收金额",
            ));
        }
        if self.facts.trim().is_empty() || self.basis.trim().is_empty() {
            return Err(Refusal::new(
                "case.penalty.facts_basis",
                law::APL_59,
                "违法事实和处罚依据不能为空",
                "填写违法事实和处罚依据（法律条款）",
            ));
        }
        Ok(())
    }

    /// Whether the penalty includes a type code.
    pub fn has_type(&self, code: &str) -> bool {
        self.types.iter().any(|t| t == code)
    }

    /// Whether `self` is heavier than `other` in any respect (APL Art. 45): a larger fine or
    /// confiscation, or a type `other` does not carry.
    pub fn heavier_than(&self, other: &Penalty) -> bool {
        self.fine_fen > other.fine_fen
            || self.confiscation_fen > other.confiscation_fen
            || self.types.iter().any(|t| !other.has_type(t))
    }

    /// Whether the party has hearing rights (APL Art. 63) under `rules`.
    pub fn gives_hearing_right(&self, party: &Party, rules: &super::CaseRules) -> bool {
        let (fine, conf) = if party.is_citizen() {
            (
                rules.hearing_fine_citizen,
                rules.hearing_confiscation_citizen,
            )
        } else {
            (rules.hearing_fine_org, rules.hearing_confiscation_org)
        };
        self.fine_fen >= fine
            || self.confiscation_fen >= conf
            || self
                .types
                .iter()
                .any(|t| HEARING_TYPES.contains(&t.as_str()))
    }

    /// Chinese summary, e.g. `警告；罚款 5000.00 元`.
    pub fn summary(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        for t in &self.types {
            let name = crate::standard::Standard::builtin()
                .code_set("penalty_type")
                .and_then(|s| s.name_of(t))
                .unwrap_or("其他")
                .to_string();
            parts.push(match t.as_str() {
                "03" => format!("{name} {} 元", yuan(self.fine_fen)),
                "04" | "05" if self.confiscation_fen > 0 => {
                    format!("{name} {} 元", yuan(self.confiscation_fen))
                }
                "06" | "08" => match &self.licence {
                    Some(l) => format!("{name}（{l}）"),
                    None => name,
                },
                _ => name,
            });
        }
        parts.join("；")
    }
}

/// `12345` fen → `123.45`.
pub fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, (fen % 100).abs())
}

/// An officer as recorded on an act: id, name and the certificate shown (APL Art. 55).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficerRef {
    /// Officer id.
    pub officer_id: String,
    /// Name.
    pub name: String,
    /// Certificate number (执法证号).
    pub certificate: String,
}

/// Investigation outcome (APL Art. 57, code set `investigation_outcome`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// 1 给予行政处罚: the proposed penalty.
    Penalty {
        /// Proposed penalty.
        penalty: Penalty,
    },
    /// 2 不予行政处罚 (APL Art. 33) with its reason code (`no_penalty_reason`).
    NoPenalty {
        /// Reason code.
        reason: String,
        /// Education measure recorded (APL Art. 33 para 3).
        education: Option<String>,
    },
    /// 3 违法事实不能成立.
    NotEstablished,
    /// 4 移送司法机关 (APL Art. 27).
    Transfer {
        /// Receiving organ.
        organ: String,
    },
}

impl Outcome {
    /// Code in the data standard.
    pub fn code(&self) -> &'static str {
        match self {
            Outcome::Penalty { .. } => "1",
            Outcome::NoPenalty { .. } => "2",
            Outcome::NotEstablished => "3",
            Outcome::Transfer { .. } => "4",
        }
    }
}

/// A discretion benchmark range (裁量基准) that applies to a case (APL Art. 34).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BenchmarkRange {
    /// Benchmark id.
    pub id: String,
    /// Circumstance level code (`circumstance_level`).
    pub level: String,
    /// Lowest fine, fen.
    pub min_fen: i64,
    /// Highest fine, fen.
    pub max_fen: i64,
}

/// A fine's position against its benchmark, recorded on the conclusion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discretion {
    /// The benchmark applied.
    pub benchmark: BenchmarkRange,
    /// True when the proposed fine lies outside the range.
    pub deviates: bool,
    /// The written reason for a deviation.
    pub reason: Option<String>,
}

/// Legal review opinion (法制审核意见, APL Art. 58).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewOpinion {
    /// 同意.
    Agree,
    /// 不同意.
    Disagree,
    /// 修改后再报.
    Revise,
}

impl ReviewOpinion {
    /// Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            ReviewOpinion::Agree => "同意",
            ReviewOpinion::Disagree => "不同意",
            ReviewOpinion::Revise => "修改后再报",
        }
    }
}

/// Why legal review is required (APL Art. 58 para 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewTrigger {
    /// Fine at or above the configured threshold (local rule under Art. 58 (4)).
    FineThreshold,
    /// Heavy penalty type (revocation, closure …) touching major rights, after a hearing (Art. 58 (2)).
    HearingHeld,
    /// Major or complex case (Art. 58 (3)).
    MajorComplex,
    /// Fine outside the discretion benchmark (APL Art. 34; 国办发〔2022〕27号).
    DiscretionDeviation,
    /// Flagged by the officer or head: major public interest and other cases (Art. 58 (1), (4)).
    Manual,
}

impl ReviewTrigger {
    /// Chinese description with its clause.
    pub fn zh(self) -> &'static str {
        match self {
            ReviewTrigger::FineThreshold => "罚款达到法制审核数额标准（第五十八条第一款第四项）",
            ReviewTrigger::HearingHeld => "经过听证程序（第五十八条第一款第二项）",
            ReviewTrigger::MajorComplex => "案件情况疑难复杂（第五十八条第一款第三项）",
            ReviewTrigger::DiscretionDeviation => "处罚超出裁量基准（第三十四条）",
            ReviewTrigger::Manual => "承办人或负责人提请审核（第五十八条第一款第一、四项）",
        }
    }
}

/// Appeal kind (复议 / 诉讼), APL Art. 73.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppealKind {
    /// 行政复议.
    Review,
    /// 行政诉讼.
    Litigation,
}

/// A date interval `[from, to)`; `to` open while running.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interval {
    /// First day.
    pub from: NaiveDate,
    /// Day it ended (exclusive), if it has.
    pub to: Option<NaiveDate>,
}

impl Interval {
    /// Days of the interval that fall in `(after, until]`, counting a running interval up to `until`.
    pub fn days_within(&self, after: NaiveDate, until: NaiveDate) -> i64 {
        let start = self.from.max(after.succ_opt().unwrap_or(after));
        let end = self
            .to
            .map_or(until, |t| t.pred_opt().unwrap_or(t).min(until));
        if end < start {
            0
        } else {
            (end - start).num_days() + 1
        }
    }
}
