//! The bare proof JSON of `zhifa ledger verify-proof`: reading, checking, and the separation
//! between "unreadable" (exit 2) and "invalid" (exit 1).

mod common;

use common::*;
use serde_json::json;
use zhifa_ledger::{HashAlg, MemoryTree, ProofJson};

fn inclusion_json() -> serde_json::Value {
    // RFC 6962 reference tree: leaf 5 of 8.
    json!({
        "hash": "sha256",
        "leaf_index": 5,
        "tree_size": 8,
        "leaf_hash": rfc6962_leaf_hashes(HashAlg::Sha256)[5].to_hex(),
        "proof": RFC6962_INCLUSION[2].2,
        "root": RFC6962_ROOTS[7],
    })
}

fn consistency_json() -> serde_json::Value {
    json!({
        "hash": "sha256",
        "size1": 6,
        "size2": 8,
        "root1": RFC6962_ROOTS[5],
        "root2": RFC6962_ROOTS[7],
        "proof": RFC6962_CONSISTENCY[2].2,
    })
}

#[test]
fn reference_proofs_parse_and_verify() {
    let p = ProofJson::parse(&inclusion_json().to_string()).unwrap();
    assert!(matches!(p, ProofJson::Inclusion(_)));
    assert_eq!(p.hash_alg(), HashAlg::Sha256);
    p.verify().unwrap();
    let c = ProofJson::parse(&consistency_json().to_string()).unwrap();
    assert!(matches!(c, ProofJson::Consistency(_)));
    c.verify().unwrap();
    // Serialising gives back exactly the same object.
    assert_eq!(serde_json::to_value(&p).unwrap(), inclusion_json());
    assert_eq!(serde_json::to_value(&c).unwrap(), consistency_json());
}

#[test]
fn sm3_proof_from_a_tree_round_trips() {
    let alg = HashAlg::Sm3;
    let tree = MemoryTree::from_leaf_hashes(alg, leaves(alg, 13));
    let text = json!({
        "hash": "sm3", "leaf_index": 7, "tree_size": 13,
        "leaf_hash": tree.leaf(7).unwrap(),
        "proof": tree.inclusion_proof(7, 13).unwrap(),
        "root": tree.root(),
    })
    .to_string();
    ProofJson::parse(&text).unwrap().verify().unwrap();
    ProofJson::parse_slice(text.as_bytes())
        .unwrap()
        .verify()
        .unwrap();
    // The same proof read as SHA-256 does not hold.
    let wrong = text.replace("\"sm3\"", "\"sha256\"");
    let err = ProofJson::parse(&wrong).unwrap().verify().unwrap_err();
    assert_eq!(err.code(), "proof.root_mismatch");
}

/// Readable but invalid: `verify` fails with a proof error (CLI exit 1).
#[test]
fn invalid_proofs_fail_verification() {
    let cases = [
        ("leaf_index", json!(8), "proof.index_out_of_range"),
        ("leaf_index", json!(4), "proof.root_mismatch"),
        ("tree_size", json!(6), "proof.wrong_length"),
        ("proof", json!([]), "proof.wrong_length"),
        ("root", json!(RFC6962_ROOTS[6]), "proof.root_mismatch"),
    ];
    for (field, value, code) in cases {
        let mut doc = inclusion_json();
        doc[field] = value;
        let proof = ProofJson::parse(&doc.to_string()).unwrap();
        assert_eq!(proof.verify().unwrap_err().code(), code, "{field}");
    }
    let mut doc = consistency_json();
    doc["size1"] = json!(9);
    let proof = ProofJson::parse(&doc.to_string()).unwrap();
    assert_eq!(proof.verify().unwrap_err().code(), "proof.size_order");
}

/// Unreadable: `parse` fails (CLI exit 2), never reaching verification.
#[test]
fn unreadable_documents_are_parse_errors() {
    let mut cases: Vec<String> = vec![
        "".into(),
        "not json".into(),
        "[]".into(),
        "{}".into(),
        r#"{"hash":"sha256"}"#.into(),
    ];
    let edits: [(&str, serde_json::Value); 8] = [
        ("hash", json!("md5")),
        ("hash", json!("SHA256")),
        ("leaf_index", json!(-1)),
        ("tree_size", json!(1.5)),
        ("leaf_hash", json!("zz")),
        ("root", json!("ab".repeat(31))),
        ("proof", json!(["00"])),
        ("extra", json!(1)),
    ];
    for (field, value) in edits {
        let mut doc = inclusion_json();
        doc[field] = value;
        cases.push(doc.to_string());
    }
    let mut missing = inclusion_json();
    missing.as_object_mut().unwrap().remove("root");
    cases.push(missing.to_string());
    let mut mixed = inclusion_json();
    mixed["size1"] = json!(1);
    cases.push(mixed.to_string());
    let mut extra = consistency_json();
    extra["leaf"] = json!(0);
    cases.push(extra.to_string());
    let big = consistency_json()
        .to_string()
        .replace("\"size2\":8", "\"size2\":18446744073709551616");
    assert!(big.contains("18446744073709551616"));
    cases.push(big);

    for text in cases {
        let err = ProofJson::parse(&text).unwrap_err();
        assert_eq!(err.code(), "proof.unreadable", "{text}");
        assert!(!err.message.is_empty());
    }
    assert!(ProofJson::parse_slice(b"\xff\xfe").is_err());
}
