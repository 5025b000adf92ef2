//! JSON Schemas (draft 2020-12) of the exchange format, one per record type and version,
//! generated from the record field tables and the data standard's elements (type, pattern,
//! length, code set, description) — never maintained by hand.

use serde_json::{Map, Value, json};
use zhifa_domain::standard::{DataType, Standard};

use crate::format::{ENVELOPE, FieldDef, RecordType, Version};
use crate::value::Shape;

/// The schema's `$id`, e.g. `urn:zhifa:exchange:v1:case`.
pub fn schema_id(record_type: RecordType, version: Version) -> String {
    format!(
        "urn:zhifa:exchange:{}:{}",
        version.as_str(),
        record_type.id()
    )
}

/// The JSON Schema of one value of an element.
fn value_schema(field: &FieldDef) -> Value {
    let element = field.element();
    let mut s = Map::new();
    match element.data_type {
        DataType::Text | DataType::Identifier => {
            s.insert("type".into(), json!("string"));
        }
        DataType::Code => {
            s.insert("type".into(), json!("string"));
            if let Some(set) = element
                .code_set
                .as_deref()
                .and_then(|id| Standard::builtin().code_set(id))
            {
                let codes: Vec<&str> = set.codes.iter().map(|c| c.code.as_str()).collect();
                s.insert("enum".into(), json!(codes));
                let names: Vec<String> = set
                    .codes
                    .iter()
                    .map(|c| format!("{} {}", c.code, c.name_zh))
                    .collect();
                s.insert("x-code-set".into(), json!(set.id));
                s.insert("x-code-names".into(), json!(names));
            }
        }
        DataType::Date => {
            s.insert("type".into(), json!("string"));
            s.insert("format".into(), json!("date"));
        }
        DataType::DateTime => {
            s.insert("type".into(), json!("string"));
            s.insert("format".into(), json!("date-time"));
        }
        DataType::Integer => {
            s.insert("type".into(), json!("integer"));
        }
        DataType::MoneyFen => {
            s.insert("type".into(), json!("integer"));
            s.insert("minimum".into(), json!(0));
        }
        DataType::Boolean => {
            s.insert("type".into(), json!("boolean"));
        }
    }
    if field.shape != Shape::List {
        if let Some(p) = &element.pattern {
            s.insert("pattern".into(), json!(p));
        }
        if let Some(n) = element.max_len {
            s.insert("maxLength".into(), json!(n));
        }
    }
    Value::Object(s)
}

fn field_schema(field: &FieldDef) -> Value {
    let element = field.element();
    let mut description = element.description.clone();
    if let Some(basis) = &element.basis {
        description.push_str(&format!("（依据：{basis}）"));
    }
    let mut s = match field.shape {
        Shape::List => {
            let mut m = Map::new();
            m.insert("type".into(), json!("array"));
            m.insert("minItems".into(), json!(1));
            m.insert("items".into(), value_schema(field));
            m
        }
        _ => match value_schema(field) {
            Value::Object(m) => m,
            _ => unreachable!("value schemas are objects"),
        },
    };
    s.insert("title".into(), json!(element.name_zh));
    s.insert("description".into(), json!(description));
    s.insert("x-element".into(), json!(element.id));
    s.insert("x-name-en".into(), json!(element.name_en));
    if field.shape == Shape::Optional {
        // Optional values may be absent or null.
        let inner = Value::Object(s);
        return json!({ "anyOf": [inner, { "type": "null" }] });
    }
    Value::Object(s)
}

/// The JSON Schema of `record_type` in `version` (one line of the JSON Lines profile).
pub fn json_schema(record_type: RecordType, version: Version) -> Value {
    let mut properties = Map::new();
    let mut required: Vec<&str> = Vec::new();
    for (name, zh, en) in ENVELOPE {
        let schema = if *name == "record_type" {
            json!({ "const": record_type.id(), "title": zh, "description": en })
        } else {
            json!({ "type": "string", "minLength": 1, "maxLength": 100, "title": zh, "description": en })
        };
        properties.insert((*name).into(), schema);
        required.push(name);
    }
    for field in record_type.fields() {
        properties.insert(field.name.into(), field_schema(field));
        if field.shape != Shape::Optional {
            required.push(field.name);
        }
    }
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": schema_id(record_type, version),
        "title": format!("{}（{}）", record_type.name_zh(), record_type.id()),
        "description": format!(
            "Zhifa 数据交换格式 {}（数据标准 {}）的“{}”记录；自然键：{}。",
            version.as_str(),
            version.standard_id(),
            record_type.name_zh(),
            record_type.key_zh()
        ),
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
        "x-natural-key": record_type.key_zh(),
    })
}

/// Every record type's schema of `version`, keyed by record type id.
pub fn all_schemas(version: Version) -> Value {
    let mut m = Map::new();
    for t in RecordType::ALL {
        m.insert(t.id().into(), json_schema(*t, version));
    }
    Value::Object(m)
}
