-- Listening and viewing histories (Spotify, Netflix, YouTube / My Activity), and chat messages
-- (WhatsApp) as rows of `calls` (DESIGN.md section 4).
--
-- media.kind: 'track' (a song, Spotify or YouTube Music), 'podcast' (a podcast episode),
-- 'episode' (an episode of a series), 'film', 'video' (a YouTube video).
-- duration_s is what was played or watched, in seconds; NULL where the export has none
-- (Netflix's title list, YouTube). title and creator (artist, show, series, channel) are
-- kept: they are the point of the data; screen-safe mode masks them in reports.
CREATE TABLE media (
    person_id  VARCHAR NOT NULL,
    service    VARCHAR NOT NULL,
    kind       VARCHAR NOT NULL
        CHECK (kind IN ('track', 'podcast', 'episode', 'film', 'video')),
    started_at TIMESTAMPTZ NOT NULL,
    duration_s INTEGER,
    title      VARCHAR,
    creator    VARCHAR,
    uid        VARCHAR NOT NULL,
    import_id  BIGINT NOT NULL,
    PRIMARY KEY (person_id, uid)
);

-- calls: a chat message is channel 'chat'; a message whose sender could not be told apart
-- from the person yet is direction 'unknown' (WhatsApp exports do not say who "me" is).
-- DuckDB cannot alter a CHECK constraint: the table is rebuilt with its rows.
CREATE TABLE calls_new (
    person_id  VARCHAR NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    duration_s INTEGER,
    direction  VARCHAR NOT NULL
        CHECK (direction IN ('in', 'out', 'missed', 'rejected', 'voicemail', 'blocked',
                             'unknown')),
    channel    VARCHAR NOT NULL CHECK (channel IN ('voice', 'sms', 'chat')),
    contact_id VARCHAR,
    uid        VARCHAR NOT NULL,
    import_id  BIGINT NOT NULL,
    PRIMARY KEY (person_id, uid)
);
INSERT INTO calls_new SELECT person_id, started_at, duration_s, direction, channel, contact_id,
                             uid, import_id FROM calls;
DROP TABLE calls;
ALTER TABLE calls_new RENAME TO calls;
