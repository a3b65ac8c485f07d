-- When a contact was last invited to ResidencePort, so staff see who has been asked.
ALTER TABLE contacts ADD COLUMN invited_at INTEGER;
