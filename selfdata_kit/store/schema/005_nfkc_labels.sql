-- A transaction's content hash now folds Unicode compatibility forms too (NFKC: full-width
-- letters, ligatures such as "ﬁ", superscripts; see FOLD_SQL in store/writer.py and
-- nfkc_normalize in store/fold.py), so that an export written with them and one without
-- name the same rows. Rows whose uid is a content hash are re-hashed, as 004 did; rows
-- carrying a source's own id keep it. Occurrences are renumbered per new hash.
CREATE TEMP TABLE _rehash AS
SELECT person_id, uid AS old_uid,
       md5(concat_ws(chr(31),
           coalesce(CAST(account_id AS VARCHAR), chr(0)),
           coalesce(CAST(booked_on AS VARCHAR), chr(0)),
           coalesce(CAST(value_on AS VARCHAR), chr(0)),
           coalesce(CAST(amount AS VARCHAR), chr(0)),
           coalesce(CAST(currency AS VARCHAR), chr(0)),
           coalesce(lower(regexp_replace(nfkc_normalize(regexp_replace(
               nfc_normalize(CAST(label AS VARCHAR)),
               '[^\p{L}\p{N}]|[\x{0080}-\x{02FF}]', '', 'g')),
               '[^\p{L}\p{N}]|[\x{0080}-\x{02FF}]', '', 'g')), chr(0)),
           coalesce(lower(regexp_replace(nfkc_normalize(regexp_replace(
               nfc_normalize(CAST(counterparty AS VARCHAR)),
               '[^\p{L}\p{N}]|[\x{0080}-\x{02FF}]', '', 'g')),
               '[^\p{L}\p{N}]|[\x{0080}-\x{02FF}]', '', 'g')), chr(0)),
           coalesce(lower(regexp_replace(nfkc_normalize(regexp_replace(
               nfc_normalize(CAST(bank_category AS VARCHAR)),
               '[^\p{L}\p{N}]|[\x{0080}-\x{02FF}]', '', 'g')),
               '[^\p{L}\p{N}]|[\x{0080}-\x{02FF}]', '', 'g')), chr(0)))) AS h
FROM transactions
WHERE regexp_full_match(uid, '[0-9a-f]{32}:[0-9]+');

CREATE TEMP TABLE _renamed AS
SELECT person_id, old_uid,
       h || ':' || row_number() OVER (PARTITION BY person_id, h ORDER BY old_uid) AS new_uid
FROM _rehash;

-- in two steps, so that no new uid ever meets an old one still in place
UPDATE transactions SET uid = 'rehash:' || r.new_uid
FROM _renamed r
WHERE transactions.person_id = r.person_id AND transactions.uid = r.old_uid;
UPDATE transactions SET uid = substr(uid, 8) WHERE uid LIKE 'rehash:%';

DROP TABLE _renamed;
DROP TABLE _rehash;
