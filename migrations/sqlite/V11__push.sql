-- Web Push: the server's VAPID keys (the private half sealed with a key outside the database),
-- the subscriptions of each person's browsers and devices, and the outbox of pushes, written
-- in the same transaction as the event that causes them and sent by a worker.
CREATE TABLE vapid_keys (
    id TEXT PRIMARY KEY,
    public_key TEXT NOT NULL,
    sealed_private_key BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    -- Set when a newer key replaced it: subscriptions made with it are still signed with it.
    retired_at INTEGER
);

CREATE TABLE push_subscriptions (
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    id TEXT NOT NULL,
    -- Whose it is, as the audit trail names people: contact:<id> or staff:<id>.
    subject TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    p256dh TEXT NOT NULL,
    auth TEXT NOT NULL,
    vapid_key_id TEXT NOT NULL REFERENCES vapid_keys (id),
    -- Which door it was made on, and the browser or device as its person would recognise it.
    door TEXT NOT NULL,
    device TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_sent_at INTEGER,
    PRIMARY KEY (organisation_id, id),
    UNIQUE (endpoint)
);
CREATE INDEX push_subscriptions_subject ON push_subscriptions (organisation_id, subject);

CREATE TABLE push_outbox (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    subscription_id TEXT NOT NULL,
    -- One push per event per device: the event's key, unique with the subscription.
    event_key TEXT NOT NULL,
    topic TEXT NOT NULL,
    urgency TEXT NOT NULL,
    ttl_seconds INTEGER NOT NULL,
    -- What the lock screen shows and the record a tap opens: no personal data beyond that.
    payload TEXT NOT NULL,
    -- queued, sending, sent, gone (the subscription ended), failed (given up).
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    due_at INTEGER NOT NULL,
    claimed_at INTEGER,
    created_at INTEGER NOT NULL,
    sent_at INTEGER,
    UNIQUE (subscription_id, event_key)
);
CREATE INDEX push_outbox_due ON push_outbox (status, due_at);
CREATE INDEX push_outbox_org ON push_outbox (organisation_id, created_at);
