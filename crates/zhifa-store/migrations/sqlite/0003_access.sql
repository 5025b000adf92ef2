-- Access control (F13): login sessions, login failures and lockout, API tokens for machine
-- clients, and the access audit of personal data. Keep in step with
-- ../postgres/0003_access.sql (same tables, columns and indexes).
-- Secrets are never stored: sessions and tokens are kept as the SM3 hash of the random value
-- the client holds.

CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id),
    csrf         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    ip           TEXT,
    user_agent   TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE login_failures (
    username      TEXT PRIMARY KEY,
    failures      INTEGER NOT NULL,
    first_at      TEXT NOT NULL,
    last_at       TEXT NOT NULL,
    locked_until  TEXT,
    last_ip       TEXT
);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    prefix       TEXT NOT NULL,
    scopes       TEXT NOT NULL,
    owner_id     TEXT NOT NULL REFERENCES users (id),
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    revoked_at   TEXT,
    last_used_at TEXT
);
CREATE INDEX api_tokens_owner ON api_tokens (owner_id);

CREATE TABLE access_audit (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    actor      TEXT NOT NULL,
    role       TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  TEXT NOT NULL,
    field      TEXT NOT NULL,
    subject_id TEXT,
    region_code TEXT,
    at         TEXT NOT NULL,
    ip         TEXT,
    user_agent TEXT
);
CREATE INDEX access_audit_entity ON access_audit (entity, entity_id);
CREATE INDEX access_audit_region ON access_audit (region_code);
