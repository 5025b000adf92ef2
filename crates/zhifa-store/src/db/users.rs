//! User accounts (账号): argon2id password hashes (never the password, never the hash in the
//! change log), login checks that take about the same time whether or not the user exists.

use std::sync::{Arc, OnceLock};

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{Any, AssertSqlSafe, Executor, Row};
use zhifa_domain::FieldError;
use zhifa_domain::region::RegionCode;

use super::Store;
use super::support::Where;
use super::support::{
    ChangeEntry, Tx, blank_to_none, fetch_page, field_error, get_bool, map_unique, new_id, now,
    record_change, snapshot, unknown_ref,
};
use crate::error::{Result, StoreError};
use crate::model::{Actor, Page, PageRequest, User, UserInput, Validate};

const COLUMNS: &str =
    "id, username, display_name, role, subject_id, officer_id, region_code, active, created_at";

/// Password hashing settings of a store, and the hash checked against when a login names an
/// unknown user (so that answer takes as long as a wrong password).
#[derive(Debug)]
pub(crate) struct Passwords {
    params: Params,
    dummy: OnceLock<String>,
}

impl Passwords {
    /// Argon2id with the RFC 9106 / OWASP parameters of the `argon2` crate (19 MiB, 2 passes).
    pub(crate) fn standard() -> Self {
        Passwords {
            params: Params::default(),
            dummy: OnceLock::new(),
        }
    }

    /// Cheap parameters (8 KiB, 1 pass) for tests.
    fn fast() -> Self {
        Passwords {
            params: Params::new(8, 1, 1, None).unwrap_or_default(),
            dummy: OnceLock::new(),
        }
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    /// The PHC string of `password` with a fresh salt.
    fn hash(&self, password: &str) -> Result<String> {
        self.argon2()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| StoreError::Crypto(format!("口令散列失败：{e}")))
    }

    /// Whether `password` matches the PHC string `hash` (false for a malformed hash).
    fn verify(&self, password: &str, hash: &str) -> bool {
        PasswordHash::new(hash).is_ok_and(|h| {
            self.argon2()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
    }

    /// Verifies against a fixed hash, to spend the time a real check would.
    fn verify_dummy(&self, password: &str) {
        let dummy = self
            .dummy
            .get_or_init(|| self.hash("zhifa-no-such-user").unwrap_or_default());
        let _ = self.verify(password, dummy);
    }
}

/// Runs CPU-heavy password work off the async threads.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| StoreError::Crypto(format!("口令处理任务失败：{e}")))
}

fn user_from_row(row: &AnyRow) -> Result<User> {
    Ok(User {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        role: row.try_get("role")?,
        subject_id: row.try_get("subject_id")?,
        officer_id: row.try_get("officer_id")?,
        region_code: row.try_get("region_code")?,
        active: get_bool(row, "active")?,
        created_at: row.try_get("created_at")?,
    })
}

async fn fetch<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    column: &str,
    value: &str,
) -> Result<Option<User>> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM users WHERE {column} = $1"
    )))
    .bind(value)
    .fetch_optional(ex)
    .await?;
    row.as_ref().map(user_from_row).transpose()
}

fn not_found(id: &str) -> StoreError {
    StoreError::NotFound {
        entity: "user",
        id: id.to_string(),
    }
}

impl Store {
    /// The same store with cheap argon2 parameters: for tests only (hashes made this way are
    /// still verified correctly by a standard store, since parameters travel in the hash).
    pub fn with_fast_password_hashing(mut self) -> Self {
        self.passwords = Arc::new(Passwords::fast());
        self
    }

    /// Checks inside the transaction: the user name is free, the subject and officer exist,
    /// and the officer belongs to the subject.
    async fn check_user(
        &self,
        tx: &mut Tx,
        input: &UserInput,
        errors: &mut Vec<FieldError>,
    ) -> Result<()> {
        let username = input.username.trim();
        if !errors.iter().any(|e| e.field == "username")
            && sqlx::query("SELECT 1 FROM users WHERE username = $1")
                .bind(username)
                .fetch_optional(&mut **tx)
                .await?
                .is_some()
        {
            errors.push(field_error(
                "username",
                "username.duplicate",
                format!("登录名“{username}”已被使用"),
            ));
        }
        let subject = blank_to_none(&input.subject_id);
        if let Some(s) = &subject
            && sqlx::query("SELECT 1 FROM subjects WHERE id = $1")
                .bind(s)
                .fetch_optional(&mut **tx)
                .await?
                .is_none()
        {
            errors.push(unknown_ref(
                "subject_id",
                "subject_id.unknown",
                "执法主体",
                s,
            ));
        }
        if let Some(o) = blank_to_none(&input.officer_id) {
            let row = sqlx::query("SELECT subject_id FROM officers WHERE id = $1")
                .bind(&o)
                .fetch_optional(&mut **tx)
                .await?;
            match row {
                None => errors.push(unknown_ref(
                    "officer_id",
                    "officer_id.unknown",
                    "执法人员",
                    &o,
                )),
                Some(row) => {
                    let of: String = row.try_get("subject_id")?;
                    if subject.as_ref().is_some_and(|s| *s != of) {
                        errors.push(field_error(
                            "officer_id",
                            "officer_id.subject_mismatch",
                            "关联的执法人员不属于该账号的执法主体",
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// Creates a user with an argon2id password hash and logs the account (without the hash).
    pub async fn create_user(&self, input: &UserInput, actor: &Actor) -> Result<User> {
        let mut errors = input.validate().err().unwrap_or_default();
        let hash = if errors.iter().any(|e| e.field == "password") {
            String::new()
        } else {
            let (passwords, password) = (self.passwords.clone(), input.password.clone());
            blocking(move || passwords.hash(&password)).await??
        };
        let mut tx = self.begin_write().await?;
        self.check_user(&mut tx, input, &mut errors).await?;
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let (id, at) = (new_id(), now());
        let region = blank_to_none(&input.region_code).map(|r| {
            RegionCode::parse(&r)
                .map(|c| c.as_str().to_string())
                .unwrap_or(r)
        });
        sqlx::query(
            "INSERT INTO users (id, username, display_name, role, subject_id, officer_id, region_code, password_hash, \
             active, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
        )
        .bind(&id)
        .bind(input.username.trim())
        .bind(input.display_name.trim())
        .bind(input.role.trim())
        .bind(blank_to_none(&input.subject_id))
        .bind(blank_to_none(&input.officer_id))
        .bind(region)
        .bind(hash)
        .bind(true)
        .bind(&at)
        .execute(&mut *tx)
        .await
        .map_err(|e| map_unique(e, "username", "登录名已被使用"))?;
        let after = fetch(&mut *tx, "id", &id)
            .await?
            .ok_or_else(|| not_found(&id))?;
        let entry = ChangeEntry {
            entity: "user",
            entity_id: &id,
            action: "create",
            before: None,
            after: snapshot(&after),
        };
        record_change(&mut tx, entry, actor, &at).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Disables an account (it can no longer log in); an already disabled one is returned
    /// unchanged and unlogged.
    pub async fn deactivate_user(&self, id: &str, actor: &Actor) -> Result<User> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut *tx, "id", id)
            .await?
            .ok_or_else(|| not_found(id))?;
        if !before.active {
            return Ok(before);
        }
        let at = now();
        sqlx::query("UPDATE users SET active = $1, updated_at = $2 WHERE id = $3")
            .bind(false)
            .bind(&at)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let after = fetch(&mut *tx, "id", id)
            .await?
            .ok_or_else(|| not_found(id))?;
        let entry = ChangeEntry {
            entity: "user",
            entity_id: id,
            action: "deactivate",
            before: snapshot(&before),
            after: snapshot(&after),
        };
        record_change(&mut tx, entry, actor, &at).await?;
        tx.commit().await?;
        self.tokens.clear();
        Ok(after)
    }

    /// Sets a new password (≥ 8 characters); the change log records that it changed, nothing
    /// more.
    pub async fn set_user_password(&self, id: &str, password: &str, actor: &Actor) -> Result<User> {
        let n = password.chars().count();
        if !(8..=128).contains(&n) {
            let mut e = field_error("password", "user.password.length", "密码应为 8–128 个字符");
            e.rule = "GB/T 22239-2019".to_string();
            return Err(StoreError::invalid(e));
        }
        let (passwords, pw) = (self.passwords.clone(), password.to_string());
        let hash = blocking(move || passwords.hash(&pw)).await??;
        let mut tx = self.begin_write().await?;
        let user = fetch(&mut *tx, "id", id)
            .await?
            .ok_or_else(|| not_found(id))?;
        let at = now();
        sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
            .bind(hash)
            .bind(&at)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let entry = ChangeEntry {
            entity: "user",
            entity_id: id,
            action: "update",
            before: None,
            after: Some(json!({ "username": user.username, "password": "已重置" })),
        };
        record_change(&mut tx, entry, actor, &at).await?;
        tx.commit().await?;
        Ok(user)
    }

    /// The user with this login name, if any.
    pub async fn user_by_username(&self, username: &str) -> Result<Option<User>> {
        fetch(&self.pool, "username", username.trim()).await
    }

    /// All users, ordered by login name.
    pub async fn list_users(&self, page: PageRequest) -> Result<Page<User>> {
        fetch_page(
            &self.pool,
            COLUMNS,
            "users",
            Where::new(),
            "username",
            page,
            user_from_row,
        )
        .await
    }

    /// Checks a password against the stored argon2id hash: `None` for an unknown user, a wrong
    /// password or a disabled account, all after one hash verification.
    pub async fn verify_password(&self, username: &str, password: &str) -> Result<Option<User>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS}, password_hash FROM users WHERE username = $1"
        )))
        .bind(username.trim())
        .fetch_optional(&self.pool)
        .await?;
        let passwords = self.passwords.clone();
        let password = password.to_string();
        let Some(row) = row else {
            blocking(move || passwords.verify_dummy(&password)).await?;
            return Ok(None);
        };
        let user = user_from_row(&row)?;
        let hash: String = row.try_get("password_hash")?;
        let ok = blocking(move || passwords.verify(&password, &hash)).await?;
        Ok((ok && user.active).then_some(user))
    }
}
