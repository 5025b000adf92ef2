//! `zhifa ledger …`: audit the whole-process record (全过程记录, APL Art. 47; 118号), sign a
//! checkpoint, write and check offline proof bundles, check bare proofs.
//!
//! Exit codes: `verify` 0 intact / 1 not; `verify-bundle` and `verify-proof` 0 valid /
//! 1 invalid / 2 unreadable; any other failure 2.

use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use zhifa_ledger::{ProofJson, VerifierKey};
use zhifa_store::AuditOptions;
use zhifa_store::ledger::{KIND_CASE_EVENT, KIND_CHANGE, KIND_EVIDENCE};

use super::ledger_bundle::{Bundle, Entry};
use crate::cli::LedgerCmd;
use crate::config::{Config, Overrides};
use crate::ledger_keys::LedgerKeys;
use crate::node;

const UNREADABLE: u8 = 2;

/// Runs one `ledger` subcommand.
pub fn run(action: LedgerCmd, file: Option<&Path>, flags: &Overrides) -> Result<ExitCode> {
    match action {
        LedgerCmd::VerifyProof { file } => Ok(verify_proof(&file)),
        LedgerCmd::VerifyBundle { file, key } => Ok(verify_bundle(&file, &key)),
        LedgerCmd::Keys => {
            let config = Config::load(file, flags)?;
            for k in LedgerKeys::load_or_create(&config)?.verifiers() {
                println!("{k}");
            }
            Ok(ExitCode::SUCCESS)
        }
        action => {
            let config = Config::load(file, flags)?;
            super::runtime()?.block_on(with_store(action, &config))
        }
    }
}

async fn with_store(action: LedgerCmd, config: &Config) -> Result<ExitCode> {
    let store = node::open_store(config).await?;
    match action {
        LedgerCmd::Verify { key, json } => {
            let keys = if key.is_empty() {
                LedgerKeys::existing_verifiers(config)?
            } else {
                parse_keys(&key)?
            };
            let opts = AuditOptions {
                evidence_dir: Some(config.evidence_path()),
                keys,
            };
            let report = store.verify_ledger(&opts).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else if let Some(first) = report.findings.first() {
                println!(
                    "账本校验未通过：发现 {} 处问题",
                    report.findings.len() as u64 + report.more_findings
                );
                println!("第一处：[{}] {}", first.code, first.message);
                for f in report.findings.iter().skip(1).take(9) {
                    println!("  [{}] {}", f.code, f.message);
                }
            } else {
                println!(
                    "账本完整：{} 个叶子（变更记录 {} 条，案件事件 {} 条，证据文件 {} 个）已按 {} 重新计算哈希，{} 个检查点签名与一致性均有效",
                    report.leaves,
                    report.changes,
                    report.case_events,
                    report.evidence,
                    report.hash.as_str().to_uppercase(),
                    report.checkpoints
                );
            }
            Ok(if report.is_intact() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        LedgerCmd::Checkpoint => {
            let keys = LedgerKeys::load_or_create(config)?;
            keys.checkpoint(&store).await?;
            match store.latest_checkpoint().await? {
                Some(c) => print!("{}", c.note),
                None => println!("账本为空，尚无检查点"),
            }
            Ok(ExitCode::SUCCESS)
        }
        LedgerCmd::Prove { event, out } => {
            let event = event.trim();
            let is_sm3 = event.len() == 64 && event.bytes().all(|b| b.is_ascii_hexdigit());
            let case_event = |e: zhifa_store::ledger::CaseEventRow| {
                let r = e.seq.to_string();
                (Entry::CaseEvent { event: e }, KIND_CASE_EVENT, r)
            };
            let (entry, kind, reference) = if is_sm3 {
                let e = store.evidence(event).await?;
                let r = e.sm3.clone();
                (Entry::Evidence(e), KIND_EVIDENCE, r)
            } else if event.starts_with("ce:") {
                case_event(store.case_event_for_proof(event).await?)
            } else {
                match store.change_row(event).await {
                    Ok(c) => {
                        let r = c.seq.to_string();
                        (Entry::Change(c), KIND_CHANGE, r)
                    }
                    // Not a change-log record: a case id or case number.
                    Err(zhifa_store::StoreError::NotFound { .. })
                        if event.parse::<i64>().is_err() =>
                    {
                        case_event(store.case_event_for_proof(event).await?)
                    }
                    Err(e) => return Err(e.into()),
                }
            };
            let leaf = store.ledger_leaf(kind, &reference).await?;
            let index = leaf.leaf_index as u64;
            let checkpoint = match store.checkpoint_covering(index).await? {
                Some(c) => c,
                None => {
                    LedgerKeys::load_or_create(config)?
                        .checkpoint(&store)
                        .await?;
                    store
                        .checkpoint_covering(index)
                        .await?
                        .context("无法签署覆盖该记录的检查点")?
                }
            };
            let proof = store
                .ledger_inclusion_proof(index, checkpoint.tree_size as u64)
                .await?;
            let bundle = Bundle::new(proof.hash, entry, index, proof.proof, checkpoint.note);
            let text = serde_json::to_string_pretty(&bundle)? + "\n";
            match out {
                Some(path) => std::fs::write(&path, text)
                    .with_context(|| format!("while writing {}", path.display()))?,
                None => print!("{text}"),
            }
            Ok(ExitCode::SUCCESS)
        }
        LedgerCmd::VerifyProof { .. } | LedgerCmd::VerifyBundle { .. } | LedgerCmd::Keys => {
            unreachable!("handled without a store")
        }
    }
}

/// Verifier keys given as vkey text or as files holding one key per line.
fn parse_keys(given: &[String]) -> Result<Vec<VerifierKey>> {
    let mut keys = Vec::new();
    for k in given {
        let text = if Path::new(k).is_file() {
            std::fs::read_to_string(k).with_context(|| format!("while reading {k}"))?
        } else {
            k.clone()
        };
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            keys.push(
                VerifierKey::parse(line)
                    .map_err(|e| anyhow::anyhow!("公钥格式错误（应为 vkey 文本）：{e}"))?,
            );
        }
    }
    anyhow::ensure!(!keys.is_empty(), "未给出验证公钥");
    Ok(keys)
}

fn read_input(file: &Path) -> std::io::Result<String> {
    if file.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        Ok(s)
    } else {
        std::fs::read_to_string(file)
    }
}

fn verify_bundle(file: &Path, key: &[String]) -> ExitCode {
    let keys = match parse_keys(key) {
        Ok(k) => k,
        Err(e) => {
            eprintln!("无法读取公钥：{e:#}");
            return ExitCode::from(UNREADABLE);
        }
    };
    let bundle: Bundle = match read_input(file)
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
    {
        Ok(b) => b,
        Err(e) => {
            eprintln!("无法读取证明包（bundle.unreadable）：{e}");
            return ExitCode::from(UNREADABLE);
        }
    };
    match bundle.verify(&keys) {
        Ok(cp) => {
            println!(
                "证明包有效：第 {} 号叶子包含在 {} 签署的树（大小 {}）中",
                bundle.leaf_index,
                cp.origin(),
                cp.size()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("证明包无效（{}）：{e}", e.code());
            ExitCode::from(1)
        }
    }
}

fn verify_proof(file: &Path) -> ExitCode {
    let parsed = read_input(file)
        .map_err(|e| e.to_string())
        .and_then(|t| ProofJson::parse(&t).map_err(|e| e.to_string()));
    let proof = match parsed {
        Ok(p) => p,
        Err(e) => {
            eprintln!("无法读取证明（proof.unreadable）：{e}");
            return ExitCode::from(UNREADABLE);
        }
    };
    match proof.verify() {
        Ok(()) => {
            println!("证明有效");
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("证明无效（{}）：{e}", e.code());
            ExitCode::from(1)
        }
    }
}
