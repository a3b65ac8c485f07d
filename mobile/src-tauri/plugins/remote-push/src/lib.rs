//! Remote push on phones, for the app's Rust side. On Android the UnifiedPush connector
//! (`org.unifiedpush.android:connector` 3) finds the person's distributor, makes the Web Push
//! keys (RFC 8291) and decrypts what arrives; on iOS the app asks APNs for a device token and
//! the system shows what APNs brings. Either way the native half tells the app what happened as
//! [`PushEvent`]s, and the app tells its server where to push.
//!
//! A desktop build has no remote push: [`RemotePush::register`] says so, and the app takes
//! pushes on loopback instead.

use std::sync::{Arc, Mutex, PoisonError};

use serde::Deserialize;
use tauri::ipc::{Channel, InvokeResponseBody};
use tauri::plugin::{Builder, TauriPlugin};
use tauri::{Manager, Runtime};

/// What the phone's push service told the app.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PushEvent {
    /// Android: where pushes reach this phone now, and the keys they are sealed for (base64url).
    /// A build that decrypts for itself gives no keys.
    Endpoint {
        url: String,
        p256dh: Option<String>,
        auth: Option<String>,
    },
    /// iOS: the device token APNs gave, hex.
    Token { token: String },
    /// A push arrived while the app runs: its plain payload, as the server sent it (Android) or
    /// as APNs delivered it (iOS). `shown` when the phone has already shown it.
    Received { payload: String, shown: bool },
    /// The person tapped a push's notification: its plain payload. On iOS also a tap on one of
    /// the app's own notifications (`{"record": …}`, from what the app put on it), which the
    /// notification plugin tells of without it.
    Opened { payload: String },
    /// No pushes until registered again: the distributor dropped the app, registering failed,
    /// or the person refused notifications. `reason` says which, for the log.
    Unregistered { reason: String },
}

impl PushEvent {
    /// Reads what the native half sent down the channel; `None` for what this build does not
    /// know (a newer native half).
    #[must_use]
    pub fn parse(body: &InvokeResponseBody) -> Option<PushEvent> {
        match body {
            InvokeResponseBody::Json(json) => serde_json::from_str(json).ok(),
            InvokeResponseBody::Raw(bytes) => serde_json::from_slice(bytes).ok(),
        }
    }
}

/// How asking for pushes went.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Registration {
    /// The phone can take pushes: a distributor is installed (Android) or notifications are
    /// allowed (iOS). The endpoint or token follows as an event.
    pub available: bool,
    /// Why not, in words a person understands, when not.
    #[serde(default)]
    pub reason: Option<String>,
}

/// Why the plugin could not do what was asked.
#[derive(Debug)]
pub enum Error {
    /// This build has no remote push (desktop).
    Unsupported,
    /// The native half refused or failed.
    Native(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Unsupported => f.write_str("this build has no remote push"),
            Error::Native(why) => write!(f, "the phone's push service: {why}"),
        }
    }
}

impl std::error::Error for Error {}

#[cfg(mobile)]
impl From<tauri::plugin::mobile::PluginInvokeError> for Error {
    fn from(e: tauri::plugin::mobile::PluginInvokeError) -> Self {
        Error::Native(e.to_string())
    }
}

type Listener = Box<dyn Fn(PushEvent) + Send + Sync>;

/// Who hears the native half's events, and the one channel they come down: made at the first
/// `listen`, since a channel made from Rust lives as long as the app.
#[derive(Default)]
struct Listening {
    listener: Arc<Mutex<Option<Listener>>>,
    channel: Mutex<Option<Channel>>,
}

impl Listening {
    /// Makes `on_event` the listener; the channel to hand the native half.
    fn channel(&self, on_event: Listener) -> Channel {
        *self.listener.lock().unwrap_or_else(PoisonError::into_inner) = Some(on_event);
        self.channel
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get_or_insert_with(|| {
                let listener = self.listener.clone();
                Channel::new(move |body| {
                    if let Some(event) = PushEvent::parse(&body) {
                        let listener = listener.lock().unwrap_or_else(PoisonError::into_inner);
                        if let Some(on_event) = listener.as_ref() {
                            on_event(event);
                        }
                    }
                    Ok(())
                })
            })
            .clone()
    }
}

/// The phone's push service, as the app reaches it: `app.remote_push()`.
pub struct RemotePush<R: Runtime> {
    #[cfg(mobile)]
    handle: tauri::plugin::PluginHandle<R>,
    #[cfg(desktop)]
    _runtime: std::marker::PhantomData<fn() -> R>,
    listening: Listening,
}

#[cfg(target_os = "ios")]
#[allow(unsafe_code)]
mod ios {
    tauri::ios_plugin_binding!(init_plugin_remote_push);

    /// The Swift half's entry point, which the binding keeps private to this module.
    pub(crate) unsafe fn init() -> *const std::ffi::c_void {
        unsafe { init_plugin_remote_push() }
    }
}

impl<R: Runtime> RemotePush<R> {
    /// Starts hearing the phone's push events, in the order they happened. What came before
    /// the app listened is told first: the endpoint the distributor gave while the app was
    /// closed, the tap that opened it. A second call replaces the first listener.
    ///
    /// `on_event` runs on the thread the phone tells from, which on Android is the main
    /// thread: it must not block (hand the event to a queue).
    pub fn listen<F>(&self, on_event: F) -> Result<(), Error>
    where
        F: Fn(PushEvent) + Send + Sync + 'static,
    {
        let channel = self.listening.channel(Box::new(on_event));
        self.run("listen", serde_json::json!({ "channel": channel }))
            .map(|_: serde_json::Value| ())
    }

    /// Asks the phone for pushes. On Android the server's VAPID public key (base64url) goes
    /// to the distributor, which may want it; on iOS the person is asked to allow
    /// notifications first. `label` is what a distributor shows for this app.
    pub fn register(&self, vapid_key: &str, label: &str) -> Result<Registration, Error> {
        self.run(
            "register",
            serde_json::json!({ "vapidKey": vapid_key, "label": label }),
        )
    }

    /// Stops pushes to this phone, as before signing out.
    pub fn unregister(&self) -> Result<(), Error> {
        self.run("unregister", serde_json::json!({}))
            .map(|_: serde_json::Value| ())
    }

    #[cfg(mobile)]
    fn run<T: serde::de::DeserializeOwned>(
        &self,
        command: &str,
        args: serde_json::Value,
    ) -> Result<T, Error> {
        Ok(self.handle.run_mobile_plugin(command, args)?)
    }

    #[cfg(desktop)]
    #[allow(clippy::unused_self)]
    fn run<T>(&self, _command: &str, _args: serde_json::Value) -> Result<T, Error> {
        Err(Error::Unsupported)
    }
}

/// Reaches the plugin from anything that reaches the app.
pub trait RemotePushExt<R: Runtime> {
    fn remote_push(&self) -> &RemotePush<R>;
}

impl<R: Runtime, T: Manager<R>> RemotePushExt<R> for T {
    fn remote_push(&self) -> &RemotePush<R> {
        self.state::<RemotePush<R>>().inner()
    }
}

/// The plugin, to register with the app's builder.
#[must_use]
pub fn init<R: Runtime>() -> TauriPlugin<R> {
    Builder::new("remote-push")
        .setup(|app, _api| {
            #[cfg(target_os = "android")]
            let handle =
                _api.register_android_plugin("app.proplink.remotepush", "RemotePushPlugin")?;
            #[cfg(target_os = "ios")]
            let handle = _api.register_ios_plugin(ios::init)?;
            app.manage(RemotePush::<R> {
                #[cfg(mobile)]
                handle,
                #[cfg(desktop)]
                _runtime: std::marker::PhantomData,
                listening: Listening::default(),
            });
            Ok(())
        })
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(json: &str) -> Option<PushEvent> {
        PushEvent::parse(&InvokeResponseBody::Json(json.to_owned()))
    }

    /// The JSON here is what `PushEvents.kt` and `RemotePushPlugin.swift` send: the two halves
    /// must agree on it.
    #[test]
    fn reads_what_the_native_halves_send() {
        assert_eq!(
            parsed(
                r#"{"kind":"endpoint","url":"https://ntfy.example/upAbc?up=1","p256dh":"BPk","auth":"c2VjcmV0"}"#
            ),
            Some(PushEvent::Endpoint {
                url: "https://ntfy.example/upAbc?up=1".into(),
                p256dh: Some("BPk".into()),
                auth: Some("c2VjcmV0".into()),
            })
        );
        assert_eq!(
            parsed(r#"{"kind":"token","token":"5f1c3e8a"}"#),
            Some(PushEvent::Token {
                token: "5f1c3e8a".into()
            })
        );
        assert_eq!(
            parsed(r#"{"kind":"received","payload":"{\"title\":\"Urgent\"}","shown":false}"#),
            Some(PushEvent::Received {
                payload: r#"{"title":"Urgent"}"#.into(),
                shown: false
            })
        );
        assert_eq!(
            parsed(r#"{"kind":"opened","payload":"{}"}"#),
            Some(PushEvent::Opened {
                payload: "{}".into()
            })
        );
        assert_eq!(
            parsed(r#"{"kind":"unregistered","reason":"ACTION_REQUIRED"}"#),
            Some(PushEvent::Unregistered {
                reason: "ACTION_REQUIRED".into()
            })
        );
        assert_eq!(
            PushEvent::parse(&InvokeResponseBody::Raw(
                br#"{"kind":"token","token":"ab"}"#.to_vec()
            )),
            Some(PushEvent::Token { token: "ab".into() })
        );
    }

    #[test]
    fn one_channel_serves_every_listener_and_only_the_last_hears() {
        let heard = Arc::new(Mutex::new(Vec::new()));
        let listening = Listening::default();
        let hear = |who: &'static str| -> Listener {
            let heard = heard.clone();
            Box::new(move |e| {
                heard
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push((who, e));
            })
        };
        let token = || InvokeResponseBody::Json(r#"{"kind":"token","token":"ab"}"#.into());
        let first = listening.channel(hear("first"));
        first.send(token()).unwrap_or_else(|e| panic!("{e}"));
        let second = listening.channel(hear("second"));
        assert_eq!(first.id(), second.id(), "the same channel again");
        second.send(token()).unwrap_or_else(|e| panic!("{e}"));
        second
            .send(InvokeResponseBody::Json("not an event".into()))
            .unwrap_or_else(|e| panic!("{e}"));
        let who: Vec<&str> = heard
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(who, _)| *who)
            .collect();
        assert_eq!(who, ["first", "second"]);
    }

    #[test]
    fn what_it_does_not_know_is_passed_over() {
        assert_eq!(parsed(r#"{"kind":"silent","payload":"x"}"#), None);
        assert_eq!(parsed(r#"{"kind":"token"}"#), None);
        assert_eq!(parsed("not json"), None);
    }

    #[test]
    fn a_registration_reads_with_or_without_a_reason() {
        let r: Registration =
            serde_json::from_str(r#"{"available":false,"reason":"No UnifiedPush distributor"}"#)
                .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.reason.as_deref(), Some("No UnifiedPush distributor"));
        let r: Registration =
            serde_json::from_str(r#"{"available":true}"#).unwrap_or_else(|e| panic!("{e}"));
        assert!(r.available && r.reason.is_none());
    }
}
