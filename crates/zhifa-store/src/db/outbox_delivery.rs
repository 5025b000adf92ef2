//! Delivery side of the outbox: claims of due deliveries (with a lease), the result of each
//! attempt (receipt, or error and backoff), and the administrator's list, retry and counts.
//! The consumers and the materialiser are in `outbox.rs`.

use serde_json::json;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::Store;
use super::outbox::secret_aad;
use super::support::{
    Arg, ChangeEntry, Where, fetch_page, field_error, get_json, get_json_opt, now, record_change,
    to_json,
};
use crate::error::{Result, StoreError};
use crate::model::{Actor, Page, PageRequest};
use crate::outbox::*;

/// Columns of a delivery joined with its consumer's name.
const DELIVERY_COLUMNS: &str = "d.id, d.consumer_id, c.name AS consumer_name, d.log, d.seq, \
     d.record_kind, d.record_id, d.payload, d.idempotency_key, d.status, d.attempts, \
     d.next_attempt_ms, d.last_error, d.receipt, d.created_at, d.updated_at, d.delivered_at";

fn delivery_from_row(r: &AnyRow) -> Result<Delivery> {
    let status: String = r.try_get("status")?;
    Ok(Delivery {
        id: r.try_get("id")?,
        consumer_id: r.try_get("consumer_id")?,
        consumer_name: r.try_get("consumer_name")?,
        log: r.try_get("log")?,
        seq: r.try_get("seq")?,
        record_kind: r.try_get("record_kind")?,
        record_id: r.try_get("record_id")?,
        payload: get_json(r, "payload")?,
        idempotency_key: r.try_get("idempotency_key")?,
        status: DeliveryStatus::parse(&status).unwrap_or(DeliveryStatus::Pending),
        attempts: r.try_get("attempts")?,
        next_attempt_ms: r.try_get("next_attempt_ms")?,
        last_error: r.try_get("last_error")?,
        receipt: get_json_opt(r, "receipt")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        delivered_at: r.try_get("delivered_at")?,
    })
}

impl Store {
    /// Claims up to `limit` pending deliveries due at `now_ms` (of enabled consumers): each
    /// gets its attempt counted and a lease of `policy.lease_ms`, so a second worker does not
    /// take it meanwhile. Returns them with their consumer's target and secret.
    pub async fn claim_outbox_deliveries(
        &self,
        now_ms: i64,
        limit: usize,
        policy: &RetryPolicy,
    ) -> Result<Vec<DueDelivery>> {
        let rows = sqlx::query(
            "SELECT d.id, d.payload, d.idempotency_key, d.attempts, d.next_attempt_ms, \
             c.id AS consumer_id, c.kind, c.name, c.url, c.secret \
             FROM outbox_deliveries d JOIN outbox_consumers c ON c.id = d.consumer_id \
             WHERE d.status = 'pending' AND d.next_attempt_ms <= $1 AND c.enabled = $2 \
             ORDER BY d.next_attempt_ms, d.seq LIMIT $3",
        )
        .bind(now_ms)
        .bind(true)
        .bind(limit.max(1) as i64)
        .fetch_all(&self.pool)
        .await?;
        let mut claimed = Vec::new();
        for r in rows {
            let id: String = r.try_get("id")?;
            let old: i64 = r.try_get("next_attempt_ms")?;
            let claim = now_ms + policy.lease_ms.max(1);
            let taken = sqlx::query(
                "UPDATE outbox_deliveries SET next_attempt_ms = $1, attempts = attempts + 1, \
                 updated_at = $2 WHERE id = $3 AND status = 'pending' AND next_attempt_ms = $4",
            )
            .bind(claim)
            .bind(now())
            .bind(&id)
            .bind(old)
            .execute(&self.pool)
            .await?
            .rows_affected();
            if taken != 1 {
                continue;
            }
            let consumer_id: String = r.try_get("consumer_id")?;
            let secret: Option<String> = r.try_get("secret")?;
            let secret = secret
                .map(|h| {
                    let c = hex::decode(h).map_err(|e| StoreError::Crypto(e.to_string()))?;
                    self.cipher.decrypt(&c, &secret_aad(&consumer_id))
                })
                .transpose()?;
            let kind: String = r.try_get("kind")?;
            let attempts: i64 = r.try_get("attempts")?;
            claimed.push(DueDelivery {
                id,
                kind: ConsumerKind::parse(&kind).unwrap_or(ConsumerKind::Webhook),
                consumer_name: r.try_get("name")?,
                url: r.try_get("url")?,
                secret,
                payload: r.try_get("payload")?,
                idempotency_key: r.try_get("idempotency_key")?,
                attempt: attempts + 1,
                claim_ms: claim,
            });
        }
        Ok(claimed)
    }

    /// Records the result of an attempt on a claimed delivery: the receipt (delivered), or
    /// the error and the next attempt after the policy's backoff (`failed` once the attempts
    /// are used up). Ignored when the claim has expired and another worker holds it.
    pub async fn finish_outbox_delivery(
        &self,
        due: &DueDelivery,
        result: std::result::Result<Receipt, String>,
        policy: &RetryPolicy,
    ) -> Result<DeliveryStatus> {
        let at = now();
        let (status, query) = match &result {
            Ok(receipt) => (
                DeliveryStatus::Delivered,
                sqlx::query(
                    "UPDATE outbox_deliveries SET status = $1, receipt = $2, delivered_at = $3, \
                     updated_at = $3 WHERE id = $4 AND status = 'pending' AND next_attempt_ms = $5",
                )
                .bind(DeliveryStatus::Delivered.code())
                .bind(to_json(receipt))
                .bind(at.clone()),
            ),
            Err(error) => {
                let status = if due.attempt >= policy.max_attempts {
                    DeliveryStatus::Failed
                } else {
                    DeliveryStatus::Pending
                };
                let error: String = error.chars().take(2_000).collect();
                (
                    status,
                    sqlx::query(
                        "UPDATE outbox_deliveries SET status = $1, last_error = $2, \
                         next_attempt_ms = $3, updated_at = $4 \
                         WHERE id = $5 AND status = 'pending' AND next_attempt_ms = $6",
                    )
                    .bind(status.code())
                    .bind(error)
                    .bind(now_ms() + policy.backoff_ms(due.attempt))
                    .bind(at.clone()),
                )
            }
        };
        query
            .bind(due.id.clone())
            .bind(due.claim_ms)
            .execute(&self.pool)
            .await?;
        Ok(status)
    }

    /// Deliveries matching the filter, newest first.
    pub async fn list_outbox_deliveries(
        &self,
        filter: &DeliveryFilter,
        page: PageRequest,
    ) -> Result<Page<Delivery>> {
        let mut w = Where::new();
        w.eq("d.status", filter.status.as_deref());
        w.eq("d.consumer_id", filter.consumer_id.as_deref());
        fetch_page(
            &self.pool,
            DELIVERY_COLUMNS,
            "outbox_deliveries d JOIN outbox_consumers c ON c.id = d.consumer_id",
            w,
            "d.id DESC",
            page,
            delivery_from_row,
        )
        .await
    }

    /// One delivery.
    pub async fn get_outbox_delivery(&self, id: &str) -> Result<Delivery> {
        let mut w = Where::new();
        let p = w.arg(Arg::Text(id.to_string()));
        w.and(format!("d.id = {p}"));
        let page = fetch_page(
            &self.pool,
            DELIVERY_COLUMNS,
            "outbox_deliveries d JOIN outbox_consumers c ON c.id = d.consumer_id",
            w,
            "d.id",
            PageRequest::default(),
            delivery_from_row,
        )
        .await?;
        page.items
            .into_iter()
            .next()
            .ok_or_else(|| StoreError::NotFound {
                entity: "outbox_delivery",
                id: id.to_string(),
            })
    }

    /// Puts a failed (or waiting) delivery back in the queue, due now, with its attempts
    /// reset (admin); a delivered one cannot be retried. Written to the change log.
    pub async fn retry_outbox_delivery(&self, id: &str, actor: &Actor) -> Result<Delivery> {
        let before = self.get_outbox_delivery(id).await?;
        if before.status == DeliveryStatus::Delivered {
            return Err(StoreError::invalid(field_error(
                "status",
                "delivery.delivered",
                "该记录已投递成功，无需重试",
            )));
        }
        let at = now();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE outbox_deliveries SET status = 'pending', attempts = 0, next_attempt_ms = $1, \
             updated_at = $2 WHERE id = $3 AND status <> 'delivered'",
        )
        .bind(now_ms())
        .bind(&at)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let entry = ChangeEntry {
            entity: "outbox_delivery",
            entity_id: id,
            action: "retry",
            before: Some(
                json!({"status": before.status, "attempts": before.attempts, "last_error": before.last_error}),
            ),
            after: Some(json!({"status": DeliveryStatus::Pending, "attempts": 0})),
        };
        record_change(&mut tx, entry, actor, &at).await?;
        tx.commit().await?;
        self.get_outbox_delivery(id).await
    }

    /// Deliveries by status.
    pub async fn outbox_stats(&self) -> Result<OutboxStats> {
        let mut stats = OutboxStats::default();
        for r in sqlx::query("SELECT status, COUNT(*) AS n FROM outbox_deliveries GROUP BY status")
            .fetch_all(&self.pool)
            .await?
        {
            let status: String = r.try_get("status")?;
            let n: i64 = r.try_get("n")?;
            match DeliveryStatus::parse(&status) {
                Some(DeliveryStatus::Pending) => stats.pending = n,
                Some(DeliveryStatus::Delivered) => stats.delivered = n,
                Some(DeliveryStatus::Failed) => stats.failed = n,
                None => {}
            }
        }
        Ok(stats)
    }
}
