-- An invoice says what it charges for (service charge, ground rent…), so statements and
-- arrears can be read by charge.
ALTER TABLE invoices ADD COLUMN category TEXT NOT NULL DEFAULT 'service_charge';

-- A credit note takes money off one posted invoice (a wrong amount, a charge not owed): it
-- shows on the unit's statement as a credit and counts towards what the invoice has had.
CREATE TABLE credit_notes (
    organisation_id TEXT NOT NULL,
    id TEXT NOT NULL,
    number TEXT NOT NULL,
    site_id TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    invoice_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    amount BIGINT NOT NULL,
    issue_date TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (organisation_id, id),
    UNIQUE (organisation_id, number),
    FOREIGN KEY (organisation_id, site_id) REFERENCES sites (organisation_id, id),
    FOREIGN KEY (organisation_id, unit_id) REFERENCES units (organisation_id, id),
    FOREIGN KEY (organisation_id, contact_id) REFERENCES contacts (organisation_id, id),
    FOREIGN KEY (organisation_id, invoice_id) REFERENCES invoices (organisation_id, id)
);
CREATE INDEX credit_notes_unit ON credit_notes (organisation_id, unit_id, issue_date);
CREATE INDEX credit_notes_invoice ON credit_notes (organisation_id, invoice_id);
