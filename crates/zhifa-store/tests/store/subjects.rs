//! Subjects: CRUD, versions, the change log, validation, atomicity, region filters.

use zhifa_domain::region::RegionTable;
use zhifa_store::model::*;
use zhifa_store::{Store, StoreError};

use crate::fixtures::*;
use crate::store_test;

async fn subject_crud(store: Store) {
    let input = SubjectInput {
        short_name: Some("天河市监".into()),
        ..subject_input("天河区市场监督管理局", "440106", 1)
    };
    let s = store
        .create_subject(&input, &actor())
        .await
        .expect("create");
    assert_eq!((s.version, s.active), (1, true));
    assert_eq!(s.uscc, input.uscc);
    assert!(s.created_at.ends_with("+08:00"), "{}", s.created_at);
    assert_eq!(store.get_subject(&s.id).await.expect("get"), s);
    let by_code = store
        .subject_by_uscc(&input.uscc.to_lowercase())
        .await
        .expect("by uscc");
    assert_eq!(by_code.as_ref().map(|x| x.id.as_str()), Some(s.id.as_str()));
    assert_eq!(
        store
            .subject_by_uscc(&uscc("440106", 99))
            .await
            .expect("none"),
        None
    );

    let renamed = SubjectInput {
        name: "广州市天河区市场监督管理局".into(),
        short_name: None,
        ..input.clone()
    };
    let u = store
        .update_subject(&s.id, &renamed, &actor())
        .await
        .expect("update");
    assert_eq!(
        (u.version, u.name.as_str(), u.short_name.as_deref()),
        (2, "广州市天河区市场监督管理局", None)
    );
    assert_eq!(u.created_at, s.created_at);

    let d = store
        .deactivate_subject(&s.id, &actor())
        .await
        .expect("deactivate");
    assert_eq!((d.version, d.active), (3, false));
    let again = store
        .deactivate_subject(&s.id, &actor())
        .await
        .expect("deactivate again");
    assert_eq!(again, d, "deactivating an inactive record changes nothing");

    let changes = all_changes(&store).await;
    let actions: Vec<&str> = changes.iter().map(|c| c.action.as_str()).collect();
    assert_eq!(
        actions,
        ["create", "update", "deactivate"],
        "no entry for the second deactivation"
    );
    assert!(
        changes.windows(2).all(|w| w[1].seq == w[0].seq + 1),
        "gap-free sequence"
    );
    let update = &changes[1];
    assert_eq!(
        (update.entity.as_str(), update.entity_id.as_str()),
        ("subject", s.id.as_str())
    );
    assert_eq!(
        (update.actor.as_str(), update.ip.as_deref()),
        ("tester", Some("127.0.0.1"))
    );
    assert_eq!(
        update.before.as_ref().and_then(|b| b["name"].as_str()),
        Some("天河区市场监督管理局")
    );
    assert_eq!(
        update.after.as_ref().and_then(|a| a["name"].as_str()),
        Some("广州市天河区市场监督管理局")
    );
    assert_eq!(
        update.after.as_ref().and_then(|a| a["version"].as_i64()),
        Some(2)
    );
    assert!(changes[0].before.is_none());

    let listed = store
        .list_subjects(&SubjectFilter::default(), PageRequest::default())
        .await
        .expect("list");
    assert_eq!(listed.total, 0, "inactive subjects are hidden by default");
    let all = SubjectFilter {
        include_inactive: Some(true),
        ..Default::default()
    };
    assert_eq!(
        store
            .list_subjects(&all, PageRequest::default())
            .await
            .expect("list")
            .total,
        1
    );

    let filtered = ChangeFilter {
        entity: Some("subject".into()),
        entity_id: Some(s.id.clone()),
    };
    let page = store
        .list_changes(&filtered, PageRequest::default())
        .await
        .expect("changes");
    assert_eq!(page.total, 3);
    assert_eq!(page.items[0].action, "deactivate", "newest first");
}
store_test!(subject_crud, subject_crud_sqlite, subject_crud_postgres);

async fn subject_unknown_ids(store: Store) {
    assert_not_found(store.get_subject("no-such-id").await);
    assert_not_found(
        store
            .update_subject("no-such-id", &subject_input("某局", "440106", 1), &actor())
            .await,
    );
    assert_not_found(store.deactivate_subject("no-such-id", &actor()).await);
    assert_eq!(store.counts().await.expect("counts").changes, 0);
}
store_test!(
    subject_unknown_ids,
    subject_unknown_ids_sqlite,
    subject_unknown_ids_postgres
);

async fn subject_validation_reports_all_fields_and_writes_nothing(store: Store) {
    let before = store.counts().await.expect("counts");
    let errors = invalid_codes(
        store
            .create_subject(&SubjectInput::default(), &actor())
            .await,
    );
    for field in [
        "name",
        "uscc",
        "subject_type",
        "field",
        "level",
        "region_code",
    ] {
        assert!(
            errors.iter().any(|(f, _)| f == field),
            "{field} missing from {errors:?}"
        );
    }
    let mut bad = subject_input("某局", "440106", 1);
    bad.parent_id = Some("nobody".into());
    bad.region_code = "440199".into();
    let errors = invalid_codes(store.create_subject(&bad, &actor()).await);
    assert!(has(&errors, "parent_id", "parent_id.unknown"), "{errors:?}");
    assert!(has(&errors, "region_code", "region.unknown"), "{errors:?}");
    assert_eq!(store.counts().await.expect("counts"), before);
}
store_test!(
    subject_validation_reports_all_fields_and_writes_nothing,
    subject_validation_sqlite,
    subject_validation_postgres
);

async fn subject_duplicate_uscc_is_atomic(store: Store) {
    let a = store
        .create_subject(&subject_input("甲局", "440106", 1), &actor())
        .await
        .expect("a");
    let before = store.counts().await.expect("counts");
    let changes_before = all_changes(&store).await;
    let dup = subject_input("乙局", "440106", 1);
    let errors = invalid_codes(store.create_subject(&dup, &actor()).await);
    assert_eq!(
        errors,
        vec![("uscc".to_string(), "uscc.duplicate".to_string())]
    );
    assert_eq!(store.counts().await.expect("counts"), before);
    assert_eq!(
        all_changes(&store).await,
        changes_before,
        "change log unchanged"
    );

    let b = store
        .create_subject(&subject_input("乙局", "440106", 2), &actor())
        .await
        .expect("b");
    let steal = SubjectInput {
        uscc: a.uscc.clone(),
        ..subject_input("乙局", "440106", 2)
    };
    let errors = invalid_codes(store.update_subject(&b.id, &steal, &actor()).await);
    assert!(has(&errors, "uscc", "uscc.duplicate"));
    assert_eq!(
        store.get_subject(&b.id).await.expect("b").version,
        1,
        "update rolled back"
    );
    // Keeping one's own USCC is no conflict.
    let same = store
        .update_subject(&a.id, &subject_input("甲局（新）", "440106", 1), &actor())
        .await
        .expect("same");
    assert_eq!(same.version, 2);
}
store_test!(
    subject_duplicate_uscc_is_atomic,
    subject_duplicate_uscc_sqlite,
    subject_duplicate_uscc_postgres
);

async fn subject_parent_references(store: Store) {
    let city = store
        .create_subject(
            &subject_input("广州市市场监督管理局", "440100", 1),
            &actor(),
        )
        .await
        .expect("city");
    let county = SubjectInput {
        parent_id: Some(city.id.clone()),
        ..subject_input("天河区市场监督管理局", "440106", 2)
    };
    let county = store
        .create_subject(&county, &actor())
        .await
        .expect("county");
    assert_eq!(county.parent_id.as_deref(), Some(city.id.as_str()));
    let cycle = SubjectInput {
        parent_id: Some(county.id.clone()),
        ..subject_input("广州市市场监督管理局", "440100", 1)
    };
    let errors = invalid_codes(store.update_subject(&city.id, &cycle, &actor()).await);
    assert!(has(&errors, "parent_id", "parent_id.cycle"), "{errors:?}");
    let own = SubjectInput {
        parent_id: Some(city.id.clone()),
        ..subject_input("广州市市场监督管理局", "440100", 1)
    };
    let errors = invalid_codes(store.update_subject(&city.id, &own, &actor()).await);
    assert!(has(&errors, "parent_id", "parent_id.cycle"), "{errors:?}");
}
store_test!(
    subject_parent_references,
    subject_parent_sqlite,
    subject_parent_postgres
);

async fn subject_region_filter_and_pages(store: Store) {
    let township = RegionTable::builtin()
        .children("440106")
        .first()
        .map(|r| r.code.clone())
        .expect("a township of 天河区");
    for (i, (name, region)) in [
        ("广东省市场监督管理局", "440000"),
        ("广州市市场监督管理局", "440100"),
        ("天河区市场监督管理局", "440106"),
        ("天河区某街道综合执法办", township.as_str()),
        ("荔湾区市场监督管理局", "440103"),
        ("福田区市场监督管理局", "440304"),
        ("东城区市场监督管理局", "110101"),
    ]
    .into_iter()
    .enumerate()
    {
        store
            .create_subject(&subject_input(name, region, i as u32 + 1), &actor())
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    let count = |region: &str| {
        let store = store.clone();
        let filter = SubjectFilter {
            region: Some(region.to_string()),
            ..Default::default()
        };
        async move {
            store
                .list_subjects(&filter, PageRequest::default())
                .await
                .expect("list")
                .total
        }
    };
    assert_eq!(
        count("440000").await,
        6,
        "province: itself and everything below"
    );
    assert_eq!(
        count("440100").await,
        4,
        "city: 广州 and its districts and townships"
    );
    assert_eq!(count("440106").await, 2, "county and its township");
    assert_eq!(count(&township).await, 1);
    assert_eq!(count("110000").await, 1);
    assert_eq!(count("650000").await, 0);
    assert!(matches!(
        store
            .list_subjects(
                &SubjectFilter {
                    region: Some("44".into()),
                    ..Default::default()
                },
                PageRequest::default()
            )
            .await,
        Err(StoreError::Invalid(_))
    ));

    let page = store
        .list_subjects(
            &SubjectFilter::default(),
            PageRequest {
                offset: 2,
                limit: 3,
            },
        )
        .await
        .expect("page");
    assert_eq!(
        (page.total, page.items.len(), page.offset, page.limit),
        (7, 3, 2, 3)
    );
    let first = store
        .list_subjects(
            &SubjectFilter::default(),
            PageRequest {
                offset: 0,
                limit: 0,
            },
        )
        .await
        .expect("clamped");
    assert_eq!(
        (first.limit, first.items.len()),
        (1, 1),
        "limit is clamped to at least 1"
    );
    assert_eq!(
        first.items[0].region_code, "110101",
        "ordered by region code"
    );
    let end = store
        .list_subjects(
            &SubjectFilter::default(),
            PageRequest {
                offset: 7,
                limit: 50,
            },
        )
        .await
        .expect("end");
    assert!(end.items.is_empty());

    let q = SubjectFilter {
        q: Some("天河".into()),
        ..Default::default()
    };
    assert_eq!(
        store
            .list_subjects(&q, PageRequest::default())
            .await
            .expect("q")
            .total,
        2
    );
    let q = SubjectFilter {
        q: Some("%".into()),
        ..Default::default()
    };
    assert_eq!(
        store
            .list_subjects(&q, PageRequest::default())
            .await
            .expect("q")
            .total,
        0,
        "LIKE wildcards are escaped"
    );
    let field = SubjectFilter {
        field: Some("02".into()),
        ..Default::default()
    };
    assert_eq!(
        store
            .list_subjects(&field, PageRequest::default())
            .await
            .expect("field")
            .total,
        0
    );
}
store_test!(
    subject_region_filter_and_pages,
    subject_region_filter_sqlite,
    subject_region_filter_postgres
);

async fn concurrent_writes_all_succeed(store: Store) {
    let mut tasks = Vec::new();
    for i in 0..12u32 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .create_subject(
                    &subject_input(&format!("第{i}局"), "440106", 100 + i),
                    &actor(),
                )
                .await
        }));
    }
    for t in tasks {
        t.await.expect("task").expect("create under concurrency");
    }
    let changes = all_changes(&store).await;
    assert_eq!(changes.len(), 12);
    assert!(
        changes.windows(2).all(|w| w[1].seq == w[0].seq + 1),
        "gap-free sequence"
    );
}
store_test!(
    concurrent_writes_all_succeed,
    concurrent_writes_sqlite,
    concurrent_writes_postgres
);
