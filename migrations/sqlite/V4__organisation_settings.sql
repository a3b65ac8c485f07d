-- What residents and the Regulator see of the organisation: how to reach it, its logo (a
-- stored file, by hash) and a welcome on each portal. The version moves with each change, so
-- a settings form filled in before someone else's change is refused instead of undoing it.
ALTER TABLE organisations ADD COLUMN contact_email TEXT NOT NULL DEFAULT '';
ALTER TABLE organisations ADD COLUMN contact_phone TEXT NOT NULL DEFAULT '';
ALTER TABLE organisations ADD COLUMN logo_sha TEXT;
ALTER TABLE organisations ADD COLUMN thread_welcome_text TEXT NOT NULL DEFAULT '';
ALTER TABLE organisations ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
