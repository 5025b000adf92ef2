//! Supervision statistics (执法监督统计) over a small known set of cases created through the
//! real case commands: totals, the region roll-up (province → cities → counties, with the
//! “本级” row), agencies without cases (零执法), fields, months, alerts by rule, the annual
//! statistics of D5, the data scope of a supervisor, and the indicator tree setting with its
//! change-log entry.

use sqlx::Row;
use zhifa_domain::case::{Command, Party};
use zhifa_store::case_model::CaseFilter;
use zhifa_store::indicators::IndicatorTree;
use zhifa_store::model::{ChangeFilter, PageRequest};
use zhifa_store::stats_model::{Breakdown, Metrics, MonthRow, StatsQuery, StatsSource};
use zhifa_store::{Scope, Store, StoreError};

use crate::cases::{Fx, citizen, d, env, fine, fixture_in, run, whole_case};
use crate::fixtures::*;
use crate::store_test;

const TODAY: &str = "2026-12-31";

/// Runs commands as one case (the first starts it); returns the case id.
async fn commands(store: &Store, fx: &Fx, key: &str, list: Vec<(&str, Command)>) -> String {
    let scope = Scope::Agency(fx.agency.id.clone());
    let mut case: Option<String> = None;
    for (i, (role, cmd)) in list.into_iter().enumerate() {
        let e = env(fx, role, &format!("{key}-{i}"), &cmd.on().to_string());
        let out = run(store, &scope, case.as_deref(), &e, &cmd)
            .await
            .unwrap_or_else(|err| panic!("{} refused: {err}", cmd.kind()));
        case = Some(out.case_id);
    }
    case.expect("case")
}

fn lead(fx: &Fx, on: &str, act: &str) -> Command {
    Command::RegisterLead {
        on: d(on),
        agency_id: fx.agency.id.clone(),
        source: "1".into(),
        cause: "无照经营".into(),
        party: citizen(),
        act_date: d(act),
        act_ended: None,
        serious_harm: false,
        power_id: None,
        summary: "巡查发现".into(),
    }
}

fn on_spot(fx: &Fx, on: &str, fen: i64) -> Command {
    Command::ImposeOnSpot {
        on: d(on),
        agency_id: fx.agency.id.clone(),
        party: Party {
            id_number: Some(citizen_id(905)),
            ..citizen()
        },
        place: "某路口".into(),
        penalty: fine(fen),
        officers: vec![fx.o1.clone(), fx.o2.clone()],
        party_signed: true,
        collected_on_spot: true,
    }
}

/// The world of these tests (all 2026 unless said otherwise):
/// - 天河 (440106) agency T: case T1 walked from lead to closure (received, filed 03-02, an
///   inspection record 03-03, decided 03-19 with ¥500 after legal review, published, closed
///   03-26); case T2 (lead 04-01, filed, an inquiry record, 扣押 04-02, 先行登记保存 04-03,
///   still open); case T3 registered 2025-11-03 and never filed;
/// - 天河 agency I without any case (零执法); 广州市 agency C (440100, city level) without cases;
/// - 越秀 (440104) agency Y: one on-the-spot decision 05-06, ¥50;
/// - 南山 (440305, 深圳) agency N: one on-the-spot decision 06-10, ¥100;
/// - alerts: two for T (one open, one closed, March), one for N (June).
struct World {
    t: Fx,
    y: Fx,
    n: Fx,
    idle: String,
    city: String,
}

async fn world(store: &Store) -> World {
    let t = fixture_in(store, 1, "天河区市场监督管理局", "440106").await;
    let y = fixture_in(store, 2, "越秀区市场监督管理局", "440104").await;
    let n = fixture_in(store, 3, "南山区市场监督管理局", "440305").await;
    let idle = store
        .create_subject(
            &subject_input("天河区文化广电旅游局", "440106", 4),
            &actor(),
        )
        .await
        .expect("idle")
        .id;
    let mut city = subject_input("广州市市场监督管理局", "440100", 5);
    city.level = "2".into();
    let city = store
        .create_subject(&city, &actor())
        .await
        .expect("city")
        .id;

    whole_case(store, &t, "t1").await;
    let two = vec![t.o1.clone(), t.o2.clone()];
    commands(
        store,
        &t,
        "t2",
        vec![
            ("officer", lead(&t, "2026-04-01", "2026-03-20")),
            (
                "head",
                Command::FileCase {
                    on: d("2026-04-01"),
                    limitation_override: None,
                },
            ),
            (
                "officer",
                Command::AssignOfficers {
                    on: d("2026-04-01"),
                    officers: two.clone(),
                },
            ),
            (
                "officer",
                Command::MakeRecord {
                    on: d("2026-04-02"),
                    kind: "inquiry".into(),
                    place: "当事人经营场所".into(),
                    officers: two.clone(),
                    interviewee: Some("张三".into()),
                    content: "问：是否办理营业执照？答：没有。".into(),
                },
            ),
            (
                "head",
                Command::Seize {
                    on: d("2026-04-02"),
                    measure: "3".into(),
                    items: "待售货物 20 箱".into(),
                    officers: two,
                },
            ),
            (
                "head",
                Command::PreserveEvidence {
                    on: d("2026-04-03"),
                    items: "账簿三本".into(),
                },
            ),
        ],
    )
    .await;
    commands(
        store,
        &t,
        "t3",
        vec![("officer", lead(&t, "2025-11-03", "2025-10-01"))],
    )
    .await;
    commands(
        store,
        &y,
        "y1",
        vec![("officer", on_spot(&y, "2026-05-06", 5_000))],
    )
    .await;
    commands(
        store,
        &n,
        "n1",
        vec![("officer", on_spot(&n, "2026-06-10", 10_000))],
    )
    .await;
    for (i, (fx, region, status, on, rule)) in [
        (&t, "440106", "open", "2026-03-20", "R01"),
        (&t, "440106", "closed", "2026-03-21", "R02"),
        (&n, "440305", "open", "2026-06-11", "R01"),
    ]
    .into_iter()
    .enumerate()
    {
        sqlx::query(
            "INSERT INTO supervision_alerts (id, rule_id, rule_name, citation, severity, \
             dedupe_key, agency_id, agency_name, region_code, field, message, facts, status, \
             escalation, raised_at, raised_on, version, updated_at) VALUES ($1, $2, $3, $4, \
             'high', $5, $6, $7, $8, '01', '测试预警', '{}', $9, 0, $10, $11, 1, $10)",
        )
        .bind(format!("alert-{i}"))
        .bind(rule)
        .bind(if rule == "R01" {
            "超期未决定"
        } else {
            "裁量偏离"
        })
        .bind("《行政处罚法》第六十条")
        .bind(format!("dedupe-{i}"))
        .bind(fx.agency.id.clone())
        .bind(fx.agency.name.clone())
        .bind(region)
        .bind(status)
        .bind(format!("{on}T09:00:00.000+08:00"))
        .bind(on)
        .execute(store.pool())
        .await
        .expect("insert alert");
    }
    World {
        t,
        y,
        n,
        idle,
        city,
    }
}

fn year() -> StatsQuery {
    StatsQuery::year(2026, d(TODAY)).expect("year")
}

fn guangzhou() -> Scope {
    Scope::region("440100")
}

/// Open and overdue cases of a scope, counted row by row from the case list (the reference
/// the aggregate must match), for cases alive in 2026.
async fn open_and_overdue(store: &Store, scope: &Scope) -> (i64, i64) {
    let page = store
        .list_cases_in(
            scope,
            &CaseFilter::default(),
            d(TODAY),
            PageRequest {
                offset: 0,
                limit: 100,
            },
        )
        .await
        .expect("cases");
    let mut open = 0;
    let mut overdue = 0;
    for c in page.items {
        let alive = c.opened_on.as_str() <= "2026-12-31"
            && c.closed_on.as_deref().is_none_or(|x| x >= "2026-01-01");
        if alive && !["7", "8", "9"].contains(&c.stage.as_str()) {
            open += 1;
            if c.next_due.as_deref().is_some_and(|due| due < TODAY) {
                overdue += 1;
            }
        }
    }
    (open, overdue)
}

async fn totals_match_the_known_cases(store: Store) {
    let w = world(&store).await;
    let (t, m) = store
        .stats_totals_in(&guangzhou(), &year())
        .await
        .expect("totals");
    assert_eq!(t.prefix, "4401");
    assert_eq!(t.region_code.as_deref(), Some("440100"));
    let (open, overdue) = open_and_overdue(&store, &guangzhou()).await;
    assert!(overdue >= 1, "T2 is past its seizure and decision terms");
    let expected = Metrics {
        agencies: 5 - 1, // T, Y, idle, city (not 南山)
        acting_agencies: 2,
        received: 3,
        filed: 2,
        decided: 2,
        closed: 1,
        open_now: open,
        overdue,
        fine: zhifa_domain::money::Fen::new(50_000 + 5_000).unwrap(),
        discretion_deviations: 0,
        late_decisions: 0,
        published: 1,
        reviews_due: 1,
        reviewed: 1,
        inspections: 1,
        alerts_total: 2,
        alerts_open: 1,
        complaints: None,
    };
    assert_eq!(m, expected);
    // T3 (2025) and Y1 are open; T1 closed: three open cases alive in 2026.
    assert_eq!(open, 3);
    assert_eq!(m.zero_agencies(), 2);

    // 2025 only: T3 received, nothing else.
    let q = StatsQuery::year(2025, d(TODAY)).unwrap();
    let (_, m25) = store.stats_totals_in(&guangzhou(), &q).await.unwrap();
    assert_eq!((m25.received, m25.filed, m25.decided), (1, 0, 0));
    assert_eq!(m25.acting_agencies, 1);

    // Everything: 南山 adds one decision of ¥100 and one open alert.
    let (_, all) = store.stats_totals_in(&Scope::All, &year()).await.unwrap();
    assert_eq!(all.received, 4);
    assert_eq!(all.decided, 3);
    assert_eq!(all.fine.value(), 65_000);
    assert_eq!((all.alerts_total, all.alerts_open), (3, 2));
    assert_eq!(all.agencies, 5);

    // One agency, and one field.
    let mut q = year();
    q.agency_id = Some(w.y.agency.id.clone());
    let (_, y) = store.stats_totals_in(&guangzhou(), &q).await.unwrap();
    assert_eq!((y.agencies, y.received, y.decided), (1, 1, 1));
    assert_eq!(y.fine.value(), 5_000);
    let mut q = year();
    q.field = Some("02".into());
    let (_, none) = store.stats_totals_in(&guangzhou(), &q).await.unwrap();
    assert_eq!((none.agencies, none.received), (0, 0));
}
store_test!(
    totals_match_the_known_cases,
    stats_totals_match_the_known_cases_sqlite,
    stats_totals_match_the_known_cases_postgres
);

async fn region_roll_up_province_city_county(store: Store) {
    let w = world(&store).await;
    // Province 广东 (administrator): one row per city of the table, zeros included.
    let mut q = year();
    q.region = Some("440000".into());
    let (t, rows) = store
        .stats_breakdown_in(&Scope::All, &q, Breakdown::Regions)
        .await
        .expect("province");
    assert_eq!(t.prefix, "44");
    assert_eq!(
        rows.len(),
        21,
        "{:?}",
        rows.iter().map(|r| &r.label).collect::<Vec<_>>()
    );
    let gz = rows.iter().find(|r| r.key == "4401").expect("广州");
    assert_eq!(gz.label, "广州市");
    assert_eq!(gz.region_code.as_deref(), Some("440100"));
    assert_eq!((gz.metrics.received, gz.metrics.agencies), (3, 4));
    let sz = rows.iter().find(|r| r.key == "4403").expect("深圳");
    assert_eq!((sz.metrics.received, sz.metrics.decided), (1, 1));
    assert_eq!(sz.metrics.fine.value(), 10_000);
    let zh = rows.iter().find(|r| r.key == "4404").expect("珠海");
    assert_eq!(zh.metrics, Metrics::default());
    // The rows add up to the province's totals.
    let (_, total) = store.stats_totals_in(&Scope::All, &q).await.unwrap();
    let mut sum = Metrics::default();
    for r in &rows {
        sum.add(&r.metrics);
    }
    assert_eq!(sum, total);

    // City 广州 (its supervisor): counties, and 广州市本级 for the city-level agency.
    let mut q = year();
    q.region = Some("440100".into());
    let (_, rows) = store
        .stats_breakdown_in(&guangzhou(), &q, Breakdown::Regions)
        .await
        .expect("city");
    let own = rows.iter().find(|r| r.key == "440100").expect("本级");
    assert_eq!(own.label, "广州市本级");
    assert_eq!(own.region_code, None);
    assert_eq!((own.metrics.agencies, own.metrics.received), (1, 0));
    let th = rows.iter().find(|r| r.key == "440106").expect("天河");
    assert_eq!(th.label, "天河区");
    assert_eq!(th.metrics.agencies, 2);
    assert_eq!(th.metrics.acting_agencies, 1);
    assert_eq!((th.metrics.received, th.metrics.filed), (2, 2));
    assert_eq!(th.metrics.inspections, 1);
    assert_eq!(th.metrics.alerts_total, 2);
    let yx = rows.iter().find(|r| r.key == "440104").expect("越秀");
    assert_eq!((yx.metrics.received, yx.metrics.decided), (1, 1));
    assert!(rows.iter().all(|r| r.key.starts_with("4401")));

    // County 天河: by agency, the idle one included with zeros (零执法).
    let mut q = year();
    q.region = Some("440106".into());
    let (_, rows) = store
        .stats_breakdown_in(&guangzhou(), &q, Breakdown::Agencies)
        .await
        .expect("county");
    assert_eq!(rows.len(), 2);
    let idle = rows.iter().find(|r| r.key == w.idle).expect("idle");
    assert_eq!(idle.label, "天河区文化广电旅游局");
    assert_eq!((idle.metrics.agencies, idle.metrics.received), (1, 0));
    assert_eq!(idle.metrics.zero_agencies(), 1);
    let t = rows.iter().find(|r| r.key == w.t.agency.id).expect("T");
    assert_eq!(t.agency_id.as_deref(), Some(w.t.agency.id.as_str()));
    assert_eq!(t.metrics.zero_agencies(), 0);
    assert!(!rows.iter().any(|r| r.key == w.city));

    // By field: everything is 市场监管 (01).
    let (_, rows) = store
        .stats_breakdown_in(&guangzhou(), &year(), Breakdown::Fields)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].label, "市场监管");
    assert_eq!(rows[0].metrics.received, 3);
}
store_test!(
    region_roll_up_province_city_county,
    stats_region_roll_up_province_city_county_sqlite,
    stats_region_roll_up_province_city_county_postgres
);

async fn scope_limits_a_supervisor_to_their_region(store: Store) {
    let w = world(&store).await;
    // 广州's supervisor asking for 深圳, the province, or 南山's agency: not found.
    for region in ["440305", "440000"] {
        let mut q = year();
        q.region = Some(region.into());
        let r = store.stats_totals_in(&guangzhou(), &q).await;
        assert!(
            matches!(r, Err(StoreError::NotFound { .. })),
            "{region}: {r:?}"
        );
    }
    let mut q = year();
    q.agency_id = Some(w.n.agency.id.clone());
    assert!(matches!(
        store.stats_totals_in(&guangzhou(), &q).await,
        Err(StoreError::NotFound { .. })
    ));
    // An agency outside the narrowed region is not found either.
    let mut q = year();
    q.region = Some("440104".into());
    q.agency_id = Some(w.t.agency.id.clone());
    assert!(matches!(
        store.stats_totals_in(&guangzhou(), &q).await,
        Err(StoreError::NotFound { .. })
    ));
    // Malformed region and field codes are named.
    let mut q = year();
    q.region = Some("4401".into());
    match store.stats_totals_in(&guangzhou(), &q).await {
        Err(StoreError::Invalid(f)) => assert_eq!(f[0].field, "region"),
        other => panic!("{other:?}"),
    }
    let mut q = year();
    q.field = Some("99".into());
    match store.stats_totals_in(&guangzhou(), &q).await {
        Err(StoreError::Invalid(f)) => assert_eq!(f[0].field, "field"),
        other => panic!("{other:?}"),
    }
    // The public has no statistics; an agency head sees only the agency.
    assert!(matches!(
        store.stats_totals_in(&Scope::Public, &year()).await,
        Err(StoreError::NotFound { .. })
    ));
    let (t, m) = store
        .stats_totals_in(&Scope::Agency(w.y.agency.id.clone()), &year())
        .await
        .unwrap();
    assert_eq!(t.agency_id.as_deref(), Some(w.y.agency.id.as_str()));
    assert_eq!((m.agencies, m.received), (1, 1));
    // 深圳's cases never show in 广州's breakdowns or months.
    let (_, rows) = store
        .stats_breakdown_in(&guangzhou(), &year(), Breakdown::Agencies)
        .await
        .unwrap();
    assert!(!rows.iter().any(|r| r.key == w.n.agency.id));
    let months = store.stats_monthly_in(&guangzhou(), &year()).await.unwrap();
    assert!(
        months
            .iter()
            .all(|m| m.month != "2026-06" || m.decided == 0)
    );
}
store_test!(
    scope_limits_a_supervisor_to_their_region,
    stats_scope_limits_a_supervisor_to_their_region_sqlite,
    stats_scope_limits_a_supervisor_to_their_region_postgres
);

async fn months_and_alerts_by_rule(store: Store) {
    world(&store).await;
    let months = store.stats_monthly_in(&guangzhou(), &year()).await.unwrap();
    assert_eq!(months.len(), 12);
    assert_eq!(months[0].month, "2026-01");
    let m = |k: &str| months.iter().find(|m| m.month == k).unwrap().clone();
    let march = m("2026-03");
    assert_eq!(
        (march.received, march.filed, march.decided, march.closed),
        (1, 1, 1, 1)
    );
    assert_eq!(march.fine.value(), 50_000);
    assert_eq!(march.alerts, 2);
    assert_eq!((m("2026-04").received, m("2026-04").filed), (1, 1));
    assert_eq!(m("2026-05").decided, 1);
    assert_eq!(m("2026-05").fine.value(), 5_000);
    assert_eq!(
        m("2026-07"),
        MonthRow {
            month: "2026-07".into(),
            ..Default::default()
        }
    );

    let rules = store.alerts_by_rule_in(&Scope::All, &year()).await.unwrap();
    let r: Vec<(&str, i64, i64)> = rules
        .iter()
        .map(|r| (r.rule_id.as_str(), r.total, r.open))
        .collect();
    assert_eq!(r, [("R01", 2, 2), ("R02", 1, 0)]);
    assert_eq!(rules[0].rule_name, "超期未决定");
    let rules = store
        .alerts_by_rule_in(&guangzhou(), &year())
        .await
        .unwrap();
    assert_eq!(rules.iter().map(|r| r.total).sum::<i64>(), 2);
}
store_test!(
    months_and_alerts_by_rule,
    stats_months_and_alerts_by_rule_sqlite,
    stats_months_and_alerts_by_rule_postgres
);

/// Every figure, grouping and period (whole months, and months cut by the period) the
/// maintained buckets answer equals what the projection gives, before and after cases, events
/// and alerts change (triggers of migration 0010 on insert, update and delete).
async fn aggregates_match_the_projection(store: Store) {
    let w = world(&store).await;
    let agree = |label: &'static str| {
        let store = store.clone();
        let agency = w.t.agency.id.clone();
        async move {
            let periods = [
                ("2026-01-01", "2026-12-31"),
                ("2025-01-01", "2025-12-31"),
                ("2026-03-01", "2026-03-31"),
                ("2026-04-01", "2026-06-30"),
                ("2025-11-01", "2026-12-31"),
                ("2024-05-01", "2026-06-30"),
                // Cut months: days of March and June, whole April and May.
                ("2026-03-15", "2026-06-20"),
                ("2026-03-19", "2026-03-26"),
                ("2025-11-03", "2026-04-01"),
            ];
            let scopes = [
                Scope::All,
                guangzhou(),
                Scope::region("440000"),
                Scope::Agency(agency),
            ];
            for (from, to) in periods {
                let q = StatsQuery::new(d(from), d(to), d(TODAY)).unwrap();
                for scope in &scopes {
                    for by in [
                        None,
                        Some(Breakdown::Regions),
                        Some(Breakdown::Agencies),
                        Some(Breakdown::Fields),
                    ] {
                        let (_, a) = store
                            .stats_metrics_from(scope, &q, by, StatsSource::Aggregates)
                            .await
                            .unwrap();
                        let (_, p) = store
                            .stats_metrics_from(scope, &q, by, StatsSource::Projection)
                            .await
                            .unwrap();
                        assert_eq!(a, p, "{label}: {scope:?} {from}..{to} by {by:?}");
                    }
                    let a = store
                        .stats_monthly_from(scope, &q, StatsSource::Aggregates)
                        .await
                        .unwrap();
                    let p = store
                        .stats_monthly_from(scope, &q, StatsSource::Projection)
                        .await
                        .unwrap();
                    assert_eq!(a, p, "{label}: months {scope:?} {from}..{to}");
                    let a = store
                        .alerts_by_rule_from(scope, &q, StatsSource::Aggregates)
                        .await
                        .unwrap();
                    let p = store
                        .alerts_by_rule_from(scope, &q, StatsSource::Projection)
                        .await
                        .unwrap();
                    assert_eq!(a, p, "{label}: rules {scope:?} {from}..{to}");
                }
            }
        }
    };
    agree("the world").await;
    let (_, before) = store
        .stats_metrics_from(&guangzhou(), &year(), None, StatsSource::Aggregates)
        .await
        .unwrap();

    // T3 (2025) is filed, investigated with an inspection record and decided in 2026; an
    // alert is closed, another deleted.
    let t = &w.t;
    let scope = Scope::Agency(t.agency.id.clone());
    let t3 = store
        .list_cases_in(
            &scope,
            &CaseFilter::default(),
            d(TODAY),
            PageRequest {
                offset: 0,
                limit: 100,
            },
        )
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|c| c.opened_on == "2025-11-03")
        .expect("T3")
        .id;
    let two = vec![t.o1.clone(), t.o2.clone()];
    for (i, (role, cmd)) in [
        (
            "head",
            Command::FileCase {
                on: d("2026-02-02"),
                limitation_override: None,
            },
        ),
        (
            "officer",
            Command::AssignOfficers {
                on: d("2026-02-02"),
                officers: two.clone(),
            },
        ),
        (
            "officer",
            Command::MakeRecord {
                on: d("2026-02-03"),
                kind: "inspection".into(),
                place: "当事人经营场所".into(),
                officers: two,
                interviewee: None,
                content: "现场检查：未悬挂营业执照。".into(),
            },
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let e = env(t, role, &format!("t3-more-{i}"), &cmd.on().to_string());
        run(&store, &scope, Some(&t3), &e, &cmd)
            .await
            .unwrap_or_else(|err| panic!("{} refused: {err}", cmd.kind()));
    }
    sqlx::query("UPDATE supervision_alerts SET status = 'closed' WHERE id = 'alert-0'")
        .execute(store.pool())
        .await
        .unwrap();
    sqlx::query("DELETE FROM supervision_alerts WHERE id = 'alert-1'")
        .execute(store.pool())
        .await
        .unwrap();
    agree("after changes").await;
    let (_, after) = store
        .stats_metrics_from(&guangzhou(), &year(), None, StatsSource::Aggregates)
        .await
        .unwrap();
    let after = &after["*"];
    let before = &before["*"];
    assert_eq!(after.filed, before.filed + 1);
    assert_eq!(after.inspections, before.inspections + 1);
    assert_eq!(after.received, before.received, "T3 was received in 2025");
    assert_eq!((after.alerts_total, after.alerts_open), (1, 0));

    // 越秀's only case moves (as a DBA might move it) to 2024: the agency no longer acts in
    // 2026, so its month's bit clears in the acting bitmask (migration 0011).
    let acting = || async {
        let (_, m) = store
            .stats_metrics_from(&Scope::All, &year(), None, StatsSource::Aggregates)
            .await
            .unwrap();
        m["*"].acting_agencies
    };
    let acting_before = acting().await;
    sqlx::query(
        "UPDATE cases SET opened_on = '2024-05-06', decided_on = '2024-05-06', \
         closed_on = CASE WHEN closed_on IS NULL THEN NULL ELSE '2024-05-06' END \
         WHERE agency_id = $1",
    )
    .bind(w.y.agency.id.clone())
    .execute(store.pool())
    .await
    .unwrap();
    assert_eq!(acting().await, acting_before - 1);
    agree("after a case moved").await;
}
store_test!(
    aggregates_match_the_projection,
    stats_aggregates_match_the_projection_sqlite,
    stats_aggregates_match_the_projection_postgres
);

async fn annual_statistics_per_type(store: Store) {
    let w = world(&store).await;
    let r = store
        .annual_report_in(&guangzhou(), &year(), 2026)
        .await
        .expect("annual");
    assert_eq!(r.year, 2026);
    let p = &r.penalty;
    assert_eq!(p.filed, 2);
    assert_eq!(p.penalty_decisions, 2);
    assert_eq!(p.on_spot, 1);
    assert_eq!(p.no_penalty_decisions, 0);
    assert_eq!(p.fines.value(), 55_000);
    assert_eq!(p.confiscations.value(), 0);
    assert_eq!(p.hearings, 0);
    assert_eq!(p.reviewed, 1);
    assert_eq!(p.published, 1);
    assert_eq!(p.closed, 1);
    assert_eq!(
        (r.coercion.sealed, r.coercion.detained, r.coercion.preserved),
        (0, 1, 1)
    );
    assert_eq!((r.inspections.records, r.inspections.cases), (1, 1));
    // The catalogue per category: every category listed (none created here).
    assert_eq!(r.powers.len(), 10);
    assert!(r.powers.iter().all(|p| p.count == 0));
    // One line per agency of 广州, idle ones with zeros; not 南山.
    let ids: Vec<&str> = r.agencies.iter().map(|a| a.agency_id.as_str()).collect();
    assert_eq!(r.agencies.len(), 4, "{ids:?}");
    assert!(ids.contains(&w.idle.as_str()) && ids.contains(&w.city.as_str()));
    assert!(!ids.contains(&w.n.agency.id.as_str()));
    let t = r
        .agencies
        .iter()
        .find(|a| a.agency_id == w.t.agency.id)
        .unwrap();
    assert_eq!(t.agency_name, "天河区市场监督管理局");
    assert_eq!(t.penalty.fines.value(), 50_000);
    assert_eq!(t.coercion.detained, 1);
    // 2025: only the registration of T3, nothing decided.
    let r25 = store
        .annual_report_in(&guangzhou(), &year(), 2025)
        .await
        .unwrap();
    assert_eq!(r25.penalty, Default::default());
    assert_eq!(r25.inspections.records, 0);
    // One agency.
    let mut q = year();
    q.agency_id = Some(w.y.agency.id.clone());
    let ry = store
        .annual_report_in(&guangzhou(), &q, 2026)
        .await
        .unwrap();
    assert_eq!(ry.agencies.len(), 1);
    assert_eq!((ry.penalty.on_spot, ry.penalty.fines.value()), (1, 5_000));
}
store_test!(
    annual_statistics_per_type,
    stats_annual_statistics_per_type_sqlite,
    stats_annual_statistics_per_type_postgres
);

async fn indicator_tree_setting_is_checked_and_logged(store: Store) {
    let (tree, is_default) = store.indicator_tree().await.unwrap();
    assert!(is_default);
    assert_eq!(tree, IndicatorTree::default());
    // Weights that do not sum to 100 are refused, nothing written.
    let mut bad = tree.clone();
    bad.indicators[0].weight = 30;
    match store.set_indicator_tree(&actor(), &bad).await {
        Err(StoreError::Invalid(f)) => {
            assert_eq!(f[0].code, "indicators.weight_sum");
            assert_eq!(f[0].field, "indicators");
        }
        other => panic!("{other:?}"),
    }
    assert!(store.indicator_tree().await.unwrap().1);
    // A valid change is stored, logged and hashed into the ledger.
    let mut good = tree.clone();
    good.indicators[0].weight = 30;
    good.indicators[1].weight = 30;
    store.set_indicator_tree(&actor(), &good).await.unwrap();
    let (stored, is_default) = store.indicator_tree().await.unwrap();
    assert!(!is_default);
    assert_eq!(stored, good);
    let changes = store
        .list_changes(
            &ChangeFilter {
                entity: Some("setting".into()),
                ..Default::default()
            },
            PageRequest {
                offset: 0,
                limit: 10,
            },
        )
        .await
        .unwrap();
    let c = changes
        .items
        .iter()
        .find(|c| c.entity_id == "indicators")
        .expect("change row");
    assert_eq!(c.action, "create");
    assert_eq!(c.after.as_ref().unwrap()["indicators"][0]["weight"], 30);
    let leaves: i64 = sqlx::query("SELECT COUNT(*) FROM ledger_leaves WHERE kind = 'change'")
        .fetch_one(store.pool())
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    assert_eq!(leaves, all_changes(&store).await.len() as i64);
    store.set_indicator_tree(&actor(), &tree).await.unwrap();
    assert_eq!(store.indicator_tree().await.unwrap().0, tree);
}
store_test!(
    indicator_tree_setting_is_checked_and_logged,
    stats_indicator_tree_setting_is_checked_and_logged_sqlite,
    stats_indicator_tree_setting_is_checked_and_logged_postgres
);
