//! Case handling through the store: commands decided by the procedure rules, events with
//! their ledger leaves, idempotency, number series, data scope, published decisions and their
//! verification codes, bulk scripts, node rules, and the audit of case events.

use chrono::NaiveDate;
use zhifa_domain::calendar::LegalCalendar;
use zhifa_domain::case::{Command, Envelope, Outcome, Party, Penalty, ReviewOpinion, law};
use zhifa_store::case_model::{CaseFilter, CommandOutcome};
use zhifa_store::model::{CertificateFilter, ChangeFilter, PageRequest, Subject};
use zhifa_store::{AuditOptions, CaseScript, Scope, Store, StoreError};

use crate::fixtures::*;
use crate::store_test;

pub(crate) fn d(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

fn today() -> NaiveDate {
    d("2026-12-31")
}

/// An agency with two investigators (O1, O2) and a legal reviewer (R1), all with
/// certificates covering field 01 (APL Art. 42, 58).
pub(crate) struct Fx {
    pub(crate) agency: Subject,
    pub(crate) o1: String,
    pub(crate) o2: String,
    pub(crate) r1: String,
}

pub(crate) async fn fixture(store: &Store, n: u32) -> Fx {
    fixture_in(store, n, &format!("第{n}区市场监督管理局"), "440106").await
}

/// [`fixture`] for an agency named `name` in `region`.
pub(crate) async fn fixture_in(store: &Store, n: u32, name: &str, region: &str) -> Fx {
    let agency = store
        .create_subject(&subject_input(name, region, n), &actor())
        .await
        .expect("subject");
    let mut ids = Vec::new();
    for (i, name) in ["王一", "李二", "赵审"].iter().enumerate() {
        let k = n * 10 + i as u32 + 1;
        let o = store
            .create_officer(&officer_input(&agency.id, name, k), &actor())
            .await
            .expect("officer");
        let mut c = certificate_input(&o.id, k);
        c.legal_review_qualified = i == 2;
        store.create_certificate(&c, &actor()).await.expect("cert");
        ids.push(o.id);
    }
    Fx {
        agency,
        o1: ids[0].clone(),
        o2: ids[1].clone(),
        r1: ids[2].clone(),
    }
}

pub(crate) fn citizen() -> Party {
    Party {
        party_type: "1".into(),
        name: "张三".into(),
        id_number: Some(citizen_id(901)),
        legal_rep: None,
        address: Some("广州市天河区某路 2 号".into()),
        phone: Some("13912345678".into()),
    }
}

pub(crate) fn fine(fen: i64) -> Penalty {
    Penalty {
        types: vec!["03".into()],
        fine_fen: fen,
        confiscation_fen: 0,
        licence: None,
        facts: "经查，当事人销售超过保质期的食品".into(),
        violated: "《中华人民共和国食品安全法》第三十四条".into(),
        basis: "《中华人民共和国食品安全法》第一百二十四条".into(),
    }
}

pub(crate) fn env(fx: &Fx, role: &str, key: &str, on: &str) -> Envelope {
    Envelope {
        actor: format!("user-{role}"),
        role: role.into(),
        officer_id: match role {
            "officer" => Some(fx.o1.clone()),
            "reviewer" => Some(fx.r1.clone()),
            _ => None,
        },
        at: format!("{on}T10:00:00.000+08:00"),
        place: None,
        idempotency_key: key.into(),
    }
}

fn register(fx: &Fx, on: &str) -> Command {
    Command::RegisterLead {
        on: d(on),
        agency_id: fx.agency.id.clone(),
        source: "1".into(),
        cause: "销售过期食品".into(),
        party: citizen(),
        act_date: d("2026-02-20"),
        act_ended: None,
        serious_harm: false,
        power_id: None,
        summary: "群众举报".into(),
    }
}

/// The general procedure from lead to closure, as (role, command) in order.
fn general(fx: &Fx) -> Vec<(&'static str, Command)> {
    let two = vec![fx.o1.clone(), fx.o2.clone()];
    vec![
        ("officer", register(fx, "2026-03-02")),
        (
            "head",
            Command::FileCase {
                on: d("2026-03-02"),
                limitation_override: None,
            },
        ),
        (
            "officer",
            Command::AssignOfficers {
                on: d("2026-03-02"),
                officers: two.clone(),
            },
        ),
        (
            "officer",
            Command::MakeRecord {
                on: d("2026-03-03"),
                kind: "inspection".into(),
                place: "当事人经营场所".into(),
                officers: two,
                interviewee: None,
                content: "现场检查发现过期食品 12 盒".into(),
            },
        ),
        (
            "officer",
            Command::Conclude {
                on: d("2026-03-10"),
                outcome: Outcome::Penalty {
                    penalty: fine(50_000),
                },
                major_complex: false,
                review_requested: true,
                deviation_reason: None,
                circumstance: None,
            },
        ),
        (
            "officer",
            Command::ServeNotice {
                on: d("2026-03-11"),
                method: "1".into(),
            },
        ),
        (
            "officer",
            Command::RequestReview {
                on: d("2026-03-19"),
            },
        ),
        (
            "reviewer",
            Command::GiveReview {
                on: d("2026-03-19"),
                opinion: ReviewOpinion::Agree,
                comments: "事实清楚，证据确凿，同意".into(),
            },
        ),
        (
            "head",
            Command::Decide {
                on: d("2026-03-19"),
            },
        ),
        (
            "officer",
            Command::ServeDecision {
                on: d("2026-03-20"),
                method: "1".into(),
            },
        ),
        (
            "officer",
            Command::Publish {
                on: d("2026-03-20"),
            },
        ),
        (
            "officer",
            Command::RecordPayment {
                on: d("2026-03-25"),
                amount_fen: 50_000,
            },
        ),
        (
            "head",
            Command::Close {
                on: d("2026-03-26"),
            },
        ),
    ]
}

pub(crate) async fn run(
    store: &Store,
    scope: &Scope,
    case: Option<&str>,
    env: &Envelope,
    cmd: &Command,
) -> Result<CommandOutcome, StoreError> {
    let cal = LegalCalendar::builtin();
    store
        .execute_case_command(scope, &cal, today(), case, env, cmd)
        .await
}

/// Runs the whole general procedure; returns the case id.
pub(crate) async fn whole_case(store: &Store, fx: &Fx, prefix: &str) -> String {
    let scope = Scope::Agency(fx.agency.id.clone());
    let mut case: Option<String> = None;
    for (i, (role, cmd)) in general(fx).into_iter().enumerate() {
        let e = env(fx, role, &format!("{prefix}-{i}"), &cmd.on().to_string());
        let out = run(store, &scope, case.as_deref(), &e, &cmd)
            .await
            .unwrap_or_else(|err| panic!("{} refused: {err}", cmd.kind()));
        assert!(!out.replayed);
        assert!(out.events.iter().all(|e| e.leaf_index.is_some()));
        case = Some(out.case_id);
    }
    case.expect("case")
}

pub(crate) async fn count(store: &Store, table: &str) -> i64 {
    use sqlx::Row;
    sqlx::query(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
        .fetch_one(store.pool())
        .await
        .expect("count")
        .try_get(0)
        .expect("count")
}

async fn exec(store: &Store, sql: &str) {
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(store.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

fn refusal(r: Result<CommandOutcome, StoreError>) -> zhifa_domain::case::Refusal {
    match r {
        Err(StoreError::Refused(r)) => r,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

// ------------------------------------------------------------------------------- tests

/// A general-procedure case from the lead to closure (APL Art. 54–61, 67): stages, number,
/// ledger leaves, party data encrypted at rest, and a clean audit.
async fn apl_general_procedure_lead_to_closure(store: Store) {
    let fx = fixture(&store, 1).await;
    let leaves_before = store.ledger_size().await.expect("size");
    let id = whole_case(&store, &fx, "g").await;
    let scope = Scope::Agency(fx.agency.id.clone());
    let detail = store.get_case_in(&scope, &id).await.expect("case");
    assert_eq!(detail.summary.stage, "7");
    assert_eq!(detail.summary.stage_name, "已结案");
    assert_eq!(
        detail.summary.number.as_deref(),
        Some("第1区市场监督管理局处罚〔2026〕1号")
    );
    assert_eq!(detail.summary.fine_fen, 50_000);
    assert_eq!(
        detail.summary.officer_ids,
        vec![fx.o1.clone(), fx.o2.clone()]
    );
    assert!(detail.summary.published_on.is_some());
    assert!(!detail.summary.review_pending);
    let n = detail.events.len() as i64;
    assert_eq!(detail.summary.version, n);
    assert!(
        detail
            .events
            .windows(2)
            .all(|w| w[0].version + 1 == w[1].version)
    );
    assert_eq!(
        detail.state.party,
        citizen(),
        "party decrypted for the agency"
    );
    // One leaf per event.
    assert_eq!(
        store.ledger_size().await.expect("size"),
        leaves_before + n as u64
    );
    // Personal data encrypted at rest, in the events and in the projection.
    use sqlx::Row;
    let pid = citizen().id_number.expect("id");
    for sql in ["SELECT payload FROM case_events", "SELECT state FROM cases"] {
        for r in sqlx::query(sql)
            .fetch_all(store.pool())
            .await
            .expect("rows")
        {
            let text: String = r.try_get(0).expect("text");
            assert!(
                !text.contains(&pid) && !text.contains("13912345678"),
                "{text}"
            );
        }
    }
    let report = store
        .verify_ledger(&AuditOptions::default())
        .await
        .expect("audit");
    assert!(report.is_intact(), "{:?}", report.findings);
    assert_eq!(report.case_events, n as u64);
    // The list.
    let page = store
        .list_cases_in(
            &scope,
            &CaseFilter::default(),
            today(),
            PageRequest::default(),
        )
        .await
        .expect("list");
    assert_eq!(page.total, 1);
    assert_eq!(page.items[0], detail.summary);
}
store_test!(
    apl_general_procedure_lead_to_closure,
    apl_general_procedure_lead_to_closure_sqlite,
    apl_general_procedure_lead_to_closure_postgres
);

/// A retried command (same idempotency key) returns the first events and writes nothing; the
/// key reused for another command is a conflict.
async fn idempotent_retry_and_conflict(store: Store) {
    let fx = fixture(&store, 1).await;
    let scope = Scope::Agency(fx.agency.id.clone());
    let cmd = register(&fx, "2026-03-02");
    let e = env(&fx, "officer", "k-1", "2026-03-02");
    let first = run(&store, &scope, None, &e, &cmd).await.expect("first");
    let (events, leaves) = (
        count(&store, "case_events").await,
        store.ledger_size().await.unwrap(),
    );
    let again = run(&store, &scope, None, &e, &cmd).await.expect("again");
    assert!(again.replayed);
    assert_eq!(again.case_id, first.case_id);
    assert_eq!(again.events, first.events);
    assert_eq!(count(&store, "case_events").await, events);
    assert_eq!(store.ledger_size().await.unwrap(), leaves);
    let other = Command::FileCase {
        on: d("2026-03-02"),
        limitation_override: None,
    };
    let r = run(&store, &scope, Some(&first.case_id), &e, &other).await;
    assert!(matches!(r, Err(StoreError::IdempotencyConflict(k)) if k == "k-1"));
    assert_eq!(count(&store, "case_events").await, events);
}
store_test!(
    idempotent_retry_and_conflict,
    idempotent_retry_and_conflict_sqlite,
    idempotent_retry_and_conflict_postgres
);

/// APL Art. 42: fewer than two qualified officers is refused, and a refusal writes nothing.
async fn apl_art_42_two_qualified_officers(store: Store) {
    let fx = fixture(&store, 1).await;
    let scope = Scope::Agency(fx.agency.id.clone());
    let out = run(
        &store,
        &scope,
        None,
        &env(&fx, "officer", "a", "2026-03-02"),
        &register(&fx, "2026-03-02"),
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
        &env(&fx, "head", "b", "2026-03-02"),
        &file,
    )
    .await
    .expect("file");
    let (events, leaves, commands) = (
        count(&store, "case_events").await,
        store.ledger_size().await.unwrap(),
        count(&store, "case_commands").await,
    );
    let one = Command::AssignOfficers {
        on: d("2026-03-02"),
        officers: vec![fx.o1.clone()],
    };
    let r = refusal(
        run(
            &store,
            &scope,
            Some(&out.case_id),
            &env(&fx, "officer", "c", "2026-03-02"),
            &one,
        )
        .await,
    );
    assert_eq!(r.article, law::APL_42);
    assert_eq!(count(&store, "case_events").await, events);
    assert_eq!(count(&store, "case_commands").await, commands);
    assert_eq!(store.ledger_size().await.unwrap(), leaves);
    // The key of a refused command stays free.
    let two = Command::AssignOfficers {
        on: d("2026-03-02"),
        officers: vec![fx.o1.clone(), fx.o2.clone()],
    };
    run(
        &store,
        &scope,
        Some(&out.case_id),
        &env(&fx, "officer", "c", "2026-03-02"),
        &two,
    )
    .await
    .expect("two officers");

    // The facts a command looked up are kept for the next write transaction only while base
    // data is unchanged: once O2's certificate is deactivated, O2 no longer counts.
    let cert = store
        .list_certificates(
            &CertificateFilter {
                officer_id: Some(fx.o2.clone()),
                ..Default::default()
            },
            PageRequest {
                offset: 0,
                limit: 10,
            },
        )
        .await
        .unwrap()
        .items
        .remove(0);
    store
        .deactivate_certificate(&cert.id, &actor())
        .await
        .unwrap();
    let inspect = Command::MakeRecord {
        on: d("2026-03-03"),
        kind: "inspection".into(),
        place: "当事人经营场所".into(),
        officers: vec![fx.o1.clone(), fx.o2.clone()],
        interviewee: None,
        content: "现场检查。".into(),
    };
    let r = refusal(
        run(
            &store,
            &scope,
            Some(&out.case_id),
            &env(&fx, "officer", "d", "2026-03-03"),
            &inspect,
        )
        .await,
    );
    assert_eq!(r.article, law::APL_42);
}
store_test!(
    apl_art_42_two_qualified_officers,
    apl_art_42_two_qualified_officers_sqlite,
    apl_art_42_two_qualified_officers_postgres
);

/// APL Art. 54: case numbers per agency and year are consecutive; a refused filing takes no
/// number; another agency has its own series.
async fn apl_art_54_case_numbers_without_gaps(store: Store) {
    let fx = fixture(&store, 1).await;
    let other = fixture(&store, 2).await;
    let scope = Scope::All;
    let mut cases = Vec::new();
    for (i, f) in [&fx, &fx, &other].iter().enumerate() {
        let out = run(
            &store,
            &scope,
            None,
            &env(f, "officer", &format!("l{i}"), "2026-03-02"),
            &register(f, "2026-03-02"),
        )
        .await
        .expect("lead");
        cases.push(out.case_id);
    }
    let file = |on: &str| Command::FileCase {
        on: d(on),
        limitation_override: None,
    };
    let number = |o: &CommandOutcome| match &o.events[0].event {
        zhifa_domain::case::CaseEvent::CaseFiled { number, .. } => number.clone(),
        e => panic!("{e:?}"),
    };
    let a = run(
        &store,
        &scope,
        Some(&cases[0]),
        &env(&fx, "head", "f0", "2026-03-03"),
        &file("2026-03-03"),
    )
    .await
    .expect("file 1");
    assert_eq!(number(&a), "第1区市场监督管理局处罚〔2026〕1号");
    // Refused: the date lies in the future.
    let r = refusal(
        run(
            &store,
            &scope,
            Some(&cases[1]),
            &env(&fx, "head", "f1", "2027-01-05"),
            &file("2027-01-05"),
        )
        .await,
    );
    assert_eq!(r.code, "case.date.future");
    let b = run(
        &store,
        &scope,
        Some(&cases[1]),
        &env(&fx, "head", "f1", "2026-03-04"),
        &file("2026-03-04"),
    )
    .await
    .expect("file 2");
    assert_eq!(number(&b), "第1区市场监督管理局处罚〔2026〕2号");
    let c = run(
        &store,
        &scope,
        Some(&cases[2]),
        &env(&other, "head", "f2", "2026-03-04"),
        &file("2026-03-04"),
    )
    .await
    .expect("other agency");
    assert_eq!(number(&c), "第2区市场监督管理局处罚〔2026〕1号");
}
store_test!(
    apl_art_54_case_numbers_without_gaps,
    apl_art_54_case_numbers_without_gaps_sqlite,
    apl_art_54_case_numbers_without_gaps_postgres
);

/// Data scope: another agency's staff neither see nor act on a case (NotFound), nor start
/// one for an agency outside their scope.
async fn case_scope_hides_other_agencies(store: Store) {
    let fx = fixture(&store, 1).await;
    let other = fixture(&store, 2).await;
    let mine = Scope::Agency(fx.agency.id.clone());
    let theirs = Scope::Agency(other.agency.id.clone());
    let out = run(
        &store,
        &mine,
        None,
        &env(&fx, "officer", "a", "2026-03-02"),
        &register(&fx, "2026-03-02"),
    )
    .await
    .expect("lead");
    assert!(matches!(
        store.get_case_in(&theirs, &out.case_id).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.get_case_in(&Scope::Public, &out.case_id).await,
        Err(StoreError::NotFound { .. })
    ));
    let file = Command::FileCase {
        on: d("2026-03-02"),
        limitation_override: None,
    };
    let r = run(
        &store,
        &theirs,
        Some(&out.case_id),
        &env(&other, "head", "b", "2026-03-02"),
        &file,
    )
    .await;
    assert!(matches!(r, Err(StoreError::NotFound { .. })), "{r:?}");
    let r = refusal(
        run(
            &store,
            &theirs,
            None,
            &env(&other, "officer", "c", "2026-03-02"),
            &register(&fx, "2026-03-02"),
        )
        .await,
    );
    assert_eq!(r.code, "case.agency.unknown");
    let list = |s: Scope| {
        let store = store.clone();
        async move {
            store
                .list_cases_in(&s, &CaseFilter::default(), today(), PageRequest::default())
                .await
                .expect("list")
                .total
        }
    };
    assert_eq!(list(mine).await, 1);
    assert_eq!(list(theirs).await, 0);
    assert_eq!(list(Scope::region("440100")).await, 1);
    assert_eq!(list(Scope::region("110000")).await, 0);
    assert_eq!(list(Scope::Public).await, 0);
    assert!(store.get_case_in(&Scope::All, &out.case_id).await.is_ok());
}
store_test!(
    case_scope_hides_other_agencies,
    case_scope_hides_other_agencies_sqlite,
    case_scope_hides_other_agencies_postgres
);

/// APL Art. 48 and 国办发〔2018〕118号: a published decision shows a natural person masked;
/// its verification code is the decision event's leaf hash and proves inclusion; a forged
/// code finds nothing.
async fn apl_art_48_published_decision_masked_and_verifiable(store: Store) {
    let fx = fixture(&store, 1).await;
    let id = whole_case(&store, &fx, "p").await;
    let page = store
        .published_decisions(None, PageRequest::default())
        .await
        .expect("published");
    assert_eq!(page.total, 1);
    let p = store.published_decision(&id).await.expect("decision");
    assert_eq!(page.items[0], p);
    assert_eq!(p.party, "张某");
    let full = citizen().id_number.expect("id");
    let shown = p.party_id.clone().expect("masked id");
    assert_ne!(shown, full);
    assert!(shown.contains('*'), "{shown}");
    assert_eq!(p.number, "第1区市场监督管理局处罚〔2026〕1号");
    assert_eq!(p.fine_fen, 50_000);
    assert!(p.penalty.contains("500.00"), "{}", p.penalty);
    assert_eq!(
        store
            .published_decisions(Some("张三"), PageRequest::default())
            .await
            .unwrap()
            .total,
        0
    );
    assert_eq!(
        store
            .published_decisions(Some("处罚〔2026〕1号"), PageRequest::default())
            .await
            .unwrap()
            .total,
        1
    );
    let code = p.verification_code.clone().expect("code");
    // The offline proof of `zhifa ledger prove` reads the decision event by case id or number;
    // its leaf hash is the verification code.
    for selector in [id.as_str(), p.number.as_str()] {
        let row = store.case_event_for_proof(selector).await.expect("event");
        assert_eq!(row.kind, "decision_made");
        assert_eq!(row.leaf_hash(zhifa_ledger::HashAlg::Sm3).to_hex(), code);
        let again = store
            .case_event_for_proof(&format!("ce:{}", row.seq))
            .await
            .expect("by seq");
        assert_eq!(again, row);
    }
    for missing in ["ce:999999", "ce:x", "no-such-case"] {
        assert!(matches!(
            store.case_event_for_proof(missing).await,
            Err(StoreError::NotFound { .. })
        ));
    }
    let v = store
        .verify_decision_code(&code)
        .await
        .expect("verify")
        .expect("found");
    assert!(v.verified);
    assert_eq!(Some(v.leaf_index), p.leaf_index);
    assert_eq!(v.decision, p);
    assert!(v.checkpoint.is_none());
    let mut forged = code.clone().into_bytes();
    forged[0] = if forged[0] == b'0' { b'1' } else { b'0' };
    let forged = String::from_utf8(forged).unwrap();
    assert!(
        store
            .verify_decision_code(&forged)
            .await
            .expect("verify")
            .is_none()
    );
    assert!(
        store
            .verify_decision_code("not a code")
            .await
            .expect("verify")
            .is_none()
    );
    // Another event's leaf hash is not a decision code.
    let detail = store.get_case_in(&Scope::All, &id).await.unwrap();
    let first = detail.events[0].leaf_index.unwrap() as u64;
    let leaf = store
        .ledger_inclusion_proof(first, first + 1)
        .await
        .unwrap()
        .leaf_hash;
    assert!(
        store
            .verify_decision_code(&leaf.to_hex())
            .await
            .unwrap()
            .is_none()
    );
}
store_test!(
    apl_art_48_published_decision_masked_and_verifiable,
    apl_art_48_published_decision_masked_and_verifiable_sqlite,
    apl_art_48_published_decision_masked_and_verifiable_postgres
);

/// Bulk scripts: each script a case; a refused command drops its own script only.
async fn case_scripts_load_many_cases(store: Store) {
    let fx = fixture(&store, 1).await;
    let script = |p: &str, bad: bool| {
        let mut commands: Vec<(Envelope, Command)> = general(&fx)
            .into_iter()
            .enumerate()
            .map(|(i, (role, cmd))| {
                (
                    env(&fx, role, &format!("{p}-{i}"), &cmd.on().to_string()),
                    cmd,
                )
            })
            .collect();
        if bad {
            commands[2].1 = Command::AssignOfficers {
                on: d("2026-03-02"),
                officers: vec![fx.o1.clone()],
            };
        }
        CaseScript { commands }
    };
    let scripts = vec![script("s1", false), script("s2", true), script("s3", false)];
    let per_case = scripts[0].commands.len();
    let cal = LegalCalendar::builtin();
    let out = store
        .run_case_scripts(&cal, today(), &scripts)
        .await
        .expect("scripts");
    assert_eq!(out.len(), 3);
    assert!(out[0].is_ok() && out[2].is_ok());
    match &out[1] {
        Err((2, r)) => assert_eq!(r.article, law::APL_42),
        other => panic!("{other:?}"),
    }
    let page = store
        .list_cases_in(
            &Scope::All,
            &CaseFilter::default(),
            today(),
            PageRequest::default(),
        )
        .await
        .unwrap();
    assert_eq!(page.total, 2);
    let numbers: Vec<String> = page.items.iter().filter_map(|s| s.number.clone()).collect();
    assert!(
        numbers.contains(&"第1区市场监督管理局处罚〔2026〕1号".to_string()),
        "{numbers:?}"
    );
    assert!(
        numbers.contains(&"第1区市场监督管理局处罚〔2026〕2号".to_string()),
        "{numbers:?}"
    );
    let events = count(&store, "case_events").await;
    assert!(events >= 2 * per_case as i64);
    let report = store.verify_ledger(&AuditOptions::default()).await.unwrap();
    assert!(report.is_intact(), "{:?}", report.findings);
    assert_eq!(report.case_events, events as u64);
    // Same keys again: refused as reused, nothing written.
    let again = store
        .run_case_scripts(&cal, today(), &scripts[..1])
        .await
        .unwrap();
    assert!(matches!(&again[0], Err((0, r)) if r.code == "case.idempotency.reused"));
    assert_eq!(count(&store, "case_events").await, events);
    // Filters.
    let closed = CaseFilter {
        stage: Some("7".into()),
        ..Default::default()
    };
    assert_eq!(
        store
            .list_cases_in(&Scope::All, &closed, today(), PageRequest::default())
            .await
            .unwrap()
            .total,
        2
    );
    let q = CaseFilter {
        q: Some("处罚〔2026〕2号".into()),
        ..Default::default()
    };
    assert_eq!(
        store
            .list_cases_in(&Scope::All, &q, today(), PageRequest::default())
            .await
            .unwrap()
            .total,
        1
    );
    let mine = CaseFilter {
        officer_id: Some(fx.o2.clone()),
        ..Default::default()
    };
    assert_eq!(
        store
            .list_cases_in(&Scope::All, &mine, today(), PageRequest::default())
            .await
            .unwrap()
            .total,
        2
    );
    let head = CaseFilter {
        head_queue: Some(true),
        ..Default::default()
    };
    assert_eq!(
        store
            .list_cases_in(&Scope::All, &head, today(), PageRequest::default())
            .await
            .unwrap()
            .total,
        0
    );
}
store_test!(
    case_scripts_load_many_cases,
    case_scripts_load_many_cases_sqlite,
    case_scripts_load_many_cases_postgres
);

/// Queues: a lead waits for the head (filing); a requested review waits for the reviewer.
async fn case_queues(store: Store) {
    let fx = fixture(&store, 1).await;
    let scope = Scope::Agency(fx.agency.id.clone());
    let mut case: Option<String> = None;
    let q = |f: CaseFilter| {
        let (store, scope) = (store.clone(), scope.clone());
        async move {
            store
                .list_cases_in(&scope, &f, today(), PageRequest::default())
                .await
                .unwrap()
                .total
        }
    };
    let head = || CaseFilter {
        head_queue: Some(true),
        ..Default::default()
    };
    let review = || CaseFilter {
        review_queue: Some(true),
        ..Default::default()
    };
    for (i, (role, cmd)) in general(&fx).into_iter().enumerate().take(7) {
        let e = env(&fx, role, &format!("q-{i}"), &cmd.on().to_string());
        case = Some(
            run(&store, &scope, case.as_deref(), &e, &cmd)
                .await
                .expect("cmd")
                .case_id,
        );
        if i == 0 {
            assert_eq!(q(head()).await, 1, "lead waits for filing");
        }
        if i == 1 {
            assert_eq!(q(head()).await, 0);
        }
    }
    assert_eq!(q(review()).await, 1);
    let s = store
        .get_case_in(&scope, case.as_deref().unwrap())
        .await
        .unwrap()
        .summary;
    assert!(s.review_pending);
    assert!(s.next_due.is_some());
    let overdue = CaseFilter {
        overdue: Some(true),
        ..Default::default()
    };
    assert_eq!(
        q(overdue).await,
        i64::from(s.next_due.as_deref() < Some("2026-12-31"))
    );
}
store_test!(case_queues, case_queues_sqlite, case_queues_postgres);

/// Node rules: defaults, validation (APL Art. 42: at least two officers), change log and
/// ledger leaf.
async fn case_rules_validated_and_logged(store: Store) {
    let rules = store.case_rules().await.expect("rules");
    assert_eq!(rules, zhifa_domain::case::CaseRules::default());
    let mut bad = rules.clone();
    bad.min_officers = 1;
    let errs = invalid_codes(store.set_case_rules(&actor(), &bad).await);
    assert!(
        has(&errs, "case_rules.min_officers", "case_rules.invalid"),
        "{errs:?}"
    );
    let size = store.ledger_size().await.unwrap();
    let mut good = rules.clone();
    good.review_fine_citizen = 500_000;
    assert_eq!(
        store.set_case_rules(&actor(), &good).await.expect("set"),
        good
    );
    assert_eq!(store.case_rules().await.unwrap(), good);
    assert_eq!(store.ledger_size().await.unwrap(), size + 1);
    let changes = store
        .list_changes(&ChangeFilter::default(), PageRequest::default())
        .await
        .unwrap();
    assert!(
        changes
            .items
            .iter()
            .any(|c| c.entity == "setting" && c.entity_id == "case_rules")
    );
}
store_test!(
    case_rules_validated_and_logged,
    case_rules_validated_and_logged_sqlite,
    case_rules_validated_and_logged_postgres
);

/// The audit re-hashes case events: an edited, deleted, inserted or swapped event is named
/// with its case, kind, version and time.
async fn ledger_audit_finds_tampered_case_events(store: Store) {
    let fx = fixture(&store, 1).await;
    let id = whole_case(&store, &fx, "t").await;
    let audit = || {
        let store = store.clone();
        async move {
            store
                .verify_ledger(&AuditOptions::default())
                .await
                .expect("audit")
        }
    };
    assert!(audit().await.is_intact());
    let seq_of =
        |v: i64| format!("(SELECT seq FROM case_events WHERE case_id = '{id}' AND version = {v})");
    // Edited.
    exec(
        &store,
        &format!(
            "UPDATE case_events SET actor = 'mallory' WHERE seq = {}",
            seq_of(3)
        ),
    )
    .await;
    let r = audit().await;
    let f = &r.findings[0];
    assert_eq!(f.code, "ledger.entry_modified");
    assert_eq!(f.entity_id.as_deref(), Some(id.as_str()));
    assert_eq!(
        (f.entity.as_deref(), f.version),
        (Some("officers_assigned"), Some(3))
    );
    assert!(
        f.message.contains(&id) && f.message.contains("officers_assigned"),
        "{}",
        f.message
    );
    exec(
        &store,
        &format!(
            "UPDATE case_events SET actor = 'user-officer' WHERE seq = {}",
            seq_of(3)
        ),
    )
    .await;
    assert!(audit().await.is_intact());
    // Two events swapped (their positions in the case exchanged).
    let swap = format!(
        "UPDATE case_events SET version = -1 WHERE seq = {s4}; \
         UPDATE case_events SET version = 4 WHERE seq = {s5}; \
         UPDATE case_events SET version = 5 WHERE version = -1",
        s4 = seq_of(4),
        s5 = seq_of(5)
    );
    exec(&store, &swap).await;
    let r = audit().await;
    assert_eq!(r.findings[0].code, "ledger.entry_modified");
    assert_eq!(r.findings[0].entity_id.as_deref(), Some(id.as_str()));
    exec(&store, &swap).await;
    let r = audit().await;
    assert!(r.is_intact(), "{:?}", r.findings);
    // Inserted behind the ledger's back.
    exec(&store, &format!(
        "INSERT INTO case_events (seq, case_id, version, kind, payload, actor, role, at, place, \
         idempotency_key, on_date, leaf_index) VALUES (100000, '{id}', 99, 'evidence_added', '{{}}', \
         'mallory', 'officer', '2026-03-27T10:00:00.000+08:00', NULL, 'x', '2026-03-27', 0)"
    )).await;
    let r = audit().await;
    let f = &r.findings[0];
    assert_eq!(f.code, "ledger.entry_inserted");
    assert_eq!(
        (f.entity_id.as_deref(), f.version),
        (Some(id.as_str()), Some(99))
    );
    exec(&store, "DELETE FROM case_events WHERE seq = 100000").await;
    // Deleted.
    exec(
        &store,
        &format!("DELETE FROM case_events WHERE seq = {}", seq_of(2)),
    )
    .await;
    let r = audit().await;
    let f = &r.findings[0];
    assert_eq!(f.code, "ledger.entry_deleted");
    assert_eq!(f.entity_id.as_deref(), Some(id.as_str()));
    assert!(f.message.contains(&id), "{}", f.message);
}
store_test!(
    ledger_audit_finds_tampered_case_events,
    ledger_audit_finds_tampered_case_events_sqlite,
    ledger_audit_finds_tampered_case_events_postgres
);

/// APL Art. 51–52, 68: an on-the-spot decision starts a case with its own number series
/// (当罚), is filed at once and, once published, verifiable; a withdrawn publication (Art. 48)
/// leaves the portal and its code no longer verifies.
async fn apl_art_52_on_the_spot_decision(store: Store) {
    let fx = fixture(&store, 1).await;
    let scope = Scope::Agency(fx.agency.id.clone());
    let mut p = fine(5_000);
    p.types = vec!["03".into()];
    let cmd = Command::ImposeOnSpot {
        on: d("2026-05-06"),
        agency_id: fx.agency.id.clone(),
        party: citizen(),
        place: "天河路与体育东路交叉口".into(),
        penalty: p,
        officers: vec![fx.o1.clone(), fx.o2.clone()],
        party_signed: true,
        collected_on_spot: true,
    };
    let out = run(
        &store,
        &scope,
        None,
        &env(&fx, "officer", "s1", "2026-05-06"),
        &cmd,
    )
    .await
    .expect("on the spot");
    let kinds: Vec<&str> = out.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["on_spot_decided", "on_spot_filed", "payment_received"]
    );
    let s = store
        .get_case_in(&scope, &out.case_id)
        .await
        .unwrap()
        .summary;
    assert_eq!(s.procedure, "1");
    assert_eq!(
        s.number.as_deref(),
        Some("第1区市场监督管理局当罚〔2026〕1号")
    );
    let publish = Command::Publish {
        on: d("2026-05-07"),
    };
    run(
        &store,
        &scope,
        Some(&out.case_id),
        &env(&fx, "officer", "s2", "2026-05-07"),
        &publish,
    )
    .await
    .expect("publish");
    let decision = store
        .published_decision(&out.case_id)
        .await
        .expect("published");
    assert_eq!(decision.party, "张某");
    let code = decision.verification_code.clone().expect("code");
    assert_eq!(decision.leaf_index, out.events[0].leaf_index);
    assert!(
        store
            .verify_decision_code(&code)
            .await
            .unwrap()
            .expect("found")
            .verified
    );
    let withdraw = Command::WithdrawPublication {
        on: d("2026-05-08"),
        reason: "决定被复议机关变更".into(),
    };
    run(
        &store,
        &scope,
        Some(&out.case_id),
        &env(&fx, "head", "s3", "2026-05-08"),
        &withdraw,
    )
    .await
    .expect("withdraw");
    assert!(matches!(
        store.published_decision(&out.case_id).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(store.verify_decision_code(&code).await.unwrap().is_none());
}
store_test!(
    apl_art_52_on_the_spot_decision,
    apl_art_52_on_the_spot_decision_sqlite,
    apl_art_52_on_the_spot_decision_postgres
);

/// Group commit: many clients at once — new cases, commands on one case, and retries of one
/// key — each get their own correct answer; versions stay consecutive, a retried key writes
/// once, and the ledger audit stays intact (APL Art. 47).
async fn concurrent_commands_are_group_committed(store: Store) {
    let fx = fixture(&store, 7).await;
    let scope = Scope::Agency(fx.agency.id.clone());
    // One filed case that many clients add evidence to at the same time.
    let lead = register(&fx, "2026-03-02");
    let first = run(
        &store,
        &scope,
        None,
        &env(&fx, "officer", "g-lead", "2026-03-02"),
        &lead,
    )
    .await
    .expect("lead");
    let case = first.case_id.clone();
    let file = Command::FileCase {
        on: d("2026-03-03"),
        limitation_override: None,
    };
    run(
        &store,
        &scope,
        Some(&case),
        &env(&fx, "head", "g-file", "2026-03-03"),
        &file,
    )
    .await
    .expect("file");
    let mut tasks = Vec::new();
    for i in 0..24 {
        let store = store.clone();
        let scope = scope.clone();
        let case = case.clone();
        // Every third task retries the key of the task before it with the same command.
        let key = if i % 3 == 2 {
            format!("g-ev-{}", i - 1)
        } else {
            format!("g-ev-{i}")
        };
        let n = if i % 3 == 2 { i - 1 } else { i };
        let e = env(&fx, "officer", &key, "2026-03-04");
        let new_lead = register(&fx, "2026-03-04");
        tasks.push(tokio::spawn(async move {
            let cmd = Command::AddEvidence {
                on: d("2026-03-04"),
                evidence_type: "1".into(),
                description: format!("书证 {n}"),
                sm3: None,
            };
            let cal = LegalCalendar::builtin();
            let a = store
                .execute_case_command(&scope, &cal, today(), Some(&case), &e, &cmd)
                .await;
            let mut e2 = e.clone();
            e2.idempotency_key = format!("{}-new", e.idempotency_key);
            let b = store
                .execute_case_command(&scope, &cal, today(), None, &e2, &new_lead)
                .await;
            (a, b)
        }));
    }
    let mut written = 0;
    let mut replayed = 0;
    let mut new_cases = std::collections::HashSet::new();
    for t in tasks {
        let (a, b) = t.await.expect("task");
        let a = a.expect("evidence");
        assert_eq!(a.case_id, case);
        assert_eq!(a.events.len(), 1);
        if a.replayed {
            replayed += 1;
        } else {
            written += 1;
        }
        if let Ok(b) = b {
            new_cases.insert(b.case_id);
        }
    }
    // 16 distinct keys were written once; 8 retries were answered from the first write,
    // possibly in the same group. The new-lead keys of a retrying pair are equal too.
    assert_eq!(written + replayed, 24);
    assert_eq!(new_cases.len(), 16);
    let detail = store.get_case_in(&scope, &case).await.expect("case");
    let evidence = detail
        .events
        .iter()
        .filter(|e| e.kind == "evidence_added")
        .count();
    assert_eq!(evidence, 16);
    let versions: Vec<i64> = detail.events.iter().map(|e| e.version).collect();
    assert_eq!(versions, (1..=versions.len() as i64).collect::<Vec<_>>());
    assert_eq!(detail.state.evidence, 16);
    assert_eq!(count(&store, "case_commands").await, 2 + 16 + 16);
    assert!(
        store
            .verify_ledger(&AuditOptions::default())
            .await
            .expect("audit")
            .is_intact()
    );
}
store_test!(
    concurrent_commands_are_group_committed,
    concurrent_commands_are_group_committed_sqlite,
    concurrent_commands_are_group_committed_postgres
);
