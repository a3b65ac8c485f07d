-- A quote turned down says why, so the contractor and the audit trail know; it is no longer
-- one that can be awarded.
ALTER TABLE quotes ADD COLUMN rejected BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE quotes ADD COLUMN rejection_reason TEXT NOT NULL DEFAULT '';
