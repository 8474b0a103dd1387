-- Tables over time, for analysts (current versions of loaded documents only).

-- Every cell of every table, with the change since the last report of the series that printed
-- the same row and column ("Ghana, military_observers: 10, was 8 in S/2013/220").
CREATE VIEW table_values AS
SELECT t.series, t.table_id, t.row_label, t.column_name, t.as_of_date, d.period_end, t.value,
       t.value - LAG(t.value) OVER w AS change,
       LAG(t.symbol) OVER w AS previous_symbol,
       t.is_total, t.unit, t.table_title, t.symbol, t.page, t.row_index, t.document_id
FROM table_rows t
JOIN documents d USING (document_id)
WHERE d.is_current AND d.status = 'loaded'
WINDOW w AS (PARTITION BY t.series, t.table_id, t.row_label, t.column_name
             ORDER BY d.period_end, t.symbol);

-- Rows that appear in, or are gone from, a table since the series' previous report that
-- printed it ("a country joining or leaving the contributions").
CREATE VIEW table_membership_changes AS
WITH reports AS (
    SELECT DISTINCT t.series, t.table_id, t.document_id, t.symbol, d.period_end
    FROM table_rows t
    JOIN documents d USING (document_id)
    WHERE d.is_current AND d.status = 'loaded'
),
ordered AS (
    SELECT *,
           LAG(document_id) OVER w AS previous_document_id,
           LAG(symbol) OVER w AS previous_symbol
    FROM reports
    WINDOW w AS (PARTITION BY series, table_id ORDER BY period_end, symbol)
),
members AS (
    SELECT DISTINCT document_id, table_id, row_label FROM table_rows WHERE NOT is_total
)
SELECT o.series, o.table_id, o.symbol, o.period_end, o.previous_symbol, m.row_label,
       'joined' AS change
FROM ordered o
JOIN members m ON m.document_id = o.document_id AND m.table_id = o.table_id
WHERE o.previous_document_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM members p WHERE p.document_id = o.previous_document_id
                  AND p.table_id = o.table_id AND p.row_label = m.row_label)
UNION ALL
SELECT o.series, o.table_id, o.symbol, o.period_end, o.previous_symbol, m.row_label,
       'left' AS change
FROM ordered o
JOIN members m ON m.document_id = o.previous_document_id AND m.table_id = o.table_id
WHERE NOT EXISTS (SELECT 1 FROM members p WHERE p.document_id = o.document_id
                  AND p.table_id = o.table_id AND p.row_label = m.row_label);

-- Each report that names the report it continues from, and whether that one is here: a link
-- to a symbol the warehouse does not hold is a report discovery missed.
CREATE VIEW report_links AS
SELECT d.series, d.symbol, d.period_start, d.period_end, d.previous_report_symbol,
       d.previous_report_date, p.document_id IS NOT NULL AS previous_loaded,
       p.distribution_date AS previous_distribution_date, d.document_id
FROM documents d
LEFT JOIN documents p
       ON p.series = d.series AND p.symbol = d.previous_report_symbol AND p.is_current
WHERE d.is_current AND d.status = 'loaded' AND d.previous_report_symbol IS NOT NULL;
