-- The whole-process record (全过程记录, APL Art. 47; 国办发〔2018〕118号): an append-only
-- RFC 9162 Merkle log over every change-log row and every evidence file. See docs/ledger.md.

-- One row per leaf, indexes 0, 1, 2, … without gaps. `kind` is `change` (ref = changes.seq
-- in decimal) or `evidence` (ref = the file's SM3 in hex). `leaf_hash` = H(0x00 ‖ canonical
-- bytes) in hex; the audit never trusts it, it re-hashes the referenced row.
CREATE TABLE ledger_leaves (
    leaf_index INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,
    ref        TEXT NOT NULL,
    leaf_hash  TEXT NOT NULL,
    at         TEXT NOT NULL,
    UNIQUE (kind, ref)
);

-- Perfect-subtree hashes of level >= 1 (level 0 is ledger_leaves.leaf_hash), written once
-- when completed. id = level * 2^56 + index (leaves [index·2^level, (index+1)·2^level)).
CREATE TABLE ledger_nodes (
    id   INTEGER PRIMARY KEY,
    hash TEXT NOT NULL
);

-- Signed checkpoints (C2SP signed-note text), one per tree size.
CREATE TABLE ledger_checkpoints (
    tree_size INTEGER PRIMARY KEY,
    root      TEXT NOT NULL,
    note      TEXT NOT NULL,
    at        TEXT NOT NULL
);

-- Evidence files, content-addressed by SM3 (GB/T 32905); the file lives at
-- <data_dir>/evidence/<stored_path>.
CREATE TABLE evidence (
    sm3           TEXT PRIMARY KEY,
    size          INTEGER NOT NULL,
    media_type    TEXT NOT NULL,
    original_name TEXT,
    stored_path   TEXT NOT NULL,
    uploaded_by   TEXT NOT NULL,
    at            TEXT NOT NULL,
    leaf_index    INTEGER NOT NULL
);
