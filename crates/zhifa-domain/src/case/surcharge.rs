//! Late-payment surcharge (加处罚款, APL Art. 72 para 1 (1); ACL Art. 45): 3 % of the fine per
//! day after the due date, capped at the fine, not counted while an administrative review or
//! litigation is pending (APL Art. 73 para 3).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::model::Interval;

/// A computed surcharge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurchargeAccrual {
    /// Days counted (after the due date, paused days excluded).
    pub days: i64,
    /// Amount, fen (capped at the fine).
    pub amount_fen: i64,
    /// Whether the cap was reached.
    pub capped: bool,
}

/// The surcharge on `fine_fen` due on `due`, as of `as_of`, at `per_mille` per day, excluding
/// days inside `paused` intervals.
pub fn surcharge(
    fine_fen: i64,
    due: NaiveDate,
    as_of: NaiveDate,
    per_mille: u32,
    paused: &[Interval],
) -> SurchargeAccrual {
    if as_of <= due || fine_fen <= 0 {
        return SurchargeAccrual {
            days: 0,
            amount_fen: 0,
            capped: false,
        };
    }
    let total = (as_of - due).num_days();
    let paused_days: i64 = paused.iter().map(|i| i.days_within(due, as_of)).sum();
    let days = (total - paused_days).max(0);
    // Per day: fine × per_mille / 1000, rounded down to the fen; products stay far below i64.
    let raw = fine_fen
        .saturating_mul(i64::from(per_mille))
        .saturating_mul(days)
        / 1000;
    let capped = raw >= fine_fen;
    SurchargeAccrual {
        days,
        amount_fen: raw.min(fine_fen),
        capped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn three_percent_per_day_capped_at_the_fine() {
        let due = d("2026-03-01");
        assert_eq!(surcharge(100_000, due, due, 30, &[]).amount_fen, 0);
        assert_eq!(
            surcharge(100_000, due, d("2026-03-02"), 30, &[]).amount_fen,
            3_000
        );
        assert_eq!(
            surcharge(100_000, due, d("2026-03-11"), 30, &[]).amount_fen,
            30_000
        );
        let cap = surcharge(100_000, due, d("2026-05-01"), 30, &[]);
        assert_eq!(cap.amount_fen, 100_000);
        assert!(cap.capped);
    }

    #[test]
    fn paused_during_review() {
        let due = d("2026-03-01");
        let paused = [Interval {
            from: d("2026-03-03"),
            to: Some(d("2026-03-08")),
        }];
        // Days 2..=11 after due = 10 days, 03-03..=03-07 paused (5 days).
        let s = surcharge(100_000, due, d("2026-03-11"), 30, &paused);
        assert_eq!(s.days, 5);
        assert_eq!(s.amount_fen, 15_000);
        // A running pause stops the clock up to today.
        let open = [Interval {
            from: d("2026-03-03"),
            to: None,
        }];
        assert_eq!(surcharge(100_000, due, d("2026-04-30"), 30, &open).days, 1);
    }
}
