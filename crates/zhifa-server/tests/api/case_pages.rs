//! Case pages (F3/F5 UI): 案源登记 through the form, the case page's command panel showing
//! exactly the rules' commands (not-allowed ones greyed with the refusal), a refused POST
//! re-rendered with the refusal, filing by the head, documents, the ledger 验证 action without
//! JavaScript, the queues, the administrator's case rules and the portal's decision
//! verification. On SQLite and PostgreSQL.

use axum::http::StatusCode;

use crate::cases::{ago, case_world};
use crate::common::Db;
use crate::sessions::{Browser, csrf_of};

const PASSWORD: &str = "correct horse 1";

fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).expect(name) + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

async fn case_flow_through_the_pages(db: Db) {
    let w = case_world(db).await;
    let mut officer = Browser::new(&w.app);
    assert_eq!(
        officer.login("officer_t", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    let home = officer.get("/").await.text();
    assert!(home.contains("我的案件"), "{home}");
    let form = officer.get("/cases/new").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.text());
    let html = form.text();
    let csrf = csrf_of(&html);
    let key = hidden(&html, "idempotency_key");
    let on = ago(20);
    let act = ago(25);
    let fields = [
        ("_csrf", csrf.as_str()),
        ("idempotency_key", key.as_str()),
        ("on", on.as_str()),
        ("source", "2"),
        ("cause", "无照经营"),
        ("party_type", "2"),
        ("party_name", "广州某某贸易有限公司"),
        ("address", "广州市天河区体育西路 1 号"),
        ("act_date", act.as_str()),
        ("summary", "投诉举报"),
    ];
    // A missing cause is named above the form; nothing is written.
    let mut incomplete = fields.to_vec();
    incomplete.retain(|(k, _)| *k != "cause");
    let r = officer.post("/cases/new", &incomplete).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("请填写案由"));
    let r = officer.post("/cases/new", &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let location = r.headers["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/cases/"));
    // Submitting the same form twice does not register a second lead.
    let again = officer.post("/cases/new", &fields).await;
    assert_eq!(again.headers["location"].to_str().unwrap(), location);

    let page = officer.get(&location).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("（未立案）") && html.contains("广州某某贸易有限公司"));
    // Filing is offered greyed to the officer, with the refusal's article and remedy.
    let file = html
        .split("data-command=\"file_case\"")
        .nth(1)
        .expect("file_case shown");
    assert!(file.starts_with(" aria-disabled=\"true\""), "{file}");
    assert!(file.contains("机关负责人"));
    // A forced POST is refused and the page shows the refusal.
    let csrf = csrf_of(&html);
    let refused = officer
        .post(
            &format!("{location}/commands"),
            &[
                ("_csrf", &csrf),
                ("command", "file_case"),
                ("on", &on),
                ("idempotency_key", "page-file-1"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    let text = refused.text();
    assert!(
        text.contains("id=\"refusal\"") && text.contains("机关负责人"),
        "{text}"
    );
    // A timeline entry's 验证 works without JavaScript (no checkpoint signed in tests yet).
    let leaf_marker = "?verify=";
    let leaf: String = html
        .split(leaf_marker)
        .nth(1)
        .expect("verify link")
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let verified = officer
        .get(&format!("{location}?verify={leaf}"))
        .await
        .text();
    assert!(verified.contains("id=\"verification\""), "{verified}");
    assert_eq!(
        officer
            .get(&format!("{location}?verify=999999"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // The head files it from the head's queue.
    let mut head = Browser::new(&w.app);
    head.login("head_t", PASSWORD).await;
    let queue = head.get("/cases/approvals").await.text();
    assert!(queue.contains(&location), "{queue}");
    let html = head.get(&location).await.text();
    assert!(html.contains("id=\"form-file_case\""), "{html}");
    let csrf = csrf_of(&html);
    let filed = head
        .post(
            &format!("{location}/commands"),
            &[
                ("_csrf", &csrf),
                ("command", "file_case"),
                ("on", &ago(19)),
                ("idempotency_key", "page-file-2"),
            ],
        )
        .await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.text());
    let html = head.get(&location).await.text();
    assert!(html.contains("天河市监"), "case number shown: {html}");
    assert!(html.contains("立案审批表"));
    let doc = head.get(&format!("{location}/documents/filing")).await;
    assert_eq!(doc.status, StatusCode::OK);
    assert!(doc.text().contains("立案审批表") && doc.text().contains("head_t"));
    // Assigning officers: the pickers list the agency's officers with their certificates.
    let html = officer.get(&location).await.text();
    assert!(html.contains("id=\"form-assign_officers\""));
    assert!(html.contains("张执法（执法证 4401060100001）"), "{html}");
    let csrf = csrf_of(&html);
    let one = officer
        .post(
            &format!("{location}/commands"),
            &[
                ("_csrf", &csrf),
                ("command", "assign_officers"),
                ("on", &ago(19)),
                ("officers", &w.officers[0]),
                ("idempotency_key", "page-assign-1"),
            ],
        )
        .await;
    assert_eq!(one.status, StatusCode::CONFLICT);
    let text = one.text();
    assert!(text.contains("第四十二条"));
    // The refused form comes back open and filled in: the officer ticked stays ticked, the
    // date stays, and no other form is touched.
    let form = text
        .split("id=\"form-assign_officers\"")
        .nth(1)
        .and_then(|f| f.split("</form>").next())
        .expect("assign form");
    assert!(
        form.contains(&format!("value=\"{}\" checked", w.officers[0])),
        "{form}"
    );
    assert!(!form.contains(&format!("value=\"{}\" checked", w.officers[1])));
    assert!(form.contains(&format!("value=\"{}\"", ago(19))), "{form}");
    assert!(
        text.contains("data-command=\"assign_officers\" open"),
        "{text}"
    );
    let two = officer
        .post(
            &format!("{location}/commands"),
            &[
                ("_csrf", &csrf),
                ("command", "assign_officers"),
                ("on", &ago(19)),
                ("officers", &w.officers[0]),
                ("officers", &w.officers[1]),
                ("idempotency_key", "page-assign-2"),
            ],
        )
        .await;
    assert_eq!(two.status, StatusCode::SEE_OTHER, "{}", two.text());
    let list = officer.get("/cases?mine=1").await.text();
    assert!(list.contains(&location), "{list}");
    assert!(list.contains("class=\"light"), "traffic light shown");
}

on_both!(case_flow_through_the_pages => case_pages_sqlite, case_pages_postgres);

async fn on_site_rules_and_portal_pages(db: Db) {
    let w = case_world(db).await;
    let mut officer = Browser::new(&w.app);
    officer.login("officer_t", PASSWORD).await;
    let html = officer.get("/cases/on-site").await.text();
    assert!(html.contains("当场处罚") && html.contains("form class=\"stack mobile\""));
    let csrf = csrf_of(&html);
    let key = hidden(&html, "idempotency_key");
    let today = ago(0);
    // ¥500 for a citizen is beyond the Art. 51 ceiling: refused on the page.
    let base = vec![
        ("_csrf", csrf.clone()),
        ("idempotency_key", key.clone()),
        ("on", today.clone()),
        ("party_type", "1".to_string()),
        ("party_name", "李四".to_string()),
        ("place", "天河路口".to_string()),
        ("penalty_types", "03".to_string()),
        ("facts", "占道经营".to_string()),
        ("violated", "第二条".to_string()),
        ("basis", "第三条".to_string()),
        ("officers", w.officers[0].clone()),
        ("officers", w.officers[1].clone()),
        ("party_signed", "on".to_string()),
    ];
    let mut high = base.clone();
    high.push(("fine_yuan", "500".to_string()));
    let pairs: Vec<(&str, &str)> = high.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = officer.post("/cases/on-site", &pairs).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    let text = r.text();
    assert!(text.contains("第五十一条"), "{text}");
    // Nothing typed is lost: the amount, the facts, the penalty type and both officers.
    for filled in [
        "name=\"fine_yuan\" inputmode=\"decimal\" value=\"500\"".to_string(),
        "name=\"facts\" rows=\"2\">占道经营</textarea>".to_string(),
        "name=\"penalty_types\" value=\"03\" checked".to_string(),
        format!("value=\"{}\" checked", w.officers[0]),
        format!("value=\"{}\" checked", w.officers[1]),
        "name=\"party_signed\" value=\"on\" checked".to_string(),
        "name=\"place\" value=\"天河路口\"".to_string(),
    ] {
        assert!(text.contains(&filled), "{filled} missing: {text}");
    }
    assert!(!text.contains("name=\"collected_on_spot\" value=\"on\" checked"));
    let mut ok = base.clone();
    ok.push(("fine_yuan", "50".to_string()));
    ok[1].1 = "on-site-2".to_string();
    let pairs: Vec<(&str, &str)> = ok.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = officer.post("/cases/on-site", &pairs).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let location = r.headers["location"].to_str().unwrap().to_string();
    let html = officer.get(&location).await.text();
    assert!(
        html.contains("简易程序") && html.contains("当场行政处罚决定书"),
        "{html}"
    );
    let doc = officer
        .get(&format!("{location}/documents/on_spot"))
        .await
        .text();
    assert!(
        doc.contains("当场行政处罚决定书") && doc.contains("50.00 元"),
        "{doc}"
    );

    // Case rules: only administrators; defaults are marked.
    assert_eq!(
        officer.get("/admin/case-rules").await.status,
        StatusCode::FORBIDDEN
    );
    let mut admin = Browser::new(&w.app);
    admin.login("admin_t", PASSWORD).await;
    let html = admin.get("/admin/case-rules").await.text();
    assert!(html.contains("法制审核罚款数额标准（公民）") && html.contains("默认"));
    assert!(!html.contains("已调整"));
    let csrf = csrf_of(&html);
    let mut fields: Vec<(String, String)> = Vec::new();
    for part in html.split("<input id=\"rule-").skip(1) {
        let name = part.split('"').next().unwrap().to_string();
        let value = hidden(part, &name);
        fields.push((name, value));
    }
    assert_eq!(fields.len(), 30);
    for f in &mut fields {
        if f.0 == "review_fine_citizen" {
            f.1 = "5000.00".to_string();
        }
    }
    let mut pairs: Vec<(&str, &str)> = vec![("_csrf", csrf.as_str())];
    pairs.extend(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let r = admin.post("/admin/case-rules", &pairs).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let html = admin.get("/admin/case-rules?saved=1").await.text();
    assert!(
        html.contains("已调整") && html.contains("value=\"5000.00\""),
        "{html}"
    );
    let rules = w.app.store.case_rules().await.unwrap();
    assert_eq!(rules.review_fine_citizen, 500_000);

    // Portal: an unknown verification code is reported as not found.
    let v = w.app.get("/decisions/verify?code=00ff").await;
    assert_eq!(v.status, StatusCode::OK);
    assert!(v.text().contains("data-verified=\"false\""), "{}", v.text());
    assert!(
        w.app
            .get("/decisions/verify")
            .await
            .text()
            .contains("决定书验证")
    );
}

on_both!(on_site_rules_and_portal_pages => on_site_rules_portal_sqlite, on_site_rules_portal_postgres);
