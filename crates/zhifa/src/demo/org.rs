//! Demo enforcement subjects (执法主体), officers (执法人员) and certificates (执法证) for one
//! province node (广东省): the province's departments, every prefecture-level city's, and the
//! districts of 广州 and 深圳 for market regulation and urban management.

use anyhow::{Context, Result};
use chrono::{Datelike, Duration, NaiveDate};
use zhifa_domain::ids::{OrgCode, citizen_id_with_check, uscc_with_check};
use zhifa_domain::region::{Region, RegionLevel, RegionTable};
use zhifa_store::Store;
use zhifa_store::model::{Actor, CertificateInput, OfficerInput, Subject, SubjectInput};

use super::rng::{Rng, person_name};

/// The demo province (广东省).
pub const PROVINCE: &str = "440000";

/// An enforcement field of the demo and how its departments are named at each level.
struct Field {
    code: &'static str,
    /// Province department name suffix, e.g. 市场监督管理局.
    province: &'static str,
    /// City and county department name suffix.
    local: &'static str,
    /// Word used in short names (case numbers), e.g. 市监.
    short: &'static str,
    /// Cities that have this department in the demo (None = all).
    all_cities: bool,
}

const FIELDS: &[Field] = &[
    Field {
        code: "01",
        province: "市场监督管理局",
        local: "市场监督管理局",
        short: "市监",
        all_cities: true,
    },
    Field {
        code: "02",
        province: "生态环境厅",
        local: "生态环境局",
        short: "环",
        all_cities: true,
    },
    Field {
        code: "03",
        province: "交通运输厅",
        local: "交通运输局",
        short: "交",
        all_cities: true,
    },
    Field {
        code: "04",
        province: "应急管理厅",
        local: "应急管理局",
        short: "应急",
        all_cities: true,
    },
    Field {
        code: "05",
        province: "卫生健康委员会",
        local: "卫生健康局",
        short: "卫健",
        all_cities: true,
    },
    Field {
        code: "06",
        province: "住房和城乡建设厅",
        local: "城市管理和综合执法局",
        short: "城管",
        all_cities: true,
    },
    Field {
        code: "07",
        province: "文化和旅游厅",
        local: "文化广电旅游体育局",
        short: "文旅",
        all_cities: false,
    },
    Field {
        code: "08",
        province: "农业农村厅",
        local: "农业农村局",
        short: "农",
        all_cities: false,
    },
];

/// Cities whose county-level departments (market regulation, urban management) are included.
const COUNTY_CITIES: &[&str] = &["440100", "440300"];

/// What the loader created, for the accounts and the summary.
pub struct Orgs {
    /// Every subject created, province first.
    pub subjects: Vec<Subject>,
    /// (officer id, subject id, has a valid certificate, legal-review qualified).
    pub officers: Vec<DemoOfficer>,
    /// Certificates created.
    pub certificates: usize,
}

/// An officer of the demo, as needed to link accounts.
pub struct DemoOfficer {
    /// Officer id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Subject id.
    pub subject_id: String,
    /// The certificate is valid today.
    pub valid: bool,
    /// Holds the legal-review qualification.
    pub reviewer: bool,
}

fn short_place(name: &str) -> String {
    let trimmed = name.trim_end_matches(['省', '市', '区', '县']);
    trimmed.chars().take(2).collect()
}

/// A government body's USCC: registration authority 1 (机构编制), type 1 (机关), the region
/// code, a 9-character organisation code (GB 11714) and the GB 32100 check character.
fn gov_uscc(region: &str, serial: u64) -> Result<String> {
    let body = format!("{:08}", 11_000_000 + serial * 7_919 % 88_000_000);
    let org = "0123456789X"
        .chars()
        .find_map(|c| OrgCode::parse(&format!("{body}{c}")).ok())
        .context("no GB 11714 check character fits")?;
    Ok(uscc_with_check(&format!("11{region}{}", org.as_str()))?
        .as_str()
        .to_string())
}

fn place_code(r: &Region) -> &str {
    &r.code
}

/// Creates the subjects, officers and certificates.
pub async fn load(store: &Store, rng: &mut Rng, today: NaiveDate) -> Result<Orgs> {
    let table = RegionTable::builtin();
    let actor = Actor::system("demo");
    let province = table
        .get(PROVINCE)
        .context("广东省 missing from the region table")?;
    let cities: Vec<&Region> = table
        .children(PROVINCE)
        .into_iter()
        .filter(|r| r.level == RegionLevel::City)
        .collect();
    let mut subjects = Vec::new();
    let mut serial = 0u64;

    for f in FIELDS {
        serial += 1;
        let prov = store
            .create_subject(
                &SubjectInput {
                    name: format!("{}{}", province.name, f.province),
                    short_name: Some(format!("粤{}", f.short)),
                    uscc: gov_uscc(PROVINCE, serial)?,
                    subject_type: "1".into(),
                    field: f.code.into(),
                    level: "2".into(),
                    region_code: PROVINCE.into(),
                    parent_id: None,
                    address: Some(format!("广州市越秀区{}号", 100 + serial)),
                    phone: Some(format!("020-8{:07}", serial * 1_234_567 % 10_000_000)),
                },
                &actor,
            )
            .await
            .with_context(|| {
                format!("while creating the province department of field {}", f.code)
            })?;
        let city_list: Vec<&Region> = if f.all_cities {
            cities.clone()
        } else {
            cities.iter().take(5).copied().collect()
        };
        for city in city_list {
            serial += 1;
            let c = store
                .create_subject(
                    &SubjectInput {
                        name: format!("{}{}", city.name, f.local),
                        short_name: Some(format!("{}{}", short_place(&city.name), f.short)),
                        uscc: gov_uscc(place_code(city), serial)?,
                        subject_type: "1".into(),
                        field: f.code.into(),
                        level: "3".into(),
                        region_code: city.code.clone(),
                        parent_id: Some(prov.id.clone()),
                        address: Some(format!("{}人民政府大院{}号楼", city.name, serial % 9 + 1)),
                        phone: None,
                    },
                    &actor,
                )
                .await
                .with_context(|| format!("while creating {}{}", city.name, f.local))?;
            if (f.code == "01" || f.code == "06") && COUNTY_CITIES.contains(&city.code.as_str()) {
                for county in table.children(&city.code) {
                    if county.level != RegionLevel::County {
                        continue;
                    }
                    serial += 1;
                    let k = store
                        .create_subject(
                            &SubjectInput {
                                name: format!("{}{}{}", city.name, county.name, f.local),
                                short_name: Some(format!(
                                    "{}{}",
                                    short_place(&county.name),
                                    f.short
                                )),
                                uscc: gov_uscc(&county.code, serial)?,
                                subject_type: "1".into(),
                                field: f.code.into(),
                                level: "4".into(),
                                region_code: county.code.clone(),
                                parent_id: Some(c.id.clone()),
                                address: None,
                                phone: None,
                            },
                            &actor,
                        )
                        .await?;
                    subjects.push(k);
                }
            }
            subjects.push(c);
        }
        subjects.push(prov);
    }
    subjects.sort_by(|a, b| {
        a.level
            .cmp(&b.level)
            .then(a.region_code.cmp(&b.region_code))
            .then(a.field.cmp(&b.field))
    });

    let counties: Vec<&Region> = table
        .iter()
        .filter(|r| r.level == RegionLevel::County && r.code.starts_with("44"))
        .collect();
    let mut officers = Vec::new();
    let mut certificates = 0usize;
    let mut cert_seq = std::collections::HashMap::<(String, String), u32>::new();
    for s in &subjects {
        let per_subject = match s.level.as_str() {
            "2" => 8,
            "3" => 4,
            _ => 3,
        };
        for i in 0..per_subject {
            let male = rng.chance(62);
            let name = person_name(rng, male);
            let birth = NaiveDate::from_ymd_opt(1966, 1, 1).context("date")?
                + Duration::days(rng.below(12_000) as i64);
            let birthplace = if s.level == "4" {
                s.region_code.clone()
            } else {
                rng.pick(&counties).code.clone()
            };
            let seq = (rng.below(499) * 2 + if male { 1 } else { 0 }) as u32;
            let id17 = format!("{birthplace}{}{:03}", birth.format("%Y%m%d"), seq);
            let citizen_id = citizen_id_with_check(&id17)?.as_str().to_string();
            // Every agency has a legal-review post (法制审核, APL Art. 58).
            let position = match i {
                0 => "科长",
                1 => "法制审核员",
                2 => "副科长",
                _ => "执法人员",
            };
            let officer = store
                .create_officer(
                    &OfficerInput {
                        name: name.clone(),
                        citizen_id,
                        subject_id: s.id.clone(),
                        position: Some(position.into()),
                        phone: Some(format!("13{:09}", rng.below(1_000_000_000))),
                    },
                    &actor,
                )
                .await
                .with_context(|| format!("while creating an officer of {}", s.name))?;

            // Certificates: most valid; some expired or about to expire (five-year terms that
            // ended up to ~9 months ago or end within ~2 months), suspended (暂扣) or revoked
            // (注销).
            let roll = rng.below(100);
            let (status, from) = match roll {
                0..=5 => (
                    "1",
                    today - Duration::days(365 * 5 - 60 + rng.below(300) as i64),
                ),
                6..=10 => ("2", today - Duration::days(200 + rng.below(600) as i64)),
                11..=14 => ("3", today - Duration::days(400 + rng.below(600) as i64)),
                _ => ("1", today - Duration::days(rng.below(1_500) as i64)),
            };
            let to = NaiveDate::from_ymd_opt(from.year() + 5, from.month(), 1).context("date")?
                - Duration::days(1);
            let key = (s.region_code.clone(), s.field.clone());
            let n = cert_seq.entry(key).or_insert(0);
            *n += 1;
            let reviewer = position == "法制审核员" || rng.chance(8);
            let mut fields = vec![s.field.clone()];
            if s.field == "06" && rng.chance(30) {
                fields.push("01".into());
            }
            store
                .create_certificate(
                    &CertificateInput {
                        number: format!("{}{}{:05}", s.region_code, s.field, n),
                        officer_id: officer.id.clone(),
                        status: status.into(),
                        valid_from: from.to_string(),
                        valid_to: to.to_string(),
                        fields,
                        legal_review_qualified: reviewer,
                        issuer: Some(format!(
                            "{}人民政府",
                            table
                                .get(&s.region_code)
                                .map(|r| r.name.as_str())
                                .unwrap_or("")
                        )),
                    },
                    &actor,
                )
                .await
                .with_context(|| format!("while creating the certificate of {name}"))?;
            certificates += 1;
            officers.push(DemoOfficer {
                id: officer.id,
                name,
                subject_id: s.id.clone(),
                valid: status == "1" && to >= today,
                reviewer,
            });
        }
    }
    Ok(Orgs {
        subjects,
        officers,
        certificates,
    })
}
