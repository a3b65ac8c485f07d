-- What each person hears about on their devices: the kinds they turned off, and quiet hours
-- (London time, HH:MM) during which all but urgent notifications wait.
CREATE TABLE push_preferences (
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    subject TEXT NOT NULL,
    -- Kinds turned off, comma-separated codes.
    muted TEXT NOT NULL DEFAULT '',
    quiet_from TEXT,
    quiet_until TEXT,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, subject)
);
