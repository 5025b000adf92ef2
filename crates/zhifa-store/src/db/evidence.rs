//! Evidence files (证据文件, APL Art. 46–47; 118号 全过程记录): stored content-addressed by SM3
//! (GB/T 32905) under `<evidence_dir>/ab/cdef…`, each one a ledger leaf.
//!
//! An upload streams through [`EvidenceUpload`] (hashing while writing a temporary file, never
//! holding the file in memory, refusing past the size limit); [`Store::add_evidence`] moves it
//! into place and appends the record and its leaf in one transaction. A download re-hashes the
//! file first ([`check_evidence_file`]), so a file edited on disk is refused.

use std::path::{Path, PathBuf};

use sm3::{Digest, Sm3};
use sqlx::Row;
use sqlx::any::AnyRow;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::Store;
use super::ledger::{NewLeaf, append_leaves_at, ledger_head};
use super::support::now;
use crate::error::{Result, StoreError};
use crate::ledger::{Evidence, KIND_EVIDENCE};
use crate::model::Actor;

/// What can go wrong with an evidence file (stable codes in [`EvidenceError::code`]).
#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    /// The upload is larger than the configured limit.
    #[error("证据文件超过大小上限（{limit} 字节）")]
    TooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// The file is gone from the evidence directory.
    #[error("证据文件缺失：{0}")]
    Missing(String),
    /// The file's content no longer has the SM3 it was recorded with.
    #[error("证据文件已被篡改：记录的 SM3 为 {expected}，现为 {actual}")]
    Tampered {
        /// Recorded SM3.
        expected: String,
        /// SM3 of the file as it is now.
        actual: String,
    },
    /// Reading or writing the file failed.
    #[error("证据文件读写失败：{0}")]
    Io(#[from] std::io::Error),
}

impl EvidenceError {
    /// Stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            EvidenceError::TooLarge { .. } => "evidence.too_large",
            EvidenceError::Missing(_) => "evidence.missing",
            EvidenceError::Tampered { .. } => "evidence.tampered",
            EvidenceError::Io(_) => "evidence.io",
        }
    }
}

/// `ab/cdef…`: where a file with this SM3 (hex) is kept under the evidence directory.
pub fn evidence_path(sm3_hex: &str) -> String {
    format!("{}/{}", &sm3_hex[..2], &sm3_hex[2..])
}

/// An upload in progress: a temporary file in `<evidence_dir>/tmp` and the running SM3.
#[derive(Debug)]
pub struct EvidenceUpload {
    dir: PathBuf,
    tmp: PathBuf,
    file: Option<tokio::fs::File>,
    hasher: Sm3,
    size: u64,
    limit: u64,
}

/// A complete upload, hashed, waiting for [`Store::add_evidence`].
#[derive(Debug)]
pub struct FinishedUpload {
    dir: PathBuf,
    tmp: PathBuf,
    /// SM3 of the content, lowercase hex.
    pub sm3: String,
    /// Size in bytes.
    pub size: u64,
}

impl EvidenceUpload {
    /// Starts an upload into `evidence_dir` accepting at most `limit` bytes.
    pub async fn begin(evidence_dir: &Path, limit: u64) -> Result<Self, EvidenceError> {
        let tmp_dir = evidence_dir.join("tmp");
        tokio::fs::create_dir_all(&tmp_dir).await?;
        let tmp = tmp_dir.join(format!("{}.part", uuid::Uuid::now_v7().simple()));
        let file = tokio::fs::File::create(&tmp).await?;
        Ok(EvidenceUpload {
            dir: evidence_dir.to_path_buf(),
            tmp,
            file: Some(file),
            hasher: Sm3::new(),
            size: 0,
            limit,
        })
    }

    /// Adds the next chunk; fails (and discards the upload) once past the limit.
    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), EvidenceError> {
        self.size += chunk.len() as u64;
        if self.size > self.limit {
            return Err(EvidenceError::TooLarge { limit: self.limit });
        }
        self.hasher.update(chunk);
        if let Some(f) = self.file.as_mut() {
            f.write_all(chunk).await?;
        }
        Ok(())
    }

    /// Flushes the file to disk and returns its hash and size.
    pub async fn finish(mut self) -> Result<FinishedUpload, EvidenceError> {
        if let Some(mut f) = self.file.take() {
            f.flush().await?;
            f.sync_all().await?;
        }
        let sm3 = hex::encode(std::mem::take(&mut self.hasher).finalize());
        let done = FinishedUpload {
            dir: self.dir.clone(),
            tmp: std::mem::take(&mut self.tmp),
            sm3,
            size: self.size,
        };
        Ok(done)
    }
}

impl Drop for EvidenceUpload {
    fn drop(&mut self) {
        // An unfinished (refused or abandoned) upload leaves nothing behind.
        if !self.tmp.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

impl Drop for FinishedUpload {
    fn drop(&mut self) {
        // Recorded uploads were moved away; an upload never recorded leaves nothing behind.
        let _ = std::fs::remove_file(&self.tmp);
    }
}

/// Re-hashes the stored file of `evidence` (streaming) and returns its path when the content
/// still has the recorded SM3.
pub async fn check_evidence_file(
    evidence_dir: &Path,
    evidence: &Evidence,
) -> Result<PathBuf, EvidenceError> {
    let path = evidence_dir.join(&evidence.stored_path);
    let mut file = match tokio::fs::File::open(&path).await {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(EvidenceError::Missing(evidence.sm3.clone()));
        }
        Err(e) => return Err(e.into()),
    };
    let mut hasher = Sm3::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = file.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    let actual = hex::encode(hasher.finalize());
    if actual == evidence.sm3 {
        Ok(path)
    } else {
        Err(EvidenceError::Tampered {
            expected: evidence.sm3.clone(),
            actual,
        })
    }
}

pub(crate) fn evidence_from_row(row: &AnyRow) -> Result<Evidence> {
    Ok(Evidence {
        sm3: row.try_get("sm3")?,
        size: row.try_get("size")?,
        media_type: row.try_get("media_type")?,
        original_name: row.try_get("original_name")?,
        stored_path: row.try_get("stored_path")?,
        uploaded_by: row.try_get("uploaded_by")?,
        at: row.try_get("at")?,
        leaf_index: row.try_get("leaf_index")?,
    })
}

/// Columns of `evidence`, in [`evidence_from_row`] order.
pub(crate) const EVIDENCE_COLUMNS: &str =
    "sm3, size, media_type, original_name, stored_path, uploaded_by, at, leaf_index";

impl Store {
    /// Records a finished upload: moves the file to `ab/cdef…` and, unless the same content
    /// is already recorded, writes the record and its ledger leaf in one transaction.
    /// Returns the record and whether it is new.
    pub async fn add_evidence(
        &self,
        upload: FinishedUpload,
        media_type: &str,
        original_name: Option<&str>,
        actor: &Actor,
    ) -> Result<(Evidence, bool)> {
        let stored_path = evidence_path(&upload.sm3);
        let target = upload.dir.join(&stored_path);
        let io = |e: std::io::Error| StoreError::Unavailable(format!("证据目录不可写：{e}"));
        if let Some(parent) = target.parent() {
            tokio::fs::create_dir_all(parent).await.map_err(io)?;
        }
        tokio::fs::rename(&upload.tmp, &target).await.map_err(io)?;
        let mut tx = self.begin_write().await?;
        let sql = format!("SELECT {EVIDENCE_COLUMNS} FROM evidence WHERE sm3 = $1");
        if let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&upload.sm3)
            .fetch_optional(&mut *tx)
            .await?
        {
            return Ok((evidence_from_row(&row)?, false));
        }
        let at = now();
        let mut evidence = Evidence {
            sm3: upload.sm3.clone(),
            size: upload.size as i64,
            media_type: media_type.to_string(),
            original_name: original_name.map(str::to_string),
            stored_path,
            uploaded_by: actor.user.clone(),
            at: at.clone(),
            leaf_index: 0,
        };
        let head = ledger_head(&mut tx).await?;
        let leaf = NewLeaf {
            kind: KIND_EVIDENCE,
            reference: evidence.sm3.clone(),
            hash: evidence.leaf_hash(head.alg),
        };
        evidence.leaf_index =
            append_leaves_at(&mut tx, self.backend, head, &[leaf], &at).await? as i64;
        let insert = format!(
            "INSERT INTO evidence ({EVIDENCE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        );
        sqlx::query(sqlx::AssertSqlSafe(insert))
            .bind(&evidence.sm3)
            .bind(evidence.size)
            .bind(&evidence.media_type)
            .bind(evidence.original_name.as_deref())
            .bind(&evidence.stored_path)
            .bind(&evidence.uploaded_by)
            .bind(&evidence.at)
            .bind(evidence.leaf_index)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok((evidence, true))
    }

    /// The record of an evidence file by its SM3 (hex).
    pub async fn evidence(&self, sm3_hex: &str) -> Result<Evidence> {
        let sql = format!("SELECT {EVIDENCE_COLUMNS} FROM evidence WHERE sm3 = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(sm3_hex.to_ascii_lowercase())
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "evidence",
                id: sm3_hex.to_string(),
            })?;
        evidence_from_row(&row)
    }
}
