//! The outbox worker (一次报送，多头应用): a background task of `zhifa serve` / `zhifa demo`
//! that, every interval, materialises the deliveries of newly committed records
//! ([`Store::materialise_outbox`]) and delivers the due ones: an HTTP `POST` of the JSON
//! envelope with an `Idempotency-Key` header and an HMAC-SM3 `Zhifa-Signature` header, or a
//! JSON file written atomically into a `file:///` directory. A 2xx answer is a receipt
//! (status, receipt id, SM3 of the body); anything else is retried with exponential backoff
//! until the policy gives up and an administrator retries it.
//!
//! Delivery is at least once; receivers deduplicate on the idempotency key, which makes it
//! exactly once in effect.

use std::path::{Path, PathBuf};
use std::time::Duration;

use futures_util::StreamExt;
use sm3::{Digest, Sm3};
use zhifa_store::outbox::{
    DeliveryStatus, DueDelivery, IDEMPOTENCY_HEADER, Receipt, RetryPolicy, SIGNATURE_HEADER,
    now_ms, signature,
};
use zhifa_store::shuanggongshi::ShuangGongShiRules;
use zhifa_store::{Store, StoreError};

/// Settings of the worker (configuration: `outbox_*` in `zhifa.toml`).
#[derive(Debug, Clone, Copy)]
pub struct OutboxSettings {
    /// Pause between passes.
    pub interval: Duration,
    /// Log records per materialiser pass, and deliveries claimed per pass.
    pub batch: usize,
    /// Deliveries in flight at once.
    pub concurrency: usize,
    /// Timeout of one HTTP attempt.
    pub timeout: Duration,
    /// Retries and backoff.
    pub policy: RetryPolicy,
    /// 双公示 export rules.
    pub rules: ShuangGongShiRules,
}

impl Default for OutboxSettings {
    fn default() -> Self {
        OutboxSettings {
            interval: Duration::from_millis(1_000),
            batch: 500,
            concurrency: 8,
            timeout: Duration::from_secs(30),
            policy: RetryPolicy::default(),
            rules: ShuangGongShiRules::default(),
        }
    }
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PassReport {
    /// Deliveries materialised.
    pub materialised: usize,
    /// Delivered.
    pub delivered: usize,
    /// Attempts that failed (retried later or given up).
    pub failed_attempts: usize,
}

/// The worker: a store, an HTTP client, settings.
#[derive(Debug, Clone)]
pub struct OutboxWorker {
    store: Store,
    client: reqwest::Client,
    settings: OutboxSettings,
}

impl OutboxWorker {
    /// A worker over `store`. Fails only when the TLS backend cannot start.
    pub fn new(store: Store, settings: OutboxSettings) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(settings.timeout)
            // A redirected POST would become a GET elsewhere: a 3xx is an error to look at.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("zhifa/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(OutboxWorker {
            store,
            client,
            settings,
        })
    }

    /// One pass: materialise until the logs are caught up, then deliver what is due.
    pub async fn pass(&self) -> Result<PassReport, StoreError> {
        let mut report = PassReport::default();
        loop {
            let m = self
                .store
                .materialise_outbox(self.settings.batch, &self.settings.rules)
                .await?;
            report.materialised += m.deliveries;
            // A conflict means another materialiser moved on: its pass covers these records.
            if m.records < self.settings.batch || m.conflicts > 0 {
                break;
            }
        }
        let due = self
            .store
            .claim_outbox_deliveries(now_ms(), self.settings.batch, &self.settings.policy)
            .await?;
        let results: Vec<Result<DeliveryStatus, StoreError>> = futures_util::stream::iter(due)
            .map(|d| async move {
                let result = self.attempt(&d).await;
                if let Err(e) = &result {
                    tracing::info!(consumer = %d.consumer_name, key = %d.idempotency_key, attempt = d.attempt, error = %e, "outbox delivery failed");
                }
                self.store
                    .finish_outbox_delivery(&d, result, &self.settings.policy)
                    .await
            })
            .buffer_unordered(self.settings.concurrency.max(1))
            .collect()
            .await;
        for r in results {
            match r? {
                DeliveryStatus::Delivered => report.delivered += 1,
                _ => report.failed_attempts += 1,
            }
        }
        Ok(report)
    }

    /// Runs a pass every interval in a background task until [`OutboxHandle::shutdown`]; a
    /// pass under way finishes first (its results recorded), so stopping never leaves a
    /// claimed delivery without its result.
    pub fn spawn(self) -> OutboxHandle {
        let (stop, mut stopped) = tokio::sync::watch::channel(false);
        let task = tokio::spawn(async move {
            let mut tick =
                tokio::time::interval(self.settings.interval.max(Duration::from_millis(10)));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    _ = stopped.changed() => break,
                }
                match self.pass().await {
                    Ok(r) if r != PassReport::default() => tracing::debug!(?r, "outbox pass"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "outbox pass failed"),
                }
            }
        });
        OutboxHandle { stop, task }
    }

    /// One attempt: the receipt, or the error (in Chinese, for the admin page).
    async fn attempt(&self, d: &DueDelivery) -> Result<Receipt, String> {
        match d.url.strip_prefix("file://") {
            Some(dir) => write_file(Path::new(dir), d).await,
            None => self.post(d).await,
        }
    }

    async fn post(&self, d: &DueDelivery) -> Result<Receipt, String> {
        let body = d.payload.clone().into_bytes();
        let mut request = self
            .client
            .post(&d.url)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/json; charset=utf-8",
            )
            .header(IDEMPOTENCY_HEADER, &d.idempotency_key);
        if let Some(secret) = &d.secret {
            let t = chrono::Utc::now().timestamp();
            request = request.header(SIGNATURE_HEADER, signature(secret, t, &body));
        }
        let response = request
            .body(body)
            .send()
            .await
            .map_err(|e| format!("请求失败：{}", error_chain(&e)))?;
        let status = response.status();
        let header_id = response
            .headers()
            .get("Receipt-Id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let bytes = response
            .bytes()
            .await
            .map_err(|e| format!("读取应答失败：{}", error_chain(&e)))?;
        if !status.is_success() {
            let text: String = String::from_utf8_lossy(&bytes).chars().take(300).collect();
            return Err(format!("接收方应答 HTTP {}：{text}", status.as_u16()));
        }
        let body_id = serde_json::from_slice::<serde_json::Value>(&bytes)
            .ok()
            .and_then(|v| {
                v.get("receipt_id")
                    .and_then(|r| r.as_str())
                    .map(str::to_string)
            });
        Ok(Receipt {
            status: status.as_u16(),
            receipt_id: header_id.or(body_id),
            body_sm3: hex::encode(Sm3::digest(&bytes)),
            at: receipt_time(),
        })
    }
}

/// The running worker task.
#[derive(Debug)]
pub struct OutboxHandle {
    stop: tokio::sync::watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl OutboxHandle {
    /// Stops the worker after its current pass and waits for it.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// Now, as receipts record it: RFC 3339 in China time, milliseconds (as the store's times).
fn receipt_time() -> String {
    zhifa_domain::time::now_china().to_rfc3339_opts(chrono::SecondsFormat::Millis, false)
}

/// The cause chain of an error on one line.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push('：');
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Writes the envelope as `<key>.json` into `dir` (temporary file, fsync, rename: a reader
/// never sees half a record; a second write of the same key replaces it with the same bytes).
async fn write_file(dir: &Path, d: &DueDelivery) -> Result<Receipt, String> {
    let name: String = d
        .idempotency_key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let path: PathBuf = dir.join(format!("{name}.json"));
    let tmp = dir.join(format!(".{name}.json.tmp"));
    let bytes = d.payload.clone().into_bytes();
    let digest = hex::encode(Sm3::digest(&bytes));
    let (dir, path2) = (dir.to_path_buf(), path.clone());
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        use std::io::Write;
        std::fs::create_dir_all(&dir)?;
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, &path2)
    })
    .await
    .map_err(|e| format!("写入文件失败：{e}"))?
    .map_err(|e| format!("写入文件 {} 失败：{e}", path.display()))?;
    Ok(Receipt {
        status: 0,
        receipt_id: Some(path.display().to_string()),
        body_sm3: digest,
        at: receipt_time(),
    })
}
