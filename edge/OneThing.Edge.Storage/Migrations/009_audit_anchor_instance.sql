-- Which gateway instance's chain an anchor is of: instances of one site each keep their own database and chain, so the
-- traffic system keys anchors by site and instance (`Mqtt:ClientId`). Anchors taken before carry ''.
ALTER TABLE audit_anchors ADD COLUMN instance_id TEXT NOT NULL DEFAULT '';
