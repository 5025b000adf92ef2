//! The supervisor's view of the numbers (F11/F14): the `/supervision` drill-down with its
//! breadcrumbs, tiles and SVG charts; CSV and XLSX downloads; the effectiveness evaluation;
//! the annual statistics (D5); the JSON API; the indicator configuration (administrators);
//! refusals for other roles and for regions outside a supervisor's scope. On SQLite and
//! PostgreSQL.

use axum::http::{Method, StatusCode};
use calamine::{Data, Reader, Xlsx};
use chrono::Datelike;
use serde_json::json;
use zhifa_store::model::{Actor, UserInput};

use crate::cases::{CaseWorld, ago, case_world, today};
use crate::common::{Db, TestResponse};
use crate::sessions::{Browser, csrf_of};

const PASSWORD: &str = "correct horse 1";

/// A supervisor account of a region, with a read token.
async fn supervisor(w: &CaseWorld, username: &str, region: &str) -> String {
    let input = UserInput {
        username: username.into(),
        display_name: format!("{username} 的姓名"),
        role: "supervisor".into(),
        subject_id: None,
        officer_id: None,
        region_code: Some(region.into()),
        password: PASSWORD.into(),
    };
    w.app
        .store
        .create_user(&input, &Actor::system("test"))
        .await
        .expect("supervisor");
    w.app
        .store
        .create_api_token("监督", username, &["read".to_string()], "test")
        .await
        .expect("token")
        .1
}

/// A lead (20 days ago) and an on-the-spot decision of ¥1,234.56 (5 days ago) in 天河, an
/// open alert for it; returns the two case ids.
async fn some_cases(w: &CaseWorld) -> (String, String) {
    let lead = w.lead("sv-lead", Some("天河路 1 号")).await;
    let spot = w.on_spot("sv-spot", &ago(5)).await;
    sqlx::query(
        "INSERT INTO supervision_alerts (id, rule_id, rule_name, citation, severity, dedupe_key, \
         agency_id, agency_name, region_code, field, message, facts, status, escalation, \
         raised_at, raised_on, version, updated_at) VALUES ('a1', 'R01', '超期未决定', \
         '《行政处罚法》第六十条', 'high', 'd1', $1, '广州市天河区市场监督管理局', '440106', '01', \
         '测试', '{}', 'open', 0, $2, $3, 1, $2)",
    )
    .bind(w.agency.clone())
    .bind(format!("{}T09:00:00.000+08:00", ago(3)))
    .bind(ago(3))
    .execute(w.app.store.pool())
    .await
    .expect("alert");
    (lead, spot)
}

/// The last 60 days, as address parameters.
fn period() -> String {
    format!("from={}&to={}", ago(60), today())
}

fn ok(r: &TestResponse, what: &str) -> String {
    assert_eq!(r.status, StatusCode::OK, "{what}: {}", r.text());
    r.text()
}

fn xlsx_cell(bytes: &[u8], sheet: &str, row: u32, col: u32) -> Data {
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("xlsx");
    let range = book.worksheet_range(sheet).expect("sheet");
    range.get_value((row, col)).cloned().unwrap_or(Data::Empty)
}

/// A complaint about a shop in 天河 (market regulation), filed by the public and routed to the
/// world's agency: it counts in the statistics and the complaint-rate indicator (投诉率).
async fn complaint(w: &crate::cases::CaseWorld) {
    let r = crate::complaints::public_post(
        &w.app,
        "/api/v1/complaints",
        &crate::complaints::intake_body("440106"),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["status"], "routed", "{}", r.text());
}

async fn supervisor_drills_down_and_downloads(db: Db) {
    let w = case_world(db).await;
    supervisor(&w, "super_gz", "440100").await;
    let (lead, spot) = some_cases(&w).await;
    complaint(&w).await;
    let mut b = Browser::new(&w.app);
    assert_eq!(
        b.login("super_gz", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    // The workbench links to the dashboard and shows this year's figures.
    let home = ok(&b.get("/").await, "home");
    assert!(home.contains("id=\"nav-supervision\"") && home.contains("id=\"supervision-link\""));
    assert!(home.contains("本年度辖区执法概况"), "{home}");

    // City level: counties, 天河 with its figures and a link one level down.
    let p = period();
    let city = ok(&b.get(&format!("/supervision?{p}")).await, "city");
    assert!(city.contains("执法监督统计：广东省广州市"), "{city}");
    assert!(city.contains("aria-current=\"page\">广州市</span>"));
    let tianhe = format!(
        "/supervision?from={}&#38;to={}&#38;region=440106",
        ago(60),
        today()
    );
    assert!(city.contains(&tianhe), "drill link to 天河: {city}");
    assert!(city.contains("越秀区"), "every county listed");
    for chart in [
        "chart-trend-title",
        "chart-breakdown-title",
        "chart-fields-title",
        "chart-rules-title",
    ] {
        assert!(city.contains(chart), "{chart}");
    }
    assert!(city.contains("role=\"img\""));
    assert!(!city.contains("<script"), "no JavaScript");
    // Tiles: two cases received, one decision of ¥1,234.56, one open alert.
    let tiles = city.split("id=\"tiles\"").nth(1).unwrap();
    assert!(
        tiles.contains("<span class=\"num\">2</span>受理"),
        "{tiles}"
    );
    assert!(tiles.contains("<span class=\"num\">1</span>作出决定"));
    assert!(tiles.contains("1234.56 元"));
    assert!(tiles.contains("未销号 1"));

    // County level: agencies; then the agency with its cases.
    let county = ok(&b.get(&tianhe.replace("&#38;", "&")).await, "county");
    assert!(county.contains("<a href=\"/supervision?from="));
    assert!(county.contains("广州市</a>"), "breadcrumb back to the city");
    let agency_link = format!("agency={}", w.agency);
    assert!(county.contains(&agency_link), "{county}");
    let agency = ok(
        &b.get(&format!("/supervision?{p}&agency={}", w.agency))
            .await,
        "agency",
    );
    assert!(agency.contains("aria-current=\"page\">广州市天河区市场监督管理局</span>"));
    assert!(
        agency.contains(&format!("/cases/{lead}")) && agency.contains(&format!("/cases/{spot}"))
    );
    assert!(agency.contains(&format!("/cases?agency_id={}", w.agency)));
    let list = ok(
        &b.get(&format!("/cases?agency_id={}", w.agency)).await,
        "cases",
    );
    assert!(list.contains(&format!("/cases/{spot}")));

    // Outside the supervisor's region: not found, like any record outside a scope.
    for path in [
        format!("/supervision?{p}&region=440305"),
        format!("/supervision?{p}&region=440000"),
        "/supervision/annual?region=440305".to_string(),
    ] {
        assert_eq!(b.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    // A bad period is named.
    let bad = b.get("/supervision?from=2026-05-01&to=2026-04-01").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    // CSV: BOM, title, the overview with its figures.
    let csv = b.get(&format!("/supervision.csv?{p}")).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        csv.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("filename*=UTF-8''")
    );
    assert!(csv.body.starts_with(&[0xef, 0xbb, 0xbf]));
    let text = csv.text();
    assert!(text.contains("广东省广州市执法监督统计"), "{text}");
    assert!(text.contains("\r\n受理,2\r\n"), "{text}");
    assert!(text.contains("\r\n罚款（元）,1234.56\r\n"));
    assert!(text.contains("\r\n投诉举报,1\r\n"), "{text}");
    assert!(text.contains("天河区,1,0,2,"), "the county row: {text}");
    // XLSX: the same figures as numbers.
    let xlsx = b.get(&format!("/supervision.xlsx?{p}")).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert_eq!(
        xlsx.headers["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert_eq!(
        xlsx_cell(&xlsx.body, "概况", 5, 0),
        Data::String("受理".into())
    );
    assert_eq!(xlsx_cell(&xlsx.body, "概况", 5, 1), Data::Float(2.0));
    assert_eq!(xlsx_cell(&xlsx.body, "概况", 8, 1), Data::Float(1234.56));
    assert_eq!(
        xlsx_cell(&xlsx.body, "按地区", 2, 0),
        Data::String("单位".into())
    );

    // Effectiveness evaluation: ranking, formulas with their inputs, the trend chart.
    let ind = ok(
        &b.get(&format!("/supervision/indicators?{p}&region=440106"))
            .await,
        "indicators",
    );
    assert!(ind.contains("id=\"ranking\"") && ind.contains("广州市天河区市场监督管理局"));
    assert!(ind.contains("裁量合规率 = (1 − 超出裁量基准的决定数 ÷ 作出决定数) × 100%"));
    assert!(
        !ind.contains("不适用：投诉举报数未接入本统计"),
        "complaints are counted: {ind}"
    );
    assert!(ind.contains("chart-score-trend-title") && ind.contains("chart-ranking-title"));
    let unit = ok(
        &b.get(&format!(
            "/supervision/indicators?{p}&region=440106&by=agencies&unit={}",
            w.agency
        ))
        .await,
        "unit",
    );
    assert!(unit.contains("class=\"selected\""));
    assert!(unit.contains("公示率 = 已公示的决定数 ÷ 作出决定数 × 100%"));
    assert!(unit.contains("= 0 ÷ 1 × 100% = 0.0%，得分 0.0"), "{unit}");

    // Annual statistics of the year of the decision: page and downloads.
    let year = (today() - chrono::Duration::days(5)).year();
    let annual = ok(
        &b.get(&format!("/supervision/annual?year={year}")).await,
        "annual",
    );
    for text in [
        "行政许可",
        "行政处罚",
        "行政强制",
        "行政征收",
        "行政征用",
        "行政检查",
        "未掌握",
    ] {
        assert!(annual.contains(text), "{text}");
    }
    assert!(annual.contains("本节点不掌握该类行政执法行为的办理数据"));
    let csv = b
        .get(&format!("/supervision/annual.csv?year={year}"))
        .await
        .text();
    assert!(csv.contains("行政处罚,作出行政处罚决定数,1,"), "{csv}");
    assert!(csv.contains("行政处罚,其中：当场处罚（简易程序）,1,"));
    assert!(csv.contains("行政处罚,罚款金额（元）,1234.56,"));
    assert!(csv.contains("行政许可,办理数量,未掌握,"));
    let xlsx = b
        .get(&format!("/supervision/annual.xlsx?year={year}"))
        .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert_eq!(
        xlsx_cell(&xlsx.body, "年度统计", 9, 1),
        Data::String("罚款金额（元）".into())
    );
    assert_eq!(
        xlsx_cell(&xlsx.body, "年度统计", 9, 2),
        Data::Float(1234.56)
    );
    assert_eq!(
        xlsx_cell(&xlsx.body, "分执法主体", 3, 0),
        Data::String("广州市天河区市场监督管理局".into())
    );
}
on_both!(supervisor_drills_down_and_downloads =>
    supervisor_drills_down_and_downloads_sqlite, supervisor_drills_down_and_downloads_postgres);

async fn other_roles_are_refused(db: Db) {
    let w = case_world(db).await;
    let mut officer = Browser::new(&w.app);
    officer.login("officer_t", PASSWORD).await;
    for path in [
        "/supervision",
        "/supervision.csv",
        "/supervision.xlsx",
        "/supervision/indicators",
        "/supervision/annual",
        "/supervision/annual.xlsx",
        "/supervision/indicators/config",
    ] {
        assert_eq!(
            officer.get(path).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    let home = officer.get("/").await.text();
    assert!(!home.contains("id=\"nav-supervision\""));
    // Not signed in: to the login page.
    let anonymous = w.app.get("/supervision").await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    // The API: other roles and the public get 403.
    w.get(&w.head, "/api/v1/supervision/stats")
        .await
        .assert_error(StatusCode::FORBIDDEN, "auth.role");
    w.app
        .get("/api/v1/supervision/indicators")
        .await
        .assert_error(StatusCode::FORBIDDEN, "auth.role");
}
on_both!(other_roles_are_refused =>
    supervision_other_roles_are_refused_sqlite, supervision_other_roles_are_refused_postgres);

async fn put_tree(w: &CaseWorld, token: &str, tree: &serde_json::Value) -> TestResponse {
    w.app
        .raw(
            Method::PUT,
            "/api/v1/settings/indicators",
            Some(token),
            Some("application/json"),
            tree.to_string(),
        )
        .await
}

async fn the_api_answers_within_the_scope(db: Db) {
    let w = case_world(db).await;
    let token = supervisor(&w, "super_gz", "440100").await;
    let sz = supervisor(&w, "super_sz", "440300").await;
    some_cases(&w).await;
    complaint(&w).await;
    let p = period();
    let s = w
        .get(&token, &format!("/api/v1/supervision/stats?{p}"))
        .await;
    assert_eq!(s.status, StatusCode::OK, "{}", s.text());
    let s = s.json();
    assert_eq!(s["target"]["prefix"], "4401");
    assert_eq!(s["totals"]["received"], 2);
    assert_eq!(s["totals"]["decided"], 1);
    assert_eq!(s["totals"]["fine"], 123_456);
    assert_eq!(s["totals"]["alerts_open"], 1);
    assert_eq!(s["totals"]["complaints"], 1);
    assert_eq!(s["by"], "regions");
    let th = s["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "440106")
        .unwrap();
    assert_eq!(th["metrics"]["received"], 2);
    assert_eq!(s["alerts_by_rule"][0]["rule_name"], "超期未决定");
    // 深圳's supervisor sees none of it; asking for 天河 is not found.
    let other = w
        .get(&sz, &format!("/api/v1/supervision/stats?{p}"))
        .await
        .json();
    assert_eq!(other["totals"]["received"], 0);
    w.get(&sz, &format!("/api/v1/supervision/stats?{p}&region=440106"))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    w.get(&token, "/api/v1/supervision/stats?by=people")
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "stats.by");

    let ind = w
        .get(
            &token,
            &format!("/api/v1/supervision/indicators?{p}&by=agencies"),
        )
        .await;
    assert_eq!(ind.status, StatusCode::OK, "{}", ind.text());
    let ind = ind.json();
    assert_eq!(ind["by"], "agencies");
    assert_eq!(ind["ranking"][0]["key"], w.agency.as_str());
    assert_eq!(ind["ranking"][0]["rank"], 1);
    let nodes = ind["unit"]["evaluation"]["nodes"].as_array().unwrap();
    let publication = nodes.iter().find(|n| n["id"] == "publication").unwrap();
    assert_eq!(publication["numerator"], 0);
    assert_eq!(publication["denominator"], 1);
    assert_eq!(publication["score"], 0.0);
    let complaints = nodes.iter().find(|n| n["id"] == "complaint_rate").unwrap();
    assert!(
        complaints["score"].as_f64().is_some(),
        "the complaint rate is scored: {complaints}"
    );
    assert!(!ind["unit"]["trend"].as_array().unwrap().is_empty());

    // The indicator tree: supervisors read, administrators replace (checked, logged).
    let tree = w.get(&token, "/api/v1/settings/indicators").await;
    assert_eq!(tree.status, StatusCode::OK);
    let mut tree = tree.json();
    tree["indicators"][0]["weight"] = json!(30);
    put_tree(&w, &w.officer, &tree)
        .await
        .assert_error(StatusCode::FORBIDDEN, "auth.role");
    let refused = put_tree(&w, &w.admin, &tree).await;
    let body = refused.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(body["error"]["fields"][0]["code"], "indicators.weight_sum");
    tree["indicators"][1]["weight"] = json!(30);
    let saved = put_tree(&w, &w.admin, &tree).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text());
    let again = w.get(&token, "/api/v1/settings/indicators").await.json();
    assert_eq!(again["indicators"][0]["weight"], 30);
}
on_both!(the_api_answers_within_the_scope =>
    supervision_api_answers_within_the_scope_sqlite, supervision_api_answers_within_the_scope_postgres);

async fn administrators_edit_the_indicator_tree(db: Db) {
    let w = case_world(db).await;
    supervisor(&w, "super_gz", "440100").await;
    let mut admin = Browser::new(&w.app);
    admin.login("admin_t", PASSWORD).await;
    let form = ok(&admin.get("/supervision/indicators/config").await, "config");
    assert!(form.contains("id=\"indicator-config\""));
    assert!(form.contains("weight = 35"), "the documented default");
    let csrf = csrf_of(&form);
    let default = zhifa_store::indicators::DEFAULT_TOML;
    let bad = default.replacen("weight = 35", "weight = 36", 1);
    let r = admin
        .post(
            "/supervision/indicators/config",
            &[("_csrf", csrf.as_str()), ("toml", bad.as_str())],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .contains("第一级指标的下级指标权重之和为 101，应为 100"),
        "{}",
        r.text()
    );
    let good =
        default
            .replacen("weight = 35", "weight = 30", 1)
            .replacen("weight = 25", "weight = 30", 1);
    let r = admin
        .post(
            "/supervision/indicators/config",
            &[("_csrf", csrf.as_str()), ("toml", good.as_str())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let shown = ok(
        &admin.get("/supervision/indicators/config?saved=1").await,
        "saved",
    );
    assert!(shown.contains("id=\"saved\"") && shown.contains("weight = 30"));
    // Supervisors read it but cannot change it.
    let mut sup = Browser::new(&w.app);
    sup.login("super_gz", PASSWORD).await;
    let view = ok(
        &sup.get("/supervision/indicators/config").await,
        "read only",
    );
    assert!(!view.contains("id=\"indicator-config\""));
    let csrf = csrf_of(&view);
    let r = sup
        .post(
            "/supervision/indicators/config",
            &[("_csrf", csrf.as_str()), ("toml", default)],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}
on_both!(administrators_edit_the_indicator_tree =>
    supervision_indicator_tree_edit_sqlite, supervision_indicator_tree_edit_postgres);
