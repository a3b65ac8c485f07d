//! Two years of Acme's history: quarterly charges and the payments, requests, issues and
//! repairs between them, in date order.

use proplink_shared::records::*;
use proplink_shared::states::{CloseReason, InvoiceStatus, IssueStatus, TicketStatus};
use proplink_shared::{Money, WorkOrderId};
use time::{Date, Duration, OffsetDateTime};

use crate::demo::data;
use crate::demo::{R, at, pay_by_card, quarter_days, resident};
use crate::services::ledger::Receipt;
use crate::services::tickets::TicketOrigin;
use crate::services::work_orders::WorkReport;
use crate::services::{issues, ledger, quotes, tickets, work_orders};
use crate::store::requests::IssuePlace;
use crate::store::work_orders::WorkOrderPlace;

use super::Acme;

impl Acme<'_> {
    /// Two years in date order: each quarter's charges and the payments against them, and the
    /// requests, issues and repairs that fell in it.
    pub(super) async fn history(&mut self, now: OffsetDateTime) -> R<(usize, usize)> {
        let quarters = quarter_days(now, 8);
        let story_starts = now.date() - Duration::days(21);
        let (mut invoices, mut payments) = (0, 0);
        for (qi, quarter_day) in quarters.iter().enumerate() {
            let recent = qi + 3 >= quarters.len();
            invoices += self.charge(*quarter_day).await?;
            // What happens in the weeks after the quarter day, sorted into time order.
            let mut events: Vec<(OffsetDateTime, Happening)> = Vec::new();
            for (i, flat) in self.flats() {
                let offset = i64::try_from((i * 37 + qi * 11) % 21).unwrap_or(0);
                let paid_on = *quarter_day + Duration::days(offset);
                let when = at(
                    paid_on,
                    10 + u8::try_from(offset % 8).unwrap_or(0),
                    u8::try_from((i * 7) % 60).unwrap_or(0),
                );
                // Mrs Khan has this quarter's charge still to pay, on ResidencePort.
                let left_to_pay = flat.name == "Mrs Khan" && qi + 1 == quarters.len();
                if !(left_to_pay || i % 9 == 0 && recent) {
                    let amount = if i % 7 == 0 && qi + 1 == quarters.len() {
                        Money::from_pence(flat.quarterly.pence() / 2)
                    } else if i % 13 == 0 && qi == 2 {
                        Money::from_pence(flat.quarterly.pence() + 5_000)
                    } else {
                        flat.quarterly
                    };
                    events.push((
                        when,
                        Happening::Payment {
                            flat: i,
                            amount,
                            on: paid_on,
                        },
                    ));
                }
                // Each flat asks for something about every four quarters, a site walk finds
                // something by it as often, and every eighth quarter brings it a repair.
                let day = |k: usize| {
                    *quarter_day
                        + Duration::days(i64::try_from((i * k + qi * 5) % 70).unwrap_or(0) + 1)
                };
                let within = |d: Date| d < story_starts;
                if (i + qi) % 4 == 0 && within(day(13)) {
                    events.push((
                        at(day(13), 9, 30),
                        Happening::Request {
                            flat: i,
                            spec: (i + qi) % data::PAST_REQUESTS.len(),
                        },
                    ));
                }
                if (i + qi) % 4 == 2 && within(day(17)) {
                    events.push((
                        at(day(17), 11, 15),
                        Happening::Issue {
                            flat: i,
                            spec: (i + qi) % data::PAST_ISSUES.len(),
                        },
                    ));
                }
                if (i + qi) % 8 == 5 && within(day(23)) {
                    events.push((
                        at(day(23), 14, 0),
                        Happening::Repair {
                            flat: i,
                            spec: (i + qi) % data::PAST_REPAIRS.len(),
                        },
                    ));
                }
            }
            events.sort_by_key(|(when, _)| *when);
            for (when, happening) in events {
                self.app.clock.set(when);
                if matches!(happening, Happening::Payment { .. }) {
                    payments += 1;
                }
                self.happen(happening).await?;
            }
        }
        Ok((invoices, payments))
    }

    /// Raises, approves and sends a quarter's service charge to every flat.
    pub(super) async fn charge(&self, quarter_day: Date) -> R<usize> {
        let app = self.app;
        app.clock.set(at(quarter_day - Duration::days(14), 9, 0));
        let mut raised = Vec::new();
        for (_, flat) in self.flats() {
            let line = InvoiceLine::validate(
                "Service charge",
                &flat.quarterly.to_string(),
                VatRate::Exempt,
            )?;
            let description = format!(
                "Service charge, quarter from {}",
                proplink_shared::london::format_date(quarter_day)
            );
            let inv = ledger::raise_invoice(
                app,
                &self.anna,
                flat.id,
                &ledger::Charge {
                    category: proplink_shared::records::InvoiceCategory::ServiceCharge,
                    description: &description,
                    lines: &[line],
                    issue_date: quarter_day - Duration::days(14),
                    due_date: quarter_day,
                },
            )
            .await?;
            raised.push(inv);
            app.clock.advance(Duration::seconds(20));
        }
        for (step, who) in [
            (InvoiceStatus::PendingApproval, &self.anna),
            (InvoiceStatus::Approved, &self.owner),
            (InvoiceStatus::Sent, &self.anna),
        ] {
            app.clock.advance(Duration::hours(2));
            for inv in &raised {
                ledger::move_invoice(app, who, *inv, step).await?;
            }
        }
        Ok(raised.len())
    }

    async fn happen(&self, happening: Happening) -> R<()> {
        let app = self.app;
        match happening {
            Happening::Payment { flat, amount, on } => {
                let f = self.flat(flat);
                if flat % 5 == 0 || f.name == "Mr Patel" {
                    let me = resident(app, self.org(), f.leaseholder).await?;
                    pay_by_card(app, &me, f.id, amount).await?;
                } else {
                    let method = if flat % 3 == 0 {
                        PaymentMethod::DirectDebit
                    } else {
                        PaymentMethod::Bacs
                    };
                    let reference = format!("{} {}", f.name.to_uppercase(), on.year());
                    let receipt = Receipt {
                        amount,
                        method,
                        received_on: on,
                        reference: &reference,
                    };
                    ledger::record_payment(app, &self.anna, f.id, &receipt).await?;
                }
            }
            Happening::Request { flat, spec } => {
                let f = self.flat(flat);
                let (subject, body, category, priority) = data::PAST_REQUESTS[spec];
                let me = resident(app, self.org(), f.leaseholder).await?;
                let origin = TicketOrigin {
                    site: f.site,
                    unit: Some(f.id),
                    reporter: None,
                    assignee: None,
                };
                let id = tickets::raise(
                    app,
                    &me,
                    origin,
                    &NewTicket::validate(subject, body, category, priority)?,
                )
                .await?;
                app.clock.advance(Duration::hours(3));
                tickets::add_entry(app, &self.mark, id, "Thank you for letting us know. This is now sorted: please tell us if anything else is wrong.", false).await?;
                app.clock.advance(Duration::hours(1));
                tickets::set_status(
                    app,
                    &self.mark,
                    id,
                    TicketStatus::Closed,
                    Some(CloseReason::Resolved),
                )
                .await?;
            }
            Happening::Issue { flat, spec } => {
                let f = self.flat(flat);
                let (title, location, category, priority) = data::PAST_ISSUES[spec];
                let who = self.site_manager(flat);
                let place = IssuePlace {
                    site: f.site,
                    building: self.building_of(f.site),
                    ticket: None,
                };
                let id = issues::log(
                    app,
                    who,
                    place,
                    &NewIssue::validate(title, "", location, category, priority)?,
                )
                .await?;
                app.clock.advance(Duration::days(2));
                issues::set_status(app, &self.mark, id, IssueStatus::Resolved, None).await?;
            }
            Happening::Repair { flat, spec } => {
                let f = self.flat(flat);
                let (title, category, vendor, net) = data::PAST_REPAIRS[spec];
                let today = app.clock.now().date();
                let new = NewWorkOrder::validate(
                    title,
                    &format!("{title} at {}.", f.number),
                    category,
                    "medium",
                    Some(today + Duration::days(14)),
                    today,
                )?;
                let place = WorkOrderPlace {
                    site: f.site,
                    building: self.building_of(f.site),
                    unit: None,
                    ticket: None,
                };
                let wo = work_orders::create(app, &self.mark, place, &[], &new).await?;
                self.contract(wo, vendor, QuoteKind::FixedPrice, net, "")
                    .await?;
                app.clock.advance(Duration::days(3));
                let them = self.contractor(wo, self.vendors[vendor]).await?;
                let started = WorkReport {
                    note: "Started.",
                    photos: &[],
                };
                work_orders::report_progress(app, &them, wo, &started).await?;
                app.clock.advance(Duration::hours(5));
                let done = WorkReport {
                    note: "Done.",
                    photos: &[],
                };
                work_orders::mark_complete(app, &them, wo, &done).await?;
                app.clock.advance(Duration::days(1));
                work_orders::close(app, &self.mark, wo, false).await?;
            }
        }
        Ok(())
    }

    /// Invites `vendor`, takes their quote and awards it.
    pub(super) async fn contract(
        &self,
        wo: WorkOrderId,
        vendor: usize,
        kind: QuoteKind,
        net: &str,
        notes: &str,
    ) -> R<()> {
        let app = self.app;
        self.invite(wo, self.vendors[vendor]).await?;
        app.clock.advance(Duration::hours(6));
        let them = self.contractor(wo, self.vendors[vendor]).await?;
        let quote = quotes::submit(
            app,
            &them,
            wo,
            self.vendors[vendor],
            &NewQuote::validate(kind, net, VatRate::Standard, notes)?,
            None,
        )
        .await?;
        app.clock.advance(Duration::hours(4));
        work_orders::award(app, &self.mark, wo, quote).await
    }
}

/// Something in the history, at its time.
enum Happening {
    Payment {
        flat: usize,
        amount: Money,
        on: Date,
    },
    Request {
        flat: usize,
        spec: usize,
    },
    Issue {
        flat: usize,
        spec: usize,
    },
    Repair {
        flat: usize,
        spec: usize,
    },
}
