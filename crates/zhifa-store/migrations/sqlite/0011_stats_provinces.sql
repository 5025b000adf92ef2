-- Province roll-up of the supervision statistics (省级汇总, F11, issue 6 P5). SQLite. Keep in
-- step with ../postgres/0011_stats_provinces.sql.
--
-- The national supervisor's dashboards add up every agency's monthly bucket of the period
-- (15,901 agencies × 11 months ≈ 175,000 rows for a year at national scale), and count the
-- distinct acting agencies (执法主体 that received or decided a case) among them. This
-- migration keeps, by triggers on the buckets of migration 0010:
--
-- - the case, alert and open-case buckets rolled up per (month, province, field): the
--   `region_code` column holds the two-digit province prefix, so that the region conditions
--   (`region_code >= '44' AND region_code < '45'`) and groupings (`substr(region_code, 1, 2)`)
--   of the agency buckets apply unchanged. A query of the whole country or of a province
--   that is not broken down below the province reads these instead;
-- - per (year, region, agency, field) the bitmask of the months in which the agency acted
--   (bit m-1 for month m), from which the acting agencies of any months are counted.

CREATE TABLE case_stats_prov (
    region_code  TEXT NOT NULL,
    month        TEXT NOT NULL,
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
    PRIMARY KEY (month, region_code, field)
) WITHOUT ROWID;

CREATE TABLE alert_stats_prov (
    region_code  TEXT NOT NULL,
    month        TEXT NOT NULL,
    field        TEXT NOT NULL,
    rule_id      TEXT NOT NULL,
    rule_name    TEXT NOT NULL,
    total        INTEGER NOT NULL DEFAULT 0,
    open         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (month, region_code, field, rule_id)
) WITHOUT ROWID;

-- Open cases per month received (the national query of a period ending on a month's last day
-- or today; a period ending inside a past month reads `open_stats`).
CREATE TABLE open_stats_prov (
    region_code  TEXT NOT NULL,
    field        TEXT NOT NULL,
    month        TEXT NOT NULL,
    n            INTEGER NOT NULL,
    PRIMARY KEY (region_code, field, month)
) WITHOUT ROWID;

CREATE TABLE agency_months (
    year         TEXT NOT NULL,
    region_code  TEXT NOT NULL,
    agency_id    TEXT NOT NULL,
    field        TEXT NOT NULL,
    months       INTEGER NOT NULL,
    PRIMARY KEY (year, region_code, agency_id, field)
) WITHOUT ROWID;

CREATE TRIGGER case_stats_prov_insert AFTER INSERT ON case_stats
BEGIN
    INSERT INTO case_stats_prov (region_code, month, field, received, filed, decided, fine_fen,
                                 deviations, late, published, reviews_due, reviewed, closed,
                                 inspections)
    VALUES (substr(NEW.region_code, 1, 2), NEW.month, NEW.field, NEW.received, NEW.filed,
            NEW.decided, NEW.fine_fen, NEW.deviations, NEW.late, NEW.published,
            NEW.reviews_due, NEW.reviewed, NEW.closed, NEW.inspections)
    ON CONFLICT (month, region_code, field) DO UPDATE SET
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

CREATE TRIGGER case_stats_prov_update AFTER UPDATE ON case_stats
BEGIN
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
END;

-- An agency acts in a month when its bucket has a case received or decided. Only a change of
-- that touches the bitmask.
CREATE TRIGGER case_stats_acting_insert AFTER INSERT ON case_stats
WHEN NEW.received > 0 OR NEW.decided > 0
BEGIN
    INSERT INTO agency_months (year, region_code, agency_id, field, months)
    VALUES (substr(NEW.month, 1, 4), NEW.region_code, NEW.agency_id, NEW.field,
            1 << (CAST(substr(NEW.month, 6, 2) AS INTEGER) - 1))
    ON CONFLICT (year, region_code, agency_id, field) DO UPDATE SET
        months = months | excluded.months;
END;

CREATE TRIGGER case_stats_acting_update AFTER UPDATE ON case_stats
WHEN (OLD.received > 0 OR OLD.decided > 0) IS NOT (NEW.received > 0 OR NEW.decided > 0)
BEGIN
    INSERT INTO agency_months (year, region_code, agency_id, field, months)
    VALUES (substr(NEW.month, 1, 4), NEW.region_code, NEW.agency_id, NEW.field, 0)
    ON CONFLICT (year, region_code, agency_id, field) DO NOTHING;
    UPDATE agency_months
    SET months = CASE WHEN NEW.received > 0 OR NEW.decided > 0
                      THEN months | (1 << (CAST(substr(NEW.month, 6, 2) AS INTEGER) - 1))
                      ELSE months & ~(1 << (CAST(substr(NEW.month, 6, 2) AS INTEGER) - 1)) END
    WHERE year = substr(NEW.month, 1, 4) AND region_code = NEW.region_code
      AND agency_id = NEW.agency_id AND field = NEW.field;
END;

CREATE TRIGGER alert_stats_prov_insert AFTER INSERT ON alert_stats
BEGIN
    INSERT INTO alert_stats_prov (region_code, month, field, rule_id, rule_name, total, open)
    VALUES (substr(NEW.region_code, 1, 2), NEW.month, NEW.field, NEW.rule_id, NEW.rule_name,
            NEW.total, NEW.open)
    ON CONFLICT (month, region_code, field, rule_id) DO UPDATE SET
        rule_name = excluded.rule_name,
        total = total + excluded.total,
        open = open + excluded.open;
END;

CREATE TRIGGER alert_stats_prov_update AFTER UPDATE ON alert_stats
BEGIN
    UPDATE alert_stats_prov SET
        rule_name = NEW.rule_name,
        total = total + NEW.total - OLD.total,
        open = open + NEW.open - OLD.open
    WHERE month = NEW.month AND region_code = substr(NEW.region_code, 1, 2)
      AND field = NEW.field AND rule_id = NEW.rule_id;
END;

CREATE TRIGGER open_stats_prov_insert AFTER INSERT ON open_stats
BEGIN
    INSERT INTO open_stats_prov (region_code, field, month, n)
    VALUES (substr(NEW.region_code, 1, 2), NEW.field, substr(NEW.day, 1, 7), NEW.n)
    ON CONFLICT (region_code, field, month) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER open_stats_prov_update AFTER UPDATE ON open_stats
BEGIN
    UPDATE open_stats_prov SET n = n + NEW.n - OLD.n
    WHERE region_code = substr(NEW.region_code, 1, 2) AND field = NEW.field
      AND month = substr(NEW.day, 1, 7);
END;

CREATE TRIGGER open_stats_prov_delete AFTER DELETE ON open_stats
BEGIN
    UPDATE open_stats_prov SET n = n - OLD.n
    WHERE region_code = substr(OLD.region_code, 1, 2) AND field = OLD.field
      AND month = substr(OLD.day, 1, 7);
END;

-- What the node already holds.
INSERT INTO case_stats_prov (region_code, month, field, received, filed, decided, fine_fen,
                             deviations, late, published, reviews_due, reviewed, closed,
                             inspections)
    SELECT substr(region_code, 1, 2), month, field, SUM(received), SUM(filed), SUM(decided),
           SUM(fine_fen), SUM(deviations), SUM(late), SUM(published), SUM(reviews_due),
           SUM(reviewed), SUM(closed), SUM(inspections)
    FROM case_stats GROUP BY substr(region_code, 1, 2), month, field;
-- Each (month, region, agency, field) is one bucket, so the sum of its bits is their union.
INSERT INTO agency_months (year, region_code, agency_id, field, months)
    SELECT substr(month, 1, 4), region_code, agency_id, field,
           SUM(1 << (CAST(substr(month, 6, 2) AS INTEGER) - 1))
    FROM case_stats WHERE received > 0 OR decided > 0
    GROUP BY substr(month, 1, 4), region_code, agency_id, field;
INSERT INTO alert_stats_prov (region_code, month, field, rule_id, rule_name, total, open)
    SELECT substr(region_code, 1, 2), month, field, rule_id, MAX(rule_name), SUM(total),
           SUM(open)
    FROM alert_stats GROUP BY substr(region_code, 1, 2), month, field, rule_id;
INSERT INTO open_stats_prov (region_code, field, month, n)
    SELECT substr(region_code, 1, 2), field, substr(day, 1, 7), SUM(n)
    FROM open_stats GROUP BY substr(region_code, 1, 2), field, substr(day, 1, 7);
