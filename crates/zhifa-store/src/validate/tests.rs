//! Validation of the base-data inputs: every problem is reported at once, with its field and
//! a stable code.

use zhifa_domain::ids::{citizen_id_with_check, uscc_with_check};

use crate::model::*;

fn codes(r: Result<(), Vec<zhifa_domain::FieldError>>) -> Vec<(String, String)> {
    r.err()
        .unwrap_or_default()
        .into_iter()
        .map(|e| (e.field, e.code))
        .collect()
}

fn has(errors: &[(String, String)], field: &str, code: &str) -> bool {
    errors.iter().any(|(f, c)| f == field && c == code)
}

fn subject() -> SubjectInput {
    SubjectInput {
        name: "广州市天河区市场监督管理局".into(),
        short_name: Some("天河市监".into()),
        uscc: uscc_with_check("11440106000000001")
            .expect("uscc")
            .to_string(),
        subject_type: "1".into(),
        field: "01".into(),
        level: "3".into(),
        region_code: "440106".into(),
        parent_id: None,
        address: Some("广州市天河区".into()),
        phone: Some("020-12345678".into()),
    }
}

#[test]
fn a_valid_subject_passes() {
    assert_eq!(subject().validate(), Ok(()));
}

#[test]
fn an_empty_subject_reports_every_field() {
    let errors = codes(SubjectInput::default().validate());
    for (field, code) in [
        ("name", "subject.name.required"),
        ("uscc", "subject.uscc.required"),
        ("subject_type", "subject.subject_type.required"),
        ("field", "subject.field.required"),
        ("level", "subject.level.required"),
        ("region_code", "subject.region_code.required"),
    ] {
        assert!(has(&errors, field, code), "{field} {code} in {errors:?}");
    }
}

#[test]
fn subject_values_are_checked_against_the_standard() {
    let mut s = subject();
    s.uscc = "11440106000000001X".into();
    s.subject_type = "9".into();
    s.region_code = "449999".into();
    s.name = "局".repeat(101);
    s.phone = Some("call me".into());
    let errors = codes(s.validate());
    assert!(
        has(&errors, "uscc", "uscc.check_char") || has(&errors, "uscc", "uscc.charset"),
        "{errors:?}"
    );
    assert!(has(&errors, "subject_type", "code.unknown"));
    assert!(has(&errors, "region_code", "region.unknown"));
    assert!(has(&errors, "name", "subject.name.too_long"));
    assert!(has(&errors, "phone", "subject.phone.format"));
    assert_eq!(errors.len(), 5, "{errors:?}");
}

#[test]
fn officer_checks_citizen_id_and_phone() {
    let ok = OfficerInput {
        name: "张三".into(),
        citizen_id: citizen_id_with_check("44010619900307001")
            .expect("id")
            .to_string(),
        subject_id: "s".into(),
        position: None,
        phone: Some("13800138000".into()),
    };
    assert_eq!(ok.validate(), Ok(()));
    let bad = OfficerInput {
        citizen_id: "440106199003070019".into(),
        phone: Some("12345".into()),
        ..ok.clone()
    };
    let errors = codes(bad.validate());
    assert!(
        has(&errors, "citizen_id", "idcard.check_char"),
        "{errors:?}"
    );
    assert!(has(&errors, "phone", "officer.phone.format"));
    let errors = codes(OfficerInput::default().validate());
    assert!(has(&errors, "name", "officer.name.required"));
    assert!(has(&errors, "citizen_id", "officer.citizen_id.required"));
    assert!(has(&errors, "subject_id", "officer.subject_id.required"));
}

fn certificate() -> CertificateInput {
    CertificateInput {
        number: "4401060100001".into(),
        officer_id: "o".into(),
        status: "1".into(),
        valid_from: "2024-01-01".into(),
        valid_to: "2028-12-31".into(),
        fields: vec!["01".into(), "02".into()],
        legal_review_qualified: true,
        issuer: Some("广州市人民政府".into()),
    }
}

#[test]
fn certificate_dates_fields_and_number() {
    assert_eq!(certificate().validate(), Ok(()));
    let c = CertificateInput {
        number: "123".into(),
        valid_from: "2024-01-01".into(),
        valid_to: "2023-12-31".into(),
        fields: vec!["01".into(), "99".into(), "01".into()],
        status: "7".into(),
        ..certificate()
    };
    let errors = codes(c.validate());
    assert!(has(&errors, "number", "cert_no.format"), "{errors:?}");
    assert!(has(&errors, "valid_to", "certificate.valid_to.before_from"));
    assert!(has(&errors, "fields[1]", "code.unknown"));
    assert!(has(&errors, "fields[2]", "certificate.fields.repeated"));
    assert!(has(&errors, "status", "code.unknown"));
    let c = CertificateInput {
        valid_from: "2024-02-30".into(),
        fields: vec![],
        ..certificate()
    };
    let errors = codes(c.validate());
    assert!(has(&errors, "valid_from", "date.format"));
    assert!(has(&errors, "fields", "certificate.fields.required"));
}

fn power() -> PowerInput {
    PowerInput {
        code: "GD-SCJG-0001".into(),
        name: "对生产经营不符合食品安全标准的食品的行政处罚".into(),
        category: "02".into(),
        field: "01".into(),
        subject_types: vec!["1".into()],
        description: None,
        bases: vec![LegalBasisInput {
            article_id: "a".into(),
            role: "penalty".into(),
        }],
    }
}

#[test]
fn power_code_bases_and_lists() {
    assert_eq!(power().validate(), Ok(()));
    let p = PowerInput {
        code: "gd 1".into(),
        subject_types: vec![],
        bases: vec![
            LegalBasisInput {
                article_id: "a".into(),
                role: "penalty".into(),
            },
            LegalBasisInput {
                article_id: "a".into(),
                role: "penalty".into(),
            },
            LegalBasisInput {
                article_id: "".into(),
                role: "other".into(),
            },
        ],
        ..power()
    };
    let errors = codes(p.validate());
    assert!(has(&errors, "code", "power.code.format"), "{errors:?}");
    assert!(has(
        &errors,
        "subject_types",
        "power.subject_types.required"
    ));
    assert!(has(&errors, "bases[1]", "power.bases.repeated"));
    assert!(has(
        &errors,
        "bases[2].article_id",
        "power.bases.article_id.required"
    ));
    assert!(has(&errors, "bases[2].role", "power.bases.role.unknown"));
    let errors = codes(
        PowerInput {
            bases: vec![],
            ..power()
        }
        .validate(),
    );
    assert!(has(&errors, "bases", "power.bases.required"));
}

fn benchmark() -> BenchmarkInput {
    BenchmarkInput {
        power_id: "p".into(),
        level: "2".into(),
        conditions: "初次违法且货值金额较小".into(),
        fine_min_fen: Some(500_000),
        fine_max_fen: Some(2_000_000),
        ..Default::default()
    }
}

#[test]
fn benchmark_ranges() {
    assert_eq!(benchmark().validate(), Ok(()));
    let multiple = BenchmarkInput {
        fine_min_fen: None,
        fine_max_fen: None,
        income_multiple_min_permille: Some(1000),
        income_multiple_max_permille: Some(3000),
        ..benchmark()
    };
    assert_eq!(multiple.validate(), Ok(()));
    let both = BenchmarkInput {
        income_multiple_min_permille: Some(1000),
        ..benchmark()
    };
    assert!(has(
        &codes(both.validate()),
        "income_multiple_min_permille",
        "benchmark.range.both"
    ));
    let none = BenchmarkInput {
        fine_min_fen: None,
        fine_max_fen: None,
        ..benchmark()
    };
    assert!(has(
        &codes(none.validate()),
        "fine_min_fen",
        "benchmark.range.missing"
    ));
    let half = BenchmarkInput {
        fine_max_fen: None,
        ..benchmark()
    };
    assert!(has(
        &codes(half.validate()),
        "fine_max_fen",
        "benchmark.range.incomplete"
    ));
    let inverted = BenchmarkInput {
        fine_min_fen: Some(3),
        fine_max_fen: Some(2),
        ..benchmark()
    };
    assert!(has(
        &codes(inverted.validate()),
        "fine_max_fen",
        "benchmark.range.min_gt_max"
    ));
    let negative = BenchmarkInput {
        fine_min_fen: Some(-1),
        ..benchmark()
    };
    assert!(has(
        &codes(negative.validate()),
        "fine_min_fen",
        "benchmark.fine_min_fen.negative"
    ));
    let others = BenchmarkInput {
        other_penalties: vec!["03".into(), "77".into()],
        ..benchmark()
    };
    assert!(has(
        &codes(others.validate()),
        "other_penalties[1]",
        "code.unknown"
    ));
}

#[test]
fn benchmark_errors_cite_apl_article_34() {
    let none = BenchmarkInput {
        fine_min_fen: None,
        fine_max_fen: None,
        ..benchmark()
    };
    let errors = none.validate().err().unwrap_or_default();
    assert!(
        errors.iter().any(|e| e.rule.contains("第三十四条")),
        "{errors:?}"
    );
}

#[test]
fn user_rules() {
    let admin = UserInput {
        username: "admin".into(),
        display_name: "管理员".into(),
        role: "admin".into(),
        password: "correct horse".into(),
        ..Default::default()
    };
    assert!(admin.validate().is_ok());
    let bad = UserInput {
        username: "Admin!".into(),
        role: "officer".into(),
        password: "short".into(),
        display_name: String::new(),
        ..Default::default()
    };
    let errors = codes(bad.validate());
    assert!(
        has(&errors, "username", "user.username.format"),
        "{errors:?}"
    );
    assert!(has(&errors, "display_name", "user.display_name.required"));
    assert!(has(&errors, "subject_id", "user.subject_id.required"));
    assert!(has(&errors, "password", "user.password.too_short"));
    let sup = UserInput {
        role: "supervisor".into(),
        region_code: Some("999999".into()),
        ..admin.clone()
    };
    assert!(has(&codes(sup.validate()), "region_code", "region.unknown"));
    let sup = UserInput {
        role: "supervisor".into(),
        ..admin.clone()
    };
    assert!(has(
        &codes(sup.validate()),
        "region_code",
        "user.region_code.required"
    ));
    let nobody = UserInput {
        role: "king".into(),
        ..admin
    };
    assert!(has(&codes(nobody.validate()), "role", "user.role.unknown"));
}

#[test]
fn messages_are_chinese_and_rules_are_cited() {
    for e in SubjectInput::default().validate().err().unwrap_or_default() {
        assert!(
            e.message
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{e:?}"
        );
        assert!(!e.rule.is_empty(), "{e:?}");
    }
}
