-- More views for analysts, and offline full-text search over paragraphs.
--
-- Search uses built-in string functions only: DuckDB's fts extension is downloaded on first
-- use, and reportwatch must work (and its snapshot must be queryable) without the internet.
-- Views recompute on every query, so they are never stale against the tables they read.

-- Contributing nations per period, with the change in each count from the previous period.
CREATE VIEW contributing_nations AS
WITH n AS (
    SELECT d.series, d.symbol, d.document_id, d.period_start, d.period_end,
           COALESCE(nato.as_of_date, other.as_of_date) AS as_of_date,
           CAST(nato.value AS INTEGER) AS nato_nations,
           CAST(other.value AS INTEGER) AS non_nato_nations,
           COALESCE(nato.evidence_page, other.evidence_page) AS page,
           COALESCE(nato.evidence_paragraph, other.evidence_paragraph) AS paragraph
    FROM documents d
    LEFT JOIN observations nato
           ON nato.document_id = d.document_id AND nato.metric = 'nato_nations'
    LEFT JOIN observations other
           ON other.document_id = d.document_id AND other.metric = 'non_nato_nations'
    WHERE d.is_current AND d.status = 'loaded'
      AND (nato.value IS NOT NULL OR other.value IS NOT NULL)
)
SELECT series, period_start, period_end, as_of_date, nato_nations, non_nato_nations,
       nato_nations + non_nato_nations AS total_nations,
       nato_nations - LAG(nato_nations) OVER w AS nato_change,
       non_nato_nations - LAG(non_nato_nations) OVER w AS non_nato_change,
       (nato_nations + non_nato_nations)
           - LAG(nato_nations + non_nato_nations) OVER w AS total_change,
       LAG(symbol) OVER w AS previous_symbol,
       symbol, page, paragraph, document_id
FROM n
WINDOW w AS (PARTITION BY series ORDER BY period_end, symbol);

-- Every fact that changed between consecutive reports of a series (current versions).
-- A metric one of the two reports does not state is unknown there, so it is not a change.
CREATE VIEW report_changes AS
WITH r AS (
    SELECT series, symbol, document_id, period_start, period_end,
           LAG(document_id) OVER w AS previous_document_id,
           LAG(symbol) OVER w AS previous_symbol,
           LAG(period_end) OVER w AS previous_period_end
    FROM documents
    WHERE is_current AND status = 'loaded'
    WINDOW w AS (PARTITION BY series ORDER BY period_end NULLS FIRST, symbol)
)
SELECT r.series, o.metric, r.previous_symbol, r.previous_period_end, r.symbol,
       r.period_start, r.period_end, p.value AS previous_value, o.value,
       o.value - p.value AS delta,
       -- a percentage of a yes/no flag means nothing
       CASE WHEN o.unit <> 'flag'
            THEN ROUND(100.0 * (o.value - p.value) / NULLIF(p.value, 0), 1) END AS pct_change,
       o.unit, p.approximate AS previous_approximate, o.approximate,
       o.evidence_page AS page, o.evidence_paragraph AS paragraph, r.document_id
FROM r
JOIN observations o ON o.document_id = r.document_id
JOIN observations p ON p.document_id = r.previous_document_id AND p.metric = o.metric
WHERE o.value <> p.value
ORDER BY r.series, r.period_end, o.metric;

-- Restatements: every version of every symbol that has more than one, with the facts that
-- differ from the version before (a fact stated in one version only counts as a difference).
CREATE VIEW document_versions AS
WITH multi AS (
    SELECT series, symbol FROM documents GROUP BY series, symbol HAVING count(*) > 1
),
v AS (
    SELECT d.series, d.symbol, d.version, d.document_id, d.is_current, d.status, d.sha256,
           d.source_url, d.loaded_at,
           LAG(d.document_id) OVER w AS previous_document_id,
           LAG(d.sha256) OVER w AS previous_sha256
    FROM documents d
    JOIN multi USING (series, symbol)
    WINDOW w AS (PARTITION BY d.series, d.symbol ORDER BY d.version)
),
new_side AS (
    SELECT v.document_id, o.metric, o.value
    FROM v JOIN observations o ON o.document_id = v.document_id
    WHERE v.previous_document_id IS NOT NULL
),
old_side AS (
    SELECT v.document_id, o.metric, o.value
    FROM v JOIN observations o ON o.document_id = v.previous_document_id
),
diffs AS (
    SELECT COALESCE(n.document_id, o.document_id) AS document_id,
           COALESCE(n.metric, o.metric) AS metric,
           -- 3800.0 reads as 3800
           COALESCE(regexp_replace(CAST(o.value AS VARCHAR), '\.0$', ''), 'not stated')
               || ' → '
               || COALESCE(regexp_replace(CAST(n.value AS VARCHAR), '\.0$', ''), 'not stated')
               AS change
    FROM new_side n
    FULL OUTER JOIN old_side o ON o.document_id = n.document_id AND o.metric = n.metric
    WHERE n.value IS DISTINCT FROM o.value
),
changed AS (
    SELECT document_id, list(metric ORDER BY metric) AS changed_metrics,
           string_agg(metric || ' ' || change, '; ' ORDER BY metric) AS changes
    FROM diffs
    GROUP BY document_id
)
SELECT v.series, v.symbol, v.version, v.is_current, v.status, v.sha256, v.previous_sha256,
       v.loaded_at, v.source_url,
       CASE WHEN v.previous_document_id IS NULL THEN NULL
            ELSE COALESCE(c.changed_metrics, []::VARCHAR[]) END AS changed_metrics,
       c.changes, v.document_id
FROM v
LEFT JOIN changed c USING (document_id)
ORDER BY v.series, v.symbol, v.version;

-- Full-text search without the fts extension --------------------------------------------------

-- Words too common to be worth indexing or asking for.
CREATE MACRO search_stopwords() AS [
    'a', 'about', 'after', 'all', 'also', 'an', 'and', 'any', 'are', 'as', 'at', 'be', 'been',
    'before', 'between', 'both', 'but', 'by', 'during', 'each', 'for', 'from', 'had', 'has',
    'have', 'he', 'her', 'his', 'i', 'if', 'in', 'into', 'is', 'it', 'its', 'may', 'more', 'most',
    'no', 'not', 'of', 'on', 'or', 'other', 'our', 'over', 'she', 'should', 'so', 'some', 'such',
    'than', 'that', 'the', 'their', 'them', 'then', 'there', 'these', 'they', 'this', 'those',
    'through', 'to', 'under', 'until', 'up', 'was', 'we', 'were', 'which', 'while', 'who',
    'will', 'with', 'would'
];

-- The searchable words of a text: lower case, accents removed ("Zvečan" -> "zvecan"), numbers
-- kept whole ("4,500", "2.5"), stop words and one-character words dropped.
CREATE MACRO search_terms(s) AS [
    t FOR t IN regexp_extract_all(strip_accents(lower(s)), '[a-z0-9]+(?:[.,][0-9]+)*')
    IF length(t) > 1 AND NOT list_contains(search_stopwords(), t)
];

-- The words of a query, the same way; a trailing * asks for a prefix ("injur*").
CREATE MACRO search_query_terms(q) AS list_distinct([
    t FOR t IN regexp_extract_all(strip_accents(lower(q)), '[a-z0-9]+(?:[.,][0-9]+)*\*?')
    IF length(rtrim(t, '*')) > 1 AND NOT list_contains(search_stopwords(), rtrim(t, '*'))
]);

-- One row per paragraph (current document versions) and searchable word, with its count.
CREATE VIEW paragraph_terms AS
SELECT document_id, seq, term, count(*)::INTEGER AS occurrences
FROM (
    SELECT p.document_id, p.seq, unnest(search_terms(p.text)) AS term
    FROM paragraphs p JOIN documents d USING (document_id)
    WHERE d.is_current
)
GROUP BY document_id, seq, term;

-- Paragraphs containing every word of the query, best first. Score: for each query word,
-- occurrences × ln(1 + paragraphs / paragraphs containing the word), summed (tf-idf), so a
-- rare word counts for more than a common one. Usage:
--   SELECT * FROM search_paragraphs('injured soldiers') LIMIT 5;
CREATE MACRO search_paragraphs(words) AS TABLE
WITH q AS (
    SELECT unnest(search_query_terms(words)) AS qterm
),
scope AS (
    SELECT p.document_id, p.seq, p.number, p.page, p.text, d.series, d.symbol, d.period_end
    FROM paragraphs p JOIN documents d USING (document_id)
    WHERE d.is_current
),
-- a cheap substring test first, so only candidate paragraphs are split into words
candidates AS (
    SELECT * FROM (SELECT *, strip_accents(lower(text)) AS folded FROM scope) s
    WHERE EXISTS (SELECT 1 FROM q WHERE contains(s.folded, rtrim(q.qterm, '*')))
),
words AS (
    SELECT document_id, seq, unnest(search_terms(text)) AS term FROM candidates
),
hits AS (
    SELECT w.document_id, w.seq, q.qterm, count(*) AS tf
    FROM words w JOIN q
      ON w.term = q.qterm OR (suffix(q.qterm, '*') AND starts_with(w.term, rtrim(q.qterm, '*')))
    GROUP BY w.document_id, w.seq, q.qterm
),
df AS (
    SELECT qterm, count(*) AS df, (SELECT count(*) FROM scope) AS paragraphs
    FROM hits GROUP BY qterm
),
scored AS (
    SELECT h.document_id, h.seq, count(*) AS matched,
           sum(h.tf * ln(1 + df.paragraphs / df.df)) AS score,
           list(rtrim(h.qterm, '*')) AS found
    FROM hits h JOIN df USING (qterm)
    GROUP BY h.document_id, h.seq
),
located AS (
    SELECT c.*, s.score,
           COALESCE(list_min([instr(c.folded, t) FOR t IN s.found IF instr(c.folded, t) > 0]), 1)
               AS first_hit
    FROM scored s JOIN candidates c USING (document_id, seq)
    WHERE s.matched = (SELECT count(*) FROM q)
),
-- about 200 characters from 60 before the first word found, cut at word boundaries: the piece
-- takes one character more on each side, so a word that ends exactly at the cut is kept
snippets AS (
    SELECT *, first_hit > 61 AS cut_before,
           greatest(1, first_hit - 61) + 202 <= length(text) AS cut_after,
           substring(text, greatest(1, first_hit - 61), 202) AS piece
    FROM located
)
SELECT series, symbol, period_end, page, number AS paragraph,
       CASE WHEN cut_before THEN '…' ELSE '' END
           || trim(regexp_replace(
                  CASE WHEN cut_after THEN regexp_replace(piece, '\s+\S*$', '') ELSE piece END,
                  CASE WHEN cut_before THEN '^\S*\s+' ELSE '^$' END, ''))
           || CASE WHEN cut_after THEN '…' ELSE '' END AS snippet,
       round(score, 3) AS score, document_id, seq
FROM snippets
ORDER BY score DESC, period_end DESC NULLS LAST, symbol, seq;
