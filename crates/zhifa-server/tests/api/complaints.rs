//! Complaints and reports (投诉举报) through the API and the pages: public intake (no login,
//! every field error named), tracking (a wrong code refused like an unknown number), the list
//! and detail within each account's scope, the handling steps by role (refused out of order or
//! by the wrong role with 409, outside the scope 404), the public form with its CSRF token and
//! the signed-in pages. Every test runs on SQLite and on PostgreSQL.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::access::{PASSWORD, World, world};
use crate::common::{Db, TestApp, error_fields};
use crate::sessions::{Browser, csrf_of};

pub(crate) fn intake_body(region: &str) -> Value {
    json!({
        "kind": "complaint", "channel": "1", "region_code": region, "field": "01",
        "respondent_name": "天河惠民超市有限公司",
        "content": "购买的酸奶已过保质期，要求退货并赔偿。",
        "contact_name": "王小明", "contact_phone": "13912345678"
    })
}

pub(crate) async fn public_post(
    app: &TestApp,
    path: &str,
    body: &Value,
) -> crate::common::TestResponse {
    app.raw(
        Method::POST,
        path,
        None,
        Some("application/json"),
        body.to_string(),
    )
    .await
}

async fn public_intake_and_tracking(db: Db) {
    let w = world(db).await;
    let app = &w.app;
    // No login: registered, numbered, with a query code; routed to 南山 (the only agency).
    let r = public_post(app, "/api/v1/complaints", &intake_body("440305")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let receipt = r.json();
    let n = receipt["number"].as_str().unwrap();
    assert!(n.starts_with("投诉〔") && n.ends_with("〕1号"), "{n}");
    assert_eq!(receipt["status"], "routed");
    assert_eq!(receipt["agency_name"], "深圳市南山区市场监督管理局");
    let code = receipt["query_code"].as_str().unwrap().to_string();
    let number = receipt["number"].as_str().unwrap().to_string();
    let id = receipt["id"].as_str().unwrap().to_string();
    // Recorded as the public, from the client's address.
    let changes = app
        .get_authorized(&format!("/api/v1/changes?entity=complaint&entity_id={id}"))
        .await
        .json();
    assert_eq!(changes["items"][0]["actor"], "public");
    assert!(!changes.to_string().contains("13912345678"));

    // Every field error at once, nothing written.
    let before = app.snapshot().await;
    let r = public_post(app, "/api/v1/complaints", &json!({ "kind": "complaint" })).await;
    let body = r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    let fields = error_fields(&body);
    for f in [
        "channel",
        "field",
        "region_code",
        "respondent_name",
        "content",
        "contact_name",
        "contact_phone",
    ] {
        assert!(fields.contains(&f.to_string()), "{f} missing: {fields:?}");
    }
    assert_eq!(app.snapshot().await, before);

    // Tracking: the right code shows progress; a wrong one or another number is 404 alike.
    let r = public_post(
        app,
        "/api/v1/complaints/track",
        &json!({ "number": number, "query_code": code }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["status_name"], "已分派");
    assert!(!r.text().contains("王小明") && !r.text().contains("139"));
    let wrong = public_post(
        app,
        "/api/v1/complaints/track",
        &json!({ "number": number, "query_code": "ZZZZZZZZ" }),
    )
    .await;
    wrong.assert_error(StatusCode::NOT_FOUND, "not_found");
    let unknown = public_post(
        app,
        "/api/v1/complaints/track",
        &json!({ "number": "投诉〔2026〕999号", "query_code": code }),
    )
    .await;
    unknown.assert_error(StatusCode::NOT_FOUND, "not_found");
    assert_eq!(
        wrong.json()["error"]["message"],
        unknown.json()["error"]["message"]
    );

    // The public reads no complaint and no list.
    w.get_as(None, &format!("/api/v1/complaints/{id}"))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    w.get_as(None, "/api/v1/complaints")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "auth.token");
    // …nor takes a step.
    app.raw(
        Method::POST,
        &format!("/api/v1/complaints/{id}/accept"),
        None,
        Some("application/json"),
        "{}".into(),
    )
    .await
    .assert_error(StatusCode::UNAUTHORIZED, "auth.token");
}
on_both!(public_intake_and_tracking => complaint_public_intake_sqlite, complaint_public_intake_postgres);

async fn step_as(
    w: &World,
    token: &str,
    id: &str,
    action: &str,
    body: Value,
) -> crate::common::TestResponse {
    w.app
        .raw(
            Method::POST,
            &format!("/api/v1/complaints/{id}/{action}"),
            Some(token),
            Some("application/json"),
            body.to_string(),
        )
        .await
}

async fn handling_by_role(db: Db) {
    let w = world(db).await;
    // Two market-regulation agencies in 天河: not routed automatically.
    let r = public_post(&w.app, "/api/v1/complaints", &intake_body("440106")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let receipt = r.json();
    assert_eq!(receipt["status"], "received");
    let id = receipt["id"].as_str().unwrap().to_string();
    let mut tokens = std::collections::HashMap::new();
    for u in [
        "officer_a",
        "reviewer_a",
        "head_a",
        "sup_gz",
        "sup_sz",
        "root",
    ] {
        tokens.insert(u, w.token(u, &["read", "write"]).await);
    }
    let t = |u: &str| tokens[u].clone();

    // Scope: 南山's supervisor and 天河 A's officer do not see it (not routed to A yet).
    w.get_as(Some(&t("sup_sz")), &format!("/api/v1/complaints/{id}"))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    w.get_as(Some(&t("officer_a")), &format!("/api/v1/complaints/{id}"))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    let seen = w
        .get_as(Some(&t("sup_gz")), &format!("/api/v1/complaints/{id}"))
        .await;
    assert_eq!(seen.status, StatusCode::OK, "{}", seen.text());
    let view = seen.json();
    assert_eq!(view["contact_phone_masked"], "139****5678");
    assert!(!seen.text().contains("13912345678"));
    let allowed: Vec<&str> = view["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["allowed"] == true)
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert_eq!(allowed, ["route"]);

    // Routing: only supervisors and administrators, inside their region.
    let route = json!({ "agency_id": w.subjects[0] });
    step_as(&w, &t("officer_a"), &id, "route", route.clone())
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    step_as(&w, &t("sup_sz"), &id, "route", route.clone())
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    let r = step_as(&w, &t("sup_gz"), &id, "accept", json!({})).await;
    r.assert_error(StatusCode::CONFLICT, "complaint.status");
    let r = step_as(&w, &t("sup_gz"), &id, "route", json!({})).await;
    assert_eq!(
        error_fields(&r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation")),
        ["agency_id"]
    );
    let r = step_as(&w, &t("sup_gz"), &id, "route", route).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["status"], "routed");

    // The agency decides and handles; the supervisor and the reviewer may not.
    step_as(&w, &t("sup_gz"), &id, "accept", json!({}))
        .await
        .assert_error(StatusCode::CONFLICT, "complaint.role");
    step_as(&w, &t("reviewer_a"), &id, "accept", json!({}))
        .await
        .assert_error(StatusCode::CONFLICT, "complaint.role");
    let r = step_as(
        &w,
        &t("officer_a"),
        &id,
        "handle",
        json!({ "result": "已处理" }),
    )
    .await;
    let body = r.assert_error(StatusCode::CONFLICT, "complaint.status");
    assert!(
        body["error"]["rule"]
            .as_str()
            .unwrap()
            .contains("信访工作条例")
    );
    assert!(body["error"]["remedy"].is_string());
    step_as(&w, &t("officer_a"), &id, "close", json!({}))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    let r = step_as(&w, &t("officer_a"), &id, "accept", json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.json()["handle_due"].is_string());
    let r = step_as(
        &w,
        &t("head_a"),
        &id,
        "handle",
        json!({ "result": "经调解，经营者退货并赔偿。" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = step_as(
        &w,
        &t("officer_a"),
        &id,
        "reply",
        json!({ "reply": "您的投诉已调解处理完毕。" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["status"], "replied");

    // Lists and counts within each scope.
    let total = |u: &'static str| {
        let token = t(u);
        let w = &w;
        async move { w.get_as(Some(&token), "/api/v1/complaints").await.json()["total"].clone() }
    };
    assert_eq!(total("officer_a").await, 1);
    assert_eq!(total("sup_gz").await, 1);
    assert_eq!(total("sup_sz").await, 0);
    assert_eq!(total("root").await, 1);
    let counts = w
        .get_as(
            Some(&t("sup_gz")),
            "/api/v1/complaints/counts?from=2000-01-01",
        )
        .await;
    assert_eq!(counts.status, StatusCode::OK, "{}", counts.text());
    let counts = counts.json();
    assert_eq!(counts[0]["agency_id"], w.subjects[0].as_str());
    assert_eq!(
        (
            counts[0]["received"].as_i64(),
            counts[0]["replied"].as_i64()
        ),
        (Some(1), Some(1))
    );
    w.get_as(
        Some(&t("sup_gz")),
        "/api/v1/complaints/counts?from=2026-13-01",
    )
    .await
    .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");

    // The change log holds every step.
    let changes = w
        .app
        .get_authorized(&format!("/api/v1/changes?entity=complaint&entity_id={id}"))
        .await
        .json();
    let actions: Vec<&str> = changes["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["reply", "handle", "accept", "route", "create"]);

    // Rules: everyone signed in reads, only administrators change.
    let rules = w
        .get_as(Some(&t("officer_a")), "/api/v1/settings/complaint-rules")
        .await
        .json();
    assert_eq!(
        (
            rules["accept_working_days"].as_i64(),
            rules["handle_days"].as_i64()
        ),
        (Some(7), Some(60))
    );
    let put = |token: String, body: Value| {
        let w = &w;
        async move {
            w.app
                .raw(
                    Method::PUT,
                    "/api/v1/settings/complaint-rules",
                    Some(&token),
                    Some("application/json"),
                    body.to_string(),
                )
                .await
        }
    };
    put(t("head_a"), json!({ "accept_working_days": 5 }))
        .await
        .assert_error(StatusCode::FORBIDDEN, "auth.role");
    put(t("root"), json!({ "accept_working_days": 0 }))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    let r = put(t("root"), json!({ "accept_working_days": 5 })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        r.json()["handle_days"],
        60,
        "missing values keep their defaults"
    );
}
on_both!(handling_by_role => complaint_handling_by_role_sqlite, complaint_handling_by_role_postgres);

async fn public_form_and_pages(db: Db) {
    let w = world(db).await;
    let mut b = Browser::new(&w.app);
    let form = b.get("/complaints/new").await;
    assert_eq!(form.status, StatusCode::OK);
    let html = form.text();
    assert!(
        html.contains("投诉举报") && html.contains("440305"),
        "regions of the agencies offered"
    );
    let csrf = csrf_of(&html);
    // Without the token: refused.
    let mut stranger = Browser::new(&w.app);
    let r = stranger
        .post(
            "/complaints/new",
            &[("_csrf", "forged"), ("kind", "report")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Errors beside their fields, values kept.
    let r = b
        .post(
            "/complaints/new",
            &[
                ("_csrf", &csrf),
                ("kind", "complaint"),
                ("respondent_name", "某超市"),
                ("anonymous", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    for id in [
        "error-field",
        "error-region_code",
        "error-content",
        "error-anonymous",
    ] {
        assert!(html.contains(id), "{id} missing");
    }
    assert!(html.contains("value=\"某超市\""));
    // A valid anonymous report: number and query code shown once.
    let csrf = csrf_of(&html);
    let r = b
        .post(
            "/complaints/new",
            &[
                ("_csrf", &csrf),
                ("kind", "report"),
                ("field", "01"),
                ("region_code", "440305"),
                ("respondent_name", "南山某药房"),
                ("content", "该药房无执业药师在岗即销售处方药。"),
                ("anonymous", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let html = r.text();
    let grab = |id: &str| {
        let marker = format!("id=\"{id}\">");
        let start = html.find(&marker).unwrap_or_else(|| panic!("{id}")) + marker.len();
        html[start..].split('<').next().unwrap().to_string()
    };
    let (number, code) = (grab("receipt-number"), grab("receipt-code"));
    assert!(number.starts_with("举报〔"), "{number}");
    assert_eq!(code.len(), 8);

    // Tracking page: the wrong code shows nothing of the complaint.
    let page = b.get("/complaints/track").await;
    let csrf = csrf_of(&page.text());
    let r = b
        .post(
            "/complaints/track",
            &[
                ("_csrf", &csrf),
                ("number", &number),
                ("query_code", "ABCDEFGH"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(!r.text().contains("南山某药房"));
    let csrf = csrf_of(&r.text());
    let r = b
        .post(
            "/complaints/track",
            &[("_csrf", &csrf), ("number", &number), ("query_code", &code)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("南山某药房") && r.text().contains("已分派"));

    // Signed in: the list, the complaint, a step as a form.
    let mut officer = Browser::new(&w.app);
    officer.login("officer_a", PASSWORD).await;
    let list = officer.get("/complaints").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.text().contains("no-complaints"),
        "南山's report is not 天河 A's"
    );
    let mut sz = Browser::new(&w.app);
    let nanshan_head = zhifa_store::model::UserInput {
        username: "head_c".into(),
        display_name: "南山负责人".into(),
        role: "head".into(),
        subject_id: Some(w.subjects[2].clone()),
        officer_id: None,
        region_code: None,
        password: PASSWORD.into(),
    };
    w.app
        .store
        .create_user(&nanshan_head, &zhifa_store::model::Actor::system("test"))
        .await
        .unwrap();
    sz.login("head_c", PASSWORD).await;
    let list = sz.get("/complaints").await;
    let html = list.text();
    assert!(html.contains(&number), "{html}");
    let start = html.find("href=\"/complaints/").expect("a row link");
    let link = html[start + 6..].split('"').next().unwrap().to_string();
    let page = sz.get(&link).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("form-accept") && html.contains("form-reject"));
    assert!(!html.contains("form-route"), "routing is not the agency's");
    assert!(html.contains("匿名举报"));
    let csrf = csrf_of(&html);
    // Out of order: handling before the decision is refused with the article.
    let r = sz
        .post(
            &format!("{link}/steps/handle"),
            &[("_csrf", &csrf), ("result", "已处理")],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text().contains("信访工作条例"));
    let r = sz
        .post(&format!("{link}/steps/accept"), &[("_csrf", &csrf)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = sz.get(&link).await;
    assert!(page.text().contains("已受理") && page.text().contains("form-handle"));
    // Another agency's officer: 404.
    let r = officer.get(&link).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Navigation links.
    assert!(
        officer
            .get("/")
            .await
            .text()
            .contains("href=\"/complaints\"")
    );
    assert!(
        Browser::new(&w.app)
            .get("/")
            .await
            .text()
            .contains("href=\"/complaints/new\"")
    );
}
on_both!(public_form_and_pages => complaint_pages_sqlite, complaint_pages_postgres);
