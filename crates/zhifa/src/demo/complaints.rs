//! Demo complaints and reports (投诉举报): a deterministic set received over the last five
//! months before the demo's last day, in every state of the flow — waiting to be routed
//! (field 其他, which no agency covers), routed, accepted, not accepted, handled (some linked
//! to a case of the agency) and replied — some decided or handled late, so the overdue counts
//! of the indicators have something to show. Every record goes through the store's intake and
//! handling steps, so numbers, routing, deadlines, encryption and the change log are the real
//! ones.

use anyhow::{Context, Result};
use chrono::{Duration, NaiveDate};
use zhifa_domain::calendar::LegalCalendar;
use zhifa_domain::complaint::ComplaintAction;
use zhifa_store::complaint_model::{ComplaintFilter, ComplaintInput, ComplaintStep, StepContext};
use zhifa_store::model::{Actor, PageRequest, SubjectFilter};
use zhifa_store::{Scope, Store};

use super::rng::{Rng, person_name};

/// Complaints generated.
pub const COMPLAINTS: usize = 48;

/// Respondents: (name pattern with `{}` for the place, field).
const RESPONDENTS: &[(&str, &str)] = &[
    ("{}惠民超市有限公司", "01"),
    ("{}鲜果坊水果店", "01"),
    ("{}美味轩餐饮管理有限公司", "01"),
    ("{}优品电器商行", "01"),
    ("{}安心药房连锁有限公司", "01"),
    ("{}快捷教育培训中心", "01"),
    ("{}金利来装饰工程有限公司", "06"),
    ("{}顺达建材店", "06"),
    ("{}宏发五金加工厂", "02"),
    ("{}洁雅洗涤服务部", "02"),
    ("{}仁爱口腔门诊部", "05"),
    ("{}康宁医疗美容诊所", "05"),
    ("{}平安货运有限公司", "03"),
    ("{}星光网吧", "07"),
    ("{}宏图小区物业服务中心", "12"),
];

/// Facts and requests by field.
fn content(rng: &mut Rng, field: &str, kind: &str) -> String {
    let complaints: &[&str] = match field {
        "01" => &[
            "在该店购买的酸奶已超过保质期，食用后腹泻，要求退货并按规定赔偿。",
            "购买的电饭煲使用一周即无法加热，商家拒绝按“三包”规定退换，要求处理。",
            "办理预付卡充值 3000 元后门店突然停业，要求退还余额。",
            "商品标价 59 元，结账时按 89 元收取，商家拒不退还差价。",
        ],
        "05" => &[
            "在该诊所做牙齿矫正，收费与事先告知不符，且未提供收费明细，要求退费。",
            "医疗美容项目宣传“无创无痛”，术后出现明显疤痕，要求核查其执业资质。",
        ],
        "06" => &[
            "装修工程约定工期 60 天，已逾期两个月未完工，商家拒绝承担违约责任。",
            "门店长期占用人行道堆放建材，影响通行，多次劝说无效。",
        ],
        _ => &[
            "服务内容与合同约定不符，多次沟通未果，请求依法处理。",
            "收费项目未公示，要求退还多收的费用。",
        ],
    };
    let reports: &[&str] = match field {
        "01" => &[
            "该店在店内销售无中文标签的进口食品，疑似来源不明，请依法查处。",
            "该单位在网络平台发布“全市最低价”“绝对有效”等广告用语，涉嫌虚假宣传。",
            "该药房无执业药师在岗即销售处方药，请核查。",
        ],
        "02" => &[
            "该厂夜间通过暗管向河涌排放污水，水体发黑发臭，请依法查处。",
            "该单位露天喷漆作业，未采取任何废气治理措施，周边气味刺鼻。",
        ],
        "03" => &["该公司车辆长期超载运输，且驾驶员疑似无从业资格证。"],
        "05" => &["该诊所聘用无执业资格人员从事诊疗活动，请核查处理。"],
        "06" => &["该工地夜间 23 时后仍在施工，噪声扰民，请依法处理。"],
        "07" => &["该网吧允许未成年人进入上网，且未核验身份证件。"],
        _ => &["该单位存在违规经营行为，请有关部门核查处理。"],
    };
    let list = if kind == "report" {
        reports
    } else {
        complaints
    };
    (*rng.pick(list)).to_string()
}

/// Where a complaint is placed: (region code, short place name).
struct Place {
    region: String,
    place: String,
    fields: Vec<String>,
}

async fn places(store: &Store) -> Result<Vec<Place>> {
    let subjects = store
        .list_subjects(
            &SubjectFilter::default(),
            PageRequest {
                offset: 0,
                limit: 500,
            },
        )
        .await?
        .items;
    let table = zhifa_domain::region::RegionTable::builtin();
    let mut out: Vec<Place> = Vec::new();
    for s in subjects.iter().filter(|s| s.region_code != "440000") {
        let place = table
            .get(&s.region_code)
            .map(|r| r.name.trim_end_matches(['市', '区', '县']).to_string())
            .unwrap_or_default();
        match out.iter_mut().find(|p| p.region == s.region_code) {
            Some(p) => p.fields.push(s.field.clone()),
            None => out.push(Place {
                region: s.region_code.clone(),
                place,
                fields: vec![s.field.clone()],
            }),
        }
    }
    // 广州 and 深圳 districts first: they get most of the complaints.
    out.sort_by_key(|p| {
        (
            !(p.region.starts_with("4401") || p.region.starts_with("4403")),
            p.region.clone(),
        )
    });
    Ok(out)
}

/// What the loader did.
#[derive(Debug, Default)]
pub struct ComplaintStats {
    /// Complaints stored.
    pub complaints: usize,
    /// Steps taken.
    pub steps: usize,
    /// A number and its query code, for trying the public tracking page.
    pub example: Option<(String, String)>,
}

/// Loads the demo complaints unless the database already holds complaints.
pub async fn load(store: &Store, calendar: &LegalCalendar) -> Result<ComplaintStats> {
    let end = super::cases::end_date();
    let today = zhifa_domain::time::ChinaDate::today().date().max(end);
    let existing = store
        .list_complaints_in(
            &Scope::All,
            &ComplaintFilter::default(),
            today,
            PageRequest {
                offset: 0,
                limit: 1,
            },
        )
        .await?;
    if existing.total > 0 {
        return Ok(ComplaintStats {
            complaints: existing.total as usize,
            ..ComplaintStats::default()
        });
    }
    let places = places(store).await?;
    anyhow::ensure!(
        !places.is_empty(),
        "no demo agencies to route complaints to"
    );
    let mut rng = Rng::new(0x434F_4D50_4C20_4744); // "COMPL GD"
    let actor = Actor::system("demo");
    let mut stats = ComplaintStats::default();
    // Received dates from oldest to newest, so numbers follow the dates.
    let mut ages: Vec<i64> = (0..COMPLAINTS)
        .map(|_| 1 + i64::try_from(rng.below(150)).unwrap_or(0))
        .collect();
    ages.sort_unstable_by(|a, b| b.cmp(a));
    for (i, age) in ages.into_iter().enumerate() {
        let received = end - Duration::days(age);
        // Every fourth happened in 广州 itself (the demo accounts' bureau handles it), two in
        // three of the others in 广州/深圳 districts, the rest anywhere.
        let city = places.iter().find(|p| p.region == "440100");
        let in_city = city.is_some() && i % 4 == 1;
        let place = if let Some(city) = city.filter(|_| in_city) {
            city
        } else if rng.chance(66) {
            &places[usize::try_from(rng.below(places.len().min(20) as u64)).unwrap_or(0)]
        } else {
            rng.pick(&places)
        };
        // Field 其他 (no agency) for every twelfth: it waits for a supervisor.
        let unroutable = i % 12 == 5;
        let candidates: Vec<&(&str, &str)> = RESPONDENTS
            .iter()
            .filter(|(_, f)| {
                if unroutable {
                    *f == "12"
                } else if in_city {
                    *f == "01"
                } else {
                    place.fields.iter().any(|pf| pf == f)
                }
            })
            .collect();
        let Some(&&(pattern, field)) =
            candidates.get(usize::try_from(rng.below(candidates.len().max(1) as u64)).unwrap_or(0))
        else {
            continue;
        };
        let kind = if rng.chance(35) {
            "report"
        } else {
            "complaint"
        };
        let anonymous = kind == "report" && rng.chance(40);
        let male = rng.chance(50);
        let input = ComplaintInput {
            kind: kind.into(),
            channel: (*rng.pick(&["1", "1", "2", "3", "3", "3", "4", "5"])).into(),
            region_code: place.region.clone(),
            field: field.into(),
            respondent_name: pattern.replace("{}", &place.place),
            respondent_uscc: None,
            respondent_address: Some(format!("{}某路 {} 号", place.place, 1 + rng.below(300))),
            content: content(&mut rng, field, kind),
            anonymous,
            contact_name: (!anonymous).then(|| person_name(&mut rng, male)),
            contact_phone: (!anonymous).then(|| format!("13{:09}", rng.below(1_000_000_000))),
        };
        let receipt = store
            .create_complaint(&input, received, calendar, &actor)
            .await
            .with_context(|| format!("while registering demo complaint {i}"))?;
        stats.complaints += 1;
        if stats.example.is_none() {
            stats.example = Some((receipt.number.clone(), receipt.query_code.clone()));
        }
        stats.steps += progress(
            store,
            calendar,
            &mut rng,
            &receipt.id,
            received,
            today,
            &actor,
            unroutable,
        )
        .await
        .with_context(|| format!("while handling demo complaint {}", receipt.number))?;
    }
    Ok(stats)
}

/// Takes the steps a complaint received on `received` has plausibly gone through by `today`;
/// returns how many.
#[allow(clippy::too_many_arguments)]
async fn progress(
    store: &Store,
    calendar: &LegalCalendar,
    rng: &mut Rng,
    id: &str,
    received: NaiveDate,
    today: NaiveDate,
    actor: &Actor,
    unroutable: bool,
) -> Result<usize> {
    let officer = StepContext {
        role: "officer",
        today,
        calendar,
    };
    let mut steps = 0;
    let mut on = received;
    let step = |on: NaiveDate| ComplaintStep {
        on: Some(on.to_string()),
        ..ComplaintStep::default()
    };
    if unroutable {
        // Half of them a supervisor routed by hand to the market-regulation bureau of the city.
        if !rng.chance(50) {
            return Ok(0);
        }
        let c = store.get_complaint_in(&Scope::All, id).await?;
        let city = format!("{}00", &c.region_code[..4]);
        let agency = store
            .list_subjects(
                &SubjectFilter {
                    region: Some(city.clone()),
                    field: Some("01".into()),
                    ..SubjectFilter::default()
                },
                PageRequest::default(),
            )
            .await?
            .items
            .into_iter()
            .find(|s| s.region_code == city);
        let Some(agency) = agency else {
            return Ok(0);
        };
        on = (on + Duration::days(1 + i64::try_from(rng.below(3)).unwrap_or(0))).min(today);
        let supervisor = StepContext {
            role: "supervisor",
            ..officer
        };
        let data = ComplaintStep {
            agency_id: Some(agency.id),
            ..step(on)
        };
        store
            .complaint_step_in(
                &Scope::All,
                id,
                ComplaintAction::Route,
                &data,
                supervisor,
                actor,
            )
            .await?;
        steps += 1;
    }
    // Acceptance decision: mostly within the 7 working days, one in eight late; the newest
    // ones are still waiting.
    let decide_in = if rng.chance(12) {
        9 + rng.below(5)
    } else {
        1 + rng.below(7)
    };
    let decided = calendar
        .add_working_days(on, u32::try_from(decide_in).unwrap_or(1))
        .date;
    if decided > today {
        return Ok(steps);
    }
    if rng.chance(12) {
        let report = store.get_complaint_in(&Scope::All, id).await?.kind == "report";
        let (reason, reply) = if report {
            (
                "经核查，举报反映的事项不属于本部门职责范围，依照《市场监督管理投诉举报处理暂行办法》第二十九条告知举报人向有处理权限的部门反映。",
                "您反映的事项不属于本部门职责，请向有处理权限的部门反映。",
            )
        } else {
            (
                "经核查，投诉事项已由人民法院受理，依照《市场监督管理投诉举报处理暂行办法》第十五条第（二）项不予受理。",
                "您反映的事项已由人民法院受理，依法不予受理，请通过诉讼途径解决。",
            )
        };
        let data = ComplaintStep {
            reason: Some(reason.into()),
            ..step(decided)
        };
        store
            .complaint_step_in(
                &Scope::All,
                id,
                ComplaintAction::Reject,
                &data,
                officer,
                actor,
            )
            .await?;
        steps += 1;
        let replied = decided + Duration::days(1 + i64::try_from(rng.below(4)).unwrap_or(0));
        if replied <= today {
            let data = ComplaintStep {
                reply: Some(reply.into()),
                ..step(replied)
            };
            store
                .complaint_step_in(
                    &Scope::All,
                    id,
                    ComplaintAction::Reply,
                    &data,
                    officer,
                    actor,
                )
                .await?;
            steps += 1;
        }
        return Ok(steps);
    }
    store
        .complaint_step_in(
            &Scope::All,
            id,
            ComplaintAction::Accept,
            &step(decided),
            officer,
            actor,
        )
        .await?;
    steps += 1;
    // Handling: 10–55 days, one in ten beyond the 60 days.
    let handle_in = if rng.chance(10) {
        62 + rng.below(20)
    } else {
        10 + rng.below(46)
    };
    let handled = decided + Duration::days(i64::try_from(handle_in).unwrap_or(10));
    if handled > today {
        return Ok(steps);
    }
    let c = store.get_complaint_in(&Scope::All, id).await?;
    let mut data = ComplaintStep {
        result: Some(if c.kind == "report" {
            "经现场检查，举报反映的问题基本属实，已责令当事人立即改正，并依法立案调查。".into()
        } else {
            "经组织调解，双方达成一致：经营者退还货款并赔偿，投诉人撤回其他请求。".into()
        }),
        ..step(handled)
    };
    if c.kind == "report" && rng.chance(60) {
        // Link a case the agency opened in the weeks after the report.
        if let Some(agency) = c.agency_id.as_deref() {
            let cases = store
                .list_cases_in(
                    &Scope::Agency(agency.to_string()),
                    &Default::default(),
                    today,
                    PageRequest {
                        offset: 0,
                        limit: 1,
                    },
                )
                .await?;
            data.case_id = cases.items.first().map(|k| k.id.clone());
        }
    }
    store
        .complaint_step_in(
            &Scope::All,
            id,
            ComplaintAction::Handle,
            &data,
            officer,
            actor,
        )
        .await?;
    steps += 1;
    let replied = handled + Duration::days(i64::try_from(rng.below(6)).unwrap_or(0));
    if replied > today || rng.chance(15) {
        return Ok(steps);
    }
    let data = ComplaintStep {
        reply: Some(if c.kind == "report" {
            "感谢您的举报。经核查，反映的问题基本属实，我局已依法立案查处。".into()
        } else {
            "您的投诉已调解处理完毕，经营者已按调解协议退款，感谢您对市场监管工作的支持。".into()
        }),
        ..step(replied)
    };
    store
        .complaint_step_in(
            &Scope::All,
            id,
            ComplaintAction::Reply,
            &data,
            officer,
            actor,
        )
        .await?;
    Ok(steps + 1)
}
