-- The escalation task as it was published to the device (JSON), so the officer app can list a device's open tasks
-- again (GET /api/v1/officer/tasks) after missing MQTT messages. NULL for tasks sent before this migration.
ALTER TABLE task_recipients ADD COLUMN task_json TEXT;
