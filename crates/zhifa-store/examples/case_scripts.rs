//! Measures bulk case loading the way `zhifa demo` does it: `Store::run_case_scripts` with
//! general-procedure cases from the lead to closure (13 commands each) for one agency.
//!
//! ```text
//! cargo run --release -p zhifa-store --example case_scripts                 # 10,000 cases, temporary SQLite
//! cargo run --release -p zhifa-store --example case_scripts -- 2000 postgres://postgres@127.0.0.1/zhifa_bench
//! ```
//!
//! A benchmark, not a test: it prints timings and asserts nothing about them.

use std::sync::Arc;
use std::time::Instant;

use chrono::NaiveDate;
use zhifa_domain::calendar::LegalCalendar;
use zhifa_domain::case::{Command, Envelope, Outcome, Party, Penalty, ReviewOpinion};
use zhifa_domain::ids::{citizen_id_with_check, uscc_with_check};
use zhifa_store::crypto::Sm4GcmCipher;
use zhifa_store::model::{Actor, CertificateInput, OfficerInput, SubjectInput};
use zhifa_store::{CaseScript, Store, StoreOptions};

fn d(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map_or(Ok(10_000), |s| s.parse())?;
    let url = args
        .next()
        .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("bench.db").display()));
    let store = Store::connect(StoreOptions {
        url,
        max_connections: 4,
        cipher: Arc::new(Sm4GcmCipher::new([0; 16])),
    })
    .await?;
    store.migrate().await?;
    let actor = Actor::system("bench");
    let agency = store
        .create_subject(
            &SubjectInput {
                name: "天河区市场监督管理局".into(),
                short_name: Some("穗天市监".into()),
                uscc: uscc_with_check("11440106000000001")?.to_string(),
                subject_type: "1".into(),
                field: "01".into(),
                level: "3".into(),
                region_code: "440106".into(),
                parent_id: None,
                address: None,
                phone: None,
            },
            &actor,
        )
        .await?;
    let mut officers = Vec::new();
    for (i, name) in ["王一", "李二", "赵审"].iter().enumerate() {
        let o = store
            .create_officer(
                &OfficerInput {
                    name: (*name).into(),
                    citizen_id: citizen_id_with_check(&format!("44010619900307{:03}", i + 1))?
                        .to_string(),
                    subject_id: agency.id.clone(),
                    position: None,
                    phone: None,
                },
                &actor,
            )
            .await?;
        store
            .create_certificate(
                &CertificateInput {
                    number: format!("44010601{:05}", i + 1),
                    officer_id: o.id.clone(),
                    status: "1".into(),
                    valid_from: "2024-01-01".into(),
                    valid_to: "2028-12-31".into(),
                    fields: vec!["01".into()],
                    legal_review_qualified: i == 2,
                    issuer: None,
                },
                &actor,
            )
            .await?;
        officers.push(o.id);
    }
    let penalty = Penalty {
        types: vec!["03".into()],
        fine_fen: 50_000,
        confiscation_fen: 0,
        licence: None,
        facts: "经查，当事人销售超过保质期的食品".into(),
        violated: "《中华人民共和国食品安全法》第三十四条".into(),
        basis: "《中华人民共和国食品安全法》第一百二十四条".into(),
    };
    let two = vec![officers[0].clone(), officers[1].clone()];
    let scripts: Vec<CaseScript> = (0..n)
        .map(|k| {
            let party = Party {
                party_type: "1".into(),
                name: format!("张{k}"),
                id_number: citizen_id_with_check(&format!("44010619800101{:03}", k % 1000))
                    .ok()
                    .map(|c| c.to_string()),
                legal_rep: None,
                address: None,
                phone: Some("13912345678".into()),
            };
            let cmds: Vec<(&str, Command)> = vec![
                (
                    "officer",
                    Command::RegisterLead {
                        on: d("2026-03-02"),
                        agency_id: agency.id.clone(),
                        source: "1".into(),
                        cause: "销售过期食品".into(),
                        party,
                        act_date: d("2026-02-20"),
                        act_ended: None,
                        serious_harm: false,
                        power_id: None,
                        summary: String::new(),
                    },
                ),
                (
                    "head",
                    Command::FileCase {
                        on: d("2026-03-02"),
                        limitation_override: None,
                    },
                ),
                (
                    "officer",
                    Command::AssignOfficers {
                        on: d("2026-03-02"),
                        officers: two.clone(),
                    },
                ),
                (
                    "officer",
                    Command::MakeRecord {
                        on: d("2026-03-03"),
                        kind: "inspection".into(),
                        place: "当事人经营场所".into(),
                        officers: two.clone(),
                        interviewee: None,
                        content: "现场检查发现过期食品".into(),
                    },
                ),
                (
                    "officer",
                    Command::Conclude {
                        on: d("2026-03-10"),
                        outcome: Outcome::Penalty {
                            penalty: penalty.clone(),
                        },
                        major_complex: false,
                        review_requested: true,
                        deviation_reason: None,
                        circumstance: None,
                    },
                ),
                (
                    "officer",
                    Command::ServeNotice {
                        on: d("2026-03-11"),
                        method: "1".into(),
                    },
                ),
                (
                    "officer",
                    Command::RequestReview {
                        on: d("2026-03-19"),
                    },
                ),
                (
                    "reviewer",
                    Command::GiveReview {
                        on: d("2026-03-19"),
                        opinion: ReviewOpinion::Agree,
                        comments: "同意".into(),
                    },
                ),
                (
                    "head",
                    Command::Decide {
                        on: d("2026-03-19"),
                    },
                ),
                (
                    "officer",
                    Command::ServeDecision {
                        on: d("2026-03-20"),
                        method: "1".into(),
                    },
                ),
                (
                    "officer",
                    Command::Publish {
                        on: d("2026-03-20"),
                    },
                ),
                (
                    "officer",
                    Command::RecordPayment {
                        on: d("2026-03-25"),
                        amount_fen: 50_000,
                    },
                ),
                (
                    "head",
                    Command::Close {
                        on: d("2026-03-26"),
                    },
                ),
            ];
            CaseScript {
                commands: cmds
                    .into_iter()
                    .enumerate()
                    .map(|(i, (role, cmd))| {
                        let env = Envelope {
                            actor: format!("bench-{role}"),
                            role: role.into(),
                            officer_id: match role {
                                "officer" => Some(officers[0].clone()),
                                "reviewer" => Some(officers[2].clone()),
                                _ => None,
                            },
                            at: format!("{}T10:00:00.000+08:00", cmd.on()),
                            place: None,
                            idempotency_key: format!("bench-{k}-{i}"),
                        };
                        (env, cmd)
                    })
                    .collect(),
            }
        })
        .collect();
    let cal = LegalCalendar::builtin();
    let t = Instant::now();
    let out = store
        .run_case_scripts(&cal, d("2026-12-31"), &scripts)
        .await?;
    let secs = t.elapsed().as_secs_f64();
    let ok = out.iter().filter(|r| r.is_ok()).count();
    if let Some(Err((i, r))) = out.iter().find(|r| r.is_err()) {
        println!("first refusal: command {i}: {r}");
    }
    let events = store.ledger_size().await?;
    println!(
        "run_case_scripts: {secs:>7.3} s  ({ok} of {n} cases, {events} ledger leaves, {:.0} cases/s)",
        ok as f64 / secs
    );
    Ok(())
}
