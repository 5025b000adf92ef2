//! Certificates: CRUD, lookup by number, filters, references.

use zhifa_store::Store;
use zhifa_store::model::*;

use crate::fixtures::*;
use crate::store_test;

async fn certificate_crud_and_lookup(store: Store) {
    let (s, o) = subject_and_officer(&store).await;
    let input = CertificateInput {
        valid_from: "2024/1/1".into(),
        fields: vec!["01".into(), "06".into()],
        legal_review_qualified: true,
        ..certificate_input(&o.id, 1)
    };
    let c = store
        .create_certificate(&input, &actor())
        .await
        .expect("create");
    assert_eq!(
        (c.number.as_str(), c.valid_from.as_str()),
        ("4401060100001", "2024-01-01")
    );
    assert_eq!(
        (c.officer_name.as_str(), c.subject_id.as_str()),
        ("张三", s.id.as_str())
    );
    assert_eq!(c.fields, ["01", "06"]);
    assert!(c.legal_review_qualified);
    let found = store
        .certificate_by_number(" 4401060100001 ")
        .await
        .expect("lookup");
    assert_eq!(found.as_ref(), Some(&c));
    assert_eq!(
        store
            .certificate_by_number("4401060199999")
            .await
            .expect("lookup"),
        None
    );
    assert_eq!(store.get_certificate(&c.id).await.expect("get"), c);

    let suspended = CertificateInput {
        status: "2".into(),
        ..input.clone()
    };
    let u = store
        .update_certificate(&c.id, &suspended, &actor())
        .await
        .expect("update");
    assert_eq!((u.status.as_str(), u.version), ("2", 2));

    let o2 = store
        .create_officer(&officer_input(&s.id, "李四", 3), &actor())
        .await
        .expect("o2");
    store
        .create_certificate(&certificate_input(&o2.id, 2), &actor())
        .await
        .expect("c2");
    let by_status = CertificateFilter {
        status: Some("2".into()),
        ..Default::default()
    };
    assert_eq!(
        store
            .list_certificates(&by_status, PageRequest::default())
            .await
            .expect("list")
            .total,
        1
    );
    let by_subject = CertificateFilter {
        subject_id: Some(s.id.clone()),
        ..Default::default()
    };
    assert_eq!(
        store
            .list_certificates(&by_subject, PageRequest::default())
            .await
            .expect("list")
            .total,
        2
    );
    let by_officer = CertificateFilter {
        officer_id: Some(o2.id.clone()),
        ..Default::default()
    };
    let page = store
        .list_certificates(&by_officer, PageRequest::default())
        .await
        .expect("list");
    assert_eq!(
        page.items
            .iter()
            .map(|c| c.number.as_str())
            .collect::<Vec<_>>(),
        ["4401060100002"]
    );

    let d = store
        .deactivate_certificate(&c.id, &actor())
        .await
        .expect("deactivate");
    assert_eq!((d.active, d.version), (false, 3));
    assert_eq!(
        store
            .list_certificates(&by_subject, PageRequest::default())
            .await
            .expect("list")
            .total,
        1
    );
    assert_eq!(store.counts().await.expect("counts").certificates, 1);
    let entity = ChangeFilter {
        entity: Some("certificate".into()),
        entity_id: Some(c.id.clone()),
    };
    assert_eq!(
        store
            .list_changes(&entity, PageRequest::default())
            .await
            .expect("log")
            .total,
        3
    );
}
store_test!(
    certificate_crud_and_lookup,
    certificate_crud_sqlite,
    certificate_crud_postgres
);

async fn certificate_rules(store: Store) {
    let (_, o) = subject_and_officer(&store).await;
    store
        .create_certificate(&certificate_input(&o.id, 1), &actor())
        .await
        .expect("create");
    let before = store.counts().await.expect("counts");
    let changes = all_changes(&store).await;
    let errors = invalid_codes(
        store
            .create_certificate(&certificate_input(&o.id, 1), &actor())
            .await,
    );
    assert_eq!(
        errors,
        vec![("number".to_string(), "number.duplicate".to_string())]
    );
    let bad = CertificateInput {
        valid_to: "2023-12-31".into(),
        fields: vec![],
        status: "9".into(),
        ..certificate_input("nobody", 2)
    };
    let errors = invalid_codes(store.create_certificate(&bad, &actor()).await);
    for (field, code) in [
        ("valid_to", "certificate.valid_to.before_from"),
        ("fields", "certificate.fields.required"),
        ("status", "code.unknown"),
        ("officer_id", "officer_id.unknown"),
    ] {
        assert!(has(&errors, field, code), "{field} {code}: {errors:?}");
    }
    assert_eq!(store.counts().await.expect("counts"), before);
    assert_eq!(all_changes(&store).await, changes);
    assert_not_found(store.get_certificate("nobody").await);
    assert_not_found(
        store
            .update_certificate("nobody", &certificate_input(&o.id, 3), &actor())
            .await,
    );
}
store_test!(
    certificate_rules,
    certificate_rules_sqlite,
    certificate_rules_postgres
);
