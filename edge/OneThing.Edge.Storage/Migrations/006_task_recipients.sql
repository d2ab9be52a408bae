-- Which PDAs an escalation task was sent to: only they may answer it (receipt code not-your-task otherwise), also
-- after a restart. Goes with its case when retention purges it.
CREATE TABLE task_recipients (
    violation_id TEXT NOT NULL REFERENCES violations(id) ON DELETE CASCADE,
    device_id    TEXT NOT NULL,
    sent_at      TEXT NOT NULL,
    PRIMARY KEY (violation_id, device_id)
);
