-- Maintained aggregates of the supervision statistics (执法监督统计汇总, F11, issue 6 P5).
-- SQLite. Keep in step with ../postgres/0010_stats_aggregates.sql.
--
-- The dashboards group cases by region, agency, field and period. Grouping the `cases`
-- projection itself reads every case of the period (10^6 a year for a large province), so the
-- figures that count dated facts are kept in buckets per (day, region, agency, field) —
-- `case_stats_day` — rolled up per month in `case_stats`, both maintained by triggers in the
-- transaction that writes the case, the event or the alert: what a transaction commits and
-- what the dashboards add up can never disagree, whichever code path wrote the row (commands,
-- imported histories, rebuilt projections). A period is read as its whole months from
-- `case_stats` and its cut months' days from `case_stats_day`.
--
-- A case counts on each of its dates: received (opened_on), filed (filed_on), decided
-- (decided_on, with its fine, discretion deviation, late decision, publication and the legal
-- review of a general-procedure decision), closed (closed_on). Inspection records count on the
-- day of the record (case_events `record_made` of kind `inspection`), alerts in the month they
-- were raised. Cases open now are counted per day received (`open_stats`, rows dropped when
-- they reach zero); overdue today is not a dated fact and is counted from the open cases past
-- their deadline (partial index `cases_overdue`).

-- Whether legal review (法制审核, APL Art. 58) was requested: a column of its own so that the
-- review figures no longer parse the folded state.
ALTER TABLE cases ADD COLUMN review_requested INTEGER NOT NULL DEFAULT 0
    CHECK (review_requested IN (0, 1));
UPDATE cases SET review_requested = 1
    WHERE json_extract(state, '$.review.requested') IS NOT NULL;

-- Open cases (not 结案 '7', 归档 '8', 移送 '9') by their next deadline: what "overdue" reads.
CREATE INDEX cases_overdue ON cases (next_due, region_code, agency_id, field, opened_on, closed_on)
    WHERE stage NOT IN ('7', '8', '9');

-- Case figures per day bucket (`day` is `YYYY-MM-DD`). Clustered by day then region: cut
-- months are read day by day (`day IN (…)`), each day's region one contiguous range.
CREATE TABLE case_stats_day (
    region_code  TEXT NOT NULL,
    day          TEXT NOT NULL,
    agency_id    TEXT NOT NULL,
    field        TEXT NOT NULL,
    received     INTEGER NOT NULL DEFAULT 0,
    filed        INTEGER NOT NULL DEFAULT 0,
    decided      INTEGER NOT NULL DEFAULT 0,
    fine_fen     INTEGER NOT NULL DEFAULT 0,
    deviations   INTEGER NOT NULL DEFAULT 0,
    late         INTEGER NOT NULL DEFAULT 0,
    published    INTEGER NOT NULL DEFAULT 0,
    reviews_due  INTEGER NOT NULL DEFAULT 0,
    reviewed     INTEGER NOT NULL DEFAULT 0,
    closed       INTEGER NOT NULL DEFAULT 0,
    inspections  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, region_code, agency_id, field)
) WITHOUT ROWID;
CREATE INDEX case_stats_day_agency ON case_stats_day (agency_id, day);

-- The same per month (`YYYY-MM`), the same column order; whole months are read here.
CREATE TABLE case_stats (
    region_code  TEXT NOT NULL,
    month        TEXT NOT NULL,
    agency_id    TEXT NOT NULL,
    field        TEXT NOT NULL,
    received     INTEGER NOT NULL DEFAULT 0,
    filed        INTEGER NOT NULL DEFAULT 0,
    decided      INTEGER NOT NULL DEFAULT 0,
    fine_fen     INTEGER NOT NULL DEFAULT 0,
    deviations   INTEGER NOT NULL DEFAULT 0,
    late         INTEGER NOT NULL DEFAULT 0,
    published    INTEGER NOT NULL DEFAULT 0,
    reviews_due  INTEGER NOT NULL DEFAULT 0,
    reviewed     INTEGER NOT NULL DEFAULT 0,
    closed       INTEGER NOT NULL DEFAULT 0,
    inspections  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (month, region_code, agency_id, field)
) WITHOUT ROWID;
CREATE INDEX case_stats_agency ON case_stats (agency_id, month);

-- Cases open now (not 结案, 归档 or 移送, no closing date) per bucket of the day received.
CREATE TABLE open_stats (
    region_code  TEXT NOT NULL,
    agency_id    TEXT NOT NULL,
    field        TEXT NOT NULL,
    day          TEXT NOT NULL,
    n            INTEGER NOT NULL,
    PRIMARY KEY (region_code, agency_id, field, day)
) WITHOUT ROWID;
CREATE INDEX open_stats_agency ON open_stats (agency_id, day);

-- Alerts per bucket and rule; `open` counts those not closed or muted.
CREATE TABLE alert_stats (
    region_code  TEXT NOT NULL,
    month        TEXT NOT NULL,
    agency_id    TEXT NOT NULL,
    field        TEXT NOT NULL,
    rule_id      TEXT NOT NULL,
    rule_name    TEXT NOT NULL,
    total        INTEGER NOT NULL DEFAULT 0,
    open         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (month, region_code, agency_id, field, rule_id)
) WITHOUT ROWID;
CREATE INDEX alert_stats_agency ON alert_stats (agency_id, month);

-- The contribution of one `cases` row, signed (+1 added, -1 removed). SQLite has no stored
-- functions: inserting into this view is the function, its INSTEAD OF trigger the body.
CREATE VIEW case_stats_change AS
    SELECT 0 AS sign, region_code, agency_id, field, procedure, opened_on, filed_on, decided_on,
           closed_on, fine_fen, discretion_deviation, late_decision, published_on,
           review_requested, review_queue, stage
    FROM cases WHERE 0;

-- A day bucket's change rolls up into its month.
CREATE TRIGGER case_stats_day_insert AFTER INSERT ON case_stats_day
BEGIN
    INSERT INTO case_stats (region_code, month, agency_id, field, received, filed, decided,
                            fine_fen, deviations, late, published, reviews_due, reviewed, closed,
                            inspections)
    VALUES (NEW.region_code, substr(NEW.day, 1, 7), NEW.agency_id, NEW.field, NEW.received,
            NEW.filed, NEW.decided, NEW.fine_fen, NEW.deviations, NEW.late, NEW.published,
            NEW.reviews_due, NEW.reviewed, NEW.closed, NEW.inspections)
    ON CONFLICT (month, region_code, agency_id, field) DO UPDATE SET
        received = received + excluded.received,
        filed = filed + excluded.filed,
        decided = decided + excluded.decided,
        fine_fen = fine_fen + excluded.fine_fen,
        deviations = deviations + excluded.deviations,
        late = late + excluded.late,
        published = published + excluded.published,
        reviews_due = reviews_due + excluded.reviews_due,
        reviewed = reviewed + excluded.reviewed,
        closed = closed + excluded.closed,
        inspections = inspections + excluded.inspections;
END;

CREATE TRIGGER case_stats_day_update AFTER UPDATE ON case_stats_day
BEGIN
    UPDATE case_stats SET
        received = received + NEW.received - OLD.received,
        filed = filed + NEW.filed - OLD.filed,
        decided = decided + NEW.decided - OLD.decided,
        fine_fen = fine_fen + NEW.fine_fen - OLD.fine_fen,
        deviations = deviations + NEW.deviations - OLD.deviations,
        late = late + NEW.late - OLD.late,
        published = published + NEW.published - OLD.published,
        reviews_due = reviews_due + NEW.reviews_due - OLD.reviews_due,
        reviewed = reviewed + NEW.reviewed - OLD.reviewed,
        closed = closed + NEW.closed - OLD.closed,
        inspections = inspections + NEW.inspections - OLD.inspections
    WHERE month = substr(NEW.day, 1, 7) AND region_code = NEW.region_code
      AND agency_id = NEW.agency_id AND field = NEW.field;
END;

CREATE TRIGGER case_stats_change_apply INSTEAD OF INSERT ON case_stats_change
BEGIN
    INSERT INTO case_stats_day (region_code, day, agency_id, field, received, filed, decided,
                            fine_fen, deviations, late, published, reviews_due, reviewed, closed)
    SELECT NEW.region_code, day, NEW.agency_id, NEW.field, SUM(received), SUM(filed),
           SUM(decided), SUM(fine_fen), SUM(deviations), SUM(late), SUM(published),
           SUM(reviews_due), SUM(reviewed), SUM(closed)
    FROM (
        SELECT NEW.opened_on AS day, NEW.sign AS received, 0 AS filed,
               0 AS decided, 0 AS fine_fen, 0 AS deviations, 0 AS late, 0 AS published,
               0 AS reviews_due, 0 AS reviewed, 0 AS closed
        WHERE NEW.opened_on <> ''
        UNION ALL
        SELECT NEW.filed_on, 0, NEW.sign, 0, 0, 0, 0, 0, 0, 0, 0
        WHERE NEW.filed_on IS NOT NULL
        UNION ALL
        SELECT NEW.decided_on, 0, 0, NEW.sign, NEW.sign * NEW.fine_fen,
               NEW.sign * NEW.discretion_deviation, NEW.sign * NEW.late_decision,
               NEW.sign * (NEW.published_on IS NOT NULL),
               NEW.sign * (NEW.procedure = '2' AND NEW.review_requested = 1),
               NEW.sign * (NEW.procedure = '2' AND NEW.review_requested = 1
                           AND NEW.review_queue = 0),
               0
        WHERE NEW.decided_on IS NOT NULL
        UNION ALL
        SELECT NEW.closed_on, 0, 0, 0, 0, 0, 0, 0, 0, 0, NEW.sign
        WHERE NEW.closed_on IS NOT NULL
    ) WHERE 1 GROUP BY day
    ON CONFLICT (day, region_code, agency_id, field) DO UPDATE SET
        received = received + excluded.received,
        filed = filed + excluded.filed,
        decided = decided + excluded.decided,
        fine_fen = fine_fen + excluded.fine_fen,
        deviations = deviations + excluded.deviations,
        late = late + excluded.late,
        published = published + excluded.published,
        reviews_due = reviews_due + excluded.reviews_due,
        reviewed = reviewed + excluded.reviewed,
        closed = closed + excluded.closed;
    INSERT INTO open_stats (region_code, agency_id, field, day, n)
    SELECT NEW.region_code, NEW.agency_id, NEW.field, NEW.opened_on, NEW.sign
    WHERE NEW.stage NOT IN ('7', '8', '9') AND NEW.closed_on IS NULL
    ON CONFLICT (region_code, agency_id, field, day) DO UPDATE SET n = n + excluded.n;
    DELETE FROM open_stats
    WHERE region_code = NEW.region_code AND agency_id = NEW.agency_id AND field = NEW.field
      AND day = NEW.opened_on AND n = 0;
END;

CREATE TRIGGER cases_stats_insert AFTER INSERT ON cases
BEGIN
    INSERT INTO case_stats_change VALUES (1, NEW.region_code, NEW.agency_id, NEW.field,
        NEW.procedure, NEW.opened_on, NEW.filed_on, NEW.decided_on, NEW.closed_on, NEW.fine_fen,
        NEW.discretion_deviation, NEW.late_decision, NEW.published_on, NEW.review_requested,
        NEW.review_queue, NEW.stage);
END;

-- Only when a counted column changes (most commands move the stage and nothing counted).
CREATE TRIGGER cases_stats_update AFTER UPDATE ON cases
WHEN OLD.region_code IS NOT NEW.region_code OR OLD.agency_id IS NOT NEW.agency_id
  OR OLD.field IS NOT NEW.field OR OLD.procedure IS NOT NEW.procedure
  OR OLD.opened_on IS NOT NEW.opened_on OR OLD.filed_on IS NOT NEW.filed_on
  OR OLD.decided_on IS NOT NEW.decided_on OR OLD.closed_on IS NOT NEW.closed_on
  OR OLD.fine_fen IS NOT NEW.fine_fen
  OR OLD.discretion_deviation IS NOT NEW.discretion_deviation
  OR OLD.late_decision IS NOT NEW.late_decision OR OLD.published_on IS NOT NEW.published_on
  OR OLD.review_requested IS NOT NEW.review_requested
  OR OLD.review_queue IS NOT NEW.review_queue
  OR (OLD.stage NOT IN ('7', '8', '9')) IS NOT (NEW.stage NOT IN ('7', '8', '9'))
BEGIN
    INSERT INTO case_stats_change VALUES (-1, OLD.region_code, OLD.agency_id, OLD.field,
        OLD.procedure, OLD.opened_on, OLD.filed_on, OLD.decided_on, OLD.closed_on, OLD.fine_fen,
        OLD.discretion_deviation, OLD.late_decision, OLD.published_on, OLD.review_requested,
        OLD.review_queue, OLD.stage);
    INSERT INTO case_stats_change VALUES (1, NEW.region_code, NEW.agency_id, NEW.field,
        NEW.procedure, NEW.opened_on, NEW.filed_on, NEW.decided_on, NEW.closed_on, NEW.fine_fen,
        NEW.discretion_deviation, NEW.late_decision, NEW.published_on, NEW.review_requested,
        NEW.review_queue, NEW.stage);
END;

CREATE TRIGGER cases_stats_delete AFTER DELETE ON cases
BEGIN
    INSERT INTO case_stats_change VALUES (-1, OLD.region_code, OLD.agency_id, OLD.field,
        OLD.procedure, OLD.opened_on, OLD.filed_on, OLD.decided_on, OLD.closed_on, OLD.fine_fen,
        OLD.discretion_deviation, OLD.late_decision, OLD.published_on, OLD.review_requested,
        OLD.review_queue, OLD.stage);
END;

-- An inspection record counts for its case's day bucket (the store writes a case's row before
-- its events, so the case is there).
CREATE TRIGGER case_events_inspection_stats AFTER INSERT ON case_events
WHEN NEW.kind = 'record_made' AND json_extract(NEW.payload, '$.kind') = 'inspection'
BEGIN
    INSERT INTO case_stats_day (region_code, day, agency_id, field, inspections)
    SELECT region_code, NEW.on_date, agency_id, field, 1
    FROM cases WHERE id = NEW.case_id
    ON CONFLICT (day, region_code, agency_id, field) DO UPDATE SET
        inspections = inspections + 1;
END;

CREATE TRIGGER supervision_alerts_stats_insert AFTER INSERT ON supervision_alerts
BEGIN
    INSERT INTO alert_stats (region_code, month, agency_id, field, rule_id, rule_name, total, open)
    VALUES (NEW.region_code, substr(NEW.raised_on, 1, 7), NEW.agency_id, NEW.field, NEW.rule_id,
            NEW.rule_name, 1, NEW.status NOT IN ('closed', 'muted'))
    ON CONFLICT (month, region_code, agency_id, field, rule_id) DO UPDATE SET
        rule_name = excluded.rule_name,
        total = total + 1,
        open = open + excluded.open;
END;

CREATE TRIGGER supervision_alerts_stats_update AFTER UPDATE ON supervision_alerts
WHEN (OLD.status NOT IN ('closed', 'muted')) IS NOT (NEW.status NOT IN ('closed', 'muted'))
BEGIN
    UPDATE alert_stats
    SET open = open + (NEW.status NOT IN ('closed', 'muted'))
                    - (OLD.status NOT IN ('closed', 'muted'))
    WHERE month = substr(OLD.raised_on, 1, 7) AND region_code = OLD.region_code
      AND agency_id = OLD.agency_id AND field = OLD.field AND rule_id = OLD.rule_id;
END;

CREATE TRIGGER supervision_alerts_stats_delete AFTER DELETE ON supervision_alerts
BEGIN
    UPDATE alert_stats
    SET total = total - 1, open = open - (OLD.status NOT IN ('closed', 'muted'))
    WHERE month = substr(OLD.raised_on, 1, 7) AND region_code = OLD.region_code
      AND agency_id = OLD.agency_id AND field = OLD.field AND rule_id = OLD.rule_id;
END;

-- What the node already holds.
INSERT INTO case_stats_change
    SELECT 1, region_code, agency_id, field, procedure, opened_on, filed_on, decided_on,
           closed_on, fine_fen, discretion_deviation, late_decision, published_on,
           review_requested, review_queue, stage
    FROM cases;
INSERT INTO case_stats_day (region_code, day, agency_id, field, inspections)
    SELECT c.region_code, e.on_date, c.agency_id, c.field, COUNT(*)
    FROM case_events e JOIN cases c ON c.id = e.case_id
    WHERE e.kind = 'record_made' AND json_extract(e.payload, '$.kind') = 'inspection'
    GROUP BY c.region_code, e.on_date, c.agency_id, c.field
    ON CONFLICT (day, region_code, agency_id, field) DO UPDATE SET
        inspections = inspections + excluded.inspections;
INSERT INTO alert_stats (region_code, month, agency_id, field, rule_id, rule_name, total, open)
    SELECT region_code, substr(raised_on, 1, 7), agency_id, field, rule_id, MAX(rule_name),
           COUNT(*), SUM(status NOT IN ('closed', 'muted'))
    FROM supervision_alerts
    GROUP BY region_code, substr(raised_on, 1, 7), agency_id, field, rule_id;
