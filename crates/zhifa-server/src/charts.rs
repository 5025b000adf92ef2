//! Charts as SVG rendered on the server (F14 dashboards): vertical bars, horizontal ranking
//! bars and line (trend) charts. No JavaScript, no fonts or scripts from a CDN; the markup is
//! inlined into the page.
//!
//! Made for a projector in a meeting room as much as for a laptop: large type (labels 20 px,
//! values 20 px, caption 24 px at the chart's natural width of 960), thick strokes, a palette
//! with strong contrast, series told apart by dash pattern and marker shape as well as colour.
//! Accessible: `role="img"` with `<title>` and `<desc>` referenced by `aria-labelledby`, a
//! `<title>` on every bar and point with its exact figure, and every text escaped. The pages
//! show the same figures in a table beside each chart.

use std::fmt::Write;

/// Natural width of every chart (the SVG scales to its container).
pub const WIDTH: f64 = 960.0;
/// Size of axis labels and values.
pub const FONT: f64 = 20.0;
/// Size of the caption.
const CAPTION_FONT: f64 = 24.0;
/// Colours of series and bars (blue, red, green, amber, purple, grey); contrast ≥ 4.5:1 on
/// white.
const PALETTE: [&str; 6] = [
    "#0550ae", "#b3261e", "#1a7f37", "#9a6700", "#6639ba", "#57606a",
];
/// Dash patterns of line series (told apart without colour).
const DASHES: [&str; 6] = ["", "10 6", "3 5", "14 5 3 5", "6 3", "2 3"];

/// One bar: its label, value, and the value as shown (e.g. `1,234.00 元`).
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// Category label.
    pub label: String,
    /// Value (non-negative).
    pub value: f64,
    /// The value as text.
    pub shown: String,
}

impl Bar {
    /// A bar of a count.
    pub fn count(label: impl Into<String>, value: i64) -> Bar {
        Bar {
            label: label.into(),
            value: value as f64,
            shown: value.to_string(),
        }
    }
}

/// One line of a trend chart; `None` values are gaps.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Name (legend).
    pub name: String,
    /// One value per x label.
    pub values: Vec<Option<f64>>,
}

/// What a chart is about (its accessible name and description, and the visible caption).
#[derive(Debug, Clone, Copy)]
pub struct Caption<'a> {
    /// Unique id prefix within the page (ASCII letters, digits, `-`).
    pub id: &'a str,
    /// Caption, e.g. `月度立案与决定`.
    pub title: &'a str,
    /// One sentence describing the data for screen readers.
    pub desc: &'a str,
}

/// Escapes text for SVG/XML content and attributes (askama's HTML escaper: `&`, `<`, `>`,
/// `"` and `'` as numeric character references, valid in XML).
pub fn escape(s: &str) -> String {
    use askama::filters::Escaper;
    let mut out = String::with_capacity(s.len());
    // Writing into a String cannot fail.
    let _ = askama::filters::Html.write_escaped_str(&mut out, s);
    out
}

/// A label cut to `max` characters (with `…`), for axes; the full text is in `<title>`.
fn short(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// A “nice” axis maximum ≥ `max` (1, 2, 2.5, 3, 4, 5 × 10ⁿ) and its tick step (5 steps);
/// counts of 5 or more never get fractional ticks.
pub fn nice_scale(max: f64) -> (f64, f64) {
    if !max.is_finite() || max <= 0.0 {
        return (5.0, 1.0);
    }
    let raw = max / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 3.0, 4.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .filter(|s| max < 5.0 || s.fract() == 0.0)
        .find(|s| s * 5.0 >= max)
        .unwrap_or(10.0 * mag);
    (step * 5.0, step)
}

/// A tick value as text (no trailing `.0`).
fn tick(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:.1}")
    }
}

/// `<svg …><title/><desc/>` and the visible caption.
fn open(c: &Caption<'_>, height: f64) -> String {
    let id = escape(c.id);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" \
         viewBox=\"0 0 {WIDTH} {height}\" width=\"100%\" \
         aria-labelledby=\"{id}-title {id}-desc\" \
         font-family=\"'Noto Sans CJK SC','WenQuanYi Micro Hei','Microsoft YaHei','PingFang SC',sans-serif\">\
         <title id=\"{id}-title\">{title}</title><desc id=\"{id}-desc\">{desc}</desc>\
         <rect width=\"{WIDTH}\" height=\"{height}\" fill=\"#ffffff\"/>\
         <text x=\"16\" y=\"34\" font-size=\"{CAPTION_FONT}\" font-weight=\"700\" fill=\"#1f2328\">{title}</text>",
        title = escape(c.title),
        desc = escape(c.desc),
    )
}

/// The text shown instead of a chart without data.
fn empty(c: &Caption<'_>) -> String {
    let mut s = open(c, 120.0);
    let _ = write!(
        s,
        "<text x=\"16\" y=\"84\" font-size=\"{FONT}\" fill=\"#59636e\">本期间没有数据</text></svg>"
    );
    s
}

/// Horizontal grid lines with their values, for a plot from `top` to `bottom`.
fn grid(s: &mut String, left: f64, right: f64, top: f64, bottom: f64, max: f64, step: f64) {
    let mut v = 0.0;
    while v <= max + step / 2.0 {
        let y = bottom - (v / max) * (bottom - top);
        let _ = write!(
            s,
            "<line x1=\"{left}\" y1=\"{y:.1}\" x2=\"{right}\" y2=\"{y:.1}\" stroke=\"#d0d7de\" stroke-width=\"1\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"{FONT}\" text-anchor=\"end\" fill=\"#59636e\">{}</text>",
            left - 8.0,
            y + FONT / 3.0,
            tick(v)
        );
        v += step;
    }
}

/// Vertical bars, one per category (counts per field, per month …).
pub fn bar_chart(c: Caption<'_>, bars: &[Bar]) -> String {
    if bars.is_empty() || bars.iter().all(|b| b.value <= 0.0) {
        return empty(&c);
    }
    let (left, right, top, bottom, height) = (80.0, WIDTH - 24.0, 64.0, 360.0, 420.0);
    let max = bars.iter().map(|b| b.value).fold(0.0, f64::max);
    let (axis_max, step) = nice_scale(max);
    let mut s = open(&c, height);
    grid(&mut s, left, right, top, bottom, axis_max, step);
    let slot = (right - left) / bars.len() as f64;
    let width = (slot * 0.6).min(90.0);
    let max_chars = ((slot / FONT).floor() as usize).max(2);
    for (i, b) in bars.iter().enumerate() {
        let h = (b.value.max(0.0) / axis_max) * (bottom - top);
        let x = left + slot * i as f64 + (slot - width) / 2.0;
        let cx = x + width / 2.0;
        let color = PALETTE[0];
        let _ = write!(
            s,
            "<g><title>{label}：{shown}</title>\
             <rect class=\"bar\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{width:.1}\" height=\"{h:.1}\" fill=\"{color}\"/>\
             <text x=\"{cx:.1}\" y=\"{:.1}\" font-size=\"{FONT}\" text-anchor=\"middle\" fill=\"#1f2328\">{shown}</text>\
             <text x=\"{cx:.1}\" y=\"{:.1}\" font-size=\"{FONT}\" text-anchor=\"middle\" fill=\"#1f2328\">{axis}</text></g>",
            bottom - h,
            bottom - h - 6.0,
            bottom + FONT + 8.0,
            label = escape(&b.label),
            shown = escape(&b.shown),
            axis = escape(&short(&b.label, max_chars)),
        );
    }
    let _ = write!(
        s,
        "<line x1=\"{left}\" y1=\"{bottom}\" x2=\"{right}\" y2=\"{bottom}\" stroke=\"#1f2328\" stroke-width=\"2\"/></svg>"
    );
    s
}

/// Horizontal bars sorted as given (rankings, breakdowns): label on the left, value at the
/// end of each bar.
pub fn ranking_bars(c: Caption<'_>, bars: &[Bar]) -> String {
    if bars.is_empty() {
        return empty(&c);
    }
    let row = 40.0;
    let top = 60.0;
    let label_w = 300.0;
    let value_w = 170.0;
    let height = top + row * bars.len() as f64 + 16.0;
    let max = bars.iter().map(|b| b.value).fold(0.0, f64::max);
    let span = WIDTH - label_w - value_w - 24.0;
    let mut s = open(&c, height);
    for (i, b) in bars.iter().enumerate() {
        let y = top + row * i as f64;
        let w = if max > 0.0 {
            (b.value.max(0.0) / max) * span
        } else {
            0.0
        };
        let color = PALETTE[0];
        let _ = write!(
            s,
            "<g><title>{label}：{shown}</title>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"{FONT}\" text-anchor=\"end\" fill=\"#1f2328\">{axis}</text>\
             <rect class=\"bar\" x=\"{label_w}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{:.1}\" fill=\"{color}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"{FONT}\" fill=\"#1f2328\">{shown}</text></g>",
            label_w - 10.0,
            y + row / 2.0 + FONT / 3.0,
            y + 6.0,
            row - 12.0,
            label_w + w + 8.0,
            y + row / 2.0 + FONT / 3.0,
            label = escape(&b.label),
            shown = escape(&b.shown),
            axis = escape(&short(&b.label, 14)),
        );
    }
    s.push_str("</svg>");
    s
}

/// A line chart over `labels` (months): one polyline per series with a marker on each
/// value, a legend, and gaps where a value is missing. `y_max` fixes the axis (e.g. 100 for
/// scores); otherwise it fits the data.
pub fn line_chart(
    c: Caption<'_>,
    labels: &[String],
    series: &[Series],
    y_max: Option<f64>,
) -> String {
    let has_data = series.iter().any(|s| s.values.iter().any(Option::is_some));
    if labels.is_empty() || !has_data {
        return empty(&c);
    }
    let (left, right, top, bottom, height) = (80.0, WIDTH - 56.0, 100.0, 400.0, 460.0);
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().flatten())
        .copied()
        .fold(0.0, f64::max);
    let (axis_max, step) = match y_max {
        Some(m) if m > 0.0 => (m, m / 5.0),
        _ => nice_scale(max),
    };
    let mut s = open(&c, height);
    // Legend under the caption.
    let mut lx = 16.0;
    for (i, ser) in series.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        let dash = DASHES[i % DASHES.len()];
        let _ = write!(
            s,
            "<line x1=\"{lx}\" y1=\"66\" x2=\"{:.1}\" y2=\"66\" stroke=\"{color}\" stroke-width=\"4\" stroke-dasharray=\"{dash}\"/>\
             <text x=\"{:.1}\" y=\"73\" font-size=\"{FONT}\" fill=\"#1f2328\">{}</text>",
            lx + 40.0,
            lx + 48.0,
            escape(&ser.name)
        );
        lx += 48.0 + FONT * ser.name.chars().count() as f64 + 28.0;
    }
    grid(&mut s, left, right, top, bottom, axis_max, step);
    let n = labels.len();
    let x_of = |i: usize| {
        if n == 1 {
            (left + right) / 2.0
        } else {
            left + (right - left) * i as f64 / (n - 1) as f64
        }
    };
    // At most ~12 x labels.
    let every = n.div_ceil(12).max(1);
    for (i, l) in labels.iter().enumerate() {
        if i % every == 0 || i == n - 1 {
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"{FONT}\" text-anchor=\"middle\" fill=\"#1f2328\">{}</text>",
                x_of(i),
                bottom + FONT + 10.0,
                escape(l)
            );
        }
    }
    for (si, ser) in series.iter().enumerate() {
        let color = PALETTE[si % PALETTE.len()];
        let dash = DASHES[si % DASHES.len()];
        // Polylines broken at gaps.
        let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
        for (i, v) in ser.values.iter().enumerate().take(n) {
            match v {
                Some(v) => {
                    let y = bottom - (v.clamp(0.0, axis_max) / axis_max) * (bottom - top);
                    if let Some(run) = runs.last_mut() {
                        run.push((x_of(i), y));
                    }
                }
                None => runs.push(Vec::new()),
            }
        }
        for run in runs.iter().filter(|r| r.len() > 1) {
            let points: Vec<String> = run.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
            let _ = write!(
                s,
                "<polyline class=\"series\" points=\"{}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"4\" stroke-dasharray=\"{dash}\"/>",
                points.join(" ")
            );
        }
        for (i, v) in ser.values.iter().enumerate().take(n) {
            let Some(v) = v else { continue };
            let x = x_of(i);
            let y = bottom - (v.clamp(0.0, axis_max) / axis_max) * (bottom - top);
            let title = format!("{} {}：{}", labels[i], ser.name, tick(*v));
            // Circle, square, diamond … by series.
            let marker = match si % 3 {
                0 => format!("<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"7\" fill=\"{color}\"/>"),
                1 => format!(
                    "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"13\" height=\"13\" fill=\"{color}\"/>",
                    x - 6.5,
                    y - 6.5
                ),
                _ => format!(
                    "<polygon points=\"{x:.1},{:.1} {:.1},{y:.1} {x:.1},{:.1} {:.1},{y:.1}\" fill=\"{color}\"/>",
                    y - 8.0,
                    x + 8.0,
                    y + 8.0,
                    x - 8.0
                ),
            };
            let _ = write!(
                s,
                "<g class=\"point\"><title>{}</title>{marker}</g>",
                escape(&title)
            );
        }
    }
    let _ = write!(
        s,
        "<line x1=\"{left}\" y1=\"{bottom}\" x2=\"{right}\" y2=\"{bottom}\" stroke=\"#1f2328\" stroke-width=\"2\"/></svg>"
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cap<'a>(title: &'a str) -> Caption<'a> {
        Caption {
            id: "c1",
            title,
            desc: "按月统计的案件数",
        }
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape("<a href=\"x\">&'</a>"),
            "&#60;a href=&#34;x&#34;&#62;&#38;&#39;&#60;/a&#62;"
        );
        let svg = bar_chart(cap("立案 <script>"), &[Bar::count("天河区 & 越秀区\"", 3)]);
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("立案 &#60;script&#62;"));
        assert!(svg.contains("天河区 &#38; 越秀区&#34;"));
    }

    #[test]
    fn charts_are_accessible_images_with_large_type() {
        let svg = bar_chart(
            cap("按领域立案数"),
            &[Bar::count("市场监管", 12), Bar::count("生态环境", 5)],
        );
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("aria-labelledby=\"c1-title c1-desc\""));
        assert!(svg.contains("<title id=\"c1-title\">按领域立案数</title>"));
        assert!(svg.contains("<desc id=\"c1-desc\">按月统计的案件数</desc>"));
        assert!(svg.ends_with("</svg>"));
        // Every text at least 20 px.
        for part in svg.split("font-size=\"").skip(1) {
            let size: f64 = part.split('"').next().unwrap().parse().unwrap();
            assert!(size >= FONT, "{size}");
        }
        // One bar per category, each with its exact figure as a tooltip.
        assert_eq!(svg.matches("class=\"bar\"").count(), 2);
        assert!(svg.contains("<title>市场监管：12</title>"));
        assert!(svg.contains(">生态环境</text>"));
        // No script, no external reference.
        assert!(!svg.contains("<script"));
        assert_eq!(svg.matches("http").count(), 1, "only the SVG namespace");
    }

    #[test]
    fn bar_heights_follow_the_values() {
        let svg = bar_chart(cap("x"), &[Bar::count("甲", 10), Bar::count("乙", 5)]);
        let heights: Vec<f64> = svg
            .split("class=\"bar\"")
            .skip(1)
            .map(|p| {
                let h = p.split("height=\"").nth(1).unwrap();
                h.split('"').next().unwrap().parse().unwrap()
            })
            .collect();
        assert_eq!(heights.len(), 2);
        assert!((heights[0] - 2.0 * heights[1]).abs() < 0.2, "{heights:?}");
    }

    #[test]
    fn empty_data_says_so() {
        let svg = bar_chart(cap("无数据"), &[]);
        assert!(svg.contains("本期间没有数据"));
        assert!(ranking_bars(cap("x"), &[]).contains("本期间没有数据"));
        let labels = vec!["2026-01".to_string()];
        let none = Series {
            name: "得分".into(),
            values: vec![None],
        };
        assert!(line_chart(cap("x"), &labels, &[none], Some(100.0)).contains("本期间没有数据"));
    }

    #[test]
    fn ranking_rows_and_long_labels() {
        let svg = ranking_bars(
            cap("综合得分排名"),
            &[
                Bar {
                    label: "广州市天河区市场监督管理局执法支队第一大队".into(),
                    value: 92.5,
                    shown: "92.5".into(),
                },
                Bar {
                    label: "越秀区".into(),
                    value: 80.0,
                    shown: "80.0".into(),
                },
            ],
        );
        assert_eq!(svg.matches("class=\"bar\"").count(), 2);
        // Cut on the axis, whole in the tooltip.
        assert!(svg.contains("广州市天河区市场监督管理局…"));
        assert!(svg.contains("<title>广州市天河区市场监督管理局执法支队第一大队：92.5</title>"));
    }

    #[test]
    fn lines_have_points_gaps_and_a_legend() {
        let labels: Vec<String> = (1..=4).map(|m| format!("2026-0{m}")).collect();
        let svg = line_chart(
            cap("月度趋势"),
            &labels,
            &[
                Series {
                    name: "立案".into(),
                    values: vec![Some(1.0), Some(3.0), None, Some(2.0)],
                },
                Series {
                    name: "决定".into(),
                    values: vec![Some(0.0), Some(1.0), Some(1.0), Some(2.0)],
                },
            ],
            None,
        );
        // 立案 is broken at the gap: one run of two points (the lone last point has no line).
        assert_eq!(svg.matches("class=\"series\"").count(), 2);
        assert_eq!(svg.matches("class=\"point\"").count(), 7);
        assert!(svg.contains("<title>2026-02 立案：3</title>"));
        assert!(svg.contains(">立案</text>") && svg.contains(">决定</text>"));
        assert!(svg.contains("stroke-dasharray=\"10 6\""));
    }

    #[test]
    fn scales_are_nice() {
        assert_eq!(nice_scale(12.0), (15.0, 3.0));
        assert_eq!(nice_scale(100.0), (100.0, 20.0));
        assert_eq!(nice_scale(3.0), (5.0, 1.0));
        assert_eq!(nice_scale(0.0), (5.0, 1.0));
        assert_eq!(nice_scale(4_800.0), (5_000.0, 1_000.0));
        assert_eq!(tick(2.5), "2.5");
        assert_eq!(tick(20.0), "20");
    }
}
