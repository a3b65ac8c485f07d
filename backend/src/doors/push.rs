//! Notifications on a person's browsers, as the web doors offer them: the section that lists
//! where they are on, the button that turns them on here (with a script, only when pressed),
//! and the form that turns them off somewhere. Each door routes these to its own signed-in
//! person.

use super::web::sent as web_sent;
use proplink_shared::london::{format_date, local};

use super::admin::forms::{Draft, Filler};
use super::pages::{Cell, Choice, Field, Form, Input, Section, Table, headers};
use crate::app::App;
use crate::error::{AppError, AppResult};
use crate::services::auth::Client;
use crate::services::push::{self, PushKind, QuietHours, SubscriptionForm, SubscriptionKeys};
use crate::store::push::Subscription;

/// What the browser sent when it subscribed.
#[derive(serde::Deserialize)]
pub struct SubscribeForm {
    #[serde(default)]
    pub endpoint: String,
    #[serde(default)]
    pub p256dh: String,
    #[serde(default)]
    pub auth: String,
    /// The server's public key the page offered the browser.
    #[serde(default)]
    pub key: String,
}

impl SubscribeForm {
    /// The subscription, or the message for a browser that sent none (no script, or no
    /// support for notifications).
    pub fn subscription(&self) -> AppResult<SubscriptionForm> {
        if self.endpoint.trim().is_empty() {
            return Err(AppError::conflict(
                "no_subscription",
                "Your browser did not turn notifications on: it needs JavaScript, and a browser that can show notifications.",
            ));
        }
        Ok(SubscriptionForm {
            endpoint: self.endpoint.trim().to_owned(),
            keys: SubscriptionKeys {
                p256dh: self.p256dh.trim().to_owned(),
                auth: self.auth.trim().to_owned(),
            },
            server_key: self.key.trim().to_owned(),
        })
    }
}

#[derive(serde::Deserialize)]
pub struct UnsubscribeForm {
    #[serde(default)]
    pub subscription: String,
}

/// A browser as its person would recognise it: "Chrome on Android".
#[must_use]
pub fn device_of(client: &Client) -> String {
    let ua = client.user_agent.as_str();
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("SamsungBrowser/", "Samsung Internet"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ]
    .into_iter()
    .find(|(mark, _)| ua.contains(mark))
    .map_or("A browser", |(_, name)| name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Windows", "Windows"),
        ("Mac OS X", "a Mac"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(mark, _)| ua.contains(mark))
    .map(|(_, name)| name);
    match system {
        Some(system) => format!("{browser} on {system}"),
        None => browser.to_owned(),
    }
}

/// Where notifications are on, as a section of the person's profile page.
#[must_use]
pub fn section(subscriptions: &[Subscription]) -> Section {
    Section {
        heading: "Notifications".into(),
        paragraphs: vec![
            "Turn notifications on to hear about replies and other news on this device without opening this site. They say only what a locked screen may show: never a message's words.".into(),
        ],
        table: Some(Table {
            caption: "Browsers and devices with notifications on".into(),
            headers: headers(&["Device", "Turned on", "Last notified"]),
            rows: subscriptions
                .iter()
                .map(|s| {
                    vec![
                        Cell::text(&s.device),
                        Cell::text(format_date(local(s.created_at).date())),
                        Cell::text(
                            s.last_sent_at
                                .map_or_else(|| "Not yet".into(), |t| format_date(local(t).date())),
                        ),
                    ]
                })
                .collect(),
            empty: "Notifications are not on anywhere yet.".into(),
        }),
        ..Section::default()
    }
}

/// The fields of the preferences form as sent: the kinds ticked (repeated) and quiet hours.
pub struct PreferencesForm {
    pub kinds: Vec<String>,
    pub quiet_from: String,
    pub quiet_until: String,
}

impl PreferencesForm {
    #[must_use]
    pub fn from_pairs(sent: Vec<(String, String)>) -> PreferencesForm {
        let value = |name: &str| web_sent(&sent, name).to_owned();
        PreferencesForm {
            kinds: sent
                .iter()
                .filter(|(k, _)| k == "kinds")
                .map(|(_, v)| v.clone())
                .collect(),
            quiet_from: value("quiet_from"),
            quiet_until: value("quiet_until"),
        }
    }

    /// Saves them for `actor`, of the kinds `offered` on this door.
    pub async fn save(
        &self,
        app: &App,
        actor: &proplink_shared::Actor,
        offered: &[PushKind],
    ) -> AppResult<()> {
        let wanted: Vec<PushKind> = self
            .kinds
            .iter()
            .filter_map(|k| PushKind::from_code(k))
            .collect();
        push::set_preferences(
            app,
            actor,
            offered,
            &wanted,
            &self.quiet_from,
            &self.quiet_until,
        )
        .await
    }

    /// What was typed, for the form sent back.
    #[must_use]
    pub fn typed(&self) -> Vec<(&'static str, String)> {
        let mut typed: Vec<(&'static str, String)> =
            self.kinds.iter().map(|k| ("kinds", k.clone())).collect();
        typed.push(("quiet_from", self.quiet_from.clone()));
        typed.push(("quiet_until", self.quiet_until.clone()));
        typed
    }
}

/// The form for which notifications to have, of the kinds `offered` on this door, and quiet
/// hours.
async fn preferences_form(
    app: &App,
    actor: &proplink_shared::Actor,
    offered: &[PushKind],
    fill: Filler<'_>,
) -> AppResult<Form> {
    let prefs = push::preferences(app, actor).await?;
    let sent_back = fill.draft.filter(|d| d.form == "push-prefs");
    let ticked = |k: PushKind| match sent_back {
        Some(d) => d.typed.iter().any(|(f, v)| *f == "kinds" && v == k.code()),
        None => !prefs.muted.contains(&k),
    };
    let (from, until) = prefs.quiet.map(QuietHours::text).unwrap_or_default();
    Ok(Form {
        id: "push-prefs",
        heading: "What to be notified of",
        action: "/push/preferences".into(),
        hidden: Vec::new(),
        fields: vec![
            Field {
                name: "kinds",
                label: "Notify me of",
                hint: None,
                input: Input::Checkboxes(
                    offered
                        .iter()
                        .map(|k| Choice {
                            selected: ticked(*k),
                            value: k.code().into(),
                            label: k.label().into(),
                        })
                        .collect(),
                ),
                error: fill.error("push-prefs", "kinds"),
            },
            Field {
                name: "quiet_from",
                label: "Quiet hours from (optional)",
                hint: Some("Like 22:00, UK time. Urgent notifications still come at once."),
                input: Input::Text(fill.value("push-prefs", "quiet_from", &from)),
                error: fill.error("push-prefs", "quiet_from"),
            },
            Field {
                name: "quiet_until",
                label: "Quiet hours until",
                hint: Some("Like 07:00. The others wait until then."),
                input: Input::Text(fill.value("push-prefs", "quiet_until", &until)),
                error: fill.error("push-prefs", "quiet_until"),
            },
        ],
        submit: "Save notification settings",
        warning: false,
    })
}

/// The button that turns notifications on in this browser, the form that turns them off on
/// one of the person's devices, and which to have.
pub async fn forms(
    app: &App,
    actor: &proplink_shared::Actor,
    offered: &[PushKind],
    subscriptions: &[Subscription],
    draft: Option<&Draft>,
) -> AppResult<Vec<Form>> {
    let fill = Filler { draft };
    let mut forms = vec![Form {
        id: "push",
        heading: "Turn on notifications on this device",
        action: "/push/subscriptions".into(),
        hidden: vec![
            ("key", push::public_key(app).await?),
            ("endpoint", String::new()),
            ("p256dh", String::new()),
            ("auth", String::new()),
        ],
        fields: Vec::new(),
        submit: "Turn on notifications",
        warning: false,
    }];
    if !subscriptions.is_empty() {
        let chosen = fill.value("push-off", "subscription", "");
        forms.push(Form {
            id: "push-off",
            heading: "Turn off notifications",
            action: "/push/subscriptions/delete".into(),
            hidden: Vec::new(),
            fields: vec![Field {
                name: "subscription",
                label: "Device",
                hint: None,
                input: Input::Select(
                    subscriptions
                        .iter()
                        .map(|s| Choice {
                            selected: s.id == chosen,
                            value: s.id.clone(),
                            label: format!(
                                "{} (on since {})",
                                s.device,
                                format_date(local(s.created_at).date())
                            ),
                        })
                        .collect(),
                ),
                error: fill.error("push-off", "subscription"),
            }],
            submit: "Turn off",
            warning: true,
        });
    }
    forms.push(preferences_form(app, actor, offered, fill).await?);
    Ok(forms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_are_named_as_people_know_them() {
        let of = |ua: &str| {
            device_of(&Client {
                ip: String::new(),
                user_agent: ua.into(),
            })
        };
        assert_eq!(
            of(
                "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Mobile Safari/537.36"
            ),
            "Chrome on Android"
        );
        assert_eq!(
            of(
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
            ),
            "Safari on iPhone"
        );
        assert_eq!(
            of("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:131.0) Gecko/20100101 Firefox/131.0"),
            "Firefox on Windows"
        );
        assert_eq!(of("curl/8.0"), "A browser");
    }
}
