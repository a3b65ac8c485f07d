//! The golden thread's handover pack as a PDF: a cover with the building and who exported it
//! when, then each part as it stands, field by field, followed by its earlier versions and
//! what each changed. Text flows onto as many pages as it needs.

use proplink_shared::london::{format_date, format_date_time, local};
use proplink_shared::records::diff;

use super::{BOLD, HEIGHT, MARGIN, Page, REGULAR, WIDTH, render, width};
use crate::services::golden_thread::handover::{Handover, shown};

const TOP: f32 = HEIGHT - MARGIN - 14.0;
const BOTTOM: f32 = MARGIN + 10.0;

/// Lines of text flowing down pages, starting a new page when one is full.
struct Flow {
    done: Vec<Page>,
    page: Page,
    y: f32,
    running_head: String,
}

impl Flow {
    fn new(running_head: String) -> Self {
        Flow {
            done: Vec::new(),
            page: Page::new(),
            y: TOP,
            running_head,
        }
    }

    /// Room for `height` more points on this page, or a new page.
    fn room(&mut self, height: f32) {
        if self.y - height < BOTTOM {
            self.done
                .push(std::mem::replace(&mut self.page, Page::new()));
            self.y = TOP;
            let head = self.running_head.clone();
            self.page.text(REGULAR, 8.0, MARGIN, self.y, &head);
            self.y -= 20.0;
        }
    }

    fn gap(&mut self, points: f32) {
        self.y -= points;
    }

    /// `text` wrapped to the width between `x` and the right margin.
    fn para(&mut self, font: pdf_writer::Name<'_>, size: f32, x: f32, text: &str) {
        let leading = size * 1.35;
        for paragraph in text.split('\n') {
            for line in wrap(paragraph, size, WIDTH - MARGIN - x) {
                self.room(leading);
                self.page.text(font, size, x, self.y, &line);
                self.y -= leading;
            }
        }
    }

    fn heading(&mut self, size: f32, text: &str) {
        // A heading never sits alone at the foot of a page.
        self.room(size * 1.4 + 40.0);
        self.gap(6.0);
        self.para(BOLD, size, MARGIN, text);
        self.gap(2.0);
    }

    fn finish(mut self) -> Vec<Page> {
        self.done.push(self.page);
        self.done
    }
}

/// Words laid into lines no wider than `max` at `size`; a word longer than a line is cut.
/// Each character is measured once or twice, so a long text without spaces costs no more
/// than one with them.
fn wrap(text: &str, size: f32, max: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut line_width = 0.0;
    let space = width(" ", size);
    for word in text.split_whitespace() {
        let word_width = width(word, size);
        if !line.is_empty() && line_width + space + word_width <= max {
            line.push(' ');
            line.push_str(word);
            line_width += space + word_width;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            line_width = 0.0;
        }
        if word_width <= max {
            line.push_str(word);
            line_width = word_width;
            continue;
        }
        // Too long for any line: cut where the line is full.
        let mut buf = [0u8; 4];
        for c in word.chars() {
            let w = width(c.encode_utf8(&mut buf), size);
            if line_width + w > max && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                line_width = 0.0;
            }
            line.push(c);
            line_width += w;
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// The handover pack of a building's golden thread.
#[must_use]
pub fn handover(pack: &Handover) -> Vec<u8> {
    let b = &pack.building;
    let title = format!("Golden thread: {}", b.name);
    let mut flow = Flow::new(format!("{title} (handover pack)"));
    flow.para(BOLD, 16.0, MARGIN, &pack.organisation);
    flow.gap(10.0);
    flow.para(BOLD, 20.0, MARGIN, &title);
    flow.gap(8.0);
    let registration = if b.bsr_registration.is_empty() {
        "Not registered".to_owned()
    } else {
        b.bsr_registration.clone()
    };
    let versions: usize = pack.parts.iter().map(|p| p.versions.len()).sum();
    for (label, value) in [
        ("BSR registration", registration),
        ("Exported", format_date_time(pack.exported_at)),
        ("Exported by", pack.exported_by.clone()),
        (
            "Contents",
            format!("{} parts, {versions} versions", pack.parts.len()),
        ),
    ] {
        flow.room(15.0);
        flow.page.text(BOLD, 10.0, MARGIN, flow.y, label);
        flow.page.text(REGULAR, 10.0, 160.0, flow.y, &value);
        flow.gap(15.0);
    }
    flow.gap(6.0);
    flow.para(
        REGULAR,
        9.0,
        MARGIN,
        "Each part of the golden thread as it stands, then every earlier version with what it changed, who saved it, when and why.",
    );
    for part in &pack.parts {
        let Some(current) = part.versions.first() else {
            continue;
        };
        flow.heading(14.0, part.section.label());
        flow.para(
            REGULAR,
            8.5,
            MARGIN,
            &format!(
                "Version {} of {}, saved {} by {} via {}. {}",
                current.version,
                part.versions.len(),
                format_date_time(current.at),
                current.author,
                current.channel.label(),
                current.change_note
            ),
        );
        flow.gap(4.0);
        for field in part.section.fields() {
            let value = current
                .body
                .get(field.name)
                .filter(|v| !v.is_empty())
                .map_or_else(|| "Not recorded".to_owned(), |v| shown(field.kind, v));
            flow.room(30.0);
            flow.para(BOLD, 9.5, MARGIN, field.label);
            flow.para(REGULAR, 9.5, MARGIN + 10.0, &value);
            flow.gap(3.0);
        }
        if part.versions.len() > 1 {
            flow.heading(
                11.0,
                &format!(
                    "Earlier versions of {}",
                    part.section.label().to_lowercase()
                ),
            );
            for pair in part.versions.windows(2) {
                let (later, earlier) = (&pair[0], &pair[1]);
                flow.para(
                    BOLD,
                    9.0,
                    MARGIN,
                    &format!(
                        "Version {} replaced version {} on {} ({}): {}",
                        later.version,
                        earlier.version,
                        format_date(local(later.at).date()),
                        later.author,
                        later.change_note
                    ),
                );
                for change in diff(part.section, &earlier.body, &later.body) {
                    let before = if change.before.is_empty() {
                        "(blank)"
                    } else {
                        &change.before
                    };
                    let after = if change.after.is_empty() {
                        "(blank)"
                    } else {
                        &change.after
                    };
                    flow.para(
                        REGULAR,
                        8.5,
                        MARGIN + 10.0,
                        &format!(
                            "{}: was \u{201c}{before}\u{201d}, became \u{201c}{after}\u{201d}",
                            change.label
                        ),
                    );
                }
                flow.gap(4.0);
            }
            if let Some(first) = part.versions.last() {
                flow.para(
                    BOLD,
                    9.0,
                    MARGIN,
                    &format!(
                        "Version {} was first recorded on {} by {}: {}",
                        first.version,
                        format_date(local(first.at).date()),
                        first.author,
                        first.change_note
                    ),
                );
            }
        }
    }
    if !pack.occurrences.is_empty() {
        flow.heading(14.0, "Mandatory occurrence reports");
        for o in &pack.occurrences {
            flow.para(
                BOLD,
                9.5,
                MARGIN,
                &format!(
                    "{}: {} (aware {}, due {})",
                    o.reference,
                    o.status.label(),
                    format_date(o.aware_on),
                    format_date(o.due_on)
                ),
            );
            flow.para(REGULAR, 9.0, MARGIN + 10.0, &o.what_happened);
            if let Some(reference) = &o.notice_reference {
                flow.para(
                    REGULAR,
                    9.0,
                    MARGIN + 10.0,
                    &format!("The Regulator's reference for the notice: {reference}"),
                );
            }
            if let Some(report) = &o.report {
                flow.para(REGULAR, 9.0, MARGIN + 10.0, &format!("Report: {report}"));
            }
            flow.gap(4.0);
        }
    }
    if !pack.documents.is_empty() {
        flow.heading(14.0, "Documents in the golden thread");
        flow.para(
            REGULAR,
            8.5,
            MARGIN,
            "Each is kept with its SHA-256 digest, by which the copy handed over can be checked.",
        );
        for d in &pack.documents {
            flow.para(
                BOLD,
                9.0,
                MARGIN,
                &format!("{}: {} (version {})", d.folder, d.title, d.version),
            );
            flow.para(
                REGULAR,
                8.0,
                MARGIN + 10.0,
                &format!(
                    "{}, {} bytes, SHA-256 {}",
                    d.filename, d.size_bytes, d.sha256
                ),
            );
        }
    }
    render(&pack.organisation, &title, flow.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_wraps_within_the_margins_and_keeps_every_word() {
        let text = "The external wall system is brick slips on a rainscreen with mineral wool insulation, replaced in 2024 after the survey found ACM panels on the upper storeys.";
        let lines = wrap(text, 10.0, 200.0);
        assert!(lines.len() > 2, "{lines:?}");
        assert!(lines.iter().all(|l| width(l, 10.0) <= 200.0), "{lines:?}");
        assert_eq!(lines.join(" "), text);
        let long = "x".repeat(200);
        let cut = wrap(&long, 10.0, 100.0);
        assert!(cut.iter().all(|l| width(l, 10.0) <= 100.0));
        assert_eq!(cut.concat(), long);
        assert_eq!(wrap("", 10.0, 100.0), vec![String::new()]);
    }
}
