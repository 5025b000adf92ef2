//! Access control (F13) through the API: data scopes per role (records out of scope are 404
//! on read and write), the store's scoped queries, API tokens (scopes, hashing, revocation) and
//! the change log's public part. Every test runs on SQLite and on PostgreSQL; the shared
//! `world` (agencies in two regions, accounts of every role) is used by `sessions` too.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use zhifa_store::Scope;
use zhifa_store::model::{Actor, PageRequest, UserInput};

use crate::common::{Db, TestApp, TestResponse};
use crate::fixtures::{certificate_input, officer_input, uscc};

pub(crate) const PASSWORD: &str = "correct horse 1";

/// Two agencies in 天河区 (广州, 440106), one in 南山区 (深圳, 440305); one officer with a
/// certificate in each; accounts of every role with an API token each.
pub(crate) struct World {
    pub(crate) app: TestApp,
    /// Officers: 天河 A, 天河 B, 南山 C.
    pub(crate) officers: [String; 3],
    /// Certificates of those officers.
    pub(crate) certificates: [String; 3],
    /// Subjects A, B, C.
    pub(crate) subjects: [String; 3],
}

fn subject(name: &str, n: u32, region: &str) -> Value {
    json!({
        "name": name, "uscc": uscc(n), "subject_type": "1", "field": "01", "level": "4",
        "region_code": region
    })
}

pub(crate) async fn world(db: Db) -> World {
    let app = TestApp::start(db).await;
    let mut subjects = Vec::new();
    let mut officers = Vec::new();
    let mut certificates = Vec::new();
    for (i, (name, region)) in [
        ("广州市天河区市场监督管理局", "440106"),
        ("广州市天河区城市管理和综合执法局", "440106"),
        ("深圳市南山区市场监督管理局", "440305"),
    ]
    .iter()
    .enumerate()
    {
        let n = u32::try_from(i).unwrap() + 1;
        let s = app.create("subjects", &subject(name, n, region)).await;
        let sid = s["id"].as_str().unwrap().to_string();
        let o = app
            .create(
                "officers",
                &officer_input(&sid, &format!("人员{n}"), 20 + n),
            )
            .await;
        let oid = o["id"].as_str().unwrap().to_string();
        let c = app
            .create(
                "certificates",
                &certificate_input(
                    &oid,
                    &format!("440106010000{n}"),
                    "1",
                    "2024-01-01",
                    "2099-12-31",
                ),
            )
            .await;
        subjects.push(sid);
        officers.push(oid);
        certificates.push(c["id"].as_str().unwrap().to_string());
    }
    let accounts: [(&str, &str, Option<&str>, Option<&str>); 8] = [
        ("officer_a", "officer", Some(&subjects[0]), None),
        ("reviewer_a", "reviewer", Some(&subjects[0]), None),
        ("head_a", "head", Some(&subjects[0]), None),
        ("sup_gz", "supervisor", None, Some("440100")),
        ("sup_sz", "supervisor", None, Some("440300")),
        ("sup_gd", "supervisor", None, Some("440000")),
        ("sup_th", "supervisor", None, Some("440106")),
        ("root", "admin", None, None),
    ];
    for (username, role, subject_id, region) in accounts {
        let input = UserInput {
            username: username.into(),
            display_name: format!("{username} 的姓名"),
            role: role.into(),
            subject_id: subject_id.map(Into::into),
            officer_id: None,
            region_code: region.map(Into::into),
            password: PASSWORD.into(),
        };
        app.store
            .create_user(&input, &Actor::system("test"))
            .await
            .expect("create user");
    }
    World {
        app,
        officers: officers.try_into().unwrap(),
        certificates: certificates.try_into().unwrap(),
        subjects: subjects.try_into().unwrap(),
    }
}

impl World {
    /// A fresh read+write API token of an account.
    pub(crate) async fn token(&self, username: &str, scopes: &[&str]) -> String {
        let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
        self.app
            .store
            .create_api_token("测试", username, &scopes, "test")
            .await
            .expect("token")
            .1
    }

    pub(crate) async fn get_as(&self, token: Option<&str>, path: &str) -> TestResponse {
        self.app
            .raw(Method::GET, path, token, None, String::new())
            .await
    }
}

/// Undoes a deactivation for the next account of the table (directly in the database: the
/// platform has no reactivation command).
async fn reactivate(w: &World, id: &str, input: &zhifa_store::model::CertificateInput) {
    sqlx::query("UPDATE certificates SET active = $1 WHERE id = $2")
        .bind(true)
        .bind(id)
        .execute(w.app.store.pool())
        .await
        .unwrap();
    w.app
        .store
        .update_certificate(id, input, &Actor::system("test"))
        .await
        .unwrap();
}

/// Which of the three officers (天河 A, 天河 B, 南山 C) each account may see.
const VISIBILITY: &[(&str, [bool; 3])] = &[
    ("officer_a", [true, false, false]),
    ("reviewer_a", [true, false, false]),
    ("head_a", [true, false, false]),
    ("sup_gz", [true, true, false]),
    ("sup_th", [true, true, false]),
    ("sup_sz", [false, false, true]),
    ("sup_gd", [true, true, true]),
    ("root", [true, true, true]),
];

async fn scoped_reads_and_writes(db: Db) {
    let w = world(db).await;
    for (username, visible) in VISIBILITY {
        let token = w.token(username, &["read", "write"]).await;
        let t = Some(token.as_str());
        for (i, &in_scope) in visible.iter().enumerate() {
            let expect = if in_scope {
                StatusCode::OK
            } else {
                StatusCode::NOT_FOUND
            };
            let officer = w
                .get_as(t, &format!("/api/v1/officers/{}", w.officers[i]))
                .await;
            assert_eq!(officer.status, expect, "{username} reads officer {i}");
            let cert = w
                .get_as(t, &format!("/api/v1/certificates/{}", w.certificates[i]))
                .await;
            assert_eq!(cert.status, expect, "{username} reads certificate {i}");
            let reveal = w
                .get_as(t, &format!("/api/v1/officers/{}/citizen-id", w.officers[i]))
                .await;
            assert_eq!(reveal.status, expect, "{username} reveals officer {i}");
            // Writes: a role that may not change the kind of record is refused (403, the same
            // for every id); inside the scope the write succeeds; outside it the record is not
            // found (404) and nothing changes.
            let before = w.app.snapshot().await;
            let deactivate = w
                .app
                .raw(
                    Method::POST,
                    &format!("/api/v1/certificates/{}/deactivate", w.certificates[i]),
                    t,
                    None,
                    String::new(),
                )
                .await;
            let certificate_writer =
                username.starts_with("sup_") || ["head_a", "root"].contains(username);
            let officer_writer = ["head_a", "root"].contains(username);
            if !certificate_writer {
                deactivate.assert_error(StatusCode::FORBIDDEN, "auth.role");
            } else if in_scope {
                assert_eq!(deactivate.status, StatusCode::OK, "{username} writes {i}");
                let restore: zhifa_store::model::CertificateInput =
                    serde_json::from_value(certificate_input(
                        &w.officers[i],
                        &format!("440106010000{}", i + 1),
                        "1",
                        "2024-01-01",
                        "2099-12-31",
                    ))
                    .unwrap();
                reactivate(&w, &w.certificates[i], &restore).await;
            } else {
                assert_eq!(
                    deactivate.status,
                    StatusCode::NOT_FOUND,
                    "{username} must not write certificate {i}"
                );
            }
            let n = u32::try_from(i).unwrap() + 1;
            let before_put = w.app.snapshot().await;
            let put = w
                .app
                .raw(
                    Method::PUT,
                    &format!("/api/v1/officers/{}", w.officers[i]),
                    t,
                    Some("application/json"),
                    officer_input(&w.subjects[i], &format!("人员{n}"), 20 + n).to_string(),
                )
                .await;
            match (officer_writer, in_scope) {
                (false, _) => put.assert_error(StatusCode::FORBIDDEN, "auth.role"),
                (true, true) => {
                    assert_eq!(put.status, StatusCode::OK, "{username} PUT {i}");
                    Value::Null
                }
                (true, false) => put.assert_error(StatusCode::NOT_FOUND, "not_found"),
            };
            if !in_scope {
                assert_eq!(w.app.snapshot().await, before, "{username} changed data");
                // Creating an officer in an agency outside the scope: the agency is unknown.
                let create = w
                    .app
                    .raw(
                        Method::POST,
                        "/api/v1/officers",
                        t,
                        Some("application/json"),
                        officer_input(&w.subjects[i], "越权新增", 91).to_string(),
                    )
                    .await;
                if officer_writer {
                    assert_eq!(create.status, StatusCode::UNPROCESSABLE_ENTITY);
                    assert!(create.text().contains("subject_id"), "{}", create.text());
                } else {
                    create.assert_error(StatusCode::FORBIDDEN, "auth.role");
                }
                assert_eq!(w.app.snapshot().await, before, "{username} created");
            } else if !officer_writer {
                assert_eq!(w.app.snapshot().await, before_put);
            }
        }
        let list = w.get_as(t, "/api/v1/officers").await.json();
        let expected = visible.iter().filter(|v| **v).count();
        assert_eq!(list["total"], expected, "{username} lists officers");
        let certs = w.get_as(t, "/api/v1/certificates").await.json();
        assert_eq!(certs["total"], expected, "{username} lists certificates");
    }
    // Base data of the whole node: only administrators write it.
    for username in ["head_a", "sup_gd", "officer_a"] {
        let token = w.token(username, &["read", "write"]).await;
        let r = w
            .app
            .raw(
                Method::POST,
                "/api/v1/subjects",
                Some(&token),
                Some("application/json"),
                subject("越权新增的主体", 50, "440106").to_string(),
            )
            .await;
        r.assert_error(StatusCode::FORBIDDEN, "auth.role");
    }
    // The public sees no officer records (certificate verification is the public door).
    assert_eq!(w.get_as(None, "/api/v1/officers").await.json()["total"], 0);
    let anon = w
        .get_as(None, &format!("/api/v1/officers/{}", w.officers[0]))
        .await;
    assert_eq!(anon.status, StatusCode::NOT_FOUND);
    let by_number = w
        .get_as(None, "/api/v1/certificates/by-number/4401060100001")
        .await;
    assert_eq!(by_number.status, StatusCode::OK);
    // Subjects and powers are published beforehand (APL Art. 39): anyone reads them.
    assert_eq!(w.get_as(None, "/api/v1/subjects").await.json()["total"], 3);
}
on_both!(scoped_reads_and_writes => scoped_reads_and_writes_sqlite, scoped_reads_and_writes_postgres);

async fn store_scopes_answer_not_found(db: Db) {
    let w = world(db).await;
    let store = &w.app.store;
    let agency = Scope::Agency(w.subjects[0].clone());
    assert!(store.get_officer_in(&agency, &w.officers[0]).await.is_ok());
    for (scope, i) in [
        (agency.clone(), 1),
        (agency.clone(), 2),
        (Scope::region("440100"), 2),
        (Scope::region("440300"), 0),
        (Scope::Public, 0),
    ] {
        let e = store
            .get_officer_in(&scope, &w.officers[i])
            .await
            .unwrap_err();
        assert!(
            matches!(e, zhifa_store::StoreError::NotFound { .. }),
            "{scope:?} {i}: {e}"
        );
        let e = store
            .get_certificate_in(&scope, &w.certificates[i])
            .await
            .unwrap_err();
        assert!(matches!(e, zhifa_store::StoreError::NotFound { .. }));
        let e = store
            .deactivate_officer_in(&scope, &w.officers[i], &Actor::system("t"))
            .await
            .unwrap_err();
        assert!(matches!(e, zhifa_store::StoreError::NotFound { .. }));
    }
    // A LIKE wildcard in a region prefix is literal, not a match-all.
    let wild = Scope::Region("%".into());
    assert!(store.get_officer_in(&wild, &w.officers[0]).await.is_err());
}
on_both!(store_scopes_answer_not_found => store_scopes_answer_not_found_sqlite, store_scopes_answer_not_found_postgres);

async fn api_tokens_scopes_and_revocation(db: Db) {
    let w = world(db).await;
    let read_only = w.token("root", &["read"]).await;
    let r = w
        .app
        .raw(
            Method::POST,
            &format!("/api/v1/officers/{}/deactivate", w.officers[0]),
            Some(&read_only),
            None,
            String::new(),
        )
        .await;
    r.assert_error(StatusCode::FORBIDDEN, "auth.scope");
    assert_eq!(
        w.get_as(Some(&read_only), "/api/v1/officers").await.json()["total"],
        3
    );
    // Stored as a hash, never in clear.
    let tokens = w
        .app
        .store
        .list_api_tokens(PageRequest::default())
        .await
        .unwrap();
    let row: Option<(String,)> = sqlx::query_as("SELECT token_hash FROM api_tokens LIMIT 1")
        .fetch_optional(w.app.store.pool())
        .await
        .unwrap();
    assert_ne!(row.unwrap().0, read_only);
    assert!(!format!("{:?}", tokens.items).contains(&read_only));
    let id = &tokens.items[0].id;
    w.app.store.revoke_api_token(id).await.unwrap();
    let revoked = w.get_as(Some(&read_only), "/api/v1/officers").await;
    revoked.assert_error(StatusCode::UNAUTHORIZED, "auth.token");
    let bogus = w.get_as(Some("no-such-token"), "/api/v1/officers").await;
    assert_eq!(bogus.status, StatusCode::UNAUTHORIZED);
    // The node token acts as an administrator.
    assert_eq!(
        w.app.get_authorized("/api/v1/officers").await.json()["total"],
        3
    );
}
on_both!(api_tokens_scopes_and_revocation => api_tokens_scopes_and_revocation_sqlite, api_tokens_scopes_and_revocation_postgres);

async fn change_log_of_personal_records_is_not_public(db: Db) {
    let w = world(db).await;
    let officer_log = format!("/api/v1/changes?entity=officer&entity_id={}", w.officers[0]);
    let anon = w.get_as(None, &officer_log).await;
    let body = anon.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert!(
        body.to_string().contains("changes.entity.restricted"),
        "{body}"
    );
    let everything = w.get_as(None, "/api/v1/changes").await;
    assert_eq!(everything.status, StatusCode::UNPROCESSABLE_ENTITY);
    let token = w.token("officer_a", &["read"]).await;
    assert_eq!(
        w.get_as(Some(&token), &officer_log).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let subjects = w
        .get_as(None, "/api/v1/changes?entity=subject")
        .await
        .json();
    assert_eq!(subjects["total"], 3);
    let admin = w.token("root", &["read"]).await;
    assert_eq!(
        w.get_as(Some(&admin), &officer_log).await.json()["total"],
        1
    );
}
on_both!(change_log_of_personal_records_is_not_public => change_log_of_personal_records_is_not_public_sqlite, change_log_of_personal_records_is_not_public_postgres);
