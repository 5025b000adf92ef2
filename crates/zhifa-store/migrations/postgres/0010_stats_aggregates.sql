-- Maintained aggregates of the supervision statistics (执法监督统计汇总, F11, issue 6 P5).
-- PostgreSQL. Keep in step with ../sqlite/0010_stats_aggregates.sql, which explains the design:
-- per (day, region, agency, field) buckets rolled up per month, maintained by triggers in the
-- writing transaction; open cases per day received (`open_stats`); overdue counted from the
-- open cases past their deadline (partial index `cases_overdue`).

ALTER TABLE cases ADD COLUMN review_requested BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE cases SET review_requested = TRUE
    WHERE (state::json #>> '{review,requested}') IS NOT NULL;

CREATE INDEX cases_overdue ON cases (next_due, region_code, agency_id, field, opened_on, closed_on)
    WHERE stage NOT IN ('7', '8', '9');

CREATE TABLE case_stats_day (
    region_code  TEXT COLLATE "C" NOT NULL,
    day          TEXT COLLATE "C" NOT NULL,
    agency_id    TEXT NOT NULL,
    field        TEXT NOT NULL,
    received     BIGINT NOT NULL DEFAULT 0,
    filed        BIGINT NOT NULL DEFAULT 0,
    decided      BIGINT NOT NULL DEFAULT 0,
    fine_fen     BIGINT NOT NULL DEFAULT 0,
    deviations   BIGINT NOT NULL DEFAULT 0,
    late         BIGINT NOT NULL DEFAULT 0,
    published    BIGINT NOT NULL DEFAULT 0,
    reviews_due  BIGINT NOT NULL DEFAULT 0,
    reviewed     BIGINT NOT NULL DEFAULT 0,
    closed       BIGINT NOT NULL DEFAULT 0,
    inspections  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, region_code, agency_id, field)
);
CREATE INDEX case_stats_day_agency ON case_stats_day (agency_id, day);

CREATE TABLE case_stats (
    region_code  TEXT COLLATE "C" NOT NULL,
    month        TEXT COLLATE "C" NOT NULL,
    agency_id    TEXT NOT NULL,
    field        TEXT NOT NULL,
    received     BIGINT NOT NULL DEFAULT 0,
    filed        BIGINT NOT NULL DEFAULT 0,
    decided      BIGINT NOT NULL DEFAULT 0,
    fine_fen     BIGINT NOT NULL DEFAULT 0,
    deviations   BIGINT NOT NULL DEFAULT 0,
    late         BIGINT NOT NULL DEFAULT 0,
    published    BIGINT NOT NULL DEFAULT 0,
    reviews_due  BIGINT NOT NULL DEFAULT 0,
    reviewed     BIGINT NOT NULL DEFAULT 0,
    closed       BIGINT NOT NULL DEFAULT 0,
    inspections  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (month, region_code, agency_id, field)
);
CREATE INDEX case_stats_agency ON case_stats (agency_id, month);

CREATE TABLE open_stats (
    region_code  TEXT COLLATE "C" NOT NULL,
    agency_id    TEXT NOT NULL,
    field        TEXT NOT NULL,
    day          TEXT COLLATE "C" NOT NULL,
    n            BIGINT NOT NULL,
    PRIMARY KEY (region_code, agency_id, field, day)
);
CREATE INDEX open_stats_agency ON open_stats (agency_id, day);

CREATE TABLE alert_stats (
    region_code  TEXT COLLATE "C" NOT NULL,
    month        TEXT COLLATE "C" NOT NULL,
    agency_id    TEXT NOT NULL,
    field        TEXT NOT NULL,
    rule_id      TEXT NOT NULL,
    rule_name    TEXT NOT NULL,
    total        BIGINT NOT NULL DEFAULT 0,
    open         BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (month, region_code, agency_id, field, rule_id)
);
CREATE INDEX alert_stats_agency ON alert_stats (agency_id, month);

-- A day bucket's change rolls up into its month.
CREATE FUNCTION case_stats_day_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO case_stats AS t (region_code, month, agency_id, field, received, filed,
                                     decided, fine_fen, deviations, late, published,
                                     reviews_due, reviewed, closed, inspections)
        VALUES (NEW.region_code, substr(NEW.day, 1, 7), NEW.agency_id, NEW.field, NEW.received,
                NEW.filed, NEW.decided, NEW.fine_fen, NEW.deviations, NEW.late, NEW.published,
                NEW.reviews_due, NEW.reviewed, NEW.closed, NEW.inspections)
        ON CONFLICT (month, region_code, agency_id, field) DO UPDATE SET
            received = t.received + excluded.received,
            filed = t.filed + excluded.filed,
            decided = t.decided + excluded.decided,
            fine_fen = t.fine_fen + excluded.fine_fen,
            deviations = t.deviations + excluded.deviations,
            late = t.late + excluded.late,
            published = t.published + excluded.published,
            reviews_due = t.reviews_due + excluded.reviews_due,
            reviewed = t.reviewed + excluded.reviewed,
            closed = t.closed + excluded.closed,
            inspections = t.inspections + excluded.inspections;
    ELSE
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
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER case_stats_day_rollup AFTER INSERT OR UPDATE ON case_stats_day
    FOR EACH ROW EXECUTE FUNCTION case_stats_day_trigger();

-- The signed contribution (+1 added, -1 removed) of one `cases` row to its day buckets.
CREATE FUNCTION case_stats_add(r cases, s BIGINT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO case_stats_day AS t (region_code, day, agency_id, field, received, filed,
                                 decided, fine_fen, deviations, late, published, reviews_due,
                                 reviewed, closed)
    SELECT r.region_code, m.day, r.agency_id, r.field, SUM(m.received), SUM(m.filed),
           SUM(m.decided), SUM(m.fine_fen), SUM(m.deviations), SUM(m.late), SUM(m.published),
           SUM(m.reviews_due), SUM(m.reviewed), SUM(m.closed)
    FROM (
        SELECT r.opened_on AS day, s AS received, 0 AS filed, 0 AS decided,
               0 AS fine_fen, 0 AS deviations, 0 AS late, 0 AS published, 0 AS reviews_due,
               0 AS reviewed, 0 AS closed
        WHERE r.opened_on <> ''
        UNION ALL
        SELECT r.filed_on, 0, s, 0, 0, 0, 0, 0, 0, 0, 0
        WHERE r.filed_on IS NOT NULL
        UNION ALL
        SELECT r.decided_on, 0, 0, s, s * r.fine_fen,
               s * r.discretion_deviation::int, s * r.late_decision::int,
               s * (r.published_on IS NOT NULL)::int,
               s * (r.procedure = '2' AND r.review_requested)::int,
               s * (r.procedure = '2' AND r.review_requested AND NOT r.review_queue)::int,
               0
        WHERE r.decided_on IS NOT NULL
        UNION ALL
        SELECT r.closed_on, 0, 0, 0, 0, 0, 0, 0, 0, 0, s
        WHERE r.closed_on IS NOT NULL
    ) AS m
    GROUP BY m.day
    ON CONFLICT (day, region_code, agency_id, field) DO UPDATE SET
        received = t.received + excluded.received,
        filed = t.filed + excluded.filed,
        decided = t.decided + excluded.decided,
        fine_fen = t.fine_fen + excluded.fine_fen,
        deviations = t.deviations + excluded.deviations,
        late = t.late + excluded.late,
        published = t.published + excluded.published,
        reviews_due = t.reviews_due + excluded.reviews_due,
        reviewed = t.reviewed + excluded.reviewed,
        closed = t.closed + excluded.closed;
    IF r.stage NOT IN ('7', '8', '9') AND r.closed_on IS NULL THEN
        INSERT INTO open_stats AS t (region_code, agency_id, field, day, n)
        VALUES (r.region_code, r.agency_id, r.field, r.opened_on, s)
        ON CONFLICT (region_code, agency_id, field, day) DO UPDATE SET n = t.n + excluded.n;
        DELETE FROM open_stats
        WHERE region_code = r.region_code AND agency_id = r.agency_id AND field = r.field
          AND day = r.opened_on AND n = 0;
    END IF;
END;
$$;

CREATE FUNCTION cases_stats_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM case_stats_add(OLD, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM case_stats_add(NEW, 1);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER cases_stats_insert AFTER INSERT OR DELETE ON cases
    FOR EACH ROW EXECUTE FUNCTION cases_stats_trigger();

-- Only when a counted column changes (most commands move the stage and nothing counted).
CREATE TRIGGER cases_stats_update AFTER UPDATE ON cases
    FOR EACH ROW
    WHEN ((OLD.region_code, OLD.agency_id, OLD.field, OLD.procedure, OLD.opened_on,
           OLD.filed_on, OLD.decided_on, OLD.closed_on, OLD.fine_fen,
           OLD.discretion_deviation, OLD.late_decision, OLD.published_on,
           OLD.review_requested, OLD.review_queue)
          IS DISTINCT FROM
          (NEW.region_code, NEW.agency_id, NEW.field, NEW.procedure, NEW.opened_on,
           NEW.filed_on, NEW.decided_on, NEW.closed_on, NEW.fine_fen,
           NEW.discretion_deviation, NEW.late_decision, NEW.published_on,
           NEW.review_requested, NEW.review_queue)
          OR (OLD.stage NOT IN ('7', '8', '9')) IS DISTINCT FROM (NEW.stage NOT IN ('7', '8', '9')))
    EXECUTE FUNCTION cases_stats_trigger();

-- An inspection record counts for its case's day bucket. Row triggers fire after the whole
-- statement, so a case and its first events written by one statement are both visible.
CREATE FUNCTION case_events_inspection_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO case_stats_day AS t (region_code, day, agency_id, field, inspections)
    SELECT c.region_code, NEW.on_date, c.agency_id, c.field, 1
    FROM cases c WHERE c.id = NEW.case_id
    ON CONFLICT (day, region_code, agency_id, field) DO UPDATE SET
        inspections = t.inspections + 1;
    RETURN NULL;
END;
$$;

CREATE TRIGGER case_events_inspection_stats AFTER INSERT ON case_events
    FOR EACH ROW
    WHEN (NEW.kind = 'record_made' AND (NEW.payload::json ->> 'kind') = 'inspection')
    EXECUTE FUNCTION case_events_inspection_trigger();

CREATE FUNCTION supervision_alerts_stats_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE alert_stats
        SET total = total - 1, open = open - (OLD.status NOT IN ('closed', 'muted'))::int
        WHERE month = substr(OLD.raised_on, 1, 7) AND region_code = OLD.region_code
          AND agency_id = OLD.agency_id AND field = OLD.field AND rule_id = OLD.rule_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO alert_stats AS t (region_code, month, agency_id, field, rule_id, rule_name,
                                      total, open)
        VALUES (NEW.region_code, substr(NEW.raised_on, 1, 7), NEW.agency_id, NEW.field,
                NEW.rule_id, NEW.rule_name, 1, (NEW.status NOT IN ('closed', 'muted'))::int)
        ON CONFLICT (month, region_code, agency_id, field, rule_id) DO UPDATE SET
            rule_name = excluded.rule_name,
            total = t.total + 1,
            open = t.open + excluded.open;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER supervision_alerts_stats AFTER INSERT OR DELETE ON supervision_alerts
    FOR EACH ROW EXECUTE FUNCTION supervision_alerts_stats_trigger();

CREATE TRIGGER supervision_alerts_stats_update AFTER UPDATE ON supervision_alerts
    FOR EACH ROW
    WHEN ((OLD.status NOT IN ('closed', 'muted')) IS DISTINCT FROM
          (NEW.status NOT IN ('closed', 'muted')))
    EXECUTE FUNCTION supervision_alerts_stats_trigger();

-- What the node already holds.
SELECT case_stats_add(c, 1) FROM cases c;
INSERT INTO case_stats_day AS t (region_code, day, agency_id, field, inspections)
    SELECT c.region_code, e.on_date, c.agency_id, c.field, COUNT(*)
    FROM case_events e JOIN cases c ON c.id = e.case_id
    WHERE e.kind = 'record_made' AND (e.payload::json ->> 'kind') = 'inspection'
    GROUP BY c.region_code, e.on_date, c.agency_id, c.field
    ON CONFLICT (day, region_code, agency_id, field) DO UPDATE SET
        inspections = t.inspections + excluded.inspections;
INSERT INTO alert_stats (region_code, month, agency_id, field, rule_id, rule_name, total, open)
    SELECT region_code, substr(raised_on, 1, 7), agency_id, field, rule_id, MAX(rule_name),
           COUNT(*), SUM((status NOT IN ('closed', 'muted'))::int)
    FROM supervision_alerts
    GROUP BY region_code, substr(raised_on, 1, 7), agency_id, field, rule_id;
