-- Schema version 2: when each outbox statement was last tried, so the settings screen can
-- say which failure is the latest, and sending can back off per statement.
ALTER TABLE outbox ADD COLUMN last_tried_at_ms INTEGER;
