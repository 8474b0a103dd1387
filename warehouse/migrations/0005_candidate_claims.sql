-- A run claims the candidates it downloads, so two overlapping runs of one series never
-- download the same document twice. A claim older than its lease (a crashed run) lapses.
ALTER TABLE candidates ADD COLUMN claimed_by VARCHAR;
ALTER TABLE candidates ADD COLUMN claimed_at TIMESTAMP;
