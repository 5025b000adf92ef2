//! Administrative divisions 行政区划 (GB/T 2260, 2023 edition) with the NBS township codes
//! (乡级, 9 digits). The tables in `data/regions/` are compiled in and parsed once.
//!
//! Canonical codes: province `11` → `110000`, city `1301` → `130100`, county 6 digits as is,
//! township 9 digits. Placeholder divisions of the standard (`市辖区`, `县`,
//! `省直辖县级行政区划`, `自治区直辖县级行政区划`) are kept because counties point at them,
//! but [`RegionTable::full_name`] leaves them out.
//!
//! Three prefecture-level cities without counties (东莞市 441900, 中山市 442000, 儋州市
//! 460400) appear in the county file too, under their own city code, so that their townships
//! have a parent. GB/T 2260 lists each of these codes once, as a city: the table keeps the
//! city and hangs the townships directly under it.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::Invalid;
use crate::macros::string_newtype_traits;

/// The standard the codes come from.
const RULE: &str = "GB/T 2260";

const PROVINCES_CSV: &str = include_str!("../../../data/regions/provinces.csv");
const CITIES_CSV: &str = include_str!("../../../data/regions/cities.csv");
const AREAS_CSV: &str = include_str!("../../../data/regions/areas.csv");
const STREETS_CSV: &str = include_str!("../../../data/regions/streets.csv");

/// Names of placeholder divisions that are not part of a place's written name.
const PLACEHOLDER_NAMES: [&str; 4] = [
    "市辖区",
    "县",
    "省直辖县级行政区划",
    "自治区直辖县级行政区划",
];

/// Level of an administrative division (行政区划层级).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RegionLevel {
    /// 省级: province, autonomous region, municipality.
    Province,
    /// 地级: prefecture-level city, prefecture, league (and the 市辖区/县 placeholders).
    City,
    /// 县级: county, district, county-level city, banner.
    County,
    /// 乡级: township, town, sub-district (NBS 9-digit code).
    Township,
}

impl RegionLevel {
    /// Chinese name: 省级 / 地级 / 县级 / 乡级.
    pub fn zh(&self) -> &'static str {
        match self {
            RegionLevel::Province => "省级",
            RegionLevel::City => "地级",
            RegionLevel::County => "县级",
            RegionLevel::Township => "乡级",
        }
    }

    /// Level code `1`–`4` (province to township).
    pub fn code(&self) -> &'static str {
        match self {
            RegionLevel::Province => "1",
            RegionLevel::City => "2",
            RegionLevel::County => "3",
            RegionLevel::Township => "4",
        }
    }

    fn index(self) -> usize {
        match self {
            RegionLevel::Province => 0,
            RegionLevel::City => 1,
            RegionLevel::County => 2,
            RegionLevel::Township => 3,
        }
    }
}

/// One administrative division.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Region {
    /// Canonical code: 6 digits (province, city, county) or 9 digits (township).
    pub code: String,
    /// Official name, e.g. `天河区`.
    pub name: String,
    /// Level.
    pub level: RegionLevel,
    /// Canonical code of the parent division; `None` for provinces.
    pub parent: Option<String>,
}

/// A reference table could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegionError {
    /// A CSV row could not be read.
    #[error("行政区划文件 {file} 第 {line} 行格式错误：{message}")]
    Csv {
        /// Which file (`provinces`, `cities`, `areas`, `streets`).
        file: &'static str,
        /// 1-based line number.
        line: u64,
        /// Parser message.
        message: String,
    },
    /// A code has the wrong length or is not all digits.
    #[error("行政区划文件 {file} 第 {line} 行代码“{code}”无效：应为 {digits} 位数字")]
    Code {
        /// Which file.
        file: &'static str,
        /// 1-based line number.
        line: u64,
        /// The code as found.
        code: String,
        /// Expected number of digits.
        digits: usize,
    },
    /// A code appears twice.
    #[error("行政区划文件 {file} 第 {line} 行代码“{code}”重复")]
    Duplicate {
        /// Which file.
        file: &'static str,
        /// 1-based line number.
        line: u64,
        /// Canonical code.
        code: String,
    },
    /// None of the parents a row names exists.
    #[error("行政区划文件 {file} 第 {line} 行“{code}”的上级区划“{parent}”不存在")]
    MissingParent {
        /// Which file.
        file: &'static str,
        /// 1-based line number.
        line: u64,
        /// Canonical code of the row.
        code: String,
        /// The parent code the row names.
        parent: String,
    },
}

/// The table of administrative divisions, ordered by code.
#[derive(Debug, Clone)]
pub struct RegionTable {
    regions: Vec<Region>,
    index: HashMap<String, usize>,
    children: HashMap<String, Vec<usize>>,
    counts: [usize; 4],
}

#[derive(Deserialize)]
struct ProvinceRow {
    code: String,
    name: String,
}

#[derive(Deserialize)]
struct CityRow {
    code: String,
    name: String,
    #[serde(rename = "provinceCode")]
    province: String,
}

#[derive(Deserialize)]
struct AreaRow {
    code: String,
    name: String,
    #[serde(rename = "cityCode")]
    city: String,
    #[serde(rename = "provinceCode")]
    province: String,
}

#[derive(Deserialize)]
struct StreetRow {
    code: String,
    name: String,
    #[serde(rename = "areaCode")]
    area: String,
    #[serde(rename = "provinceCode")]
    province: String,
    #[serde(rename = "cityCode")]
    city: String,
}

/// Reads every row of one CSV file with its 1-based line number.
fn rows<T: serde::de::DeserializeOwned>(
    file: &'static str,
    text: &str,
) -> Result<Vec<(u64, T)>, RegionError> {
    let csv_error = |e: csv::Error| RegionError::Csv {
        file,
        line: e.position().map_or(0, |p| p.line()),
        message: e.to_string(),
    };
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().map_err(csv_error)?.clone();
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        let line = record.position().map_or(0, |p| p.line());
        let row = record
            .deserialize(Some(&headers))
            .map_err(|e| RegionError::Csv {
                file,
                line,
                message: e.to_string(),
            })?;
        out.push((line, row));
    }
    Ok(out)
}

fn is_code(s: &str, digits: usize) -> bool {
    s.len() == digits && s.bytes().all(|b| b.is_ascii_digit())
}

/// Builder state while loading.
struct Loader {
    map: std::collections::BTreeMap<String, Region>,
}

impl Loader {
    fn check(file: &'static str, line: u64, code: &str, digits: usize) -> Result<(), RegionError> {
        if is_code(code, digits) {
            Ok(())
        } else {
            Err(RegionError::Code {
                file,
                line,
                code: code.to_string(),
                digits,
            })
        }
    }

    /// The first candidate parent that exists, or an error naming the first candidate.
    fn parent(
        &self,
        file: &'static str,
        line: u64,
        code: &str,
        candidates: &[String],
    ) -> Result<String, RegionError> {
        candidates
            .iter()
            .find(|c| self.map.contains_key(*c))
            .cloned()
            .ok_or_else(|| RegionError::MissingParent {
                file,
                line,
                code: code.to_string(),
                parent: candidates.first().cloned().unwrap_or_default(),
            })
    }

    fn insert(&mut self, file: &'static str, line: u64, region: Region) -> Result<(), RegionError> {
        if self.map.contains_key(&region.code) {
            return Err(RegionError::Duplicate {
                file,
                line,
                code: region.code,
            });
        }
        self.map.insert(region.code.clone(), region);
        Ok(())
    }
}

impl RegionTable {
    /// The built-in GB/T 2260 (2023) table with NBS townships, parsed once.
    pub fn builtin() -> &'static RegionTable {
        static TABLE: OnceLock<RegionTable> = OnceLock::new();
        TABLE.get_or_init(|| {
            RegionTable::from_csv(PROVINCES_CSV, CITIES_CSV, AREAS_CSV, STREETS_CSV)
                .unwrap_or_else(|e| panic!("built-in region table (data/regions) is invalid: {e}"))
        })
    }

    /// Builds a table from the four CSV files (same columns as `data/regions/`):
    /// `provinces` `code,name` (2 digits); `cities` `code,name,provinceCode` (4 digits);
    /// `areas` `code,name,cityCode,provinceCode` (6 digits); `streets`
    /// `code,name,areaCode,provinceCode,cityCode` (9 digits). A county whose city is missing
    /// hangs under its province; a township whose county is missing under its city or
    /// province. A county row with the canonical code of a city (cities without counties such
    /// as 东莞市) is folded into the city.
    pub fn from_csv(
        provinces: &str,
        cities: &str,
        areas: &str,
        streets: &str,
    ) -> Result<RegionTable, RegionError> {
        let mut l = Loader {
            map: std::collections::BTreeMap::new(),
        };
        for (line, r) in rows::<ProvinceRow>("provinces", provinces)? {
            Loader::check("provinces", line, &r.code, 2)?;
            let code = format!("{}0000", r.code);
            l.insert(
                "provinces",
                line,
                Region {
                    code,
                    name: r.name,
                    level: RegionLevel::Province,
                    parent: None,
                },
            )?;
        }
        for (line, r) in rows::<CityRow>("cities", cities)? {
            Loader::check("cities", line, &r.code, 4)?;
            let code = format!("{}00", r.code);
            let parent = l.parent("cities", line, &code, &[format!("{}0000", r.province)])?;
            l.insert(
                "cities",
                line,
                Region {
                    code,
                    name: r.name,
                    level: RegionLevel::City,
                    parent: Some(parent),
                },
            )?;
        }
        for (line, r) in rows::<AreaRow>("areas", areas)? {
            Loader::check("areas", line, &r.code, 6)?;
            if l.map
                .get(&r.code)
                .is_some_and(|c| c.level == RegionLevel::City && c.name == r.name)
            {
                continue; // a city without counties, listed again as its own county
            }
            let candidates = [format!("{}00", r.city), format!("{}0000", r.province)];
            let parent = l.parent("areas", line, &r.code, &candidates)?;
            let code = r.code;
            l.insert(
                "areas",
                line,
                Region {
                    code,
                    name: r.name,
                    level: RegionLevel::County,
                    parent: Some(parent),
                },
            )?;
        }
        for (line, r) in rows::<StreetRow>("streets", streets)? {
            Loader::check("streets", line, &r.code, 9)?;
            let candidates = [
                r.area.clone(),
                format!("{}00", r.city),
                format!("{}0000", r.province),
            ];
            let parent = l.parent("streets", line, &r.code, &candidates)?;
            let code = r.code;
            l.insert(
                "streets",
                line,
                Region {
                    code,
                    name: r.name,
                    level: RegionLevel::Township,
                    parent: Some(parent),
                },
            )?;
        }
        Ok(Self::index(l.map.into_values().collect()))
    }

    fn index(regions: Vec<Region>) -> RegionTable {
        let mut index = HashMap::with_capacity(regions.len());
        let mut children: HashMap<String, Vec<usize>> = HashMap::new();
        let mut counts = [0; 4];
        for (i, r) in regions.iter().enumerate() {
            index.insert(r.code.clone(), i);
            if let Some(p) = &r.parent {
                children.entry(p.clone()).or_default().push(i);
            }
            counts[r.level.index()] += 1;
        }
        RegionTable {
            regions,
            index,
            children,
            counts,
        }
    }

    /// The division with this canonical code (6 or 9 digits).
    pub fn get(&self, code: &str) -> Option<&Region> {
        self.index.get(code).map(|&i| &self.regions[i])
    }

    /// Every division, ordered by code (each county is followed by its townships).
    pub fn iter(&self) -> impl Iterator<Item = &Region> {
        self.regions.iter()
    }

    /// The provinces, ordered by code.
    pub fn provinces(&self) -> Vec<&Region> {
        self.regions
            .iter()
            .filter(|r| r.level == RegionLevel::Province)
            .collect()
    }

    /// Direct children of a division, ordered by code (empty if unknown or a township).
    pub fn children(&self, code: &str) -> Vec<&Region> {
        self.children
            .get(code)
            .map(|v| v.iter().map(|&i| &self.regions[i]).collect())
            .unwrap_or_default()
    }

    /// The ancestors of a division, nearest first (empty for a province or an unknown code).
    pub fn ancestors(&self, code: &str) -> Vec<&Region> {
        let mut out = Vec::new();
        let mut current = self.get(code);
        while let Some(parent) = current
            .and_then(|r| r.parent.as_deref())
            .and_then(|p| self.get(p))
        {
            out.push(parent);
            current = Some(parent);
        }
        out
    }

    /// Number of divisions of all levels.
    pub fn len(&self) -> usize {
        self.regions.len()
    }

    /// Whether the table has no division.
    pub fn is_empty(&self) -> bool {
        self.regions.is_empty()
    }

    /// Number of divisions of one level.
    pub fn count(&self, level: RegionLevel) -> usize {
        self.counts[level.index()]
    }

    /// The written full name from the province down, without placeholder divisions
    /// (市辖区, 县, 省直辖县级行政区划 …), e.g. `广东省广州市天河区`.
    pub fn full_name(&self, code: &str) -> Option<String> {
        let region = self.get(code)?;
        let mut parts: Vec<&str> = self
            .ancestors(code)
            .iter()
            .rev()
            .map(|r| r.name.as_str())
            .collect();
        parts.push(&region.name);
        Some(
            parts
                .into_iter()
                .filter(|n| !PLACEHOLDER_NAMES.contains(n))
                .collect(),
        )
    }

    /// Whether `prefix` (2 digits) is the code of a province in the table.
    pub(crate) fn is_province_prefix(&self, prefix: &str) -> bool {
        is_code(prefix, 2)
            && self
                .get(&format!("{prefix}0000"))
                .is_some_and(|r| r.level == RegionLevel::Province)
    }
}

/// A region code that exists in the built-in GB/T 2260 table (6 digits for province, city and
/// county; 9 digits for township).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegionCode(String);

string_newtype_traits!(RegionCode);

impl RegionCode {
    /// Parses a region code: 6 or 9 digits (`region.format`) that exist in the built-in table
    /// (`region.unknown`).
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let s = s.trim();
        if !(is_code(s, 6) || is_code(s, 9)) {
            return Err(Invalid::new(
                "region.format",
                RULE,
                format!("行政区划代码“{s}”格式错误：应为 6 位（省、市、县级）或 9 位（乡级）数字"),
            ));
        }
        if RegionTable::builtin().get(s).is_none() {
            return Err(Invalid::new(
                "region.unknown",
                RULE,
                format!("行政区划代码“{s}”不存在于 GB/T 2260（2023 年版）行政区划代码表"),
            ));
        }
        Ok(Self(s.to_string()))
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The division this code names.
    pub fn region(&self) -> &'static Region {
        RegionTable::builtin().get(&self.0).unwrap_or_else(|| {
            unreachable!("RegionCode {} was validated against the table", self.0)
        })
    }

    /// Level of the division.
    pub fn level(&self) -> RegionLevel {
        self.region().level
    }

    /// Name of the division, e.g. `天河区`.
    pub fn name(&self) -> &'static str {
        &self.region().name
    }

    /// Written full name, e.g. `广东省广州市天河区`.
    pub fn full_name(&self) -> String {
        RegionTable::builtin()
            .full_name(&self.0)
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests;
