"""Fun facts: the cursors point the way the personas' habits say (truth.json `persona`, as
`selfdata_kit.synth` encodes them: wake-up and call hours, savings transfer and a smaller
budget, no butcher for vegetarians, no job for the retirees, extra trips for travellers), the
cohort calibration ranks, the defaults take over below k persons, badges go to the right
people, and missing sources give reasons, not crashes."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import papermill
import pytest

from selfdata_kit.analysis import fun_facts as ff
from selfdata_kit.analysis.fun_facts import figures
from selfdata_kit.analysis.fun_facts.month import month_in_numbers
from selfdata_kit.analysis.scope import Scope, make_scope
from selfdata_kit.ingest.files import import_paths
from selfdata_kit.store import open_store
from tests.conftest import NOTEBOOKS, ROOT, SAMPLE_DATA, copy_store

SAMPLES = SAMPLE_DATA
STUDENT, RETIREES, FAMILY = "p0001-student", "p0002-retiree-electric", "p0003-family-gas"


def truth(person: str, folder: Path = SAMPLES) -> dict:
    return json.loads((folder / person / "truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def samples(sample_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shared sample store ("nobody" included), in a copy where the student's bank
    files are imported again as "bank-only", a person with nothing else."""
    path = copy_store(sample_store, tmp_path_factory.mktemp("ff") / "samples.duckdb")
    with open_store(path) as store:
        import_paths(store, [SAMPLES / STUDENT / "bank"], "bank-only")
    return path


@pytest.fixture(scope="module")
def con(samples: Path) -> duckdb.DuckDBPyConnection:
    c = open_store(samples, read_only=True).con
    yield c
    c.close()


def _store_of(folder: Path, persons: list[str], path: Path) -> duckdb.DuckDBPyConnection:
    with open_store(path) as store:
        for person in persons:
            import_paths(store, [folder / person], person)
    return open_store(path, read_only=True).con


def positions(con: duckdb.DuckDBPyConnection, person: str, **kw: object) -> dict:
    frame = ff.cursors(con, make_scope(con, person), **kw)
    return dict(zip(frame["cursor"], frame["position"], strict=True))


@pytest.mark.slow
def test_sample_personas_sit_where_their_habits_say(con) -> None:
    assert "night_owl" in truth(STUDENT)["persona"]["habits"]
    assert "early_bird" in truth(RETIREES)["persona"]["habits"]
    s, r, f = (positions(con, p) for p in (STUDENT, RETIREES, FAMILY))
    assert s["early_bird_night_owl"] > 0.5 > r["early_bird_night_owl"]
    assert s["early_bird_night_owl"] > f["early_bird_night_owl"] > r["early_bird_night_owl"]
    for p, pos in ((STUDENT, s), (RETIREES, r), (FAMILY, f)):
        habits = truth(p)["persona"]["habits"]
        if "vegetarian" in habits:  # no position at all without 20 fresh-food purchases
            assert not pos["vegetarian_carnivore"] >= 0.5
        if "saver" in habits:
            assert pos["saver_spender"] < 0.5 < s["saver_spender"]
    # homebodies: the retirees have no job to go to, stay home most and move least
    assert r["homebody_globetrotter"] < 0.5
    assert r["homebody_globetrotter"] < min(s["homebody_globetrotter"],
                                            f["homebody_globetrotter"])
    # the student texts the most (4 sms a day in the generator), the retirees the least
    assert s["quiet_chatterbox"] > f["quiet_chatterbox"] > r["quiet_chatterbox"]


@pytest.mark.slow  # over 4 s: make test-fast stays well under 3 minutes
def test_fewer_than_k_persons_use_the_defaults(con) -> None:
    frame = ff.cursors(con, make_scope(con, STUDENT))
    assert set(frame["calibration"]) == {"defaults"}
    assert frame["position"].between(0, 1).all()


def test_savings_figures_match_the_truth(con) -> None:
    frame = ff.cursors(con, make_scope(con, RETIREES)).set_index("cursor")
    figures = frame.loc["saver_spender", "figures"]
    assert figures["to_savings"] == pytest.approx(
        12 * float(truth(RETIREES)["persona"]["savings_per_month"]))
    assert figures["savings_rate"] > 0.1


@pytest.mark.slow
def test_badges_are_earned_by_who_should(con) -> None:
    def earned(person: str) -> set[str]:
        frame = ff.badges(con, make_scope(con, person))
        return set(frame.loc[frame["earned"], "badge"])

    assert {"night_owl"} <= earned(STUDENT) and "early_riser" not in earned(STUDENT)
    assert {"early_riser", "ant", "regular"} <= earned(RETIREES)
    assert "night_owl" not in earned(RETIREES)
    assert "ant" in earned(FAMILY) and "ant" not in earned(STUDENT)
    for person in (STUDENT, RETIREES, FAMILY):
        frame = ff.badges(con, make_scope(con, person)).set_index("badge")
        watts = truth(person)["standby_watts"]
        assert frame.loc["zero_standby_hero", "figure"] == pytest.approx(watts, abs=1)
        assert frame.loc["zero_standby_hero", "earned"] == (watts <= 50)
        assert frame.loc["explorer", "figure"] == len(truth(person)["persona"]["holidays"])
    rows = ff.badge_rows(con, make_scope(con, RETIREES), "regular")
    assert rows["payments"].iloc[0] >= 20 and "BOULANGERIE" in rows["merchant"].iloc[0]


def test_month_in_numbers_is_the_last_full_month_and_adds_up(con) -> None:
    scope = make_scope(con, STUDENT)
    frame = month_in_numbers(con, scope).set_index("figure")
    assert set(frame["month"]) == {"2024-12"}
    spent = truth(STUDENT)["monthly_spend_by_category"]["2024-12"]
    assert Decimal(str(round(frame.loc["money_spent", "value"], 2))) == sum(
        Decimal(v) for v in spent.values())
    assert frame.loc["top_category", "category"] == max(spent, key=lambda k: Decimal(spent[k]))
    calls = con.execute("SELECT count(*) FROM calls WHERE person_id = ? AND channel = 'voice'"
                        " AND timezone('Europe/Paris', started_at) >= '2024-12-01'",
                        [STUDENT]).fetchall()[0][0]
    assert frame.loc["calls", "value"] == calls
    march = month_in_numbers(con, scope, month="2024-03")
    assert set(march["month"]) == {"2024-03"} and not march.equals(frame)


def test_a_period_filter_filters(con) -> None:
    march = Scope(STUDENT, __import__("datetime").date(2024, 3, 1),
                  __import__("datetime").date(2024, 3, 31))
    year = ff.cursors(con, make_scope(con, STUDENT)).set_index("cursor")
    month = ff.cursors(con, march).set_index("cursor")
    assert month.loc["quiet_chatterbox", "figures"]["calls"] < (
        year.loc["quiet_chatterbox", "figures"]["calls"] / 6)


@pytest.mark.slow
def test_missing_sources_give_reasons_and_an_empty_period_gives_nothing(con) -> None:
    frame = ff.cursors(con, make_scope(con, "bank-only")).set_index("cursor")
    for name in ("homebody_globetrotter", "quiet_chatterbox", "early_bird_night_owl"):
        assert frame.loc[name, "position"] != frame.loc[name, "position"]  # NaN
        assert frame.loc[name, "reason"]
    assert frame.loc["routine_adventurous", "value"] > 0  # from the merchants instead
    out = figures(con, make_scope(con, "bank-only"))
    json.dumps(out)
    assert out["cursors"]["homebody_globetrotter"] == {"position": None, "evidence": 0,
                                                       "needed": 8}
    assert out["reasons"]["homebody_globetrotter"] == "no location history imported"
    assert out["cursors"]["saver_spender"]["position"] is not None
    empty = make_scope(con, STUDENT, "2030-01-01", "2030-12-31")
    assert ff.cursors(con, empty)["position"].isna().all()
    assert not ff.badges(con, empty)["earned"].any()
    assert month_in_numbers(con, empty).empty and ff.week_rhythm(con, empty).empty
    assert figures(con, make_scope(con, "nobody"))["badges"] == []


@pytest.mark.slow
def test_the_notebook_runs_for_a_person_with_bank_data_only(samples, tmp_path) -> None:
    out = tmp_path / "out.ipynb"
    papermill.execute_notebook(str(NOTEBOOKS / "fun_facts.ipynb"), str(out),
                               parameters={"store": str(samples), "person": "bank-only",
                                           "lang": "en"},
                               cwd=str(NOTEBOOKS), progress_bar=False,
                               kernel_name="python3")
    text = out.read_text(encoding="utf-8")
    assert "no location history imported" in text and "Your badges" in text


def test_percentile_ranks_keep_the_order_and_share_ties() -> None:
    values = [3.0, 1.0, 2.0, 2.0, 5.0]
    ranks = [ff.percentile_rank(v, values) for v in values]
    assert ranks == [0.75, 0.0, 0.375, 0.375, 1.0]


@pytest.mark.slow
def test_a_cohort_of_six_ranks_and_four_fall_back_to_defaults(cohort_dir, tmp_path) -> None:
    persons = sorted(p.name for p in cohort_dir.iterdir())
    con6 = _store_of(cohort_dir, persons, tmp_path / "six.duckdb")
    frames = {p: ff.cursors(con6, make_scope(con6, p), k=5).set_index("cursor")
              for p in persons}
    for name in ff.CURSORS:
        if name == "vegetarian_carnivore":
            continue  # see below: most of the six lack the evidence
        assert {f.loc[name, "calibration"] for f in frames.values()} == {"cohort (n=6)"}
        pairs = sorted((f.loc[name, "value"], f.loc[name, "position"]) for f in frames.values())
        assert all(0 <= pos <= 1 for _, pos in pairs)
        assert [pos for _, pos in pairs] == sorted(pos for _, pos in pairs)
    habits = {p: truth(p, cohort_dir)["persona"]["habits"] for p in persons}
    owls = [frames[p].loc["early_bird_night_owl", "position"] for p in persons
            if "night_owl" in habits[p]]
    birds = [frames[p].loc["early_bird_night_owl", "position"] for p in persons
             if "early_bird" in habits[p]]
    assert owls and birds and min(owls) > max(birds)
    # the diet: a year holds fewer than 20 purchases at butchers, organic shops and
    # greengrocers for most of the six, so no position for them, and fewer than k persons
    # with the evidence: the defaults, for those who have it
    diet = {p: frames[p].loc["vegetarian_carnivore"] for p in persons}
    with_evidence = [p for p in persons if diet[p]["evidence"] >= diet[p]["needed"]]
    assert 0 < len(with_evidence) < 5
    for p in persons:
        assert pd.isna(diet[p]["position"]) == (p not in with_evidence)
        assert diet[p]["calibration"] == "defaults"
        if p in with_evidence and "vegetarian" in habits[p]:
            assert diet[p]["position"] < 0.5
    traveller = next(p for p in persons if "traveller" in habits[p])
    assert frames[traveller].loc["homebody_globetrotter", "position"] == 1.0
    assert frames[traveller].loc["routine_adventurous", "position"] == 1.0
    explorers = {p for p in persons if ff.badges(con6, make_scope(con6, p)).set_index(
        "badge").loc["explorer", "earned"]}
    assert explorers == {traveller}
    assert set(ff.cursors(con6, make_scope(con6, persons[0]), k=7)["calibration"]) == {
        "defaults"}
    assert ff.cursors(con6, make_scope(con6, persons[0]), k=0)["calibration"].iloc[0] == (
        "cohort (n=6)")  # k is never below 2
    con6.close()
    con4 = _store_of(cohort_dir, persons[:4], tmp_path / "four.duckdb")
    assert set(ff.cursors(con4, make_scope(con4, persons[0]))["calibration"]) == {"defaults"}
    con4.close()


@pytest.mark.slow
def test_the_cut_offs_can_be_overridden(con, tmp_path) -> None:
    shipped = (ROOT / "selfdata_kit" / "data" / "fun_facts.toml").read_text(encoding="utf-8")
    mine = tmp_path / "mine.toml"
    mine.write_text(shipped.replace("zero = 7\none = 56", "zero = 0\none = 1000"),
                    encoding="utf-8")
    default = positions(con, STUDENT)["quiet_chatterbox"]
    custom = positions(con, STUDENT, config=mine)["quiet_chatterbox"]
    assert custom < 0.1 < default


# --- evidence first ------------------------------------------------------------------------

def _no_claim_without_evidence(con: duckdb.DuckDBPyConnection, person: str) -> dict:
    """The rule, checked on the JSON `selfdata summary --json` prints and on the frames."""
    out = figures(con, make_scope(con, person))
    json.dumps(out)
    assert set(out["cursors"]) == set(ff.CURSORS)
    for name, cursor in out["cursors"].items():
        assert set(cursor) == {"position", "evidence", "needed"}, name
        assert isinstance(cursor["evidence"], int) and isinstance(cursor["needed"], int)
        assert cursor["needed"] >= 1, name  # every cursor declares the evidence it needs
        # null exactly when the evidence falls short
        assert (cursor["position"] is None) == (cursor["evidence"] < cursor["needed"]), (
            person, name, cursor)
        if cursor["position"] is not None:
            assert 0 <= cursor["position"] <= 1
    bad = ff.badges(con, make_scope(con, person))
    assert not (bad["earned"] & (bad["have"] < bad["needed"])).any(), person
    assert set(out["badges"]) <= set(bad.loc[bad["have"] >= bad["needed"], "badge"])
    return out


def test_every_cursor_and_badge_declares_its_evidence_in_the_data_file() -> None:
    from selfdata_kit.analysis.fun_facts.evidence import EVIDENCE

    cfg = ff.load_config()
    text = (ROOT / "selfdata_kit" / "data" / "fun_facts.toml").read_text(encoding="utf-8")
    for section, names in (("cursors", ff.CURSORS), ("badges", list(cfg["badges"]))):
        for name in names:
            rule = cfg[section][name]
            assert rule["evidence"] in EVIDENCE and int(rule["needs"]) >= 1, name
            # each threshold carries its justification, as a comment on its line
            line = next(ln for ln in text[text.index(f"[{section}.{name}]"):].splitlines()
                        if ln.startswith("needs ="))
            assert "#" in line, name
    assert cfg["cursors"]["vegetarian_carnivore"]["needs"] == 20
    assert cfg["cursors"]["homebody_globetrotter"]["needs"] == 8
    assert cfg["cursors"]["homebody_globetrotter"]["evidence"] == "location_weeks"


@pytest.mark.slow  # over 4 s: make test-fast stays well under 3 minutes
def test_no_cursor_has_a_position_without_evidence_on_the_samples(con) -> None:
    for person in (STUDENT, RETIREES, FAMILY, "bank-only", "nobody"):
        _no_claim_without_evidence(con, person)
    # the family buys fresh food 14 times at the butcher / organic shops / greengrocers in
    # a year: the diet cursor has a value but no position, and says what it would need
    family = _no_claim_without_evidence(con, FAMILY)["cursors"]["vegetarian_carnivore"]
    assert family["position"] is None and 0 < family["evidence"] < family["needed"] == 20
    bank_only = _no_claim_without_evidence(con, "bank-only")["cursors"]
    assert bank_only["homebody_globetrotter"]["evidence"] == 0


def test_a_cursor_short_of_evidence_says_what_would_be_needed(con) -> None:
    from selfdata_kit.charts import fun_facts as charts

    frame = ff.cursors(con, make_scope(con, FAMILY)).set_index("cursor")
    row = frame.loc["vegetarian_carnivore"].copy()
    row["cursor"] = "vegetarian_carnivore"
    assert pd.isna(row["position"]) and row["value"] == 0  # a value, yet no claim
    assert charts.explain(row, "en") == (
        "Not enough data to say: this needs at least 20 purchases at a butcher, an organic "
        f"shop or a greengrocer (there are {int(row['evidence'])}).")
    assert charts.explain(row, "fr").startswith("Pas assez de données pour le dire")
    # a missing source says why, then what would be needed
    row = ff.cursors(con, make_scope(con, "bank-only")).set_index("cursor").loc[
        "homebody_globetrotter"].copy()
    row["cursor"] = "homebody_globetrotter"
    assert charts.explain(row, "en") == (
        "no location history imported. Not enough data to say: this needs at least 8 weeks "
        "of location history (there are 0).")


def test_the_most_marked_trait_is_chosen_among_cursors_with_evidence(con) -> None:
    from selfdata_kit.reports.fun_facts import key_figures, strongest

    frame = ff.cursors(con, make_scope(con, FAMILY))
    assert frame.set_index("cursor").loc["vegetarian_carnivore", "value"] == 0  # farthest...
    top = strongest(frame)
    assert "vegetarian_carnivore" not in set(top["cursor"])  # ... but without evidence
    assert (top["evidence"] >= top["needed"]).all()
    assert key_figures(con, make_scope(con, FAMILY), "fr")[0] == (
        "Votre trait le plus marqué", "Fourmi (0,15)")
    # with no cursor on evidence, no trait at all
    assert key_figures(con, make_scope(con, "nobody"), "en")[0] == (
        "Your strongest trait", "not enough data")


def test_badges_are_earned_only_on_evidence(con, tmp_path) -> None:
    shipped = (ROOT / "selfdata_kit" / "data" / "fun_facts.toml").read_text(encoding="utf-8")
    mine = tmp_path / "mine.toml"
    strict = shipped.replace('evidence = "bank_months"\nneeds = 3', 'evidence = "bank_months"'
                             '\nneeds = 13')
    assert strict != shipped
    mine.write_text(strict, encoding="utf-8")
    scope = make_scope(con, RETIREES)
    assert ff.badges(con, scope).set_index("badge").loc["ant", "earned"]
    ant = ff.badges(con, scope, config=mine).set_index("badge").loc["ant"]
    assert ant["have"] == 12 and ant["needed"] == 13 and not ant["earned"]


@pytest.mark.slow
def test_no_cursor_has_a_position_without_evidence_in_a_generated_cohort(world_store) -> None:
    store = open_store(world_store.path, read_only=True)
    try:
        persons = sorted(p for p in world_store.truths if p not in (STUDENT, RETIREES, FAMILY))
        assert persons
        for person in persons:
            _no_claim_without_evidence(store.con, person)
    finally:
        store.close()


# --- icons without fonts ---------------------------------------------------------------------

# emoji and pictographs a page would need an emoji font for (and the variation selector
# that asks for the emoji presentation)
EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F]")


@pytest.mark.slow  # over 4 s: make test-fast stays well under 3 minutes
def test_badge_icons_are_svg_shapes_well_formed_and_escaped(con) -> None:
    import xml.etree.ElementTree as ET

    import vl_convert

    from selfdata_kit.charts import fun_facts as charts
    from selfdata_kit.charts import render

    cfg_text = (ROOT / "selfdata_kit" / "data" / "fun_facts.toml").read_text(encoding="utf-8")
    assert not EMOJI.search(cfg_text)
    for person in (STUDENT, RETIREES, FAMILY):
        frame = ff.badges(con, make_scope(con, person))
        assert frame["shape"].map(lambda p: re.fullmatch(r"[MLAZ0-9., -]+", p)).all()
        # evidence rows come from the data: a merchant named like markup stays text
        frame.loc[0, "evidence"] = 'BOUCHERIE <b>"CHEZ A&B"</b>'
        for lang in ("fr", "en"):
            chart = charts.badges(frame, lang)
            html = render.to_html(chart, lang)
            assert not EMOJI.search(html) and "<b>" not in html
            svg = vl_convert.vegalite_to_svg(chart.to_dict())
            root = ET.fromstring(svg)  # well-formed XML, the data escaped in it
            assert not EMOJI.search(svg)
            labels = [el.get("aria-label", "") for el in root.iter()]
            assert any('BOUCHERIE <b>"CHEZ A&B"</b>' in label for label in labels)
            # one white symbol (the icon) per badge, drawn from its path, no text glyph
            icons = [el for el in root.iter("{http://www.w3.org/2000/svg}path")
                     if el.get("fill") == "#ffffff"]
            assert len(icons) == len(frame)


def test_a_badge_shape_must_be_path_data(con, tmp_path) -> None:
    shipped = (ROOT / "selfdata_kit" / "data" / "fun_facts.toml").read_text(encoding="utf-8")
    start = shipped.index("[badges.night_owl]")
    line = next(ln for ln in shipped[start:].splitlines() if ln.startswith("shape ="))
    mine = tmp_path / "mine.toml"
    mine.write_text(shipped.replace(line, 'shape = "M0,0\\"/><script>x</script>"'),
                    encoding="utf-8")
    with pytest.raises(ValueError, match="night_owl"):
        ff.badges(con, make_scope(con, STUDENT), config=mine)
    mine.write_text(shipped.replace(line, 'shape = "\U0001F989"'), encoding="utf-8")
    with pytest.raises(ValueError, match="SVG path"):
        ff.badges(con, make_scope(con, STUDENT), config=mine)
