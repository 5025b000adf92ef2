//! Imported records reach the node's own tables (一次录入，多头应用, issue 7): an officer record
//! becomes an officer with its certificate, a case record a case, through `import_batch` in
//! the batch's transaction; the normal reads see them; an identical re-import writes nothing,
//! a changed officer record updates the officer; an unknown agency refuses the whole batch
//! with the field and a stable code; the ledger audit passes.

use serde_json::json;
use zhifa_domain::case::{CaseEvent, OfficerRef, Party, Penalty};
use zhifa_store::case_model::CaseFilter;
use zhifa_store::model::{CertificateInput, OfficerFilter, OfficerInput, PageRequest};
use zhifa_store::{
    AuditOptions, ImportCounts, ImportItem, ImportRunInput, ImportTarget, ImportedCase,
    OfficerImport, Scope, Store,
};

use crate::fixtures::*;
use crate::store_test;

fn page() -> PageRequest {
    PageRequest {
        offset: 0,
        limit: 100,
    }
}

async fn run(store: &Store) -> String {
    store
        .start_import_run(
            &ImportRunInput {
                mapping: "测试映射".into(),
                mapping_sm3: "00".into(),
                input: "test.jsonl".into(),
                record_type: "officer".into(),
            },
            &actor(),
        )
        .await
        .expect("run")
}

/// An officer record of the agency `uscc`, certificate `4401060100077`, with `position`.
fn officer_item(uscc: &str, position: &str) -> ImportItem {
    let officer = OfficerInput {
        name: "周导入".into(),
        citizen_id: citizen_id(77),
        subject_id: String::new(),
        position: Some(position.into()),
        phone: Some("13900139000".into()),
    };
    let certificate = CertificateInput {
        number: "4401060100077".into(),
        officer_id: String::new(),
        status: "1".into(),
        valid_from: "2024-01-01".into(),
        valid_to: "2029-12-31".into(),
        fields: vec!["01".into()],
        legal_review_qualified: false,
        issuer: None,
    };
    let record =
        json!({ "record_type": "officer", "cert_no": certificate.number, "position": position });
    ImportItem {
        record_type: "officer".into(),
        natural_key: vec![certificate.number.clone()],
        key_masked: certificate.number.clone(),
        source_system: "hr-legacy".into(),
        source_id: "P77".into(),
        record_json: record.to_string(),
        masked: record,
        target: ImportTarget::Officer(Box::new(OfficerImport {
            agency_uscc: uscc.to_string(),
            officer,
            certificate,
        })),
    }
}

/// A decision record of case `n` of the agency, as the pipeline turns it into a history.
fn case_item(agency_id: &str, agency_uscc: &str, officer: &OfficerRef, n: u32) -> ImportItem {
    let on = chrono::NaiveDate::from_ymd_opt(2025, 3, 12).unwrap();
    let number = format!("穗天市监处罚〔2025〕{n}号");
    let penalty = Penalty {
        types: vec!["01".into(), "03".into()],
        fine_fen: 500_000,
        confiscation_fen: 0,
        licence: None,
        facts: "销售过期食品".into(),
        violated: "《中华人民共和国食品安全法》第三十四条".into(),
        basis: "《中华人民共和国食品安全法》第一百二十四条".into(),
    };
    let events = vec![
        CaseEvent::LeadRegistered {
            on,
            agency_id: agency_id.into(),
            agency_name: "天河区市场监督管理局".into(),
            field: "01".into(),
            source: "9".into(),
            cause: "销售过期食品".into(),
            party: Party {
                party_type: "2".into(),
                name: format!("广州导入食品有限公司{n}"),
                id_number: Some(uscc("440106", 500 + n)),
                legal_rep: None,
                address: None,
                phone: None,
            },
            act_date: on,
            act_ended: None,
            serious_harm: false,
            power_id: None,
            summary: "导入".into(),
        },
        CaseEvent::CaseFiled {
            on,
            number: number.clone(),
            limitation_until: on + chrono::Days::new(730),
            late: false,
            limitation_override: None,
        },
        CaseEvent::OfficersAssigned {
            on,
            officers: vec![officer.clone()],
        },
        CaseEvent::DecisionMade {
            on,
            number: format!("穗天市监罚字〔2025〕{n}号"),
            penalty: Some(penalty),
            late: false,
            decided_by: "import".into(),
        },
    ];
    let record = json!({ "record_type": "decision", "case_no": number });
    ImportItem {
        record_type: "decision".into(),
        natural_key: vec![agency_uscc.to_string(), number.clone()],
        key_masked: number,
        source_system: "gz-scjg-ajbl".into(),
        source_id: format!("CF{n}"),
        record_json: record.to_string(),
        masked: record,
        target: ImportTarget::Case(Box::new(ImportedCase {
            source_system: "gz-scjg-ajbl".into(),
            source_id: format!("CF{n}"),
            actor: "import".into(),
            events,
        })),
    }
}

async fn import(store: &Store, items: &[ImportItem]) -> ImportCounts {
    let ctx = store.import_context().await.expect("context");
    let run = run(store).await;
    store
        .import_batch(&run, &ctx, items, &actor())
        .await
        .expect("batch")
}

async fn ledger_intact(store: &Store) {
    let audit = store
        .verify_ledger(&AuditOptions::default())
        .await
        .expect("audit");
    assert!(audit.is_intact(), "{:?}", audit.findings);
}

fn counts(c: ImportCounts) -> [u64; 5] {
    [c.added, c.changed, c.unchanged, c.base, c.cases]
}

/// Officers: created with the certificate, visible through the normal reads; the same
/// record again writes nothing; a changed one updates the officer only.
async fn imported_officers_reach_the_base_tables(store: Store) {
    let (agency, _) = subject_and_officer(&store).await;
    let item = officer_item(&agency.uscc, "科员");
    assert_eq!(
        counts(import(&store, std::slice::from_ref(&item)).await),
        [1, 0, 0, 2, 0]
    );
    let cert = store
        .certificate_by_number("4401060100077")
        .await
        .expect("read")
        .expect("the imported certificate");
    let officer = store.get_officer(&cert.officer_id).await.expect("officer");
    assert_eq!(
        (officer.name.as_str(), officer.subject_id.as_str()),
        ("周导入", agency.id.as_str())
    );
    assert_eq!(officer.position.as_deref(), Some("科员"));
    let listed = store
        .list_officers(
            &OfficerFilter {
                subject_id: Some(agency.id.clone()),
                ..Default::default()
            },
            page(),
        )
        .await
        .expect("list");
    assert_eq!(
        listed.total, 2,
        "the fixture's officer and the imported one"
    );
    let changes_before = all_changes(&store).await.len();

    // Again: nothing is written.
    assert_eq!(counts(import(&store, &[item]).await), [0, 0, 1, 0, 0]);
    assert_eq!(all_changes(&store).await.len(), changes_before);

    // Changed: the officer is updated (one officer change, one record change), not duplicated.
    let changed = officer_item(&agency.uscc, "副科长");
    assert_eq!(counts(import(&store, &[changed]).await), [0, 1, 0, 1, 0]);
    let officer = store.get_officer(&cert.officer_id).await.expect("officer");
    assert_eq!(officer.position.as_deref(), Some("副科长"));
    assert_eq!(officer.version, 2);
    let changes = all_changes(&store).await;
    assert_eq!(changes.len(), changes_before + 2);
    assert!(
        changes
            .iter()
            .any(|c| c.entity == "officer" && c.action == "update" && c.entity_id == officer.id)
    );
    ledger_intact(&store).await;
}
store_test!(
    imported_officers_reach_the_base_tables,
    imported_officers_reach_the_base_tables_sqlite,
    imported_officers_reach_the_base_tables_postgres
);

/// An officer of an agency the node does not know refuses the batch, naming the field and a
/// stable code; nothing of the batch is written.
async fn unknown_agency_refuses_the_batch(store: Store) {
    subject_and_officer(&store).await;
    let ctx = store.import_context().await.expect("context");
    let run = run(&store).await;
    let before = all_changes(&store).await.len();
    let r = store
        .import_batch(
            &run,
            &ctx,
            &[officer_item(&uscc("440106", 999), "科员")],
            &actor(),
        )
        .await;
    let codes = invalid_codes(r);
    assert!(
        has(&codes, "org_uscc", "import.agency_unknown"),
        "{codes:?}"
    );
    assert_eq!(store.imported_count(None).await.expect("count"), 0);
    assert_eq!(all_changes(&store).await.len(), before);
}
store_test!(
    unknown_agency_refuses_the_batch,
    unknown_agency_refuses_the_batch_sqlite,
    unknown_agency_refuses_the_batch_postgres
);

/// Cases: every case record of a batch becomes a case in one transaction, listed with its
/// number and fine, each event a ledger leaf; the same records again add nothing.
async fn imported_cases_reach_the_case_list(store: Store) {
    let (agency, officer) = subject_and_officer(&store).await;
    let oref = OfficerRef {
        officer_id: officer.id.clone(),
        name: officer.name.clone(),
        certificate: "4401060100001".into(),
    };
    let items: Vec<ImportItem> = (1..=3)
        .map(|n| case_item(&agency.id, &agency.uscc, &oref, n))
        .collect();
    assert_eq!(counts(import(&store, &items).await), [3, 0, 0, 0, 3]);
    let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
    let list = store
        .list_cases_in(
            &Scope::All,
            &CaseFilter {
                agency_id: Some(agency.id.clone()),
                ..Default::default()
            },
            today,
            page(),
        )
        .await
        .expect("cases");
    assert_eq!(list.total, 3);
    let mut numbers: Vec<String> = list
        .items
        .iter()
        .map(|c| c.number.clone().unwrap_or_default())
        .collect();
    numbers.sort();
    assert_eq!(
        numbers,
        (1..=3)
            .map(|n| format!("穗天市监处罚〔2025〕{n}号"))
            .collect::<Vec<_>>()
    );
    assert!(list.items.iter().all(|c| c.fine_fen == 500_000), "{list:?}");
    let detail = store
        .get_case_in(&Scope::All, &list.items[0].id)
        .await
        .expect("detail");
    assert_eq!(detail.events.len(), 4);
    assert!(
        detail.events.iter().all(|e| e.role == "import"),
        "{:?}",
        detail.events
    );

    // Again: no case, no event, no change.
    let changes = all_changes(&store).await.len();
    assert_eq!(counts(import(&store, &items).await), [0, 0, 3, 0, 0]);
    let again = store
        .list_cases_in(&Scope::All, &CaseFilter::default(), today, page())
        .await
        .expect("cases");
    assert_eq!(again.total, 3);
    assert_eq!(all_changes(&store).await.len(), changes);
    ledger_intact(&store).await;
}
store_test!(
    imported_cases_reach_the_case_list,
    imported_cases_reach_the_case_list_sqlite,
    imported_cases_reach_the_case_list_postgres
);
