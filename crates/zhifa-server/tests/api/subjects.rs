//! Subjects: create, read, replace, deactivate, list with filters and pages; refused input
//! changes nothing.

use axum::http::StatusCode;
use serde_json::json;

use crate::common::{CLIENT_IP, Db, TestApp, error_fields};
use crate::fixtures::{subject_input, uscc};

async fn subject_lifecycle(db: Db) {
    let app = TestApp::start(db).await;
    let created = app
        .post(
            "/api/v1/subjects",
            &subject_input("广州市天河区市场监督管理局", 1),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let subject = created.json();
    let id = subject["id"].as_str().unwrap();
    assert_eq!(
        created.headers["location"],
        format!("/api/v1/subjects/{id}")
    );
    assert_eq!(subject["uscc"], uscc(1));
    assert_eq!(subject["active"], true);

    let read = app.get(&format!("/api/v1/subjects/{id}")).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.json(), subject);

    let mut input = subject_input("广州市天河区市场监督管理局（更名）", 1);
    input["field"] = json!("06");
    let updated = app.put(&format!("/api/v1/subjects/{id}"), &input).await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.text());
    let updated = updated.json();
    assert_eq!(updated["name"], "广州市天河区市场监督管理局（更名）");
    assert_eq!(updated["field"], "06");
    assert!(updated["version"].as_i64() > subject["version"].as_i64());

    let deactivated = app
        .post_empty(&format!("/api/v1/subjects/{id}/deactivate"))
        .await;
    assert_eq!(deactivated.status, StatusCode::OK, "{}", deactivated.text());
    assert_eq!(deactivated.json()["active"], false);

    let log = app
        .get(&format!("/api/v1/changes?entity=subject&entity_id={id}"))
        .await
        .json();
    let actions: Vec<_> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["deactivate", "update", "create"], "newest first");
    for change in log["items"].as_array().unwrap() {
        assert_eq!(change["actor"], "api");
        assert_eq!(change["ip"], CLIENT_IP);
    }
}
on_both!(subject_lifecycle => subject_lifecycle_sqlite, subject_lifecycle_postgres);

async fn subject_list_filters_and_pages(db: Db) {
    let app = TestApp::start(db).await;
    for n in 1..=5 {
        app.create("subjects", &subject_input(&format!("天河区测试局{n}"), n))
            .await;
    }
    let mut other = subject_input("深圳市福田区生态环境局", 9);
    other["region_code"] = json!("440304");
    other["field"] = json!("02");
    app.create("subjects", &other).await;

    let all = app.get("/api/v1/subjects").await.json();
    assert_eq!(all["total"], 6);

    let page = app.get("/api/v1/subjects?limit=2&offset=2").await.json();
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    assert_eq!(
        (
            page["offset"].as_i64(),
            page["limit"].as_i64(),
            page["total"].as_i64()
        ),
        (Some(2), Some(2), Some(6))
    );

    let guangzhou = app.get("/api/v1/subjects?region=440100").await.json();
    assert_eq!(
        guangzhou["total"], 5,
        "region filter includes the districts below 广州市"
    );
    let environment = app.get("/api/v1/subjects?field=02").await.json();
    assert_eq!(environment["total"], 1);
    assert_eq!(environment["items"][0]["name"], "深圳市福田区生态环境局");
    let named = app
        .get("/api/v1/subjects?q=%E6%B5%8B%E8%AF%95%E5%B1%803")
        .await
        .json();
    assert_eq!(named["total"], 1, "name contains 测试局3");

    let bad = app.get("/api/v1/subjects?limit=many").await;
    let body = bad.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "query.invalid");
    assert_eq!(error_fields(&body), ["limit"]);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("应为整数")
    );
    let twice = app.get("/api/v1/subjects?field=01&field=02").await;
    let body = twice.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "query.invalid");
    assert_eq!(error_fields(&body), ["field"]);
    let bad_region = app.get("/api/v1/subjects?region=abc").await;
    let body = bad_region.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(error_fields(&body), ["region"]);
}
on_both!(subject_list_filters_and_pages => subject_list_filters_and_pages_sqlite, subject_list_filters_and_pages_postgres);

async fn subject_invalid_input_changes_nothing(db: Db) {
    let app = TestApp::start(db).await;
    app.create("subjects", &subject_input("已有主体", 1)).await;
    let before = app.snapshot().await;

    let mut bad_uscc = subject_input("校验码错误", 2);
    let mut code = uscc(2);
    let last = if code.ends_with('0') { '1' } else { '0' };
    code.replace_range(17.., &last.to_string());
    bad_uscc["uscc"] = json!(code);
    let r = app.post("/api/v1/subjects", &bad_uscc).await;
    let body = r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(error_fields(&body), ["uscc"]);
    assert_eq!(body["error"]["fields"][0]["rule"], "GB 32100-2015");

    let mut unknown_region = subject_input("未知区划", 3);
    unknown_region["region_code"] = json!("449999");
    let r = app.post("/api/v1/subjects", &unknown_region).await;
    let body = r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(error_fields(&body), ["region_code"]);
    assert_eq!(body["error"]["fields"][0]["code"], "region.unknown");

    let mut many = subject_input("", 4);
    many["subject_type"] = json!("9");
    many["uscc"] = json!("123");
    let r = app.post("/api/v1/subjects", &many).await;
    let body = r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    let fields = error_fields(&body);
    for f in ["name", "uscc", "subject_type"] {
        assert!(fields.contains(&f.to_string()), "{f} missing in {fields:?}");
    }

    let r = app
        .put("/api/v1/subjects/no-such-id", &subject_input("不存在", 5))
        .await;
    r.assert_error(StatusCode::NOT_FOUND, "not_found");
    let r = app
        .post_empty("/api/v1/subjects/no-such-id/deactivate")
        .await;
    r.assert_error(StatusCode::NOT_FOUND, "not_found");

    assert_eq!(
        app.snapshot().await,
        before,
        "refused writes changed the database"
    );
}
on_both!(subject_invalid_input_changes_nothing => subject_invalid_input_changes_nothing_sqlite, subject_invalid_input_changes_nothing_postgres);

async fn subject_unknown_id_is_404(db: Db) {
    let app = TestApp::start(db).await;
    let r = app
        .get("/api/v1/subjects/0190d0f0-0000-7000-8000-000000000000")
        .await;
    let body = r.assert_error(StatusCode::NOT_FOUND, "not_found");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("未找到执法主体")
    );
}
on_both!(subject_unknown_id_is_404 => subject_unknown_id_is_404_sqlite, subject_unknown_id_is_404_postgres);
