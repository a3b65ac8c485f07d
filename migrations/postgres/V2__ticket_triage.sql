-- A ticket's version moves with each change made from a form, so a form filled in before
-- someone else's change is refused instead of silently undoing it. Triage restarts the SLA
-- clock from the moment the priority is set.
ALTER TABLE tickets ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE tickets ADD COLUMN triaged_at BIGINT;
