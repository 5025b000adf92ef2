//! Case handling through the API (执法办案, F3/F5): a general-procedure case walked from the
//! lead to closure with the required legal review; a refusal answered 409 with its code,
//! article, message and remedy; a retried command replayed without a second event; cases
//! outside the caller's scope answered 404; commands refused by role; documents with their
//! required contents; the case rules (administrators edit, others read). On SQLite and
//! PostgreSQL.

use axum::http::{Method, StatusCode};
use chrono::{Duration, NaiveDate};
use serde_json::{Value, json};
use zhifa_store::model::{Actor, UserInput};

use crate::common::{Db, TestApp, TestResponse};
use crate::fixtures::{certificate_input, citizen_id, officer_input, subject_input, uscc};

/// An agency (天河市监) with three officers holding valid certificates, accounts of each case
/// role with API tokens, and a second agency whose head sees none of the first one's cases.
pub(crate) struct CaseWorld {
    pub(crate) app: TestApp,
    pub(crate) agency: String,
    /// Investigating officers (the officer account is the first).
    pub(crate) officers: [String; 2],
    pub(crate) officer: String,
    pub(crate) reviewer: String,
    pub(crate) head: String,
    pub(crate) other_head: String,
    pub(crate) admin: String,
}

async fn account(
    app: &TestApp,
    username: &str,
    role: &str,
    subject: Option<&str>,
    officer: Option<&str>,
) -> String {
    let input = UserInput {
        username: username.into(),
        display_name: format!("{username} 的姓名"),
        role: role.into(),
        subject_id: subject.map(Into::into),
        officer_id: officer.map(Into::into),
        region_code: None,
        password: "correct horse 1".into(),
    };
    app.store
        .create_user(&input, &Actor::system("test"))
        .await
        .expect("create user");
    let scopes = vec!["read".to_string(), "write".to_string()];
    app.store
        .create_api_token("测试", username, &scopes, "test")
        .await
        .expect("token")
        .1
}

pub(crate) async fn case_world(db: Db) -> CaseWorld {
    let app = TestApp::start(db).await;
    let subject = app
        .create("subjects", &subject_input("广州市天河区市场监督管理局", 1))
        .await;
    let sid = subject["id"].as_str().unwrap().to_string();
    let mut officers = Vec::new();
    for (i, name) in ["张执法", "李执法", "王审核", "赵局长"].iter().enumerate() {
        let n = u32::try_from(i).unwrap() + 1;
        let o = app
            .create("officers", &officer_input(&sid, name, 40 + n))
            .await;
        let oid = o["id"].as_str().unwrap().to_string();
        app.create(
            "certificates",
            &certificate_input(
                &oid,
                &format!("44010601000{n:02}"),
                "1",
                "2020-01-01",
                "2099-12-31",
            ),
        )
        .await;
        officers.push(oid);
    }
    let mut other = subject_input("深圳市南山区市场监督管理局", 2);
    other["uscc"] = json!(uscc(2));
    other["region_code"] = json!("440305");
    other["short_name"] = json!("南山市监");
    let other = app.create("subjects", &other).await;
    let other_id = other["id"].as_str().unwrap().to_string();
    let officer = account(&app, "officer_t", "officer", Some(&sid), Some(&officers[0])).await;
    let reviewer = account(
        &app,
        "reviewer_t",
        "reviewer",
        Some(&sid),
        Some(&officers[2]),
    )
    .await;
    let head = account(&app, "head_t", "head", Some(&sid), Some(&officers[3])).await;
    let other_head = account(&app, "head_other", "head", Some(&other_id), None).await;
    let admin = account(&app, "admin_t", "admin", None, None).await;
    CaseWorld {
        app,
        agency: sid,
        officers: [officers[0].clone(), officers[1].clone()],
        officer,
        reviewer,
        head,
        other_head,
        admin,
    }
}

/// China today.
pub(crate) fn today() -> NaiveDate {
    zhifa_domain::time::ChinaDate::today().date()
}

/// A date `days` before today.
pub(crate) fn ago(days: i64) -> String {
    (today() - Duration::days(days)).to_string()
}

impl CaseWorld {
    pub(crate) async fn send(
        &self,
        token: &str,
        path: &str,
        command: Value,
        key: &str,
    ) -> TestResponse {
        let body = json!({ "command": command, "idempotency_key": key, "place": "广州市天河区" });
        self.app
            .raw(
                Method::POST,
                path,
                Some(token),
                Some("application/json"),
                body.to_string(),
            )
            .await
    }

    /// Issues a command on a case and asserts it was accepted.
    pub(crate) async fn ok(&self, token: &str, case: &str, command: Value) -> Value {
        let key = format!("k-{}", uuid_like(&command));
        let r = self
            .send(
                token,
                &format!("/api/v1/cases/{case}/commands"),
                command.clone(),
                &key,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{command}: {}", r.text());
        r.json()
    }

    pub(crate) async fn get(&self, token: &str, path: &str) -> TestResponse {
        self.app
            .raw(Method::GET, path, Some(token), None, String::new())
            .await
    }

    /// Registers a lead of a natural person (with or without an address); returns the case id.
    pub(crate) async fn lead(&self, key: &str, address: Option<&str>) -> String {
        let lead = json!({
            "command": "register_lead", "on": ago(20), "agency_id": self.agency,
            "source": "1", "cause": "销售超过保质期的食品",
            "party": { "party_type": "1", "name": "张三丰", "id_number": citizen_id(7),
                       "address": address, "phone": "13800138000" },
            "act_date": ago(25), "summary": "群众举报，现场发现过期食品"
        });
        let r = self.send(&self.officer, "/api/v1/cases", lead, key).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert!(r.headers.get("location").is_some());
        r.json()["case_id"].as_str().unwrap().to_string()
    }

    /// A company (广州某某食品有限公司) fined ¥1,234.56 on the spot on `on` (APL Art. 51, 当场
    /// 处罚 by the officer account); returns the case id.
    pub(crate) async fn on_spot(&self, key: &str, on: &str) -> String {
        let spot = json!({
            "command": "impose_on_spot", "on": on, "agency_id": self.agency,
            "party": {"party_type": "2", "name": "广州某某食品有限公司", "id_number": uscc(9),
                      "legal_rep": "李四", "address": "天河路 9 号", "phone": "020-87654321"},
            "place": "当事人经营场所",
            "penalty": {"types": ["03"], "fine_fen": 123_456, "confiscation_fen": 0, "licence": null,
                        "facts": "销售超过保质期的食品", "violated": "《食品安全法》第三十四条",
                        "basis": "《食品安全法》第一百二十四条"},
            "officers": self.officers, "party_signed": true
        });
        let r = self.send(&self.officer, "/api/v1/cases", spot, key).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        r.json()["case_id"].as_str().unwrap().to_string()
    }

    /// Files the lead, assigns two officers, records an inquiry and evidence, concludes with a
    /// ¥20,000 fine (legal review and hearing rights triggered) and serves the notice.
    pub(crate) async fn to_notice(&self, case: &str) {
        self.ok(
            &self.head,
            case,
            json!({"command": "file_case", "on": ago(19)}),
        )
        .await;
        self.ok(
            &self.officer,
            case,
            json!({"command": "assign_officers", "on": ago(19), "officers": self.officers}),
        )
        .await;
        self.ok(
            &self.officer,
            case,
            json!({"command": "make_record", "on": ago(18), "kind": "inquiry",
            "place": "天河路 1 号", "officers": self.officers, "interviewee": "张三丰",
            "content": "问：货架上的食品是否过期？答：是。"}),
        )
        .await;
        self.ok(
            &self.officer,
            case,
            json!({"command": "add_evidence", "on": ago(18),
            "evidence_type": "2", "description": "过期食品 12 盒"}),
        )
        .await;
        self.ok(&self.officer, case, json!({"command": "conclude", "on": ago(17),
            "outcome": {"outcome": "penalty", "penalty": {"types": ["01", "03"], "fine_fen": 2_000_000,
                "confiscation_fen": 0, "licence": null, "facts": "销售超过保质期的食品 12 盒",
                "violated": "《食品安全法》第三十四条", "basis": "《食品安全法》第一百二十四条"}}}))
            .await;
        self.ok(
            &self.officer,
            case,
            json!({"command": "serve_notice", "on": ago(16), "method": "1"}),
        )
        .await;
    }
}

/// A short deterministic key from a command's text (distinct commands, distinct keys).
fn uuid_like(v: &Value) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    v.to_string().hash(&mut h);
    format!("{:016x}", h.finish())
}

fn kinds(view: &Value) -> Vec<String> {
    view["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect()
}

fn available<'a>(view: &'a Value, kind: &str) -> Option<&'a Value> {
    view["available"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == kind)
}

async fn general_case_walked_through_the_api(db: Db) {
    let w = case_world(db).await;
    let case = w.lead("lead-1", Some("广州市天河区天河路 1 号")).await;
    w.to_notice(&case).await;
    w.ok(
        &w.officer,
        &case,
        json!({"command": "waive_rights", "on": ago(15)}),
    )
    .await;
    // The decision is locked until the legal review agrees (APL Art. 58).
    let view = w
        .get(&w.head, &format!("/api/v1/cases/{case}"))
        .await
        .json();
    let decide = available(&view, "decide").expect("decide offered to the head");
    assert_eq!(
        decide["refusal"]["code"], "case.review.required",
        "{decide}"
    );
    w.ok(
        &w.officer,
        &case,
        json!({"command": "request_review", "on": ago(14)}),
    )
    .await;
    let queue = w
        .get(&w.reviewer, "/api/v1/cases?review_queue=true")
        .await
        .json();
    assert_eq!(queue["total"], 1, "{queue}");
    w.ok(
        &w.reviewer,
        &case,
        json!({"command": "give_review", "on": ago(13),
        "opinion": "agree", "comments": "事实清楚，证据确凿"}),
    )
    .await;
    w.ok(&w.head, &case, json!({"command": "decide", "on": ago(12)}))
        .await;
    w.ok(
        &w.officer,
        &case,
        json!({"command": "serve_decision", "on": ago(11), "method": "1"}),
    )
    .await;
    w.ok(
        &w.officer,
        &case,
        json!({"command": "publish", "on": ago(10)}),
    )
    .await;
    w.ok(
        &w.officer,
        &case,
        json!({"command": "record_payment", "on": ago(9), "amount_fen": 2_000_000}),
    )
    .await;
    w.ok(&w.head, &case, json!({"command": "close", "on": ago(8)}))
        .await;

    let view = w.get(&w.officer, &format!("/api/v1/cases/{case}")).await;
    assert_eq!(view.status, StatusCode::OK, "{}", view.text());
    let view = view.json();
    assert_eq!(view["summary"]["stage"], "7", "{}", view["summary"]);
    let k = kinds(&view);
    for expected in [
        "lead_registered",
        "case_filed",
        "officers_assigned",
        "investigation_concluded",
        "notice_served",
        "rights_waived",
        "review_requested",
        "review_opinion_given",
        "decision_made",
        "decision_served",
        "decision_published",
        "payment_received",
        "case_closed",
    ] {
        assert!(
            k.iter().any(|x| x == expected),
            "{expected} missing in {k:?}"
        );
    }
    // Every event is a ledger leaf.
    assert!(
        view["events"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["leaf_index"].is_i64()),
        "{}",
        view["events"]
    );
    assert!(view["deadlines"].is_array());
    // Documents of every step that happened, complete.
    let docs: Vec<&str> = view["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    for d in [
        "filing",
        "inquiry",
        "notice",
        "hearing_notice",
        "review",
        "decision",
        "service",
        "closure",
    ] {
        assert!(docs.contains(&d), "{d} missing in {docs:?}");
    }
    assert!(!docs.contains(&"on_spot") && !docs.contains(&"discussion"));
    let decision = w
        .get(
            &w.officer,
            &format!("/api/v1/cases/{case}/documents/decision"),
        )
        .await;
    assert_eq!(decision.status, StatusCode::OK);
    let html = decision.text();
    assert!(html.contains("行政处罚决定书"), "{html}");
    assert!(
        html.contains("六十日内") && html.contains("六个月内"),
        "{html}"
    );
    assert!(!html.contains("缺少必备内容"), "{html}");
    // The published decision is on the portal, the party masked.
    let portal = w.app.get("/decisions").await.text();
    assert!(portal.contains("张某某"), "{portal}");
    assert!(!portal.contains("张三丰"), "{portal}");
    // The list filters: closed cases are not overdue.
    let closed = w.get(&w.officer, "/api/v1/cases?stage=7").await.json();
    assert_eq!(closed["total"], 1);
}

on_both!(general_case_walked_through_the_api => general_case_walked_through_the_api_sqlite, general_case_walked_through_the_api_postgres);

async fn refusal_is_409_with_code_article_message_and_remedy(db: Db) {
    let w = case_world(db).await;
    let case = w.lead("lead-2", Some("广州市天河区")).await;
    w.ok(
        &w.head,
        &case,
        json!({"command": "file_case", "on": ago(19)}),
    )
    .await;
    let before = w
        .get(&w.officer, &format!("/api/v1/cases/{case}"))
        .await
        .json();
    // One officer is too few (APL Art. 42).
    let r = w
        .send(
            &w.officer,
            &format!("/api/v1/cases/{case}/commands"),
            json!({"command": "assign_officers", "on": ago(19), "officers": [w.officers[0]]}),
            "assign-one",
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    let body = r.json();
    let e = &body["error"];
    assert!(e["code"].as_str().unwrap().starts_with("case."), "{body}");
    assert!(
        e["article"].as_str().unwrap().contains("第四十二条"),
        "{body}"
    );
    assert_eq!(e["article"], e["rule"]);
    assert!(!e["message"].as_str().unwrap().is_empty());
    assert!(!e["remedy"].as_str().unwrap().is_empty(), "{body}");
    let after = w
        .get(&w.officer, &format!("/api/v1/cases/{case}"))
        .await
        .json();
    assert_eq!(
        kinds(&before),
        kinds(&after),
        "a refused command writes nothing"
    );
    // A command that does not parse is 422 naming the field.
    let r = w
        .send(
            &w.officer,
            &format!("/api/v1/cases/{case}/commands"),
            json!({"command": "assign_officers", "on": "not a date", "officers": []}),
            "bad-date",
        )
        .await;
    r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "json.data");
    // Writes need an idempotency key.
    let r = w
        .app
        .raw(
            Method::POST,
            &format!("/api/v1/cases/{case}/commands"),
            Some(&w.officer),
            Some("application/json"),
            json!({"command": {"command": "waive_rights", "on": ago(1)}}).to_string(),
        )
        .await;
    r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "idempotency.missing");
}

on_both!(refusal_is_409_with_code_article_message_and_remedy => refusal_is_409_sqlite, refusal_is_409_postgres);

async fn retried_command_is_replayed(db: Db) {
    let w = case_world(db).await;
    let lead_key = "lead-replay";
    let case = w.lead(lead_key, None).await;
    // The same starting command again: the same case, nothing new.
    let lead = json!({
        "command": "register_lead", "on": ago(20), "agency_id": w.agency,
        "source": "1", "cause": "销售超过保质期的食品",
        "party": { "party_type": "1", "name": "张三丰", "id_number": citizen_id(7),
                   "address": null, "phone": "13800138000" },
        "act_date": ago(25), "summary": "群众举报，现场发现过期食品"
    });
    let again = w.send(&w.officer, "/api/v1/cases", lead, lead_key).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text());
    assert_eq!(again.json()["case_id"], case.as_str());
    assert_eq!(again.json()["replayed"], true);
    let file = json!({"command": "file_case", "on": ago(19)});
    let path = format!("/api/v1/cases/{case}/commands");
    let first = w.send(&w.head, &path, file.clone(), "file-once").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    assert_eq!(first.json()["replayed"], false);
    let second = w.send(&w.head, &path, file, "file-once").await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.text());
    assert_eq!(second.json()["replayed"], true);
    assert_eq!(first.json()["events"], second.json()["events"]);
    let view = w
        .get(&w.head, &format!("/api/v1/cases/{case}"))
        .await
        .json();
    assert_eq!(
        kinds(&view).iter().filter(|k| *k == "case_filed").count(),
        1,
        "one filing"
    );
    // The same key for another command is a conflict.
    let other = w
        .send(
            &w.head,
            &path,
            json!({"command": "reject_lead", "on": ago(19), "reason": "重复"}),
            "file-once",
        )
        .await;
    other.assert_error(StatusCode::CONFLICT, "idempotency.conflict");
}

on_both!(retried_command_is_replayed => retried_command_is_replayed_sqlite, retried_command_is_replayed_postgres);

async fn cases_outside_scope_are_404_and_roles_are_enforced(db: Db) {
    let w = case_world(db).await;
    let case = w.lead("lead-scope", Some("广州市天河区")).await;
    let path = format!("/api/v1/cases/{case}");
    assert_eq!(w.get(&w.officer, &path).await.status, StatusCode::OK);
    w.get(&w.other_head, &path)
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    assert_eq!(
        w.get(&w.other_head, "/api/v1/cases").await.json()["total"],
        0
    );
    w.get(&w.other_head, &format!("{path}/documents/filing"))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    let r = w
        .send(
            &w.other_head,
            &format!("{path}/commands"),
            json!({"command": "file_case", "on": ago(19)}),
            "x-scope",
        )
        .await;
    r.assert_error(StatusCode::NOT_FOUND, "not_found");
    // The public sees no case.
    assert_eq!(w.app.get(&path).await.status, StatusCode::NOT_FOUND);
    // Filing is the head's (APL Art. 54): the officer and the reviewer are refused by role.
    for token in [&w.officer, &w.reviewer] {
        let r = w
            .send(
                token,
                &format!("{path}/commands"),
                json!({"command": "file_case", "on": ago(19)}),
                "role-file",
            )
            .await;
        let body = r.assert_error(StatusCode::CONFLICT, "case.role");
        assert!(
            body["error"]["remedy"]
                .as_str()
                .unwrap()
                .contains("机关负责人"),
            "{body}"
        );
    }
    // The officer's view offers filing greyed with the role refusal.
    let view = w.get(&w.officer, &path).await.json();
    let file = available(&view, "file_case").expect("file_case listed");
    assert_eq!(file["refusal"]["code"], "case.role");
    let view = w.get(&w.head, &path).await.json();
    assert!(available(&view, "file_case").unwrap()["refusal"].is_null());
    // Only starting commands create cases.
    let r = w
        .send(
            &w.officer,
            "/api/v1/cases",
            json!({"command": "file_case", "on": ago(1)}),
            "not-start",
        )
        .await;
    r.assert_error(
        StatusCode::UNPROCESSABLE_ENTITY,
        "case.command.not_starting",
    );
    // The document of a step that has not happened is 404.
    w.get(&w.officer, &format!("{path}/documents/decision"))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
}

on_both!(cases_outside_scope_are_404_and_roles_are_enforced => scope_and_roles_sqlite, scope_and_roles_postgres);

async fn documents_list_missing_required_content(db: Db) {
    let w = case_world(db).await;
    // No address: the prior notice lacks a required item (APL Art. 44, 59 (1)).
    let case = w.lead("lead-doc", None).await;
    w.to_notice(&case).await;
    let view = w
        .get(&w.officer, &format!("/api/v1/cases/{case}"))
        .await
        .json();
    let notice = view["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "notice")
        .expect("notice document");
    assert_eq!(notice["missing"], json!(["当事人地址"]), "{notice}");
    let html = w
        .get(
            &w.officer,
            &format!("/api/v1/cases/{case}/documents/notice"),
        )
        .await
        .text();
    assert!(html.contains("缺少必备内容"), "{html}");
    assert!(html.contains("当事人地址"));
    assert!(html.contains("@media print"), "printable layout");
    let inquiry = w
        .get(
            &w.officer,
            &format!("/api/v1/cases/{case}/documents/inquiry"),
        )
        .await
        .text();
    assert!(
        inquiry.contains("询问笔录") && inquiry.contains("张执法"),
        "{inquiry}"
    );
    assert!(!inquiry.contains("缺少必备内容"), "{inquiry}");
}

on_both!(documents_list_missing_required_content => documents_missing_content_sqlite, documents_missing_content_postgres);

async fn put(w: &CaseWorld, token: &str, body: &Value) -> TestResponse {
    w.app
        .raw(
            Method::PUT,
            "/api/v1/settings/case-rules",
            Some(token),
            Some("application/json"),
            body.to_string(),
        )
        .await
}

async fn case_rules_are_read_by_members_and_edited_by_admins(db: Db) {
    let w = case_world(db).await;
    let rules = w.get(&w.officer, "/api/v1/settings/case-rules").await;
    assert_eq!(rules.status, StatusCode::OK, "{}", rules.text());
    let mut rules = rules.json();
    assert_eq!(rules["review_fine_citizen"], 1_000_000);
    rules["review_fine_citizen"] = json!(500_000);
    put(&w, &w.officer, &rules)
        .await
        .assert_error(StatusCode::FORBIDDEN, "auth.role");
    let saved = put(&w, &w.admin, &rules).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text());
    assert_eq!(
        w.get(&w.head, "/api/v1/settings/case-rules").await.json()["review_fine_citizen"],
        500_000
    );
    let mut bad = rules.clone();
    bad["min_officers"] = json!(1);
    assert_eq!(
        put(&w, &w.admin, &bad).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // The public does not read the node's settings.
    assert_eq!(
        w.app.get("/api/v1/settings/case-rules").await.status,
        StatusCode::UNAUTHORIZED
    );
    // The OpenAPI document lists the case endpoints.
    let doc = w.app.get("/api/v1/openapi.json").await.json();
    for p in [
        "/api/v1/cases",
        "/api/v1/cases/{id}",
        "/api/v1/cases/{id}/commands",
        "/api/v1/cases/{id}/documents/{kind}",
        "/api/v1/settings/case-rules",
    ] {
        assert!(doc["paths"][p].is_object(), "{p} missing");
    }
}

on_both!(case_rules_are_read_by_members_and_edited_by_admins => case_rules_sqlite, case_rules_postgres);
