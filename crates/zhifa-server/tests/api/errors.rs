//! Malformed requests: each gets the right 4xx with a Chinese message naming where it went
//! wrong, and nothing is written.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::common::{Db, TOKEN, TestApp, error_fields};
use crate::fixtures::subject_input;

async fn malformed_json_is_400_with_position(db: Db) {
    let app = TestApp::start(db).await;
    let before = app.snapshot().await;
    let body = "{\n  \"name\": \"某局\",\n  \"uscc\": \n}".to_string();
    let r = app
        .raw(
            Method::POST,
            "/api/v1/subjects",
            Some(TOKEN),
            Some("application/json"),
            body,
        )
        .await;
    let body = r.assert_error(StatusCode::BAD_REQUEST, "json.syntax");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("第 4 行"), "{message}");
    assert!(message.contains("列"), "{message}");

    let trailing = format!("{} x", subject_input("某局", 1));
    let r = app
        .raw(
            Method::POST,
            "/api/v1/subjects",
            Some(TOKEN),
            Some("application/json"),
            trailing,
        )
        .await;
    r.assert_error(StatusCode::BAD_REQUEST, "json.syntax");
    let empty = app
        .raw(
            Method::POST,
            "/api/v1/subjects",
            Some(TOKEN),
            Some("application/json"),
            String::new(),
        )
        .await;
    empty.assert_error(StatusCode::BAD_REQUEST, "json.syntax");
    assert_eq!(app.snapshot().await, before);
}
on_both!(malformed_json_is_400_with_position => malformed_json_is_400_with_position_sqlite, malformed_json_is_400_with_position_postgres);

async fn wrong_types_are_422_naming_the_field(db: Db) {
    let app = TestApp::start(db).await;
    let before = app.snapshot().await;

    let mut wrong = subject_input("某局", 1);
    wrong["name"] = json!(42);
    let body = app
        .post("/api/v1/subjects", &wrong)
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "json.data");
    assert_eq!(error_fields(&body), ["name"]);

    let mut missing = subject_input("某局", 1);
    missing.as_object_mut().unwrap().remove("uscc");
    let body = app
        .post("/api/v1/subjects", &missing)
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "json.data");
    assert_eq!(error_fields(&body), ["uscc"]);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("缺少必填字段")
    );

    let nested = json!({
        "code": "SC-0009", "name": "某事项", "category": "02", "field": "01", "subject_types": ["1"],
        "bases": [{ "article_id": "a", "role": "penalty" }, { "article_id": 7, "role": "penalty" }]
    });
    let body = app
        .post("/api/v1/powers", &nested)
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "json.data");
    assert_eq!(error_fields(&body), ["bases[1].article_id"]);

    let not_object = app.post("/api/v1/benchmarks", &json!([1, 2])).await;
    not_object.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "json.data");
    assert_eq!(app.snapshot().await, before);
}
on_both!(wrong_types_are_422_naming_the_field => wrong_types_are_422_naming_the_field_sqlite, wrong_types_are_422_naming_the_field_postgres);

async fn content_type_and_size_are_checked(db: Db) {
    let app = TestApp::builder().max_body_bytes(2048).start(db).await;
    let before = app.snapshot().await;
    let body = subject_input("某局", 1).to_string();

    let r = app
        .raw(
            Method::POST,
            "/api/v1/subjects",
            Some(TOKEN),
            None,
            body.clone(),
        )
        .await;
    r.assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "json.content_type");
    let r = app
        .raw(
            Method::POST,
            "/api/v1/subjects",
            Some(TOKEN),
            Some("text/plain"),
            body,
        )
        .await;
    r.assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "json.content_type");

    let mut big = subject_input("某局", 1);
    big["address"] = json!("很长的地址".repeat(500));
    let r = app.post("/api/v1/subjects", &big).await;
    r.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "body.too_large");
    assert_eq!(app.snapshot().await, before);

    let charset = app
        .raw(
            Method::POST,
            "/api/v1/subjects",
            Some(TOKEN),
            Some("application/json; charset=utf-8"),
            subject_input("某局", 1).to_string(),
        )
        .await;
    assert_eq!(charset.status, StatusCode::CREATED, "{}", charset.text());
}
on_both!(content_type_and_size_are_checked => content_type_and_size_are_checked_sqlite, content_type_and_size_are_checked_postgres);

async fn default_limit_is_one_mebibyte(db: Db) {
    let app = TestApp::start(db).await;
    let mut big = subject_input("某局", 1);
    big["address"] = json!("x".repeat(1024 * 1024));
    app.post("/api/v1/subjects", &big)
        .await
        .assert_error(StatusCode::PAYLOAD_TOO_LARGE, "body.too_large");
    assert_eq!(app.get("/api/v1/subjects").await.json()["total"], 0);
}
on_both!(default_limit_is_one_mebibyte => default_limit_is_one_mebibyte_sqlite, default_limit_is_one_mebibyte_postgres);

#[tokio::test]
async fn unknown_api_paths_are_json_404() {
    let app = TestApp::start(Db::Sqlite).await;
    app.get("/api/v1/nothing-here")
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    app.get("/api/v1/check/passport/E12345678")
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    app.get("/api/v1/standard/code-sets/no_such_set")
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    let page = app.get("/no-such-page").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.text().contains("未找到"));
}

async fn unavailable_database_is_503(db: Db) {
    let app = TestApp::start(db).await;
    app.store.pool().close().await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(health.json()["status"], "unavailable");
    let body = app
        .get("/api/v1/subjects")
        .await
        .assert_error(StatusCode::SERVICE_UNAVAILABLE, "unavailable");
    assert!(
        !body.to_string().contains("closed"),
        "the cause stays in the log: {body}"
    );
    let page = app.get("/").await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(page.text().contains("数据库暂不可用"));
}
on_both!(unavailable_database_is_503 => unavailable_database_is_503_sqlite, unavailable_database_is_503_postgres);
