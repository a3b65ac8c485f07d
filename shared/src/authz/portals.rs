//! What the people who come through the portals may do: residents on ResidencePort and
//! BuildingThread, a contractor through their link, the Building Safety Regulator.

use super::*;

pub(super) fn resident(
    me: ContactId,
    who: &Principal,
    action: Action,
    resource: &Resource,
) -> Result<(), Denied> {
    let Principal::Resident {
        units,
        buildings,
        sites,
        accounts,
        ..
    } = who
    else {
        return Err(Denied::NotFound);
    };
    let in_my_sites = resource.site.is_some_and(|s| sites.contains(&s));
    let in_my_units = resource.unit.is_some_and(|u| units.contains(&u));
    // A site-wide record, or one of a building they live in.
    let near_me = in_my_sites && resource.building.is_none_or(|b| buildings.contains(&b));
    let about_me = resource.contact == Some(me);
    let visible = match resource.domain {
        // Their own units, and the buildings those units are in.
        Domain::Portfolio => in_my_units || (resource.unit.is_none() && near_me),
        // What is billed to them on their units, and the account of a unit they may read; a
        // tenant never sees the leaseholder's account unless the organisation shares it.
        Domain::Finance => {
            in_my_units
                && (about_me
                    || resource
                        .unit
                        .zip(resource.contact)
                        .is_some_and(|held| accounts.contains(&held)))
        }
        // Their own requests, and those they added themselves to.
        Domain::Tickets => (about_me || resource.followers.contains(&me)) && in_my_sites,
        Domain::Contacts => about_me,
        Domain::Notices => near_me || resource.site.is_none(),
        Domain::Documents => resource.audience == Some(Audience::Residents) && near_me,
        _ => false,
    };
    if !visible {
        return Err(Denied::NotFound);
    }
    // Leaseholders and tenants have the same powers over what they can see; what differs
    // is what they see.
    let allowed = matches!(
        (resource.domain, action),
        (_, Action::Read)
            | (Domain::Finance, Action::Pay)
            | (Domain::Tickets, Action::Create | Action::Reply)
            | (Domain::Contacts, Action::Update)
    );
    if allowed {
        Ok(())
    } else {
        Err(Denied::Forbidden)
    }
}

pub(super) fn contractor(
    mine: WorkOrderId,
    action: Action,
    resource: &Resource,
) -> Result<(), Denied> {
    if resource.work_order != Some(mine) {
        return Err(Denied::NotFound);
    }
    let visible = match resource.domain {
        Domain::WorkOrders => true,
        Domain::Documents => resource.audience == Some(Audience::Contractor),
        _ => false,
    };
    if !visible {
        return Err(Denied::NotFound);
    }
    let allowed = match resource.domain {
        Domain::WorkOrders => matches!(
            action,
            Action::Read
                | Action::SubmitQuote
                | Action::UploadCertificate
                | Action::ReportProgress
                | Action::MarkComplete
        ),
        _ => action == Action::Read,
    };
    if allowed {
        Ok(())
    } else {
        Err(Denied::Forbidden)
    }
}

pub(super) fn hrb_resident(
    mine: BuildingId,
    action: Action,
    resource: &Resource,
) -> Result<(), Denied> {
    let visible = resource.building == Some(mine)
        && match resource.domain {
            // The parts of the thread meant for residents; the rest is the Regulator's.
            Domain::GoldenThread => resource.audience == Some(Audience::Residents),
            Domain::Documents => resource.audience == Some(Audience::Residents),
            _ => false,
        };
    if !visible {
        return Err(Denied::NotFound);
    }
    if action == Action::Read {
        Ok(())
    } else {
        Err(Denied::Forbidden)
    }
}

pub(super) fn regulator(
    granted: &BTreeSet<BuildingId>,
    action: Action,
    resource: &Resource,
) -> Result<(), Denied> {
    let visible = resource.building.is_some_and(|b| granted.contains(&b))
        && match resource.domain {
            Domain::GoldenThread => true,
            Domain::Documents => resource.audience == Some(Audience::Regulator),
            _ => false,
        };
    if !visible {
        return Err(Denied::NotFound);
    }
    if action == Action::Read {
        Ok(())
    } else {
        Err(Denied::Forbidden)
    }
}
