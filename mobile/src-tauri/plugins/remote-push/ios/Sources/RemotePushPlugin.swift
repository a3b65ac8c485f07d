import Tauri
import UIKit
import UserNotifications

class ListenArgs: Decodable {
  let channel: Channel
}

/// The commands the app's Rust side runs (see the plugin's lib.rs), and what APNs and the
/// notification centre tell the app, as the JSON `PushEvent` there reads.
class RemotePushPlugin: Plugin, UNUserNotificationCenterDelegate {
  /// The plugin the app delegate's hooks tell of tokens.
  static weak var current: RemotePushPlugin?

  private var listener: Channel?
  private var waiting: [JsonObject] = []
  /// The last token APNs gave, told again to each new listener.
  private var token: String?
  /// Who had the notification centre before: the notification plugin, for the app's own
  /// (local) notifications.
  private var previous: UNUserNotificationCenterDelegate?

  override init() {
    super.init()
    RemotePushPlugin.current = self
    // As early as the notification plugin takes it (this plugin is registered after it), so
    // that the tap that launched the app comes here.
    let center = UNUserNotificationCenter.current()
    previous = center.delegate
    center.delegate = self
    DispatchQueue.main.async { AppDelegateHooks.install() }
  }

  // MARK: Commands

  @objc public func listen(_ invoke: Invoke) throws {
    let args = try invoke.parseArgs(ListenArgs.self)
    DispatchQueue.main.async {
      self.listener = args.channel
      if let token = self.token {
        let event: JsonObject = ["kind": "token", "token": token]
        args.channel.send(event)
      }
      self.waiting.forEach { args.channel.send($0) }
      self.waiting.removeAll()
      invoke.resolve()
    }
  }

  @objc public func register(_ invoke: Invoke) throws {
    let center = UNUserNotificationCenter.current()
    center.requestAuthorization(options: [.alert, .sound, .badge]) { granted, _ in
      guard granted else {
        invoke.resolve([
          "available": false,
          "reason": "Notifications are turned off for this app in Settings.",
        ])
        return
      }
      // The token comes to the app delegate, and from there to tokenArrived.
      DispatchQueue.main.async { UIApplication.shared.registerForRemoteNotifications() }
      invoke.resolve(["available": true])
    }
  }

  @objc public func unregister(_ invoke: Invoke) throws {
    DispatchQueue.main.async {
      UIApplication.shared.unregisterForRemoteNotifications()
      self.token = nil
      invoke.resolve()
    }
  }

  // MARK: From the app delegate

  func tokenArrived(_ deviceToken: Data) {
    let hex = deviceToken.map { String(format: "%02x", $0) }.joined()
    DispatchQueue.main.async {
      self.token = hex
      self.tell(["kind": "token", "token": hex], keep: false)
    }
  }

  func tokenRefused(_ error: Error) {
    DispatchQueue.main.async {
      self.tell(["kind": "unregistered", "reason": error.localizedDescription], keep: true)
    }
  }

  // MARK: UNUserNotificationCenterDelegate

  func userNotificationCenter(
    _ center: UNUserNotificationCenter,
    willPresent notification: UNNotification,
    withCompletionHandler completionHandler: @escaping (UNNotificationPresentationOptions) -> Void
  ) {
    guard RemotePushPlugin.isRemote(notification) else {
      if let previous = previous,
        previous.responds(
          to: #selector(UNUserNotificationCenterDelegate.userNotificationCenter(_:willPresent:withCompletionHandler:)))
      {
        previous.userNotificationCenter?(
          center, willPresent: notification, withCompletionHandler: completionHandler)
      } else {
        completionHandler([])
      }
      return
    }
    // The app is open: the system shows the banner, and the app its own bar and a sync.
    let payload = RemotePushPlugin.payload(of: notification)
    DispatchQueue.main.async {
      self.tell(["kind": "received", "payload": payload, "shown": true], keep: false)
    }
    if #available(iOS 14.0, *) {
      completionHandler([.banner, .list, .sound])
    } else {
      completionHandler([.alert, .sound])
    }
  }

  func userNotificationCenter(
    _ center: UNUserNotificationCenter,
    didReceive response: UNNotificationResponse,
    withCompletionHandler completionHandler: @escaping () -> Void
  ) {
    guard RemotePushPlugin.isRemote(response.notification) else {
      // One of the app's own: the notification plugin tells of the tap without what the app
      // put on it, so the record it names is told here.
      if response.actionIdentifier == UNNotificationDefaultActionIdentifier,
        let extra = response.notification.request.content.userInfo["__EXTRA__"] as? [String: Any],
        let record = extra["record"] as? String,
        let data = try? JSONSerialization.data(withJSONObject: ["record": record])
      {
        let payload = String(decoding: data, as: UTF8.self)
        DispatchQueue.main.async { self.tell(["kind": "opened", "payload": payload], keep: true) }
      }
      if let previous = previous,
        previous.responds(
          to: #selector(UNUserNotificationCenterDelegate.userNotificationCenter(_:didReceive:withCompletionHandler:)))
      {
        previous.userNotificationCenter?(
          center, didReceive: response, withCompletionHandler: completionHandler)
      } else {
        completionHandler()
      }
      return
    }
    if response.actionIdentifier == UNNotificationDefaultActionIdentifier {
      let payload = RemotePushPlugin.payload(of: response.notification)
      DispatchQueue.main.async {
        // Tapped while the app was closed: the app opens the record once it listens.
        self.tell(["kind": "opened", "payload": payload], keep: true)
      }
    }
    completionHandler()
  }

  // MARK: Helpers

  /// Sends an event to the app; `keep` holds it for the next listener if none listens now.
  private func tell(_ event: JsonObject, keep: Bool) {
    if let listener = listener {
      listener.send(event)
    } else if keep {
      waiting.append(event)
    }
  }

  private static func isRemote(_ notification: UNNotification) -> Bool {
    return notification.request.trigger is UNPushNotificationTrigger
  }

  /// What APNs delivered (`aps` and the server's `url`), as JSON text.
  private static func payload(of notification: UNNotification) -> String {
    var object: [String: Any] = [:]
    for (key, value) in notification.request.content.userInfo {
      if let key = key as? String { object[key] = value }
    }
    guard JSONSerialization.isValidJSONObject(object),
      let data = try? JSONSerialization.data(withJSONObject: object)
    else { return "{}" }
    return String(decoding: data, as: UTF8.self)
  }
}

@_cdecl("init_plugin_remote_push")
func initPlugin() -> Plugin {
  return RemotePushPlugin()
}
