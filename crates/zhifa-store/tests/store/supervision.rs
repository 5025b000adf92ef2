//! Supervision (执法监督): every built-in alert rule raised by the situation it describes —
//! through case commands where the procedure allows it, else through imported case history
//! (`import_case_history`, the acts of another system) — exactly once, and not by the
//! compliant situation; the worker pass and sweeps; the handling loop with its roles, states,
//! change log and ledger leaves; escalation; data scope.

use std::collections::BTreeMap;

use zhifa_domain::calendar::LegalCalendar;
use zhifa_domain::case::{
    BenchmarkRange, CaseEvent, Command, Discretion, OfficerRef, Outcome, Party, ReviewOpinion,
    ReviewTrigger,
};
use zhifa_store::model::{ChangeFilter, LegalBasisInput, PageRequest, PowerInput, User};
use zhifa_store::supervision_model::{Alert, AlertAction, AlertFilter};
use zhifa_store::{ImportedCase, Scope, Store, StoreError};

use crate::cases::{Fx, citizen, d, env, fine, fixture, run};
use crate::fixtures::*;
use crate::store_test;

const TODAY: &str = "2026-12-31";

fn cal() -> LegalCalendar {
    LegalCalendar::builtin()
}

fn officer(fx: &Fx, which: u32, n: u32) -> OfficerRef {
    let (id, name) = match which {
        1 => (&fx.o1, "王一"),
        2 => (&fx.o2, "李二"),
        _ => (&fx.r1, "赵审"),
    };
    OfficerRef {
        officer_id: id.clone(),
        name: name.into(),
        certificate: format!("44010601{:05}", n * 10 + which),
    }
}

fn org_party(k: u32) -> Party {
    Party {
        party_type: "2".into(),
        name: format!("广州某食品有限公司{k}"),
        id_number: Some(uscc("440106", 900 + k)),
        legal_rep: Some("陈某".into()),
        address: Some("广州市天河区某路 8 号".into()),
        phone: None,
    }
}

/// A compliant general-procedure history (APL Art. 54–61, 67) of fixture `n`'s agency,
/// filed on `start`: two qualified officers on every act, prior notice, legal review agreed,
/// decision, service and publication on time, payment within 15 days, closure.
struct History {
    events: Vec<CaseEvent>,
}

impl History {
    fn compliant(fx: &Fx, n: u32, start: &str, party: Party, fine_fen: i64) -> History {
        let s = d(start);
        let day = |k: u64| s + chrono::Days::new(k);
        let two = vec![officer(fx, 1, n), officer(fx, 2, n)];
        let penalty = fine(fine_fen);
        History {
            events: vec![
                CaseEvent::LeadRegistered {
                    on: s,
                    agency_id: fx.agency.id.clone(),
                    agency_name: fx.agency.name.clone(),
                    field: "01".into(),
                    source: "1".into(),
                    cause: "销售过期食品".into(),
                    party,
                    act_date: s - chrono::Days::new(10),
                    act_ended: None,
                    serious_harm: false,
                    power_id: None,
                    summary: "群众举报".into(),
                },
                CaseEvent::CaseFiled {
                    on: s,
                    number: format!("穗市监处罚〔2026〕{n}号"),
                    limitation_until: s + chrono::Days::new(700),
                    late: false,
                    limitation_override: None,
                },
                CaseEvent::OfficersAssigned {
                    on: s,
                    officers: two.clone(),
                },
                CaseEvent::RecordMade {
                    on: day(1),
                    kind: "inspection".into(),
                    place: "当事人经营场所".into(),
                    officers: two,
                    interviewee: None,
                    content: "现场检查发现过期食品".into(),
                },
                CaseEvent::InvestigationConcluded {
                    on: day(8),
                    outcome: Outcome::Penalty {
                        penalty: penalty.clone(),
                    },
                    major_complex: false,
                    review_requested: true,
                    discretion: None,
                },
                CaseEvent::NoticeServed {
                    on: day(9),
                    method: "1".into(),
                    penalty: penalty.clone(),
                    hearing_right: false,
                },
                CaseEvent::RightsWaived { on: day(10) },
                CaseEvent::ReviewRequested {
                    on: day(16),
                    triggers: vec![ReviewTrigger::Manual],
                },
                CaseEvent::ReviewOpinionGiven {
                    on: day(17),
                    reviewer: officer(fx, 3, n),
                    opinion: ReviewOpinion::Agree,
                    comments: "同意".into(),
                },
                CaseEvent::DecisionMade {
                    on: day(17),
                    number: format!("穗市监罚决〔2026〕{n}号"),
                    penalty: Some(penalty),
                    late: false,
                    decided_by: "head".into(),
                },
                CaseEvent::DecisionServed {
                    on: day(18),
                    method: "1".into(),
                    late: false,
                },
                CaseEvent::DecisionPublished { on: day(18) },
                CaseEvent::PaymentReceived {
                    on: day(23),
                    amount_fen: fine_fen,
                    on_spot: false,
                },
                CaseEvent::CaseClosed {
                    on: day(24),
                    approved_by: "head".into(),
                },
            ],
        }
    }

    fn without(mut self, kind: &str) -> Self {
        self.events.retain(|e| e.kind() != kind);
        self
    }

    fn edit(mut self, f: impl FnOnce(&mut Vec<CaseEvent>)) -> Self {
        f(&mut self.events);
        self
    }

    fn until(mut self, kind: &str) -> Self {
        if let Some(i) = self.events.iter().position(|e| e.kind() == kind) {
            self.events.truncate(i + 1);
        }
        self
    }

    async fn import(self, store: &Store, id: &str) -> String {
        store
            .import_case_history(
                &cal(),
                d(TODAY),
                &ImportedCase {
                    source_system: "legacy-scjg".into(),
                    source_id: id.into(),
                    actor: "importer".into(),
                    events: self.events,
                },
            )
            .await
            .expect("import")
            .0
    }
}

/// Runs the worker pass and a sweep as of `today`; returns the alerts by rule id.
async fn evaluate_on(store: &Store, today: &str) -> BTreeMap<String, Vec<Alert>> {
    store
        .supervision_pass(&cal(), d(today), 10_000)
        .await
        .expect("pass");
    store
        .supervision_sweep(&cal(), d(today), false)
        .await
        .expect("sweep");
    let mut out: BTreeMap<String, Vec<Alert>> = BTreeMap::new();
    for a in all_alerts(store).await {
        out.entry(a.rule_id.clone()).or_default().push(a);
    }
    out
}

async fn evaluate(store: &Store) -> BTreeMap<String, Vec<Alert>> {
    evaluate_on(store, TODAY).await
}

async fn all_alerts(store: &Store) -> Vec<Alert> {
    store
        .list_alerts_in(
            &Scope::All,
            &AlertFilter::default(),
            PageRequest {
                offset: 0,
                limit: 500,
            },
        )
        .await
        .expect("alerts")
        .items
}

/// Asserts the alerts are exactly one of each rule in `rules`.
fn exactly(alerts: &BTreeMap<String, Vec<Alert>>, rules: &[&str]) {
    let got: Vec<(&str, usize)> = alerts.iter().map(|(k, v)| (k.as_str(), v.len())).collect();
    let want: Vec<(&str, usize)> = rules.iter().map(|r| (*r, 1)).collect();
    assert_eq!(got, want, "alerts: {alerts:#?}");
    for v in alerts.values() {
        assert!(
            v[0].citation.contains('《'),
            "{} cites no article",
            v[0].rule_id
        );
        assert!(!v[0].message.is_empty());
    }
}

/// A lead of a citizen selling expired food, registered on `on` for an act on `act`.
fn lead(fx: &Fx, on: &str, act: &str) -> Command {
    Command::RegisterLead {
        on: d(on),
        agency_id: fx.agency.id.clone(),
        source: "1".into(),
        cause: "销售过期食品".into(),
        party: citizen(),
        act_date: d(act),
        act_ended: None,
        serious_harm: false,
        power_id: None,
        summary: "群众举报".into(),
    }
}

// ------------------------------------------------------------------------ the rules

/// Compliant cases — through the commands and imported — raise nothing, and evaluating
/// again raises nothing new.
async fn compliant_cases_raise_no_alert(store: Store) {
    let fx = fixture(&store, 1).await;
    crate::cases::whole_case(&store, &fx, "ok").await;
    History::compliant(&fx, 1, "2026-03-02", citizen(), 50_000)
        .import(&store, "c1")
        .await;
    exactly(&evaluate(&store).await, &[]);
    exactly(&evaluate(&store).await, &[]);
    assert!(store.supervision_position().await.expect("pos") > 0);
}
store_test!(
    compliant_cases_raise_no_alert,
    compliant_cases_raise_no_alert_sqlite,
    compliant_cases_raise_no_alert_postgres
);

/// APL Art. 60: filed through the commands and left undecided past 90 days.
async fn apl_art_60_decision_overdue(store: Store) {
    let fx = fixture(&store, 1).await;
    let scope = Scope::Agency(fx.agency.id.clone());
    let lead = lead(&fx, "2026-03-02", "2026-02-20");
    let out = run(
        &store,
        &scope,
        None,
        &env(&fx, "officer", "k1", "2026-03-02"),
        &lead,
    )
    .await
    .expect("lead");
    let file = Command::FileCase {
        on: d("2026-03-02"),
        limitation_override: None,
    };
    run(
        &store,
        &scope,
        Some(&out.case_id),
        &env(&fx, "head", "k2", "2026-03-02"),
        &file,
    )
    .await
    .expect("file");
    // Within the period: nothing.
    exactly(&evaluate_on(&store, "2026-05-01").await, &[]);
    let alerts = evaluate(&store).await;
    exactly(&alerts, &["decision_overdue"]);
    let a = &alerts["decision_overdue"][0];
    assert_eq!(a.case_id.as_deref(), Some(out.case_id.as_str()));
    assert_eq!(a.severity, "high");
    assert!(a.citation.contains("第六十条"));
}
store_test!(
    apl_art_60_decision_overdue,
    apl_art_60_decision_overdue_sqlite,
    apl_art_60_decision_overdue_postgres
);

/// APL Art. 61 and 118号: decided, then neither served nor published.
async fn apl_art_61_and_118_service_and_publication_overdue(store: Store) {
    let fx = fixture(&store, 1).await;
    History::compliant(&fx, 1, "2026-03-02", citizen(), 50_000)
        .until("decision_made")
        .import(&store, "late")
        .await;
    exactly(
        &evaluate(&store).await,
        &["publication_overdue", "service_overdue"],
    );
}
store_test!(
    apl_art_61_and_118_service_and_publication_overdue,
    apl_art_61_and_118_service_and_publication_overdue_sqlite,
    apl_art_61_and_118_service_and_publication_overdue_postgres
);

/// ACL Art. 25: a seizure held past 30 days; released in time it raises nothing.
async fn acl_art_25_seizure_overdue(store: Store) {
    let fx = fixture(&store, 1).await;
    let seizure = |fx: &Fx| CaseEvent::SeizureApplied {
        on: d("2026-11-20"),
        measure: "2".into(),
        items: "过期食品 12 盒".into(),
        officers: vec![officer(fx, 1, 1), officer(fx, 2, 1)],
        approved_by: "head".into(),
    };
    let base = History::compliant(&fx, 1, "2026-11-20", citizen(), 50_000).until("record_made");
    let s = seizure(&fx);
    base.edit(|e| e.push(s)).import(&store, "held").await;
    let s = seizure(&fx);
    History::compliant(&fx, 1, "2026-11-20", citizen(), 50_000)
        .until("record_made")
        .edit(|e| {
            e.push(s);
            e.push(CaseEvent::SeizureReleased {
                on: d("2026-12-10"),
            });
        })
        .import(&store, "released")
        .await;
    exactly(&evaluate(&store).await, &["seizure_overdue"]);
}
store_test!(
    acl_art_25_seizure_overdue,
    acl_art_25_seizure_overdue_sqlite,
    acl_art_25_seizure_overdue_postgres
);

/// APL Art. 58: a ¥20,000 fine on a citizen decided without legal review (imported).
async fn apl_art_58_review_missing(store: Store) {
    let fx = fixture(&store, 1).await;
    History::compliant(&fx, 1, "2026-03-02", citizen(), 2_000_000)
        .without("review_requested")
        .without("review_opinion_given")
        .import(&store, "noreview")
        .await;
    History::compliant(&fx, 1, "2026-04-01", citizen(), 2_000_000)
        .import(&store, "reviewed")
        .await;
    exactly(&evaluate(&store).await, &["review_missing"]);
}
store_test!(
    apl_art_58_review_missing,
    apl_art_58_review_missing_sqlite,
    apl_art_58_review_missing_postgres
);

/// APL Art. 44: a penalty decided without prior notice (imported).
async fn apl_art_44_notice_missing(store: Store) {
    let fx = fixture(&store, 1).await;
    History::compliant(&fx, 1, "2026-03-02", citizen(), 50_000)
        .without("notice_served")
        .without("rights_waived")
        .import(&store, "nonotice")
        .await;
    exactly(&evaluate(&store).await, &["notice_missing"]);
}
store_test!(
    apl_art_44_notice_missing,
    apl_art_44_notice_missing_sqlite,
    apl_art_44_notice_missing_postgres
);

/// APL Art. 42: an inspection by one officer; and one with a certificate that does not exist.
async fn apl_art_42_officers_and_certificates(store: Store) {
    let fx = fixture(&store, 1).await;
    let one = vec![officer(&fx, 1, 1)];
    History::compliant(&fx, 1, "2026-03-02", citizen(), 50_000)
        .edit(|e| {
            if let CaseEvent::RecordMade { officers, .. } = &mut e[3] {
                *officers = one;
            }
        })
        .import(&store, "alone")
        .await;
    exactly(&evaluate(&store).await, &["officers_too_few"]);
    let mut bad = officer(&fx, 2, 1);
    bad.certificate = "4401069999999".into();
    History::compliant(&fx, 1, "2026-04-02", citizen(), 50_000)
        .edit(|e| {
            if let CaseEvent::RecordMade { officers, .. } = &mut e[3] {
                officers[1] = bad;
            }
        })
        .import(&store, "badcert")
        .await;
    let alerts = evaluate(&store).await;
    exactly(&alerts, &["certificate_invalid", "officers_too_few"]);
    let a = &alerts["certificate_invalid"][0];
    assert_eq!(a.officer_id.as_deref(), Some(fx.o2.as_str()));
    assert!(a.message.contains("4401069999999"), "{}", a.message);
}
store_test!(
    apl_art_42_officers_and_certificates,
    apl_art_42_officers_and_certificates_sqlite,
    apl_art_42_officers_and_certificates_postgres
);

/// APL Art. 34: a fine outside the discretion benchmark; inside it raises nothing.
async fn apl_art_34_discretion_deviation(store: Store) {
    let fx = fixture(&store, 1).await;
    let range = BenchmarkRange {
        id: "b1".into(),
        level: "2".into(),
        min_fen: 100_000,
        max_fen: 500_000,
    };
    for (id, fine_fen, deviates, start) in [
        ("out", 800_000, true, "2026-03-02"),
        ("in", 300_000, false, "2026-04-02"),
    ] {
        let r = range.clone();
        History::compliant(&fx, 1, start, citizen(), fine_fen)
            .edit(|e| {
                if let CaseEvent::InvestigationConcluded { discretion, .. } = &mut e[4] {
                    *discretion = Some(Discretion {
                        benchmark: r,
                        deviates,
                        reason: deviates.then(|| "当事人拒不改正，情节恶劣".to_string()),
                    });
                }
            })
            .import(&store, id)
            .await;
    }
    let alerts = evaluate(&store).await;
    exactly(&alerts, &["discretion_deviation"]);
    assert!(
        alerts["discretion_deviation"][0]
            .message
            .contains("8000.00")
    );
}
store_test!(
    apl_art_34_discretion_deviation,
    apl_art_34_discretion_deviation_sqlite,
    apl_art_34_discretion_deviation_postgres
);

/// A power whose penalty article allows ¥5,000–¥50,000 (imported with a one-article law).
async fn capped_power(store: &Store) -> String {
    let law = serde_json::json!([{
        "title": "广东省食品安全条例", "level": "LocalRegulation", "category": "地方性法规",
        "version_date": "2016-12-01", "issued": null, "history": [],
        "source_file": "地方性法规/广东省食品安全条例(2016-12-01).md", "preamble": null,
        "articles": [{
            "number": 60, "suffix": 0, "label": "第六十条", "chapter": "第六章 法律责任",
            "section": null,
            "text": "违反本条例规定的，由食品药品监督管理部门责令改正，处五千元以上五万元以下罚款。",
            "paragraphs": [{ "text": "违反本条例规定的，由食品药品监督管理部门责令改正，处五千元以上五万元以下罚款。", "items": [] }]
        }]
    }]);
    let laws: Vec<zhifa_laws::Law> = serde_json::from_value(law).expect("law");
    store.import_laws(&laws, &actor()).await.expect("laws");
    let art = store
        .find_article("广东省食品安全条例", "第六十条")
        .await
        .expect("find")
        .expect("article");
    store
        .create_power(
            &PowerInput {
                code: "GD0102X001".into(),
                name: "对违反食品安全条例的行政处罚".into(),
                category: "02".into(),
                field: "01".into(),
                subject_types: vec!["1".into()],
                description: None,
                bases: vec![LegalBasisInput {
                    article_id: art.id,
                    role: "penalty".into(),
                }],
            },
            &actor(),
        )
        .await
        .expect("power")
        .id
}

/// A fine above the statutory maximum of the applied article (¥60,000 > ¥50,000).
async fn statutory_maximum_exceeded(store: Store) {
    let fx = fixture(&store, 1).await;
    let power = capped_power(&store).await;
    for (id, fine_fen, start) in [
        ("over", 6_000_000, "2026-03-02"),
        ("within", 5_000_000, "2026-04-02"),
    ] {
        let p = power.clone();
        History::compliant(&fx, 1, start, citizen(), fine_fen)
            .edit(|e| {
                if let CaseEvent::LeadRegistered { power_id, .. } = &mut e[0] {
                    *power_id = Some(p);
                }
            })
            .import(&store, id)
            .await;
    }
    let alerts = evaluate(&store).await;
    exactly(&alerts, &["above_statutory_max"]);
    assert!(
        alerts["above_statutory_max"][0]
            .message
            .contains("50000.00")
    );
}
store_test!(
    statutory_maximum_exceeded,
    statutory_maximum_exceeded_sqlite,
    statutory_maximum_exceeded_postgres
);

/// APL Art. 36: the head overrides the limitation check when filing (through the commands).
async fn apl_art_36_limitation_exceeded(store: Store) {
    let fx = fixture(&store, 1).await;
    let scope = Scope::Agency(fx.agency.id.clone());
    for (k, act) in [("old", "2023-06-01"), ("fresh", "2026-11-01")] {
        let lead = lead(&fx, "2026-12-01", act);
        let out = run(
            &store,
            &scope,
            None,
            &env(&fx, "officer", &format!("{k}-1"), "2026-12-01"),
            &lead,
        )
        .await
        .expect("lead");
        let file = Command::FileCase {
            on: d("2026-12-01"),
            limitation_override: (k == "old").then(|| "经集体讨论，违法行为持续至今".to_string()),
        };
        run(
            &store,
            &scope,
            Some(&out.case_id),
            &env(&fx, "head", &format!("{k}-2"), "2026-12-01"),
            &file,
        )
        .await
        .expect("file");
    }
    exactly(&evaluate(&store).await, &["limitation_exceeded"]);
}
store_test!(
    apl_art_36_limitation_exceeded,
    apl_art_36_limitation_exceeded_sqlite,
    apl_art_36_limitation_exceeded_postgres
);

/// APL Art. 72: paid two months late with no surcharge; with the surcharge it is compliant.
async fn apl_art_72_surcharge_missing(store: Store) {
    let fx = fixture(&store, 1).await;
    let late = |e: &mut Vec<CaseEvent>| {
        for x in e.iter_mut() {
            if let CaseEvent::PaymentReceived { on, .. } = x {
                *on = d("2026-05-20");
            }
            if let CaseEvent::CaseClosed { on, .. } = x {
                *on = d("2026-05-21");
            }
        }
    };
    History::compliant(&fx, 1, "2026-03-02", citizen(), 50_000)
        .edit(late)
        .import(&store, "late")
        .await;
    History::compliant(&fx, 1, "2026-03-02", citizen(), 50_000)
        .edit(late)
        .edit(|e| {
            let at = e.len() - 2;
            e.insert(
                at,
                CaseEvent::SurchargeAccrued {
                    as_of: d("2026-05-20"),
                    days: 40,
                    amount_fen: 50_000,
                },
            );
            if let CaseEvent::PaymentReceived { amount_fen, .. } = &mut e[at + 1] {
                *amount_fen = 100_000;
            }
        })
        .import(&store, "surcharged")
        .await;
    exactly(&evaluate(&store).await, &["surcharge_missing"]);
}
store_test!(
    apl_art_72_surcharge_missing,
    apl_art_72_surcharge_missing_sqlite,
    apl_art_72_surcharge_missing_postgres
);

/// 国办发〔2024〕54号: one enterprise inspected by two agencies within 30 days raises one
/// alert (on the later inspection); 40 days apart, or the same agency twice, none.
async fn repeat_inspection_by_other_agencies(store: Store) {
    let a = fixture(&store, 1).await;
    let b = fixture(&store, 2).await;
    History::compliant(&a, 1, "2026-03-02", org_party(1), 50_000)
        .import(&store, "a1")
        .await;
    History::compliant(&a, 1, "2026-03-12", org_party(1), 50_000)
        .import(&store, "a2")
        .await;
    exactly(&evaluate(&store).await, &[]);
    let second = History::compliant(&b, 2, "2026-03-20", org_party(1), 50_000)
        .import(&store, "b1")
        .await;
    History::compliant(&b, 2, "2026-06-20", org_party(2), 50_000)
        .import(&store, "b2")
        .await;
    History::compliant(&a, 1, "2026-08-01", org_party(2), 50_000)
        .import(&store, "a3")
        .await;
    let alerts = evaluate(&store).await;
    exactly(&alerts, &["repeat_inspection"]);
    let x = &alerts["repeat_inspection"][0];
    assert_eq!(x.case_id.as_deref(), Some(second.as_str()));
    assert_eq!(x.agency_id, b.agency.id);
}
store_test!(
    repeat_inspection_by_other_agencies,
    repeat_inspection_by_other_agencies_sqlite,
    repeat_inspection_by_other_agencies_postgres
);

/// 零执法: an agency of a field with penalty powers and no case in a year; the agency that
/// has cases raises nothing.
async fn zero_enforcement(store: Store) {
    let busy = fixture(&store, 1).await;
    let idle = fixture(&store, 2).await;
    capped_power(&store).await;
    History::compliant(&busy, 1, "2026-03-02", citizen(), 50_000)
        .import(&store, "busy")
        .await;
    let alerts = evaluate(&store).await;
    exactly(&alerts, &["zero_enforcement"]);
    assert_eq!(alerts["zero_enforcement"][0].agency_id, idle.agency.id);
    assert_eq!(alerts["zero_enforcement"][0].case_id, None);
}
store_test!(
    zero_enforcement,
    zero_enforcement_sqlite,
    zero_enforcement_postgres
);

/// Fines clustered at the benchmark maximum: officer 1 on five decisions, all at the top of
/// the range (officer 2 and the reviewer on fewer).
async fn fines_clustered_at_the_maximum(store: Store) {
    let fx = fixture(&store, 1).await;
    for k in 0..5u64 {
        let partner = if k % 2 == 0 { 2 } else { 3 };
        let two = vec![officer(&fx, 1, 1), officer(&fx, partner, 1)];
        let start = (d("2026-03-02") + chrono::Days::new(k * 20)).to_string();
        History::compliant(&fx, 1, &start, citizen(), 500_000)
            .edit(|e| {
                if let CaseEvent::OfficersAssigned { officers, .. } = &mut e[2] {
                    *officers = two;
                }
                if let CaseEvent::InvestigationConcluded { discretion, .. } = &mut e[4] {
                    *discretion = Some(Discretion {
                        benchmark: BenchmarkRange {
                            id: "b1".into(),
                            level: "3".into(),
                            min_fen: 200_000,
                            max_fen: 500_000,
                        },
                        deviates: false,
                        reason: None,
                    });
                }
            })
            .import(&store, &format!("max{k}"))
            .await;
    }
    let alerts = evaluate(&store).await;
    exactly(&alerts, &["fines_at_maximum"]);
    assert_eq!(
        alerts["fines_at_maximum"][0].officer_id.as_deref(),
        Some(fx.o1.as_str())
    );
}
store_test!(
    fines_clustered_at_the_maximum,
    fines_clustered_at_the_maximum_sqlite,
    fines_clustered_at_the_maximum_postgres
);

/// APL Art. 33: 不予处罚 in at least 40 % of at least ten concluded investigations.
async fn high_no_penalty_rate(store: Store) {
    let fx = fixture(&store, 1).await;
    for k in 0..10u64 {
        let start = (d("2026-01-05") + chrono::Days::new(k * 7)).to_string();
        let h = History::compliant(&fx, 1, &start, citizen(), 50_000);
        let h = if k < 4 {
            h
        } else {
            h.until("investigation_concluded").edit(|e| {
                let on = match &e[4] {
                    CaseEvent::InvestigationConcluded { on, .. } => *on,
                    _ => unreachable!("conclusion"),
                };
                e[4] = CaseEvent::InvestigationConcluded {
                    on,
                    outcome: Outcome::NoPenalty {
                        reason: "1".into(),
                        education: Some("批评教育".into()),
                    },
                    major_complex: false,
                    review_requested: false,
                    discretion: None,
                };
                e.push(CaseEvent::DecisionMade {
                    on,
                    number: format!("穗市监不罚〔2026〕{k}号"),
                    penalty: None,
                    late: false,
                    decided_by: "head".into(),
                });
                e.push(CaseEvent::DecisionServed {
                    on,
                    method: "1".into(),
                    late: false,
                });
                e.push(CaseEvent::CaseClosed {
                    on,
                    approved_by: "head".into(),
                });
            })
        };
        h.import(&store, &format!("np{k}")).await;
    }
    let alerts = evaluate(&store).await;
    exactly(&alerts, &["no_penalty_rate"]);
    assert!(alerts["no_penalty_rate"][0].message.contains("60%"));
}
store_test!(
    high_no_penalty_rate,
    high_no_penalty_rate_sqlite,
    high_no_penalty_rate_postgres
);

// ------------------------------------------------------------------ worker and loop

/// Importing the same case twice keeps one case; the pass evaluates each event once and
/// records the triggering position; the rules can be replaced (logged) and checked.
async fn pass_is_incremental_and_rules_are_configuration(store: Store) {
    let fx = fixture(&store, 1).await;
    let h = || {
        History::compliant(&fx, 1, "2026-03-02", citizen(), 50_000)
            .without("notice_served")
            .without("rights_waived")
    };
    let id = h().import(&store, "x").await;
    assert_eq!(h().import(&store, "x").await, id);
    let first = store
        .supervision_pass(&cal(), d(TODAY), 5)
        .await
        .expect("pass");
    assert_eq!(first.events, 5);
    let mut raised = first.raised;
    loop {
        let p = store
            .supervision_pass(&cal(), d(TODAY), 5)
            .await
            .expect("pass");
        raised += p.raised;
        if p.events == 0 {
            break;
        }
    }
    assert_eq!(raised, 1, "one alert however the log is cut into passes");
    let a = &all_alerts(&store).await[0];
    assert_eq!(a.rule_id, "notice_missing");
    assert!(a.trigger_seq.is_some());

    // Disable the rule: a second case of the same kind raises nothing.
    let mut rules = store.alert_rules().await.expect("rules");
    for r in &mut rules.rules {
        if r.id == "notice_missing" {
            r.enabled = false;
        }
    }
    store
        .set_alert_rules(&actor(), &rules.to_toml())
        .await
        .expect("set rules");
    h().import(&store, "y").await;
    store
        .supervision_pass(&cal(), d(TODAY), 100)
        .await
        .expect("pass");
    assert_eq!(all_alerts(&store).await.len(), 1);
    let changes = store
        .list_changes(
            &ChangeFilter {
                entity: Some("setting".into()),
                entity_id: Some("alert_rules".into()),
            },
            PageRequest {
                offset: 0,
                limit: 10,
            },
        )
        .await
        .expect("changes");
    assert_eq!(changes.total, 1);

    // A bad rule set names the field and rule; nothing changes.
    let bad = rules
        .to_toml()
        .replace("share_percent = 80", "share_percent = 180");
    let errors = invalid_codes(store.set_alert_rules(&actor(), &bad).await);
    assert!(
        errors
            .iter()
            .any(|(f, c)| f.ends_with("check.share_percent") && c == "alert_rules.parameter"),
        "{errors:?}"
    );
    assert_eq!(store.alert_rules().await.expect("rules"), rules);

    // Enabled again, the rule sees the closed case "y" only in a full sweep (an open-case
    // sweep and the pass have nothing new to look at).
    for r in &mut rules.rules {
        r.enabled = true;
    }
    store
        .set_alert_rules(&actor(), &rules.to_toml())
        .await
        .expect("set rules");
    assert_eq!(store.alert_rules_version().await.expect("version"), 2);
    let open_only = store
        .supervision_sweep(&cal(), d(TODAY), false)
        .await
        .expect("sweep");
    assert_eq!(open_only.raised, 0);
    let full = store
        .supervision_sweep(&cal(), d(TODAY), true)
        .await
        .expect("sweep");
    assert_eq!((full.cases, full.raised), (2, 1));
    assert_eq!(all_alerts(&store).await.len(), 2);
}
store_test!(
    pass_is_incremental_and_rules_are_configuration,
    pass_is_incremental_and_rules_are_configuration_sqlite,
    pass_is_incremental_and_rules_are_configuration_postgres
);

fn user(id: &str, role: &str, subject: Option<&str>, region: Option<&str>) -> User {
    User {
        id: id.into(),
        username: id.into(),
        display_name: format!("{id} 姓名"),
        role: role.into(),
        subject_id: subject.map(Into::into),
        officer_id: None,
        region_code: region.map(Into::into),
        active: true,
        created_at: String::new(),
    }
}

/// The handling loop (处置闭环): assign → opinion (numbered) → rectification → feedback →
/// return → feedback → close; each step by its role, in its state, logged with a ledger
/// leaf; mute needs a reason; scope hides other regions' alerts; escalation of ignored ones.
async fn handling_loop_roles_states_and_escalation(store: Store) {
    let fx = fixture(&store, 1).await;
    for k in ["a", "b"] {
        History::compliant(&fx, 1, "2026-03-02", citizen(), 50_000)
            .without("notice_served")
            .without("rights_waived")
            .import(&store, k)
            .await;
    }
    evaluate(&store).await;
    let alerts = all_alerts(&store).await;
    assert_eq!(alerts.len(), 2);
    let (a, b) = (&alerts[0], &alerts[1]);
    let sup_gz = store
        .create_user(
            &zhifa_store::model::UserInput {
                username: "sup-gz".into(),
                display_name: "广州监督员".into(),
                role: "supervisor".into(),
                subject_id: None,
                officer_id: None,
                region_code: Some("440100".into()),
                password: "Supervise-2026!".into(),
            },
            &actor(),
        )
        .await
        .expect("user");
    let sup = user(&sup_gz.id, "supervisor", None, Some("440100"));
    let head = user("head-1", "head", Some(&fx.agency.id), None);
    let officer_u = user("off-1", "officer", Some(&fx.agency.id), None);
    let sup_scope = Scope::region("440100");
    let agency_scope = Scope::Agency(fx.agency.id.clone());
    let today = d(TODAY);
    let act = |u: &User, scope: &Scope, action: AlertAction, id: &str| {
        let store = &store;
        let u = u.clone();
        let scope = scope.clone();
        let id = id.to_string();
        async move {
            store
                .act_on_alert(&scope, &u, &actor(), &id, &action, today)
                .await
        }
    };
    // Another region's supervisor does not see it.
    assert_not_found(store.get_alert_in(&Scope::region("440300"), &a.id).await);
    // The agency cannot take a supervisor's step, nor rectify before an opinion.
    let e = invalid_codes(
        act(
            &head,
            &agency_scope,
            AlertAction::Assign { assignee_id: None },
            &a.id,
        )
        .await,
    );
    assert!(has(&e, "action", "alert.role"), "{e:?}");
    let e = invalid_codes(
        act(
            &head,
            &agency_scope,
            AlertAction::Rectify {
                rectification: "已整改".into(),
            },
            &a.id,
        )
        .await,
    );
    assert!(has(&e, "action", "alert.status"), "{e:?}");
    let e = invalid_codes(
        act(
            &officer_u,
            &agency_scope,
            AlertAction::Rectify {
                rectification: "已整改".into(),
            },
            &a.id,
        )
        .await,
    );
    assert!(has(&e, "action", "alert.role"), "{e:?}");
    let x = act(
        &sup,
        &sup_scope,
        AlertAction::Assign { assignee_id: None },
        &a.id,
    )
    .await
    .expect("assign");
    assert_eq!(x.assignee_name.as_deref(), Some("广州监督员"));
    let e = invalid_codes(
        act(
            &sup,
            &sup_scope,
            AlertAction::IssueOpinion {
                opinion: "".into(),
                rectify_due: "2026-01-01".into(),
            },
            &a.id,
        )
        .await,
    );
    assert!(has(&e, "opinion", "alert.text_required"), "{e:?}");
    assert!(has(&e, "rectify_due", "alert.rectify_due_past"), "{e:?}");
    let x = act(
        &sup,
        &sup_scope,
        AlertAction::IssueOpinion {
            opinion: "该案未经事先告知即作出处罚决定，违反《行政处罚法》第四十四条，请予纠正"
                .into(),
            rectify_due: "2027-01-29".into(),
        },
        &a.id,
    )
    .await
    .expect("opinion");
    assert_eq!(x.status, "opinion_issued");
    assert_eq!(x.opinion_number.as_deref(), Some("监督意见〔2026〕1号"));
    act(
        &head,
        &agency_scope,
        AlertAction::Rectify {
            rectification: "已撤销原决定，重新履行告知程序".into(),
        },
        &a.id,
    )
    .await
    .expect("rectify");
    act(
        &head,
        &agency_scope,
        AlertAction::Feedback {
            feedback: "整改完成，附重新送达的告知书".into(),
        },
        &a.id,
    )
    .await
    .expect("feedback");
    let x = act(
        &sup,
        &sup_scope,
        AlertAction::Return {
            note: "未附送达回证".into(),
        },
        &a.id,
    )
    .await
    .expect("return");
    assert_eq!(x.status, "opinion_issued");
    act(
        &head,
        &agency_scope,
        AlertAction::Rectify {
            rectification: "补充送达回证".into(),
        },
        &a.id,
    )
    .await
    .expect("rectify again");
    act(
        &head,
        &agency_scope,
        AlertAction::Feedback {
            feedback: "已补充".into(),
        },
        &a.id,
    )
    .await
    .expect("feedback again");
    let x = act(
        &sup,
        &sup_scope,
        AlertAction::Close {
            note: "核查属实，予以销号".into(),
        },
        &a.id,
    )
    .await
    .expect("close");
    assert_eq!((x.status.as_str(), x.version), ("closed", 9));
    let history = store
        .alert_history(&sup_scope, &a.id)
        .await
        .expect("history");
    let steps: Vec<&str> = history.iter().map(|c| c.action.as_str()).collect();
    assert_eq!(
        steps,
        [
            "raise",
            "assign",
            "issue_opinion",
            "rectify",
            "feedback",
            "return",
            "rectify",
            "feedback",
            "close"
        ]
    );
    // Every step is a ledger leaf: the audit re-hashes them.
    let report = store
        .verify_ledger(&zhifa_store::AuditOptions::default())
        .await
        .expect("audit");
    assert!(report.is_intact(), "{report:?}");

    // Mute needs a reason; the second alert escalates when left open.
    let e = invalid_codes(
        act(
            &sup,
            &sup_scope,
            AlertAction::Mute { reason: " ".into() },
            &b.id,
        )
        .await,
    );
    assert!(has(&e, "reason", "alert.text_required"), "{e:?}");
    let r = store
        .supervision_sweep(&cal(), today + chrono::Days::new(20), false)
        .await
        .expect("sweep");
    assert_eq!(r.escalated, 1);
    let b2 = store.get_alert_in(&sup_scope, &b.id).await.expect("b");
    assert_eq!(b2.escalation, 2);
    let x = act(
        &sup,
        &sup_scope,
        AlertAction::Mute {
            reason: "同一问题已由上级挂牌督办".into(),
        },
        &b.id,
    )
    .await
    .expect("mute");
    assert_eq!(x.status, "muted");
    let err = act(
        &sup,
        &sup_scope,
        AlertAction::Assign { assignee_id: None },
        &b.id,
    )
    .await;
    assert!(matches!(err, Err(StoreError::Invalid(_))));
}
store_test!(
    handling_loop_roles_states_and_escalation,
    handling_loop_roles_states_and_escalation_sqlite,
    handling_loop_roles_states_and_escalation_postgres
);
