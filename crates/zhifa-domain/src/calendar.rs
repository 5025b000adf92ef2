//! The legal working-day calendar 法定工作日历 (legal-rules A).
//!
//! - APL Art. 85: the "二日/三日/五日/七日" of the Administrative Penalty Law are working days,
//!   statutory holidays excluded; ACL Art. 69: periods of ten days or less in the Administrative
//!   Coercion Law are working days.
//! - Longer periods (15, 30, 60, 90 days, months, years) are calendar periods.
//! - A date is a working day iff it is Monday–Friday and not a holiday, or it is listed as a
//!   make-up workday (调休上班日). The official table (`data/calendar/cn-official-days.csv`,
//!   State Council announcements 2004–2026) is compiled in; an administrator loads a new year's
//!   table with [`LegalCalendar::load_csv`].
//! - For a year the table does not cover, the weekends-only rule applies and every result that
//!   consulted such a day is marked `provisional`.
//! - Periods start the day after the triggering act (期间开始的日不计算在期间内).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use chrono::{Datelike, Months, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

mod error;
pub use error::CalendarError;

/// The built-in table of official holidays and make-up workdays.
const BUILTIN_CSV: &str = include_str!("../../../data/calendar/cn-official-days.csv");

/// Header of the calendar CSV.
const HEADER: [&str; 3] = ["date", "kind", "festival"];

/// A computed deadline (期限届满日).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    /// The last day of the period.
    pub date: NaiveDate,
    /// True if any day consulted lies in a year the table does not cover (weekends-only rule
    /// applied): the date must be recomputed once that year's table is loaded.
    pub provisional: bool,
    /// The nominal last day when it was not a working day and the deadline rolled forward
    /// (民事诉讼法 Art. 85 para 3).
    pub rolled_from: Option<NaiveDate>,
}

/// A value computed from the calendar, with whether it is provisional.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dated<T> {
    /// The value.
    pub value: T,
    /// True if a day consulted lies in a year the table does not cover.
    pub provisional: bool,
}

/// Kind of a listed day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DayKind {
    /// 法定节假日 (statutory holiday, including the weekend days of a holiday block).
    Holiday,
    /// 调休上班日 (make-up workday on a weekend).
    Workday,
}

impl DayKind {
    fn as_str(self) -> &'static str {
        match self {
            DayKind::Holiday => "holiday",
            DayKind::Workday => "workday",
        }
    }
}

/// One listed day.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Entry {
    kind: DayKind,
    festival: String,
}

/// The legal calendar: official holidays and make-up workdays by date.
///
/// Cheap to clone (the table is shared; a change copies it), so every request can hold its
/// own consistent copy while an administrator loads a new year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LegalCalendar {
    days: std::sync::Arc<BTreeMap<NaiveDate, Entry>>,
}

/// Tracks whether any consulted day fell outside the covered years.
struct Probe<'a> {
    calendar: &'a LegalCalendar,
    provisional: bool,
}

impl Probe<'_> {
    fn is_working(&mut self, d: NaiveDate) -> bool {
        let r = self.calendar.is_working_day(d);
        self.provisional |= r.provisional;
        r.value
    }
}

fn next_day(d: NaiveDate) -> NaiveDate {
    d.succ_opt()
        .unwrap_or_else(|| panic!("date {d} is at the end of the supported range"))
}

fn prev_day(d: NaiveDate) -> NaiveDate {
    d.pred_opt()
        .unwrap_or_else(|| panic!("date {d} is at the start of the supported range"))
}

fn weekday_zh(w: Weekday) -> &'static str {
    match w {
        Weekday::Mon => "星期一",
        Weekday::Tue => "星期二",
        Weekday::Wed => "星期三",
        Weekday::Thu => "星期四",
        Weekday::Fri => "星期五",
        Weekday::Sat => "星期六",
        Weekday::Sun => "星期日",
    }
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

impl LegalCalendar {
    /// The calendar of the built-in official table (2004–2026), parsed once.
    pub fn builtin() -> LegalCalendar {
        static BUILTIN: OnceLock<LegalCalendar> = OnceLock::new();
        BUILTIN
            .get_or_init(|| {
                LegalCalendar::from_csv(BUILTIN_CSV)
                    .unwrap_or_else(|e| panic!("built-in calendar (data/calendar) is invalid: {e}"))
            })
            .clone()
    }

    /// A calendar from a CSV table `date,kind,festival` (kind `holiday` or `workday`).
    pub fn from_csv(text: &str) -> Result<Self, CalendarError> {
        let mut calendar = LegalCalendar {
            days: std::sync::Arc::default(),
        };
        calendar.load_csv(text)?;
        Ok(calendar)
    }

    /// Loads an official table (e.g. next year's, published by the State Council General
    /// Office each November). Rows are `date,kind,festival`; `kind` is `holiday` (法定节假日)
    /// or `workday` (调休上班日), and a workday must fall on a Saturday or Sunday. The rows of
    /// each year the file contains replace the calendar's rows of that year (so a corrected
    /// table supersedes the old one); other years are kept. Returns the years the file
    /// contained, ascending. On any error nothing is changed and the error names the line.
    pub fn load_csv(&mut self, text: &str) -> Result<Vec<i32>, CalendarError> {
        let rows = parse_rows(text)?;
        let years: BTreeSet<i32> = rows.keys().map(|d| d.year()).collect();
        let days = std::sync::Arc::make_mut(&mut self.days);
        days.retain(|d, _| !years.contains(&d.year()));
        days.extend(rows);
        Ok(years.into_iter().collect())
    }

    /// The table as CSV (`date,kind,festival`, ordered by date), loadable by
    /// [`LegalCalendar::from_csv`].
    pub fn to_csv(&self) -> String {
        // Writing to a Vec cannot fail, so the results are ignored.
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record(HEADER);
        for (d, e) in self.days.iter() {
            let _ = w.write_record([
                d.format("%Y-%m-%d").to_string().as_str(),
                e.kind.as_str(),
                &e.festival,
            ]);
        }
        let bytes = w.into_inner().unwrap_or_default();
        String::from_utf8(bytes).unwrap_or_default()
    }

    /// Years the table has rows in, ascending.
    pub fn covered_years(&self) -> Vec<i32> {
        let years: BTreeSet<i32> = self.days.keys().map(|d| d.year()).collect();
        years.into_iter().collect()
    }

    /// Whether the table has rows in `year` (its holidays and workdays are known).
    pub fn covers(&self, year: i32) -> bool {
        let (Some(first), Some(last)) = (
            NaiveDate::from_ymd_opt(year, 1, 1),
            NaiveDate::from_ymd_opt(year, 12, 31),
        ) else {
            return false;
        };
        self.days.range(first..=last).next().is_some()
    }

    /// The festival a listed day belongs to (e.g. `National Day`), if listed.
    pub fn festival(&self, d: NaiveDate) -> Option<&str> {
        self.days.get(&d).map(|e| e.festival.as_str())
    }

    /// Whether `d` is a working day (工作日): Monday–Friday and not a holiday, or a listed
    /// make-up workday (APL Art. 85, ACL Art. 69). Provisional if the year is not covered.
    pub fn is_working_day(&self, d: NaiveDate) -> Dated<bool> {
        let value = match self.days.get(&d).map(|e| e.kind) {
            Some(DayKind::Holiday) => false,
            Some(DayKind::Workday) => true,
            None => !is_weekend(d),
        };
        Dated {
            value,
            provisional: !self.covers(d.year()),
        }
    }

    /// The `n`-th working day after `start` (the day of the act does not count; APL Art. 85,
    /// ACL Art. 69). `n = 0` gives `start` itself if it is a working day, else the next
    /// working day (with `rolled_from = Some(start)`).
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> Deadline {
        let mut probe = Probe {
            calendar: self,
            provisional: false,
        };
        if n == 0 {
            if probe.is_working(start) {
                return Deadline {
                    date: start,
                    provisional: probe.provisional,
                    rolled_from: None,
                };
            }
            let date = self.first_working_after(&mut probe, start);
            return Deadline {
                date,
                provisional: probe.provisional,
                rolled_from: Some(start),
            };
        }
        let mut d = start;
        let mut counted = 0;
        while counted < n {
            d = next_day(d);
            if probe.is_working(d) {
                counted += 1;
            }
        }
        Deadline {
            date: d,
            provisional: probe.provisional,
            rolled_from: None,
        }
    }

    /// The `n`-th working day before `end` (inverse of [`LegalCalendar::add_working_days`]:
    /// for a working day `s`, `sub_working_days(add_working_days(s, n).date, n).date == s`).
    /// `n = 0` gives `end` itself if it is a working day, else the previous working day.
    pub fn sub_working_days(&self, end: NaiveDate, n: u32) -> Deadline {
        let mut probe = Probe {
            calendar: self,
            provisional: false,
        };
        if n == 0 {
            if probe.is_working(end) {
                return Deadline {
                    date: end,
                    provisional: probe.provisional,
                    rolled_from: None,
                };
            }
            let mut d = prev_day(end);
            while !probe.is_working(d) {
                d = prev_day(d);
            }
            return Deadline {
                date: d,
                provisional: probe.provisional,
                rolled_from: Some(end),
            };
        }
        let mut d = end;
        let mut counted = 0;
        while counted < n {
            d = prev_day(d);
            if probe.is_working(d) {
                counted += 1;
            }
        }
        Deadline {
            date: d,
            provisional: probe.provisional,
            rolled_from: None,
        }
    }

    /// A period of `n` calendar days after `start` (e.g. APL Art. 60: 90 days from filing;
    /// Art. 66: 15 days to pay). The nominal last day is `start + n`. If it is not a working
    /// day the period ends on the next working day and `rolled_from` holds the nominal day:
    /// 民事诉讼法 (2023) Art. 85 para 3 "期间届满的最后一日是法定休假日的，以法定休假日后的第一日
    /// 为期间届满的日期", applied to administrative periods as APL Art. 61 and administrative
    /// practice do (民法典 Art. 203 says the same for civil periods).
    pub fn add_calendar_days(&self, start: NaiveDate, n: u32) -> Deadline {
        let nominal = start
            .checked_add_days(chrono::Days::new(u64::from(n)))
            .unwrap_or_else(|| panic!("{start} + {n} days is beyond the supported range"));
        self.roll(nominal)
    }

    /// A period of `months` months after `start` (e.g. 6 months to sue): the last day is the
    /// corresponding day of the final month, or that month's last day if it has no such day
    /// (民法典 Art. 202); a last day that is not a working day rolls to the next working day
    /// (民事诉讼法 Art. 85 para 3), with `rolled_from` holding the nominal day.
    pub fn add_months(&self, start: NaiveDate, months: u32) -> Deadline {
        let nominal = start
            .checked_add_months(Months::new(months))
            .unwrap_or_else(|| panic!("{start} + {months} months is beyond the supported range"));
        self.roll(nominal)
    }

    /// Number of working days `d` with `from < d ≤ to` (0 if `to ≤ from`).
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> Dated<u32> {
        let mut probe = Probe {
            calendar: self,
            provisional: false,
        };
        let mut count = 0;
        let mut d = from;
        while d < to {
            d = next_day(d);
            if probe.is_working(d) {
                count += 1;
            }
        }
        Dated {
            value: count,
            provisional: probe.provisional,
        }
    }

    /// The first working day strictly after `d` (equals `add_working_days(d, 1)`).
    pub fn next_working_day(&self, d: NaiveDate) -> Deadline {
        let mut probe = Probe {
            calendar: self,
            provisional: false,
        };
        let date = self.first_working_after(&mut probe, d);
        Deadline {
            date,
            provisional: probe.provisional,
            rolled_from: None,
        }
    }

    fn first_working_after(&self, probe: &mut Probe<'_>, d: NaiveDate) -> NaiveDate {
        let mut d = next_day(d);
        while !probe.is_working(d) {
            d = next_day(d);
        }
        d
    }

    /// The nominal last day, rolled to the next working day if it is not one.
    fn roll(&self, nominal: NaiveDate) -> Deadline {
        let mut probe = Probe {
            calendar: self,
            provisional: false,
        };
        if probe.is_working(nominal) {
            return Deadline {
                date: nominal,
                provisional: probe.provisional,
                rolled_from: None,
            };
        }
        let date = self.first_working_after(&mut probe, nominal);
        Deadline {
            date,
            provisional: probe.provisional,
            rolled_from: Some(nominal),
        }
    }
}

/// Parses and validates every row of a calendar CSV.
fn parse_rows(text: &str) -> Result<BTreeMap<NaiveDate, Entry>, CalendarError> {
    let csv_error = |e: csv::Error| CalendarError::Csv {
        line: e.position().map_or(0, |p| p.line()),
        message: e.to_string(),
    };
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader.headers().map_err(csv_error)?.clone();
    if headers.iter().collect::<Vec<_>>() != HEADER {
        return Err(CalendarError::Header {
            found: headers.iter().collect::<Vec<_>>().join(","),
        });
    }
    let mut rows: BTreeMap<NaiveDate, Entry> = BTreeMap::new();
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        let line = record.position().map_or(0, |p| p.line());
        let raw_date = record.get(0).unwrap_or("");
        let date = NaiveDate::parse_from_str(raw_date, "%Y-%m-%d")
            .ok()
            .filter(|_| raw_date.len() == 10)
            .ok_or_else(|| CalendarError::Date {
                line,
                value: raw_date.to_string(),
            })?;
        let kind = match record.get(1).unwrap_or("") {
            "holiday" => DayKind::Holiday,
            "workday" => DayKind::Workday,
            other => {
                return Err(CalendarError::Kind {
                    line,
                    value: other.to_string(),
                });
            }
        };
        if kind == DayKind::Workday && !is_weekend(date) {
            return Err(CalendarError::WorkdayNotWeekend {
                line,
                date,
                weekday: weekday_zh(date.weekday()),
            });
        }
        let entry = Entry {
            kind,
            festival: record.get(2).unwrap_or("").to_string(),
        };
        if let Some(previous) = rows.get(&date) {
            if previous.kind != entry.kind {
                return Err(CalendarError::Conflict { line, date });
            }
            continue;
        }
        rows.insert(date, entry);
    }
    if rows.is_empty() {
        return Err(CalendarError::Empty);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests;
