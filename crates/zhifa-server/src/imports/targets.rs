//! From a standard record to what it becomes on the node (一次录入，多头应用): an officer record
//! to an officer and certificate of the admin forms, a case, decision or inspection record to
//! an imported case history (events as the source system recorded them). References are
//! resolved against the node ([`ImportReferences`]): a record whose agency (by USCC) or
//! officer (by certificate number) the node does not know is rejected here, on the reading
//! thread, so it appears in the validation report like any other rejection and is never
//! stored. Records the node has no table for (执法对象, 执法事项, single case events) stay in
//! the exchange store ([`ImportTarget::Kept`]).

use chrono::{Months, NaiveDate};
use zhifa_domain::FieldError;
use zhifa_domain::case::{CaseEvent, OfficerRef, Party, Penalty};
use zhifa_exchange::format::{Case, Decision, Inspection, Officer};
use zhifa_exchange::{Mapping, Rejection, StandardRecord};
use zhifa_store::model::{CertificateInput, OfficerInput, Validate};
use zhifa_store::{AgencyRef, ImportReferences, ImportTarget, ImportedCase, OfficerImport};

/// The basis cited by reference rejections.
const REFERENCE_RULE: &str = "Zhifa 数据交换：引用须为本节点已登记的执法主体和执法人员";

/// Who an imported case's events are recorded by.
const IMPORT_ACTOR: &str = "import";

/// The general limitation period (APL Art. 36: two years).
const LIMITATION_MONTHS: u32 = 24;

/// Builds rejections of one row with the mapping's source columns.
struct Rejecter<'a> {
    mapping: &'a Mapping,
    line: u64,
    out: Vec<Rejection>,
}

impl Rejecter<'_> {
    fn push(&mut self, field: &str, code: &str, rule: &str, value: &str, message: String) {
        let element = self
            .mapping
            .record_type()
            .fields()
            .iter()
            .find(|f| f.name == field)
            .map(|f| f.element.to_string())
            .unwrap_or_default();
        self.out.push(Rejection {
            line: self.line,
            column: self.mapping.field_columns(field),
            field: field.to_string(),
            element,
            code: code.to_string(),
            rule: rule.to_string(),
            value: value.to_string(),
            message,
        });
    }

    /// A field error of the admin forms' validation, on the record field it came from.
    fn form_error(&mut self, field: &str, value: &str, e: &FieldError) {
        self.push(field, &e.code, &e.rule, value, e.message.clone());
    }

    /// The agency of `uscc` (field `field`), or a rejection.
    fn agency<'r>(
        &mut self,
        refs: &'r ImportReferences,
        field: &str,
        uscc: &str,
    ) -> Option<&'r AgencyRef> {
        match refs.agencies.get(uscc) {
            Some(a) if a.active => Some(a),
            Some(a) => {
                self.push(
                    field,
                    "import.agency_inactive",
                    REFERENCE_RULE,
                    uscc,
                    format!("执法主体“{}”（{uscc}）已撤销，不能导入其记录", a.name),
                );
                None
            }
            None => {
                self.push(
                    field,
                    "import.agency_unknown",
                    REFERENCE_RULE,
                    uscc,
                    format!(
                        "执法主体统一社会信用代码 {uscc} 未在本节点登记：请先登记该执法主体，再导入其记录"
                    ),
                );
                None
            }
        }
    }

    /// The officers of `numbers` (field `field`), rejecting every unknown one.
    fn officers(
        &mut self,
        refs: &ImportReferences,
        field: &str,
        numbers: &[String],
    ) -> Vec<OfficerRef> {
        let mut out = Vec::with_capacity(numbers.len());
        for n in numbers {
            match refs.certificates.get(n) {
                Some(c) => out.push(OfficerRef {
                    officer_id: c.officer_id.clone(),
                    name: c.officer_name.clone(),
                    certificate: n.clone(),
                }),
                None => self.push(
                    field,
                    "import.officer_unknown",
                    REFERENCE_RULE,
                    n,
                    format!("执法证号 {n} 未在本节点登记：请先导入或登记该执法人员"),
                ),
            }
        }
        out
    }
}

/// What an accepted record becomes on the node, or its rejections (reference or admin-form
/// problems) with `line` and the mapping's source columns.
pub fn target_of(
    record: &StandardRecord,
    refs: &ImportReferences,
    mapping: &Mapping,
    line: u64,
) -> Result<ImportTarget, Vec<Rejection>> {
    let mut r = Rejecter {
        mapping,
        line,
        out: Vec::new(),
    };
    let target = match record {
        StandardRecord::Officer(o) => officer(o, refs, &mut r),
        StandardRecord::Case(c) => case(c, refs, &mut r),
        StandardRecord::Decision(d) => decision(d, refs, &mut r),
        StandardRecord::Inspection(i) => inspection(i, refs, &mut r),
        StandardRecord::Subject(_) | StandardRecord::Matter(_) | StandardRecord::CaseEvent(_) => {
            Some(ImportTarget::Kept)
        }
    };
    match target {
        Some(t) if r.out.is_empty() => Ok(t),
        _ => Err(r.out),
    }
}

fn officer(o: &Officer, refs: &ImportReferences, r: &mut Rejecter<'_>) -> Option<ImportTarget> {
    let agency = r.agency(refs, "org_uscc", &o.org_uscc)?;
    let officer = OfficerInput {
        name: o.name.clone(),
        citizen_id: o.citizen_id.clone(),
        subject_id: agency.id.clone(),
        position: o.position.clone(),
        phone: o.phone.clone(),
    };
    for e in officer.validate().err().unwrap_or_default() {
        let (field, value) = match e.field.as_str() {
            "citizen_id" => ("citizen_id", o.citizen_id.as_str()),
            "position" => ("position", o.position.as_deref().unwrap_or("")),
            "phone" => ("phone", o.phone.as_deref().unwrap_or("")),
            "subject_id" => ("org_uscc", o.org_uscc.as_str()),
            _ => ("name", o.name.as_str()),
        };
        r.form_error(field, value, &e);
    }
    let certificate = CertificateInput {
        number: o.cert_no.clone(),
        // Filled in by the store with the merged officer.
        officer_id: "(导入)".into(),
        status: o.cert_status.clone(),
        valid_from: o.cert_valid_from.to_string(),
        valid_to: o.cert_valid_to.to_string(),
        fields: o.cert_fields.clone(),
        legal_review_qualified: o.legal_review_qualified.unwrap_or(false),
        issuer: None,
    };
    for e in certificate.validate().err().unwrap_or_default() {
        let field = match e.field.as_str() {
            "status" => "cert_status",
            "valid_from" => "cert_valid_from",
            "valid_to" => "cert_valid_to",
            f if f.starts_with("fields") => "cert_fields",
            _ => "cert_no",
        };
        r.form_error(field, "", &e);
    }
    Some(ImportTarget::Officer(Box::new(OfficerImport {
        agency_uscc: o.org_uscc.clone(),
        officer,
        certificate,
    })))
}

fn history(system: &str, id: &str, events: Vec<CaseEvent>) -> ImportTarget {
    ImportTarget::Case(Box::new(ImportedCase {
        source_system: system.to_string(),
        source_id: id.to_string(),
        actor: IMPORT_ACTOR.to_string(),
        events,
    }))
}

fn limitation(act: NaiveDate) -> NaiveDate {
    act.checked_add_months(Months::new(LIMITATION_MONTHS))
        .unwrap_or(NaiveDate::MAX)
}

/// 案件: lead and filing on the filing date, the assigned officers, closure if closed.
fn case(c: &Case, refs: &ImportReferences, r: &mut Rejecter<'_>) -> Option<ImportTarget> {
    let agency = r.agency(refs, "agency_uscc", &c.agency_uscc);
    let officers = r.officers(refs, "officer_cert_nos", &c.officer_cert_nos);
    let agency = agency?;
    let act_date = c.occurred_at.map(|t| t.date_naive()).unwrap_or(c.filed_on);
    let mut events = vec![
        CaseEvent::LeadRegistered {
            on: c.filed_on,
            agency_id: agency.id.clone(),
            agency_name: agency.name.clone(),
            field: c.enforcement_field.clone(),
            source: c.case_source.clone(),
            cause: c.case_cause.clone(),
            party: Party {
                party_type: c.party_type.clone(),
                name: c.party_name.clone(),
                id_number: c.party_uscc.clone().or_else(|| c.party_id_number.clone()),
                legal_rep: None,
                address: None,
                phone: None,
            },
            act_date,
            act_ended: None,
            serious_harm: false,
            power_id: None,
            summary: format!("导入自 {}（原编号 {}）", c.source_system, c.source_id),
        },
        CaseEvent::CaseFiled {
            on: c.filed_on,
            number: c.case_no.clone(),
            limitation_until: limitation(act_date),
            late: false,
            limitation_override: None,
        },
        CaseEvent::OfficersAssigned {
            on: c.filed_on,
            officers,
        },
    ];
    if let Some(on) = c.closed_on {
        events.push(CaseEvent::CaseClosed {
            on,
            approved_by: IMPORT_ACTOR.into(),
        });
    }
    Some(history(&c.source_system, &c.source_id, events))
}

/// 处罚决定: the case filed and decided on the decision date, then service, payment and
/// publication as recorded.
fn decision(d: &Decision, refs: &ImportReferences, r: &mut Rejecter<'_>) -> Option<ImportTarget> {
    let agency = r.agency(refs, "agency_uscc", &d.agency_uscc)?;
    let violated = d.violated_articles.clone().unwrap_or_default();
    let fine = d.fine_fen.map(|f| f.value()).unwrap_or(0);
    let penalty = Penalty {
        types: d.penalty_types.clone(),
        fine_fen: fine,
        confiscation_fen: d.confiscation_fen.map(|f| f.value()).unwrap_or(0),
        licence: None,
        facts: violated.clone(),
        violated: violated.clone(),
        basis: d.penalty_basis.clone().unwrap_or_default(),
    };
    let cause = if violated.is_empty() {
        format!("处罚决定 {}", d.decision_no)
    } else {
        violated
    };
    let mut events = vec![
        CaseEvent::LeadRegistered {
            on: d.decided_on,
            agency_id: agency.id.clone(),
            agency_name: agency.name.clone(),
            field: agency.field.clone(),
            // 其他: the source system's export does not say.
            source: "9".into(),
            cause,
            party: Party {
                party_type: d.party_type.clone(),
                name: d.party_name.clone(),
                id_number: d.party_uscc.clone().or_else(|| d.party_id_number.clone()),
                legal_rep: d.legal_representative.clone(),
                address: None,
                phone: None,
            },
            act_date: d.decided_on,
            act_ended: None,
            serious_harm: false,
            power_id: None,
            summary: format!("导入自 {}（原编号 {}）", d.source_system, d.source_id),
        },
        CaseEvent::CaseFiled {
            on: d.decided_on,
            number: d.case_no.clone(),
            limitation_until: limitation(d.decided_on),
            late: false,
            limitation_override: None,
        },
        CaseEvent::DecisionMade {
            on: d.decided_on,
            number: d.decision_no.clone(),
            penalty: Some(penalty),
            late: false,
            decided_by: IMPORT_ACTOR.into(),
        },
    ];
    if let Some(on) = d.served_on {
        events.push(CaseEvent::DecisionServed {
            on,
            // 其他 when the export does not name the method.
            method: d.service_method.clone().unwrap_or_else(|| "9".into()),
            late: false,
        });
    }
    if let Some(on) = d.paid_on {
        events.push(CaseEvent::PaymentReceived {
            on,
            amount_fen: d.paid_fen.map(|f| f.value()).unwrap_or(fine),
            on_spot: false,
        });
    }
    if let Some(on) = d.published_on {
        events.push(CaseEvent::DecisionPublished { on });
    }
    Some(history(&d.source_system, &d.source_id, events))
}

/// Inspection result code 未发现问题.
const NO_PROBLEM: &str = "1";

/// 行政检查: a lead found in inspection (案件来源 1 检查发现) with the inspection record; closed
/// as 不予立案 when nothing was found.
fn inspection(
    i: &Inspection,
    refs: &ImportReferences,
    r: &mut Rejecter<'_>,
) -> Option<ImportTarget> {
    let agency = r.agency(refs, "agency_uscc", &i.agency_uscc);
    let officers = r.officers(refs, "officer_cert_nos", &i.officer_cert_nos);
    let agency = agency?;
    let on = i.inspected_at.date_naive();
    let findings = i.findings.clone().unwrap_or_default();
    let mut events = vec![
        CaseEvent::LeadRegistered {
            on,
            agency_id: agency.id.clone(),
            agency_name: agency.name.clone(),
            field: i.enforcement_field.clone(),
            source: "1".into(),
            cause: format!("行政检查 {}", i.inspection_no),
            party: Party {
                party_type: i.party_type.clone(),
                name: i.party_name.clone(),
                id_number: i.party_uscc.clone(),
                legal_rep: None,
                address: i.address.clone(),
                phone: None,
            },
            act_date: on,
            act_ended: None,
            serious_harm: false,
            power_id: None,
            summary: format!("导入自 {}（原编号 {}）", i.source_system, i.source_id),
        },
        CaseEvent::RecordMade {
            on,
            kind: "inspection".into(),
            place: i.address.clone().unwrap_or_else(|| "检查现场".into()),
            officers,
            interviewee: None,
            content: findings,
        },
    ];
    if i.result == NO_PROBLEM {
        events.push(CaseEvent::LeadRejected {
            on,
            reason: "行政检查未发现问题".into(),
        });
    }
    Some(history(&i.source_system, &i.source_id, events))
}
