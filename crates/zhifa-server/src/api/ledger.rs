//! `/api/v1/ledger/*`: the public side of the whole-process record (全过程记录, APL Art. 47;
//! 118号) — the node's checkpoint verifier keys, its latest signed checkpoint, and inclusion
//! and consistency proofs (RFC 9162) from storage in the bare proof JSON format (docs/ledger.md).

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use super::docs::{ListErrors, ReadErrors};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Query};
use crate::state::AppState;

/// The routes of this resource.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/ledger/keys", get(keys))
        .route("/api/v1/ledger/checkpoint", get(checkpoint))
        .route("/api/v1/ledger/proof/inclusion", get(inclusion))
        .route("/api/v1/ledger/proof/consistency", get(consistency))
}

/// The OpenAPI part of this resource.
#[derive(OpenApi)]
#[openapi(
    paths(keys, checkpoint, inclusion, consistency),
    components(schemas(LedgerKeys, InclusionProofBody, ConsistencyProofBody))
)]
pub struct Doc;

/// The node's checkpoint keys.
#[derive(Debug, Serialize, ToSchema)]
pub struct LedgerKeys {
    /// Origin line of the node's checkpoints.
    pub origin: String,
    /// The log's tree hash: `sm3` (default) or `sha256`.
    pub hash: String,
    /// Verifier keys (c2sp.org/signed-note vkey text): SM2 and Ed25519.
    pub keys: Vec<String>,
}

/// An inclusion proof (RFC 9162 §2.1.3), as `zhifa ledger verify-proof` reads it.
#[derive(Debug, Serialize, ToSchema)]
#[allow(dead_code)] // documentation of the answer, built by `zhifa_ledger::InclusionProof`
pub struct InclusionProofBody {
    /// `sm3` or `sha256`.
    pub hash: String,
    /// Leaf index (0-based).
    pub leaf_index: u64,
    /// Tree size the proof is for.
    pub tree_size: u64,
    /// Leaf hash, 64 hex digits.
    pub leaf_hash: String,
    /// Audit path from the leaf up, hex.
    pub proof: Vec<String>,
    /// Root of the tree of `tree_size` leaves, hex.
    pub root: String,
}

/// A consistency proof (RFC 9162 §2.1.4).
#[derive(Debug, Serialize, ToSchema)]
#[allow(dead_code)] // documentation of the answer, built by `zhifa_ledger::ConsistencyProof`
pub struct ConsistencyProofBody {
    /// `sm3` or `sha256`.
    pub hash: String,
    /// Older size.
    pub size1: u64,
    /// Newer size.
    pub size2: u64,
    /// Root of the older tree, hex.
    pub root1: String,
    /// Root of the newer tree, hex.
    pub root2: String,
    /// `PROOF(size1, D[size2])`, hex.
    pub proof: Vec<String>,
}

/// Parameters of an inclusion proof.
#[derive(Debug, Deserialize, IntoParams)]
pub struct InclusionQuery {
    /// Leaf index (0-based).
    pub leaf_index: u64,
    /// Tree size; default the latest signed checkpoint's.
    pub tree_size: Option<u64>,
}

/// Parameters of a consistency proof.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ConsistencyQuery {
    /// Older size.
    pub size1: u64,
    /// Newer size.
    pub size2: u64,
}

/// 账本公钥 — the public keys that sign this node's checkpoints.
#[utoipa::path(
    get, path = "/api/v1/ledger/keys", tag = "ledger",
    responses((status = 200, description = "检查点签名公钥", body = LedgerKeys), ReadErrors)
)]
pub async fn keys(State(state): State<AppState>) -> ApiResult<Json<LedgerKeys>> {
    Ok(Json(LedgerKeys {
        origin: state.config.ledger.origin.clone(),
        hash: state.store.ledger_hash().await?.as_str().to_string(),
        keys: state.config.ledger.verifier_keys.clone(),
    }))
}

/// 最新检查点 — the latest signed checkpoint (c2sp.org/tlog-checkpoint signed note, text/plain).
#[utoipa::path(
    get, path = "/api/v1/ledger/checkpoint", tag = "ledger",
    responses((status = 200, description = "已签名的检查点文本", body = String, content_type = "text/plain"), ReadErrors)
)]
pub async fn checkpoint(State(state): State<AppState>) -> ApiResult<Response> {
    let latest = state
        .store
        .latest_checkpoint()
        .await?
        .ok_or_else(|| ApiError::not_found("账本尚无已签名的检查点"))?;
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        latest.note,
    )
        .into_response())
}

/// 包含证明 — the inclusion proof of a leaf in a tree size (default: the latest checkpoint's).
#[utoipa::path(
    get, path = "/api/v1/ledger/proof/inclusion", tag = "ledger", params(InclusionQuery),
    responses((status = 200, description = "包含证明", body = InclusionProofBody), ListErrors)
)]
pub async fn inclusion(
    State(state): State<AppState>,
    Query(q): Query<InclusionQuery>,
) -> ApiResult<Json<zhifa_ledger::InclusionProof>> {
    let tree_size = match q.tree_size {
        Some(n) => n,
        None => state
            .store
            .latest_checkpoint()
            .await?
            .map(|c| c.tree_size as u64)
            .ok_or_else(|| ApiError::not_found("账本尚无已签名的检查点"))?,
    };
    let proof = state
        .store
        .ledger_inclusion_proof(q.leaf_index, tree_size)
        .await?;
    Ok(Json(proof))
}

/// 一致性证明 — the consistency proof between two tree sizes.
#[utoipa::path(
    get, path = "/api/v1/ledger/proof/consistency", tag = "ledger", params(ConsistencyQuery),
    responses((status = 200, description = "一致性证明", body = ConsistencyProofBody), ListErrors)
)]
pub async fn consistency(
    State(state): State<AppState>,
    Query(q): Query<ConsistencyQuery>,
) -> ApiResult<Json<zhifa_ledger::ConsistencyProof>> {
    let proof = state
        .store
        .ledger_consistency_proof(q.size1, q.size2)
        .await?;
    Ok(Json(proof))
}
