//! The outbox end to end (一次报送，多头应用): a department system's webhook on 127.0.0.1 that
//! refuses the first attempt of every record and loses the answer to the second still gets
//! every record exactly once in effect (it deduplicates on the idempotency key and checks the
//! HMAC-SM3 signature), with receipts recorded; the credit platform export lands in a
//! directory as 双公示 records; an unreachable consumer ends `failed` with its error and an
//! administrator retries it through the API; the admin page and the OpenAPI document.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::routing::post;
use serde_json::{Value, json};
use sm3::{Digest, Sm3};
use zhifa_server::outbox::{OutboxSettings, OutboxWorker};
use zhifa_store::outbox::{RetryPolicy, signature};

use crate::cases::{CaseWorld, case_world, today};
use crate::common::{Db, TestResponse, error_fields};
use crate::fixtures::uscc;
use crate::sessions::{Browser, csrf_of};

const SECRET: &str = "部门系统共享密钥";

/// What the receiving department system saw.
#[derive(Default)]
struct Receiver {
    /// Requests per idempotency key.
    seen: HashMap<String, u32>,
    /// Times each record was applied (must be 1).
    applied: HashMap<String, u32>,
    /// Requests with a bad signature or key header.
    rejected: u32,
}

/// The receiver: checks the signature and the key, refuses the first attempt of each record
/// (503), applies the record on the second but "loses" the answer (500), and acknowledges a
/// record it already applied with its receipt id (the idempotent answer).
async fn receive(
    State(rx): State<Arc<Mutex<Receiver>>>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let key = header("idempotency-key");
    let sig = header("zhifa-signature");
    let t: i64 = sig
        .strip_prefix("t=")
        .and_then(|s| s.split(',').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_default();
    let envelope: Value = serde_json::from_slice(&body).unwrap_or_default();
    let mut rx = rx.lock().unwrap();
    if sig != signature(SECRET.as_bytes(), t, &body) || envelope["idempotency_key"] != key {
        rx.rejected += 1;
        return (StatusCode::UNAUTHORIZED, "签名错误".into());
    }
    let n = {
        let n = rx.seen.entry(key.clone()).or_default();
        *n += 1;
        *n
    };
    match n {
        1 => (StatusCode::SERVICE_UNAVAILABLE, "系统维护中".into()),
        2 => {
            *rx.applied.entry(key).or_default() += 1;
            (StatusCode::INTERNAL_SERVER_ERROR, "应答丢失".into())
        }
        _ if rx.applied.contains_key(&key) => (
            StatusCode::OK,
            json!({ "receipt_id": format!("R-{key}") }).to_string(),
        ),
        _ => (StatusCode::CONFLICT, "未知记录".into()),
    }
}

async fn admin(w: &CaseWorld, method: Method, path: &str, body: Option<Value>) -> TestResponse {
    w.app
        .raw(
            method,
            path,
            Some(&w.admin),
            body.as_ref().map(|_| "application/json"),
            body.map(|b| b.to_string()).unwrap_or_default(),
        )
        .await
}

async fn add_consumer(w: &CaseWorld, body: Value) -> String {
    let r = admin(w, Method::POST, "/api/v1/outbox/consumers", Some(body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert!(
        !r.text().contains(SECRET),
        "the secret never leaves the store"
    );
    r.json()["id"].as_str().unwrap().to_string()
}

async fn deliveries(w: &CaseWorld, query: &str) -> Vec<Value> {
    let r = admin(
        w,
        Method::GET,
        &format!("/api/v1/outbox/deliveries?limit=500&{query}"),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["items"].as_array().unwrap().clone()
}

async fn webhook_delivery_exactly_once_in_effect(db: Db) {
    let w = case_world(db).await;
    let rx = Arc::new(Mutex::new(Receiver::default()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new()
        .route("/hook", post(receive))
        .with_state(rx.clone());
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    // A port nothing listens on.
    let dead = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let dead_url = format!("http://{}/hook", dead.local_addr().unwrap());
    drop(dead);
    let dir = tempfile::tempdir().unwrap();

    let hook = add_consumer(
        &w,
        json!({"kind": "webhook", "name": "市场监管业务系统", "url": format!("http://{addr}/hook"),
               "secret": SECRET, "record_kinds": ["case_event:*"]}),
    )
    .await;
    let credit = add_consumer(
        &w,
        json!({"kind": "credit_export", "name": "信用平台",
               "url": format!("file://{}", dir.path().display())}),
    )
    .await;
    let gone = add_consumer(
        &w,
        json!({"kind": "webhook", "name": "已下线系统", "url": dead_url,
               "record_kinds": ["case_event:decision_published"]}),
    )
    .await;
    let officer = w
        .app
        .raw(
            Method::GET,
            "/api/v1/outbox/deliveries",
            Some(&w.officer),
            None,
            String::new(),
        )
        .await;
    officer.assert_error(StatusCode::FORBIDDEN, "auth.role");

    // A company fined on the spot (APL Art. 51) and the decision published.
    let on = today().to_string();
    let case = w.on_spot("spot-1", &on).await;
    w.ok(&w.officer, &case, json!({"command": "publish", "on": on}))
        .await;

    let settings = OutboxSettings {
        interval: Duration::from_millis(10),
        batch: 100,
        concurrency: 4,
        timeout: Duration::from_secs(10),
        policy: RetryPolicy {
            base_ms: 5,
            max_ms: 20,
            max_attempts: 4,
            lease_ms: 60_000,
        },
        ..OutboxSettings::default()
    };
    // Two workers (as on two nodes of one database) run their passes at the same time: the
    // claims keep them from sending the same attempt twice.
    let worker = OutboxWorker::new(w.app.store.clone(), settings).unwrap();
    let second = OutboxWorker::new(w.app.store.clone(), settings).unwrap();
    for _ in 0..500 {
        let (a, b) = tokio::join!(worker.pass(), second.pass());
        a.expect("pass");
        b.expect("pass");
        let stats = w.app.store.outbox_stats().await.unwrap();
        if stats.pending == 0 && stats.delivered + stats.failed > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    // The webhook: every case event once, applied once, acknowledged with a receipt.
    let events = deliveries(&w, &format!("consumer_id={hook}")).await;
    assert_eq!(
        events.len(),
        3,
        "on_spot_decided, on_spot_filed, decision_published"
    );
    let rx = std::mem::take(&mut *rx.lock().unwrap());
    assert_eq!(rx.rejected, 0, "signatures and keys verified");
    assert_eq!(rx.applied.len(), events.len());
    assert!(rx.applied.values().all(|n| *n == 1), "applied exactly once");
    for d in &events {
        let key = d["idempotency_key"].as_str().unwrap();
        assert_eq!(d["status"], "delivered", "{d}");
        assert_eq!(d["attempts"], 3, "refused, answer lost, acknowledged");
        assert_eq!(rx.seen[key], 3);
        assert!(
            d["last_error"].as_str().unwrap().contains("HTTP 500"),
            "{d}"
        );
        let receipt = &d["receipt"];
        let body = json!({ "receipt_id": format!("R-{key}") }).to_string();
        assert_eq!(receipt["status"], 200);
        assert_eq!(receipt["receipt_id"], format!("R-{key}"));
        assert_eq!(
            receipt["body_sm3"],
            hex::encode(Sm3::digest(body.as_bytes()))
        );
        assert_eq!(d["payload"]["data"]["case_id"], case.as_str());
        assert!(!d["payload"].to_string().contains("020-87654321"));
    }

    // The credit platform: one 双公示 file with 万元 amounts.
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let written: Value = serde_json::from_slice(&std::fs::read(&files[0]).unwrap()).unwrap();
    assert_eq!(written["data"]["cf_xdr_mc"], "广州某某食品有限公司");
    assert_eq!(written["data"]["cf_nr_fk"], "0.123456");
    assert_eq!(written["data"]["cf_xdr_shxym"], uscc(9));
    let credit_rows = deliveries(&w, &format!("consumer_id={credit}")).await;
    assert_eq!(credit_rows[0]["receipt"]["status"], 0);

    // The unreachable consumer: failed with the error; an administrator retries it.
    let failed = deliveries(&w, "status=failed").await;
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["consumer_id"], gone.as_str());
    assert_eq!(failed[0]["attempts"], 4);
    assert!(
        failed[0]["last_error"]
            .as_str()
            .unwrap()
            .starts_with("请求失败")
    );
    let id = failed[0]["id"].as_str().unwrap();
    let r = admin(
        &w,
        Method::POST,
        &format!("/api/v1/outbox/deliveries/{id}/retry"),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        (r.json()["status"].clone(), r.json()["attempts"].clone()),
        (json!("pending"), json!(0))
    );
    let done = events[0]["id"].as_str().unwrap();
    admin(
        &w,
        Method::POST,
        &format!("/api/v1/outbox/deliveries/{done}/retry"),
        None,
    )
    .await
    .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");

    // The admin page and the API document.
    let mut b = Browser::new(&w.app);
    b.login("admin_t", "correct horse 1").await;
    let html = b.get("/admin/outbox").await;
    assert_eq!(html.status, StatusCode::OK);
    let html = html.text();
    for text in [
        "数据报送",
        "市场监管业务系统",
        "信用平台（双公示）",
        "已投递",
        "立即重试",
        "HTTP 200",
    ] {
        assert!(html.contains(text), "{text}");
    }
    let mut o = Browser::new(&w.app);
    o.login("officer_t", "correct horse 1").await;
    assert_eq!(o.get("/admin/outbox").await.status, StatusCode::FORBIDDEN);
    let doc = w.app.get("/api/v1/openapi.json").await.text();
    assert!(doc.contains("/api/v1/outbox/deliveries/{id}/retry"));
    server.abort();
}

/// Bad consumer input names every field (API 422, page errors beside the fields) and stores
/// nothing; an administrator adds a consumer and disables it from the page.
async fn consumers_are_validated_and_managed_from_the_page(db: Db) {
    let w = case_world(db).await;
    let r = admin(
        &w,
        Method::POST,
        "/api/v1/outbox/consumers",
        Some(json!({"kind": "fax", "name": "", "url": "ftp://x"})),
    )
    .await;
    let body = r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(error_fields(&body), ["kind", "name", "url"]);
    let mut b = Browser::new(&w.app);
    b.login("admin_t", "correct horse 1").await;
    let csrf = csrf_of(&b.get("/admin/outbox").await.text());
    let form = |url: &'static str, kinds: &'static str| {
        vec![
            ("_csrf", csrf.clone()),
            ("kind", "webhook".to_string()),
            ("name", "档案管理系统".to_string()),
            ("url", url.to_string()),
            ("record_kinds", kinds.to_string()),
        ]
    };
    let bad = form("档案系统", "");
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = b.post("/admin/outbox/consumers", &bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(
        html.contains("地址应以 http://") && html.contains("至少订阅一种记录类型"),
        "{html}"
    );
    assert!(
        html.contains("档案管理系统"),
        "the form keeps what was typed"
    );
    let list = admin(&w, Method::GET, "/api/v1/outbox/consumers", None).await;
    assert_eq!(list.json(), json!([]), "nothing stored");
    let good = form(
        "https://dangan.example.gov.cn/hook",
        "case_event:case_closed, change:subject",
    );
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = b.post("/admin/outbox/consumers", &good).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let list = admin(&w, Method::GET, "/api/v1/outbox/consumers", None)
        .await
        .json();
    let c = &list[0];
    assert_eq!(
        c["record_kinds"],
        json!(["case_event:case_closed", "change:subject"])
    );
    assert_eq!(
        (c["enabled"].clone(), c["has_secret"].clone()),
        (json!(true), json!(false))
    );
    let id = c["id"].as_str().unwrap();
    let r = b
        .post(
            &format!("/admin/outbox/consumers/{id}/toggle"),
            &[("_csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let c = admin(
        &w,
        Method::GET,
        &format!("/api/v1/outbox/consumers/{id}"),
        None,
    )
    .await
    .json();
    assert_eq!(
        (c["enabled"].clone(), c["version"].clone()),
        (json!(false), json!(2))
    );
    let r = b
        .post(
            &format!("/admin/outbox/consumers/{id}/toggle"),
            &[("_csrf", "wrong")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "CSRF checked");
}
on_both!(consumers_are_validated_and_managed_from_the_page => consumers_are_validated_and_managed_from_the_page_sqlite, consumers_are_validated_and_managed_from_the_page_postgres);
on_both!(webhook_delivery_exactly_once_in_effect => webhook_delivery_exactly_once_in_effect_sqlite, webhook_delivery_exactly_once_in_effect_postgres);
