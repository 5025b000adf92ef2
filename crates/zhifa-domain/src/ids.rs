//! Validated identifiers (标识符): unified social credit code (统一社会信用代码, GB 32100-2015),
//! citizen ID number (公民身份号码, GB 11643-1999), organisation code (组织机构代码, GB 11714)
//! and the enforcement certificate number (执法证号, Zhifa data standard ZF-1.0).
//!
//! Each identifier is a newtype that can only be built by `parse` (or `TryFrom`/`FromStr`/serde,
//! which all call `parse`), so a value of the type always passes its check digit.

mod cert_no;
mod citizen_id;
mod org_code;
mod uscc;

pub use cert_no::CertificateNumber;
pub use citizen_id::{CitizenId, Sex, citizen_id_with_check};
pub use org_code::OrgCode;
pub use uscc::{Uscc, uscc_with_check};
