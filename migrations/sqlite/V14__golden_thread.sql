-- The golden thread of a higher-risk building: every version of every part, never changed or
-- deleted once written. A part as it stands is its highest version.
CREATE TABLE thread_versions (
    organisation_id TEXT NOT NULL,
    building_id TEXT NOT NULL,
    section TEXT NOT NULL,
    version INTEGER NOT NULL,
    -- The part's fields: a JSON object of field name to text.
    body TEXT NOT NULL,
    change_note TEXT NOT NULL,
    -- Who wrote it, as the audit trail names people, and through which door.
    author_kind TEXT NOT NULL,
    author_id TEXT,
    author_name TEXT NOT NULL,
    channel TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, building_id, section, version),
    FOREIGN KEY (organisation_id, building_id) REFERENCES buildings (organisation_id, id)
);
