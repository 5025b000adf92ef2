//! Markdown rendering of the data standard (the published document).

use std::fmt::Write;

use super::{CodeSet, Element, Standard};

/// Escapes a table cell: pipes and line breaks would break the table.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn opt(s: Option<&str>) -> String {
    s.map(cell).unwrap_or_else(|| "—".to_string())
}

fn element_row(out: &mut String, e: &Element) {
    let pattern = e.pattern.as_deref().map(|p| format!("`{}`", cell(p)));
    let _ = writeln!(
        out,
        "| `{}` | {} | {} | {} (`{}`) | {} | {} | {} | {} | {} | {} | {} |",
        e.id,
        cell(&e.name_zh),
        cell(&e.name_en),
        e.data_type.zh(),
        e.data_type.as_str(),
        pattern.unwrap_or_else(|| "—".to_string()),
        e.max_len.map_or_else(|| "—".to_string(), |n| n.to_string()),
        e.code_set
            .as_deref()
            .map_or_else(|| "—".to_string(), |s| format!("[`{s}`](#code-set-{s})")),
        if e.required { "是 (yes)" } else { "否 (no)" },
        cell(&e.since),
        cell(&e.description),
        opt(e.basis.as_deref()),
    );
}

fn code_set_section(out: &mut String, set: &CodeSet) {
    let _ = writeln!(out, "<a id=\"code-set-{}\"></a>\n", set.id);
    let _ = writeln!(out, "### `{}` {}（{}）\n", set.id, set.name_zh, set.name_en);
    let _ = writeln!(out, "- 依据 (basis)：{}", opt(set.basis.as_deref()));
    let _ = writeln!(out, "- 自版本 (since)：{}\n", set.since);
    out.push_str("| 代码 (code) | 名称 | Name | 说明 (note) |\n|---|---|---|---|\n");
    for c in &set.codes {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            c.code,
            cell(&c.name_zh),
            cell(&c.name_en),
            opt(c.note.as_deref())
        );
    }
    out.push('\n');
}

/// Renders the whole standard.
pub(super) fn render(std: &Standard) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", std.title);
    let _ = writeln!(out, "- 标识 (id)：`{}`", std.id);
    let _ = writeln!(out, "- 版本 (version)：{}", std.version);
    let _ = writeln!(
        out,
        "- 数据元 (elements)：{}；代码集 (code sets)：{}\n",
        std.elements.len(),
        std.code_sets.len()
    );
    out.push_str(
        "本文件由 `zhifa-domain` 中的 `standard/zhifa-standard.toml` 生成，请勿手工修改。\n",
    );
    out.push_str(
        "Generated from `standard/zhifa-standard.toml` in `zhifa-domain`; do not edit by hand.\n\n",
    );

    out.push_str("## 数据元类别 (Element classes)\n\n| 标识 (id) | 名称 | Name | 数据元数 (elements) |\n|---|---|---|---|\n");
    for c in &std.classes {
        let n = std.elements_of(&c.id).count();
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            c.id,
            cell(&c.name_zh),
            cell(&c.name_en),
            n
        );
    }
    out.push('\n');

    out.push_str("## 数据元 (Data elements)\n\n");
    for c in &std.classes {
        let _ = writeln!(out, "### {}（{}）\n", c.name_zh, c.name_en);
        out.push_str(
            "| 标识 (id) | 中文名称 | English name | 类型 (type) | 格式 (pattern) | 最大长度 (max) | 代码集 (code set) | 必填 (required) | 自版本 (since) | 说明 (description) | 依据 (basis) |\n",
        );
        out.push_str("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for e in std.elements_of(&c.id) {
            element_row(&mut out, e);
        }
        out.push('\n');
    }

    out.push_str("## 代码集 (Code sets)\n\n");
    for set in &std.code_sets {
        code_set_section(&mut out, set);
    }
    out
}
