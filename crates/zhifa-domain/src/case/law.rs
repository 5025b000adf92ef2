//! Citations of the articles the case rules enforce, as shown to users.

/// 《行政处罚法》 Art. 9 — penalty types.
pub const APL_9: &str = "《行政处罚法》第九条";
/// Art. 30 — minors.
pub const APL_30: &str = "《行政处罚法》第三十条";
/// Art. 33 — no penalty.
pub const APL_33: &str = "《行政处罚法》第三十三条";
/// Art. 34 — discretion benchmarks.
pub const APL_34: &str = "《行政处罚法》第三十四条";
/// Art. 36 — limitation.
pub const APL_36: &str = "《行政处罚法》第三十六条";
/// Art. 42 — at least two officers with qualification.
pub const APL_42: &str = "《行政处罚法》第四十二条";
/// Art. 43 — recusal (回避).
pub const APL_43: &str = "《行政处罚法》第四十三条";
/// Art. 44 — prior notice.
pub const APL_44: &str = "《行政处罚法》第四十四条";
/// Art. 45 — statements and defence; no heavier penalty.
pub const APL_45: &str = "《行政处罚法》第四十五条";
/// Art. 48 — publication.
pub const APL_48: &str = "《行政处罚法》第四十八条";
/// Art. 51 — simple procedure thresholds.
pub const APL_51: &str = "《行政处罚法》第五十一条";
/// Art. 52 — on-the-spot decision document, 备案.
pub const APL_52: &str = "《行政处罚法》第五十二条";
/// Art. 54 — filing.
pub const APL_54: &str = "《行政处罚法》第五十四条";
/// Art. 55 — show certificates, records.
pub const APL_55: &str = "《行政处罚法》第五十五条";
/// Art. 56 — sampling, evidence preservation.
pub const APL_56: &str = "《行政处罚法》第五十六条";
/// Art. 57 — investigation outcomes, collective discussion.
pub const APL_57: &str = "《行政处罚法》第五十七条";
/// Art. 58 — legal review.
pub const APL_58: &str = "《行政处罚法》第五十八条";
/// Art. 59 — decision contents.
pub const APL_59: &str = "《行政处罚法》第五十九条";
/// Art. 60 — 90-day decision period.
pub const APL_60: &str = "《行政处罚法》第六十条";
/// Art. 61 — service.
pub const APL_61: &str = "《行政处罚法》第六十一条";
/// Art. 62 — no decision without notice and hearing of statements.
pub const APL_62: &str = "《行政处罚法》第六十二条";
/// Art. 63 — hearing rights.
pub const APL_63: &str = "《行政处罚法》第六十三条";
/// Art. 64 — hearing procedure.
pub const APL_64: &str = "《行政处罚法》第六十四条";
/// Art. 66 — deferral and instalments.
pub const APL_66: &str = "《行政处罚法》第六十六条";
/// Art. 67 — payment within 15 days.
pub const APL_67: &str = "《行政处罚法》第六十七条";
/// Art. 68 — on-the-spot collection.
pub const APL_68: &str = "《行政处罚法》第六十八条";
/// Art. 72 — enforcement measures, surcharge.
pub const APL_72: &str = "《行政处罚法》第七十二条";
/// Art. 73 — no suspension during review/litigation; surcharge paused.
pub const APL_73: &str = "《行政处罚法》第七十三条";
/// Art. 27 — transfer to judicial organs.
pub const APL_27: &str = "《行政处罚法》第二十七条";
/// Art. 85 — working days.
pub const APL_85: &str = "《行政处罚法》第八十五条";
/// 《行政强制法》 Art. 18 — procedure of coercive measures.
pub const ACL_18: &str = "《行政强制法》第十八条";
/// ACL Art. 24 — seizure decision and inventory.
pub const ACL_24: &str = "《行政强制法》第二十四条";
/// ACL Art. 25 — seizure term.
pub const ACL_25: &str = "《行政强制法》第二十五条";
/// ACL Art. 35 — 催告.
pub const ACL_35: &str = "《行政强制法》第三十五条";
/// ACL Art. 45 — surcharge cap.
pub const ACL_45: &str = "《行政强制法》第四十五条";
/// ACL Art. 53 — court application window.
pub const ACL_53: &str = "《行政强制法》第五十三条";
/// ACL Art. 54 — 10 working days after 催告.
pub const ACL_54: &str = "《行政强制法》第五十四条";
/// 国办发〔2018〕118号 — publication of decisions.
pub const GB_118: &str = "国办发〔2018〕118号";
/// Separation of duties: who may act in which role (Zhifa access rules).
pub const ROLES: &str = "《行政处罚法》第五十七条、第五十八条（职责分工）";
/// Art. 46 — evidence types.
pub const APL_46: &str = "《行政处罚法》第四十六条";
/// Art. 47 — whole-process record (dates and order of acts).
pub const APL_47_RECORD: &str = "《行政处罚法》第四十七条";
