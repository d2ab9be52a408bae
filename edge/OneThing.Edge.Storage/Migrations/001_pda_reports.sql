-- Officer reports from PDAs: one row per reportId (the client's idempotency key).
CREATE TABLE pda_reports (
    report_id     TEXT PRIMARY KEY,
    device_id     TEXT NOT NULL,
    officer_id    TEXT NOT NULL,
    plate         TEXT NOT NULL,
    lane_id       TEXT,
    location_json TEXT,
    observed_at   TEXT NOT NULL,
    task_id       TEXT,
    note          TEXT,
    received_at   TEXT NOT NULL,
    violation_id  TEXT
);
CREATE TABLE pda_report_photos (
    report_id    TEXT NOT NULL REFERENCES pda_reports(report_id),
    ordinal      INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    content_type TEXT NOT NULL,
    PRIMARY KEY (report_id, ordinal)
);
-- Rejected payloads are kept too (bounded by the report size limit): an officer's submission is never silently lost.
CREATE TABLE pda_rejections (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    device_id      TEXT NOT NULL,
    report_id      TEXT,
    code           TEXT NOT NULL,
    reason         TEXT NOT NULL,
    payload_sha256 TEXT,
    payload_bytes  INTEGER NOT NULL,
    received_at    TEXT NOT NULL
);
