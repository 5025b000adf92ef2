//! Signed notes (c2sp.org/signed-note): the Go `sumdb/note` reference vector, Ed25519 and SM2
//! keys, the GB/T 32918 SM2 signature example, and rejection of altered or forged notes.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use zhifa_ledger::note::keys::{SM2_TYPE, key_id};
use zhifa_ledger::{KeyAlg, Note, NoteSigner, NoteVerifier, SoftwareSigner, VerifierKey};

// The example of golang.org/x/mod/sumdb/note (package documentation and note_test.go).
const PETER_SKEY: &str =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const PETER_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const PETER_TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                          then you don't know what your problem is.\n";
const PETER_SIG: &str =
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=";

fn peter_note() -> String {
    format!("{PETER_TEXT}\n\u{2014} PeterNeumann {PETER_SIG}\n")
}

#[test]
fn go_sumdb_note_vector_signs_and_verifies_byte_for_byte() {
    let signer = SoftwareSigner::from_private_text(PETER_SKEY).unwrap();
    assert_eq!(signer.alg(), KeyAlg::Ed25519);
    assert_eq!(signer.to_private_text(), PETER_SKEY);
    assert_eq!(signer.verifier().to_string(), PETER_VKEY);
    assert_eq!(signer.key_id(), [0xc7, 0x4f, 0x20, 0xa3]);

    let mut note = Note::new(PETER_TEXT).unwrap();
    note.sign(&signer).unwrap();
    assert_eq!(note.to_string(), peter_note());

    let vkey = VerifierKey::parse(PETER_VKEY).unwrap();
    let parsed = Note::parse(&peter_note()).unwrap();
    assert_eq!(parsed.text(), PETER_TEXT);
    assert_eq!(
        parsed.verify(&[&vkey]).unwrap(),
        vec!["PeterNeumann".to_string()]
    );

    let altered = peter_note().replace("cryptography", "cryptographY");
    let err = Note::parse(&altered).unwrap().verify(&[&vkey]).unwrap_err();
    assert_eq!(err.code(), "note.bad_signature");
}

#[test]
fn key_id_is_sha256_of_name_newline_type_key() {
    // c2sp.org/signed-note: key ID = SHA-256(name ‖ 0x0A ‖ 0x01 ‖ 32-byte key)[:4].
    let raw = STANDARD
        .decode("ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
        .unwrap();
    assert_eq!(raw[0], 0x01);
    assert_eq!(
        key_id("PeterNeumann", &raw[..1], &raw[1..]),
        [0xc7, 0x4f, 0x20, 0xa3]
    );
}

#[test]
fn any_mangled_verifier_key_is_rejected() {
    let bytes = PETER_VKEY.as_bytes();
    for i in 0..bytes.len() {
        let mut b = bytes.to_vec();
        b[i] = b[i].wrapping_add(1);
        if let Ok(text) = String::from_utf8(b) {
            assert!(VerifierKey::parse(&text).is_err(), "accepted {text}");
        }
        for j in i + 1..=bytes.len() {
            if (i, j) != (0, bytes.len()) {
                let part = &PETER_VKEY[i..j];
                assert!(VerifierKey::parse(part).is_err(), "accepted {part}");
            }
        }
    }
    assert_eq!(
        VerifierKey::parse("a+00000000+AQ==").unwrap_err().code(),
        "note.key_format"
    );
    let unknown_type = format!("n+00000000+{}", STANDARD.encode([0x42; 33]));
    assert_eq!(
        VerifierKey::parse(&unknown_type).unwrap_err().code(),
        "note.key_type"
    );
}

#[test]
fn gbt_32918_sm2_signature_example_verifies() {
    // GB/T 32918.5-2017 / GM/T 0003.5 Annex A: d, P = [d]G, message "message digest",
    // ID "1234567812345678", signature (r, s).
    let d = "3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8";
    let public = hex::decode(concat!(
        "04",
        "09f9df311e5421a150dd7d161e4bc5c672179fad1833fc076bb08ff356f35020",
        "ccea490ce26775a52dc6ea718cc1aa600aed05fbf35e084a6632f6072da9ad13"
    ))
    .unwrap();
    let rs = hex::decode(concat!(
        "f5a03b0648d2c4630eeac513e1bb81a15944da3827d5b74143ac7eaceee720b3",
        "b1b6aa29df212fd8763182bc0d421ca1bb9038fd1f7f42d4840b69c485bbc1aa"
    ))
    .unwrap();

    let name = "gbt32918.example";
    let mut type_and_key = SM2_TYPE.to_vec();
    type_and_key.extend_from_slice(&public);
    let id = hex::encode(key_id(name, SM2_TYPE, &public));
    let vkey =
        VerifierKey::parse(&format!("{name}+{id}+{}", STANDARD.encode(&type_and_key))).unwrap();
    assert_eq!(vkey.alg(), KeyAlg::Sm2);
    assert_eq!(vkey.public_key(), public);
    assert!(vkey.verify(b"message digest", &rs));
    assert!(!vkey.verify(b"message digesT", &rs));
    let mut bad = rs.clone();
    bad[63] ^= 1;
    assert!(!vkey.verify(b"message digest", &bad));

    // The private key of the example derives the same public key.
    let mut type_and_secret = SM2_TYPE.to_vec();
    type_and_secret.extend_from_slice(&hex::decode(d).unwrap());
    let skey = format!(
        "PRIVATE+KEY+{name}+{id}+{}",
        STANDARD.encode(&type_and_secret)
    );
    let signer = SoftwareSigner::from_private_text(&skey).unwrap();
    assert_eq!(signer.verifier().to_string(), vkey.to_string());
    assert_eq!(signer.to_private_text(), skey);
    let sig = signer.sign(b"message digest").unwrap();
    assert_eq!(sig.len(), 64);
    assert!(vkey.verify(b"message digest", &sig));
}

#[test]
fn sm2_type_identifier_is_0xff_and_the_sm2_with_sm3_oid() {
    // 1.2.156.10197.1.501 = 2a 81 1c cf 55 01 83 75 in DER, tag 06, length 08.
    assert_eq!(SM2_TYPE[0], 0xff);
    assert_eq!(&SM2_TYPE[1..3], &[0x06, 0x08]);
    let oid = sm2::pkcs8::ObjectIdentifier::new_unwrap("1.2.156.10197.1.501");
    assert_eq!(&SM2_TYPE[3..], oid.as_bytes());
}

#[test]
fn generated_keys_round_trip_and_sign() {
    for alg in [KeyAlg::Ed25519, KeyAlg::Sm2] {
        let signer = SoftwareSigner::generate(alg, "zhifa.example.gov.cn/ledger").unwrap();
        let again = SoftwareSigner::from_private_text(&signer.to_private_text()).unwrap();
        assert_eq!(again.verifier().to_string(), signer.verifier().to_string());
        let vkey: VerifierKey = signer.verifier().to_string().parse().unwrap();
        assert_eq!(vkey.alg(), alg);
        let json = serde_json::to_string(&vkey).unwrap();
        assert_eq!(
            serde_json::from_str::<VerifierKey>(&json)
                .unwrap()
                .to_string(),
            vkey.to_string()
        );

        let mut note = Note::new("行政处罚决定书\n").unwrap();
        note.sign(&signer).unwrap();
        let text = note.to_string();
        assert_eq!(
            Note::parse(&text).unwrap().verify(&[&vkey]).unwrap().len(),
            1
        );

        // The secret never appears in Debug output.
        let debug = format!("{signer:?}");
        let secret = signer.to_private_text();
        let secret_b64 = secret.rsplit('+').next().unwrap();
        assert!(!debug.contains(secret_b64), "{debug}");
        assert!(debug.contains("zhifa.example.gov.cn/ledger"));
    }
    let err = SoftwareSigner::generate(KeyAlg::Sm2, "bad name").unwrap_err();
    assert_eq!(err.code(), "note.key_name");
    assert!(SoftwareSigner::generate(KeyAlg::Ed25519, "a+b").is_err());
    assert!(SoftwareSigner::generate(KeyAlg::Ed25519, "").is_err());
}

#[test]
fn private_key_text_errors() {
    assert_eq!(
        SoftwareSigner::from_private_text("PeterNeumann")
            .unwrap_err()
            .code(),
        "note.key_format"
    );
    let wrong_id = PETER_SKEY.replace("c74f20a3", "c74f20a4");
    assert_eq!(
        SoftwareSigner::from_private_text(&wrong_id)
            .unwrap_err()
            .code(),
        "note.key_id_mismatch"
    );
    // SM2 private keys must lie in [1, n-2].
    for d in [
        "00".repeat(32),
        "fffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54122".into(),
    ] {
        let mut raw = SM2_TYPE.to_vec();
        raw.extend_from_slice(&hex::decode(d).unwrap());
        let text = format!("PRIVATE+KEY+x+00000000+{}", STANDARD.encode(raw));
        assert_eq!(
            SoftwareSigner::from_private_text(&text).unwrap_err().code(),
            "note.key_format"
        );
    }
}
