//! A real SMTP server on loopback (mailin-embedded) that keeps every message it receives.

use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mailin_embedded::{Handler, Response, Server, SslConfig, response};

#[derive(Clone, Debug)]
pub struct Mail {
    pub to: Vec<String>,
    pub data: String,
}

impl Mail {
    /// The Subject header.
    #[must_use]
    pub fn subject(&self) -> String {
        self.data
            .lines()
            .find_map(|l| l.strip_prefix("Subject: "))
            .unwrap_or("")
            .to_owned()
    }

    /// The message as its reader sees it: quoted-printable soft line breaks joined and `=XX`
    /// escapes decoded.
    #[must_use]
    pub fn text(&self) -> String {
        let joined = self.data.replace("=\r\n", "").replace("=\n", "");
        let bytes = joined.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            match (bytes[i], hex) {
                (b'=', Some(b)) => {
                    out.push(b);
                    i += 3;
                }
                (b, _) => {
                    out.push(b);
                    i += 1;
                }
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    }

    /// The first run of exactly six digits in the body.
    #[must_use]
    pub fn code(&self) -> Option<String> {
        let body = self
            .data
            .split_once("\r\n\r\n")
            .map_or(self.data.as_str(), |(_, b)| b);
        let bytes = body.as_bytes();
        (0..bytes.len().saturating_sub(5)).find_map(|i| {
            let run = &bytes[i..i + 6];
            let before = i.checked_sub(1).map(|j| bytes[j]);
            let after = bytes.get(i + 6).copied();
            (run.iter().all(u8::is_ascii_digit)
                && !before.is_some_and(|b| b.is_ascii_digit())
                && !after.is_some_and(|b| b.is_ascii_digit()))
            .then(|| String::from_utf8_lossy(run).into_owned())
        })
    }
}

#[derive(Clone, Default)]
struct Collector {
    inbox: Arc<Mutex<Vec<Mail>>>,
    to: Vec<String>,
    data: Vec<u8>,
}

impl Handler for Collector {
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.to = to.to_vec();
        self.data.clear();
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let mail = Mail {
            to: std::mem::take(&mut self.to),
            data: String::from_utf8_lossy(&self.data).into_owned(),
        };
        if let Ok(mut inbox) = self.inbox.lock() {
            inbox.push(mail);
        }
        response::OK
    }
}

/// The running SMTP server.
pub struct Smtp {
    pub addr: SocketAddr,
    inbox: Arc<Mutex<Vec<Mail>>>,
}

impl Smtp {
    #[must_use]
    pub fn start() -> Smtp {
        let listener =
            TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("smtp bind: {e}"));
        let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
        let collector = Collector::default();
        let inbox = collector.inbox.clone();
        let mut server = Server::new(collector);
        server
            .with_name("smtp.test.localhost")
            .with_num_threads(2)
            .with_tcp_listener(listener);
        if let Err(e) = server.with_ssl(SslConfig::None) {
            panic!("smtp config: {e}");
        }
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        Smtp { addr, inbox }
    }

    /// Every message received so far.
    #[must_use]
    pub fn all(&self) -> Vec<Mail> {
        self.inbox.lock().map(|m| m.clone()).unwrap_or_default()
    }

    /// How many sign-in codes went out, to anyone.
    #[must_use]
    pub fn codes_sent(&self) -> usize {
        self.all()
            .iter()
            .filter(|m| m.subject().contains("sign-in code"))
            .count()
    }

    /// Messages to `address`.
    #[must_use]
    pub fn to(&self, address: &str) -> Vec<Mail> {
        self.all()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(address)))
            .collect()
    }

    /// Waits for the `nth` (1-based) message to `address` and returns it.
    pub async fn wait_for(&self, address: &str, nth: usize) -> Mail {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(m) = self.to(address).into_iter().nth(nth - 1) {
                return m;
            }
            assert!(
                Instant::now() < deadline,
                "no message number {nth} to {address} arrived; inbox: {:?}",
                self.all().iter().map(Mail::subject).collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Waits for a sign-in code sent to `address` in its `nth` message or a later one (other
    /// mail, an invoice or a contractor's news, may arrive in between: only a sign-in code's
    /// message counts, whatever digits the others hold).
    pub async fn code(&self, address: &str, nth: usize) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(code) = self
                .to(address)
                .into_iter()
                .skip(nth - 1)
                .filter(|m| m.subject().contains("sign-in code"))
                .find_map(|m| m.code())
            {
                return code;
            }
            assert!(
                Instant::now() < deadline,
                "no sign-in code arrived for {address} from message number {nth}; inbox: {:?}",
                self.all().iter().map(Mail::subject).collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}
