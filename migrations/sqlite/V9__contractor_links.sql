-- ContractorPort: a link per contractor and work order, its token kept only as a SHA-256
-- hash. A link opens once: it is then traded for a session bound to the same work order.
CREATE TABLE contractor_links (
    token_hash TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL,
    work_order_id TEXT NOT NULL,
    vendor_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    -- Why it no longer opens, if it does not: replaced, revoked.
    ended TEXT,
    ended_at INTEGER,
    used_at INTEGER,
    FOREIGN KEY (organisation_id, work_order_id) REFERENCES work_orders (organisation_id, id),
    FOREIGN KEY (organisation_id, vendor_id) REFERENCES vendors (organisation_id, id)
);
CREATE INDEX contractor_links_work_order ON contractor_links (organisation_id, work_order_id, vendor_id);

CREATE TABLE contractor_sessions (
    id_hash TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL,
    work_order_id TEXT NOT NULL,
    vendor_id TEXT NOT NULL,
    link_hash TEXT NOT NULL REFERENCES contractor_links (token_hash),
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX contractor_sessions_link ON contractor_sessions (link_hash);
