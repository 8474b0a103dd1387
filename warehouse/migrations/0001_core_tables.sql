-- Core tables. Every row written by a load carries the load_id of the transaction that wrote it.

CREATE TABLE runs (
    run_id            VARCHAR PRIMARY KEY,
    flow              VARCHAR NOT NULL,
    series            VARCHAR NOT NULL,
    started_at        TIMESTAMP NOT NULL,
    finished_at       TIMESTAMP,
    status            VARCHAR NOT NULL,
    window_from       DATE,
    window_until      DATE,
    discovered        INTEGER NOT NULL DEFAULT 0,
    fetched           INTEGER NOT NULL DEFAULT 0,
    unchanged         INTEGER NOT NULL DEFAULT 0,
    loaded            INTEGER NOT NULL DEFAULT 0,
    quarantined       INTEGER NOT NULL DEFAULT 0,
    rejected          INTEGER NOT NULL DEFAULT 0,
    failed            INTEGER NOT NULL DEFAULT 0,
    alerts_raised     INTEGER NOT NULL DEFAULT 0,
    alerts_delivered  INTEGER NOT NULL DEFAULT 0,
    stage_seconds     JSON,
    error             VARCHAR
);

CREATE TABLE loads (
    load_id      VARCHAR PRIMARY KEY,
    run_id       VARCHAR,
    series       VARCHAR NOT NULL,
    kind         VARCHAR NOT NULL,
    loaded_at    TIMESTAMP NOT NULL
);

CREATE TABLE documents (
    document_id        VARCHAR PRIMARY KEY,
    series             VARCHAR NOT NULL,
    symbol             VARCHAR NOT NULL,
    version            INTEGER NOT NULL,
    is_current         BOOLEAN NOT NULL,
    status             VARCHAR NOT NULL CHECK (status IN ('loaded', 'quarantined')),
    reason             VARCHAR,
    title              VARCHAR,
    distribution_date  DATE,
    letter_date        DATE,
    period_start       DATE,
    period_end         DATE,
    frequency          VARCHAR,
    as_of_date         DATE,
    original_language  VARCHAR,
    language           VARCHAR NOT NULL DEFAULT 'en',
    signatories        VARCHAR[],
    warnings           VARCHAR[],
    source             VARCHAR,
    source_url         VARCHAR,
    sha256             VARCHAR NOT NULL,
    size_bytes         BIGINT,
    pages              INTEGER,
    extractor          VARCHAR,
    normalizer         VARCHAR,
    fetched_at         TIMESTAMP,
    load_id            VARCHAR NOT NULL,
    loaded_at          TIMESTAMP NOT NULL,
    UNIQUE (series, symbol, version)
);

CREATE TABLE paragraphs (
    document_id  VARCHAR NOT NULL,
    seq          INTEGER NOT NULL,
    number       INTEGER,
    section      VARCHAR,
    part         VARCHAR,
    page         INTEGER NOT NULL,
    text         VARCHAR NOT NULL,
    load_id      VARCHAR NOT NULL,
    PRIMARY KEY (document_id, seq)
);

CREATE TABLE observations (
    document_id         VARCHAR NOT NULL,
    series              VARCHAR NOT NULL,
    symbol              VARCHAR NOT NULL,
    metric              VARCHAR NOT NULL,
    value               DOUBLE NOT NULL,
    unit                VARCHAR NOT NULL,
    approximate         BOOLEAN,
    as_of_date          DATE,
    period_start        DATE,
    period_end          DATE,
    evidence_page       INTEGER,
    evidence_paragraph  INTEGER,
    evidence_text       VARCHAR,
    load_id             VARCHAR NOT NULL,
    PRIMARY KEY (document_id, metric)
);

CREATE TABLE incidents (
    document_id         VARCHAR NOT NULL,
    seq                 INTEGER NOT NULL,
    series              VARCHAR NOT NULL,
    incident_date       DATE,
    location            VARCHAR,
    summary             VARCHAR NOT NULL,
    casualties          INTEGER,
    evidence_page       INTEGER,
    evidence_paragraph  INTEGER,
    evidence_text       VARCHAR,
    load_id             VARCHAR NOT NULL,
    PRIMARY KEY (document_id, seq)
);

-- What discovery found and what became of it (one row per series and symbol).
CREATE TABLE candidates (
    series          VARCHAR NOT NULL,
    symbol          VARCHAR NOT NULL,
    source          VARCHAR NOT NULL,
    title           VARCHAR,
    published       DATE,
    file_url        VARCHAR,
    record_id       VARCHAR,
    status          VARCHAR NOT NULL,
    reason          VARCHAR,
    attempts        INTEGER NOT NULL DEFAULT 0,
    etag            VARCHAR,
    last_modified   VARCHAR,
    sha256          VARCHAR,
    first_seen      TIMESTAMP NOT NULL,
    last_seen       TIMESTAMP NOT NULL,
    load_id         VARCHAR NOT NULL,
    PRIMARY KEY (series, symbol)
);

CREATE TABLE harvest_cursors (
    source        VARCHAR NOT NULL,
    series        VARCHAR NOT NULL,
    window_until  DATE NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    load_id       VARCHAR NOT NULL,
    PRIMARY KEY (source, series)
);

CREATE TABLE alerts (
    alert_key           VARCHAR PRIMARY KEY,
    rule_id             VARCHAR NOT NULL,
    rule_kind           VARCHAR NOT NULL,
    series              VARCHAR NOT NULL,
    severity            VARCHAR NOT NULL,
    headline            VARCHAR NOT NULL,
    document_id         VARCHAR,
    symbol              VARCHAR,
    metric              VARCHAR,
    value               DOUBLE,
    previous_value      DOUBLE,
    delta               DOUBLE,
    pct_change          DOUBLE,
    approximate         BOOLEAN,
    period_start        DATE,
    period_end          DATE,
    previous_symbol     VARCHAR,
    previous_period_end DATE,
    source_url          VARCHAR,
    evidence_page       INTEGER,
    evidence_paragraph  INTEGER,
    evidence_text       VARCHAR,
    details             JSON,
    raised_at           TIMESTAMP NOT NULL,
    load_id             VARCHAR NOT NULL
);

CREATE TABLE deliveries (
    alert_key        VARCHAR NOT NULL,
    channel          VARCHAR NOT NULL,
    status           VARCHAR NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'muted')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_error       VARCHAR,
    last_attempt_at  TIMESTAMP,
    next_attempt_at  TIMESTAMP,
    delivered_at     TIMESTAMP,
    load_id          VARCHAR NOT NULL,
    PRIMARY KEY (alert_key, channel)
);

CREATE TABLE mutes (
    rule_id     VARCHAR NOT NULL,
    series      VARCHAR NOT NULL,
    until       DATE,
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (rule_id, series)
);
