//! Table-driven scenario tests, one per procedure rule and named after its article, through
//! the full write path (`Store::execute_case_command`: rules, events, ledger leaves,
//! projection) on SQLite and PostgreSQL. Every table has allowed and refused rows; a refusal
//! carries its stable code and article and writes nothing (no event, no command, no leaf).

use zhifa_domain::calendar::LegalCalendar;
use zhifa_domain::case::{
    CaseEvent, Command, Envelope, Outcome, Party, Penalty, ReviewOpinion, law,
};
use zhifa_domain::ids::uscc_with_check;
use zhifa_store::case_model::{CaseDetail, CommandOutcome};
use zhifa_store::{Scope, Store, StoreError};

use crate::cases::{Fx, citizen, count, d, fine, fixture};
use crate::fixtures::*;
use crate::store_test;

/// The day the commands are checked against (no act may lie after it).
const TODAY: &str = "2026-11-27";

type Expect = Option<(&'static str, &'static str)>;

/// The row is allowed.
const OK: Expect = None;

/// The row is refused with `code` under `article`.
fn no(code: &'static str, article: &'static str) -> Expect {
    Some((code, article))
}

/// A command and who issues it (by default the usual role for its kind: head approvals,
/// reviewer opinions, officers otherwise).
struct Acted {
    role: Option<&'static str>,
    officer: Option<String>,
    cmd: Command,
}

impl From<Command> for Acted {
    fn from(cmd: Command) -> Self {
        Self {
            role: None,
            officer: None,
            cmd,
        }
    }
}

/// `cmd` issued by `role` acting as officer `officer`.
fn by(role: &'static str, officer: &str, cmd: Command) -> Acted {
    Acted {
        role: Some(role),
        officer: Some(officer.to_string()),
        cmd,
    }
}

/// One row of a scenario table: a command, who issues it, and what must happen.
struct Row {
    label: &'static str,
    act: Acted,
    expect: Expect,
}

fn row(label: &'static str, act: impl Into<Acted>, expect: Expect) -> Row {
    Row {
        label,
        act: act.into(),
        expect,
    }
}

/// A scenario table, one `label => command, expectation;` per row.
macro_rules! rows {
    ($($label:literal => $act:expr, $expect:expr;)*) => {
        vec![$(row($label, $act, $expect)),*]
    };
}

/// The head-only commands these tests issue (approvals, APL Art. 57; ACL Art. 18).
const HEAD_ONLY: &[&str] = &[
    "file_case",
    "seize",
    "extend_seizure",
    "release_seizure",
    "hold_discussion",
    "decide",
    "close",
];

/// One case being walked through the store.
struct W<'a> {
    store: &'a Store,
    fx: &'a Fx,
    scope: Scope,
    case: Option<String>,
    tag: &'static str,
    n: u32,
}

impl<'a> W<'a> {
    fn new(store: &'a Store, fx: &'a Fx, tag: &'static str) -> Self {
        Self {
            store,
            fx,
            scope: Scope::Agency(fx.agency.id.clone()),
            case: None,
            tag,
            n: 0,
        }
    }

    async fn exec(
        &mut self,
        role: &str,
        officer: Option<String>,
        cmd: &Command,
    ) -> Result<CommandOutcome, StoreError> {
        self.n += 1;
        let env = Envelope {
            actor: format!("user-{role}"),
            role: role.into(),
            officer_id: officer,
            at: format!("{}T10:00:00.000+08:00", cmd.on()),
            place: None,
            idempotency_key: format!("{}-{}", self.tag, self.n),
        };
        let cal = LegalCalendar::builtin();
        let r = self
            .store
            .execute_case_command(&self.scope, &cal, d(TODAY), self.case.as_deref(), &env, cmd)
            .await;
        if let Ok(out) = &r {
            self.case = Some(out.case_id.clone());
        }
        r
    }

    /// (case events, case commands, ledger leaves) written so far.
    async fn written(&self) -> (i64, i64, u64) {
        let events = count(self.store, "case_events").await;
        let commands = count(self.store, "case_commands").await;
        (
            events,
            commands,
            self.store.ledger_size().await.expect("size"),
        )
    }

    /// Runs one row and checks its outcome; returns the outcome of an allowed row.
    async fn check(&mut self, r: Row) -> Option<CommandOutcome> {
        let Acted { role, officer, cmd } = r.act;
        let kind = cmd.kind();
        let role = role.unwrap_or(match kind {
            "give_review" => "reviewer",
            k if HEAD_ONLY.contains(&k) => "head",
            _ => "officer",
        });
        let officer = officer.or(match role {
            "officer" => Some(self.fx.o1.clone()),
            "reviewer" => Some(self.fx.r1.clone()),
            _ => None,
        });
        let before = self.written().await;
        let result = self.exec(role, officer, &cmd).await;
        let after = self.written().await;
        let label = r.label;
        match (r.expect, result) {
            (None, Ok(out)) => {
                assert!(!out.replayed, "{label}");
                assert!(out.events.iter().all(|e| e.leaf_index.is_some()), "{label}");
                let n = out.events.len() as i64;
                assert_eq!(after.0, before.0 + n, "{label}: events written");
                assert_eq!(after.2, before.2 + n as u64, "{label}: one leaf per event");
                Some(out)
            }
            (None, Err(e)) => panic!("{label}: {kind} should be allowed, got {e}"),
            (Some((code, article)), Err(StoreError::Refused(f))) => {
                assert_eq!(
                    (f.code.as_str(), f.article.as_str()),
                    (code, article),
                    "{label}: {f}"
                );
                assert_eq!(after, before, "{label}: a refusal writes nothing");
                None
            }
            (Some((code, _)), other) => {
                panic!("{label}: {kind} should be refused ({code}), got {other:?}")
            }
        }
    }

    /// Runs the rows in order.
    async fn table(&mut self, rows: Vec<Row>) {
        for r in rows {
            self.check(r).await;
        }
    }

    /// Runs an allowed command in its usual role.
    async fn ok(&mut self, label: &'static str, cmd: Command) -> CommandOutcome {
        self.check(row(label, cmd, OK)).await.expect("allowed")
    }
}

// ------------------------------------------------------------------------------ builders

fn org() -> Party {
    Party {
        party_type: "2".into(),
        name: "测试贸易有限公司".into(),
        id_number: uscc_with_check("91350100M000100Y4")
            .ok()
            .map(|u| u.to_string()),
        legal_rep: Some("李四".into()),
        address: Some("广州市天河区某路 3 号".into()),
        phone: None,
    }
}

fn penalty(types: &[&str], fine_fen: i64) -> Penalty {
    Penalty {
        types: types.iter().map(|t| t.to_string()).collect(),
        ..fine(fine_fen)
    }
}

fn lead(fx: &Fx, on: &str, party: Party, act: &str, serious_harm: bool) -> Command {
    Command::RegisterLead {
        on: d(on),
        agency_id: fx.agency.id.clone(),
        source: "1".into(),
        cause: "销售过期食品".into(),
        party,
        act_date: d(act),
        act_ended: None,
        serious_harm,
        power_id: None,
        summary: "群众举报".into(),
    }
}

fn file(on: &str, limitation_override: Option<&str>) -> Command {
    Command::FileCase {
        on: d(on),
        limitation_override: limitation_override.map(str::to_string),
    }
}

fn conclude(on: &str, outcome: Outcome, major_complex: bool) -> Command {
    Command::Conclude {
        on: d(on),
        outcome,
        major_complex,
        review_requested: false,
        deviation_reason: None,
        circumstance: None,
    }
}

fn fined(on: &str, p: Penalty) -> Command {
    conclude(on, Outcome::Penalty { penalty: p }, false)
}

fn notice(on: &str, method: &str) -> Command {
    Command::ServeNotice {
        on: d(on),
        method: method.into(),
    }
}

fn decide(on: &str) -> Command {
    Command::Decide { on: d(on) }
}

fn serve(on: &str, method: &str) -> Command {
    Command::ServeDecision {
        on: d(on),
        method: method.into(),
    }
}

fn pay(on: &str, amount_fen: i64) -> Command {
    Command::RecordPayment {
        on: d(on),
        amount_fen,
    }
}

fn extend(on: &str, days: u32) -> Command {
    Command::ExtendSeizure {
        on: d(on),
        days,
        reason: "需进一步检验".into(),
    }
}

fn discussion(on: &str, participants: &[&str]) -> Command {
    Command::HoldDiscussion {
        on: d(on),
        participants: participants.iter().map(|p| p.to_string()).collect(),
        conclusion: "同意给予行政处罚".into(),
    }
}

fn waive(on: &str) -> Command {
    Command::WaiveRights { on: d(on) }
}

/// How far [`W::walk`] takes a general-procedure case. Dates: lead and filing 2026-03-02,
/// record 03-03, conclusion 03-10, notice 03-11 (statement window to 03-18), decision 03-19,
/// service 03-23 (payment due 04-07).
#[derive(Clone, Copy)]
enum Point {
    Investigated,
    Concluded,
    Notified,
    Served,
}

impl W<'_> {
    /// Walks a new case against `party`, investigated by `team`, proposing `p`, up to `to`.
    async fn walk(mut self, party: Party, team: &[String], p: Penalty, to: Point) -> Self {
        let record = Command::MakeRecord {
            on: d("2026-03-03"),
            kind: "inspection".into(),
            place: "当事人经营场所".into(),
            officers: team.to_vec(),
            interviewee: None,
            content: "现场检查发现过期食品 12 盒".into(),
        };
        let assign = Command::AssignOfficers {
            on: d("2026-03-02"),
            officers: team.to_vec(),
        };
        let steps = rows![
            "lead" => lead(self.fx, "2026-03-02", party, "2026-02-20", false), OK;
            "filed" => file("2026-03-02", None), OK;
            "assigned" => assign, OK;
            "recorded" => record, OK;
            "concluded" => fined("2026-03-10", p), OK;
            "notice served" => notice("2026-03-11", "1"), OK;
            "decided" => decide("2026-03-19"), OK;
            "decision served" => serve("2026-03-23", "1"), OK;
        ];
        let n = [4, 5, 6, 8][to as usize];
        self.table(steps.into_iter().take(n).collect()).await;
        self
    }

    /// The case as the store projects it.
    async fn detail(&self) -> CaseDetail {
        let id = self.case.as_deref().expect("case");
        self.store.get_case_in(&self.scope, id).await.expect("case")
    }
}

/// A citizen's case investigated by O1 and O2 proposing a fine of `fen`, walked up to `to`.
async fn walk<'a>(store: &'a Store, fx: &'a Fx, tag: &'static str, fen: i64, to: Point) -> W<'a> {
    let team = [fx.o1.clone(), fx.o2.clone()];
    W::new(store, fx, tag)
        .walk(citizen(), &team, fine(fen), to)
        .await
}

// --------------------------------------------------------------------------------- tests

/// APL Art. 51: the simple procedure only for a warning or a fine of at most ¥200 (citizen) /
/// ¥3,000 (organisation); each allowed row starts its own case.
async fn apl_art_51_simple_procedure_thresholds_store(store: Store) {
    let fx = fixture(&store, 1).await;
    let spot = |party: Party, p: Penalty| Command::ImposeOnSpot {
        on: d("2026-05-06"),
        agency_id: fx.agency.id.clone(),
        party,
        place: "天河路与体育东路交叉口".into(),
        penalty: p,
        officers: vec![fx.o1.clone(), fx.o2.clone()],
        party_signed: true,
        collected_on_spot: false,
    };
    let over = no("case.simple.threshold", law::APL_51);
    let kind = no("case.simple.type", law::APL_51);
    let rows = rows![
        "citizen ¥200" => spot(citizen(), fine(20_000)), OK;
        "citizen ¥200.01" => spot(citizen(), fine(20_001)), over;
        "citizen warning" => spot(citizen(), penalty(&["01"], 0)), OK;
        "warning + ¥100" => spot(citizen(), penalty(&["01", "03"], 10_000)), OK;
        "organisation ¥3,000" => spot(org(), fine(300_000)), OK;
        "organisation ¥3,000.01" => spot(org(), fine(300_001)), over;
        "通报批评" => spot(citizen(), penalty(&["02"], 0)), kind;
        "暂扣许可证件" => spot(org(), penalty(&["07"], 0)), kind;
    ];
    let tags = ["s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7"];
    let mut cases = std::collections::HashSet::new();
    for (r, tag) in rows.into_iter().zip(tags) {
        let label = r.label;
        if let Some(out) = W::new(&store, &fx, tag).check(r).await {
            let kinds: Vec<&str> = out.events.iter().map(|e| e.kind.as_str()).collect();
            assert_eq!(kinds, ["on_spot_decided", "on_spot_filed"], "{label}");
            cases.insert(out.case_id);
        }
    }
    assert_eq!(cases.len(), 4);
}
store_test!(
    apl_art_51_simple_procedure_thresholds_store,
    apl_art_51_simple_procedure_thresholds_store_sqlite,
    apl_art_51_simple_procedure_thresholds_store_postgres
);

/// APL Art. 36: two years (five with harm to life, health or financial safety) from the act
/// to its discovery (the lead); the head may file beyond it with a recorded reason.
async fn apl_art_36_limitation_store(store: Store) {
    let fx = fixture(&store, 1).await;
    let lim = no("case.limitation", law::APL_36);
    let (why, blank) = (Some("违法行为处于继续状态"), Some("  "));
    // (label, act date, serious harm, override, expectation); the lead is of 2026-06-10.
    let rows: [(&str, &str, bool, Option<&str>, Expect); 6] = [
        ("2y to the day", "2024-06-10", false, None, OK),
        ("2y and a day", "2024-06-09", false, None, lim),
        ("2y+1d, head's reason", "2024-06-09", false, why, OK),
        ("2y+1d, blank reason", "2024-06-09", false, blank, lim),
        ("harm: 5y to the day", "2021-06-10", true, None, OK),
        ("harm: 5y and a day", "2021-06-09", true, None, lim),
    ];
    let tags = ["l0", "l1", "l2", "l3", "l4", "l5"];
    for ((label, act, serious, over, expect), tag) in rows.into_iter().zip(tags) {
        let mut w = W::new(&store, &fx, tag);
        w.ok("lead", lead(&fx, "2026-06-10", citizen(), act, serious))
            .await;
        if let Some(out) = w.check(row(label, file("2026-06-10", over), expect)).await {
            assert_eq!(out.events[0].kind, "case_filed", "{label}");
        }
    }
}
store_test!(
    apl_art_36_limitation_store,
    apl_art_36_limitation_store_sqlite,
    apl_art_36_limitation_store_postgres
);

/// APL Art. 44, 62: no decision (nor legal review) without a served prior notice, and none
/// while the statement window is open unless the party stated or waived.
async fn apl_art_44_62_no_decision_without_notice_store(store: Store) {
    let fx = fixture(&store, 1).await;
    let missing = no("case.notice.missing", law::APL_44);
    let open = no("case.statement.window_open", law::APL_62);
    let review = Command::RequestReview {
        on: d("2026-03-10"),
    };
    let mut w = walk(&store, &fx, "n", 50_000, Point::Concluded).await;
    w.table(rows![
        "decide before the notice" => decide("2026-03-10"), missing;
        "review before the notice" => review, missing;
        "notice served" => notice("2026-03-11", "1"), OK;
        "decide the next day" => decide("2026-03-12"), open;
        "decide on the window's last day" => decide("2026-03-18"), open;
        "decide after the window" => decide("2026-03-19"), OK;
    ])
    .await;
    // A waiver closes the window at once.
    let mut w = walk(&store, &fx, "m", 50_000, Point::Notified).await;
    w.table(rows![
        "decide before the waiver" => decide("2026-03-12"), open;
        "rights waived" => waive("2026-03-12"), OK;
        "decide after the waiver" => decide("2026-03-12"), OK;
    ])
    .await;
}
store_test!(
    apl_art_44_62_no_decision_without_notice_store,
    apl_art_44_62_no_decision_without_notice_store_sqlite,
    apl_art_44_62_no_decision_without_notice_store_postgres
);

/// APL Art. 45: statements are reviewed before deciding; a heavier penalty than notified needs
/// a new notice (which opens a new statement window); a lighter one does not.
async fn apl_art_45_no_heavier_penalty_store(store: Store) {
    let fx = fixture(&store, 1).await;
    let revise = |on: &str, fen: i64| Command::RevisePenalty {
        on: d(on),
        penalty: fine(fen),
        reason: "根据新证据调整".into(),
        deviation_reason: None,
        circumstance: None,
    };
    let statement = Command::ReceiveStatement {
        on: d("2026-03-12"),
        content: "当事人称已下架".into(),
    };
    let reviewed = Command::ReviewStatement {
        on: d("2026-03-13"),
        adopted: false,
        opinion: "理由不成立，不予采纳".into(),
    };
    let unreviewed = no("case.statement.unreviewed", law::APL_45);
    let heavier = no("case.notice.heavier", law::APL_45);
    let open = no("case.statement.window_open", law::APL_62);
    let mut w = walk(&store, &fx, "h", 50_000, Point::Notified).await;
    w.table(rows![
        "statement received" => statement, OK;
        "decide, statement unreviewed" => decide("2026-03-13"), unreviewed;
        "statement reviewed" => reviewed, OK;
        "revised heavier" => revise("2026-03-13", 80_000), OK;
        "decide heavier than notified" => decide("2026-03-13"), heavier;
        "decide still heavier later" => decide("2026-03-19"), heavier;
        "new notice, heavier fine" => notice("2026-03-16", "1"), OK;
        "decide in the new window" => decide("2026-03-16"), open;
        "revised lighter than notified" => revise("2026-03-17", 60_000), OK;
        "decide after the new window" => decide("2026-03-24"), OK;
    ])
    .await;
    assert_eq!(w.detail().await.summary.fine_fen, 60_000);
}
store_test!(
    apl_art_45_no_heavier_penalty_store,
    apl_art_45_no_heavier_penalty_store_sqlite,
    apl_art_45_no_heavier_penalty_store_postgres
);

/// APL Art. 58: a fine at the review threshold (¥10,000, citizen) locks the decision until a
/// qualified reviewer who did not investigate agrees (不同意 loops back); below the threshold
/// no review is needed.
async fn apl_art_58_legal_review_store(store: Store) {
    let fx = fixture(&store, 1).await;
    // A second qualified reviewer, who investigates this case.
    let input = officer_input(&fx.agency.id, "钱审", 14);
    let r2 = store.create_officer(&input, &actor()).await.expect("r2").id;
    let mut c = certificate_input(&r2, 14);
    c.legal_review_qualified = true;
    store.create_certificate(&c, &actor()).await.expect("cert");
    let team = [fx.o1.clone(), r2.clone()];
    let p = fine(1_000_000);
    let mut w = W::new(&store, &fx, "r")
        .walk(citizen(), &team, p, Point::Notified)
        .await;
    let required = no("case.review.required", law::APL_58);
    let request = |on: &str| Command::RequestReview { on: d(on) };
    let opinion = |on: &str, opinion, comments: &str| Command::GiveReview {
        on: d(on),
        opinion,
        comments: comments.into(),
    };
    let agree = opinion("2026-03-12", ReviewOpinion::Agree, "");
    let disagree = |comments| opinion("2026-03-12", ReviewOpinion::Disagree, comments);
    let unqualified = no("case.review.unqualified", law::APL_58);
    let investigator = no("case.review.investigator", law::APL_58);
    let reasons = no("case.review.comments", law::APL_58);
    w.table(rows![
        "rights waived" => waive("2026-03-12"), OK;
        "decide without review" => decide("2026-03-12"), required;
        "review requested" => request("2026-03-12"), OK;
        "decide while review pending" => decide("2026-03-12"), required;
        "reviewer without the qualification" => by("reviewer", &fx.o2, agree.clone()), unqualified;
        "reviewer who investigated" => by("reviewer", &r2, agree.clone()), investigator;
        "an officer gives the opinion" => by("officer", &fx.r1, agree), no("case.role", law::ROLES);
        "不同意 without reasons" => disagree(" "), reasons;
        "不同意" => disagree("证据不足"), OK;
        "decide after 不同意" => decide("2026-03-13"), required;
        "review requested again" => request("2026-03-13"), OK;
        "qualified reviewer agrees" => opinion("2026-03-13", ReviewOpinion::Agree, ""), OK;
        "decide after 同意" => decide("2026-03-13"), OK;
    ])
    .await;
    // Below the threshold: no review.
    let mut w = walk(&store, &fx, "q", 999_999, Point::Notified).await;
    w.table(rows![
        "rights waived" => waive("2026-03-12"), OK;
        "decide below the threshold" => decide("2026-03-12"), OK;
    ])
    .await;
}
store_test!(
    apl_art_58_legal_review_store,
    apl_art_58_legal_review_store_sqlite,
    apl_art_58_legal_review_store_postgres
);

/// APL Art. 63, 64: a fine of ¥10,000 gives a citizen hearing rights (less does not, nor for
/// an organisation); the request within 5 working days of the notice; the notice at least 7
/// working days ahead; the host no investigator; no decision while the hearing is pending.
async fn apl_art_63_64_hearing_store(store: Store) {
    let fx = fixture(&store, 1).await;
    let req = |on: &str| Command::RequestHearing { on: d(on) };
    let hn = |on: &str, date: &str, host: &str| Command::NoticeHearing {
        on: d(on),
        hearing_date: d(date),
        host: host.into(),
    };
    let hold = |on: &str| Command::HoldHearing {
        on: d(on),
        record: "听证笔录：当事人陈述申辩意见".into(),
    };
    let a = law::APL_64;
    let late = no("case.hearing.request_late", a);
    let short = no("case.hearing.notice_short", a);
    let host = no("case.hearing.host_investigator", a);
    let pending = no("case.hearing.pending", a);
    let early = no("case.hearing.before_date", a);
    let no_right = no("case.stage", law::APL_57);
    let (o1, r1) = (fx.o1.as_str(), fx.r1.as_str());
    let mut w = walk(&store, &fx, "h", 1_000_000, Point::Notified).await;
    w.table(rows![
        "request on the 6th working day" => req("2026-03-19"), late;
        "request on the 5th working day" => req("2026-03-18"), OK;
        "6 working days' notice" => hn("2026-03-19", "2026-03-27", r1), short;
        "an investigator hosts" => hn("2026-03-19", "2026-03-30", o1), host;
        "decide, hearing pending" => decide("2026-03-20"), pending;
        "7 working days' notice" => hn("2026-03-19", "2026-03-30", r1), OK;
        "held before its date" => hold("2026-03-27"), early;
        "held on its date" => hold("2026-03-30"), OK;
    ])
    .await;
    // Below the threshold: no hearing rights.
    let mut w = walk(&store, &fx, "g", 999_999, Point::Notified).await;
    w.table(rows![
        "citizen below ¥10,000" => req("2026-03-12"), no_right;
        "decide after the statement window" => decide("2026-03-19"), OK;
    ])
    .await;
    // An organisation: ¥10,000 gives no hearing right (threshold ¥100,000); ¥100,000 does.
    let team = [fx.o1.clone(), fx.o2.clone()];
    for (tag, fen, expect) in [("o", 1_000_000, no_right), ("p", 10_000_000, OK)] {
        let mut w = W::new(&store, &fx, tag)
            .walk(org(), &team, fine(fen), Point::Notified)
            .await;
        w.table(rows![
            "organisation" => req("2026-03-12"), expect;
        ])
        .await;
    }
}
store_test!(
    apl_art_63_64_hearing_store,
    apl_art_63_64_hearing_store_sqlite,
    apl_art_63_64_hearing_store_postgres
);

/// APL Art. 61: electronic service (method 5) only with the party's recorded consent, for the
/// notice and for the decision.
async fn apl_art_61_e_service_consent_store(store: Store) {
    let fx = fixture(&store, 1).await;
    let consent = Command::RecordEServiceConsent {
        on: d("2026-03-11"),
        address: "zhangsan@example.com".into(),
    };
    let none = no("case.service.no_consent", law::APL_61);
    let method = no("case.service.method", law::APL_61);
    let mut w = walk(&store, &fx, "e", 50_000, Point::Concluded).await;
    w.table(rows![
        "e-notice without consent" => notice("2026-03-11", "5"), none;
        "unknown method" => notice("2026-03-11", "9"), method;
        "consent recorded" => consent, OK;
        "e-notice with consent" => notice("2026-03-11", "5"), OK;
        "decided" => decide("2026-03-19"), OK;
        "e-served decision" => serve("2026-03-20", "5"), OK;
    ])
    .await;
    let mut w = walk(&store, &fx, "f", 50_000, Point::Notified).await;
    w.table(rows![
        "decided" => decide("2026-03-19"), OK;
        "e-served without consent" => serve("2026-03-20", "5"), none;
        "served by post" => serve("2026-03-20", "2"), OK;
    ])
    .await;
}
store_test!(
    apl_art_61_e_service_consent_store,
    apl_art_61_e_service_consent_store_sqlite,
    apl_art_61_e_service_consent_store_postgres
);

/// APL Art. 67, 72; ACL Art. 45: payment within 15 days of service (here to 2026-04-07); a
/// late payment first accrues the surcharge of 3 % a day, capped at the fine; a refused
/// payment does not record the surcharge either.
async fn apl_art_67_72_surcharge_store(store: Store) {
    let fx = fixture(&store, 1).await;
    let amount = no("case.payment.amount", law::APL_72);
    let not_done = no("case.close.not_done", law::APL_57);
    let close = |on: &str| Command::Close { on: d(on) };
    let kinds = |o: &CommandOutcome| o.events.iter().map(|e| e.kind.clone()).collect::<Vec<_>>();
    let surcharge = |o: &CommandOutcome| match &o.events[0].event {
        CaseEvent::SurchargeAccrued {
            days, amount_fen, ..
        } => (*days, *amount_fen),
        e => panic!("{e:?}"),
    };
    // On time: no surcharge.
    let mut w = walk(&store, &fx, "a", 50_000, Point::Served).await;
    w.table(rows![
        "nothing paid" => pay("2026-04-07", 0), amount;
        "more than owed" => pay("2026-04-07", 50_001), amount;
    ])
    .await;
    let out = w.ok("paid on the due day", pay("2026-04-07", 50_000)).await;
    assert_eq!(kinds(&out), ["payment_received"]);
    w.ok("closed", close("2026-04-08")).await;
    // Ten days late: 10 × 3 % × ¥500 = ¥150.
    let mut w = walk(&store, &fx, "b", 50_000, Point::Served).await;
    w.table(rows!["owed + 1 fen" => pay("2026-04-17", 65_001), amount;])
        .await;
    let out = w.ok("part, 10 days late", pay("2026-04-17", 30_000)).await;
    assert_eq!(kinds(&out), ["surcharge_accrued", "payment_received"]);
    assert_eq!(surcharge(&out), (10, 15_000));
    w.table(rows![
        "rest + 1 fen" => pay("2026-04-17", 35_001), amount;
        "close with money owed" => close("2026-04-17"), not_done;
    ])
    .await;
    let out = w.ok("the rest", pay("2026-04-17", 35_000)).await;
    assert_eq!(kinds(&out), ["payment_received"]);
    // Long overdue: capped at the fine.
    let mut w = walk(&store, &fx, "c", 50_000, Point::Served).await;
    w.table(rows!["twice + 1 fen" => pay("2026-06-01", 100_001), amount;])
        .await;
    let out = w.ok("twice the fine", pay("2026-06-01", 100_000)).await;
    assert_eq!(kinds(&out), ["surcharge_accrued", "payment_received"]);
    assert_eq!(surcharge(&out), (55, 50_000));
    let state = w.detail().await.state;
    assert_eq!((state.surcharge_fen, state.paid_fen), (50_000, 100_000));
    w.ok("closed", close("2026-06-02")).await;
}
store_test!(
    apl_art_67_72_surcharge_store,
    apl_art_67_72_surcharge_store_sqlite,
    apl_art_67_72_surcharge_store_postgres
);

/// ACL Art. 24, 25: seizure by the head for 30 days (here to 2026-04-02), extended once by at
/// most 30 days and never after the term ran out.
async fn acl_art_25_seizure_store(store: Store) {
    let fx = fixture(&store, 1).await;
    let a = law::ACL_25;
    let seize = |on: &str, measure: &str| Command::Seize {
        on: d(on),
        measure: measure.into(),
        items: "过期食品 12 盒".into(),
        officers: vec![fx.o1.clone(), fx.o2.clone()],
    };
    let release = |on: &str| Command::ReleaseSeizure { on: d(on) };
    let measure = no("case.seizure.measure", law::ACL_24);
    let active = no("case.seizure.active", a);
    let days = no("case.seizure.extension_days", a);
    let once = no("case.seizure.extended_once", a);
    let role = no("case.role", law::ROLES);
    let mut w = walk(&store, &fx, "z", 1, Point::Investigated).await;
    w.table(rows![
        "unknown measure" => seize("2026-03-03", "1"), measure;
        "by an officer" => by("officer", &fx.o1, seize("2026-03-03", "3")), role;
        "seized" => seize("2026-03-03", "3"), OK;
        "a second seizure" => seize("2026-03-04", "2"), active;
        "extended by 31 days" => extend("2026-04-01", 31), days;
        "extended by 30 days" => extend("2026-04-01", 30), OK;
        "extended again" => extend("2026-04-02", 10), once;
        "released" => release("2026-04-20"), OK;
    ])
    .await;
    let mut w = walk(&store, &fx, "y", 1, Point::Investigated).await;
    w.table(rows![
        "seized" => seize("2026-03-03", "3"), OK;
        "extended on the last day" => extend("2026-04-02", 1), OK;
    ])
    .await;
    let mut w = walk(&store, &fx, "x", 1, Point::Investigated).await;
    w.table(rows![
        "seized" => seize("2026-03-03", "3"), OK;
        "extended after the term" => extend("2026-04-03", 10), no("case.seizure.expired", a);
        "released" => release("2026-04-03"), OK;
    ])
    .await;
}
store_test!(
    acl_art_25_seizure_store,
    acl_art_25_seizure_store_sqlite,
    acl_art_25_seizure_store_postgres
);

/// APL Art. 57: an investigation needs records or evidence; a major or complex case is decided
/// only after a collective discussion of at least three heads (and its legal review).
async fn apl_art_57_collective_discussion_store(store: Store) {
    let fx = fixture(&store, 1).await;
    let a = law::APL_57;
    let heads = ["局长甲", "副局长乙", "副局长丙"];
    let too_few = no("case.officers.too_few", law::APL_42);
    let empty = no("case.investigation.empty", a);
    let required = no("case.discussion.required", a);
    let participants = no("case.discussion.participants", a);
    let (role, stage) = (no("case.role", law::ROLES), no("case.stage", a));
    // Officers assigned but nothing recorded yet.
    let assign = Command::AssignOfficers {
        on: d("2026-03-02"),
        officers: vec![fx.o1.clone(), fx.o2.clone()],
    };
    let mut w = W::new(&store, &fx, "v");
    w.table(rows![
        "lead" => lead(&fx, "2026-03-02", citizen(), "2026-02-20", false), OK;
        "filed" => file("2026-03-02", None), OK;
        "conclude without officers" => fined("2026-03-03", fine(50_000)), too_few;
        "assigned" => assign, OK;
        "conclude with nothing found" => fined("2026-03-03", fine(50_000)), empty;
    ])
    .await;
    // Major and complex.
    let penalty = Outcome::Penalty {
        penalty: fine(50_000),
    };
    let review = Command::GiveReview {
        on: d("2026-03-12"),
        opinion: ReviewOpinion::Agree,
        comments: String::new(),
    };
    let mut w = walk(&store, &fx, "x", 1, Point::Investigated).await;
    w.table(rows![
        "concluded as major and complex" => conclude("2026-03-10", penalty, true), OK;
        "notice" => notice("2026-03-11", "1"), OK;
        "waived" => waive("2026-03-11"), OK;
        "review requested" => Command::RequestReview { on: d("2026-03-12") }, OK;
        "review agreed" => review, OK;
        "decide without discussion" => decide("2026-03-12"), required;
        "two heads" => discussion("2026-03-12", &heads[..2]), participants;
        "by an officer" => by("officer", &fx.o1, discussion("2026-03-12", &heads)), role;
        "three heads" => discussion("2026-03-12", &heads), OK;
        "decide after discussion" => decide("2026-03-12"), OK;
    ])
    .await;
    // An ordinary case has no collective discussion.
    let mut w = walk(&store, &fx, "w", 50_000, Point::Notified).await;
    w.table(rows![
        "ordinary case" => discussion("2026-03-12", &heads), stage;
    ])
    .await;
}
store_test!(
    apl_art_57_collective_discussion_store,
    apl_art_57_collective_discussion_store_sqlite,
    apl_art_57_collective_discussion_store_postgres
);

/// APL Art. 33: 不予处罚 needs a known reason code, and an education measure for reasons 1–3;
/// the decision needs no prior notice, is served and the case closed without payment.
async fn apl_art_33_no_penalty_store(store: Store) {
    let fx = fixture(&store, 1).await;
    let np = |reason: &str, education: Option<&str>| {
        let education = education.map(str::to_string);
        let outcome = Outcome::NoPenalty {
            reason: reason.into(),
            education,
        };
        conclude("2026-03-10", outcome, false)
    };
    let reason = no("case.no_penalty.reason", law::APL_33);
    let education = no("case.no_penalty.education", law::APL_33);
    let stage = no("case.stage", law::APL_57);
    let mut w = walk(&store, &fx, "u", 1, Point::Investigated).await;
    w.table(rows![
        "unknown reason" => np("7", None), reason;
        "reason 1 without education" => np("1", None), education;
        "reason 1, blank education" => np("1", Some(" ")), education;
        "reason 4 needs no education" => np("4", None), OK;
        "reason 1 with education" => np("1", Some("当场批评教育")), OK;
        "decided without notice" => decide("2026-03-11"), OK;
        "served" => serve("2026-03-12", "1"), OK;
        "no payment" => pay("2026-03-12", 100), stage;
        "closed" => Command::Close { on: d("2026-03-13") }, OK;
    ])
    .await;
}
store_test!(
    apl_art_33_no_penalty_store,
    apl_art_33_no_penalty_store_sqlite,
    apl_art_33_no_penalty_store_postgres
);
