//! Alert rules as configuration (监督预警规则): which rules a node runs, their legal basis,
//! severity, scope and thresholds. The evaluators are code ([`crate::eval`],
//! [`crate::aggregate`]); the rule set is data, shipped with documented defaults
//! (`rules/default.toml`) and changed by a node's administrator.

use serde::{Deserialize, Serialize};
use zhifa_domain::case::ClockKind;

/// The built-in rule set (TOML), with comments on every field.
pub const DEFAULT_RULES_TOML: &str = include_str!("../rules/default.toml");

/// How serious an alert is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// 高: a decision that may be unlawful.
    High,
    /// 中: a procedural lapse.
    Medium,
    /// 低: a pattern worth a look.
    Low,
}

impl Severity {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }

    /// Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            Severity::High => "高",
            Severity::Medium => "中",
            Severity::Low => "低",
        }
    }
}

/// Where a rule applies: enforcement fields and region-code prefixes (empty = everywhere).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleScope {
    /// Enforcement field codes (`enforcement_field`).
    #[serde(default)]
    pub fields: Vec<String>,
    /// GB/T 2260 region-code prefixes (`44` 广东, `4401` 广州).
    #[serde(default)]
    pub regions: Vec<String>,
}

impl RuleScope {
    /// Whether a case or agency of this field and region is covered.
    pub fn covers(&self, field: &str, region_code: &str) -> bool {
        (self.fields.is_empty() || self.fields.iter().any(|f| f == field))
            && (self.regions.is_empty()
                || self
                    .regions
                    .iter()
                    .any(|p| region_code.starts_with(p.as_str())))
    }
}

/// Which evaluator a rule runs, with its parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Check {
    /// A statutory clock of the case (`zhifa_domain::case::deadlines`) is overdue, or was met
    /// late, by more than `grace_days`.
    Clock {
        /// The clock (`decision`, `service`, `publication`, `seizure`, `payment`, …).
        clock: ClockKind,
        /// Days of tolerance after the due date.
        #[serde(default)]
        grace_days: u32,
    },
    /// A penalty decided while legal review was required (APL Art. 58) and not agreed.
    ReviewMissing,
    /// A penalty decided without a prior notice served before it (APL Art. 44, 62).
    NoticeMissing,
    /// An act (assignment, record, on-the-spot decision) with fewer officers than `min`.
    OfficerCount {
        /// Minimum officers (APL Art. 42: two).
        min: u32,
    },
    /// An officer's certificate not valid for the field on the act date.
    CertificateValidity,
    /// A penalty outside the discretion benchmark (APL Art. 34).
    DiscretionDeviation,
    /// A fine above the highest amount the applied article allows.
    StatutoryMaximum,
    /// A case filed after the limitation period (APL Art. 36).
    Limitation,
    /// A fine paid after its due date with no surcharge accrued (APL Art. 72).
    SurchargeMissing,
    /// The same enterprise inspected by a different agency within `window_days`.
    RepeatInspection {
        /// Window, days.
        window_days: u32,
    },
    /// An agency with penalty powers in its field and no case opened in `period_days`.
    ZeroEnforcement {
        /// Period, days back from today.
        period_days: u32,
    },
    /// An officer whose decided fines sit at the benchmark maximum in at least
    /// `share_percent` of at least `min_decisions` decisions within `period_days`.
    FinesAtMaximum {
        /// Period, days back from today.
        period_days: u32,
        /// Fewest decisions before the share means anything.
        min_decisions: u32,
        /// Share at the maximum, percent.
        share_percent: u32,
    },
    /// An agency whose 不予处罚 outcomes are at least `share_percent` of at least
    /// `min_concluded` concluded investigations within `period_days`.
    NoPenaltyRate {
        /// Period, days back from today.
        period_days: u32,
        /// Fewest concluded investigations before the share means anything.
        min_concluded: u32,
        /// Share of 不予处罚, percent.
        share_percent: u32,
    },
}

impl Check {
    /// Whether the rule looks at one case at a time (evaluated as events arrive) rather than
    /// across cases (evaluated by sweeps and after decisions).
    pub fn per_case(&self) -> bool {
        !matches!(
            self,
            Check::ZeroEnforcement { .. }
                | Check::FinesAtMaximum { .. }
                | Check::NoPenaltyRate { .. }
                | Check::RepeatInspection { .. }
        )
    }
}

/// One rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    /// Stable id (`[a-z0-9_]`), part of every alert's dedupe key.
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// Legal basis shown with every alert.
    pub citation: String,
    /// Severity.
    pub severity: Severity,
    /// Whether the rule runs.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Where it applies.
    #[serde(default)]
    pub scope: RuleScope,
    /// What it checks.
    pub check: Check,
}

fn yes() -> bool {
    true
}

/// Escalation of alerts left open (督办升级).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Escalation {
    /// Days after raising at which an open alert reaches level 1, 2, … (ascending).
    pub after_days: Vec<u32>,
}

impl Default for Escalation {
    fn default() -> Self {
        Escalation {
            after_days: vec![5, 15],
        }
    }
}

impl Escalation {
    /// The level an alert raised `age_days` ago and still untouched has reached.
    pub fn level(&self, age_days: i64) -> u32 {
        self.after_days
            .iter()
            .filter(|d| age_days >= i64::from(**d))
            .count() as u32
    }
}

/// A node's rule set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSet {
    /// Escalation of ignored alerts.
    #[serde(default)]
    pub escalation: Escalation,
    /// The rules.
    #[serde(rename = "rule", default)]
    pub rules: Vec<RuleDef>,
}

/// A rule-set error: the field (`rule[3].check.share_percent`), a stable code and a Chinese
/// message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleError {
    /// Where.
    pub field: String,
    /// Stable code (`alert_rules.*`).
    pub code: &'static str,
    /// Chinese message.
    pub message: String,
}

impl Default for RuleSet {
    fn default() -> Self {
        RuleSet::from_toml(DEFAULT_RULES_TOML).unwrap_or_else(|e| {
            // The shipped file is checked by a test; an error here is a build defect.
            panic!("the built-in alert rules do not parse: {e:?}")
        })
    }
}

impl RuleSet {
    /// Parses and checks a rule set written in TOML. Every error is returned.
    pub fn from_toml(text: &str) -> Result<RuleSet, Vec<RuleError>> {
        let set: RuleSet = toml::from_str(text).map_err(|e| {
            vec![RuleError {
                field: "rules".into(),
                code: "alert_rules.syntax",
                message: format!("规则配置无法解析：{}", e.message()),
            }]
        })?;
        set.check()?;
        Ok(set)
    }

    /// The rule set as TOML text.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_default()
    }

    /// Checks ids, texts and parameters; every error is returned.
    pub fn check(&self) -> Result<(), Vec<RuleError>> {
        let mut errors = Vec::new();
        let mut err = |field: String, code: &'static str, message: String| {
            errors.push(RuleError {
                field,
                code,
                message,
            })
        };
        let mut seen = std::collections::HashSet::new();
        for (i, r) in self.rules.iter().enumerate() {
            let at = |f: &str| format!("rule[{i}].{f}");
            let id_ok = !r.id.is_empty()
                && r.id.len() <= 64
                && r.id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !id_ok {
                err(
                    at("id"),
                    "alert_rules.id",
                    format!("规则编号“{}”无效：应为 1–64 位小写字母、数字或下划线", r.id),
                );
            } else if !seen.insert(r.id.as_str()) {
                err(
                    at("id"),
                    "alert_rules.id_duplicate",
                    format!("规则编号“{}”重复", r.id),
                );
            }
            if r.name.trim().is_empty() {
                err(at("name"), "alert_rules.name", "规则名称不能为空".into());
            }
            if r.citation.trim().is_empty() {
                err(
                    at("citation"),
                    "alert_rules.citation",
                    "规则必须注明法律依据（条款）".into(),
                );
            }
            for p in &r.scope.regions {
                if p.is_empty() || p.len() > 6 || !p.bytes().all(|b| b.is_ascii_digit()) {
                    err(
                        at("scope.regions"),
                        "alert_rules.scope_region",
                        format!("适用区划“{p}”无效：应为 GB/T 2260 行政区划代码或其前缀"),
                    );
                }
            }
            let positive =
                |v: u32, name: &str, errs: &mut dyn FnMut(String, &'static str, String)| {
                    if v == 0 {
                        errs(
                            at(&format!("check.{name}")),
                            "alert_rules.parameter",
                            format!("参数 {name} 必须大于 0"),
                        );
                    }
                };
            match &r.check {
                Check::OfficerCount { min } => positive(*min, "min", &mut err),
                Check::RepeatInspection { window_days } => {
                    positive(*window_days, "window_days", &mut err)
                }
                Check::ZeroEnforcement { period_days } => {
                    positive(*period_days, "period_days", &mut err)
                }
                Check::FinesAtMaximum {
                    period_days,
                    min_decisions,
                    share_percent,
                } => {
                    positive(*period_days, "period_days", &mut err);
                    positive(*min_decisions, "min_decisions", &mut err);
                    percent(*share_percent, &at("check.share_percent"), &mut err);
                }
                Check::NoPenaltyRate {
                    period_days,
                    min_concluded,
                    share_percent,
                } => {
                    positive(*period_days, "period_days", &mut err);
                    positive(*min_concluded, "min_concluded", &mut err);
                    percent(*share_percent, &at("check.share_percent"), &mut err);
                }
                _ => {}
            }
        }
        if self.escalation.after_days.windows(2).any(|w| w[0] >= w[1])
            || self.escalation.after_days.first() == Some(&0)
        {
            err(
                "escalation.after_days".into(),
                "alert_rules.escalation",
                "升级天数必须为递增的正整数".into(),
            );
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// A rule by id.
    pub fn get(&self, id: &str) -> Option<&RuleDef> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// The enabled rules.
    pub fn enabled(&self) -> impl Iterator<Item = &RuleDef> {
        self.rules.iter().filter(|r| r.enabled)
    }
}

fn percent(v: u32, field: &str, err: &mut dyn FnMut(String, &'static str, String)) {
    if v == 0 || v > 100 {
        err(
            field.to_string(),
            "alert_rules.parameter",
            "比例必须在 1–100 之间".into(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_rules_parse_and_cite_their_basis() {
        let set = RuleSet::from_toml(DEFAULT_RULES_TOML).expect("built-in rules");
        assert!(set.rules.len() >= 16);
        for r in &set.rules {
            assert!(r.citation.contains('《'), "{} cites no law", r.id);
        }
        // Round trip through TOML keeps the set.
        assert_eq!(RuleSet::from_toml(&set.to_toml()).unwrap(), set);
    }

    #[test]
    fn errors_name_the_field_and_rule() {
        let text = r#"
[[rule]]
id = "Bad Id"
name = ""
citation = ""
severity = "high"
check = { kind = "fines_at_maximum", period_days = 0, min_decisions = 5, share_percent = 120 }

[[rule]]
id = "a"
name = "甲"
citation = "《行政处罚法》第一条"
severity = "low"
scope = { regions = ["44x"] }
check = { kind = "officer_count", min = 2 }

[[rule]]
id = "a"
name = "乙"
citation = "《行政处罚法》第一条"
severity = "low"
check = { kind = "limitation" }
"#;
        let errors = RuleSet::from_toml(text).unwrap_err();
        let fields: Vec<(&str, &str)> = errors.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert!(fields.contains(&("rule[0].id", "alert_rules.id")));
        assert!(fields.contains(&("rule[0].name", "alert_rules.name")));
        assert!(fields.contains(&("rule[0].citation", "alert_rules.citation")));
        assert!(fields.contains(&("rule[0].check.period_days", "alert_rules.parameter")));
        assert!(fields.contains(&("rule[0].check.share_percent", "alert_rules.parameter")));
        assert!(fields.contains(&("rule[1].scope.regions", "alert_rules.scope_region")));
        assert!(fields.contains(&("rule[2].id", "alert_rules.id_duplicate")));
    }

    #[test]
    fn unknown_parameters_and_evaluators_are_refused() {
        let text = r#"
[[rule]]
id = "x"
name = "x"
citation = "《行政处罚法》第一条"
severity = "low"
check = { kind = "officer_count", min = 2, max = 3 }
"#;
        assert_eq!(
            RuleSet::from_toml(text).unwrap_err()[0].code,
            "alert_rules.syntax"
        );
        let text = text.replace("officer_count\", min = 2, max = 3", "no_such_check\"");
        assert!(RuleSet::from_toml(&text).is_err());
    }

    #[test]
    fn escalation_levels_and_scope() {
        let e = Escalation {
            after_days: vec![5, 15],
        };
        assert_eq!(e.level(0), 0);
        assert_eq!(e.level(5), 1);
        assert_eq!(e.level(20), 2);
        let s = RuleScope {
            fields: vec!["01".into()],
            regions: vec!["4401".into()],
        };
        assert!(s.covers("01", "440106"));
        assert!(!s.covers("02", "440106"));
        assert!(!s.covers("01", "440300"));
        assert!(RuleScope::default().covers("09", "110000"));
    }
}
