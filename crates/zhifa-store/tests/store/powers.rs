//! Powers with legal bases, and discretion benchmarks.

use zhifa_store::Store;
use zhifa_store::model::*;

use crate::fixtures::*;
use crate::store_test;

/// Imports the small corpus and returns (第九条 of the APL, 第七十五条 of the regulation).
async fn two_articles(store: &Store) -> (ArticleRow, ArticleRow) {
    store
        .import_laws(&small_corpus(), &actor())
        .await
        .expect("import");
    let a = store
        .find_article("行政处罚法", "第九条")
        .await
        .expect("find")
        .expect("apl 9");
    let b = store
        .find_article("食品安全法实施条例", "第七十五条")
        .await
        .expect("find")
        .expect("reg 75");
    (a, b)
}

fn power_input(code: &str, bases: Vec<LegalBasisInput>) -> PowerInput {
    PowerInput {
        code: code.into(),
        name: "对生产经营不符合食品安全标准的食品的行政处罚".into(),
        category: "02".into(),
        field: "01".into(),
        subject_types: vec!["1".into(), "2".into()],
        description: Some("示例".into()),
        bases,
    }
}

fn basis(article: &ArticleRow, role: &str) -> LegalBasisInput {
    LegalBasisInput {
        article_id: article.id.clone(),
        role: role.into(),
    }
}

async fn power_crud_with_bases(store: Store) {
    let (a, b) = two_articles(&store).await;
    let p = store
        .create_power(
            &power_input(
                "SCJG-0001",
                vec![basis(&b, "violation"), basis(&a, "penalty")],
            ),
            &actor(),
        )
        .await
        .expect("create");
    assert_eq!(
        (p.version, p.subject_types.clone()),
        (1, vec!["1".to_string(), "2".to_string()])
    );
    assert_eq!(
        p.bases
            .iter()
            .map(|x| (
                x.law_title.as_str(),
                x.article_label.as_str(),
                x.role.as_str()
            ))
            .collect::<Vec<_>>(),
        [
            ("食品安全法实施条例", "第七十五条", "violation"),
            ("中华人民共和国行政处罚法", "第九条", "penalty")
        ]
    );
    assert_eq!(store.get_power(&p.id).await.expect("get"), p);
    assert_eq!(
        store
            .power_by_code("SCJG-0001")
            .await
            .expect("by code")
            .as_ref(),
        Some(&p)
    );
    assert_eq!(
        store.power_by_code("SCJG-9999").await.expect("by code"),
        None
    );

    let u = store
        .update_power(
            &p.id,
            &power_input("SCJG-0001", vec![basis(&a, "basis")]),
            &actor(),
        )
        .await
        .expect("update");
    assert_eq!(
        (u.version, u.bases.len(), u.bases[0].role.as_str()),
        (2, 1, "basis")
    );
    let changes = all_changes(&store).await;
    let last = changes.last().expect("entry");
    assert_eq!(
        last.before
            .as_ref()
            .and_then(|v| v["bases"].as_array().map(Vec::len)),
        Some(2)
    );
    assert_eq!(
        last.after
            .as_ref()
            .and_then(|v| v["bases"].as_array().map(Vec::len)),
        Some(1)
    );

    store
        .create_power(
            &power_input("SCJG-0002", vec![basis(&b, "penalty")]),
            &actor(),
        )
        .await
        .expect("second");
    let q = PowerFilter {
        q: Some("scjg-0002".into()),
        ..Default::default()
    };
    let page = store
        .list_powers(&q, PageRequest::default())
        .await
        .expect("list");
    assert_eq!((page.total, page.items[0].bases.len()), (1, 1));
    let all = store
        .list_powers(&PowerFilter::default(), PageRequest::default())
        .await
        .expect("list");
    assert_eq!(
        all.items
            .iter()
            .map(|p| p.code.as_str())
            .collect::<Vec<_>>(),
        ["SCJG-0001", "SCJG-0002"]
    );
    let by_category = PowerFilter {
        category: Some("03".into()),
        ..Default::default()
    };
    assert_eq!(
        store
            .list_powers(&by_category, PageRequest::default())
            .await
            .expect("list")
            .total,
        0
    );

    let d = store
        .deactivate_power(&p.id, &actor())
        .await
        .expect("deactivate");
    assert!(!d.active);
    assert_eq!(store.counts().await.expect("counts").powers, 1);
}
store_test!(
    power_crud_with_bases,
    power_crud_sqlite,
    power_crud_postgres
);

async fn power_rules_are_atomic(store: Store) {
    let (a, _) = two_articles(&store).await;
    store
        .create_power(
            &power_input("SCJG-0001", vec![basis(&a, "penalty")]),
            &actor(),
        )
        .await
        .expect("create");
    let before = store.counts().await.expect("counts");
    let changes = all_changes(&store).await;
    let dup = power_input("SCJG-0001", vec![basis(&a, "penalty")]);
    let errors = invalid_codes(store.create_power(&dup, &actor()).await);
    assert!(has(&errors, "code", "code.duplicate"), "{errors:?}");
    let ghost = LegalBasisInput {
        article_id: "no-such-article".into(),
        role: "penalty".into(),
    };
    let errors = invalid_codes(
        store
            .create_power(
                &power_input("SCJG-0003", vec![basis(&a, "penalty"), ghost]),
                &actor(),
            )
            .await,
    );
    assert_eq!(
        errors,
        vec![(
            "bases[1].article_id".to_string(),
            "article_id.unknown".to_string()
        )]
    );
    assert_eq!(store.counts().await.expect("counts"), before);
    assert_eq!(all_changes(&store).await, changes);
    assert_not_found(store.get_power("nobody").await);
}
store_test!(
    power_rules_are_atomic,
    power_rules_sqlite,
    power_rules_postgres
);

fn benchmark_input(power_id: &str, level: &str) -> BenchmarkInput {
    BenchmarkInput {
        power_id: power_id.into(),
        level: level.into(),
        conditions: "初次违法，货值金额不足一万元".into(),
        fine_min_fen: Some(500_000),
        fine_max_fen: Some(2_000_000),
        other_penalties: vec!["04".into()],
        ..Default::default()
    }
}

async fn benchmark_crud(store: Store) {
    let (a, _) = two_articles(&store).await;
    let p = store
        .create_power(
            &power_input("SCJG-0001", vec![basis(&a, "penalty")]),
            &actor(),
        )
        .await
        .expect("power");
    let light = store
        .create_benchmark(&benchmark_input(&p.id, "2"), &actor())
        .await
        .expect("create");
    assert_eq!(
        (
            light.fine_min_fen,
            light.fine_max_fen,
            light.income_multiple_min_permille
        ),
        (Some(500_000), Some(2_000_000), None)
    );
    assert_eq!(light.other_penalties, ["04"]);
    let heavy = BenchmarkInput {
        fine_min_fen: None,
        fine_max_fen: None,
        income_multiple_min_permille: Some(5_000),
        income_multiple_max_permille: Some(10_000),
        ..benchmark_input(&p.id, "3")
    };
    let heavy = store
        .create_benchmark(&heavy, &actor())
        .await
        .expect("multiple");
    assert_eq!(heavy.income_multiple_max_permille, Some(10_000));
    let changed = BenchmarkInput {
        note: Some("经集体讨论".into()),
        ..benchmark_input(&p.id, "1")
    };
    let u = store
        .update_benchmark(&light.id, &changed, &actor())
        .await
        .expect("update");
    assert_eq!(
        (u.version, u.level.as_str(), u.note.as_deref()),
        (2, "1", Some("经集体讨论"))
    );
    assert_eq!(store.get_benchmark(&light.id).await.expect("get"), u);
    let by_power = BenchmarkFilter {
        power_id: Some(p.id.clone()),
        ..Default::default()
    };
    let page = store
        .list_benchmarks(&by_power, PageRequest::default())
        .await
        .expect("list");
    assert_eq!(
        page.items
            .iter()
            .map(|b| b.level.as_str())
            .collect::<Vec<_>>(),
        ["1", "3"]
    );
    store
        .deactivate_benchmark(&heavy.id, &actor())
        .await
        .expect("deactivate");
    assert_eq!(
        store
            .list_benchmarks(&by_power, PageRequest::default())
            .await
            .expect("list")
            .total,
        1
    );
    let with_inactive = BenchmarkFilter {
        include_inactive: Some(true),
        ..by_power
    };
    assert_eq!(
        store
            .list_benchmarks(&with_inactive, PageRequest::default())
            .await
            .expect("list")
            .total,
        2
    );

    let before = store.counts().await.expect("counts");
    let bad = BenchmarkInput {
        income_multiple_min_permille: Some(1),
        ..benchmark_input("nobody", "9")
    };
    let errors = invalid_codes(store.create_benchmark(&bad, &actor()).await);
    for (field, code) in [
        ("power_id", "power_id.unknown"),
        ("level", "code.unknown"),
        ("income_multiple_min_permille", "benchmark.range.both"),
    ] {
        assert!(has(&errors, field, code), "{field} {code}: {errors:?}");
    }
    assert_eq!(store.counts().await.expect("counts"), before);
    assert_not_found(store.deactivate_benchmark("nobody", &actor()).await);
}
store_test!(
    benchmark_crud,
    benchmark_crud_sqlite,
    benchmark_crud_postgres
);
