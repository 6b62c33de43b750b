"""Google location history: Takeout Records.json / Location History.json, Semantic Location
History, on-device Timeline.json (Android) and the iOS Timeline export."""

from __future__ import annotations

import json
from datetime import UTC
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from selfdata_kit.errors import FormatError, RejectedRowsError
from selfdata_kit.ingest.files import import_file
from selfdata_kit.sources import detect_source
from selfdata_kit.sources.base import InputFile, ParseContext
from selfdata_kit.sources.places import _jsonstream, takeout_records, takeout_semantic, timeline
from selfdata_kit.sources.places._common import e7, latlng
from tests.conftest import conformance, table_rows

PLACES = Path(__file__).resolve().parent / "fixtures"
SEMANTIC = PLACES / "Semantic Location History"
SOURCES = (takeout_records.SOURCE, takeout_semantic.SOURCE, timeline.SOURCE)


def rows(store) -> list[tuple]:
    """(start, end, lat, lon, accuracy, kind, name, uid) in time order, times as UTC ISO;
    a uid made by the store from the row's content shows as "hash"."""
    def iso(t):
        return None if t is None else t.astimezone(UTC).isoformat(timespec="milliseconds")

    return [(iso(s), iso(e), None if la is None else round(la, 7),
             None if lo is None else round(lo, 7), acc, kind, name,
             uid if uid.startswith("gplace:") else "hash")
            for s, e, la, lo, acc, kind, name, uid in store.run(
                "SELECT start_at, end_at, lat, lon, accuracy_m, kind, name, uid FROM places"
                " ORDER BY start_at, kind")]


def imported(store, path: Path, **options):
    report = import_file(store, InputFile.from_path(path), "p", **options)
    assert report.status == "imported", report.error
    return report


# --- conformance files (real exports written by others) ------------------------------------

@pytest.mark.parametrize(("name", "count"), [
    ("places/takeout_location_history_legacy.json", 2),
    ("places/takeout_records.json", 12),
])
def test_conformance_counts(store, name, count):
    path = conformance(name)
    report = imported(store, path)
    assert report.source.name == "google-location-records"
    assert (report.counts.rows_read, report.counts.rows_inserted) == (count, count)
    assert store.run("SELECT count(*), count(DISTINCT kind), min(kind), count(end_at),"
                     " count(lat), count(accuracy_m) FROM places") == [
        (count, 1, "point", 0, count, count)]
    again = imported(store, path)
    assert (again.counts.rows_inserted, again.counts.rows_duplicate) == (0, count)


def test_conformance_legacy_values(store):
    path = conformance("places/takeout_location_history_legacy.json")
    first = json.loads(path.read_text())["locations"][0]  # read the expectation from the file
    imported(store, path)
    start, _, lat, lon, acc, *_ = rows(store)[0]
    assert lat == first["latitudeE7"] / 1e7 and lon == first["longitudeE7"] / 1e7
    assert acc == first["accuracy"]
    assert start == "2015-07-18T23:57:26.012+00:00"  # 1437263846012 ms


# --- Records.json / Location History.json -------------------------------------------------

def test_records_json(store):
    report = imported(store, PLACES / "Records.json")
    assert report.source.name == "google-location-records"
    assert rows(store) == [
        ("2022-01-12T17:18:24.190+00:00", None, 48.85661, 2.35222, 13.0, "point", None, "hash"),
        ("2022-01-12T17:25:00.000+00:00", None, 48.85844, 2.2945, 20.0, "point", None, "hash"),
        # "18:30:00.500+01:00": the offset is applied
        ("2022-01-12T17:30:00.500+00:00", None, 48.86061, 2.33764, 5.0, "point", None, "hash"),
        # a longitude over 90° is valid and must not be wrapped (Tokyo)
        ("2022-03-01T01:02:03.004+00:00", None, 35.689487, 139.6917, 40.0, "point", None, "hash"),
        # longitudeE7 3555110296 is -739857000 written unsigned; no accuracy
        ("2022-03-05T14:00:00.000+00:00", None, 40.7484405, -73.9857, None, "point", None, "hash"),
    ]
    again = imported(store, PLACES / "Records.json")
    assert (again.counts.rows_inserted, again.counts.rows_duplicate) == (0, 5)


def test_legacy_location_history(store):
    imported(store, PLACES / "Location History.json")
    assert rows(store) == [
        ("2017-07-14T02:40:00.000+00:00", None, 48.85661, 2.35222, 20.0, "point", None, "hash"),
        # latitudeE7 3956399452 (unsigned) and -338567844 (signed) are the same latitude
        ("2017-07-14T02:41:00.000+00:00", None, -33.8567844, 151.2153, 1625.0, "point", None,
         "hash"),
        ("2017-07-14T02:42:00.000+00:00", None, -33.8567844, 151.2153, 10.0, "point", None,
         "hash"),
    ]
    assert imported(store, PLACES / "Location History.json").counts.rows_inserted == 0


def test_legacy_and_records_overlap_stored_once(store):
    legacy = b'{"locations": [{"timestampMs": "1642008504190", "latitudeE7": 488566100,' \
             b' "longitudeE7": 23522200, "accuracy": 13}]}'
    records = b'{"locations": [{"latitudeE7": 488566100, "longitudeE7": 23522200,' \
              b' "accuracy": 13, "timestamp": "2022-01-12T18:28:24.190+01:00"}]}'
    for name, data in (("Location History.json", legacy), ("Records.json", records)):
        assert import_file(store, InputFile.from_bytes(name, data), "p").status == "imported"
    assert len(rows(store)) == 1


def test_bad_rows_strict_names_lines_and_leaves_store(store):
    before = table_rows(store)
    report = import_file(store, InputFile.from_path(PLACES / "records_bad_rows.json"), "p")
    assert report.status == "failed" and isinstance(report.error, RejectedRowsError)
    assert report.error.line == 7
    assert report.error.message == ("record 2: expected a latitude and a longitude in range"
                                    " (2 rows in all, also line 11)")
    assert table_rows(store) == before


def test_bad_rows_skipped_are_logged(store):
    report = imported(store, PLACES / "records_bad_rows.json", skip_bad_rows=True)
    assert (report.counts.rows_read, report.counts.rows_inserted,
            report.counts.rows_rejected) == (3, 1, 2)
    assert store.run("SELECT line, message FROM import_issues ORDER BY line") == [
        (7, "record 2: expected a latitude and a longitude in range"),
        (11, "record 3: expected a start time (ISO 8601 or epoch milliseconds)"),
    ]


@pytest.mark.parametrize(("record", "what"), [
    ('{"latitudeE7": 950000000, "longitudeE7": 1, "timestampMs": "1"}',
     "a latitude and a longitude in range"),
    ('{"latitudeE7": 1, "longitudeE7": "2", "timestampMs": "1500000000000"}',
     "a latitude and a longitude in range"),
    ('{"latitudeE7": 1, "longitudeE7": 2, "accuracy": "13", "timestampMs": "1500000000000"}',
     "a number in accuracy"),
    ('{"latitudeE7": 1, "longitudeE7": 2}', "a timestamp or timestampMs"),
    ('{"latitudeE7": 1, "longitudeE7": 2, "timestampMs": "-5"}', "a start time"),
    ('[1, 2]', "a location object"),
])
def test_bad_record_messages(record, what):
    data = ('{"locations": [\n{"latitudeE7": 1, "longitudeE7": 2, "timestampMs": "1"},\n'
            + record + "]}").encode()
    parsed = takeout_records.parse(InputFile.from_bytes("Records.json", data), ParseContext("p"))
    assert [(e.line, e.message.split(" (")[0]) for e in parsed.errors] == [
        (3, f"record 2: expected {what}")]
    assert len(parsed.tables["places"]) == 1


def test_truncated_file_is_a_format_error_with_its_line(store):
    data = (PLACES / "Records.json").read_bytes()[:700]
    report = import_file(store, InputFile.from_bytes("Records.json", data), "p")
    assert report.status == "failed" and type(report.error) is FormatError
    assert report.error.line == 27  # the record cut short starts there
    assert "expected" in report.error.message and report.error.hint
    assert store.counts()["places"] == 0


def test_not_utf8_is_a_format_error():
    data = b'{"locations": [{"latitudeE7": 1, "longitudeE7": 2, "timestampMs": "1",\n"x": "\xff"}]}'
    with pytest.raises(FormatError, match="UTF-8"):
        takeout_records.parse(InputFile.from_bytes("Records.json", data), ParseContext("p"))


# --- Semantic Location History ------------------------------------------------------------

def test_semantic_2019_timestamp_ms(store):
    report = imported(store, SEMANTIC / "2019" / "2019_JANUARY.json")
    assert report.source.name == "google-semantic-history"
    assert rows(store) == [
        ("2019-01-01T07:00:00.000+00:00", "2019-01-01T08:00:00.000+00:00", 48.85661, 2.35222,
         None, "visit", "Hôtel de Ville",
         "gplace:ChIJD7fiBh9u5kcRYJSMaMOCCwQ:2019-01-01T07:00:00.000Z"),
        ("2019-01-01T08:00:00.000+00:00", "2019-01-01T08:30:00.000+00:00", 48.85661, 2.35222,
         None, "activity", "IN_PASSENGER_VEHICLE", "hash"),
        # no name: the address, its lines joined
        ("2019-01-01T08:30:00.000+00:00", "2019-01-01T10:30:00.000+00:00", 48.85844, 2.2945,
         None, "visit", "Champ de Mars, 5 Avenue Anatole France, 75007 Paris, France",
         "gplace:ChIJLU7jZClu5kcR4PcOOO6p3I0:2019-01-01T08:30:00.000Z"),
        # no coordinates in location: centerLatE7 / centerLngE7
        ("2019-01-01T11:00:00.000+00:00", "2019-01-01T11:15:00.000+00:00", 48.8443, 2.3744,
         None, "visit", "Gare de Lyon",
         "gplace:ChIJf0Z3Ugxy5kcRmTGtc3EJv9k:2019-01-01T11:00:00.000Z"),
    ]
    again = imported(store, SEMANTIC / "2019" / "2019_JANUARY.json")
    assert (again.counts.rows_inserted, again.counts.rows_duplicate) == (0, 4)


def test_semantic_2023_iso_timestamps(store):
    imported(store, SEMANTIC / "2023" / "2023_DECEMBER.json")
    got = rows(store)
    assert [r[:7] for r in got] == [
        ("2023-12-24T18:02:11.514+00:00", "2023-12-25T09:41:03.000+00:00", 45.39756, 5.12804,
         None, "visit", "12 Rue de la République, 38000 Grenoble, France"),
        ("2023-12-25T09:41:03.000+00:00", "2023-12-25T09:58:40.001+00:00", 45.39756, 5.12804,
         None, "activity", "WALKING"),
    ]
    assert got[0][7] == "gplace:ChIJ3S-JXmiHx0cRhZsEwwlh2PQ:2023-12-24T18:02:11.514Z"


def test_semantic_bad_objects():
    data = (b'{"timelineObjects": [\n{"placeVisit": {"location": {}, "duration": {}}},\n'
            b'{"activitySegment": {"duration": {"startTimestamp": "2023-12-25T09:41:03Z",'
            b' "endTimestamp": "soon"}}},\n{"somethingNew": {}}]}')
    parsed = takeout_semantic.parse(InputFile.from_bytes("2023_MAY.json", data),
                                    ParseContext("p"))
    assert [(e.line, e.message) for e in parsed.errors] == [
        (2, "record 1: expected a start time (ISO 8601 or epoch milliseconds)"),
        (3, "record 2: expected an end time (ISO 8601 or epoch milliseconds)"),
        (4, "record 3: expected a placeVisit or an activitySegment"),
    ]
    assert parsed.rows_read == 3 and len(parsed.tables["places"]) == 0


# --- on-device Timeline (Android Timeline.json, iOS export) -------------------------------

def test_timeline_android(store):
    report = imported(store, PLACES / "Timeline.json")
    assert report.source.name == "google-timeline"
    assert rows(store) == [
        ("2024-01-01T06:00:00.000+00:00", "2024-01-01T07:40:00.000+00:00", 48.85661, 2.35222,
         None, "visit", "HOME", "gplace:ChIJD7fiBh9u5kcRYJSMaMOCCwQ:2024-01-01T06:00:00.000Z"),
        ("2024-01-01T07:12:00.000+00:00", None, 48.85661, 2.35222, None, "point", None,
         "hash"),
        ("2024-01-01T07:31:00.000+00:00", None, 48.86061, 2.33764, None, "point", None,
         "hash"),
        ("2024-01-01T07:40:00.000+00:00", "2024-01-01T08:05:00.000+00:00", 48.85661, 2.35222,
         None, "activity", "IN_PASSENGER_VEHICLE", "hash"),
        ("2024-01-01T08:05:00.000+00:00", "2024-01-01T17:00:00.000+00:00", 48.8738, 2.295,
         None, "visit", "WORK", "gplace:ChIJjx37cOxv5kcRPWQuEW5ntdk:2024-01-01T08:05:00.000Z"),
    ]
    # rawSignals and timelineMemory are not rows
    assert report.counts.rows_read == 5
    assert imported(store, PLACES / "Timeline.json").counts.rows_inserted == 0


def test_timeline_ios(store):
    report = imported(store, PLACES / "location-history.json")
    assert report.source.name == "google-timeline"
    assert [r[:7] for r in rows(store)] == [
        ("2024-06-11T07:30:00.000+00:00", "2024-06-11T10:00:00.000+00:00", 48.85661, 2.35222,
         None, "visit", "HOME"),
        # "in passenger vehicle" is stored in the Android spelling
        ("2024-06-11T10:00:00.000+00:00", "2024-06-11T10:25:00.000+00:00", 48.85661, 2.35222,
         None, "activity", "IN_PASSENGER_VEHICLE"),
        # path points: the segment's start plus durationMinutesOffsetFromStartTime
        ("2024-06-11T10:00:00.000+00:00", None, 48.85661, 2.35222, None, "point", None),
        ("2024-06-11T10:24:00.000+00:00", None, 48.85844, 2.2945, None, "point", None),
    ]
    assert rows(store)[0][7] == "gplace:ChIJD7fiBh9u5kcRYJSMaMOCCwQ:2024-06-11T07:30:00.000Z"
    assert imported(store, PLACES / "location-history.json").counts.rows_inserted == 0


def test_timeline_bad_point_and_members_in_any_order():
    data = ('{"rawSignals": [{"position": {"LatLng": "1°, 2°"}}],\n"semanticSegments": [\n'
            '{"startTime": "2024-01-01T08:00:00+01:00", "endTime": "2024-01-01T09:00:00+01:00",'
            ' "timelinePath": [{"point": "48.85°, 2.29°", "time": "2024-01-01T08:10:00+01:00"},'
            ' {"point": "somewhere", "time": "2024-01-01T08:20:00+01:00"}]}]}').encode()
    parsed = timeline.parse(InputFile.from_bytes("Timeline.json", data), ParseContext("p"))
    assert [(e.line, e.message) for e in parsed.errors] == [
        (3, "record 1: expected a latitude and a longitude in range")]
    assert len(parsed.tables["places"]) == 1


def test_same_visit_in_semantic_history_and_timeline_is_stored_once(store):
    semantic = (b'{"timelineObjects": [{"placeVisit": {"location": {"latitudeE7": 488566100,'
                b' "longitudeE7": 23522200, "placeId": "ChIJD7fiBh9u5kcRYJSMaMOCCwQ",'
                b' "semanticType": "TYPE_HOME", "address": "Paris"}, "duration":'
                b' {"startTimestamp": "2024-01-01T06:00:00Z",'
                b' "endTimestamp": "2024-01-01T07:40:00Z"}}}]}')
    import_file(store, InputFile.from_bytes("2024_JANUARY.json", semantic), "p")
    report = imported(store, PLACES / "Timeline.json")
    assert (report.counts.rows_inserted, report.counts.rows_duplicate) == (4, 1)


# --- detection ----------------------------------------------------------------------------

@pytest.mark.parametrize(("path", "source"), [
    (PLACES / "Records.json", "google-location-records"),
    (PLACES / "Location History.json", "google-location-records"),
    (PLACES / "records_bad_rows.json", "google-location-records"),
    (SEMANTIC / "2019" / "2019_JANUARY.json", "google-semantic-history"),
    (SEMANTIC / "2023" / "2023_DECEMBER.json", "google-semantic-history"),
    (PLACES / "Timeline.json", "google-timeline"),
    (PLACES / "location-history.json", "google-timeline"),
])
def test_detect(path, source):
    assert detect_source(InputFile.from_path(path)).name == source


@pytest.mark.parametrize("data", [
    b'{"Browser History": [{"title": "x", "url": "https://example.org", "time_usec": 1}]}',
    b'{"type": "FeatureCollection", "features": [{"geometry": {"coordinates": [2.35, 48.85],'
    b' "type": "Point"}, "properties": {"Title": "x", "Location": {"Latitude": "48.85"}}}]}',
    b'{"locations": [{"lat": 48.85, "lon": 2.35, "tst": 1500000000}]}',  # not Google's
    b'{"timeline": {"latitudeE7": 1}, "locations": []}',
    b'[{"startTime": "2024-01-01T08:00:00Z", "endTime": "2024-01-01T09:00:00Z", "kwh": 1}]',
    b'{"note": "semanticSegments and timelineObjects are words here"}',
    b"[]",
    b"latitudeE7,longitudeE7\n1,2\n",
])
def test_detect_refuses_other_files(data):
    inp = InputFile.from_bytes("other.json", data)
    assert [s.name for s in SOURCES if s.detect(inp)] == []


# --- streaming ----------------------------------------------------------------------------

@pytest.mark.parametrize("chunk", [1, 7, 64])
@pytest.mark.parametrize("path", [
    PLACES / "Records.json", PLACES / "records_bad_rows.json", PLACES / "Timeline.json",
    PLACES / "location-history.json", SEMANTIC / "2019" / "2019_JANUARY.json",
])
def test_small_chunks_give_the_same_rows(monkeypatch, path, chunk):
    inp = InputFile.from_path(path)
    source = detect_source(inp)
    whole = source.parse(inp, ParseContext("p"))
    monkeypatch.setattr(_jsonstream, "CHUNK_BYTES", chunk)
    cut = source.parse(inp, ParseContext("p"))
    assert cut.tables["places"].equals(whole.tables["places"])
    assert (cut.errors, cut.rows_read) == (whole.errors, whole.rows_read)


def test_stream_numbers_cut_by_a_chunk(monkeypatch):
    monkeypatch.setattr(_jsonstream, "CHUNK_BYTES", 2)
    items = _jsonstream.iter_list(InputFile.from_bytes("x", b"[12345,\n 678, true]").open(),
                                  "x", None)
    assert list(items) == [(1, 12345), (2, 678), (2, True)]


def test_stream_record_size_limit(monkeypatch):
    monkeypatch.setattr(_jsonstream, "MAX_RECORD_CHARS", 100)
    monkeypatch.setattr(_jsonstream, "CHUNK_BYTES", 16)
    data = b'{"locations": [\n{"latitudeE7": 1, "pad": "' + b"x" * 500 + b'"}]}'
    with pytest.raises(FormatError) as e:
        list(_jsonstream.iter_list(InputFile.from_bytes("x", data).open(), "x", "locations"))
    assert e.value.line == 2


@pytest.mark.parametrize("data", [b'{"other": []}', b"[1, 2", b'{"locations": {}}', b"{"])
def test_stream_malformed(data):
    with pytest.raises(FormatError):
        list(_jsonstream.iter_list(InputFile.from_bytes("x", data).open(), "x", "locations"))


# --- coordinates --------------------------------------------------------------------------

@given(st.integers(-900_000_000, 900_000_000), st.integers(-1_800_000_000, 1_800_000_000))
def test_e7_signed_and_unsigned_agree(lat, lon):
    assert e7(lat, 900_000_000) == e7(lat % 2**32, 900_000_000) == lat / 1e7
    assert e7(lon, 1_800_000_000) == e7(lon % 2**32, 1_800_000_000) == lon / 1e7


@pytest.mark.parametrize(("text", "expected"), [
    ("48.8566100°, 2.3522200°", (48.85661, 2.35222)),
    ("-33.8567844°,151.2153°", (-33.8567844, 151.2153)),
    ("geo:48.856610,2.352220", (48.85661, 2.35222)),
    ({"latLng": "48.85°, -2.29°"}, (48.85, -2.29)),
    ("91°, 2°", (None, None)),
    ("48.85", (None, None)),
    (None, (None, None)),
])
def test_latlng(text, expected):
    assert latlng(text) == expected
