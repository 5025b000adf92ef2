//! Supervision alerts through the API and the pages: the worker raises an alert after the case
//! command that triggers it (the head overrides the limitation check, APL Art. 36); scope
//! decides who sees it; the handling loop by role over the API (supervision opinion by the
//! administrator, rectification by the agency head, refusals for the wrong role or state);
//! the rules as configuration (named errors); the pages (list, detail, form errors with the
//! typed text kept, the printable 监督意见书).

use std::time::Duration;

use axum::http::StatusCode;
use serde_json::{Value, json};
use zhifa_server::supervision::{SupervisionSettings, SupervisionWorker};

use crate::access::PASSWORD;
use crate::cases::{CaseWorld, ago, case_world};
use crate::common::{Db, error_fields};
use crate::sessions::{Browser, csrf_of};

/// Registers a lead for an act three years ago and files it with the head's override.
async fn late_filing(w: &CaseWorld) -> String {
    let lead = json!({
        "command": "register_lead", "on": ago(2), "agency_id": w.agency,
        "source": "1", "cause": "无证经营食品",
        "party": { "party_type": "2", "name": "广州某餐饮有限公司", "id_number": crate::fixtures::uscc(9) },
        "act_date": ago(3 * 365 + 30), "summary": "群众举报"
    });
    let r = w.send(&w.officer, "/api/v1/cases", lead, "late-1").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let case = r.json()["case_id"].as_str().unwrap().to_string();
    w.ok(
        &w.head,
        &case,
        json!({"command": "file_case", "on": ago(1),
               "limitation_override": "违法行为处于连续状态，经集体讨论决定立案"}),
    )
    .await;
    case
}

/// A full sweep by the administrator over the API; returns its report.
async fn sweep(w: &CaseWorld) -> Value {
    let r = w
        .app
        .raw(
            axum::http::Method::POST,
            "/api/v1/supervision/sweep",
            Some(&w.admin),
            None,
            String::new(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

/// Polls the alert list (as `token`) until it holds `n` alerts or 30 s pass.
async fn wait_for_alerts(w: &CaseWorld, token: &str, n: usize) -> Vec<Value> {
    for _ in 0..300 {
        let r = w.get(token, "/api/v1/supervision/alerts").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let items = r.json()["items"].as_array().cloned().unwrap_or_default();
        if items.len() >= n {
            return items;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no alert appeared");
}

async fn alerts_through_the_api(db: Db) {
    let w = case_world(db).await;
    let worker = SupervisionWorker::new(
        w.app.store.clone(),
        std::sync::Arc::new(std::sync::RwLock::new(
            zhifa_domain::calendar::LegalCalendar::builtin(),
        )),
        SupervisionSettings {
            interval: Duration::from_millis(50),
            ..SupervisionSettings::default()
        },
    )
    .spawn();
    let case = late_filing(&w).await;
    let items = wait_for_alerts(&w, &w.admin, 1).await;
    worker.shutdown().await;
    assert_eq!(items.len(), 1, "{items:?}");
    let a = &items[0];
    assert_eq!(a["rule_id"], "limitation_exceeded");
    assert_eq!(a["case_id"], case.as_str());
    assert!(a["citation"].as_str().unwrap().contains("第三十六条"));
    assert!(a["trigger_seq"].as_i64().is_some());
    let id = a["id"].as_str().unwrap().to_string();

    // Scope: the agency's head sees it; another agency's head neither lists nor reads it; the
    // public gets nothing.
    let own = w.get(&w.head, "/api/v1/supervision/alerts").await.json();
    assert_eq!(own["total"], 1);
    let other = w
        .get(&w.other_head, "/api/v1/supervision/alerts")
        .await
        .json();
    assert_eq!(other["total"], 0);
    w.get(&w.other_head, &format!("/api/v1/supervision/alerts/{id}"))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    w.app
        .get("/api/v1/supervision/alerts")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "auth.token");

    // The loop over the API.
    let act = |token: &str, body: Value| {
        let path = format!("/api/v1/supervision/alerts/{id}/actions");
        let token = token.to_string();
        let w = &w;
        async move {
            w.app
                .raw(
                    axum::http::Method::POST,
                    &path,
                    Some(&token),
                    Some("application/json"),
                    body.to_string(),
                )
                .await
        }
    };
    let r = act(
        &w.head,
        json!({"action": "issue_opinion", "opinion": "请纠正", "rectify_due": ago(-30)}),
    )
    .await;
    let body = r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(error_fields(&body), ["action"]);
    let r = act(
        &w.admin,
        json!({"action": "issue_opinion", "opinion": "", "rectify_due": "明天"}),
    )
    .await;
    let body = r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(error_fields(&body), ["opinion", "rectify_due"]);
    let r = act(
        &w.admin,
        json!({"action": "issue_opinion", "opinion": "超过追责时效立案，请说明理由并依法处理", "rectify_due": ago(-30)}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["status"], "opinion_issued");
    // Past the rectification deadline without rectification, a sweep escalates it.
    let later = crate::cases::today() + chrono::Duration::days(35);
    let calendar = zhifa_domain::calendar::LegalCalendar::builtin();
    let swept = w
        .app
        .store
        .supervision_sweep(&calendar, later, false)
        .await
        .unwrap();
    assert_eq!(swept.escalated, 1, "{swept:?}");
    let a = w
        .get(&w.admin, &format!("/api/v1/supervision/alerts/{id}"))
        .await
        .json();
    assert_eq!(a["escalation"], 1, "{a}");
    let r = act(
        &w.officer,
        json!({"action": "rectify", "rectification": "已撤销立案"}),
    )
    .await;
    r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    let r = act(
        &w.head,
        json!({"action": "rectify", "rectification": "已撤销立案，移交纪检"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["status"], "rectified");
    let history = w
        .get(
            &w.admin,
            &format!("/api/v1/supervision/alerts/{id}/history"),
        )
        .await
        .json();
    let steps: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["action"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["raise", "issue_opinion", "escalate", "rectify"]);

    // The rules: readable by accounts, replaceable by administrators with named errors.
    let rules = w.get(&w.head, "/api/v1/supervision/rules").await.json();
    let toml = rules["toml"].as_str().unwrap().to_string();
    assert!(toml.contains("limitation_exceeded"));
    let r = w
        .app
        .raw(
            axum::http::Method::PUT,
            "/api/v1/supervision/rules",
            Some(&w.head),
            Some("application/json"),
            json!({"toml": toml}).to_string(),
        )
        .await;
    r.assert_error(StatusCode::FORBIDDEN, "auth.role");
    let bad = toml.replacen("severity = \"high\"", "severity = \"urgent\"", 1);
    let r = w
        .app
        .raw(
            axum::http::Method::PUT,
            "/api/v1/supervision/rules",
            Some(&w.admin),
            Some("application/json"),
            json!({"toml": bad}).to_string(),
        )
        .await;
    let body = r.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(error_fields(&body), ["rules"]);
    assert_eq!(sweep(&w).await["sweep"]["raised"], 0, "nothing new");
}
on_both!(alerts_through_the_api => alerts_through_the_api_sqlite, alerts_through_the_api_postgres);

async fn alert_pages(db: Db) {
    let w = case_world(db).await;
    let case = late_filing(&w).await;
    sweep(&w).await;
    let mut admin = Browser::new(&w.app);
    admin.login("admin_t", PASSWORD).await;
    let list = admin.get("/supervision/alerts").await;
    assert_eq!(list.status, StatusCode::OK);
    let html = list.text();
    assert!(html.contains("超过追责时效立案"), "{html}");
    let marker = "href=\"/supervision/alerts/";
    let start = html.find(marker).unwrap() + marker.len();
    let id = html[start..].split('"').next().unwrap().to_string();
    let page = admin.get(&format!("/supervision/alerts/{id}")).await.text();
    assert!(page.contains("《行政处罚法》第三十六条"));
    assert!(page.contains("发出监督意见书"));
    let csrf = csrf_of(&page);
    let path = format!("/supervision/alerts/{id}/action");
    let r = admin
        .post(
            &path,
            &[
                ("_csrf", &csrf),
                ("action", "issue_opinion"),
                ("opinion", "请核查立案依据"),
                ("rectify_due", "2020-01-01"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text();
    assert!(body.contains("整改期限不能早于今天"), "{body}");
    assert!(body.contains("请核查立案依据"), "typed text kept");
    let due = ago(-20);
    let r = admin
        .post(
            &path,
            &[
                ("_csrf", &csrf),
                ("action", "issue_opinion"),
                ("opinion", "请核查立案依据并说明理由"),
                ("rectify_due", &due),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let doc = admin
        .get(&format!("/supervision/alerts/{id}/opinion"))
        .await
        .text();
    assert!(doc.contains("行政执法监督意见书"));
    assert!(doc.contains("监督意见〔"));
    assert!(doc.contains(&due));
    // The agency's head may record the rectification; its reviewer sees the alert (and on
    // the case page) but has no step to take; another agency's head does not see it.
    let mut head = Browser::new(&w.app);
    head.login("head_t", PASSWORD).await;
    let page = head.get(&format!("/supervision/alerts/{id}")).await.text();
    assert!(page.contains("记录整改情况"), "{page}");
    let mut reviewer = Browser::new(&w.app);
    reviewer.login("reviewer_t", PASSWORD).await;
    let page = reviewer
        .get(&format!("/supervision/alerts/{id}"))
        .await
        .text();
    assert!(!page.contains("action\" value=\"rectify"), "{page}");
    let case_page = reviewer.get(&format!("/cases/{case}")).await.text();
    assert!(case_page.contains("id=\"case-alerts\""), "{case_page}");
    let mut other = Browser::new(&w.app);
    other.login("head_other", PASSWORD).await;
    assert_eq!(
        other.get(&format!("/supervision/alerts/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
}
on_both!(alert_pages => alert_pages_sqlite, alert_pages_postgres);
