-- Outbox (一次报送，多头应用, issue 7): consumers, their cursors over the two ordered logs
-- (`case_events.seq`, `changes.seq`), and one delivery per (consumer, log record). SQLite.
-- Keep in step with ../postgres/0006_outbox.sql (same tables, columns and indexes).
--
-- Nothing here is written by the write path of cases or base data: a materialiser tails the
-- logs past each consumer's cursor and inserts the deliveries and the new cursor in one
-- transaction (see ARCHITECTURE.md, "Outbox").

-- A consumer: the credit platform export (双公示), a department system's webhook, or the
-- publicity portal. `record_kinds` is a JSON list of record kinds (`case_event:decision_made`,
-- `change:subject`, or a prefix ending in `*`); `secret` is the HMAC key, SM4-encrypted.
CREATE TABLE outbox_consumers (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('credit_export', 'webhook', 'publicity')),
    name         TEXT NOT NULL UNIQUE,
    url          TEXT NOT NULL,
    secret       TEXT,
    record_kinds TEXT NOT NULL,
    enabled      INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    version      INTEGER NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);

-- How far each consumer has been materialised in each log (`log`: case_events | changes):
-- every record with seq <= position has its deliveries (or was not for this consumer).
CREATE TABLE outbox_cursors (
    consumer_id TEXT NOT NULL REFERENCES outbox_consumers (id),
    log         TEXT NOT NULL CHECK (log IN ('case_events', 'changes')),
    position    INTEGER NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (consumer_id, log)
);

-- One delivery of one log record to one consumer. The unique key makes a second
-- materialisation of the same record a no-op; `idempotency_key` is what the receiver
-- deduplicates on. `next_attempt_ms` is Unix milliseconds (compared numerically).
CREATE TABLE outbox_deliveries (
    id              TEXT PRIMARY KEY,
    consumer_id     TEXT NOT NULL REFERENCES outbox_consumers (id),
    log             TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    record_kind     TEXT NOT NULL,
    record_id       TEXT NOT NULL,
    payload         TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL,
    next_attempt_ms INTEGER NOT NULL,
    last_error      TEXT,
    receipt         TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    delivered_at    TEXT,
    UNIQUE (consumer_id, log, seq)
);
CREATE INDEX outbox_deliveries_due ON outbox_deliveries (status, next_attempt_ms);
CREATE INDEX outbox_deliveries_consumer ON outbox_deliveries (consumer_id, status);
