//! Cross-case rules: the same enterprise inspected by several agencies (国办发〔2024〕54号),
//! zero enforcement (零执法), fines clustered at the benchmark maximum, unusually high
//! 不予处罚 rates. The store streams the cases of the period through [`Aggregates`]; the
//! findings come out of [`Aggregates::findings`].

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use serde_json::json;
use zhifa_domain::case::{CaseState, Outcome, Procedure};

use crate::eval::Finding;
use crate::rules::{Check, RuleSet};

/// An inspection (现场检查) of a party.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspection {
    /// Case-log sequence number of the record.
    pub seq: i64,
    /// Party key (USCC, or a blind index).
    pub party_key: String,
    /// Party name.
    pub party_name: String,
    /// Case.
    pub case_id: String,
    /// Inspecting agency.
    pub agency_id: String,
    /// Date.
    pub on: NaiveDate,
}

/// The repeat-inspection findings for `new`, given the other inspections of the same party
/// (any order). Only earlier-recorded inspections (lower `seq`) by another agency within the
/// window count, so a pair raises one alert, on the later one.
pub fn repeat_inspections(
    set: &RuleSet,
    new: &Inspection,
    others: &[Inspection],
    region_code: &str,
    field: &str,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for rule in set.enabled() {
        let Check::RepeatInspection { window_days } = rule.check else {
            continue;
        };
        if !rule.scope.covers(field, region_code) {
            continue;
        }
        let earlier: Vec<&Inspection> = others
            .iter()
            .filter(|o| {
                o.seq < new.seq
                    && o.party_key == new.party_key
                    && o.agency_id != new.agency_id
                    && (new.on - o.on).num_days().abs() <= i64::from(window_days)
            })
            .collect();
        let Some(first) = earlier.first() else {
            continue;
        };
        let mut agencies: Vec<&str> = earlier.iter().map(|o| o.agency_id.as_str()).collect();
        agencies.sort_unstable();
        agencies.dedup();
        out.push(Finding {
            rule_id: rule.id.clone(),
            dedupe_key: format!("{}:{}:{}", rule.id, new.party_key, new.case_id),
            case_id: Some(new.case_id.clone()),
            officer_id: None,
            agency_id: new.agency_id.clone(),
            message: format!(
                "{} 于 {} 被现场检查，此前 {window_days} 日内已被其他 {} 个执法部门检查（最近一次 {}）",
                new.party_name,
                new.on,
                agencies.len(),
                first.on
            ),
            facts: json!({
                "party": new.party_name,
                "on": new.on,
                "window_days": window_days,
                "earlier": earlier.iter().map(|o| json!({"agency_id": o.agency_id, "case_id": o.case_id, "on": o.on})).collect::<Vec<_>>(),
            }),
        });
    }
    out
}

/// An agency the zero-enforcement rule looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyRow {
    /// Subject id.
    pub agency_id: String,
    /// Name.
    pub name: String,
    /// Region code.
    pub region_code: String,
    /// Field code.
    pub field: String,
    /// Active penalty powers (行政处罚 事项) in its field.
    pub penalty_powers: i64,
}

/// One case of the period as the cross-case rules see it.
#[derive(Debug, Clone, Copy)]
pub struct AggCase<'a> {
    /// Case id.
    pub case_id: &'a str,
    /// Region code of the agency.
    pub region_code: &'a str,
    /// Date the case was opened (lead or on-the-spot decision).
    pub opened_on: NaiveDate,
    /// Folded state.
    pub state: &'a CaseState,
}

#[derive(Debug, Default)]
struct OfficerTally {
    name: String,
    agency_id: String,
    region_code: String,
    field: String,
    decisions: u32,
    at_max: u32,
    cases: Vec<String>,
}

#[derive(Debug, Default)]
struct AgencyTally {
    concluded: u32,
    no_penalty: u32,
    region_code: String,
    field: String,
}

/// Running tallies of the cross-case rules over the cases of a period.
#[derive(Debug)]
pub struct Aggregates<'a> {
    set: &'a RuleSet,
    today: NaiveDate,
    officers: BTreeMap<String, OfficerTally>,
    agencies: HashMap<String, AgencyTally>,
}

impl<'a> Aggregates<'a> {
    /// Empty tallies for the rules of `set`, as of `today`.
    pub fn new(set: &'a RuleSet, today: NaiveDate) -> Self {
        Aggregates {
            set,
            today,
            officers: BTreeMap::new(),
            agencies: HashMap::new(),
        }
    }

    /// The longest period any enabled cross-case rule looks back, days (the store reads the
    /// cases opened since `today` minus this).
    pub fn lookback_days(&self) -> u32 {
        self.set
            .enabled()
            .filter_map(|r| match r.check {
                Check::ZeroEnforcement { period_days }
                | Check::FinesAtMaximum { period_days, .. }
                | Check::NoPenaltyRate { period_days, .. } => Some(period_days),
                _ => None,
            })
            .max()
            .unwrap_or(0)
    }

    fn within(&self, on: NaiveDate, days: u32) -> bool {
        on <= self.today && (self.today - on).num_days() < i64::from(days)
    }

    /// Counts one case.
    pub fn add(&mut self, c: &AggCase<'_>) {
        let s = c.state;
        let tally = self.agencies.entry(s.agency_id.clone()).or_default();
        tally.region_code = c.region_code.to_string();
        tally.field.clone_from(&s.field);
        for rule in self.set.enabled() {
            match rule.check {
                Check::FinesAtMaximum { period_days, .. } => {
                    let Some(d) = &s.decision else { continue };
                    let Some(p) = &d.penalty else { continue };
                    if s.procedure != Some(Procedure::General)
                        || !self.within(d.on, period_days)
                        || p.fine_fen <= 0
                    {
                        continue;
                    }
                    let at_max = s
                        .discretion
                        .as_ref()
                        .is_some_and(|x| p.fine_fen >= x.benchmark.max_fen);
                    for o in &s.officers {
                        let t = self.officers.entry(o.officer_id.clone()).or_default();
                        t.name.clone_from(&o.name);
                        t.agency_id.clone_from(&s.agency_id);
                        t.region_code = c.region_code.to_string();
                        t.field.clone_from(&s.field);
                        t.decisions += 1;
                        if at_max {
                            t.at_max += 1;
                            t.cases.push(c.case_id.to_string());
                        }
                    }
                }
                Check::NoPenaltyRate { period_days, .. } => {
                    let Some(on) = s.concluded_on else { continue };
                    if !self.within(on, period_days) {
                        continue;
                    }
                    let t = self.agencies.entry(s.agency_id.clone()).or_default();
                    t.concluded += 1;
                    if matches!(s.outcome, Some(Outcome::NoPenalty { .. })) {
                        t.no_penalty += 1;
                    }
                }
                _ => {}
            }
        }
    }

    /// The findings once every case of the period was added; `agencies` are the enforcement
    /// subjects the zero-enforcement rule checks, with the cases opened in its period counted
    /// by the caller in `opened_in_period` (agency id → count).
    pub fn findings(
        &self,
        agencies: &[AgencyRow],
        opened_in_period: &HashMap<String, i64>,
    ) -> Vec<Finding> {
        let year = self.today.year();
        let mut out = Vec::new();
        for rule in self.set.enabled() {
            match rule.check {
                Check::ZeroEnforcement { period_days } => {
                    for a in agencies {
                        if a.penalty_powers == 0
                            || opened_in_period.get(&a.agency_id).copied().unwrap_or(0) > 0
                            || !rule.scope.covers(&a.field, &a.region_code)
                        {
                            continue;
                        }
                        out.push(Finding {
                            rule_id: rule.id.clone(),
                            dedupe_key: format!("{}:{}:{year}", rule.id, a.agency_id),
                            case_id: None,
                            officer_id: None,
                            agency_id: a.agency_id.clone(),
                            message: format!(
                                "{} 在本领域有 {} 项行政处罚职权，近 {period_days} 日（至 {}）无一起案件",
                                a.name, a.penalty_powers, self.today
                            ),
                            facts: json!({"penalty_powers": a.penalty_powers, "period_days": period_days, "until": self.today}),
                        });
                    }
                }
                Check::FinesAtMaximum {
                    period_days,
                    min_decisions,
                    share_percent,
                } => {
                    for (id, t) in &self.officers {
                        if t.decisions < min_decisions
                            || u64::from(t.at_max) * 100
                                < u64::from(share_percent) * u64::from(t.decisions)
                            || !rule.scope.covers(&t.field, &t.region_code)
                        {
                            continue;
                        }
                        out.push(Finding {
                            rule_id: rule.id.clone(),
                            dedupe_key: format!("{}:{id}:{year}", rule.id),
                            case_id: None,
                            officer_id: Some(id.clone()),
                            agency_id: t.agency_id.clone(),
                            message: format!(
                                "{} 近 {period_days} 日参与作出的 {} 件罚款决定中有 {} 件（{}%）处于裁量基准上限",
                                t.name,
                                t.decisions,
                                t.at_max,
                                u64::from(t.at_max) * 100 / u64::from(t.decisions.max(1))
                            ),
                            facts: json!({"officer": t.name, "decisions": t.decisions, "at_max": t.at_max, "share_percent": share_percent, "cases": t.cases}),
                        });
                    }
                }
                Check::NoPenaltyRate {
                    period_days,
                    min_concluded,
                    share_percent,
                } => {
                    let mut ids: Vec<&String> = self.agencies.keys().collect();
                    ids.sort();
                    for id in ids {
                        let t = &self.agencies[id];
                        if t.concluded < min_concluded
                            || u64::from(t.no_penalty) * 100
                                < u64::from(share_percent) * u64::from(t.concluded)
                            || !rule.scope.covers(&t.field, &t.region_code)
                        {
                            continue;
                        }
                        out.push(Finding {
                            rule_id: rule.id.clone(),
                            dedupe_key: format!("{}:{id}:{year}", rule.id),
                            case_id: None,
                            officer_id: None,
                            agency_id: id.clone(),
                            message: format!(
                                "近 {period_days} 日调查终结 {} 件，其中不予处罚 {} 件（{}%），达到或超过 {share_percent}% 的关注线",
                                t.concluded,
                                t.no_penalty,
                                u64::from(t.no_penalty) * 100 / u64::from(t.concluded.max(1))
                            ),
                            facts: json!({"concluded": t.concluded, "no_penalty": t.no_penalty, "share_percent": share_percent}),
                        });
                    }
                }
                _ => {}
            }
        }
        out
    }
}
