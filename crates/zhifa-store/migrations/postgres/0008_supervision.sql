-- Supervision (执法监督, issue 6): alerts raised by the configured rules and their handling loop
-- (处置闭环). PostgreSQL. Keep in step with ../sqlite/0008_supervision.sql.
--
-- Alerts are derived from the case log by the supervision worker (a cursor over
-- case_events.seq, like the outbox) and by sweeps (time-based and cross-case rules, imported
-- history). Every change of an alert (raised, escalated, assigned, opinion, rectification,
-- feedback, closed, muted) writes a change-log row (entity `supervision_alert`) and so a
-- ledger leaf in the same transaction (APL Art. 47 全过程记录).

-- One alert (监督线索). `dedupe_key` (rule id + what it is about: a case, an officer, an
-- agency and period) makes a rule raise a situation once. `status`: open (待处置), assigned
-- (已指派), opinion_issued (已发监督意见), rectified (已整改), feedback (已反馈),
-- closed (已核查销号), muted (已屏蔽, with a recorded reason).
CREATE TABLE supervision_alerts (
    id             TEXT PRIMARY KEY,
    rule_id        TEXT NOT NULL,
    rule_name      TEXT NOT NULL,
    citation       TEXT NOT NULL,
    severity       TEXT NOT NULL CHECK (severity IN ('high', 'medium', 'low')),
    dedupe_key     TEXT NOT NULL UNIQUE,
    case_id        TEXT,
    case_number    TEXT,
    agency_id      TEXT NOT NULL,
    agency_name    TEXT NOT NULL,
    region_code    TEXT NOT NULL,
    field          TEXT NOT NULL,
    officer_id     TEXT,
    message        TEXT NOT NULL,
    facts          TEXT NOT NULL,
    status         TEXT NOT NULL,
    escalation     BIGINT NOT NULL DEFAULT 0,
    raised_at      TEXT NOT NULL,
    raised_on      TEXT NOT NULL,
    trigger_seq    BIGINT,
    assignee_id    TEXT,
    assignee_name  TEXT,
    opinion        TEXT,
    opinion_number TEXT,
    rectify_due    TEXT,
    rectification  TEXT,
    feedback       TEXT,
    closing_note   TEXT,
    mute_reason    TEXT,
    version        BIGINT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX supervision_alerts_region ON supervision_alerts (region_code, raised_on);
CREATE INDEX supervision_alerts_agency ON supervision_alerts (agency_id, status);
CREATE INDEX supervision_alerts_case ON supervision_alerts (case_id);
CREATE INDEX supervision_alerts_rule ON supervision_alerts (rule_id, status);
CREATE INDEX supervision_alerts_status ON supervision_alerts (status, raised_on);

-- Inspections (现场检查) seen in the case log, by party: the cross-case rule "the same
-- enterprise inspected by different agencies within N days" (国办发〔2024〕54号) reads it.
-- `party_key` is the USCC, or a blind index for a natural person.
CREATE TABLE supervision_inspections (
    seq        BIGINT PRIMARY KEY,
    party_key  TEXT NOT NULL,
    party_name TEXT NOT NULL,
    case_id    TEXT NOT NULL,
    agency_id  TEXT NOT NULL,
    on_date    TEXT NOT NULL
);
CREATE INDEX supervision_inspections_party ON supervision_inspections (party_key, on_date);

-- How far the worker has read the case log, and when sweeps last ran.
CREATE TABLE supervision_cursor (
    name     TEXT PRIMARY KEY,
    position BIGINT NOT NULL,
    swept_at TEXT
);
