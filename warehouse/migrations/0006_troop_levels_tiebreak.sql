-- troop_levels: when two current reports share a period end, order them by symbol too, so
-- change and previous_symbol are the same on every query and agree with the alert rules.
CREATE OR REPLACE VIEW troop_levels AS
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
WINDOW w AS (PARTITION BY series ORDER BY period_end, symbol);
