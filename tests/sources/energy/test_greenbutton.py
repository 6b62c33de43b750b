"""Green Button (ESPI) feeds: units and multipliers, several blocks, summaries ignored,
a missing ReadingType refused, flows received kept apart."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from selfdata_kit.errors import FormatError
from selfdata_kit.ingest.files import import_file
from selfdata_kit.sources import detect_source
from selfdata_kit.sources.base import InputFile, ParseContext
from selfdata_kit.sources.energy import greenbutton as gb
from tests.conftest import conformance, imported, table_rows

FIXTURES = Path(__file__).resolve().parent / "fixtures"

KWH_PER_THERM = 29.3071  # 100,000 BTU


def fixture(name: str) -> Path:
    return FIXTURES / name




def _parse_text(text: str):
    return gb.parse(InputFile.from_bytes("feed.xml", text.encode()), ParseContext("alice"))


def test_conformance_hourly_feed(store) -> None:
    report = imported(store, conformance("energy/greenbutton_hourly.xml"))
    assert report.source.name == "green-button"
    assert report.counts.rows_inserted == 216
    n, kwh, first, last = store.run(
        "SELECT count(*), sum(kwh), min(start_at), max(end_at) FROM energy")[0]
    assert n == 216
    assert kwh == pytest.approx(199.563, abs=1e-9)
    # epoch seconds are UTC: 1388552400 = 2014-01-01 05:00 UTC (midnight EST), nine days
    assert (first, last) == (datetime(2014, 1, 1, 5, tzinfo=UTC),
                             datetime(2014, 1, 10, 5, tzinfo=UTC))
    # the UsageSummary's 28-day billing period is not an interval reading
    assert store.run("SELECT DISTINCT end_at - start_at FROM energy") == [(timedelta(hours=1),)]
    assert store.run("SELECT meter_id, commodity, unit FROM meters") == [
        ("RetailCustomer/2/UsagePoint/2", "electricity", "Wh")]


def test_gas_therms_with_multiplier_and_quality(store) -> None:
    imported(store, fixture("greenbutton_gas_therms.xml"))
    rows = store.run("SELECT start_at, end_at, kwh, quality FROM energy ORDER BY start_at")
    assert len(rows) == 6  # two IntervalBlocks of three days; the UsageSummary is ignored
    therms = [1.250, 0.980, 1.430, 2.100, 1.875, 0.0]  # value x 10^-3
    assert [r[2] for r in rows] == pytest.approx([t * KWH_PER_THERM for t in therms], rel=1e-5)
    assert [r[3] for r in rows] == [None, "estimated", None, None, None, None]
    assert rows[0][:2] == (datetime(2024, 1, 15, 8, tzinfo=UTC),
                           datetime(2024, 1, 16, 8, tzinfo=UTC))
    assert store.run("SELECT commodity, provider, unit FROM meters") == [
        ("gas", "api.example-utility.com", "therm")]


def test_received_energy_is_a_separate_meter(store) -> None:
    imported(store, fixture("greenbutton_solar_15min.xml"))
    sums = store.run("SELECT meter_id, count(*), sum(kwh) FROM energy GROUP BY 1 ORDER BY 1")
    assert sums == [
        ("Subscription/9/UsagePoint/3120", 8, pytest.approx(1.868)),  # Wh, multiplier 0
        ("Subscription/9/UsagePoint/3120:received", 4, pytest.approx(0.230))]  # x 10^1 Wh
    assert store.run("SELECT DISTINCT end_at - start_at FROM energy") == [
        (timedelta(minutes=15),)]


@pytest.mark.parametrize("replacement", [
    "",  # the ReadingType entry is missing
    '<ReadingType xmlns="http://naesb.org/espi"/>',  # present but empty
    '<ReadingType xmlns="http://naesb.org/espi"><uom></uom></ReadingType>',
])
def test_missing_or_empty_reading_type_is_a_format_error(replacement: str) -> None:
    text = fixture("greenbutton_gas_therms.xml").read_text()
    text = re.sub(r"<ReadingType .*?</ReadingType>", replacement, text, flags=re.S)
    if not replacement:  # drop the whole entry, as a feed cut by a broken download would
        text = re.sub(r"<entry>(?:(?!</entry>).)*<content>\s*</content>.*?</entry>", "",
                      text, flags=re.S)
    with pytest.raises(FormatError, match="ReadingType with a unit") as err:
        _parse_text(text)
    assert err.value.line is not None  # the first IntervalBlock left without a unit


@pytest.mark.parametrize(("uom", "quality"), [("38", "power_not_energy"),
                                              ("73", "unit_unknown")])
def test_power_and_unknown_units_keep_intervals_without_energy(uom: str, quality: str) -> None:
    text = fixture("greenbutton_gas_therms.xml").read_text().replace(
        "<uom>169</uom>\n      </ReadingType>", f"<uom>{uom}</uom>\n      </ReadingType>")
    energy = _parse_text(text).tables["energy"]
    assert len(energy) == 6
    assert energy["kwh"].isna().all() and energy["volume_m3"].isna().all()
    assert set(energy["quality"]) == {quality}  # the flag wins over "estimated"


def test_volume_units_fill_volume_m3() -> None:
    text = fixture("greenbutton_gas_therms.xml").read_text().replace(
        "<uom>169</uom>\n      </ReadingType>", "<uom>119</uom>\n      </ReadingType>")
    energy = _parse_text(text).tables["energy"]  # ft³ x 10^-3
    assert energy["volume_m3"].sum() == pytest.approx(7.635 * 0.028316846592)
    assert energy["kwh"].isna().all()


def test_feed_without_links_uses_the_reading_type_before_the_blocks() -> None:
    text = re.sub(r"\s*<link [^>]*/>", "", fixture("greenbutton_gas_therms.xml").read_text())
    parsed = _parse_text(text)
    energy = parsed.tables["energy"]
    assert len(energy) == 6
    assert energy["kwh"].sum() == pytest.approx(7.635 * KWH_PER_THERM, rel=1e-5)
    # no usage point link: the feed's own id names the meter
    assert set(energy["meter_id"]) == {"urn:uuid:2B6E0F9A-0B1F-4C62-9E3B-6A1F40C0A000"}
    assert list(parsed.tables["meters"]["commodity"]) == ["gas"]  # from ReadingType commodity 7


def test_reimport_adds_nothing(store) -> None:
    imported(store, conformance("energy/greenbutton_hourly.xml"))
    before = {t: v for t, v in table_rows(store).items() if t != "imports"}
    again = imported(store, conformance("energy/greenbutton_hourly.xml"))
    assert (again.counts.rows_inserted, again.counts.rows_duplicate) == (0, 216)
    assert {t: v for t, v in table_rows(store).items() if t != "imports"} == before


def test_overlapping_feed_adds_only_new_intervals(store, tmp_path: Path) -> None:
    imported(store, fixture("greenbutton_gas_therms.xml"))
    text = fixture("greenbutton_gas_therms.xml").read_text()
    # a later download: the second block moved one day on (two days overlap, one is new)
    starts = re.findall(r"<start>(\d+)</start>", text)
    day = 86400
    block2 = [int(s) for s in starts if int(s) >= 1705564800]
    for s in sorted(set(block2), reverse=True):
        text = text.replace(f"<start>{s}</start>", f"<start>{s + day}</start>")
    later = tmp_path / "later.xml"
    later.write_text(text)
    report = imported(store, later)
    assert report.counts.rows_inserted == 1
    assert store.run("SELECT count(*), max(end_at) FROM energy") == [
        (7, datetime(2024, 1, 22, 8, tzinfo=UTC))]


def test_truncated_xml_names_the_line(store, tmp_path: Path) -> None:
    text = fixture("greenbutton_solar_15min.xml").read_text()
    bad = tmp_path / "cut.xml"
    bad.write_text(text[: len(text) // 2])
    report = import_file(store, InputFile.from_path(bad), "alice")
    assert report.status == "failed" and isinstance(report.error, FormatError)
    assert report.error.line is not None and report.error.line > 1


def test_bad_reading_is_a_row_error_on_its_line() -> None:
    text = fixture("greenbutton_gas_therms.xml").read_text().replace(
        "<value>980</value>", "<value>n/a</value>")
    parsed = _parse_text(text)
    line = next(n for n, s in enumerate(text.splitlines(), 1) if "<value>n/a" in s)
    assert len(parsed.errors) == 1
    # lxml gives the IntervalReading's opening line; the value sits a few lines below it
    assert 0 < line - parsed.errors[0].line < 10
    assert parsed.errors[0].message == "expected a number in IntervalReading value"


def test_detection_is_specific() -> None:
    assert detect_source(InputFile.from_path(
        conformance("energy/greenbutton_hourly.xml"))).name == "green-button"
    assert detect_source(InputFile.from_path(
        fixture("greenbutton_gas_therms.xml"))).name == "green-button"
    assert not gb.detect(InputFile.from_path(conformance("energy/grdf_daily.json")))
    atom = b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry/></feed>'
    assert not gb.detect(InputFile.from_bytes("blog.xml", atom))


def test_feed_with_only_a_summary_is_a_format_error() -> None:
    text = re.sub(r"<entry>(?:(?!</entry>).)*<IntervalBlock .*?</entry>", "",
                  fixture("greenbutton_gas_therms.xml").read_text(), flags=re.S)
    assert "<IntervalBlock" not in text and "<UsageSummary" in text
    with pytest.raises(FormatError, match="no interval readings"):
        _parse_text(text)


def test_prefixed_feed_without_default_namespace_is_green_button(store) -> None:
    # `<atom:feed>`, `<espi:IntervalBlock>`: a prefix is not a new format
    path = fixture("greenbutton_prefixed.xml")
    assert detect_source(InputFile.from_path(path)).name == "green-button"
    imported(store, path)
    rows = store.run("SELECT epoch(start_at), epoch(end_at), kwh FROM energy ORDER BY 1")
    start = datetime(2024, 3, 1, tzinfo=UTC).timestamp()
    assert rows == [(start, start + 3600, pytest.approx(0.412)),
                    (start + 3600, start + 7200, pytest.approx(0.388))]
    assert store.run("SELECT commodity, unit FROM meters") == [("electricity", "Wh")]


def test_prefixed_feed_with_empty_reading_type_names_the_missing_unit() -> None:
    path = fixture("greenbutton_prefixed_empty_reading_type.xml")
    inp = InputFile.from_path(path)
    assert detect_source(inp).name == "green-button"  # never "unknown format"
    with pytest.raises(FormatError, match=r"ReadingType with a unit \(uom\)") as err:
        gb.parse(inp, ParseContext("alice"))
    assert err.value.line is not None


@pytest.mark.parametrize("root", [
    '<espi:IntervalBlock xmlns:espi="http://naesb.org/espi">',
    '<a:entry xmlns:a="http://www.w3.org/2005/Atom" xmlns:e="http://naesb.org/espi">',
])
def test_detect_is_namespace_aware(root: str) -> None:
    data = f'<?xml version="1.0"?>\n<!-- export -->\n{root}\n'.encode()
    assert gb.detect(InputFile.from_bytes("x.xml", data))


def test_detect_refuses_atom_feeds_without_espi() -> None:
    data = b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry/></feed>'
    assert not gb.detect(InputFile.from_bytes("x.xml", data))
