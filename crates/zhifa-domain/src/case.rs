//! Case handling (执法办案, F3/F5): the administrative penalty procedure as rules.
//!
//! A case is a stream of [`CaseEvent`]s; its [`CaseState`] is derived by folding them. A
//! [`Command`] (with its [`Envelope`]: actor, time, place, idempotency key) is checked by
//! [`decide`] against the procedure's gates and either yields events or a [`Refusal`] that
//! names its stable code, the article it enforces, a Chinese message and what would make the
//! command allowed. [`available`] lists, for a case as it stands, every command with whether
//! it is allowed now (the case page shows exactly these buttons). [`deadlines`] lists the
//! statutory clocks computed with the legal calendar.
//!
//! Nothing here touches a database: facts the rules need from elsewhere (officers'
//! certificates on the act date, the discretion benchmark, numbers allocated inside the
//! transaction) arrive in a [`Context`] filled in by the store.
//!
//! Citations use the 2021 revision of 《中华人民共和国行政处罚法》 (APL) and 《中华人民共和国
//! 行政强制法》 (ACL); see [`law`].

mod clocks;
mod command;
mod config;
mod decide;
mod event;
pub mod law;
mod model;
mod refusal;
mod state;
mod surcharge;

#[cfg(test)]
mod tests;

pub use clocks::{ClockKind, ClockStatus, StatutoryClock, deadlines, next_due};
pub use command::{Command, CommandKind, Envelope};
pub use config::CaseRules;
pub use decide::{
    AgencyFacts, Availability, CertFacts, Context, OfficerFacts, allowed, available, decide,
    format_number, number_word, number_year,
};
pub use event::{CaseEvent, EventKind};
pub use model::*;
pub use refusal::Refusal;
pub use state::{CaseState, Stage};
pub use surcharge::{SurchargeAccrual, surcharge};
