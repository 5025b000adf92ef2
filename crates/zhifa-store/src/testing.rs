//! Test support (feature `testing`): fresh databases for test suites that run the same body on
//! SQLite and on PostgreSQL. Not compiled into the product.
//!
//! `ZHIFA_TEST_DATABASE_URL` names a PostgreSQL server through one of its databases (e.g.
//! `postgres://postgres@127.0.0.1:5432/postgres`); each [`TestDb::postgres`] creates a database
//! of its own there and drops it when the `TestDb` is dropped.

use sqlx::Connection;

/// The environment variable naming the PostgreSQL server for tests.
pub const PG_ENV: &str = "ZHIFA_TEST_DATABASE_URL";

/// The PostgreSQL server URL for tests, if configured.
pub fn postgres_admin_url() -> Option<String> {
    std::env::var(PG_ENV).ok().filter(|u| !u.trim().is_empty())
}

/// The URL of database `name` on the server of `admin_url` (query string kept).
pub fn database_url(admin_url: &str, name: &str) -> String {
    let (base, query) = admin_url
        .split_once('?')
        .map_or((admin_url, None), |(b, q)| (b, Some(q)));
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let server = match base[after_scheme..].find('/') {
        Some(i) => &base[..after_scheme + i],
        None => base,
    };
    match query {
        Some(q) => format!("{server}/{name}?{q}"),
        None => format!("{server}/{name}"),
    }
}

/// A fresh, empty database for one test: a SQLite file in a temporary directory, or a new
/// PostgreSQL database. Removed when dropped.
pub struct TestDb {
    url: String,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

impl TestDb {
    /// A new SQLite file in a temporary directory.
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("zhifa.db").display()
        );
        TestDb {
            url,
            _dir: Some(dir),
            postgres: None,
        }
    }

    /// A new PostgreSQL database named `<prefix>_<uuid>`; `None` (after printing a skip notice)
    /// when `ZHIFA_TEST_DATABASE_URL` is unset. Panics when it is set but unreachable, so a
    /// broken server fails the suite instead of skipping it.
    pub async fn postgres(prefix: &str) -> Option<TestDb> {
        let Some(admin_url) = postgres_admin_url() else {
            eprintln!("skipped: {PG_ENV} not set");
            return None;
        };
        let name = format!("{prefix}_{}", uuid::Uuid::now_v7().simple());
        let mut admin = sqlx::PgConnection::connect(&admin_url)
            .await
            .unwrap_or_else(|e| panic!("{PG_ENV} is set but PostgreSQL cannot be reached: {e}"));
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .unwrap_or_else(|e| panic!("cannot create test database {name}: {e}"));
        let _ = admin.close().await;
        Some(TestDb {
            url: database_url(&admin_url, &name),
            _dir: None,
            postgres: Some((admin_url, name)),
        })
    }

    /// The database URL.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.postgres.take() else {
            return;
        };
        // Drop may run inside a test's runtime: use a thread with a runtime of its own.
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                let mut conn = sqlx::PgConnection::connect(&admin_url).await.ok()?;
                let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                    .execute(&mut conn)
                    .await
                    .ok()?;
                conn.close().await.ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(()))) {
            eprintln!("note: a test database could not be dropped");
        }
    }
}

/// The enforcement agencies named by the shipped example exports (`examples/exchange/`):
/// USCC, name, enforcement field, region.
pub const EXAMPLE_AGENCIES: [(&str, &str, &str, &str); 4] = [
    (
        "11440106006954374P",
        "广州市天河区市场监督管理局",
        "01",
        "440106",
    ),
    (
        "11440105006954294M",
        "广州市海珠区市场监督管理局",
        "01",
        "440105",
    ),
    ("1144010000695530XE", "广州市生态环境局", "02", "440100"),
    (
        "11440106006955887M",
        "广州市天河区城市管理和综合执法局",
        "06",
        "440106",
    ),
];

/// The environment example's inspectors (广州市生态环境局): certificate number and a valid
/// citizen ID (GB 11643 check character included).
pub const EXAMPLE_INSPECTORS: [(&str, &str); 4] = [
    ("4401000200011", "440106198001012014"),
    ("4401000200027", "440106198001012022"),
    ("4401000200035", "440106198001012030"),
    ("4401000200043", "440106198001012049"),
];

/// Registers the example exports' agencies and, with `officers`, the environment example's
/// inspectors with their certificates, through the admin forms' store calls, so that the
/// examples' records resolve their references when imported. The regions must be loaded.
pub async fn register_example_references(
    store: &crate::Store,
    officers: bool,
) -> crate::error::Result<()> {
    use crate::model::{Actor, CertificateInput, OfficerInput, SubjectInput};
    let actor = Actor::system("test");
    for (uscc, name, field, region) in EXAMPLE_AGENCIES {
        let s = store
            .create_subject(
                &SubjectInput {
                    name: name.into(),
                    short_name: None,
                    uscc: uscc.into(),
                    subject_type: "1".into(),
                    field: field.into(),
                    level: "3".into(),
                    region_code: region.into(),
                    parent_id: None,
                    address: None,
                    phone: None,
                },
                &actor,
            )
            .await?;
        if !officers || field != "02" {
            continue;
        }
        for (i, (number, citizen_id)) in EXAMPLE_INSPECTORS.iter().enumerate() {
            let o = store
                .create_officer(
                    &OfficerInput {
                        name: format!("环境执法员{}", i + 1),
                        citizen_id: citizen_id.to_string(),
                        subject_id: s.id.clone(),
                        position: None,
                        phone: None,
                    },
                    &actor,
                )
                .await?;
            store
                .create_certificate(
                    &CertificateInput {
                        number: number.to_string(),
                        officer_id: o.id,
                        status: "1".into(),
                        valid_from: "2020-01-01".into(),
                        valid_to: "2030-12-31".into(),
                        fields: vec!["02".into()],
                        legal_review_qualified: false,
                        issuer: None,
                    },
                    &actor,
                )
                .await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::database_url;

    #[test]
    fn database_url_replaces_the_database() {
        assert_eq!(
            database_url("postgres://postgres@127.0.0.1:5432/postgres", "zt"),
            "postgres://postgres@127.0.0.1:5432/zt"
        );
        assert_eq!(
            database_url("postgres://u:p@h/db?sslmode=disable", "zt"),
            "postgres://u:p@h/zt?sslmode=disable"
        );
        assert_eq!(database_url("postgres://h", "zt"), "postgres://h/zt");
    }
}
