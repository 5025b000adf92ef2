//! `zhifa laws parse|import`: the law corpus (法律法规库).

use std::process::ExitCode;

use anyhow::{Context, Result};
use zhifa_laws::Corpus;
use zhifa_store::model::Actor;

use crate::cli::LawsCmd;
use crate::config::Config;
use crate::node;

/// Loads the corpus from a folder, the configured `laws_dir`, or the compiled-in copy.
pub fn load(dir: Option<&std::path::Path>, config: &Config) -> Result<Corpus> {
    match dir {
        Some(d) => zhifa_laws::load_dir(d)
            .with_context(|| format!("while reading the corpus {}", d.display())),
        None if !config.laws_dir.is_empty() => {
            zhifa_laws::load_dir(std::path::Path::new(&config.laws_dir))
                .with_context(|| format!("while reading the corpus {}", config.laws_dir))
        }
        None => Ok(zhifa_laws::load_embedded()),
    }
}

/// Prints the corpus summary line and every failure.
pub fn print_summary(corpus: &Corpus) {
    println!("{}", corpus.summary());
    for f in &corpus.failures {
        println!("  解析失败：{}：{}", f.file, f.error);
    }
}

/// Runs a laws command.
pub async fn run(action: LawsCmd, config: &Config) -> Result<ExitCode> {
    match action {
        LawsCmd::Parse { dir } => {
            let corpus = load(dir.as_deref(), config)?;
            print_summary(&corpus);
        }
        LawsCmd::Import { dir } => {
            let corpus = load(dir.as_deref(), config)?;
            print_summary(&corpus);
            let store = node::open_store(config).await?;
            let r = store
                .import_laws(&corpus.laws, &Actor::system("laws-import"))
                .await?;
            println!(
                "入库：新增 {} 部（{} 条），已存在 {} 部",
                r.laws_added, r.articles_added, r.laws_skipped
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
