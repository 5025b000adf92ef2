//! Case pages (执法办案, F3/F5) in the member shell: the case list with filters and deadline
//! traffic lights, the reviewer's queue (法制审核) and the head's approvals, 案源登记, the
//! mobile on-site page of the simple procedure (当场处罚), the case page (header, statutory
//! clocks, timeline with ledger leaves and a 验证 action, documents, and the command panel
//! showing exactly the commands the rules offer — allowed ones as forms, the others greyed with
//! the refusal's message, article and remedy), the documents, and the administrator's page of
//! case rules. A refused command re-renders the page with the refusal.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::{Duration, NaiveDate};
use serde::Deserialize;
use serde_json::{Value, json};
use zhifa_domain::case::{CaseEvent, CaseRules, Command, Refusal};
use zhifa_domain::money::Fen;
use zhifa_store::case_model::{CaseFilter, CaseSummary};
use zhifa_store::model::{PageRequest, PowerFilter};
use zhifa_store::scope::roles;
use zhifa_store::{Scope, StoreError};

use super::case_forms::{self, FieldView, OUTCOMES, Pairs, Submitted, first};
use super::labels::{code_label, code_options, yuan};
use super::member::{FormFields, Me};
use super::{PAGE_SIZE, PageError, PageQuery, PageResult, Pager, non_empty, offset_param, render};
use crate::auth::{SignedIn, check_csrf};
use crate::cases::{self, Facts};
use crate::documents::DocumentRef;
use crate::error::ApiError;
use crate::state::AppState;

const LEDGER_JS: &str = include_str!("../../static/ledger-verify.js");

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/static/ledger-verify.js", get(ledger_js))
        .route("/cases", get(list))
        .route("/cases/review", get(review_queue))
        .route("/cases/approvals", get(head_queue))
        .route("/cases/new", get(new_form).post(create))
        .route("/cases/on-site", get(on_site_form).post(on_site))
        .route("/cases/{id}", get(detail))
        .route("/cases/{id}/commands", post(command))
        .route("/cases/{id}/documents/{kind}", get(document))
        .route("/admin/case-rules", get(rules_form).post(save_rules))
}

async fn ledger_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        LEDGER_JS,
    )
}

fn page_error(status: StatusCode, code: &'static str, message: &str) -> PageError {
    PageError(ApiError::new(status, code, message.to_string()))
}

/// A deadline traffic light: red overdue, amber due soon, green running, none.
fn light(next_due: Option<&str>, today: NaiveDate, soon_days: u32) -> (&'static str, &'static str) {
    match next_due.and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()) {
        Some(d) if d < today => ("bad", "已超期"),
        Some(d) if d <= today + Duration::days(i64::from(soon_days)) => ("warn", "即将到期"),
        Some(_) => ("ok", "正常"),
        None => ("none", "无待办期限"),
    }
}

/// A row of a case list.
pub struct CaseRow {
    /// Case id.
    pub id: String,
    /// Case number (or 未立案).
    pub number: String,
    /// 案由.
    pub cause: String,
    /// Party name.
    pub party: String,
    /// Stage name.
    pub stage: String,
    /// Procedure name.
    pub procedure: String,
    /// Fine in 元, if any.
    pub fine: String,
    /// Nearest unmet deadline.
    pub next_due: String,
    /// Its label.
    pub next_due_label: String,
    /// CSS class of the traffic light (`bad`, `warn`, `ok`, `none`).
    pub light: &'static str,
    /// Its Chinese label.
    pub light_label: &'static str,
    /// Legal review pending.
    pub review_pending: bool,
}

fn rows(items: &[CaseSummary], today: NaiveDate, soon: u32) -> Vec<CaseRow> {
    items
        .iter()
        .map(|c| {
            let (light, light_label) = light(c.next_due.as_deref(), today, soon);
            CaseRow {
                id: c.id.clone(),
                number: c.number.clone().unwrap_or_else(|| "（未立案）".into()),
                cause: c.cause.clone(),
                party: c.party_name.clone(),
                stage: c.stage_name.clone(),
                procedure: code_label("procedure", &c.procedure),
                fine: if c.fine_fen > 0 {
                    yuan(c.fine_fen)
                } else {
                    String::new()
                },
                next_due: c.next_due.clone().unwrap_or_default(),
                next_due_label: c.next_due_label.clone().unwrap_or_default(),
                light,
                light_label,
                review_pending: c.review_pending,
            }
        })
        .collect()
}

/// The cases of an account for a workbench (at most 20, the rest behind a link), with their
/// traffic lights.
pub async fn workbench_rows(
    state: &AppState,
    me: &SignedIn,
    filter: CaseFilter,
) -> Result<(Vec<CaseRow>, i64), StoreError> {
    let today = cases::today();
    let soon = state.store.case_rules().await?.due_soon_days;
    let page = state
        .store
        .list_cases_in(
            &me.scope,
            &filter,
            today,
            PageRequest {
                offset: 0,
                limit: PAGE_SIZE,
            },
        )
        .await?;
    Ok((rows(&page.items, today, soon), page.total))
}

#[derive(Debug, Deserialize, Default)]
struct ListQuery {
    q: Option<String>,
    stage: Option<String>,
    procedure: Option<String>,
    due: Option<String>,
    mine: Option<String>,
    /// One agency (the supervision dashboard links here); still within the caller's scope.
    agency_id: Option<String>,
    offset: Option<String>,
}

#[derive(Template)]
#[template(path = "cases.html")]
struct ListPage {
    me: Me,
    title: &'static str,
    path: &'static str,
    intro: &'static str,
    q: String,
    stage: String,
    procedure: String,
    due: String,
    mine: bool,
    agency_id: String,
    stages: Vec<(String, String)>,
    rows: Vec<CaseRow>,
    pager: Pager,
    filters: bool,
    can_create: bool,
}

fn can_handle(me: &SignedIn) -> bool {
    me.is(&[roles::OFFICER, roles::HEAD]) && me.user().subject_id.is_some()
}

async fn list_page(
    state: &AppState,
    me: &SignedIn,
    q: ListQuery,
    kind: &'static str,
) -> PageResult {
    let offset = offset_param(q.offset.as_deref());
    let text = non_empty(&q.q).unwrap_or_default();
    let stage = non_empty(&q.stage).unwrap_or_default();
    let procedure = non_empty(&q.procedure).unwrap_or_default();
    let due = non_empty(&q.due).unwrap_or_default();
    let mine = q.mine.as_deref() == Some("1");
    let agency_id = non_empty(&q.agency_id).unwrap_or_default();
    let mut filter = CaseFilter {
        agency_id: Some(agency_id.clone()).filter(|v| !v.is_empty()),
        q: Some(text.clone()).filter(|v| !v.is_empty()),
        stage: Some(stage.clone()).filter(|v| !v.is_empty()),
        procedure: Some(procedure.clone()).filter(|v| !v.is_empty()),
        overdue: (due == "overdue").then_some(true),
        due_soon: (due == "soon").then_some(true),
        officer_id: if mine {
            me.user().officer_id.clone()
        } else {
            None
        },
        ..Default::default()
    };
    let (title, path, intro) = match kind {
        "review" => {
            filter.review_queue = Some(true);
            (
                "待法制审核案件",
                "/cases/review",
                "已提请法制审核、尚未出具审核意见的案件（《行政处罚法》第五十八条：未经法制审核或者审核未通过的，不得作出决定）。",
            )
        }
        "head" => {
            filter.head_queue = Some(true);
            (
                "待负责人审批案件",
                "/cases/approvals",
                "等待机关负责人立案、作出决定或结案审批的案件（《行政处罚法》第五十四条、第五十七条）。",
            )
        }
        _ => ("案件", "/cases", ""),
    };
    let today = cases::today();
    let soon = state.store.case_rules().await?.due_soon_days;
    let (page, _) = super::filtered(
        state
            .store
            .list_cases_in(
                &me.scope,
                &filter,
                today,
                PageRequest {
                    offset,
                    limit: PAGE_SIZE,
                },
            )
            .await,
        offset,
    )?;
    let rows = rows(&page.items, today, soon);
    let mine_s = if mine { "1" } else { "" };
    let pager = Pager::new(
        path,
        &[
            ("q", &text),
            ("stage", &stage),
            ("procedure", &procedure),
            ("due", &due),
            ("mine", mine_s),
            ("agency_id", &agency_id),
        ],
        offset,
        rows.len(),
        page.total,
    );
    Ok(render(&ListPage {
        me: Me::of(me),
        title,
        path,
        intro,
        q: text,
        stage,
        procedure,
        due,
        mine,
        agency_id,
        stages: code_options("case_stage"),
        rows,
        pager,
        filters: kind == "all",
        can_create: can_handle(me),
    }))
}

/// `GET /cases`: cases in scope with filters.
async fn list(
    State(state): State<AppState>,
    me: SignedIn,
    PageQuery(q): PageQuery<ListQuery>,
) -> PageResult {
    list_page(&state, &me, q, "all").await
}

/// `GET /cases/review`: the legal reviewer's queue.
async fn review_queue(
    State(state): State<AppState>,
    me: SignedIn,
    PageQuery(q): PageQuery<ListQuery>,
) -> PageResult {
    list_page(&state, &me, q, "review").await
}

/// `GET /cases/approvals`: the head's queue.
async fn head_queue(
    State(state): State<AppState>,
    me: SignedIn,
    PageQuery(q): PageQuery<ListQuery>,
) -> PageResult {
    list_page(&state, &me, q, "head").await
}

// ---------------------------------------------------------------- starting a case

#[derive(Template)]
#[template(path = "case_new.html")]
struct NewPage {
    me: Me,
    on_site: bool,
    key: String,
    today: String,
    agency: String,
    /// What the officer submitted, shown again after a refusal or an error.
    form: Submitted,
    refusal: Option<Refusal>,
    errors: Vec<String>,
    sources: Vec<(String, String)>,
    party_types: Vec<(String, String)>,
    powers: Vec<(String, String)>,
    officers: Vec<(String, String)>,
    penalty_types: Vec<(String, String)>,
}

/// The kind of the case-starting form (案源登记, 当场处罚) in [`Submitted`].
const START_FORM: &str = "start";

impl NewPage {
    fn v(&self, name: &str) -> &str {
        self.form.value(START_FORM, name)
    }
}

fn agency_of(me: &SignedIn) -> Result<String, PageError> {
    match (&me.scope, me.user().subject_id.as_deref()) {
        (Scope::Agency(_), Some(id)) if can_handle(me) => Ok(id.to_string()),
        _ => Err(page_error(
            StatusCode::FORBIDDEN,
            "auth.role",
            "只有执法机关的执法人员和负责人可以登记案件",
        )),
    }
}

async fn new_page(
    state: &AppState,
    me: &SignedIn,
    on_site: bool,
    form: Submitted,
    refusal: Option<Refusal>,
    errors: Vec<String>,
) -> PageResult {
    let agency_id = agency_of(me)?;
    let facts = Facts::load(state, &agency_id, None).await?;
    let today = cases::today();
    let field = facts
        .agency
        .as_ref()
        .map(|a| a.field.clone())
        .unwrap_or_default();
    let powers = if on_site {
        Vec::new()
    } else {
        state
            .store
            .list_powers(
                &PowerFilter {
                    field: Some(field),
                    ..Default::default()
                },
                PageRequest {
                    offset: 0,
                    limit: 200,
                },
            )
            .await?
            .items
            .into_iter()
            .map(|p| (p.id, format!("{} {}", p.code, p.name)))
            .collect()
    };
    let status = if refusal.is_some() {
        StatusCode::CONFLICT
    } else if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = NewPage {
        me: Me::of(me),
        on_site,
        key: cases::new_key(),
        today: today.to_string(),
        agency: facts
            .agency
            .as_ref()
            .map(|a| a.name.clone())
            .unwrap_or_default(),
        form,
        refusal,
        errors,
        sources: code_options("case_source"),
        party_types: code_options("party_type"),
        powers,
        officers: case_forms::officer_options(&facts.officers, today),
        penalty_types: code_options("penalty_type"),
    };
    Ok((status, render(&page)).into_response())
}

/// `GET /cases/new`: 案源登记.
async fn new_form(State(state): State<AppState>, me: SignedIn) -> PageResult {
    new_page(&state, &me, false, Submitted::default(), None, Vec::new()).await
}

/// `GET /cases/on-site`: 当场处罚 (simple procedure), laid out for phones.
async fn on_site_form(State(state): State<AppState>, me: SignedIn) -> PageResult {
    new_page(&state, &me, true, Submitted::default(), None, Vec::new()).await
}

fn start_command(form: &Pairs, agency_id: &str, on_site: bool) -> Result<Command, Vec<String>> {
    let mut errors = Vec::new();
    let on = first(form, "on");
    let value = if on_site {
        json!({
            "command": "impose_on_spot",
            "on": on,
            "agency_id": agency_id,
            "party": case_forms::party_json(form),
            "place": first(form, "place"),
            "penalty": case_forms::penalty_json(form, &mut errors),
            "officers": case_forms::all(form, "officers"),
            "party_signed": !first(form, "party_signed").is_empty(),
            "collected_on_spot": !first(form, "collected_on_spot").is_empty(),
        })
    } else {
        let opt = |n: &str| {
            let v = first(form, n);
            if v.is_empty() {
                Value::Null
            } else {
                Value::String(v)
            }
        };
        json!({
            "command": "register_lead",
            "on": on,
            "agency_id": agency_id,
            "source": first(form, "source"),
            "cause": first(form, "cause"),
            "party": case_forms::party_json(form),
            "act_date": first(form, "act_date"),
            "act_ended": opt("act_ended"),
            "serious_harm": !first(form, "serious_harm").is_empty(),
            "power_id": opt("power_id"),
            "summary": first(form, "summary"),
        })
    };
    for (name, label) in [("on", "登记日期"), ("act_date", "违法行为发生日期")] {
        if (name == "on" || !on_site)
            && NaiveDate::parse_from_str(&first(form, name), "%Y-%m-%d").is_err()
        {
            errors.push(format!("请填写{label}"));
        }
    }
    if first(form, "party_name").is_empty() {
        errors.push("请填写当事人姓名或名称".into());
    }
    if !on_site && first(form, "cause").is_empty() {
        errors.push("请填写案由".into());
    }
    if on_site && first(form, "place").is_empty() {
        errors.push("请填写处罚地点".into());
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    case_forms::to_command(value)
}

async fn start(
    state: &AppState,
    me: &SignedIn,
    form: Vec<(String, String)>,
    on_site: bool,
) -> PageResult {
    let agency_id = agency_of(me)?;
    check_csrf(&me.session.csrf, Some(first(&form, "_csrf").as_str())).map_err(PageError)?;
    let submitted = Submitted::new(START_FORM, &form);
    let cmd = match start_command(&form, &agency_id, on_site) {
        Ok(c) => c,
        Err(errors) => {
            return new_page(state, me, on_site, submitted, None, errors).await;
        }
    };
    let key = Some(first(&form, "idempotency_key"))
        .filter(|k| !k.is_empty())
        .unwrap_or_else(cases::new_key);
    let place = Some(first(&form, "place"));
    let env = cases::envelope(&me.actor.user, Some(me.user()), place, key);
    match cases::execute(state, &me.scope, None, &env, &cmd).await {
        Ok(o) => Ok(Redirect::to(&format!("/cases/{}", o.case_id)).into_response()),
        Err(StoreError::Refused(r)) => {
            new_page(state, me, on_site, submitted, Some(r), Vec::new()).await
        }
        Err(StoreError::Invalid(fields)) => {
            let errors = fields.iter().map(|f| f.message.clone()).collect();
            new_page(state, me, on_site, submitted, None, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /cases/new`.
async fn create(
    State(state): State<AppState>,
    me: SignedIn,
    Form(form): Form<Vec<(String, String)>>,
) -> PageResult {
    start(&state, &me, form, false).await
}

/// `POST /cases/on-site`.
async fn on_site(
    State(state): State<AppState>,
    me: SignedIn,
    Form(form): Form<Vec<(String, String)>>,
) -> PageResult {
    start(&state, &me, form, true).await
}

// ---------------------------------------------------------------- the case page

struct ClockRow {
    label: String,
    due: String,
    article: String,
    status: &'static str,
    css: &'static str,
    provisional: bool,
}

struct EventRow {
    version: i64,
    label: String,
    on: String,
    actor: String,
    role: &'static str,
    leaf_index: Option<i64>,
    detail: String,
}

struct CommandView {
    kind: &'static str,
    label: &'static str,
    refusal: Option<Refusal>,
    fields: Vec<FieldView>,
}

/// The result of checking one event's ledger leaf on the server (no JavaScript needed).
struct Verification {
    leaf_index: i64,
    ok: bool,
    message: String,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    me: Me,
    id: String,
    number: String,
    stage: String,
    procedure: String,
    party: String,
    party_type: String,
    agency: String,
    cause: String,
    fine: String,
    outstanding: String,
    clocks: Vec<ClockRow>,
    events: Vec<EventRow>,
    commands: Vec<CommandView>,
    documents: Vec<DocumentRef>,
    refusal: Option<(String, Refusal)>,
    errors: Vec<String>,
    /// The command form submitted, shown again (filled in) after a refusal or an error.
    form: Submitted,
    key: String,
    today: String,
    penalty_types: Vec<(String, String)>,
    no_penalty_reasons: Vec<(String, String)>,
    outcomes: Vec<(String, String)>,
    benchmarks: Vec<String>,
    verification: Option<Verification>,
    /// Supervision alerts on this case (监督线索): (id, rule name, status, message).
    alerts: Vec<(String, String, &'static str, String)>,
}

fn event_date(e: &CaseEvent) -> String {
    serde_json::to_value(e)
        .ok()
        .and_then(|v| {
            v.get("on")
                .or_else(|| v.get("as_of"))
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .unwrap_or_default()
}

fn event_detail(e: &CaseEvent) -> String {
    use CaseEvent as E;
    match e {
        E::LeadRegistered { cause, party, .. } => format!("{cause}；当事人 {}", party.name),
        E::LeadRejected { reason, .. } => reason.clone(),
        E::CaseFiled {
            number,
            limitation_until,
            ..
        } => {
            format!("案件编号 {number}；追责时效至 {limitation_until}")
        }
        E::OfficersAssigned { officers, .. } => officers
            .iter()
            .map(|o| format!("{}（{}）", o.name, o.certificate))
            .collect::<Vec<_>>()
            .join("、"),
        E::RecordMade { kind, place, .. } => format!(
            "{}；{place}",
            if kind == "inquiry" {
                "询问笔录"
            } else {
                "现场检查笔录"
            }
        ),
        E::EvidenceAdded {
            evidence_type,
            description,
            ..
        } => {
            format!(
                "{}：{description}",
                code_label("evidence_type", evidence_type)
            )
        }
        E::InvestigationConcluded {
            outcome,
            discretion,
            ..
        } => {
            let mut s = code_label("investigation_outcome", outcome.code());
            if let zhifa_domain::case::Outcome::Penalty { penalty } = outcome {
                s.push('：');
                s.push_str(&penalty.summary());
            }
            if discretion.as_ref().is_some_and(|d| d.deviates) {
                s.push_str("（超出裁量基准）");
            }
            s
        }
        E::PenaltyRevised { penalty, .. } => penalty.summary(),
        E::NoticeServed {
            penalty,
            hearing_right,
            ..
        } => format!(
            "{}{}",
            penalty.summary(),
            if *hearing_right {
                "；告知听证权利"
            } else {
                ""
            }
        ),
        E::ReviewRequested { triggers, .. } => triggers
            .iter()
            .map(|t| t.zh())
            .collect::<Vec<_>>()
            .join("；"),
        E::ReviewOpinionGiven {
            reviewer, opinion, ..
        } => {
            format!("{}：{}", reviewer.name, opinion.zh())
        }
        E::DecisionMade {
            number, penalty, ..
        } => format!(
            "{number}；{}",
            penalty
                .as_ref()
                .map_or_else(|| "不予行政处罚".to_string(), |p| p.summary())
        ),
        E::OnSpotDecided {
            number, penalty, ..
        } => format!("{number}；{}", penalty.summary()),
        E::DecisionServed { method, .. } => code_label("service_method", method),
        E::PaymentReceived { amount_fen, .. } => yuan(*amount_fen),
        E::SurchargeAccrued {
            amount_fen, days, ..
        } => {
            format!("{days} 日，{}", yuan(*amount_fen))
        }
        _ => String::new(),
    }
}

async fn verify_leaf(state: &AppState, leaf: i64) -> Result<Verification, StoreError> {
    let index = u64::try_from(leaf).unwrap_or(0);
    let Some(cp) = state.store.checkpoint_covering(index).await? else {
        return Ok(Verification {
            leaf_index: leaf,
            ok: false,
            message: "尚无覆盖该记录的已签名检查点，请稍后再验证".into(),
        });
    };
    let tree_size = u64::try_from(cp.tree_size).unwrap_or(0);
    let proof = state.store.ledger_inclusion_proof(index, tree_size).await?;
    let ok = proof.verify().is_ok() && proof.root.to_hex() == cp.root;
    Ok(Verification {
        leaf_index: leaf,
        ok,
        message: if ok {
            format!(
                "已验证：该记录（叶子 {leaf}）包含在已签名检查点（树大小 {}，根 {}…）中，未被篡改",
                cp.tree_size,
                cp.root.get(..16).unwrap_or(&cp.root)
            )
        } else {
            "验证失败：包含证明与已签名检查点不符".to_string()
        },
    })
}

#[derive(Debug, Deserialize, Default)]
struct DetailQuery {
    verify: Option<String>,
}

async fn case_page(
    state: &AppState,
    me: &SignedIn,
    id: &str,
    refusal: Option<(String, Refusal)>,
    errors: Vec<String>,
    form: Submitted,
    verify: Option<i64>,
) -> PageResult {
    let role = me.user().role.clone();
    let (view, facts) = cases::view(state, &me.scope, id, &role).await?;
    let today = cases::today();
    let officers = case_forms::officer_options(&facts.officers, today);
    let verification = match verify {
        Some(leaf)
            if view
                .detail
                .events
                .iter()
                .any(|e| e.leaf_index == Some(leaf)) =>
        {
            Some(verify_leaf(state, leaf).await?)
        }
        Some(_) => {
            return Err(page_error(
                StatusCode::NOT_FOUND,
                "not_found",
                "本案没有该账本记录",
            ));
        }
        None => None,
    };
    let s = &view.detail.state;
    let sum = &view.detail.summary;
    let clocks = view
        .deadlines
        .iter()
        .map(|c| {
            use zhifa_domain::case::ClockStatus as C;
            ClockRow {
                label: c.label.clone(),
                due: c.due.to_string(),
                article: c.article.clone(),
                status: c.status.zh(),
                css: match c.status {
                    C::Overdue => "bad",
                    C::DueSoon => "warn",
                    C::Running => "ok",
                    C::Met | C::Paused => "none",
                },
                provisional: c.provisional,
            }
        })
        .collect();
    let events = view
        .detail
        .events
        .iter()
        .map(|e| EventRow {
            version: e.version,
            label: e.label.clone(),
            on: event_date(&e.event),
            actor: e.actor.clone(),
            role: roles::label(&e.role),
            leaf_index: e.leaf_index,
            detail: event_detail(&e.event),
        })
        .collect();
    let commands = view
        .available
        .iter()
        .map(|a| CommandView {
            kind: a.kind,
            label: a.label,
            refusal: a.refusal.clone(),
            fields: case_forms::views(a.kind, &officers, &facts.benchmarks),
        })
        .collect();
    let refusal = refusal.map(|(kind, r)| {
        let label = view
            .available
            .iter()
            .find(|a| a.kind == kind)
            .map_or(kind, |a| a.label.to_string());
        (label, r)
    });
    let status = match (&refusal, errors.is_empty()) {
        (Some(_), _) => StatusCode::CONFLICT,
        (None, false) => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::OK,
    };
    let alerts = state
        .store
        .list_alerts_in(
            &me.scope,
            &zhifa_store::supervision_model::AlertFilter {
                case_id: Some(id.to_string()),
                ..Default::default()
            },
            zhifa_store::model::PageRequest {
                offset: 0,
                limit: 50,
            },
        )
        .await?
        .items
        .into_iter()
        .map(|a| {
            (
                a.id,
                a.rule_name,
                zhifa_store::supervision_model::alert_status_zh(&a.status),
                a.message,
            )
        })
        .collect();
    let page = CasePage {
        alerts,
        me: Me::of(me),
        id: id.to_string(),
        number: sum.number.clone().unwrap_or_else(|| "（未立案）".into()),
        stage: sum.stage_name.clone(),
        procedure: code_label("procedure", &sum.procedure),
        party: s.party.name.clone(),
        party_type: code_label("party_type", &s.party.party_type),
        agency: sum.agency_name.clone(),
        cause: sum.cause.clone(),
        fine: if sum.fine_fen > 0 {
            yuan(sum.fine_fen)
        } else {
            String::new()
        },
        outstanding: if s.outstanding() > 0 {
            yuan(s.outstanding())
        } else {
            String::new()
        },
        clocks,
        events,
        commands,
        documents: view.documents.clone(),
        refusal,
        errors,
        form,
        key: cases::new_key(),
        today: today.to_string(),
        penalty_types: code_options("penalty_type"),
        no_penalty_reasons: code_options("no_penalty_reason"),
        outcomes: OUTCOMES
            .iter()
            .map(|(v, l)| (v.to_string(), l.to_string()))
            .collect(),
        benchmarks: case_forms::benchmark_lines(&facts.benchmarks),
        verification,
    };
    let mut response = (status, render(&page)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// `GET /cases/{id}` (`?verify=LEAF` checks that event's ledger leaf on the server).
async fn detail(
    State(state): State<AppState>,
    me: SignedIn,
    axum::extract::Path(id): axum::extract::Path<String>,
    PageQuery(q): PageQuery<DetailQuery>,
) -> PageResult {
    let verify = q
        .verify
        .as_deref()
        .and_then(|v| v.trim().parse::<i64>().ok());
    case_page(
        &state,
        &me,
        &id,
        None,
        Vec::new(),
        Submitted::default(),
        verify,
    )
    .await
}

/// `POST /cases/{id}/commands`: one command from the command panel.
async fn command(
    State(state): State<AppState>,
    me: SignedIn,
    axum::extract::Path(id): axum::extract::Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> PageResult {
    check_csrf(&me.session.csrf, Some(first(&form, "_csrf").as_str())).map_err(PageError)?;
    let kind = first(&form, "command");
    let cmd = match case_forms::parse(&kind, &form) {
        Ok(c) if !c.starts_case() => c,
        Ok(_) => {
            return Err(page_error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "case.command.starting",
                "该指令用于新建案件",
            ));
        }
        Err(errors) => {
            let submitted = Submitted::new(&kind, &form);
            return case_page(&state, &me, &id, None, errors, submitted, None).await;
        }
    };
    let key = Some(first(&form, "idempotency_key"))
        .filter(|k| !k.is_empty())
        .unwrap_or_else(cases::new_key);
    let env = cases::envelope(
        &me.actor.user,
        Some(me.user()),
        Some(first(&form, "place")),
        key,
    );
    let submitted = Submitted::new(&kind, &form);
    match cases::execute(&state, &me.scope, Some(&id), &env, &cmd).await {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}")).into_response()),
        Err(StoreError::Refused(r)) => {
            case_page(
                &state,
                &me,
                &id,
                Some((kind, r)),
                Vec::new(),
                submitted,
                None,
            )
            .await
        }
        Err(StoreError::Invalid(fields)) => {
            let errors = fields.iter().map(|f| f.message.clone()).collect();
            case_page(&state, &me, &id, None, errors, submitted, None).await
        }
        Err(StoreError::IdempotencyConflict(_)) => {
            let errors = vec!["表单已提交过，请核对后重新提交".to_string()];
            case_page(&state, &me, &id, None, errors, submitted, None).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /cases/{id}/documents/{kind}`: a printable document.
async fn document(
    State(state): State<AppState>,
    me: SignedIn,
    axum::extract::Path((id, kind)): axum::extract::Path<(String, String)>,
) -> PageResult {
    let html = crate::api::cases::document_html(&state, &me.scope, &id, &kind).await?;
    Ok(axum::response::Html(html).into_response())
}

// ---------------------------------------------------------------- case rules (admin)

/// One threshold of the case rules as the form shows it.
struct RuleRow {
    name: &'static str,
    label: &'static str,
    unit: &'static str,
    basis: &'static str,
    value: String,
    default: String,
    is_default: bool,
}

/// Every field of [`CaseRules`]: name, label, unit (`元` amounts are fen in storage), basis.
const RULE_FIELDS: &[(&str, &str, &str, &str)] = &[
    (
        "simple_max_fine_citizen",
        "当场处罚罚款上限（公民）",
        "元",
        "《行政处罚法》第五十一条",
    ),
    (
        "simple_max_fine_org",
        "当场处罚罚款上限（法人、其他组织）",
        "元",
        "《行政处罚法》第五十一条",
    ),
    (
        "on_spot_collection_max",
        "当场收缴罚款上限",
        "元",
        "《行政处罚法》第六十八条",
    ),
    (
        "min_officers",
        "执法人员最少人数",
        "人",
        "《行政处罚法》第四十二条",
    ),
    (
        "filing_working_days",
        "立案期限",
        "工作日",
        "《行政处罚法》第五十四条；部门规章",
    ),
    (
        "limitation_years",
        "追责时效",
        "年",
        "《行政处罚法》第三十六条",
    ),
    (
        "limitation_years_serious",
        "追责时效（涉及生命健康、金融安全）",
        "年",
        "《行政处罚法》第三十六条",
    ),
    (
        "preservation_working_days",
        "先行登记保存处理期限",
        "工作日",
        "《行政处罚法》第五十六条",
    ),
    (
        "seizure_days",
        "查封扣押期限",
        "日",
        "《行政强制法》第二十五条",
    ),
    (
        "seizure_extension_days",
        "查封扣押延长期限",
        "日",
        "《行政强制法》第二十五条",
    ),
    (
        "statement_working_days",
        "陈述申辩期限",
        "工作日",
        "《行政处罚法》第四十五条；部门规章",
    ),
    (
        "hearing_request_working_days",
        "听证申请期限",
        "工作日",
        "《行政处罚法》第六十四条",
    ),
    (
        "hearing_notice_working_days",
        "听证通知提前期",
        "工作日",
        "《行政处罚法》第六十四条",
    ),
    (
        "hearing_fine_citizen",
        "听证“较大数额”罚款（公民）",
        "元",
        "《行政处罚法》第六十三条；地方规定",
    ),
    (
        "hearing_fine_org",
        "听证“较大数额”罚款（法人、其他组织）",
        "元",
        "《行政处罚法》第六十三条；地方规定",
    ),
    (
        "hearing_confiscation_citizen",
        "听证“较大价值”没收（公民）",
        "元",
        "《行政处罚法》第六十三条",
    ),
    (
        "hearing_confiscation_org",
        "听证“较大价值”没收（法人、其他组织）",
        "元",
        "《行政处罚法》第六十三条",
    ),
    (
        "review_fine_citizen",
        "法制审核罚款数额标准（公民）",
        "元",
        "《行政处罚法》第五十八条；地方规定",
    ),
    (
        "review_fine_org",
        "法制审核罚款数额标准（法人、其他组织）",
        "元",
        "《行政处罚法》第五十八条；地方规定",
    ),
    (
        "decision_days",
        "办案期限（自立案）",
        "日",
        "《行政处罚法》第六十条",
    ),
    (
        "decision_extension_max_days",
        "办案期限最长延长",
        "日",
        "《行政处罚法》第六十条；部门规章",
    ),
    (
        "service_working_days",
        "决定书送达期限",
        "工作日",
        "《行政处罚法》第六十一条",
    ),
    (
        "payment_days",
        "缴纳罚款期限",
        "日",
        "《行政处罚法》第六十七条",
    ),
    (
        "surcharge_per_mille",
        "每日加处罚款比例",
        "‰",
        "《行政处罚法》第七十二条",
    ),
    (
        "publication_working_days",
        "处罚决定公示期限",
        "工作日",
        "国办发〔2018〕118号",
    ),
    (
        "withdrawal_working_days",
        "撤回公示期限",
        "工作日",
        "《行政处罚法》第四十八条",
    ),
    (
        "appeal_months",
        "起诉期限",
        "月",
        "《行政诉讼法》第四十六条",
    ),
    (
        "court_application_months",
        "申请法院强制执行期限",
        "月",
        "《行政强制法》第五十三条",
    ),
    (
        "demand_working_days",
        "催告后申请执行最短间隔",
        "工作日",
        "《行政强制法》第五十四条",
    ),
    (
        "due_soon_days",
        "“即将到期”提示天数",
        "日",
        "本系统提示设置",
    ),
];

#[derive(Template)]
#[template(path = "case_rules.html")]
struct RulesPage {
    me: Me,
    rows: Vec<RuleRow>,
    errors: Vec<String>,
    saved: bool,
}

fn display(value: &Value, unit: &str) -> String {
    match (value.as_i64(), unit) {
        (Some(fen), "元") => Fen::new(fen)
            .map(|f| f.to_yuan_string())
            .unwrap_or_else(|_| fen.to_string()),
        (Some(n), _) => n.to_string(),
        _ => value.to_string(),
    }
}

fn rule_rows(rules: &CaseRules, entered: Option<&FormFields>) -> Vec<RuleRow> {
    let current = serde_json::to_value(rules).unwrap_or_default();
    let defaults = serde_json::to_value(CaseRules::default()).unwrap_or_default();
    RULE_FIELDS
        .iter()
        .map(|&(name, label, unit, basis)| {
            let value = display(&current[name], unit);
            let default = display(&defaults[name], unit);
            RuleRow {
                name,
                label,
                unit,
                basis,
                is_default: current[name] == defaults[name],
                value: entered.and_then(|e| e.get(name).cloned()).unwrap_or(value),
                default,
            }
        })
        .collect()
}

fn admin_only(me: &SignedIn) -> Result<(), PageError> {
    if me.is(&[roles::ADMIN]) {
        Ok(())
    } else {
        Err(page_error(
            StatusCode::FORBIDDEN,
            "auth.role",
            "只有系统管理员可以修改办案规则参数",
        ))
    }
}

#[derive(Debug, Deserialize, Default)]
struct RulesQuery {
    saved: Option<String>,
}

/// `GET /admin/case-rules`.
async fn rules_form(
    State(state): State<AppState>,
    me: SignedIn,
    PageQuery(q): PageQuery<RulesQuery>,
) -> PageResult {
    admin_only(&me)?;
    let rules = state.store.case_rules().await?;
    Ok(render(&RulesPage {
        me: Me::of(&me),
        rows: rule_rows(&rules, None),
        errors: Vec::new(),
        saved: q.saved.is_some(),
    }))
}

/// `POST /admin/case-rules`.
async fn save_rules(
    State(state): State<AppState>,
    me: SignedIn,
    Form(form): Form<FormFields>,
) -> PageResult {
    admin_only(&me)?;
    super::member::require_csrf(&me, &form)?;
    let mut obj = serde_json::Map::new();
    let mut errors = Vec::new();
    for &(name, label, unit, _) in RULE_FIELDS {
        let raw = super::member::field(&form, name);
        let parsed = if unit == "元" {
            Fen::parse_yuan(&raw)
                .map(|f| json!(f.value()))
                .map_err(|e| e.message)
        } else {
            raw.parse::<u32>()
                .map(|n| json!(n))
                .map_err(|_| "须为非负整数".to_string())
        };
        match parsed {
            Ok(v) => {
                obj.insert(name.to_string(), v);
            }
            Err(m) => errors.push(format!("{label}：{m}")),
        }
    }
    let rules: Option<CaseRules> = if errors.is_empty() {
        match serde_json::from_value::<CaseRules>(Value::Object(obj)) {
            Ok(r) => Some(r),
            Err(e) => {
                errors.push(format!("参数格式不正确：{e}"));
                None
            }
        }
    } else {
        None
    };
    if let Some(rules) = rules {
        if let Err((field, message)) = rules.check() {
            let label = RULE_FIELDS
                .iter()
                .find(|f| f.0 == field)
                .map_or(field, |f| f.1);
            errors.push(format!("{label}：{message}"));
        } else {
            match state.store.set_case_rules(&me.actor, &rules).await {
                Ok(_) => return Ok(Redirect::to("/admin/case-rules?saved=1").into_response()),
                Err(StoreError::Invalid(fields)) => {
                    errors.extend(fields.iter().map(|f| format!("{}：{}", f.field, f.message)));
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
    let current = state.store.case_rules().await?;
    let page = RulesPage {
        me: Me::of(&me),
        rows: rule_rows(&current, Some(&form)),
        errors,
        saved: false,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
}
