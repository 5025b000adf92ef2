//! Connection, migrations, meta data, counts, regions and the calendar table.

use std::sync::Arc;

use sqlx::Row;
use zhifa_domain::region::{RegionLevel, RegionTable};
use zhifa_store::crypto::Sm4GcmCipher;
use zhifa_store::model::*;
use zhifa_store::{Backend, Store, StoreError, StoreOptions};

use crate::fixtures::*;
use crate::store_test;

async fn migrations_meta_and_ping(store: Store) {
    store.migrate().await.expect("migrating twice is a no-op");
    store.ping().await.expect("ping");
    assert_eq!(store.counts().await.expect("counts"), Counts::default());
    assert_eq!(
        store.meta_get("reference.version").await.expect("get"),
        None
    );
    store
        .meta_set("reference.version", "2023")
        .await
        .expect("set");
    store
        .meta_set("reference.version", "2024")
        .await
        .expect("overwrite");
    assert_eq!(
        store
            .meta_get("reference.version")
            .await
            .expect("get")
            .as_deref(),
        Some("2024")
    );
}
store_test!(
    migrations_meta_and_ping,
    migrations_sqlite,
    migrations_postgres
);

async fn regions_load_once(store: Store) {
    let table = RegionTable::builtin();
    let loaded = store.load_regions(table).await.expect("load");
    assert_eq!(loaded, table.len());
    assert!(loaded > 44_000, "{loaded}");
    let counts = store.counts().await.expect("counts");
    let levels = [
        RegionLevel::Province,
        RegionLevel::City,
        RegionLevel::County,
        RegionLevel::Township,
    ];
    assert_eq!(counts.regions, levels.map(|l| table.count(l) as i64));
    assert_eq!(counts.regions[0], 31);
    assert_eq!(
        store.load_regions(table).await.expect("again"),
        0,
        "idempotent"
    );
    assert_eq!(counts.changes, 0, "reference data is not base-data change");

    let tianhe = store.get_region("440106").await.expect("天河区");
    assert_eq!(
        (
            tianhe.name.as_str(),
            tianhe.level.as_str(),
            tianhe.parent.as_deref()
        ),
        ("天河区", "county", Some("440100"))
    );
    assert_not_found(store.get_region("000000").await);
    let gz = RegionFilter {
        parent: Some("440100".into()),
        ..Default::default()
    };
    let page = store
        .list_regions(
            &gz,
            PageRequest {
                offset: 0,
                limit: 500,
            },
        )
        .await
        .expect("children");
    assert_eq!(page.total as usize, table.children("440100").len());
    assert!(page.items.iter().any(|r| r.name == "天河区"));
    assert!(
        page.items.windows(2).all(|w| w[0].code < w[1].code),
        "ordered by code"
    );
    let provinces = RegionFilter {
        level: Some("province".into()),
        ..Default::default()
    };
    assert_eq!(
        store
            .list_regions(&provinces, PageRequest::default())
            .await
            .expect("provinces")
            .total,
        31
    );
    let q = RegionFilter {
        q: Some("天河".into()),
        level: Some("county".into()),
        ..Default::default()
    };
    assert!(
        store
            .list_regions(&q, PageRequest::default())
            .await
            .expect("q")
            .items
            .iter()
            .any(|r| r.code == "440106")
    );
}
store_test!(regions_load_once, regions_sqlite, regions_postgres);

async fn calendar_table(store: Store) {
    assert_eq!(store.calendar_csv().await.expect("none"), None);
    let csv = "date,kind,festival\n2027-01-01,holiday,New Year's Day\n";
    let errors = invalid_codes(
        store
            .save_calendar_csv("date,kind\n2027-13-01,holiday\n", &actor())
            .await,
    );
    assert_eq!(
        errors,
        vec![("csv".to_string(), "calendar.csv.invalid".to_string())]
    );
    store.save_calendar_csv(csv, &actor()).await.expect("save");
    assert_eq!(
        store.calendar_csv().await.expect("read").as_deref(),
        Some(csv)
    );
    let csv2 = "date,kind,festival\n2027-01-01,holiday,New Year's Day\n2027-02-06,holiday,Spring Festival\n";
    store
        .save_calendar_csv(csv2, &actor())
        .await
        .expect("replace");
    assert_eq!(
        store.calendar_csv().await.expect("read").as_deref(),
        Some(csv2)
    );
    let changes = all_changes(&store).await;
    assert_eq!(
        changes
            .iter()
            .map(|c| c.action.as_str())
            .collect::<Vec<_>>(),
        ["create", "update"]
    );
    let update = &changes[1];
    assert_eq!(update.entity, "calendar");
    assert_eq!(
        update.before.as_ref().map(|b| b["rows"].clone()),
        Some(serde_json::json!(1))
    );
    assert_eq!(
        update.after.as_ref().map(|a| a["rows"].clone()),
        Some(serde_json::json!(2))
    );
}
store_test!(calendar_table, calendar_sqlite, calendar_postgres);

/// The two migration folders must hold the same file names (vaultwarden's drifted).
#[test]
fn migration_folders_have_the_same_files() {
    let names = |backend: &str| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(backend);
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let sqlite = names("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, names("postgres"));
}

fn options(url: String) -> StoreOptions {
    StoreOptions {
        url,
        max_connections: 2,
        cipher: Arc::new(Sm4GcmCipher::new([1; 16])),
    }
}

#[tokio::test]
async fn sqlite_file_is_created_in_wal_mode() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("nested").join("zhifa.db");
    let store = Store::connect(options(format!("sqlite://{}", path.display())))
        .await
        .expect("connect");
    assert_eq!(store.backend(), Backend::Sqlite);
    assert!(path.exists(), "file created");
    let row = sqlx::query("PRAGMA journal_mode")
        .fetch_one(store.pool())
        .await
        .expect("pragma");
    assert_eq!(row.get::<String, _>(0).to_lowercase(), "wal");
    let fk = sqlx::query("PRAGMA foreign_keys")
        .fetch_one(store.pool())
        .await
        .expect("pragma");
    assert_eq!(fk.get::<i64, _>(0), 1);
    store.pool().close().await;
}

#[tokio::test]
async fn unreachable_database_is_unavailable() {
    let r = Store::connect(options(
        "postgres://zhifa:secret-pw@127.0.0.1:1/zhifa".into(),
    ))
    .await;
    match r {
        Err(StoreError::Unavailable(message)) => {
            assert!(!message.contains("secret-pw"), "{message}")
        }
        other => panic!("expected Unavailable, got {other:?}"),
    }
    let r = Store::connect(options("mysql://localhost/zhifa".into())).await;
    assert!(matches!(r, Err(StoreError::Unavailable(_))));
}

#[tokio::test]
async fn in_memory_sqlite_keeps_one_database() {
    let store = Store::connect(options("sqlite::memory:".into()))
        .await
        .expect("connect");
    store.migrate().await.expect("migrate");
    let s = store
        .create_subject(&subject_input("某局", "440106", 1), &actor())
        .await
        .expect("create");
    assert_eq!(store.get_subject(&s.id).await.expect("get").id, s.id);
    assert_eq!(store.counts().await.expect("counts").subjects, 1);
}
