//! Officers and certificates: lifecycle, masking and the guarded reveal of citizen IDs,
//! lookup by number.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::common::{Db, TestApp, error_fields};
use crate::fixtures::{
    certificate_input, citizen_id, officer_input, subject_and_officer, subject_input,
};

async fn officer_lifecycle_and_masking(db: Db) {
    let app = TestApp::start(db).await;
    let (subject, officer) = subject_and_officer(&app).await;
    let sid = subject["id"].as_str().unwrap();
    let oid = officer["id"].as_str().unwrap();
    let full = citizen_id(11);
    assert_eq!(officer["sex"], "1");
    assert_ne!(officer["citizen_id_masked"], full);
    assert!(
        !officer.to_string().contains(&full),
        "full citizen ID leaked: {officer}"
    );
    assert_eq!(officer["phone_masked"], "138****8000");

    let read = app.get_authorized(&format!("/api/v1/officers/{oid}")).await;
    assert_eq!(read.json(), officer);

    let updated = app
        .put(
            &format!("/api/v1/officers/{oid}"),
            &officer_input(sid, "张三丰", 12),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.text());
    assert_eq!(updated.json()["name"], "张三丰");
    assert_eq!(updated.json()["sex"], "2", "sequence 012 is even: female");

    let list = app
        .get_authorized(&format!("/api/v1/officers?subject_id={sid}"))
        .await
        .json();
    assert_eq!(list["total"], 1);

    let deactivated = app
        .post_empty(&format!("/api/v1/officers/{oid}/deactivate"))
        .await;
    assert_eq!(deactivated.json()["active"], false);
    assert_eq!(
        app.get_authorized(&format!("/api/v1/officers?subject_id={sid}"))
            .await
            .json()["total"],
        0
    );
    let with_inactive = app
        .get_authorized(&format!(
            "/api/v1/officers?subject_id={sid}&include_inactive=true"
        ))
        .await
        .json();
    assert_eq!(with_inactive["total"], 1);

    let log = app
        .get_authorized(&format!("/api/v1/changes?entity=officer&entity_id={oid}"))
        .await
        .json();
    assert!(
        !log.to_string().contains(&citizen_id(12)),
        "change log holds a clear citizen ID"
    );
}
on_both!(officer_lifecycle_and_masking => officer_lifecycle_and_masking_sqlite, officer_lifecycle_and_masking_postgres);

async fn citizen_id_reveal_needs_the_token(db: Db) {
    let app = TestApp::start(db).await;
    let (_, officer) = subject_and_officer(&app).await;
    let path = format!(
        "/api/v1/officers/{}/citizen-id",
        officer["id"].as_str().unwrap()
    );

    app.get(&path)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "auth.token");
    let revealed = app.get_authorized(&path).await;
    assert_eq!(revealed.status, StatusCode::OK, "{}", revealed.text());
    assert_eq!(revealed.json()["citizen_id"], citizen_id(11));
    assert_eq!(revealed.headers["cache-control"], "no-store");

    app.get_authorized("/api/v1/officers/nobody/citizen-id")
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
}
on_both!(citizen_id_reveal_needs_the_token => citizen_id_reveal_needs_the_token_sqlite, citizen_id_reveal_needs_the_token_postgres);

async fn officer_invalid_input_changes_nothing(db: Db) {
    let app = TestApp::start(db).await;
    let subject = app.create("subjects", &subject_input("某局", 1)).await;
    let sid = subject["id"].as_str().unwrap();
    let before = app.snapshot().await;

    let mut bad = officer_input(sid, "李四", 13);
    let mut wrong_check = citizen_id(13);
    let last = if wrong_check.ends_with('0') { "1" } else { "0" };
    wrong_check.replace_range(17.., last);
    bad["citizen_id"] = json!(wrong_check);
    let body = app
        .post("/api/v1/officers", &bad)
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(error_fields(&body), ["citizen_id"]);

    let orphan = officer_input("no-such-subject", "王五", 15);
    let body = app.post("/api/v1/officers", &orphan).await;
    assert!(
        matches!(
            body.status,
            StatusCode::UNPROCESSABLE_ENTITY | StatusCode::NOT_FOUND
        ),
        "{}",
        body.text()
    );

    assert_eq!(app.snapshot().await, before);
}
on_both!(officer_invalid_input_changes_nothing => officer_invalid_input_changes_nothing_sqlite, officer_invalid_input_changes_nothing_postgres);

async fn certificate_lifecycle_and_lookup(db: Db) {
    let app = TestApp::start(db).await;
    let (subject, officer) = subject_and_officer(&app).await;
    let oid = officer["id"].as_str().unwrap();
    let input = certificate_input(oid, "4401060100001", "1", "2024-01-01", "2099-12-31");
    let cert = app.create("certificates", &input).await;
    let cid = cert["id"].as_str().unwrap();
    assert_eq!(cert["officer_name"], "张三");
    assert_eq!(cert["subject_id"], subject["id"]);
    assert_eq!(cert["fields"], json!(["01"]));

    let by_number = app
        .get("/api/v1/certificates/by-number/4401060100001")
        .await;
    assert_eq!(by_number.status, StatusCode::OK);
    assert_eq!(by_number.json()["id"], cid);
    app.get("/api/v1/certificates/by-number/4401060199999")
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");

    let mut suspended = input.clone();
    suspended["status"] = json!("2");
    let r = app
        .put(&format!("/api/v1/certificates/{cid}"), &suspended)
        .await;
    assert_eq!(r.json()["status"], "2");
    let filtered = app
        .get_authorized("/api/v1/certificates?status=2")
        .await
        .json();
    assert_eq!(filtered["total"], 1);
    assert_eq!(
        app.get_authorized("/api/v1/certificates?status=1")
            .await
            .json()["total"],
        0
    );

    let r = app
        .post_empty(&format!("/api/v1/certificates/{cid}/deactivate"))
        .await;
    assert_eq!(r.json()["active"], false);

    let before = app.snapshot().await;
    let mut bad = certificate_input(oid, "4401069900001", "1", "2024-01-01", "2023-01-01");
    bad["fields"] = json!([]);
    let body = app
        .post("/api/v1/certificates", &bad)
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    let fields = error_fields(&body);
    for f in ["number", "valid_to", "fields"] {
        assert!(fields.contains(&f.to_string()), "{f} missing in {fields:?}");
    }
    assert_eq!(app.snapshot().await, before);
}
on_both!(certificate_lifecycle_and_lookup => certificate_lifecycle_and_lookup_sqlite, certificate_lifecycle_and_lookup_postgres);

async fn writes_need_a_valid_token(db: Db) {
    let app = TestApp::start(db).await;
    let before = app.snapshot().await;
    let body = subject_input("无令牌", 1).to_string();
    let no_token = app
        .raw(
            Method::POST,
            "/api/v1/subjects",
            None,
            Some("application/json"),
            body.clone(),
        )
        .await;
    no_token.assert_error(StatusCode::UNAUTHORIZED, "auth.token");
    assert_eq!(no_token.headers["www-authenticate"], "Bearer");
    let wrong = app
        .raw(
            Method::POST,
            "/api/v1/subjects",
            Some("wrong"),
            Some("application/json"),
            body.clone(),
        )
        .await;
    wrong.assert_error(StatusCode::UNAUTHORIZED, "auth.token");
    let put = app
        .raw(
            Method::PUT,
            "/api/v1/subjects/x",
            Some("test-token"),
            Some("application/json"),
            body,
        )
        .await;
    put.assert_error(StatusCode::UNAUTHORIZED, "auth.token");
    let deactivate = app
        .raw(
            Method::POST,
            "/api/v1/powers/x/deactivate",
            None,
            None,
            String::new(),
        )
        .await;
    deactivate.assert_error(StatusCode::UNAUTHORIZED, "auth.token");
    assert_eq!(app.snapshot().await, before);

    let closed = TestApp::builder().without_token().start(db).await;
    let r = closed
        .post("/api/v1/subjects", &subject_input("未配置令牌", 2))
        .await;
    // Without a node token only tokens from the tokens table write.
    r.assert_error(StatusCode::UNAUTHORIZED, "auth.token");
    let admin = zhifa_store::model::UserInput {
        username: "root".into(),
        display_name: "管理员".into(),
        role: "admin".into(),
        password: "long enough password".into(),
        ..Default::default()
    };
    let actor = zhifa_store::model::Actor::system("test");
    closed.store.create_user(&admin, &actor).await.unwrap();
    let (_, secret) = closed
        .store
        .create_api_token("部门系统", "root", &["write".to_string()], "test")
        .await
        .unwrap();
    let ok = closed
        .raw(
            Method::POST,
            "/api/v1/subjects",
            Some(&secret),
            Some("application/json"),
            subject_input("令牌写入", 3).to_string(),
        )
        .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.text());
    assert_eq!(
        closed.get("/api/v1/subjects").await.status,
        StatusCode::OK,
        "reads stay open"
    );
}
on_both!(writes_need_a_valid_token => writes_need_a_valid_token_sqlite, writes_need_a_valid_token_postgres);
