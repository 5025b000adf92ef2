//! Complaints and reports (投诉举报): intake validation naming every field, routing to the most
//! local competent agency, deadlines on working days, the status flow refusing steps out of
//! order or by the wrong role, scope (404 outside it), the change log and its ledger leaves
//! with personal data masked, encryption at rest, public tracking, counts and the rules.

use chrono::NaiveDate;
use sqlx::Row;
use zhifa_domain::calendar::LegalCalendar;
use zhifa_domain::complaint::{ComplaintAction, ComplaintRules};
use zhifa_store::complaint_model::*;
use zhifa_store::model::*;
use zhifa_store::{Scope, Store, StoreError};

use crate::fixtures::*;
use crate::store_test;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

fn cal() -> LegalCalendar {
    LegalCalendar::builtin()
}

/// The agencies of the tests: market regulation of the province, 广州 and 天河, urban
/// management of 天河, and two market-regulation bodies in 越秀 (routing there is ambiguous).
struct Agencies {
    province: Subject,
    gz: Subject,
    tianhe: Subject,
    tianhe_cg: Subject,
}

async fn subject(store: &Store, name: &str, region: &str, field: &str, n: u32) -> Subject {
    let input = SubjectInput {
        field: field.into(),
        ..subject_input(name, region, n)
    };
    store
        .create_subject(&input, &actor())
        .await
        .expect("subject")
}

async fn agencies(store: &Store) -> Agencies {
    let province = subject(store, "广东省市场监督管理局", "440000", "01", 1).await;
    let gz = subject(store, "广州市市场监督管理局", "440100", "01", 2).await;
    let tianhe = subject(store, "广州市天河区市场监督管理局", "440106", "01", 3).await;
    let tianhe_cg = subject(store, "广州市天河区城市管理和综合执法局", "440106", "06", 4).await;
    subject(store, "广州市越秀区市场监督管理局", "440104", "01", 5).await;
    subject(store, "广州市越秀区市场监管综合执法队", "440104", "01", 6).await;
    Agencies {
        province,
        gz,
        tianhe,
        tianhe_cg,
    }
}

fn input(region: &str, field: &str) -> ComplaintInput {
    ComplaintInput {
        kind: "complaint".into(),
        channel: "3".into(),
        region_code: region.into(),
        field: field.into(),
        respondent_name: "天河惠民超市有限公司".into(),
        respondent_uscc: None,
        respondent_address: Some("天河路 1 号".into()),
        content: "购买的酸奶已过保质期，要求退货并赔偿。".into(),
        anonymous: false,
        contact_name: Some("王小明".into()),
        contact_phone: Some("13912345678".into()),
    }
}

async fn intake(store: &Store, i: &ComplaintInput, on: &str) -> ComplaintReceipt {
    store
        .create_complaint(i, d(on), &cal(), &actor())
        .await
        .expect("intake")
}

fn ctx<'a>(role: &'a str, calendar: &'a LegalCalendar) -> StepContext<'a> {
    StepContext {
        role,
        today: zhifa_domain::time::ChinaDate::today().date(),
        calendar,
    }
}

fn on(date: &str) -> ComplaintStep {
    ComplaintStep {
        on: Some(date.into()),
        ..ComplaintStep::default()
    }
}

async fn change_count(store: &Store) -> usize {
    all_changes(store).await.len()
}

fn refusal_code<T: std::fmt::Debug>(r: Result<T, StoreError>) -> String {
    match r {
        Err(StoreError::Refused(r)) => r.code,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// Takes a step on a complaint as `role`, with no scope limit.
async fn take(
    store: &Store,
    id: &str,
    action: ComplaintAction,
    data: ComplaintStep,
    role: &str,
) -> Result<Complaint, StoreError> {
    let calendar = cal();
    store
        .complaint_step_in(
            &Scope::All,
            id,
            action,
            &data,
            ctx(role, &calendar),
            &actor(),
        )
        .await
}

/// [`take`] as an officer, which must succeed.
async fn take_ok(
    store: &Store,
    id: &str,
    action: ComplaintAction,
    data: ComplaintStep,
) -> Complaint {
    take(store, id, action, data, "officer")
        .await
        .expect("step")
}

async fn intake_validation_names_every_field(store: Store) {
    agencies(&store).await;
    let before = change_count(&store).await;
    let errs = invalid_codes(
        store
            .create_complaint(
                &ComplaintInput::default(),
                d("2026-03-02"),
                &cal(),
                &actor(),
            )
            .await,
    );
    for (field, code) in [
        ("kind", "complaint.kind.required"),
        ("channel", "complaint.channel.required"),
        ("field", "complaint.field.required"),
        ("region_code", "complaint.region_code.required"),
        ("respondent_name", "complaint.respondent_name.required"),
        ("content", "complaint.content.required"),
        ("contact_name", "complaint.contact_name.required"),
        ("contact_phone", "complaint.contact_phone.required"),
    ] {
        assert!(has(&errs, field, code), "{field}/{code} missing: {errs:?}");
    }
    let bad = ComplaintInput {
        kind: "complaint".into(),
        channel: "7".into(),
        region_code: "449999".into(),
        respondent_uscc: Some("91440106MA59ABCD1Z".into()),
        content: "太短".into(),
        anonymous: true,
        contact_phone: Some("12".into()),
        ..input("440106", "01")
    };
    let errs = invalid_codes(
        store
            .create_complaint(&bad, d("2026-03-02"), &cal(), &actor())
            .await,
    );
    for field in [
        "channel",
        "region_code",
        "respondent_uscc",
        "content",
        "anonymous",
        "contact_name",
        "contact_phone",
    ] {
        assert!(errs.iter().any(|(f, _)| f == field), "{field}: {errs:?}");
    }
    assert!(has(&errs, "anonymous", "complaint.anonymous.complaint"));
    assert!(has(&errs, "content", "complaint.content.too_short"));
    assert_eq!(change_count(&store).await, before, "nothing written");
    // The refused intakes took no number: the first one stored is number 1.
    let r = intake(&store, &input("440106", "01"), "2026-03-02").await;
    assert_eq!(r.number, "投诉〔2026〕1号");
    let r = intake(&store, &input("440106", "01"), "2026-03-03").await;
    assert_eq!(r.number, "投诉〔2026〕2号");
    let report = ComplaintInput {
        kind: "report".into(),
        anonymous: true,
        contact_name: None,
        contact_phone: None,
        ..input("440106", "01")
    };
    let r = intake(&store, &report, "2026-03-03").await;
    assert_eq!(r.number, "举报〔2026〕1号", "a series per kind");
    let r = intake(&store, &input("440106", "01"), "2025-12-30").await;
    assert_eq!(r.number, "投诉〔2025〕1号", "a series per year");
}
store_test!(
    intake_validation_names_every_field,
    complaint_intake_validation_sqlite,
    complaint_intake_validation_postgres
);

async fn routing_picks_the_most_local_agency(store: Store) {
    let a = agencies(&store).await;
    let r = intake(&store, &input("440106", "01"), "2026-03-02").await;
    assert_eq!(r.status, "routed");
    let c = store.get_complaint_in(&Scope::All, &r.id).await.unwrap();
    assert_eq!(c.agency_id.as_deref(), Some(a.tianhe.id.as_str()));
    assert_eq!(c.routing.as_deref(), Some("auto"));
    assert_eq!(c.routed_on.as_deref(), Some("2026-03-02"));
    // A township of 天河 goes to 天河 too.
    let r = intake(&store, &input("440106001", "01"), "2026-03-02").await;
    let c = store.get_complaint_in(&Scope::All, &r.id).await.unwrap();
    assert_eq!(c.agency_id.as_deref(), Some(a.tianhe.id.as_str()));
    // Urban management in 天河.
    let r = intake(&store, &input("440106", "06"), "2026-03-02").await;
    let c = store.get_complaint_in(&Scope::All, &r.id).await.unwrap();
    assert_eq!(c.agency_id.as_deref(), Some(a.tianhe_cg.id.as_str()));
    // 海珠 has no district bureau: the city's.
    let r = intake(&store, &input("440105", "01"), "2026-03-02").await;
    let c = store.get_complaint_in(&Scope::All, &r.id).await.unwrap();
    assert_eq!(c.agency_id.as_deref(), Some(a.gz.id.as_str()));
    // 深圳 has none at all: the province's.
    let r = intake(&store, &input("440305", "01"), "2026-03-02").await;
    let c = store.get_complaint_in(&Scope::All, &r.id).await.unwrap();
    assert_eq!(c.agency_id.as_deref(), Some(a.province.id.as_str()));
    // No agency of the field: waits for a supervisor.
    let r = intake(&store, &input("440106", "02"), "2026-03-02").await;
    assert_eq!(
        (r.status.as_str(), r.agency_name.as_deref()),
        ("received", None)
    );
    let c = store.get_complaint_in(&Scope::All, &r.id).await.unwrap();
    assert_eq!(c.routing.as_deref(), Some("none"));
    // Two agencies of the field at the same level (越秀): also left for a supervisor.
    let r = intake(&store, &input("440104", "01"), "2026-03-02").await;
    assert_eq!(r.status, "received");
    let c = store.get_complaint_in(&Scope::All, &r.id).await.unwrap();
    assert_eq!(c.routing.as_deref(), Some("ambiguous"));
    // The respondent's USCC gives the region when none is chosen.
    let uscc = zhifa_domain::ids::uscc_with_check("91440106MA59ABCD1")
        .unwrap()
        .to_string();
    let by_uscc = ComplaintInput {
        region_code: String::new(),
        respondent_uscc: Some(uscc.to_lowercase()),
        ..input("", "01")
    };
    let r = intake(&store, &by_uscc, "2026-03-02").await;
    let c = store.get_complaint_in(&Scope::All, &r.id).await.unwrap();
    assert_eq!(
        (c.region_code.as_str(), c.agency_id.as_deref()),
        ("440106", Some(a.tianhe.id.as_str()))
    );
    assert_eq!(
        c.respondent_uscc.as_deref(),
        Some(uscc.as_str()),
        "canonical"
    );
    // A deactivated agency is not routed to.
    store
        .deactivate_subject(&a.tianhe.id, &actor())
        .await
        .unwrap();
    let r = intake(&store, &input("440106", "01"), "2026-03-02").await;
    let c = store.get_complaint_in(&Scope::All, &r.id).await.unwrap();
    assert_eq!(c.agency_id.as_deref(), Some(a.gz.id.as_str()));
}
store_test!(
    routing_picks_the_most_local_agency,
    complaint_routing_sqlite,
    complaint_routing_postgres
);

/// 暂行办法第十四条 (7 working days) and 《信访工作条例》第三十四条 (60 days), with the national
/// day holidays of 2024.
async fn deadlines_use_the_legal_calendar(store: Store) {
    agencies(&store).await;
    let calendar = cal();
    let r = intake(&store, &input("440106", "01"), "2024-09-27").await;
    assert_eq!(
        r.accept_due, "2024-10-12",
        "the make-up workdays count, the holidays do not"
    );
    let c = store.get_complaint_in(&Scope::All, &r.id).await.unwrap();
    assert_eq!(c.due_on.as_deref(), Some("2024-10-12"));
    let c = store
        .complaint_step_in(
            &Scope::All,
            &r.id,
            ComplaintAction::Accept,
            &on("2024-10-08"),
            ctx("officer", &calendar),
            &actor(),
        )
        .await
        .expect("accept");
    // 2024-10-08 + 60 days = 2024-12-07, a Saturday: the next working day.
    assert_eq!(c.handle_due.as_deref(), Some("2024-12-09"));
    assert_eq!(c.due_on.as_deref(), Some("2024-12-09"));
    assert_eq!(c.decided_on.as_deref(), Some("2024-10-08"));
    assert!(c.is_overdue(d("2024-12-10")) && !c.is_overdue(d("2024-12-09")));
    // A node that sets five working days.
    let rules = ComplaintRules {
        accept_working_days: 5,
        ..ComplaintRules::default()
    };
    store
        .set_complaint_rules(&actor(), &rules)
        .await
        .expect("rules");
    assert_eq!(store.complaint_rules().await.unwrap(), rules);
    let r = intake(&store, &input("440106", "01"), "2024-09-27").await;
    assert_eq!(r.accept_due, "2024-10-10");
    let bad = ComplaintRules {
        handle_days: 0,
        ..ComplaintRules::default()
    };
    let errs = invalid_codes(store.set_complaint_rules(&actor(), &bad).await);
    assert!(has(
        &errs,
        "complaint_rules.handle_days",
        "complaint_rules.invalid"
    ));
    assert!(
        all_changes(&store)
            .await
            .iter()
            .any(|c| c.entity == "setting" && c.entity_id == "complaint_rules")
    );
}
store_test!(
    deadlines_use_the_legal_calendar,
    complaint_deadlines_sqlite,
    complaint_deadlines_postgres
);

async fn status_flow_refuses_steps_out_of_order(store: Store) {
    let a = agencies(&store).await;
    // Waiting for routing: nothing but routing.
    let r = intake(&store, &input("440106", "02"), "2026-03-02").await;
    let id = r.id.clone();
    assert_eq!(
        refusal_code(
            take(
                &store,
                &id,
                ComplaintAction::Accept,
                on("2026-03-03"),
                "officer"
            )
            .await
        ),
        "complaint.status"
    );
    assert_eq!(
        refusal_code(
            take(
                &store,
                &id,
                ComplaintAction::Route,
                on("2026-03-03"),
                "officer"
            )
            .await
        ),
        "complaint.role"
    );
    let errs = invalid_codes(
        take(
            &store,
            &id,
            ComplaintAction::Route,
            on("2026-03-03"),
            "supervisor",
        )
        .await,
    );
    assert!(has(&errs, "agency_id", "complaint.agency_id.required"));
    let errs = invalid_codes(
        take(
            &store,
            &id,
            ComplaintAction::Route,
            ComplaintStep {
                agency_id: Some("no-such-agency".into()),
                ..on("2026-03-03")
            },
            "supervisor",
        )
        .await,
    );
    assert!(has(&errs, "agency_id", "agency_id.unknown"));
    assert_eq!(
        refusal_code(
            take(
                &store,
                &id,
                ComplaintAction::Route,
                ComplaintStep {
                    agency_id: Some(a.tianhe.id.clone()),
                    ..on("2026-03-01")
                },
                "supervisor",
            )
            .await
        ),
        "complaint.date.before_previous"
    );
    let c = take(
        &store,
        &id,
        ComplaintAction::Route,
        ComplaintStep {
            agency_id: Some(a.tianhe.id.clone()),
            ..on("2026-03-03")
        },
        "supervisor",
    )
    .await
    .expect("route");
    assert_eq!(
        (c.status.as_str(), c.routing.as_deref(), c.version),
        ("routed", Some("manual"), 2)
    );
    // Routed: the agency decides; handling and reply come later.
    assert_eq!(
        refusal_code(
            take(
                &store,
                &id,
                ComplaintAction::Handle,
                on("2026-03-04"),
                "officer"
            )
            .await
        ),
        "complaint.status"
    );
    assert_eq!(
        refusal_code(
            take(
                &store,
                &id,
                ComplaintAction::Accept,
                on("2026-03-04"),
                "supervisor"
            )
            .await
        ),
        "complaint.role"
    );
    let c = take(
        &store,
        &id,
        ComplaintAction::Accept,
        on("2026-03-04"),
        "head",
    )
    .await
    .expect("accept");
    assert_eq!(c.status, "accepted");
    assert_eq!(
        refusal_code(
            take(
                &store,
                &id,
                ComplaintAction::Reject,
                on("2026-03-04"),
                "head"
            )
            .await
        ),
        "complaint.status"
    );
    assert_eq!(
        refusal_code(
            take(
                &store,
                &id,
                ComplaintAction::Reply,
                on("2026-03-04"),
                "officer"
            )
            .await
        ),
        "complaint.status"
    );
    let errs = invalid_codes(
        take(
            &store,
            &id,
            ComplaintAction::Handle,
            on("2026-03-10"),
            "officer",
        )
        .await,
    );
    assert!(has(&errs, "result", "complaint.result.required"));
    let errs = invalid_codes(
        take(
            &store,
            &id,
            ComplaintAction::Handle,
            ComplaintStep {
                result: Some("已责令改正".into()),
                case_id: Some("no-such-case".into()),
                alert_id: Some("no-such-alert".into()),
                ..on("2026-03-10")
            },
            "officer",
        )
        .await,
    );
    assert!(has(&errs, "case_id", "case_id.unknown") && has(&errs, "alert_id", "alert_id.unknown"));
    let c = take(
        &store,
        &id,
        ComplaintAction::Handle,
        ComplaintStep {
            result: Some("经调解，经营者退货并赔偿".into()),
            ..on("2026-03-10")
        },
        "officer",
    )
    .await
    .expect("handle");
    assert_eq!((c.status.as_str(), c.due_on.as_deref()), ("handled", None));
    let c = take(
        &store,
        &id,
        ComplaintAction::Reply,
        ComplaintStep {
            reply: Some("您的投诉已调解处理完毕。".into()),
            ..on("2026-03-11")
        },
        "officer",
    )
    .await
    .expect("reply");
    assert_eq!(
        (c.status.as_str(), c.replied_on.as_deref(), c.version),
        ("replied", Some("2026-03-11"), 5)
    );
    assert_eq!(
        refusal_code(
            take(
                &store,
                &id,
                ComplaintAction::Reply,
                on("2026-03-12"),
                "officer"
            )
            .await
        ),
        "complaint.status"
    );
    // A rejection needs its reason, and is replied too.
    let r = intake(&store, &input("440106", "01"), "2026-03-02").await;
    let errs = invalid_codes(
        take(
            &store,
            &r.id,
            ComplaintAction::Reject,
            on("2026-03-03"),
            "officer",
        )
        .await,
    );
    assert!(has(&errs, "reason", "complaint.reason.required"));
    let c = take(
        &store,
        &r.id,
        ComplaintAction::Reject,
        ComplaintStep {
            reason: Some("已由人民法院受理（第十五条第二项）".into()),
            ..on("2026-03-03")
        },
        "officer",
    )
    .await
    .expect("reject");
    assert_eq!((c.status.as_str(), c.due_on.as_deref()), ("rejected", None));
    assert_eq!(
        refusal_code(
            take(
                &store,
                &r.id,
                ComplaintAction::Handle,
                on("2026-03-04"),
                "officer"
            )
            .await
        ),
        "complaint.status"
    );
    // A step dated in the future is refused.
    let r = intake(&store, &input("440106", "01"), "2026-03-02").await;
    assert_eq!(
        refusal_code(
            take(
                &store,
                &r.id,
                ComplaintAction::Accept,
                on("2999-01-01"),
                "officer"
            )
            .await
        ),
        "complaint.date.future"
    );
}
store_test!(
    status_flow_refuses_steps_out_of_order,
    complaint_flow_sqlite,
    complaint_flow_postgres
);

async fn scope_hides_other_complaints(store: Store) {
    let a = agencies(&store).await;
    let calendar = cal();
    let tianhe = intake(&store, &input("440106", "01"), "2026-03-02").await;
    let unrouted = intake(&store, &input("440106", "02"), "2026-03-02").await;
    let shenzhen = intake(&store, &input("440305", "01"), "2026-03-02").await;
    let mine = Scope::Agency(a.tianhe.id.clone());
    let other = Scope::Agency(a.tianhe_cg.id.clone());
    assert!(store.get_complaint_in(&mine, &tianhe.id).await.is_ok());
    assert_not_found(store.get_complaint_in(&other, &tianhe.id).await);
    assert_not_found(store.get_complaint_in(&mine, &unrouted.id).await);
    assert_not_found(store.get_complaint_in(&Scope::Public, &tianhe.id).await);
    assert_not_found(
        store
            .complaint_step_in(
                &other,
                &tianhe.id,
                ComplaintAction::Accept,
                &on("2026-03-03"),
                ctx("officer", &calendar),
                &actor(),
            )
            .await,
    );
    assert_not_found(store.complaint_contact_in(&other, &tianhe.id).await);
    // A supervisor of 广州 sees 广州's complaints, routed or not, and not 深圳's (routed to
    // the province, outside 广州).
    let gz = Scope::region("440100");
    assert!(store.get_complaint_in(&gz, &unrouted.id).await.is_ok());
    assert!(store.get_complaint_in(&gz, &tianhe.id).await.is_ok());
    assert_not_found(store.get_complaint_in(&gz, &shenzhen.id).await);
    // …and may not route to an agency outside 广州.
    let errs = invalid_codes(
        store
            .complaint_step_in(
                &gz,
                &unrouted.id,
                ComplaintAction::Route,
                &ComplaintStep {
                    agency_id: Some(a.province.id.clone()),
                    ..on("2026-03-03")
                },
                ctx("supervisor", &calendar),
                &actor(),
            )
            .await,
    );
    assert!(has(&errs, "agency_id", "agency_id.unknown"));
    let list = |scope: Scope| {
        let store = store.clone();
        async move {
            store
                .list_complaints_in(
                    &scope,
                    &ComplaintFilter::default(),
                    d("2026-03-02"),
                    PageRequest::default(),
                )
                .await
                .unwrap()
                .total
        }
    };
    assert_eq!(list(mine.clone()).await, 1);
    assert_eq!(list(gz).await, 2);
    assert_eq!(list(Scope::All).await, 3);
    assert_eq!(list(Scope::Public).await, 0);
    // Filters.
    let f = ComplaintFilter {
        status: Some("received".into()),
        ..ComplaintFilter::default()
    };
    let page = store
        .list_complaints_in(&Scope::All, &f, d("2026-03-02"), PageRequest::default())
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].id, unrouted.id);
    let overdue = ComplaintFilter {
        overdue: Some(true),
        ..ComplaintFilter::default()
    };
    let n = |today: &str| {
        let store = store.clone();
        let overdue = overdue.clone();
        let today = d(today);
        async move {
            store
                .list_complaints_in(&Scope::All, &overdue, today, PageRequest::default())
                .await
                .unwrap()
                .total
        }
    };
    assert_eq!(n("2026-03-11").await, 0, "due 2026-03-11 (7 working days)");
    assert_eq!(n("2026-03-12").await, 3);
    let bad = ComplaintFilter {
        status: Some("closed".into()),
        ..ComplaintFilter::default()
    };
    let errs = invalid_codes(
        store
            .list_complaints_in(&Scope::All, &bad, d("2026-03-02"), PageRequest::default())
            .await,
    );
    assert!(has(&errs, "status", "complaint.status.unknown"));
}
store_test!(
    scope_hides_other_complaints,
    complaint_scope_sqlite,
    complaint_scope_postgres
);

async fn change_log_masks_and_ledger_records(store: Store) {
    agencies(&store).await;
    let calendar = cal();
    let r = intake(&store, &input("440106", "01"), "2026-03-02").await;
    store
        .complaint_step_in(
            &Scope::All,
            &r.id,
            ComplaintAction::Accept,
            &on("2026-03-03"),
            ctx("officer", &calendar),
            &actor(),
        )
        .await
        .unwrap();
    let changes: Vec<Change> = all_changes(&store)
        .await
        .into_iter()
        .filter(|c| c.entity == "complaint")
        .collect();
    let actions: Vec<&str> = changes.iter().map(|c| c.action.as_str()).collect();
    assert_eq!(actions, ["create", "accept"]);
    assert!(changes.iter().all(|c| c.entity_id == r.id));
    assert_eq!(changes[1].before.as_ref().unwrap()["status"], "routed");
    assert_eq!(changes[1].after.as_ref().unwrap()["status"], "accepted");
    for c in &changes {
        let leaf = store
            .ledger_leaf("change", &c.seq.to_string())
            .await
            .expect("a ledger leaf per change");
        assert_eq!(leaf.reference, c.seq.to_string());
    }
    let log = serde_json::to_string(&changes).unwrap();
    for secret in ["13912345678", "王小明", r.query_code.as_str()] {
        assert!(!log.contains(secret), "the change log holds {secret}");
    }
    assert!(log.contains("139****5678") && log.contains("王**"));
    // At rest: ciphertexts and a keyed hash of the code; in clear only for the agency.
    let row = sqlx::query(
        "SELECT contact_name_enc, contact_phone_enc, query_code_index FROM complaints WHERE id = $1",
    )
    .bind(&r.id)
    .fetch_one(store.pool())
    .await
    .unwrap();
    let phone: Vec<u8> = row.get("contact_phone_enc");
    let name: Vec<u8> = row.get("contact_name_enc");
    let index: String = row.get("query_code_index");
    assert!(!phone.windows(11).any(|w| w == b"13912345678"));
    assert!(
        !name
            .windows("王小明".len())
            .any(|w| w == "王小明".as_bytes())
    );
    assert!(!index.contains(&r.query_code) && index.len() == 64);
    let c = store.get_complaint_in(&Scope::All, &r.id).await.unwrap();
    let (n, p) = store
        .complaint_contact_in(&Scope::Agency(c.agency_id.clone().unwrap()), &r.id)
        .await
        .unwrap();
    assert_eq!(
        (n.as_deref(), p.as_deref()),
        (Some("王小明"), Some("13912345678"))
    );
    // An anonymous report has no contact data at all.
    let report = ComplaintInput {
        kind: "report".into(),
        anonymous: true,
        contact_name: None,
        contact_phone: None,
        ..input("440106", "01")
    };
    let r = intake(&store, &report, "2026-03-02").await;
    let c = store.get_complaint_in(&Scope::All, &r.id).await.unwrap();
    assert!(c.anonymous && c.contact_name_masked.is_none() && c.contact_phone_masked.is_none());
    assert_eq!(
        store
            .complaint_contact_in(&Scope::All, &r.id)
            .await
            .unwrap(),
        (None, None)
    );
}
store_test!(
    change_log_masks_and_ledger_records,
    complaint_change_log_sqlite,
    complaint_change_log_postgres
);

async fn tracking_needs_number_and_code(store: Store) {
    agencies(&store).await;
    let calendar = cal();
    let r = intake(&store, &input("440106", "01"), "2026-03-02").await;
    let other = intake(&store, &input("440106", "01"), "2026-03-02").await;
    assert_eq!(r.query_code.len(), 8);
    assert_ne!(r.query_code, other.query_code);
    let t = store
        .track_complaint(&r.number, &r.query_code)
        .await
        .expect("track");
    assert_eq!(
        (t.number.as_str(), t.status.as_str()),
        (r.number.as_str(), "routed")
    );
    // Typed loosely: other brackets, lower case, a dash in the code.
    let loose_code = format!("{}-{}", &r.query_code[..4], &r.query_code[4..]).to_lowercase();
    let t = store
        .track_complaint("投诉[2026]1号", &loose_code)
        .await
        .expect("loose");
    assert_eq!(t.number, r.number);
    // Another complaint's code, a wrong code, an unknown number: all not found.
    assert_not_found(store.track_complaint(&r.number, &other.query_code).await);
    assert_not_found(store.track_complaint(&r.number, "AAAAAAAA").await);
    assert_not_found(
        store
            .track_complaint("投诉〔2026〕99号", &r.query_code)
            .await,
    );
    assert_not_found(store.track_complaint("随便", &r.query_code).await);
    // The reply is what the citizen sees.
    for (action, data) in [
        (ComplaintAction::Accept, on("2026-03-03")),
        (
            ComplaintAction::Handle,
            ComplaintStep {
                result: Some("内部处理意见".into()),
                ..on("2026-03-05")
            },
        ),
        (
            ComplaintAction::Reply,
            ComplaintStep {
                reply: Some("经营者已退货并赔偿。".into()),
                ..on("2026-03-06")
            },
        ),
    ] {
        store
            .complaint_step_in(
                &Scope::All,
                &r.id,
                action,
                &data,
                ctx("officer", &calendar),
                &actor(),
            )
            .await
            .unwrap();
    }
    let t = store
        .track_complaint(&r.number, &r.query_code)
        .await
        .unwrap();
    assert_eq!(t.reply.as_deref(), Some("经营者已退货并赔偿。"));
    assert_eq!(t.status_name, "已答复");
    let json = serde_json::to_string(&t).unwrap();
    assert!(
        !json.contains("内部处理意见") && !json.contains("139"),
        "{json}"
    );
}
store_test!(
    tracking_needs_number_and_code,
    complaint_tracking_sqlite,
    complaint_tracking_postgres
);

async fn counts_per_agency(store: Store) {
    let a = agencies(&store).await;
    // 天河: one replied in time, one decided late (due 2026-03-11), one still undecided.
    let ok = intake(&store, &input("440106", "01"), "2026-03-02").await;
    take_ok(&store, &ok.id, ComplaintAction::Accept, on("2026-03-03")).await;
    take_ok(
        &store,
        &ok.id,
        ComplaintAction::Handle,
        ComplaintStep {
            result: Some("已处理".into()),
            ..on("2026-03-20")
        },
    )
    .await;
    take_ok(
        &store,
        &ok.id,
        ComplaintAction::Reply,
        ComplaintStep {
            reply: Some("已答复".into()),
            ..on("2026-03-21")
        },
    )
    .await;
    let late = intake(&store, &input("440106", "01"), "2026-03-02").await;
    take_ok(&store, &late.id, ComplaintAction::Accept, on("2026-03-12")).await;
    intake(&store, &input("440106", "01"), "2026-03-02").await;
    // 广州市: one, decided in time. Not routed: one. Outside the period: one.
    let gz = intake(&store, &input("440105", "01"), "2026-03-02").await;
    take_ok(&store, &gz.id, ComplaintAction::Accept, on("2026-03-04")).await;
    intake(&store, &input("440106", "02"), "2026-03-05").await;
    intake(&store, &input("440106", "01"), "2026-05-05").await;

    let counts = store
        .complaint_counts(
            &Scope::All,
            d("2026-03-01"),
            d("2026-03-31"),
            d("2026-03-12"),
        )
        .await
        .unwrap();
    let of = |id: Option<&str>| {
        counts
            .iter()
            .find(|c| c.agency_id.as_deref() == id)
            .map(|c| (c.received, c.overdue, c.replied))
    };
    // On 2026-03-12 the undecided one is past its 2026-03-11 deadline too.
    assert_eq!(of(Some(&a.tianhe.id)), Some((3, 2, 1)));
    assert_eq!(of(Some(&a.gz.id)), Some((1, 0, 0)));
    assert_eq!(of(None), Some((1, 0, 0)));
    assert_eq!(counts.len(), 3);
    assert_eq!(
        counts[0].agency_name.as_deref(),
        Some("广州市天河区市场监督管理局")
    );
    // On 2026-03-11 the undecided one is still in time.
    let counts = store
        .complaint_counts(
            &Scope::Agency(a.tianhe.id.clone()),
            d("2026-03-01"),
            d("2026-03-31"),
            d("2026-03-11"),
        )
        .await
        .unwrap();
    assert_eq!(counts.len(), 1);
    assert_eq!(
        (counts[0].received, counts[0].overdue, counts[0].replied),
        (3, 1, 1)
    );
    // Handling past its 60 days counts as overdue.
    let counts = store
        .complaint_counts(
            &Scope::Agency(a.gz.id.clone()),
            d("2026-03-01"),
            d("2026-03-31"),
            d("2026-06-30"),
        )
        .await
        .unwrap();
    assert_eq!((counts[0].received, counts[0].overdue), (1, 1));
}
store_test!(
    counts_per_agency,
    complaint_counts_sqlite,
    complaint_counts_postgres
);
