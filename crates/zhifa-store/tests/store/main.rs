//! The store test suite: written once against the `Store` API and run on SQLite always and on
//! PostgreSQL when `ZHIFA_TEST_DATABASE_URL` is set (each test in its own database). Every
//! test exists twice, named `…_sqlite` and `…_postgres`.

mod harness;

mod fixtures;

mod base;
mod case_rules;
mod cases;
mod certificates;
mod complaints;
mod imports;
mod laws;
mod ledger;
mod officers;
mod outbox;
mod powers;
mod stats;
mod subjects;
mod supervision;
mod users;
