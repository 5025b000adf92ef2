//! What the case API and the case pages share (执法办案, F3/F5): the command envelope built
//! from the signed-in account or token, the facts the rules need to say which commands are
//! allowed now, and the full view of one case (events with their ledger leaves, statutory
//! clocks, available commands, documents).

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;
use zhifa_domain::calendar::LegalCalendar;
use zhifa_domain::case::{
    AgencyFacts, Availability, BenchmarkRange, CaseRules, Command, Context, Envelope, OfficerFacts,
    StatutoryClock, available, deadlines,
};
use zhifa_domain::time::{ChinaDate, now_china};
use zhifa_store::case_model::{CaseDetail, CommandOutcome};
use zhifa_store::model::User;
use zhifa_store::scope::roles;
use zhifa_store::{Scope, StoreError};

use crate::documents::{self, DocumentRef};
use crate::state::AppState;

/// Today in China (the date the rules check acts against).
pub fn today() -> NaiveDate {
    ChinaDate::today().date()
}

/// The legal calendar as loaded now (a copy, so it can be held across awaits).
pub fn calendar(state: &AppState) -> LegalCalendar {
    match state.calendar.read() {
        Ok(c) => c.clone(),
        Err(poisoned) => poisoned.into_inner().clone(),
    }
}

/// The role a caller acts in: the account's, or administrator for the node token (which may
/// not issue case commands).
pub fn role_of(user: Option<&User>) -> String {
    user.map_or_else(|| roles::ADMIN.to_string(), |u| u.role.clone())
}

/// The envelope of a command: who (account name, role, officer id), when (now, China time),
/// where and its idempotency key.
pub fn envelope(
    actor: &str,
    user: Option<&User>,
    place: Option<String>,
    idempotency_key: String,
) -> Envelope {
    Envelope {
        actor: actor.to_string(),
        role: role_of(user),
        officer_id: user.and_then(|u| u.officer_id.clone()),
        at: now_china().to_rfc3339(),
        place: place.filter(|p| !p.trim().is_empty()),
        idempotency_key,
    }
}

/// A fresh idempotency key for a form (UUID v7).
pub fn new_key() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Facts from the store the rules consult for a case's agency and power.
#[derive(Debug, Clone)]
pub struct Facts {
    /// The node's thresholds.
    pub rules: CaseRules,
    /// Officers of the agency with their certificates.
    pub officers: Vec<OfficerFacts>,
    /// The agency.
    pub agency: Option<AgencyFacts>,
    /// Benchmark ranges of the case's power.
    pub benchmarks: Vec<BenchmarkRange>,
    /// The legal calendar.
    pub calendar: LegalCalendar,
}

impl Facts {
    /// Loads the facts of an agency (and a power's benchmarks, when known).
    pub async fn load(
        state: &AppState,
        agency_id: &str,
        power_id: Option<&str>,
    ) -> Result<Facts, StoreError> {
        let rules = state.store.case_rules().await?;
        let (officers, agency) = if agency_id.is_empty() {
            (Vec::new(), None)
        } else {
            (
                state.store.case_officers(agency_id).await?,
                Some(state.store.case_agency(agency_id).await?),
            )
        };
        let benchmarks = match power_id.filter(|p| !p.is_empty()) {
            Some(p) => state.store.power_benchmarks(p).await?,
            None => Vec::new(),
        };
        Ok(Facts {
            rules,
            officers,
            agency,
            benchmarks,
            calendar: calendar(state),
        })
    }

    /// The rules' context as of `today`.
    pub fn context(&self, today: NaiveDate) -> Context<'_> {
        Context {
            today,
            calendar: &self.calendar,
            rules: &self.rules,
            officers: &self.officers,
            agency: self.agency.as_ref(),
            benchmarks: &self.benchmarks,
            number: None,
        }
    }
}

/// One case with everything a case page or an API client needs.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseView {
    /// The case: list row, folded state, events with their ledger leaf indexes.
    #[serde(flatten)]
    pub detail: CaseDetail,
    /// Statutory clocks (label, due date, article, status, provisional flag).
    #[schema(value_type = Vec<Object>)]
    pub deadlines: Vec<StatutoryClock>,
    /// The commands the rules offer at this stage for the caller's role: allowed ones without a
    /// refusal, the others with the refusal (code, article, message, remedy).
    #[schema(value_type = Vec<Object>)]
    pub available: Vec<Availability>,
    /// Documents (执法文书) generated so far, with any missing required content.
    pub documents: Vec<DocumentRef>,
}

/// Loads one case within `scope` and derives its clocks, the caller's commands and its
/// documents.
pub async fn view(
    state: &AppState,
    scope: &Scope,
    id: &str,
    role: &str,
) -> Result<(CaseView, Facts), StoreError> {
    let detail = state.store.get_case_in(scope, id).await?;
    let facts = Facts::load(
        state,
        &detail.state.agency_id,
        detail.state.power_id.as_deref(),
    )
    .await?;
    let today = today();
    let clocks = deadlines(&detail.state, &facts.calendar, &facts.rules, today);
    let available = available(&detail.state, role, &facts.context(today));
    let documents = documents::list(&detail);
    Ok((
        CaseView {
            detail,
            deadlines: clocks,
            available,
            documents,
        },
        facts,
    ))
}

/// Runs one command through the store (a new case when `case_id` is `None`).
pub async fn execute(
    state: &AppState,
    scope: &Scope,
    case_id: Option<&str>,
    env: &Envelope,
    cmd: &Command,
) -> Result<CommandOutcome, StoreError> {
    let calendar = calendar(state);
    state
        .store
        .execute_case_command(scope, &calendar, today(), case_id, env, cmd)
        .await
}
