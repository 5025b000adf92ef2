//! Enforcement documents (执法文书) as structured data built from a case's events, rendered as
//! printable HTML in one standard layout (title, agency, document number, fields, signatures).
//!
//! Each document exists once its step has happened (立案审批表 after filing, 行政处罚决定书
//! after the decision …). The contents the law requires are checked: a required item that is
//! empty is listed on the document as 缺少必备内容 (e.g. the party's address, APL Art. 59 (1)),
//! so an incomplete document cannot pass unnoticed.

use serde::Serialize;
use utoipa::ToSchema;
use zhifa_domain::case::{CaseEvent, CaseState, Outcome, Penalty, ReviewTrigger, law};
use zhifa_store::case_model::{CaseDetail, StoredEvent};

use crate::web::labels::{code_label, yuan};

/// Document kinds in procedure order: (kind, title, the article requiring its contents).
pub const KINDS: &[(&str, &str, &str)] = &[
    ("filing", "立案审批表", law::APL_54),
    ("inquiry", "询问笔录", law::APL_55),
    ("inspection", "现场检查笔录", law::APL_55),
    ("notice", "行政处罚事先告知书", law::APL_44),
    ("hearing_notice", "听证告知书", law::APL_64),
    ("review", "法制审核意见书", law::APL_58),
    ("discussion", "集体讨论笔录", law::APL_57),
    ("decision", "行政处罚决定书", law::APL_59),
    ("on_spot", "当场行政处罚决定书", law::APL_52),
    ("service", "送达回证", law::APL_61),
    ("closure", "结案审批表", law::APL_57),
];

/// A document generated for a case: its kind, title and any missing required content.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct DocumentRef {
    /// Kind, e.g. `decision` (path segment of `/api/v1/cases/{id}/documents/{kind}`).
    pub kind: String,
    /// Chinese title.
    pub title: String,
    /// Required content that is missing (缺少必备内容); empty when complete.
    pub missing: Vec<String>,
}

/// A labelled block of a document.
#[derive(Debug, Clone)]
pub struct Section {
    /// Heading (may be empty).
    pub heading: String,
    /// Label and value rows.
    pub rows: Vec<(String, String)>,
}

/// A document ready to render.
#[derive(Debug, Clone)]
pub struct Document {
    /// Kind.
    pub kind: &'static str,
    /// Title (e.g. 行政处罚决定书).
    pub title: &'static str,
    /// The article that prescribes its contents.
    pub article: &'static str,
    /// Issuing agency.
    pub agency: String,
    /// Document or case number.
    pub number: String,
    /// Blocks of fields.
    pub sections: Vec<Section>,
    /// Closing lines (rights, signatures, seal).
    pub closing: Vec<String>,
    /// Required content that is missing.
    pub missing: Vec<String>,
}

/// Collects rows and missing required items.
struct Builder {
    sections: Vec<Section>,
    missing: Vec<String>,
}

impl Builder {
    fn new() -> Self {
        Builder {
            sections: Vec::new(),
            missing: Vec::new(),
        }
    }

    fn section(&mut self, heading: &str) {
        self.sections.push(Section {
            heading: heading.to_string(),
            rows: Vec::new(),
        });
    }

    fn row(&mut self, label: &str, value: impl Into<String>) {
        if self.sections.is_empty() {
            self.section("");
        }
        if let Some(s) = self.sections.last_mut() {
            s.rows.push((label.to_string(), value.into()));
        }
    }

    /// A required row: an empty value is recorded as missing.
    fn req(&mut self, label: &str, value: impl Into<String>) {
        let value = value.into();
        if value.trim().is_empty() {
            if !self.missing.iter().any(|m| m == label) {
                self.missing.push(label.to_string());
            }
            self.row(label, "（缺少必备内容）");
        } else {
            self.row(label, value);
        }
    }
}

fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

fn party_rows(b: &mut Builder, s: &CaseState, address_required: bool) {
    let p = &s.party;
    b.section("当事人");
    b.req("当事人姓名或名称", p.name.clone());
    b.row("当事人类型", code_label("party_type", &p.party_type));
    let id_label = if p.is_citizen() {
        "公民身份号码"
    } else {
        "统一社会信用代码"
    };
    b.row(id_label, opt(&p.id_number));
    if !p.is_citizen() {
        b.row("法定代表人（负责人）", opt(&p.legal_rep));
    }
    if address_required {
        b.req("当事人地址", opt(&p.address));
    } else {
        b.row("当事人地址", opt(&p.address));
    }
}

fn penalty_rows(b: &mut Builder, p: &Penalty) {
    b.req("违法事实", p.facts.clone());
    b.req("违反的法律条款", p.violated.clone());
    b.req("处罚依据", p.basis.clone());
    b.req("处罚种类和数额", p.summary());
}

fn officers_text(officers: &[zhifa_domain::case::OfficerRef]) -> String {
    officers
        .iter()
        .map(|o| format!("{}（执法证号 {}）", o.name, o.certificate))
        .collect::<Vec<_>>()
        .join("、")
}

fn events(d: &CaseDetail) -> std::slice::Iter<'_, StoredEvent> {
    d.events.iter()
}

const APPEAL_ROUTE: &str = "如不服本决定，可以在收到本决定书之日起六十日内依法申请行政复议，或者在六个月内依法向人民法院提起行政诉讼（《行政处罚法》第五十九条第一款第五项；《行政复议法》第二十条；《行政诉讼法》第四十六条）。行政复议或者行政诉讼期间，本决定不停止执行，法律另有规定的除外。";

const PAYMENT: &str = "自收到本决定书之日起十五日内，到指定银行或者通过电子支付系统缴纳罚款（《行政处罚法》第六十七条）；到期不缴纳的，每日按罚款数额的百分之三加处罚款，加处罚款的数额不超过罚款的数额（第七十二条）。";

/// Builds a document of a case, or `None` when its step has not happened (or the kind is
/// unknown).
pub fn build(d: &CaseDetail, kind: &str) -> Option<Document> {
    let &(kind, title, article) = KINDS.iter().find(|(k, _, _)| *k == kind)?;
    let s = &d.state;
    let mut b = Builder::new();
    let mut closing: Vec<String> = Vec::new();
    let mut number = s.number.clone().unwrap_or_default();
    match kind {
        "filing" => {
            let (ev, on) = events(d).find_map(|e| match &e.event {
                CaseEvent::CaseFiled { on, .. } => Some((e, *on)),
                _ => None,
            })?;
            b.section("案件");
            b.req("案件编号", number.clone());
            b.req("案由", s.cause.clone());
            b.row("案件来源", code_label("case_source", &s.source));
            b.row(
                "案源登记日期",
                s.lead_on.map(|d| d.to_string()).unwrap_or_default(),
            );
            b.req(
                "违法行为发生日期",
                s.act_date.map(|d| d.to_string()).unwrap_or_default(),
            );
            b.row("案情摘要", s.summary.clone());
            party_rows(&mut b, s, false);
            b.section("审批");
            b.req("立案日期", on.to_string());
            b.row(
                "追责时效届满日（第三十六条）",
                s.limitation_until
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
            );
            b.row("超过立案期限", if s.filed_late { "是" } else { "否" });
            b.req("负责人审批", ev.actor.clone());
            closing.push("负责人意见：同意立案。".into());
        }
        "inquiry" | "inspection" => {
            let want = if kind == "inquiry" {
                "inquiry"
            } else {
                "inspection"
            };
            let mut any = false;
            for e in events(d) {
                if let CaseEvent::RecordMade {
                    on,
                    kind: k,
                    place,
                    officers,
                    interviewee,
                    content,
                } = &e.event
                    && k == want
                {
                    any = true;
                    b.section(&format!("笔录（{on}）"));
                    b.req("时间", on.to_string());
                    b.req("地点", place.clone());
                    b.req("执法人员及执法证号", officers_text(officers));
                    if officers.len() < 2 {
                        b.missing.push("执法人员不少于两人（第四十二条）".into());
                    }
                    if kind == "inquiry" {
                        b.req("被询问人", opt(interviewee));
                    } else {
                        b.row("当事人或在场人", opt(interviewee));
                    }
                    b.req(
                        if kind == "inquiry" {
                            "询问内容"
                        } else {
                            "检查情况"
                        },
                        content.clone(),
                    );
                }
            }
            if !any {
                return None;
            }
            b.section("案件");
            b.row("案由", s.cause.clone());
            b.row("当事人", s.party.name.clone());
            closing.push("执法人员已出示执法证件（《行政处罚法》第五十五条）。".into());
            closing.push("以上笔录经被询问人（在场人）核对无误。签名：________".into());
        }
        "notice" | "hearing_notice" => {
            let n = s.notice.as_ref()?;
            if kind == "hearing_notice" && !n.hearing_right {
                return None;
            }
            party_rows(&mut b, s, true);
            b.section("拟作出的行政处罚");
            penalty_rows(&mut b, &n.penalty);
            b.section("送达");
            b.req("送达日期", n.on.to_string());
            b.row("送达方式", code_label("service_method", &n.method));
            if kind == "notice" {
                closing.push("根据《行政处罚法》第四十四条、第四十五条，你（单位）有权进行陈述和申辩。逾期未提出的，视为放弃上述权利。".into());
                if n.hearing_right {
                    closing.push("本案拟作出的处罚属于《行政处罚法》第六十三条规定的情形，你（单位）有权要求听证，详见听证告知书。".into());
                }
            } else {
                if let Some((served, date, host)) = &s.hearing.notice {
                    b.section("听证");
                    b.row("听证通知送达日期", served.to_string());
                    b.req("听证日期", date.to_string());
                    b.req("听证主持人", host.name.clone());
                }
                closing.push("根据《行政处罚法》第六十三条、第六十四条，你（单位）有权要求听证；如要求听证，应当在收到本告知书之日起五日内提出。行政机关应当在举行听证的七日前通知听证的时间、地点。当事人不承担行政机关组织听证的费用。".into());
            }
        }
        "review" => {
            let (ev, on, reviewer, opinion, comments) =
                events(d).rev().find_map(|e| match &e.event {
                    CaseEvent::ReviewOpinionGiven {
                        on,
                        reviewer,
                        opinion,
                        comments,
                    } => Some((e, *on, reviewer, *opinion, comments)),
                    _ => None,
                })?;
            let _ = ev;
            b.section("案件");
            b.req("案件编号", number.clone());
            b.row("案由", s.cause.clone());
            b.row("当事人", s.party.name.clone());
            if let Some(p) = &s.proposal {
                b.row("拟处罚", p.summary());
            }
            let triggers: Vec<&str> = s
                .review
                .requested
                .as_ref()
                .map(|(_, t)| t.iter().map(|t: &ReviewTrigger| t.zh()).collect())
                .unwrap_or_default();
            b.req("审核事由（第五十八条）", triggers.join("；"));
            b.section("审核意见");
            b.req("审核人员", reviewer.name.clone());
            b.req("法制审核资格证件号", reviewer.certificate.clone());
            b.req("审核意见", opinion.zh());
            b.row("审核说明", comments.clone());
            b.req("审核日期", on.to_string());
        }
        "discussion" => {
            let (on, participants, conclusion) = events(d).rev().find_map(|e| match &e.event {
                CaseEvent::DiscussionHeld {
                    on,
                    participants,
                    conclusion,
                } => Some((*on, participants, conclusion)),
                _ => None,
            })?;
            b.section("案件");
            b.req("案件编号", number.clone());
            b.row("案由", s.cause.clone());
            b.row("当事人", s.party.name.clone());
            b.section("讨论");
            b.req("讨论日期", on.to_string());
            b.req("参加人员", participants.join("、"));
            b.req("讨论结论", conclusion.clone());
            closing.push("情节复杂或者重大违法行为给予行政处罚，行政机关负责人应当集体讨论决定（《行政处罚法》第五十七条第二款）。".into());
        }
        "decision" => {
            let dec = s.decision.as_ref()?;
            if s.procedure == Some(zhifa_domain::case::Procedure::Simple) {
                return None;
            }
            number = dec.number.clone();
            party_rows(&mut b, s, true);
            b.section("违法事实和证据");
            match &dec.penalty {
                Some(p) => {
                    b.req("违法事实", p.facts.clone());
                    b.req("违反的法律条款", p.violated.clone());
                    let evidence: Vec<String> = events(d)
                        .filter_map(|e| match &e.event {
                            CaseEvent::EvidenceAdded {
                                evidence_type,
                                description,
                                ..
                            } => Some(format!(
                                "{}：{}",
                                code_label("evidence_type", evidence_type),
                                description
                            )),
                            _ => None,
                        })
                        .collect();
                    b.req("证据", evidence.join("；"));
                    b.section("行政处罚的种类和依据");
                    b.req("处罚依据", p.basis.clone());
                    b.req("处罚种类和数额", p.summary());
                    b.section("履行方式和期限");
                    b.req(
                        "履行方式和期限",
                        if p.fine_fen > 0 || p.confiscation_fen > 0 {
                            PAYMENT.to_string()
                        } else {
                            "自收到本决定书之日起履行。".to_string()
                        },
                    );
                }
                None => {
                    let reason = match &s.outcome {
                        Some(Outcome::NoPenalty { reason, .. }) => {
                            code_label("no_penalty_reason", reason)
                        }
                        Some(Outcome::NotEstablished) => "违法事实不能成立".to_string(),
                        _ => String::new(),
                    };
                    b.req("不予行政处罚的理由", reason);
                }
            }
            b.section("救济途径和期限");
            b.req("申请行政复议、提起行政诉讼的途径和期限", APPEAL_ROUTE);
            b.section("决定机关");
            b.req("作出决定的行政机关", s.agency_name.clone());
            b.req("作出决定的日期", dec.on.to_string());
            closing.push("（行政机关印章）".into());
        }
        "on_spot" => {
            let (on, num, place, penalty, officers, signed) =
                events(d).find_map(|e| match &e.event {
                    CaseEvent::OnSpotDecided {
                        on,
                        number,
                        place,
                        penalty,
                        officers,
                        party_signed,
                        ..
                    } => Some((*on, number, place, penalty, officers, *party_signed)),
                    _ => None,
                })?;
            number = num.clone();
            party_rows(&mut b, s, false);
            b.section("违法行为和处罚");
            penalty_rows(&mut b, penalty);
            b.req("罚款数额", yuan(penalty.fine_fen));
            b.req("时间", on.to_string());
            b.req("地点", place.clone());
            b.section("执法人员");
            b.req("执法人员及执法证号", officers_text(officers));
            b.row(
                "当事人签收",
                if signed {
                    "已签收"
                } else {
                    "当事人拒绝签收，已在决定书上注明"
                },
            );
            b.section("救济途径和期限");
            b.req("申请行政复议、提起行政诉讼的途径和期限", APPEAL_ROUTE);
            b.req("行政机关名称", s.agency_name.clone());
            closing.push("执法人员当场作出的行政处罚决定，应当报所属行政机关备案（《行政处罚法》第五十二条第三款）。".into());
            closing.push("执法人员签名：________  ________".into());
        }
        "service" => {
            let (on, method, late) = s.served.clone()?;
            let dec = s.decision.as_ref()?;
            number = dec.number.clone();
            b.section("送达");
            b.req("送达文书", format!("行政处罚决定书 {}", dec.number));
            b.req("受送达人", s.party.name.clone());
            b.row("送达地点", opt(&s.party.address));
            b.req("送达方式", code_label("service_method", &method));
            if method == "5" {
                b.req("电子送达地址（当事人同意）", opt(&s.e_service));
            }
            b.req("送达日期", on.to_string());
            b.row("超过七日送达期限", if late { "是" } else { "否" });
            closing.push("受送达人签名：________  送达人签名：________".into());
        }
        "closure" => {
            let (ev, on) = events(d).find_map(|e| match &e.event {
                CaseEvent::CaseClosed { on, .. } => Some((e, *on)),
                _ => None,
            })?;
            b.section("案件");
            b.req("案件编号", number.clone());
            b.row("案由", s.cause.clone());
            b.req("当事人", s.party.name.clone());
            if let Some(dec) = &s.decision {
                b.req("决定书文号", dec.number.clone());
                b.row(
                    "处理结果",
                    dec.penalty
                        .as_ref()
                        .map_or_else(|| "不予行政处罚".to_string(), |p| p.summary()),
                );
            } else if let Some(o) = &s.outcome {
                b.row("处理结果", code_label("investigation_outcome", o.code()));
            }
            b.section("执行情况");
            b.row("已缴纳", yuan(s.paid_fen));
            b.row("加处罚款", yuan(s.surcharge_fen));
            b.row("未缴纳", yuan(s.outstanding()));
            b.section("审批");
            b.req("结案日期", on.to_string());
            b.req("负责人审批", ev.actor.clone());
        }
        _ => return None,
    }
    Some(Document {
        kind,
        title,
        article,
        agency: s.agency_name.clone(),
        number,
        sections: b.sections,
        closing,
        missing: b.missing,
    })
}

/// The documents a case has so far, each with its missing required content.
pub fn list(d: &CaseDetail) -> Vec<DocumentRef> {
    KINDS
        .iter()
        .filter_map(|(k, _, _)| build(d, k))
        .map(|doc| DocumentRef {
            kind: doc.kind.to_string(),
            title: doc.title.to_string(),
            missing: doc.missing,
        })
        .collect()
}

/// The printable page of a document.
#[derive(askama::Template)]
#[template(path = "document.html")]
pub struct DocumentPage<'a> {
    /// The document.
    pub doc: &'a Document,
}

/// Renders a document as printable HTML.
pub fn render(doc: &Document) -> Result<String, askama::Error> {
    askama::Template::render(&DocumentPage { doc })
}
