"""The screen-safe policy (`reports.screen_safe`): one policy for the reports, the explorer and
the workshop. Masking is stable and complete, places are coarsened to 0.1° wherever a frame
holds coordinates (reports too), and the reports and the explorer apply the same function."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from selfdata_kit.analysis import explore as sql
from selfdata_kit.analysis.scope import make_scope, query
from selfdata_kit.explorer.model import Explorer
from selfdata_kit.ingest.files import import_paths
from selfdata_kit.reports import screen_safe
from selfdata_kit.reports.calls import key_figures as calls_key_figures
from selfdata_kit.reports.notebook import TOPICS, Report, Section, Topic, topic
from selfdata_kit.store import open_store

ROOT = Path(__file__).resolve().parents[2]
PERSON = "p0001-student"  # bank, calls, energy and a location history


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("screen_safe") / "one.duckdb"
    with open_store(path) as store:
        import_paths(store, [ROOT / "sample_data" / PERSON], PERSON)
    return path


@pytest.fixture
def store(store_path: Path):
    s = open_store(store_path)
    yield s
    s.close()


def _finer_than_a_tenth(values: pd.Series) -> bool:
    v = pd.to_numeric(values).dropna()
    return bool((v.round(1) != v).any())


# --- the policy alone ------------------------------------------------------------------------

def test_masking_is_stable_complete_and_numbered_in_order_of_appearance() -> None:
    frame = pd.DataFrame({"merchant": ["Lidl", "Fnac", "Lidl", None, "Fnac", "Amazon"],
                          "category": ["food", "leisure", "food", "food", "leisure", "shop"],
                          "amount": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]})
    out = screen_safe.mask(frame, ("merchant", "not_a_column"), "en")
    masked = [None if pd.isna(v) else v for v in out["merchant"]]
    assert masked == ["Masked 1", "Masked 2", "Masked 1", None, "Masked 2", "Masked 3"]
    # complete: no original value left; nothing else touched; the input is not modified
    assert not set(frame["merchant"].dropna()) & set(out["merchant"].dropna())
    assert out[["category", "amount"]].equals(frame[["category", "amount"]])
    assert frame["merchant"].iloc[0] == "Lidl"
    # stable: the same frame masks the same way, in French too
    assert out.equals(screen_safe.mask(frame, ("merchant",), "en"))
    assert list(screen_safe.mask(frame, ("merchant",), "fr")["merchant"].dropna().unique()) == [
        "Masqué 1", "Masqué 2", "Masqué 3"]
    assert screen_safe.placeholder(1, "fr") == "Masqué 1"


def test_places_are_coarsened_to_a_tenth_of_a_degree() -> None:
    frame = pd.DataFrame({"name": ["Home", "Work"], "lat": [43.6284444, 43.6475305],
                          "lon": [3.8639146, None], "minutes": [12.345, 6.789]})
    out = screen_safe.coarsen(frame)
    assert list(out["lat"]) == [43.6, 43.6]
    assert out["lon"].iloc[0] == 3.9 and pd.isna(out["lon"].iloc[1])
    assert list(out["minutes"]) == [12.345, 6.789] and list(out["name"]) == ["Home", "Work"]
    assert screen_safe.coarsen(frame[["name"]]).equals(frame[["name"]])
    both = screen_safe.apply(frame, ("name",), "en")
    assert list(both["name"]) == ["Masked 1", "Masked 2"] and list(both["lat"]) == [43.6, 43.6]


def test_a_choice_is_shown_by_its_safe_label_when_screen_safe() -> None:
    assert screen_safe.label("Maman", "Contact 3", True) == "Contact 3"
    assert screen_safe.label("Maman", "Contact 3", False) == "Maman"


def test_the_placeholder_word_is_written_in_one_place_only() -> None:
    """No module builds "Masked N" by hand: the reports, the explorer and the workshop all ask
    the policy."""
    package = ROOT / "selfdata_kit"
    writers = sorted(str(p.relative_to(package)) for p in package.rglob("*.py")
                     if "common.masked" in p.read_text(encoding="utf-8"))
    assert writers == ["reports/screen_safe.py"]


# --- the reports -----------------------------------------------------------------------------

def _visits(con, scope) -> pd.DataFrame:
    return query(con, """SELECT start_at, kind, name, lat, lon FROM places
                         WHERE person_id = $person AND lat IS NOT NULL
                         ORDER BY start_at""", scope)


PLACES = Topic(name="fun_facts", table="places",
               sections={"visits": Section(_visits, lambda frame, lang: None,
                                           sensitive=("name",))},
               key_figures=lambda con, scope, lang, safe: [])


def test_a_report_section_with_places_is_coarsened_and_masked_when_screen_safe(store) -> None:
    scope = make_scope(store.con, PERSON)
    shown = Report(store.con, scope, "en", False, PLACES).frame("visits")
    safe = Report(store.con, scope, "en", True, PLACES).frame("visits")
    assert len(shown) > 100 and _finer_than_a_tenth(shown["lat"])  # so the check can fail
    assert not _finer_than_a_tenth(safe["lat"]) and not _finer_than_a_tenth(safe["lon"])
    assert (safe["lat"] - shown["lat"]).abs().max() <= 0.05 + 1e-9
    assert not set(shown["name"].dropna()) & set(safe["name"].dropna())
    assert safe["name"].str.fullmatch(r"Masked \d+").all()
    # the report applies the policy, nothing more, nothing less
    pd.testing.assert_frame_equal(safe, screen_safe.apply(shown, ("name",), "en"))


@pytest.mark.slow  # over 4 s: make test-fast stays well under 3 minutes
@pytest.mark.parametrize("name", TOPICS)
def test_no_report_section_shows_a_sensitive_value_or_a_fine_place(store, name) -> None:
    """Every real section, screen-safe: sensitive columns hold placeholders only, and any
    coordinate a section may one day carry is coarsened."""
    scope = make_scope(store.con, PERSON)
    safe, plain = (Report(store.con, scope, "en", s, topic(name)) for s in (True, False))
    for section_name, section in safe.topic.sections.items():
        frame = safe.frame(section_name)
        for col in screen_safe.COORDINATES:
            if col in frame.columns:
                assert not _finer_than_a_tenth(frame[col]), (section_name, col)
        raw = plain.frame(section_name)
        for col in section.sensitive:
            if col in frame.columns:
                kept = set(raw[col].dropna()) & set(frame[col].dropna())
                assert not kept, (section_name, col, sorted(kept)[:3])


def test_the_top_contact_key_figure_is_masked_as_in_the_chart(store) -> None:
    scope = make_scope(store.con, PERSON)
    report = Report(store.con, scope, "en", True, topic("calls"))
    figures = dict(calls_key_figures(store.con, scope, "en", screen_safe=True))
    top = report.frame("top_contacts")["contact"].iloc[0]
    assert top == screen_safe.placeholder(1, "en") and top in figures.values()


# --- the explorer ----------------------------------------------------------------------------

def test_the_explorer_rows_go_through_the_same_policy(store) -> None:
    model = Explorer(store, "en")
    model.set_person(PERSON)
    raw = {tab: model.rows(tab) for tab in sql.TABS}
    assert _finer_than_a_tenth(raw["places"]["lat"])  # so the check can fail
    model.screen_safe = True
    for tab in sql.TABS:
        safe = model.rows(tab)
        pd.testing.assert_frame_equal(safe, screen_safe.apply(raw[tab], sql.SENSITIVE[tab],
                                                              "en"))
    places = model.rows("places")
    assert not _finer_than_a_tenth(places["lat"]) and not _finer_than_a_tenth(places["lon"])
    assert places["name"].dropna().str.fullmatch(r"Masked \d+").all()


def test_explorer_filter_labels_hide_kept_names_and_meter_numbers(store) -> None:
    model = Explorer(store, "en")
    model.set_person(PERSON)
    labels = {tab: [label for label, _ in model.options(tab)[1:]] for tab in ("calls", "energy")}
    model.screen_safe = True
    safe = {tab: [label for label, _ in model.options(tab)[1:]] for tab in ("calls", "energy")}
    options = sql.filter_options(store.con, model.scope, "calls")
    assert safe["calls"] == list(options["safe_label"])
    assert all("…" in label for label in labels["energy"])
    assert not any("…" in label for label in safe["energy"])
