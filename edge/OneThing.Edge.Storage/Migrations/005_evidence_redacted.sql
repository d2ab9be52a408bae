-- The copy of an evidence file that leaves the site (people and other cars' plates pixelated); the original,
-- named by sha256, stays on the gateway. NULL: the file is shared as taken (officers' photos, older cases).
ALTER TABLE violation_evidence ADD COLUMN redacted_sha256 TEXT;
CREATE INDEX ix_violation_evidence_redacted_sha ON violation_evidence (redacted_sha256);
