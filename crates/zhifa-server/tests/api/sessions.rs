//! Browser sessions and pages (F13, F14): login with cookie flags, CSRF on every form, lockout
//! after repeated failures, logout, password change, each role's home page, forms with errors
//! beside their fields, the access audit, escaping of markup and harmless search input, and the
//! public portal. Every test runs on SQLite and on PostgreSQL.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use zhifa_store::Scope;
use zhifa_store::model::{Actor, PageRequest, UserInput};

use crate::access::{PASSWORD, world};
use crate::common::{Db, TestApp, TestResponse};
use crate::fixtures::{certificate_input, uscc};

/// A browser: cookies it holds.
pub(crate) struct Browser<'a> {
    pub(crate) app: &'a TestApp,
    pub(crate) cookies: Vec<(String, String)>,
}

/// The value of the first hidden `_csrf` field of a page.
pub(crate) fn csrf_of(html: &str) -> String {
    let marker = "name=\"_csrf\" value=\"";
    let start = html.find(marker).expect("a CSRF field") + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

impl<'a> Browser<'a> {
    pub(crate) fn new(app: &'a TestApp) -> Self {
        Browser {
            app,
            cookies: Vec::new(),
        }
    }

    fn keep_cookies(&mut self, r: &TestResponse) {
        for v in r.headers.get_all(header::SET_COOKIE) {
            let v = v.to_str().unwrap();
            let (pair, _) = v.split_once(';').unwrap_or((v, ""));
            let (k, val) = pair.split_once('=').unwrap();
            self.cookies.retain(|(n, _)| n != k);
            if !val.is_empty() && !v.contains("Max-Age=0") {
                self.cookies.push((k.to_string(), val.to_string()));
            }
        }
    }

    async fn request(&mut self, method: Method, path: &str, form: Option<String>) -> TestResponse {
        let cookie = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let mut req = Request::builder().method(method).uri(path);
        if !cookie.is_empty() {
            req = req.header(header::COOKIE, cookie);
        }
        let body = match form {
            Some(f) => {
                req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
                Body::from(f)
            }
            None => Body::empty(),
        };
        let r = self.app.send(req.body(body).unwrap()).await;
        self.keep_cookies(&r);
        r
    }

    pub(crate) async fn get(&mut self, path: &str) -> TestResponse {
        self.request(Method::GET, path, None).await
    }

    pub(crate) async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> TestResponse {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        self.request(Method::POST, path, Some(body)).await
    }

    pub(crate) async fn login(&mut self, username: &str, password: &str) -> TestResponse {
        let form = self.get("/login").await;
        let csrf = csrf_of(&form.text());
        self.post(
            "/login",
            &[
                ("_csrf", &csrf),
                ("username", username),
                ("password", password),
                ("next", "/"),
            ],
        )
        .await
    }
}

async fn sessions_cookies_and_csrf(db: Db) {
    let w = world(db).await;
    let mut b = Browser::new(&w.app);
    let r = b.login("officer_a", PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let cookie = r
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.starts_with("zhifa_session="))
        .expect("session cookie");
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age="] {
        assert!(cookie.contains(flag), "{flag} missing: {cookie}");
    }
    // No TLS configured in tests: no Secure flag (it would stop the cookie over http).
    assert!(!cookie.contains("Secure"));
    let home = b.get("/").await;
    assert!(home.text().contains("执法人员工作台"), "{}", home.text());
    // The session id is stored only as a hash.
    let token = &b
        .cookies
        .iter()
        .find(|(k, _)| k == "zhifa_session")
        .unwrap()
        .1;
    let stored: (String,) = sqlx::query_as("SELECT id_hash FROM sessions LIMIT 1")
        .fetch_one(w.app.store.pool())
        .await
        .unwrap();
    assert_ne!(&stored.0, token);

    // In scope and out of scope pages.
    let mine = b.get(&format!("/officers/{}", w.officers[0])).await;
    assert_eq!(mine.status, StatusCode::OK);
    for i in [1, 2] {
        let other = b.get(&format!("/officers/{}", w.officers[i])).await;
        assert_eq!(other.status, StatusCode::NOT_FOUND);
    }

    // CSRF: missing and wrong tokens are refused with 403 and nothing is revealed.
    let path = format!("/officers/{}/personal-data", w.officers[0]);
    let missing = b.post(&path, &[]).await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    assert!(missing.text().contains("CSRF"), "{}", missing.text());
    let wrong = b.post(&path, &[("_csrf", "forged")]).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    let audit = w
        .app
        .store
        .list_access_audit(&Scope::All, PageRequest::default())
        .await
        .unwrap();
    assert_eq!(audit.total, 0);
    let no_logout = b.post("/logout", &[]).await;
    assert_eq!(no_logout.status, StatusCode::FORBIDDEN);
    // Login form without its CSRF cookie/field.
    let mut stranger = Browser::new(&w.app);
    let forged = stranger
        .post(
            "/login",
            &[("username", "officer_a"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    // The explicit reveal shows the full ID once and writes the access audit.
    let csrf = csrf_of(&mine.text());
    let revealed = b.post(&path, &[("_csrf", &csrf)]).await;
    assert_eq!(revealed.status, StatusCode::OK);
    assert!(revealed.text().contains(&crate::fixtures::citizen_id(21)));
    assert!(!mine.text().contains(&crate::fixtures::citizen_id(21)));
    let audit = w
        .app
        .store
        .list_access_audit(&Scope::All, PageRequest::default())
        .await
        .unwrap();
    assert_eq!(audit.total, 2, "citizen ID and phone");
    assert_eq!(audit.items[0].actor, "officer_a");
    assert_eq!(audit.items[0].ip.as_deref(), Some(crate::common::CLIENT_IP));
    // The officer may not read the audit; a supervisor of the region may, another may not.
    assert_eq!(b.get("/admin/audit").await.status, StatusCode::FORBIDDEN);
    let mut gz = Browser::new(&w.app);
    gz.login("sup_gz", PASSWORD).await;
    assert!(gz.get("/admin/audit").await.text().contains("officer_a"));
    let mut sz = Browser::new(&w.app);
    sz.login("sup_sz", PASSWORD).await;
    let sz_audit = sz.get("/admin/audit").await.text();
    assert!(!sz_audit.contains("officer_a"), "{sz_audit}");

    // Logout ends the session server-side.
    let csrf = csrf_of(&b.get("/").await.text());
    let out = b.post("/logout", &[("_csrf", &csrf)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let after = b.get("/officers").await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
    assert!(
        after.headers[header::LOCATION]
            .to_str()
            .unwrap()
            .starts_with("/login")
    );
}
on_both!(sessions_cookies_and_csrf => sessions_cookies_and_csrf_sqlite, sessions_cookies_and_csrf_postgres);

async fn repeated_failures_lock_the_login(db: Db) {
    let w = world(db).await;
    let mut b = Browser::new(&w.app);
    let mut statuses = Vec::new();
    for _ in 0..10 {
        statuses.push(b.login("head_a", "wrong password").await.status);
    }
    assert_eq!(statuses[0], StatusCode::UNAUTHORIZED);
    assert_eq!(statuses[4], StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");
    assert_eq!(statuses[9], StatusCode::TOO_MANY_REQUESTS);
    // Locked: even the right password is refused until the lock ends.
    let r = b.login("head_a", PASSWORD).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.text().contains("临时锁定"), "{}", r.text());
    // Other accounts are not affected; an administrator's reset lifts the lock.
    assert_eq!(
        Browser::new(&w.app)
            .login("officer_a", PASSWORD)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    w.app.store.clear_login_failures("head_a").await.unwrap();
    assert_eq!(
        b.login("head_a", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
}
on_both!(repeated_failures_lock_the_login => repeated_failures_lock_the_login_sqlite, repeated_failures_lock_the_login_postgres);

async fn home_pages_per_role(db: Db) {
    let w = world(db).await;
    for (username, title) in [
        ("officer_a", "执法人员工作台"),
        ("reviewer_a", "法制审核工作台"),
        ("head_a", "机关负责人工作台"),
        ("sup_gz", "执法监督工作台"),
        ("root", "系统管理"),
    ] {
        let mut b = Browser::new(&w.app);
        assert_eq!(
            b.login(username, PASSWORD).await.status,
            StatusCode::SEE_OTHER
        );
        let home = b.get("/").await;
        assert_eq!(home.status, StatusCode::OK);
        let html = home.text();
        assert!(html.contains(title), "{username}: {html}");
        let count = html
            .split("id=\"officer-count\">")
            .nth(1)
            .and_then(|s| s.split('<').next())
            .unwrap()
            .to_string();
        let expected = match username {
            "sup_gz" => "2",
            "root" => "3",
            _ => "1",
        };
        assert_eq!(count, expected, "{username} officer count");
    }
    // Anonymous visitors get the public home page and are sent to the login page for members'
    // pages.
    let anon = w.app.get("/officers").await;
    assert_eq!(anon.status, StatusCode::SEE_OTHER);
    assert_eq!(w.app.get("/decisions").await.status, StatusCode::OK);
}
on_both!(home_pages_per_role => home_pages_per_role_sqlite, home_pages_per_role_postgres);

async fn forms_show_errors_beside_fields(db: Db) {
    let w = world(db).await;
    let mut admin = Browser::new(&w.app);
    admin.login("root", PASSWORD).await;
    let form = admin.get("/officers/new").await;
    assert_eq!(form.status, StatusCode::OK);
    let csrf = csrf_of(&form.text());
    let before = w.app.snapshot().await;
    let r = admin
        .post(
            "/officers/new",
            &[
                ("_csrf", &csrf),
                ("name", ""),
                ("citizen_id", "440106198503120000"),
                ("subject_id", &w.subjects[0]),
                ("phone", "123"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(html.contains("id=\"error-name\""), "{html}");
    assert!(html.contains("id=\"error-citizen_id\""), "{html}");
    assert!(html.contains("id=\"error-phone\""), "{html}");
    assert_eq!(w.app.snapshot().await, before);
    // A valid form creates the officer and shows it; an officer with markup in the name
    // renders escaped on every page.
    let xss = "<script>alert(1)</script>";
    let ok = admin
        .post(
            "/officers/new",
            &[
                ("_csrf", &csrf),
                ("name", xss),
                ("citizen_id", &crate::fixtures::citizen_id(77)),
                ("subject_id", &w.subjects[0]),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text());
    let location = ok.headers[header::LOCATION].to_str().unwrap().to_string();
    let oid = location.rsplit('/').next().unwrap().to_string();
    w.app
        .store
        .create_certificate(
            &serde_json::from_value(certificate_input(
                &oid,
                "4401060100077",
                "1",
                "2024-01-01",
                "2099-12-31",
            ))
            .unwrap(),
            &Actor::system("test"),
        )
        .await
        .unwrap();
    let mut officer = Browser::new(&w.app);
    officer.login("officer_a", PASSWORD).await;
    for (who, path) in [
        ("admin", location.clone()),
        ("admin", "/officers".to_string()),
        ("officer", "/officers?q=%3Cscript".to_string()),
        ("officer", location.clone()),
        (
            "public",
            "/certificates/verify?number=4401060100077".to_string(),
        ),
    ] {
        let html = match who {
            "admin" => admin.get(&path).await.text(),
            "officer" => officer.get(&path).await.text(),
            _ => w.app.get(&path).await.text(),
        };
        assert!(!html.contains(xss), "{who} {path} unescaped");
        assert!(
            html.contains("&#60;script&#62;alert(1)&#60;/script&#62;")
                || html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{who} {path}: {html}"
        );
    }
    // An officer may not edit officers at all.
    assert_eq!(
        officer.get(&format!("{location}/edit")).await.status,
        StatusCode::FORBIDDEN
    );
}
on_both!(forms_show_errors_beside_fields => forms_show_errors_beside_fields_sqlite, forms_show_errors_beside_fields_postgres);

async fn search_input_is_data_not_sql(db: Db) {
    let w = world(db).await;
    let mut b = Browser::new(&w.app);
    b.login("officer_a", PASSWORD).await;
    for q in [
        "' OR '1'='1",
        "'; DROP TABLE officers; --",
        "%",
        "_",
        "\\",
        "人员1' --",
    ] {
        let path = format!(
            "/officers?{}",
            form_urlencoded::Serializer::new(String::new())
                .append_pair("q", q)
                .finish()
        );
        let r = b.get(&path).await;
        assert_eq!(r.status, StatusCode::OK, "{q}");
        let html = r.text();
        assert!(
            !html.contains("人员2") && !html.contains("人员3"),
            "{q} leaked"
        );
        let api = w
            .get_as(
                Some(&w.token("officer_a", &["read"]).await),
                &format!(
                    "/api/v1/officers?{}",
                    form_urlencoded::Serializer::new(String::new())
                        .append_pair("q", q)
                        .finish()
                ),
            )
            .await;
        assert_eq!(api.status, StatusCode::OK);
        assert_eq!(api.json()["total"], 0, "{q}");
        let subjects = w
            .app
            .get(&format!(
                "/subjects?{}",
                form_urlencoded::Serializer::new(String::new())
                    .append_pair("q", q)
                    .finish()
            ))
            .await;
        assert_eq!(subjects.status, StatusCode::OK);
    }
    // Still there.
    assert_eq!(
        w.app.get_authorized("/api/v1/officers").await.json()["total"],
        3
    );
}
on_both!(search_input_is_data_not_sql => search_input_is_data_not_sql_sqlite, search_input_is_data_not_sql_postgres);

async fn password_change_ends_other_sessions(db: Db) {
    let w = world(db).await;
    let mut a = Browser::new(&w.app);
    let mut other = Browser::new(&w.app);
    a.login("reviewer_a", PASSWORD).await;
    other.login("reviewer_a", PASSWORD).await;
    let csrf = csrf_of(&a.get("/account/password").await.text());
    let short = a
        .post(
            "/account/password",
            &[
                ("_csrf", &csrf),
                ("current", PASSWORD),
                ("new", "short"),
                ("confirm", "short"),
            ],
        )
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.text().contains("field-error"));
    let wrong = a
        .post(
            "/account/password",
            &[
                ("_csrf", &csrf),
                ("current", "nope"),
                ("new", "new password 2"),
                ("confirm", "new password 2"),
            ],
        )
        .await;
    assert!(wrong.text().contains("当前密码不正确"));
    let ok = a
        .post(
            "/account/password",
            &[
                ("_csrf", &csrf),
                ("current", PASSWORD),
                ("new", "new password 2"),
                ("confirm", "new password 2"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
    assert!(ok.text().contains("密码已修改"));
    assert_eq!(a.get("/").await.status, StatusCode::OK);
    assert_eq!(other.get("/officers").await.status, StatusCode::SEE_OTHER);
    assert_eq!(
        Browser::new(&w.app)
            .login("reviewer_a", "new password 2")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
}
on_both!(password_change_ends_other_sessions => password_change_ends_other_sessions_sqlite, password_change_ends_other_sessions_postgres);

async fn public_portal(db: Db) {
    let w = world(db).await;
    let verify = w
        .app
        .get("/certificates/verify?number=4401060100001")
        .await
        .text();
    assert!(verify.contains("有效"));
    assert!(verify.contains("/certificates/qr/4401060100001"));
    let qr = w.app.get("/certificates/qr/4401060100001").await;
    assert_eq!(qr.status, StatusCode::OK);
    assert_eq!(qr.headers[header::CONTENT_TYPE], "image/svg+xml");
    assert!(qr.text().starts_with("<?xml") || qr.text().contains("<svg"));
    let decisions = w.app.get("/decisions").await.text();
    assert!(decisions.contains("没有已公开的行政处罚决定"));
    let login = w.app.get("/login").await;
    assert_eq!(login.status, StatusCode::OK);
    assert!(login.text().contains("name=\"_csrf\""));
}
on_both!(public_portal => public_portal_sqlite, public_portal_postgres);

async fn sessions_end_on_expiry_and_disabling(db: Db) {
    let w = world(db).await;
    let store = &w.app.store;
    let user = store.user_by_username("head_a").await.unwrap().unwrap();
    let client = zhifa_store::ClientInfo::default();
    let expired = store
        .create_session(&user.id, chrono::Duration::seconds(-1), &client)
        .await
        .unwrap();
    assert!(store.session(&expired.token).await.unwrap().is_none());
    let live = store
        .create_session(&user.id, chrono::Duration::hours(1), &client)
        .await
        .unwrap();
    let session = store.session(&live.token).await.unwrap().expect("live");
    assert_eq!(session.csrf, live.csrf);
    assert_eq!(session.user.username, "head_a");
    store
        .deactivate_user(&user.id, &Actor::system("test"))
        .await
        .unwrap();
    assert!(store.session(&live.token).await.unwrap().is_none());
    // A disabled account cannot log in either.
    let r = Browser::new(&w.app).login("head_a", PASSWORD).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}
on_both!(sessions_end_on_expiry_and_disabling => sessions_end_on_expiry_and_disabling_sqlite, sessions_end_on_expiry_and_disabling_postgres);

async fn subject_forms_for_the_administrator(db: Db) {
    let w = world(db).await;
    let mut admin = Browser::new(&w.app);
    admin.login("root", PASSWORD).await;
    let csrf = csrf_of(&admin.get("/subjects/new").await.text());
    let before = w.app.snapshot().await;
    let bad = admin
        .post(
            "/subjects/new",
            &[
                ("_csrf", &csrf),
                ("name", "广州市海珠区市场监督管理局"),
                ("uscc", "91350100M000100Y40"),
                ("subject_type", "1"),
                ("field", "01"),
                ("level", "4"),
                ("region_code", "999999"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = bad.text();
    assert!(html.contains("id=\"error-uscc\""), "{html}");
    assert!(html.contains("id=\"error-region_code\""), "{html}");
    assert_eq!(w.app.snapshot().await, before);
    let ok = admin
        .post(
            "/subjects/new",
            &[
                ("_csrf", &csrf),
                ("name", "广州市海珠区市场监督管理局"),
                ("uscc", &uscc(9)),
                ("subject_type", "1"),
                ("field", "01"),
                ("level", "4"),
                ("region_code", "440105"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text());
    let edit = format!("/subjects/{}/edit", w.subjects[0]);
    let form = admin.get(&edit).await;
    assert!(form.text().contains("广州市天河区市场监督管理局"));
    // Only the administrator maintains subjects.
    let mut head = Browser::new(&w.app);
    head.login("head_a", PASSWORD).await;
    assert_eq!(head.get(&edit).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        head.get("/subjects/new").await.status,
        StatusCode::FORBIDDEN
    );
}
on_both!(subject_forms_for_the_administrator => subject_forms_for_the_administrator_sqlite, subject_forms_for_the_administrator_postgres);

async fn secure_cookies_behind_tls(db: Db) {
    let app = TestApp::builder().secure_cookies().start(db).await;
    let input = UserInput {
        username: "root".into(),
        display_name: "管理员".into(),
        role: "admin".into(),
        password: PASSWORD.into(),
        ..Default::default()
    };
    app.store
        .create_user(&input, &Actor::system("test"))
        .await
        .unwrap();
    let mut b = Browser::new(&app);
    let r = b.login("root", PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let cookies: Vec<String> = r
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    let session = cookies
        .iter()
        .find(|c| c.starts_with("zhifa_session="))
        .expect("session cookie");
    for flag in ["HttpOnly", "SameSite=Lax", "Secure"] {
        assert!(session.contains(flag), "{flag}: {session}");
    }
}
on_both!(secure_cookies_behind_tls => secure_cookies_behind_tls_sqlite, secure_cookies_behind_tls_postgres);

async fn administrator_disables_and_unlocks_accounts(db: Db) {
    let w = world(db).await;
    for _ in 0..5 {
        Browser::new(&w.app).login("head_a", "wrong password").await;
    }
    let mut head = Browser::new(&w.app);
    assert_eq!(
        head.login("head_a", PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    let mut officer = Browser::new(&w.app);
    officer.login("officer_a", PASSWORD).await;
    assert_eq!(
        officer.get("/admin/users").await.status,
        StatusCode::FORBIDDEN
    );
    let mut admin = Browser::new(&w.app);
    admin.login("root", PASSWORD).await;
    let list = admin.get("/admin/users").await.text();
    assert!(list.contains("锁定至"), "{list}");
    let csrf = csrf_of(&list);
    let head_id = w
        .app
        .store
        .user_by_username("head_a")
        .await
        .unwrap()
        .unwrap()
        .id;
    let officer_id = w
        .app
        .store
        .user_by_username("officer_a")
        .await
        .unwrap()
        .unwrap()
        .id;
    let refused = admin
        .post(&format!("/admin/users/{head_id}/unlock"), &[])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let unlocked = admin
        .post(
            &format!("/admin/users/{head_id}/unlock"),
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(unlocked.status, StatusCode::SEE_OTHER);
    assert_eq!(
        head.login("head_a", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    let disabled = admin
        .post(
            &format!("/admin/users/{officer_id}/disable"),
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(disabled.status, StatusCode::SEE_OTHER);
    assert!(!officer.get("/").await.text().contains("执法人员工作台"));
    assert_eq!(
        Browser::new(&w.app)
            .login("officer_a", PASSWORD)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}
on_both!(administrator_disables_and_unlocks_accounts => administrator_disables_and_unlocks_accounts_sqlite, administrator_disables_and_unlocks_accounts_postgres);
