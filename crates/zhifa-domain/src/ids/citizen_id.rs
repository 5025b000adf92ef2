//! Citizen identity number 公民身份号码 (GB 11643-1999).
//!
//! 18 characters: address code (地址码, 6, GB/T 2260) + birth date (出生日期码, 8, YYYYMMDD) +
//! sequence (顺序码, 3, odd = male) + check character (校验码, `0-9` or `X`, ISO 7064 MOD 11-2).
//! Legacy 15-digit numbers (two-digit year, no check character) are converted on input.
//! The number is personal data: `Debug` prints only the masked form.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::Invalid;
use crate::macros::string_newtype_traits;
use crate::region::RegionTable;
use crate::time::ChinaDate;

/// The standard every rule of this module comes from.
const RULE: &str = "GB 11643-1999";

/// Weights of positions 1–17 (2^(18−i) mod 11).
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// Check character indexed by Σ mod 11.
const CHECK: &[u8; 11] = b"10X98765432";

/// Earliest birth date accepted (no living person was born earlier).
const EARLIEST_BIRTH: (i32, u32, u32) = (1900, 1, 1);

/// Sex (性别) as coded by the citizen ID sequence digit; codes per GB/T 2261.1-2003.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    /// 男 (odd sequence digit).
    Male,
    /// 女 (even sequence digit).
    Female,
}

impl Sex {
    /// Chinese name: 男 / 女.
    pub fn zh(&self) -> &'static str {
        match self {
            Sex::Male => "男",
            Sex::Female => "女",
        }
    }

    /// GB/T 2261.1-2003 code: `1` male, `2` female.
    pub fn code(&self) -> &'static str {
        match self {
            Sex::Male => "1",
            Sex::Female => "2",
        }
    }
}

/// A citizen identity number 公民身份号码 that passed every check of GB 11643-1999, always
/// held as 18 characters (a 15-digit legacy number is converted). `Display`, `as_str` and
/// serialisation give the full number; `Debug` gives only [`CitizenId::masked`].
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CitizenId(String);

string_newtype_traits!(CitizenId);

impl std::fmt::Debug for CitizenId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("CitizenId").field(&self.masked()).finish()
    }
}

/// The check character of 17 digits already known to be ASCII digits.
fn compute_check(first17: &str) -> char {
    let sum: u32 = first17
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    char::from(CHECK[(sum % 11) as usize])
}

fn all_digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

fn charset_error(what: &str) -> Invalid {
    Invalid::new("idcard.charset", RULE, format!("公民身份号码{what}"))
}

/// Checks the address code (first two digits a real province) and the birth date of the
/// 17-digit body.
fn check_body(first17: &str) -> Result<NaiveDate, Invalid> {
    let province = &first17[..2];
    if !RegionTable::builtin().is_province_prefix(province) {
        return Err(Invalid::new(
            "idcard.region",
            RULE,
            format!("公民身份号码前两位“{province}”不是有效的省级行政区划代码（GB/T 2260）"),
        ));
    }
    let raw = &first17[6..14];
    let date = NaiveDate::parse_from_str(raw, "%Y%m%d").map_err(|_| {
        Invalid::new(
            "idcard.birth_date",
            RULE,
            format!("公民身份号码中的出生日期“{raw}”不是有效日期"),
        )
    })?;
    let (y, m, d) = EARLIEST_BIRTH;
    if date < NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN) {
        return Err(Invalid::new(
            "idcard.birth_date",
            RULE,
            format!("公民身份号码中的出生日期 {date} 早于 1900-01-01"),
        ));
    }
    let today = ChinaDate::today().date();
    if date > today {
        return Err(Invalid::new(
            "idcard.birth_date",
            RULE,
            format!("公民身份号码中的出生日期 {date} 晚于今天（{today}）"),
        ));
    }
    Ok(date)
}

impl CitizenId {
    /// Parses and validates a citizen ID (GB 11643-1999): 18 characters (last may be `X`/`x`)
    /// or a 15-digit legacy number (converted by inserting `19` before the two-digit year and
    /// computing the check character); the province must exist in GB/T 2260, the birth date
    /// must be a real date from 1900-01-01 to today (China time), and the check character must
    /// match.
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let s = s.trim();
        let len = s.chars().count();
        let first17 = match len {
            18 => {
                if !s.is_ascii() || !all_digits(&s[..17]) {
                    return Err(charset_error("前 17 位只能是数字"));
                }
                let last = s.as_bytes()[17];
                if !(last.is_ascii_digit() || last == b'X' || last == b'x') {
                    return Err(charset_error("第 18 位（校验码）只能是数字或 X"));
                }
                s[..17].to_string()
            }
            15 => {
                if !s.is_ascii() || !all_digits(s) {
                    return Err(charset_error("（15 位旧号码）只能是数字"));
                }
                format!("{}19{}", &s[..6], &s[6..])
            }
            _ => {
                return Err(Invalid::new(
                    "idcard.length",
                    RULE,
                    format!("公民身份号码应为 18 位（或 15 位旧号码），实为 {len} 位"),
                ));
            }
        };
        check_body(&first17)?;
        let expected = compute_check(&first17);
        if len == 18 {
            let actual = char::from(s.as_bytes()[17].to_ascii_uppercase());
            if actual != expected {
                return Err(Invalid::new(
                    "idcard.check_char",
                    RULE,
                    format!("公民身份号码校验码错误：应为 {expected}，实为 {actual}"),
                ));
            }
        }
        Ok(Self(format!("{first17}{expected}")))
    }

    /// The full 18-character number. Personal data: show [`CitizenId::masked`] instead
    /// wherever the full number is not needed.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Birth date (出生日期码, positions 7–14).
    pub fn birth_date(&self) -> NaiveDate {
        // Validated by `parse`; the fallback is unreachable.
        NaiveDate::parse_from_str(&self.0[6..14], "%Y%m%d").unwrap_or(NaiveDate::MIN)
    }

    /// Sex from the sequence code (顺序码): the 17th digit is odd for men, even for women.
    pub fn sex(&self) -> Sex {
        if (self.0.as_bytes()[16] - b'0') % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// Address code (地址码, positions 1–6): the GB/T 2260 county where the number was issued.
    /// It may be a code that no longer exists in the current table (regions are renamed).
    pub fn region_code(&self) -> &str {
        &self.0[..6]
    }

    /// Masked form for display and publication: first 6 + 8 `*` + last 4,
    /// e.g. `110105********002X`.
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.0[..6], &self.0[14..])
    }

    /// Age in completed years on `date` in the everyday sense: the number of birthdays that
    /// have occurred up to and including `date` (0 if `date` is before the birth date).
    /// Someone born on 29 February has the birthday on 1 March in common years.
    pub fn age_on(&self, date: NaiveDate) -> u32 {
        let birth = self.birth_date();
        if date < birth {
            return 0;
        }
        let mut age = date.year() - birth.year();
        if (date.month(), date.day()) < (birth.month(), birth.day()) {
            age -= 1;
        }
        u32::try_from(age).unwrap_or(0)
    }

    /// Age in 周岁 as the courts count it: a year is completed only from the day *after* the
    /// birthday (法释〔2006〕1号 第二条 "从周岁生日的第二天起算", for criminal responsibility;
    /// applied here to APL Art. 30 "不满十四周岁 / 已满十四周岁不满十八周岁" \[P\]). On the 14th
    /// birthday itself the party is still 13.
    pub fn statutory_age_on(&self, date: NaiveDate) -> u32 {
        date.pred_opt().map_or(0, |d| self.age_on(d))
    }

    /// Computes the check character for 17 digits:
    /// `"10X98765432"[Σ digit_i × W_i mod 11]` (GB 11643-1999, ISO 7064 MOD 11-2).
    pub fn check_char(first17: &str) -> Result<char, Invalid> {
        let s = first17.trim();
        let len = s.chars().count();
        if len != 17 {
            return Err(Invalid::new(
                "idcard.length",
                RULE,
                format!("计算公民身份号码校验码需要前 17 位，实为 {len} 位"),
            ));
        }
        if !s.is_ascii() || !all_digits(s) {
            return Err(charset_error("前 17 位只能是数字"));
        }
        Ok(compute_check(s))
    }
}

/// Completes the first 17 digits of a citizen ID with its check character and parses the
/// result (so the region and birth date are still validated). Meant for tests and demo data.
pub fn citizen_id_with_check(first17: &str) -> Result<CitizenId, Invalid> {
    let first17 = first17.trim();
    let check = CitizenId::check_char(first17)?;
    CitizenId::parse(&format!("{first17}{check}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn gb11643_standard_example() {
        // The example of GB 11643-1999: 北京市朝阳区, born 1949-12-31, sequence 002 (female).
        let id = CitizenId::parse("11010519491231002X").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id.birth_date(), d(1949, 12, 31));
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(id.sex().zh(), "女");
        assert_eq!(id.sex().code(), "2");
        assert_eq!(id.region_code(), "110105");
        assert_eq!(id.masked(), "110105********002X");
        assert_eq!(CitizenId::check_char("11010519491231002").unwrap(), 'X');
    }

    #[test]
    fn gb11643_fifteen_digit_conversion() {
        let id = CitizenId::parse("110105491231002").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id, CitizenId::parse("11010519491231002x").unwrap());
    }

    #[test]
    fn gb11643_rejections_table() {
        let cases: &[(&str, &str)] = &[
            ("1101051949123100", "idcard.length"),
            ("11010519491231002XX", "idcard.length"),
            ("1101051949123100AX", "idcard.charset"),
            ("11010519491231002Y", "idcard.charset"),
            ("11010549123100A", "idcard.charset"),
            ("10010519491231002X", "idcard.region"), // 10 is no province
            ("99010519491231002X", "idcard.region"),
            ("110105194913310025", "idcard.birth_date"), // month 13
            ("110105190002290021", "idcard.birth_date"), // 1900 is not a leap year
            ("440524188001010014", "idcard.birth_date"), // valid check char, but before 1900
            ("110105299912310021", "idcard.birth_date"), // future
            ("110105194912310021", "idcard.check_char"),
        ];
        for (input, code) in cases {
            let e = CitizenId::parse(input).expect_err(input);
            assert_eq!(e.code, *code, "{input}: {}", e.message);
            assert_eq!(e.rule, "GB 11643-1999");
        }
        let e = CitizenId::parse("110105194912310021").unwrap_err();
        assert_eq!(e.message, "公民身份号码校验码错误：应为 X，实为 1");
    }

    #[test]
    fn sex_from_sequence_digit() {
        let male = citizen_id_with_check("11010519800101001").unwrap();
        assert_eq!(male.sex(), Sex::Male);
        assert_eq!(male.sex().zh(), "男");
        assert_eq!(male.sex().code(), "1");
    }

    #[test]
    fn age_on_birthdays_table() {
        // APL Art. 30: the age at the act decides whether a minor may be penalised.
        let id = citizen_id_with_check("11010520100615001").unwrap();
        let cases = [
            (d(2010, 6, 14), 0), // before birth
            (d(2010, 6, 15), 0),
            (d(2024, 6, 14), 13),
            (d(2024, 6, 15), 14),
            (d(2028, 6, 14), 17),
            (d(2028, 6, 15), 18),
        ];
        for (on, age) in cases {
            assert_eq!(id.age_on(on), age, "{on}");
        }
        // 法释〔2006〕1号 第二条: the year is completed the day after the birthday.
        assert_eq!(id.statutory_age_on(d(2024, 6, 15)), 13);
        assert_eq!(id.statutory_age_on(d(2024, 6, 16)), 14);
        assert_eq!(id.statutory_age_on(d(2010, 6, 15)), 0);
        let leap = citizen_id_with_check("11010520080229002").unwrap();
        assert_eq!(leap.age_on(d(2022, 2, 28)), 13);
        assert_eq!(leap.age_on(d(2022, 3, 1)), 14);
        assert_eq!(leap.age_on(d(2024, 2, 29)), 16);
    }

    #[test]
    fn debug_is_masked() {
        let id = CitizenId::parse("11010519491231002X").unwrap();
        let dbg = format!("{id:?}");
        assert_eq!(dbg, "CitizenId(\"110105********002X\")");
        assert!(!dbg.contains("19491231"));
        assert_eq!(id.to_string(), "11010519491231002X");
    }

    #[test]
    fn serde_round_trip() {
        let id = CitizenId::parse("11010519491231002X").unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"11010519491231002X\"");
        assert_eq!(serde_json::from_str::<CitizenId>(&json).unwrap(), id);
        assert!(serde_json::from_str::<CitizenId>("\"110105194912310021\"").is_err());
    }

    fn valid_prefix() -> impl Strategy<Value = String> {
        let provinces: Vec<String> = RegionTable::builtin()
            .iter()
            .filter(|r| r.level == crate::region::RegionLevel::Province)
            .map(|r| r.code[..2].to_string())
            .collect();
        (
            proptest::sample::select(provinces),
            0u32..10000,
            0i64..(365 * 120),
            0u32..1000,
        )
            .prop_map(|(p, area, days, seq)| {
                let birth = d(1900, 1, 1) + chrono::Days::new(days as u64);
                format!("{p}{area:04}{}{seq:03}", birth.format("%Y%m%d"))
            })
            .prop_filter("birth date not in the future", |s| {
                NaiveDate::parse_from_str(&s[6..14], "%Y%m%d").unwrap() <= ChinaDate::today().date()
            })
    }

    proptest! {
        /// GB 11643-1999: a number completed with its computed check character verifies.
        #[test]
        fn generated_ids_verify(prefix in valid_prefix()) {
            let id = citizen_id_with_check(&prefix).unwrap();
            prop_assert_eq!(&id.as_str()[..17], prefix.as_str());
            prop_assert_eq!(id.masked().chars().filter(|&c| c == '*').count(), 8);
        }

        /// GB 11643-1999: MOD 11-2 has weights that are all non-zero mod the prime 11, so every
        /// single substitution (digits, or X in the check position) is rejected.
        #[test]
        fn single_substitution_rejected(prefix in valid_prefix(), pos in 0usize..18, sub in 0u8..11) {
            let id = citizen_id_with_check(&prefix).unwrap();
            let mut bytes = id.as_str().as_bytes().to_vec();
            let sub = if sub == 10 { b'X' } else { b'0' + sub };
            prop_assume!(bytes[pos] != sub);
            bytes[pos] = sub;
            let altered = String::from_utf8(bytes).unwrap();
            prop_assert!(CitizenId::parse(&altered).is_err(), "{} accepted", altered);
        }
    }
}
