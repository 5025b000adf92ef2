//! Demo powers catalogue (权责清单) and discretion benchmarks (裁量基准), built from the real
//! penalty clauses (罚则) of real laws in the imported corpus: each penalty power's legal basis
//! is the article that sets the penalty (and, where the article names it, the article that
//! was violated); the benchmark rows divide the statutory fine range of that article into the
//! four circumstance levels.

use anyhow::{Context, Result};
use zhifa_laws::fines::{FineRange, fine_clause};
use zhifa_laws::{Article, Corpus, Law};
use zhifa_store::Store;
use zhifa_store::model::{Actor, BenchmarkInput, LegalBasisInput, PowerInput};

/// Laws per enforcement field whose penalty clauses feed the catalogue.
const SOURCES: &[(&str, &[&str])] = &[
    (
        "01",
        &[
            "食品安全法",
            "产品质量法",
            "广告法",
            "反不正当竞争法",
            "价格法",
            "特种设备安全法",
            "电子商务法",
            "计量法",
        ],
    ),
    (
        "02",
        &[
            "大气污染防治法",
            "水污染防治法",
            "固体废物污染环境防治法",
            "噪声污染防治法",
            "环境影响评价法",
            "土壤污染防治法",
        ],
    ),
    ("03", &["道路运输条例", "公路法"]),
    ("04", &["安全生产法", "消防法", "危险化学品安全管理条例"]),
    (
        "05",
        &[
            "传染病防治法",
            "医师法",
            "医疗机构管理条例",
            "公共场所卫生管理条例",
            "职业病防治法",
        ],
    ),
    (
        "06",
        &[
            "城市市容和环境卫生管理条例",
            "城乡规划法",
            "城市绿化条例",
            "城镇排水与污水处理条例",
        ],
    ),
    ("07", &["娱乐场所管理条例", "营业性演出管理条例"]),
    ("08", &["农产品质量安全法", "农药管理条例", "种子法"]),
];

/// Penalty clauses taken per law at most (keeps the catalogue balanced across laws).
const PER_LAW: usize = 8;

/// Drops a leading "违反本法（第X条）规定，" — the name says what was done, the basis says
/// which article.
fn strip_violated(s: &str) -> &str {
    if let Some(rest) = s.strip_prefix("违反")
        && let Some(i) = rest.find("规定，")
        && !rest[..i].contains('，')
    {
        return &rest[i + "规定，".len()..];
    }
    s
}

/// A short description of the violation an article punishes, for the power's name: the
/// clause before the first "的，", with "违反本法……规定，" dropped, "本法" named, and a list
/// ("有下列行为之一的") summarised by its first item.
fn violation_of(law: &Law, a: &Article) -> String {
    let short = format!("《{}》", law.title.trim_start_matches("中华人民共和国"));
    let first = a
        .paragraphs
        .first()
        .map(|p| p.text.as_str())
        .unwrap_or(&a.text);
    let s = strip_violated(first);
    let mut desc = s.split("的，").next().unwrap_or(s).to_string();
    if desc.contains("下列")
        && let Some(item) = a.paragraphs.first().and_then(|p| p.items.first())
    {
        let item = item.split_once(['）', ')']).map(|(_, t)| t).unwrap_or(item);
        let item = strip_violated(item);
        desc = format!(
            "{}等行为",
            item.trim_end_matches(['；', '。', '，', '：'])
                .trim_end_matches('的')
        );
    }
    let desc = desc.replace("本法", &short).replace("本条例", &short);
    if desc.chars().count() <= 50 {
        return desc;
    }
    // Too long for a catalogue name: cut at the last separator and summarise.
    let head: String = desc.chars().take(50).collect();
    match head.rfind(['，', '、']) {
        Some(i) => format!("{}等行为", head[..i].trim_end_matches("或者")),
        None => desc,
    }
}

/// The article an article says was violated ("违反本法第三十四条规定"), if any. Only a
/// reference introduced by 违反 counts: "依照本法第X条" and "除本法第X条规定的情形外" name
/// other clauses, not the rule broken.
fn violated_article<'a>(law: &'a Law, a: &Article) -> Option<&'a Article> {
    let i = a
        .text
        .find("违反本法第")
        .or_else(|| a.text.find("违反本条例第"))?;
    let rest = &a.text[i..];
    let label = &rest[rest.find('第')?..];
    let end = label.find('条')?;
    law.find_article(&label[..end + '条'.len_utf8()])
}

fn other_penalties(text: &str) -> Vec<String> {
    [
        ("警告", "01"),
        ("通报批评", "02"),
        ("没收违法所得", "04"),
        ("没收", "05"),
        ("吊销", "08"),
        ("责令停产停业", "10"),
    ]
    .iter()
    .filter(|(w, _)| text.contains(w))
    .map(|(_, c)| c.to_string())
    .fold(Vec::new(), |mut v, c| {
        if !v.contains(&c) {
            v.push(c);
        }
        v
    })
}

/// The four circumstance levels (裁量情节) and their share of the statutory range, in percent.
const LEVELS: &[(&str, u32, u32, &str)] = &[
    (
        "1",
        0,
        10,
        "违法行为轻微，主动消除或者减轻危害后果；初次违法且危害后果轻微并及时改正的，依法可以不予处罚（《行政处罚法》第三十三条）",
    ),
    ("2", 10, 40, "违法情节一般，危害后果较小，能够配合调查"),
    (
        "3",
        40,
        70,
        "违法情节较重，违法行为持续时间较长或者涉及范围较广，危害后果较大",
    ),
    (
        "4",
        70,
        100,
        "违法情节严重，造成严重危害后果、拒不改正或者多次违法，社会影响恶劣",
    ),
];

fn split(lo: i64, hi: i64, from: u32, to: u32, round: i64) -> (i64, i64) {
    let at = |p: u32| {
        let v = lo + (hi - lo) * i64::from(p) / 100;
        v / round * round
    };
    (
        if from == 0 { lo } else { at(from) },
        if to == 100 { hi } else { at(to) },
    )
}

/// What the catalogue loader created.
pub struct Catalogue {
    /// Powers created.
    pub powers: usize,
    /// Benchmark rows created.
    pub benchmarks: usize,
}

/// Creates the catalogue. Articles are looked up in the store by law title and label, so every
/// basis points at a stored article.
pub async fn load(store: &Store, corpus: &Corpus) -> Result<Catalogue> {
    let actor = Actor::system("demo");
    let mut powers = 0usize;
    let mut benchmarks = 0usize;
    for (field, titles) in SOURCES {
        for title in *titles {
            let law = corpus
                .find(title)
                .with_context(|| format!("《{title}》 is not in the law corpus"))?;
            let mut taken = 0usize;
            let mut inspection = false;
            for a in &law.articles {
                let in_liability = a
                    .chapter
                    .as_deref()
                    .is_none_or(|c| c.contains("法律责任") || c.contains("罚则"));
                if !inspection && a.text.contains("监督检查") && !in_liability {
                    inspection = true;
                    powers += 1;
                    let art = store
                        .find_article(&law.title, &a.label)
                        .await?
                        .context("article not stored")?;
                    store
                        .create_power(
                            &PowerInput {
                                code: format!("GD{field}06{powers:04}"),
                                name: format!(
                                    "对《{}》执行情况的行政检查",
                                    law.title.trim_start_matches("中华人民共和国")
                                ),
                                category: "06".into(),
                                field: (*field).into(),
                                subject_types: vec!["1".into(), "2".into()],
                                description: Some(format!(
                                    "依据《{}》{}实施监督检查",
                                    law.title, a.label
                                )),
                                bases: vec![LegalBasisInput {
                                    article_id: art.id,
                                    role: "basis".into(),
                                }],
                            },
                            &actor,
                        )
                        .await?;
                }
                if taken >= PER_LAW || !in_liability {
                    continue;
                }
                let Some((range, clause)) = fine_clause(&a.text) else {
                    continue;
                };
                let violation = violation_of(law, a);
                if violation.chars().count() < 4 {
                    continue;
                }
                taken += 1;
                powers += 1;
                let art = store
                    .find_article(&law.title, &a.label)
                    .await?
                    .context("article not stored")?;
                let mut bases = Vec::new();
                if let Some(v) = violated_article(law, a)
                    && let Some(va) = store.find_article(&law.title, &v.label).await?
                {
                    bases.push(LegalBasisInput {
                        article_id: va.id,
                        role: "violation".into(),
                    });
                }
                bases.push(LegalBasisInput {
                    article_id: art.id,
                    role: "penalty".into(),
                });
                let power = store
                    .create_power(
                        &PowerInput {
                            code: format!("GD{field}02{powers:04}"),
                            // "对应当审定……" already starts with 对.
                            name: if violation.starts_with('对') {
                                format!("{violation}的行政处罚")
                            } else {
                                format!("对{violation}的行政处罚")
                            },
                            category: "02".into(),
                            field: (*field).into(),
                            subject_types: vec!["1".into()],
                            description: Some(format!("《{}》{}", law.title, a.label)),
                            bases,
                        },
                        &actor,
                    )
                    .await
                    .with_context(|| {
                        format!("while creating the power for 《{}》{}", law.title, a.label)
                    })?;
                let others = other_penalties(&a.text);
                for (level, from, to, conditions) in LEVELS {
                    let mut input = BenchmarkInput {
                        power_id: power.id.clone(),
                        level: (*level).into(),
                        conditions: (*conditions).into(),
                        other_penalties: if *level >= "3" {
                            others.clone()
                        } else {
                            Vec::new()
                        },
                        note: Some(format!(
                            "罚款幅度依据{}：“{}”",
                            a.label,
                            clause.trim_start_matches(['，', '、'])
                        )),
                        ..BenchmarkInput::default()
                    };
                    match range {
                        FineRange::Fen(lo, hi) => {
                            let (a, b) = split(lo, hi, *from, *to, 100);
                            input.fine_min_fen = Some(a);
                            input.fine_max_fen = Some(b);
                        }
                        FineRange::Multiple(lo, hi) => {
                            let (a, b) = split(lo, hi, *from, *to, 100);
                            input.income_multiple_min_permille = Some(a);
                            input.income_multiple_max_permille = Some(b);
                            if let Some(n) = input.note.as_mut() {
                                n.push_str("；倍数以该条规定的计算基数为准");
                            }
                        }
                    }
                    store.create_benchmark(&input, &actor).await?;
                    benchmarks += 1;
                }
            }
        }
    }
    Ok(Catalogue { powers, benchmarks })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_cover_the_range_without_gaps() {
        let (lo, hi) = (500_000, 5_000_000);
        let mut prev = lo;
        for (_, from, to, _) in LEVELS {
            let (a, b) = split(lo, hi, *from, *to, 100);
            assert_eq!(a, prev);
            assert!(a <= b);
            prev = b;
        }
        assert_eq!(prev, hi);
    }
}
