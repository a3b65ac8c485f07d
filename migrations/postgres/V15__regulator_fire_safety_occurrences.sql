-- Inspectors of the Building Safety Regulator: an account per inspector and organisation,
-- signing in to BuildingThread with an emailed code.
CREATE TABLE regulator_accounts (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (organisation_id, email),
    UNIQUE (organisation_id, id)
);

-- Access to one building's golden thread, granted by the organisation until a time and
-- revocable before it. Rows are never deleted: they are the record of who could see what.
CREATE TABLE regulator_grants (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    building_id TEXT NOT NULL,
    granted_by_name TEXT NOT NULL,
    granted_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT,
    revoked_by_name TEXT,
    FOREIGN KEY (organisation_id, account_id) REFERENCES regulator_accounts (organisation_id, id),
    FOREIGN KEY (organisation_id, building_id) REFERENCES buildings (organisation_id, id)
);
CREATE INDEX regulator_grants_account ON regulator_grants (organisation_id, account_id);
CREATE INDEX regulator_grants_building ON regulator_grants (organisation_id, building_id);

-- The fire-safety information issued to each resident of a higher-risk building (at move-in
-- and every 12 months), and when they opened it on BuildingThread: the proof of delivery.
CREATE TABLE fire_safety_deliveries (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL,
    building_id TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    issued_at BIGINT NOT NULL,
    issued_by_name TEXT NOT NULL,
    -- The London day it was issued: one issue of a version a day, however many ask at once.
    issued_on TEXT NOT NULL,
    opened_at BIGINT,
    UNIQUE (organisation_id, building_id, contact_id, version, issued_on),
    FOREIGN KEY (organisation_id, contact_id) REFERENCES contacts (organisation_id, id),
    FOREIGN KEY (organisation_id, building_id) REFERENCES buildings (organisation_id, id)
);
CREATE INDEX fire_safety_deliveries_building ON fire_safety_deliveries (organisation_id, building_id, contact_id);

-- Mandatory occurrence reports to the Building Safety Regulator: a draft (from a resident's
-- concern or by hand), its notice, then the full report, due 10 working days after someone
-- became aware; or dismissed with the reason. Never deleted: kept at least 15 years.
CREATE TABLE occurrence_reports (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL,
    building_id TEXT NOT NULL,
    reference TEXT NOT NULL,
    ticket_id TEXT,
    status TEXT NOT NULL,
    what_happened TEXT NOT NULL,
    fire_or_smoke_spread BOOLEAN NOT NULL,
    structural_failure BOOLEAN NOT NULL,
    significant_harm BOOLEAN NOT NULL,
    aware_on TEXT NOT NULL,
    due_on TEXT NOT NULL,
    notice_reference TEXT,
    notified_at BIGINT,
    notified_by_name TEXT,
    report TEXT,
    reported_at BIGINT,
    reported_by_name TEXT,
    dismissed_reason TEXT,
    dismissed_at BIGINT,
    dismissed_by_name TEXT,
    keep_until TEXT NOT NULL,
    created_by_name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (organisation_id, reference),
    FOREIGN KEY (organisation_id, building_id) REFERENCES buildings (organisation_id, id),
    FOREIGN KEY (organisation_id, ticket_id) REFERENCES tickets (organisation_id, id)
);
CREATE INDEX occurrence_reports_building ON occurrence_reports (organisation_id, building_id, created_at);
