//! Indicator configuration checks and scoring.

use super::*;
use zhifa_domain::money::Fen;

fn codes(r: Result<IndicatorTree, Vec<IndicatorError>>) -> Vec<(String, &'static str)> {
    match r {
        Ok(_) => panic!("expected errors"),
        Err(e) => e.iter().map(|e| (e.field(), e.code())).collect(),
    }
}

#[test]
fn the_default_tree_is_valid_and_round_trips() {
    let tree = IndicatorTree::default();
    assert_eq!(tree.indicators.len(), 5);
    let ids: Vec<&str> = tree.walk().iter().map(|(_, i)| i.id.as_str()).collect();
    for id in [
        "standardisation",
        "discretion_compliance",
        "legal_review",
        "timeliness",
        "publication",
        "complaint_rate",
        "zero_enforcement",
    ] {
        assert!(ids.contains(&id), "{id}");
    }
    let again = IndicatorTree::from_toml(&tree.to_toml()).expect("round trip");
    assert_eq!(again, tree);
}

#[test]
fn sibling_weights_must_sum_to_100() {
    let text = DEFAULT_TOML.replacen("weight = 35", "weight = 30", 1);
    assert_eq!(
        codes(IndicatorTree::from_toml(&text)),
        [("indicators".to_string(), "indicators.weight_sum")]
    );
    // Children of 规范性: 50 + 40.
    let text = DEFAULT_TOML.replacen("weight = 50", "weight = 40", 1);
    let errors = IndicatorTree::from_toml(&text).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].field(), "indicators.standardisation");
    assert_eq!(
        errors[0].to_string(),
        "指标“规范性”的下级指标权重之和为 90，应为 100"
    );
    assert_eq!(
        errors[0].to_field_error().rule,
        "Zhifa 执法效能评价指标配置"
    );
}

#[test]
fn malformed_trees_name_each_problem() {
    let text = r#"
[[indicators]]
id = "A"
name = ""
weight = 0

[[indicators]]
id = "b"
name = "乙"
weight = 100
kind = "ratio"

[[indicators]]
id = "c"
name = "丙"
weight = 0
kind = "ratio"
numerator = "decided"
denominator = "filed"
direction = "higher"

[[indicators.children]]
id = "b"
name = "重复"
weight = 100
kind = "ratio"
numerator = "decided"
denominator = "filed"
direction = "higher"
"#;
    let found = codes(IndicatorTree::from_toml(text));
    for expected in [
        ("indicators.A", "indicators.id_format"),
        ("indicators.A", "indicators.name_missing"),
        ("indicators.A", "indicators.weight"),
        ("indicators.A", "indicators.formula_missing"),
        ("indicators.b", "indicators.formula_missing"),
        ("indicators.c", "indicators.formula_on_group"),
        ("indicators.b", "indicators.id_duplicate"),
    ] {
        assert!(
            found.contains(&(expected.0.to_string(), expected.1)),
            "{expected:?} not in {found:?}"
        );
    }
    assert_eq!(
        codes(IndicatorTree::from_toml("indicators = []")),
        [("indicators".to_string(), "indicators.empty")]
    );
    // Unknown metrics and keys are syntax errors (typos must not pass silently).
    let typo = DEFAULT_TOML.replacen("numerator = \"reviewed\"", "numerator = \"reviewd\"", 1);
    assert_eq!(
        codes(IndicatorTree::from_toml(&typo)),
        [("indicators".to_string(), "indicators.syntax")]
    );
    let extra = DEFAULT_TOML.replacen("weight = 35", "weight = 35\nwieght = 1", 1);
    assert_eq!(
        codes(IndicatorTree::from_toml(&extra))[0].1,
        "indicators.syntax"
    );
}

#[test]
fn depth_is_limited() {
    let mut text = String::new();
    let mut path = String::from("indicators");
    for d in 0..5 {
        text.push_str(&format!(
            "[[{path}]]\nid = \"l{d}\"\nname = \"第{d}级\"\nweight = 100\n"
        ));
        path.push_str(".children");
    }
    let found = codes(IndicatorTree::from_toml(&text));
    assert!(found.contains(&("indicators.l4".to_string(), "indicators.depth")));
}

fn metrics() -> Metrics {
    Metrics {
        agencies: 4,
        acting_agencies: 3,
        received: 10,
        filed: 8,
        decided: 8,
        closed: 5,
        open_now: 5,
        overdue: 1,
        fine: Fen::new(1_000_000).unwrap(),
        discretion_deviations: 2,
        late_decisions: 0,
        published: 6,
        reviews_due: 4,
        reviewed: 4,
        inspections: 7,
        alerts_total: 3,
        alerts_open: 1,
        complaints: None,
    }
}

#[test]
fn scores_show_their_formula_and_inputs() {
    let e = IndicatorTree::default().evaluate(&metrics());
    let node = |id: &str| e.nodes.iter().find(|n| n.id == id).expect(id).clone();
    let dc = node("discretion_compliance");
    assert_eq!(dc.value, Some(75.0));
    assert_eq!(dc.score, Some(75.0));
    assert_eq!(
        dc.formula,
        "裁量合规率 = (1 − 超出裁量基准的决定数 ÷ 作出决定数) × 100%"
    );
    assert_eq!(dc.computation, "= (1 − 2 ÷ 8) × 100% = 75.0%，得分 75.0");
    assert_eq!(node("legal_review").score, Some(100.0));
    let std = node("standardisation");
    assert_eq!(std.score, Some(87.5));
    assert_eq!(
        std.computation,
        "规范性 = (裁量合规率 75.0 × 50 + 法制审核率 100.0 × 50) ÷ 100 = 87.5"
    );
    // Timeliness: on time 100 × 60, not overdue (1 − 1/5) = 80 × 40 → 92.
    assert_eq!(node("timeliness").score, Some(92.0));
    assert_eq!(node("publication").score, Some(75.0));
    // Complaints are not connected: not applicable, its weight shared.
    let cr = node("complaint_rate");
    assert_eq!(cr.score, None);
    assert_eq!(cr.computation, "不适用：投诉举报数未接入本统计");
    assert_eq!(node("feedback").score, None);
    assert_eq!(node("zero_enforcement").score, Some(75.0));
    // (87.5 × 35 + 92 × 25 + 75 × 15 + 75 × 10) ÷ 85
    let expected = (87.5 * 35.0 + 92.0 * 25.0 + 75.0 * 15.0 + 75.0 * 10.0) / 85.0;
    assert!((e.score.unwrap() - expected).abs() < 1e-9);
    assert!(e.computation.starts_with("综合得分 = (规范性 87.5 × 35"));
    assert!(
        e.computation.contains("社会评价不适用"),
        "{}",
        e.computation
    );
}

#[test]
fn lower_is_better_and_zero_denominators_are_not_applicable() {
    let mut m = metrics();
    m.complaints = Some(2);
    let e = IndicatorTree::default().evaluate(&m);
    let cr = e.nodes.iter().find(|n| n.id == "complaint_rate").unwrap();
    assert_eq!(cr.value, Some(20.0));
    assert_eq!(cr.score, Some(80.0));
    assert_eq!(
        cr.computation,
        "= 2 ÷ 10 × 100% = 20.0%，越低越好，得分 = 100 − 20.0 = 80.0"
    );
    // More complaints than cases: the score stays at 0, never negative.
    m.complaints = Some(30);
    let e = IndicatorTree::default().evaluate(&m);
    let cr = e.nodes.iter().find(|n| n.id == "complaint_rate").unwrap();
    assert_eq!(cr.score, Some(0.0));
    // Nothing decided: the decision ratios are not applicable.
    let idle = Metrics {
        agencies: 1,
        ..Default::default()
    };
    let e = IndicatorTree::default().evaluate(&idle);
    let dc = e
        .nodes
        .iter()
        .find(|n| n.id == "discretion_compliance")
        .unwrap();
    assert_eq!(dc.score, None);
    assert_eq!(dc.computation, "不适用：作出决定数为 0");
    // Only zero enforcement applies: an idle agency scores 0.
    assert_eq!(e.score, Some(0.0));
    assert_eq!(
        IndicatorTree::default().evaluate(&Metrics::default()).score,
        None
    );
}

#[test]
fn ranking_shares_ranks_and_puts_unscored_last() {
    let tree = IndicatorTree::default();
    let mut good = metrics();
    good.discretion_deviations = 0;
    let units = vec![
        ("a".to_string(), "甲".to_string(), tree.evaluate(&metrics())),
        (
            "n".to_string(),
            "无".to_string(),
            tree.evaluate(&Metrics::default()),
        ),
        ("b".to_string(), "乙".to_string(), tree.evaluate(&good)),
        ("c".to_string(), "丙".to_string(), tree.evaluate(&metrics())),
    ];
    let ranked = rank(units);
    let order: Vec<(&str, Option<usize>)> =
        ranked.iter().map(|r| (r.key.as_str(), r.rank)).collect();
    assert_eq!(
        order,
        [("b", Some(1)), ("a", Some(2)), ("c", Some(2)), ("n", None)]
    );
}
