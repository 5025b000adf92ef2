//! Errors of loading a calendar table.

use chrono::NaiveDate;

/// A calendar table (CSV `date,kind,festival`) was rejected. Messages are Chinese and name the
/// line of the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The file is not readable CSV (e.g. wrong number of columns).
    #[error("第 {line} 行：CSV 格式错误（{message}）")]
    Csv {
        /// 1-based line number.
        line: u64,
        /// Parser message.
        message: String,
    },
    /// The header is not `date,kind,festival`.
    #[error("第 1 行：表头应为 date,kind,festival，实为 {found}")]
    Header {
        /// The header found.
        found: String,
    },
    /// A date is not a real `YYYY-MM-DD` date.
    #[error("第 {line} 行：日期“{value}”无效，应为 YYYY-MM-DD 格式的真实日期")]
    Date {
        /// 1-based line number.
        line: u64,
        /// The value found.
        value: String,
    },
    /// The kind is neither `holiday` nor `workday`.
    #[error("第 {line} 行：类型“{value}”无效，应为 holiday（法定节假日）或 workday（调休上班日）")]
    Kind {
        /// 1-based line number.
        line: u64,
        /// The value found.
        value: String,
    },
    /// A make-up workday falls on Monday–Friday, which is a working day anyway: the table is
    /// probably wrong.
    #[error("第 {line} 行：{date} 是{weekday}，本来就是工作日；调休上班日只能是星期六或星期日")]
    WorkdayNotWeekend {
        /// 1-based line number.
        line: u64,
        /// The date.
        date: NaiveDate,
        /// Its weekday in Chinese.
        weekday: &'static str,
    },
    /// The same date is listed twice with different kinds.
    #[error("第 {line} 行：{date} 在文件中重复出现，且类型与前一次不同")]
    Conflict {
        /// 1-based line number.
        line: u64,
        /// The date.
        date: NaiveDate,
    },
    /// The file has no rows.
    #[error("日历文件中没有任何日期行")]
    Empty,
}
