-- The status index keeps only what is not processed: queued, processing, retrying and dead events,
-- which the statistics and the dead-letter list read. Processed events, nearly every row, are found
-- through webhook_events_processed; an entry for each of them here cost every event's outcome one
-- more index insert, and autovacuum one more index to clean.
CREATE INDEX webhook_events_unfinished ON webhook_events (status, received_at) WHERE status <> 'processed';
DROP INDEX webhook_events_by_status;
