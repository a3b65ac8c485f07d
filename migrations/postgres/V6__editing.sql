-- Records edited from a form carry a version that moves with each change, so a form filled in
-- before someone else's change is refused instead of silently undoing it.
ALTER TABLE vendors ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE sites ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE buildings ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE units ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE contacts ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE issues ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE notices ADD COLUMN version BIGINT NOT NULL DEFAULT 1;

-- A notice is for the whole organisation, a site, or one building of it.
ALTER TABLE notices ADD COLUMN building_id TEXT;

-- A document keeps every version it has had: the documents row holds the current one, and a
-- new upload replaces it there while the old stays here, still readable by staff.
ALTER TABLE documents ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
CREATE TABLE document_versions (
    organisation_id TEXT NOT NULL,
    document_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (organisation_id, document_id, version),
    FOREIGN KEY (organisation_id, document_id) REFERENCES documents (organisation_id, id),
    FOREIGN KEY (organisation_id, sha256) REFERENCES files (organisation_id, sha256)
);
INSERT INTO document_versions (organisation_id, document_id, version, filename, content_type, size_bytes, sha256, uploaded_by, created_at)
    SELECT organisation_id, id, 1, filename, content_type, size_bytes, sha256, '', created_at FROM documents;
