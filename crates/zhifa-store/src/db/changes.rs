//! The change log (变更记录): read side. Entries are written by each repository inside the
//! transaction of the change they describe (`support::record_change`).

use sqlx::Row;
use sqlx::any::AnyRow;

use super::Store;
use super::support::{Where, fetch_page, get_json_opt};
use crate::error::Result;
use crate::model::{Change, ChangeFilter, Page, PageRequest};

fn change_from_row(row: &AnyRow) -> Result<Change> {
    Ok(Change {
        seq: row.try_get("seq")?,
        entity: row.try_get("entity")?,
        entity_id: row.try_get("entity_id")?,
        action: row.try_get("action")?,
        actor: row.try_get("actor")?,
        ip: row.try_get("ip")?,
        at: row.try_get("at")?,
        before: get_json_opt(row, "before")?,
        after: get_json_opt(row, "after")?,
    })
}

impl Store {
    /// Change-log entries matching the filter, newest first.
    pub async fn list_changes(
        &self,
        filter: &ChangeFilter,
        page: PageRequest,
    ) -> Result<Page<Change>> {
        let mut w = Where::new();
        w.eq("entity", filter.entity.as_deref());
        w.eq("entity_id", filter.entity_id.as_deref());
        fetch_page(
            &self.pool,
            "seq, entity, entity_id, action, actor, ip, at, before, after",
            "changes",
            w,
            "seq DESC",
            page,
            change_from_row,
        )
        .await
    }
}
