-- Hash-chained audit log (entry hashes as in OneThing.Edge.Domain.Audit.AuditChain). Append-only: the triggers
-- refuse updates and deletes; anyone who drops them to tamper is still caught by verify-audit.
CREATE TABLE audit_log (
    seq            INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL,
    at             TEXT NOT NULL,
    payload_json   TEXT NOT NULL,
    payload_sha256 TEXT NOT NULL,
    prev_hash      TEXT NOT NULL,
    entry_hash     TEXT NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
