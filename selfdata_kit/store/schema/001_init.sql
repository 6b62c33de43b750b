-- Canonical schema (DESIGN.md section 4). Change it only through a new numbered file.
-- Every data row carries person_id and import_id; fact tables have a per-person unique uid.

CREATE TABLE store_meta (
    key   VARCHAR PRIMARY KEY,
    value BLOB NOT NULL
);

CREATE TABLE persons (
    person_id    VARCHAR PRIMARY KEY,
    display_name VARCHAR,
    timezone     VARCHAR NOT NULL DEFAULT 'Europe/Paris',
    created_at   TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);

CREATE TABLE imports (
    import_id      BIGINT PRIMARY KEY,
    person_id      VARCHAR NOT NULL,
    source         VARCHAR NOT NULL,
    path           VARCHAR NOT NULL,
    sha256         VARCHAR NOT NULL,
    size_bytes     BIGINT NOT NULL,
    started_at     TIMESTAMPTZ NOT NULL,
    finished_at    TIMESTAMPTZ NOT NULL,
    status         VARCHAR NOT NULL,
    rows_read      BIGINT NOT NULL,
    rows_inserted  BIGINT NOT NULL,
    rows_duplicate BIGINT NOT NULL,
    rows_rejected  BIGINT NOT NULL
);

CREATE TABLE import_issues (
    import_id BIGINT NOT NULL,
    line      BIGINT,
    message   VARCHAR NOT NULL
);

CREATE TABLE accounts (
    person_id   VARCHAR NOT NULL,
    account_id  VARCHAR NOT NULL,
    institution VARCHAR,
    kind        VARCHAR,
    currency    VARCHAR,
    label       VARCHAR,
    PRIMARY KEY (person_id, account_id)
);

CREATE TABLE balances (
    person_id  VARCHAR NOT NULL,
    account_id VARCHAR NOT NULL,
    as_of      DATE NOT NULL,
    amount     DECIMAL(18, 2) NOT NULL,
    currency   VARCHAR,
    import_id  BIGINT NOT NULL,
    PRIMARY KEY (person_id, account_id, as_of)
);

CREATE TABLE transactions (
    person_id     VARCHAR NOT NULL,
    account_id    VARCHAR NOT NULL,
    booked_on     DATE NOT NULL,
    value_on      DATE,
    amount        DECIMAL(18, 2) NOT NULL,
    currency      VARCHAR,
    label         VARCHAR,
    counterparty  VARCHAR,
    bank_category VARCHAR,
    category      VARCHAR,
    uid           VARCHAR NOT NULL,
    import_id     BIGINT NOT NULL,
    PRIMARY KEY (person_id, uid)
);

CREATE TABLE contacts (
    person_id   VARCHAR NOT NULL,
    contact_id  VARCHAR NOT NULL,
    pseudonym   VARCHAR NOT NULL,
    number_hmac VARCHAR,
    label       VARCHAR,
    PRIMARY KEY (person_id, contact_id)
);

CREATE TABLE calls (
    person_id  VARCHAR NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    duration_s INTEGER,
    direction  VARCHAR NOT NULL
        CHECK (direction IN ('in', 'out', 'missed', 'rejected', 'voicemail', 'blocked')),
    channel    VARCHAR NOT NULL CHECK (channel IN ('voice', 'sms')),
    contact_id VARCHAR,
    uid        VARCHAR NOT NULL,
    import_id  BIGINT NOT NULL,
    PRIMARY KEY (person_id, uid)
);

CREATE TABLE meters (
    person_id VARCHAR NOT NULL,
    meter_id  VARCHAR NOT NULL,
    commodity VARCHAR NOT NULL CHECK (commodity IN ('electricity', 'gas', 'water')),
    provider  VARCHAR,
    unit      VARCHAR,
    PRIMARY KEY (person_id, meter_id)
);

CREATE TABLE energy (
    person_id VARCHAR NOT NULL,
    meter_id  VARCHAR NOT NULL,
    start_at  TIMESTAMPTZ NOT NULL,
    end_at    TIMESTAMPTZ NOT NULL,
    kwh       DOUBLE,
    volume_m3 DOUBLE,
    quality   VARCHAR,
    uid       VARCHAR NOT NULL,
    import_id BIGINT NOT NULL,
    PRIMARY KEY (person_id, uid)
);

CREATE TABLE places (
    person_id  VARCHAR NOT NULL,
    start_at   TIMESTAMPTZ NOT NULL,
    end_at     TIMESTAMPTZ,
    lat        DOUBLE,
    lon        DOUBLE,
    accuracy_m DOUBLE,
    kind       VARCHAR NOT NULL CHECK (kind IN ('point', 'visit', 'activity')),
    name       VARCHAR,
    uid        VARCHAR NOT NULL,
    import_id  BIGINT NOT NULL,
    PRIMARY KEY (person_id, uid)
);
