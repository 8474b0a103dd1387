-- Facts read from tables (an annex of contributions by country), and the report a report
-- continues from ("covers developments since my report dated 1 April 2011 (S/2011/249)").

ALTER TABLE documents ADD COLUMN previous_report_date DATE;
ALTER TABLE documents ADD COLUMN previous_report_symbol VARCHAR;

-- current_documents lists the columns of documents, the new ones included.
CREATE OR REPLACE VIEW current_documents AS
SELECT * FROM documents WHERE is_current;

-- One row per cell: a table row (its label, its position) and one of the profile's columns.
CREATE TABLE table_rows (
    document_id  VARCHAR NOT NULL,
    series       VARCHAR NOT NULL,
    symbol       VARCHAR NOT NULL,
    table_id     VARCHAR NOT NULL,
    table_title  VARCHAR NOT NULL,
    as_of_date   DATE,
    row_index    INTEGER NOT NULL,
    row_label    VARCHAR NOT NULL,
    is_total     BOOLEAN NOT NULL,
    column_name  VARCHAR NOT NULL,
    value        INTEGER,
    unit         VARCHAR NOT NULL,
    page         INTEGER NOT NULL,
    load_id      VARCHAR NOT NULL,
    PRIMARY KEY (document_id, table_id, row_index, column_name)
);
