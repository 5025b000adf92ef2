//! Test data: valid identifiers computed with the domain helpers, inputs of each resource,
//! and a small law with chapters, paragraphs and items.

use serde_json::{Value, json};

use crate::common::TestApp;

/// Path of the test law (category folder and version date as in the corpus).
pub const TEST_LAW_PATH: &str = "行政法/测试食品安全管理法(2021-04-29).md";

/// A small law with chapters, paragraphs and items.
pub const TEST_LAW: &str = "# 测试食品安全管理法

2021年4月29日 第十三届全国人民代表大会常务委员会第二十八次会议修正

<!-- INFO END -->

## 第一章 总则

第一条 为了保证食品安全，保障公众身体健康和生命安全，制定本法。

第二条 食品生产经营者应当依照法律、法规和食品安全标准从事生产经营活动。

## 第二章 法律责任

第三条 违反本法规定，有下列情形之一的，由县级以上人民政府食品安全监督管理部门没收违法所得：

（一）生产经营致病性微生物超过食品安全标准限量的食品；

（二）用回收食品作为原料生产食品。

违法生产经营的食品货值金额不足一万元的，并处五万元以上十万元以下罚款。
";

/// A valid unified social credit code, different for each `n`.
pub fn uscc(n: u32) -> String {
    zhifa_domain::ids::uscc_with_check(&format!("11440106MB{n:07}"))
        .expect("valid prefix")
        .as_str()
        .to_string()
}

/// A valid citizen ID (born 1985-03-12, 广州市天河区), different for each `n` (odd = male).
pub fn citizen_id(n: u32) -> String {
    zhifa_domain::ids::citizen_id_with_check(&format!("44010619850312{n:03}"))
        .expect("valid prefix")
        .as_str()
        .to_string()
}

/// Input of a subject in 天河区 (440106), field `01` 市场监管.
pub fn subject_input(name: &str, n: u32) -> Value {
    json!({
        "name": name,
        "short_name": "天河市监",
        "uscc": uscc(n),
        "subject_type": "1",
        "field": "01",
        "level": "4",
        "region_code": "440106",
        "address": "广州市天河区天河路 1 号",
        "phone": "020-12345678"
    })
}

/// Input of an officer of `subject_id`.
pub fn officer_input(subject_id: &str, name: &str, n: u32) -> Value {
    json!({ "name": name, "citizen_id": citizen_id(n), "subject_id": subject_id, "position": "科员", "phone": "13800138000" })
}

/// Input of a certificate of `officer_id`.
pub fn certificate_input(
    officer_id: &str,
    number: &str,
    status: &str,
    from: &str,
    to: &str,
) -> Value {
    json!({
        "number": number, "officer_id": officer_id, "status": status,
        "valid_from": from, "valid_to": to, "fields": ["01"],
        "legal_review_qualified": true, "issuer": "广州市天河区人民政府"
    })
}

/// Creates a subject and one officer; returns (subject, officer).
pub async fn subject_and_officer(app: &TestApp) -> (Value, Value) {
    let subject = app
        .create("subjects", &subject_input("广州市天河区市场监督管理局", 1))
        .await;
    let sid = subject["id"].as_str().expect("id");
    let officer = app
        .create("officers", &officer_input(sid, "张三", 11))
        .await;
    (subject, officer)
}
