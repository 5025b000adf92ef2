//! API and page tests of `zhifa-server`, in process (`tower::ServiceExt::oneshot`), each run
//! on a fresh SQLite file (`_sqlite`) and on a fresh PostgreSQL database (`_postgres`, when
//! `ZHIFA_TEST_DATABASE_URL` is set).

#[macro_use]
mod common;

mod access;
mod alerts;
mod case_pages;
mod cases;
mod catalogue;
mod complaints;
mod errors;
mod fixtures;
mod imports;
mod ledger;
mod outbox;
mod pages;
mod personnel;
mod reference;
mod serve;
mod sessions;
mod subjects;
mod supervision;
