//! Laws, powers and discretion benchmarks.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::common::{Db, TestApp, error_fields};

fn power_input(code: &str, articles: &[String]) -> Value {
    json!({
        "code": code,
        "name": "对生产经营不符合食品安全标准的食品的行政处罚",
        "category": "02",
        "field": "01",
        "subject_types": ["1"],
        "description": "测试事项",
        "bases": [
            { "article_id": articles[1], "role": "violation" },
            { "article_id": articles[2], "role": "penalty" }
        ]
    })
}

fn benchmark_input(power_id: &str, level: &str, min: i64, max: i64) -> Value {
    json!({
        "power_id": power_id, "level": level, "conditions": "货值金额不足一万元，首次违法",
        "fine_min_fen": min, "fine_max_fen": max, "other_penalties": ["04"], "note": "测试"
    })
}

async fn laws_and_articles(db: Db) {
    let app = TestApp::start(db).await;
    let articles = app.import_test_law().await;
    assert_eq!(articles.len(), 3);

    let laws = app.get("/api/v1/laws?q=%E6%B5%8B%E8%AF%95").await.json();
    assert_eq!(laws["total"], 1);
    let law = &laws["items"][0];
    assert_eq!(law["title"], "测试食品安全管理法");
    assert_eq!(law["article_count"], 3);
    let id = law["id"].as_str().unwrap();
    assert_eq!(app.get(&format!("/api/v1/laws/{id}")).await.json(), *law);
    assert_eq!(
        app.get("/api/v1/laws?category=%E8%A1%8C%E6%94%BF%E6%B3%95")
            .await
            .json()["total"],
        1
    );
    assert_eq!(
        app.get("/api/v1/laws?q=nothing-like-this").await.json()["total"],
        0
    );

    let article = app
        .get(&format!("/api/v1/articles/{}", articles[2]))
        .await
        .json();
    assert_eq!(article["label"], "第三条");
    assert_eq!(article["chapter"], "第二章 法律责任");
    assert_eq!(
        article["paragraphs"][0]["items"].as_array().unwrap().len(),
        2
    );

    app.get("/api/v1/laws/no-such-law")
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    app.get("/api/v1/laws/no-such-law/articles")
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    app.get("/api/v1/articles/no-such-article")
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
}
on_both!(laws_and_articles => laws_and_articles_sqlite, laws_and_articles_postgres);

async fn power_and_benchmark_lifecycle(db: Db) {
    let app = TestApp::start(db).await;
    let articles = app.import_test_law().await;
    let power = app
        .create("powers", &power_input("SC-0001", &articles))
        .await;
    let pid = power["id"].as_str().unwrap();
    assert_eq!(power["bases"][1]["article_label"], "第三条");
    assert_eq!(power["bases"][1]["law_title"], "测试食品安全管理法");

    let mut changed = power_input("SC-0001", &articles);
    changed["name"] = json!("食品安全行政处罚（修改）");
    let r = app.put(&format!("/api/v1/powers/{pid}"), &changed).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["name"], "食品安全行政处罚（修改）");
    assert_eq!(
        app.get(&format!("/api/v1/powers/{pid}")).await.json()["version"],
        r.json()["version"]
    );
    assert_eq!(
        app.get("/api/v1/powers?category=02&field=01").await.json()["total"],
        1
    );
    assert_eq!(app.get("/api/v1/powers?q=SC-0001").await.json()["total"], 1);
    assert_eq!(
        app.get("/api/v1/powers?category=01").await.json()["total"],
        0
    );

    let benchmark = app
        .create(
            "benchmarks",
            &benchmark_input(pid, "1", 5_000_000, 7_000_000),
        )
        .await;
    let bid = benchmark["id"].as_str().unwrap();
    let r = app
        .put(
            &format!("/api/v1/benchmarks/{bid}"),
            &benchmark_input(pid, "2", 7_000_000, 10_000_000),
        )
        .await;
    assert_eq!(r.json()["level"], "2");
    assert_eq!(
        app.get(&format!("/api/v1/benchmarks?power_id={pid}"))
            .await
            .json()["total"],
        1
    );
    assert_eq!(
        app.get(&format!("/api/v1/benchmarks/{bid}")).await.json()["fine_max_fen"],
        10_000_000
    );
    let r = app
        .post_empty(&format!("/api/v1/benchmarks/{bid}/deactivate"))
        .await;
    assert_eq!(r.json()["active"], false);
    let r = app
        .post_empty(&format!("/api/v1/powers/{pid}/deactivate"))
        .await;
    assert_eq!(r.json()["active"], false);
    assert_eq!(app.get("/api/v1/powers").await.json()["total"], 0);
}
on_both!(power_and_benchmark_lifecycle => power_and_benchmark_lifecycle_sqlite, power_and_benchmark_lifecycle_postgres);

async fn catalogue_invalid_input_changes_nothing(db: Db) {
    let app = TestApp::start(db).await;
    let articles = app.import_test_law().await;
    let power = app
        .create("powers", &power_input("SC-0002", &articles))
        .await;
    let pid = power["id"].as_str().unwrap();
    let before = app.snapshot().await;

    let body = app
        .post("/api/v1/benchmarks", &benchmark_input(pid, "1", -1, 100))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(error_fields(&body), ["fine_min_fen"]);
    assert_eq!(
        body["error"]["fields"][0]["code"],
        "benchmark.fine_min_fen.negative"
    );

    let body = app
        .post("/api/v1/benchmarks", &benchmark_input(pid, "1", 500, 100))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(error_fields(&body), ["fine_max_fen"]);

    let mut no_basis = power_input("SC-0003", &articles);
    no_basis["bases"] = json!([]);
    let body = app
        .post("/api/v1/powers", &no_basis)
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(error_fields(&body), ["bases"]);

    let mut missing_article = power_input("SC-0004", &articles);
    missing_article["bases"][0]["article_id"] = json!("no-such-article");
    let r = app.post("/api/v1/powers", &missing_article).await;
    assert!(
        matches!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY | StatusCode::NOT_FOUND
        ),
        "{}",
        r.text()
    );

    let duplicate = app
        .post("/api/v1/powers", &power_input("SC-0002", &articles))
        .await;
    assert!(
        duplicate.status.is_client_error(),
        "duplicate code accepted: {}",
        duplicate.text()
    );

    assert_eq!(app.snapshot().await, before);
}
on_both!(catalogue_invalid_input_changes_nothing => catalogue_invalid_input_changes_nothing_sqlite, catalogue_invalid_input_changes_nothing_postgres);
