//! Unified social credit code 统一社会信用代码 (GB 32100-2015).
//!
//! 18 characters: registration authority (登记管理部门码, 1) + organisation category
//! (机构类别码, 1) + region of the registration authority (登记管理机关行政区划码, 6 digits,
//! GB/T 2260) + organisation identifier (主体标识码, 9, an organisation code per GB 11714) +
//! check character (校验码, 1).

use serde::{Deserialize, Serialize};

use crate::Invalid;
use crate::macros::string_newtype_traits;

/// The standard every rule of this module comes from.
const RULE: &str = "GB 32100-2015";

/// The 31 symbols of the code, in value order (0–30): digits and capitals without I, O, S, V, Z.
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Weights of positions 1–17 (3^(i-1) mod 31), GB 32100-2015 §4.3 / Annex.
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// A unified social credit code 统一社会信用代码 that passed every check of GB 32100-2015.
/// Held upper-case, without surrounding whitespace.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Uscc(String);

string_newtype_traits!(Uscc);

/// The value (0–30) of a code character, or `None` if it is not in the alphabet.
fn value_of(c: char) -> Option<u32> {
    ALPHABET
        .iter()
        .position(|&b| char::from(b) == c)
        .map(|i| i as u32)
}

/// Trims and upper-cases user input (lower-case letters are accepted).
fn normalise(s: &str) -> String {
    s.trim().to_ascii_uppercase()
}

/// Checks that every character is in the alphabet (the message names the 1-based position).
fn check_charset(s: &str) -> Result<(), Invalid> {
    for (i, c) in s.chars().enumerate() {
        if value_of(c).is_none() {
            return Err(Invalid::new(
                "uscc.charset",
                RULE,
                format!(
                    "统一社会信用代码第 {} 位“{}”不是有效字符：只能使用数字和除 I、O、S、V、Z 以外的大写英文字母",
                    i + 1,
                    c
                ),
            ));
        }
    }
    Ok(())
}

/// The check character of 17 characters already known to be in the alphabet.
fn compute_check(first17: &str) -> char {
    let sum: u32 = first17
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| value_of(c).unwrap_or(0) * w)
        .sum();
    let value = (31 - sum % 31) % 31;
    char::from(ALPHABET[value as usize])
}

impl Uscc {
    /// Parses and validates a unified social credit code (GB 32100-2015): length 18, alphabet
    /// `0-9A-HJ-NPQRTUWXY`, positions 3–8 six digits, check character. Lower-case input and
    /// surrounding whitespace are accepted.
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let s = normalise(s);
        let len = s.chars().count();
        if len != 18 {
            return Err(Invalid::new(
                "uscc.length",
                RULE,
                format!("统一社会信用代码应为 18 位，实为 {len} 位"),
            ));
        }
        check_charset(&s)?;
        let region = &s[2..8];
        if !region.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Invalid::new(
                "uscc.region",
                RULE,
                format!(
                    "统一社会信用代码第 3–8 位（登记管理机关行政区划码）应为 6 位数字，实为“{region}”"
                ),
            ));
        }
        let expected = compute_check(&s[..17]);
        let actual = s[17..].chars().next().unwrap_or(' ');
        if expected != actual {
            return Err(Invalid::new(
                "uscc.check_char",
                RULE,
                format!("统一社会信用代码校验码错误：应为 {expected}，实为 {actual}"),
            ));
        }
        Ok(Self(s))
    }

    /// The code as a string (18 upper-case characters).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Positions 3–8: the GB/T 2260 region code of the registration authority
    /// (登记管理机关行政区划码). Not checked against the region table: codes issued before a
    /// region was renamed stay valid.
    pub fn region_code(&self) -> &str {
        &self.0[2..8]
    }

    /// Positions 9–17: the organisation identifier (主体标识码), which is the organisation's
    /// GB 11714 organisation code (组织机构代码) including its own check character.
    pub fn org_code(&self) -> &str {
        &self.0[8..17]
    }

    /// Position 1: registration authority code (登记管理部门码, e.g. `9` 市场监管/工商).
    pub fn registration_authority(&self) -> &str {
        &self.0[0..1]
    }

    /// Position 2: organisation category code (机构类别码, e.g. `1` 企业 under authority `9`).
    pub fn category(&self) -> &str {
        &self.0[1..2]
    }

    /// Computes the check character (校验码) for the first 17 characters of a code:
    /// `C18 = 31 − (Σ value(Ci) × Wi mod 31)`, 31 → 0 (GB 32100-2015).
    pub fn check_char(first17: &str) -> Result<char, Invalid> {
        let s = normalise(first17);
        let len = s.chars().count();
        if len != 17 {
            return Err(Invalid::new(
                "uscc.length",
                RULE,
                format!("计算统一社会信用代码校验码需要前 17 位，实为 {len} 位"),
            ));
        }
        check_charset(&s)?;
        Ok(compute_check(&s))
    }
}

/// Completes the first 17 characters of a unified social credit code with its check character
/// and parses the result. Meant for tests and demo data of every crate.
pub fn uscc_with_check(first17: &str) -> Result<Uscc, Invalid> {
    let first17 = normalise(first17);
    let check = Uscc::check_char(&first17)?;
    Uscc::parse(&format!("{first17}{check}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Real, published codes (GB 32100-2015 commentary sample; registered companies).
    const REAL: &[(&str, &str)] = &[
        ("91350100M000100Y43", "GB 32100-2015 释义中的福建示例"),
        ("914403001922038216", "华为技术有限公司"),
        ("91440300708461136T", "深圳市腾讯计算机系统有限公司"),
        ("9144030071526726XG", "腾讯科技（深圳）有限公司"),
        ("91110108551385082Q", "小米科技有限责任公司"),
    ];

    #[test]
    fn gb32100_real_codes_pass() {
        for (code, who) in REAL {
            let u = Uscc::parse(code).unwrap_or_else(|e| panic!("{who}: {e}"));
            assert_eq!(u.as_str(), *code);
            assert_eq!(
                Uscc::check_char(&code[..17]).unwrap().to_string(),
                &code[17..]
            );
        }
    }

    #[test]
    fn gb32100_parts() {
        let u = Uscc::parse("91350100M000100Y43").unwrap();
        assert_eq!(u.registration_authority(), "9");
        assert_eq!(u.category(), "1");
        assert_eq!(u.region_code(), "350100");
        assert_eq!(u.org_code(), "M000100Y4");
        let u = Uscc::parse("914403001922038216").unwrap();
        assert_eq!(u.region_code(), "440300");
        assert_eq!(u.org_code(), "192203821");
    }

    #[test]
    fn gb32100_lowercase_and_whitespace_accepted() {
        let u = Uscc::parse("  9144030071526726xg \n").unwrap();
        assert_eq!(u.as_str(), "9144030071526726XG");
        assert_eq!(u.to_string(), "9144030071526726XG");
    }

    #[test]
    fn gb32100_rejections_table() {
        let cases: &[(&str, &str)] = &[
            ("", "uscc.length"),
            ("91350100M000100Y4", "uscc.length"),
            ("91350100M000100Y433", "uscc.length"),
            ("91350100M000100I43", "uscc.charset"),
            ("91350100M000100O43", "uscc.charset"),
            ("9135010SM000100Y43", "uscc.charset"),
            ("91350100M00010-Y43", "uscc.charset"),
            ("913501０0M000100Y43", "uscc.charset"),
            ("9135A100M000100Y43", "uscc.region"),
            ("91350100M000100Y44", "uscc.check_char"),
            ("914403001922038217", "uscc.check_char"),
        ];
        for (input, code) in cases {
            let e = Uscc::parse(input).expect_err(input);
            assert_eq!(e.code, *code, "{input}: {}", e.message);
            assert_eq!(e.rule, "GB 32100-2015");
        }
    }

    #[test]
    fn gb32100_check_message_names_both_chars() {
        let e = Uscc::parse("91350100M000100Y44").unwrap_err();
        assert_eq!(e.message, "统一社会信用代码校验码错误：应为 3，实为 4");
    }

    #[test]
    fn gb32100_check_31_maps_to_zero() {
        // A prefix whose weighted sum is ≡ 0 (mod 31) must get check char '0', not '31'.
        let prefix = "00000000000000000";
        assert_eq!(Uscc::check_char(prefix).unwrap(), '0');
        assert!(Uscc::parse("000000000000000000").is_ok());
    }

    #[test]
    fn gb32100_helper_completes_prefix() {
        let u = uscc_with_check("91350100M000100Y4").unwrap();
        assert_eq!(u.as_str(), "91350100M000100Y43");
        assert_eq!(uscc_with_check("9135").unwrap_err().code, "uscc.length");
    }

    #[test]
    fn traits_and_serde() {
        let u: Uscc = "91350100M000100Y43".parse().unwrap();
        let json = serde_json::to_string(&u).unwrap();
        assert_eq!(json, "\"91350100M000100Y43\"");
        let back: Uscc = serde_json::from_str(&json).unwrap();
        assert_eq!(back, u);
        assert!(serde_json::from_str::<Uscc>("\"91350100M000100Y44\"").is_err());
        let s: String = u.clone().into();
        assert_eq!(Uscc::try_from(s).unwrap(), u);
        assert_eq!(u.as_ref(), "91350100M000100Y43");
    }

    fn alphabet_char() -> impl Strategy<Value = char> {
        (0usize..31).prop_map(|i| char::from(ALPHABET[i]))
    }

    fn valid_prefix() -> impl Strategy<Value = String> {
        (
            proptest::collection::vec(alphabet_char(), 2),
            proptest::collection::vec(0u8..10, 6),
            proptest::collection::vec(alphabet_char(), 9),
        )
            .prop_map(|(a, r, b)| {
                let mut s: String = a.into_iter().collect();
                s.extend(r.into_iter().map(|d| char::from(b'0' + d)));
                s.extend(b);
                s
            })
    }

    proptest! {
        /// GB 32100-2015: a code completed with its computed check character verifies.
        #[test]
        fn generated_codes_verify(prefix in valid_prefix()) {
            let u = uscc_with_check(&prefix).unwrap();
            prop_assert_eq!(&u.as_str()[..17], prefix.as_str());
        }

        /// GB 32100-2015: the weights 3^i mod 31 are all non-zero mod the prime 31, so any single
        /// substitution of a character changes the weighted sum and is rejected.
        #[test]
        fn single_substitution_rejected(prefix in valid_prefix(), pos in 0usize..18, sub in alphabet_char()) {
            let u = uscc_with_check(&prefix).unwrap();
            let mut chars: Vec<char> = u.as_str().chars().collect();
            prop_assume!(chars[pos] != sub);
            chars[pos] = sub;
            let altered: String = chars.into_iter().collect();
            prop_assert!(Uscc::parse(&altered).is_err(), "{} accepted", altered);
        }
    }
}
