//! The signed-in home page (`/`), one per role (F14): the officer's workbench, the legal
//! reviewer's queue, the agency head's approvals, the supervisor's dashboard entry and the
//! administrator's overview. Every number is read from the store within the account's data
//! scope; queues of features that do not exist yet (cases) say so instead of showing rows.

use askama::Template;
use chrono::{Duration, NaiveDate};
use zhifa_domain::time::ChinaDate;
use zhifa_store::Scope;
use zhifa_store::model::{
    Certificate, CertificateFilter, Change, ChangeFilter, OfficerFilter, PageRequest, PowerFilter,
    Subject, SubjectFilter, User,
};
use zhifa_store::scope::roles;

use super::certificates::Verdict;
use super::labels::{code_label, region_name};
use super::member::Me;
use super::{PageResult, render};
use crate::auth::SignedIn;
use crate::state::AppState;

/// Days ahead in which a certificate counts as expiring soon.
pub const EXPIRING_DAYS: i64 = 90;

/// A certificate row of the workbench.
struct CertRow {
    number: String,
    officer_id: String,
    holder: String,
    valid_to: String,
    verdict: Verdict,
}

/// Certificate counts by verdict.
#[derive(Default)]
struct CertSummary {
    valid: usize,
    suspended: usize,
    cancelled: usize,
    expired: usize,
    total: usize,
}

/// A power row.
struct PowerRow {
    id: String,
    code: String,
    name: String,
    category: String,
}

#[derive(Template)]
#[template(path = "workbench.html")]
struct WorkbenchPage {
    me: Me,
    scope_label: String,
    agency: Option<Subject>,
    agency_field: String,
    region_label: String,
    subjects_in_scope: i64,
    officers_in_scope: i64,
    summary: CertSummary,
    expiring: Vec<CertRow>,
    own_certificates: Vec<CertRow>,
    reviewers: Vec<CertRow>,
    powers: Vec<PowerRow>,
    powers_total: i64,
    changes: Vec<Change>,
    users_total: i64,
    today: String,
    cases: Vec<super::cases::CaseRow>,
    cases_total: i64,
    overdue: Vec<super::cases::CaseRow>,
    /// Supervisors: this year's figures of their region (执法监督统计).
    supervision: Option<zhifa_store::stats_model::Metrics>,
}

fn cert_row(c: &Certificate, today: NaiveDate) -> CertRow {
    CertRow {
        number: c.number.clone(),
        officer_id: c.officer_id.clone(),
        holder: c.officer_name.clone(),
        valid_to: c.valid_to.clone(),
        verdict: Verdict::of(c, today),
    }
}

/// The home page of a signed-in account.
pub async fn page(state: &AppState, me: &SignedIn) -> PageResult {
    let store = &state.store;
    let user: &User = me.user();
    let scope = &me.scope;
    let today = ChinaDate::today().date();
    let agency = match &user.subject_id {
        Some(id) if matches!(scope, Scope::Agency(_)) => Some(store.get_subject(id).await?),
        _ => None,
    };
    let one = PageRequest {
        offset: 0,
        limit: 1,
    };
    let officers_in_scope = store
        .list_officers_in(scope, &OfficerFilter::default(), one)
        .await?
        .total;
    // Every certificate in scope, page by page (a province has thousands).
    let filter = CertificateFilter {
        include_inactive: Some(true),
        ..Default::default()
    };
    let mut all_certs = Vec::new();
    loop {
        let page = store
            .list_certificates_in(
                scope,
                &filter,
                PageRequest {
                    offset: i64::try_from(all_certs.len()).unwrap_or(i64::MAX),
                    limit: 500,
                },
            )
            .await?;
        let done = page.items.is_empty()
            || i64::try_from(all_certs.len() + page.items.len()).unwrap_or(i64::MAX) >= page.total;
        all_certs.extend(page.items);
        if done {
            break;
        }
    }
    let mut summary = CertSummary::default();
    let mut expiring = Vec::new();
    let horizon = today + Duration::days(EXPIRING_DAYS);
    for c in &all_certs {
        let row = cert_row(c, today);
        summary.total += 1;
        match row.verdict {
            Verdict::Valid | Verdict::NotYetValid => summary.valid += 1,
            Verdict::Suspended => summary.suspended += 1,
            Verdict::Cancelled => summary.cancelled += 1,
            Verdict::Expired => summary.expired += 1,
            Verdict::NotFound => {}
        }
        let ends = NaiveDate::parse_from_str(&c.valid_to, "%Y-%m-%d").ok();
        if row.verdict == Verdict::Valid && ends.is_some_and(|d| d <= horizon) {
            expiring.push(row);
        }
    }
    expiring.sort_by(|a, b| a.valid_to.cmp(&b.valid_to));
    let own_certificates = match &user.officer_id {
        Some(oid) => all_certs
            .iter()
            .filter(|c| &c.officer_id == oid)
            .map(|c| cert_row(c, today))
            .collect(),
        None => Vec::new(),
    };
    let reviewers = if user.role == roles::REVIEWER || user.role == roles::HEAD {
        all_certs
            .iter()
            .filter(|c| c.legal_review_qualified && c.active)
            .map(|c| cert_row(c, today))
            .filter(|r| r.verdict == Verdict::Valid)
            .collect()
    } else {
        Vec::new()
    };
    let (powers, powers_total) = match &agency {
        Some(a) => {
            let page = store
                .list_powers(
                    &PowerFilter {
                        field: Some(a.field.clone()),
                        ..Default::default()
                    },
                    PageRequest {
                        offset: 0,
                        limit: 10,
                    },
                )
                .await?;
            let rows = page
                .items
                .iter()
                .map(|p| PowerRow {
                    id: p.id.clone(),
                    code: p.code.clone(),
                    name: p.name.clone(),
                    category: code_label("power_category", &p.category),
                })
                .collect();
            (rows, page.total)
        }
        None => (Vec::new(), 0),
    };
    let (region_label, subjects_in_scope) = match scope {
        Scope::Region(prefix) => {
            let code = user.region_code.clone().unwrap_or_else(|| prefix.clone());
            let n = store
                .list_subjects(
                    &SubjectFilter {
                        region: Some(code.clone()),
                        ..Default::default()
                    },
                    one,
                )
                .await?
                .total;
            (region_name(&code), n)
        }
        _ => (String::new(), 0),
    };
    let (changes, users_total) = if user.role == roles::ADMIN {
        let changes = store
            .list_changes(
                &ChangeFilter::default(),
                PageRequest {
                    offset: 0,
                    limit: 10,
                },
            )
            .await?;
        (changes.items, store.list_users(one).await?.total)
    } else {
        (Vec::new(), 0)
    };
    let agency_field = agency
        .as_ref()
        .map(|a| code_label("enforcement_field", &a.field))
        .unwrap_or_default();
    // Case queues: the officer's own cases, the reviewer's queue, the head's approvals; the
    // head also sees the agency's overdue cases.
    let case_filter = match user.role.as_str() {
        roles::OFFICER => Some(zhifa_store::case_model::CaseFilter {
            officer_id: user.officer_id.clone(),
            agency_id: user.subject_id.clone(),
            ..Default::default()
        }),
        roles::REVIEWER => Some(zhifa_store::case_model::CaseFilter {
            review_queue: Some(true),
            ..Default::default()
        }),
        roles::HEAD => Some(zhifa_store::case_model::CaseFilter {
            head_queue: Some(true),
            ..Default::default()
        }),
        _ => None,
    };
    let (cases, cases_total) = match case_filter {
        Some(f) => super::cases::workbench_rows(state, me, f).await?,
        None => (Vec::new(), 0),
    };
    let overdue = if user.role == roles::HEAD || user.role == roles::SUPERVISOR {
        super::cases::workbench_rows(
            state,
            me,
            zhifa_store::case_model::CaseFilter {
                overdue: Some(true),
                ..Default::default()
            },
        )
        .await?
        .0
    } else {
        Vec::new()
    };
    let supervision = if user.role == roles::SUPERVISOR && matches!(scope, Scope::Region(_)) {
        let q = zhifa_store::stats_model::StatsQuery::year(chrono::Datelike::year(&today), today)?;
        Some(store.stats_totals_in(scope, &q).await?.1)
    } else {
        None
    };
    Ok(render(&WorkbenchPage {
        supervision,
        cases,
        cases_total,
        overdue,
        me: Me::of(me),
        scope_label: scope.describe(),
        agency,
        agency_field,
        region_label,
        subjects_in_scope,
        officers_in_scope,
        summary,
        expiring,
        own_certificates,
        reviewers,
        powers,
        powers_total,
        changes,
        users_total,
        today: today.format("%Y-%m-%d").to_string(),
    }))
}
