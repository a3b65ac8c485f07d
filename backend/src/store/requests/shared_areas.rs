//! Requests about the shared areas of a building: the residents who added themselves to one,
//! and the open ones a neighbour is shown before reporting the same.

use proplink_shared::records::CommunalArea;
use proplink_shared::states::TicketStatus;
use proplink_shared::{BuildingId, ContactId, OrgId, TicketId};
use time::OffsetDateTime;

use crate::store::{Conn, DbResult};
use crate::{params, read_model};

/// The residents who added themselves to a ticket.
pub async fn followers(conn: &mut Conn, org: OrgId, ticket: TicketId) -> DbResult<Vec<ContactId>> {
    let rows: Vec<(ContactId,)> = conn
        .query(
            "SELECT contact_id FROM ticket_followers WHERE organisation_id = $1 AND ticket_id = $2 ORDER BY created_at, contact_id",
            params![org, ticket],
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Adds a resident to a ticket; false if they were already on it.
pub async fn add_follower(
    conn: &mut Conn,
    org: OrgId,
    ticket: TicketId,
    contact: ContactId,
    now: OffsetDateTime,
) -> DbResult<bool> {
    let added = conn
        .execute(
            "INSERT INTO ticket_followers (organisation_id, ticket_id, contact_id, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (organisation_id, ticket_id, contact_id) DO NOTHING",
            params![org, ticket, contact, now],
        )
        .await?;
    Ok(added == 1)
}

read_model! {
    /// An open request about a shared area, as a neighbour about to report the same sees it:
    /// what and when, never who.
    pub struct AreaReport {
        pub id: TicketId = "t.id",
        pub reference: String = "t.reference",
        pub subject: String = "t.subject",
        pub status: TicketStatus = "t.status",
        pub created_at: OffsetDateTime = "t.created_at",
        pub followers: i64 = "(SELECT COUNT(*) FROM ticket_followers tf WHERE tf.organisation_id = t.organisation_id AND tf.ticket_id = t.id)",
    }
}

/// The open requests about `area` of `building`, newest first.
pub async fn open_in_area(
    conn: &mut Conn,
    org: OrgId,
    building: BuildingId,
    area: CommunalArea,
) -> DbResult<Vec<AreaReport>> {
    conn.query(
        &format!(
            "SELECT {} FROM tickets t WHERE t.organisation_id = $1 AND t.building_id = $2 AND t.area = $3 \
             AND t.status IN ('open', 'in_progress', 'waiting_on_customer') ORDER BY t.created_at DESC, t.id LIMIT 20",
            AreaReport::COLUMNS
        ),
        params![org, building, area],
    )
    .await
}
