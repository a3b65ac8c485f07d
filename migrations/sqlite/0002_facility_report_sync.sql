-- Facility Report: device tokens, exactly-once sync, resumable photo uploads, notes.

CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    staff_user_id TEXT NOT NULL REFERENCES staff_users(id),
    device_id TEXT NOT NULL,
    device_name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX api_tokens_device ON api_tokens (organisation_id, device_id);

-- The last seq applied per device, advanced in the same transaction as the mutation.
CREATE TABLE sync_devices (
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    device_id TEXT NOT NULL,
    staff_user_id TEXT NOT NULL REFERENCES staff_users(id),
    last_seq INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, device_id)
);

CREATE TABLE sync_mutations (
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    device_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    mutation_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    outcome TEXT NOT NULL,
    reason TEXT,
    code TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, device_id, seq),
    UNIQUE (organisation_id, device_id, mutation_id)
);

-- Photos arrive by content hash, resumably; the bytes live in the file store.
CREATE TABLE uploads (
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    sha256 TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    received_bytes INTEGER NOT NULL,
    content_type TEXT,
    created_at INTEGER NOT NULL,
    completed_at INTEGER,
    PRIMARY KEY (organisation_id, sha256)
);

CREATE TABLE record_files (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX record_files_record ON record_files (organisation_id, record_type, record_id);

CREATE TABLE work_order_notes (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    work_order_id TEXT NOT NULL REFERENCES work_orders(id),
    author_name TEXT NOT NULL,
    channel TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX work_order_notes_wo ON work_order_notes (organisation_id, work_order_id, created_at);
