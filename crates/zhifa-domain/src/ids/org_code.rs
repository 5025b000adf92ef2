//! Organisation code 组织机构代码 (GB 11714-1997): 8 body characters (digits or capital
//! letters) + 1 check character. Since 2015 it lives on as positions 9–17 of the unified social
//! credit code (see [`crate::Uscc::org_code`]).

use serde::{Deserialize, Serialize};

use crate::Invalid;
use crate::macros::string_newtype_traits;

/// The standard every rule of this module comes from.
const RULE: &str = "GB 11714-1997";

/// Weights of body positions 1–8.
const WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// An organisation code 组织机构代码 that passed the GB 11714 check. Held as 9 characters
/// without the hyphen that is customary in print (`12345678-9`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OrgCode(String);

string_newtype_traits!(OrgCode);

/// Value of a body character: `0-9` → 0–9, `A-Z` → 10–35.
fn value_of(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        b'A'..=b'Z' => Some(u32::from(c - b'A') + 10),
        _ => None,
    }
}

/// Check character of an 8-character body already known to be valid.
fn compute_check(body: &[u8]) -> char {
    let sum: u32 = body
        .iter()
        .zip(WEIGHTS)
        .map(|(&c, w)| value_of(c).unwrap_or(0) * w)
        .sum();
    match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        v => char::from_digit(v, 10).unwrap_or('0'),
    }
}

/// Checks the characters: positions 1–8 digits or capital letters, position 9 (if present) a
/// digit or `X`.
fn check_chars(s: &str) -> Result<(), Invalid> {
    for (i, c) in s.chars().enumerate() {
        let ok = if i < 8 {
            c.is_ascii_digit() || c.is_ascii_uppercase()
        } else {
            c.is_ascii_digit() || c == 'X'
        };
        if !ok {
            let what = if i < 8 {
                "本体代码只能是数字或大写英文字母"
            } else {
                "校验码只能是数字或 X"
            };
            return Err(Invalid::new(
                "orgcode.charset",
                RULE,
                format!("组织机构代码第 {} 位“{c}”无效：{what}", i + 1),
            ));
        }
    }
    Ok(())
}

impl OrgCode {
    /// Parses and validates an organisation code (GB 11714-1997): 8 digits/capital letters and
    /// the check character `C9 = 11 − (Σ Ci × Wi mod 11)`, 10 → `X`, 11 → `0`. Accepts
    /// lower case, surrounding whitespace and the printed form with a hyphen (`D2143569-X`).
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let mut s = s.trim().to_ascii_uppercase();
        if s.len() == 10 && s.as_bytes()[8] == b'-' {
            s.remove(8);
        }
        let len = s.chars().count();
        if len != 9 {
            return Err(Invalid::new(
                "orgcode.length",
                RULE,
                format!("组织机构代码应为 9 位（8 位本体代码加 1 位校验码），实为 {len} 位"),
            ));
        }
        check_chars(&s)?;
        let expected = compute_check(&s.as_bytes()[..8]);
        let actual = char::from(s.as_bytes()[8]);
        if actual != expected {
            return Err(Invalid::new(
                "orgcode.check_char",
                RULE,
                format!("组织机构代码校验码错误：应为 {expected}，实为 {actual}"),
            ));
        }
        Ok(Self(s))
    }

    /// The 9-character code without hyphen.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The printed form with a hyphen before the check character, e.g. `D2143569-X`.
    pub fn hyphenated(&self) -> String {
        format!("{}-{}", &self.0[..8], &self.0[8..])
    }

    /// Computes the check character of an 8-character body (GB 11714-1997).
    pub fn check_char(body8: &str) -> Result<char, Invalid> {
        let s = body8.trim().to_ascii_uppercase();
        let len = s.chars().count();
        if len != 8 {
            return Err(Invalid::new(
                "orgcode.length",
                RULE,
                format!("计算组织机构代码校验码需要 8 位本体代码，实为 {len} 位"),
            ));
        }
        check_chars(&s)?;
        Ok(compute_check(s.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Uscc;
    use proptest::prelude::*;

    #[test]
    fn gb11714_known_codes() {
        // D2143569-X is the worked example commonly quoted for GB 11714; the others are the
        // organisation codes inside real unified social credit codes (GB 32100 positions 9–17).
        for code in [
            "D2143569-X",
            "192203821",
            "708461136",
            "71526726X",
            "551385082",
            "M000100Y4",
        ] {
            let oc = OrgCode::parse(code).unwrap_or_else(|e| panic!("{code}: {e}"));
            assert_eq!(oc.as_str(), code.replace('-', ""));
        }
        assert_eq!(
            OrgCode::parse("d2143569-x").unwrap().hyphenated(),
            "D2143569-X"
        );
        assert_eq!(OrgCode::check_char("D2143569").unwrap(), 'X');
    }

    #[test]
    fn gb11714_inside_uscc() {
        for uscc in [
            "914403001922038216",
            "9144030071526726XG",
            "91110108551385082Q",
        ] {
            let u = Uscc::parse(uscc).unwrap();
            assert!(OrgCode::parse(u.org_code()).is_ok(), "{uscc}");
        }
    }

    #[test]
    fn gb11714_rejections_table() {
        let cases: &[(&str, &str)] = &[
            ("D2143569", "orgcode.length"),
            ("D2143569-XX", "orgcode.length"),
            ("D21435-9X", "orgcode.charset"),
            ("D214356９X", "orgcode.charset"),
            ("D2143569-1", "orgcode.check_char"),
            ("192203820", "orgcode.check_char"),
        ];
        for (input, code) in cases {
            let e = OrgCode::parse(input).expect_err(input);
            assert_eq!(e.code, *code, "{input}: {}", e.message);
            assert_eq!(e.rule, "GB 11714-1997");
        }
    }

    #[test]
    fn check_value_eleven_maps_to_zero() {
        // Body "00000000" has Σ = 0, so C9 = 11 → '0'.
        assert_eq!(OrgCode::check_char("00000000").unwrap(), '0');
        assert!(OrgCode::parse("000000000").is_ok());
    }

    #[test]
    fn serde_round_trip() {
        let oc = OrgCode::parse("D2143569-X").unwrap();
        let json = serde_json::to_string(&oc).unwrap();
        assert_eq!(json, "\"D2143569X\"");
        assert_eq!(serde_json::from_str::<OrgCode>(&json).unwrap(), oc);
        assert!(serde_json::from_str::<OrgCode>("\"D21435691\"").is_err());
    }

    fn body() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            proptest::sample::select(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".to_vec()),
            8,
        )
        .prop_map(|v| String::from_utf8(v).unwrap())
    }

    proptest! {
        /// GB 11714: a body completed with its computed check character verifies.
        #[test]
        fn generated_codes_verify(b in body()) {
            let check = OrgCode::check_char(&b).unwrap();
            let code = format!("{b}{check}");
            prop_assert!(OrgCode::parse(&code).is_ok());
        }

        /// GB 11714: a changed check character is always rejected (the check is a function of
        /// the body).
        #[test]
        fn wrong_check_rejected(b in body(), sub in proptest::sample::select(b"0123456789X".to_vec())) {
            let check = OrgCode::check_char(&b).unwrap();
            prop_assume!(char::from(sub) != check);
            let code = format!("{b}{}", char::from(sub));
            prop_assert!(OrgCode::parse(&code).is_err());
        }
    }
}
