//! Statutory fine ranges in article texts (罚款幅度): "处五千元以上五万元以下罚款",
//! "货值金额十倍以上二十倍以下罚款". Used to build discretion benchmarks from penalty clauses and
//! to check a decided fine against the statutory maximum of the applied article (APL Art. 4:
//! penalties only as the law provides).

use crate::number::parse_chinese_number;

/// A statutory fine range found in an article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FineRange {
    /// Absolute amounts in fen.
    Fen(i64, i64),
    /// Multiples of a base (illegal income or goods value), in thousandths.
    Multiple(i64, i64),
}

/// Parses a Chinese amount such as 五千, 二十万, 一百五十万, 5000 into an integer.
pub fn chinese_amount(s: &str) -> Option<i64> {
    if let Ok(n) = s.parse::<i64>() {
        return Some(n);
    }
    match s.split_once('万') {
        Some((hi, lo)) => {
            let hi = if hi.is_empty() {
                1
            } else {
                parse_chinese_number(hi)? as i64
            };
            let lo = if lo.is_empty() {
                0
            } else {
                parse_chinese_number(lo.trim_start_matches('零'))? as i64
            };
            Some(hi * 10_000 + lo)
        }
        None => parse_chinese_number(s).map(i64::from),
    }
}

/// Finds the first `X以上Y以下…罚款` range in an article text ("处五千元以上五万元以下罚款",
/// "货值金额十倍以上二十倍以下罚款") and the clause it was read from (the text between the
/// previous 。/；/： and the 罚款 that closes the range), so a benchmark can say which branch
/// of the article it covers.
pub fn fine_clause(text: &str) -> Option<(FineRange, &str)> {
    scan(text).map(|(range, start, end)| (range, &text[start..end]))
}

/// The first range of `text` with the byte span of its clause.
fn scan(text: &str) -> Option<(FineRange, usize, usize)> {
    let amount_char = |c: char| "零一二三四五六七八九十百千万两0123456789".contains(c);
    let mut rest = text;
    while let Some(i) = rest.find("以上") {
        let before = &rest[..i];
        let after = &rest[i + "以上".len()..];
        rest = after;
        let unit = before.chars().last()?;
        if unit != '元' && unit != '倍' {
            continue;
        }
        let head = &before[..before.len() - unit.len_utf8()];
        let lo_str: String = {
            let mut v: Vec<char> = head.chars().rev().take_while(|c| amount_char(*c)).collect();
            v.reverse();
            v.into_iter().collect()
        };
        let hi_str: String = after.chars().take_while(|c| amount_char(*c)).collect();
        let tail = &after[hi_str.len()..];
        if !tail.starts_with(unit) {
            continue;
        }
        let tail = &tail[unit.len_utf8()..];
        let near: String = tail.chars().take(16).collect();
        if !tail.starts_with("以下") || !near.contains("罚款") {
            continue;
        }
        let (lo, hi) = (
            chinese_amount(&lo_str.replace('两', "二"))?,
            chinese_amount(&hi_str.replace('两', "二"))?,
        );
        if lo > hi || hi == 0 {
            continue;
        }
        let range = if unit == '元' {
            FineRange::Fen(lo * 100, hi * 100)
        } else {
            FineRange::Multiple(lo * 1000, hi * 1000)
        };
        let at = text.len() - after.len();
        let start = text[..at]
            .rfind(['。', '；', '：'])
            .map(|i| i + '。'.len_utf8())
            .unwrap_or(0);
        let end = text[at..]
            .find("罚款")
            .map(|i| at + i + "罚款".len())
            .unwrap_or(text.len());
        return Some((range, start, end));
    }
    None
}

/// Every `X以上Y以下…罚款` range of an article, in order.
pub fn fine_ranges(text: &str) -> Vec<FineRange> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some((range, _, end)) = scan(rest) {
        out.push(range);
        // Continue after the clause just read (it ends at its 罚款, or the text's end).
        if end == 0 || end >= rest.len() {
            break;
        }
        rest = &rest[end..];
    }
    out
}

/// The highest absolute fine an article allows, fen. `None` when it sets no absolute range,
/// or when it also sets a range in multiples (of illegal income, of the goods' value): the
/// ceiling then depends on an amount the article does not fix ("违法所得1倍以上3倍以下的罚款；
/// 没有违法所得的，并处1万元以上3万元以下的罚款" allows more than ¥30,000).
pub fn statutory_max_fen(text: &str) -> Option<i64> {
    let ranges = fine_ranges(text);
    if ranges.iter().any(|r| matches!(r, FineRange::Multiple(..))) {
        return None;
    }
    ranges
        .into_iter()
        .filter_map(|r| match r {
            FineRange::Fen(_, hi) => Some(hi),
            FineRange::Multiple(..) => None,
        })
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fine_range(text: &str) -> Option<FineRange> {
        fine_clause(text).map(|(r, _)| r)
    }

    #[test]
    fn the_clause_of_the_range_is_kept() {
        let text = "货值金额不足一万元的，并处五万元以上十万元以下罚款；货值金额一万元以上的，并处货值金额十倍以上二十倍以下罚款";
        let (r, clause) = fine_clause(text).unwrap();
        assert_eq!(r, FineRange::Fen(5_000_000, 10_000_000));
        assert_eq!(clause, "货值金额不足一万元的，并处五万元以上十万元以下罚款");
    }

    #[test]
    fn fine_ranges_of_real_clauses() {
        // 食品安全法 第一百二十六条 style and 货值金额 multiples (第一百二十四条).
        assert_eq!(
            fine_range("处五千元以上五万元以下罚款"),
            Some(FineRange::Fen(500_000, 5_000_000))
        );
        assert_eq!(
            fine_range("并处二十万元以上一百万元以下罚款"),
            Some(FineRange::Fen(20_000_000, 100_000_000))
        );
        assert_eq!(
            fine_range("货值金额一万元以上的，并处货值金额十倍以上二十倍以下罚款"),
            Some(FineRange::Multiple(10_000, 20_000))
        );
        assert_eq!(
            fine_range("处一万五千元以上三万元以下的罚款"),
            Some(FineRange::Fen(1_500_000, 3_000_000))
        );
        assert_eq!(fine_range("没收违法所得"), None);
        assert_eq!(fine_range("处二百元以上"), None);
    }

    #[test]
    fn chinese_amounts() {
        assert_eq!(chinese_amount("五千"), Some(5_000));
        assert_eq!(chinese_amount("二十万"), Some(200_000));
        assert_eq!(chinese_amount("一百五十万"), Some(1_500_000));
        assert_eq!(chinese_amount("一万五千"), Some(15_000));
        assert_eq!(chinese_amount("10"), Some(10));
    }

    #[test]
    fn every_range_and_the_statutory_maximum() {
        let text = "处五千元以上五万元以下罚款；情节严重的，处五万元以上二十万元以下罚款，并处货值金额五倍以上十倍以下罚款";
        assert_eq!(
            fine_ranges(text),
            vec![
                FineRange::Fen(500_000, 5_000_000),
                FineRange::Fen(5_000_000, 20_000_000),
                FineRange::Multiple(5_000, 10_000)
            ]
        );
        assert_eq!(statutory_max_fen(text), None);
        assert_eq!(
            statutory_max_fen(
                "处五千元以上五万元以下罚款；情节严重的，处五万元以上二十万元以下罚款"
            ),
            Some(20_000_000)
        );
        assert_eq!(
            statutory_max_fen(
                "并处违法所得1倍以上3倍以下的罚款；没有违法所得的，并处1万元以上3万元以下的罚款"
            ),
            None
        );
        assert_eq!(
            statutory_max_fen("并处货值金额十倍以上二十倍以下罚款"),
            None
        );
        assert_eq!(statutory_max_fen("没收违法所得"), None);
    }
}
