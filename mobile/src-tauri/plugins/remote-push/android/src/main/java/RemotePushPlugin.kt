package app.proplink.remotepush

import android.Manifest
import android.app.Activity
import android.app.Application
import android.content.Intent
import android.os.Build
import android.os.Bundle
import android.webkit.WebView
import androidx.appcompat.app.AppCompatActivity
import app.tauri.PermissionState
import app.tauri.annotation.Command
import app.tauri.annotation.InvokeArg
import app.tauri.annotation.Permission
import app.tauri.annotation.PermissionCallback
import app.tauri.annotation.TauriPlugin
import app.tauri.plugin.Channel
import app.tauri.plugin.Invoke
import app.tauri.plugin.JSObject
import app.tauri.plugin.Plugin
import org.unifiedpush.android.connector.UnifiedPush

@InvokeArg
class ListenArgs {
    lateinit var channel: Channel
}

@InvokeArg
class RegisterArgs {
    var vapidKey: String? = null
    var label: String? = null
}

private const val NOTIFICATIONS = "notifications"
private const val INSTANCE = "default"

/** Whether new activities are watched for taps already: once per process. */
private var watching = false

/** The commands the app's Rust side runs (see the plugin's lib.rs). */
@TauriPlugin(
    permissions = [
        Permission(strings = [Manifest.permission.POST_NOTIFICATIONS], alias = NOTIFICATIONS),
    ],
)
class RemotePushPlugin(private val activity: Activity) : Plugin(activity) {
    override fun load(webView: WebView) {
        super.load(webView)
        // Started by a tap on one of the pushes the app showed while closed.
        tapIn(activity.intent)
        watchActivities(activity.application)
    }

    /**
     * Back out of the app, and its activity goes while the process stays: a tap then makes a
     * new activity, which this plugin is not loaded into again. Every new activity's intent is
     * looked at here instead, once per process.
     */
    private fun watchActivities(application: Application) {
        if (watching) return
        watching = true
        application.registerActivityLifecycleCallbacks(object : Application.ActivityLifecycleCallbacks {
            override fun onActivityCreated(created: Activity, state: Bundle?) {
                if (created !== activity) tapIn(created.intent)
            }
            override fun onActivityStarted(started: Activity) {}
            override fun onActivityResumed(resumed: Activity) {}
            override fun onActivityPaused(paused: Activity) {}
            override fun onActivityStopped(stopped: Activity) {}
            override fun onActivitySaveInstanceState(saved: Activity, state: Bundle) {}
            override fun onActivityDestroyed(destroyed: Activity) {}
        })
    }

    override fun onNewIntent(intent: Intent) {
        tapIn(intent)
    }

    override fun onDestroy(activity: AppCompatActivity) {
        // Without its window the app cannot show anything: pushes are shown natively again.
        PushEvents.stopListening()
    }

    private fun tapIn(intent: Intent?) {
        val payload = intent?.getStringExtra(Notifier.EXTRA_PAYLOAD) ?: return
        // Turning the phone does not open the record a second time.
        intent.removeExtra(Notifier.EXTRA_PAYLOAD)
        PushEvents.opened(payload)
    }

    @Command
    fun listen(invoke: Invoke) {
        val args = invoke.parseArgs(ListenArgs::class.java)
        PushEvents.listen(activity.applicationContext, args.channel)
        invoke.resolve()
    }

    @Command
    fun register(invoke: Invoke) {
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.TIRAMISU &&
            getPermissionState(NOTIFICATIONS) != PermissionState.GRANTED
        ) {
            requestPermissionForAlias(NOTIFICATIONS, invoke, "afterNotificationsAsked")
        } else {
            registerWithDistributor(invoke)
        }
    }

    @PermissionCallback
    private fun afterNotificationsAsked(invoke: Invoke) {
        if (getPermissionState(NOTIFICATIONS) == PermissionState.GRANTED) {
            registerWithDistributor(invoke)
        } else {
            invoke.resolve(unavailable("Notifications are turned off for this app in the phone's settings."))
        }
    }

    private fun registerWithDistributor(invoke: Invoke) {
        val args = invoke.parseArgs(RegisterArgs::class.java)
        UnifiedPush.tryUseCurrentOrDefaultDistributor(activity) { found ->
            if (!found) {
                invoke.resolve(
                    unavailable("No UnifiedPush distributor (ntfy, for instance) is installed or chosen on this phone."),
                )
            } else {
                try {
                    // The endpoint comes to RemotePushService, and from there to the app.
                    UnifiedPush.register(activity, INSTANCE, args.label, args.vapidKey)
                    invoke.resolve(JSObject().put("available", true))
                } catch (e: Exception) {
                    invoke.reject("The distributor refused the server's key: ${e.message}")
                }
            }
        }
    }

    @Command
    fun unregister(invoke: Invoke) {
        UnifiedPush.unregister(activity, INSTANCE)
        PushEvents.forgetEndpoint(activity.applicationContext)
        invoke.resolve()
    }

    private fun unavailable(reason: String) = JSObject().put("available", false).put("reason", reason)
}
