//! Telling the office what a contractor did through their link: the person who invited them,
//! or the organisation's own address when that person has left.

use proplink_shared::records::RecordType;
use proplink_shared::{Actor, Principal};

use crate::error::AppResult;
use crate::services::change::Change;
use crate::services::mail::{self, Outgoing};
use crate::services::push;
use crate::store::work_orders::WorkOrder;
use crate::store::{contractor_links, orgs};

/// Emails the office that the contractor `actor` did `what` (a sentence after their name) on
/// `w`, with `details` below and a link to the work order. Staff acting for a contractor tell
/// no one: they are the office.
pub(crate) async fn tell_office(
    change: &mut Change<'_>,
    actor: &Actor,
    w: &WorkOrder,
    what: &str,
    details: &str,
) -> AppResult<()> {
    let Principal::Contractor { vendor, .. } = actor.principal else {
        return Ok(());
    };
    let org = change.org();
    let Some(organisation) = orgs::by_id(change, org).await? else {
        return Ok(());
    };
    let inviter = match contractor_links::inviter(change, org, w.id, vendor).await? {
        Some(staff) => orgs::staff_by_id(change, org, staff)
            .await?
            .filter(|s| s.active),
        None => None,
    };
    let url = format!(
        "{}/work-orders/{}",
        change.app().config.admin_url(&organisation.slug),
        w.id
    );
    if let Some(staff) = &inviter {
        // On their phone or browser too, if they turned notifications on.
        let event = format!(
            "contractor:{}:{what}:{}",
            w.id,
            crate::clock::to_micros(change.now)
        );
        push::queue_in(
            change,
            &[push::staff_subject(staff.id)],
            &push::Notice {
                kind: push::PushKind::Contractors,
                topic: push::topic(&event),
                event,
                title: "Contractor update",
                body: &format!("{} {what} on {}.", actor.display_name, w.reference),
                url: url.clone(),
                urgency: push::Urgency::Normal,
                ttl: time::Duration::days(1),
            },
        )
        .await?;
    }
    let (to, greeting) = match &inviter {
        Some(staff) => (staff.email.clone(), staff.name.clone()),
        None if !organisation.contact_email.is_empty() => (
            organisation.contact_email.clone(),
            organisation.name.clone(),
        ),
        None => return Ok(()),
    };
    let mut body = format!(
        "Hello {greeting},\n\n{} {what} on work order {}: {}, through ContractorPort.\n",
        actor.display_name, w.reference, w.title
    );
    if !details.trim().is_empty() {
        body.push_str(&format!("\n{}\n", details.trim()));
    }
    body.push_str(&format!("\nSee the work order: {url}\n"));
    mail::queue(
        change,
        Some(org),
        Outgoing {
            to: &to,
            subject: &format!("{}: {} {what}", w.reference, actor.display_name),
            body: &body,
            about: Some((RecordType::WorkOrder, w.id.to_string())),
            secret: None,
        },
    )
    .await
}
