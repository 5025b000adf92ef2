//! Known-answer tests of the hash layer: GB/T 32905-2016 SM3 vectors, RFC 6962 empty root,
//! hex and serde forms.

use zhifa_ledger::{Hash, HashAlg, HashParseError, empty_root, leaf_hash, node_hash};

#[test]
fn sm3_gbt_32905_example_1_abc() {
    // GB/T 32905-2016 Appendix A.1: SM3("abc").
    let got = HashAlg::Sm3.digest(&[b"abc"]);
    assert_eq!(
        got.to_hex(),
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    );
}

#[test]
fn sm3_gbt_32905_example_2_abcd_times_16() {
    // GB/T 32905-2016 Appendix A.2: SM3("abcd" repeated 16 times, 512 bits).
    let msg = "abcd".repeat(16);
    let got = HashAlg::Sm3.digest(&[msg.as_bytes()]);
    assert_eq!(
        got.to_hex(),
        "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
    );
}

#[test]
fn digest_of_parts_is_digest_of_concatenation() {
    for alg in [HashAlg::Sm3, HashAlg::Sha256] {
        assert_eq!(alg.digest(&[b"ab", b"", b"c"]), alg.digest(&[b"abc"]));
    }
}

#[test]
fn empty_roots() {
    // RFC 6962 §2.1: MTH({}) = SHA-256() for the SHA-256 profile.
    assert_eq!(
        empty_root(HashAlg::Sha256).to_hex(),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    // SM3 of the empty string (GB/T 32905 algorithm applied to the empty message).
    assert_eq!(
        empty_root(HashAlg::Sm3).to_hex(),
        "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b"
    );
}

#[test]
fn leaf_and_node_hashes_use_the_rfc_prefixes() {
    for alg in [HashAlg::Sm3, HashAlg::Sha256] {
        assert_eq!(leaf_hash(alg, b"x"), alg.digest(&[&[0x00], b"x"]));
        let (a, b) = (leaf_hash(alg, b"a"), leaf_hash(alg, b"b"));
        assert_eq!(node_hash(alg, &a, &b), alg.digest(&[&[0x01], &a.0, &b.0]));
        // Domain separation: a leaf whose data is `l ‖ r` is not the node of `l, r`.
        let mut lr = a.0.to_vec();
        lr.extend_from_slice(&b.0);
        assert_ne!(leaf_hash(alg, &lr), node_hash(alg, &a, &b));
    }
}

#[test]
fn hash_hex_round_trip_and_errors() {
    let hex = "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328";
    let hash: Hash = hex.parse().unwrap();
    assert_eq!(hash.to_string(), hex);
    assert_eq!(hex.to_uppercase().parse::<Hash>().unwrap(), hash);
    assert_eq!("zz".repeat(32).parse::<Hash>(), Err(HashParseError::BadHex));
    assert_eq!("ab".parse::<Hash>(), Err(HashParseError::WrongLength(1)));
    assert_eq!(
        "ab".repeat(33).parse::<Hash>().unwrap_err().code(),
        "hash.wrong_length"
    );
    assert_eq!(
        Hash::from_slice(&[0; 31]),
        Err(HashParseError::WrongLength(31))
    );
}

#[test]
fn serde_forms() {
    let hash = leaf_hash(HashAlg::Sm3, b"");
    let json = serde_json::to_string(&hash).unwrap();
    assert_eq!(json, format!("\"{hash}\""));
    assert_eq!(serde_json::from_str::<Hash>(&json).unwrap(), hash);
    assert!(serde_json::from_str::<Hash>("\"00\"").is_err());

    assert_eq!(serde_json::to_string(&HashAlg::Sm3).unwrap(), "\"sm3\"");
    assert_eq!(
        serde_json::to_string(&HashAlg::Sha256).unwrap(),
        "\"sha256\""
    );
    assert_eq!(
        serde_json::from_str::<HashAlg>("\"sha256\"").unwrap(),
        HashAlg::Sha256
    );
    assert!(serde_json::from_str::<HashAlg>("\"SHA256\"").is_err());
    assert_eq!(HashAlg::default(), HashAlg::Sm3);
    assert_eq!("sm3".parse::<HashAlg>().unwrap(), HashAlg::Sm3);
    assert_eq!(
        "md5".parse::<HashAlg>().unwrap_err().code(),
        "hash.unknown_alg"
    );
}
