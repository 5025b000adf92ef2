-- Province roll-up of the supervision statistics (省级汇总, F11, issue 6 P5). PostgreSQL. Keep
-- in step with ../sqlite/0011_stats_provinces.sql, which explains the design: the case, alert
-- and open-case buckets rolled up per (month, province, field) — `region_code` holding the
-- two-digit province prefix — and per (year, region, agency, field) the bitmask of the months
-- in which the agency acted (bit m-1 for month m).

CREATE TABLE case_stats_prov (
    region_code  TEXT COLLATE "C" NOT NULL,
    month        TEXT COLLATE "C" NOT NULL,
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
    PRIMARY KEY (month, region_code, field)
);

CREATE TABLE alert_stats_prov (
    region_code  TEXT COLLATE "C" NOT NULL,
    month        TEXT COLLATE "C" NOT NULL,
    field        TEXT NOT NULL,
    rule_id      TEXT NOT NULL,
    rule_name    TEXT NOT NULL,
    total        BIGINT NOT NULL DEFAULT 0,
    open         BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (month, region_code, field, rule_id)
);

CREATE TABLE open_stats_prov (
    region_code  TEXT COLLATE "C" NOT NULL,
    field        TEXT NOT NULL,
    month        TEXT COLLATE "C" NOT NULL,
    n            BIGINT NOT NULL,
    PRIMARY KEY (region_code, field, month)
);

CREATE TABLE agency_months (
    year         TEXT COLLATE "C" NOT NULL,
    region_code  TEXT COLLATE "C" NOT NULL,
    agency_id    TEXT NOT NULL,
    field        TEXT NOT NULL,
    months       BIGINT NOT NULL,
    PRIMARY KEY (year, region_code, agency_id, field)
);

-- A monthly bucket's change rolls up into its province, and flips its month's bit when the
-- agency starts or stops acting in it (a case received or decided).
CREATE FUNCTION case_stats_prov_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    month_bit BIGINT := 1::BIGINT << (substr(NEW.month, 6, 2)::int - 1);
    acting BOOLEAN := NEW.received > 0 OR NEW.decided > 0;
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO case_stats_prov AS t (region_code, month, field, received, filed, decided,
                                          fine_fen, deviations, late, published, reviews_due,
                                          reviewed, closed, inspections)
        VALUES (substr(NEW.region_code, 1, 2), NEW.month, NEW.field, NEW.received, NEW.filed,
                NEW.decided, NEW.fine_fen, NEW.deviations, NEW.late, NEW.published,
                NEW.reviews_due, NEW.reviewed, NEW.closed, NEW.inspections)
        ON CONFLICT (month, region_code, field) DO UPDATE SET
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
        UPDATE case_stats_prov SET
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
        WHERE month = NEW.month AND region_code = substr(NEW.region_code, 1, 2)
          AND field = NEW.field;
        IF acting = (OLD.received > 0 OR OLD.decided > 0) THEN
            RETURN NULL;
        END IF;
    END IF;
    IF acting THEN
        INSERT INTO agency_months AS t (year, region_code, agency_id, field, months)
        VALUES (substr(NEW.month, 1, 4), NEW.region_code, NEW.agency_id, NEW.field, month_bit)
        ON CONFLICT (year, region_code, agency_id, field) DO UPDATE SET
            months = t.months | excluded.months;
    ELSIF TG_OP = 'UPDATE' THEN
        UPDATE agency_months SET months = months & ~month_bit
        WHERE year = substr(NEW.month, 1, 4) AND region_code = NEW.region_code
          AND agency_id = NEW.agency_id AND field = NEW.field;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER case_stats_prov_rollup AFTER INSERT OR UPDATE ON case_stats
    FOR EACH ROW EXECUTE FUNCTION case_stats_prov_trigger();

CREATE FUNCTION alert_stats_prov_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO alert_stats_prov AS t (region_code, month, field, rule_id, rule_name,
                                           total, open)
        VALUES (substr(NEW.region_code, 1, 2), NEW.month, NEW.field, NEW.rule_id,
                NEW.rule_name, NEW.total, NEW.open)
        ON CONFLICT (month, region_code, field, rule_id) DO UPDATE SET
            rule_name = excluded.rule_name,
            total = t.total + excluded.total,
            open = t.open + excluded.open;
    ELSE
        UPDATE alert_stats_prov SET
            rule_name = NEW.rule_name,
            total = total + NEW.total - OLD.total,
            open = open + NEW.open - OLD.open
        WHERE month = NEW.month AND region_code = substr(NEW.region_code, 1, 2)
          AND field = NEW.field AND rule_id = NEW.rule_id;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER alert_stats_prov_rollup AFTER INSERT OR UPDATE ON alert_stats
    FOR EACH ROW EXECUTE FUNCTION alert_stats_prov_trigger();

CREATE FUNCTION open_stats_prov_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO open_stats_prov AS t (region_code, field, month, n)
        VALUES (substr(NEW.region_code, 1, 2), NEW.field, substr(NEW.day, 1, 7), NEW.n)
        ON CONFLICT (region_code, field, month) DO UPDATE SET n = t.n + excluded.n;
    ELSIF TG_OP = 'UPDATE' THEN
        UPDATE open_stats_prov SET n = n + NEW.n - OLD.n
        WHERE region_code = substr(NEW.region_code, 1, 2) AND field = NEW.field
          AND month = substr(NEW.day, 1, 7);
    ELSE
        UPDATE open_stats_prov SET n = n - OLD.n
        WHERE region_code = substr(OLD.region_code, 1, 2) AND field = OLD.field
          AND month = substr(OLD.day, 1, 7);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER open_stats_prov_rollup AFTER INSERT OR UPDATE OR DELETE ON open_stats
    FOR EACH ROW EXECUTE FUNCTION open_stats_prov_trigger();

-- What the node already holds (each (month, region, agency, field) is one bucket, so the sum
-- of its bits is their union).
INSERT INTO case_stats_prov (region_code, month, field, received, filed, decided, fine_fen,
                             deviations, late, published, reviews_due, reviewed, closed,
                             inspections)
    SELECT substr(region_code, 1, 2), month, field, SUM(received), SUM(filed), SUM(decided),
           SUM(fine_fen), SUM(deviations), SUM(late), SUM(published), SUM(reviews_due),
           SUM(reviewed), SUM(closed), SUM(inspections)
    FROM case_stats GROUP BY substr(region_code, 1, 2), month, field;
INSERT INTO agency_months (year, region_code, agency_id, field, months)
    SELECT substr(month, 1, 4), region_code, agency_id, field,
           SUM(1::BIGINT << (substr(month, 6, 2)::int - 1))
    FROM case_stats WHERE received > 0 OR decided > 0
    GROUP BY substr(month, 1, 4), region_code, agency_id, field;
INSERT INTO alert_stats_prov (region_code, month, field, rule_id, rule_name, total, open)
    SELECT substr(region_code, 1, 2), month, field, rule_id, MAX(rule_name), SUM(total),
           SUM(open)
    FROM alert_stats GROUP BY substr(region_code, 1, 2), month, field, rule_id;
INSERT INTO open_stats_prov (region_code, field, month, n)
    SELECT substr(region_code, 1, 2), field, substr(day, 1, 7), SUM(n)
    FROM open_stats GROUP BY substr(region_code, 1, 2), field, substr(day, 1, 7);
