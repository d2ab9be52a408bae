-- Footage pruning asks for one camera's cases of its footage window on every frame it keeps once over budget, and
-- footage export for a window: without this index each asked the whole violations table.
CREATE INDEX ix_violations_camera_confirmed ON violations (camera_id, confirmed_at);
