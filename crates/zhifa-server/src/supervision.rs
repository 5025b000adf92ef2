//! The supervision worker (执法监督): a background task of `zhifa serve` / `zhifa demo` that
//! evaluates the alert rules on newly committed case events every interval (default 250 ms,
//! so an alert appears well within a second of the event that triggers it), and sweeps the
//! open cases — time-based clocks —, the cross-case rules and escalation at start, every sweep
//! interval and shortly after decisions (cross-case rules look at decisions), and every case
//! when the node's alert rules changed.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use zhifa_domain::calendar::LegalCalendar;
use zhifa_domain::time::ChinaDate;
use zhifa_store::supervision_model::{PassReport, SweepReport};
use zhifa_store::{Store, StoreError};

/// Settings of the worker (configuration: `supervision_*` in `zhifa.toml`).
#[derive(Debug, Clone, Copy)]
pub struct SupervisionSettings {
    /// Pause between passes over new case events.
    pub interval: Duration,
    /// Case events per pass.
    pub batch: i64,
    /// Pause between full sweeps.
    pub sweep_every: Duration,
    /// Shortest pause between a decision and the sweep of the cross-case rules it calls for.
    pub sweep_after_decisions: Duration,
}

impl Default for SupervisionSettings {
    fn default() -> Self {
        SupervisionSettings {
            interval: Duration::from_millis(250),
            batch: 2_000,
            sweep_every: Duration::from_secs(600),
            sweep_after_decisions: Duration::from_secs(60),
        }
    }
}

/// The worker.
#[derive(Debug, Clone)]
pub struct SupervisionWorker {
    store: Store,
    calendar: Arc<RwLock<LegalCalendar>>,
    settings: SupervisionSettings,
}

/// A running worker.
#[derive(Debug)]
pub struct SupervisionHandle {
    stop: tokio::sync::watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl SupervisionHandle {
    /// Stops after the pass and sweep under way.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

impl SupervisionWorker {
    /// A worker over `store` with the node's calendar.
    pub fn new(
        store: Store,
        calendar: Arc<RwLock<LegalCalendar>>,
        settings: SupervisionSettings,
    ) -> Self {
        SupervisionWorker {
            store,
            calendar,
            settings,
        }
    }

    fn calendar(&self) -> LegalCalendar {
        self.calendar
            .read()
            .map(|c| c.clone())
            .unwrap_or_else(|e| e.into_inner().clone())
    }

    /// Evaluates every case event committed since the last pass (in batches until none is
    /// left). Returns the summed report.
    pub async fn catch_up(&self) -> Result<PassReport, StoreError> {
        self.store
            .supervision_catch_up(
                &self.calendar(),
                ChinaDate::today().date(),
                self.settings.batch,
            )
            .await
    }

    /// A sweep as of today (`full`: every case, else the open ones).
    pub async fn sweep(&self, full: bool) -> Result<SweepReport, StoreError> {
        let calendar = self.calendar();
        self.store
            .supervision_sweep(&calendar, ChinaDate::today().date(), full)
            .await
    }

    /// Runs in background tasks until [`SupervisionHandle::shutdown`]: the pass loop, and the
    /// sweep loop beside it (a sweep of many cases never delays the alerts of new events).
    pub fn spawn(self) -> SupervisionHandle {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let decisions = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let passes = {
            let me = self.clone();
            let decisions = decisions.clone();
            let mut stopped = stopped.clone();
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(me.settings.interval);
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    tokio::select! {
                        _ = tick.tick() => {}
                        _ = stopped.changed() => break,
                    }
                    match me.catch_up().await {
                        Ok(r) => {
                            if r.raised > 0 {
                                tracing::info!(
                                    raised = r.raised,
                                    position = r.position,
                                    "supervision alerts raised"
                                );
                            }
                            if r.decisions {
                                decisions.store(true, std::sync::atomic::Ordering::Relaxed);
                            }
                        }
                        Err(e) => tracing::warn!(error = %e, "supervision pass failed"),
                    }
                }
            })
        };
        let sweeps = {
            let me = self;
            let mut stopped = stopped;
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(Duration::from_secs(1));
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                let mut last_sweep: Option<Instant> = None;
                // The rules' version at the last sweep: a change re-evaluates every case.
                let mut rules_version: Option<i64> = None;
                loop {
                    tokio::select! {
                        _ = tick.tick() => {}
                        _ = stopped.changed() => break,
                    }
                    let version = me.store.alert_rules_version().await.ok();
                    let full =
                        rules_version.is_some() && version.is_some() && version != rules_version;
                    let pending = decisions.load(std::sync::atomic::Ordering::Relaxed);
                    let due = full
                        || match last_sweep {
                            None => true,
                            Some(t) => {
                                t.elapsed() >= me.settings.sweep_every
                                    || (pending && t.elapsed() >= me.settings.sweep_after_decisions)
                            }
                        };
                    if !due {
                        continue;
                    }
                    let started = Instant::now();
                    rules_version = version.or(rules_version);
                    decisions.store(false, std::sync::atomic::Ordering::Relaxed);
                    match me.sweep(full).await {
                        Ok(r) => tracing::info!(
                            full,
                            cases = r.cases,
                            raised = r.raised,
                            escalated = r.escalated,
                            ms = started.elapsed().as_millis() as u64,
                            "supervision sweep"
                        ),
                        Err(e) => tracing::warn!(error = %e, "supervision sweep failed"),
                    }
                    last_sweep = Some(Instant::now());
                }
            })
        };
        SupervisionHandle {
            stop,
            tasks: vec![passes, sweeps],
        }
    }
}
