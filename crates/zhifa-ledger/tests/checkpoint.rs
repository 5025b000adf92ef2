//! Checkpoints (c2sp.org/tlog-checkpoint) signed with Ed25519 and SM2, and the signed-note
//! verification rules: unknown keys ignored, any failing known key rejects, one known key needed.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use zhifa_ledger::{
    Checkpoint, HashAlg, KeyAlg, MemoryTree, Note, NoteSigner, NoteVerifier, SoftwareSigner,
    leaf_hash,
};

const ORIGIN: &str = "zhifa.example.gov.cn/ledger";

fn keys() -> (SoftwareSigner, SoftwareSigner) {
    (
        SoftwareSigner::generate(KeyAlg::Sm2, ORIGIN).unwrap(),
        SoftwareSigner::generate(KeyAlg::Ed25519, ORIGIN).unwrap(),
    )
}

fn tree(n: u64) -> MemoryTree {
    MemoryTree::from_leaf_hashes(
        HashAlg::Sm3,
        (0..n).map(|i| leaf_hash(HashAlg::Sm3, &i.to_be_bytes())),
    )
}

#[test]
fn c2sp_example_body_round_trips() {
    let body =
        "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
    let cp = Checkpoint::parse_body(body).unwrap();
    assert_eq!(cp.origin(), "example.com/behind-the-sofa");
    assert_eq!(cp.size(), 20852163);
    assert_eq!(
        STANDARD.encode(cp.root().0),
        "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="
    );
    assert_eq!(cp.to_body(), body);
    let with_ext = format!("{body}ext one\next two\n");
    let cp = Checkpoint::parse_body(&with_ext).unwrap();
    assert_eq!(cp.extensions(), ["ext one", "ext two"]);
    assert_eq!(cp.to_body(), with_ext);
}

#[test]
fn malformed_bodies_are_rejected() {
    let root = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";
    let bad = [
        format!("o\n1\n{root}"),
        "o\n1\n".to_string(),
        format!("\n1\n{root}\n"),
        format!("o\n01\n{root}\n"),
        format!("o\n+1\n{root}\n"),
        format!("o\n-1\n{root}\n"),
        format!("o\n\n{root}\n"),
        format!("o\n18446744073709551616\n{root}\n"),
        format!("o\n1\n{}\n", &root[..40]),
        format!("o\n1\n{}\n", STANDARD.encode([0u8; 31])),
        format!("o\n1\n{root}\n\n"),
        format!("o\n1\n{root}\next\n\n"),
        format!("o\r\n1\n{root}\n"),
    ];
    for body in bad {
        let err = Checkpoint::parse_body(&body).unwrap_err();
        assert_eq!(err.code(), "checkpoint.malformed", "{body:?}");
    }
    assert_eq!(
        Checkpoint::parse_body(&format!("o\n0\n{root}\n"))
            .unwrap()
            .size(),
        0
    );
    let root_hash = Checkpoint::parse_body(&format!("o\n0\n{root}\n"))
        .unwrap()
        .root();
    assert!(Checkpoint::new("", 1, root_hash).is_err());
    assert!(Checkpoint::new("a\nb", 1, root_hash).is_err());
    assert!(
        Checkpoint::new("o", 1, root_hash)
            .unwrap()
            .with_extension("")
            .is_err()
    );
}

#[test]
fn sign_with_both_algorithms_and_verify() {
    let (sm2, ed) = keys();
    let tree = tree(1000);
    let cp = Checkpoint::new(ORIGIN, 1000, tree.root()).unwrap();
    let note = cp.sign(&[&sm2, &ed]).unwrap();
    assert!(note.starts_with(&cp.to_body()));
    assert_eq!(note.matches('\u{2014}').count(), 2);

    let (sm2_v, ed_v) = (sm2.verifier(), ed.verifier());
    let (got, names) = Checkpoint::parse_and_verify(&note, &[&sm2_v, &ed_v]).unwrap();
    assert_eq!(got, cp);
    assert_eq!(names, vec![ORIGIN.to_string()]); // same name, listed once
    // Either key alone is enough; the other signature is then "unknown" and ignored.
    Checkpoint::parse_and_verify(&note, &[&sm2_v]).unwrap();
    Checkpoint::parse_and_verify(&note, &[&ed_v]).unwrap();

    // The signed size and root together bind a proof.
    let proof = tree.inclusion_proof(123, 1000).unwrap();
    got.verify_inclusion(HashAlg::Sm3, &tree.leaf(123).unwrap(), 123, &proof)
        .unwrap();
    let older = Checkpoint::new(ORIGIN, 600, tree.root_at(600).unwrap()).unwrap();
    let proof = tree.consistency_proof(600, 1000).unwrap();
    older
        .verify_consistency(HashAlg::Sm3, &got, &proof)
        .unwrap();
    assert!(
        got.verify_consistency(HashAlg::Sm3, &older, &proof)
            .is_err()
    );
}

#[test]
fn tampered_or_unknown_notes_are_rejected() {
    let (sm2, ed) = keys();
    let (sm2_v, ed_v) = (sm2.verifier(), ed.verifier());
    let cp = Checkpoint::new(ORIGIN, 42, tree(42).root()).unwrap();
    let note = cp.sign(&[&sm2, &ed]).unwrap();

    // Altered body: size or root changed.
    let altered = note.replacen("\n42\n", "\n43\n", 1);
    let err = Checkpoint::parse_and_verify(&altered, &[&sm2_v, &ed_v]).unwrap_err();
    assert_eq!(err.code(), "note.bad_signature");

    // Every single-bit change of either signature is rejected.
    let parsed = Note::parse(&note).unwrap();
    for (k, sig) in parsed.signatures().iter().enumerate() {
        for bit in (0..sig.signature.len() * 8).step_by(7) {
            let mut bad = sig.signature.clone();
            bad[bit / 8] ^= 1 << (bit % 8);
            let mut raw = sig.key_id.to_vec();
            raw.extend_from_slice(&bad);
            let line = format!("\u{2014} {} {}\n", sig.name, STANDARD.encode(raw));
            let lines: Vec<&str> = note.split_inclusive('\n').collect();
            let sig_line = lines.len() - 2 + k;
            let forged: String = lines
                .iter()
                .enumerate()
                .map(|(i, l)| if i == sig_line { line.as_str() } else { l })
                .collect();
            assert!(Checkpoint::parse_and_verify(&forged, &[&sm2_v, &ed_v]).is_err());
        }
    }

    // Only unknown keys: a key of another name, or the same name with another key.
    let stranger = SoftwareSigner::generate(KeyAlg::Ed25519, "other.example/log").unwrap();
    let impostor = SoftwareSigner::generate(KeyAlg::Ed25519, ORIGIN).unwrap();
    let foreign = cp.sign(&[&stranger, &impostor]).unwrap();
    let err = Checkpoint::parse_and_verify(&foreign, &[&sm2_v, &ed_v]).unwrap_err();
    assert_eq!(err.code(), "note.unverified");
    let err = Checkpoint::parse_and_verify(&note, &[]).unwrap_err();
    assert_eq!(err.code(), "note.unverified");

    // A signature line carrying a trusted key's name and ID but a wrong signature rejects the
    // note even when another trusted key signed correctly.
    let mut forged = Note::parse(&cp.sign(&[&ed]).unwrap()).unwrap();
    forged.sign(&Forger(&sm2)).unwrap();
    let err = Checkpoint::parse_and_verify(&forged.to_string(), &[&sm2_v, &ed_v]).unwrap_err();
    assert_eq!(err.code(), "note.bad_signature");
    assert!(cp.sign(&[]).is_err());
}

/// Claims a real key's name and ID but signs with garbage.
struct Forger<'a>(&'a SoftwareSigner);

impl NoteSigner for Forger<'_> {
    fn name(&self) -> &str {
        self.0.name()
    }
    fn key_id(&self) -> [u8; 4] {
        NoteSigner::key_id(self.0)
    }
    fn sign(&self, _msg: &[u8]) -> Result<Vec<u8>, zhifa_ledger::SignError> {
        Ok(vec![7; 64])
    }
}

#[test]
fn malformed_notes_are_rejected() {
    let (_, ed) = keys();
    let good = Checkpoint::new(ORIGIN, 1, tree(1).root())
        .unwrap()
        .sign(&[&ed])
        .unwrap();
    let (body, sigs) = good.split_once("\n\n").unwrap();
    let sig_line = sigs.trim_end();
    let name_and_sig = sig_line.trim_start_matches("\u{2014} ");
    let cases = [
        format!("{body}\n{sig_line}\n"),                   // no blank line
        format!("{body}\n\n"),                             // no signatures
        format!("{body}\n\n{sig_line}"),                   // no final newline
        format!("{body}\n\n- {name_and_sig}\n"),           // hyphen, not em dash
        format!("{body}\n\n\u{2014} {ORIGIN}\n"),          // no signature
        format!("{body}\n\n\u{2014} {ORIGIN} !!!!\n"),     // not base64
        format!("{body}\n\n\u{2014} {ORIGIN} AAAAAA==\n"), // shorter than key ID + 1
        format!("{body}\n\n{sig_line}\n\n"),               // trailing blank line
        format!("{body}\r\n\n{sig_line}\n"),               // control character
        format!("{body}\n\n{sig_line} \n"),                // trailing space
    ];
    let v = ed.verifier();
    for note in cases {
        let err = Checkpoint::parse_and_verify(&note, &[&v as &dyn NoteVerifier]).unwrap_err();
        assert!(
            ["note.malformed", "note.key_name", "note.unverified"].contains(&err.code()),
            "{note:?}: {err}"
        );
    }
    let many = format!("{body}\n\n{}", format!("{sig_line}\n").repeat(101));
    assert_eq!(Note::parse(&many).unwrap_err().code(), "note.malformed");
    let sixteen = format!("{body}\n\n{}", format!("{sig_line}\n").repeat(16));
    Checkpoint::parse_and_verify(&sixteen, &[&v]).unwrap();
}
