//! Validation of complaint intake and of the handling steps' data: every problem at once, each
//! with its field, stable code, rule and Chinese message.

use zhifa_domain::FieldError;
use zhifa_domain::complaint::{
    ART_CONFIDENTIAL, ART_MATERIALS, ART_REJECT, ART_REPLY, ComplaintAction, ComplaintKind,
};
use zhifa_domain::ids::Uscc;
use zhifa_domain::region::RegionCode;
use zhifa_domain::time::ChinaDate;

use super::{Errors, STANDARD, is_mobile, is_public_phone};
use crate::complaint_model::{ComplaintInput, ComplaintStep};
use crate::model::Validate;

/// Shortest content accepted: a sentence saying what happened.
const MIN_CONTENT_CHARS: usize = 10;

/// The region an intake is routed by: the given code, or, when blank, the registration region
/// of a valid respondent USCC (GB 32100 positions 3–8).
pub(crate) fn intake_region(input: &ComplaintInput) -> Option<String> {
    let given = input.region_code.trim();
    if !given.is_empty() {
        return RegionCode::parse(given)
            .ok()
            .map(|r| r.as_str().to_string());
    }
    input
        .respondent_uscc
        .as_deref()
        .filter(|u| !u.trim().is_empty())
        .and_then(|u| Uscc::parse(u).ok())
        .and_then(|u| RegionCode::parse(u.region_code()).ok())
        .map(|r| r.as_str().to_string())
}

fn blank(v: &Option<String>) -> bool {
    v.as_deref().is_none_or(|s| s.trim().is_empty())
}

impl Validate for ComplaintInput {
    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::default();
        let kind = if e.required("complaint", "kind", &self.kind, "类别（投诉或举报）") {
            let k = ComplaintKind::parse(&self.kind);
            if k.is_none() {
                e.push(
                    "kind",
                    "complaint.kind.unknown",
                    STANDARD,
                    format!(
                        "类别“{}”不存在：应为 complaint（投诉）或 report（举报）",
                        self.kind.trim()
                    ),
                );
            }
            k
        } else {
            None
        };
        e.code(
            "complaint",
            "channel",
            "complaint_channel",
            &self.channel,
            "受理渠道",
        );
        e.code(
            "complaint",
            "field",
            "enforcement_field",
            &self.field,
            "所属执法领域",
        );
        let uscc_ok = match self
            .respondent_uscc
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
        {
            Some(u) => match Uscc::parse(u) {
                Ok(_) => true,
                Err(err) => {
                    e.invalid("respondent_uscc", err);
                    false
                }
            },
            None => false,
        };
        if self.region_code.trim().is_empty() {
            if !uscc_ok || intake_region(self).is_none() {
                e.push(
                    "region_code",
                    "complaint.region_code.required",
                    "GB/T 2260",
                    "请选择事发地（行政区划）",
                );
            }
        } else if let Err(err) = RegionCode::parse(&self.region_code) {
            e.invalid("region_code", err);
        }
        if e.required(
            "complaint",
            "respondent_name",
            &self.respondent_name,
            "被投诉举报对象名称",
        ) {
            e.max_chars(
                "complaint",
                "respondent_name",
                &self.respondent_name,
                200,
                "被投诉举报对象名称",
            );
        }
        e.optional_max(
            "complaint",
            "respondent_address",
            &self.respondent_address,
            200,
            "被投诉举报对象地址",
        );
        if e.required("complaint", "content", &self.content, "投诉举报内容") {
            let n = self.content.trim().chars().count();
            if n < MIN_CONTENT_CHARS {
                e.push(
                    "content",
                    "complaint.content.too_short",
                    ART_MATERIALS,
                    format!("请具体说明事实和诉求，至少 {MIN_CONTENT_CHARS} 个字，实为 {n} 个"),
                );
            }
            e.max_chars("complaint", "content", &self.content, 5000, "投诉举报内容");
        }
        if self.anonymous {
            if kind == Some(ComplaintKind::Complaint) {
                e.push(
                    "anonymous",
                    "complaint.anonymous.complaint",
                    ART_MATERIALS,
                    "投诉须提供投诉人的姓名和电话号码，不能匿名；匿名反映违法线索请选择“举报”",
                );
            }
            for (field, value, label) in [
                ("contact_name", &self.contact_name, "姓名"),
                ("contact_phone", &self.contact_phone, "联系电话"),
            ] {
                if !blank(value) {
                    e.push(
                        field,
                        &format!("complaint.{field}.anonymous"),
                        ART_CONFIDENTIAL,
                        format!("匿名举报不填写{label}；如需告知处理结果，请取消匿名"),
                    );
                }
            }
        } else {
            match self.contact_name.as_deref().map(str::trim) {
                Some(n) if !n.is_empty() => {
                    e.max_chars("complaint", "contact_name", n, 100, "姓名");
                }
                _ => e.push(
                    "contact_name",
                    "complaint.contact_name.required",
                    ART_MATERIALS,
                    "请填写投诉举报人姓名（匿名举报请勾选“匿名”）",
                ),
            }
            match self.contact_phone.as_deref().map(str::trim) {
                Some(p) if !p.is_empty() => {
                    if !is_mobile(p) && !is_public_phone(p) {
                        e.push(
                            "contact_phone",
                            "complaint.contact_phone.format",
                            STANDARD,
                            format!(
                                "联系电话“{p}”格式错误：应为 11 位手机号码或 5–30 位的电话号码"
                            ),
                        );
                    }
                }
                _ => e.push(
                    "contact_phone",
                    "complaint.contact_phone.required",
                    ART_MATERIALS,
                    "请填写联系电话，用于告知处理结果",
                ),
            }
        }
        e.finish()
    }
}

/// The step's own data checks (references are checked by the store in the transaction).
pub(crate) fn validate_step(action: ComplaintAction, step: &ComplaintStep) -> Vec<FieldError> {
    let mut e = Errors::default();
    if let Some(on) = step.on.as_deref().filter(|d| !d.trim().is_empty())
        && let Err(err) = ChinaDate::parse(on)
    {
        e.invalid("on", err);
    }
    let mut text =
        |field: &str, value: &Option<String>, max: usize, label: &str, rule: &str| match value
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
        {
            None => e.push(
                field,
                &format!("complaint.{field}.required"),
                rule,
                format!("请填写{label}"),
            ),
            Some(v) => e.max_chars("complaint", field, v, max, label),
        };
    match action {
        ComplaintAction::Route => text(
            "agency_id",
            &step.agency_id,
            64,
            "承办执法主体",
            zhifa_domain::complaint::ART_ROUTE,
        ),
        ComplaintAction::Accept => {}
        ComplaintAction::Reject => text("reason", &step.reason, 500, "不予受理的理由", ART_REJECT),
        ComplaintAction::Handle => text(
            "result",
            &step.result,
            2000,
            "处理结果",
            zhifa_domain::complaint::ART_HANDLE,
        ),
        ComplaintAction::Reply => text("reply", &step.reply, 2000, "答复内容", ART_REPLY),
    }
    e.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> ComplaintInput {
        ComplaintInput {
            kind: "complaint".into(),
            channel: "3".into(),
            region_code: "440106".into(),
            field: "01".into(),
            respondent_name: "某某超市".into(),
            respondent_uscc: None,
            respondent_address: None,
            content: "购买的牛奶已过保质期，要求退货并赔偿。".into(),
            anonymous: false,
            contact_name: Some("张三".into()),
            contact_phone: Some("13800138000".into()),
        }
    }

    fn codes(input: &ComplaintInput) -> Vec<(String, String)> {
        input
            .validate()
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect()
    }

    #[test]
    fn a_valid_intake_passes() {
        assert!(valid().validate().is_ok());
        let report = ComplaintInput {
            kind: "report".into(),
            anonymous: true,
            contact_name: None,
            contact_phone: Some("  ".into()),
            ..valid()
        };
        assert!(report.validate().is_ok(), "{:?}", report.validate());
    }

    #[test]
    fn every_field_error_at_once() {
        let errs = codes(&ComplaintInput::default());
        for (field, code) in [
            ("kind", "complaint.kind.required"),
            ("channel", "complaint.channel.required"),
            ("field", "complaint.field.required"),
            ("region_code", "complaint.region_code.required"),
            ("respondent_name", "complaint.respondent_name.required"),
            ("content", "complaint.content.required"),
            ("contact_name", "complaint.contact_name.required"),
            ("contact_phone", "complaint.contact_phone.required"),
        ] {
            assert!(
                errs.contains(&(field.into(), code.into())),
                "{field} {code} missing in {errs:?}"
            );
        }
    }

    #[test]
    fn anonymous_only_for_reports_art_9() {
        let anon = ComplaintInput {
            anonymous: true,
            ..valid()
        };
        let errs = codes(&anon);
        assert!(errs.contains(&("anonymous".into(), "complaint.anonymous.complaint".into())));
        assert!(errs.contains(&(
            "contact_phone".into(),
            "complaint.contact_phone.anonymous".into()
        )));
    }

    #[test]
    fn uscc_checked_and_gives_the_region() {
        let bad = ComplaintInput {
            respondent_uscc: Some("91440101MA59ABCD1X".into()),
            ..valid()
        };
        assert!(codes(&bad).iter().any(|(f, _)| f == "respondent_uscc"));
        let uscc = zhifa_domain::ids::uscc_with_check("91440106MA59ABCD1")
            .unwrap()
            .to_string();
        let derived = ComplaintInput {
            region_code: String::new(),
            respondent_uscc: Some(uscc),
            ..valid()
        };
        assert!(derived.validate().is_ok());
        assert_eq!(intake_region(&derived).as_deref(), Some("440106"));
    }

    #[test]
    fn steps_need_their_data() {
        let empty = ComplaintStep::default();
        assert!(validate_step(ComplaintAction::Accept, &empty).is_empty());
        for (action, field) in [
            (ComplaintAction::Route, "agency_id"),
            (ComplaintAction::Reject, "reason"),
            (ComplaintAction::Handle, "result"),
            (ComplaintAction::Reply, "reply"),
        ] {
            let errs = validate_step(action, &empty);
            assert_eq!(errs.len(), 1);
            assert_eq!(errs[0].field, field);
            assert_eq!(errs[0].code, format!("complaint.{field}.required"));
        }
        let bad_date = ComplaintStep {
            on: Some("2026-02-30".into()),
            ..ComplaintStep::default()
        };
        assert_eq!(
            validate_step(ComplaintAction::Accept, &bad_date)[0].field,
            "on"
        );
    }
}
