//! The inputs each case command needs on a web form, and the conversion of a submitted form
//! into a [`Command`]. Amounts are entered in 元 and stored in fen; officers are picked from
//! the agency's officers; dates default to today.

use chrono::NaiveDate;
use serde_json::{Map, Value, json};
use zhifa_domain::case::{BenchmarkRange, Command, OfficerFacts};
use zhifa_domain::money::Fen;

use super::labels::{code_label, code_options, yuan};

/// How a field is entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// `<input type=date>`.
    Date,
    /// One line of text.
    Text,
    /// Several lines.
    Area,
    /// A checkbox (true when ticked).
    Check,
    /// Officers of the agency, several (checkboxes).
    Officers,
    /// One officer of the agency.
    Officer,
    /// An amount in 元, converted to fen.
    Yuan,
    /// A whole number of days.
    Days,
    /// A list, one item per line (or separated by 、 or commas).
    List,
    /// A code of a data-standard code set.
    Code(&'static str),
    /// Fixed options.
    Options(&'static [(&'static str, &'static str)]),
    /// A penalty (types, fine, confiscation, licence, facts, provisions, basis).
    Penalty,
    /// The Art. 57 outcome with the penalty or reason it needs.
    Outcome,
    /// A circumstance level of the case's benchmarks.
    Circumstance,
}

/// One field of a command form.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// Key in the command JSON (and the form field name).
    pub name: &'static str,
    /// Chinese label.
    pub label: &'static str,
    /// How it is entered.
    pub input: Input,
    /// Required.
    pub required: bool,
}

const fn f(name: &'static str, label: &'static str, input: Input, required: bool) -> Spec {
    Spec {
        name,
        label,
        input,
        required,
    }
}

const RECORD_KINDS: &[(&str, &str)] = &[("inquiry", "询问笔录"), ("inspection", "现场检查笔录")];
const MEASURES: &[(&str, &str)] = &[("2", "查封"), ("3", "扣押")];
const OPINIONS: &[(&str, &str)] = &[
    ("agree", "同意"),
    ("disagree", "不同意"),
    ("revise", "修改后再报"),
];
const APPEALS: &[(&str, &str)] = &[("review", "行政复议"), ("litigation", "行政诉讼")];
/// The Art. 57 outcomes as offered on the conclusion form.
pub const OUTCOMES: &[(&str, &str)] = &[
    ("penalty", "给予行政处罚"),
    ("no_penalty", "不予行政处罚（第三十三条）"),
    ("not_established", "违法事实不能成立"),
    ("transfer", "移送司法机关（第二十七条）"),
];

/// The fields of a command kind, after the date of the act (`on`), which every command has.
pub fn specs(kind: &str) -> Vec<Spec> {
    use Input::*;
    match kind {
        "reject_lead" => vec![f("reason", "不予立案理由", Area, true)],
        "file_case" => vec![f(
            "limitation_override",
            "超过追责时效仍立案的理由（如适用）",
            Text,
            false,
        )],
        "assign_officers" => vec![f("officers", "承办人员（不少于两人）", Officers, true)],
        "make_record" => vec![
            f("kind", "笔录种类", Options(RECORD_KINDS), true),
            f("place", "地点", Text, true),
            f("officers", "在场执法人员", Officers, true),
            f("interviewee", "被询问人/在场人", Text, false),
            f("content", "笔录内容", Area, true),
        ],
        "add_evidence" => vec![
            f("evidence_type", "证据种类", Code("evidence_type"), true),
            f("description", "证据说明", Area, true),
            f("sm3", "证据文件 SM3（已上传时）", Text, false),
        ],
        "request_recusal" => vec![
            f("officer_id", "被申请回避的承办人员", Officer, true),
            f("reason", "申请回避的理由（第四十三条）", Area, true),
        ],
        "decide_recusal" => vec![
            f("officer_id", "被申请回避的承办人员", Officer, true),
            f("granted", "决定回避", Check, false),
            f("reason", "决定理由", Area, true),
        ],
        "preserve_evidence" => vec![f("items", "登记保存物品清单", Area, true)],
        "decide_preservation" => vec![f("disposition", "处理决定", Area, true)],
        "seize" => vec![
            f("measure", "措施", Options(MEASURES), true),
            f("items", "物品清单", Area, true),
            f("officers", "实施人员", Officers, true),
        ],
        "extend_seizure" | "extend_decision_period" => vec![
            f("days", "延长天数", Days, true),
            f("reason", "理由", Area, true),
        ],
        "conclude" => vec![
            f("outcome", "调查终结处理意见", Outcome, true),
            f("circumstance", "违法情节（裁量基准）", Circumstance, false),
            f("deviation_reason", "超出裁量基准的书面理由", Area, false),
            f(
                "major_complex",
                "情节复杂或重大违法（须集体讨论）",
                Check,
                false,
            ),
            f("review_requested", "提请法制审核", Check, false),
        ],
        "revise_penalty" => vec![
            f("penalty", "修改后的处罚建议", Penalty, true),
            f("reason", "修改理由", Area, true),
            f("circumstance", "违法情节（裁量基准）", Circumstance, false),
            f("deviation_reason", "超出裁量基准的书面理由", Area, false),
        ],
        "record_e_service_consent" => vec![f("address", "电子送达地址", Text, true)],
        "serve_notice" | "serve_decision" => {
            vec![f("method", "送达方式", Code("service_method"), true)]
        }
        "receive_statement" => vec![f("content", "陈述申辩内容", Area, true)],
        "review_statement" => vec![
            f("adopted", "采纳陈述申辩", Check, false),
            f("opinion", "复核意见", Area, true),
        ],
        "notice_hearing" => vec![
            f("hearing_date", "听证日期", Date, true),
            f("host", "听证主持人（非本案调查人员）", Officer, true),
        ],
        "hold_hearing" => vec![f("record", "听证笔录摘要", Area, true)],
        "waive_hearing" => vec![f("reason", "放弃听证情形", Area, true)],
        "give_review" => vec![
            f("opinion", "审核意见", Options(OPINIONS), true),
            f("comments", "审核说明", Area, false),
        ],
        "hold_discussion" => vec![
            f("participants", "参加人员（每行一人）", List, true),
            f("conclusion", "讨论结论", Area, true),
        ],
        "suspend" => vec![f("reason", "中止理由", Area, true)],
        "withdraw_publication" => vec![f("reason", "撤回理由", Area, true)],
        "record_payment" => vec![f("amount_fen", "缴款金额（元）", Yuan, true)],
        "approve_deferral" => vec![f("due", "延期至", Date, true)],
        "record_appeal" => vec![f("kind", "类型", Options(APPEALS), true)],
        "conclude_appeal" => vec![f("result", "结果", Area, true)],
        "apply_to_court" => vec![f("court", "人民法院", Text, true)],
        _ => Vec::new(),
    }
}

/// A submitted form: every (name, value) pair in order (checkboxes repeat names).
pub type Pairs = [(String, String)];

/// What a form submitted, kept to fill the same form again when the command is refused or
/// incomplete, so that nothing the officer typed is lost. A page with several forms (the case
/// page's command panel) fills only the form of the submitted kind.
#[derive(Debug, Clone, Default)]
pub struct Submitted {
    kind: String,
    pairs: Vec<(String, String)>,
}

impl Submitted {
    /// The pairs a form of `kind` submitted.
    pub fn new(kind: &str, pairs: &Pairs) -> Submitted {
        Submitted {
            kind: kind.to_string(),
            pairs: pairs.to_vec(),
        }
    }

    /// Whether the form of `kind` was submitted (and is being shown again).
    pub fn is(&self, kind: &str) -> bool {
        !self.pairs.is_empty() && self.kind == kind
    }

    /// The submitted value of `name` in the form of `kind` (empty for other forms).
    pub fn value(&self, kind: &str, name: &str) -> &str {
        if !self.is(kind) {
            return "";
        }
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Whether `value` was among the values of `name` (checkboxes, options) in the form of
    /// `kind`.
    pub fn has(&self, kind: &str, name: &str, value: &str) -> bool {
        self.is(kind) && self.pairs.iter().any(|(k, v)| k == name && v == value)
    }
}

/// The first value of a field, trimmed.
pub fn first(form: &Pairs, name: &str) -> String {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default()
}

/// Every non-empty value of a field.
pub fn all(form: &Pairs, name: &str) -> Vec<String> {
    form.iter()
        .filter(|(k, v)| k == name && !v.trim().is_empty())
        .map(|(_, v)| v.trim().to_string())
        .collect()
}

fn fen(form: &Pairs, name: &str, label: &str, errors: &mut Vec<String>) -> i64 {
    let v = first(form, name);
    if v.is_empty() {
        return 0;
    }
    match Fen::parse_yuan(&v) {
        Ok(f) => f.value(),
        Err(e) => {
            errors.push(format!("{label}：{}", e.message));
            0
        }
    }
}

/// The penalty of a form (field names prefixed with `prefix`).
pub fn penalty_json(form: &Pairs, errors: &mut Vec<String>) -> Value {
    let licence = first(form, "licence");
    json!({
        "types": all(form, "penalty_types"),
        "fine_fen": fen(form, "fine_yuan", "罚款金额", errors),
        "confiscation_fen": fen(form, "confiscation_yuan", "没收金额", errors),
        "licence": if licence.is_empty() { Value::Null } else { Value::String(licence) },
        "facts": first(form, "facts"),
        "violated": first(form, "violated"),
        "basis": first(form, "basis"),
    })
}

/// The party of a form (`party_type`, `party_name`, `id_number`, `legal_rep`, `address`, `phone`).
pub fn party_json(form: &Pairs) -> Value {
    let o = |n: &str| {
        let v = first(form, n);
        if v.is_empty() {
            Value::Null
        } else {
            Value::String(v)
        }
    };
    json!({
        "party_type": first(form, "party_type"),
        "name": first(form, "party_name"),
        "id_number": o("id_number"),
        "legal_rep": o("legal_rep"),
        "address": o("address"),
        "phone": o("phone"),
    })
}

/// Deserializes a command built as JSON; a shape error becomes a Chinese message.
pub fn to_command(value: Value) -> Result<Command, Vec<String>> {
    serde_json::from_value::<Command>(value)
        .map_err(|e| vec![format!("指令内容不完整或格式不正确：{e}")])
}

/// Converts a command form into a [`Command`], or the Chinese problems of the form.
pub fn parse(kind: &str, form: &Pairs) -> Result<Command, Vec<String>> {
    let mut errors = Vec::new();
    let mut obj = Map::new();
    obj.insert("command".into(), Value::String(kind.to_string()));
    let on = first(form, "on");
    if NaiveDate::parse_from_str(&on, "%Y-%m-%d").is_err() {
        errors.push("请填写办理日期".to_string());
    }
    obj.insert("on".into(), Value::String(on));
    for s in specs(kind) {
        let v = first(form, s.name);
        let value = match s.input {
            Input::Check => Value::Bool(!v.is_empty()),
            Input::Officers => {
                let list = all(form, s.name);
                if s.required && list.is_empty() {
                    errors.push(format!("请选择{}", s.label));
                }
                json!(list)
            }
            Input::List => {
                let list: Vec<String> = v
                    .split(['\n', '、', ',', '，'])
                    .map(str::trim)
                    .filter(|x| !x.is_empty())
                    .map(str::to_string)
                    .collect();
                if s.required && list.is_empty() {
                    errors.push(format!("请填写{}", s.label));
                }
                json!(list)
            }
            Input::Yuan => json!(fen(form, s.name, s.label, &mut errors)),
            Input::Days => match v.parse::<u32>() {
                Ok(n) => json!(n),
                Err(_) => {
                    errors.push(format!("{}须为正整数", s.label));
                    json!(0)
                }
            },
            Input::Penalty => penalty_json(form, &mut errors),
            Input::Outcome => {
                let outcome = first(form, "outcome");
                match outcome.as_str() {
                    "penalty" => {
                        json!({"outcome": "penalty", "penalty": penalty_json(form, &mut errors)})
                    }
                    "no_penalty" => {
                        let edu = first(form, "education");
                        json!({"outcome": "no_penalty", "reason": first(form, "no_penalty_reason"),
                               "education": if edu.is_empty() { Value::Null } else { Value::String(edu) }})
                    }
                    "not_established" => json!({"outcome": "not_established"}),
                    "transfer" => json!({"outcome": "transfer", "organ": first(form, "organ")}),
                    _ => {
                        errors.push("请选择调查终结处理意见".to_string());
                        Value::Null
                    }
                }
            }
            _ => {
                if v.is_empty() {
                    if s.required {
                        errors.push(format!("请填写{}", s.label));
                        Value::String(String::new())
                    } else {
                        continue;
                    }
                } else {
                    Value::String(v)
                }
            }
        };
        obj.insert(s.name.to_string(), value);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    to_command(Value::Object(obj))
}

/// A field as the template shows it.
#[derive(Debug, Clone)]
pub struct FieldView {
    /// Form field name.
    pub name: &'static str,
    /// Label.
    pub label: &'static str,
    /// `date`, `text`, `area`, `check`, `checks`, `select`, `yuan`, `number`, `penalty`, `outcome`.
    pub kind: &'static str,
    /// Required.
    pub required: bool,
    /// Options (value, label) of selects and checkbox groups.
    pub options: Vec<(String, String)>,
}

/// The officers of an agency as options, with their certificate (and a note when none is valid
/// on `today`).
pub fn officer_options(officers: &[OfficerFacts], today: NaiveDate) -> Vec<(String, String)> {
    officers
        .iter()
        .filter(|o| o.active)
        .map(|o| {
            let valid = o
                .certificates
                .iter()
                .find(|c| c.status == "1" && c.valid_from <= today && today <= c.valid_to);
            let label = match valid {
                Some(c) => format!("{}（执法证 {}）", o.name, c.number),
                None => format!("{}（无有效执法证）", o.name),
            };
            (o.officer_id.clone(), label)
        })
        .collect()
}

/// The benchmark ranges of the case's power as text, e.g. `一般：500.00 元 – 5000.00 元`.
pub fn benchmark_lines(benchmarks: &[BenchmarkRange]) -> Vec<String> {
    benchmarks
        .iter()
        .map(|b| {
            format!(
                "{}：{} – {}",
                code_label("circumstance_level", &b.level),
                yuan(b.min_fen),
                yuan(b.max_fen)
            )
        })
        .collect()
}

/// The field views of a command kind.
pub fn views(
    kind: &str,
    officers: &[(String, String)],
    benchmarks: &[BenchmarkRange],
) -> Vec<FieldView> {
    specs(kind)
        .into_iter()
        .map(|s| {
            let (k, options): (&'static str, Vec<(String, String)>) = match s.input {
                Input::Date => ("date", Vec::new()),
                Input::Text => ("text", Vec::new()),
                Input::Area | Input::List => ("area", Vec::new()),
                Input::Check => ("check", Vec::new()),
                Input::Officers => ("checks", officers.to_vec()),
                Input::Officer => ("select", officers.to_vec()),
                Input::Yuan => ("yuan", Vec::new()),
                Input::Days => ("number", Vec::new()),
                Input::Code(set) => ("select", code_options(set)),
                Input::Options(opts) => (
                    "select",
                    opts.iter()
                        .map(|(v, l)| (v.to_string(), l.to_string()))
                        .collect(),
                ),
                Input::Penalty => ("penalty", Vec::new()),
                Input::Outcome => ("outcome", Vec::new()),
                Input::Circumstance => (
                    "select",
                    benchmarks
                        .iter()
                        .map(|b| (b.level.clone(), code_label("circumstance_level", &b.level)))
                        .collect(),
                ),
            };
            FieldView {
                name: s.name,
                label: s.label,
                kind: k,
                required: s.required,
                options,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn conclude_form_becomes_a_penalty_outcome_in_fen() {
        let form = pairs(&[
            ("on", "2026-03-02"),
            ("outcome", "penalty"),
            ("penalty_types", "01"),
            ("penalty_types", "03"),
            ("fine_yuan", "20000"),
            ("facts", "销售过期食品"),
            ("violated", "第二条"),
            ("basis", "第三条"),
            ("review_requested", "on"),
        ]);
        let cmd = parse("conclude", &form).expect("parses");
        match cmd {
            Command::Conclude {
                outcome: zhifa_domain::case::Outcome::Penalty { penalty },
                review_requested,
                major_complex,
                ..
            } => {
                assert_eq!(penalty.fine_fen, 2_000_000);
                assert_eq!(penalty.types, vec!["01", "03"]);
                assert!(review_requested);
                assert!(!major_complex);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn recusal_forms_become_commands() {
        let form = pairs(&[
            ("on", "2026-03-03"),
            ("officer_id", "o-1"),
            ("reason", "系当事人近亲属"),
        ]);
        assert!(matches!(
            parse("request_recusal", &form).expect("parses"),
            Command::RequestRecusal { officer_id, .. } if officer_id == "o-1"
        ));
        let mut decided = form.clone();
        decided.push(("granted".to_string(), "on".to_string()));
        assert!(matches!(
            parse("decide_recusal", &decided).expect("parses"),
            Command::DecideRecusal { granted: true, .. }
        ));
        assert!(matches!(
            parse("decide_recusal", &form).expect("parses"),
            Command::DecideRecusal { granted: false, .. }
        ));
    }

    #[test]
    fn missing_inputs_are_named_in_chinese() {
        let errors = parse("assign_officers", &pairs(&[("on", "")])).unwrap_err();
        assert!(errors.iter().any(|e| e.contains("办理日期")), "{errors:?}");
        assert!(errors.iter().any(|e| e.contains("承办人员")), "{errors:?}");
        let errors = parse(
            "record_payment",
            &pairs(&[("on", "2026-01-01"), ("amount_fen", "abc")]),
        )
        .unwrap_err();
        assert!(errors.iter().any(|e| e.contains("缴款金额")), "{errors:?}");
    }

    #[test]
    fn date_only_commands_parse_from_the_date_alone() {
        for kind in [
            "waive_rights",
            "request_review",
            "decide",
            "publish",
            "close",
            "archive",
        ] {
            let cmd = parse(kind, &pairs(&[("on", "2026-03-02")])).expect(kind);
            assert_eq!(cmd.kind(), kind);
        }
    }
}
