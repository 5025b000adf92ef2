-- Base data of F2 (SQLite): regions, enforcement subjects, officers, certificates, laws and
-- articles, the powers catalogue, discretion benchmarks, user accounts and the change log.
-- Keep in step with ../postgres/0001_base_data.sql (same tables, columns and indexes).
-- Through sqlx's Any driver only INTEGER, REAL, TEXT and BLOB are portable: ids (UUID v7) and
-- times (RFC 3339, UTC+8) are TEXT, booleans INTEGER 0/1, lists JSON TEXT.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE regions (
    code   TEXT PRIMARY KEY,
    name   TEXT NOT NULL,
    level  TEXT NOT NULL CHECK (level IN ('province', 'city', 'county', 'township')),
    parent TEXT
);
CREATE INDEX regions_parent ON regions (parent);
CREATE INDEX regions_level ON regions (level);

CREATE TABLE calendar (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    csv        TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
);

CREATE TABLE subjects (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    short_name   TEXT,
    uscc         TEXT NOT NULL UNIQUE,
    subject_type TEXT NOT NULL,
    field        TEXT NOT NULL,
    level        TEXT NOT NULL,
    region_code  TEXT NOT NULL,
    parent_id    TEXT REFERENCES subjects (id),
    address      TEXT,
    phone        TEXT,
    active       INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX subjects_region ON subjects (region_code);
CREATE INDEX subjects_field ON subjects (field);
CREATE INDEX subjects_parent ON subjects (parent_id);
CREATE INDEX subjects_name ON subjects (name);

CREATE TABLE officers (
    id                TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    sex               TEXT NOT NULL,
    citizen_id_enc    BLOB NOT NULL,
    citizen_id_index  TEXT NOT NULL UNIQUE,
    citizen_id_masked TEXT NOT NULL,
    subject_id        TEXT NOT NULL REFERENCES subjects (id),
    position          TEXT,
    phone_enc         BLOB,
    phone_masked      TEXT,
    active            INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    version           INTEGER NOT NULL DEFAULT 1,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX officers_subject ON officers (subject_id);
CREATE INDEX officers_name ON officers (name);

CREATE TABLE certificates (
    id                     TEXT PRIMARY KEY,
    number                 TEXT NOT NULL UNIQUE,
    officer_id             TEXT NOT NULL REFERENCES officers (id),
    status                 TEXT NOT NULL,
    valid_from             TEXT NOT NULL,
    valid_to               TEXT NOT NULL,
    fields                 TEXT NOT NULL,
    legal_review_qualified INTEGER NOT NULL DEFAULT 0 CHECK (legal_review_qualified IN (0, 1)),
    issuer                 TEXT,
    active                 INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    version                INTEGER NOT NULL DEFAULT 1,
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL
);
CREATE INDEX certificates_officer ON certificates (officer_id);
CREATE INDEX certificates_status ON certificates (status);

CREATE TABLE laws (
    id            TEXT PRIMARY KEY,
    title         TEXT NOT NULL,
    level         TEXT NOT NULL,
    category      TEXT NOT NULL,
    version_date  TEXT,
    issued        TEXT,
    source_file   TEXT NOT NULL,
    history       TEXT NOT NULL,
    preamble      TEXT,
    article_count INTEGER NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE UNIQUE INDEX laws_title_version ON laws (title, COALESCE(version_date, ''));
CREATE INDEX laws_level ON laws (level);
CREATE INDEX laws_category ON laws (category);

CREATE TABLE articles (
    id         TEXT PRIMARY KEY,
    law_id     TEXT NOT NULL REFERENCES laws (id),
    seq        INTEGER NOT NULL,
    number     INTEGER NOT NULL,
    suffix     INTEGER NOT NULL,
    label      TEXT NOT NULL,
    chapter    TEXT,
    section    TEXT,
    text       TEXT NOT NULL,
    paragraphs TEXT NOT NULL
);
CREATE UNIQUE INDEX articles_law_seq ON articles (law_id, seq);
CREATE INDEX articles_law_number ON articles (law_id, number, suffix);

CREATE TABLE powers (
    id            TEXT PRIMARY KEY,
    code          TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    category      TEXT NOT NULL,
    field         TEXT NOT NULL,
    subject_types TEXT NOT NULL,
    description   TEXT,
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX powers_category ON powers (category);
CREATE INDEX powers_field ON powers (field);

CREATE TABLE power_bases (
    power_id   TEXT NOT NULL REFERENCES powers (id),
    seq        INTEGER NOT NULL,
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
    fine_min_fen                 INTEGER,
    fine_max_fen                 INTEGER,
    income_multiple_min_permille INTEGER,
    income_multiple_max_permille INTEGER,
    other_penalties              TEXT NOT NULL,
    note                         TEXT,
    active                       INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    version                      INTEGER NOT NULL DEFAULT 1,
    created_at                   TEXT NOT NULL,
    updated_at                   TEXT NOT NULL
);
CREATE INDEX benchmarks_power ON benchmarks (power_id, level);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    subject_id    TEXT REFERENCES subjects (id),
    officer_id    TEXT REFERENCES officers (id),
    region_code   TEXT,
    password_hash TEXT NOT NULL,
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX users_subject ON users (subject_id);

CREATE TABLE changes (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
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
