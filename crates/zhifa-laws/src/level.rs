//! Which [`LawLevel`] a file is, from its folder, title and history.

use crate::LawLevel;
use crate::model::short_title;

/// Folders of the corpus that hold 法律 (laws of the NPC and its Standing Committee).
const LAW_FOLDERS: &[&str] = &[
    "宪法",
    "宪法相关法",
    "民法商法",
    "行政法",
    "经济法",
    "社会法",
    "刑法",
    "诉讼与非诉讼程序法",
    "法律",
];

/// The level of a file in folder `category` with this title and history.
///
/// - 法律 folders → [`LawLevel::Law`] (决定 too); the Constitution itself (`中华人民共和国宪法`,
///   `…宪法修正案`) → [`LawLevel::Constitution`];
/// - `行政法规` → [`LawLevel::AdministrativeRegulation`], `部门规章` →
///   [`LawLevel::DepartmentalRule`];
/// - `地方性法规` → [`LawLevel::LocalRegulation`], or [`LawLevel::LocalGovernmentRule`] when the
///   title ends in 办法 / 规定 / 细则 and the history shows a people's government, not a
///   people's congress, adopted it;
/// - `案例` → [`LawLevel::GuidingCase`];
/// - a title with 解释 issued by 最高人民法院 or 最高人民检察院 → [`LawLevel::JudicialInterpretation`]
///   in any folder;
/// - anything else → [`LawLevel::Other`].
pub(crate) fn classify(category: &str, title: &str, history: &[String]) -> LawLevel {
    let by_supreme = |s: &str| s.contains("最高人民法院") || s.contains("最高人民检察院");
    if title.contains("解释") && (by_supreme(title) || history.iter().any(|h| by_supreme(h))) {
        return LawLevel::JudicialInterpretation;
    }
    match category {
        c if LAW_FOLDERS.contains(&c) => {
            let short = short_title(title);
            if short == "宪法" || short.starts_with("宪法修正案") {
                LawLevel::Constitution
            } else {
                LawLevel::Law
            }
        }
        "行政法规" => LawLevel::AdministrativeRegulation,
        "部门规章" => LawLevel::DepartmentalRule,
        "地方性法规" if is_government_rule(title, history) => LawLevel::LocalGovernmentRule,
        "地方性法规" => LawLevel::LocalRegulation,
        "地方政府规章" => LawLevel::LocalGovernmentRule,
        "司法解释" => LawLevel::JudicialInterpretation,
        "案例" | "指导性案例" => LawLevel::GuidingCase,
        _ => LawLevel::Other,
    }
}

/// True only when the text makes clear a people's government made the rule: a 办法 / 规定 /
/// 细则 whose history names a 人民政府 and no 人民代表大会.
fn is_government_rule(title: &str, history: &[String]) -> bool {
    ["办法", "规定", "细则"].iter().any(|w| title.ends_with(w))
        && history.iter().any(|h| h.contains("人民政府"))
        && !history.iter().any(|h| h.contains("人民代表大会"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(lines: &[&str]) -> Vec<String> {
        lines.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn levels() {
        let none: Vec<String> = Vec::new();
        assert_eq!(
            classify("行政法", "中华人民共和国行政处罚法", &none),
            LawLevel::Law
        );
        assert_eq!(
            classify("宪法相关法", "中华人民共和国宪法", &none),
            LawLevel::Constitution
        );
        assert_eq!(
            classify(
                "宪法相关法",
                "全国人民代表大会常务委员会关于县级以下人民代表大会代表直接选举的若干规定",
                &none
            ),
            LawLevel::Law
        );
        assert_eq!(
            classify("行政法规", "电信条例", &none),
            LawLevel::AdministrativeRegulation
        );
        assert_eq!(
            classify("部门规章", "x规定", &none),
            LawLevel::DepartmentalRule
        );
        let congress = h(&["2020年7月31日 浙江省第十三届人民代表大会常务委员会第二十二次会议通过"]);
        assert_eq!(
            classify("地方性法规", "浙江省村民委员会选举办法", &congress),
            LawLevel::LocalRegulation
        );
        let government = h(&["2019年1月1日 浙江省人民政府令第1号公布"]);
        assert_eq!(
            classify("地方性法规", "浙江省某某管理办法", &government),
            LawLevel::LocalGovernmentRule
        );
        assert_eq!(
            classify("地方性法规", "浙江省某某条例", &government),
            LawLevel::LocalRegulation
        );
        assert_eq!(
            classify("地方性法规", "浙江省某某办法", &none),
            LawLevel::LocalRegulation
        );
        assert_eq!(
            classify(
                "诉讼与非诉讼程序法",
                "最高人民法院关于适用《中华人民共和国行政诉讼法》的解释",
                &none
            ),
            LawLevel::JudicialInterpretation
        );
        assert_eq!(classify("案例", "x", &none), LawLevel::GuidingCase);
        assert_eq!(classify("", "x", &none), LawLevel::Other);
    }
}
