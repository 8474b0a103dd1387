-- Documents rejected on their content (downloaded, read, not of this series), remembered by
-- symbol and the catalogue datestamp the verdict was made under. A later harvest that finds
-- the same catalogue record does not download the document again; a record changed after the
-- verdict, or `reportwatch add --force`, does (warehouse/rejections.py).
CREATE TABLE rejections (
    series         VARCHAR NOT NULL,
    symbol         VARCHAR NOT NULL,
    reason         VARCHAR NOT NULL,
    rejected_at    TIMESTAMP NOT NULL,
    catalogued_at  TIMESTAMP,
    PRIMARY KEY (series, symbol)
);

-- Content rejections made before this table existed: a rejected candidate that was downloaded
-- (attempts > 0). Catalogue-stage rejections never were, and are judged again from metadata.
INSERT INTO rejections
SELECT series, symbol, coalesce(reason, 'rejected on its content'), last_seen, NULL
FROM candidates WHERE status = 'rejected' AND attempts > 0;
