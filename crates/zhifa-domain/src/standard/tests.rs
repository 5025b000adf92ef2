//! Tests of the data standard ZF-1.0 (F1).

use std::collections::HashSet;

use super::*;

fn std() -> &'static Standard {
    Standard::builtin()
}

#[test]
fn builtin_parses_with_identity() {
    let s = std();
    assert_eq!(s.id, "ZF-1.0");
    assert_eq!(s.version, "1.0");
    let classes: Vec<&str> = s.classes.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        classes,
        [
            "org",
            "person",
            "object",
            "matter",
            "behaviour",
            "complaint"
        ]
    );
    assert!(s.elements.len() >= 60, "{} elements", s.elements.len());
}

#[test]
fn ids_are_unique() {
    let s = std();
    let mut seen = HashSet::new();
    for e in &s.elements {
        assert!(seen.insert(e.id.as_str()), "duplicate element {}", e.id);
    }
    let mut seen = HashSet::new();
    for c in &s.classes {
        assert!(seen.insert(c.id.as_str()), "duplicate class {}", c.id);
    }
    let mut seen = HashSet::new();
    for set in &s.code_sets {
        assert!(
            seen.insert(set.id.as_str()),
            "duplicate code set {}",
            set.id
        );
        let mut codes = HashSet::new();
        for c in &set.codes {
            assert!(
                codes.insert(c.code.as_str()),
                "duplicate code {} in {}",
                c.code,
                set.id
            );
            assert!(
                !c.name_zh.is_empty() && !c.name_en.is_empty(),
                "{}/{}",
                set.id,
                c.code
            );
        }
        assert!(!set.codes.is_empty(), "{}", set.id);
    }
}

#[test]
fn elements_are_consistent() {
    let s = std();
    for e in &s.elements {
        assert!(
            s.classes.iter().any(|c| c.id == e.class),
            "{}: class {}",
            e.id,
            e.class
        );
        assert!(
            e.id.starts_with(&format!("{}.", e.class)),
            "{} not in class {}",
            e.id,
            e.class
        );
        if let Some(set) = &e.code_set {
            assert!(
                s.code_set(set).is_some(),
                "{}: unknown code set {set}",
                e.id
            );
        }
        assert_eq!(
            e.data_type == DataType::Code,
            e.code_set.is_some(),
            "{}: code ⇔ code_set",
            e.id
        );
        assert_eq!(e.since, "1.0", "{}", e.id);
        assert!(!e.description.is_empty(), "{}", e.id);
        if let Some(p) = &e.pattern {
            regex::Regex::new(p).unwrap_or_else(|err| panic!("{}: pattern {p}: {err}", e.id));
            assert!(
                p.starts_with('^') && p.ends_with('$'),
                "{}: pattern must be anchored",
                e.id
            );
        }
    }
    // Every class has elements; every identifier element of the ids module has a pattern.
    for c in &s.classes {
        assert!(
            s.elements_of(&c.id).count() >= 8,
            "class {} has too few elements",
            c.id
        );
    }
    for id in [
        "org.uscc",
        "person.citizen_id",
        "person.cert_no",
        "org.region_code",
        "object.uscc",
    ] {
        assert!(
            s.element(id).and_then(|e| e.pattern.as_ref()).is_some(),
            "{id}"
        );
    }
}

#[test]
fn identifier_patterns_accept_real_values() {
    let s = std();
    let cases: &[(&str, &str, bool)] = &[
        ("org.uscc", "91350100M000100Y43", true),
        ("org.uscc", "914403001922038216", true),
        ("org.uscc", "91350100M000100I43", false),
        ("org.uscc", "9135A100M000100Y43", false),
        ("person.citizen_id", "11010519491231002X", true),
        ("person.citizen_id", "11010518491231002X", false),
        ("person.cert_no", "4401060100017", true),
        ("person.cert_no", "4401061300017", false),
        ("org.region_code", "440106", true),
        ("object.region_code", "110101001", true),
        ("object.region_code", "1101010", false),
        ("object.industry", "C", true),
        ("object.industry", "C1391", true),
        ("object.industry", "Z01", false),
        ("behaviour.case_no", "某市监处罚〔2026〕17号", true),
        ("behaviour.case_no", "某市监处罚[2026]17号", false),
        (
            "behaviour.officer_cert_nos",
            "4401060100017;4401060100018",
            true,
        ),
        ("behaviour.officer_cert_nos", "4401060100017", false),
        ("behaviour.evidence_hash", &"ab".repeat(32), true),
    ];
    for (id, value, ok) in cases {
        let p = s
            .element(id)
            .and_then(|e| e.pattern.as_deref())
            .unwrap_or_else(|| panic!("{id}"));
        assert_eq!(
            regex::Regex::new(p).unwrap().is_match(value),
            *ok,
            "{id} {value}"
        );
    }
}

/// The exact ids and codes other crates code against.
#[test]
fn code_sets_are_exactly_as_published() {
    let expect: &[(&str, &[&str])] = &[
        ("subject_type", &["1", "2", "3"]),
        ("subject_level", &["1", "2", "3", "4", "5"]),
        (
            "enforcement_field",
            &[
                "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12",
            ],
        ),
        ("certificate_status", &["1", "2", "3"]),
        (
            "power_category",
            &["01", "02", "03", "04", "05", "06", "07", "08", "09", "10"],
        ),
        ("circumstance_level", &["1", "2", "3", "4"]),
        ("law_level", &["1", "2", "3", "4", "5", "6", "7", "8", "9"]),
        ("party_type", &["1", "2", "3", "4"]),
        (
            "penalty_type",
            &[
                "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "99",
            ],
        ),
        ("evidence_type", &["1", "2", "3", "4", "5", "6", "7", "8"]),
        ("case_source", &["1", "2", "3", "4", "5", "9"]),
        ("procedure", &["1", "2", "3"]),
        ("investigation_outcome", &["1", "2", "3", "4"]),
        ("no_penalty_reason", &["1", "2", "3", "4", "5", "6", "9"]),
        ("service_method", &["1", "2", "3", "4", "5", "6"]),
        (
            "case_event_type",
            &[
                "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14",
                "99",
            ],
        ),
        ("inspection_result", &["1", "2", "3", "4", "9"]),
    ];
    let s = std();
    for (id, codes) in expect {
        let set = s
            .code_set(id)
            .unwrap_or_else(|| panic!("missing code set {id}"));
        let got: Vec<&str> = set.codes.iter().map(|c| c.code.as_str()).collect();
        assert_eq!(&got, codes, "{id}");
    }
    let docs: Vec<String> = (1..=33).map(|i| format!("{i:02}")).collect();
    let got: Vec<&str> = s
        .code_set("document_type")
        .unwrap()
        .codes
        .iter()
        .map(|c| c.code.as_str())
        .collect();
    assert_eq!(got, docs);
    let alerts: Vec<String> = (1..=15).map(|i| format!("A{i:02}")).collect();
    let got: Vec<&str> = s
        .code_set("alert_type")
        .unwrap()
        .codes
        .iter()
        .map(|c| c.code.as_str())
        .collect();
    assert_eq!(got, alerts);
}

#[test]
fn names_follow_the_statutes() {
    let s = std();
    let cases = [
        ("penalty_type", "03", "罚款"),
        ("penalty_type", "13", "行政拘留"),
        ("penalty_type", "99", "法律、行政法规规定的其他行政处罚"),
        ("evidence_type", "6", "当事人的陈述"),
        ("evidence_type", "8", "勘验笔录、现场笔录"),
        ("subject_type", "2", "法律法规授权组织"),
        ("enforcement_field", "06", "城市管理"),
        ("certificate_status", "2", "暂扣"),
        ("investigation_outcome", "4", "移送司法机关"),
        ("document_type", "01", "行政处罚委托书"),
        ("document_type", "24", "行政处罚决定书"),
        ("document_type", "28", "当场行政处罚决定书"),
        ("document_type", "33", "强制执行决定书"),
        ("service_method", "5", "电子送达"),
        ("alert_type", "A04", "未经法制审核作出决定"),
    ];
    for (set, code, name) in cases {
        assert_eq!(
            s.code_set(set).unwrap().name_of(code),
            Some(name),
            "{set}/{code}"
        );
    }
    assert_eq!(s.code_set("penalty_type").unwrap().name_of("14"), None);
    assert_eq!(
        s.code_set("penalty_type").unwrap().basis.as_deref(),
        Some("APL Art. 9")
    );
    assert_eq!(
        s.code_set("evidence_type").unwrap().basis.as_deref(),
        Some("APL Art. 46")
    );
}

#[test]
fn check_code_accepts_and_rejects() {
    assert_eq!(check_code("penalty_type", "03"), Ok(()));
    assert_eq!(check_code("enforcement_field", "12"), Ok(()));
    let cases = [
        ("penalty_type", "3", "APL Art. 9"),
        ("penalty_type", " 03", "APL Art. 9"),
        ("evidence_type", "9", "APL Art. 46"),
        ("enforcement_field", "13", "Zhifa 数据标准 ZF-1.0"),
        (
            "alert_type",
            "a01",
            "国办发〔2018〕118号；行政处罚法；行政强制法",
        ),
    ];
    for (set, code, rule) in cases {
        let e = check_code(set, code).expect_err(code);
        assert_eq!(e.code, "code.unknown");
        assert_eq!(e.rule, rule, "{set}");
    }
    let e = check_code("procedure", "4").unwrap_err();
    assert_eq!(
        e.message,
        "代码“4”不属于代码集“适用程序”（procedure），允许的值：1 简易程序、2 普通程序、3 听证程序"
    );
    assert_eq!(
        check_code("nope", "1").unwrap_err().code,
        "code.set_unknown"
    );
}

#[test]
fn json_round_trips() {
    let s = std();
    let json = s.to_json();
    assert!(json.contains("\"data_type\": \"money_fen\""));
    assert!(json.contains("\"data_type\": \"date_time\""));
    let back: Standard = serde_json::from_str(&json).unwrap();
    assert_eq!(&back, s);
}

#[test]
fn markdown_documents_everything() {
    let s = std();
    let md = s.to_markdown();
    assert!(md.starts_with(&format!("# {}\n", s.title)));
    for set in &s.code_sets {
        assert!(
            md.contains(&format!("### `{}` {}", set.id, set.name_zh)),
            "code set {}",
            set.id
        );
        if let Some(basis) = &set.basis {
            assert!(
                md.contains(&format!("依据 (basis)：{basis}")),
                "basis of {}",
                set.id
            );
        }
        for c in &set.codes {
            assert!(
                md.contains(&format!("| `{}` | {} |", c.code, c.name_zh)),
                "{}/{}",
                set.id,
                c.code
            );
        }
    }
    for e in &s.elements {
        assert!(
            md.contains(&format!("| `{}` | {} |", e.id, e.name_zh)),
            "element {}",
            e.id
        );
    }
    for c in &s.classes {
        assert!(
            md.contains(&format!("### {}（{}）", c.name_zh, c.name_en)),
            "class {}",
            c.id
        );
    }
    // Table cells escape pipes (the phone pattern has none, the markdown must stay a table).
    assert!(
        !md.lines()
            .any(|l| l.starts_with("| `person.citizen_id`") && l.contains("(19|20)"))
    );
    assert!(md.contains("(19\\|20)"));
}

#[test]
fn data_type_names() {
    assert_eq!(
        serde_json::to_string(&DataType::MoneyFen).unwrap(),
        "\"money_fen\""
    );
    assert_eq!(DataType::MoneyFen.as_str(), "money_fen");
    assert_eq!(DataType::Date.zh(), "日期型");
}
