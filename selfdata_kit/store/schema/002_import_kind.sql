-- The kind of data each import brought (bank, calls, energy, places), written by the importer
-- from the source that read the file: a report's coverage counts the imports of its kind
-- without asking the sources registry (analyses never import the parsers).
ALTER TABLE imports ADD COLUMN kind VARCHAR;

-- imports made before this migration: the kind of each built-in format
UPDATE imports SET kind = CASE
    WHEN source IN ('ofx', 'qif', 'camt', 'fr-bank-csv') THEN 'bank'
    WHEN source IN ('android-backup', 'google-voice') THEN 'calls'
    WHEN source IN ('enedis-load-curve', 'enedis-daily', 'enedis-index', 'enedis-dataconnect',
                    'grdf', 'green-button') THEN 'energy'
    WHEN source IN ('google-location-records', 'google-semantic-history', 'google-timeline')
        THEN 'places'
END;
