-- PropLink schema. Ids are UUIDv7 text; money is integer pence; instants are integer
-- microseconds since the Unix epoch (UTC); calendar dates are 'YYYY-MM-DD' text.
-- Every tenant table carries organisation_id and is indexed by it first.

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
    created_at BIGINT NOT NULL
);

CREATE TABLE staff_users (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT,
    all_sites BIGINT NOT NULL DEFAULT 0,
    active BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    UNIQUE (organisation_id, email)
);

CREATE TABLE sites (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    reference TEXT NOT NULL,
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (organisation_id, reference)
);

CREATE TABLE staff_site_scopes (
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    staff_user_id TEXT NOT NULL REFERENCES staff_users(id),
    site_id TEXT NOT NULL REFERENCES sites(id),
    PRIMARY KEY (organisation_id, staff_user_id, site_id)
);

CREATE TABLE buildings (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    site_id TEXT NOT NULL REFERENCES sites(id),
    name TEXT NOT NULL,
    height_decimetres BIGINT,
    storeys BIGINT,
    is_hrb BIGINT NOT NULL DEFAULT 0,
    bsr_registration TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX buildings_org_site ON buildings (organisation_id, site_id);

CREATE TABLE units (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    site_id TEXT NOT NULL REFERENCES sites(id),
    building_id TEXT NOT NULL REFERENCES buildings(id),
    name TEXT NOT NULL,
    floor TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX units_org_building ON units (organisation_id, building_id);

CREATE TABLE contacts (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    email TEXT,
    phone TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX contacts_org_name ON contacts (organisation_id, last_name);
CREATE INDEX contacts_org_email ON contacts (organisation_id, email);

CREATE TABLE unit_contacts (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    unit_id TEXT NOT NULL REFERENCES units(id),
    contact_id TEXT NOT NULL REFERENCES contacts(id),
    role TEXT NOT NULL,
    billable BIGINT NOT NULL DEFAULT 0,
    start_date TEXT NOT NULL,
    end_date TEXT
);
CREATE INDEX unit_contacts_org_unit ON unit_contacts (organisation_id, unit_id);
CREATE INDEX unit_contacts_org_contact ON unit_contacts (organisation_id, contact_id);

CREATE TABLE invoices (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    number TEXT NOT NULL,
    site_id TEXT NOT NULL REFERENCES sites(id),
    unit_id TEXT NOT NULL REFERENCES units(id),
    contact_id TEXT NOT NULL REFERENCES contacts(id),
    description TEXT NOT NULL,
    issue_date TEXT NOT NULL,
    due_date TEXT NOT NULL,
    status TEXT NOT NULL,
    net BIGINT NOT NULL,
    vat BIGINT NOT NULL,
    total BIGINT NOT NULL,
    paid BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    UNIQUE (organisation_id, number)
);
CREATE INDEX invoices_org_unit ON invoices (organisation_id, unit_id, issue_date);

CREATE TABLE invoice_lines (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    invoice_id TEXT NOT NULL REFERENCES invoices(id),
    position BIGINT NOT NULL,
    description TEXT NOT NULL,
    vat_rate TEXT NOT NULL,
    net BIGINT NOT NULL,
    vat BIGINT NOT NULL
);
CREATE INDEX invoice_lines_org_invoice ON invoice_lines (organisation_id, invoice_id);

CREATE TABLE payments (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    site_id TEXT NOT NULL REFERENCES sites(id),
    unit_id TEXT NOT NULL REFERENCES units(id),
    contact_id TEXT NOT NULL REFERENCES contacts(id),
    amount BIGINT NOT NULL,
    unallocated BIGINT NOT NULL,
    method TEXT NOT NULL,
    received_on TEXT NOT NULL,
    reference TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX payments_org_unit ON payments (organisation_id, unit_id, received_on);

CREATE TABLE allocations (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    payment_id TEXT NOT NULL REFERENCES payments(id),
    invoice_id TEXT NOT NULL REFERENCES invoices(id),
    amount BIGINT NOT NULL
);
CREATE INDEX allocations_org_invoice ON allocations (organisation_id, invoice_id);

CREATE TABLE tickets (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    reference TEXT NOT NULL,
    site_id TEXT NOT NULL REFERENCES sites(id),
    unit_id TEXT REFERENCES units(id),
    category TEXT NOT NULL,
    priority TEXT NOT NULL,
    status TEXT NOT NULL,
    subject TEXT NOT NULL,
    reporter_contact_id TEXT REFERENCES contacts(id),
    assignee_id TEXT REFERENCES staff_users(id),
    source TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    first_response_at BIGINT,
    closed_at BIGINT,
    close_reason TEXT,
    UNIQUE (organisation_id, reference)
);
CREATE INDEX tickets_org_site ON tickets (organisation_id, site_id, status);

CREATE TABLE ticket_entries (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    ticket_id TEXT NOT NULL REFERENCES tickets(id),
    kind TEXT NOT NULL,
    author_name TEXT NOT NULL,
    channel TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX ticket_entries_org_ticket ON ticket_entries (organisation_id, ticket_id, created_at);

CREATE TABLE vendors (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    phone TEXT NOT NULL DEFAULT '',
    service_category TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX vendors_org ON vendors (organisation_id, name);

CREATE TABLE work_orders (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    reference TEXT NOT NULL,
    site_id TEXT NOT NULL REFERENCES sites(id),
    building_id TEXT REFERENCES buildings(id),
    unit_id TEXT REFERENCES units(id),
    ticket_id TEXT REFERENCES tickets(id),
    title TEXT NOT NULL,
    scope TEXT NOT NULL,
    service_category TEXT NOT NULL,
    priority TEXT NOT NULL,
    deadline TEXT,
    status TEXT NOT NULL,
    vendor_id TEXT REFERENCES vendors(id),
    approved_cost BIGINT,
    created_at BIGINT NOT NULL,
    UNIQUE (organisation_id, reference)
);
CREATE INDEX work_orders_org_site ON work_orders (organisation_id, site_id, status);

CREATE TABLE issues (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    site_id TEXT NOT NULL REFERENCES sites(id),
    building_id TEXT REFERENCES buildings(id),
    location TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL,
    priority TEXT NOT NULL,
    status TEXT NOT NULL,
    dismiss_reason TEXT,
    reported_by TEXT NOT NULL,
    ticket_id TEXT REFERENCES tickets(id),
    work_order_id TEXT REFERENCES work_orders(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX issues_org_site ON issues (organisation_id, site_id, status);

CREATE TABLE vendor_cover (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    vendor_id TEXT NOT NULL REFERENCES vendors(id),
    kind TEXT NOT NULL,
    provider TEXT NOT NULL,
    policy_number TEXT NOT NULL,
    sum_insured BIGINT,
    expires_on TEXT NOT NULL
);
CREATE INDEX vendor_cover_org_vendor ON vendor_cover (organisation_id, vendor_id);

CREATE TABLE quotes (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    work_order_id TEXT NOT NULL REFERENCES work_orders(id),
    vendor_id TEXT NOT NULL REFERENCES vendors(id),
    kind TEXT NOT NULL,
    net BIGINT NOT NULL,
    vat BIGINT NOT NULL,
    notes TEXT NOT NULL DEFAULT '',
    awarded BIGINT NOT NULL DEFAULT 0,
    channel TEXT NOT NULL,
    submitted_at BIGINT NOT NULL
);
CREATE INDEX quotes_org_wo ON quotes (organisation_id, work_order_id);

CREATE TABLE certificates (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    work_order_id TEXT REFERENCES work_orders(id),
    site_id TEXT NOT NULL REFERENCES sites(id),
    vendor_id TEXT REFERENCES vendors(id),
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    registration_number TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    expires_on TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX certificates_org_wo ON certificates (organisation_id, work_order_id);

CREATE TABLE notices (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    site_id TEXT REFERENCES sites(id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    publish_on TEXT NOT NULL,
    expires_on TEXT,
    urgent BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX notices_org ON notices (organisation_id, publish_on);

CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    site_id TEXT REFERENCES sites(id),
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    folder TEXT NOT NULL,
    audience TEXT NOT NULL,
    title TEXT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX documents_org_record ON documents (organisation_id, record_type, record_id);

CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    content BYTEA NOT NULL
);

CREATE TABLE record_counters (
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    prefix TEXT NOT NULL,
    year BIGINT NOT NULL,
    last_number BIGINT NOT NULL,
    PRIMARY KEY (organisation_id, prefix, year)
);

-- The audit trail: append-only, hash-chained per organisation.
CREATE TABLE audit_heads (
    organisation_id TEXT PRIMARY KEY REFERENCES organisations(id),
    last_seq BIGINT NOT NULL,
    last_hash TEXT NOT NULL
);

CREATE TABLE audit_events (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    seq BIGINT NOT NULL,
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id TEXT,
    actor_name TEXT NOT NULL,
    channel TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL,
    sentence TEXT NOT NULL,
    occurred_at BIGINT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (organisation_id, seq)
);
CREATE INDEX audit_events_org_record ON audit_events (organisation_id, record_type, record_id, seq);

-- Sign-in: one-time passcodes (hashed), send-rate events, server-side sessions.
CREATE TABLE otp_codes (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    door TEXT NOT NULL,
    email TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    used_at BIGINT
);
CREATE INDEX otp_codes_lookup ON otp_codes (organisation_id, door, email, created_at);

CREATE TABLE rate_events (
    bucket TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX rate_events_bucket ON rate_events (bucket, at);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    door TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_subject ON sessions (organisation_id, subject_id);

-- Every outbound email: the communications log, the send queue and the dev mailbox.
CREATE TABLE outbound_mail (
    id TEXT PRIMARY KEY,
    organisation_id TEXT REFERENCES organisations(id),
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    record_type TEXT,
    record_id TEXT,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);
CREATE INDEX outbound_mail_status ON outbound_mail (status, created_at);

CREATE TABLE server_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
