-- PropLink schema (SQLite dialect; migrations/postgres holds the same schema for PostgreSQL).
--
-- Ids are UUIDv7 text; money is integer pence; instants are integer microseconds since the
-- Unix epoch (UTC); calendar dates are 'YYYY-MM-DD' text.
--
-- Every tenant table carries organisation_id, keyed by it first: (organisation_id, id). Every
-- reference to another record includes the organisation, so the database itself refuses a
-- link from one organisation's record to another's, and a record id means something only
-- within its organisation.

CREATE TABLE organisations (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    legal_name TEXT NOT NULL DEFAULT '',
    company_number TEXT NOT NULL DEFAULT '',
    vat_number TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    brand_colour TEXT NOT NULL DEFAULT '#1d4f91',
    welcome_text TEXT NOT NULL DEFAULT '',
    financial_year_end TEXT NOT NULL DEFAULT '03-31',
    created_at INTEGER NOT NULL
);

CREATE TABLE staff_users (
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    id TEXT NOT NULL,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT,
    all_sites BOOLEAN NOT NULL DEFAULT FALSE,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, id),
    UNIQUE (organisation_id, email)
);
CREATE INDEX staff_users_email ON staff_users (email);

CREATE TABLE sites (
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    id TEXT NOT NULL,
    reference TEXT NOT NULL,
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, id),
    UNIQUE (organisation_id, reference)
);

CREATE TABLE staff_site_scopes (
    organisation_id TEXT NOT NULL,
    staff_user_id TEXT NOT NULL,
    site_id TEXT NOT NULL,
    PRIMARY KEY (organisation_id, staff_user_id, site_id),
    FOREIGN KEY (organisation_id, staff_user_id) REFERENCES staff_users (organisation_id, id),
    FOREIGN KEY (organisation_id, site_id) REFERENCES sites (organisation_id, id)
);

CREATE TABLE buildings (
    organisation_id TEXT NOT NULL,
    id TEXT NOT NULL,
    site_id TEXT NOT NULL,
    name TEXT NOT NULL,
    height_decimetres INTEGER,
    storeys INTEGER,
    is_hrb BOOLEAN NOT NULL DEFAULT FALSE,
    bsr_registration TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, id),
    FOREIGN KEY (organisation_id, site_id) REFERENCES sites (organisation_id, id)
);
CREATE INDEX buildings_site ON buildings (organisation_id, site_id, name);

CREATE TABLE units (
    organisation_id TEXT NOT NULL,
    id TEXT NOT NULL,
    site_id TEXT NOT NULL,
    building_id TEXT NOT NULL,
    name TEXT NOT NULL,
    floor TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, id),
    FOREIGN KEY (organisation_id, site_id) REFERENCES sites (organisation_id, id),
    FOREIGN KEY (organisation_id, building_id) REFERENCES buildings (organisation_id, id)
);
CREATE INDEX units_building ON units (organisation_id, building_id, created_at);

CREATE TABLE contacts (
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    id TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    email TEXT,
    phone TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, id)
);
CREATE INDEX contacts_name ON contacts (organisation_id, last_name, first_name, id);
CREATE INDEX contacts_email ON contacts (organisation_id, email);

CREATE TABLE unit_contacts (
    organisation_id TEXT NOT NULL,
    id TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    role TEXT NOT NULL,
    billable BOOLEAN NOT NULL DEFAULT FALSE,
    start_date TEXT NOT NULL,
    end_date TEXT,
    PRIMARY KEY (organisation_id, id),
    FOREIGN KEY (organisation_id, unit_id) REFERENCES units (organisation_id, id),
    FOREIGN KEY (organisation_id, contact_id) REFERENCES contacts (organisation_id, id)
);
CREATE INDEX unit_contacts_unit ON unit_contacts (organisation_id, unit_id, start_date);
CREATE INDEX unit_contacts_contact ON unit_contacts (organisation_id, contact_id, start_date);

CREATE TABLE invoices (
    organisation_id TEXT NOT NULL,
    id TEXT NOT NULL,
    number TEXT NOT NULL,
    site_id TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    description TEXT NOT NULL,
    issue_date TEXT NOT NULL,
    due_date TEXT NOT NULL,
    status TEXT NOT NULL,
    net INTEGER NOT NULL,
    vat INTEGER NOT NULL,
    total INTEGER NOT NULL,
    paid INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, id),
    UNIQUE (organisation_id, number),
    FOREIGN KEY (organisation_id, site_id) REFERENCES sites (organisation_id, id),
    FOREIGN KEY (organisation_id, unit_id) REFERENCES units (organisation_id, id),
    FOREIGN KEY (organisation_id, contact_id) REFERENCES contacts (organisation_id, id)
);
CREATE INDEX invoices_list ON invoices (organisation_id, issue_date, number);
CREATE INDEX invoices_site ON invoices (organisation_id, site_id, issue_date, number);
CREATE INDEX invoices_unit ON invoices (organisation_id, unit_id, issue_date);
-- What is owed: posted invoices not yet paid in full, by due date.
CREATE INDEX invoices_open ON invoices (organisation_id, due_date, status, total, paid) WHERE status IN ('approved', 'sent');

CREATE TABLE invoice_lines (
    organisation_id TEXT NOT NULL,
    id TEXT NOT NULL,
    invoice_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    description TEXT NOT NULL,
    vat_rate TEXT NOT NULL,
    net INTEGER NOT NULL,
    vat INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, id),
    FOREIGN KEY (organisation_id, invoice_id) REFERENCES invoices (organisation_id, id)
);
CREATE INDEX invoice_lines_invoice ON invoice_lines (organisation_id, invoice_id, position);

CREATE TABLE payments (
    organisation_id TEXT NOT NULL,
    id TEXT NOT NULL,
    site_id TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    amount INTEGER NOT NULL,
    unallocated INTEGER NOT NULL,
    method TEXT NOT NULL,
    received_on TEXT NOT NULL,
    reference TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, id),
    FOREIGN KEY (organisation_id, site_id) REFERENCES sites (organisation_id, id),
    FOREIGN KEY (organisation_id, unit_id) REFERENCES units (organisation_id, id),
    FOREIGN KEY (organisation_id, contact_id) REFERENCES contacts (organisation_id, id)
);
CREATE INDEX payments_unit ON payments (organisation_id, unit_id, received_on);

CREATE TABLE allocations (
    organisation_id TEXT NOT NULL,
    id TEXT NOT NULL,
    payment_id TEXT NOT NULL,
    invoice_id TEXT NOT NULL,
    amount INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, id),
    FOREIGN KEY (organisation_id, payment_id) REFERENCES payments (organisation_id, id),
    FOREIGN KEY (organisation_id, invoice_id) REFERENCES invoices (organisation_id, id)
);
CREATE INDEX allocations_invoice ON allocations (organisation_id, invoice_id);
CREATE INDEX allocations_payment ON allocations (organisation_id, payment_id);

CREATE TABLE tickets (
    organisation_id TEXT NOT NULL,
    id TEXT NOT NULL,
    reference TEXT NOT NULL,
    site_id TEXT NOT NULL,
    unit_id TEXT,
    category TEXT NOT NULL,
    priority TEXT NOT NULL,
    status TEXT NOT NULL,
    subject TEXT NOT NULL,
    reporter_contact_id TEXT,
    assignee_id TEXT,
    source TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    first_response_at INTEGER,
    closed_at INTEGER,
    close_reason TEXT,
    PRIMARY KEY (organisation_id, id),
    UNIQUE (organisation_id, reference),
    FOREIGN KEY (organisation_id, site_id) REFERENCES sites (organisation_id, id),
    FOREIGN KEY (organisation_id, unit_id) REFERENCES units (organisation_id, id),
    FOREIGN KEY (organisation_id, reporter_contact_id) REFERENCES contacts (organisation_id, id),
    FOREIGN KEY (organisation_id, assignee_id) REFERENCES staff_users (organisation_id, id)
);
CREATE INDEX tickets_list ON tickets (organisation_id, created_at, id);
CREATE INDEX tickets_site ON tickets (organisation_id, site_id, created_at, id);
CREATE INDEX tickets_status ON tickets (organisation_id, status, created_at);
CREATE INDEX tickets_reporter ON tickets (organisation_id, reporter_contact_id, created_at);
-- Open records, newest first, for dashboards and queues: the predicate is the one the store
-- writes for "open" (store::query::status_condition), so both databases use the index.
CREATE INDEX tickets_open ON tickets (organisation_id, created_at, id) WHERE status IN ('open', 'in_progress', 'waiting_on_customer');

CREATE TABLE ticket_entries (
    organisation_id TEXT NOT NULL,
    id TEXT NOT NULL,
    ticket_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    author_name TEXT NOT NULL,
    channel TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, id),
    FOREIGN KEY (organisation_id, ticket_id) REFERENCES tickets (organisation_id, id)
);
CREATE INDEX ticket_entries_ticket ON ticket_entries (organisation_id, ticket_id, created_at, id);

CREATE TABLE vendors (
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    phone TEXT NOT NULL DEFAULT '',
    service_category TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, id)
);
CREATE INDEX vendors_name ON vendors (organisation_id, name, id);

CREATE TABLE work_orders (
    organisation_id TEXT NOT NULL,
    id TEXT NOT NULL,
    reference TEXT NOT NULL,
    site_id TEXT NOT NULL,
    building_id TEXT,
    unit_id TEXT,
    ticket_id TEXT,
    title TEXT NOT NULL,
    scope TEXT NOT NULL,
    service_category TEXT NOT NULL,
    priority TEXT NOT NULL,
    deadline TEXT,
    status TEXT NOT NULL,
    vendor_id TEXT,
    approved_cost INTEGER,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, id),
    UNIQUE (organisation_id, reference),
    FOREIGN KEY (organisation_id, site_id) REFERENCES sites (organisation_id, id),
    FOREIGN KEY (organisation_id, building_id) REFERENCES buildings (organisation_id, id),
    FOREIGN KEY (organisation_id, unit_id) REFERENCES units (organisation_id, id),
    FOREIGN KEY (organisation_id, ticket_id) REFERENCES tickets (organisation_id, id),
    FOREIGN KEY (organisation_id, vendor_id) REFERENCES vendors (organisation_id, id)
);
CREATE INDEX work_orders_list ON work_orders (organisation_id, created_at, id);
CREATE INDEX work_orders_site ON work_orders (organisation_id, site_id, created_at, id);
CREATE INDEX work_orders_status ON work_orders (organisation_id, status, created_at);
CREATE INDEX work_orders_open ON work_orders (organisation_id, created_at, id) WHERE status IN ('draft', 'sent_for_quote', 'quoted', 'approved', 'in_progress', 'completed', 'pending_review');

CREATE TABLE issues (
    organisation_id TEXT NOT NULL,
    id TEXT NOT NULL,
    site_id TEXT NOT NULL,
    building_id TEXT,
    location TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL,
    priority TEXT NOT NULL,
    status TEXT NOT NULL,
    dismiss_reason TEXT,
    reported_by TEXT NOT NULL,
    ticket_id TEXT,
    work_order_id TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, id),
    FOREIGN KEY (organisation_id, site_id) REFERENCES sites (organisation_id, id),
    FOREIGN KEY (organisation_id, building_id) REFERENCES buildings (organisation_id, id),
    FOREIGN KEY (organisation_id, ticket_id) REFERENCES tickets (organisation_id, id),
    FOREIGN KEY (organisation_id, work_order_id) REFERENCES work_orders (organisation_id, id)
);
CREATE INDEX issues_list ON issues (organisation_id, created_at, id);
CREATE INDEX issues_site ON issues (organisation_id, site_id, created_at, id);
CREATE INDEX issues_status ON issues (organisation_id, status, created_at);
CREATE INDEX issues_open ON issues (organisation_id, created_at, id) WHERE status IN ('open', 'triaged', 'assigned');
CREATE INDEX issues_work_order ON issues (organisation_id, work_order_id);

CREATE TABLE vendor_cover (
    organisation_id TEXT NOT NULL,
    id TEXT NOT NULL,
    vendor_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    provider TEXT NOT NULL,
    policy_number TEXT NOT NULL,
    sum_insured INTEGER,
    expires_on TEXT NOT NULL,
    PRIMARY KEY (organisation_id, id),
    FOREIGN KEY (organisation_id, vendor_id) REFERENCES vendors (organisation_id, id)
);
CREATE INDEX vendor_cover_vendor ON vendor_cover (organisation_id, vendor_id, expires_on);

CREATE TABLE quotes (
    organisation_id TEXT NOT NULL,
    id TEXT NOT NULL,
    work_order_id TEXT NOT NULL,
    vendor_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    net INTEGER NOT NULL,
    vat INTEGER NOT NULL,
    notes TEXT NOT NULL DEFAULT '',
    awarded BOOLEAN NOT NULL DEFAULT FALSE,
    channel TEXT NOT NULL,
    submitted_at INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, id),
    FOREIGN KEY (organisation_id, work_order_id) REFERENCES work_orders (organisation_id, id),
    FOREIGN KEY (organisation_id, vendor_id) REFERENCES vendors (organisation_id, id)
);
CREATE INDEX quotes_work_order ON quotes (organisation_id, work_order_id, submitted_at);

CREATE TABLE certificates (
    organisation_id TEXT NOT NULL,
    id TEXT NOT NULL,
    work_order_id TEXT,
    site_id TEXT NOT NULL,
    vendor_id TEXT,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    registration_number TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    expires_on TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, id),
    FOREIGN KEY (organisation_id, work_order_id) REFERENCES work_orders (organisation_id, id),
    FOREIGN KEY (organisation_id, site_id) REFERENCES sites (organisation_id, id),
    FOREIGN KEY (organisation_id, vendor_id) REFERENCES vendors (organisation_id, id)
);
CREATE INDEX certificates_work_order ON certificates (organisation_id, work_order_id, issued_on);

CREATE TABLE notices (
    organisation_id TEXT NOT NULL,
    id TEXT NOT NULL,
    site_id TEXT,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    publish_on TEXT NOT NULL,
    expires_on TEXT,
    urgent BOOLEAN NOT NULL DEFAULT FALSE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, id),
    FOREIGN KEY (organisation_id, site_id) REFERENCES sites (organisation_id, id)
);
CREATE INDEX notices_list ON notices (organisation_id, publish_on, id);

-- Stored files: one per organisation and content hash. The bytes live in the file store,
-- with personal metadata (EXIF, GPS) already removed from photos.
CREATE TABLE files (
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    sha256 TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, sha256)
);

CREATE TABLE documents (
    organisation_id TEXT NOT NULL,
    id TEXT NOT NULL,
    site_id TEXT,
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    folder TEXT NOT NULL,
    audience TEXT NOT NULL,
    title TEXT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, id),
    FOREIGN KEY (organisation_id, site_id) REFERENCES sites (organisation_id, id),
    FOREIGN KEY (organisation_id, sha256) REFERENCES files (organisation_id, sha256)
);
CREATE INDEX documents_record ON documents (organisation_id, record_type, record_id);

-- Files attached to records (photos of a request, an issue, a work order).
CREATE TABLE record_files (
    organisation_id TEXT NOT NULL,
    id TEXT NOT NULL,
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, id),
    FOREIGN KEY (organisation_id, sha256) REFERENCES files (organisation_id, sha256)
);
CREATE INDEX record_files_record ON record_files (organisation_id, record_type, record_id, created_at);
CREATE INDEX record_files_file ON record_files (organisation_id, sha256);

-- Uploads in progress and done, per uploader: having uploaded a file is what lets someone
-- attach it before it belongs to any record they can read.
CREATE TABLE uploads (
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    uploader TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    received_bytes INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    completed_at INTEGER,
    PRIMARY KEY (organisation_id, uploader, sha256)
);
CREATE INDEX uploads_stale ON uploads (updated_at) WHERE completed_at IS NULL;

CREATE TABLE work_order_notes (
    organisation_id TEXT NOT NULL,
    id TEXT NOT NULL,
    work_order_id TEXT NOT NULL,
    author_name TEXT NOT NULL,
    channel TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, id),
    FOREIGN KEY (organisation_id, work_order_id) REFERENCES work_orders (organisation_id, id)
);
CREATE INDEX work_order_notes_work_order ON work_order_notes (organisation_id, work_order_id, created_at);

CREATE TABLE record_counters (
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    prefix TEXT NOT NULL,
    year INTEGER NOT NULL,
    last_number INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, prefix, year)
);

-- The audit trail: append-only, hash-chained per organisation; its heads are signed into
-- checkpoints kept outside the database.
CREATE TABLE audit_heads (
    organisation_id TEXT PRIMARY KEY REFERENCES organisations (id),
    last_seq INTEGER NOT NULL,
    last_hash TEXT NOT NULL
);

CREATE TABLE audit_events (
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    seq INTEGER NOT NULL,
    id TEXT NOT NULL,
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id TEXT,
    actor_name TEXT NOT NULL,
    channel TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL,
    sentence TEXT NOT NULL,
    occurred_at INTEGER NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (organisation_id, seq)
);
CREATE INDEX audit_events_record ON audit_events (organisation_id, record_type, record_id, seq);

-- Sign-in: one-time codes (kept only as keyed hashes), rate events, server-side sessions.
CREATE TABLE otp_codes (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    door TEXT NOT NULL,
    email TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    used_at INTEGER
);
CREATE INDEX otp_codes_lookup ON otp_codes (organisation_id, door, email, created_at);
CREATE INDEX otp_codes_expiry ON otp_codes (expires_at);

CREATE TABLE rate_events (
    bucket TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX rate_events_bucket ON rate_events (bucket, at);
CREATE INDEX rate_events_at ON rate_events (at);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    door TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_subject ON sessions (organisation_id, subject_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- Every outbound email: the communications log and the send queue. A message that carries a
-- secret (a sign-in code) keeps its text sealed with a key outside the database until it is
-- sent, and only a redacted copy afterwards.
CREATE TABLE outbound_mail (
    id TEXT PRIMARY KEY,
    organisation_id TEXT REFERENCES organisations (id),
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    sealed_body BLOB,
    record_type TEXT,
    record_id TEXT,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    due_at INTEGER NOT NULL,
    claimed_at INTEGER,
    sent_at INTEGER
);
CREATE INDEX outbound_mail_queue ON outbound_mail (status, due_at);
CREATE INDEX outbound_mail_org ON outbound_mail (organisation_id, created_at);

-- Facility Report: device tokens, exactly-once sync per person and device.
CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL,
    staff_user_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    device_name TEXT NOT NULL,
    signed_in_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER,
    FOREIGN KEY (organisation_id, staff_user_id) REFERENCES staff_users (organisation_id, id)
);
CREATE INDEX api_tokens_device ON api_tokens (organisation_id, staff_user_id, device_id);

-- The last seq applied per person and device, advanced in the same transaction as the change.
CREATE TABLE sync_devices (
    organisation_id TEXT NOT NULL,
    staff_user_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    last_seq INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, staff_user_id, device_id),
    FOREIGN KEY (organisation_id, staff_user_id) REFERENCES staff_users (organisation_id, id)
);

CREATE TABLE sync_mutations (
    organisation_id TEXT NOT NULL,
    staff_user_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    mutation_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    outcome TEXT NOT NULL,
    reason TEXT,
    code TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, staff_user_id, device_id, seq)
);
CREATE INDEX sync_mutations_id ON sync_mutations (organisation_id, staff_user_id, device_id, mutation_id);
