-- ResidencePort: where a resident's request is (their home, or a shared area of a building),
-- who wrote each entry, and the neighbours who added themselves to a request already made.
ALTER TABLE tickets ADD COLUMN building_id TEXT;
ALTER TABLE tickets ADD COLUMN area TEXT;
CREATE INDEX tickets_area ON tickets (organisation_id, building_id, area, created_at);
ALTER TABLE ticket_entries ADD COLUMN author_contact_id TEXT;

CREATE TABLE ticket_followers (
    organisation_id TEXT NOT NULL,
    ticket_id TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (organisation_id, ticket_id, contact_id),
    FOREIGN KEY (organisation_id, ticket_id) REFERENCES tickets (organisation_id, id),
    FOREIGN KEY (organisation_id, contact_id) REFERENCES contacts (organisation_id, id)
);
CREATE INDEX ticket_followers_contact ON ticket_followers (organisation_id, contact_id);

-- What a resident wants to hear about by email.
ALTER TABLE contacts ADD COLUMN notify_requests BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE contacts ADD COLUMN notify_notices BOOLEAN NOT NULL DEFAULT TRUE;

-- Whether tenants read the account of the home they rent.
ALTER TABLE organisations ADD COLUMN tenants_see_account BOOLEAN NOT NULL DEFAULT FALSE;

-- A card payment on its way: one per attempt a resident starts (the form's key makes a
-- double click the same attempt), paid at most once whatever tells us first. `open` until
-- paid, or `expired` when a newer attempt on the invoice replaced it.
CREATE TABLE checkouts (
    organisation_id TEXT NOT NULL,
    id TEXT NOT NULL,
    invoice_id TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    amount BIGINT NOT NULL,
    provider TEXT NOT NULL,
    provider_ref TEXT,
    checkout_url TEXT,
    attempt_key TEXT NOT NULL,
    status TEXT NOT NULL,
    payment_id TEXT,
    created_at BIGINT NOT NULL,
    completed_at BIGINT,
    PRIMARY KEY (organisation_id, id),
    UNIQUE (organisation_id, attempt_key),
    UNIQUE (provider, provider_ref),
    UNIQUE (organisation_id, payment_id),
    FOREIGN KEY (organisation_id, invoice_id) REFERENCES invoices (organisation_id, id),
    FOREIGN KEY (organisation_id, contact_id) REFERENCES contacts (organisation_id, id)
);
CREATE INDEX checkouts_invoice ON checkouts (organisation_id, invoice_id, created_at);
-- Checkouts not settled yet, for the job that asks the provider about them.
CREATE INDEX checkouts_open ON checkouts (created_at) WHERE status = 'open';

-- The built-in sandbox provider's own book of hosted checkouts and the cards tried on them.
CREATE TABLE sandbox_sessions (
    provider_ref TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL,
    checkout_id TEXT NOT NULL,
    amount BIGINT NOT NULL,
    description TEXT NOT NULL,
    failed_once BOOLEAN NOT NULL DEFAULT FALSE,
    expired BOOLEAN NOT NULL DEFAULT FALSE,
    card_last4 TEXT,
    paid_at BIGINT,
    created_at BIGINT NOT NULL
);

-- Provider events already acted on, so a delivery repeated is recognised.
CREATE TABLE payment_events (
    provider TEXT NOT NULL,
    event_id TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (provider, event_id)
);

-- Requests raised before were in a unit, or on a site: a unit's building is theirs too.
UPDATE tickets SET building_id = (SELECT u.building_id FROM units u WHERE u.organisation_id = tickets.organisation_id AND u.id = tickets.unit_id)
    WHERE unit_id IS NOT NULL;
