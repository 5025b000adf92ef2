//! The server-rendered pages: home, browse pages, data standard, certificate verification.

use axum::http::StatusCode;
use serde_json::json;

use crate::common::{Db, TestApp};
use crate::fixtures::{certificate_input, officer_input, subject_and_officer};

async fn page(app: &TestApp, path: &str) -> String {
    let r = app.get(path).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text());
    assert!(
        r.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"),
        "{path}"
    );
    r.text()
}

async fn home_and_browse_pages(db: Db) {
    let app = TestApp::start(db).await;
    let (subject, _) = subject_and_officer(&app).await;
    let sid = subject["id"].as_str().unwrap();
    let articles = app.import_test_law().await;
    let power = app
        .create(
            "powers",
            &json!({
                "code": "SC-0100", "name": "对生产经营不符合食品安全标准的食品的行政处罚", "category": "02",
                "field": "01", "subject_types": ["1", "2"],
                "bases": [{ "article_id": articles[2], "role": "penalty" }]
            }),
        )
        .await;
    let pid = power["id"].as_str().unwrap();
    app.create(
        "benchmarks",
        &json!({ "power_id": pid, "level": "2", "conditions": "货值金额不足一万元", "fine_min_fen": 5_000_000, "fine_max_fen": 10_000_000, "other_penalties": ["04"] }),
    )
    .await;

    let home = page(&app, "/").await;
    for text in [
        "执法 Zhifa",
        "执法主体",
        "法律法规",
        "/api/docs/",
        "/standard",
        "viewport",
        "lang=\"zh-CN\"",
    ] {
        assert!(home.contains(text), "home page lacks {text}");
    }
    assert!(
        home.contains("<span class=\"num\">1</span>"),
        "counts shown"
    );
    assert!(
        !home.contains("<script"),
        "the home page needs no JavaScript"
    );

    let list = page(&app, "/subjects?region=440100&field=01").await;
    assert!(list.contains("广州市天河区市场监督管理局"));
    assert!(list.contains("市场监管"), "field code shown by its name");
    assert!(
        list.contains("广东省广州市天河区"),
        "region shown by its name"
    );
    let empty = page(&app, "/subjects?field=02").await;
    assert!(empty.contains("没有符合条件的执法主体"));
    let repeated = page(&app, "/subjects?field=01&field=02").await;
    assert!(
        repeated.contains("广州市天河区市场监督管理局"),
        "the first of repeated parameters wins"
    );
    let bad_region = page(&app, "/subjects?region=abc").await;
    assert!(
        bad_region.contains("class=\"error\"") && bad_region.contains("行政区划代码“abc”格式错误")
    );
    let second_page = page(&app, "/subjects?offset=-5").await;
    assert!(second_page.contains("第 1–1 条，共 1 条"));

    let detail = page(&app, &format!("/subjects/{sid}")).await;
    for text in ["统一社会信用代码", "法定行政机关", "县级", "张三", "男性"] {
        assert!(detail.contains(text), "subject page lacks {text}");
    }

    let laws = page(&app, "/laws?q=%E9%A3%9F%E5%93%81").await;
    assert!(laws.contains("测试食品安全管理法"));
    let law_id = app.get("/api/v1/laws").await.json()["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let law = page(&app, &format!("/laws/{law_id}")).await;
    for text in [
        "第一章 总则",
        "第二章 法律责任",
        "第三条",
        "（一）生产经营致病性微生物",
        "五万元以上十万元以下罚款",
    ] {
        assert!(law.contains(text), "law page lacks {text}");
    }
    let jump = app.get(&format!("/articles/{}", articles[2])).await;
    assert!(jump.status.is_redirection());
    assert_eq!(
        jump.headers["location"],
        format!("/laws/{law_id}#a-{}", articles[2])
    );

    let powers = page(&app, "/powers?category=02").await;
    assert!(powers.contains("SC-0100") && powers.contains("行政处罚"));
    let power_page = page(&app, &format!("/powers/{pid}")).await;
    for text in [
        "罚则",
        "第三条",
        &format!("/articles/{}", articles[2]),
        "一般",
        "50000.00 元 – 100000.00 元",
        "没收违法所得",
        "法律法规授权组织",
    ] {
        assert!(power_page.contains(text), "power page lacks {text}");
    }

    let standard = page(&app, "/standard").await;
    assert!(standard.contains("执法领域") && standard.contains("市场监管"));
    assert_eq!(
        app.get("/subjects/no-such-id").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/powers/no-such-id").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/laws/no-such-id").await.status,
        StatusCode::NOT_FOUND
    );
    let css = app.get("/static/style.css").await;
    assert!(
        css.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
}
on_both!(home_and_browse_pages => home_and_browse_pages_sqlite, home_and_browse_pages_postgres);

async fn certificate_verification_states(db: Db) {
    let app = TestApp::start(db).await;
    let (subject, officer) = subject_and_officer(&app).await;
    let oid = officer["id"].as_str().unwrap();
    let other = app
        .create(
            "officers",
            &officer_input(subject["id"].as_str().unwrap(), "李四", 21),
        )
        .await;
    let other_id = other["id"].as_str().unwrap();
    let cases = [
        (
            "4401060100001",
            oid,
            "1",
            "2020-01-01",
            "2099-12-31",
            "有效",
        ),
        (
            "4401060100002",
            oid,
            "2",
            "2020-01-01",
            "2099-12-31",
            "暂扣",
        ),
        (
            "4401060100003",
            other_id,
            "3",
            "2020-01-01",
            "2099-12-31",
            "注销",
        ),
        (
            "4401060100004",
            other_id,
            "1",
            "2015-01-01",
            "2020-12-31",
            "已过期",
        ),
    ];
    for (number, officer_id, status, from, to, _) in cases {
        app.create(
            "certificates",
            &certificate_input(officer_id, number, status, from, to),
        )
        .await;
    }
    for (number, _, _, _, _, verdict) in cases {
        let html = page(&app, &format!("/certificates/verify?number={number}")).await;
        assert!(
            html.contains(&format!(">{verdict}</span>")),
            "{number} should be {verdict}"
        );
        assert!(html.contains("广州市天河区市场监督管理局"));
    }
    let missing = page(&app, "/certificates/verify?number=4401060199999").await;
    assert!(missing.contains(">未找到</span>"));
    let form = page(&app, "/certificates/verify").await;
    assert!(form.contains("执法证号") && !form.contains("badge"));
    let escaped = page(&app, "/certificates/verify?number=%3Cscript%3E").await;
    assert!(!escaped.contains("<script>"), "{escaped}");
}
on_both!(certificate_verification_states => certificate_verification_states_sqlite, certificate_verification_states_postgres);
