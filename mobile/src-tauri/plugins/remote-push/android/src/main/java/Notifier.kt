package app.proplink.remotepush

import android.app.NotificationChannel
import android.app.NotificationManager
import android.app.PendingIntent
import android.content.Context
import android.content.Intent
import android.os.Build
import androidx.core.app.NotificationCompat
import androidx.core.app.NotificationManagerCompat
import org.json.JSONException
import org.json.JSONObject

/**
 * Shows a push while the app is closed. The payload is what the server sent: `title` and
 * `body` (written to be seen on a lock screen), `url` and `tag`; a tap opens the app with the
 * payload, and the app opens the record.
 */
internal object Notifier {
    const val EXTRA_PAYLOAD = "app.proplink.remotepush.PAYLOAD"
    private const val CHANNEL = "pushes"

    fun show(context: Context, payload: String) {
        val json = try {
            JSONObject(payload)
        } catch (e: JSONException) {
            return
        }
        val title = json.optString("title")
        val body = json.optString("body")
        if (title.isEmpty() && body.isEmpty()) return
        val manager = NotificationManagerCompat.from(context)
        if (!manager.areNotificationsEnabled()) return
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.O) {
            val channel = NotificationChannel(CHANNEL, "New work and requests", NotificationManager.IMPORTANCE_HIGH)
            context.getSystemService(NotificationManager::class.java).createNotificationChannel(channel)
        }
        val open = context.packageManager.getLaunchIntentForPackage(context.packageName) ?: return
        open.putExtra(EXTRA_PAYLOAD, payload)
        open.flags = Intent.FLAG_ACTIVITY_NEW_TASK or Intent.FLAG_ACTIVITY_SINGLE_TOP
        // A newer push on the same subject (the server's tag) replaces the older one.
        val tag = json.optString("tag").ifEmpty { payload }
        val tap = PendingIntent.getActivity(
            context,
            tag.hashCode(),
            open,
            PendingIntent.FLAG_IMMUTABLE or PendingIntent.FLAG_UPDATE_CURRENT,
        )
        val notification = NotificationCompat.Builder(context, CHANNEL)
            .setSmallIcon(R.drawable.ic_stat_push)
            .setContentTitle(title)
            .setContentText(body)
            .setStyle(NotificationCompat.BigTextStyle().bigText(body))
            .setPriority(NotificationCompat.PRIORITY_HIGH)
            .setContentIntent(tap)
            .setAutoCancel(true)
            .build()
        try {
            manager.notify(tag, 0, notification)
        } catch (e: SecurityException) {
            // Notifications were turned off between the check and now.
        }
    }
}
