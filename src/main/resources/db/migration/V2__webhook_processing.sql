-- Webhook processing: what an event was routed to, what processing did, and when it was forwarded.
ALTER TABLE webhook_events
    ADD COLUMN routing_key    text,
    ADD COLUMN integration_id uuid,
    ADD COLUMN effect         text,
    ADD COLUMN forwarded_at   timestamptz;

-- cleanup deletes old processed events oldest first, in small batches.
CREATE INDEX webhook_events_processed ON webhook_events (processed_at) WHERE status = 'processed';
