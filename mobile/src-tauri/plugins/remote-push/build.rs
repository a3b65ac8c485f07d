//! Builds the plugin's native halves with the app: the Gradle library under `android/` and the
//! Swift package under `ios/`.

fn main() {
    // No command is exposed to the webview: the app's Rust side drives the plugin.
    tauri_plugin::Builder::new(&[])
        .android_path("android")
        .ios_path("ios")
        .build();

    // An iPhone hands out an APNs token only to an app entitled to it. Xcode swaps the value
    // for "production" when the app is exported for the App Store.
    #[cfg(target_os = "macos")]
    if let Err(e) = tauri_plugin::mobile::update_entitlements(|entitlements| {
        entitlements.insert("aps-environment".into(), "development".into());
    }) {
        panic!("the iOS project's entitlements could not be updated: {e}");
    }
}
