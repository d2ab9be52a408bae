-- The case's evidence manifest file (content-addressed, like its evidence), so retention deletes it with the case:
-- before, only the `violation-confirmed` audit entry named it and the file outlived the purge. Cases recorded
-- before this column take it from that entry.
ALTER TABLE violations ADD COLUMN manifest_sha256 TEXT;
UPDATE violations SET manifest_sha256 = (
    SELECT json_extract(a.payload_json, '$.manifestSha256') FROM audit_log a
    WHERE a.kind = 'violation-confirmed' AND json_extract(a.payload_json, '$.caseId') = violations.id);
CREATE INDEX ix_violations_manifest_sha ON violations (manifest_sha256);
