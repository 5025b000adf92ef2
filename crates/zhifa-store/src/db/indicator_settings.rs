//! The node's indicator tree (执法效能评价指标), kept as node setting `indicators` (JSON of the
//! [`IndicatorTree`]); every change is checked and written with its change-log row and ledger
//! leaf in the same transaction (`Store::set_node_setting`).

use sqlx::Row;

use super::Store;
use crate::error::{Result, StoreError};
use crate::indicators::IndicatorTree;
use crate::model::Actor;

/// Key of the indicator tree in `node_settings`.
pub const INDICATORS_KEY: &str = "indicators";

impl Store {
    /// The node's indicator tree, and whether it is the shipped default (never changed).
    pub async fn indicator_tree(&self) -> Result<(IndicatorTree, bool)> {
        let row = sqlx::query("SELECT value FROM node_settings WHERE key = $1")
            .bind(INDICATORS_KEY)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            None => Ok((IndicatorTree::default(), true)),
            Some(r) => {
                let text: String = r.try_get(0)?;
                let tree: IndicatorTree = serde_json::from_str(&text).map_err(|e| {
                    StoreError::Database(sqlx::Error::ColumnDecode {
                        index: INDICATORS_KEY.to_string(),
                        source: Box::new(e),
                    })
                })?;
                Ok((tree, false))
            }
        }
    }

    /// Replaces the node's indicator tree (administrators). Checked with
    /// [`IndicatorTree::check`] (`Invalid`, every problem with its field and code); the change
    /// is logged (entity `setting`, id `indicators`, before and after) and so becomes a ledger
    /// leaf in the same transaction.
    pub async fn set_indicator_tree(
        &self,
        actor: &Actor,
        tree: &IndicatorTree,
    ) -> Result<IndicatorTree> {
        tree.check().map_err(|errors| {
            StoreError::Invalid(errors.iter().map(|e| e.to_field_error()).collect())
        })?;
        self.set_node_setting(INDICATORS_KEY, tree, actor).await?;
        Ok(tree.clone())
    }
}
