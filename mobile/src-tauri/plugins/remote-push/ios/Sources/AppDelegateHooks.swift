import ObjectiveC.runtime
import UIKit

/// APNs gives the device token to the app delegate, which Tauri's runtime provides and which
/// knows nothing of pushes. These hooks add the two callbacks to its class, or wrap them where
/// it has them, and pass the token to the plugin.
enum AppDelegateHooks {
  private static var installed = false

  private typealias TokenCallback = @convention(c) (AnyObject, Selector, UIApplication, NSData) -> Void
  private typealias FailureCallback = @convention(c) (AnyObject, Selector, UIApplication, NSError) -> Void

  static func install() {
    guard !installed, let delegate = UIApplication.shared.delegate else { return }
    installed = true
    let cls: AnyClass = type(of: delegate)

    let tokenSelector = #selector(
      UIApplicationDelegate.application(_:didRegisterForRemoteNotificationsWithDeviceToken:))
    let theirToken = original(cls, tokenSelector, as: TokenCallback.self)
    let onToken: @convention(block) (AnyObject, UIApplication, NSData) -> Void = { this, app, token in
      theirToken?(this, tokenSelector, app, token)
      RemotePushPlugin.current?.tokenArrived(token as Data)
    }
    hook(cls, tokenSelector, imp_implementationWithBlock(onToken))

    let failureSelector = #selector(
      UIApplicationDelegate.application(_:didFailToRegisterForRemoteNotificationsWithError:))
    let theirFailure = original(cls, failureSelector, as: FailureCallback.self)
    let onFailure: @convention(block) (AnyObject, UIApplication, NSError) -> Void = { this, app, error in
      theirFailure?(this, failureSelector, app, error)
      RemotePushPlugin.current?.tokenRefused(error)
    }
    hook(cls, failureSelector, imp_implementationWithBlock(onFailure))
  }

  /// The delegate's own implementation of `selector`, if it has one.
  private static func original<T>(_ cls: AnyClass, _ selector: Selector, as type: T.Type) -> T? {
    guard let method = class_getInstanceMethod(cls, selector) else { return nil }
    return unsafeBitCast(method_getImplementation(method), to: type)
  }

  /// Puts `implementation` on the delegate's own class: added where the class has none of its
  /// own (a superclass's stays as it is, and is called first), replaced where it has one.
  private static func hook(_ cls: AnyClass, _ selector: Selector, _ implementation: IMP) {
    // Both callbacks return nothing and take the application and one object.
    if !class_addMethod(cls, selector, implementation, "v@:@@"),
      let method = class_getInstanceMethod(cls, selector)
    {
      method_setImplementation(method, implementation)
    }
  }
}
