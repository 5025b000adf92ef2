//! Scenario tests of the case rules, one per article (each table has allowed and refused
//! rows, asserting the refusal's stable code and the article it cites), and property tests
//! over random command sequences built from what [`available`] offers.

use chrono::NaiveDate;
use proptest::prelude::*;

use super::command::COMMANDS;
use super::*;
use crate::calendar::LegalCalendar;
use crate::ids::{citizen_id_with_check, uscc_with_check};

// ---------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

const AGENCY: &str = "A1";
const FIELD: &str = "01";
const NUMBER: &str = "测市监处罚〔2026〕1号";
/// "Today" of the scenario tests: every act date of 2026 lies before it.
const TODAY: &str = "2026-12-31";

fn cert(number: &str, status: &str, from: &str, to: &str, fields: &[&str]) -> CertFacts {
    CertFacts {
        number: number.to_string(),
        status: status.to_string(),
        valid_from: d(from),
        valid_to: d(to),
        fields: fields.iter().map(|f| f.to_string()).collect(),
        legal_review_qualified: false,
    }
}

fn officer(id: &str, subject: &str, certs: Vec<CertFacts>) -> OfficerFacts {
    OfficerFacts {
        officer_id: id.to_string(),
        name: format!("执法员{id}"),
        subject_id: subject.to_string(),
        active: true,
        certificates: certs,
    }
}

/// The officers of the fixture agency: valid, expired, suspended, cancelled, wrong-field,
/// not-yet-valid, other-agency, a hearing host and legal reviewers.
fn officers() -> Vec<OfficerFacts> {
    let valid = |n: &str| cert(n, "1", "2020-01-01", "2030-12-31", &[FIELD]);
    let mut reviewer = valid("R1-CERT");
    reviewer.legal_review_qualified = true;
    let mut suspended_reviewer = cert("R3-CERT", "2", "2020-01-01", "2030-12-31", &[FIELD]);
    suspended_reviewer.legal_review_qualified = true;
    let mut reviewing_investigator = valid("O3-CERT");
    reviewing_investigator.legal_review_qualified = true;
    vec![
        officer("O1", AGENCY, vec![valid("O1-CERT")]),
        officer("O2", AGENCY, vec![valid("O2-CERT")]),
        officer("O3", AGENCY, vec![reviewing_investigator]),
        officer(
            "OX",
            AGENCY,
            vec![cert("OX-CERT", "1", "2020-01-01", "2025-12-31", &[FIELD])],
        ),
        officer(
            "OS",
            AGENCY,
            vec![cert("OS-CERT", "2", "2020-01-01", "2030-12-31", &[FIELD])],
        ),
        officer(
            "OC",
            AGENCY,
            vec![cert("OC-CERT", "3", "2020-01-01", "2030-12-31", &[FIELD])],
        ),
        officer(
            "OW",
            AGENCY,
            vec![cert("OW-CERT", "1", "2020-01-01", "2030-12-31", &["02"])],
        ),
        officer(
            "ON",
            AGENCY,
            vec![cert("ON-CERT", "1", "2026-07-01", "2030-12-31", &[FIELD])],
        ),
        officer("OA", "A2", vec![valid("OA-CERT")]),
        officer("OI", AGENCY, vec![]),
        officer("H1", AGENCY, vec![valid("H1-CERT")]),
        officer("R1", AGENCY, vec![reviewer]),
        officer("R2", AGENCY, vec![valid("R2-CERT")]),
        officer("R3", AGENCY, vec![suspended_reviewer]),
    ]
}

struct Fx {
    cal: LegalCalendar,
    rules: CaseRules,
    officers: Vec<OfficerFacts>,
    agency: AgencyFacts,
    benchmarks: Vec<BenchmarkRange>,
    today: NaiveDate,
}

impl Fx {
    fn new() -> Fx {
        Fx {
            cal: LegalCalendar::builtin(),
            rules: CaseRules::default(),
            officers: officers(),
            agency: AgencyFacts {
                id: AGENCY.to_string(),
                name: "测试市市场监督管理局".to_string(),
                short_name: "测市监".to_string(),
                field: FIELD.to_string(),
                region_code: "110105".to_string(),
            },
            benchmarks: Vec::new(),
            today: d(TODAY),
        }
    }

    fn ctx(&self) -> Context<'_> {
        Context {
            today: self.today,
            calendar: &self.cal,
            rules: &self.rules,
            officers: &self.officers,
            agency: Some(&self.agency),
            benchmarks: &self.benchmarks,
            number: Some(NUMBER),
        }
    }
}

fn env_as(role: &str, officer_id: Option<&str>) -> Envelope {
    Envelope {
        actor: format!("user-{role}"),
        role: role.to_string(),
        officer_id: officer_id.map(str::to_string),
        at: "2026-03-02T10:00:00+08:00".to_string(),
        place: None,
        idempotency_key: "k".to_string(),
    }
}

fn env(role: &str) -> Envelope {
    let officer_id = match role {
        "officer" => Some("O1"),
        "reviewer" => Some("R1"),
        _ => None,
    };
    env_as(role, officer_id)
}

fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// A case under test: the fixture, the folded state and the events so far.
struct Case {
    fx: Fx,
    state: CaseState,
    events: Vec<CaseEvent>,
}

impl Case {
    fn new() -> Case {
        Case {
            fx: Fx::new(),
            state: CaseState::default(),
            events: Vec::new(),
        }
    }

    /// Decides `cmd` and applies the events when allowed.
    fn run_env(&mut self, env: &Envelope, cmd: Command) -> Result<Vec<CaseEvent>, Refusal> {
        let r = decide(&self.state, env, &cmd, &self.fx.ctx());
        if let Ok(events) = &r {
            for e in events {
                self.state.apply(e);
                self.events.push(e.clone());
            }
        }
        r
    }

    #[track_caller]
    fn ok(&mut self, role: &str, cmd: Command) -> Vec<CaseEvent> {
        self.ok_env(&env(role), cmd)
    }

    #[track_caller]
    fn ok_env(&mut self, env: &Envelope, cmd: Command) -> Vec<CaseEvent> {
        let kind = cmd.kind();
        match self.run_env(env, cmd) {
            Ok(e) => e,
            Err(r) => panic!("{kind} by {} refused: {r:?}", env.role),
        }
    }

    /// Asserts `cmd` is refused with `code` citing `article`, with a Chinese message and
    /// remedy, and that the state did not change.
    #[track_caller]
    fn refused(&mut self, role: &str, cmd: Command, code: &str, article: &str) -> Refusal {
        self.refused_env(&env(role), cmd, code, article)
    }

    #[track_caller]
    fn refused_env(&mut self, env: &Envelope, cmd: Command, code: &str, article: &str) -> Refusal {
        let before = self.state.clone();
        let kind = cmd.kind();
        match self.run_env(env, cmd) {
            Ok(e) => panic!("{kind} by {} allowed, expected {code}: {e:?}", env.role),
            Err(r) => {
                assert_eq!(r.code, code, "{kind}: {r:?}");
                assert_eq!(r.article, article, "{kind}: {r:?}");
                assert!(has_cjk(&r.message) && has_cjk(&r.remedy), "{r:?}");
                assert_eq!(self.state, before);
                r
            }
        }
    }

    fn clock(&self, kind: ClockKind) -> StatutoryClock {
        deadlines(&self.state, &self.fx.cal, &self.fx.rules, self.fx.today)
            .into_iter()
            .find(|c| c.kind == kind)
            .unwrap_or_else(|| panic!("no {kind:?} clock"))
    }

    fn has_clock(&self, kind: ClockKind) -> bool {
        deadlines(&self.state, &self.fx.cal, &self.fx.rules, self.fx.today)
            .iter()
            .any(|c| c.kind == kind)
    }

    fn available_kinds(&self, role: &str) -> Vec<&'static str> {
        available(&self.state, role, &self.fx.ctx())
            .into_iter()
            .filter(|a| a.refusal.is_none())
            .map(|a| a.kind)
            .collect()
    }
}

// Parties --------------------------------------------------------------------------------

fn org() -> Party {
    Party {
        party_type: "2".to_string(),
        name: "测试贸易有限公司".to_string(),
        id_number: Some(
            uscc_with_check("91350100M000100Y4")
                .unwrap()
                .as_str()
                .to_string(),
        ),
        legal_rep: Some("李四".to_string()),
        address: Some("测试市某路1号".to_string()),
        phone: None,
    }
}

fn citizen_born(birth: &str) -> Party {
    let first17 = format!("110105{}001", birth.replace('-', ""));
    Party {
        party_type: "1".to_string(),
        name: "张三".to_string(),
        id_number: Some(
            citizen_id_with_check(&first17)
                .unwrap()
                .as_str()
                .to_string(),
        ),
        legal_rep: None,
        address: Some("测试市某路2号".to_string()),
        phone: None,
    }
}

fn citizen() -> Party {
    citizen_born("1980-01-01")
}

// Penalties -------------------------------------------------------------------------------

fn penalty(types: &[&str], fine_fen: i64, confiscation_fen: i64) -> Penalty {
    Penalty {
        types: types.iter().map(|t| t.to_string()).collect(),
        fine_fen,
        confiscation_fen,
        licence: None,
        facts: "经查，当事人销售过期食品".to_string(),
        violated: "《某法》第十条".to_string(),
        basis: "《某法》第三十条".to_string(),
    }
}

fn fine(fen: i64) -> Penalty {
    penalty(&["03"], fen, 0)
}

fn warning() -> Penalty {
    penalty(&["01"], 0, 0)
}

// Commands --------------------------------------------------------------------------------

fn register(on: &str, party: Party, act: &str) -> Command {
    Command::RegisterLead {
        on: d(on),
        agency_id: AGENCY.to_string(),
        source: "1".to_string(),
        cause: "销售过期食品".to_string(),
        party,
        act_date: d(act),
        act_ended: None,
        serious_harm: false,
        power_id: None,
        summary: String::new(),
    }
}

fn file(on: &str) -> Command {
    Command::FileCase {
        on: d(on),
        limitation_override: None,
    }
}

fn assign(on: &str, ids: &[&str]) -> Command {
    Command::AssignOfficers {
        on: d(on),
        officers: ids.iter().map(|s| s.to_string()).collect(),
    }
}

fn record(on: &str, ids: &[&str]) -> Command {
    Command::MakeRecord {
        on: d(on),
        kind: "inspection".to_string(),
        place: "当事人经营场所".to_string(),
        officers: ids.iter().map(|s| s.to_string()).collect(),
        interviewee: None,
        content: "现场检查发现过期食品".to_string(),
    }
}

fn conclude_with(on: &str, outcome: Outcome) -> Command {
    Command::Conclude {
        on: d(on),
        outcome,
        major_complex: false,
        review_requested: false,
        deviation_reason: None,
        circumstance: None,
    }
}

fn conclude(on: &str, p: Penalty) -> Command {
    conclude_with(on, Outcome::Penalty { penalty: p })
}

fn revise(on: &str, p: Penalty) -> Command {
    Command::RevisePenalty {
        on: d(on),
        penalty: p,
        reason: "采纳当事人陈述申辩意见".to_string(),
        deviation_reason: None,
        circumstance: None,
    }
}

fn notice(on: &str) -> Command {
    Command::ServeNotice {
        on: d(on),
        method: "1".to_string(),
    }
}

fn decide_on(on: &str) -> Command {
    Command::Decide { on: d(on) }
}

fn serve(on: &str, method: &str) -> Command {
    Command::ServeDecision {
        on: d(on),
        method: method.to_string(),
    }
}

fn waive(on: &str) -> Command {
    Command::WaiveRights { on: d(on) }
}

fn statement(on: &str) -> Command {
    Command::ReceiveStatement {
        on: d(on),
        content: "当事人称系初次违法".to_string(),
    }
}

fn review_statement(on: &str) -> Command {
    Command::ReviewStatement {
        on: d(on),
        adopted: false,
        opinion: "陈述理由不成立".to_string(),
    }
}

fn request_review(on: &str) -> Command {
    Command::RequestReview { on: d(on) }
}

fn give_review(on: &str, opinion: ReviewOpinion, comments: &str) -> Command {
    Command::GiveReview {
        on: d(on),
        opinion,
        comments: comments.to_string(),
    }
}

fn pay(on: &str, amount_fen: i64) -> Command {
    Command::RecordPayment {
        on: d(on),
        amount_fen,
    }
}

fn on_spot(on: &str, party: Party, p: Penalty, ids: &[&str], collected: bool) -> Command {
    Command::ImposeOnSpot {
        on: d(on),
        agency_id: AGENCY.to_string(),
        party,
        place: "某路口".to_string(),
        penalty: p,
        officers: ids.iter().map(|s| s.to_string()).collect(),
        party_signed: true,
        collected_on_spot: collected,
    }
}

// Scenarios -------------------------------------------------------------------------------

/// A general-procedure case registered, filed, staffed (O1, O2) and with one record, all on
/// `on`.
fn investigating(party: Party, on: &str) -> Case {
    let mut c = Case::new();
    c.ok("officer", register(on, party, "2026-01-05"));
    c.ok("head", file(on));
    c.ok("officer", assign(on, &["O1", "O2"]));
    c.ok("officer", record(on, &["O1", "O2"]));
    c
}

/// Concluded with `p` on 2026-03-10 and the prior notice served on 2026-03-11 (Wed); the
/// five-working-day windows end on 2026-03-18.
fn notified(party: Party, p: Penalty) -> Case {
    let mut c = investigating(party, "2026-03-02");
    c.ok("officer", conclude("2026-03-10", p));
    c.ok("officer", notice("2026-03-11"));
    c
}

/// Decided on 2026-03-19 and served on 2026-03-20 (payment due 2026-04-04, a holiday,
/// rolled to 2026-04-07).
fn executing(party: Party, p: Penalty) -> Case {
    let mut c = notified(party, p);
    c.ok("head", decide_on("2026-03-19"));
    c.ok("officer", serve("2026-03-20", "1"));
    assert_eq!(c.state.stage(), Stage::Executing);
    c
}

fn decision_penalty(events: &[CaseEvent]) -> Option<Penalty> {
    events.iter().find_map(|e| match e {
        CaseEvent::DecisionMade { penalty, .. } => penalty.clone(),
        _ => None,
    })
}

// ---------------------------------------------------------------------------------------
// Scenario tests, one per article
// ---------------------------------------------------------------------------------------

/// APL Art. 51: on the spot only a warning or a fine ≤ ¥200 (citizen) / ≤ ¥3,000
/// (organisation); Art. 52: numbered decision, 备案; Art. 68: collection ≤ ¥100.
#[test]
fn apl_art_51_simple_procedure_thresholds() {
    type Row = (Party, Penalty, bool, Option<(&'static str, &'static str)>);
    let rows: Vec<Row> = vec![
        (citizen(), fine(20_000), false, None),
        (citizen(), warning(), false, None),
        (citizen(), penalty(&["01", "03"], 5_000, 0), false, None),
        (
            citizen(),
            fine(20_001),
            false,
            Some(("case.simple.threshold", law::APL_51)),
        ),
        (org(), fine(300_000), false, None),
        (
            org(),
            fine(300_001),
            false,
            Some(("case.simple.threshold", law::APL_51)),
        ),
        (
            citizen(),
            penalty(&["02"], 0, 0),
            false,
            Some(("case.simple.type", law::APL_51)),
        ),
        (
            org(),
            penalty(&["03", "04"], 10_000, 5_000),
            false,
            Some(("case.simple.type", law::APL_51)),
        ),
        (citizen(), fine(10_000), true, None),
        (
            citizen(),
            fine(10_001),
            true,
            Some(("case.simple.collection", law::APL_68)),
        ),
        (
            citizen_born("2013-01-01"),
            warning(),
            false,
            Some(("case.minor", law::APL_30)),
        ),
    ];
    for (party, p, collected, expect) in rows {
        let mut c = Case::new();
        let cmd = on_spot("2026-06-01", party, p.clone(), &["O1", "O2"], collected);
        match expect {
            Some((code, article)) => {
                c.refused("officer", cmd, code, article);
            }
            None => {
                let events = c.ok("officer", cmd);
                assert!(
                    matches!(&events[0], CaseEvent::OnSpotDecided { number, .. } if number == NUMBER)
                );
                assert!(
                    matches!(events[1], CaseEvent::OnSpotFiled { .. }),
                    "Art. 52 备案"
                );
                assert_eq!(
                    events.len(),
                    if collected { 3 } else { 2 },
                    "payment on the spot"
                );
                assert_eq!(c.state.procedure, Some(Procedure::Simple));
                assert_eq!(c.state.stage(), Stage::Executing);
                assert!(c.state.review_triggers(&c.fx.rules).is_empty());
                if collected || p.fine_fen == 0 {
                    c.ok(
                        "head",
                        Command::Close {
                            on: d("2026-06-02"),
                        },
                    );
                } else {
                    assert!(!c.available_kinds("head").contains(&"close"));
                    c.ok("officer", pay("2026-06-05", p.fine_fen));
                    c.ok(
                        "head",
                        Command::Close {
                            on: d("2026-06-05"),
                        },
                    );
                }
            }
        }
    }
    // Two officers with valid certificates (Art. 42, 52) and the role rules.
    let mut c = Case::new();
    c.refused(
        "officer",
        on_spot("2026-06-01", citizen(), warning(), &["O1"], false),
        "case.officers.too_few",
        law::APL_42,
    );
    c.refused(
        "supervisor",
        on_spot("2026-06-01", citizen(), warning(), &["O1", "O2"], false),
        "case.role",
        law::ROLES,
    );
    c.fx.rules = CaseRules {
        simple_max_fine_citizen: 5_000,
        ..CaseRules::default()
    };
    c.refused(
        "officer",
        on_spot("2026-06-01", citizen(), fine(5_001), &["O1", "O2"], false),
        "case.simple.threshold",
        law::APL_51,
    );
}

/// APL Art. 36: two years (five with harm to life, health or financial safety) from the
/// act or the end of a continuing act, measured to the discovery (the lead); filing past it
/// only with the head's recorded reason.
#[test]
fn apl_art_36_limitation_at_filing() {
    struct Row {
        act: &'static str,
        ended: Option<&'static str>,
        serious: bool,
        lead: &'static str,
        filed: &'static str,
        over: Option<&'static str>,
        ok: bool,
    }
    let rows = [
        // 2024-03-04 + 2 years = 2026-03-04 (Wed): discovered on the last day.
        Row {
            act: "2024-03-04",
            ended: None,
            serious: false,
            lead: "2026-03-04",
            filed: "2026-03-04",
            over: None,
            ok: true,
        },
        Row {
            act: "2024-03-04",
            ended: None,
            serious: false,
            lead: "2026-03-05",
            filed: "2026-03-05",
            over: None,
            ok: false,
        },
        // Discovered in time, filed later: the limitation is about discovery.
        Row {
            act: "2024-03-04",
            ended: None,
            serious: false,
            lead: "2026-03-04",
            filed: "2026-03-20",
            over: None,
            ok: true,
        },
        // Five years with harm to life/health/financial safety.
        Row {
            act: "2021-03-04",
            ended: None,
            serious: true,
            lead: "2026-03-04",
            filed: "2026-03-04",
            over: None,
            ok: true,
        },
        Row {
            act: "2021-03-03",
            ended: None,
            serious: true,
            lead: "2026-03-04",
            filed: "2026-03-04",
            over: None,
            ok: false,
        },
        Row {
            act: "2021-03-04",
            ended: None,
            serious: false,
            lead: "2026-03-04",
            filed: "2026-03-04",
            over: None,
            ok: false,
        },
        // A continuing act counts from its end (Art. 36 para 2).
        Row {
            act: "2019-01-01",
            ended: Some("2024-03-04"),
            serious: false,
            lead: "2026-03-04",
            filed: "2026-03-04",
            over: None,
            ok: true,
        },
        // Override by the head's recorded reason.
        Row {
            act: "2020-01-01",
            ended: None,
            serious: false,
            lead: "2026-03-04",
            filed: "2026-03-04",
            over: Some("法律另有规定"),
            ok: true,
        },
        Row {
            act: "2020-01-01",
            ended: None,
            serious: false,
            lead: "2026-03-04",
            filed: "2026-03-04",
            over: Some("  "),
            ok: false,
        },
    ];
    for r in rows {
        let mut c = Case::new();
        let mut cmd = register(r.lead, org(), r.act);
        if let Command::RegisterLead {
            act_ended,
            serious_harm,
            ..
        } = &mut cmd
        {
            *act_ended = r.ended.map(d);
            *serious_harm = r.serious;
        }
        c.ok("officer", cmd);
        let cmd = Command::FileCase {
            on: d(r.filed),
            limitation_override: r.over.map(str::to_string),
        };
        if r.ok {
            let events = c.ok("head", cmd);
            let CaseEvent::CaseFiled {
                limitation_override,
                number,
                ..
            } = &events[0]
            else {
                panic!("{events:?}")
            };
            assert_eq!(number, NUMBER);
            assert_eq!(limitation_override.as_deref(), r.over);
            assert_eq!(c.state.stage(), Stage::Investigating);
        } else {
            c.refused("head", cmd, "case.limitation", law::APL_36);
        }
    }
    // The act date may not lie after the registration.
    let mut c = Case::new();
    c.refused(
        "officer",
        register("2026-03-04", org(), "2026-03-05"),
        "case.act_date",
        law::APL_36,
    );
}

/// APL Art. 42 (and ACL Art. 18): at least two officers, each with a certificate valid on
/// the act date, of the agency, covering its field.
#[test]
fn apl_art_42_two_qualified_officers_with_valid_certificates() {
    let rows: [(&[&str], Option<&str>); 12] = [
        (&["O1", "O2"], None),
        (&["O1", "O2", "H1"], None),
        (&["O1"], Some("case.officers.too_few")),
        (&["O1", "O1"], Some("case.officers.too_few")),
        (&[], Some("case.officers.too_few")),
        (&["O1", "OX"], Some("case.officers.certificate")), // expired
        (&["O1", "OS"], Some("case.officers.certificate")), // suspended
        (&["O1", "OC"], Some("case.officers.certificate")), // cancelled
        (&["O1", "OW"], Some("case.officers.certificate")), // wrong field
        (&["O1", "ON"], Some("case.officers.certificate")), // not yet valid on 2026-03-02
        (&["O1", "OA"], Some("case.officers.other_agency")),
        (&["O1", "nobody"], Some("case.officers.unknown")),
    ];
    for (ids, expect) in rows {
        let mut c = Case::new();
        c.ok("officer", register("2026-03-02", org(), "2026-01-05"));
        c.ok("head", file("2026-03-02"));
        match expect {
            None => {
                let events = c.ok("officer", assign("2026-03-02", ids));
                let CaseEvent::OfficersAssigned { officers, .. } = &events[0] else {
                    panic!()
                };
                assert_eq!(officers.len(), ids.len());
                assert_eq!(
                    officers[0].certificate, "O1-CERT",
                    "Art. 55: certificate shown"
                );
            }
            Some(code) => {
                c.refused("officer", assign("2026-03-02", ids), code, law::APL_42);
                c.refused("officer", record("2026-03-02", ids), code, law::APL_42);
            }
        }
    }
    // An officer without certificate; the certificate valid from 2026-07-01 works then.
    let mut c = Case::new();
    c.ok("officer", register("2026-07-01", org(), "2026-06-05"));
    c.ok("head", file("2026-07-01"));
    c.refused(
        "officer",
        assign("2026-07-01", &["O1", "OI"]),
        "case.officers.certificate",
        law::APL_42,
    );
    c.ok("officer", assign("2026-07-01", &["O1", "ON"]));
    // Conclusion needs the assigned officers (gate) — here present; seizure needs two too.
    c.refused(
        "head",
        Command::Seize {
            on: d("2026-07-01"),
            measure: "3".to_string(),
            items: "过期食品 20 箱".to_string(),
            officers: vec!["O1".to_string()],
        },
        "case.officers.too_few",
        law::APL_42,
    );
    let mut c = Case::new();
    c.ok("officer", register("2026-03-02", org(), "2026-01-05"));
    c.ok("head", file("2026-03-02"));
    c.ok(
        "officer",
        Command::AddEvidence {
            on: d("2026-03-02"),
            evidence_type: "1".to_string(),
            description: "进货单据".to_string(),
            sm3: None,
        },
    );
    c.refused(
        "officer",
        conclude("2026-03-03", fine(50_000)),
        "case.officers.too_few",
        law::APL_42,
    );
}

/// APL Art. 57: the four outcomes; investigation must have produced a record or evidence;
/// collective discussion by the heads for complex or serious cases.
#[test]
fn apl_art_57_outcomes_and_collective_discussion() {
    // Nothing investigated yet.
    let mut c = Case::new();
    c.ok("officer", register("2026-03-02", org(), "2026-01-05"));
    c.ok("head", file("2026-03-02"));
    c.ok("officer", assign("2026-03-02", &["O1", "O2"]));
    c.refused(
        "officer",
        conclude("2026-03-02", fine(50_000)),
        "case.investigation.empty",
        law::APL_57,
    );

    // Outcome → stage, and whether a 不予处罚 decision follows without notice.
    let outcomes = [
        (
            Outcome::Penalty {
                penalty: fine(50_000),
            },
            Stage::Notice,
        ),
        (
            Outcome::NoPenalty {
                reason: "1".to_string(),
                education: Some("批评教育".to_string()),
            },
            Stage::Review,
        ),
        (Outcome::NotEstablished, Stage::Review),
        (
            Outcome::Transfer {
                organ: "测试市公安局".to_string(),
            },
            Stage::Transferred,
        ),
    ];
    for (outcome, stage) in outcomes {
        let mut c = investigating(org(), "2026-03-02");
        let code = outcome.code();
        c.ok("officer", conclude_with("2026-03-10", outcome.clone()));
        assert_eq!(c.state.stage(), stage, "outcome {code}");
        match outcome {
            Outcome::NoPenalty { .. } | Outcome::NotEstablished => {
                let events = c.ok("head", decide_on("2026-03-10"));
                assert_eq!(decision_penalty(&events), None);
                assert_eq!(c.state.stage(), Stage::Decided);
                c.refused(
                    "head",
                    Command::Close {
                        on: d("2026-03-10"),
                    },
                    "case.close.not_done",
                    law::APL_57,
                );
                c.ok("officer", serve("2026-03-11", "1"));
                c.ok(
                    "head",
                    Command::Close {
                        on: d("2026-03-11"),
                    },
                );
                c.ok(
                    "head",
                    Command::Archive {
                        on: d("2026-03-12"),
                    },
                );
                assert_eq!(c.state.stage(), Stage::Archived);
            }
            Outcome::Penalty { .. } => {
                c.refused(
                    "head",
                    decide_on("2026-03-10"),
                    "case.notice.missing",
                    law::APL_44,
                );
            }
            Outcome::Transfer { .. } => {}
        }
    }

    // The party's defence shows the facts are not established: a renewed conclusion before
    // the decision (Art. 45 para 1: adopt it; Art. 57 (3)), decided without a penalty.
    let mut c = notified(org(), fine(50_000));
    c.ok("officer", statement("2026-03-12"));
    c.ok(
        "officer",
        Command::ReviewStatement {
            on: d("2026-03-13"),
            adopted: true,
            opinion: "当事人提供的进货凭证证明商品在保质期内".into(),
        },
    );
    c.ok(
        "officer",
        conclude_with("2026-03-13", Outcome::NotEstablished),
    );
    assert_eq!(c.state.stage(), Stage::Review);
    let events = c.ok("head", decide_on("2026-03-13"));
    assert_eq!(decision_penalty(&events), None);
    c.refused(
        "officer",
        conclude_with("2026-03-13", Outcome::NotEstablished),
        "case.stage",
        law::APL_57,
    );
    // A renewed conclusion keeps the major/complex flag and voids an earlier review.
    let mut c = investigating(org(), "2026-03-02");
    let mut cmd = conclude("2026-03-10", fine(50_000));
    if let Command::Conclude { major_complex, .. } = &mut cmd {
        *major_complex = true;
    }
    c.ok("officer", cmd);
    c.ok("officer", notice("2026-03-11"));
    c.ok("officer", waive("2026-03-11"));
    c.ok("officer", request_review("2026-03-11"));
    c.ok(
        "reviewer",
        give_review("2026-03-12", ReviewOpinion::Agree, ""),
    );
    c.ok("officer", conclude("2026-03-12", fine(40_000)));
    assert!(c.state.major_complex && !c.state.review_approved());
    c.refused(
        "head",
        decide_on("2026-03-12"),
        "case.review.required",
        law::APL_58,
    );

    // Major/complex: review (Art. 58 (3)) and then collective discussion (Art. 57 para 2).
    let mut c = investigating(org(), "2026-03-02");
    c.refused(
        "officer",
        Command::HoldDiscussion {
            on: d("2026-03-02"),
            participants: vec!["甲".into(), "乙".into(), "丙".into()],
            conclusion: "同意".into(),
        },
        "case.stage",
        law::APL_57,
    );
    let mut cmd = conclude("2026-03-10", fine(50_000));
    if let Command::Conclude { major_complex, .. } = &mut cmd {
        *major_complex = true;
    }
    c.ok("officer", cmd);
    c.ok("officer", notice("2026-03-11"));
    c.ok("officer", waive("2026-03-12"));
    c.refused(
        "head",
        decide_on("2026-03-12"),
        "case.review.required",
        law::APL_58,
    );
    c.ok("officer", request_review("2026-03-12"));
    c.ok(
        "reviewer",
        give_review("2026-03-13", ReviewOpinion::Agree, ""),
    );
    c.refused(
        "head",
        decide_on("2026-03-13"),
        "case.discussion.required",
        law::APL_57,
    );
    let discuss = |n: usize| Command::HoldDiscussion {
        on: d("2026-03-16"),
        participants: ["局长", "副局长甲", "副局长乙"][..n]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        conclusion: "同意处罚建议".into(),
    };
    c.refused(
        "head",
        discuss(2),
        "case.discussion.participants",
        law::APL_57,
    );
    c.refused("officer", discuss(3), "case.role", law::ROLES);
    c.ok("head", discuss(3));
    c.refused("officer", decide_on("2026-03-16"), "case.role", law::ROLES);
    let events = c.ok("head", decide_on("2026-03-16"));
    assert_eq!(decision_penalty(&events), Some(fine(50_000)));
}

/// APL Art. 44 and 62: no decision before the prior notice is served and the party could
/// state and defend (unless the party waived expressly); Art. 45: statements reviewed.
#[test]
fn apl_art_44_no_decision_without_served_notice() {
    let mut c = investigating(org(), "2026-03-02");
    c.ok("officer", conclude("2026-03-10", fine(50_000)));
    c.refused(
        "head",
        decide_on("2026-03-10"),
        "case.notice.missing",
        law::APL_44,
    );
    assert!(!c.available_kinds("head").contains(&"decide"));
    c.refused(
        "officer",
        Command::ServeNotice {
            on: d("2026-03-11"),
            method: "5".to_string(),
        },
        "case.service.no_consent",
        law::APL_61,
    );
    let events = c.ok("officer", notice("2026-03-11"));
    assert!(
        matches!(&events[0], CaseEvent::NoticeServed { penalty, hearing_right: false, .. } if *penalty == fine(50_000))
    );
    c.refused(
        "officer",
        notice("2026-03-11"),
        "case.notice.already_served",
        law::APL_44,
    );
    // Windows: 5 working days from Wed 2026-03-11 end on Wed 2026-03-18.
    assert_eq!(c.clock(ClockKind::Statement).due, d("2026-03-18"));
    for day in ["2026-03-11", "2026-03-13", "2026-03-18"] {
        c.refused(
            "head",
            decide_on(day),
            "case.statement.window_open",
            law::APL_62,
        );
    }
    // A statement must be reviewed before the decision (Art. 45).
    c.ok("officer", statement("2026-03-18"));
    c.refused(
        "head",
        decide_on("2026-03-18"),
        "case.statement.unreviewed",
        law::APL_45,
    );
    c.ok("officer", review_statement("2026-03-18"));
    c.ok("head", decide_on("2026-03-18"));

    // Closed window: allowed the next working day without any statement.
    let mut c = notified(org(), fine(50_000));
    c.ok("head", decide_on("2026-03-19"));
    // Express waiver (Art. 62, last clause): allowed the same day.
    let mut c = notified(org(), fine(50_000));
    c.ok("officer", waive("2026-03-11"));
    c.refused("officer", waive("2026-03-11"), "case.stage", law::APL_57);
    c.ok("head", decide_on("2026-03-11"));
}

/// APL Art. 45 para 2: never a heavier penalty than notified; a heavier proposal needs a
/// new notice.
#[test]
fn apl_art_45_no_heavier_penalty_than_notified() {
    let notified_penalty = penalty(&["03", "04"], 50_000, 20_000);
    let rows: [(Penalty, bool); 6] = [
        (penalty(&["03", "04"], 40_000, 20_000), true),
        (penalty(&["03"], 50_000, 0), true),
        (notified_penalty.clone(), true),
        (penalty(&["03", "04"], 50_001, 20_000), false),
        (penalty(&["03", "04"], 50_000, 20_001), false),
        (penalty(&["01", "03", "04"], 50_000, 20_000), false),
    ];
    for (revised, ok) in rows {
        let mut c = notified(org(), notified_penalty.clone());
        c.ok("officer", statement("2026-03-12"));
        c.ok("officer", review_statement("2026-03-12"));
        if revised != notified_penalty {
            c.ok("officer", revise("2026-03-13", revised.clone()));
        }
        if ok {
            let events = c.ok("head", decide_on("2026-03-19"));
            assert_eq!(decision_penalty(&events), Some(revised));
        } else {
            c.refused(
                "head",
                decide_on("2026-03-19"),
                "case.notice.heavier",
                law::APL_45,
            );
            // A new notice of the heavier penalty opens new windows.
            c.ok("officer", notice("2026-03-19"));
            c.refused(
                "head",
                decide_on("2026-03-20"),
                "case.statement.window_open",
                law::APL_62,
            );
            let events = c.ok("head", decide_on("2026-03-27"));
            assert_eq!(decision_penalty(&events), Some(revised));
        }
    }
}

/// APL Art. 63: hearing rights for large fines/confiscations and heavy types; Art. 64:
/// request within 5 working days, notice ≥ 7 working days ahead, host not an investigator.
#[test]
fn apl_art_63_64_hearing_rights_and_windows() {
    let rules = CaseRules::default();
    let rows: [(Party, Penalty, bool); 9] = [
        (citizen(), fine(1_000_000), true),
        (citizen(), fine(999_999), false),
        (org(), fine(10_000_000), true),
        (org(), fine(9_999_999), false),
        (org(), fine(1_000_000), false),
        (citizen(), penalty(&["04"], 0, 1_000_000), true),
        (org(), penalty(&["08"], 0, 0), true),
        (org(), penalty(&["10"], 0, 0), true),
        (org(), warning(), false),
    ];
    for (party, p, right) in rows {
        assert_eq!(p.gives_hearing_right(&party, &rules), right, "{p:?}");
        let mut c = notified(party, p);
        assert_eq!(c.state.notice.as_ref().unwrap().hearing_right, right);
        assert_eq!(c.has_clock(ClockKind::HearingRequest), right);
        if !right {
            c.refused(
                "officer",
                Command::RequestHearing {
                    on: d("2026-03-12"),
                },
                "case.stage",
                law::APL_57,
            );
        }
    }

    // Request window: 5 working days after Wed 2026-03-11 → 2026-03-18.
    let heavy = || penalty(&["08"], 0, 0);
    let mut c = notified(org(), heavy());
    assert_eq!(c.clock(ClockKind::HearingRequest).due, d("2026-03-18"));
    c.refused(
        "officer",
        Command::RequestHearing {
            on: d("2026-03-19"),
        },
        "case.hearing.request_late",
        law::APL_64,
    );
    // Statements in, but the hearing window still open: no decision (Art. 64 (1)).
    c.ok("officer", statement("2026-03-12"));
    c.ok("officer", review_statement("2026-03-12"));
    c.refused(
        "head",
        decide_on("2026-03-12"),
        "case.hearing.window_open",
        law::APL_64,
    );
    // After the window closes without a request the decision is possible.
    c.ok("head", decide_on("2026-03-19"));

    // Requested within the window.
    let mut c = notified(org(), heavy());
    c.ok(
        "officer",
        Command::RequestHearing {
            on: d("2026-03-18"),
        },
    );
    c.refused(
        "head",
        decide_on("2026-03-19"),
        "case.hearing.pending",
        law::APL_64,
    );
    let hearing = |on: &str, date: &str, host: &str| Command::NoticeHearing {
        on: d(on),
        hearing_date: d(date),
        host: host.to_string(),
    };
    // 7 working days after Thu 2026-03-19: 20, 23, 24, 25, 26, 27, 30 → 2026-03-30.
    c.refused(
        "officer",
        hearing("2026-03-19", "2026-03-27", "H1"),
        "case.hearing.notice_short",
        law::APL_64,
    );
    c.refused(
        "officer",
        hearing("2026-03-19", "2026-03-30", "O1"),
        "case.hearing.host_investigator",
        law::APL_64,
    );
    c.refused(
        "officer",
        hearing("2026-03-19", "2026-03-30", "OX"),
        "case.officers.certificate",
        law::APL_42,
    );
    c.ok("officer", hearing("2026-03-19", "2026-03-30", "H1"));
    assert_eq!(c.clock(ClockKind::HearingNotice).due, d("2026-03-19"));
    let hold = |on: &str| Command::HoldHearing {
        on: d(on),
        record: "当事人进行了申辩和质证".to_string(),
    };
    c.refused(
        "officer",
        hold("2026-03-27"),
        "case.hearing.before_date",
        law::APL_64,
    );
    c.ok("officer", hold("2026-03-30"));
    // Art. 58 (2): after a hearing, legal review before the decision.
    assert!(
        c.state
            .review_triggers(&c.fx.rules)
            .contains(&ReviewTrigger::HearingHeld)
    );
    c.refused(
        "head",
        decide_on("2026-03-31"),
        "case.review.required",
        law::APL_58,
    );

    // A written waiver of all rights ends both windows (Art. 62, last clause).
    let mut c = notified(org(), heavy());
    c.ok("officer", waive("2026-03-12"));
    assert_eq!(c.clock(ClockKind::HearingRequest).status, ClockStatus::Met);
    assert_eq!(c.clock(ClockKind::Statement).status, ClockStatus::Met);
    c.refused(
        "officer",
        Command::RequestHearing {
            on: d("2026-03-12"),
        },
        "case.stage",
        law::APL_57,
    );
    c.ok("head", decide_on("2026-03-12"));

    // Waived hearing (absent without reason, Art. 64 (6)) lifts the gate.
    let mut c = notified(org(), heavy());
    c.ok(
        "officer",
        Command::RequestHearing {
            on: d("2026-03-12"),
        },
    );
    c.ok(
        "officer",
        Command::WaiveHearing {
            on: d("2026-03-19"),
            reason: "当事人无正当理由拒不出席".to_string(),
        },
    );
    c.ok("head", decide_on("2026-03-19"));
}

/// APL Art. 58: legal review before the decision when triggered; no decision without an
/// approving opinion; the reviewer holds the qualification and did not investigate.
#[test]
fn apl_art_58_legal_review_triggers_and_qualified_reviewer() {
    let rules = CaseRules::default();
    // (party, fine, major_complex, manual, expected triggers)
    let rows: [(Party, i64, bool, bool, &[ReviewTrigger]); 6] = [
        (citizen(), 999_999, false, false, &[]),
        (
            citizen(),
            1_000_000,
            false,
            false,
            &[ReviewTrigger::FineThreshold],
        ),
        (org(), 9_999_999, false, false, &[]),
        (
            org(),
            10_000_000,
            false,
            false,
            &[ReviewTrigger::FineThreshold],
        ),
        (org(), 50_000, true, false, &[ReviewTrigger::MajorComplex]),
        (org(), 50_000, false, true, &[ReviewTrigger::Manual]),
    ];
    for (party, fen, major, manual, expected) in rows {
        let mut c = investigating(party, "2026-03-02");
        let mut cmd = conclude("2026-03-10", fine(fen));
        if let Command::Conclude {
            major_complex,
            review_requested,
            ..
        } = &mut cmd
        {
            *major_complex = major;
            *review_requested = manual;
        }
        c.ok("officer", cmd);
        assert_eq!(c.state.review_triggers(&rules), expected);
        c.ok("officer", notice("2026-03-11"));
        c.ok("officer", waive("2026-03-11"));
        if expected.is_empty() {
            c.ok("head", decide_on("2026-03-12"));
        } else {
            c.refused(
                "head",
                decide_on("2026-03-12"),
                "case.review.required",
                law::APL_58,
            );
        }
    }

    let mut c = notified(citizen(), fine(2_000_000));
    c.ok("officer", waive("2026-03-11"));
    c.refused(
        "reviewer",
        request_review("2026-03-12"),
        "case.role",
        law::ROLES,
    );
    let events = c.ok("officer", request_review("2026-03-12"));
    assert!(
        matches!(&events[0], CaseEvent::ReviewRequested { triggers, .. } if triggers == &[ReviewTrigger::FineThreshold])
    );
    assert_eq!(c.state.stage(), Stage::Review);
    // Reviewer qualification (Art. 58 para 2) and separation from the investigation.
    let agree = || give_review("2026-03-13", ReviewOpinion::Agree, "");
    c.refused("officer", agree(), "case.role", law::ROLES);
    c.refused("head", agree(), "case.role", law::ROLES);
    for who in ["R2", "R3", "OX"] {
        c.refused_env(
            &env_as("reviewer", Some(who)),
            agree(),
            "case.review.unqualified",
            law::APL_58,
        );
    }
    c.refused_env(
        &env_as("reviewer", None),
        agree(),
        "case.review.unqualified",
        law::APL_58,
    );
    // Disagreement needs its reasons and blocks the decision.
    c.refused(
        "reviewer",
        give_review("2026-03-13", ReviewOpinion::Disagree, " "),
        "case.review.comments",
        law::APL_58,
    );
    c.ok(
        "reviewer",
        give_review("2026-03-13", ReviewOpinion::Revise, "罚款偏高，修改后再报"),
    );
    c.refused(
        "head",
        decide_on("2026-03-13"),
        "case.review.required",
        law::APL_58,
    );
    // A lighter proposal (no new notice needed), submitted again, approved.
    c.ok("officer", revise("2026-03-16", fine(1_500_000)));
    c.ok("officer", request_review("2026-03-16"));
    c.ok(
        "reviewer",
        give_review("2026-03-17", ReviewOpinion::Agree, "同意"),
    );
    assert!(c.state.review_approved());
    // Revising after approval voids the approval.
    c.ok("officer", revise("2026-03-17", fine(1_200_000)));
    assert!(!c.state.review_approved());
    c.refused(
        "head",
        decide_on("2026-03-17"),
        "case.review.required",
        law::APL_58,
    );
    c.ok("officer", request_review("2026-03-17"));
    c.ok(
        "reviewer",
        give_review("2026-03-17", ReviewOpinion::Agree, ""),
    );
    let events = c.ok("head", decide_on("2026-03-18"));
    assert_eq!(decision_penalty(&events), Some(fine(1_200_000)));

    // An investigator may not review their own case even when qualified.
    let mut c = Case::new();
    c.ok("officer", register("2026-03-02", org(), "2026-01-05"));
    c.ok("head", file("2026-03-02"));
    c.ok("officer", assign("2026-03-02", &["O1", "O3"]));
    c.ok("officer", record("2026-03-02", &["O1", "O3"]));
    c.ok("officer", conclude("2026-03-10", fine(20_000_000)));
    c.ok("officer", notice("2026-03-11"));
    c.ok("officer", waive("2026-03-11"));
    c.ok("officer", request_review("2026-03-12"));
    c.refused_env(
        &env_as("reviewer", Some("O3")),
        give_review("2026-03-12", ReviewOpinion::Agree, ""),
        "case.review.investigator",
        law::APL_58,
    );

    // Art. 58 (2): a case that went through a hearing keeps needing review even after a
    // lighter proposal is notified anew.
    let mut c = notified(org(), penalty(&["03", "08"], 60_000, 0));
    c.ok(
        "officer",
        Command::RequestHearing {
            on: d("2026-03-12"),
        },
    );
    c.ok(
        "officer",
        Command::NoticeHearing {
            on: d("2026-03-12"),
            hearing_date: d("2026-03-23"),
            host: "H1".to_string(),
        },
    );
    c.ok(
        "officer",
        Command::HoldHearing {
            on: d("2026-03-23"),
            record: "听证笔录".to_string(),
        },
    );
    c.ok("officer", revise("2026-03-24", fine(60_000)));
    c.ok("officer", notice("2026-03-24"));
    c.ok("officer", waive("2026-03-24"));
    assert_eq!(
        c.state.review_triggers(&c.fx.rules),
        vec![ReviewTrigger::HearingHeld]
    );
    c.refused(
        "head",
        decide_on("2026-03-25"),
        "case.review.required",
        law::APL_58,
    );
}

/// APL Art. 59: the decision document carries party, facts, types, basis and the case
/// number; only the head decides (Art. 57); the party's name, facts and basis are required.
#[test]
fn apl_art_59_decision() {
    let p = penalty(&["01", "03"], 50_000, 0);
    let mut c = notified(org(), p.clone());
    c.refused("officer", decide_on("2026-03-19"), "case.role", law::ROLES);
    c.refused("reviewer", decide_on("2026-03-19"), "case.role", law::ROLES);
    let events = c.ok("head", decide_on("2026-03-19"));
    let CaseEvent::DecisionMade {
        number,
        penalty: decided,
        late,
        decided_by,
        ..
    } = &events[0]
    else {
        panic!("{events:?}")
    };
    assert_eq!(number, NUMBER);
    assert_eq!(decided.as_ref(), Some(&p));
    assert!(!late);
    assert_eq!(decided_by, "user-head");
    assert_eq!(c.state.stage(), Stage::Decided);
    assert_eq!(c.state.stage().code(), "5");
    c.refused("head", decide_on("2026-03-19"), "case.stage", law::APL_57);
    assert_eq!(p.summary(), "警告；罚款 500.00 元");

    // Contents required by Art. 59 (2), (3) and Art. 9 consistency.
    let bad = [
        (
            {
                let mut p = fine(50_000);
                p.basis = " ".into();
                p
            },
            "case.penalty.facts_basis",
            law::APL_59,
        ),
        (
            {
                let mut p = fine(50_000);
                p.facts = String::new();
                p
            },
            "case.penalty.facts_basis",
            law::APL_59,
        ),
        (penalty(&[], 0, 0), "case.penalty.types", law::APL_9),
        (
            penalty(&["03"], 0, 0),
            "case.penalty.fine_mismatch",
            law::APL_9,
        ),
        (
            penalty(&["01"], 100, 0),
            "case.penalty.fine_mismatch",
            law::APL_9,
        ),
        (
            penalty(&["01"], 0, 100),
            "case.penalty.confiscation_mismatch",
            law::APL_9,
        ),
        (penalty(&["77"], 0, 0), "case.penalty.type", law::APL_9),
    ];
    for (p, code, article) in bad {
        let mut c = investigating(org(), "2026-03-02");
        c.refused("officer", conclude("2026-03-10", p), code, article);
    }
    let mut nameless = org();
    nameless.name = " ".into();
    let mut c = Case::new();
    c.refused(
        "officer",
        register("2026-03-02", nameless, "2026-01-05"),
        "case.party.name",
        law::APL_59,
    );
}

/// APL Art. 61: service on the spot or within 7 working days; electronic service only with
/// the party's signed consent.
#[test]
fn apl_art_61_service_and_e_service_consent() {
    // Decided Thu 2026-03-19: 7 working days → 20, 23, 24, 25, 26, 27, 30.
    let rows = [
        ("2026-03-19", "1", None, false),
        ("2026-03-30", "3", None, false),
        ("2026-03-31", "3", None, true),
        (
            "2026-03-20",
            "5",
            Some(("case.service.no_consent", law::APL_61)),
            false,
        ),
        (
            "2026-03-20",
            "0",
            Some(("case.service.method", law::APL_61)),
            false,
        ),
    ];
    for (on, method, expect, late_expected) in rows {
        let mut c = notified(org(), fine(50_000));
        c.ok("head", decide_on("2026-03-19"));
        assert_eq!(c.clock(ClockKind::Service).due, d("2026-03-30"));
        match expect {
            Some((code, article)) => {
                c.refused("officer", serve(on, method), code, article);
            }
            None => {
                let events = c.ok("officer", serve(on, method));
                assert!(
                    matches!(events[0], CaseEvent::DecisionServed { late, .. } if late == late_expected)
                );
                assert_eq!(c.clock(ClockKind::Service).status, ClockStatus::Met);
            }
        }
    }
    // With signed consent, e-service works for the notice and the decision.
    let mut c = investigating(org(), "2026-03-02");
    c.ok("officer", conclude("2026-03-10", fine(50_000)));
    c.refused(
        "officer",
        Command::RecordEServiceConsent {
            on: d("2026-03-10"),
            address: " ".into(),
        },
        "case.service.address",
        law::APL_61,
    );
    c.ok(
        "officer",
        Command::RecordEServiceConsent {
            on: d("2026-03-10"),
            address: "party@example.com".into(),
        },
    );
    c.ok(
        "officer",
        Command::ServeNotice {
            on: d("2026-03-11"),
            method: "5".into(),
        },
    );
    c.ok("head", decide_on("2026-03-19"));
    c.ok("officer", serve("2026-03-19", "5"));
}

/// APL Art. 67: pay within 15 days of service; Art. 72: 3 % per day, capped at the fine;
/// Art. 73 para 3: not counted while review or litigation is pending; Art. 66: deferral.
#[test]
fn apl_art_67_72_73_payment_surcharge_paused_on_appeal() {
    // Served Fri 2026-03-20: 15 days → Sat 2026-04-04 (Qingming) → Tue 2026-04-07.
    let c = executing(citizen(), fine(100_000));
    let clock = c.clock(ClockKind::Payment);
    assert_eq!(clock.due, d("2026-04-07"));
    assert_eq!(clock.article, law::APL_67);

    // (pay on, appeal interval, surcharge expected)
    type Row<'a> = (&'a str, Option<(&'a str, &'a str)>, i64);
    let rows: [Row; 6] = [
        ("2026-04-07", None, 0),
        ("2026-04-08", None, 3_000),
        ("2026-04-17", None, 30_000),
        ("2026-07-31", None, 100_000), // capped at the fine
        // Appeal 04-09 .. 04-14 (5 days not counted): 10 − 5 days.
        ("2026-04-17", Some(("2026-04-09", "2026-04-14")), 15_000),
        // Appeal pending on the payment day: only 04-08 counts.
        ("2026-04-17", Some(("2026-04-09", "")), 3_000),
    ];
    for (on, appeal, expected) in rows {
        let mut c = executing(citizen(), fine(100_000));
        if let Some((from, to)) = appeal {
            c.ok(
                "officer",
                Command::RecordAppeal {
                    on: d(from),
                    kind: AppealKind::Review,
                },
            );
            assert_eq!(c.clock(ClockKind::Payment).status, ClockStatus::Paused);
            if !to.is_empty() {
                c.ok(
                    "officer",
                    Command::ConcludeAppeal {
                        on: d(to),
                        result: "维持".into(),
                    },
                );
            }
        }
        let owed = 100_000 + expected;
        c.refused(
            "officer",
            pay(on, owed + 1),
            "case.payment.amount",
            law::APL_72,
        );
        c.refused("officer", pay(on, 0), "case.payment.amount", law::APL_72);
        let events = c.ok("officer", pay(on, owed));
        let accrued = events.iter().find_map(|e| match e {
            CaseEvent::SurchargeAccrued { amount_fen, .. } => Some(*amount_fen),
            _ => None,
        });
        assert_eq!(
            accrued.unwrap_or(0),
            expected,
            "paid {on} appeal {appeal:?}"
        );
        assert_eq!(c.state.outstanding(), 0);
        assert_eq!(c.clock(ClockKind::Payment).status, ClockStatus::Met);
        c.ok("head", Command::Close { on: d(on) });
    }
    // Art. 73 para 1: execution is not suspended during an appeal — payment still allowed.
    let mut c = executing(citizen(), fine(100_000));
    c.ok(
        "officer",
        Command::RecordAppeal {
            on: d("2026-03-25"),
            kind: AppealKind::Litigation,
        },
    );
    c.ok("officer", pay("2026-03-26", 40_000));
    assert_eq!(c.state.outstanding(), 60_000);

    // Art. 66: deferral approved by the head; due on the approved working day itself.
    let mut c = executing(citizen(), fine(100_000));
    let deferral = |due: &str| Command::ApproveDeferral {
        on: d("2026-04-01"),
        due: d(due),
    };
    c.refused("officer", deferral("2026-05-06"), "case.role", law::ROLES);
    c.refused(
        "head",
        deferral("2026-04-07"),
        "case.deferral.date",
        law::APL_66,
    );
    c.ok("head", deferral("2026-05-06"));
    assert_eq!(c.clock(ClockKind::Payment).due, d("2026-05-06"));
    c.ok("officer", pay("2026-05-06", 50_000));
    let events = c.ok("officer", pay("2026-05-07", 53_000));
    assert!(matches!(
        events[0],
        CaseEvent::SurchargeAccrued {
            amount_fen: 3_000,
            days: 1,
            ..
        }
    ));
    // A deferral to a holiday runs to the next working day.
    let mut c = executing(citizen(), fine(100_000));
    c.ok("head", deferral("2026-05-01"));
    assert_eq!(c.clock(ClockKind::Payment).due, d("2026-05-06"));
}

/// APL Art. 33: no-penalty outcomes carry a reason code from the code set; a party not
/// penalised under Art. 33 must be educated (para 3).
#[test]
fn apl_art_33_no_penalty_reason_codes() {
    let rows: [(&str, Option<&str>, Option<&str>); 11] = [
        ("1", Some("当场批评教育"), None),
        ("2", Some("发放普法材料"), None),
        ("3", Some("告知相关规定"), None),
        ("1", None, Some("case.no_penalty.education")),
        ("2", Some("  "), Some("case.no_penalty.education")),
        ("3", None, Some("case.no_penalty.education")),
        ("4", None, None),
        ("6", None, None),
        ("9", Some("教育"), None),
        ("7", Some("教育"), Some("case.no_penalty.reason")),
        ("", Some("教育"), Some("case.no_penalty.reason")),
    ];
    for (reason, education, expect) in rows {
        let mut c = investigating(org(), "2026-03-02");
        let cmd = conclude_with(
            "2026-03-10",
            Outcome::NoPenalty {
                reason: reason.to_string(),
                education: education.map(str::to_string),
            },
        );
        match expect {
            Some(code) => {
                c.refused("officer", cmd, code, law::APL_33);
            }
            None => {
                c.ok("officer", cmd);
                assert!(c.state.proposal.is_none());
                // No prior notice is needed for a 不予处罚 decision.
                let events = c.ok("head", decide_on("2026-03-10"));
                assert_eq!(decision_penalty(&events), None);
                assert!(!c.available_kinds("officer").contains(&"publish"));
            }
        }
    }
}

/// APL Art. 27, 57 (4): a suspected crime is transferred to the judicial organs; the case
/// leaves the penalty procedure and can be closed once coercive measures are lifted.
#[test]
fn apl_art_27_transfer_to_judicial_organs() {
    let transfer = |organ: &str| {
        conclude_with(
            "2026-03-10",
            Outcome::Transfer {
                organ: organ.to_string(),
            },
        )
    };
    let mut c = investigating(org(), "2026-03-02");
    c.refused("officer", transfer(" "), "case.transfer.organ", law::APL_27);
    c.ok(
        "head",
        Command::Seize {
            on: d("2026-03-03"),
            measure: "2".into(),
            items: "仓库一间".into(),
            officers: vec!["O1".into(), "O2".into()],
        },
    );
    c.ok("officer", transfer("测试市公安局"));
    assert_eq!(c.state.stage(), Stage::Transferred);
    assert_eq!(c.state.stage().code(), "9");
    assert!(!c.has_clock(ClockKind::Decision));
    c.refused("head", decide_on("2026-03-10"), "case.stage", law::APL_57);
    c.refused(
        "head",
        Command::Close {
            on: d("2026-03-11"),
        },
        "case.close.seizure",
        law::ACL_25,
    );
    c.ok(
        "head",
        Command::ReleaseSeizure {
            on: d("2026-03-11"),
        },
    );
    c.refused(
        "officer",
        Command::Close {
            on: d("2026-03-11"),
        },
        "case.role",
        law::ROLES,
    );
    c.ok(
        "head",
        Command::Close {
            on: d("2026-03-11"),
        },
    );
    assert_eq!(c.state.stage(), Stage::Closed);
}

/// APL Art. 56: evidence preservation with the head's approval, decided within 7 working
/// days (Art. 85), before the investigation ends.
#[test]
fn apl_art_56_evidence_preservation_7_working_days() {
    let mut c = investigating(org(), "2026-09-21");
    let preserve = |on: &str| Command::PreserveEvidence {
        on: d(on),
        items: "账簿三本".into(),
    };
    c.refused("officer", preserve("2026-09-28"), "case.role", law::ROLES);
    c.ok("head", preserve("2026-09-28"));
    // Mon 2026-09-28 + 7 working days: 29, 30, (National Day 1–7), 8, 9, Sat 10 (make-up
    // workday), 12, 13. Seven calendar days would be 2026-10-05.
    let clock = c.clock(ClockKind::Preservation);
    assert_eq!(clock.due, d("2026-10-13"));
    assert_eq!(clock.article, law::APL_56);
    assert!(!clock.provisional);
    c.refused(
        "head",
        preserve("2026-09-29"),
        "case.preservation.pending",
        law::APL_56,
    );
    c.refused(
        "officer",
        conclude("2026-09-29", fine(50_000)),
        "case.preservation.pending",
        law::APL_56,
    );
    c.refused(
        "officer",
        Command::DecidePreservation {
            on: d("2026-10-09"),
            disposition: " ".into(),
        },
        "case.preservation.disposition",
        law::APL_56,
    );
    c.ok(
        "officer",
        Command::DecidePreservation {
            on: d("2026-10-09"),
            disposition: "退还当事人".into(),
        },
    );
    assert_eq!(c.clock(ClockKind::Preservation).status, ClockStatus::Met);
    c.ok("officer", conclude("2026-10-09", fine(50_000)));
}

/// ACL Art. 25: seizure ≤ 30 days, extended once by ≤ 30 days before it ends; testing time
/// not counted; Art. 18: head approval and two officers.
#[test]
fn acl_art_25_seizure_30_plus_30_days_testing_paused() {
    let seize = |measure: &str| Command::Seize {
        on: d("2026-06-01"),
        measure: measure.into(),
        items: "过期食品 20 箱".into(),
        officers: vec!["O1".into(), "O2".into()],
    };
    let extend = |on: &str, days: u32| Command::ExtendSeizure {
        on: d(on),
        days,
        reason: "案情复杂".into(),
    };
    let mut c = investigating(org(), "2026-06-01");
    c.refused("officer", seize("3"), "case.role", law::ROLES);
    c.refused("head", seize("4"), "case.seizure.measure", law::ACL_24);
    c.ok("head", seize("3"));
    c.refused("head", seize("3"), "case.seizure.active", law::ACL_25);
    // 2026-06-01 + 30 days = Wed 2026-07-01.
    assert_eq!(c.clock(ClockKind::Seizure).due, d("2026-07-01"));
    assert_eq!(c.clock(ClockKind::Seizure).article, law::ACL_25);
    c.ok(
        "officer",
        Command::StartSeizureTesting {
            on: d("2026-06-10"),
        },
    );
    assert_eq!(c.clock(ClockKind::Seizure).status, ClockStatus::Paused);
    c.refused(
        "officer",
        Command::StartSeizureTesting {
            on: d("2026-06-11"),
        },
        "case.stage",
        law::APL_57,
    );
    c.ok(
        "officer",
        Command::EndSeizureTesting {
            on: d("2026-06-20"),
        },
    );
    // Testing 06-10 .. 06-19 (10 days) not counted: 07-11 (Sat) → Mon 07-13.
    let clock = c.clock(ClockKind::Seizure);
    assert_eq!(clock.due, d("2026-07-13"));
    assert_eq!(clock.status, ClockStatus::Overdue);
    c.refused(
        "head",
        extend("2026-07-01", 31),
        "case.seizure.extension_days",
        law::ACL_25,
    );
    c.refused(
        "head",
        extend("2026-07-14", 30),
        "case.seizure.expired",
        law::ACL_25,
    );
    c.refused("officer", extend("2026-07-01", 30), "case.role", law::ROLES);
    c.ok("head", extend("2026-07-13", 30));
    // 2026-06-01 + 30 + 10 + 30 = Mon 2026-08-10.
    assert_eq!(c.clock(ClockKind::Seizure).due, d("2026-08-10"));
    c.refused(
        "head",
        extend("2026-07-14", 10),
        "case.seizure.extended_once",
        law::ACL_25,
    );
    c.ok(
        "head",
        Command::ReleaseSeizure {
            on: d("2026-07-20"),
        },
    );
    assert_eq!(c.clock(ClockKind::Seizure).status, ClockStatus::Met);
    c.refused(
        "head",
        Command::ReleaseSeizure {
            on: d("2026-07-21"),
        },
        "case.stage",
        law::APL_57,
    );
}

/// ACL Art. 53, 54 (and APL Art. 72 para 2): court application ≥ 10 working days after the
/// 催告, after the appeal periods, within three months; a deferral moves the window.
#[test]
fn acl_art_53_54_court_application_windows() {
    let court = |on: &str| Command::ApplyToCourt {
        on: d(on),
        court: "测试市某区人民法院".into(),
    };
    let demand = |on: &str| Command::ServeDemand { on: d(on) };
    let mut c = executing(org(), fine(100_000));
    c.refused(
        "officer",
        demand("2026-04-07"),
        "case.enforcement.not_due",
        law::ACL_35,
    );
    c.refused(
        "officer",
        court("2026-04-08"),
        "case.court.no_demand",
        law::ACL_54,
    );
    c.ok("officer", demand("2026-04-08"));
    // 10 working days after Wed 04-08 end on Wed 04-22 (ACL Art. 69).
    c.refused(
        "officer",
        court("2026-04-22"),
        "case.court.demand_period",
        law::ACL_54,
    );
    // Appeal periods: six months after service (03-20) → 2026-09-20 (a make-up workday).
    c.refused(
        "officer",
        court("2026-04-23"),
        "case.court.appeal_period",
        law::ACL_53,
    );
    c.refused(
        "officer",
        court("2026-09-20"),
        "case.court.appeal_period",
        law::ACL_53,
    );
    // The CourtApplication clock: three months after 09-20 → Sun 12-20 → Mon 12-21.
    assert_eq!(c.clock(ClockKind::CourtApplication).due, d("2026-12-21"));
    let mut late = Case {
        fx: Fx::new(),
        state: c.state.clone(),
        events: c.events.clone(),
    };
    late.refused(
        "officer",
        court("2026-12-22"),
        "case.court.window_closed",
        law::ACL_53,
    );
    let mut appealing = Case {
        fx: Fx::new(),
        state: c.state.clone(),
        events: c.events.clone(),
    };
    appealing.ok(
        "officer",
        Command::RecordAppeal {
            on: d("2026-09-21"),
            kind: AppealKind::Litigation,
        },
    );
    appealing.refused(
        "officer",
        court("2026-09-21"),
        "case.court.appeal_pending",
        law::ACL_53,
    );
    c.ok("officer", court("2026-09-21"));
    // Once applied, the case may be closed (执行终结 by the court).
    c.ok(
        "head",
        Command::Close {
            on: d("2026-09-21"),
        },
    );

    // APL Art. 72 para 2: a deferral until 10-15 counts the three months from its end.
    let mut c = executing(org(), fine(100_000));
    c.ok(
        "head",
        Command::ApproveDeferral {
            on: d("2026-04-01"),
            due: d("2026-10-15"),
        },
    );
    c.refused(
        "officer",
        demand("2026-10-15"),
        "case.enforcement.not_due",
        law::ACL_35,
    );
    c.ok("officer", demand("2026-10-16"));
    // 10 working days after Fri 10-16 → Fri 10-30; the window closes 2027-01-15.
    c.refused(
        "officer",
        court("2026-10-30"),
        "case.court.demand_period",
        law::ACL_54,
    );
    c.fx.today = d("2026-12-22");
    assert_eq!(c.clock(ClockKind::CourtApplication).due, d("2027-01-15"));
    c.ok("officer", court("2026-12-22"));
}

/// APL Art. 60: decide within 90 days of filing; extensions approved by the head up to the
/// configured total, before the period ends; suspension pauses the period.
#[test]
fn apl_art_60_decision_period_extension_and_suspension() {
    let extend = |on: &str, days: u32| Command::ExtendDecisionPeriod {
        on: d(on),
        days,
        reason: "案情复杂".into(),
    };
    let mut c = investigating(org(), "2026-03-02");
    // 2026-03-02 + 90 days = Sun 2026-05-31 → Mon 2026-06-01.
    let clock = c.clock(ClockKind::Decision);
    assert_eq!(clock.due, d("2026-06-01"));
    assert_eq!(clock.article, law::APL_60);
    c.refused("officer", extend("2026-03-05", 10), "case.role", law::ROLES);
    c.refused(
        "head",
        extend("2026-03-05", 31),
        "case.decision_period.extension_max",
        law::APL_60,
    );
    c.refused(
        "head",
        extend("2026-03-05", 0),
        "case.decision_period.extension_max",
        law::APL_60,
    );
    c.ok("head", extend("2026-03-05", 20));
    c.refused(
        "head",
        extend("2026-03-05", 11),
        "case.decision_period.extension_max",
        law::APL_60,
    );
    // +20 days → 2026-06-20 (Dragon Boat holiday) → Mon 06-22.
    assert_eq!(c.clock(ClockKind::Decision).due, d("2026-06-22"));
    // Suspension 03-06 .. 03-16: ten days paused; → 06-30.
    let suspend = Command::Suspend {
        on: d("2026-03-06"),
        reason: "等待检验结果".into(),
    };
    c.ok("head", suspend.clone());
    assert_eq!(c.clock(ClockKind::Decision).status, ClockStatus::Paused);
    c.refused("head", suspend, "case.stage", law::APL_57);
    c.ok("officer", conclude("2026-03-10", fine(50_000)));
    c.ok("officer", notice("2026-03-11"));
    c.ok("officer", waive("2026-03-11"));
    c.refused(
        "head",
        decide_on("2026-03-12"),
        "case.suspended",
        law::APL_60,
    );
    c.ok(
        "head",
        Command::Resume {
            on: d("2026-03-16"),
        },
    );
    assert_eq!(c.clock(ClockKind::Decision).due, d("2026-06-30"));
    // Deciding after the period is possible but recorded as late.
    let events = c.ok("head", decide_on("2026-07-01"));
    assert!(matches!(
        events[0],
        CaseEvent::DecisionMade { late: true, .. }
    ));
    assert_eq!(c.clock(ClockKind::Decision).status, ClockStatus::Met);

    // No extension once the period has run out.
    let mut c = investigating(org(), "2026-03-02");
    c.refused(
        "head",
        extend("2026-06-02", 10),
        "case.decision_period.expired",
        law::APL_60,
    );
    c.ok("head", extend("2026-06-01", 10));
}

/// APL Art. 34: a published benchmark applies; a fine outside its range needs a written
/// reason and is flagged to legal review.
#[test]
fn apl_art_34_discretion_deviation_needs_reason_and_triggers_review() {
    let bench = vec![
        BenchmarkRange {
            id: "B1".into(),
            level: "2".into(),
            min_fen: 100_000,
            max_fen: 500_000,
        },
        BenchmarkRange {
            id: "B2".into(),
            level: "3".into(),
            min_fen: 500_000,
            max_fen: 900_000,
        },
    ];
    // (fine, circumstance level, deviation reason, refusal code, deviates)
    type Row<'a> = (i64, Option<&'a str>, Option<&'a str>, Option<&'a str>, bool);
    let rows: [Row; 8] = [
        (100_000, Some("2"), None, None, false),
        (500_000, Some("2"), None, None, false),
        (600_000, Some("3"), None, None, false),
        (
            600_000,
            Some("2"),
            None,
            Some("case.discretion.reason_required"),
            false,
        ),
        (
            99_999,
            Some("2"),
            Some(" "),
            Some("case.discretion.reason_required"),
            false,
        ),
        (600_000, Some("2"), Some("违法所得数额巨大"), None, true),
        (
            300_000,
            None,
            None,
            Some("case.discretion.level_required"),
            false,
        ),
        (
            300_000,
            Some("4"),
            None,
            Some("case.discretion.level_unknown"),
            false,
        ),
    ];
    for (fen, level, reason, expect, deviates) in rows {
        let mut c = investigating(citizen(), "2026-03-02");
        c.fx.benchmarks = bench.clone();
        let cmd = Command::Conclude {
            on: d("2026-03-10"),
            outcome: Outcome::Penalty { penalty: fine(fen) },
            major_complex: false,
            review_requested: false,
            deviation_reason: reason.map(str::to_string),
            circumstance: level.map(str::to_string),
        };
        match expect {
            Some(code) => {
                c.refused("officer", cmd, code, law::APL_34);
            }
            None => {
                c.ok("officer", cmd);
                let disc = c.state.discretion.clone().unwrap();
                assert_eq!(disc.deviates, deviates);
                assert_eq!(disc.benchmark.level, level.unwrap());
                let triggers = c.state.review_triggers(&c.fx.rules);
                assert_eq!(
                    triggers.contains(&ReviewTrigger::DiscretionDeviation),
                    deviates
                );
                if deviates {
                    c.ok("officer", notice("2026-03-11"));
                    c.ok("officer", waive("2026-03-11"));
                    c.refused(
                        "head",
                        decide_on("2026-03-12"),
                        "case.review.required",
                        law::APL_58,
                    );
                    // A revision back inside the range keeps the level and clears the flag.
                    c.ok("officer", revise("2026-03-12", fine(400_000)));
                    assert!(c.state.review_triggers(&c.fx.rules).is_empty());
                    c.ok("head", decide_on("2026-03-12"));
                }
            }
        }
    }
    // No benchmark, or no fine: nothing to check.
    let mut c = investigating(citizen(), "2026-03-02");
    c.fx.benchmarks = bench;
    c.ok("officer", conclude("2026-03-10", warning()));
    assert_eq!(c.state.discretion, None);
}

/// APL Art. 30: no penalty for a minor under fourteen at the time of the act (a year of age
/// is completed the day after the birthday); 14–18 may be penalised (mitigated).
#[test]
fn apl_art_30_minors_under_14() {
    // Born 2012-03-05: 14 on 2026-03-05, counted from 2026-03-06.
    let rows = [
        ("2026-03-04", false),
        ("2026-03-05", false),
        ("2026-03-06", true),
    ];
    for (act, allowed) in rows {
        let mut c = Case::new();
        c.ok(
            "officer",
            register("2026-03-09", citizen_born("2012-03-05"), act),
        );
        c.ok("head", file("2026-03-09"));
        c.ok("officer", assign("2026-03-09", &["O1", "O2"]));
        c.ok("officer", record("2026-03-09", &["O1", "O2"]));
        let cmd = conclude("2026-03-10", warning());
        if allowed {
            c.ok("officer", cmd);
        } else {
            c.refused("officer", cmd, "case.minor", law::APL_30);
            c.ok(
                "officer",
                conclude_with(
                    "2026-03-10",
                    Outcome::NoPenalty {
                        reason: "4".into(),
                        education: Some("责令监护人加以管教".into()),
                    },
                ),
            );
        }
    }
    // On the spot too.
    let mut c = Case::new();
    c.refused(
        "officer",
        on_spot(
            "2026-03-05",
            citizen_born("2012-03-05"),
            fine(5_000),
            &["O1", "O2"],
            false,
        ),
        "case.minor",
        law::APL_30,
    );
    c.ok(
        "officer",
        on_spot(
            "2026-03-06",
            citizen_born("2012-03-05"),
            fine(5_000),
            &["O1", "O2"],
            false,
        ),
    );
}

/// Every refusal — from `decide` and on the case page — names a stable code, the article it
/// enforces, a Chinese message and a remedy; admins and supervisors issue no case commands.
#[test]
fn refusals_carry_code_article_message_remedy() {
    let states = [
        investigating(org(), "2026-03-02"),
        notified(citizen(), fine(2_000_000)),
        executing(org(), fine(100_000)),
    ];
    for c in &states {
        for role in ["officer", "head", "reviewer", "supervisor", "admin"] {
            let offered = available(&c.state, role, &c.fx.ctx());
            assert!(!offered.is_empty());
            for a in offered {
                assert!(COMMANDS.iter().any(|(k, l)| *k == a.kind && *l == a.label));
                if let Some(r) = &a.refusal {
                    assert!(r.code.starts_with("case."), "{r:?}");
                    assert!(
                        r.article.contains('《') || r.article.contains("国办发"),
                        "{r:?}"
                    );
                    assert!(has_cjk(&r.message) && has_cjk(&r.remedy), "{r:?}");
                    assert!(r.to_string().contains(&r.code));
                }
                if matches!(role, "supervisor" | "admin") {
                    let r = a.refusal.as_ref().map(|r| r.code.as_str());
                    assert!(r.is_some(), "{role} may not {}", a.kind);
                }
            }
        }
    }
    // Dates: not in the future, not before the previous act.
    let mut c = investigating(org(), "2026-03-02");
    c.refused(
        "officer",
        record("2027-01-01", &["O1", "O2"]),
        "case.date.future",
        law::APL_47_RECORD,
    );
    c.refused(
        "officer",
        record("2026-03-01", &["O1", "O2"]),
        "case.date.order",
        law::APL_47_RECORD,
    );
    c.refused(
        "officer",
        register("2026-03-02", org(), "2026-01-05"),
        "case.exists",
        law::APL_47_RECORD,
    );
    let mut empty = Case::new();
    assert!(available(&empty.state, "head", &empty.fx.ctx()).is_empty());
    empty.refused(
        "officer",
        record("2026-03-02", &["O1", "O2"]),
        "case.not_found",
        law::APL_47_RECORD,
    );
    // Serde round trip of a refusal (the API returns it as JSON).
    let r = c.refused(
        "officer",
        record("2026-03-01", &["O1", "O2"]),
        "case.date.order",
        law::APL_47_RECORD,
    );
    let back: Refusal = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
    assert_eq!(back, r);
}

/// The whole general procedure, stage by stage, and the events fold back to the same state.
#[test]
fn general_procedure_stages_and_replay() {
    let mut c = Case::new();
    c.ok("officer", register("2026-03-02", org(), "2026-01-05"));
    assert_eq!(c.state.stage(), Stage::Lead);
    assert!(c.has_clock(ClockKind::Filing));
    c.ok("head", file("2026-03-02"));
    assert_eq!(c.state.stage(), Stage::Investigating);
    c.ok("officer", assign("2026-03-02", &["O1", "O2"]));
    c.ok("officer", record("2026-03-03", &["O1", "O2"]));
    c.ok("officer", conclude("2026-03-10", fine(50_000)));
    assert_eq!(c.state.stage(), Stage::Notice);
    c.ok("officer", notice("2026-03-11"));
    c.ok("officer", request_review("2026-03-19"));
    assert_eq!(c.state.stage(), Stage::Review);
    c.ok(
        "reviewer",
        give_review("2026-03-19", ReviewOpinion::Agree, "同意"),
    );
    c.ok("head", decide_on("2026-03-19"));
    assert_eq!(c.state.stage(), Stage::Decided);
    c.ok("officer", serve("2026-03-20", "1"));
    assert_eq!(c.state.stage(), Stage::Executing);
    c.ok(
        "officer",
        Command::Publish {
            on: d("2026-03-20"),
        },
    );
    c.ok("officer", pay("2026-03-25", 50_000));
    c.ok(
        "head",
        Command::Close {
            on: d("2026-03-26"),
        },
    );
    assert_eq!(c.state.stage(), Stage::Closed);
    c.ok(
        "head",
        Command::WithdrawPublication {
            on: d("2026-04-01"),
            reason: "决定被复议机关变更".into(),
        },
    );
    // Art. 48 para 2: a withdrawn publication is not published again.
    c.refused(
        "officer",
        Command::Publish {
            on: d("2026-04-01"),
        },
        "case.stage",
        law::APL_57,
    );
    c.ok(
        "head",
        Command::Archive {
            on: d("2026-04-02"),
        },
    );
    assert_eq!(c.state.stage(), Stage::Archived);
    assert_eq!(c.available_kinds("head"), Vec::<&str>::new());
    let replayed = CaseState::from_events(&c.events);
    assert_eq!(replayed, c.state);
    // Events and commands survive their JSON forms.
    for e in &c.events {
        let back: CaseEvent = serde_json::from_str(&serde_json::to_string(e).unwrap()).unwrap();
        assert_eq!(&back, e);
    }
    // A closed case keeps only met clocks.
    assert!(
        deadlines(&c.state, &c.fx.cal, &c.fx.rules, c.fx.today)
            .iter()
            .all(|k| k.status == ClockStatus::Met)
    );
}

// ---------------------------------------------------------------------------------------
// Property tests over random command sequences
// ---------------------------------------------------------------------------------------

const ROLES: [&str; 3] = ["officer", "head", "reviewer"];

/// Builds a command of `kind` for the state with plausible data; `v` varies the data.
fn build(kind: &str, s: &CaseState, on: NaiveDate, cal: &LegalCalendar, v: u8) -> Command {
    let text = |t: &str| t.to_string();
    let ids = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let proposals = [
        fine(50_000),
        fine(2_000_000),
        warning(),
        penalty(&["03", "08"], 300_000, 0),
        penalty(&["03", "04"], 80_000, 30_000),
    ];
    match kind {
        "reject_lead" => Command::RejectLead {
            on,
            reason: text("线索不实"),
        },
        "file_case" => Command::FileCase {
            on,
            limitation_override: None,
        },
        "assign_officers" => Command::AssignOfficers {
            on,
            officers: if v.is_multiple_of(2) {
                ids(&["O1", "O2"])
            } else {
                ids(&["O2", "O3"])
            },
        },
        "make_record" => record_cmd(on),
        "request_recusal" => Command::RequestRecusal {
            on,
            officer_id: s
                .officers
                .first()
                .map_or_else(|| text("O1"), |o| o.officer_id.clone()),
            reason: text("与当事人有直接利害关系"),
        },
        "decide_recusal" => Command::DecideRecusal {
            on,
            officer_id: s.recusal_pending.first().cloned().unwrap_or_default(),
            granted: v.is_multiple_of(2),
            reason: text("经审查"),
        },
        "add_evidence" => Command::AddEvidence {
            on,
            evidence_type: text("4"),
            description: text("监控录像"),
            sm3: None,
        },
        "preserve_evidence" => Command::PreserveEvidence {
            on,
            items: text("账簿"),
        },
        "decide_preservation" => Command::DecidePreservation {
            on,
            disposition: text("退还"),
        },
        "seize" => Command::Seize {
            on,
            measure: text("3"),
            items: text("货物"),
            officers: ids(&["O1", "O2"]),
        },
        "extend_seizure" => Command::ExtendSeizure {
            on,
            days: 30,
            reason: text("情况复杂"),
        },
        "start_seizure_testing" => Command::StartSeizureTesting { on },
        "end_seizure_testing" => Command::EndSeizureTesting { on },
        "release_seizure" => Command::ReleaseSeizure { on },
        "conclude" => {
            let outcome = match v % 8 {
                0..=4 => Outcome::Penalty {
                    penalty: proposals[usize::from(v % 5)].clone(),
                },
                5 => Outcome::NoPenalty {
                    reason: text("1"),
                    education: Some(text("批评教育")),
                },
                6 => Outcome::NotEstablished,
                _ => Outcome::Transfer {
                    organ: text("公安机关"),
                },
            };
            Command::Conclude {
                on,
                outcome,
                major_complex: v.is_multiple_of(7),
                review_requested: v.is_multiple_of(11),
                deviation_reason: None,
                circumstance: None,
            }
        }
        "revise_penalty" => {
            let current = s.proposal.clone().unwrap_or_else(|| fine(50_000));
            let p = match v % 3 {
                0 if current.fine_fen > 1 => {
                    let mut p = current;
                    p.fine_fen /= 2;
                    p
                }
                1 if current.fine_fen > 0 => {
                    let mut p = current;
                    p.fine_fen *= 2;
                    p
                }
                _ => proposals[usize::from(v % 5)].clone(),
            };
            Command::RevisePenalty {
                on,
                penalty: p,
                reason: text("复核后调整"),
                deviation_reason: None,
                circumstance: None,
            }
        }
        "record_e_service_consent" => Command::RecordEServiceConsent {
            on,
            address: text("a@example.com"),
        },
        "serve_notice" => Command::ServeNotice {
            on,
            method: text(if v.is_multiple_of(4) { "5" } else { "1" }),
        },
        "receive_statement" => Command::ReceiveStatement {
            on,
            content: text("申辩"),
        },
        "review_statement" => Command::ReviewStatement {
            on,
            adopted: v.is_multiple_of(2),
            opinion: text("复核意见"),
        },
        "waive_rights" => Command::WaiveRights { on },
        "request_hearing" => Command::RequestHearing { on },
        "notice_hearing" => Command::NoticeHearing {
            on,
            hearing_date: cal.add_working_days(on, 7 + u32::from(v % 3)).date,
            host: text("H1"),
        },
        "hold_hearing" => Command::HoldHearing {
            on,
            record: text("听证笔录"),
        },
        "waive_hearing" => Command::WaiveHearing {
            on,
            reason: text("撤回听证申请"),
        },
        "request_review" => Command::RequestReview { on },
        "give_review" => Command::GiveReview {
            on,
            opinion: match v % 4 {
                0 => ReviewOpinion::Disagree,
                1 => ReviewOpinion::Revise,
                _ => ReviewOpinion::Agree,
            },
            comments: text("审核意见"),
        },
        "hold_discussion" => Command::HoldDiscussion {
            on,
            participants: ids(&["甲", "乙", "丙"]),
            conclusion: text("同意"),
        },
        "extend_decision_period" => Command::ExtendDecisionPeriod {
            on,
            days: 10,
            reason: text("复杂"),
        },
        "suspend" => Command::Suspend {
            on,
            reason: text("等待鉴定"),
        },
        "resume" => Command::Resume { on },
        "decide" => Command::Decide { on },
        "serve_decision" => Command::ServeDecision {
            on,
            method: text(if v.is_multiple_of(4) { "5" } else { "3" }),
        },
        "publish" => Command::Publish { on },
        "withdraw_publication" => Command::WithdrawPublication {
            on,
            reason: text("决定被撤销"),
        },
        "record_payment" => Command::RecordPayment {
            on,
            amount_fen: if v.is_multiple_of(2) {
                s.outstanding().max(1)
            } else {
                (s.outstanding() / 2).max(1)
            },
        },
        "approve_deferral" => Command::ApproveDeferral {
            on,
            due: on + chrono::Days::new(40),
        },
        "record_appeal" => Command::RecordAppeal {
            on,
            kind: AppealKind::Review,
        },
        "conclude_appeal" => Command::ConcludeAppeal {
            on,
            result: text("维持"),
        },
        "serve_demand" => Command::ServeDemand { on },
        "apply_to_court" => Command::ApplyToCourt {
            on,
            court: text("某区法院"),
        },
        "close" => Command::Close { on },
        "archive" => Command::Archive { on },
        other => panic!("no builder for {other}"),
    }
}

fn record_cmd(on: NaiveDate) -> Command {
    Command::MakeRecord {
        on,
        kind: "inquiry".to_string(),
        place: "询问室".to_string(),
        officers: vec!["O1".to_string(), "O2".to_string()],
        interviewee: Some("当事人".to_string()),
        content: "询问内容".to_string(),
    }
}

/// Commands on the main path of the procedure (the simulation prefers them).
const FORWARD: &[&str] = &[
    "file_case",
    "assign_officers",
    "make_record",
    "decide_preservation",
    "end_seizure_testing",
    "release_seizure",
    "conclude",
    "serve_notice",
    "review_statement",
    "request_hearing",
    "notice_hearing",
    "hold_hearing",
    "request_review",
    "give_review",
    "hold_discussion",
    "resume",
    "decide",
    "serve_decision",
    "record_payment",
    "serve_demand",
    "apply_to_court",
    "close",
];

/// What a simulation saw (to show the properties are not vacuous).
#[derive(Default, Debug)]
struct Seen {
    penalty_decisions: u32,
    decisions_after_review: u32,
    hearings: u32,
    payments: u32,
    refused_attempts: u32,
}

/// Runs one random case: each step either issues a command `available` offers (to some
/// role) or a random one, and checks the properties; returns a description of the first
/// violation.
fn simulate(steps: &[(u8, u8, u8, u8)], seen: &mut Seen) -> Result<(), String> {
    let mut fx = Fx::new();
    let cal = fx.cal.clone();
    let rules = fx.rules.clone();
    let mut s = CaseState::default();
    let mut day = d("2026-01-05");
    fx.today = day;
    let party = if steps.first().is_some_and(|x| x.0.is_multiple_of(2)) {
        org()
    } else {
        citizen()
    };
    let start = Command::RegisterLead {
        on: day,
        agency_id: AGENCY.into(),
        source: "1".into(),
        cause: "案由".into(),
        party,
        act_date: d("2025-12-01"),
        act_ended: None,
        serious_harm: false,
        power_id: None,
        summary: String::new(),
    };
    for e in decide(&s, &env("officer"), &start, &fx.ctx()).map_err(|r| format!("{r:?}"))? {
        s.apply(&e);
    }
    for &(pick, role_pick, advance, v) in steps {
        day = day
            .checked_add_days(chrono::Days::new(u64::from(advance % 4)))
            .unwrap();
        fx.today = day;
        let ctx = fx.ctx();
        // (role, kind, allowed) as the case page shows them.
        let mut offered: Vec<(&str, &str, bool)> = Vec::new();
        for role in ROLES {
            for a in available(&s, role, &ctx) {
                offered.push((role, a.kind, a.refusal.is_none()));
            }
        }
        let allowed: Vec<(&str, &str)> =
            offered.iter().filter(|x| x.2).map(|x| (x.0, x.1)).collect();
        let random_attempt = pick.is_multiple_of(5) || allowed.is_empty();
        // Mostly move the case along its main path, so that deep stages are reached.
        let forward: Vec<(&str, &str)> = allowed
            .iter()
            .copied()
            .filter(|(_, k)| {
                FORWARD.contains(k) && (*k != "conclude" || s.stage() == Stage::Investigating)
            })
            .collect();
        let allowed_pick = if !pick.is_multiple_of(3) && !forward.is_empty() {
            &forward
        } else {
            &allowed
        };
        let (role, kind) = if random_attempt {
            let k = COMMANDS[usize::from(v) % COMMANDS.len()].0;
            (ROLES[usize::from(role_pick) % 3], k)
        } else {
            allowed_pick[usize::from(pick / 3) % allowed_pick.len()]
        };
        if matches!(kind, "register_lead" | "impose_on_spot") {
            continue;
        }
        let is_allowed = allowed.contains(&(role, kind));
        let cmd = build(kind, &s, day, &cal, v);
        let result = decide(&s, &env(role), &cmd, &ctx);
        // (e) available and decide agree.
        match &result {
            Err(r) if is_allowed && (r.code == "case.stage" || r.code == "case.role") => {
                return Err(format!(
                    "{kind} by {role} offered but refused by decide: {r:?}"
                ));
            }
            Ok(_) if !is_allowed => {
                let why = offered.iter().find(|x| x.0 == role && x.1 == kind);
                return Err(format!(
                    "{kind} by {role} allowed by decide but available says {why:?}"
                ));
            }
            Err(_) => seen.refused_attempts += 1,
            Ok(_) => {}
        }
        let Ok(events) = result else { continue };
        for e in &events {
            match e {
                CaseEvent::DecisionMade {
                    penalty: Some(p), ..
                } => {
                    seen.penalty_decisions += 1;
                    // (a) and (c): a served notice, and nothing heavier than notified.
                    let Some(n) = &s.notice else {
                        return Err(format!("decision {p:?} without a prior notice"));
                    };
                    if p.heavier_than(&n.penalty) {
                        return Err(format!(
                            "decided {p:?} heavier than notified {:?}",
                            n.penalty
                        ));
                    }
                }
                CaseEvent::HearingHeld { .. } => seen.hearings += 1,
                CaseEvent::PaymentReceived { .. } => seen.payments += 1,
                _ => {}
            }
            if let CaseEvent::DecisionMade { .. } = e {
                // (b) legal review approved whenever it is triggered.
                let triggers = s.review_triggers(&rules);
                if !triggers.is_empty() {
                    if !s.review_approved() {
                        return Err(format!("decision without approved review ({triggers:?})"));
                    }
                    seen.decisions_after_review += 1;
                }
            }
            s.apply(e);
        }
        // (d) every deadline is a working day unless provisional.
        for c in deadlines(&s, &cal, &rules, day) {
            if !c.provisional && !cal.is_working_day(c.due).value {
                return Err(format!("{:?} due {} is not a working day", c.kind, c.due));
            }
        }
        if !s.stage().is_open() && s.stage() != Stage::Closed {
            break;
        }
    }
    Ok(())
}

fn steps() -> impl Strategy<Value = Vec<(u8, u8, u8, u8)>> {
    proptest::collection::vec(any::<(u8, u8, u8, u8)>(), 20..90)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// Properties (a)–(e) of the case rules over random command sequences: no penalty
    /// decision without a served notice no lighter than it (APL Art. 44, 45), none without
    /// an approving review when triggered (Art. 58), deadlines on working days (Art. 85),
    /// and `available` agreeing with `decide`.
    #[test]
    fn random_command_sequences_keep_the_procedure(steps in steps()) {
        let mut seen = Seen::default();
        let r = simulate(&steps, &mut seen);
        prop_assert!(r.is_ok(), "{:?}", r);
    }
}

/// The simulation reaches penalty decisions, reviews, hearings and payments (the
/// properties above are not vacuous): a fixed pseudo-random run of 60 cases.
#[test]
fn random_sequences_reach_the_interesting_states() {
    let mut seen = Seen::default();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for _ in 0..60 {
        let steps: Vec<(u8, u8, u8, u8)> = (0..90)
            .map(|_| {
                let r = next().to_le_bytes();
                (r[0], r[1], r[2], r[3])
            })
            .collect();
        simulate(&steps, &mut seen).unwrap();
    }
    assert!(seen.penalty_decisions >= 10, "{seen:?}");
    assert!(seen.decisions_after_review >= 3, "{seen:?}");
    assert!(seen.hearings >= 1, "{seen:?}");
    assert!(seen.payments >= 5, "{seen:?}");
    assert!(seen.refused_attempts >= 10, "{seen:?}");
}

/// APL Art. 43: a recusal application is recorded, decided by the head only; a granted
/// recusal takes the officer off the case, and a recused officer can act on it no more
/// (records, hearing host, review) — investigation goes on meanwhile (Art. 43 para 3).
#[test]
fn apl_art_43_recusal() {
    let mut c = Case::new();
    c.ok("officer", register("2026-03-02", org(), "2026-01-05"));
    c.ok("head", file("2026-03-02"));
    c.ok("officer", assign("2026-03-02", &["O1", "O2", "O3"]));
    let ask = |officer: &str, reason: &str| Command::RequestRecusal {
        on: d("2026-03-03"),
        officer_id: officer.to_string(),
        reason: reason.to_string(),
    };
    let decide = |officer: &str, granted: bool| Command::DecideRecusal {
        on: d("2026-03-04"),
        officer_id: officer.to_string(),
        granted,
        reason: "经审查".to_string(),
    };
    c.refused(
        "officer",
        ask("OX", "利害关系"),
        "case.recusal.not_on_case",
        law::APL_43,
    );
    c.refused(
        "officer",
        ask("O1", "  "),
        "case.recusal.reason",
        law::APL_43,
    );
    c.refused("officer", decide("O1", true), "case.stage", law::APL_57);
    c.ok("officer", ask("O1", "系当事人近亲属"));
    c.refused(
        "officer",
        ask("O1", "再次申请"),
        "case.recusal.pending",
        law::APL_43,
    );
    // Investigation does not stop while the application is pending (Art. 43 para 3).
    c.ok("officer", record("2026-03-03", &["O1", "O2"]));
    c.refused("officer", decide("O1", true), "case.role", law::ROLES);
    c.refused(
        "head",
        decide("O2", true),
        "case.recusal.no_application",
        law::APL_43,
    );
    let events = c.ok("head", decide("O1", true));
    assert!(matches!(
        &events[0],
        CaseEvent::RecusalDecided { granted: true, .. }
    ));
    assert!(c.state.officers.iter().all(|o| o.officer_id != "O1"));
    c.refused(
        "officer",
        record("2026-03-04", &["O1", "O2"]),
        "case.recusal.recused",
        law::APL_43,
    );
    c.refused(
        "officer",
        assign("2026-03-04", &["O1", "O3"]),
        "case.recusal.recused",
        law::APL_43,
    );
    c.ok("officer", record("2026-03-04", &["O2", "O3"]));
    // A refused application leaves the officer on the case.
    c.ok(
        "officer",
        Command::RequestRecusal {
            on: d("2026-03-04"),
            officer_id: "O2".to_string(),
            reason: "曾参与相关行政许可".to_string(),
        },
    );
    c.ok("head", decide("O2", false));
    assert!(c.state.officers.iter().any(|o| o.officer_id == "O2"));
    assert!(c.state.recusal_pending.is_empty());
}
