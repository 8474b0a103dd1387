-- Views for analysts. They read current document versions only, unless named otherwise.

CREATE VIEW current_documents AS
SELECT * FROM documents WHERE is_current;

CREATE VIEW troop_levels AS
WITH t AS (
    SELECT d.series, d.symbol, d.document_id, d.period_start, d.period_end, o.as_of_date,
           CAST(o.value AS INTEGER) AS troops, o.approximate,
           o.evidence_page AS page, o.evidence_paragraph AS paragraph
    FROM observations o
    JOIN documents d USING (document_id)
    WHERE d.is_current AND d.status = 'loaded' AND o.metric = 'troops_total'
)
SELECT series, period_start, period_end, as_of_date, troops, approximate,
       troops - LAG(troops) OVER w AS change,
       ROUND(100.0 * (troops - LAG(troops) OVER w) / NULLIF(LAG(troops) OVER w, 0), 1)
           AS pct_change,
       LAG(symbol) OVER w AS previous_symbol,
       symbol, page, paragraph, document_id
FROM t
WINDOW w AS (PARTITION BY series ORDER BY period_end);

CREATE VIEW latest_reports AS
SELECT * EXCLUDE (rn) FROM (
    SELECT d.series, d.symbol, d.title, d.period_start, d.period_end, d.distribution_date,
           d.status, d.document_id, d.loaded_at,
           ROW_NUMBER() OVER (PARTITION BY d.series ORDER BY d.period_end DESC NULLS LAST) AS rn
    FROM documents d
    WHERE d.is_current AND d.status = 'loaded'
) WHERE rn = 1;

CREATE VIEW incident_timeline AS
SELECT i.series, COALESCE(i.incident_date, d.period_start) AS incident_date,
       i.incident_date IS NULL AS date_is_period_start,
       i.location, i.summary, i.casualties, d.symbol, d.period_start, d.period_end,
       i.evidence_page AS page, i.evidence_paragraph AS paragraph, i.document_id
FROM incidents i
JOIN documents d USING (document_id)
WHERE d.is_current
ORDER BY incident_date;
