-- Confirmed violations (camera and PDA), their evidence files, and the outbox of calls to the traffic system.
-- Times are RFC 3339 UTC text with a fixed width, so text order is time order.
CREATE TABLE violations (
    id               TEXT PRIMARY KEY,
    site_id          TEXT NOT NULL,
    lane_id          TEXT NOT NULL,
    source           TEXT NOT NULL,
    camera_id        TEXT,
    device_id        TEXT,
    officer_id       TEXT,
    plate            TEXT,
    plate_confidence REAL NOT NULL,
    first_seen_at    TEXT NOT NULL,
    confirmed_at     TEXT NOT NULL,
    state            TEXT NOT NULL,
    case_id          TEXT,
    notice_status    TEXT,
    notice_sent_at   TEXT,
    updated_at       TEXT NOT NULL
);
CREATE INDEX ix_violations_plate_lane ON violations (plate, lane_id, confirmed_at);
CREATE INDEX ix_violations_state ON violations (state, updated_at);

CREATE TABLE violation_evidence (
    violation_id TEXT NOT NULL REFERENCES violations(id) ON DELETE CASCADE,
    ordinal      INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    captured_at  TEXT NOT NULL,
    content_type TEXT NOT NULL,
    PRIMARY KEY (violation_id, ordinal)
);
CREATE INDEX ix_violation_evidence_sha ON violation_evidence (sha256);

-- sequence orders the messages of one violation: 0 the case, 1..n evidence, then clearance.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    violation_id    TEXT NOT NULL,
    kind            TEXT NOT NULL,
    sequence        INTEGER NOT NULL,
    payload         TEXT NOT NULL,
    state           TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    next_attempt_at TEXT NOT NULL,
    claimed_at      TEXT,
    sent_at         TEXT,
    last_error      TEXT,
    UNIQUE (violation_id, sequence)
);
CREATE INDEX ix_outbox_due ON outbox (state, next_attempt_at);
