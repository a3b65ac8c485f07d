//! Bar charts drawn on the server as SVG: no script, nothing to download, readable on a phone.
//! Each chart is a picture for the eye; the table beside it carries the same figures for
//! screen readers and for copying.

use std::fmt::Write as _;

/// One bar: its label under the axis, its value, and the text of its figure.
pub struct Bar {
    pub label: String,
    pub value: i64,
    pub figure: String,
}

const WIDTH: i64 = 640;
const HEIGHT: i64 = 280;
const LEFT: i64 = 78;
const RIGHT: i64 = 12;
const TOP: i64 = 16;
const BOTTOM: i64 = 40;

/// A round number at or above `max` for the top of the scale: 1, 2 or 5 times a power of ten.
fn nice_ceiling(max: i64) -> i64 {
    if max <= 0 {
        return 1;
    }
    let mut step = 1i64;
    while step.saturating_mul(10) <= max {
        step = step.saturating_mul(10);
    }
    for m in [1, 2, 5, 10] {
        if step.saturating_mul(m) >= max {
            return step.saturating_mul(m);
        }
    }
    step.saturating_mul(10)
}

/// Text safe inside SVG markup.
fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains(['&', '<', '>', '"']) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A bar chart of `bars`, its scale from 0 to `top` (or a round number above the largest bar),
/// the scale's figures written by `axis`. `label` names the chart for assistive technology,
/// which is pointed to the table with the figures.
#[must_use]
pub fn bars(label: &str, bars: &[Bar], top: Option<i64>, axis: impl Fn(i64) -> String) -> String {
    let top = top.unwrap_or_else(|| nice_ceiling(bars.iter().map(|b| b.value).max().unwrap_or(0)));
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let mut svg = format!(
        r#"<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{}" focusable="false">"#,
        escape(label)
    );
    // Gridlines and the scale: 0, a quarter, a half, three quarters, the top.
    for i in 0..=4 {
        let value = top * i / 4;
        let y = TOP + plot_h - plot_h * i / 4;
        let _ = write!(
            svg,
            r#"<line class="grid" x1="{LEFT}" x2="{}" y1="{y}" y2="{y}"/><text class="axis" x="{}" y="{}" text-anchor="end">{}</text>"#,
            WIDTH - RIGHT,
            LEFT - 8,
            y + 4,
            escape(&axis(value))
        );
    }
    let count = i64::try_from(bars.len()).unwrap_or(1).max(1);
    let slot = plot_w / count;
    let bar_w = (slot * 3 / 5).max(2);
    for (i, bar) in bars.iter().enumerate() {
        let i = i64::try_from(i).unwrap_or(0);
        let h = if top > 0 {
            (bar.value.clamp(0, top) * plot_h) / top
        } else {
            0
        };
        let x = LEFT + slot * i + (slot - bar_w) / 2;
        let y = TOP + plot_h - h;
        let _ = write!(
            svg,
            r#"<rect class="bar" x="{x}" y="{y}" width="{bar_w}" height="{h}"><title>{}: {}</title></rect><text class="axis" x="{}" y="{}" text-anchor="middle">{}</text>"#,
            escape(&bar.label),
            escape(&bar.figure),
            x + bar_w / 2,
            HEIGHT - BOTTOM + 18,
            escape(&bar.label)
        );
    }
    let _ = write!(
        svg,
        r#"<line class="baseline" x1="{LEFT}" x2="{}" y1="{}" y2="{}"/></svg>"#,
        WIDTH - RIGHT,
        TOP + plot_h,
        TOP + plot_h
    );
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scale_ends_on_a_round_number() {
        assert_eq!(nice_ceiling(0), 1);
        assert_eq!(nice_ceiling(7), 10);
        assert_eq!(nice_ceiling(130), 200);
        assert_eq!(nice_ceiling(4_100_000), 5_000_000);
        assert_eq!(nice_ceiling(100), 100);
    }

    #[test]
    fn bars_are_drawn_to_scale_and_labels_escaped() {
        let svg = bars(
            "Test <chart>",
            &[
                Bar {
                    label: "Jan".into(),
                    value: 50,
                    figure: "50".into(),
                },
                Bar {
                    label: "A&B".into(),
                    value: 100,
                    figure: "100".into(),
                },
            ],
            Some(100),
            |v| v.to_string(),
        );
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains(r#"aria-label="Test &lt;chart&gt;""#));
        assert!(svg.contains("A&amp;B"));
        // The plot is 224 high: the full bar is 224, the half bar 112.
        assert!(
            svg.contains(r#"height="224""#) && svg.contains(r#"height="112""#),
            "{svg}"
        );
    }
}
