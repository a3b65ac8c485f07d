//! A small browser: HTTP over loopback with a Host header per door, cookies kept per host as
//! a browser would (host-only cookies, Max-Age=0 deletes), redirects not followed so tests
//! can see them.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;

use reqwest::header::{COOKIE, HOST, HeaderMap, LOCATION, SET_COOKIE};

pub struct Browser {
    client: reqwest::Client,
    addr: SocketAddr,
    cookies: Mutex<HashMap<String, HashMap<String, String>>>,
}

/// A response, read in full.
#[derive(Debug)]
pub struct Page {
    pub status: u16,
    pub headers: HeaderMap,
    /// The body as text (lossily, for binary answers).
    pub body: String,
    pub bytes: Vec<u8>,
}

impl Page {
    #[must_use]
    pub fn location(&self) -> Option<&str> {
        self.headers.get(LOCATION).and_then(|v| v.to_str().ok())
    }

    /// The value of the first hidden `csrf` field.
    #[must_use]
    pub fn csrf(&self) -> String {
        let marker = "name=\"csrf\" value=\"";
        let start = self
            .body
            .find(marker)
            .map(|i| i + marker.len())
            .unwrap_or_else(|| panic!("no csrf field in:\n{}", self.body));
        self.body[start..]
            .split('"')
            .next()
            .unwrap_or("")
            .to_owned()
    }

    /// Every `Set-Cookie` header.
    #[must_use]
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_owned)
            .collect()
    }
}

impl Browser {
    #[must_use]
    pub fn new(addr: SocketAddr) -> Browser {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("proplink-tests")
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        Browser {
            client,
            addr,
            cookies: Mutex::new(HashMap::new()),
        }
    }

    pub async fn get(&self, host: &str, path: &str) -> Page {
        self.send(host, self.client.get(self.url(path))).await
    }

    pub async fn post(&self, host: &str, path: &str, form: &[(&str, &str)]) -> Page {
        let body = serde_urlencoded_pairs(form);
        let req = self
            .client
            .post(self.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        self.send(host, req).await
    }

    /// A POST with a bearer token and no body, as the app sends some API calls.
    pub async fn post_with_bearer(&self, host: &str, path: &str, token: &str) -> Page {
        let req = self
            .client
            .post(self.url(path))
            .header(reqwest::header::AUTHORIZATION, format!("Bearer {token}"));
        self.send(host, req).await
    }

    /// Any request, as a client other than a browser sends it: the method, extra headers
    /// (say `authorization` or `content-type`) and a raw body.
    pub async fn request(
        &self,
        method: &str,
        host: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Page {
        let method = reqwest::Method::from_bytes(method.as_bytes())
            .unwrap_or_else(|e| panic!("{method}: {e}"));
        let mut req = self.client.request(method, self.url(path)).body(body);
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        self.send(host, req).await
    }

    /// A `multipart/form-data` form as a browser sends one with files: its text `fields`, and
    /// `files` as (field, file name, bytes).
    pub async fn multipart(
        &self,
        host: &str,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> Page {
        let boundary = "----proplinkform7d3a";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        for (name, file_name, bytes) in files {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let content_type = format!("multipart/form-data; boundary={boundary}");
        self.request("POST", host, path, &[("content-type", &content_type)], body)
            .await
    }

    /// A JSON request to the API.
    pub async fn json(
        &self,
        method: &str,
        host: &str,
        path: &str,
        token: Option<&str>,
        body: &serde_json::Value,
    ) -> Page {
        let bearer = token.map(|t| format!("Bearer {t}"));
        let mut headers = vec![("content-type", "application/json")];
        if let Some(b) = &bearer {
            headers.push(("authorization", b));
        }
        self.request(method, host, path, &headers, body.to_string().into_bytes())
            .await
    }

    /// A cookie this browser holds for `host`.
    #[must_use]
    pub fn cookie(&self, host: &str, name: &str) -> Option<String> {
        self.cookies
            .lock()
            .ok()
            .and_then(|c| c.get(host).and_then(|m| m.get(name).cloned()))
    }

    /// Plants a cookie, as an attacker copying one between hosts would.
    pub fn set_cookie(&self, host: &str, name: &str, value: &str) {
        if let Ok(mut c) = self.cookies.lock() {
            c.entry(host.to_owned())
                .or_default()
                .insert(name.to_owned(), value.to_owned());
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    async fn send(&self, host: &str, req: reqwest::RequestBuilder) -> Page {
        let cookie_header = self
            .cookies
            .lock()
            .ok()
            .and_then(|c| {
                c.get(host).map(|m| {
                    m.iter()
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect::<Vec<_>>()
                        .join("; ")
                })
            })
            .unwrap_or_default();
        let mut req = req.header(HOST, host);
        if !cookie_header.is_empty() {
            req = req.header(COOKIE, cookie_header);
        }
        let response = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("request to {host} failed: {e}"));
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.unwrap_or_default().to_vec();
        let page = Page {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes,
        };
        if let Ok(mut jar) = self.cookies.lock() {
            let jar = jar.entry(host.to_owned()).or_default();
            for set in page.set_cookies() {
                let mut parts = set.split(';');
                let Some((name, value)) = parts.next().and_then(|nv| nv.trim().split_once('='))
                else {
                    continue;
                };
                let deleted = parts.any(|a| a.trim().eq_ignore_ascii_case("Max-Age=0"));
                if deleted {
                    jar.remove(name);
                } else {
                    jar.insert(name.to_owned(), value.to_owned());
                }
            }
        }
        page
    }
}

fn serde_urlencoded_pairs(form: &[(&str, &str)]) -> String {
    form.iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".into(),
            other => format!("%{other:02X}"),
        })
        .collect()
}
