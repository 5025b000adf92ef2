//! Display helpers for the pages: code-set codes with their Chinese names (from the data
//! standard), region names, and amounts in 元.

use zhifa_domain::money::Fen;
use zhifa_domain::region::{RegionLevel, RegionTable};
use zhifa_domain::standard::Standard;

/// Chinese name of `code` in the code set `set`, if both exist.
pub fn code_name(set: &str, code: &str) -> Option<&'static str> {
    Standard::builtin().code_set(set)?.name_of(code)
}

/// `市场监管` for a known code; the code itself (marked) for an unknown one.
pub fn code_label(set: &str, code: &str) -> String {
    match code_name(set, code) {
        Some(name) => name.to_string(),
        None => format!("未知代码 {code}"),
    }
}

/// Labels of several codes of one set, joined with `、`.
pub fn code_labels(set: &str, codes: &[String]) -> String {
    codes
        .iter()
        .map(|c| code_label(set, c))
        .collect::<Vec<_>>()
        .join("、")
}

/// Every code of a set as `(code, Chinese name)`, in display order (for `<select>`s).
pub fn code_options(set: &str) -> Vec<(String, String)> {
    Standard::builtin()
        .code_set(set)
        .map(|s| {
            s.codes
                .iter()
                .map(|c| (c.code.clone(), c.name_zh.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// Written full name of a region (`广东省广州市天河区`), or the code if it is not in the table.
pub fn region_name(code: &str) -> String {
    RegionTable::builtin()
        .full_name(code)
        .unwrap_or_else(|| code.to_string())
}

/// The level as the store writes it: `province`, `city`, `county`, `township`.
pub fn region_level(level: RegionLevel) -> &'static str {
    match level {
        RegionLevel::Province => "province",
        RegionLevel::City => "city",
        RegionLevel::County => "county",
        RegionLevel::Township => "township",
    }
}

/// An amount in fen as `1234.50 元`; a negative stored value is shown as is.
pub fn yuan(fen: i64) -> String {
    match Fen::new(fen) {
        Ok(f) => format!("{} 元", f.to_yuan_string()),
        Err(_) => format!("{fen} 分"),
    }
}

/// A fine range in 元 (`500.00 元 – 5000.00 元`), or a multiple of the illegal income
/// (`1 – 3 倍违法所得`), or `—`.
pub fn fine_range(
    min_fen: Option<i64>,
    max_fen: Option<i64>,
    min_permille: Option<i64>,
    max_permille: Option<i64>,
) -> String {
    let multiple = |p: i64| {
        let whole = p / 1000;
        let frac = p % 1000;
        if frac == 0 {
            whole.to_string()
        } else {
            format!("{whole}.{}", format!("{frac:03}").trim_end_matches('0'))
        }
    };
    match (min_fen, max_fen, min_permille, max_permille) {
        (Some(a), Some(b), _, _) => format!("{} – {}", yuan(a), yuan(b)),
        (Some(a), None, _, _) => format!("不低于 {}", yuan(a)),
        (None, Some(b), _, _) => format!("不超过 {}", yuan(b)),
        (None, None, Some(a), Some(b)) => format!("违法所得 {} – {} 倍", multiple(a), multiple(b)),
        (None, None, Some(a), None) => format!("违法所得 {} 倍以上", multiple(a)),
        (None, None, None, Some(b)) => format!("违法所得 {} 倍以下", multiple(b)),
        (None, None, None, None) => "—".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_show_their_chinese_names() {
        assert_eq!(code_label("enforcement_field", "01"), "市场监管");
        assert_eq!(code_label("certificate_status", "2"), "暂扣");
        assert_eq!(code_label("enforcement_field", "zz"), "未知代码 zz");
        assert_eq!(
            code_labels("penalty_type", &["01".into(), "03".into()]),
            "警告、罚款"
        );
    }

    #[test]
    fn amounts_are_shown_in_yuan() {
        assert_eq!(yuan(123_450), "1234.50 元");
        assert_eq!(
            fine_range(Some(50_000), Some(500_000), None, None),
            "500.00 元 – 5000.00 元"
        );
        assert_eq!(
            fine_range(None, None, Some(1000), Some(2500)),
            "违法所得 1 – 2.5 倍"
        );
        assert_eq!(fine_range(None, None, None, None), "—");
    }
}
