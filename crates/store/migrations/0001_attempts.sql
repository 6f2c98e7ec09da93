-- Schema version 1 of Rapport's attempt store.
--
-- Rules that hold for every table (see the crate docs for why):
-- - Times are milliseconds since the Unix epoch (UTC), as INTEGER.
-- - JSON columns hold the exact text the caller gave, checked with json_valid() so a
--   broken payload is refused at the door instead of found years later.
-- - STRICT tables: SQLite refuses a value of the wrong type instead of converting it.
-- - Nothing is ever deleted by the app; foreign keys have no ON DELETE on purpose.

-- Marks the file as Rapport's, so opening someone else's SQLite file at our path is
-- refused instead of having our tables added to it. 0x52415054 = "RAPT".
PRAGMA application_id = 1380012116;

-- One run through a scenario by one person. Columns after started_at_ms stay NULL until
-- the attempt ends; an attempt that ended without an outcome was abandoned.
CREATE TABLE attempts (
    -- UUID v5, hyphenated lower case (see AttemptId::derive).
    id               TEXT PRIMARY KEY NOT NULL,
    scenario_id      TEXT NOT NULL,
    scenario_version TEXT NOT NULL,
    -- SHA-256 of the scenario file as played, lower-case hex: which exact text was played.
    scenario_sha256  TEXT NOT NULL
        CHECK (length(scenario_sha256) = 64 AND scenario_sha256 NOT GLOB '*[^0-9a-f]*'),
    -- The engine's u64 seed, stored bit for bit as a signed 64-bit integer.
    seed             INTEGER NOT NULL,
    started_at_ms    INTEGER NOT NULL,
    ended_at_ms      INTEGER CHECK (ended_at_ms >= started_at_ms),
    -- The engine's outcome name (success, partial, failure, escalated, hung_up, churned);
    -- free text here so a new outcome needs no migration.
    outcome          TEXT CHECK (outcome <> ''),
    overall          INTEGER CHECK (overall BETWEEN 0 AND 100),
    -- NULL also when the rubric was not assessed in this scenario.
    empathy          INTEGER CHECK (empathy BETWEEN 0 AND 100),
    problem_solving  INTEGER CHECK (problem_solving BETWEEN 0 AND 100),
    professionalism  INTEGER CHECK (professionalism BETWEEN 0 AND 100),
    -- A finished attempt has both an outcome and an overall score; only an ended attempt
    -- has either.
    CHECK ((outcome IS NULL) = (overall IS NULL)),
    CHECK (outcome IS NULL OR ended_at_ms IS NOT NULL),
    CHECK (overall IS NOT NULL OR (empathy IS NULL AND problem_solving IS NULL
                                   AND professionalism IS NULL))
) STRICT;

-- History (newest first) and "the unfinished one" read this order.
CREATE INDEX attempts_by_start ON attempts (started_at_ms);
CREATE INDEX attempts_by_scenario ON attempts (scenario_id, started_at_ms);

-- What the person did, in order: enough to replay the attempt through the engine.
CREATE TABLE inputs (
    attempt_id TEXT NOT NULL REFERENCES attempts (id),
    seq        INTEGER NOT NULL CHECK (seq >= 0),
    at_ms      INTEGER NOT NULL,
    kind       TEXT NOT NULL
        CHECK (kind IN ('reply', 'choice', 'silence', 'typing', 'lines_shown')),
    payload    TEXT NOT NULL CHECK (json_valid(payload)),
    PRIMARY KEY (attempt_id, seq)
) STRICT, WITHOUT ROWID;

-- What the engine emitted, in order, as the engine's own JSON.
CREATE TABLE events (
    attempt_id TEXT NOT NULL REFERENCES attempts (id),
    seq        INTEGER NOT NULL CHECK (seq >= 0),
    json       TEXT NOT NULL CHECK (json_valid(json)),
    PRIMARY KEY (attempt_id, seq)
) STRICT, WITHOUT ROWID;

-- xAPI statements waiting for (or already accepted by) a learning record store. The
-- statement is kept as the exact bytes first produced, so a retry sends the same
-- statement with the same id and the LRS can de-duplicate it.
CREATE TABLE outbox (
    -- The statement's own id (a UUID).
    id           TEXT PRIMARY KEY NOT NULL,
    attempt_id   TEXT NOT NULL REFERENCES attempts (id),
    json         TEXT NOT NULL CHECK (json_valid(json)),
    queued_at_ms INTEGER NOT NULL,
    -- NULL until the LRS accepted it.
    sent_at_ms   INTEGER,
    -- How many sends were tried, and why the last one failed.
    attempts     INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error   TEXT
) STRICT;

CREATE INDEX outbox_unsent ON outbox (queued_at_ms) WHERE sent_at_ms IS NULL;
CREATE INDEX outbox_by_attempt ON outbox (attempt_id);
