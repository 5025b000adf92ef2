//! Law import: batched, idempotent, one change-log entry; article lookup by title and label.

use zhifa_store::Store;
use zhifa_store::model::*;

use crate::fixtures::*;
use crate::store_test;

async fn law_import_is_idempotent(store: Store) {
    let corpus = small_corpus();
    let report = store.import_laws(&corpus, &actor()).await.expect("import");
    assert_eq!(
        report,
        LawImportReport {
            laws_added: 3,
            laws_skipped: 0,
            articles_added: 6
        }
    );
    let counts = store.counts().await.expect("counts");
    assert_eq!((counts.laws, counts.articles, counts.changes), (3, 6, 1));

    let again = store.import_laws(&corpus, &actor()).await.expect("again");
    assert_eq!(
        again,
        LawImportReport {
            laws_added: 0,
            laws_skipped: 3,
            articles_added: 0
        }
    );
    assert_eq!(
        store.counts().await.expect("counts"),
        counts,
        "nothing added, nothing logged"
    );

    // A corpus with one new version and an internal duplicate.
    let mut more = corpus.clone();
    more[0].version_date = chrono::NaiveDate::from_ymd_opt(2009, 8, 27);
    more.push(more[0].clone());
    let third = store.import_laws(&more, &actor()).await.expect("third");
    assert_eq!(
        (third.laws_added, third.laws_skipped, third.articles_added),
        (1, 3, 2)
    );

    let changes = all_changes(&store).await;
    assert_eq!(changes.len(), 2);
    let first = &changes[0];
    assert_eq!(
        (first.entity.as_str(), first.action.as_str()),
        ("law", "import")
    );
    let after = first.after.as_ref().expect("summary");
    assert_eq!(after["laws_added"], 3);
    assert_eq!(after["articles_added"], 6);
    assert_eq!(after["laws"].as_array().map(Vec::len), Some(3));
}
store_test!(
    law_import_is_idempotent,
    law_import_sqlite,
    law_import_postgres
);

async fn laws_articles_and_lookup(store: Store) {
    store
        .import_laws(&small_corpus(), &actor())
        .await
        .expect("import");
    let all = store
        .list_laws(&LawFilter::default(), PageRequest::default())
        .await
        .expect("laws");
    assert_eq!(all.total, 3);
    let apl = LawFilter {
        q: Some("行政处罚".into()),
        ..Default::default()
    };
    let apl = store
        .list_laws(&apl, PageRequest::default())
        .await
        .expect("laws");
    assert_eq!(
        apl.items
            .iter()
            .map(|l| l.version_date.as_deref())
            .collect::<Vec<_>>(),
        [Some("2021-01-22"), Some("2017-09-01")]
    );
    let newest = &apl.items[0];
    assert_eq!(
        (
            newest.level.as_str(),
            newest.category.as_str(),
            newest.article_count
        ),
        ("2", "行政法", 3)
    );
    assert_eq!(newest.issued.as_deref(), Some("1996-03-17"));
    let by_level = LawFilter {
        level: Some("3".into()),
        ..Default::default()
    };
    assert_eq!(
        store
            .list_laws(&by_level, PageRequest::default())
            .await
            .expect("level")
            .total,
        1
    );
    assert_eq!(store.get_law(&newest.id).await.expect("law"), *newest);
    assert_not_found(store.get_law("nobody").await);

    let articles = store.list_articles(&newest.id).await.expect("articles");
    assert_eq!(
        articles
            .iter()
            .map(|a| a.label.as_str())
            .collect::<Vec<_>>(),
        ["第一条", "第三条", "第九条"]
    );
    assert_eq!(
        articles.iter().map(|a| a.seq).collect::<Vec<_>>(),
        [0, 1, 2]
    );
    let ninth = &articles[2];
    assert_eq!(
        (ninth.number, ninth.suffix, ninth.law_title.as_str()),
        (9, 0, "中华人民共和国行政处罚法")
    );
    assert_eq!(
        ninth.paragraphs[0].items,
        ["（一）警告、通报批评；", "（二）罚款。"]
    );
    assert_eq!(
        ninth.chapter.as_deref(),
        Some("第二章 行政处罚的种类和设定")
    );
    assert_eq!(store.get_article(&ninth.id).await.expect("article"), *ninth);
    assert_not_found(store.get_article("nobody").await);
    assert_not_found(store.list_articles("nobody").await);

    let short = store
        .find_article("行政处罚法", "第三条")
        .await
        .expect("find")
        .expect("found");
    assert_eq!(
        short.text, "行政处罚的设定和实施，适用本法。",
        "newest version first"
    );
    let full = store
        .find_article("中华人民共和国行政处罚法", "第三条")
        .await
        .expect("find")
        .expect("found");
    assert_eq!(full.id, short.id);
    let reg = store
        .find_article("食品安全法实施条例", "第七十五条")
        .await
        .expect("find")
        .expect("found");
    assert_eq!(reg.number, 75);
    assert_eq!(
        store
            .find_article("行政处罚法", "第九十九条")
            .await
            .expect("find"),
        None
    );
    assert_eq!(
        store
            .find_article("行政许可法", "第一条")
            .await
            .expect("find"),
        None
    );
}
store_test!(
    laws_articles_and_lookup,
    laws_lookup_sqlite,
    laws_lookup_postgres
);
