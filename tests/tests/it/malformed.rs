//! A malformed request — a path id, a query string, a body — is answered in PropLink's own
//! error shape with a stable code, on every door: never axum's plain text, never a 500.

use proplink_tests::{fixtures, spawn_app};
use serde_json::{Value, json};

fn error_of(page: &proplink_tests::Page) -> Value {
    assert_eq!(
        page.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/json"),
        "{}",
        page.body
    );
    let error: Value = serde_json::from_str(&page.body)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", page.body));
    assert!(
        error["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{error}"
    );
    error
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_answers_malformed_requests_in_json_with_a_code() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let phone = t.phone("acme", &org.site_manager_email).await;
    let token = phone.token();
    let bearer = format!("Bearer {token}");
    let api = t.app.config.api_domain.clone();
    let b = t.browser();
    let get = |path: &'static str| {
        let (b, api, bearer) = (&b, &api, &bearer);
        async move {
            b.request("GET", api, path, &[("authorization", bearer)], Vec::new())
                .await
        }
    };
    // A query string that does not read.
    for path in [
        "/v1/sync/pull?cursor=abc",
        "/v1/sync/pull?cursor=-1",
        "/v1/sync/pull?cursor=1&cursor=2",
    ] {
        let page = get(path).await;
        assert_eq!(page.status, 400, "{path}: {}", page.body);
        assert_eq!(error_of(&page)["code"], "bad_query", "{path}");
    }
    // A path value that is not a photo's name.
    for path in ["/v1/photos/not-a-hash", "/v1/photos/ABCDEF"] {
        let page = get(path).await;
        assert_eq!(page.status, 400, "{path}: {}", page.body);
        assert_eq!(error_of(&page)["code"], "bad_hash", "{path}");
    }
    // Bodies: not JSON, not this request's JSON, not sent as JSON.
    let push = |body: &'static str, content_type: &'static str| {
        let (b, api, bearer) = (&b, &api, &bearer);
        async move {
            b.request(
                "POST",
                api,
                "/v1/sync/push",
                &[("authorization", bearer), ("content-type", content_type)],
                body.as_bytes().to_vec(),
            )
            .await
        }
    };
    let cases = [
        ("{\"device_id\": ", "application/json", "bad_body"),
        (
            "{\"device_id\": 5, \"mutations\": []}",
            "application/json",
            "bad_body",
        ),
        ("{\"mutations\": []}", "application/json", "bad_body"),
        (
            "device_id=1",
            "application/x-www-form-urlencoded",
            "bad_content_type",
        ),
    ];
    for (body, content_type, code) in cases {
        let page = push(body, content_type).await;
        assert_eq!(page.status, 400, "{body}: {}", page.body);
        assert_eq!(error_of(&page)["code"], code, "{body}");
    }
    let page = b
        .json(
            "POST",
            &api,
            "/v1/sync/push",
            Some(&token),
            &json!({ "device_id": phone.device_id(), "mutations": [
                { "mutation_id": uuid::Uuid::now_v7(), "seq": 0, "kind": "reply_ticket",
                  "payload": { "ticket_id": org.ticket_a, "body": "Hi" } }
            ] }),
        )
        .await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert_eq!(error_of(&page)["fields"][0]["field"], "mutations");
    // A path or method the API does not have.
    let page = get("/v1/nothing-here").await;
    assert_eq!(
        (page.status, error_of(&page)["code"].clone()),
        (404, json!("not_found"))
    );
    let page = b
        .request(
            "DELETE",
            &api,
            "/v1/sync/push",
            &[("authorization", &bearer)],
            Vec::new(),
        )
        .await;
    assert_eq!(page.status, 405);
    assert_eq!(error_of(&page)["code"], "method_not_allowed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_pages_answer_malformed_requests_with_an_error_page_and_a_code() {
    let t = spawn_app().await;
    let org = fixtures::org(&t.app, "acme", "Acme Estates").await;
    let host = t.admin_host("acme");
    let b = t.browser();
    t.sign_in(&b, &host, &org.manager_email).await;
    for (path, status, code) in [
        ("/tickets/not-a-uuid", 404, "not_found"),
        ("/units/12345", 404, "not_found"),
        ("/tickets?status=nonsense", 400, "bad_filter"),
        ("/tickets?priority=urgent&priority=low", 400, "bad_query"),
        ("/tickets?after=not-a-cursor", 400, "bad_cursor"),
        ("/invoices?site=someone", 400, "bad_filter"),
        ("/work-orders?age=-3", 400, "bad_filter"),
    ] {
        let page = b.get(&host, path).await;
        assert_eq!(page.status, status, "{path}: {}", page.body);
        assert!(
            page.body.contains(&format!("data-error-code=\"{code}\"")),
            "{path}: {}",
            page.body
        );
        assert!(
            page.headers["content-type"]
                .to_str()
                .unwrap_or("")
                .starts_with("text/html")
        );
        assert!(
            !page.body.contains("Failed to deserialize"),
            "{path}: axum's words leak"
        );
    }
}
