//! Demo cases (执法案件) through the real write path: for every case a script of commands
//! (`Envelope`, `Command`) is generated and handed to [`Store::run_case_scripts`], which
//! decides each command with the procedure rules of `zhifa_domain::case` and stores the
//! events, projections and ledger leaves. Nothing is inserted directly.
//!
//! The generator runs the same rules locally while it writes a script, so it knows the state
//! a case is in (which windows are open, what the surcharge is on a given day) and only emits
//! commands the rules allow. Whatever the store refuses nevertheless is a generator bug: the
//! load fails with the refusal.
//!
//! Distribution (realistic for a province node): about 30 % simple-procedure on-the-spot
//! decisions, the rest general procedure from lead to archive, with cases in every stage,
//! hearings, legal reviews, collective discussions, discretion deviations with reasons, late
//! payments with surcharge, deferrals, appeals, court applications, transfers, 不予处罚 and
//! some overdue clocks. Dates run from January 2025 to [`END`].

use std::collections::HashMap;
use std::time::Instant;

use anyhow::{Context as _, Result, bail};
use chrono::{Datelike, Duration, NaiveDate};
use zhifa_domain::calendar::LegalCalendar;
use zhifa_domain::case::{
    AgencyFacts, AppealKind, BenchmarkRange, CaseRules, CaseState, Command, Context, Envelope,
    OfficerFacts, Outcome, Party, Penalty, ReviewOpinion, Stage, decide, number_word, surcharge,
};
use zhifa_domain::ids::{OrgCode, citizen_id_with_check, uscc_with_check};
use zhifa_domain::region::{RegionLevel, RegionTable};
use zhifa_store::model::{PageRequest, PowerFilter, SubjectFilter};
use zhifa_store::{CaseScript, Scope, Store};

use super::rng::{Rng, person_name};

/// Last day of the demo data (the generator's "today"): fixed so the data set is identical on
/// every run.
pub const END: (i32, u32, u32) = (2026, 11, 27);
/// First day a demo case may start on.
const START: (i32, u32, u32) = (2025, 1, 2);
/// Cases generated.
pub const CASES: usize = 10_200;
/// Scripts handed to the store per call.
const CHUNK: usize = 1_000;

fn ymd(t: (i32, u32, u32)) -> NaiveDate {
    NaiveDate::from_ymd_opt(t.0, t.1, t.2).expect("valid constant date")
}

/// The last day of the demo data.
pub fn end_date() -> NaiveDate {
    ymd(END)
}

/// What the loader did.
#[derive(Debug, Default)]
pub struct CaseStats {
    /// Cases stored.
    pub cases: usize,
    /// Commands run.
    pub commands: usize,
    /// Cases per stage code (1–9).
    pub stages: [usize; 10],
    /// Simple-procedure cases.
    pub simple: usize,
    /// Seconds spent in the store.
    pub store_secs: f64,
    /// Seconds spent generating.
    pub generate_secs: f64,
}

/// A power (执法事项) of the penalty category with what a penalty names.
struct PowerInfo {
    id: String,
    /// The violation, e.g. 生产经营不符合食品安全标准的食品.
    violation: String,
    /// Violated provision (违反的法律条款).
    violated: String,
    /// Penalty basis (处罚依据).
    basis: String,
    benchmarks: Vec<BenchmarkRange>,
}

/// An agency with its officers and who acts for it.
struct Agency {
    facts: AgencyFacts,
    officers: Vec<OfficerFacts>,
    /// Counties its parties live in.
    counties: Vec<String>,
    /// The demo bureau with the accounts (广州市市场监督管理局).
    demo: bool,
    weight: u64,
}

/// User ids of the demo accounts by officer id (their commands carry the account).
type Accounts = HashMap<String, String>;

/// The demo accounts of the 广州 bureau: (officer's officer id, reviewer's, head's).
struct DemoTrio {
    officer: Option<String>,
    reviewer: Option<String>,
    head: Option<String>,
}

/// Loads the demo cases unless the database already holds cases. Returns what was stored.
pub async fn load(store: &Store, calendar: &LegalCalendar) -> Result<CaseStats> {
    let end = end_date();
    let today = zhifa_domain::time::ChinaDate::today().date().max(end);
    let existing = store
        .list_cases_in(
            &Scope::All,
            &Default::default(),
            today,
            PageRequest {
                offset: 0,
                limit: 1,
            },
        )
        .await?;
    if existing.total > 0 {
        return Ok(CaseStats {
            cases: existing.total as usize,
            ..CaseStats::default()
        });
    }
    let rules = store.case_rules().await?;
    let t = Instant::now();
    let world = World::read(store).await?;
    let mut rng = Rng::new(0x4341_5345_5320_4744); // "CASES GD"
    let mut stats = CaseStats::default();
    let mut scripts = Vec::with_capacity(CASES);
    let mut g = Gen {
        rng: &mut rng,
        cal: calendar,
        rules: &rules,
        end,
        world: &world,
        serial: 0,
    };
    while scripts.len() < CASES {
        let Some((script, state)) = g.case()? else {
            continue;
        };
        stats.stages[state.stage().code().parse::<usize>().unwrap_or(0)] += 1;
        if state.procedure == Some(zhifa_domain::case::Procedure::Simple) {
            stats.simple += 1;
        }
        stats.commands += script.commands.len();
        scripts.push(script);
    }
    stats.generate_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    for (n, chunk) in scripts.chunks(CHUNK).enumerate() {
        stats.cases += store_chunk(store, calendar, today, chunk, n * CHUNK).await?;
    }
    stats.store_secs = t.elapsed().as_secs_f64();
    Ok(stats)
}

/// Stores scripts through the rules. The generator follows the rules, so a refused script is
/// an error that names it (its index counted from `first`) and the refusal.
async fn store_chunk(
    store: &Store,
    calendar: &LegalCalendar,
    today: NaiveDate,
    chunk: &[CaseScript],
    first: usize,
) -> Result<usize> {
    let results = store
        .run_case_scripts(calendar, today, chunk)
        .await
        .context("while storing the demo cases")?;
    for (i, r) in results.iter().enumerate() {
        if let Err((at, refusal)) = r {
            let script = &chunk[i];
            bail!(
                "演示案件脚本 {} 的第 {} 条指令（{}）被拒绝：{}（{}，{}）\n指令：{}",
                first + i,
                at + 1,
                script.commands[*at].1.kind(),
                refusal.message,
                refusal.code,
                refusal.article,
                serde_json::to_string(&script.commands[*at].1).unwrap_or_default()
            );
        }
    }
    Ok(results.len())
}

/// Adds `count` more synthetic cases of the demo's kind to a node holding the demo data
/// (benchmarks at scale, `zhifa bench supervision --cases`), generated from `seed` and stored
/// a chunk at a time so memory stays flat; their idempotency keys start after `first_serial`,
/// clear of the demo's own.
pub async fn add(
    store: &Store,
    calendar: &LegalCalendar,
    count: usize,
    seed: u64,
    first_serial: u64,
) -> Result<CaseStats> {
    let end = end_date();
    let today = zhifa_domain::time::ChinaDate::today().date().max(end);
    let rules = store.case_rules().await?;
    let world = World::read(store).await?;
    let mut rng = Rng::new(seed);
    let mut stats = CaseStats::default();
    let mut g = Gen {
        rng: &mut rng,
        cal: calendar,
        rules: &rules,
        end,
        world: &world,
        serial: first_serial,
    };
    let started = Instant::now();
    while stats.cases < count {
        let mut scripts = Vec::with_capacity(CHUNK);
        while scripts.len() < CHUNK.min(count - stats.cases) {
            if let Some((script, _)) = g.case()? {
                stats.commands += script.commands.len();
                scripts.push(script);
            }
        }
        stats.cases += store_chunk(store, calendar, today, &scripts, stats.cases).await?;
    }
    stats.store_secs = started.elapsed().as_secs_f64();
    Ok(stats)
}

/// The facts the generator draws from (read from the store once).
struct World {
    agencies: Vec<Agency>,
    powers: HashMap<String, Vec<PowerInfo>>,
    accounts: Accounts,
    trio: DemoTrio,
    total_weight: u64,
}

impl World {
    async fn read(store: &Store) -> Result<World> {
        let page = PageRequest {
            offset: 0,
            limit: 500,
        };
        let table = RegionTable::builtin();
        let users = store.list_users(page).await?.items;
        let mut accounts = Accounts::new();
        let mut trio = DemoTrio {
            officer: None,
            reviewer: None,
            head: None,
        };
        let mut demo_subject = None;
        for u in &users {
            if let Some(o) = &u.officer_id {
                accounts.insert(o.clone(), u.id.clone());
                match u.username.as_str() {
                    "officer" => {
                        trio.officer = Some(o.clone());
                        demo_subject = u.subject_id.clone();
                    }
                    "reviewer" => trio.reviewer = Some(o.clone()),
                    "head" => trio.head = Some(o.clone()),
                    _ => {}
                }
            }
        }
        let subjects = store
            .list_subjects(&SubjectFilter::default(), page)
            .await?
            .items;
        let mut agencies = Vec::new();
        let mut total_weight = 0;
        for s in &subjects {
            let facts = store.case_agency(&s.id).await?;
            let officers = store.case_officers(&s.id).await?;
            let counties: Vec<String> = match table.get(&s.region_code).map(|r| r.level) {
                Some(RegionLevel::County) => vec![s.region_code.clone()],
                Some(RegionLevel::City) => table
                    .children(&s.region_code)
                    .into_iter()
                    .filter(|r| r.level == RegionLevel::County)
                    .map(|r| r.code.clone())
                    .collect(),
                _ => table
                    .iter()
                    .filter(|r| r.level == RegionLevel::County && r.code.starts_with("44"))
                    .map(|r| r.code.clone())
                    .collect(),
            };
            if counties.is_empty() {
                continue;
            }
            let demo = demo_subject.as_deref() == Some(s.id.as_str());
            // Caseloads: the demo bureau gets a full workbench; city bureaus carry most
            // cases, district bureaus fewer, province departments few (they supervise).
            let weight = if demo {
                60
            } else {
                match s.level.as_str() {
                    "2" => 2,
                    "3" => match s.field.as_str() {
                        "01" | "06" => 10,
                        "03" | "02" => 7,
                        _ => 5,
                    },
                    _ => 6,
                }
            };
            total_weight += weight;
            agencies.push(Agency {
                facts,
                officers,
                counties,
                demo,
                weight,
            });
        }
        let mut powers: HashMap<String, Vec<PowerInfo>> = HashMap::new();
        let list = store
            .list_powers(
                &PowerFilter {
                    category: Some("02".into()),
                    ..Default::default()
                },
                page,
            )
            .await?
            .items;
        for p in list {
            let penalty = p.bases.iter().find(|b| b.role == "penalty");
            let violated = p.bases.iter().find(|b| b.role == "violation").or(penalty);
            let (Some(penalty), Some(violated)) = (penalty, violated) else {
                continue;
            };
            let cite = |b: &zhifa_store::model::LegalBasis| {
                format!("《{}》{}", b.law_title, b.article_label)
            };
            let violation = p
                .name
                .trim_start_matches('对')
                .trim_end_matches("的行政处罚")
                .to_string();
            let benchmarks = store.power_benchmarks(&p.id).await?;
            powers.entry(p.field.clone()).or_default().push(PowerInfo {
                id: p.id,
                violation,
                violated: cite(violated),
                basis: cite(penalty),
                benchmarks,
            });
        }
        Ok(World {
            agencies,
            powers,
            accounts,
            trio,
            total_weight,
        })
    }
}

/// How far a general-procedure case goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Target {
    Lead,
    Investigating,
    Notice,
    Review,
    Decided,
    Executing,
    Closed,
    Archived,
}

/// The generator.
struct Gen<'a> {
    rng: &'a mut Rng,
    cal: &'a LegalCalendar,
    rules: &'a CaseRules,
    end: NaiveDate,
    world: &'a World,
    serial: u64,
}

/// Stops the script when the next act would lie after the end date.
struct Stop;

/// One case being written: its state as the rules see it and the commands so far.
struct Sim<'a> {
    agency: &'a Agency,
    power: Option<&'a PowerInfo>,
    state: CaseState,
    script: CaseScript,
    key: u64,
    /// The acting officer (first investigator) and the head.
    officer: String,
    head: String,
    accounts: &'a Accounts,
    end: NaiveDate,
    cal: &'a LegalCalendar,
    rules: &'a CaseRules,
    minute: u32,
}

/// Whether an officer may act in `field` on every day of `[from, to]`.
fn qualified(o: &OfficerFacts, field: &str, from: NaiveDate, to: NaiveDate) -> bool {
    o.active
        && o.certificates.iter().any(|c| {
            c.status == "1"
                && c.valid_from <= from
                && to <= c.valid_to
                && c.fields.iter().any(|f| f == field)
        })
}

fn review_qualified(o: &OfficerFacts, on: NaiveDate) -> bool {
    o.active
        && o.certificates.iter().any(|c| {
            c.legal_review_qualified && c.status == "1" && c.valid_from <= on && on <= c.valid_to
        })
}

impl<'a> Sim<'a> {
    /// Runs `cmd` through the rules as `role`; on success the command joins the script.
    fn run(
        &mut self,
        role: &str,
        officer_id: &str,
        cmd: Command,
    ) -> Result<std::result::Result<(), Stop>> {
        let on = cmd.on();
        if on > self.end {
            return Ok(Err(Stop));
        }
        let placeholder = number_word(&cmd).map(|w| format!("演示{w}〔{}〕0号", on.year()));
        let ctx = Context {
            today: self.end,
            calendar: self.cal,
            rules: self.rules,
            officers: &self.agency.officers,
            agency: Some(&self.agency.facts),
            benchmarks: self.power.map_or(&[], |p| p.benchmarks.as_slice()),
            number: placeholder.as_deref(),
        };
        self.minute = (self.minute + 7 + (self.key % 13) as u32) % 480;
        let env = Envelope {
            actor: self
                .accounts
                .get(officer_id)
                .cloned()
                .unwrap_or_else(|| "system:demo".to_string()),
            role: role.to_string(),
            officer_id: Some(officer_id.to_string()),
            at: format!(
                "{on}T{:02}:{:02}:00+08:00",
                9 + self.minute / 60,
                self.minute % 60
            ),
            place: None,
            idempotency_key: format!("demo-{}-{}", self.key, self.script.commands.len() + 1),
        };
        match decide(&self.state, &env, &cmd, &ctx) {
            Ok(events) => {
                for e in &events {
                    self.state.apply(e);
                }
                self.script.commands.push((env, cmd));
                Ok(Ok(()))
            }
            Err(r) => bail!(
                "demo generator wrote a command the rules refuse: {} at stage {} — {} ({}, {})\n{}",
                cmd.kind(),
                self.state.stage().zh(),
                r.message,
                r.code,
                r.article,
                serde_json::to_string(&cmd).unwrap_or_default()
            ),
        }
    }

    fn officer(&mut self, cmd: Command) -> Result<std::result::Result<(), Stop>> {
        let id = self.officer.clone();
        self.run("officer", &id, cmd)
    }

    fn head(&mut self, cmd: Command) -> Result<std::result::Result<(), Stop>> {
        let id = self.head.clone();
        self.run("head", &id, cmd)
    }

    fn last(&self) -> NaiveDate {
        self.state.last_on.unwrap_or(self.end)
    }

    /// The working day `lo..=hi` calendar days after the last act.
    fn after(&self, rng: &mut Rng, lo: i64, hi: i64) -> NaiveDate {
        let d = self.last() + Duration::days(lo + rng.below((hi - lo + 1) as u64) as i64);
        self.cal.next_working_day(d).date
    }

    fn working_after(&self, d: NaiveDate, n: u32) -> NaiveDate {
        self.cal.add_working_days(d, n).date
    }
}

/// `?` for a step that may stop the script at the end date.
macro_rules! step {
    ($e:expr) => {
        if $e?.is_err() {
            return Ok(Default::default());
        }
    };
}

const TRADE_NAMES: &[&str] = &[
    "粤海",
    "南方",
    "华盛",
    "宏达",
    "鸿运",
    "金信",
    "广信",
    "岭南",
    "珠江",
    "新世纪",
    "东方",
    "兴隆",
    "恒丰",
    "嘉和",
    "万顺",
    "利丰",
    "永安",
    "丰泰",
    "泰和",
    "裕华",
    "康乐",
    "明记",
    "荣昌",
    "汇通",
    "百佳",
    "穗丰",
    "海纳",
    "德润",
    "锦绣",
    "骏达",
];

/// Business lines by enforcement field: (company line, sole-trader shop).
fn trades(field: &str) -> (&'static [&'static str], &'static [&'static str]) {
    match field {
        "01" => (
            &["食品", "贸易", "电子商务", "餐饮管理", "医药连锁", "电器"],
            &["便利店", "粮油店", "肉菜档", "烧腊店", "小食店", "五金店"],
        ),
        "02" => (
            &["化工", "五金制品", "印染", "塑料制品", "电镀", "建材"],
            &["汽车维修店", "洗车场", "废品回收站", "石材加工场"],
        ),
        "03" => (
            &["物流", "汽车运输", "客运", "货运代理", "驾驶员培训"],
            &["货运部", "汽车修理厂", "搬家服务部"],
        ),
        "04" => (
            &["化工", "燃气", "机械制造", "仓储", "建筑工程"],
            &["五金加工厂", "烟花爆竹店", "加油站"],
        ),
        "05" => (
            &["医疗投资", "口腔门诊", "美容", "医疗器械", "酒店管理"],
            &["诊所", "美容院", "理发店", "足浴店"],
        ),
        "06" => (
            &["房地产开发", "建筑工程", "装饰工程", "市政工程", "物业管理"],
            &["大排档", "水果店", "广告招牌店", "建材店"],
        ),
        "07" => (
            &["文化传播", "娱乐", "演艺", "网吧连锁"],
            &["KTV", "网吧", "游艺厅"],
        ),
        _ => (
            &["农业科技", "种业", "农资", "生态农业"],
            &["农资店", "种子店", "兽药店"],
        ),
    }
}

impl Gen<'_> {
    fn date_between(&mut self, from: NaiveDate, to: NaiveDate) -> NaiveDate {
        let span = (to - from).num_days().max(0) as u64;
        let d = from + Duration::days(self.rng.below(span + 1) as i64);
        self.cal.next_working_day(d).date
    }

    fn pick_agency(&mut self) -> usize {
        let w = self.world.total_weight;
        let mut roll = self.rng.below(w);
        for (i, a) in self.world.agencies.iter().enumerate() {
            if roll < a.weight {
                return i;
            }
            roll -= a.weight;
        }
        0
    }

    fn org_uscc(&mut self, kind: &str, region: &str) -> Result<String> {
        loop {
            let body = format!("{:08}", 10_000_000 + self.rng.below(89_999_999));
            if let Some(org) = "0123456789X"
                .chars()
                .find_map(|c| OrgCode::parse(&format!("{body}{c}")).ok())
            {
                return Ok(uscc_with_check(&format!("{kind}{region}{}", org.as_str()))?
                    .as_str()
                    .to_string());
            }
        }
    }

    fn citizen(&mut self, region: &str, male: bool) -> Result<String> {
        let birth = ymd((1958, 1, 1)) + Duration::days(self.rng.below(16_800) as i64);
        let seq = self.rng.below(499) * 2 + u64::from(male);
        let id17 = format!("{region}{}{seq:03}", birth.format("%Y%m%d"));
        Ok(citizen_id_with_check(&id17)?.as_str().to_string())
    }

    fn party(&mut self, a: &Agency) -> Result<Party> {
        let table = RegionTable::builtin();
        let county = self.rng.pick(&a.counties).clone();
        let place = table.get(&county).map_or("", |r| r.name.as_str());
        let city = table
            .get(&format!("{}00", &county[..4]))
            .map_or("广东省", |r| r.name.as_str());
        let street = format!(
            "{city}{place}{}路{}号",
            self.rng.pick(TRADE_NAMES),
            1 + self.rng.below(300)
        );
        let phone = Some(format!("13{:09}", self.rng.below(1_000_000_000)));
        let (lines, shops) = trades(&a.facts.field);
        let roll = self.rng.below(100);
        Ok(match roll {
            0..=27 => {
                let male = self.rng.chance(64);
                Party {
                    party_type: "1".into(),
                    name: person_name(self.rng, male),
                    id_number: Some(self.citizen(&county, male)?),
                    legal_rep: None,
                    address: Some(street),
                    phone,
                }
            }
            28..=47 => {
                let male = self.rng.chance(60);
                let owner = person_name(self.rng, male);
                Party {
                    party_type: "4".into(),
                    name: format!(
                        "{}{}{}",
                        place.trim_end_matches(['区', '县', '市']),
                        self.rng.pick(TRADE_NAMES),
                        self.rng.pick(shops)
                    ),
                    id_number: Some(self.org_uscc("92", &county)?),
                    legal_rep: Some(owner),
                    address: Some(street),
                    phone,
                }
            }
            48..=50 => Party {
                party_type: "3".into(),
                name: format!(
                    "广东{}{}有限公司{}分公司",
                    self.rng.pick(TRADE_NAMES),
                    self.rng.pick(lines),
                    place.trim_end_matches(['区', '县', '市'])
                ),
                id_number: Some(self.org_uscc("91", &county)?),
                legal_rep: Some(person_name(self.rng, true)),
                address: Some(street),
                phone,
            },
            _ => {
                let prefix = if self.rng.chance(30) {
                    "广东".to_string()
                } else {
                    city.trim_end_matches('市').to_string()
                };
                let male = self.rng.chance(70);
                Party {
                    party_type: "2".into(),
                    name: format!(
                        "{prefix}{}{}有限公司",
                        self.rng.pick(TRADE_NAMES),
                        self.rng.pick(lines)
                    ),
                    id_number: Some(self.org_uscc("91", &county)?),
                    legal_rep: Some(person_name(self.rng, male)),
                    address: Some(street),
                    phone,
                }
            }
        })
    }

    /// Two (sometimes three) investigators qualified over `[from, to]`, the demo officer
    /// first in most of the demo bureau's cases; reviewers are kept out when possible.
    fn investigators(&mut self, a: &Agency, from: NaiveDate, to: NaiveDate) -> Option<Vec<String>> {
        let field = &a.facts.field;
        let mut pool: Vec<&OfficerFacts> = a
            .officers
            .iter()
            .filter(|o| qualified(o, field, from, to))
            .collect();
        // Keep the legal reviewers free for the review (Art. 58) when the agency can.
        if pool.iter().filter(|o| !review_qualified(o, from)).count() >= 2 {
            pool.retain(|o| !review_qualified(o, from));
        }
        if pool.len() < 2 {
            return None;
        }
        let mut ids: Vec<String> = pool.iter().map(|o| o.officer_id.clone()).collect();
        // Shuffle (Fisher–Yates).
        for i in (1..ids.len()).rev() {
            let j = self.rng.below(i as u64 + 1) as usize;
            ids.swap(i, j);
        }
        if a.demo
            && let Some(me) = &self.world.trio.officer
            && let Some(i) = ids.iter().position(|x| x == me)
            && self.rng.chance(80)
        {
            ids.swap(0, i);
        }
        let n = if ids.len() > 2 && self.rng.chance(15) {
            3
        } else {
            2
        };
        ids.truncate(n);
        Some(ids)
    }

    fn head_of(&mut self, a: &Agency) -> String {
        if a.demo
            && let Some(h) = &self.world.trio.head
        {
            return h.clone();
        }
        a.officers
            .first()
            .map(|o| o.officer_id.clone())
            .unwrap_or_default()
    }

    /// One case: its script and the state it ends in, or None when the drawn agency cannot
    /// staff it on the drawn dates.
    fn case(&mut self) -> Result<Option<(CaseScript, CaseState)>> {
        self.serial += 1;
        let world = self.world;
        let a = &world.agencies[self.pick_agency()];
        let powers = world.powers.get(&a.facts.field).map(Vec::as_slice);
        let Some(powers) = powers.filter(|p| !p.is_empty()) else {
            return Ok(None);
        };
        let power = &powers[self.rng.below(powers.len() as u64) as usize];
        let simple = self.rng.chance(30);
        let (start, end) = (ymd(START), self.end);
        let (target, first) = if simple {
            (Target::Archived, self.date_between(start, end))
        } else {
            let roll = self.rng.below(100);
            let target = match roll {
                0..=5 => Target::Lead,
                6..=13 => Target::Investigating,
                14..=19 => Target::Notice,
                20..=24 => Target::Review,
                25..=26 => Target::Decided,
                27..=34 => Target::Executing,
                35..=59 => Target::Closed,
                _ => Target::Archived,
            };
            // Open cases mostly started recently; a fifth of them started long ago and are
            // now overdue.
            let typical = match target {
                Target::Lead => (0, 10),
                Target::Investigating => (20, 75),
                Target::Notice => (55, 75),
                Target::Review => (70, 90),
                Target::Decided => (80, 95),
                Target::Executing => (95, 150),
                _ => (160, 700),
            };
            let first = if target >= Target::Closed || self.rng.chance(20) {
                self.date_between(start, end - Duration::days(typical.0))
            } else {
                self.date_between(
                    end - Duration::days(typical.1),
                    end - Duration::days(typical.0),
                )
            };
            (target, first)
        };
        let horizon = (first + Duration::days(240)).min(end);
        let Some(investigators) = self.investigators(a, first, horizon) else {
            return Ok(None);
        };
        let head = self.head_of(a);
        let party = self.party(a)?;
        let mut sim = Sim {
            agency: a,
            power: Some(power),
            state: CaseState::default(),
            script: CaseScript::default(),
            key: self.serial,
            officer: investigators[0].clone(),
            head,
            accounts: &world.accounts,
            end,
            cal: self.cal,
            rules: self.rules,
            minute: 0,
        };
        if simple {
            self.simple(&mut sim, power, party, investigators, first)?;
        } else {
            self.general(&mut sim, power, party, investigators, first, target)?;
        }
        if sim.script.commands.is_empty() {
            return Ok(None);
        }
        Ok(Some((sim.script, sim.state)))
    }

    fn facts(&mut self, p: &PowerInfo, party: &Party, act: NaiveDate) -> String {
        format!(
            "经查，当事人{}于{}年{}月{}日起{}。上述事实有现场检查笔录、询问笔录、相关票据及照片等证据证实。",
            party.name,
            act.year(),
            act.month(),
            act.day(),
            p.violation
        )
    }

    /// A fine (fen) inside `[lo, hi]`, rounded to ¥100 where the range allows.
    fn fine_in(&mut self, lo: i64, hi: i64) -> i64 {
        let lo = lo.max(1);
        let hi = hi.max(lo);
        let raw = lo + (self.rng.below((hi - lo) as u64 + 1) as i64);
        let rounded = raw / 10_000 * 10_000;
        if rounded >= lo { rounded } else { raw }
    }

    fn simple(
        &mut self,
        sim: &mut Sim<'_>,
        power: &PowerInfo,
        party: Party,
        investigators: Vec<String>,
        on: NaiveDate,
    ) -> Result<()> {
        let citizen = party.is_citizen();
        let max = if citizen {
            self.rules.simple_max_fine_citizen
        } else {
            self.rules.simple_max_fine_org
        };
        let warning = self.rng.chance(25);
        let fine = if warning {
            0
        } else {
            // ¥50 steps from ¥50 to the Art. 51 ceiling, weighted to small amounts.
            let steps = (max / 5_000).max(1) as u64;
            let k = self.rng.below(steps).min(self.rng.below(steps)) + 1;
            k as i64 * 5_000
        };
        let penalty = Penalty {
            types: vec![if warning { "01" } else { "03" }.to_string()],
            fine_fen: fine,
            confiscation_fen: 0,
            licence: None,
            facts: self.facts(power, &party, on),
            violated: power.violated.clone(),
            basis: power.basis.clone(),
        };
        let collected =
            fine > 0 && fine <= self.rules.on_spot_collection_max && self.rng.chance(60);
        let place = party.address.clone().unwrap_or_else(|| "现场".into());
        sim.power = None;
        step!(sim.officer(Command::ImposeOnSpot {
            on,
            agency_id: sim.agency.facts.id.clone(),
            party,
            place,
            penalty,
            officers: investigators,
            party_signed: self.rng.chance(95),
            collected_on_spot: collected,
        }));
        if sim.state.outstanding() > 0 {
            step!(self.pay(sim, Target::Archived));
        }
        self.close(sim, Target::Archived)
    }

    #[allow(clippy::too_many_arguments)]
    fn general(
        &mut self,
        sim: &mut Sim<'_>,
        power: &PowerInfo,
        party: Party,
        investigators: Vec<String>,
        on: NaiveDate,
        target: Target,
    ) -> Result<()> {
        let act = on - Duration::days(self.rng.below(60) as i64);
        let source = *self
            .rng
            .pick(&["1", "1", "1", "2", "2", "3", "4", "5", "9"]);
        let cause = format!("涉嫌{}案", power.violation.trim_end_matches("等行为"));
        step!(sim.officer(Command::RegisterLead {
            on,
            agency_id: sim.agency.facts.id.clone(),
            source: source.to_string(),
            cause,
            party: party.clone(),
            act_date: act,
            act_ended: None,
            serious_harm: self.rng.chance(5),
            power_id: Some(power.id.clone()),
            summary: format!("{}：{}", party.name, power.violation),
        }));
        if target == Target::Lead {
            return Ok(());
        }
        if self.rng.chance(4) {
            let d = sim.after(self.rng, 2, 10);
            step!(sim.head(Command::RejectLead {
                on: d,
                reason: "经核查，举报事项不属实，无违法事实".into(),
            }));
            return Ok(());
        }
        // Filing within the 15 working days; a few late.
        let late = self.rng.chance(4);
        let d = if late {
            sim.after(self.rng, 25, 40)
        } else {
            sim.after(self.rng, 1, 12)
        };
        step!(sim.head(Command::FileCase {
            on: d,
            limitation_override: None,
        }));
        step!(sim.officer(Command::AssignOfficers {
            on: sim.after(self.rng, 0, 2),
            officers: investigators.clone(),
        }));
        let address = party
            .address
            .clone()
            .unwrap_or_else(|| "当事人经营场所".into());
        step!(sim.officer(Command::MakeRecord {
            on: sim.after(self.rng, 1, 8),
            kind: "inspection".into(),
            place: address.clone(),
            officers: investigators.clone(),
            interviewee: party.legal_rep.clone().or(Some(party.name.clone())),
            content: format!("现场检查发现{}。", power.violation),
        }));
        if self.rng.chance(45) {
            step!(sim.officer(Command::AddEvidence {
                on: sim.after(self.rng, 0, 5),
                evidence_type: self.rng.pick(&["1", "2", "3", "4", "8"]).to_string(),
                description: "现场照片及相关票据复印件".into(),
                sm3: None,
            }));
        }
        if self.rng.chance(25) {
            step!(sim.officer(Command::MakeRecord {
                on: sim.after(self.rng, 1, 10),
                kind: "inquiry".into(),
                place: format!("{}询问室", sim.agency.facts.name),
                officers: investigators.clone(),
                interviewee: party.legal_rep.clone().or(Some(party.name.clone())),
                content: "当事人对违法事实无异议。".into(),
            }));
        }
        if self.rng.chance(4) {
            step!(sim.head(Command::PreserveEvidence {
                on: sim.after(self.rng, 0, 3),
                items: "涉案产品一批（详见物品清单）".into(),
            }));
            step!(sim.officer(Command::DecidePreservation {
                on: sim.after(self.rng, 1, 5),
                disposition: "送检后退还当事人".into(),
            }));
        }
        if self.rng.chance(2) {
            step!(sim.head(Command::Seize {
                on: sim.after(self.rng, 0, 3),
                measure: self.rng.pick(&["2", "3"]).to_string(),
                items: "涉案物品（详见查封、扣押清单）".into(),
                officers: investigators.clone(),
            }));
            step!(sim.officer(Command::StartSeizureTesting {
                on: sim.after(self.rng, 1, 5),
            }));
            step!(sim.officer(Command::EndSeizureTesting {
                on: sim.after(self.rng, 5, 15),
            }));
            step!(sim.head(Command::ReleaseSeizure {
                on: sim.after(self.rng, 3, 12),
            }));
        }
        if target == Target::Investigating {
            return Ok(());
        }
        // Conclusion (Art. 57).
        let roll = self.rng.below(100);
        let major = self.rng.chance(5);
        let d = sim.after(self.rng, 8, 35);
        let (outcome, circumstance, deviation) = match roll {
            0..=7 => (
                Outcome::NoPenalty {
                    reason: self.rng.pick(&["1", "2", "2", "3"]).to_string(),
                    education: Some("对当事人进行了批评教育，责令改正".into()),
                },
                None,
                None,
            ),
            8..=10 => (Outcome::NotEstablished, None, None),
            11..=14 => (
                Outcome::Transfer {
                    organ: format!(
                        "{}公安局",
                        RegionTable::builtin()
                            .get(&format!("{}00", &sim.agency.facts.region_code[..4]))
                            .map_or("广东省".to_string(), |r| r.name.clone())
                    ),
                },
                None,
                None,
            ),
            _ => {
                let (penalty, level, deviation) = self.penalty(power, &party, act);
                (Outcome::Penalty { penalty }, level, deviation)
            }
        };
        let penalty_case = matches!(outcome, Outcome::Penalty { .. });
        step!(sim.officer(Command::Conclude {
            on: d,
            outcome,
            major_complex: major,
            review_requested: false,
            deviation_reason: deviation,
            circumstance,
        }));
        if sim.state.stage() == Stage::Transferred {
            if target >= Target::Closed && self.rng.chance(60) {
                step!(sim.head(Command::Close {
                    on: sim.after(self.rng, 3, 20),
                }));
            }
            return Ok(());
        }
        if self.rng.chance(4)
            && let Some(due) =
                zhifa_domain::case::deadlines(&sim.state, self.cal, self.rules, sim.last())
                    .iter()
                    .find(|c| c.kind == zhifa_domain::case::ClockKind::Decision)
                    .map(|c| c.due)
            && sim.last() + Duration::days(3) <= due
        {
            step!(sim.head(Command::ExtendDecisionPeriod {
                on: sim.after(self.rng, 0, 2).min(due),
                days: 30,
                reason: "案情复杂，需进一步调查取证，经负责人批准延长办案期限".into(),
            }));
        }
        if penalty_case {
            if target == Target::Notice && self.rng.chance(40) {
                return Ok(());
            }
            if !self.notice_phase(sim)? || target == Target::Notice {
                return Ok(());
            }
        }
        // Legal review (Art. 58) when triggered, or asked for by hand.
        let triggered = !sim.state.review_triggers(self.rules).is_empty();
        if triggered || target == Target::Review || self.rng.chance(10) {
            step!(sim.officer(Command::RequestReview {
                on: sim.after(self.rng, 1, 5),
            }));
            if target == Target::Review {
                return Ok(());
            }
            self.review(sim, penalty_case)?;
            if !sim.state.review_approved() {
                return Ok(());
            }
        }
        if sim.state.major_complex {
            step!(sim.head(Command::HoldDiscussion {
                on: sim.after(self.rng, 1, 7),
                participants: vec![
                    "局长".into(),
                    "分管副局长".into(),
                    "法规科科长".into(),
                    "承办科室负责人".into(),
                ],
                conclusion: "经集体讨论，同意承办机构的处理意见".into(),
            }));
        }
        step!(sim.head(Command::Decide {
            on: sim.after(self.rng, 1, 6),
        }));
        if target == Target::Decided {
            return Ok(());
        }
        let consent = sim.state.e_service.is_some();
        let method = if consent && self.rng.chance(70) {
            "5"
        } else {
            self.rng.pick(&["1", "1", "1", "3", "2"])
        };
        let d = if self.rng.chance(3) {
            sim.after(self.rng, 12, 20)
        } else {
            sim.after(self.rng, 0, 6)
        };
        step!(sim.officer(Command::ServeDecision {
            on: d,
            method: method.to_string(),
        }));
        if penalty_case && self.rng.chance(92) {
            step!(sim.officer(Command::Publish {
                on: sim.after(self.rng, 0, 4),
            }));
        }
        if sim.state.outstanding() > 0 {
            step!(self.pay(sim, target));
        }
        self.close(sim, target)
    }

    /// A proposed penalty for `power`: the circumstance level, the fine inside its benchmark
    /// range (or, rarely, outside it with a written reason).
    fn penalty(
        &mut self,
        power: &PowerInfo,
        party: &Party,
        act: NaiveDate,
    ) -> (Penalty, Option<String>, Option<String>) {
        let level = match self.rng.below(100) {
            0..=14 => "1",
            15..=62 => "2",
            63..=90 => "3",
            _ => "4",
        };
        let range = power.benchmarks.iter().find(|b| b.level == level);
        let mut deviation = None;
        let fine = match range {
            Some(r) if r.max_fen > 0 => {
                let f = self.fine_in(r.min_fen, r.max_fen);
                if r.min_fen >= 20_000 && self.rng.chance(5) {
                    deviation = Some(
                        "当事人主动消除违法行为危害后果并积极退赔，依据《行政处罚法》第三十二条减轻处罚"
                            .to_string(),
                    );
                    (r.min_fen * 6 / 10) / 10_000 * 10_000
                } else {
                    f
                }
            }
            // A fine set as a multiple of a base (goods value, illegal income).
            _ => self.fine_in(200_000, 5_000_000),
        };
        let mut types = Vec::new();
        if self.rng.chance(20) {
            types.push("01".to_string());
        }
        types.push("03".to_string());
        let confiscation = if self.rng.chance(20) {
            types.push("04".to_string());
            self.fine_in(50_000, 2_000_000)
        } else {
            0
        };
        let penalty = Penalty {
            types,
            fine_fen: fine.max(1),
            confiscation_fen: confiscation,
            licence: None,
            facts: self.facts(power, party, act),
            violated: power.violated.clone(),
            basis: power.basis.clone(),
        };
        let level = (!power.benchmarks.is_empty()).then(|| level.to_string());
        (penalty, level, deviation)
    }

    /// Prior notice, statements and the hearing branch (Art. 44, 45, 63, 64).
    fn notice_phase(&mut self, sim: &mut Sim<'_>) -> Result<bool> {
        let consent = self.rng.chance(20);
        if consent {
            step!(sim.officer(Command::RecordEServiceConsent {
                on: sim.after(self.rng, 1, 4),
                address: format!("{}@139.com", 13_800_000_000u64 + self.rng.below(99_999_999)),
            }));
        }
        let method = if consent {
            "5"
        } else {
            self.rng.pick(&["1", "1", "3"])
        };
        step!(sim.officer(Command::ServeNotice {
            on: sim.after(self.rng, 1, 6),
            method: method.to_string(),
        }));
        let n_on = sim.last();
        let hearing_right = sim.state.notice.as_ref().is_some_and(|n| n.hearing_right);
        let window = sim.working_after(n_on, self.rules.statement_working_days);
        let hearing_due = sim.working_after(n_on, self.rules.hearing_request_working_days);
        let roll = self.rng.below(100);
        if hearing_right && roll < 45 {
            let req = self.date_between(n_on + Duration::days(1), hearing_due);
            step!(sim.officer(Command::RequestHearing {
                on: req.min(hearing_due).max(n_on),
            }));
            if self.rng.chance(15) {
                step!(sim.officer(Command::WaiveHearing {
                    on: sim.after(self.rng, 1, 5),
                    reason: "当事人书面撤回听证申请".into(),
                }));
            } else {
                let notice_on = sim.after(self.rng, 1, 3);
                let hearing_date = self.cal.next_working_day(
                    sim.working_after(notice_on, self.rules.hearing_notice_working_days)
                        + Duration::days(self.rng.below(6) as i64),
                );
                let host = self.host(sim, notice_on);
                let Some(host) = host else {
                    step!(sim.officer(Command::WaiveHearing {
                        on: notice_on,
                        reason: "当事人书面撤回听证申请".into(),
                    }));
                    return Ok(false);
                };
                step!(sim.officer(Command::NoticeHearing {
                    on: notice_on,
                    hearing_date: hearing_date.date,
                    host,
                }));
                step!(sim.officer(Command::HoldHearing {
                    on: hearing_date.date,
                    record: "听证会依法举行，当事人进行了陈述和申辩，调查人员出示了证据".into(),
                }));
            }
            // The statement window has passed or the hearing covered it.
            if sim.last() <= window {
                step!(sim.officer(Command::ReceiveStatement {
                    on: sim.last(),
                    content: "当事人在听证中提出的陈述申辩意见".into(),
                }));
                step!(sim.officer(Command::ReviewStatement {
                    on: sim.after(self.rng, 0, 3),
                    adopted: false,
                    opinion: "经复核，当事人提出的事实、理由不成立，不予采纳".into(),
                }));
            }
            return Ok(true);
        }
        match roll {
            0..=54 => {
                step!(sim.officer(Command::WaiveRights {
                    on: sim.after(self.rng, 0, 3),
                }));
            }
            55..=74 => {
                step!(sim.officer(Command::ReceiveStatement {
                    on: self.date_between(n_on, window),
                    content: "当事人提交书面陈述申辩，称系初次违法且已整改".into(),
                }));
                let adopted = self.rng.chance(15);
                step!(sim.officer(Command::ReviewStatement {
                    on: sim.after(self.rng, 1, 5),
                    adopted,
                    opinion: if adopted {
                        "经复核，当事人提出的部分理由成立，予以采纳".into()
                    } else {
                        "经复核，当事人提出的事实、理由不成立，不予采纳".into()
                    },
                }));
                if hearing_right && sim.last() <= hearing_due {
                    // Wait for the hearing window to close.
                    let d = self.cal.next_working_day(hearing_due + Duration::days(1));
                    if d.date > sim.end {
                        return Ok(false);
                    }
                    step!(sim.officer(Command::AddEvidence {
                        on: d.date,
                        evidence_type: "6".into(),
                        description: "当事人书面陈述申辩材料".into(),
                        sm3: None,
                    }));
                }
            }
            _ => {
                // The windows lapse without statements; the case moves after they close.
                let close = window.max(if hearing_right { hearing_due } else { window });
                let d = self.cal.next_working_day(close + Duration::days(1));
                if d.date > sim.end {
                    return Ok(false);
                }
                step!(sim.officer(Command::AddEvidence {
                    on: d.date,
                    evidence_type: "1".into(),
                    description: "送达回证（当事人逾期未提出陈述申辩）".into(),
                    sm3: None,
                }));
            }
        }
        Ok(true)
    }

    /// A hearing host: qualified on `on`, not an investigator.
    fn host(&mut self, sim: &Sim<'_>, on: NaiveDate) -> Option<String> {
        let field = &sim.agency.facts.field;
        let hosts: Vec<&OfficerFacts> = sim
            .agency
            .officers
            .iter()
            .filter(|o| {
                qualified(o, field, on, on)
                    && !sim
                        .state
                        .officers
                        .iter()
                        .any(|x| x.officer_id == o.officer_id)
            })
            .collect();
        if hosts.is_empty() {
            return None;
        }
        Some(self.rng.pick(&hosts).officer_id.clone())
    }

    /// The legal review opinion (and, sometimes, a revision round first).
    /// A legal reviewer for `on`: qualified that day, not an investigator (Art. 58); the demo
    /// reviewer account in the demo bureau when it qualifies.
    fn reviewer(&self, sim: &Sim<'_>, on: NaiveDate) -> Option<String> {
        let reviewers: Vec<String> = sim
            .agency
            .officers
            .iter()
            .filter(|o| {
                review_qualified(o, on)
                    && !sim
                        .state
                        .officers
                        .iter()
                        .any(|x| x.officer_id == o.officer_id)
            })
            .map(|o| o.officer_id.clone())
            .collect();
        match &self.world.trio.reviewer {
            Some(r) if sim.agency.demo && reviewers.contains(r) => Some(r.clone()),
            _ => reviewers.first().cloned(),
        }
    }

    fn review(&mut self, sim: &mut Sim<'_>, penalty_case: bool) -> Result<()> {
        let on = sim.after(self.rng, 1, 7);
        let Some(reviewer) = self.reviewer(sim, on) else {
            return Ok(());
        };
        let revise = penalty_case
            && self.rng.chance(8)
            && sim
                .state
                .proposal
                .as_ref()
                .is_some_and(|p| p.fine_fen >= 40_000);
        if revise {
            step!(sim.run(
                "reviewer",
                &reviewer,
                Command::GiveReview {
                    on,
                    opinion: ReviewOpinion::Revise,
                    comments: "罚款数额偏高，建议结合当事人整改情况在裁量基准内从轻确定".into(),
                }
            ));
            let mut p = sim.state.proposal.clone().unwrap_or_default();
            let floor = sim
                .state
                .discretion
                .as_ref()
                .map_or(10_000, |d| d.benchmark.min_fen.max(10_000));
            let lower = (p.fine_fen * 8 / 10).max(floor).min(p.fine_fen);
            p.fine_fen = lower;
            step!(sim.officer(Command::RevisePenalty {
                on: sim.after(self.rng, 1, 4),
                penalty: p,
                reason: "根据法制审核意见调整罚款数额".into(),
                deviation_reason: sim.state.discretion.as_ref().and_then(|d| d.reason.clone()),
                circumstance: None,
            }));
            step!(sim.officer(Command::RequestReview {
                on: sim.after(self.rng, 0, 2),
            }));
        }
        let on = sim.after(self.rng, 1, 5);
        let Some(reviewer) = self.reviewer(sim, on) else {
            return Ok(());
        };
        step!(sim.run(
            "reviewer",
            &reviewer,
            Command::GiveReview {
                on,
                opinion: ReviewOpinion::Agree,
                comments: "事实清楚，证据确凿，适用依据正确，程序合法，处罚适当".into(),
            }
        ));
        Ok(())
    }

    /// Payment: on time mostly; late with surcharge, deferred, appealed, or enforced through
    /// the court.
    fn pay(&mut self, sim: &mut Sim<'_>, target: Target) -> Result<std::result::Result<(), Stop>> {
        if target == Target::Executing && self.rng.chance(60) {
            // Stays unpaid (some of these are overdue now).
            return Ok(Err(Stop));
        }
        let served = sim.state.served.as_ref().map_or(sim.last(), |s| s.0);
        let mut due = self
            .cal
            .add_calendar_days(served, self.rules.payment_days)
            .date;
        let roll = self.rng.below(100);
        if roll < 3 {
            let new_due = due + Duration::days(30 + self.rng.below(30) as i64);
            if sim
                .head(Command::ApproveDeferral {
                    on: sim.after(self.rng, 1, 8).min(due),
                    due: new_due,
                })?
                .is_err()
            {
                return Ok(Err(Stop));
            }
            due = self.cal.next_working_day(new_due).date;
        } else if roll < 6 {
            let on = sim.after(self.rng, 5, 40);
            if sim
                .officer(Command::RecordAppeal {
                    on,
                    kind: if self.rng.chance(70) {
                        AppealKind::Review
                    } else {
                        AppealKind::Litigation
                    },
                })?
                .is_err()
            {
                return Ok(Err(Stop));
            }
            if sim
                .officer(Command::ConcludeAppeal {
                    on: sim.after(self.rng, 30, 60),
                    result: "复议机关决定维持原行政处罚决定".into(),
                })?
                .is_err()
            {
                return Ok(Err(Stop));
            }
        } else if roll < 12 {
            // Not paid: demand, then the court after the appeal periods (ACL Art. 53–54).
            let demand = self
                .cal
                .next_working_day(due + Duration::days(3 + self.rng.below(20) as i64));
            if sim
                .officer(Command::ServeDemand { on: demand.date })?
                .is_err()
            {
                return Ok(Err(Stop));
            }
            let opens = self.cal.add_months(served, self.rules.appeal_months).date;
            let after_demand = sim.working_after(demand.date, self.rules.demand_working_days);
            let d = self.cal.next_working_day(
                opens.max(after_demand) + Duration::days(1 + self.rng.below(20) as i64),
            );
            let court = format!(
                "{}人民法院",
                RegionTable::builtin()
                    .get(&sim.agency.facts.region_code)
                    .map_or("广州市天河区".to_string(), |r| r.name.clone())
            );
            return sim.officer(Command::ApplyToCourt { on: d.date, court });
        }
        let late = (12..22).contains(&roll);
        let on = if late {
            self.cal
                .next_working_day(due + Duration::days(2 + self.rng.below(25) as i64))
                .date
        } else {
            let latest = due.max(sim.last());
            self.date_between(sim.last(), latest).min(latest)
        };
        let on = on.max(sim.last());
        let fine = sim
            .state
            .decision
            .as_ref()
            .and_then(|d| d.penalty.as_ref())
            .map_or(0, |p| p.fine_fen);
        let extra = if on > due {
            surcharge(
                fine,
                due,
                on,
                self.rules.surcharge_per_mille,
                &sim.state.appeals,
            )
            .amount_fen
            .max(sim.state.surcharge_fen)
        } else {
            sim.state.surcharge_fen
        };
        let owed = sim.state.decided_fine() + extra - sim.state.paid_fen;
        if owed <= 0 {
            return Ok(Ok(()));
        }
        sim.officer(Command::RecordPayment {
            on,
            amount_fen: owed,
        })
    }

    fn close(&mut self, sim: &mut Sim<'_>, target: Target) -> Result<()> {
        if target < Target::Closed
            || sim.state.outstanding() > 0 && sim.state.court_applied.is_none()
        {
            return Ok(());
        }
        // A few finished cases wait in the head's queue for closure approval.
        if self.rng.chance(5) {
            return Ok(());
        }
        step!(sim.head(Command::Close {
            on: sim.after(self.rng, 2, 25),
        }));
        if target == Target::Archived {
            step!(sim.head(Command::Archive {
                on: sim.after(self.rng, 5, 45),
            }));
        }
        Ok(())
    }
}
