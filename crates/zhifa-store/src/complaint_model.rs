//! Records and inputs of complaints and reports (投诉举报): the intake input, the stored record
//! as staff see it (contact data masked), the receipt and the public tracking view a citizen
//! gets, the handling steps' input, list filters and the counts that feed the indicators.
//!
//! Codes: `kind` is `complaint` (投诉) or `report` (举报); `channel` is a code of the data
//! standard's set `complaint_channel` (1 12345 热线, 2 信件, 3 网络, …); `status` is one of
//! [`ComplaintStatus`](zhifa_domain::complaint::ComplaintStatus)'s codes.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Input of an intake (登记), as a citizen or a department system sends it. Every field may
/// be missing from the JSON: validation then names each one that is required.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(default)]
pub struct ComplaintInput {
    /// `complaint` (投诉) or `report` (举报).
    pub kind: String,
    /// Channel code (set `complaint_channel`): 1 12345 热线, 2 信件, 3 网络, 4 来访, 5 部门电话,
    /// 9 其他.
    pub channel: String,
    /// GB/T 2260 code of where the matter happened; blank with a valid respondent USCC: the
    /// USCC's registration region.
    pub region_code: String,
    /// Enforcement field code (set `enforcement_field`).
    pub field: String,
    /// The unit or person complained about (被投诉举报对象, 1–200 chars).
    pub respondent_name: String,
    /// Its unified social credit code, if known (GB 32100, check character verified).
    pub respondent_uscc: Option<String>,
    /// Its address.
    pub respondent_address: Option<String>,
    /// Facts and request (10–5000 chars).
    pub content: String,
    /// An anonymous report (举报 only): no contact data is given.
    pub anonymous: bool,
    /// Complainant's name (required unless anonymous; stored encrypted).
    pub contact_name: Option<String>,
    /// Complainant's telephone (required unless anonymous; stored encrypted).
    pub contact_phone: Option<String>,
}

/// A complaint as staff see it: the complainant's name and phone only masked.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct Complaint {
    /// Id (UUID v7).
    pub id: String,
    /// Number, e.g. `投诉〔2026〕17号`.
    pub number: String,
    /// `complaint` or `report`.
    pub kind: String,
    /// Channel code (set `complaint_channel`).
    pub channel: String,
    /// Where the matter happened (GB/T 2260).
    pub region_code: String,
    /// Enforcement field code.
    pub field: String,
    /// The unit or person complained about.
    pub respondent_name: String,
    /// Its USCC, if given.
    pub respondent_uscc: Option<String>,
    /// Its address, if given.
    pub respondent_address: Option<String>,
    /// Facts and request.
    pub content: String,
    /// Anonymous report.
    pub anonymous: bool,
    /// Masked complainant name, e.g. `张*`.
    pub contact_name_masked: Option<String>,
    /// Masked telephone, e.g. `138****8000`.
    pub contact_phone_masked: Option<String>,
    /// The agency routed to (执法主体), none while 待分派.
    pub agency_id: Option<String>,
    /// Its name.
    pub agency_name: Option<String>,
    /// How it was routed: `auto`, `manual`, or why not (`none`, `ambiguous`).
    pub routing: Option<String>,
    /// Date received (YYYY-MM-DD).
    pub received_on: String,
    /// Time received (RFC 3339, UTC+8).
    pub received_at: String,
    /// Acceptance decision due (暂行办法第十四条).
    pub accept_due: String,
    /// Handling due, once accepted (《信访工作条例》第三十四条).
    pub handle_due: Option<String>,
    /// The deadline running now (none once decided and handled).
    pub due_on: Option<String>,
    /// The deadline was computed for a year without an official holiday table.
    pub due_provisional: bool,
    /// Status code.
    pub status: String,
    /// Date routed.
    pub routed_on: Option<String>,
    /// Date of the acceptance decision (受理 or 不予受理).
    pub decided_on: Option<String>,
    /// Why not accepted.
    pub reject_reason: Option<String>,
    /// Date handled (办结).
    pub handled_on: Option<String>,
    /// Result of the handling.
    pub result: Option<String>,
    /// The case opened for it, if any.
    pub case_id: Option<String>,
    /// The supervision alert it led to, if any.
    pub alert_id: Option<String>,
    /// Date replied (答复).
    pub replied_on: Option<String>,
    /// Reply text.
    pub reply: Option<String>,
    /// Incremented on every change.
    pub version: i64,
    /// Creation time.
    pub created_at: String,
    /// Last change time.
    pub updated_at: String,
}

/// What the intake answers: the number and the query code (shown once; only its keyed hash is
/// stored), with where the complaint went.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct ComplaintReceipt {
    /// Id.
    pub id: String,
    /// Number, e.g. `投诉〔2026〕17号`.
    pub number: String,
    /// Query code (查询码, 8 characters) to track the complaint with its number.
    pub query_code: String,
    /// Status code (`received` or `routed`).
    pub status: String,
    /// Chinese status.
    pub status_name: String,
    /// The agency it was routed to, if any.
    pub agency_name: Option<String>,
    /// Date received.
    pub received_on: String,
    /// Acceptance decision due.
    pub accept_due: String,
}

/// What a citizen sees with the number and the query code: progress and the reply, nothing of
/// other people's data.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct ComplaintTrack {
    /// Number.
    pub number: String,
    /// `complaint` or `report`.
    pub kind: String,
    /// The unit or person complained about.
    pub respondent_name: String,
    /// Date received.
    pub received_on: String,
    /// Status code.
    pub status: String,
    /// Chinese status.
    pub status_name: String,
    /// The agency handling it.
    pub agency_name: Option<String>,
    /// The deadline running now.
    pub due_on: Option<String>,
    /// Date of the acceptance decision.
    pub decided_on: Option<String>,
    /// Why not accepted.
    pub reject_reason: Option<String>,
    /// Date handled.
    pub handled_on: Option<String>,
    /// Date replied.
    pub replied_on: Option<String>,
    /// The reply.
    pub reply: Option<String>,
}

/// The data of a handling step (`route`, `accept`, `reject`, `handle`, `reply`); each step
/// reads the fields it needs.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(default)]
pub struct ComplaintStep {
    /// Date of the step (YYYY-MM-DD, default today; not before the previous step).
    pub on: Option<String>,
    /// `route`: the agency (执法主体 id).
    pub agency_id: Option<String>,
    /// `reject`: the reason (暂行办法第十五条).
    pub reason: Option<String>,
    /// `handle`: the result.
    pub result: Option<String>,
    /// `handle`: the case opened for it (a case of the same agency).
    pub case_id: Option<String>,
    /// `handle`: the supervision alert it led to.
    pub alert_id: Option<String>,
    /// `reply`: the reply text.
    pub reply: Option<String>,
}

/// Filters of the complaint list.
#[derive(Debug, Clone, Default, Deserialize, Serialize, IntoParams, ToSchema)]
#[serde(default)]
pub struct ComplaintFilter {
    /// Status code.
    pub status: Option<String>,
    /// Only complaints whose running deadline has passed.
    pub overdue: Option<bool>,
    /// `complaint` or `report`.
    pub kind: Option<String>,
    /// Only complaints of this agency.
    pub agency_id: Option<String>,
    /// Number or respondent contains.
    pub q: Option<String>,
    /// Received on or after (YYYY-MM-DD).
    pub from: Option<String>,
    /// Received on or before (YYYY-MM-DD).
    pub to: Option<String>,
}

/// Complaint counts of one agency over a period (for the indicators): received in the period,
/// of those how many missed a deadline (decided or handled late, or still open past it), and
/// how many were replied.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct ComplaintCount {
    /// The agency; `None` for complaints not routed yet.
    pub agency_id: Option<String>,
    /// Its name.
    pub agency_name: Option<String>,
    /// Received in the period.
    pub received: i64,
    /// Of those, decided or handled after the deadline, or open past it.
    pub overdue: i64,
    /// Of those, replied.
    pub replied: i64,
}

/// A region where complaints can be routed (regions of active agencies), for the intake
/// form's select.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct IntakeRegion {
    /// GB/T 2260 code.
    pub code: String,
    /// Full name, e.g. 广东省广州市天河区.
    pub name: String,
}

/// Who takes a handling step, on which day, with which calendar.
#[derive(Debug, Clone, Copy)]
pub struct StepContext<'a> {
    /// The actor's role code (`officer`, `head`, `supervisor`, `admin`, …).
    pub role: &'a str,
    /// Today (China time): steps may not be dated later.
    pub today: chrono::NaiveDate,
    /// The legal calendar, for the handling deadline.
    pub calendar: &'a zhifa_domain::calendar::LegalCalendar,
}
