//! `zhifa calendar …`: the everyday questions of the legal calendar (法定工作日历).
//! "2/3/5/7 days" of the APL are working days (APL Art. 85; ACL Art. 69 for ≤ 10 days);
//! longer periods are calendar days starting the day after the act.

use std::process::ExitCode;

use anyhow::{Context, Result};
use chrono::{Datelike, NaiveDate, Weekday};
use zhifa_domain::calendar::{Deadline, LegalCalendar};
use zhifa_domain::time::ChinaDate;
use zhifa_store::model::Actor;

use crate::cli::CalendarCmd;
use crate::config::Config;
use crate::node;

fn weekday_zh(d: NaiveDate) -> &'static str {
    match d.weekday() {
        Weekday::Mon => "星期一",
        Weekday::Tue => "星期二",
        Weekday::Wed => "星期三",
        Weekday::Thu => "星期四",
        Weekday::Fri => "星期五",
        Weekday::Sat => "星期六",
        Weekday::Sun => "星期日",
    }
}

/// Chinese name of a festival of the official table (whose names are English).
fn festival_zh(name: &str) -> &str {
    match name {
        "New Year's Day" => "元旦",
        "Spring Festival" => "春节",
        "Tomb-sweeping Day" => "清明节",
        "Labour Day" => "劳动节",
        "Dragon Boat Festival" => "端午节",
        "Mid-autumn Festival" => "中秋节",
        "National Day" => "国庆节",
        "Anti-Fascist 70th Day" => "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
        other => other,
    }
}

fn date_arg(name: &str, s: &str) -> Result<NaiveDate> {
    ChinaDate::parse(s)
        .map(|d| d.date())
        .map_err(|e| anyhow::anyhow!("参数 {name}：{e}（{}）", e.code))
}

const PROVISIONAL: &str =
    " [暂定：该年度节假日安排尚未载入，仅按周末计算；管理员可用 `zhifa calendar load` 载入]";

fn mark(provisional: bool) -> &'static str {
    if provisional { PROVISIONAL } else { "" }
}

/// The calendar in force: the shipped table plus years an administrator loaded into the
/// node's database (read only when the node already has a database).
async fn calendar_in_force(config: &Config) -> Result<LegalCalendar> {
    let has_db = config.database_kind() == "postgres" || config.data_dir.join("zhifa.db").exists();
    if has_db {
        let store = node::open_store(config).await?;
        node::calendar(&store).await
    } else {
        Ok(LegalCalendar::builtin())
    }
}

fn print_deadline(d: &Deadline, what: String) {
    let rolled = d
        .rolled_from
        .map(|r| format!("；期间届满日 {r} 为节假日，顺延至其后第一个工作日"))
        .unwrap_or_default();
    println!(
        "{} {}（{what}{rolled}）{}",
        d.date,
        weekday_zh(d.date),
        mark(d.provisional)
    );
}

/// Answers one calendar question. `workday` exits 1 for a non-working day.
pub async fn run(query: CalendarCmd, config: &Config) -> Result<ExitCode> {
    match query {
        CalendarCmd::Workday { date } => {
            let d = date_arg("date", &date)?;
            let cal = calendar_in_force(config).await?;
            let w = cal.is_working_day(d);
            let verdict = match (w.value, cal.festival(d).map(festival_zh)) {
                (true, Some(f)) => format!("工作日（{f}调休上班）"),
                (true, None) => "工作日".to_string(),
                (false, Some(f)) => format!("非工作日（{f}放假）"),
                (false, None) => "非工作日（休息日）".to_string(),
            };
            println!("{d} {} {verdict}{}", weekday_zh(d), mark(w.provisional));
            Ok(if w.value {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        CalendarCmd::Add {
            date,
            days,
            calendar,
        } => {
            let d = date_arg("date", &date)?;
            let cal = calendar_in_force(config).await?;
            if calendar {
                let dl = cal.add_calendar_days(d, days);
                print_deadline(&dl, format!("{d} 起算，{days} 日期间，自次日开始计算"));
            } else {
                let dl = cal.add_working_days(d, days);
                print_deadline(
                    &dl,
                    format!("{d} 后第 {days} 个工作日；《行政处罚法》第八十五条"),
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        CalendarCmd::Between { from, to } => {
            let a = date_arg("from", &from)?;
            let b = date_arg("to", &to)?;
            let cal = calendar_in_force(config).await?;
            let n = cal.working_days_between(a, b);
            println!(
                "{}（{a} 之后至 {b}（含）的工作日数）{}",
                n.value,
                mark(n.provisional)
            );
            Ok(ExitCode::SUCCESS)
        }
        CalendarCmd::Load { file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("while reading {}", file.display()))?;
            let store = node::open_store(config).await?;
            let mut cal = node::calendar(&store).await?;
            let years = cal
                .load_csv(&text)
                .with_context(|| format!("节假日安排文件 {} 不合规", file.display()))?;
            store
                .save_calendar_csv(&cal.to_csv(), &Actor::system("calendar-load"))
                .await
                .context("while saving the calendar")?;
            let ys: Vec<String> = years.iter().map(|y| y.to_string()).collect();
            println!(
                "已载入节假日安排：{} 年；当前覆盖 {} 个年度",
                ys.join("、"),
                cal.covered_years().len()
            );
            Ok(ExitCode::SUCCESS)
        }
        CalendarCmd::Export => {
            let cal = calendar_in_force(config).await?;
            print!("{}", cal.to_csv());
            Ok(ExitCode::SUCCESS)
        }
    }
}
