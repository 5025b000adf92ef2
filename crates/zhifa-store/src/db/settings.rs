//! Node settings (节点参数, table `node_settings`): JSON values by key with their documented
//! defaults, read and replaced as a whole; every replacement is a change-log row (entity
//! `setting`, id = the key) and its ledger leaf in the same transaction. Used by the case rules,
//! the complaint rules, the alert rules and the indicator tree.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use sqlx::Row;

use super::Store;
use super::support::{ChangeEntry, now, record_change, snapshot, to_json};
use crate::error::{Result, StoreError};
use crate::model::Actor;

impl Store {
    /// The setting stored under `key`, or `T::default()` when it was never set.
    pub(crate) async fn node_setting<T: DeserializeOwned + Default>(&self, key: &str) -> Result<T> {
        let row = sqlx::query("SELECT value FROM node_settings WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            None => Ok(T::default()),
            Some(r) => {
                let text: String = r.try_get(0)?;
                serde_json::from_str(&text).map_err(|e| {
                    StoreError::Database(sqlx::Error::Decode(format!("{key}: {e}").into()))
                })
            }
        }
    }

    /// Replaces the setting under `key` (version + 1) and logs before and after. The value must
    /// have been checked by the caller.
    pub(crate) async fn set_node_setting<T: Serialize>(
        &self,
        key: &str,
        value: &T,
        actor: &Actor,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let old = sqlx::query("SELECT value, version FROM node_settings WHERE key = $1")
            .bind(key)
            .fetch_optional(&mut *tx)
            .await?;
        let (before, version) = match &old {
            Some(r) => {
                let text: String = r.try_get("value")?;
                let v: i64 = r.try_get("version")?;
                (serde_json::from_str::<Value>(&text).ok(), v + 1)
            }
            None => (None, 1),
        };
        let at = now();
        sqlx::query(
            "INSERT INTO node_settings (key, value, version, updated_at, updated_by) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (key) DO UPDATE SET value = excluded.value, \
             version = excluded.version, updated_at = excluded.updated_at, \
             updated_by = excluded.updated_by",
        )
        .bind(key)
        .bind(to_json(value))
        .bind(version)
        .bind(&at)
        .bind(actor.user.as_str())
        .execute(&mut *tx)
        .await?;
        let entry = ChangeEntry {
            entity: "setting",
            entity_id: key,
            action: if old.is_some() { "update" } else { "create" },
            before,
            after: snapshot(value),
        };
        record_change(&mut tx, entry, actor, &at).await?;
        tx.commit().await?;
        Ok(())
    }
}
