//! A structured refusal: the software says *why* a command is not allowed and what would
//! make it allowed.

use serde::{Deserialize, Serialize};

/// Why a command was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}（{article}，{code}）")]
pub struct Refusal {
    /// Stable machine code, e.g. `case.officers.too_few`.
    pub code: String,
    /// The article the rule enforces, e.g. `《行政处罚法》第四十二条`.
    pub article: String,
    /// Chinese message for the user.
    pub message: String,
    /// What would make the command allowed (Chinese).
    pub remedy: String,
}

impl Refusal {
    /// Builds a refusal.
    pub fn new(
        code: &str,
        article: &str,
        message: impl Into<String>,
        remedy: impl Into<String>,
    ) -> Self {
        Self {
            code: code.to_string(),
            article: article.to_string(),
            message: message.into(),
            remedy: remedy.into(),
        }
    }
}

/// Returns `Err(refusal)` unless `ok`.
pub(crate) fn ensure(ok: bool, refusal: impl FnOnce() -> Refusal) -> Result<(), Refusal> {
    if ok { Ok(()) } else { Err(refusal()) }
}
