-- When a contact was last invited to ResidencePort, so staff see who has been asked.
ALTER TABLE contacts ADD COLUMN invited_at INTEGER;

-- The communications log pages through an organisation's mail newest first.
CREATE INDEX outbound_mail_log ON outbound_mail (organisation_id, created_at, id);
