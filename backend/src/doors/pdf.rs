//! PDF documents the doors hand out: a unit's statement, a golden thread's handover pack, and
//! one-page documents. Written with `pdf-writer` in the
//! standard Helvetica faces (every reader has them, so nothing is embedded) and WinAnsi
//! encoding, which holds the pound sign and the dashes a UK statement uses.

mod handover;

pub use handover::handover;

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use proplink_shared::london::format_date;

use crate::doors::pages::{Cell, Table, headers};
use crate::services::ledger::Statement;

const WIDTH: f32 = 595.0;
const HEIGHT: f32 = 842.0;
const MARGIN: f32 = 42.0;
const REGULAR: Name<'static> = Name(b"F1");
const BOLD: Name<'static> = Name(b"F2");
/// Rows of movements on a page after the first.
const ROWS_PER_PAGE: usize = 44;
/// Rows on the first page, below the heading and the summary.
const FIRST_PAGE_ROWS: usize = 32;

/// Text as WinAnsi bytes: Latin-1 as it is, the typographic marks at their WinAnsi places,
/// anything else as `?`.
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            ' '..='~' => c as u8,
            '\u{a0}'..='\u{ff}' => c as u32 as u8,
            '–' => 0x96,
            '—' => 0x97,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '€' => 0x80,
            '…' => 0x85,
            _ => b'?',
        })
        .collect()
}

/// The width of `text` in Helvetica at `size`, close enough to right-align figures: digits,
/// `£` and most letters are 0.556 em; separators are narrower.
fn width(text: &str, size: f32) -> f32 {
    let ems: f32 = text
        .chars()
        .map(|c| match c {
            ',' | '.' | ' ' | 'i' | 'l' | 'j' | 'I' | 'f' | 't' => 0.278,
            '-' | '(' | ')' | 'r' => 0.333,
            'm' | 'w' | 'M' | 'W' => 0.833,
            _ => 0.556,
        })
        .sum();
    ems * size
}

/// A date in a table column: `15 Sep 2025`.
fn short_date(d: time::Date) -> String {
    d.format(time::macros::format_description!(
        "[day padding:none] [month repr:short] [year]"
    ))
    .unwrap_or_default()
}

/// At most `max` characters, with an ellipsis when cut.
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(max - 1).collect();
        cut.push('…');
        cut
    }
}

struct Page {
    content: Content,
}

impl Page {
    fn new() -> Self {
        Page {
            content: Content::new(),
        }
    }

    fn text(&mut self, font: Name<'_>, size: f32, x: f32, y: f32, text: &str) {
        let bytes = win_ansi(text);
        self.content
            .begin_text()
            .set_font(font, size)
            .next_line(x, y)
            .show(Str(&bytes))
            .end_text();
    }

    fn right(&mut self, font: Name<'_>, size: f32, right: f32, y: f32, text: &str) {
        self.text(font, size, right - width(text, size), y, text);
    }

    fn rule(&mut self, y: f32) {
        self.content
            .set_line_width(0.5)
            .move_to(MARGIN, y)
            .line_to(WIDTH - MARGIN, y)
            .stroke();
    }
}

/// The columns of the movements: date, description, reference at their left edges; debit,
/// credit and balance at their right edges.
const DATE_X: f32 = MARGIN;
const DESCRIPTION_X: f32 = 110.0;
const REFERENCE_X: f32 = 304.0;
const DEBIT_RIGHT: f32 = 432.0;
const CREDIT_RIGHT: f32 = 490.0;
const BALANCE_RIGHT: f32 = WIDTH - MARGIN;

fn column_headings(page: &mut Page, y: f32) {
    page.text(BOLD, 9.0, DATE_X, y, "Date");
    page.text(BOLD, 9.0, DESCRIPTION_X, y, "Description");
    page.text(BOLD, 9.0, REFERENCE_X, y, "Reference");
    page.right(BOLD, 9.0, DEBIT_RIGHT, y, "Debit");
    page.right(BOLD, 9.0, CREDIT_RIGHT, y, "Credit");
    page.right(BOLD, 9.0, BALANCE_RIGHT, y, "Balance");
    page.rule(y - 4.0);
}

/// The statement as a PDF: who and what it is for, the opening balance, every movement with
/// its running balance, the closing balance and what of it is in arrears.
#[must_use]
pub fn statement(organisation: &str, s: &Statement) -> Vec<u8> {
    let mut done: Vec<Page> = Vec::new();
    let mut page = Page::new();
    let first = &mut page;
    let mut y = HEIGHT - MARGIN - 14.0;
    first.text(BOLD, 16.0, MARGIN, y, organisation);
    y -= 26.0;
    first.text(BOLD, 20.0, MARGIN, y, "Statement of account");
    y -= 24.0;
    let mut facts = vec![
        ("Unit", format!("{}, {}", s.unit_name, s.building_name)),
        (
            "Account holder",
            s.contact
                .as_ref()
                .map_or_else(|| "Nobody is billed".to_owned(), |(_, n)| n.clone()),
        ),
        ("As at", format_date(s.as_at)),
    ];
    if let Some(from) = s.from {
        facts.push(("From", format_date(from)));
    }
    facts.push(("Opening balance", s.opening.as_balance()));
    facts.push(("Balance", s.balance.as_balance()));
    facts.push(("In arrears", s.arrears.to_string()));
    for (label, value) in &facts {
        first.text(BOLD, 10.0, MARGIN, y, label);
        first.text(REGULAR, 10.0, 150.0, y, value);
        y -= 15.0;
    }
    y -= 12.0;
    column_headings(first, y);
    y -= 18.0;
    let opening_label = if s.from.is_some() {
        "Opening balance"
    } else {
        "Opening balance (account opened)"
    };
    first.text(REGULAR, 9.0, DESCRIPTION_X, y, opening_label);
    first.right(REGULAR, 9.0, BALANCE_RIGHT, y, &s.opening.as_balance());
    y -= 14.0;
    let mut on_page = 1;
    let mut capacity = FIRST_PAGE_ROWS;
    for line in &s.lines {
        if on_page >= capacity {
            done.push(std::mem::replace(&mut page, Page::new()));
            y = HEIGHT - MARGIN - 14.0;
            page.text(
                BOLD,
                10.0,
                MARGIN,
                y,
                &format!("Statement of account: {} (continued)", s.unit_name),
            );
            y -= 24.0;
            column_headings(&mut page, y);
            y -= 18.0;
            on_page = 0;
            capacity = ROWS_PER_PAGE;
        }
        page.text(REGULAR, 9.0, DATE_X, y, &short_date(line.date));
        page.text(REGULAR, 9.0, DESCRIPTION_X, y, &clip(&line.description, 37));
        page.text(REGULAR, 9.0, REFERENCE_X, y, &clip(&line.reference, 16));
        if let Some(d) = line.debit {
            page.right(REGULAR, 9.0, DEBIT_RIGHT, y, &d.to_string());
        }
        if let Some(c) = line.credit {
            page.right(REGULAR, 9.0, CREDIT_RIGHT, y, &c.to_string());
        }
        page.right(REGULAR, 9.0, BALANCE_RIGHT, y, &line.balance.as_balance());
        y -= 14.0;
        on_page += 1;
    }
    let last = &mut page;
    last.rule(y + 8.0);
    y -= 6.0;
    last.text(BOLD, 10.0, DESCRIPTION_X, y, "Closing balance");
    last.right(BOLD, 10.0, BALANCE_RIGHT, y, &s.balance.as_balance());
    y -= 15.0;
    last.text(BOLD, 10.0, DESCRIPTION_X, y, "Of which in arrears");
    last.right(BOLD, 10.0, BALANCE_RIGHT, y, &s.arrears.to_string());
    done.push(page);
    render(
        organisation,
        &format!("Statement of account: {}", s.unit_name),
        done,
    )
}

/// A one-page document: whose it is, a heading, and its facts as label and value — a
/// contractor's certificate or quotation as the demo makes them.
#[must_use]
pub fn one_page(author: &str, heading: &str, facts: &[(&str, String)]) -> Vec<u8> {
    let mut page = Page::new();
    let mut y = HEIGHT - MARGIN - 14.0;
    page.text(BOLD, 16.0, MARGIN, y, author);
    y -= 26.0;
    page.text(BOLD, 20.0, MARGIN, y, heading);
    y -= 24.0;
    for (label, value) in facts {
        page.text(BOLD, 10.0, MARGIN, y, label);
        page.text(REGULAR, 10.0, 190.0, y, &clip(value, 70));
        y -= 15.0;
    }
    render(author, heading, vec![page])
}

fn render(organisation: &str, title: &str, pages: Vec<Page>) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let regular = Ref::new(3);
    let bold = Ref::new(4);
    let info = Ref::new(5);
    let count = pages.len();
    let page_refs: Vec<Ref> = (0..count)
        .map(|i| Ref::new(6 + 2 * i32::try_from(i).unwrap_or(0)))
        .collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_refs.iter().copied())
        .count(i32::try_from(count).unwrap_or(i32::MAX));
    pdf.type1_font(regular)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold)
        .base_font(Name(b"Helvetica-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.document_info(info)
        .title(TextStr(title))
        .author(TextStr(organisation))
        .creator(TextStr("PropLink"));
    for (i, (mut page, id)) in pages.into_iter().zip(&page_refs).enumerate() {
        page.right(
            REGULAR,
            8.0,
            WIDTH - MARGIN,
            MARGIN - 16.0,
            &format!("Page {} of {count}", i + 1),
        );
        let content_id = Ref::new(id.get() + 1);
        let mut p = pdf.page(*id);
        p.media_box(Rect::new(0.0, 0.0, WIDTH, HEIGHT))
            .parent(tree)
            .contents(content_id);
        p.resources()
            .fonts()
            .pair(REGULAR, regular)
            .pair(BOLD, bold);
        p.finish();
        pdf.stream(content_id, &page.content.finish());
    }
    pdf.finish()
}

/// The statement's movements with their running balance.
pub fn statement_table(s: &Statement) -> Table {
    let rows = s
        .lines
        .iter()
        .map(|l| {
            vec![
                Cell::date(l.date),
                Cell::text(&l.description),
                Cell::text(&l.reference),
                l.debit.map_or_else(|| Cell::text(""), Cell::money),
                l.credit.map_or_else(|| Cell::text(""), Cell::money),
                Cell::text(l.balance.as_balance()).numeric(),
            ]
        })
        .collect();
    let mut h = headers(&[
        "Date",
        "Description",
        "Reference",
        "Debit",
        "Credit",
        "Balance",
    ]);
    for col in &mut h[3..] {
        col.numeric = true;
    }
    Table {
        caption: format!(
            "Statement for {} as at {}",
            s.unit_name,
            proplink_shared::london::format_date(s.as_at)
        ),
        headers: h,
        rows,
        empty: "No charges or payments in this period.".into(),
    }
}

/// A statement as a PDF download, named by its unit and date.
pub fn statement_download(organisation: &str, s: &Statement) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    let bytes = statement(organisation, s);
    let file = format!(
        "statement-{}-{}.pdf",
        s.unit_name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            })
            .collect::<String>(),
        crate::store::date_text(s.as_at)
    );
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uk_text_is_encoded_for_helvetica() {
        assert_eq!(win_ansi("£450.00 – paid"), b"\xa3450.00 \x96 paid");
        assert_eq!(win_ansi("Café 😀"), b"Caf\xe9 ?");
    }

    #[test]
    fn long_text_is_clipped_with_an_ellipsis() {
        assert_eq!(clip("Service charge", 36), "Service charge");
        assert_eq!(clip("abcdef", 4), "abc…");
    }
}
