-- Base data of F2 (PostgreSQL): regions, enforcement subjects, officers, certificates, laws and
-- articles, the powers catalogue, discretion benchmarks, user accounts and the change log.
-- Keep in step with ../sqlite/0001_base_data.sql (same tables, columns and indexes).
-- Through sqlx's Any driver only BOOLEAN, integers, floats, TEXT and BYTEA are portable: ids
-- (UUID v7) and times (RFC 3339, UTC+8) are TEXT, lists JSON TEXT. Names, codes and titles
-- that lists sort or prefix-match on are COLLATE "C" so PostgreSQL orders them by code point,
-- as SQLite does, and can use their indexes for `LIKE 'prefix%'`.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE regions (
    code   TEXT COLLATE "C" PRIMARY KEY,
    name   TEXT COLLATE "C" NOT NULL,
    level  TEXT NOT NULL CHECK (level IN ('province', 'city', 'county', 'township')),
    parent TEXT
);
CREATE INDEX regions_parent ON regions (parent);
CREATE INDEX regions_level ON regions (level);

CREATE TABLE calendar (
    id         BIGINT PRIMARY KEY CHECK (id = 1),
    csv        TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
);

CREATE TABLE subjects (
    id           TEXT PRIMARY KEY,
    name         TEXT COLLATE "C" NOT NULL,
    short_name   TEXT,
    uscc         TEXT NOT NULL UNIQUE,
    subject_type TEXT NOT NULL,
    field        TEXT NOT NULL,
    level        TEXT NOT NULL,
    region_code  TEXT COLLATE "C" NOT NULL,
    parent_id    TEXT REFERENCES subjects (id),
    address      TEXT,
    phone        TEXT,
    active       BOOLEAN NOT NULL DEFAULT TRUE,
    version      BIGINT NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX subjects_region ON subjects (region_code);
CREATE INDEX subjects_field ON subjects (field);
CREATE INDEX subjects_parent ON subjects (parent_id);
CREATE INDEX subjects_name ON subjects (name);

CREATE TABLE officers (
    id                TEXT PRIMARY KEY,
    name              TEXT COLLATE "C" NOT NULL,
    sex               TEXT NOT NULL,
    citizen_id_enc    BYTEA NOT NULL,
    citizen_id_index  TEXT NOT NULL UNIQUE,
    citizen_id_masked TEXT NOT NULL,
    subject_id        TEXT NOT NULL REFERENCES subjects (id),
    position          TEXT,
    phone_enc         BYTEA,
    phone_masked      TEXT,
    active            BOOLEAN NOT NULL DEFAULT TRUE,
    version           BIGINT NOT NULL DEFAULT 1,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX officers_subject ON officers (subject_id);
CREATE INDEX officers_name ON officers (name);

CREATE TABLE certificates (
    id                     TEXT PRIMARY KEY,
    number                 TEXT COLLATE "C" NOT NULL UNIQUE,
    officer_id             TEXT NOT NULL REFERENCES officers (id),
    status                 TEXT NOT NULL,
    valid_from             TEXT NOT NULL,
    valid_to               TEXT NOT NULL,
    fields                 TEXT NOT NULL,
    legal_review_qualified BOOLEAN NOT NULL DEFAULT FALSE,
    issuer                 TEXT,
    active                 BOOLEAN NOT NULL DEFAULT TRUE,
    version                BIGINT NOT NULL DEFAULT 1,
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL
);
CREATE INDEX certificates_officer ON certificates (officer_id);
CREATE INDEX certificates_status ON certificates (status);

CREATE TABLE laws (
    id            TEXT PRIMARY KEY,
    title         TEXT COLLATE "C" NOT NULL,
    level         TEXT NOT NULL,
    category      TEXT NOT NULL,
    version_date  TEXT,
    issued        TEXT,
    source_file   TEXT NOT NULL,
    history       TEXT NOT NULL,
    preamble      TEXT,
    article_count BIGINT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE UNIQUE INDEX laws_title_version ON laws (title, COALESCE(version_date, ''));
CREATE INDEX laws_level ON laws (level);
CREATE INDEX laws_category ON laws (category);

CREATE TABLE articles (
    id         TEXT PRIMARY KEY,
    law_id     TEXT NOT NULL REFERENCES laws (id),
    seq        BIGINT NOT NULL,
    number     BIGINT NOT NULL,
    suffix     BIGINT NOT NULL,
    label      TEXT COLLATE "C" NOT NULL,
    chapter    TEXT,
    section    TEXT,
    text       TEXT NOT NULL,
    paragraphs TEXT NOT NULL
);
CREATE UNIQUE INDEX articles_law_seq ON articles (law_id, seq);
CREATE INDEX articles_law_number ON articles (law_id, number, suffix);

CREATE TABLE powers (
    id            TEXT PRIMARY KEY,
    code          TEXT COLLATE "C" NOT NULL UNIQUE,
    name          TEXT COLLATE "C" NOT NULL,
    category      TEXT NOT NULL,
    field         TEXT NOT NULL,
    subject_types TEXT NOT NULL,
    description   TEXT,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    version       BIGINT NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX powers_category ON powers (category);
CREATE INDEX powers_field ON powers (field);

CREATE TABLE power_bases (
    power_id   TEXT NOT NULL REFERENCES powers (id),
    seq        BIGINT NOT NULL,
    article_id TEXT NOT NULL REFERENCES articles (id),
    role       TEXT NOT NULL CHECK (role IN ('violation', 'penalty', 'basis')),
    PRIMARY KEY (power_id, seq)
);
CREATE INDEX power_bases_article ON power_bases (article_id);

CREATE TABLE benchmarks (
    id                           TEXT PRIMARY KEY,
    power_id                     TEXT NOT NULL REFERENCES powers (id),
    level                        TEXT NOT NULL,
    conditions                   TEXT NOT NULL,
    fine_min_fen                 BIGINT,
    fine_max_fen                 BIGINT,
    income_multiple_min_permille BIGINT,
    income_multiple_max_permille BIGINT,
    other_penalties              TEXT NOT NULL,
    note                         TEXT,
    active                       BOOLEAN NOT NULL DEFAULT TRUE,
    version                      BIGINT NOT NULL DEFAULT 1,
    created_at                   TEXT NOT NULL,
    updated_at                   TEXT NOT NULL
);
CREATE INDEX benchmarks_power ON benchmarks (power_id, level);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT COLLATE "C" NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    subject_id    TEXT REFERENCES subjects (id),
    officer_id    TEXT REFERENCES officers (id),
    region_code   TEXT,
    password_hash TEXT NOT NULL,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX users_subject ON users (subject_id);

CREATE TABLE changes (
    seq       BIGSERIAL PRIMARY KEY,
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    action    TEXT NOT NULL,
    actor     TEXT NOT NULL,
    ip        TEXT,
    at        TEXT NOT NULL,
    before    TEXT,
    after     TEXT
);
CREATE INDEX changes_entity ON changes (entity, entity_id);
