//! `zhifa serve` and `zhifa demo`.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use zhifa_domain::region::RegionTable;
use zhifa_server::{AppState, Application, ServerConfig};
use zhifa_store::Store;
use zhifa_store::model::Actor;

use crate::config::Config;
use crate::ledger_keys::{LedgerKeys, spawn_checkpointer};
use crate::{demo, node};

/// Meta key recording that the law corpus has been imported.
const LAWS_KEY: &str = "laws.imported";

/// Loads the reference data a node needs (regions, laws) once per database.
async fn reference_data(store: &Store, config: &Config) -> Result<Option<zhifa_laws::Corpus>> {
    let regions = store
        .load_regions(RegionTable::builtin())
        .await
        .context("while loading GB/T 2260 regions")?;
    if regions > 0 {
        tracing::info!(regions, "regions loaded");
    }
    if store.meta_get(LAWS_KEY).await?.is_some() {
        return Ok(None);
    }
    let corpus = super::laws::load(None, config)?;
    println!("{}", corpus.summary());
    for f in &corpus.failures {
        tracing::debug!(file = %f.file, error = %f.error, "law file not parsed (see `zhifa laws parse`)");
    }
    let r = store
        .import_laws(&corpus.laws, &Actor::system("reference-data"))
        .await?;
    store
        .meta_set(LAWS_KEY, &corpus.laws.len().to_string())
        .await?;
    tracing::info!(
        added = r.laws_added,
        articles = r.articles_added,
        "laws imported"
    );
    Ok(Some(corpus))
}

/// Prepares the node and serves until SIGINT/SIGTERM.
pub async fn run(config: Config, demo: bool, no_serve: bool) -> Result<ExitCode> {
    let started = Instant::now();
    let store = node::open_store(&config).await?;
    let corpus = reference_data(&store, &config).await?;
    let logins = if demo {
        if demo::needed(&store).await? {
            let corpus = match corpus {
                Some(c) => c,
                None => super::laws::load(None, &config)?,
            };
            demo::install(&store, &corpus).await?;
            demo_credit_export(&store, &config).await?;
        }
        Some(demo::logins(&store).await?)
    } else {
        None
    };
    let calendar = node::calendar(&store).await?;
    let token = node::api_token(&config)?;
    let ledger_keys = std::sync::Arc::new(LedgerKeys::load_or_create(&config)?);
    ledger_keys.checkpoint(&store).await?;
    let bind = config
        .bind
        .parse()
        .with_context(|| format!("监听地址格式错误：{}", config.bind))?;
    let shared_calendar = node::shared(calendar);
    let state = AppState {
        store: store.clone(),
        calendar: shared_calendar.clone(),
        config: std::sync::Arc::new(ServerConfig {
            bind,
            api_token: Some(token.clone()),
            max_body_bytes: config.max_body_bytes,
            ledger: ledger_keys.settings(&config),
            imports: config.import_settings(),
            secure_cookies: config.https,
            session_hours: config.session_hours.max(1),
            lockout: zhifa_store::LockoutPolicy {
                max_failures: config.login_max_failures.max(1),
                lock_for: chrono::Duration::minutes(config.login_lock_minutes.max(1)),
            },
        }),
    };
    let counts = store.counts().await?;
    let app = if no_serve {
        None
    } else {
        Some(
            Application::build(state)
                .await
                .with_context(|| format!("while binding {}", config.bind))?,
        )
    };
    let addr = app
        .as_ref()
        .map(|a| a.local_addr().to_string())
        .unwrap_or_else(|| config.bind.clone());
    let url = format!("http://{addr}/");
    println!(
        "执法 Zhifa 节点已就绪（{}，用时 {:.1} 秒）",
        config.database_kind(),
        started.elapsed().as_secs_f64()
    );
    println!("  数据目录：{}", config.data_dir.display());
    println!(
        "  基础数据：执法主体 {} 个，执法人员 {} 名，执法证 {} 张，法律法规 {} 部（{} 条），执法事项 {} 项，裁量基准 {} 条，行政区划 {} 个",
        counts.subjects,
        counts.officers,
        counts.certificates,
        counts.laws,
        counts.articles,
        counts.powers,
        counts.benchmarks,
        counts.regions.iter().sum::<i64>()
    );
    println!("  浏览器访问：{url}");
    println!("  API 文档：{url}api/docs");
    println!("  API 写入令牌（Authorization: Bearer …）：{token}");
    println!(
        "  全过程记录账本：{} 个叶子，检查点源 {}（每 {} 毫秒签署）",
        store.ledger_size().await?,
        ledger_keys.origin,
        config.checkpoint_interval_ms
    );
    println!(
        "  数据报送：{} 个接收方，管理页面 {url}admin/outbox（每 {} 毫秒投递一次）",
        store.list_outbox_consumers().await?.len(),
        config.outbox_interval_ms
    );
    if let Some(logins) = logins {
        println!("  演示账号（密码均为 {}）：", demo::DEMO_PASSWORD);
        for l in logins {
            println!("    {:<14} {:<8} {}", l.username, l.role_zh, l.who);
        }
    }
    let Some(app) = app else {
        return Ok(ExitCode::SUCCESS);
    };
    println!("serving {url}");
    let interval = std::time::Duration::from_millis(config.checkpoint_interval_ms);
    let checkpointer = spawn_checkpointer(store.clone(), ledger_keys.clone(), interval);
    let outbox = zhifa_server::outbox::OutboxWorker::new(store.clone(), config.outbox_settings())
        .context("while starting the outbox worker")?
        .spawn();
    let supervision = zhifa_server::supervision::SupervisionWorker::new(
        store.clone(),
        shared_calendar,
        config.supervision_settings(),
    )
    .spawn();
    let served = app.run(shutdown_signal()).await.context("while serving");
    supervision.shutdown().await;
    checkpointer.abort();
    // The delivery pass under way records its results before the node stops.
    outbox.shutdown().await;
    // The last writes get their checkpoint before the node stops.
    ledger_keys.checkpoint(&store).await?;
    served?;
    Ok(ExitCode::SUCCESS)
}

/// The demo's credit platform consumer (信用平台，双公示): every published penalty decision,
/// including those the demo loaded, written as one JSON file into `<data_dir>/exports/`, so
/// `/admin/outbox` shows real deliveries and receipts.
async fn demo_credit_export(store: &Store, config: &Config) -> Result<()> {
    let dir = std::path::absolute(config.data_dir.join("exports").join("shuanggongshi"))
        .context("while locating the demo export directory")?;
    let input = zhifa_store::outbox::ConsumerInput {
        kind: "credit_export".into(),
        name: "信用平台（演示：写入文件）".into(),
        url: format!("file://{}", dir.display()),
        backfill: Some(true),
        ..Default::default()
    };
    store
        .create_outbox_consumer(&input, &Actor::system("demo"))
        .await
        .context("while adding the demo credit export")?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
