//! Tests of the GB/T 2260 region table and region codes.

use super::*;

#[test]
fn gb2260_2023_counts() {
    // data/regions (2023): 31 provinces, 342 cities, 2,978 county rows of which three are the
    // cities without counties (东莞, 中山, 儋州) folded into their city, 41,352 townships.
    let t = RegionTable::builtin();
    assert_eq!(t.count(RegionLevel::Province), 31);
    assert_eq!(t.count(RegionLevel::City), 342);
    assert_eq!(t.count(RegionLevel::County), 2975);
    assert_eq!(t.count(RegionLevel::Township), 41352);
    assert_eq!(t.len(), 31 + 342 + 2975 + 41352);
    assert!(!t.is_empty());
    assert_eq!(t.provinces().len(), 31);
}

#[test]
fn every_parent_exists_and_is_one_level_up_or_more() {
    let t = RegionTable::builtin();
    for r in t.iter() {
        match (&r.parent, r.level) {
            (None, RegionLevel::Province) => {}
            (Some(p), level) => {
                let parent = t
                    .get(p)
                    .unwrap_or_else(|| panic!("{} has missing parent {p}", r.code));
                assert!(parent.level < level, "{} under {}", r.code, p);
            }
            (None, _) => panic!("{} has no parent", r.code),
        }
    }
}

#[test]
fn iteration_is_ordered_by_code() {
    let codes: Vec<&str> = RegionTable::builtin()
        .iter()
        .map(|r| r.code.as_str())
        .collect();
    assert!(codes.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(codes[0], "110000");
}

#[test]
fn canonical_codes_and_parents() {
    let t = RegionTable::builtin();
    let cases: &[(&str, &str, RegionLevel, Option<&str>)] = &[
        ("440000", "广东省", RegionLevel::Province, None),
        ("440100", "广州市", RegionLevel::City, Some("440000")),
        ("440106", "天河区", RegionLevel::County, Some("440100")),
        ("110100", "市辖区", RegionLevel::City, Some("110000")),
        ("110101", "东城区", RegionLevel::County, Some("110100")),
        (
            "110101001",
            "东华门街道",
            RegionLevel::Township,
            Some("110101"),
        ),
        ("441900", "东莞市", RegionLevel::City, Some("440000")),
        (
            "441900003",
            "东城街道",
            RegionLevel::Township,
            Some("441900"),
        ),
        ("419001", "济源市", RegionLevel::County, Some("419000")),
    ];
    for (code, name, level, parent) in cases {
        let r = t.get(code).unwrap_or_else(|| panic!("{code} missing"));
        assert_eq!(r.name, *name);
        assert_eq!(r.level, *level, "{code}");
        assert_eq!(r.parent.as_deref(), *parent, "{code}");
    }
    assert!(t.get("11").is_none());
    assert!(t.get("440199").is_none());
}

#[test]
fn full_names_skip_placeholders() {
    let t = RegionTable::builtin();
    let cases = [
        ("440106", "广东省广州市天河区"),
        ("440000", "广东省"),
        ("110101", "北京市东城区"),
        ("110101001", "北京市东城区东华门街道"),
        ("419001", "河南省济源市"),
        ("441900003", "广东省东莞市东城街道"),
        ("500229", "重庆市城口县"),
    ];
    for (code, full) in cases {
        assert_eq!(t.full_name(code).as_deref(), Some(full), "{code}");
    }
    assert_eq!(t.full_name("999999"), None);
}

#[test]
fn ancestors_and_children() {
    let t = RegionTable::builtin();
    let up: Vec<&str> = t
        .ancestors("110101001")
        .iter()
        .map(|r| r.code.as_str())
        .collect();
    assert_eq!(up, ["110101", "110100", "110000"]);
    assert!(t.ancestors("110000").is_empty());
    assert!(t.ancestors("nope").is_empty());

    let guangzhou: Vec<&str> = t
        .children("440100")
        .iter()
        .map(|r| r.code.as_str())
        .collect();
    assert!(guangzhou.contains(&"440106"));
    assert!(guangzhou.windows(2).all(|w| w[0] < w[1]));
    assert!(guangzhou.iter().all(|c| c.len() == 6));
    assert!(
        t.children("441900")
            .iter()
            .all(|r| r.level == RegionLevel::Township)
    );
    assert!(!t.children("441900").is_empty());
    assert!(t.children("110101001").is_empty());
    let beijing: Vec<&str> = t
        .children("110000")
        .iter()
        .map(|r| r.code.as_str())
        .collect();
    assert_eq!(beijing, ["110100"]);
}

#[test]
fn from_csv_falls_back_to_the_province() {
    let t = RegionTable::from_csv(
        "code,name\n44,\"广东省\"\n",
        "code,name,provinceCode\n4401,\"广州市\",44\n",
        "code,name,cityCode,provinceCode\n440106,\"天河区\",4401,44\n449001,\"某县\",4490,44\n",
        "code,name,areaCode,provinceCode,cityCode\n449001001,\"某镇\",449001,44,4490\n",
    )
    .unwrap();
    assert_eq!(t.get("449001").unwrap().parent.as_deref(), Some("440000"));
    assert_eq!(
        t.get("449001001").unwrap().parent.as_deref(),
        Some("449001")
    );
    assert_eq!(t.full_name("449001001").as_deref(), Some("广东省某县某镇"));
}

#[test]
fn from_csv_errors_name_file_and_line() {
    let p = "code,name\n44,\"广东省\"\n";
    let c = "code,name,provinceCode\n4401,\"广州市\",44\n";
    let a = "code,name,cityCode,provinceCode\n440106,\"天河区\",4401,44\n";
    let s = "code,name,areaCode,provinceCode,cityCode\n";

    let e =
        RegionTable::from_csv(p, "code,name,provinceCode\n4401,\"广州市\",45\n", a, s).unwrap_err();
    assert!(
        matches!(
            e,
            RegionError::MissingParent {
                file: "cities",
                line: 2,
                ..
            }
        ),
        "{e:?}"
    );
    let e = RegionTable::from_csv(
        p,
        c,
        "code,name,cityCode,provinceCode\n440106,\"天河区\",4401,44\n44010,\"x\",4401,44\n",
        s,
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            RegionError::Code {
                file: "areas",
                line: 3,
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        "行政区划文件 areas 第 3 行代码“44010”无效：应为 6 位数字"
    );
    let e = RegionTable::from_csv(p, c, &format!("{a}440106,\"天河区\",4401,44\n"), s).unwrap_err();
    assert!(matches!(e, RegionError::Duplicate { line: 3, .. }), "{e:?}");
    let e = RegionTable::from_csv(
        p,
        c,
        a,
        "code,name,areaCode,provinceCode,cityCode\n440106001,\"x\"\n",
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            RegionError::Csv {
                file: "streets",
                line: 2,
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn region_code_parse_table() {
    let ok = [
        ("440106", RegionLevel::County, "天河区"),
        ("440100", RegionLevel::City, "广州市"),
        ("440000", RegionLevel::Province, "广东省"),
        (" 110101001 ", RegionLevel::Township, "东华门街道"),
    ];
    for (input, level, name) in ok {
        let c = RegionCode::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(c.as_str(), input.trim());
        assert_eq!(c.level(), level);
        assert_eq!(c.name(), name);
        assert_eq!(c.region().code, input.trim());
    }
    assert_eq!(
        RegionCode::parse("440106").unwrap().full_name(),
        "广东省广州市天河区"
    );
    let bad = [
        ("44", "region.format"),
        ("4401", "region.format"),
        ("44010", "region.format"),
        ("4401060", "region.format"),
        ("44010A", "region.format"),
        ("440106001001", "region.format"),
        ("440199", "region.unknown"),
        ("000000", "region.unknown"),
        ("440106999", "region.unknown"),
    ];
    for (input, code) in bad {
        let e = RegionCode::parse(input).expect_err(input);
        assert_eq!(e.code, code, "{input}");
        assert_eq!(e.rule, "GB/T 2260");
    }
}

#[test]
fn region_code_serde_and_level_names() {
    let c = RegionCode::parse("440106").unwrap();
    assert_eq!(serde_json::to_string(&c).unwrap(), "\"440106\"");
    assert_eq!(serde_json::from_str::<RegionCode>("\"440106\"").unwrap(), c);
    assert!(serde_json::from_str::<RegionCode>("\"440199\"").is_err());
    assert_eq!(
        serde_json::to_string(&RegionLevel::Township).unwrap(),
        "\"township\""
    );
    assert_eq!(
        serde_json::from_str::<RegionLevel>("\"city\"").unwrap(),
        RegionLevel::City
    );
    let names: Vec<(&str, &str)> = [
        RegionLevel::Province,
        RegionLevel::City,
        RegionLevel::County,
        RegionLevel::Township,
    ]
    .iter()
    .map(|l| (l.zh(), l.code()))
    .collect();
    assert_eq!(
        names,
        [("省级", "1"), ("地级", "2"), ("县级", "3"), ("乡级", "4")]
    );
}
