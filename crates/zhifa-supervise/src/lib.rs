//! Zhifa supervision (执法监督, F11): alert rules as configuration and their evaluation.
//!
//! "Hard-coded SQL alerts are the thing to beat": here a rule is data ([`RuleSet`], TOML with
//! documented defaults in `rules/default.toml`) naming an evaluator and its parameters, its
//! legal basis, severity and scope. The evaluators are pure functions over the case log:
//!
//! - [`eval::evaluate_case`]: rules about one case (statutory clocks of APL Art. 60/61,
//!   118号 and ACL Art. 25; legal review Art. 58; prior notice Art. 44; officers and
//!   certificates Art. 42; discretion Art. 34; statutory maximum; limitation Art. 36;
//!   surcharge Art. 72), run as events arrive and by sweeps;
//! - [`aggregate`]: rules across cases (repeat inspections, zero enforcement, fines at the
//!   benchmark maximum, 不予处罚 rate), run by sweeps and after decisions.
//!
//! The store (`zhifa_store::db::supervision`) feeds them and keeps the alerts; nothing here
//! does I/O.

pub mod aggregate;
pub mod eval;
pub mod rules;

pub use eval::{CaseView, CertificateRecord, EvalContext, Facts, Finding, evaluate_case};
pub use rules::{Check, Escalation, RuleDef, RuleError, RuleScope, RuleSet, Severity};
