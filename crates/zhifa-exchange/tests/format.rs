//! The standard exchange format v1: field tables against the data standard, the JSON
//! Schemas, and round trips through the CSV and JSON Lines profiles.

use std::collections::BTreeSet;
use std::io::Cursor;
use std::path::Path;

use zhifa_domain::standard::{DataType, Standard};
use zhifa_exchange::schema::{all_schemas, json_schema, schema_id};
use zhifa_exchange::value::Shape;
use zhifa_exchange::{Mapping, Outcome, RecordType, SourceFormat, StandardRecord, Version};

#[test]
fn every_field_is_a_data_element_of_the_right_type() {
    let standard = Standard::builtin();
    for t in RecordType::ALL {
        let mut names = BTreeSet::new();
        for f in t.fields() {
            assert!(names.insert(f.name), "{t}: field {} twice", f.name);
            let e = standard
                .element(f.element)
                .unwrap_or_else(|| panic!("{t}.{}: element {} not in ZF-1.0", f.name, f.element));
            assert!(
                f.kind.fits(e.data_type),
                "{t}.{}: {:?} cannot hold {}",
                f.name,
                f.kind,
                e.data_type.as_str()
            );
            if f.shape == Shape::List {
                assert!(
                    matches!(e.data_type, DataType::Code | DataType::Identifier),
                    "{t}.{}: lists hold codes or identifiers",
                    f.name
                );
            }
            assert!(
                !["source_system", "source_id", "record_type"].contains(&f.name),
                "{t}.{} clashes with the envelope",
                f.name
            );
        }
    }
}

#[test]
fn natural_key_fields_are_required() {
    let key_fields: &[(RecordType, &[&str])] = &[
        (RecordType::Officer, &["cert_no"]),
        (RecordType::Matter, &["power_code"]),
        (RecordType::Case, &["agency_uscc", "case_no"]),
        (RecordType::CaseEvent, &["agency_uscc", "case_no", "seq"]),
        (RecordType::Decision, &["agency_uscc", "case_no"]),
        (RecordType::Inspection, &["agency_uscc", "inspection_no"]),
    ];
    for (t, keys) in key_fields {
        for k in *keys {
            let f = t.fields()[t.field_index(k).expect("key field exists")];
            assert_eq!(f.shape, Shape::One, "{t}.{k} must be required");
        }
    }
}

#[test]
fn schemas_follow_the_field_tables_and_the_code_sets() {
    let standard = Standard::builtin();
    let all = all_schemas(Version::V1);
    assert_eq!(all.as_object().unwrap().len(), RecordType::ALL.len());
    for t in RecordType::ALL {
        let s = json_schema(*t, Version::V1);
        assert_eq!(s, all[t.id()]);
        assert_eq!(s["$id"], schema_id(*t, Version::V1));
        assert_eq!(s["additionalProperties"], false);
        let props = s["properties"].as_object().unwrap();
        assert_eq!(props.len(), t.fields().len() + 3, "{t}");
        let required: Vec<&str> = s["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        for f in t.fields() {
            let p = &props[f.name];
            assert_eq!(
                required.contains(&f.name),
                f.shape != Shape::Optional,
                "{t}.{}",
                f.name
            );
            let inner = match f.shape {
                Shape::Optional => &p["anyOf"][0],
                Shape::List => &p["items"],
                Shape::One => p,
            };
            let e = standard.element(f.element).unwrap();
            if let Some(set) = &e.code_set {
                let codes: Vec<&str> = standard
                    .code_set(set)
                    .unwrap()
                    .codes
                    .iter()
                    .map(|c| c.code.as_str())
                    .collect();
                assert_eq!(inner["enum"], serde_json::json!(codes), "{t}.{}", f.name);
            }
            if let Some(pattern) = &e.pattern
                && f.shape != Shape::List
            {
                assert_eq!(inner["pattern"], pattern.as_str());
            }
            let title = if f.shape == Shape::Optional {
                &p["anyOf"][0]["title"]
            } else {
                &p["title"]
            };
            assert_eq!(title, e.name_zh.as_str());
        }
    }
}

fn example_records(system: &str) -> Vec<StandardRecord> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/exchange")
        .join(system);
    let text = std::fs::read_to_string(dir.join("expected-records.jsonl")).unwrap();
    text.lines()
        .map(|l| serde_json::from_str(l).expect("expected records deserialise"))
        .collect()
}

fn map_all(mapping: &Mapping, bytes: Vec<u8>) -> Vec<StandardRecord> {
    mapping
        .open(Cursor::new(bytes))
        .expect("opens")
        .map(|r| match r.expect("reads").outcome {
            Outcome::Accepted(rec) => *rec,
            other => panic!("standard profile row not accepted: {other:?}"),
        })
        .collect()
}

#[test]
fn records_round_trip_through_both_standard_profiles() {
    for (system, t) in [
        ("market-regulation", RecordType::Decision),
        ("legacy-gbk", RecordType::Decision),
        ("environment-xlsx", RecordType::Inspection),
    ] {
        let records = example_records(system);
        assert!(!records.is_empty());
        // JSON Lines profile.
        let jsonl: String = records.iter().map(|r| r.to_json_line() + "\n").collect();
        let back = map_all(
            &Mapping::standard(t, SourceFormat::Jsonl),
            jsonl.into_bytes(),
        );
        assert_eq!(back, records, "{system} via JSON Lines");
        // CSV profile.
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(t.csv_header()).unwrap();
        for r in &records {
            assert_eq!(r.record_type(), t);
            w.write_record(r.csv_row()).unwrap();
        }
        let bytes = w.into_inner().unwrap();
        let back = map_all(&Mapping::standard(t, SourceFormat::Csv), bytes);
        assert_eq!(back, records, "{system} via CSV");
    }
}

#[test]
fn natural_keys_name_type_and_parts() {
    let records = example_records("market-regulation");
    let key = records[0].natural_key();
    assert_eq!(
        key.to_string(),
        "decision:11440106006954374P|穗天市监处罚〔2025〕101号"
    );
    assert_eq!(records[0].source(), ("gz-scjg-ajbl", "CF2025000101"));
    let inspections = example_records("environment-xlsx");
    assert_eq!(
        inspections[0].natural_key().parts,
        ["1144010000695530XE", "穗环检〔2025〕1号"]
    );
}

#[test]
fn versions_and_record_types_parse_with_clear_errors() {
    assert_eq!(Version::parse("v1").unwrap(), Version::V1);
    let e = Version::parse("v2").unwrap_err();
    assert_eq!(e.code, "format.version_unknown");
    assert_eq!(
        RecordType::parse("case_event").unwrap(),
        RecordType::CaseEvent
    );
    let e = RecordType::parse("invoice").unwrap_err();
    assert_eq!(e.code, "format.record_type_unknown");
    assert!(e.message.contains("decision（处罚决定）"));
}

/// Checks one JSON value against the subset of JSON Schema the generator emits.
fn conforms(value: &serde_json::Value, schema: &serde_json::Value) -> Result<(), String> {
    if let Some(any) = schema.get("anyOf") {
        return any
            .as_array()
            .unwrap()
            .iter()
            .find_map(|s| conforms(value, s).ok())
            .ok_or_else(|| format!("{value} matches no alternative"));
    }
    if let Some(c) = schema.get("const") {
        return (value == c).then_some(()).ok_or(format!("{value} != {c}"));
    }
    match schema["type"].as_str().unwrap() {
        "null" if value.is_null() => {}
        "boolean" if value.is_boolean() => {}
        "integer" if value.is_i64() => {
            if schema.get("minimum").is_some() && value.as_i64().unwrap() < 0 {
                return Err(format!("{value} < 0"));
            }
        }
        "array" if value.is_array() => {
            let items = value.as_array().unwrap();
            if items.is_empty() {
                return Err("empty array".into());
            }
            for i in items {
                conforms(i, &schema["items"])?;
            }
        }
        "string" if value.is_string() => {
            let s = value.as_str().unwrap();
            if let Some(e) = schema.get("enum")
                && !e.as_array().unwrap().iter().any(|c| c == value)
            {
                return Err(format!("{s} not in {e}"));
            }
            if let Some(p) = schema["pattern"].as_str()
                && !regex::Regex::new(p).unwrap().is_match(s)
            {
                return Err(format!("{s} !~ {p}"));
            }
            if let Some(n) = schema["maxLength"].as_u64()
                && s.chars().count() as u64 > n
            {
                return Err(format!("{s} longer than {n}"));
            }
            match schema["format"].as_str() {
                Some("date") => {
                    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| e.to_string())?;
                }
                Some("date-time") => {
                    chrono::DateTime::parse_from_rfc3339(s).map_err(|e| e.to_string())?;
                }
                _ => {}
            }
        }
        t => return Err(format!("{value} is not {t}")),
    }
    Ok(())
}

#[test]
fn accepted_records_conform_to_their_schemas() {
    for system in ["market-regulation", "legacy-gbk", "environment-xlsx"] {
        for record in example_records(system) {
            let schema = json_schema(record.record_type(), Version::V1);
            let json = serde_json::to_value(&record).unwrap();
            let object = json.as_object().unwrap();
            for key in schema["required"].as_array().unwrap() {
                assert!(object.contains_key(key.as_str().unwrap()), "{key} missing");
            }
            for (k, v) in object {
                let p = &schema["properties"][k];
                assert!(p.is_object(), "{k} is not in the schema");
                conforms(v, p).unwrap_or_else(|e| panic!("{system} {k}: {e}"));
            }
        }
    }
}
