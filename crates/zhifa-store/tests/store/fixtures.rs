//! Valid inputs for the tests, built with the domain's check-digit helpers.

use serde_json::json;
use zhifa_domain::ids::{citizen_id_with_check, uscc_with_check};
use zhifa_store::model::*;
use zhifa_store::{Store, StoreError};

/// The acting user of the tests.
pub fn actor() -> Actor {
    Actor {
        user: "tester".into(),
        ip: Some("127.0.0.1".into()),
    }
}

/// A valid USCC of a government body (机关) registered in `region`, numbered `n`.
pub fn uscc(region: &str, n: u32) -> String {
    uscc_with_check(&format!("11{region}{n:09}"))
        .expect("uscc")
        .to_string()
}

/// A valid subject in `region`.
pub fn subject_input(name: &str, region: &str, n: u32) -> SubjectInput {
    SubjectInput {
        name: name.into(),
        short_name: None,
        uscc: uscc(&region[..6], n),
        subject_type: "1".into(),
        field: "01".into(),
        level: "3".into(),
        region_code: region.into(),
        parent_id: None,
        address: Some("广州市天河区天河路 1 号".into()),
        phone: Some("020-12345678".into()),
    }
}

/// A valid 18-digit citizen ID: born 1990-03-07 in 天河区, sequence `n` (odd = male).
pub fn citizen_id(n: u32) -> String {
    citizen_id_with_check(&format!("44010619900307{n:03}"))
        .expect("citizen id")
        .to_string()
}

/// A valid officer of `subject_id`.
pub fn officer_input(subject_id: &str, name: &str, n: u32) -> OfficerInput {
    OfficerInput {
        name: name.into(),
        citizen_id: citizen_id(n),
        subject_id: subject_id.into(),
        position: Some("科员".into()),
        phone: Some("13800138000".into()),
    }
}

/// A valid certificate of `officer_id`, number `4401060100000n`.
pub fn certificate_input(officer_id: &str, n: u32) -> CertificateInput {
    CertificateInput {
        number: format!("44010601{n:05}"),
        officer_id: officer_id.into(),
        status: "1".into(),
        valid_from: "2024-01-01".into(),
        valid_to: "2028-12-31".into(),
        fields: vec!["01".into()],
        legal_review_qualified: false,
        issuer: Some("广州市人民政府".into()),
    }
}

/// A subject and one of its officers.
pub async fn subject_and_officer(store: &Store) -> (Subject, Officer) {
    let s = store
        .create_subject(
            &subject_input("天河区市场监督管理局", "440106", 1),
            &actor(),
        )
        .await
        .expect("subject");
    let o = store
        .create_officer(&officer_input(&s.id, "张三", 1), &actor())
        .await
        .expect("officer");
    (s, o)
}

fn article(number: u32, label: &str, text: &str) -> serde_json::Value {
    json!({
        "number": number, "suffix": 0, "label": label, "chapter": "第一章 总则", "section": null,
        "text": text, "paragraphs": [{ "text": text, "items": [] }]
    })
}

/// A small corpus: two versions of one law and one regulation.
pub fn small_corpus() -> Vec<zhifa_laws::Law> {
    let laws = json!([
        {
            "title": "中华人民共和国行政处罚法", "level": "Law", "category": "行政法",
            "version_date": "2017-09-01", "issued": "1996-03-17", "history": ["1996年3月17日通过"],
            "source_file": "行政法/行政处罚法(2017-09-01).md", "preamble": null,
            "articles": [article(1, "第一条", "旧版第一条。"), article(3, "第三条", "旧版第三条。")]
        },
        {
            "title": "中华人民共和国行政处罚法", "level": "Law", "category": "行政法",
            "version_date": "2021-01-22", "issued": "1996-03-17", "history": ["1996年3月17日通过", "2021年1月22日修订"],
            "source_file": "行政法/行政处罚法(2021-01-22).md", "preamble": null,
            "articles": [
                article(1, "第一条", "为了规范行政处罚的设定和实施，制定本法。"),
                article(3, "第三条", "行政处罚的设定和实施，适用本法。"),
                {
                    "number": 9, "suffix": 0, "label": "第九条", "chapter": "第二章 行政处罚的种类和设定",
                    "section": null, "text": "行政处罚的种类：（一）警告、通报批评；（二）罚款。",
                    "paragraphs": [{ "text": "行政处罚的种类：", "items": ["（一）警告、通报批评；", "（二）罚款。"] }]
                }
            ]
        },
        {
            "title": "食品安全法实施条例", "level": "AdministrativeRegulation", "category": "行政法规",
            "version_date": "2019-10-11", "issued": null, "history": [],
            "source_file": "行政法规/食品安全法实施条例(2019-10-11).md", "preamble": null,
            "articles": [article(75, "第七十五条", "食品生产经营企业等单位有食品安全法规定的违法情形的，处以罚款。")]
        }
    ]);
    serde_json::from_value(laws).expect("laws")
}

/// The field codes of an `Invalid` error (panics on any other result).
pub fn invalid_codes<T: std::fmt::Debug>(r: Result<T, StoreError>) -> Vec<(String, String)> {
    match r {
        Err(StoreError::Invalid(errors)) => errors.into_iter().map(|e| (e.field, e.code)).collect(),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

/// Whether the errors contain `code` for `field`.
pub fn has(errors: &[(String, String)], field: &str, code: &str) -> bool {
    errors.iter().any(|(f, c)| f == field && c == code)
}

/// Asserts `r` is `NotFound`.
pub fn assert_not_found<T: std::fmt::Debug>(r: Result<T, StoreError>) {
    assert!(
        matches!(r, Err(StoreError::NotFound { .. })),
        "expected NotFound, got {r:?}"
    );
}

/// All change-log entries, oldest first.
pub async fn all_changes(store: &Store) -> Vec<Change> {
    let page = store
        .list_changes(
            &ChangeFilter::default(),
            PageRequest {
                offset: 0,
                limit: 500,
            },
        )
        .await
        .expect("changes");
    let mut items = page.items;
    items.reverse();
    items
}
