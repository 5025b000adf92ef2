//! Writes the example export of an environment-protection system
//! (`examples/exchange/environment-xlsx/input.xlsx`): a sheet of on-site inspections
//! (现场检查记录) with a title row, Chinese headers, real Excel date-time cells, and a few
//! deliberately bad rows (one officer only, an unknown result, a text date that does not
//! exist, an `#N/A` error cell, a certificate number with an unknown region).
//!
//! Run with `cargo run -p zhifa-exchange --example environment_xlsx`; the file is committed,
//! and the test `examples::environment_xlsx_inspections` maps it.

use std::path::Path;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Formula, Workbook, XlsxError};

/// A cell of the example sheet.
enum Cell {
    Text(&'static str),
    /// Date and time (year, month, day, hour, minute).
    When(u16, u8, u8, u16, u8),
    /// A formula whose cached result is an Excel error.
    Error(&'static str, &'static str),
}

const HEADER: [&str; 12] = [
    "记录编号",
    "检查编号",
    "检查时间",
    "检查单位",
    "被检查单位",
    "统一社会信用代码",
    "检查地点",
    "所在区",
    "检查人员",
    "检查结果",
    "检查情况",
    "事项编码",
];

fn rows() -> Vec<[Cell; 12]> {
    use Cell::{Error, Text, When};
    vec![
        [
            Text("JC20250001"),
            Text("穗环检〔2025〕1号"),
            When(2025, 1, 8, 9, 30),
            Text("广州市生态环境局"),
            Text("广州白云新材料科技有限公司"),
            Text("91440111MA59P2RE2E"),
            Text("广州市白云区太和镇大源北路18号"),
            Text("白云区"),
            Text("王建华(4401000200011)、李敏(4401000200027)"),
            Text("未发现问题"),
            Text("废气处理设施正常运行，排污口规范化设置符合要求。"),
            Text("440100-02-06-0012"),
        ],
        [
            Text("JC20250002"),
            Text("穗环检〔2025〕2号"),
            When(2025, 1, 9, 14, 0),
            Text("广州市生态环境局"),
            Text("广州番禺精工电镀有限公司"),
            Text("91440113MA5D3H1U2C"),
            Text("广州市番禺区石碁镇工业园二路6号"),
            Text("番禺区"),
            Text("赵国栋(4401000200035)、孙丽(4401000200043)"),
            Text("立案查处"),
            Text("电镀废水总排口在线监测数据超标，已现场采样并立案调查。"),
            Text("440100-02-06-0015"),
        ],
        [
            Text("JC20250003"),
            Text("穗环检〔2025〕3号"),
            When(2025, 1, 10, 10, 15),
            Text("广州市生态环境局"),
            Text("广州黄埔联合化工有限公司"),
            Text("91440112MA59K1XW8E"),
            Text("广州市黄埔区云埔工业区东诚片8号"),
            Text("黄埔区"),
            Text("赵国栋(4401000200035)"),
            Text("责令改正"),
            Text("危险废物贮存场所标识不全。"),
            Text("440100-02-06-0012"),
        ],
        [
            Text("JC20250004"),
            Text("穗环检〔2025〕4号"),
            When(2025, 1, 13, 9, 0),
            Text("广州市生态环境局"),
            Text("广州市穗清环保科技有限公司"),
            Text("91440100MA5EN7LH6W"),
            Text("广州市天河区黄埔大道西100号"),
            Text("天河区"),
            Text("王建华(4401000200011)、孙丽(4401000200043)"),
            Text("待定"),
            Text("现场资料不全，待补充后复查。"),
            Text("440100-02-06-0012"),
        ],
        [
            Text("JC20250005"),
            Text("穗环检〔2025〕5号"),
            Text("2025-13-01 10:00"),
            Text("广州市生态环境局"),
            Text("广州白云新材料科技有限公司"),
            Text("91440111MA59P2RE2E"),
            Text("广州市白云区太和镇大源北路18号"),
            Text("白云区"),
            Text("王建华(4401000200011)、李敏(4401000200027)"),
            Text("未发现问题"),
            Text("复查：整改到位。"),
            Text("440100-02-06-0012"),
        ],
        [
            Text("JC20250006"),
            Text("穗环检〔2025〕6号"),
            When(2025, 1, 15, 15, 30),
            Text("广州市生态环境局"),
            Text("广州番禺精工电镀有限公司"),
            Error("VLOOKUP(E8,单位库!A:B,2,FALSE)", "#N/A"),
            Text("广州市番禺区石碁镇工业园二路6号"),
            Text("番禺区"),
            Text("赵国栋(4401000200035)、孙丽(4401000200043)"),
            Text("责令改正"),
            Text("雨污分流不彻底。"),
            Text("440100-02-06-0015"),
        ],
        [
            Text("JC20250007"),
            Text("穗环检〔2025〕7号"),
            When(2025, 1, 16, 10, 0),
            Text("广州市生态环境局"),
            Text("广州市白云区永兴汽车修理厂"),
            Text("92440111MA5F2K3P95"),
            Text("广州市白云区永平街永兴路23号"),
            Text("白云区"),
            Text("李敏(4401000200027)、孙丽(4401000200043)"),
            Text("责令改正"),
            Text("喷漆房废气收集设施未开启，责令立即改正。"),
            Text("440100-02-06-0012"),
        ],
        [
            Text("JC20250008"),
            Text("穗环检〔2025〕8号"),
            When(2025, 1, 17, 9, 45),
            Text("广州市生态环境局"),
            Text("广州黄埔联合化工有限公司"),
            Text("91440112MA59K1XW8E"),
            Text("广州市黄埔区云埔工业区东诚片8号"),
            Text("黄埔区"),
            Text("王建华(9901000200011)、李敏(4401000200027)"),
            Text("未发现问题"),
            Text("复查：危险废物标识已补齐。"),
            Text("440100-02-06-0012"),
        ],
    ]
}

fn main() -> Result<(), XlsxError> {
    let out = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/exchange/environment-xlsx/input.xlsx");
    let mut workbook = Workbook::new();
    // A fixed creation time keeps the file identical on every run.
    let created = ExcelDateTime::from_ymd(2025, 1, 20)?.and_hms(8, 0, 0)?;
    workbook.set_properties(
        &DocProperties::new()
            .set_title("广州市生态环境局现场检查记录导出")
            .set_creation_datetime(&created),
    );
    let sheet = workbook.add_worksheet();
    sheet.set_name("现场检查记录")?;
    let bold = Format::new().set_bold();
    let when = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    sheet.write_string_with_format(0, 0, "广州市生态环境局现场检查记录导出（2025年1月）", &bold)?;
    for (col, h) in HEADER.iter().enumerate() {
        sheet.write_string_with_format(1, col as u16, *h, &bold)?;
    }
    for (i, row) in rows().iter().enumerate() {
        let r = 2 + i as u32;
        for (col, cell) in row.iter().enumerate() {
            let col = col as u16;
            match cell {
                Cell::Text(s) => {
                    sheet.write_string(r, col, *s)?;
                }
                Cell::When(y, m, d, h, min) => {
                    let t = ExcelDateTime::from_ymd(*y, *m, *d)?.and_hms(*h, *min, 0)?;
                    sheet.write_datetime_with_format(r, col, &t, &when)?;
                }
                Cell::Error(formula, result) => {
                    sheet.write_formula(r, col, Formula::new(*formula).set_result(*result))?;
                }
            }
        }
    }
    sheet.set_column_width(2, 18)?;
    sheet.set_column_width(4, 30)?;
    sheet.set_column_width(8, 42)?;
    workbook.save(&out)?;
    println!("wrote {}", out.display());
    Ok(())
}
