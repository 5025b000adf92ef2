//! The mapping engine and the readers: conversions (dates with two-digit years, amounts in
//! 元 / 万元 / 分, code tables, split / join / template / extract / replace, defaults,
//! conditions), mapping-file errors, encodings and malformed input.

use std::io::Cursor;

use zhifa_exchange::{MappedRow, Mapping, Outcome, ReadError, Report, StandardRecord};

/// A subject mapping over `ID,LX,MC,DM` plus whatever `extra` adds.
fn subject_mapping(extra: &str) -> String {
    format!(
        r#"
record_type = "subject"
source_system = "测试系统"
[input]
format = "csv"
[source_id]
column = "ID"
[fields.party_type]
column = "LX"
map = {{ "企业" = "2", "个人" = "1", "个体" = "4" }}
[fields.name]
column = "MC"
{extra}
"#
    )
}

fn rows(mapping: &str, input: &[u8]) -> Vec<MappedRow> {
    let m = Mapping::from_toml(mapping).unwrap_or_else(|e| panic!("{e}"));
    m.open(Cursor::new(input.to_vec()))
        .unwrap_or_else(|e| panic!("{e}"))
        .map(|r| r.expect("reads"))
        .collect()
}

fn accepted(row: &MappedRow) -> &StandardRecord {
    match &row.outcome {
        Outcome::Accepted(r) => r,
        other => panic!("line {} not accepted: {other:?}", row.line),
    }
}

fn codes(row: &MappedRow) -> Vec<String> {
    match &row.outcome {
        Outcome::Rejected(r) => r
            .iter()
            .map(|r| format!("{}:{}", r.field, r.code))
            .collect(),
        other => panic!("line {} not rejected: {other:?}", row.line),
    }
}

fn mapping_error(toml: &str) -> String {
    Mapping::from_toml(toml)
        .map(|_| ())
        .unwrap_err()
        .code
        .to_string()
}

const DECISION: &str = r#"
record_type = "decision"
source_system = "测试"
[input]
format = "csv"
[source_id]
column = "ID"
[fields.agency_uscc]
value = "11440106006954374P"
[fields.case_no]
template = "穗天市监处罚〔{年}〕{号}号"
[fields.decision_no]
template = "穗天市监罚字〔{年}〕{号}号"
[fields.decided_on]
column = "日期"
date = ["%y%m%d", "%d/%m/%y"]
pivot_year = 30
[fields.party_type]
value = "2"
[fields.party_name]
column = "名称"
split = { separator = "/", index = -1 }
[fields.party_uscc]
column = "代码"
upper = true
[fields.penalty_types]
columns = ["种类1", "种类2"]
join = ","
items = ","
map = { "警告" = "01", "罚款" = "03" }
[fields.fine_fen]
column = "金额"
amount = "wan_yuan"
[fields.confiscation_fen]
column = "没收"
amount = "fen"
default = "0"
"#;

const DECISION_HEADER: &str = "ID,年,号,日期,名称,代码,种类1,种类2,金额,没收\n";

#[test]
fn decision_conversions_are_exact() {
    let input = format!(
        "{DECISION_HEADER}\
         1,2025,7,250312,旧名/广州市天河区云栖餐饮管理有限公司,91440106ma59c8x28a,警告,罚款,0.000001,\"1,000\"\n\
         2,2025,8,12/03/29,广州市天河区云栖餐饮管理有限公司,91440106MA59C8X28A,罚款,,12.3456,\n\
         3,2025,9,12/03/31,广州市天河区云栖餐饮管理有限公司,91440106MA59C8X28A,罚款,,0.1234567,\n"
    );
    let r = rows(DECISION, input.as_bytes());
    let StandardRecord::Decision(d) = accepted(&r[0]) else {
        panic!("decision")
    };
    assert_eq!(d.case_no, "穗天市监处罚〔2025〕7号");
    assert_eq!(d.decided_on.to_string(), "2025-03-12");
    assert_eq!(d.party_name, "广州市天河区云栖餐饮管理有限公司");
    assert_eq!(d.party_uscc.as_deref(), Some("91440106MA59C8X28A"));
    assert_eq!(d.penalty_types, ["01", "03"]);
    assert_eq!(d.fine_fen.unwrap().value(), 1, "0.000001 万元 is one fen");
    assert_eq!(d.confiscation_fen.unwrap().value(), 1000);
    let StandardRecord::Decision(d) = accepted(&r[1]) else {
        panic!("decision")
    };
    // Pivot 30: 29 → 2029; the second format applies.
    assert_eq!(d.decided_on.to_string(), "2029-03-12");
    assert_eq!(d.fine_fen.unwrap().value(), 12_345_600);
    assert_eq!(d.confiscation_fen.unwrap().value(), 0, "default");
    // 31 → 1931 with pivot 30; the amount has more than six decimals of 万元.
    assert_eq!(codes(&r[2]), ["fine_fen:money.precision"]);
}

#[test]
fn yuan_and_two_digit_year_defaults() {
    let m = DECISION
        .replace("amount = \"wan_yuan\"", "amount = \"yuan\"")
        .replace("pivot_year = 30\n", "");
    let input = format!(
        "{DECISION_HEADER}1,2025,7,491231,甲,91440106MA59C8X28A,罚款,,\"¥1,234.56\",\n\
         2,2025,8,500101,甲,91440106MA59C8X28A,罚款,,0.1,\n"
    );
    let r = rows(&m, input.as_bytes());
    let StandardRecord::Decision(d) = accepted(&r[0]) else {
        panic!()
    };
    assert_eq!(d.decided_on.to_string(), "2049-12-31");
    assert_eq!(d.fine_fen.unwrap().value(), 123_456);
    let StandardRecord::Decision(d) = accepted(&r[1]) else {
        panic!()
    };
    assert_eq!(d.decided_on.to_string(), "1950-01-01");
    assert_eq!(d.fine_fen.unwrap().value(), 10);
}

#[test]
fn every_problem_of_a_row_is_listed_with_line_column_and_element() {
    let input = format!("{DECISION_HEADER}1,2025,7,251332,甲,91440106MA59C8X28B,罚款,没收,,-5\n");
    let r = rows(DECISION, input.as_bytes());
    assert_eq!(r[0].line, 2);
    assert_eq!(
        codes(&r[0]),
        [
            "decided_on:date.format",
            "penalty_types:mapping.code_unmapped",
            "confiscation_fen:money.negative",
            "party_uscc:uscc.check_char",
        ]
    );
    let Outcome::Rejected(rej) = &r[0].outcome else {
        panic!()
    };
    let uscc = &rej[3];
    assert_eq!(uscc.column, "代码");
    assert_eq!(uscc.element, "object.uscc");
    assert_eq!(uscc.rule, "GB 32100-2015");
    assert_eq!(uscc.value, "91440106MA59C8X28B");
    assert!(uscc.message.contains("校验码"));
    assert_eq!(rej[1].column, "种类1+种类2");
}

#[test]
fn cross_field_rules_apply_after_the_elements() {
    let input = format!("{DECISION_HEADER}1,2025,7,250312,甲,91440106MA59C8X28A,警告,,1,\n");
    let r = rows(DECISION, input.as_bytes());
    assert_eq!(codes(&r[0]), ["fine_fen:decision.fine_without_type"]);
}

#[test]
fn conditions_choose_alternatives_and_skip_rows() {
    let m = subject_mapping(
        r#"
[[skip]]
when = [{ column = "ZT", equals = "注销" }, { column = "MC", not_equals = "" }]
reason = "已注销"
[[fields.uscc]]
when = { column = "LX", in = ["企业", "个体"] }
column = "DM"
[[fields.id_number]]
when = { column = "LX", equals = "个人" }
column = "DM"
[[fields.id_type]]
when = { column = "DM", matches = "^[0-9]{17}[0-9X]$" }
value = "1"
[[fields.id_type]]
when = { column = "LX", equals = "个人" }
value = "9"
[fields.address]
column = "DZ"
default = "地址不详"
[fields.region_code]
column = "DM"
extract = '^(?:9[12])?([0-9]{6})'
"#,
    );
    let input = "ID,LX,MC,DM,ZT,DZ\n\
        a,企业,广州市天河区云栖餐饮管理有限公司,91440106MA59C8X28A,正常,\n\
        b,个人,陈伟,440106198503122010,正常,天河路1号\n\
        c,企业,注销公司,91440106MA59C8X28A,注销,\n\
        d,个人,外籍人士,E12345678,正常,\n";
    let r = rows(&m, input.as_bytes());
    let StandardRecord::Subject(a) = accepted(&r[0]) else {
        panic!()
    };
    assert_eq!(a.uscc.as_deref(), Some("91440106MA59C8X28A"));
    assert_eq!(a.id_number, None);
    assert_eq!(a.address.as_deref(), Some("地址不详"));
    assert_eq!(a.region_code.as_deref(), Some("440106"));
    assert_eq!(r[0].source_id.as_deref(), Some("a"));
    let StandardRecord::Subject(b) = accepted(&r[1]) else {
        panic!()
    };
    assert_eq!((b.id_type.as_deref(), b.uscc.as_deref()), (Some("1"), None));
    assert_eq!(
        accepted(&r[1]).natural_key().to_string(),
        "subject:1:440106198503122010"
    );
    assert_eq!(r[2].outcome, Outcome::Skipped("已注销".into()));
    // Falls to the second id_type alternative; the region extraction does not match.
    assert_eq!(codes(&r[3]), ["region_code:mapping.extract_no_match"]);
}

#[test]
fn officers_with_boolean_lists_and_citizen_ids() {
    let m = r#"
record_type = "officer"
source_system = "人员库"
[input]
format = "csv"
delimiter = ";"
[source_id]
column = "编号"
[fields.name]
column = "姓名"
[fields.citizen_id]
column = "身份证"
[fields.org_uscc]
value = "11440106006954374P"
[fields.cert_no]
column = "证号"
[fields.cert_status]
value = "1"
[fields.cert_valid_from]
column = "起"
[fields.cert_valid_to]
column = "止"
[fields.cert_fields]
column = "领域"
items = "|"
map = { "市场监管" = "01", "城市管理" = "06" }
[fields.legal_review_qualified]
column = "法审"
boolean = { true = ["是", "Y"], false = ["否", "N", ""] }
"#;
    let input = "编号;姓名;身份证;证号;起;止;领域;法审\n\
        1;周敏;440106198503122010;4401060100012;2024年1月1日;2028-12-31;市场监管|城市管理;是\n\
        2;吴强;440106850312201;4401060100013;2024-01-01;2028-12-31;市场监管;否\n\
        3;郑洁;440106198503122011;4401069900014;2029-01-01;2028-12-31;市场监管;也许\n";
    let r = rows(m, input.as_bytes());
    let StandardRecord::Officer(o) = accepted(&r[0]) else {
        panic!()
    };
    assert_eq!(o.cert_fields, ["01", "06"]);
    assert_eq!(o.legal_review_qualified, Some(true));
    assert_eq!(o.cert_valid_from.to_string(), "2024-01-01");
    assert_eq!(r[0].source_id.as_deref(), Some("1"));
    let StandardRecord::Officer(o) = accepted(&r[1]) else {
        panic!()
    };
    assert_eq!(
        o.citizen_id, "440106198503122010",
        "15-digit IDs become 18 digits"
    );
    assert_eq!(o.legal_review_qualified, Some(false));
    assert_eq!(
        codes(&r[2]),
        [
            "legal_review_qualified:mapping.boolean_unmapped",
            "citizen_id:idcard.check_char",
            "cert_no:cert_no.field",
        ]
    );
    let Outcome::Rejected(rej) = &r[2].outcome else {
        panic!()
    };
    assert_eq!(
        rej[1].value, "440106********2011",
        "personal numbers are masked"
    );
}

#[test]
fn mapping_file_errors_name_key_and_rule() {
    assert_eq!(mapping_error("record_type = "), "mapping.syntax");
    assert_eq!(
        mapping_error(&subject_mapping("[fields.colour]\ncolumn = \"X\"")),
        "mapping.field_unknown"
    );
    assert_eq!(
        mapping_error(&subject_mapping("").replace("[fields.name]\ncolumn = \"MC\"", "")),
        "mapping.field_missing"
    );
    assert_eq!(
        mapping_error(&subject_mapping(
            "[fields.uscc]\ncolumn = \"DM\"\ncodes = \"nope\""
        )),
        "mapping.codes_unknown"
    );
    assert_eq!(
        mapping_error(&subject_mapping(
            "[fields.uscc]\ncolumn = \"DM\"\nvalue = \"x\""
        )),
        "mapping.source_count"
    );
    assert_eq!(
        mapping_error(&subject_mapping(
            "[fields.uscc]\ncolumn = \"DM\"\namount = \"yuan\""
        )),
        "mapping.conversion_kind"
    );
    assert_eq!(
        mapping_error(&subject_mapping(
            "[fields.uscc]\ncolumn = \"DM\"\nitems = \",\""
        )),
        "mapping.items"
    );
    assert_eq!(
        mapping_error(&subject_mapping(
            "[fields.uscc]\ncolumn = \"DM\"\nextract = \"[0-9]+\""
        )),
        "mapping.extract"
    );
    assert_eq!(
        mapping_error(&subject_mapping("[fields.uscc]\ntemplate = \"{DM\"")),
        "mapping.template"
    );
    assert_eq!(
        mapping_error(
            &subject_mapping("").replace("format = \"csv\"", "format = \"csv\"\ndelimiter = \"|\"")
        ),
        "mapping.delimiter_gbk"
    );
    assert_eq!(
        mapping_error(
            &subject_mapping("").replace("record_type = \"subject\"", "record_type = \"invoice\"")
        ),
        "mapping.record_type_unknown"
    );
    assert_eq!(
        mapping_error(
            &subject_mapping("").replace("record_type", "standard = \"v3\"\nrecord_type")
        ),
        "format.version_unknown"
    );
    assert_eq!(
        mapping_error(&DECISION.replace("%y%m%d", "%Q")),
        "mapping.date_format"
    );
    let e = Mapping::from_toml(&subject_mapping("[fields.colour]\ncolumn = \"X\"")).unwrap_err();
    assert_eq!(e.key.as_deref(), Some("fields.colour"));
    assert!(e.to_string().contains("可用字段"), "{e}");
}

#[test]
fn encodings_are_detected_or_declared() {
    let m = subject_mapping("[fields.uscc]\ncolumn = \"DM\"");
    let text = "ID,LX,MC,DM\n1,企业,广州市天河区云栖餐饮管理有限公司,91440106MA59C8X28A\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(text);
    for bytes in [
        text.as_bytes().to_vec(),
        [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
        gbk.to_vec(),
    ] {
        let r = rows(&m, &bytes);
        let StandardRecord::Subject(s) = accepted(&r[0]) else {
            panic!()
        };
        assert_eq!(s.name, "广州市天河区云栖餐饮管理有限公司");
    }
    // GBK bytes in a file declared UTF-8: each bad cell is named.
    let utf8 = m.replace("format = \"csv\"", "format = \"csv\"\nencoding = \"utf-8\"");
    let r = rows(&utf8, &gbk);
    assert_eq!(codes(&r[0]), [":encoding.invalid", ":encoding.invalid"]);
    let Outcome::Rejected(rej) = &r[0].outcome else {
        panic!()
    };
    assert_eq!(rej[0].column, "MC");
    assert_eq!(rej[0].line, 2);
    // UTF-16 is refused as a whole.
    let e = Mapping::from_toml(&m)
        .unwrap()
        .open(Cursor::new(b"\xFF\xFEI\0D\0".to_vec()))
        .err()
        .expect("utf-16 refused");
    assert_eq!(e.code, "encoding.utf16");
}

fn open_error(mapping: &str, input: &[u8]) -> ReadError {
    Mapping::from_toml(mapping)
        .unwrap()
        .open(Cursor::new(input.to_vec()))
        .err()
        .expect("refused")
}

#[test]
fn structural_errors_stop_before_any_row() {
    let m = subject_mapping("");
    let e = open_error(&m, b"ID,LX,NAME\n1,2,x\n");
    assert_eq!(
        (e.code, e.line, e.column.as_deref()),
        ("csv.column_missing", Some(1), Some("MC"))
    );
    assert!(e.to_string().contains("表头的列为：ID、LX、NAME"), "{e}");
    assert_eq!(open_error(&m, b"").code, "csv.no_header");
    let x = m.replace("format = \"csv\"", "format = \"xlsx\"");
    assert_eq!(open_error(&x, b"ID,LX,MC\n").code, "xlsx.read");
    let e = Mapping::from_toml(&x)
        .unwrap()
        .open_stream(Cursor::new(Vec::new()))
        .err()
        .unwrap();
    assert_eq!(e.code, "xlsx.not_seekable");
    let xlsx = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples/exchange/environment-xlsx/input.xlsx"),
    )
    .unwrap();
    let sheet = x.replace("format = \"xlsx\"", "format = \"xlsx\"\nsheet = \"Sheet9\"");
    assert_eq!(open_error(&sheet, &xlsx).code, "xlsx.sheet_missing");
    let e = open_error(
        &x.replace("format = \"xlsx\"", "format = \"xlsx\"\nheader_row = 2"),
        &xlsx,
    );
    assert_eq!((e.code, e.line), ("xlsx.column_missing", Some(2)));
}

#[test]
fn csv_rows_with_the_wrong_number_of_fields_are_rejected_alone() {
    let m = subject_mapping("");
    let r = rows(
        &m,
        "ID,LX,MC\r\n1,个人\r\n\r\n2,个体,\"林记,烧腊\"\r\n".as_bytes(),
    );
    assert_eq!(r.len(), 2, "blank lines are skipped");
    assert_eq!(codes(&r[0]), [":csv.field_count"]);
    assert_eq!(r[1].line, 4);
    // The quoted comma stays in the name; the row fails only for its missing key.
    assert_eq!(codes(&r[1]), ["uscc:party.key_missing"]);
}

#[test]
fn json_lines_with_nested_objects_and_bad_lines() {
    let m = r#"
record_type = "subject"
source_system = "接口"
[input]
format = "jsonl"
[source_id]
column = "id"
[fields.party_type]
column = "party.type"
[fields.name]
column = "party.name"
[fields.uscc]
column = "party.uscc"
[fields.phone]
column = "phones"
split = { separator = ";", index = 0 }
"#;
    let input = "\u{feff}{\"id\": 7, \"party\": {\"type\": 2, \"name\": \"广州市天河区云栖餐饮管理有限公司\", \"uscc\": \"91440106MA59C8X28A\"}, \"phones\": [\"020-38000000\", \"13800000000\"]}\n\
        \n\
        {\"id\": 8, \"party\": {\"type\": \"2\"\n\
        [1, 2]\n\
        {\"id\": 9, \"party\": {\"type\": \"1\", \"name\": \"陈伟\"}}\n";
    let r = rows(m, input.as_bytes());
    assert_eq!(r.len(), 4);
    let StandardRecord::Subject(s) = accepted(&r[0]) else {
        panic!()
    };
    assert_eq!(s.source_id, "7");
    assert_eq!(s.phone.as_deref(), Some("020-38000000"));
    assert_eq!(
        (r[1].line, codes(&r[1])),
        (3, vec![":jsonl.syntax".to_string()])
    );
    let Outcome::Rejected(rej) = &r[1].outcome else {
        panic!()
    };
    assert!(rej[0].message.contains("第 3 行第"), "{}", rej[0].message);
    assert_eq!(codes(&r[2]), [":jsonl.not_object"]);
    assert_eq!(codes(&r[3]), ["id_number:party.id_missing"]);
}

#[test]
fn report_counts_and_writes_csv_and_html() {
    let input = format!(
        "{DECISION_HEADER}1,2025,7,250312,<b>甲</b>,91440106MA59C8X28A,罚款,,1,\n\
         2,2025,8,250312,乙,91440106MA59C8X28B,罚款,,1,\n"
    );
    let m = Mapping::from_toml(DECISION).unwrap();
    let mut report = Report::new(&m);
    for row in m.open(Cursor::new(input.into_bytes())).unwrap() {
        report.add(&row.unwrap());
    }
    assert_eq!((report.total, report.accepted, report.rejected), (2, 1, 1));
    let csv = report.to_csv_string();
    assert!(csv.starts_with("\u{feff}行号 line,列 column,"));
    assert!(csv.contains("3,代码,party_uscc,object.uscc,uscc.check_char,GB 32100-2015,"));
    let html = report.to_html_string();
    assert!(html.contains("<td class=\"bad\">1</td>"));
    assert!(html.contains("uscc.check_char"));
    assert!(!html.contains("<b>甲"));
}

/// An endless export: a header, then the same row for ever.
struct Endless {
    header: Vec<u8>,
    row: Vec<u8>,
    pos: usize,
}

impl std::io::Read for Endless {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut n = 0;
        while n < buf.len() {
            let stream = if self.pos < self.header.len() {
                &self.header[self.pos..]
            } else {
                let i = (self.pos - self.header.len()) % self.row.len();
                &self.row[i..]
            };
            let k = stream.len().min(buf.len() - n);
            buf[n..n + k].copy_from_slice(&stream[..k]);
            n += k;
            self.pos += k;
        }
        Ok(n)
    }
}

#[test]
fn rows_stream_lazily_from_endless_input() {
    let csv = Mapping::from_toml(&subject_mapping("[fields.uscc]\ncolumn = \"DM\"")).unwrap();
    let endless = Endless {
        header: b"ID,LX,MC,DM\n".to_vec(),
        row: "1,企业,广州市天河区云栖餐饮管理有限公司,91440106MA59C8X28A\n"
            .as_bytes()
            .to_vec(),
        pos: 0,
    };
    let first: Vec<_> = csv.open_stream(endless).unwrap().take(1000).collect();
    assert_eq!(first.len(), 1000);
    assert_eq!(first[999].as_ref().unwrap().line, 1001);
    let jsonl = Mapping::standard(
        zhifa_exchange::RecordType::Subject,
        zhifa_exchange::SourceFormat::Jsonl,
    );
    let endless = Endless {
        header: Vec::new(),
        row: br#"{"source_system":"s","source_id":"1","party_type":"1","name":"x","id_type":"2","id_number":"E1"}
"#
        .to_vec(),
        pos: 0,
    };
    let first: Vec<_> = jsonl.open_stream(endless).unwrap().take(1000).collect();
    assert!(
        first
            .iter()
            .all(|r| matches!(r.as_ref().unwrap().outcome, Outcome::Accepted(_)))
    );
}

/// Maps JSON Lines of the standard profile and returns the rejection codes of each line
/// (empty when accepted).
fn standard_codes(t: zhifa_exchange::RecordType, lines: &[&str]) -> Vec<Vec<String>> {
    let m = Mapping::standard(t, zhifa_exchange::SourceFormat::Jsonl);
    let input = lines.join("\n");
    m.open(Cursor::new(input.into_bytes()))
        .unwrap()
        .map(|r| match r.unwrap().outcome {
            Outcome::Accepted(_) => Vec::new(),
            Outcome::Rejected(rs) => rs
                .into_iter()
                .map(|r| format!("{}:{}", r.field, r.code))
                .collect(),
            Outcome::Skipped(s) => panic!("skipped {s}"),
        })
        .collect()
}

#[test]
fn cross_field_rules_of_every_record_type() {
    use zhifa_exchange::RecordType as T;
    let env = r#""source_system":"s","source_id":"1""#;
    assert_eq!(
        standard_codes(
            T::Matter,
            &[&format!(
                r#"{{{env},"power_code":"440100-01-02-0001","name":"对无照经营的处罚","category":"02","enforcement_field":"01","legal_basis":"《无证无照经营查处办法》第十三条","subject_uscc":"11440106006954374P","fine_min_fen":1000000,"fine_max_fen":500000,"valid_from":"2024-01-01"}}"#
            )]
        ),
        [["fine_min_fen:record.fine_range"]]
    );
    let case = |closed: &str, certs: &str| {
        format!(
            r#"{{{env},"agency_uscc":"11440106006954374P","case_no":"穗天市监处罚〔2025〕101号","case_cause":"销售过期食品","procedure":"2","case_source":"1","enforcement_field":"01","filed_on":"2025-03-01","officer_cert_nos":[{certs}],"party_type":"2","party_name":"甲","party_uscc":"91440106MA59C8X28A","closed_on":{closed}}}"#
        )
    };
    assert_eq!(
        standard_codes(
            T::Case,
            &[
                &case("\"2025-05-01\"", "\"4401060100012\",\"4401060100013\""),
                &case("\"2025-02-01\"", "\"4401060100012\",\"4401060100013\""),
                &case("null", "\"4401060100012\""),
            ]
        ),
        [
            vec![],
            vec!["closed_on:record.date_order".to_string()],
            vec!["officer_cert_nos:officers.too_few".to_string()],
        ]
    );
    assert_eq!(
        standard_codes(
            T::CaseEvent,
            &[&format!(
                r#"{{{env},"agency_uscc":"11440106006954374P","case_no":"穗天市监处罚〔2025〕101号","seq":0,"event_type":"01","occurred_at":"2025-03-01T09:00:00+08:00"}}"#
            )]
        ),
        [["seq:record.event_seq"]]
    );
    assert_eq!(
        standard_codes(
            T::Subject,
            &[
                &format!(r#"{{{env},"party_type":"2","name":"甲公司"}}"#),
                &format!(
                    r#"{{{env},"party_type":"1","name":"乙","id_number":"440106198503122010"}}"#
                )
            ]
        ),
        [
            ["uscc:party.uscc_missing"],
            ["id_type:party.id_type_missing"]
        ]
    );
    assert_eq!(
        standard_codes(
            T::Officer,
            &[&format!(
                r#"{{{env},"name":"周敏","citizen_id":"440106198503122010","org_uscc":"11440106006954374P","cert_no":"4401060100012","cert_status":"1","cert_valid_from":"2025-01-01","cert_valid_to":"2024-12-31","cert_fields":["01"]}}"#
            )]
        ),
        [["cert_valid_to:record.date_order"]]
    );
    assert_eq!(
        standard_codes(
            T::Decision,
            &[&format!(
                r#"{{{env},"agency_uscc":"11440106006954374P","case_no":"穗天市监处罚〔2025〕101号","decision_no":"穗天市监罚字〔2025〕101号","decided_on":"2025-03-12","party_type":"2","party_name":"甲","party_uscc":"91440106MA59C8X28A","penalty_types":["03"],"fine_fen":500000,"served_on":"2025-03-10","paid_on":"2025-03-11"}}"#
            )]
        ),
        [["served_on:record.date_order", "paid_on:record.date_order"]]
    );
    assert_eq!(
        standard_codes(
            T::Inspection,
            &[&format!(
                r#"{{{env},"agency_uscc":"1144010000695530XE","inspection_no":"穗环检〔2025〕1号","inspected_at":"2025-01-08T09:30:00+08:00","enforcement_field":"02","officer_cert_nos":"4401000200011;4401000200027","party_type":"3","party_name":"某合伙企业","result":"1"}}"#
            )]
        ),
        [["party_uscc:party.uscc_missing"]]
    );
}

#[test]
fn csv_header_row_tab_delimiter_and_gb18030_bom() {
    let m = subject_mapping("[fields.uscc]\ncolumn = \"DM\"").replace(
        "format = \"csv\"",
        "format = \"csv\"\ndelimiter = \"\\\\t\"\nheader_row = 2",
    );
    let text = "市场主体名录导出\t\t\t\nID\tLX\tMC\tDM\n9\t企业\t广州市天河区云栖餐饮管理有限公司\t91440106MA59C8X28A\n";
    let (body, _, _) = encoding_rs::GB18030.encode(text);
    let bytes = [b"\x84\x31\x95\x33".as_slice(), &body].concat();
    let r = rows(&m, &bytes);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].line, 3);
    let StandardRecord::Subject(s) = accepted(&r[0]) else {
        panic!()
    };
    assert_eq!(s.name, "广州市天河区云栖餐饮管理有限公司");
}

#[test]
fn bounded_report_and_streamed_csv_agree() {
    let m = Mapping::from_toml(DECISION).unwrap();
    let mut input = String::from(DECISION_HEADER);
    for i in 0..50 {
        input.push_str(&format!(
            "{i},2025,{i},250312,乙,91440106MA59C8X28B,罚款,,1,\n"
        ));
    }
    let mut full = Report::new(&m);
    let mut bounded = Report::with_limit(&m, 10);
    let mut stream = zhifa_exchange::CsvReportWriter::new(Vec::new()).unwrap();
    for row in m.open(Cursor::new(input.into_bytes())).unwrap() {
        let row = row.unwrap();
        full.add(&row);
        bounded.add(&row);
        stream.write_row(&row).unwrap();
    }
    let streamed = String::from_utf8(stream.finish().unwrap()).unwrap();
    assert_eq!(streamed, full.to_csv_string());
    assert_eq!((bounded.rejected, bounded.rejections.len()), (50, 10));
    assert_eq!(bounded.not_listed, 40);
    assert!(bounded.to_html_string().contains("另有 40 项"));
}

#[test]
fn mappings_and_row_streams_cross_threads() {
    fn send<T: Send>() {}
    fn sync<T: Sync>() {}
    send::<Mapping>();
    sync::<Mapping>();
    send::<zhifa_exchange::MappedRows>();
    send::<Report>();
    // A row stream can be consumed on another thread (e.g. a blocking task of the server).
    let m = Mapping::from_toml(DECISION).unwrap();
    let input = format!("{DECISION_HEADER}1,2025,7,250312,甲,91440106MA59C8X28A,罚款,,1,\n");
    let rows = m.open(Cursor::new(input.into_bytes())).unwrap();
    let n = std::thread::spawn(move || rows.count()).join().unwrap();
    assert_eq!(n, 1);
}
