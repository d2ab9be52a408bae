-- Chain heads handed to the traffic system (through the outbox): which entries a case export can prove against.
CREATE TABLE audit_anchors (
    seq         INTEGER PRIMARY KEY,
    site_id     TEXT NOT NULL,
    entry_hash  TEXT NOT NULL,
    anchored_at TEXT NOT NULL
);
