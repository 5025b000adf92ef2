//! Zhifa domain (领域层): the data standard (数据元和代码集, F1), validated identifiers,
//! money in fen, China time and the legal calendar (法定工作日历).
//!
//! This crate is pure: no database, no network, no file system access at run time (the
//! reference tables it needs are compiled in). Every type that holds an identifier or a value
//! can only be built through a validating constructor, so an invalid value cannot exist.
//!
//! ```
//! use chrono::NaiveDate;
//! use zhifa_domain::{Fen, LegalCalendar, Uscc, check_code};
//!
//! // GB 32100-2015: the check character is verified on parse.
//! let uscc = Uscc::parse("91350100M000100Y43").unwrap();
//! assert_eq!(uscc.region_code(), "350100");
//! assert_eq!(Uscc::parse("91350100M000100Y44").unwrap_err().code, "uscc.check_char");
//!
//! // APL Art. 85: five working days after 2024-09-30 skip the National Day holidays.
//! let calendar = LegalCalendar::builtin();
//! let start = NaiveDate::from_ymd_opt(2024, 9, 30).unwrap();
//! assert_eq!(calendar.add_working_days(start, 5).date, NaiveDate::from_ymd_opt(2024, 10, 12).unwrap());
//!
//! // Money is integer fen; code values come from the data standard ZF-1.0.
//! assert_eq!(Fen::parse_yuan("1,234.50").unwrap().value(), 123_450);
//! assert!(check_code("penalty_type", "03").is_ok());
//! ```

#![forbid(unsafe_code)]

pub mod calendar;
pub mod case;
pub mod complaint;
pub mod error;
pub mod ids;
mod macros;
pub mod money;
pub mod region;
pub mod standard;
pub mod time;

pub use calendar::{CalendarError, Dated, Deadline, LegalCalendar};
pub use error::{FieldError, Invalid};
pub use ids::{CertificateNumber, CitizenId, OrgCode, Sex, Uscc};
pub use money::Fen;
pub use region::{Region, RegionCode, RegionLevel, RegionTable};
pub use standard::{Standard, check_code};
pub use time::ChinaDate;
