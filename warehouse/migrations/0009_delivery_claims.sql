-- A delivery is claimed before it is sent: status `sending` with the claimer (run, host, pid)
-- and the time, so two processes never send one delivery, and a claim whose process died is
-- found and released (back to `pending`: the channel may have accepted it, the one possible
-- repeat). DuckDB cannot alter a CHECK constraint, so the table is rebuilt with its rows.

CREATE TABLE deliveries_claimed (
    alert_key        VARCHAR NOT NULL,
    channel          VARCHAR NOT NULL,
    status           VARCHAR NOT NULL
                     CHECK (status IN ('pending', 'sending', 'delivered', 'failed', 'muted')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_error       VARCHAR,
    last_attempt_at  TIMESTAMP,
    next_attempt_at  TIMESTAMP,
    delivered_at     TIMESTAMP,
    load_id          VARCHAR NOT NULL,
    claimed_by       VARCHAR,
    claimed_at       TIMESTAMP,
    claim_host       VARCHAR,
    claim_pid        INTEGER,
    PRIMARY KEY (alert_key, channel)
);

INSERT INTO deliveries_claimed
SELECT alert_key, channel, status, attempts, last_error, last_attempt_at, next_attempt_at,
       delivered_at, load_id, NULL, NULL, NULL, NULL
FROM deliveries;

DROP TABLE deliveries;
ALTER TABLE deliveries_claimed RENAME TO deliveries;
