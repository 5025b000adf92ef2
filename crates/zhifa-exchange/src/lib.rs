//! Zhifa data exchange (数据汇聚与共享, feature F9), the pure half: no database.
//!
//! - **Standard exchange format v1** (标准交换格式, [`format`](mod@format)): record types for base data
//!   ([`Subject`] 执法对象, [`Officer`] 执法人员, [`Matter`] 执法事项) and enforcement
//!   behaviour ([`Case`] 案件, [`CaseEvent`] 案件事件, [`Decision`] 处罚决定,
//!   [`Inspection`] 行政检查), each field bound to a data element of the standard ZF-1.0,
//!   each record carrying its source system and original id and a [`NaturalKey`]. Two
//!   profiles: JSON Lines ([`StandardRecord::to_json_line`]) and CSV
//!   ([`RecordType::csv_header`], [`StandardRecord::csv_row`]).
//! - **JSON Schemas** ([`schema::json_schema`]) per record type and version, generated from
//!   the same field tables and the standard's elements.
//! - **Streaming readers** ([`read`]): CSV in UTF-8 or GBK/GB18030 (declared or detected),
//!   XLSX (calamine), JSON Lines; constant memory, line numbers, no panics.
//! - **Declarative mappings** ([`Mapping`]): a TOML file (see `docs/exchange-mapping.md`)
//!   turns each source row into a validated [`StandardRecord`] or a list of [`Rejection`]s.
//! - **Validation reports** ([`Report`]) as CSV and HTML; [`CsvReportWriter`] streams the
//!   CSV while rows are mapped and [`Report::with_limit`] bounds what the report keeps.
//!
//! # Using it (the import pipeline's side)
//!
//! ```
//! use zhifa_exchange::{Mapping, Outcome, Report};
//!
//! let mapping = Mapping::from_toml(r#"
//!     record_type = "subject"
//!     source_system = "示例系统"
//!     [input]
//!     format = "csv"
//!     [source_id]
//!     column = "ID"
//!     [fields.party_type]
//!     column = "LX"
//!     map = { "企业" = "2", "个人" = "1" }
//!     [fields.name]
//!     column = "MC"
//!     [fields.uscc]
//!     column = "DM"
//! "#).unwrap();
//! let csv = "ID,LX,MC,DM\n\
//!            1,企业,广州市天河区云栖餐饮管理有限公司,91440106MA59C8X28A\n\
//!            2,企业,广州穗华食品贸易有限公司,91440106MA5AL3R187\n";
//! let mut report = Report::new(&mapping);
//! for row in mapping.open(std::io::Cursor::new(csv.as_bytes().to_vec())).unwrap() {
//!     let row = row.unwrap(); // Err: reading stopped (I/O error, broken file)
//!     report.add(&row);
//!     match &row.outcome {
//!         Outcome::Accepted(record) => {
//!             // Apply idempotently by the natural key.
//!             assert_eq!(record.natural_key().to_string(), "subject:91440106MA59C8X28A");
//!         }
//!         Outcome::Rejected(rejections) => {
//!             assert_eq!((rejections[0].line, rejections[0].code.as_str()), (3, "uscc.check_char"));
//!         }
//!         Outcome::Skipped(_) => {}
//!     }
//! }
//! assert_eq!((report.accepted, report.rejected), (1, 1));
//! assert!(report.to_csv_string().contains("uscc.check_char"));
//! ```
//!
//! Rows stream: [`Mapping::open`] (seekable input, all formats), [`Mapping::open_stream`]
//! (pipes and request bodies: CSV, JSON Lines) and [`Mapping::open_path`] return an iterator
//! of `Result<MappedRow, ReadError>`; an `Err` ends the stream and names the line. For files
//! already in the standard profiles use [`Mapping::standard`].

#![forbid(unsafe_code)]

pub mod error;
pub mod format;
pub mod mapping;
pub mod read;
pub mod report;
pub mod schema;
pub mod value;

pub use error::{MappingError, ReadError};
pub use format::{
    Case, CaseEvent, Decision, FieldDef, Inspection, Matter, NaturalKey, Officer, RecordType,
    StandardRecord, Subject, Version,
};
pub use mapping::{MappedRow, MappedRows, Mapping, Outcome, Rejection};
pub use read::{Encoding, ReadOptions, SourceFormat, SourceRow};
pub use report::{CsvReportWriter, Report};
