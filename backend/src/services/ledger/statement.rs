//! The statement of a unit (opening balance, movements, running balance, arrears) and the
//! arrears of the organisation by age.

use proplink_shared::money::Money;
use proplink_shared::{Action, Actor, ContactId, Domain, Resource, Scope, SiteId, UnitId};
use time::Date;

use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::services::{PAGE_SIZE, check, remember, remember_in, today};
use crate::store::arrears::{self, Arrears};
use crate::store::finance as store;
use crate::store::query::{Page, PageAt};
use crate::store::{people, places};

/// One line of a statement.
#[derive(Clone)]
pub struct StatementLine {
    pub date: Date,
    pub description: String,
    pub reference: String,
    pub debit: Option<Money>,
    pub credit: Option<Money>,
    /// Positive: the unit owes this much.
    pub balance: Money,
}

#[derive(Clone)]
pub struct Statement {
    pub unit_id: UnitId,
    pub unit_name: String,
    pub building_name: String,
    /// Who is billed: the leaseholder the statement is addressed to.
    pub contact: Option<(ContactId, String)>,
    /// The first day shown; what came before is carried in the opening balance.
    pub from: Option<Date>,
    pub as_at: Date,
    pub opening: Money,
    pub lines: Vec<StatementLine>,
    pub balance: Money,
    /// Of the balance, what is past its due date.
    pub arrears: Money,
}

/// The unit's statement from `from` (the beginning when `None`) to today: posted invoices,
/// payments and credit notes in date order with a running balance.
pub async fn statement(
    app: &App,
    actor: &Actor,
    unit: UnitId,
    from: Option<Date>,
) -> AppResult<Statement> {
    let as_at = today(app);
    // Staff read the unit's whole ledger; a resident reads the account of its holder now, not
    // a previous leaseholder's.
    let whole = actor.is_staff() || matches!(actor.principal, proplink_shared::Principal::System);
    let (u, contact, entries, open) = remember_in(
        app,
        actor.org,
        format!("statement {unit} whole {whole}"),
        || async {
            let mut conn = app.db.read().await?;
            let Some(u) = places::unit(&mut conn, actor.org, unit).await? else {
                return Ok(None);
            };
            let contact = match u.billable_contact_id {
                Some(c) => people::contact(&mut conn, actor.org, c)
                    .await?
                    .map(|c| (c.id, c.display_name())),
                None => None,
            };
            let holder = if whole {
                None
            } else {
                Some(u.billable_contact_id)
            };
            let entries = match holder {
                // Nobody holds the account: nothing of it is a resident's.
                Some(None) => Vec::new(),
                Some(Some(h)) => {
                    store::statement_entries(&mut conn, actor.org, unit, Some(h)).await?
                }
                None => store::statement_entries(&mut conn, actor.org, unit, None).await?,
            };
            let open = store::open_invoices(&mut conn, actor.org, unit)
                .await?
                .into_iter()
                .filter(|i| whole || Some(i.contact_id) == u.billable_contact_id)
                .collect::<Vec<_>>();
            Ok(Some((u, contact, entries, open)))
        },
    )
    .await?
    .ok_or(AppError::NotFound)?;
    let mut res = Resource::on_site(actor.org, Domain::Finance, u.site_id).with_unit(unit);
    res.contact = u.billable_contact_id;
    check(actor, Action::Read, &res)?;
    let overflow =
        |err: proplink_shared::money::MoneyError| AppError::Internal(anyhow::anyhow!(err));
    let mut opening = Money::ZERO;
    let mut balance = Money::ZERO;
    let mut lines = Vec::new();
    for e in entries.into_iter().filter(|e| e.date <= as_at) {
        balance = balance.checked_add(e.amount).map_err(overflow)?;
        if from.is_some_and(|f| e.date < f) {
            opening = balance;
            continue;
        }
        let (debit, credit) = if e.amount.pence() >= 0 {
            (Some(e.amount), None)
        } else {
            (None, Some(Money::from_pence(-e.amount.pence())))
        };
        lines.push(StatementLine {
            date: e.date,
            description: e.description,
            reference: e.reference,
            debit,
            credit,
            balance,
        });
    }
    let overdue: i64 = open
        .iter()
        .filter(|i| i.is_overdue(as_at))
        .map(|i| i.outstanding().pence())
        .sum();
    // Credit on the unit pays towards what is overdue before anything is called arrears.
    let arrears = Money::from_pence(overdue.min(balance.pence()).max(0));
    Ok(Statement {
        unit_id: u.id,
        unit_name: u.name,
        building_name: u.building_name,
        contact,
        from,
        as_at,
        opening,
        lines,
        balance,
        arrears,
    })
}

/// A page of arrears by age, with the totals of every page.
#[derive(Clone)]
pub struct ArrearsList {
    pub page: Page<Arrears>,
    pub accounts: i64,
    pub buckets: [Money; 5],
    pub total: Money,
    pub as_at: Date,
}

pub async fn arrears_list(
    app: &App,
    actor: &Actor,
    site: Option<SiteId>,
    at: &PageAt,
) -> AppResult<ArrearsList> {
    check(
        actor,
        Action::Read,
        &Resource::org_wide(actor.org, Domain::Finance),
    )?;
    let scope = Scope::of(actor, Domain::Finance);
    let as_at = today(app);
    remember(
        app,
        &scope,
        format!("arrears {site:?} {as_at} {at:?}"),
        || async {
            let mut conn = app.db.read().await?;
            let page = arrears::arrears(&mut conn, &scope, site, as_at, at, PAGE_SIZE).await?;
            let (accounts, buckets, total) =
                arrears::totals(&mut conn, &scope, site, as_at).await?;
            Ok(ArrearsList {
                page,
                accounts,
                buckets,
                total,
                as_at,
            })
        },
    )
    .await
}
