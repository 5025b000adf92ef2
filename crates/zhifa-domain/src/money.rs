//! Money in fen 分 (1 元 = 100 分), never floating point.
//!
//! Amounts in the legal rules are whole yuan (e.g. APL Art. 51: ¥200 / ¥3,000), but fines,
//! surcharges (APL Art. 72: 3% per day) and the credit publication format (万元, up to six
//! decimals) need exact integer arithmetic, so every amount is an `i64` count of fen.

use serde::{Deserialize, Serialize};

use crate::Invalid;

/// The rule amounts are validated against (currency unit and precision).
const RULE: &str = "Zhifa 数据标准 ZF-1.0（金额以分计）";

/// Fen per yuan.
const FEN_PER_YUAN: i64 = 100;

/// Fen per 万元 (10,000 yuan).
const FEN_PER_WAN_YUAN: i64 = 1_000_000;

/// A non-negative amount of money in fen 分.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(try_from = "i64", into = "i64")]
pub struct Fen(i64);

fn negative(what: impl std::fmt::Display) -> Invalid {
    Invalid::new("money.negative", RULE, format!("金额不能为负数：{what}"))
}

fn overflow(input: &str) -> Invalid {
    Invalid::new(
        "money.overflow",
        RULE,
        format!("金额“{input}”超出可表示的范围"),
    )
}

fn format_error(input: &str) -> Invalid {
    Invalid::new(
        "money.format",
        RULE,
        format!("金额“{input}”格式错误：应为数字，可带千位分隔符和小数点，例如 1,234.50"),
    )
}

/// Checks `1,234,567` style grouping (or plain digits) and returns the digits.
fn integer_digits(part: &str) -> Option<String> {
    if part.is_empty() {
        return None;
    }
    if !part.contains(',') {
        return part
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.to_string());
    }
    let groups: Vec<&str> = part.split(',').collect();
    let first_ok = (1..=3).contains(&groups[0].len());
    let rest_ok = groups[1..].iter().all(|g| g.len() == 3);
    let digits: String = groups.concat();
    (first_ok && rest_ok && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

/// Parses a decimal amount of a unit that has `scale` decimal places of fen (2 for 元, 6 for
/// 万元) and returns fen. `unit_zh` names the unit in messages.
fn parse_scaled(input: &str, scale: u32, unit_zh: &str, suffixes: &[&str]) -> Result<Fen, Invalid> {
    let mut s = input.trim();
    for prefix in ["¥", "￥", "RMB", "CNY"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest.trim_start();
            break;
        }
    }
    for suffix in suffixes {
        if let Some(rest) = s.strip_suffix(suffix) {
            s = rest.trim_end();
            break;
        }
    }
    let (is_negative, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (int_part, frac_part) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    let int_digits = integer_digits(int_part).ok_or_else(|| format_error(input))?;
    let frac = frac_part.unwrap_or("");
    if frac_part.is_some() && (frac.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit())) {
        return Err(format_error(input));
    }
    let scale = scale as usize;
    if frac.len() > scale && frac[scale..].bytes().any(|b| b != b'0') {
        return Err(Invalid::new(
            "money.precision",
            RULE,
            format!("金额“{input}”小数位过多：以{unit_zh}为单位最多 {scale} 位小数（精确到分）"),
        ));
    }
    let frac = &frac[..frac.len().min(scale)];
    let mut value: i64 = 0;
    for b in int_digits
        .bytes()
        .chain(frac.bytes())
        .chain(std::iter::repeat_n(b'0', scale - frac.len()))
    {
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(i64::from(b - b'0')))
            .ok_or_else(|| overflow(input))?;
    }
    if is_negative && value != 0 {
        return Err(negative(input.trim()));
    }
    Ok(Fen(value))
}

/// Groups the digits of a non-negative integer by thousands: `1234567` → `1,234,567`.
fn group_thousands(n: i64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl Fen {
    /// Zero fen.
    pub const ZERO: Fen = Fen(0);

    /// An amount of `fen` 分; negative amounts are rejected (`money.negative`).
    pub fn new(fen: i64) -> Result<Self, Invalid> {
        if fen < 0 {
            return Err(negative(format!("{fen} 分")));
        }
        Ok(Fen(fen))
    }

    /// The amount in fen.
    pub fn value(self) -> i64 {
        self.0
    }

    /// A whole number of yuan 元 (`money.negative`, `money.overflow`).
    pub fn from_yuan(yuan: i64) -> Result<Self, Invalid> {
        if yuan < 0 {
            return Err(negative(format!("{yuan} 元")));
        }
        yuan.checked_mul(FEN_PER_YUAN)
            .map(Fen)
            .ok_or_else(|| overflow(&format!("{yuan} 元")))
    }

    /// Parses an amount in yuan 元 as people write it: `1234`, `1234.5`, `1,234.50`, `¥200`,
    /// `200元`. At most two decimals (trailing zeros beyond are harmless): `money.precision`;
    /// anything not a number: `money.format`; negative: `money.negative`; beyond `i64` fen:
    /// `money.overflow`.
    pub fn parse_yuan(s: &str) -> Result<Self, Invalid> {
        parse_scaled(s, 2, "元", &["元"])
    }

    /// Parses an amount in 万元 (10,000 yuan), the unit of the credit publication format
    /// (`cf_nr_fk`), with up to six decimals (exact to the fen); an optional `万元` suffix.
    pub fn parse_wan_yuan(s: &str) -> Result<Self, Invalid> {
        parse_scaled(s, 6, "万元", &["万元"])
    }

    /// Yuan with two decimals, no grouping: `1234.50`.
    pub fn to_yuan_string(self) -> String {
        format!("{}.{:02}", self.0 / FEN_PER_YUAN, self.0 % FEN_PER_YUAN)
    }

    /// 万元 with up to six decimals, trailing zeros trimmed: 12345 fen → `0.012345`,
    /// 100000000 fen → `100`.
    pub fn to_wan_yuan_string(self) -> String {
        let whole = self.0 / FEN_PER_WAN_YUAN;
        let frac = self.0 % FEN_PER_WAN_YUAN;
        if frac == 0 {
            return whole.to_string();
        }
        let frac = format!("{frac:06}");
        format!("{whole}.{}", frac.trim_end_matches('0'))
    }

    /// Sum, or `None` on overflow.
    pub fn checked_add(self, other: Fen) -> Option<Fen> {
        self.0.checked_add(other.0).map(Fen)
    }

    /// Difference, or `None` if it would be negative.
    pub fn checked_sub(self, other: Fen) -> Option<Fen> {
        self.0.checked_sub(other.0).filter(|v| *v >= 0).map(Fen)
    }

    /// `per_mille` ‰ of the amount, rounded half up to the fen, in integer arithmetic
    /// (e.g. APL Art. 72: a 3% daily surcharge is `percent_per_mille(30)`). Saturates at the
    /// largest amount.
    pub fn percent_per_mille(self, per_mille: u32) -> Fen {
        let v = (i128::from(self.0) * i128::from(per_mille) + 500) / 1000;
        Fen(i64::try_from(v).unwrap_or(i64::MAX))
    }
}

impl TryFrom<i64> for Fen {
    type Error = Invalid;
    fn try_from(fen: i64) -> Result<Self, Self::Error> {
        Fen::new(fen)
    }
}

impl From<Fen> for i64 {
    fn from(f: Fen) -> i64 {
        f.0
    }
}

impl std::fmt::Display for Fen {
    /// `1,234.50 元`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}.{:02} 元",
            group_thousands(self.0 / FEN_PER_YUAN),
            self.0 % FEN_PER_YUAN
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fen(v: i64) -> Fen {
        Fen::new(v).unwrap()
    }

    #[test]
    fn parse_yuan_accepts_written_forms() {
        let cases = [
            ("1234", 123_400),
            ("1234.5", 123_450),
            ("1234.50", 123_450),
            ("1,234.50", 123_450),
            ("1,234,567.89", 123_456_789),
            ("¥200", 20_000),
            ("￥ 200", 20_000),
            ("200元", 20_000),
            (" 3,000 元 ", 300_000),
            ("0.01", 1),
            ("0", 0),
            ("-0", 0),
            ("12.500", 1_250),
            ("92233720368547758.07", i64::MAX),
        ];
        for (input, expected) in cases {
            assert_eq!(
                Fen::parse_yuan(input).map(Fen::value),
                Ok(expected),
                "{input}"
            );
        }
    }

    #[test]
    fn parse_yuan_rejections_table() {
        let cases = [
            ("", "money.format"),
            ("abc", "money.format"),
            ("12a", "money.format"),
            ("1.2.3", "money.format"),
            ("12.", "money.format"),
            (".5", "money.format"),
            ("1,23", "money.format"),
            ("1234,567", "money.format"),
            (",123", "money.format"),
            ("+5", "money.format"),
            ("1e3", "money.format"),
            ("12.345", "money.precision"),
            ("0.001", "money.precision"),
            ("-5", "money.negative"),
            ("-1,234.50", "money.negative"),
            ("92233720368547758.08", "money.overflow"),
            ("99999999999999999999999", "money.overflow"),
        ];
        for (input, code) in cases {
            let e = Fen::parse_yuan(input).expect_err(input);
            assert_eq!(e.code, code, "{input}: {}", e.message);
        }
    }

    #[test]
    fn wan_yuan_both_ways() {
        // 双公示 cf_nr_fk is in 万元 with up to six decimals.
        let cases = [
            ("0.012345", 12_345),
            ("100", 100_000_000),
            ("1.5万元", 1_500_000),
            ("0.000001", 1),
            ("12.3", 12_300_000),
        ];
        for (text, value) in cases {
            assert_eq!(
                Fen::parse_wan_yuan(text).map(Fen::value),
                Ok(value),
                "{text}"
            );
            assert_eq!(
                fen(value).to_wan_yuan_string(),
                text.trim_end_matches("万元")
            );
        }
        assert_eq!(fen(0).to_wan_yuan_string(), "0");
        assert_eq!(
            Fen::parse_wan_yuan("0.0000001").unwrap_err().code,
            "money.precision"
        );
        assert_eq!(
            Fen::parse_wan_yuan("十万").unwrap_err().code,
            "money.format"
        );
    }

    #[test]
    fn yuan_strings_and_display() {
        assert_eq!(fen(123_450).to_yuan_string(), "1234.50");
        assert_eq!(fen(5).to_yuan_string(), "0.05");
        assert_eq!(fen(123_450).to_string(), "1,234.50 元");
        assert_eq!(fen(10_000_000_000).to_string(), "100,000,000.00 元");
        assert_eq!(fen(99).to_string(), "0.99 元");
        assert_eq!(Fen::ZERO.to_string(), "0.00 元");
    }

    #[test]
    fn constructors_reject_negative() {
        assert_eq!(Fen::new(-1).unwrap_err().code, "money.negative");
        assert_eq!(Fen::from_yuan(-1).unwrap_err().code, "money.negative");
        assert_eq!(Fen::from_yuan(200).unwrap().value(), 20_000);
        assert_eq!(Fen::from_yuan(i64::MAX).unwrap_err().code, "money.overflow");
    }

    #[test]
    fn arithmetic() {
        assert_eq!(fen(5).checked_add(fen(7)), Some(fen(12)));
        assert_eq!(fen(i64::MAX).checked_add(fen(1)), None);
        assert_eq!(fen(7).checked_sub(fen(5)), Some(fen(2)));
        assert_eq!(fen(5).checked_sub(fen(7)), None);
        assert!(fen(5) < fen(7));
        assert_eq!(fen(5).min(fen(7)), fen(5));
    }

    #[test]
    fn per_mille_rounds_half_up() {
        // APL Art. 72: 3% per day of a ¥1,234.56 fine = 3703.68 fen → 3704 fen.
        let cases = [
            (123_456, 30, 3_704),
            (100, 5, 1),  // 0.5 → 1
            (100, 4, 0),  // 0.4 → 0
            (150, 10, 2), // 1.5 → 2
            (1_000, 1_000, 1_000),
            (0, 30, 0),
            (i64::MAX, 2_000, i64::MAX),
        ];
        for (amount, pm, expected) in cases {
            assert_eq!(
                fen(amount).percent_per_mille(pm).value(),
                expected,
                "{amount} × {pm}‰"
            );
        }
    }

    #[test]
    fn serde_is_integer_fen_and_rejects_negative() {
        assert_eq!(serde_json::to_string(&fen(123_450)).unwrap(), "123450");
        assert_eq!(serde_json::from_str::<Fen>("123450").unwrap(), fen(123_450));
        assert!(serde_json::from_str::<Fen>("-1").is_err());
        assert!(serde_json::from_str::<Fen>("1.5").is_err());
    }

    proptest! {
        /// Formatting then parsing gives the same amount.
        #[test]
        fn yuan_round_trip(v in 0i64..i64::MAX) {
            let f = fen(v);
            prop_assert_eq!(Fen::parse_yuan(&f.to_yuan_string()), Ok(f));
            let shown = f.to_string();
            prop_assert_eq!(Fen::parse_yuan(&shown), Ok(f));
            prop_assert_eq!(Fen::parse_wan_yuan(&f.to_wan_yuan_string()), Ok(f));
        }
    }
}
