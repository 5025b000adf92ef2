//! Access control (F13): login sessions, login throttling with temporary lockout, API tokens
//! for machine clients and the access audit of personal data.
//!
//! Session ids and API tokens are random 256-bit values held only by the client; the database
//! keeps their SM3 hash (GB/T 32905-2016), so a copy of the database cannot be replayed as a
//! login. All stored times share one format (RFC 3339, UTC+8, milliseconds), so they compare as
//! text in SQL.

use chrono::{Duration, SecondsFormat};
use sm3::{Digest, Sm3};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::Store;
use super::support::{Arg, Where, escape_like, fetch_page, field_error, new_id, now, to_json};
use crate::error::{Result, StoreError};
use crate::model::{Page, PageRequest, User};
use crate::scope::Scope;

/// Scopes an API token may carry.
pub const TOKEN_SCOPES: &[&str] = &["read", "write"];

/// A random secret: 32 bytes from the operating system, hex-encoded.
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("operating system random source");
    hex::encode(bytes)
}

/// SM3 hash of a secret, hex-encoded: what the database keeps.
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sm3::digest(secret.as_bytes()))
}

fn time_after(d: Duration) -> String {
    (zhifa_domain::time::now_china() + d).to_rfc3339_opts(SecondsFormat::Millis, false)
}

/// Adds to `w` the condition that the agency (subject id) in `column` lies inside `scope`.
pub(crate) fn scope_agencies(w: &mut Where, scope: &Scope, column: &str) {
    match scope {
        Scope::All => {}
        Scope::Agency(id) => {
            let p = w.arg(Arg::Text(id.clone()));
            w.and(format!("{column} = {p}"));
        }
        Scope::Region(prefix) => {
            let p = w.arg(Arg::Text(format!("{}%", escape_like(prefix))));
            w.and(format!(
                "{column} IN (SELECT id FROM subjects WHERE region_code LIKE {p} ESCAPE '\\')"
            ));
        }
        Scope::Public => w.and("1 = 0"),
    }
}

/// A login session as seen by the server.
#[derive(Debug, Clone)]
pub struct Session {
    /// The account.
    pub user: User,
    /// The CSRF secret forms of this session must echo.
    pub csrf: String,
    /// When the session ends.
    pub expires_at: String,
}

/// A new session: the cookie value (secret) and its CSRF token.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// Value of the session cookie (never stored).
    pub token: String,
    /// CSRF token.
    pub csrf: String,
}

/// Where a request came from, for sessions and the access audit.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    /// Client IP address.
    pub ip: Option<String>,
    /// `User-Agent` header (truncated).
    pub user_agent: Option<String>,
}

/// How many failed logins lock an account, and for how long (GB/T 22239-2019 8.1.4.1 b:
/// 登录失败处理功能).
#[derive(Debug, Clone, Copy)]
pub struct LockoutPolicy {
    /// Failures before the lock.
    pub max_failures: i64,
    /// Lock duration.
    pub lock_for: Duration,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        LockoutPolicy {
            max_failures: 5,
            lock_for: Duration::minutes(15),
        }
    }
}

/// An API token as listed (never the secret).
#[derive(Debug, Clone, serde::Serialize)]
pub struct ApiToken {
    /// Id.
    pub id: String,
    /// Name given by whoever created it.
    pub name: String,
    /// First characters of the secret, to recognise it.
    pub prefix: String,
    /// Scopes (`read`, `write`).
    pub scopes: Vec<String>,
    /// The account whose data scope the token acts in.
    pub owner: String,
    /// Creation time.
    pub created_at: String,
    /// Who created it.
    pub created_by: String,
    /// Revocation time, if revoked.
    pub revoked_at: Option<String>,
    /// Last use.
    pub last_used_at: Option<String>,
}

/// One row of the access audit.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AccessRecord {
    /// Sequence number.
    pub seq: i64,
    /// Who looked (user name).
    pub actor: String,
    /// Their role.
    pub role: String,
    /// Kind of record (`officer`).
    pub entity: String,
    /// Record id.
    pub entity_id: String,
    /// Personal field shown in full (`citizen_id`, `phone`).
    pub field: String,
    /// Agency the record belongs to.
    pub subject_id: Option<String>,
    /// Region of that agency.
    pub region_code: Option<String>,
    /// When.
    pub at: String,
    /// From where.
    pub ip: Option<String>,
    /// Browser or client.
    pub user_agent: Option<String>,
}

/// What was looked at, for [`Store::record_access`].
#[derive(Debug, Clone)]
pub struct AccessEvent<'a> {
    /// Kind of record.
    pub entity: &'a str,
    /// Record id.
    pub entity_id: &'a str,
    /// Personal field shown.
    pub field: &'a str,
    /// Agency of the record.
    pub subject_id: Option<&'a str>,
}

const USER_COLUMNS: &str = "u.id, u.username, u.display_name, u.role, u.subject_id, u.officer_id, u.region_code, u.active, u.created_at";

fn user_from_prefixed(row: &AnyRow) -> Result<User> {
    Ok(User {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        role: row.try_get("role")?,
        subject_id: row.try_get("subject_id")?,
        officer_id: row.try_get("officer_id")?,
        region_code: row.try_get("region_code")?,
        active: super::support::get_bool(row, "active")?,
        created_at: row.try_get("created_at")?,
    })
}

fn token_from_row(row: &AnyRow) -> Result<ApiToken> {
    Ok(ApiToken {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        prefix: row.try_get("prefix")?,
        scopes: super::support::get_json(row, "scopes")?,
        owner: row.try_get("owner")?,
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
        revoked_at: row.try_get("revoked_at")?,
        last_used_at: row.try_get("last_used_at")?,
    })
}

fn access_from_row(row: &AnyRow) -> Result<AccessRecord> {
    Ok(AccessRecord {
        seq: row.try_get("seq")?,
        actor: row.try_get("actor")?,
        role: row.try_get("role")?,
        entity: row.try_get("entity")?,
        entity_id: row.try_get("entity_id")?,
        field: row.try_get("field")?,
        subject_id: row.try_get("subject_id")?,
        region_code: row.try_get("region_code")?,
        at: row.try_get("at")?,
        ip: row.try_get("ip")?,
        user_agent: row.try_get("user_agent")?,
    })
}

fn truncate(s: Option<&str>, n: usize) -> Option<String> {
    s.map(|s| s.chars().take(n).collect())
}

impl Store {
    // ------------------------------------------------------------------ sessions

    /// Opens a session for an account, valid for `ttl`.
    pub async fn create_session(
        &self,
        user_id: &str,
        ttl: Duration,
        client: &ClientInfo,
    ) -> Result<NewSession> {
        let (token, csrf, at) = (random_secret(), random_secret(), now());
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, csrf, created_at, expires_at, last_seen_at, ip, user_agent) \
             VALUES ($1, $2, $3, $4, $5, $4, $6, $7)",
        )
        .bind(secret_hash(&token))
        .bind(user_id)
        .bind(&csrf)
        .bind(&at)
        .bind(time_after(ttl))
        .bind(client.ip.clone())
        .bind(truncate(client.user_agent.as_deref(), 200))
        .execute(&self.pool)
        .await?;
        Ok(NewSession { token, csrf })
    }

    /// The live session of a cookie value: `None` when unknown, expired or the account is
    /// disabled.
    pub async fn session(&self, token: &str) -> Result<Option<Session>> {
        let hash = secret_hash(token);
        let at = now();
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS}, s.csrf, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.id_hash = $1 AND s.expires_at > $2"
        )))
        .bind(&hash)
        .bind(&at)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let user = user_from_prefixed(&row)?;
        if !user.active {
            return Ok(None);
        }
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
            .bind(&at)
            .bind(&hash)
            .execute(&self.pool)
            .await?;
        Ok(Some(Session {
            user,
            csrf: row.try_get("csrf")?,
            expires_at: row.try_get("expires_at")?,
        }))
    }

    /// Ends a session (logout). Unknown tokens are ignored.
    pub async fn delete_session(&self, token: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(secret_hash(token))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Ends every session of an account (password change, account disabled).
    pub async fn delete_user_sessions(&self, user_id: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    // ------------------------------------------------------------------ login throttling

    /// Until when a login name is locked, if it is.
    pub async fn login_locked_until(&self, username: &str) -> Result<Option<String>> {
        let row = sqlx::query(
            "SELECT locked_until FROM login_failures WHERE username = $1 AND locked_until > $2",
        )
        .bind(username.trim())
        .bind(now())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| r.try_get("locked_until")).transpose()?)
    }

    /// Counts a failed login; returns the lock end when this failure locks the name. Counting
    /// starts again after a lock has expired.
    pub async fn record_login_failure(
        &self,
        username: &str,
        ip: Option<&str>,
        policy: LockoutPolicy,
    ) -> Result<Option<String>> {
        let name: String = username.trim().chars().take(64).collect();
        let at = now();
        let mut tx = self.pool.begin().await?;
        // Create the row if missing (concurrent first failures of one name must not collide).
        sqlx::query(
            "INSERT INTO login_failures (username, failures, first_at, last_at) VALUES ($1, 0, $2, $2) \
             ON CONFLICT (username) DO NOTHING",
        )
        .bind(&name)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        let row =
            sqlx::query("SELECT failures, locked_until FROM login_failures WHERE username = $1")
                .bind(&name)
                .fetch_one(&mut *tx)
                .await?;
        let locked: Option<String> = row.try_get("locked_until")?;
        let n: i64 = row.try_get("failures")?;
        // Counting starts again once a lock has run out.
        let failures = if locked.is_some_and(|l| l <= at) {
            1
        } else {
            n + 1
        };
        let locked_until = (failures >= policy.max_failures).then(|| time_after(policy.lock_for));
        sqlx::query(
            "UPDATE login_failures SET failures = $1, last_at = $2, locked_until = $3, last_ip = $4 \
             WHERE username = $5",
        )
        .bind(failures)
        .bind(&at)
        .bind(locked_until.clone())
        .bind(ip.map(str::to_string))
        .bind(&name)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(locked_until)
    }

    /// Forgets the failures of a login name (after a successful login, or an administrator's
    /// unlock).
    pub async fn clear_login_failures(&self, username: &str) -> Result<()> {
        sqlx::query("DELETE FROM login_failures WHERE username = $1")
            .bind(username.trim())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    // ------------------------------------------------------------------ API tokens

    /// Creates an API token for an account with the given scopes; returns the listing and the
    /// secret, which is shown once and never stored.
    pub async fn create_api_token(
        &self,
        name: &str,
        owner_username: &str,
        scopes: &[String],
        created_by: &str,
    ) -> Result<(ApiToken, String)> {
        let secret = random_secret();
        self.insert_api_token(name, owner_username, scopes, created_by, &secret)
            .await
            .map(|t| (t, secret))
    }

    /// Registers a token whose secret is already known (the node token that `zhifa serve`
    /// generates into its data directory); an existing registration of the same secret is
    /// returned unchanged.
    pub async fn ensure_api_token(
        &self,
        name: &str,
        owner_username: &str,
        scopes: &[String],
        secret: &str,
    ) -> Result<ApiToken> {
        if let Some((token, _)) = self.api_token_by_secret(secret).await? {
            return Ok(token);
        }
        self.insert_api_token(name, owner_username, scopes, "system", secret)
            .await
    }

    async fn insert_api_token(
        &self,
        name: &str,
        owner_username: &str,
        scopes: &[String],
        created_by: &str,
        secret: &str,
    ) -> Result<ApiToken> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 64 {
            return Err(StoreError::invalid(field_error(
                "name",
                "token.name.length",
                "令牌名称应为 1–64 个字符",
            )));
        }
        if scopes.is_empty() || scopes.iter().any(|s| !TOKEN_SCOPES.contains(&s.as_str())) {
            return Err(StoreError::invalid(field_error(
                "scopes",
                "token.scopes.unknown",
                "令牌权限应为 read（读取）和/或 write（写入）",
            )));
        }
        let owner = self
            .user_by_username(owner_username)
            .await?
            .ok_or_else(|| {
                StoreError::invalid(field_error(
                    "owner",
                    "token.owner.unknown",
                    format!("账号“{}”不存在", owner_username.trim()),
                ))
            })?;
        let id = new_id();
        sqlx::query(
            "INSERT INTO api_tokens (id, name, token_hash, prefix, scopes, owner_id, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&id)
        .bind(name)
        .bind(secret_hash(secret))
        .bind(secret.chars().take(6).collect::<String>())
        .bind(to_json(scopes))
        .bind(&owner.id)
        .bind(now())
        .bind(created_by)
        .execute(&self.pool)
        .await?;
        self.get_api_token(&id).await
    }

    /// One token by id.
    pub async fn get_api_token(&self, id: &str) -> Result<ApiToken> {
        let row = sqlx::query(
            "SELECT t.id, t.name, t.prefix, t.scopes, u.username AS owner, t.created_at, t.created_by, \
             t.revoked_at, t.last_used_at FROM api_tokens t JOIN users u ON u.id = t.owner_id WHERE t.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: "api_token",
            id: id.to_string(),
        })?;
        token_from_row(&row)
    }

    /// Every token, newest first.
    pub async fn list_api_tokens(&self, page: PageRequest) -> Result<Page<ApiToken>> {
        fetch_page(
            &self.pool,
            "t.id, t.name, t.prefix, t.scopes, u.username AS owner, t.created_at, t.created_by, t.revoked_at, t.last_used_at",
            "api_tokens t JOIN users u ON u.id = t.owner_id",
            Where::new(),
            "t.created_at DESC, t.id",
            page,
            token_from_row,
        )
        .await
    }

    /// Revokes a token (it stops working at once); revoking twice keeps the first time.
    pub async fn revoke_api_token(&self, id: &str) -> Result<ApiToken> {
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(now())
            .bind(id)
            .execute(&self.pool)
            .await?;
        self.tokens.clear();
        self.get_api_token(id).await
    }

    /// The token and its owner for a presented secret: `None` when unknown, revoked or the
    /// owner is disabled. Records the use (at most once a minute).
    ///
    /// Resolved tokens are kept in memory for `TOKEN_CACHE_TTL`, so a busy machine client
    /// costs no query per request. Revoking a token or disabling its owner through this store
    /// takes effect at once (the cache is cleared); done by another process on the same
    /// database (e.g. the CLI), it takes effect within the TTL.
    pub async fn api_token_by_secret(&self, secret: &str) -> Result<Option<(ApiToken, User)>> {
        let hash = secret_hash(secret);
        if let Some((mut token, user)) = self.tokens.get(&hash) {
            self.touch_api_token(&hash, &mut token).await?;
            return Ok(Some((token, user)));
        }
        let generation = self.tokens.generation();
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS}, t.id AS token_id, t.name AS token_name, t.prefix AS token_prefix, \
             t.scopes AS token_scopes, t.created_at AS token_created_at, \
             t.created_by AS token_created_by, t.revoked_at AS token_revoked_at, \
             t.last_used_at AS token_last_used \
             FROM api_tokens t JOIN users u ON u.id = t.owner_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL"
        )))
        .bind(&hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let user = user_from_prefixed(&row)?;
        if !user.active {
            return Ok(None);
        }
        let mut token = ApiToken {
            id: row.try_get("token_id")?,
            name: row.try_get("token_name")?,
            prefix: row.try_get("token_prefix")?,
            scopes: super::support::get_json(&row, "token_scopes")?,
            owner: user.username.clone(),
            created_at: row.try_get("token_created_at")?,
            created_by: row.try_get("token_created_by")?,
            revoked_at: row.try_get("token_revoked_at")?,
            last_used_at: row.try_get("token_last_used")?,
        };
        self.tokens
            .put(generation, hash.clone(), token.clone(), user.clone());
        self.touch_api_token(&hash, &mut token).await?;
        Ok(Some((token, user)))
    }

    /// Records the use of a token when the stored time is over a minute old: a busy machine
    /// client must not turn every read into a write (stored times share one format and
    /// offset, so text order is time order).
    async fn touch_api_token(&self, hash: &str, token: &mut ApiToken) -> Result<()> {
        let cutoff = (zhifa_domain::time::now_china() - chrono::Duration::seconds(60))
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, false);
        if token.last_used_at.as_ref().is_some_and(|t| *t >= cutoff) {
            return Ok(());
        }
        let at = now();
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(&at)
            .bind(&token.id)
            .execute(&self.pool)
            .await?;
        self.tokens.touched(hash, &at);
        token.last_used_at = Some(at);
        Ok(())
    }

    // ------------------------------------------------------------------ access audit

    /// Writes one access-audit row: `user` saw `event.field` of a record in full.
    pub async fn record_access(
        &self,
        user: &User,
        event: &AccessEvent<'_>,
        client: &ClientInfo,
    ) -> Result<()> {
        let region: Option<String> = match event.subject_id {
            Some(s) => sqlx::query("SELECT region_code FROM subjects WHERE id = $1")
                .bind(s)
                .fetch_optional(&self.pool)
                .await?
                .map(|r| r.try_get("region_code"))
                .transpose()?,
            None => None,
        };
        sqlx::query(
            "INSERT INTO access_audit (actor, role, entity, entity_id, field, subject_id, region_code, at, ip, user_agent) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&user.username)
        .bind(&user.role)
        .bind(event.entity)
        .bind(event.entity_id)
        .bind(event.field)
        .bind(event.subject_id.map(str::to_string))
        .bind(region)
        .bind(now())
        .bind(client.ip.clone())
        .bind(truncate(client.user_agent.as_deref(), 200))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The access audit within a scope (supervisors see their region's agencies), newest first.
    pub async fn list_access_audit(
        &self,
        scope: &Scope,
        page: PageRequest,
    ) -> Result<Page<AccessRecord>> {
        let mut w = Where::new();
        match scope {
            Scope::All => {}
            Scope::Region(prefix) => {
                let p = w.arg(Arg::Text(format!("{}%", escape_like(prefix))));
                w.and(format!("region_code LIKE {p} ESCAPE '\\'"));
            }
            Scope::Agency(id) => {
                let p = w.arg(Arg::Text(id.clone()));
                w.and(format!("subject_id = {p}"));
            }
            Scope::Public => w.and("1 = 0"),
        }
        fetch_page(
            &self.pool,
            "seq, actor, role, entity, entity_id, field, subject_id, region_code, at, ip, user_agent",
            "access_audit",
            w,
            "seq DESC",
            page,
            access_from_row,
        )
        .await
    }
}

/// How long a resolved API token is trusted without asking the database again.
pub const TOKEN_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(5);

/// Recently resolved API tokens by secret hash (see [`Store::api_token_by_secret`]).
#[derive(Debug, Default)]
pub(crate) struct TokenCache {
    inner: std::sync::Mutex<TokenCacheInner>,
}

#[derive(Debug, Default)]
struct TokenCacheInner {
    /// Bumped by every clear, so a lookup that raced with a revocation is not cached.
    generation: u64,
    entries: std::collections::HashMap<String, (ApiToken, User, std::time::Instant)>,
}

impl TokenCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, TokenCacheInner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn generation(&self) -> u64 {
        self.lock().generation
    }

    fn get(&self, hash: &str) -> Option<(ApiToken, User)> {
        let mut inner = self.lock();
        match inner.entries.get(hash) {
            Some((t, u, at)) if at.elapsed() < TOKEN_CACHE_TTL => Some((t.clone(), u.clone())),
            Some(_) => {
                inner.entries.remove(hash);
                None
            }
            None => None,
        }
    }

    fn put(&self, generation: u64, hash: String, token: ApiToken, user: User) {
        let mut inner = self.lock();
        if inner.generation != generation {
            return;
        }
        // Only valid tokens get here, so the map is bounded by the tokens issued; drop stale
        // entries now and then all the same.
        if inner.entries.len() >= 4096 {
            inner
                .entries
                .retain(|_, (_, _, at)| at.elapsed() < TOKEN_CACHE_TTL);
        }
        inner
            .entries
            .insert(hash, (token, user, std::time::Instant::now()));
    }

    fn touched(&self, hash: &str, at: &str) {
        if let Some((t, _, _)) = self.lock().entries.get_mut(hash) {
            t.last_used_at = Some(at.to_string());
        }
    }

    /// Forgets every cached token (after a revocation or an account change).
    pub(crate) fn clear(&self) {
        let mut inner = self.lock();
        inner.generation += 1;
        inner.entries.clear();
    }
}
