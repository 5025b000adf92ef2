//! Reference endpoints: health, data standard, identifier checks, calendar, regions, and the
//! API documentation itself.

use axum::http::StatusCode;
use serde_json::Value;

use crate::common::{Db, TestApp, error_fields};

async fn health_and_regions(db: Db) {
    let app = TestApp::start(db).await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.json(), serde_json::json!({ "status": "ok" }));

    let tianhe = app.get("/api/v1/regions/440106").await.json();
    assert_eq!(tianhe["name"], "天河区");
    assert_eq!(tianhe["level"], "county");
    assert_eq!(tianhe["parent"], "440100");
    let districts = app
        .get("/api/v1/regions?parent=440100&limit=500")
        .await
        .json();
    assert_eq!(districts["total"], 11, "广州市 has 11 districts");
    let provinces = app
        .get("/api/v1/regions?level=province&limit=5")
        .await
        .json();
    assert_eq!(provinces["total"], 31);
    assert_eq!(provinces["items"].as_array().unwrap().len(), 5);
    let named = app
        .get("/api/v1/regions?q=%E5%A4%A9%E6%B2%B3&level=county")
        .await
        .json();
    assert!(
        named["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["code"] == "440106")
    );
    app.get("/api/v1/regions/999999")
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
}
on_both!(health_and_regions => health_and_regions_sqlite, health_and_regions_postgres);

#[tokio::test]
async fn data_standard_is_published() {
    let app = TestApp::start(Db::Sqlite).await;
    let standard = app.get("/api/v1/standard").await.json();
    assert!(standard["code_sets"].as_array().unwrap().len() > 10);
    assert!(standard["elements"].as_array().is_some());
    let fields = app
        .get("/api/v1/standard/code-sets/enforcement_field")
        .await
        .json();
    assert_eq!(fields["name_zh"], "执法领域");
    assert_eq!(fields["codes"][0]["code"], "01");
    assert_eq!(fields["codes"][0]["name_zh"], "市场监管");
}

#[tokio::test]
async fn exchange_schemas_are_published() {
    let app = TestApp::start(Db::Sqlite).await;
    let case = app.get("/api/v1/standard/schema/case").await;
    assert_eq!(case.status, StatusCode::OK);
    let case = case.json();
    assert_eq!(case["$id"], "urn:zhifa:exchange:v1:case");
    assert_eq!(case["properties"]["record_type"]["const"], "case");
    assert_eq!(
        case["properties"]["procedure"]["enum"],
        serde_json::json!(["1", "2", "3"])
    );
    assert_eq!(case["properties"]["filed_on"]["format"], "date");
    let required = case["required"].as_array().unwrap();
    for key in ["source_system", "source_id", "agency_uscc", "case_no"] {
        assert!(required.iter().any(|r| r == key), "{key} required");
    }
    let v1 = app
        .get("/api/v1/standard/schema/decision?version=v1")
        .await
        .json();
    assert_eq!(v1["properties"]["fine_fen"]["anyOf"][0]["type"], "integer");

    let unknown = app.get("/api/v1/standard/schema/invoice").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let unknown = unknown.json();
    assert!(
        unknown["error"]["message"]
            .as_str()
            .unwrap()
            .contains("inspection（行政检查）"),
        "{unknown}"
    );
    let bad_version = app.get("/api/v1/standard/schema/case?version=v9").await;
    assert_eq!(bad_version.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&bad_version.json()), ["version"]);

    let doc = app.get("/api/v1/openapi.json").await.json();
    assert!(doc["paths"]["/api/v1/standard/schema/{record_type}"]["get"].is_object());
}

#[tokio::test]
async fn identifiers_are_checked() {
    let app = TestApp::start(Db::Sqlite).await;
    let uscc = app
        .get("/api/v1/check/uscc/91350100m000100y43")
        .await
        .json();
    assert_eq!(uscc["valid"], true, "{uscc}");
    assert_eq!(uscc["normalized"], "91350100M000100Y43");
    assert_eq!(uscc["details"]["region_code"], "350100");
    assert_eq!(uscc["details"]["region_name"], "福建省福州市");

    let bad = app.get("/api/v1/check/uscc/91350100M000100Y44").await;
    assert_eq!(bad.status, StatusCode::OK);
    let bad = bad.json();
    assert_eq!(bad["valid"], false);
    assert_eq!(bad["error"]["rule"], "GB 32100-2015");
    assert!(bad["error"]["code"].as_str().unwrap().starts_with("uscc."));
    assert!(
        bad["error"]["message"]
            .as_str()
            .unwrap()
            .contains("统一社会信用代码")
    );

    let id = app
        .get("/api/v1/check/idcard/11010519491231002x")
        .await
        .json();
    assert_eq!(id["valid"], true, "{id}");
    assert_eq!(id["normalized"], "11010519491231002X");
    assert_eq!(id["details"]["birth_date"], "1949-12-31");
    assert_eq!(id["details"]["sex"], "女");
    assert_eq!(id["details"]["region_name"], "北京市朝阳区");
    let id = app
        .get("/api/v1/check/idcard/110105194912310021")
        .await
        .json();
    assert_eq!(id["valid"], false);

    let region = app.get("/api/v1/check/region/440106").await.json();
    assert_eq!(region["valid"], true);
    assert_eq!(region["details"]["region_name"], "广东省广州市天河区");
    assert_eq!(region["details"]["level"], "county");
    let region = app.get("/api/v1/check/region/449999").await.json();
    assert_eq!(
        (region["valid"].clone(), region["error"]["code"].clone()),
        (Value::Bool(false), "region.unknown".into())
    );

    let cert = app.get("/api/v1/check/cert_no/4401060100001").await.json();
    assert_eq!(cert["valid"], true, "{cert}");
    assert_eq!(cert["details"]["field_name"], "市场监管");
    assert_eq!(cert["details"]["sequence"], 1);
    let cert = app.get("/api/v1/check/cert_no/4401069900001").await.json();
    assert_eq!(cert["error"]["code"], "cert_no.field");
}

#[tokio::test]
async fn calendar_answers_in_working_days() {
    let app = TestApp::start(Db::Sqlite).await;
    let holiday = app.get("/api/v1/calendar/day?date=2024-10-01").await.json();
    assert_eq!(holiday["working_day"], false);
    assert_eq!(holiday["provisional"], false);
    assert_eq!(holiday["festival"], "National Day");
    let makeup = app
        .get("/api/v1/calendar/day?date=2024%E5%B9%B49%E6%9C%8829%E6%97%A5")
        .await
        .json();
    assert_eq!(
        (makeup["date"].clone(), makeup["working_day"].clone()),
        ("2024-09-29".into(), Value::Bool(true))
    );
    assert_eq!(makeup["weekday"], "星期日");
    assert_eq!(
        app.get("/api/v1/calendar/day?date=2031-01-06").await.json()["provisional"],
        true
    );

    let five = app
        .get("/api/v1/calendar/add?date=2024-09-30&days=5")
        .await
        .json();
    assert_eq!(
        five["deadline"], "2024-10-12",
        "make-up Saturday counts (APL Art. 85)"
    );
    let rolled = app
        .get("/api/v1/calendar/add?date=2024-09-20&days=11&unit=calendar")
        .await
        .json();
    assert_eq!(rolled["deadline"], "2024-10-08");
    assert_eq!(rolled["rolled_from"], "2024-10-01");

    let between = app
        .get("/api/v1/calendar/between?from=2024-09-30&to=2024-10-14")
        .await
        .json();
    assert_eq!(between["working_days"], 6);

    let body = app
        .get("/api/v1/calendar/day?date=2024-02-30")
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(error_fields(&body), ["date"]);
    assert_eq!(body["error"]["fields"][0]["code"], "date.format");
    let body = app
        .get("/api/v1/calendar/between?from=2024-01-01&to=tomorrow")
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation");
    assert_eq!(error_fields(&body), ["to"]);
    let body = app
        .get("/api/v1/calendar/add?date=2024-01-01")
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "query.invalid");
    assert_eq!(error_fields(&body), ["days"]);
    let body = app
        .get("/api/v1/calendar/add?date=2024-01-01&days=-3")
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "query.invalid");
    assert_eq!(error_fields(&body), ["days"]);
    let body = app
        .get("/api/v1/calendar/add?date=2024-01-01&days=5&unit=weeks")
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "query.invalid");
    assert_eq!(error_fields(&body), ["unit"]);
    app.get("/api/v1/calendar/add?date=2024-01-01&days=99999")
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "calendar.days");
}

#[tokio::test]
async fn openapi_document_lists_every_route() {
    let app = TestApp::start(Db::Sqlite).await;
    let doc = app.get("/api/v1/openapi.json").await;
    assert_eq!(doc.status, StatusCode::OK);
    let doc = doc.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "/healthz",
        "/api/v1/standard",
        "/api/v1/standard/code-sets/{id}",
        "/api/v1/standard/schema/{record_type}",
        "/api/v1/check/{kind}/{value}",
        "/api/v1/calendar/day",
        "/api/v1/calendar/add",
        "/api/v1/calendar/between",
        "/api/v1/regions",
        "/api/v1/regions/{code}",
        "/api/v1/subjects",
        "/api/v1/subjects/{id}",
        "/api/v1/subjects/{id}/deactivate",
        "/api/v1/officers/{id}/citizen-id",
        "/api/v1/certificates/by-number/{number}",
        "/api/v1/powers/{id}",
        "/api/v1/benchmarks/{id}/deactivate",
        "/api/v1/laws",
        "/api/v1/laws/{id}/articles",
        "/api/v1/articles/{id}",
        "/api/v1/changes",
        "/api/v1/ledger/keys",
        "/api/v1/ledger/checkpoint",
        "/api/v1/ledger/proof/inclusion",
        "/api/v1/ledger/proof/consistency",
        "/api/v1/evidence",
        "/api/v1/evidence/{sm3}",
        "/api/v1/cases",
        "/api/v1/cases/{id}",
        "/api/v1/cases/{id}/commands",
        "/api/v1/cases/{id}/documents/{kind}",
        "/api/v1/settings/case-rules",
        "/api/v1/outbox",
        "/api/v1/outbox/consumers",
        "/api/v1/outbox/consumers/{id}",
        "/api/v1/outbox/deliveries",
        "/api/v1/outbox/deliveries/{id}",
        "/api/v1/outbox/deliveries/{id}/retry",
        "/api/v1/supervision/alerts",
        "/api/v1/supervision/alerts/{id}",
        "/api/v1/supervision/alerts/{id}/history",
        "/api/v1/supervision/alerts/{id}/actions",
        "/api/v1/supervision/rules",
        "/api/v1/supervision/sweep",
        "/api/v1/complaints",
        "/api/v1/complaints/track",
        "/api/v1/complaints/counts",
        "/api/v1/complaints/{id}",
        "/api/v1/complaints/{id}/{action}",
        "/api/v1/settings/complaint-rules",
        "/api/v1/supervision/stats",
        "/api/v1/supervision/indicators",
        "/api/v1/settings/indicators",
        "/api/v1/imports",
        "/api/v1/imports/{id}",
        "/api/v1/imports/{id}/report.csv",
    ] {
        assert!(paths.contains_key(path), "{path} not documented");
    }
    assert_eq!(
        paths.len(),
        67,
        "documented paths: {:?}",
        paths.keys().collect::<Vec<_>>()
    );

    let list = &paths["/api/v1/subjects"]["get"];
    let params: Vec<(&str, &str)> = list["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].as_str().unwrap(), p["in"].as_str().unwrap()))
        .collect();
    for name in [
        "region",
        "field",
        "q",
        "include_inactive",
        "offset",
        "limit",
    ] {
        assert!(
            params.contains(&(name, "query")),
            "{name} missing in {params:?}"
        );
    }
    let create = &paths["/api/v1/subjects"]["post"];
    assert!(
        create["requestBody"]["content"]["application/json"]["schema"]
            .to_string()
            .contains("SubjectInput")
    );
    for status in ["201", "400", "401", "413", "415", "422"] {
        assert!(
            create["responses"].get(status).is_some(),
            "POST /subjects lacks {status}"
        );
    }
    assert!(create["responses"]["422"].to_string().contains("ErrorBody"));
    assert!(create["security"].to_string().contains("api_token"));
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for schema in [
        "ErrorBody",
        "ErrorDetail",
        "FieldErrorBody",
        "Subject",
        "BenchmarkInput",
        "CheckResult",
    ] {
        assert!(schemas.contains_key(schema), "schema {schema} missing");
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["api_token"]["scheme"],
        "bearer"
    );
}

#[tokio::test]
async fn swagger_ui_is_served_offline() {
    let app = TestApp::start(Db::Sqlite).await;
    let redirect = app.get("/api/docs").await;
    assert!(redirect.status.is_redirection());
    let page = app.get("/api/docs/").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("swagger-ui"), "{html}");
    assert!(
        !html.contains("unpkg.com") && !html.contains("cdn."),
        "Swagger UI must not load from a CDN"
    );
    let init = app.get("/api/docs/swagger-initializer.js").await;
    assert_eq!(init.status, StatusCode::OK);
    assert!(init.text().contains("/api/v1/openapi.json"));
    assert_eq!(
        app.get("/api/docs/swagger-ui-bundle.js").await.status,
        StatusCode::OK
    );
}
