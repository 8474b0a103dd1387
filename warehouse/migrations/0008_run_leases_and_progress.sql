-- Durable progress (DESIGN.md, "Durable state: what a run may forget").
--
-- The warehouse, not a run's memory, says what is left to do: each candidate records the last
-- stage it committed (in the same transaction as that stage's output), each document version
-- whether its alerts were raised, each alert whether it was handed to the delivery ledger.
-- One run per series works at a time: it holds the series' lease.

CREATE TABLE leases (
    series        VARCHAR PRIMARY KEY,
    run_id        VARCHAR NOT NULL,
    flow          VARCHAR NOT NULL,
    host          VARCHAR NOT NULL,
    pid           INTEGER NOT NULL,
    acquired_at   TIMESTAMP NOT NULL,
    heartbeat_at  TIMESTAMP NOT NULL
);

ALTER TABLE runs ADD COLUMN host VARCHAR;
ALTER TABLE runs ADD COLUMN pid INTEGER;
ALTER TABLE runs ADD COLUMN historical BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE runs ADD COLUMN snapshot_error VARCHAR;

-- discovered → fetched → (read) → loaded; `status` keeps saying what became of it.
ALTER TABLE candidates ADD COLUMN stage VARCHAR NOT NULL DEFAULT 'discovered';
ALTER TABLE candidates ADD COLUMN historical BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE candidates ADD COLUMN damaged_downloads INTEGER NOT NULL DEFAULT 0;
ALTER TABLE candidates ADD COLUMN fetched_source VARCHAR;
ALTER TABLE candidates ADD COLUMN fetched_url VARCHAR;
ALTER TABLE candidates ADD COLUMN fetched_at TIMESTAMP;
ALTER TABLE candidates ADD COLUMN size_bytes BIGINT;

UPDATE candidates SET stage = 'loaded' WHERE status IN ('loaded', 'quarantined');
-- Backfilled candidates are history: their alerts are recorded muted, whoever loads them.
UPDATE candidates SET historical = true
WHERE load_id IN (SELECT l.load_id FROM loads l JOIN runs r USING (run_id) WHERE r.flow = 'backfill');
UPDATE runs SET historical = true WHERE flow = 'backfill';

-- NULL: the alert rules have not run on this version yet (the next run raises its alerts).
ALTER TABLE documents ADD COLUMN detected_at TIMESTAMP;
-- Versions loaded by a run that did not complete may never have been compared (a run killed
-- between load and detect): leave them to the next run, which raises what they were owed.
-- Alert keys are stable, so a version that was compared raises nothing twice.
UPDATE documents SET detected_at = loaded_at
WHERE load_id NOT IN (
    SELECT l.load_id FROM loads l JOIN runs r USING (run_id) WHERE r.status <> 'completed'
);
-- A view's columns are fixed when it is created: show the new one in current_documents too.
CREATE OR REPLACE VIEW current_documents AS
SELECT * FROM documents WHERE is_current;

-- NULL: raised but not yet handed to the delivery ledger (the next run queues it, however old).
ALTER TABLE alerts ADD COLUMN queued_at TIMESTAMP;
-- Older alerts were handed over unless notify never saw them; the week the old catch-up window
-- covered is left to the new rule, so nothing older is sent for the first time.
UPDATE alerts SET queued_at = raised_at
WHERE raised_at < now()::TIMESTAMP - INTERVAL 7 DAY
   OR EXISTS (SELECT 1 FROM deliveries d WHERE d.alert_key = alerts.alert_key);
