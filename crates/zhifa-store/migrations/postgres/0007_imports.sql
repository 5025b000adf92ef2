-- Imports (汇聚, issue 7): records from department systems mapped to the exchange standard
-- (crates/zhifa-exchange) and kept by natural key, so a re-import never duplicates. PostgreSQL.
-- Keep in step with ../sqlite/0007_imports.sql.
--
-- Each new or changed record also writes a change-log row (entity `imported_record`, the
-- record masked) and so a ledger leaf, in the same transaction (APL Art. 47 全过程记录).

-- One run of `zhifa import` (or an API upload).
CREATE TABLE import_runs (
    id             TEXT PRIMARY KEY,
    mapping        TEXT NOT NULL,
    mapping_sm3    TEXT NOT NULL,
    input          TEXT NOT NULL,
    record_type    TEXT NOT NULL,
    actor          TEXT NOT NULL,
    started_at     TEXT NOT NULL,
    finished_at    TEXT,
    rows_read      BIGINT NOT NULL DEFAULT 0,
    added          BIGINT NOT NULL DEFAULT 0,
    changed        BIGINT NOT NULL DEFAULT 0,
    unchanged      BIGINT NOT NULL DEFAULT 0,
    rejected       BIGINT NOT NULL DEFAULT 0,
    skipped        BIGINT NOT NULL DEFAULT 0
);

-- A record as last imported. `key_index` is the keyed HMAC-SM3 blind index of the natural key
-- (record type and key parts), so personal identifiers in a key (a citizen ID) are not kept
-- in clear and cannot be found by hashing candidates;
-- `record` is the standard JSON line, SM4-encrypted (hex); `record_sm3` the SM3 of its clear text.
CREATE TABLE imported_records (
    key_index      TEXT PRIMARY KEY,
    record_type    TEXT NOT NULL,
    key_masked     TEXT NOT NULL,
    source_system  TEXT NOT NULL,
    source_id      TEXT NOT NULL,
    record         TEXT NOT NULL,
    record_sm3     TEXT NOT NULL,
    first_run      TEXT NOT NULL REFERENCES import_runs (id),
    last_run       TEXT NOT NULL REFERENCES import_runs (id),
    imported_at    TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX imported_records_type ON imported_records (record_type, imported_at);
CREATE INDEX imported_records_source ON imported_records (source_system, source_id);
