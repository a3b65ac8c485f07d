package app.proplink.remotepush

import android.content.Context
import app.tauri.plugin.Channel
import app.tauri.plugin.JSObject

/**
 * Carries the phone's push events to the app's Rust side (the JSON `PushEvent` in the plugin's
 * lib.rs reads). The app is not always listening: a distributor may hand over an endpoint
 * while it is closed, and a tap starts it. The last endpoint is kept on the phone and told to
 * each new listener; other events wait in memory for the listener the opened app sets.
 */
internal object PushEvents {
    private const val PREFS = "app.proplink.remotepush"
    private const val ENDPOINT = "endpoint"

    private var listener: Channel? = null
    private val waiting = mutableListOf<JSObject>()

    @Synchronized
    fun listen(context: Context, channel: Channel) {
        listener = channel
        storedEndpoint(context)?.let { channel.send(it) }
        waiting.forEach { channel.send(it) }
        waiting.clear()
    }

    @Synchronized
    fun stopListening() {
        listener = null
    }

    /** Tells the app now if it listens; says whether it did. */
    @Synchronized
    fun tell(event: JSObject): Boolean {
        val channel = listener ?: return false
        return try {
            channel.send(event)
            true
        } catch (e: Exception) {
            listener = null
            false
        }
    }

    /** Tells the app now, or when it next listens. */
    @Synchronized
    fun tellOrKeep(event: JSObject) {
        if (!tell(event)) waiting.add(event)
    }

    fun endpoint(context: Context, url: String, p256dh: String?, auth: String?) {
        val event = JSObject()
            .put("kind", "endpoint")
            .put("url", url)
            .put("p256dh", p256dh)
            .put("auth", auth)
        prefs(context).edit().putString(ENDPOINT, event.toString()).apply()
        tell(event)
    }

    fun received(payload: String): Boolean =
        tell(JSObject().put("kind", "received").put("payload", payload).put("shown", false))

    fun opened(payload: String) = tellOrKeep(JSObject().put("kind", "opened").put("payload", payload))

    fun unregistered(context: Context, reason: String) {
        forgetEndpoint(context)
        tellOrKeep(JSObject().put("kind", "unregistered").put("reason", reason))
    }

    fun forgetEndpoint(context: Context) {
        prefs(context).edit().remove(ENDPOINT).apply()
    }

    private fun storedEndpoint(context: Context): JSObject? =
        prefs(context).getString(ENDPOINT, null)?.let { JSObject(it) }

    private fun prefs(context: Context) =
        context.applicationContext.getSharedPreferences(PREFS, Context.MODE_PRIVATE)
}
