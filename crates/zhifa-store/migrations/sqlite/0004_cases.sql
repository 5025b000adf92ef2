-- Case handling (执法办案, F3/F5), SQLite. Keep in step with ../postgres/0004_cases.sql.
-- Events are the source of truth; `cases` is a projection rebuilt from them. Every event is a
-- ledger leaf (kind `case_event`, ref = seq) appended in the same transaction.

-- Case events. `seq` is assigned by the store under the write lock (gap-free, like leaf
-- indexes); `payload` is the event JSON as stored, the `id_number` and `phone` of any party
-- encrypted (SM4-GCM); the leaf hashes these columns (zhifa-ledger/case-event/v1).
CREATE TABLE case_events (
    seq             INTEGER PRIMARY KEY,
    case_id         TEXT NOT NULL,
    version         INTEGER NOT NULL,
    kind            TEXT NOT NULL,
    payload         TEXT NOT NULL,
    actor           TEXT NOT NULL,
    role            TEXT NOT NULL,
    at              TEXT NOT NULL,
    place           TEXT,
    idempotency_key TEXT NOT NULL,
    on_date         TEXT NOT NULL,
    leaf_index      INTEGER NOT NULL,
    UNIQUE (case_id, version)
);

-- The case list (projection): columns of `CaseSummary`, the folded state (JSON, party data
-- encrypted), the flags the queues filter on, and the seq and leaf hash of the decision event
-- (the leaf hash is a published decision's verification code).
CREATE TABLE cases (
    id                   TEXT PRIMARY KEY,
    number               TEXT,
    agency_id            TEXT NOT NULL,
    agency_name          TEXT NOT NULL,
    region_code          TEXT NOT NULL,
    field                TEXT NOT NULL,
    procedure            TEXT NOT NULL,
    stage                TEXT NOT NULL,
    stage_name           TEXT NOT NULL,
    cause                TEXT NOT NULL,
    party_name           TEXT NOT NULL,
    party_type           TEXT NOT NULL,
    fine_fen             INTEGER NOT NULL,
    opened_on            TEXT NOT NULL,
    filed_on             TEXT,
    decided_on           TEXT,
    closed_on            TEXT,
    next_due             TEXT,
    next_due_label       TEXT,
    review_pending       INTEGER NOT NULL CHECK (review_pending IN (0, 1)),
    discretion_deviation INTEGER NOT NULL CHECK (discretion_deviation IN (0, 1)),
    hearing              INTEGER NOT NULL CHECK (hearing IN (0, 1)),
    late_decision        INTEGER NOT NULL CHECK (late_decision IN (0, 1)),
    published_on         TEXT,
    officer_ids          TEXT NOT NULL,
    version              INTEGER NOT NULL,
    updated_at           TEXT NOT NULL,
    state                TEXT NOT NULL,
    power_id             TEXT,
    review_queue         INTEGER NOT NULL CHECK (review_queue IN (0, 1)),
    head_queue           INTEGER NOT NULL CHECK (head_queue IN (0, 1)),
    decision_seq         INTEGER,
    decision_hash        TEXT
);
CREATE INDEX cases_agency ON cases (agency_id, updated_at);
CREATE INDEX cases_stage ON cases (stage);
CREATE INDEX cases_next_due ON cases (next_due);
CREATE INDEX cases_region ON cases (region_code);
CREATE INDEX cases_published ON cases (published_on);
CREATE INDEX cases_decision_hash ON cases (decision_hash);

-- Idempotency keys: the first result of a command, and the SM3 of its canonical JSON (so a
-- key reused for another command is refused without storing the command's personal data).
CREATE TABLE case_commands (
    idempotency_key TEXT PRIMARY KEY,
    case_id         TEXT NOT NULL,
    command         TEXT NOT NULL,
    command_sm3     TEXT NOT NULL,
    first_seq       INTEGER NOT NULL,
    last_seq        INTEGER NOT NULL,
    at              TEXT NOT NULL
);

-- Number series per agency, year and word (处罚, 当罚), allocated inside the write transaction.
CREATE TABLE case_numbers (
    agency_id TEXT NOT NULL,
    year      INTEGER NOT NULL,
    word      TEXT NOT NULL,
    next      INTEGER NOT NULL,
    PRIMARY KEY (agency_id, year, word)
);

-- Node settings (e.g. `case_rules`), JSON values; every change is in the change log.
CREATE TABLE node_settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    version    INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
);
