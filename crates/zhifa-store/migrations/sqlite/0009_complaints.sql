-- Complaints and reports (投诉举报, issue 6): intake from the public portal and the API, routing
-- to the competent agency, the acceptance decision, handling, the result and the reply.
-- SQLite. Keep in step with ../postgres/0009_complaints.sql.
--
-- Every change of a complaint writes a change-log row (entity `complaint`, personal data only
-- masked) and so a ledger leaf in the same transaction (APL Art. 47 全过程记录).

-- One complaint or report. `status`: received (已登记, no agency yet), routed (已分派),
-- accepted (已受理), rejected (不予受理), handled (已办结), replied (已答复).
-- `number` (投诉〔2026〕17号) comes from `complaint_numbers` inside the intake transaction.
-- The complainant's name and phone are SM4-GCM ciphertexts bound to the record id, with
-- masked copies for display (暂行办法第三十三条); the public query code is kept only as an
-- HMAC-SM3 blind index. `due_on` is the deadline running now (acceptance decision, then
-- handling), NULL once decided/handled; `accept_due` and `handle_due` stay for the indicators.
CREATE TABLE complaints (
    id                   TEXT PRIMARY KEY,
    number               TEXT NOT NULL UNIQUE,
    year                 INTEGER NOT NULL,
    seq                  INTEGER NOT NULL,
    kind                 TEXT NOT NULL CHECK (kind IN ('complaint', 'report')),
    channel              TEXT NOT NULL,
    region_code          TEXT NOT NULL,
    field                TEXT NOT NULL,
    respondent_name      TEXT NOT NULL,
    respondent_uscc      TEXT,
    respondent_address   TEXT,
    content              TEXT NOT NULL,
    anonymous            INTEGER NOT NULL DEFAULT 0 CHECK (anonymous IN (0, 1)),
    contact_name_enc     BLOB,
    contact_name_masked  TEXT,
    contact_phone_enc    BLOB,
    contact_phone_masked TEXT,
    query_code_index     TEXT NOT NULL,
    agency_id            TEXT REFERENCES subjects (id),
    agency_name          TEXT,
    agency_region        TEXT,
    routing              TEXT,
    received_on          TEXT NOT NULL,
    received_at          TEXT NOT NULL,
    accept_due           TEXT NOT NULL,
    handle_due           TEXT,
    due_on               TEXT,
    due_provisional      INTEGER NOT NULL DEFAULT 0 CHECK (due_provisional IN (0, 1)),
    status               TEXT NOT NULL CHECK (status IN ('received', 'routed', 'accepted', 'rejected', 'handled', 'replied')),
    routed_on            TEXT,
    decided_on           TEXT,
    reject_reason        TEXT,
    handled_on           TEXT,
    result               TEXT,
    case_id              TEXT,
    alert_id             TEXT,
    replied_on           TEXT,
    reply                TEXT,
    version              INTEGER NOT NULL,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    UNIQUE (kind, year, seq)
);
CREATE INDEX complaints_agency ON complaints (agency_id, received_on);
CREATE INDEX complaints_region ON complaints (region_code, received_on);
CREATE INDEX complaints_status ON complaints (status, due_on);
CREATE INDEX complaints_received ON complaints (received_on);
CREATE INDEX complaints_case ON complaints (case_id);

-- Number series per kind word (投诉, 举报) and year, allocated inside the intake transaction:
-- a refused intake rolls its allocation back, so there are no gaps and no reuse.
CREATE TABLE complaint_numbers (
    word TEXT NOT NULL,
    year INTEGER NOT NULL,
    next INTEGER NOT NULL,
    PRIMARY KEY (word, year)
);
