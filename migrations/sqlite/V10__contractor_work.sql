-- ContractorPort's work: a quote's PDF, a certificate's file, what the contractor is told
-- about getting in, and who invited them (the office person told of what they do).
ALTER TABLE quotes ADD COLUMN file_sha256 TEXT;
ALTER TABLE certificates ADD COLUMN file_sha256 TEXT;
ALTER TABLE work_orders ADD COLUMN access_notes TEXT NOT NULL DEFAULT '';
ALTER TABLE work_orders ADD COLUMN access_contact TEXT NOT NULL DEFAULT '';
ALTER TABLE contractor_links ADD COLUMN invited_by TEXT;
