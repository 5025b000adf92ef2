//! `zhifa demo`: deterministic synthetic data for one province node (广东省) on top of the
//! real reference data (regions, laws, code sets). Loaded once per database: a marker in
//! `meta` makes re-running safe.

pub(crate) mod cases;
mod complaints;
mod org;
mod powers;
pub(crate) mod rng;

use anyhow::{Context, Result};
use zhifa_domain::time::ChinaDate;
use zhifa_laws::Corpus;
use zhifa_store::Store;
use zhifa_store::model::{Actor, UserInput};

/// Version of the demo data set; bump when the generator changes.
const DEMO_VERSION: &str = "1";
/// Meta key recording that the demo data is loaded.
const DEMO_KEY: &str = "demo.version";
/// Meta key recording that the demo cases are loaded (their number).
const CASES_KEY: &str = "demo.cases";
/// Meta key recording that the demo complaints are loaded (their number).
const COMPLAINTS_KEY: &str = "demo.complaints";
/// Password of every demo account (printed at start; demo only).
pub const DEMO_PASSWORD: &str = "zhifa-demo-2026";

/// A demo login to print.
pub struct Login {
    /// Login name.
    pub username: String,
    /// Role in Chinese.
    pub role_zh: &'static str,
    /// Whose account it is.
    pub who: String,
}

/// Whether this database still lacks the demo data (re-running `zhifa demo` is safe).
pub async fn needed(store: &Store) -> Result<bool> {
    Ok(
        store.meta_get(DEMO_KEY).await?.as_deref() != Some(DEMO_VERSION)
            || store.meta_get(CASES_KEY).await?.is_none()
            || store.meta_get(COMPLAINTS_KEY).await?.is_none(),
    )
}

/// Loads the demo data and marks the database as holding it: the organisation and catalogue
/// first, then the cases, then the complaints (each part once; a part already stored is left alone).
pub async fn install(store: &Store, corpus: &Corpus) -> Result<()> {
    if store.meta_get(DEMO_KEY).await?.as_deref() != Some(DEMO_VERSION) {
        load(store, corpus)
            .await
            .context("while loading the demo data")?;
        store.meta_set(DEMO_KEY, DEMO_VERSION).await?;
    }
    if store.meta_get(CASES_KEY).await?.is_none() {
        let calendar = crate::node::calendar(store).await?;
        let t = std::time::Instant::now();
        let stats = cases::load(store, &calendar)
            .await
            .context("while loading the demo cases")?;
        if stats.commands > 0 {
            let secs = t.elapsed().as_secs_f64();
            let stages: Vec<String> = (1..=9)
                .filter(|&i| stats.stages[i] > 0)
                .map(|i| format!("{}:{}", stage_zh(i), stats.stages[i]))
                .collect();
            println!(
                "演示案件：{} 件（简易程序 {} 件），{} 条指令，经办案规则逐条裁决后入库，用时 {:.1} 秒（生成 {:.1} 秒，入库 {:.1} 秒，{:.0} 件/秒，{:.0} 条指令/秒）",
                stats.cases,
                stats.simple,
                stats.commands,
                secs,
                stats.generate_secs,
                stats.store_secs,
                stats.cases as f64 / stats.store_secs.max(1e-9),
                stats.commands as f64 / stats.store_secs.max(1e-9),
            );
            println!("  各阶段：{}", stages.join("，"));
        }
        store.meta_set(CASES_KEY, &stats.cases.to_string()).await?;
    }
    if store.meta_get(COMPLAINTS_KEY).await?.is_none() {
        let calendar = crate::node::calendar(store).await?;
        let stats = complaints::load(store, &calendar)
            .await
            .context("while loading the demo complaints")?;
        if stats.steps > 0 {
            println!(
                "演示投诉举报：{} 件，办理环节 {} 个",
                stats.complaints, stats.steps
            );
        }
        if let Some((number, code)) = &stats.example {
            println!("  公众查询示例（/complaints/track）：编号 {number}，查询码 {code}");
        }
        store
            .meta_set(COMPLAINTS_KEY, &stats.complaints.to_string())
            .await?;
    }
    Ok(())
}

fn stage_zh(code: usize) -> &'static str {
    use zhifa_domain::case::Stage::*;
    [
        Lead,
        Investigating,
        Notice,
        Review,
        Decided,
        Executing,
        Closed,
        Archived,
        Transferred,
    ]
    .get(code.wrapping_sub(1))
    .map_or("其他", |s| s.zh())
}

async fn load(store: &Store, corpus: &Corpus) -> Result<()> {
    let mut rng = rng::Rng::new(0x5A48_4946_4120_4744); // "ZHIFA GD"
    // Dates are relative to a fixed day so the data set is identical on every run; certificate
    // states (valid / expired) are judged against the real today.
    let anchor = ChinaDate::parse("2026-11-01")
        .map_err(|e| anyhow::anyhow!(e))?
        .date();
    let orgs = org::load(store, &mut rng, anchor).await?;
    let cat = powers::load(store, corpus).await?;
    tracing::info!(
        subjects = orgs.subjects.len(),
        officers = orgs.officers.len(),
        certificates = orgs.certificates,
        powers = cat.powers,
        benchmarks = cat.benchmarks,
        "demo data loaded"
    );

    // Accounts per role, in the 广州 market-regulation bureau and the province.
    let actor = Actor::system("demo");
    let gz = orgs
        .subjects
        .iter()
        .find(|s| s.region_code == "440100" && s.field == "01")
        .context("广州市市场监督管理局 missing")?;
    let of_gz = |pred: &dyn Fn(&org::DemoOfficer) -> bool| {
        orgs.officers
            .iter()
            .filter(|o| o.subject_id == gz.id)
            .find(|o| pred(o))
    };
    let officer =
        of_gz(&|o| o.valid && !o.reviewer).context("no officer with a valid certificate")?;
    let reviewer = of_gz(&|o| o.valid && o.reviewer).context("no qualified reviewer")?;
    let head = of_gz(&|o| o.id != officer.id && o.id != reviewer.id).context("no head")?;
    let account = |username: &str,
                   name: &str,
                   role: &str,
                   officer: Option<&org::DemoOfficer>,
                   region: &str| {
        UserInput {
            username: username.into(),
            display_name: name.into(),
            role: role.into(),
            subject_id: officer.map(|o| o.subject_id.clone()),
            officer_id: officer.map(|o| o.id.clone()),
            region_code: Some(region.into()),
            password: DEMO_PASSWORD.into(),
        }
    };
    let accounts = [
        account("officer", &officer.name, "officer", Some(officer), "440100"),
        account(
            "reviewer",
            &reviewer.name,
            "reviewer",
            Some(reviewer),
            "440100",
        ),
        account("head", &head.name, "head", Some(head), "440100"),
        account(
            "supervisor",
            "广东省司法厅执法监督处",
            "supervisor",
            None,
            "440000",
        ),
        account(
            "supervisor-gz",
            "广州市司法局执法监督科",
            "supervisor",
            None,
            "440100",
        ),
        account("admin", "系统管理员", "admin", None, "440000"),
    ];
    for input in &accounts {
        store
            .create_user(input, &actor)
            .await
            .with_context(|| format!("while creating the demo account {}", input.username))?;
    }
    Ok(())
}

fn role_zh(role: &str) -> &'static str {
    match role {
        "officer" => "执法人员",
        "reviewer" => "法制审核人员",
        "head" => "机关负责人",
        "supervisor" => "执法监督人员",
        "admin" => "系统管理员",
        _ => "其他",
    }
}

/// The demo logins to print.
pub async fn logins(store: &Store) -> Result<Vec<Login>> {
    let users = store
        .list_users(zhifa_store::model::PageRequest {
            offset: 0,
            limit: 50,
        })
        .await?;
    let mut out = Vec::new();
    for u in users.items {
        let org = match &u.subject_id {
            Some(id) => store.get_subject(id).await?.name,
            None => String::new(),
        };
        out.push(Login {
            role_zh: role_zh(&u.role),
            who: format!("{} {}", org, u.display_name).trim().to_string(),
            username: u.username,
        });
    }
    Ok(out)
}
