//! Effectiveness evaluation (执法效能评价, F11): a configurable tree of weighted indicators
//! (规范性, 及时性, 公示率, 法制审核率, 裁量合规率, 投诉率, 零执法 …) computed from the
//! [`Metrics`] of a unit (an agency, a field, a region), with the formula and its inputs
//! written out, a ranking of units and a monthly trend.
//!
//! Pure: no I/O. The tree is configuration — TOML text, parsed into an [`IndicatorTree`] and
//! checked ([`IndicatorTree::check`]: weights of siblings sum to 100, ids unique, leaves have
//! a formula …); the shipped default is `indicators/default.toml`, documented line by line.
//! The store keeps the node's tree as setting `indicators` (see
//! [`crate::Store::set_indicator_tree`]).
//!
//! Scoring: a leaf's value is a percentage (`ratio`: numerator ÷ denominator; `complement`:
//! 1 − numerator ÷ denominator); its score is the value (`higher` is better) or 100 − value
//! (`lower`), kept within 0–100. A group's score is the weighted mean of its children's
//! scores. A leaf whose denominator is 0, or whose input is not connected (complaints before
//! the complaints module feeds them), is “不适用”: its weight is shared by its siblings.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use zhifa_domain::FieldError;

use crate::stats_model::Metrics;

/// The shipped default tree (TOML with comments documenting every key and metric).
pub const DEFAULT_TOML: &str = include_str!("indicators/default.toml");

/// The rule the configuration checks cite.
const RULE: &str = "Zhifa 执法效能评价指标配置";

/// Deepest nesting of indicators (group → sub-group → leaf …).
pub const MAX_DEPTH: usize = 4;

/// A figure an indicator can be computed from (统计口径).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// 在用执法主体数.
    Agencies,
    /// 有执法活动的主体数.
    ActingAgencies,
    /// 零执法主体数.
    ZeroAgencies,
    /// 受理数.
    Received,
    /// 立案数.
    Filed,
    /// 作出决定数.
    Decided,
    /// 结案数.
    Closed,
    /// 在办案件数.
    OpenNow,
    /// 超期在办案件数.
    Overdue,
    /// 超出裁量基准的决定数.
    DiscretionDeviations,
    /// 超期作出的决定数.
    LateDecisions,
    /// 已公示的决定数.
    Published,
    /// 应经法制审核的决定数.
    ReviewsDue,
    /// 已经法制审核的决定数.
    Reviewed,
    /// 现场检查笔录数.
    Inspections,
    /// 监督预警数.
    AlertsTotal,
    /// 未销号的监督预警数.
    AlertsOpen,
    /// 投诉举报数.
    Complaints,
}

impl Metric {
    /// Chinese name as the formulas show it.
    pub fn zh(self) -> &'static str {
        match self {
            Metric::Agencies => "在用执法主体数",
            Metric::ActingAgencies => "有执法活动的主体数",
            Metric::ZeroAgencies => "零执法主体数",
            Metric::Received => "受理案件数",
            Metric::Filed => "立案数",
            Metric::Decided => "作出决定数",
            Metric::Closed => "结案数",
            Metric::OpenNow => "在办案件数",
            Metric::Overdue => "超期在办案件数",
            Metric::DiscretionDeviations => "超出裁量基准的决定数",
            Metric::LateDecisions => "超期作出的决定数",
            Metric::Published => "已公示的决定数",
            Metric::ReviewsDue => "应经法制审核的决定数",
            Metric::Reviewed => "已经法制审核的决定数",
            Metric::Inspections => "现场检查笔录数",
            Metric::AlertsTotal => "监督预警数",
            Metric::AlertsOpen => "未销号的监督预警数",
            Metric::Complaints => "投诉举报数",
        }
    }

    /// The figure in `m`; `None` when the input is not connected (complaints).
    pub fn of(self, m: &Metrics) -> Option<i64> {
        Some(match self {
            Metric::Agencies => m.agencies,
            Metric::ActingAgencies => m.acting_agencies,
            Metric::ZeroAgencies => m.zero_agencies(),
            Metric::Received => m.received,
            Metric::Filed => m.filed,
            Metric::Decided => m.decided,
            Metric::Closed => m.closed,
            Metric::OpenNow => m.open_now,
            Metric::Overdue => m.overdue,
            Metric::DiscretionDeviations => m.discretion_deviations,
            Metric::LateDecisions => m.late_decisions,
            Metric::Published => m.published,
            Metric::ReviewsDue => m.reviews_due,
            Metric::Reviewed => m.reviewed,
            Metric::Inspections => m.inspections,
            Metric::AlertsTotal => m.alerts_total,
            Metric::AlertsOpen => m.alerts_open,
            Metric::Complaints => return m.complaints,
        })
    }
}

/// How a leaf's value is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FormulaKind {
    /// numerator ÷ denominator × 100%.
    Ratio,
    /// (1 − numerator ÷ denominator) × 100%.
    Complement,
}

/// Whether a higher value is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Score = value.
    Higher,
    /// Score = 100 − value.
    Lower,
}

/// One indicator: a group (with children) or a leaf (with a formula).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    /// Id (lower-case letters, digits, `_`), unique in the tree.
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// Weight among its siblings (siblings sum to 100).
    pub weight: u32,
    /// Leaf: how the value is computed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<FormulaKind>,
    /// Leaf: numerator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numerator: Option<Metric>,
    /// Leaf: denominator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub denominator: Option<Metric>,
    /// Leaf: whether higher is better.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    /// Legal basis, e.g. `《行政处罚法》第三十四条`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
    /// What is counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Sub-indicators (a group); empty for a leaf.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(no_recursion)]
    pub children: Vec<Indicator>,
}

/// The indicator tree of a node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorTree {
    /// The first level (its weights sum to 100).
    pub indicators: Vec<Indicator>,
}

/// A configuration the checks refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndicatorError {
    /// The TOML text cannot be read.
    #[error("指标配置无法解析：{0}")]
    Syntax(String),
    /// No indicator at all.
    #[error("指标配置中没有任何指标")]
    Empty,
    /// An id is blank or has characters other than a–z, 0–9, `_`.
    #[error("指标编号“{0}”无效：只能使用小写字母、数字和下划线")]
    IdFormat(String),
    /// An id appears twice.
    #[error("指标编号“{0}”重复")]
    DuplicateId(String),
    /// A name is blank.
    #[error("指标“{0}”缺少名称")]
    NameMissing(String),
    /// A weight is 0 or above 100.
    #[error("指标“{id}”的权重 {weight} 无效：应为 1–100 的整数")]
    Weight {
        /// Indicator id.
        id: String,
        /// The weight given.
        weight: u32,
    },
    /// Siblings' weights do not sum to 100.
    #[error("{parent}的下级指标权重之和为 {sum}，应为 100")]
    WeightSum {
        /// `第一级指标` or `指标“<id>”`.
        parent: String,
        /// Path of the parent (`indicators` or its id).
        path: String,
        /// The sum found.
        sum: u32,
    },
    /// A leaf misses part of its formula.
    #[error("指标“{0}”没有下级指标，须填写 kind、numerator、denominator 和 direction")]
    FormulaMissing(String),
    /// A group also has a formula.
    #[error("指标“{0}”有下级指标，不能同时填写计算公式")]
    FormulaOnGroup(String),
    /// Nested too deep.
    #[error("指标“{0}”层级过深：最多 {MAX_DEPTH} 级")]
    Depth(String),
}

impl IndicatorError {
    /// Stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            IndicatorError::Syntax(_) => "indicators.syntax",
            IndicatorError::Empty => "indicators.empty",
            IndicatorError::IdFormat(_) => "indicators.id_format",
            IndicatorError::DuplicateId(_) => "indicators.id_duplicate",
            IndicatorError::NameMissing(_) => "indicators.name_missing",
            IndicatorError::Weight { .. } => "indicators.weight",
            IndicatorError::WeightSum { .. } => "indicators.weight_sum",
            IndicatorError::FormulaMissing(_) => "indicators.formula_missing",
            IndicatorError::FormulaOnGroup(_) => "indicators.formula_on_group",
            IndicatorError::Depth(_) => "indicators.depth",
        }
    }

    /// The field the error is about: `indicators`, or `indicators.<id>`.
    pub fn field(&self) -> String {
        match self {
            IndicatorError::Syntax(_) | IndicatorError::Empty => "indicators".to_string(),
            IndicatorError::WeightSum { path, .. } => path.clone(),
            IndicatorError::Weight { id, .. }
            | IndicatorError::IdFormat(id)
            | IndicatorError::DuplicateId(id)
            | IndicatorError::NameMissing(id)
            | IndicatorError::FormulaMissing(id)
            | IndicatorError::FormulaOnGroup(id)
            | IndicatorError::Depth(id) => format!("indicators.{id}"),
        }
    }

    /// As a field error (field, code, rule, message).
    pub fn to_field_error(&self) -> FieldError {
        FieldError {
            field: self.field(),
            code: self.code().to_string(),
            rule: RULE.to_string(),
            message: self.to_string(),
        }
    }
}

impl Default for IndicatorTree {
    /// The shipped default (`indicators/default.toml`).
    fn default() -> Self {
        IndicatorTree::from_toml(DEFAULT_TOML)
            .unwrap_or_else(|e| unreachable!("the shipped indicator tree is valid: {e:?}"))
    }
}

impl IndicatorTree {
    /// Parses and checks a TOML configuration; every problem is reported.
    pub fn from_toml(text: &str) -> Result<IndicatorTree, Vec<IndicatorError>> {
        let tree: IndicatorTree =
            toml::from_str(text).map_err(|e| vec![IndicatorError::Syntax(e.to_string())])?;
        tree.check()?;
        Ok(tree)
    }

    /// The configuration as TOML (without the default's comments).
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self)
            .unwrap_or_else(|e| unreachable!("an indicator tree serialises to TOML: {e}"))
    }

    /// Checks the tree: at least one indicator; ids well-formed and unique; names present;
    /// weights 1–100 and summing to 100 among siblings (and on the first level); a leaf has a
    /// complete formula, a group none; at most [`MAX_DEPTH`] levels.
    pub fn check(&self) -> Result<(), Vec<IndicatorError>> {
        let mut errors = Vec::new();
        if self.indicators.is_empty() {
            errors.push(IndicatorError::Empty);
        }
        let mut seen = std::collections::HashSet::new();
        check_level(
            &self.indicators,
            "第一级指标".to_string(),
            "indicators".to_string(),
            1,
            &mut seen,
            &mut errors,
        );
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// Every indicator, depth first (with its depth, 1 for the first level).
    pub fn walk(&self) -> Vec<(usize, &Indicator)> {
        fn go<'a>(list: &'a [Indicator], depth: usize, out: &mut Vec<(usize, &'a Indicator)>) {
            for i in list {
                out.push((depth, i));
                go(&i.children, depth + 1, out);
            }
        }
        let mut out = Vec::new();
        go(&self.indicators, 1, &mut out);
        out
    }
}

fn check_level(
    list: &[Indicator],
    parent: String,
    path: String,
    depth: usize,
    seen: &mut std::collections::HashSet<String>,
    errors: &mut Vec<IndicatorError>,
) {
    if list.is_empty() {
        return;
    }
    let sum: u32 = list.iter().map(|i| i.weight).sum();
    if sum != 100 {
        errors.push(IndicatorError::WeightSum { parent, path, sum });
    }
    for i in list {
        if i.id.is_empty()
            || !i
                .id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            errors.push(IndicatorError::IdFormat(i.id.clone()));
        } else if !seen.insert(i.id.clone()) {
            errors.push(IndicatorError::DuplicateId(i.id.clone()));
        }
        if i.name.trim().is_empty() {
            errors.push(IndicatorError::NameMissing(i.id.clone()));
        }
        if i.weight == 0 || i.weight > 100 {
            errors.push(IndicatorError::Weight {
                id: i.id.clone(),
                weight: i.weight,
            });
        }
        if depth > MAX_DEPTH {
            errors.push(IndicatorError::Depth(i.id.clone()));
            continue;
        }
        let has_formula = i.kind.is_some()
            || i.numerator.is_some()
            || i.denominator.is_some()
            || i.direction.is_some();
        if i.children.is_empty() {
            if i.kind.is_none()
                || i.numerator.is_none()
                || i.denominator.is_none()
                || i.direction.is_none()
            {
                errors.push(IndicatorError::FormulaMissing(i.id.clone()));
            }
        } else {
            if has_formula {
                errors.push(IndicatorError::FormulaOnGroup(i.id.clone()));
            }
            check_level(
                &i.children,
                format!("指标“{}”", i.name),
                format!("indicators.{}", i.id),
                depth + 1,
                seen,
                errors,
            );
        }
    }
}

/// The result of one indicator for one unit.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct NodeScore {
    /// Indicator id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Depth (1 for the first level).
    pub depth: usize,
    /// Weight among its siblings.
    pub weight: u32,
    /// Score 0–100, `None` when not applicable.
    pub score: Option<f64>,
    /// Leaf: the value (percent).
    pub value: Option<f64>,
    /// Leaf: the numerator's figure.
    pub numerator: Option<i64>,
    /// Leaf: the denominator's figure.
    pub denominator: Option<i64>,
    /// The formula in words, e.g. `公示率 = 已公示的决定数 ÷ 作出决定数 × 100%`.
    pub formula: String,
    /// The formula with this unit's figures, e.g. `= 3 ÷ 4 × 100% = 75.0%，得分 75.0`.
    pub computation: String,
    /// Legal basis, if configured.
    pub basis: Option<String>,
}

/// The evaluation of one unit: its total score and every indicator, depth first.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Evaluation {
    /// Total score 0–100 (`None` when nothing is applicable).
    pub score: Option<f64>,
    /// How the total is made up.
    pub computation: String,
    /// Every indicator, depth first.
    pub nodes: Vec<NodeScore>,
}

/// One decimal, as the pages and formulas show numbers.
pub fn one_decimal(v: f64) -> String {
    format!("{v:.1}")
}

/// Weighted mean of the applicable scores, with its computation text.
fn combine(name: &str, parts: &[(String, u32, Option<f64>)]) -> (Option<f64>, String) {
    let used: Vec<&(String, u32, Option<f64>)> =
        parts.iter().filter(|(_, _, s)| s.is_some()).collect();
    let weight: u32 = used.iter().map(|(_, w, _)| *w).sum();
    if used.is_empty() || weight == 0 {
        return (None, format!("{name}：下级指标均不适用"));
    }
    let total: f64 = used
        .iter()
        .map(|(_, w, s)| f64::from(*w) * s.unwrap_or(0.0))
        .sum::<f64>()
        / f64::from(weight);
    let terms: Vec<String> = used
        .iter()
        .map(|(n, w, s)| format!("{n} {} × {w}", one_decimal(s.unwrap_or(0.0))))
        .collect();
    let skipped: Vec<&str> = parts
        .iter()
        .filter(|(_, _, s)| s.is_none())
        .map(|(n, _, _)| n.as_str())
        .collect();
    let mut text = format!(
        "{name} = ({}) ÷ {weight} = {}",
        terms.join(" + "),
        one_decimal(total)
    );
    if !skipped.is_empty() {
        text.push_str(&format!(
            "（{}不适用，其权重由同级指标分担）",
            skipped.join("、")
        ));
    }
    (Some(total), text)
}

/// Evaluates one leaf.
fn leaf(i: &Indicator, depth: usize, m: &Metrics) -> NodeScore {
    let (Some(kind), Some(num), Some(den), Some(dir)) =
        (i.kind, i.numerator, i.denominator, i.direction)
    else {
        unreachable!("a checked tree's leaves have a formula")
    };
    let formula = match kind {
        FormulaKind::Ratio => format!("{} = {} ÷ {} × 100%", i.name, num.zh(), den.zh()),
        FormulaKind::Complement => {
            format!("{} = (1 − {} ÷ {}) × 100%", i.name, num.zh(), den.zh())
        }
    };
    let (n, d) = (num.of(m), den.of(m));
    let mut node = NodeScore {
        id: i.id.clone(),
        name: i.name.clone(),
        depth,
        weight: i.weight,
        score: None,
        value: None,
        numerator: n,
        denominator: d,
        formula,
        computation: String::new(),
        basis: i.basis.clone(),
    };
    let (n, d) = match (n, d) {
        (Some(n), Some(d)) if d > 0 => (n, d),
        (None, _) | (_, None) => {
            node.computation = format!(
                "不适用：{}未接入本统计",
                [num, den]
                    .iter()
                    .filter(|x| x.of(m).is_none())
                    .map(|x| x.zh())
                    .collect::<Vec<_>>()
                    .join("、")
            );
            return node;
        }
        _ => {
            node.computation = format!("不适用：{}为 0", den.zh());
            return node;
        }
    };
    let ratio = n as f64 / d as f64 * 100.0;
    let (value, shown) = match kind {
        FormulaKind::Ratio => (ratio, format!("= {n} ÷ {d} × 100%")),
        FormulaKind::Complement => (100.0 - ratio, format!("= (1 − {n} ÷ {d}) × 100%")),
    };
    let score = match dir {
        Direction::Higher => value,
        Direction::Lower => 100.0 - value,
    }
    .clamp(0.0, 100.0);
    let scored = match dir {
        Direction::Higher => format!("得分 {}", one_decimal(score)),
        Direction::Lower => format!(
            "越低越好，得分 = 100 − {} = {}",
            one_decimal(value),
            one_decimal(score)
        ),
    };
    node.computation = format!("{shown} = {}%，{scored}", one_decimal(value));
    node.value = Some(value);
    node.score = Some(score);
    node
}

/// Evaluates a list of siblings into `out` (depth first); returns (name, weight, score) of each.
fn level(
    list: &[Indicator],
    depth: usize,
    m: &Metrics,
    out: &mut Vec<NodeScore>,
) -> Vec<(String, u32, Option<f64>)> {
    let mut parts = Vec::new();
    for i in list {
        if i.children.is_empty() {
            let node = leaf(i, depth, m);
            parts.push((i.name.clone(), i.weight, node.score));
            out.push(node);
        } else {
            let at = out.len();
            out.push(NodeScore {
                id: i.id.clone(),
                name: i.name.clone(),
                depth,
                weight: i.weight,
                score: None,
                value: None,
                numerator: None,
                denominator: None,
                formula: format!("{} = 下级指标得分按权重加权平均", i.name),
                computation: String::new(),
                basis: i.basis.clone(),
            });
            let children = level(&i.children, depth + 1, m, out);
            let (score, text) = combine(&i.name, &children);
            out[at].score = score;
            out[at].computation = text;
            parts.push((i.name.clone(), i.weight, score));
        }
    }
    parts
}

impl IndicatorTree {
    /// Evaluates the tree on one unit's figures.
    pub fn evaluate(&self, m: &Metrics) -> Evaluation {
        let mut nodes = Vec::new();
        let parts = level(&self.indicators, 1, m, &mut nodes);
        let (score, computation) = combine("综合得分", &parts);
        Evaluation {
            score,
            computation,
            nodes,
        }
    }
}

/// A unit in a ranking.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Ranked {
    /// Rank (1 = best; equal scores share a rank); `None` when not applicable.
    pub rank: Option<usize>,
    /// Unit key (agency id, field code, region prefix).
    pub key: String,
    /// Unit label.
    pub label: String,
    /// The evaluation.
    pub evaluation: Evaluation,
}

/// Ranks evaluated units: highest score first, equal scores (to one decimal) share a rank
/// (1, 1, 3 …), units without a score last and unranked; ties keep the given order.
pub fn rank(units: Vec<(String, String, Evaluation)>) -> Vec<Ranked> {
    let key_of = |s: Option<f64>| s.map(|v| (v * 10.0).round() as i64);
    let mut units: Vec<(String, String, Evaluation)> = units;
    units.sort_by_key(|u| std::cmp::Reverse(key_of(u.2.score)));
    let mut out: Vec<Ranked> = Vec::with_capacity(units.len());
    for (i, (key, label, evaluation)) in units.into_iter().enumerate() {
        let rank = match (out.last(), key_of(evaluation.score)) {
            (_, None) => None,
            (Some(prev), Some(k)) if key_of(prev.evaluation.score) == Some(k) => prev.rank,
            (_, Some(_)) => Some(i + 1),
        };
        out.push(Ranked {
            rank,
            key,
            label,
            evaluation,
        });
    }
    out
}

#[cfg(test)]
mod tests;
