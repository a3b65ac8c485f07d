//! Lists are scoped in the database, paged by key and filtered as a manager needs: a Site
//! Manager pages through every row of their sites and never sees another site's.

use std::collections::BTreeSet;

use proplink_backend::services::tickets::{self, TicketOrigin};
use proplink_shared::SiteId;
use proplink_shared::records::NewTicket;
use proplink_shared::states::TicketStatus;
use proplink_tests::{Browser, TestApp, fixtures, spawn_app};

async fn raise(
    t: &TestApp,
    org: &fixtures::Org,
    site: SiteId,
    subject: &str,
    priority: &str,
) -> String {
    let new = NewTicket::validate(subject, "Reported in the lobby", "maintenance", priority)
        .unwrap_or_else(|e| panic!("{e}"));
    let origin = TicketOrigin {
        site,
        unit: None,
        reporter: None,
        assignee: None,
    };
    tickets::raise(&t.app, &org.manager, origin, &new)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"))
        .to_string()
}

/// The ids of the records a page links to under `prefix` (`/tickets/`), in page order.
fn ids(body: &str, prefix: &str) -> Vec<String> {
    let marker = format!("href=\"{prefix}");
    body.match_indices(&marker)
        .map(|(at, _)| &body[at + marker.len()..])
        .filter_map(|rest| rest.get(..36))
        .filter(|id| uuid::Uuid::parse_str(id).is_ok())
        .map(str::to_owned)
        .collect()
}

/// A pager link of a page (`rel="next"` or `rel="prev"`), unescaped.
fn link(body: &str, rel: &str) -> Option<String> {
    let at = body.find(&format!("rel=\"{rel}\""))?;
    let start = body[..at].rfind("href=\"")? + 6;
    let end = start + body[start..].find('"')?;
    Some(body[start..end].replace("&#38;", "&").replace("&amp;", "&"))
}

/// Every record of a list, following its pages forwards from `path`; and the pages' sizes.
async fn walk(b: &Browser, host: &str, path: &str, prefix: &str) -> (Vec<String>, Vec<usize>) {
    let (mut all, mut sizes) = (Vec::new(), Vec::new());
    let mut next = Some(path.to_owned());
    while let Some(path) = next {
        let page = b.get(host, &path).await;
        assert_eq!(page.status, 200, "{path}: {}", page.body);
        let found = ids(&page.body, prefix);
        sizes.push(found.len());
        all.extend(found);
        next = link(&page.body, "next");
        assert!(sizes.len() < 50, "the pages never end");
    }
    (all, sizes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_manager_pages_through_every_row_of_their_sites_and_none_of_anothers() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    // Sixty requests on each site, interleaved, so a newest-first page of the organisation
    // would hold both.
    let (mut mine, mut theirs) = (BTreeSet::from([org.ticket_a.to_string()]), BTreeSet::new());
    for i in 0..60 {
        mine.insert(raise(&t, &org, org.site_a, &format!("Alpha {i}"), "low").await);
        theirs.insert(raise(&t, &org, org.site_b, &format!("Beta {i}"), "low").await);
    }
    theirs.insert(org.ticket_b.to_string());
    let host = t.admin_host("acme");
    let b = t.browser();
    t.sign_in(&b, &host, &org.site_manager_email).await;
    let (seen, sizes) = walk(&b, &host, "/tickets", "/tickets/").await;
    assert_eq!(sizes, vec![25, 25, 11], "full pages, in order");
    assert_eq!(seen.len(), mine.len(), "no row twice");
    assert_eq!(seen.iter().cloned().collect::<BTreeSet<_>>(), mine);
    assert!(seen.iter().all(|id| !theirs.contains(id)));
    // Newest first, and the same rows walking back from the last page.
    let first = b.get(&host, "/tickets").await;
    assert!(
        first.body.find("Alpha 59").unwrap_or(usize::MAX)
            < first.body.find("Alpha 58").unwrap_or(0)
    );
    let mut path = link(&first.body, "next");
    let mut last = first;
    while let Some(p) = path {
        last = b.get(&host, &p).await;
        path = link(&last.body, "next");
    }
    let mut back = ids(&last.body, "/tickets/");
    let mut previous = link(&last.body, "prev");
    while let Some(p) = previous {
        let page = b.get(&host, &p).await;
        let mut earlier = ids(&page.body, "/tickets/");
        earlier.extend(back);
        back = earlier;
        previous = link(&page.body, "prev");
    }
    assert_eq!(back, seen);
    // The dashboard counts in the database what the lists show.
    let dashboard = b.get(&host, "/dashboard").await;
    assert!(
        dashboard.body.contains(&format!(
            "<span class=\"figure\">{}</span><a class=\"label\" href=\"/tickets?status=open\">open requests</a>",
            mine.len()
        )),
        "{}",
        dashboard.body
    );
    // A Manager of every site sees them all.
    let manager = t.browser();
    t.sign_in(&manager, &host, &org.manager_email).await;
    let (everything, _) = walk(&manager, &host, "/tickets", "/tickets/").await;
    assert_eq!(everything.len(), mine.len() + theirs.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ticket_list_filters_by_site_status_priority_age_and_words() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let old = raise(&t, &org, org.site_b, "Cracked paving slab", "low").await;
    t.app.clock.advance(time::Duration::days(10));
    let urgent = raise(&t, &org, org.site_a, "No hot water", "urgent").await;
    let started = raise(&t, &org, org.site_a, "Door entry buzzer", "medium").await;
    tickets::set_status(
        &t.app,
        &org.manager,
        started.parse().unwrap_or_else(|e| panic!("{e}")),
        TicketStatus::InProgress,
        None,
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    let host = t.admin_host("acme");
    let b = t.browser();
    t.sign_in(&b, &host, &org.manager_email).await;
    let shown = |query: String| {
        let (b, host) = (&b, &host);
        async move {
            let page = b.get(host, &format!("/tickets?{query}")).await;
            assert_eq!(page.status, 200, "{query}: {}", page.body);
            ids(&page.body, "/tickets/")
                .into_iter()
                .collect::<BTreeSet<_>>()
        }
    };
    let set = |ids: &[&str]| ids.iter().map(|s| (*s).to_owned()).collect::<BTreeSet<_>>();
    let (a, b_) = (org.ticket_a.to_string(), org.ticket_b.to_string());
    assert_eq!(
        shown(format!("site={}", org.site_b)).await,
        set(&[&old, &b_])
    );
    assert_eq!(shown("status=in_progress".into()).await, set(&[&started]));
    assert_eq!(shown("priority=urgent".into()).await, set(&[&urgent]));
    assert_eq!(shown("age=7".into()).await, set(&[&old, &a, &b_]));
    assert_eq!(shown("q=hot+water".into()).await, set(&[&urgent]));
    assert_eq!(
        shown(format!("site={}&priority=low&q=PAVING", org.site_b)).await,
        set(&[&old])
    );
    // A reference is found by its words too.
    let page = b.get(&host, &format!("/tickets/{urgent}")).await;
    let reference = page
        .body
        .split("TKT-")
        .nth(1)
        .map(|rest| format!("TKT-{}", &rest[..9]))
        .unwrap_or_default();
    assert_eq!(shown(format!("q={reference}")).await, set(&[&urgent]));
    // The filters are kept on the form and in the page links.
    let page = b.get(&host, "/tickets?priority=urgent").await;
    assert!(
        page.body.contains("<option value=\"urgent\" selected>"),
        "{}",
        page.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_list_has_its_filters() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let host = t.admin_host("acme");
    let b = t.browser();
    t.sign_in(&b, &host, &org.owner_email()).await;
    let issue = org.issue.to_string();
    let work_order = org.work_order.to_string();
    let invoice = org.invoice.to_string();
    let vendor = org.vendor.to_string();
    // Each list with a filter that keeps the fixture's record, and one that leaves it out.
    let cases: [(&str, &str, &str, &str, &str); 5] = [
        (
            "/issues",
            "/issues/",
            &issue,
            "status=open&q=light",
            "status=resolved",
        ),
        (
            "/work-orders",
            "/work-orders/",
            &work_order,
            "status=draft&q=light",
            "status=closed",
        ),
        (
            "/invoices",
            "/invoices/",
            &invoice,
            "status=sent",
            "status=paid",
        ),
        (
            "/contractors",
            "/contractors/",
            &vendor,
            "q=fixit",
            "q=nobody",
        ),
        ("/issues", "/issues/", &issue, "site=SITE_A", "site=SITE_B"),
    ];
    for (list, prefix, id, keeps, drops) in cases {
        let fill = |q: &str| {
            q.replace("SITE_A", &org.site_a.to_string())
                .replace("SITE_B", &org.site_b.to_string())
        };
        let kept = b.get(&host, &format!("{list}?{}", fill(keeps))).await;
        assert_eq!(kept.status, 200, "{list}?{keeps}: {}", kept.body);
        assert!(
            ids(&kept.body, prefix).contains(&id.to_owned()),
            "{list}?{keeps}"
        );
        let dropped = b.get(&host, &format!("{list}?{}", fill(drops))).await;
        assert_eq!(dropped.status, 200, "{list}?{drops}");
        assert!(
            !ids(&dropped.body, prefix).contains(&id.to_owned()),
            "{list}?{drops}"
        );
    }
    // The audit log by door.
    let admin = b.get(&host, "/audit?door=admin").await;
    assert!(admin.body.contains("via the admin app"), "{}", admin.body);
    let app = b.get(&host, "/audit?door=facility_report").await;
    assert_eq!(app.status, 200);
    assert!(!app.body.contains("via the admin app"), "{}", app.body);
}
