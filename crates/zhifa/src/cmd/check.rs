//! `zhifa check uscc|idcard|region|cert VALUE`: says whether an identifier is valid and why
//! not. Exit code 0 when valid, 1 when not.

use std::process::ExitCode;

use zhifa_domain::Invalid;
use zhifa_domain::ids::{CertificateNumber, CitizenId, Uscc};
use zhifa_domain::region::{RegionCode, RegionTable};
use zhifa_domain::standard::Standard;

use crate::cli::CheckKind;

/// Runs the check and prints the verdict.
pub fn run(kind: CheckKind, value: &str) -> ExitCode {
    match describe(kind, value) {
        Ok(lines) => {
            for l in lines {
                println!("{l}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("无效：{}", e.message);
            println!("  依据：{}", e.rule);
            println!("  代码：{}", e.code);
            ExitCode::from(1)
        }
    }
}

fn region_name(code: &str) -> String {
    RegionTable::builtin()
        .full_name(code)
        .unwrap_or_else(|| "（不在 2023 版 GB/T 2260 代码表中，可能为已撤销的旧代码）".into())
}

/// The lines printed for a valid value, or the rule it breaks.
pub fn describe(kind: CheckKind, value: &str) -> Result<Vec<String>, Invalid> {
    Ok(match kind {
        CheckKind::Uscc => {
            let c = Uscc::parse(value)?;
            vec![
                format!("有效：统一社会信用代码 {c}（GB 32100-2015）"),
                format!(
                    "  登记地行政区划：{} {}",
                    c.region_code(),
                    region_name(c.region_code())
                ),
                format!("  组织机构代码：{}", c.org_code()),
            ]
        }
        CheckKind::Idcard => {
            let id = CitizenId::parse(value)?;
            let mut v = vec![format!(
                "有效：公民身份号码 {}（GB 11643-1999）",
                id.as_str()
            )];
            if value.trim().len() == 15 {
                v.push(format!("  由 15 位旧号码升位为 18 位：{}", id.as_str()));
            }
            v.push(format!("  出生日期：{}", id.birth_date()));
            v.push(format!("  性别：{}", id.sex().zh()));
            v.push(format!(
                "  地址码：{} {}",
                id.region_code(),
                region_name(id.region_code())
            ));
            v
        }
        CheckKind::Region => {
            let r = RegionCode::parse(value)?;
            vec![
                format!("有效：行政区划代码 {r}（GB/T 2260，2023 年版）"),
                format!("  名称：{}", region_name(r.as_str())),
                format!("  级别：{}", r.level().zh()),
            ]
        }
        CheckKind::Cert => {
            let n = CertificateNumber::parse(value)?;
            let field = Standard::builtin()
                .code_set("enforcement_field")
                .and_then(|s| s.name_of(n.field_code()))
                .unwrap_or("")
                .to_string();
            vec![
                format!("有效：执法证号 {n}"),
                format!(
                    "  发证机关所在地：{} {}",
                    n.region_code(),
                    region_name(n.region_code())
                ),
                format!("  执法领域：{} {}", n.field_code(), field),
            ]
        }
    })
}
