package app.proplink.remotepush

import org.unifiedpush.android.connector.FailedReason
import org.unifiedpush.android.connector.PushService
import org.unifiedpush.android.connector.data.PushEndpoint
import org.unifiedpush.android.connector.data.PushMessage

/**
 * Where the distributor's messages reach the app, running or not. The connector has already
 * decrypted them with the keys it made for this phone (RFC 8291).
 */
class RemotePushService : PushService() {
    override fun onNewEndpoint(endpoint: PushEndpoint, instance: String) {
        PushEvents.endpoint(this, endpoint.url, endpoint.pubKeySet?.pubKey, endpoint.pubKeySet?.auth)
    }

    override fun onMessage(message: PushMessage, instance: String) {
        // Only what was sealed for this phone is shown: anyone who learnt the endpoint could
        // send the rest.
        if (!message.decrypted) return
        val payload = message.content.toString(Charsets.UTF_8)
        // The running app shows it itself (and in its own bar); a closed one cannot.
        if (!PushEvents.received(payload)) Notifier.show(this, payload)
    }

    override fun onRegistrationFailed(reason: FailedReason, instance: String) {
        PushEvents.unregistered(this, reason.name)
    }

    override fun onUnregistered(instance: String) {
        PushEvents.unregistered(this, "UNREGISTERED")
    }
}
