//! `Validate` for the inputs of the base data: every field is checked against the data
//! standard (`zhifa-domain`: identifiers, region table, code sets, dates) and *all* problems
//! are returned, each naming its field, a stable code, the rule and a Chinese message.
//!
//! Checks that need the database (a referenced record exists, a value is not taken) are made
//! by the store inside the writing transaction and added to these.

use zhifa_domain::ids::{CertificateNumber, CitizenId, Uscc};
use zhifa_domain::region::RegionCode;
use zhifa_domain::standard::check_code;
use zhifa_domain::time::ChinaDate;
use zhifa_domain::{FieldError, Invalid};

use crate::model::*;

/// Zhifa's own data standard, cited by the checks that come from it.
const STANDARD: &str = "Zhifa 数据标准 ZF-1.0";
/// Discretion benchmarks: APL Art. 34.
const APL_34: &str = "《中华人民共和国行政处罚法》第三十四条";
/// Password rules: identification and authentication of GB/T 22239-2019 (等级保护基本要求).
const GBT_22239: &str = "GB/T 22239-2019";

/// Role codes of user accounts.
pub(crate) const USER_ROLES: [&str; 5] = ["officer", "reviewer", "head", "supervisor", "admin"];

/// Roles of powers' legal bases.
pub(crate) const BASIS_ROLES: [&str; 3] = ["violation", "penalty", "basis"];

/// Collects field errors.
#[derive(Default)]
struct Errors(Vec<FieldError>);

impl Errors {
    fn push(
        &mut self,
        field: impl Into<String>,
        code: &str,
        rule: &str,
        message: impl Into<String>,
    ) {
        self.0.push(FieldError {
            field: field.into(),
            code: code.to_string(),
            rule: rule.to_string(),
            message: message.into(),
        });
    }

    /// Records a domain rejection for `field`.
    fn invalid(&mut self, field: impl Into<String>, e: Invalid) {
        self.0.push(e.at(field));
    }

    /// A required text: `<entity>.<field>.required` when blank; true when present.
    fn required(&mut self, entity: &str, field: &str, value: &str, label: &str) -> bool {
        if value.trim().is_empty() {
            self.push(
                field,
                &format!("{entity}.{field}.required"),
                STANDARD,
                format!("请填写{label}"),
            );
            false
        } else {
            true
        }
    }

    /// `<entity>.<field>.too_long` when longer than `max` characters.
    fn max_chars(&mut self, entity: &str, field: &str, value: &str, max: usize, label: &str) {
        let n = value.trim().chars().count();
        if n > max {
            self.push(
                field,
                &format!("{entity}.{field}.too_long"),
                STANDARD,
                format!("{label}不能超过 {max} 个字符，实为 {n} 个"),
            );
        }
    }

    /// Optional text with a maximum length.
    fn optional_max(
        &mut self,
        entity: &str,
        field: &str,
        value: &Option<String>,
        max: usize,
        label: &str,
    ) {
        if let Some(v) = value {
            self.max_chars(entity, field, v, max, label);
        }
    }

    /// A required code of a code set.
    fn code(&mut self, entity: &str, field: &str, set: &str, value: &str, label: &str) {
        if self.required(entity, field, value, label)
            && let Err(e) = check_code(set, value.trim())
        {
            self.invalid(field, e);
        }
    }

    /// A non-empty list of distinct codes of a code set.
    fn code_list(
        &mut self,
        entity: &str,
        field: &str,
        set: &str,
        values: &[String],
        label: &str,
        required: bool,
    ) {
        if required && values.is_empty() {
            self.push(
                field,
                &format!("{entity}.{field}.required"),
                STANDARD,
                format!("请至少选择一项{label}"),
            );
        }
        for (i, v) in values.iter().enumerate() {
            let at = format!("{field}[{i}]");
            if let Err(e) = check_code(set, v.trim()) {
                self.invalid(at, e);
            } else if values[..i].iter().any(|p| p.trim() == v.trim()) {
                self.push(
                    at,
                    &format!("{entity}.{field}.repeated"),
                    STANDARD,
                    format!("{label}“{}”重复", v.trim()),
                );
            }
        }
    }

    fn finish(self) -> Result<(), Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.0)
        }
    }
}

/// Whether `s` is a public telephone number as written: digits with `-`, spaces, brackets or a
/// leading `+`, 5–30 characters.
fn is_public_phone(s: &str) -> bool {
    let n = s.chars().count();
    (5..=30).contains(&n)
        && s.chars().any(|c| c.is_ascii_digit())
        && s.chars().all(|c| {
            c.is_ascii_digit() || matches!(c, '-' | ' ' | '(' | ')' | '（' | '）' | '+' | '转')
        })
}

/// Whether `s` is a mainland mobile number: 11 digits starting with 1.
pub(crate) fn is_mobile(s: &str) -> bool {
    s.len() == 11 && s.starts_with('1') && s.bytes().all(|b| b.is_ascii_digit())
}

impl Validate for SubjectInput {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::default();
        if e.required("subject", "name", &self.name, "执法主体名称") {
            e.max_chars("subject", "name", &self.name, 100, "执法主体名称");
        }
        e.optional_max("subject", "short_name", &self.short_name, 20, "简称");
        if self.uscc.trim().is_empty() {
            e.push(
                "uscc",
                "subject.uscc.required",
                "GB 32100-2015",
                "请填写统一社会信用代码",
            );
        } else if let Err(err) = Uscc::parse(&self.uscc) {
            e.invalid("uscc", err);
        }
        e.code(
            "subject",
            "subject_type",
            "subject_type",
            &self.subject_type,
            "主体类别",
        );
        e.code(
            "subject",
            "field",
            "enforcement_field",
            &self.field,
            "执法领域",
        );
        e.code("subject", "level", "subject_level", &self.level, "主体层级");
        if self.region_code.trim().is_empty() {
            e.push(
                "region_code",
                "subject.region_code.required",
                "GB/T 2260",
                "请填写行政区划代码",
            );
        } else if let Err(err) = RegionCode::parse(&self.region_code) {
            e.invalid("region_code", err);
        }
        e.optional_max("subject", "address", &self.address, 200, "地址");
        if let Some(p) = self
            .phone
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            && !is_public_phone(p)
        {
            e.push(
                "phone",
                "subject.phone.format",
                STANDARD,
                format!("联系电话“{p}”格式错误：应为 5–30 位的电话号码，如 020-12345678"),
            );
        }
        e.finish()
    }
}

impl Validate for OfficerInput {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::default();
        if e.required("officer", "name", &self.name, "姓名") {
            e.max_chars("officer", "name", &self.name, 50, "姓名");
        }
        if self.citizen_id.trim().is_empty() {
            e.push(
                "citizen_id",
                "officer.citizen_id.required",
                "GB 11643-1999",
                "请填写公民身份号码",
            );
        } else if let Err(err) = CitizenId::parse(&self.citizen_id) {
            e.invalid("citizen_id", err);
        }
        e.required("officer", "subject_id", &self.subject_id, "所属执法主体");
        e.optional_max("officer", "position", &self.position, 50, "职务");
        if let Some(p) = self
            .phone
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            && !is_mobile(p)
        {
            e.push(
                "phone",
                "officer.phone.format",
                STANDARD,
                "手机号码格式错误：应为以 1 开头的 11 位数字",
            );
        }
        e.finish()
    }
}

impl Validate for CertificateInput {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::default();
        if e.required("certificate", "number", &self.number, "执法证号")
            && let Err(err) = CertificateNumber::parse(&self.number)
        {
            e.invalid("number", err);
        }
        e.required("certificate", "officer_id", &self.officer_id, "持证人");
        e.code(
            "certificate",
            "status",
            "certificate_status",
            &self.status,
            "证件状态",
        );
        let mut date = |field: &str, value: &str, label: &str| {
            if e.required("certificate", field, value, label) {
                match ChinaDate::parse(value) {
                    Ok(d) => return Some(d),
                    Err(err) => e.invalid(field, err),
                }
            }
            None
        };
        let from = date("valid_from", &self.valid_from, "有效期起始日");
        let to = date("valid_to", &self.valid_to, "有效期截止日");
        if let (Some(from), Some(to)) = (from, to)
            && to.date() < from.date()
        {
            e.push(
                "valid_to",
                "certificate.valid_to.before_from",
                STANDARD,
                format!("有效期截止日 {to} 早于起始日 {from}"),
            );
        }
        e.code_list(
            "certificate",
            "fields",
            "enforcement_field",
            &self.fields,
            "执法领域",
            true,
        );
        e.optional_max("certificate", "issuer", &self.issuer, 100, "发证机关");
        e.finish()
    }
}

/// Whether `s` is a catalogue code: `[0-9A-Z-]{4,32}`.
fn is_power_code(s: &str) -> bool {
    (4..=32).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase() || b == b'-')
}

impl Validate for PowerInput {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::default();
        if e.required("power", "code", &self.code, "事项编码") && !is_power_code(self.code.trim())
        {
            e.push(
                "code",
                "power.code.format",
                STANDARD,
                format!(
                    "事项编码“{}”格式错误：应为 4–32 位数字、大写字母或连字符",
                    self.code.trim()
                ),
            );
        }
        if e.required("power", "name", &self.name, "事项名称") {
            e.max_chars("power", "name", &self.name, 200, "事项名称");
        }
        e.code(
            "power",
            "category",
            "power_category",
            &self.category,
            "职权类别",
        );
        e.code(
            "power",
            "field",
            "enforcement_field",
            &self.field,
            "执法领域",
        );
        e.code_list(
            "power",
            "subject_types",
            "subject_type",
            &self.subject_types,
            "实施主体类别",
            true,
        );
        e.optional_max("power", "description", &self.description, 2000, "说明");
        if self.bases.is_empty() {
            e.push(
                "bases",
                "power.bases.required",
                STANDARD,
                "请至少填写一条法律依据（职权法定）",
            );
        }
        for (i, b) in self.bases.iter().enumerate() {
            if b.article_id.trim().is_empty() {
                e.push(
                    format!("bases[{i}].article_id"),
                    "power.bases.article_id.required",
                    STANDARD,
                    "请选择依据条文",
                );
            }
            if !BASIS_ROLES.contains(&b.role.trim()) {
                e.push(
                    format!("bases[{i}].role"),
                    "power.bases.role.unknown",
                    STANDARD,
                    format!("依据类型“{}”无效：应为 violation（违则）、penalty（罚则）或 basis（设定依据）", b.role.trim()),
                );
            } else if self.bases[..i].iter().any(|p| {
                p.article_id.trim() == b.article_id.trim() && p.role.trim() == b.role.trim()
            }) {
                e.push(
                    format!("bases[{i}]"),
                    "power.bases.repeated",
                    STANDARD,
                    "同一条文以同一类型重复列为依据",
                );
            }
        }
        e.finish()
    }
}

impl Validate for BenchmarkInput {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::default();
        e.required("benchmark", "power_id", &self.power_id, "执法事项");
        e.code(
            "benchmark",
            "level",
            "circumstance_level",
            &self.level,
            "情节等级",
        );
        if e.required("benchmark", "conditions", &self.conditions, "适用情形") {
            e.max_chars(
                "benchmark",
                "conditions",
                &self.conditions,
                1000,
                "适用情形",
            );
        }
        let fine = [
            ("fine_min_fen", self.fine_min_fen, "罚款下限"),
            ("fine_max_fen", self.fine_max_fen, "罚款上限"),
        ];
        let multiple = [
            (
                "income_multiple_min_permille",
                self.income_multiple_min_permille,
                "违法所得倍数下限",
            ),
            (
                "income_multiple_max_permille",
                self.income_multiple_max_permille,
                "违法所得倍数上限",
            ),
        ];
        for (field, value, label) in fine.iter().chain(multiple.iter()) {
            if value.is_some_and(|v| v < 0) {
                e.push(
                    *field,
                    &format!("benchmark.{field}.negative"),
                    APL_34,
                    format!("{label}不能为负数"),
                );
            }
        }
        let given = |r: &[(&str, Option<i64>, &str); 2]| r.iter().any(|(_, v, _)| v.is_some());
        match (given(&fine), given(&multiple)) {
            (true, true) => e.push(
                "income_multiple_min_permille",
                "benchmark.range.both",
                APL_34,
                "罚款金额幅度与违法所得倍数幅度只能填写一种",
            ),
            (false, false) => e.push(
                "fine_min_fen",
                "benchmark.range.missing",
                APL_34,
                "请填写罚款金额幅度（分）或违法所得倍数幅度（千分之一倍）",
            ),
            (f, _) => {
                let range = if f { &fine } else { &multiple };
                for (field, value, label) in range {
                    if value.is_none() {
                        e.push(
                            *field,
                            "benchmark.range.incomplete",
                            APL_34,
                            format!("请填写{label}"),
                        );
                    }
                }
                if let ((_, Some(min), _), (max_field, Some(max), _)) = (range[0], range[1])
                    && min > max
                {
                    e.push(
                        max_field,
                        "benchmark.range.min_gt_max",
                        APL_34,
                        format!("幅度上限 {max} 小于下限 {min}"),
                    );
                }
            }
        }
        e.code_list(
            "benchmark",
            "other_penalties",
            "penalty_type",
            &self.other_penalties,
            "其他处罚种类",
            false,
        );
        e.optional_max("benchmark", "note", &self.note, 1000, "备注");
        e.finish()
    }
}

/// Whether `s` is a login name: `[a-z0-9_.-]{3,32}`.
fn is_username(s: &str) -> bool {
    (3..=32).contains(&s.len())
        && s.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'.' | b'-')
        })
}

impl Validate for UserInput {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::default();
        if e.required("user", "username", &self.username, "登录名")
            && !is_username(self.username.trim())
        {
            e.push(
                "username",
                "user.username.format",
                STANDARD,
                format!(
                    "登录名“{}”格式错误：应为 3–32 位小写字母、数字、下划线、点或连字符",
                    self.username.trim()
                ),
            );
        }
        if e.required("user", "display_name", &self.display_name, "显示名称") {
            e.max_chars("user", "display_name", &self.display_name, 50, "显示名称");
        }
        let role = self.role.trim();
        if !USER_ROLES.contains(&role) {
            e.push(
                "role",
                "user.role.unknown",
                STANDARD,
                format!("角色“{role}”无效：应为 officer（执法人员）、reviewer（法制审核人员）、head（机关负责人）、supervisor（执法监督人员）或 admin（系统管理员）"),
            );
        }
        let blank = |o: &Option<String>| o.as_deref().is_none_or(|s| s.trim().is_empty());
        if matches!(role, "officer" | "reviewer" | "head") && blank(&self.subject_id) {
            e.push(
                "subject_id",
                "user.subject_id.required",
                STANDARD,
                "执法人员、法制审核人员和机关负责人账号须指定所属执法主体",
            );
        }
        if role == "supervisor" && blank(&self.region_code) {
            e.push(
                "region_code",
                "user.region_code.required",
                STANDARD,
                "执法监督人员账号须指定监督的行政区划",
            );
        }
        if let Some(code) = self.region_code.as_deref().filter(|s| !s.trim().is_empty())
            && let Err(err) = RegionCode::parse(code)
        {
            e.invalid("region_code", err);
        }
        let n = self.password.chars().count();
        if n < 8 {
            e.push(
                "password",
                "user.password.too_short",
                GBT_22239,
                "密码至少 8 个字符",
            );
        } else if n > 128 {
            e.push(
                "password",
                "user.password.too_long",
                GBT_22239,
                "密码不能超过 128 个字符",
            );
        }
        e.finish()
    }
}

pub(crate) mod complaints;

#[cfg(test)]
mod tests;
