-- Operators' verdicts on camera cases (correct or a false alarm, with a reason) and violations the cameras missed:
-- the ground truth a what-if replay is scored against. A newer verdict on a case replaces the older one; each is
-- also in the audit log.
CREATE TABLE case_labels (
    violation_id TEXT PRIMARY KEY REFERENCES violations(id),
    verdict      TEXT NOT NULL,
    reason       TEXT,
    operator     TEXT NOT NULL,
    labelled_at  TEXT NOT NULL
);

CREATE TABLE missed_violations (
    id          TEXT PRIMARY KEY,
    camera_id   TEXT NOT NULL,
    lane_id     TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    ended_at    TEXT NOT NULL,
    operator    TEXT NOT NULL,
    note        TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX missed_violations_lane ON missed_violations (lane_id, started_at);
