//! Tests of the legal calendar (APL Art. 85, ACL Art. 69, 民事诉讼法 Art. 85).

use super::*;
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn cal() -> LegalCalendar {
    LegalCalendar::builtin()
}

#[test]
fn builtin_covers_2004_to_2026() {
    let c = cal();
    assert_eq!(c.covered_years(), (2004..=2026).collect::<Vec<_>>());
    assert!(c.covers(2024));
    assert!(!c.covers(2027));
    assert!(!c.covers(2003));
}

#[test]
fn builtin_workdays_are_all_weekends() {
    // The loader enforces it; this checks the shipped table against the same rule.
    for line in BUILTIN_CSV.lines().skip(1) {
        let mut parts = line.split(',');
        let date = NaiveDate::parse_from_str(parts.next().unwrap(), "%Y-%m-%d").unwrap();
        if parts.next() == Some("workday") {
            assert!(is_weekend(date), "{line}");
        }
    }
}

#[test]
fn working_day_table_2024_national_day() {
    // 国务院办公厅 2024 holiday notice: 10-01..07 off, Sunday 09-29 and Saturday 10-12 worked.
    let c = cal();
    let cases = [
        (d(2024, 9, 27), true),  // Friday
        (d(2024, 9, 28), false), // Saturday
        (d(2024, 9, 29), true),  // Sunday, make-up workday
        (d(2024, 9, 30), true),  // Monday
        (d(2024, 10, 1), false),
        (d(2024, 10, 4), false), // Friday, holiday
        (d(2024, 10, 7), false), // Monday, holiday
        (d(2024, 10, 8), true),
        (d(2024, 10, 12), true), // Saturday, make-up workday
        (d(2024, 10, 13), false),
        (d(2024, 2, 18), true), // Sunday after Spring Festival, make-up workday
        (d(2024, 2, 12), false),
    ];
    for (day, working) in cases {
        assert_eq!(
            c.is_working_day(day),
            Dated {
                value: working,
                provisional: false
            },
            "{day}"
        );
    }
    assert_eq!(c.festival(d(2024, 10, 12)), Some("National Day"));
    assert_eq!(c.festival(d(2024, 10, 14)), None);
}

#[test]
fn add_working_days_known_answers() {
    // APL Art. 85: 五日 = five working days. 5 working days after Monday 2024-09-30 skip the
    // National Day week and end on the make-up Saturday 2024-10-12.
    let c = cal();
    let cases = [
        (d(2024, 9, 30), 5, d(2024, 10, 12)),
        (d(2024, 9, 30), 1, d(2024, 10, 8)),
        (d(2024, 9, 28), 1, d(2024, 9, 29)), // act on Saturday, Sunday is a workday
        (d(2024, 9, 27), 7, d(2024, 10, 12)), // 09-29, 09-30, 10-08 … 10-12
        (d(2026, 1, 5), 7, d(2026, 1, 14)),  // APL Art. 61: service within 7 working days
        (d(2024, 2, 8), 3, d(2024, 2, 19)), // 02-09 (Friday, worked), 02-18 (make-up Sunday), 02-19
        (d(2024, 9, 30), 0, d(2024, 9, 30)),
        (d(2024, 10, 1), 0, d(2024, 10, 8)),
    ];
    for (start, n, expected) in cases {
        let got = c.add_working_days(start, n);
        assert_eq!(got.date, expected, "{start} + {n} working days");
        assert!(!got.provisional);
    }
    assert_eq!(
        c.add_working_days(d(2024, 10, 1), 0).rolled_from,
        Some(d(2024, 10, 1))
    );
    assert_eq!(c.add_working_days(d(2024, 9, 30), 0).rolled_from, None);
}

#[test]
fn sub_working_days_known_answers() {
    let c = cal();
    assert_eq!(c.sub_working_days(d(2024, 10, 12), 5).date, d(2024, 9, 30));
    assert_eq!(c.sub_working_days(d(2024, 10, 8), 1).date, d(2024, 9, 30));
    assert_eq!(c.sub_working_days(d(2024, 10, 5), 0).date, d(2024, 9, 30));
    assert_eq!(
        c.sub_working_days(d(2024, 10, 5), 0).rolled_from,
        Some(d(2024, 10, 5))
    );
}

#[test]
fn calendar_days_roll_over_holidays() {
    // APL Art. 66: 15 days to pay. Served 2024-09-16 (Mid-autumn holiday block ends 09-17):
    // nominal last day 2024-10-01 is National Day → rolls to 2024-10-08.
    let c = cal();
    let got = c.add_calendar_days(d(2024, 9, 16), 15);
    assert_eq!(
        got,
        Deadline {
            date: d(2024, 10, 8),
            provisional: false,
            rolled_from: Some(d(2024, 10, 1))
        }
    );
    // A nominal last day on a make-up Saturday does not roll.
    let got = c.add_calendar_days(d(2024, 9, 27), 15);
    assert_eq!(
        got,
        Deadline {
            date: d(2024, 10, 12),
            provisional: false,
            rolled_from: None
        }
    );
    // A nominal last day on an ordinary Sunday rolls to Monday.
    let got = c.add_calendar_days(d(2024, 6, 1), 15);
    assert_eq!(
        got,
        Deadline {
            date: d(2024, 6, 17),
            provisional: false,
            rolled_from: Some(d(2024, 6, 16))
        }
    );
    // APL Art. 60: 90 days from filing 2024-03-01 → 2024-05-30 (Thursday).
    let got = c.add_calendar_days(d(2024, 3, 1), 90);
    assert_eq!(
        got,
        Deadline {
            date: d(2024, 5, 30),
            provisional: false,
            rolled_from: None
        }
    );
}

#[test]
fn months_use_the_corresponding_day() {
    let c = cal();
    // 民法典 Art. 202: no corresponding day → last day of the month (2025-02-28, a Friday).
    assert_eq!(c.add_months(d(2024, 11, 30), 3).date, d(2025, 2, 28));
    assert_eq!(c.add_months(d(2024, 1, 31), 1).date, d(2024, 2, 29));
    // 6 months to sue from 2024-04-01 → 2024-10-01 is National Day → 2024-10-08.
    let got = c.add_months(d(2024, 4, 1), 6);
    assert_eq!(
        got,
        Deadline {
            date: d(2024, 10, 8),
            provisional: false,
            rolled_from: Some(d(2024, 10, 1))
        }
    );
    // A 60-day 复议 period is calendar days, not two months.
    assert_eq!(c.add_months(d(2024, 5, 15), 2).date, d(2024, 7, 15));
}

#[test]
fn working_days_between_known_answers() {
    let c = cal();
    assert_eq!(
        c.working_days_between(d(2024, 9, 30), d(2024, 10, 12)),
        Dated {
            value: 5,
            provisional: false
        }
    );
    assert_eq!(
        c.working_days_between(d(2024, 10, 12), d(2024, 9, 30))
            .value,
        0
    );
    assert_eq!(
        c.working_days_between(d(2024, 9, 30), d(2024, 9, 30)).value,
        0
    );
    // 2024: 366 days − 104 weekend days − 19 weekday holidays + 8 make-up weekend workdays.
    assert_eq!(
        c.working_days_between(d(2023, 12, 31), d(2024, 12, 31))
            .value,
        251
    );
}

#[test]
fn next_working_day_is_strictly_after() {
    let c = cal();
    assert_eq!(c.next_working_day(d(2024, 9, 30)).date, d(2024, 10, 8));
    assert_eq!(c.next_working_day(d(2024, 10, 7)).date, d(2024, 10, 8));
    assert_eq!(c.next_working_day(d(2024, 10, 11)).date, d(2024, 10, 12));
}

#[test]
fn beyond_the_table_is_provisional() {
    let c = cal();
    // 2027 is not in the table: weekends only, and provisional.
    assert_eq!(
        c.is_working_day(d(2027, 10, 1)),
        Dated {
            value: true,
            provisional: true
        }
    );
    assert_eq!(
        c.is_working_day(d(2027, 10, 2)),
        Dated {
            value: false,
            provisional: true
        }
    );
    let got = c.add_working_days(d(2027, 3, 5), 5); // Friday
    assert_eq!(
        got,
        Deadline {
            date: d(2027, 3, 12),
            provisional: true,
            rolled_from: None
        }
    );
    // A period in 2026 that reaches into 2027 is provisional too.
    assert!(c.add_working_days(d(2026, 12, 30), 3).provisional);
    assert!(!c.add_working_days(d(2026, 12, 1), 3).provisional);
    assert!(c.add_calendar_days(d(2026, 12, 20), 15).provisional);
    assert!(
        c.working_days_between(d(2026, 12, 1), d(2027, 1, 5))
            .provisional
    );
    assert!(
        !c.working_days_between(d(2026, 12, 1), d(2026, 12, 31))
            .provisional
    );
}

#[test]
fn loading_next_year_makes_it_final() {
    let mut c = cal();
    // An (illustrative) 2027 table: New Year's Day on Friday.
    let years = c
        .load_csv("date,kind,festival\n2027-01-01,holiday,New Year's Day\n")
        .unwrap();
    assert_eq!(years, [2027]);
    assert!(c.covers(2027));
    assert_eq!(
        c.is_working_day(d(2027, 1, 1)),
        Dated {
            value: false,
            provisional: false
        }
    );
    assert_eq!(c.add_working_days(d(2026, 12, 31), 1).date, d(2027, 1, 4));
    assert!(!c.add_working_days(d(2026, 12, 31), 1).provisional);
    // Reloading a year replaces that year's rows.
    c.load_csv("date,kind,festival\n2027-01-01,holiday,New Year's Day\n2027-02-06,workday,Spring Festival\n")
        .unwrap();
    assert!(c.is_working_day(d(2027, 2, 6)).value);
    c.load_csv("date,kind,festival\n2027-01-01,holiday,New Year's Day\n")
        .unwrap();
    assert!(!c.is_working_day(d(2027, 2, 6)).value);
    assert!(c.covers(2024), "other years are kept");
}

#[test]
fn load_errors_name_the_line_and_change_nothing() {
    let mut c = cal();
    let before = c.clone();
    let cases: &[(&str, CalendarError)] = &[
        (
            "date,kind,festival\n2027-01-01,holiday,x\n2027-01-04,workday,x\n",
            CalendarError::WorkdayNotWeekend {
                line: 3,
                date: d(2027, 1, 4),
                weekday: "星期一",
            },
        ),
        (
            "date,kind,festival\n2027-02-30,holiday,x\n",
            CalendarError::Date {
                line: 2,
                value: "2027-02-30".into(),
            },
        ),
        (
            "date,kind,festival\n2027-1-1,holiday,x\n",
            CalendarError::Date {
                line: 2,
                value: "2027-1-1".into(),
            },
        ),
        (
            "date,kind,festival\n2027-01-01,rest,x\n",
            CalendarError::Kind {
                line: 2,
                value: "rest".into(),
            },
        ),
        (
            "date,kind,festival\n2027-01-02,holiday,x\n2027-01-02,workday,x\n",
            CalendarError::Conflict {
                line: 3,
                date: d(2027, 1, 2),
            },
        ),
        (
            "day,type\n2027-01-01,holiday\n",
            CalendarError::Header {
                found: "day,type".into(),
            },
        ),
        ("date,kind,festival\n", CalendarError::Empty),
    ];
    for (text, expected) in cases {
        assert_eq!(&c.load_csv(text).unwrap_err(), expected, "{text}");
        assert_eq!(c, before);
    }
    let e = c
        .load_csv("date,kind,festival\n2027-01-01,holiday\n")
        .unwrap_err();
    assert!(matches!(e, CalendarError::Csv { line: 2, .. }), "{e:?}");
    let msg = CalendarError::WorkdayNotWeekend {
        line: 3,
        date: d(2027, 1, 4),
        weekday: "星期一",
    }
    .to_string();
    assert_eq!(
        msg,
        "第 3 行：2027-01-04 是星期一，本来就是工作日；调休上班日只能是星期六或星期日"
    );
}

#[test]
fn csv_round_trip() {
    let c = cal();
    let text = c.to_csv();
    assert!(text.starts_with("date,kind,festival\n2004-01-01,holiday,New Year's Day\n"));
    assert_eq!(LegalCalendar::from_csv(&text).unwrap(), c);
    assert_eq!(text.lines().count(), BUILTIN_CSV.lines().count());
}

#[test]
fn serde_shapes() {
    let dl = Deadline {
        date: d(2024, 10, 8),
        provisional: false,
        rolled_from: Some(d(2024, 10, 1)),
    };
    assert_eq!(
        serde_json::to_string(&dl).unwrap(),
        r#"{"date":"2024-10-08","provisional":false,"rolled_from":"2024-10-01"}"#
    );
    assert_eq!(
        serde_json::to_string(&Dated {
            value: 5u32,
            provisional: true
        })
        .unwrap(),
        r#"{"value":5,"provisional":true}"#
    );
}

fn any_date() -> impl Strategy<Value = NaiveDate> {
    // 2004-01-01 .. 2028-12-31: covered years and two uncovered ones.
    (0u64..9131).prop_map(|i| d(2004, 1, 1) + chrono::Days::new(i))
}

proptest! {
    /// APL Art. 85: a working-day deadline is a working day.
    #[test]
    fn working_day_deadline_is_working(s in any_date(), n in 0u32..40) {
        let c = cal();
        let dl = c.add_working_days(s, n);
        prop_assert!(c.is_working_day(dl.date).value);
        prop_assert!(dl.date >= s);
        prop_assert!(c.is_working_day(c.next_working_day(s).date).value);
    }

    /// Calendar periods end on a working day (民事诉讼法 Art. 85) no earlier than nominal.
    #[test]
    fn calendar_deadline_is_working(s in any_date(), n in 0u32..120, m in 0u32..13) {
        let c = cal();
        for dl in [c.add_calendar_days(s, n), c.add_months(s, m)] {
            prop_assert!(c.is_working_day(dl.date).value);
            if let Some(nominal) = dl.rolled_from {
                prop_assert!(nominal < dl.date);
                prop_assert!(!c.is_working_day(nominal).value);
            }
        }
    }

    /// sub_working_days inverts add_working_days from a working day, and the count between
    /// them is n.
    #[test]
    fn add_sub_between_agree(s in any_date(), n in 0u32..40) {
        let c = cal();
        prop_assume!(c.is_working_day(s).value);
        let e = c.add_working_days(s, n);
        prop_assert_eq!(c.sub_working_days(e.date, n).date, s);
        prop_assert_eq!(c.working_days_between(s, e.date).value, n);
        // The uncovered years of the range (2027, 2028) come after the covered ones, so the
        // result is provisional exactly when the deadline's year is uncovered.
        prop_assert_eq!(e.provisional, !c.covers(e.date.year()));
    }
}
