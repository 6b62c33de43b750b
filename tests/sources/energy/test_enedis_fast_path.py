"""The load curve's fast path (clean files parsed in bulk) gives exactly what the per-row
path gives; a file with one bad row falls back to the per-row path and names the line."""

import pandas as pd
import pytest

from selfdata_kit.sources.base import InputFile, ParseContext
from selfdata_kit.sources.energy import enedis_common, enedis_csv

HEAD = ("\ufeffIdentifiant PRM;Type de donnees;Date de debut;Date de fin;Grandeur physique;"
        "Grandeur metier;Etape metier;Unite;Pas en minutes\n"
        "11427515146872;Courbe de charge;01/01/2024;01/01/2025;Energie active;"
        "Consommation;Comptage Brut;W;30\nHorodate;Valeur\n")


def _file(tmp_path, rows: list[str]) -> InputFile:
    path = tmp_path / "Enedis_Conso_Heure_11427515146872.csv"
    path.write_text(HEAD + "\n".join(rows) + "\n", encoding="utf-8")
    return InputFile.from_path(path)


def _rows() -> list[str]:
    # the autumn change (two offsets), a step change 60 -> 30, a gap and an empty value
    times = pd.date_range("2024-10-26T22:00:00Z", periods=200, freq="30min")
    times = times.delete(range(0, 40, 2)).delete([120, 121])
    local = times.tz_convert("Europe/Paris")
    text = [t.isoformat() for t in local]
    return [f"{t};{'' if i == 50 else f'{100 + i},5' if i % 7 else 100 + i}"
            for i, t in enumerate(text)]


def _both(inp: InputFile, monkeypatch: pytest.MonkeyPatch):
    ctx = ParseContext("p")
    fast = enedis_csv.parse(inp, ctx)
    with monkeypatch.context() as m:
        m.setattr(enedis_csv, "split_clean_curve", lambda text: None)
        m.setattr(enedis_common, "offset_times", lambda texts, checked=False: None)
        m.setattr(enedis_common, "_utc_seconds", lambda times: None)
        m.setattr(enedis_csv, "_plain_watts", lambda texts, factor, checked=False: None)
        slow = enedis_csv.parse(inp, ctx)
    return fast, slow


def test_fast_path_equals_per_row_path(tmp_path, monkeypatch):
    fast, slow = _both(_file(tmp_path, _rows()), monkeypatch)
    assert len(fast.tables["energy"]) > 150 and not fast.errors
    for name in ("meters", "energy"):
        pd.testing.assert_frame_equal(fast.tables[name], slow.tables[name], check_exact=True)
    assert fast.rows_read == slow.rows_read


@pytest.mark.parametrize("bad", ["2024-10-27T02:30:00+05:61", "2024-02-30T00:00:00+01:00",
                                 "2024-10-27T02:30:00", "x"])
def test_a_bad_time_falls_back_and_names_its_line(tmp_path, monkeypatch, bad):
    rows = _rows()
    rows[10] = bad + ";120"
    fast, slow = _both(_file(tmp_path, rows), monkeypatch)
    assert [(e.line, e.message) for e in fast.errors] == [(e.line, e.message) for e in slow.errors]
    pd.testing.assert_frame_equal(fast.tables["energy"], slow.tables["energy"], check_exact=True)


@pytest.mark.parametrize("bad", ["-5", "abc", "1" * 400, "12.5.1"])
def test_a_bad_value_falls_back_and_names_its_line(tmp_path, monkeypatch, bad):
    rows = _rows()
    rows[10] = rows[10].split(";")[0] + ";" + bad
    fast, slow = _both(_file(tmp_path, rows), monkeypatch)
    assert [e.line for e in fast.errors] == [14]
    assert [(e.line, e.message) for e in fast.errors] == [(e.line, e.message) for e in slow.errors]
    pd.testing.assert_frame_equal(fast.tables["energy"], slow.tables["energy"], check_exact=True)


@pytest.mark.parametrize("tail", [
    "\n\nType de relevé;Date de mise à jour\nRéel;02/01/2025\n",  # a trailer after a blank line
    "Date de mise à jour;02/01/2025\n",  # ... or right after the data
    "",  # the file ends with the last row
])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_clean_rows_are_read_in_bulk_up_to_the_trailer(tmp_path, monkeypatch, tail, newline):
    path = tmp_path / "Enedis_Conso_Heure_11427515146872.csv"
    text = HEAD + "\n".join(_rows()) + "\n" + tail
    path.write_bytes(text.replace("\n", newline).encode("utf-8"))
    inp = InputFile.from_path(path)
    assert enedis_common.split_clean_curve(text.replace("\n", newline)) is not None
    fast, slow = _both(inp, monkeypatch)
    assert not fast.errors and fast.rows_read == slow.rows_read == len(_rows())
    for name in ("meters", "energy"):
        pd.testing.assert_frame_equal(fast.tables[name], slow.tables[name], check_exact=True)


@pytest.mark.parametrize("odd", [
    lambda rows: rows[:10] + [rows[10] + ";"] + rows[11:],  # a third, empty cell
    lambda rows: rows[:10] + [rows[10].replace(";", " ;")] + rows[11:],  # a space
    lambda rows: rows[:10] + [rows[10].replace("T", " ")] + rows[11:],  # another time layout
    lambda rows: rows[:10] + [""] + rows[11:],  # a blank line ends the data early
    lambda rows: [],  # no data at all
])
def test_an_unusual_row_sends_the_file_to_the_per_row_path(tmp_path, monkeypatch, odd):
    fast, slow = _both(_file(tmp_path, odd(_rows())), monkeypatch)
    assert [(e.line, e.message) for e in fast.errors] == [(e.line, e.message) for e in slow.errors]
    assert fast.rows_read == slow.rows_read
    for name in ("meters", "energy"):
        pd.testing.assert_frame_equal(fast.tables[name], slow.tables[name], check_exact=True)
