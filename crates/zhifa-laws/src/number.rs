//! Chinese numerals as used in article labels (第一百二十三条) and dates (一九八六年).

/// The value of one Chinese digit character, `None` for anything else.
fn digit(c: char) -> Option<u32> {
    Some(match c {
        '零' | '〇' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

/// The value of one Chinese unit character below 万, `None` for anything else.
fn unit(c: char) -> Option<u32> {
    Some(match c {
        '十' => 10,
        '百' => 100,
        '千' => 1000,
        _ => return None,
    })
}

/// True if `c` can appear in a Chinese numeral (a digit, 十, 百, 千 or 万).
pub(crate) fn is_numeral_char(c: char) -> bool {
    digit(c).is_some() || unit(c).is_some() || c == '万'
}

/// Parses a Chinese numeral: `一百二十三` → 123, `十` → 10, `二十` → 20, `一千零五` → 1005,
/// `一万零一` → 10001.
///
/// Strict: a numeral written with units must have its units in descending order, a skipped place
/// must be marked with 零 (`一千零五`, never `一千五`), and 零 must be followed by a digit.
/// A numeral written without units is read digit by digit, as in years (`一九八六` → 1986).
/// ASCII digits (`123`) are accepted too. Anything else (empty, other characters, `十十`,
/// `一二十`, overflow) gives `None`.
pub fn parse_chinese_number(s: &str) -> Option<u32> {
    if s.is_empty() {
        return None;
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().ok();
    }
    if s.chars().all(|c| digit(c).is_some()) {
        // Positional, digit by digit: 一九八六, 二〇二一 (no leading zero).
        if s.chars().count() > 1 && s.starts_with(['零', '〇']) {
            return None;
        }
        let mut v: u32 = 0;
        for c in s.chars() {
            v = v.checked_mul(10)?.checked_add(digit(c)?)?;
        }
        return Some(v);
    }
    match s.split_once('万') {
        Some((high, low)) => {
            let high = parse_below_10000(high)?;
            if high == 0 {
                return None;
            }
            let low = if low.is_empty() {
                0
            } else if let Some(rest) = low.strip_prefix(['零', '〇']) {
                // 一万零五: a skipped place after 万 is marked with 零.
                let v = parse_below_10000(rest)?;
                if v == 0 || v >= 1000 {
                    return None;
                }
                v
            } else {
                let v = parse_below_10000(low)?;
                // Without 零 the low part must fill the thousands place (一万二千).
                if v < 1000 {
                    return None;
                }
                v
            };
            high.checked_mul(10_000)?.checked_add(low)
        }
        None => parse_below_10000(s),
    }
}

/// Parses a numeral below 10,000 written with units (十, 百, 千), or a single digit.
fn parse_below_10000(s: &str) -> Option<u32> {
    let chars: Vec<char> = s.chars().collect();
    if chars.is_empty() {
        return None;
    }
    let mut total = 0;
    // The unit of the place most recently filled; the next unit must be smaller.
    let mut last_unit = 10_000;
    // A digit read but not yet bound to a unit.
    let mut pending: Option<u32> = None;
    // True right after 零: the next digit may skip places.
    let mut after_zero = false;
    for (i, &c) in chars.iter().enumerate() {
        if let Some(d) = digit(c) {
            if pending.is_some() {
                return None; // two digits in a row: 一二十
            }
            if d == 0 {
                if after_zero || i == 0 || i + 1 == chars.len() {
                    return None; // 零零, leading or trailing 零
                }
                after_zero = true;
                continue;
            }
            pending = Some(d);
        } else if let Some(u) = unit(c) {
            if u >= last_unit {
                return None; // units out of order: 十百, 十十
            }
            let d = match pending.take() {
                Some(d) => d,
                // A bare 十 may open a numeral (十五 = 15); other bare units may not.
                None if u == 10 && i == 0 => 1,
                None => return None,
            };
            total += d * u;
            last_unit = u;
            after_zero = false;
        } else {
            return None;
        }
    }
    if let Some(d) = pending {
        // A trailing digit is the ones place: right after 十, after 零, or alone.
        if last_unit == 10 || after_zero || last_unit == 10_000 {
            total += d;
        } else {
            return None; // 一百五 (colloquial 150) is not used in legal numbering
        }
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::parse_chinese_number;

    #[test]
    fn table() {
        let cases: &[(&str, Option<u32>)] = &[
            ("一", Some(1)),
            ("九", Some(9)),
            ("十", Some(10)),
            ("十一", Some(11)),
            ("一十一", Some(11)),
            ("二十", Some(20)),
            ("二十一", Some(21)),
            ("九十九", Some(99)),
            ("一百", Some(100)),
            ("一百零一", Some(101)),
            ("一百一十", Some(110)),
            ("一百二十三", Some(123)),
            ("二百", Some(200)),
            ("两百", Some(200)),
            ("三百零八", Some(308)),
            ("一千", Some(1000)),
            ("一千零五", Some(1005)),
            ("一千零五十", Some(1050)),
            ("一千二百六十", Some(1260)),
            ("一千二百六十六", Some(1266)),
            ("九千九百九十九", Some(9999)),
            ("一万", Some(10000)),
            ("一万零一", Some(10001)),
            ("一万二千", Some(12000)),
            ("一九八六", Some(1986)),
            ("二〇二一", Some(2021)),
            ("零", Some(0)),
            ("86", Some(86)),
            ("", None),
            ("十十", None),
            ("百", None),
            ("一二十", None),
            ("十百", None),
            ("一百零", None),
            ("零一", None),
            ("一百五", None),
            ("一千零零五", None),
            ("第十", None),
            ("十条", None),
            ("一万一", None),
            ("abc", None),
        ];
        for &(input, want) in cases {
            assert_eq!(
                parse_chinese_number(input),
                want,
                "parse_chinese_number({input:?})"
            );
        }
    }

    #[test]
    fn every_label_up_to_two_thousand_round_trips() {
        for n in 1..2000 {
            let s = to_chinese(n);
            assert_eq!(parse_chinese_number(&s), Some(n), "{s}");
        }
    }

    /// Writes `n` (< 10,000) the way laws number their articles.
    fn to_chinese(n: u32) -> String {
        const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
        let places = [(1000, "千"), (100, "百"), (10, "十")];
        let mut out = String::new();
        let mut rest = n;
        let mut zero = false;
        for (value, name) in places {
            let d = rest / value;
            rest %= value;
            if d > 0 {
                if zero {
                    out.push('零');
                    zero = false;
                }
                if !(value == 10 && d == 1 && out.is_empty()) {
                    out.push_str(D[d as usize]);
                }
                out.push_str(name);
            } else if !out.is_empty() {
                zero = true;
            }
        }
        if rest > 0 {
            if zero {
                out.push('零');
            }
            out.push_str(D[rest as usize]);
        }
        out
    }
}
