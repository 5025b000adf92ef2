//! Enforcement certificate number 执法证号, as defined by the Zhifa data standard ZF-1.0
//! (element `person.cert_no`).
//!
//! There is no national public format; provinces number certificates differently. Zhifa's
//! documented format is 13 digits: the GB/T 2260 region code of the issuing authority (6, a
//! province-, city- or county-level code of the region table) + the enforcement field
//! (2, code set `enforcement_field`) + a sequence (5, `00001`–`99999`).

use serde::{Deserialize, Serialize};

use crate::Invalid;
use crate::macros::string_newtype_traits;
use crate::region::{RegionLevel, RegionTable};
use crate::standard::Standard;

/// The standard every rule of this module comes from.
const RULE: &str = "Zhifa 数据标准 ZF-1.0";

/// An enforcement certificate number 执法证号 in the ZF-1.0 format.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CertificateNumber(String);

string_newtype_traits!(CertificateNumber);

impl CertificateNumber {
    /// Parses and validates a certificate number: 13 digits; the first 6 a province-, city- or
    /// county-level code in the GB/T 2260 table; digits 7–8 a code of `enforcement_field`;
    /// digits 9–13 a sequence from `00001`.
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let s = s.trim();
        if s.len() != 13 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Invalid::new(
                "cert_no.format",
                RULE,
                format!(
                    "执法证号“{s}”格式错误：应为 13 位数字（6 位发证机关行政区划代码 + 2 位执法领域代码 + 5 位顺序号）"
                ),
            ));
        }
        let region = &s[..6];
        let known = RegionTable::builtin()
            .get(region)
            .is_some_and(|r| r.level != RegionLevel::Township);
        if !known {
            return Err(Invalid::new(
                "cert_no.region",
                RULE,
                format!("执法证号前 6 位“{region}”不是省、市、县级行政区划代码（GB/T 2260）"),
            ));
        }
        let field = &s[6..8];
        let fields = Standard::builtin().code_set("enforcement_field");
        if !fields.is_some_and(|set| set.contains(field)) {
            let allowed = fields.map(|set| set.describe_codes()).unwrap_or_default();
            return Err(Invalid::new(
                "cert_no.field",
                RULE,
                format!("执法证号第 7–8 位“{field}”不是执法领域代码，允许的值：{allowed}"),
            ));
        }
        if &s[8..] == "00000" {
            return Err(Invalid::new(
                "cert_no.sequence",
                RULE,
                "执法证号第 9–13 位（顺序号）应为 00001–99999，不能为 00000",
            ));
        }
        Ok(Self(s.to_string()))
    }

    /// The 13-digit number.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Digits 1–6: GB/T 2260 code of the issuing authority's region.
    pub fn region_code(&self) -> &str {
        &self.0[..6]
    }

    /// Digits 7–8: the enforcement field (code set `enforcement_field`).
    pub fn field_code(&self) -> &str {
        &self.0[6..8]
    }

    /// Digits 9–13 as a number (1–99999).
    pub fn sequence(&self) -> u32 {
        self.0[8..].parse().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zf_valid_numbers() {
        // 440106 广州市天河区, field 01 市场监管, sequence 17; 110000 北京市 (province level);
        // 130100 石家庄市 (city level); 110100 北京市市辖区 (kept as in GB/T 2260).
        for (no, region, field, seq) in [
            ("4401060100017", "440106", "01", 17),
            ("1100000200001", "110000", "02", 1),
            ("1301001299999", "130100", "12", 99999),
            ("1101000600005", "110100", "06", 5),
        ] {
            let c = CertificateNumber::parse(no).unwrap_or_else(|e| panic!("{no}: {e}"));
            assert_eq!(c.as_str(), no);
            assert_eq!(c.region_code(), region);
            assert_eq!(c.field_code(), field);
            assert_eq!(c.sequence(), seq);
        }
    }

    #[test]
    fn zf_rejections_table() {
        let cases: &[(&str, &str)] = &[
            ("440106010001", "cert_no.format"),
            ("44010601000170", "cert_no.format"),
            ("44010601O0017", "cert_no.format"),
            ("４４01060100017", "cert_no.format"),
            ("1000000100001", "cert_no.region"), // 100000 is no region
            ("4401990100001", "cert_no.region"), // 440199 does not exist
            ("4401061300017", "cert_no.field"),  // 13 is no field
            ("4401060000017", "cert_no.field"),
            ("4401060100000", "cert_no.sequence"),
        ];
        for (input, code) in cases {
            let e = CertificateNumber::parse(input).expect_err(input);
            assert_eq!(e.code, *code, "{input}: {}", e.message);
            assert_eq!(e.rule, "Zhifa 数据标准 ZF-1.0");
        }
        let e = CertificateNumber::parse("4401061300017").unwrap_err();
        assert!(e.message.contains("01 市场监管"), "{}", e.message);
    }

    #[test]
    fn serde_round_trip() {
        let c = CertificateNumber::parse(" 4401060100017 ").unwrap();
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(json, "\"4401060100017\"");
        assert_eq!(serde_json::from_str::<CertificateNumber>(&json).unwrap(), c);
        assert!(serde_json::from_str::<CertificateNumber>("\"4401060100000\"").is_err());
    }
}
