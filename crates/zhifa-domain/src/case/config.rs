//! Thresholds that provinces and sectors set (legal-rules G): node configuration with
//! documented defaults. An administrator edits them; the store records every change in the
//! ledger. Each field names the rule it parameterises.

use serde::{Deserialize, Serialize};

/// The case-handling thresholds of a node. All amounts in fen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CaseRules {
    /// Simple procedure (当场处罚) fine ceiling for a citizen, APL Art. 51: ¥200.
    pub simple_max_fine_citizen: i64,
    /// Simple procedure fine ceiling for an organisation, APL Art. 51: ¥3,000.
    pub simple_max_fine_org: i64,
    /// On-the-spot collection ceiling, APL Art. 68: ¥100.
    pub on_spot_collection_max: i64,
    /// Minimum officers on an act, APL Art. 42: 2.
    pub min_officers: u32,
    /// Filing deadline from lead registration, working days (APL Art. 54, sector default 15) \[U\].
    pub filing_working_days: u32,
    /// Limitation period, years (APL Art. 36): 2.
    pub limitation_years: u32,
    /// Limitation period where life/health or financial safety was harmed, years: 5.
    pub limitation_years_serious: u32,
    /// Evidence preservation decision period, working days (APL Art. 56): 7.
    pub preservation_working_days: u32,
    /// Seizure/detention term, days (ACL Art. 25): 30.
    pub seizure_days: u32,
    /// Seizure extension, at most once, days (ACL Art. 25): 30.
    pub seizure_extension_days: u32,
    /// Statement and defence window after the prior notice, working days (sector rules, e.g.
    /// 市场监督管理行政处罚程序规定: 5) \[U\].
    pub statement_working_days: u32,
    /// Hearing request window after the notice, working days (APL Art. 64): 5.
    pub hearing_request_working_days: u32,
    /// Minimum hearing notice, working days before the hearing (APL Art. 64): 7.
    pub hearing_notice_working_days: u32,
    /// "较大数额" fine giving a citizen hearing rights (APL Art. 63) \[U\]: ¥10,000.
    pub hearing_fine_citizen: i64,
    /// "较大数额" fine giving an organisation hearing rights (APL Art. 63) \[U\]: ¥100,000.
    pub hearing_fine_org: i64,
    /// "较大价值" confiscation giving hearing rights (APL Art. 63) \[U\]: same as the fine.
    pub hearing_confiscation_citizen: i64,
    /// Confiscation threshold for an organisation (APL Art. 63) \[U\].
    pub hearing_confiscation_org: i64,
    /// Fine from which a citizen's case needs legal review (APL Art. 58, local) \[P\]: ¥10,000.
    pub review_fine_citizen: i64,
    /// Fine from which an organisation's case needs legal review \[P\]: ¥100,000.
    pub review_fine_org: i64,
    /// Decision period from filing, days (APL Art. 60): 90.
    pub decision_days: u32,
    /// Longest total extension of the decision period, days (sector rules) \[U\]: 30.
    pub decision_extension_max_days: u32,
    /// Service period when the party is absent, working days (APL Art. 61): 7.
    pub service_working_days: u32,
    /// Payment period after service, days (APL Art. 67): 15.
    pub payment_days: u32,
    /// Late surcharge per day, per mille of the fine (APL Art. 72): 30 (3 %).
    pub surcharge_per_mille: u32,
    /// Publication of penalty decisions, working days (118号) \[P\]: 7.
    pub publication_working_days: u32,
    /// Withdrawal of a changed publication, working days (APL Art. 48): 3.
    pub withdrawal_working_days: u32,
    /// Court application: months after service until the appeal periods end (行政诉讼法: 6).
    pub appeal_months: u32,
    /// Court application window after the appeal periods, months (ACL Art. 53): 3.
    pub court_application_months: u32,
    /// Minimum working days between 催告 and the court application (ACL Art. 54): 10.
    pub demand_working_days: u32,
    /// A clock is "due soon" this many calendar days before its date.
    pub due_soon_days: u32,
}

impl Default for CaseRules {
    fn default() -> Self {
        Self {
            simple_max_fine_citizen: 20_000, // ¥200
            simple_max_fine_org: 300_000,    // ¥3,000
            on_spot_collection_max: 10_000,  // ¥100
            min_officers: 2,
            filing_working_days: 15,
            limitation_years: 2,
            limitation_years_serious: 5,
            preservation_working_days: 7,
            seizure_days: 30,
            seizure_extension_days: 30,
            statement_working_days: 5,
            hearing_request_working_days: 5,
            hearing_notice_working_days: 7,
            hearing_fine_citizen: 1_000_000,         // ¥10,000
            hearing_fine_org: 10_000_000,            // ¥100,000
            hearing_confiscation_citizen: 1_000_000, // ¥10,000
            hearing_confiscation_org: 10_000_000,    // ¥100,000
            review_fine_citizen: 1_000_000,          // ¥10,000
            review_fine_org: 10_000_000,             // ¥100,000
            decision_days: 90,
            decision_extension_max_days: 30,
            service_working_days: 7,
            payment_days: 15,
            surcharge_per_mille: 30,
            publication_working_days: 7,
            withdrawal_working_days: 3,
            appeal_months: 6,
            court_application_months: 3,
            demand_working_days: 10,
            due_soon_days: 3,
        }
    }
}

impl CaseRules {
    /// Checks the values are usable (positive periods, ordered thresholds); returns the
    /// offending field and a Chinese message.
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        let positive: [(&'static str, i64); 10] = [
            ("min_officers", i64::from(self.min_officers)),
            ("filing_working_days", i64::from(self.filing_working_days)),
            ("limitation_years", i64::from(self.limitation_years)),
            ("decision_days", i64::from(self.decision_days)),
            ("payment_days", i64::from(self.payment_days)),
            ("service_working_days", i64::from(self.service_working_days)),
            (
                "hearing_request_working_days",
                i64::from(self.hearing_request_working_days),
            ),
            (
                "hearing_notice_working_days",
                i64::from(self.hearing_notice_working_days),
            ),
            ("hearing_fine_citizen", self.hearing_fine_citizen),
            ("hearing_fine_org", self.hearing_fine_org),
        ];
        for (field, v) in positive {
            if v <= 0 {
                return Err((field, "必须大于零".to_string()));
            }
        }
        if self.min_officers < 2 {
            return Err((
                "min_officers",
                "《行政处罚法》第四十二条：执法人员不得少于两人".to_string(),
            ));
        }
        if self.limitation_years_serious < self.limitation_years {
            return Err((
                "limitation_years_serious",
                "不得短于一般追责时效".to_string(),
            ));
        }
        if self.surcharge_per_mille > 30 {
            return Err((
                "surcharge_per_mille",
                "《行政处罚法》第七十二条：每日按罚款数额的百分之三加处罚款，不得超过".to_string(),
            ));
        }
        Ok(())
    }
}
