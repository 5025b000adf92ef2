//! `/admin/outbox` (数据报送): the administrator's view of the outbox — deliveries by status
//! with the last error and the receipt, retry of failed ones, the consumers (credit platform,
//! department webhooks, publicity portal) with enable/disable, and a form to add one.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use zhifa_store::StoreError;
use zhifa_store::model::PageRequest;
use zhifa_store::outbox::{
    Consumer, ConsumerInput, Delivery, DeliveryFilter, DeliveryStatus, OutboxStats,
};
use zhifa_store::scope::roles;

use super::admin::require_role;
use super::member::{FieldErrors, FormFields, Me, field, require_csrf};
use super::{PAGE_SIZE, PageQuery, PageResult, Pager, non_empty, offset_param, render};
use crate::auth::SignedIn;
use crate::state::AppState;

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/outbox", get(page))
        .route("/admin/outbox/consumers", post(create_consumer))
        .route("/admin/outbox/consumers/{id}/toggle", post(toggle_consumer))
        .route("/admin/outbox/deliveries/{id}/retry", post(retry))
}

#[derive(Debug, Deserialize, Default)]
struct OutboxQuery {
    status: Option<String>,
    consumer_id: Option<String>,
    offset: Option<String>,
}

/// A delivery row as the page shows it.
struct Row {
    d: Delivery,
    status_zh: &'static str,
    badge: &'static str,
    retryable: bool,
}

/// A consumer row.
struct ConsumerRow {
    c: Consumer,
    kind_zh: &'static str,
}

#[derive(Template)]
#[template(path = "admin_outbox.html")]
struct OutboxPage {
    me: Me,
    stats: OutboxStats,
    consumers: Vec<ConsumerRow>,
    rows: Vec<Row>,
    pager: Pager,
    status: String,
    consumer_id: String,
    errors: FieldErrors,
    form: FormFields,
}

impl OutboxPage {
    /// A field of the add-consumer form as submitted (empty on first view).
    fn value(&self, name: &str) -> String {
        field(&self.form, name)
    }
}

async fn outbox_page(
    state: &AppState,
    me: &SignedIn,
    q: OutboxQuery,
    errors: FieldErrors,
    form: FormFields,
) -> PageResult {
    let offset = offset_param(q.offset.as_deref());
    let filter = DeliveryFilter {
        status: non_empty(&q.status),
        consumer_id: non_empty(&q.consumer_id),
    };
    let page = state
        .store
        .list_outbox_deliveries(
            &filter,
            PageRequest {
                offset,
                limit: PAGE_SIZE,
            },
        )
        .await?;
    let status = filter.status.clone().unwrap_or_default();
    let consumer_id = filter.consumer_id.clone().unwrap_or_default();
    let pager = Pager::new(
        "/admin/outbox",
        &[("status", &status), ("consumer_id", &consumer_id)],
        offset,
        page.items.len(),
        page.total,
    );
    let rows = page
        .items
        .into_iter()
        .map(|d| Row {
            status_zh: d.status.zh(),
            badge: match d.status {
                DeliveryStatus::Delivered => "ok",
                DeliveryStatus::Pending if d.last_error.is_some() => "warn",
                DeliveryStatus::Pending => "none",
                DeliveryStatus::Failed => "bad",
            },
            retryable: d.status != DeliveryStatus::Delivered,
            d,
        })
        .collect();
    let consumers = state
        .store
        .list_outbox_consumers()
        .await?
        .into_iter()
        .map(|c| ConsumerRow {
            kind_zh: c.kind.zh(),
            c,
        })
        .collect();
    let code = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = OutboxPage {
        me: Me::of(me),
        stats: state.store.outbox_stats().await?,
        consumers,
        rows,
        pager,
        status,
        consumer_id,
        errors,
        form,
    };
    Ok((code, render(&page)).into_response())
}

/// `GET /admin/outbox`.
async fn page(
    State(state): State<AppState>,
    me: SignedIn,
    PageQuery(q): PageQuery<OutboxQuery>,
) -> PageResult {
    require_role(&me, &[roles::ADMIN])?;
    outbox_page(&state, &me, q, FieldErrors::default(), FormFields::new()).await
}

/// `POST /admin/outbox/consumers`: adds a consumer (errors shown beside their fields).
async fn create_consumer(
    State(state): State<AppState>,
    me: SignedIn,
    Form(form): Form<FormFields>,
) -> PageResult {
    require_role(&me, &[roles::ADMIN])?;
    require_csrf(&me, &form)?;
    let kinds: Vec<String> = field(&form, "record_kinds")
        .split([',', '，', ' ', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let input = ConsumerInput {
        kind: field(&form, "kind"),
        name: field(&form, "name"),
        url: field(&form, "url"),
        secret: Some(field(&form, "secret")),
        record_kinds: (!kinds.is_empty()).then_some(kinds),
        enabled: Some(true),
        backfill: Some(form.contains_key("backfill")),
    };
    match state.store.create_outbox_consumer(&input, &me.actor).await {
        Ok(_) => Ok(Redirect::to("/admin/outbox").into_response()),
        Err(StoreError::Invalid(f)) => {
            outbox_page(
                &state,
                &me,
                OutboxQuery::default(),
                FieldErrors::from_fields(&f),
                form,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /admin/outbox/consumers/{id}/toggle`: enables or disables a consumer (its cursor
/// stays, so re-enabling catches up).
async fn toggle_consumer(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<FormFields>,
) -> PageResult {
    require_role(&me, &[roles::ADMIN])?;
    require_csrf(&me, &form)?;
    let c = state.store.get_outbox_consumer(&id).await?;
    let input = ConsumerInput {
        kind: c.kind.code().to_string(),
        name: c.name,
        url: c.url,
        secret: None,
        record_kinds: Some(c.record_kinds),
        enabled: Some(!c.enabled),
        backfill: None,
    };
    state
        .store
        .update_outbox_consumer(&id, &input, &me.actor)
        .await?;
    Ok(Redirect::to("/admin/outbox").into_response())
}

/// `POST /admin/outbox/deliveries/{id}/retry`: back in the queue, due now.
async fn retry(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<FormFields>,
) -> PageResult {
    require_role(&me, &[roles::ADMIN])?;
    require_csrf(&me, &form)?;
    state.store.retry_outbox_delivery(&id, &me.actor).await?;
    Ok(Redirect::to("/admin/outbox?status=pending").into_response())
}
