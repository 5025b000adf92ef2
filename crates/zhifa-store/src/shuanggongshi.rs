//! The 双公示 行政处罚 record (信用中国 行政处罚信息 upload format, newer generation): one
//! record per penalty decision, built from the case state folded from its events. Field names
//! and meanings are those of `data-standard.md` ("Credit publication record"); amounts are in
//! 万元 (exact decimal conversion from fen, never a float); a natural person's name and ID are
//! masked (国办发〔2018〕118号 on publishing penalty decisions; 个人信息保护法 Art. 6 minimum
//! necessary), a phone number or address is never included.
//!
//! One builder serves the outbox (credit platform and publicity consumers) and the CLI export
//! (`zhifa export --format shuanggongshi`).

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use zhifa_domain::case::CaseState;
use zhifa_domain::money::Fen;
use zhifa_domain::standard::Standard;

/// Export settings a node may change (configuration, not code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShuangGongShiRules {
    /// Months a record stays published after the decision date (公示期限): `cf_gsjzq` and
    /// `cf_yxq` are the decision date plus this. The credit authorities set it per kind of
    /// conduct (commonly up to one year for general dishonest conduct); default 12.
    pub publicity_months: u32,
}

impl Default for ShuangGongShiRules {
    fn default() -> Self {
        ShuangGongShiRules {
            publicity_months: 12,
        }
    }
}

/// The field names in record order (the CSV header of the upload format).
pub const FIELDS: [&str; 30] = [
    "cf_xdr_mc",
    "cf_xdr_lb",
    "cf_xdr_shxym",
    "cf_xdr_gszc",
    "cf_xdr_zzjg",
    "cf_xdr_swdj",
    "cf_xdr_sydw",
    "cf_xdr_shzz",
    "cf_frdb",
    "cf_fr_zjlx",
    "cf_fr_sfzh",
    "cf_xdr_zjlx",
    "cf_xdr_zjhm",
    "cf_wsh",
    "cf_wfxw",
    "cf_sy",
    "cf_yj",
    "cf_cflb",
    "cf_nr",
    "cf_nr_fk",
    "cf_nr_wfff",
    "cf_nr_zkdx",
    "cf_jdrq",
    "cf_yxq",
    "cf_gsjzq",
    "cf_cfjg",
    "cf_cfjgdm",
    "cf_sjly",
    "cf_sjlydm",
    "bz",
];

/// One 双公示 行政处罚 record. Empty strings for fields the case does not know (the upload
/// format keeps every column).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ShuangGongShi {
    /// 行政相对人名称 (a natural person's masked: 张某某).
    pub cf_xdr_mc: String,
    /// 行政相对人类别: 法人及非法人组织 / 自然人 / 个体工商户.
    pub cf_xdr_lb: String,
    /// 统一社会信用代码 (organisations and 个体工商户).
    pub cf_xdr_shxym: String,
    /// 工商注册号.
    pub cf_xdr_gszc: String,
    /// 组织机构代码 (positions 9–17 of the USCC, GB 32100-2015).
    pub cf_xdr_zzjg: String,
    /// 税务登记号.
    pub cf_xdr_swdj: String,
    /// 事业单位证书号.
    pub cf_xdr_sydw: String,
    /// 社会组织登记证号 (the data standard names this column without a field name; Zhifa
    /// calls it `cf_xdr_shzz`).
    pub cf_xdr_shzz: String,
    /// 法定代表人.
    pub cf_frdb: String,
    /// 法定代表人证件类型.
    pub cf_fr_zjlx: String,
    /// 法定代表人证件号码.
    pub cf_fr_sfzh: String,
    /// 证件类型 (natural persons: 身份证).
    pub cf_xdr_zjlx: String,
    /// 证件号码 (a citizen ID masked).
    pub cf_xdr_zjhm: String,
    /// 行政处罚决定书文号.
    pub cf_wsh: String,
    /// 违法行为类型 (案由).
    pub cf_wfxw: String,
    /// 违法事实.
    pub cf_sy: String,
    /// 处罚依据.
    pub cf_yj: String,
    /// 处罚类别 (penalty type names, `;`-separated).
    pub cf_cflb: String,
    /// 处罚内容.
    pub cf_nr: String,
    /// 罚款金额（万元）.
    pub cf_nr_fk: String,
    /// 没收违法所得、没收非法财物的金额（万元）.
    pub cf_nr_wfff: String,
    /// 暂扣或吊销证照名称及编号.
    pub cf_nr_zkdx: String,
    /// 处罚决定日期 (YYYY-MM-DD).
    pub cf_jdrq: String,
    /// 处罚有效期.
    pub cf_yxq: String,
    /// 公示截止期.
    pub cf_gsjzq: String,
    /// 处罚机关.
    pub cf_cfjg: String,
    /// 处罚机关统一社会信用代码.
    pub cf_cfjgdm: String,
    /// 数据来源单位.
    pub cf_sjly: String,
    /// 数据来源单位统一社会信用代码.
    pub cf_sjlydm: String,
    /// 备注 (the decision's verification code, when known).
    pub bz: String,
}

/// 行政相对人类别 of a party type code (1 自然人, 2 法人, 3 非法人组织, 4 个体工商户).
fn party_class(party_type: &str) -> &'static str {
    match party_type {
        "1" => "自然人",
        "4" => "个体工商户",
        _ => "法人及非法人组织",
    }
}

/// The organisation code inside a USCC: characters 9–17 (GB 32100-2015 § 4).
fn org_code_of(uscc: &str) -> String {
    uscc.get(8..17).unwrap_or_default().to_string()
}

/// A date plus whole months (the last day of a shorter month when the day does not exist).
fn plus_months(on: NaiveDate, months: u32) -> NaiveDate {
    on.checked_add_months(Months::new(months)).unwrap_or(on)
}

impl ShuangGongShi {
    /// The record of a case whose penalty decision is in `state` (`None` for a case without a
    /// decision, or decided 不予行政处罚: that is not a 行政处罚 record). `agency_uscc` is the
    /// deciding agency's USCC; `verification_code` the decision's ledger leaf hash.
    pub fn from_case(
        state: &CaseState,
        agency_uscc: &str,
        verification_code: Option<&str>,
        rules: &ShuangGongShiRules,
    ) -> Option<ShuangGongShi> {
        let decision = state.decision.as_ref()?;
        let penalty = decision.penalty.as_ref()?;
        let party = &state.party;
        let citizen = party.is_citizen();
        let uscc = if citizen {
            String::new()
        } else {
            party.id_number.clone().unwrap_or_default()
        };
        let types = Standard::builtin().code_set("penalty_type");
        let type_names: Vec<&str> = penalty
            .types
            .iter()
            .map(|t| types.and_then(|s| s.name_of(t)).unwrap_or("其他"))
            .collect();
        let until = plus_months(decision.on, rules.publicity_months).to_string();
        let licence = if penalty.has_type("06") || penalty.has_type("08") {
            penalty.licence.clone().unwrap_or_default()
        } else {
            String::new()
        };
        Some(ShuangGongShi {
            cf_xdr_mc: party.public_name(),
            cf_xdr_lb: party_class(&party.party_type).to_string(),
            cf_xdr_zzjg: org_code_of(&uscc),
            cf_xdr_shxym: uscc,
            cf_xdr_gszc: String::new(),
            cf_xdr_swdj: String::new(),
            cf_xdr_sydw: String::new(),
            cf_xdr_shzz: String::new(),
            cf_frdb: if citizen {
                String::new()
            } else {
                party.legal_rep.clone().unwrap_or_default()
            },
            cf_fr_zjlx: String::new(),
            cf_fr_sfzh: String::new(),
            cf_xdr_zjlx: if citizen && party.id_number.is_some() {
                "身份证".to_string()
            } else {
                String::new()
            },
            cf_xdr_zjhm: if citizen {
                party.public_id().unwrap_or_default()
            } else {
                String::new()
            },
            cf_wsh: decision.number.clone(),
            cf_wfxw: state.cause.clone(),
            cf_sy: penalty.facts.clone(),
            cf_yj: penalty.basis.clone(),
            cf_cflb: type_names.join(";"),
            cf_nr: penalty.summary(),
            cf_nr_fk: Fen::new(penalty.fine_fen)
                .map(Fen::to_wan_yuan_string)
                .unwrap_or_default(),
            cf_nr_wfff: Fen::new(penalty.confiscation_fen)
                .map(Fen::to_wan_yuan_string)
                .unwrap_or_default(),
            cf_nr_zkdx: licence,
            cf_jdrq: decision.on.to_string(),
            cf_yxq: until.clone(),
            cf_gsjzq: until,
            cf_cfjg: state.agency_name.clone(),
            cf_cfjgdm: agency_uscc.to_string(),
            cf_sjly: state.agency_name.clone(),
            cf_sjlydm: agency_uscc.to_string(),
            bz: verification_code
                .map(|c| format!("验证码：{c}"))
                .unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_code_is_inside_the_uscc() {
        assert_eq!(org_code_of("91440101MA59ABCD1X"), "MA59ABCD1");
        assert_eq!(org_code_of(""), "");
    }

    #[test]
    fn months_clamp_to_month_end() {
        let d = |s: &str| s.parse::<NaiveDate>().expect("date");
        assert_eq!(plus_months(d("2026-03-19"), 12), d("2027-03-19"));
        assert_eq!(plus_months(d("2026-08-31"), 6), d("2027-02-28"));
    }
}
