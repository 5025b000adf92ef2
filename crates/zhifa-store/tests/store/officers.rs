//! Officers: CRUD, encryption at rest, blind-index uniqueness, masked change log.

use sqlx::Row;
use zhifa_store::Store;
use zhifa_store::model::*;

use crate::fixtures::*;
use crate::store_test;

async fn officer_crud_and_encryption(store: Store) {
    let (s, o) = subject_and_officer(&store).await;
    let id = citizen_id(1);
    assert_eq!(o.sex, "1", "odd sequence digit: male");
    assert_eq!(
        o.citizen_id_masked,
        format!("{}********{}", &id[..6], &id[14..])
    );
    assert_eq!(o.phone_masked.as_deref(), Some("138****8000"));
    assert_eq!((o.subject_id.as_str(), o.version), (s.id.as_str(), 1));
    assert_eq!(store.officer_citizen_id(&o.id).await.expect("decrypt"), id);
    assert_eq!(store.get_officer(&o.id).await.expect("get"), o);

    // At rest: ciphertext and a keyed hash, never the number itself.
    let row = sqlx::query(
        "SELECT citizen_id_enc, citizen_id_index, citizen_id_masked, phone_enc FROM officers",
    )
    .fetch_one(store.pool())
    .await
    .expect("raw row");
    let enc: Vec<u8> = row.get("citizen_id_enc");
    let index: String = row.get("citizen_id_index");
    let phone: Vec<u8> = row.get("phone_enc");
    assert!(enc.len() >= 12 + 18 + 16);
    assert!(
        !enc.windows(6).any(|w| w == &id.as_bytes()[6..12]),
        "birth date not in clear"
    );
    assert!(!phone.windows(11).any(|w| w == b"13800138000"));
    assert_eq!(index.len(), 64);
    assert!(!index.contains(&id));

    // A woman's number (even sequence digit), a new phone, another post.
    let input = OfficerInput {
        citizen_id: citizen_id(2),
        phone: None,
        position: None,
        ..officer_input(&s.id, "张三", 2)
    };
    let u = store
        .update_officer(&o.id, &input, &actor())
        .await
        .expect("update");
    assert_eq!(
        (u.sex.as_str(), u.version, u.phone_masked.as_deref()),
        ("2", 2, None)
    );
    assert_eq!(
        store.officer_citizen_id(&o.id).await.expect("decrypt"),
        citizen_id(2)
    );
    let d = store
        .deactivate_officer(&o.id, &actor())
        .await
        .expect("deactivate");
    assert!(!d.active);

    let log = serde_json::to_string(&all_changes(&store).await).expect("json");
    for secret in [citizen_id(1), citizen_id(2), "13800138000".to_string()] {
        assert!(
            !log.contains(&secret),
            "the change log holds {secret} in clear"
        );
    }
    assert!(log.contains(&o.citizen_id_masked), "masked form is logged");
    assert_not_found(store.officer_citizen_id("nobody").await);
}
store_test!(
    officer_crud_and_encryption,
    officer_crud_sqlite,
    officer_crud_postgres
);

async fn officer_blind_index_rejects_the_same_person_twice(store: Store) {
    let (s, _) = subject_and_officer(&store).await;
    let before = store.counts().await.expect("counts");
    let changes_before = all_changes(&store).await;
    let errors = invalid_codes(
        store
            .create_officer(&officer_input(&s.id, "张三丰", 1), &actor())
            .await,
    );
    assert!(
        has(&errors, "citizen_id", "citizen_id.duplicate"),
        "{errors:?}"
    );
    // The same person by the legacy 15-digit number.
    let legacy = format!("{}{}", &citizen_id(1)[..6], &citizen_id(1)[8..17]);
    let input = OfficerInput {
        citizen_id: legacy,
        ..officer_input(&s.id, "张三", 1)
    };
    let errors = invalid_codes(store.create_officer(&input, &actor()).await);
    assert!(
        has(&errors, "citizen_id", "citizen_id.duplicate"),
        "{errors:?}"
    );
    assert_eq!(store.counts().await.expect("counts"), before);
    assert_eq!(all_changes(&store).await, changes_before);
    let other = store
        .create_officer(&officer_input(&s.id, "李四", 3), &actor())
        .await
        .expect("other");
    let errors = invalid_codes(
        store
            .update_officer(&other.id, &officer_input(&s.id, "李四", 1), &actor())
            .await,
    );
    assert!(has(&errors, "citizen_id", "citizen_id.duplicate"));
}
store_test!(
    officer_blind_index_rejects_the_same_person_twice,
    officer_duplicate_sqlite,
    officer_duplicate_postgres
);

async fn officer_references_and_filters(store: Store) {
    let errors = invalid_codes(
        store
            .create_officer(&officer_input("nobody", "王五", 5), &actor())
            .await,
    );
    assert_eq!(
        errors,
        vec![("subject_id".to_string(), "subject_id.unknown".to_string())]
    );
    let bad = OfficerInput {
        citizen_id: "12345".into(),
        phone: Some("999".into()),
        ..officer_input("nobody", "", 5)
    };
    let errors = invalid_codes(store.create_officer(&bad, &actor()).await);
    for field in ["name", "citizen_id", "phone", "subject_id"] {
        assert!(
            errors.iter().any(|(f, _)| f == field),
            "{field}: {errors:?}"
        );
    }

    let (s, _) = subject_and_officer(&store).await;
    let other = store
        .create_subject(
            &subject_input("荔湾区市场监督管理局", "440103", 2),
            &actor(),
        )
        .await
        .expect("s2");
    store
        .create_officer(&officer_input(&other.id, "李四", 3), &actor())
        .await
        .expect("o2");
    store
        .create_officer(&officer_input(&other.id, "王五", 5), &actor())
        .await
        .expect("o3");
    let by_subject = OfficerFilter {
        subject_id: Some(other.id.clone()),
        ..Default::default()
    };
    assert_eq!(
        store
            .list_officers(&by_subject, PageRequest::default())
            .await
            .expect("list")
            .total,
        2
    );
    let q = OfficerFilter {
        q: Some("张".into()),
        ..Default::default()
    };
    let page = store
        .list_officers(&q, PageRequest::default())
        .await
        .expect("list");
    assert_eq!(
        page.items
            .iter()
            .map(|o| o.subject_id.as_str())
            .collect::<Vec<_>>(),
        [s.id.as_str()]
    );

    store
        .deactivate_subject(&other.id, &actor())
        .await
        .expect("deactivate");
    let errors = invalid_codes(
        store
            .create_officer(&officer_input(&other.id, "赵六", 7), &actor())
            .await,
    );
    assert!(has(&errors, "subject_id", "subject_id.inactive"));
}
store_test!(
    officer_references_and_filters,
    officer_references_sqlite,
    officer_references_postgres
);
