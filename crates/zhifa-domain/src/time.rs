//! China time (北京时间, UTC+8, no daylight saving time since 1991).
//!
//! Legal periods run on the calendar date in China, so every instant is converted to UTC+8
//! before its date is taken: 2026-01-01T17:00:00Z is already 2026-01-02 in China.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::Invalid;

/// Offset of China Standard Time from UTC, in seconds.
pub const CHINA_UTC_OFFSET_SECS: i32 = 8 * 3600;

/// The UTC+8 offset.
pub fn china_offset() -> FixedOffset {
    FixedOffset::east_opt(CHINA_UTC_OFFSET_SECS)
        .unwrap_or_else(|| unreachable!("8 h is a valid offset"))
}

/// The current instant in China time.
pub fn now_china() -> DateTime<FixedOffset> {
    to_china(Utc::now())
}

/// An instant expressed in China time.
pub fn to_china(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.with_timezone(&china_offset())
}

/// A calendar date in China time (the date legal periods count in).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChinaDate(NaiveDate);

impl ChinaDate {
    /// Today's date in China.
    pub fn today() -> Self {
        Self::from_utc(Utc::now())
    }

    /// The date in China of a UTC instant.
    pub fn from_utc(t: DateTime<Utc>) -> Self {
        Self(to_china(t).date_naive())
    }

    /// Parses a date as users write it: ISO `2026-01-05`, `2026/1/5`, `2026.1.5`,
    /// `2026年1月5日`, or compact `20260105` (`date.format` otherwise, also for dates that do
    /// not exist such as `2026-02-30`).
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let t = s.trim();
        let error = || {
            Invalid::new(
                "date.format",
                "GB/T 7408-2005",
                format!(
                    "日期“{t}”格式错误或不存在：应为 2026-01-05、2026/1/5、2026年1月5日 或 20260105"
                ),
            )
        };
        let parts: Vec<&str> = if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
            vec![&t[..4], &t[4..6], &t[6..]]
        } else if let Some(body) = t.strip_suffix('日') {
            body.split(['年', '月']).collect()
        } else if let Some(sep) = ['-', '/', '.'].into_iter().find(|&c| t.contains(c)) {
            t.split(sep).collect()
        } else {
            return Err(error());
        };
        let [y, m, d] = parts[..] else {
            return Err(error());
        };
        let number = |p: &str, max_len: usize| {
            (!p.is_empty() && p.len() <= max_len && p.bytes().all(|b| b.is_ascii_digit()))
                .then(|| p.parse::<u32>().ok())
                .flatten()
        };
        if y.len() != 4 {
            return Err(error());
        }
        let (Some(y), Some(m), Some(d)) = (number(y, 4), number(m, 2), number(d, 2)) else {
            return Err(error());
        };
        let y = i32::try_from(y).map_err(|_| error())?;
        NaiveDate::from_ymd_opt(y, m, d).map(Self).ok_or_else(error)
    }

    /// The calendar date.
    pub fn date(self) -> NaiveDate {
        self.0
    }
}

impl From<NaiveDate> for ChinaDate {
    fn from(d: NaiveDate) -> Self {
        Self(d)
    }
}

impl From<ChinaDate> for NaiveDate {
    fn from(d: ChinaDate) -> Self {
        d.0
    }
}

impl std::fmt::Display for ChinaDate {
    /// ISO 8601 `YYYY-MM-DD`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

impl std::str::FromStr for ChinaDate {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for ChinaDate {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ChinaDate {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn utc_evening_is_next_day_in_china() {
        let cases = [
            (
                Utc.with_ymd_and_hms(2026, 1, 1, 17, 0, 0).unwrap(),
                d(2026, 1, 2),
            ),
            (
                Utc.with_ymd_and_hms(2026, 1, 1, 15, 59, 59).unwrap(),
                d(2026, 1, 1),
            ),
            (
                Utc.with_ymd_and_hms(2026, 1, 1, 16, 0, 0).unwrap(),
                d(2026, 1, 2),
            ),
            (
                Utc.with_ymd_and_hms(2025, 12, 31, 23, 0, 0).unwrap(),
                d(2026, 1, 1),
            ),
        ];
        for (t, date) in cases {
            assert_eq!(ChinaDate::from_utc(t).date(), date, "{t}");
        }
        let t = Utc.with_ymd_and_hms(2026, 1, 1, 17, 0, 0).unwrap();
        assert_eq!(to_china(t).to_rfc3339(), "2026-01-02T01:00:00+08:00");
        assert_eq!(china_offset().local_minus_utc(), 8 * 3600);
        assert_eq!(
            now_china().offset().local_minus_utc(),
            CHINA_UTC_OFFSET_SECS
        );
        let today = ChinaDate::today().date();
        let now = now_china().date_naive();
        assert!(today == now || today.succ_opt() == Some(now));
    }

    #[test]
    fn parse_written_forms() {
        for s in [
            "2026-01-05",
            "2026-1-5",
            "2026/1/5",
            "2026/01/05",
            "2026.1.5",
            "2026年1月5日",
            "2026年01月05日",
            "20260105",
            " 2026-01-05 ",
        ] {
            assert_eq!(
                ChinaDate::parse(s).map(ChinaDate::date),
                Ok(d(2026, 1, 5)),
                "{s}"
            );
        }
    }

    #[test]
    fn parse_rejections() {
        for s in [
            "",
            "2026",
            "2026-02-30",
            "2026-13-01",
            "26-1-5",
            "2026-1-5-1",
            "2026/1-5",
            "2026年1月5",
            "2026年1月",
            "202615",
            "2026-001-05",
            "二〇二六年一月五日",
            "2026-1-+5",
        ] {
            let e = ChinaDate::parse(s).expect_err(s);
            assert_eq!(e.code, "date.format", "{s}");
        }
    }

    #[test]
    fn display_and_serde_iso() {
        let c = ChinaDate::from(d(2026, 1, 5));
        assert_eq!(c.to_string(), "2026-01-05");
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"2026-01-05\"");
        assert_eq!(
            serde_json::from_str::<ChinaDate>("\"2026-01-05\"").unwrap(),
            c
        );
        assert!(serde_json::from_str::<ChinaDate>("\"2026-02-30\"").is_err());
        assert_eq!("2026/1/5".parse::<ChinaDate>().unwrap(), c);
        assert_eq!(NaiveDate::from(c), d(2026, 1, 5));
    }
}
