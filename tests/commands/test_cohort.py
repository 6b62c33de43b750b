"""A 30-person synthetic cohort end to end: parallel import, cohort notebook, JSON aggregates
under disclosure control, Parquet export, aggregates-only export, workshop kit."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import papermill
import pytest

from selfdata_kit.cli import main
from selfdata_kit.reports import TOPICS
from selfdata_kit.store import open_store
from selfdata_kit.synth.cohort import generate
from tests.conftest import NOTEBOOKS

# A module of its own, slow: 30 persons (not the shared cohort of 6) so that groups of
# fewer and more than k exist, imported in parallel through the CLI, as a workshop would.
pytestmark = pytest.mark.slow

N = 30
K = 10  # the default


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[str]]:
    root = tmp_path_factory.mktemp("cohort")
    generate(N, seed=31, out=root / "exports", year=2023, jobs=2, segments=False)
    store = root / "cohort.duckdb"
    assert main(["import", "--cohort", str(root / "exports"), "--store", str(store),
                 "--jobs", "2"]) == 0
    persons = sorted(p.name for p in (root / "exports").iterdir())
    return root, store, persons


def _content(store: Path) -> dict[str, list]:
    with open_store(store, read_only=True) as s:
        content = {t: s.run(f"SELECT * EXCLUDE (import_id) FROM {t} ORDER BY ALL")
                   for t in ("transactions", "energy", "places", "media")}
        # contact keys depend on each store's own secret: compare calls by pseudonym (none
        # for the person's own chat messages)
        content["calls"] = s.run(
            "SELECT person_id, started_at, duration_s, direction, channel, pseudonym"
            " FROM calls LEFT JOIN contacts USING (person_id, contact_id) ORDER BY ALL")
        return content


def test_the_cohort_imports_every_person_once(cohort, tmp_path, capsys) -> None:
    root, store, persons = cohort
    with open_store(store, read_only=True) as s:
        assert [p for (p,) in s.run("SELECT person_id FROM persons ORDER BY 1")] == persons
        assert s.run("SELECT count(*) FROM imports WHERE status <> 'ok'"
                     " AND NOT (status = 'skipped' AND path LIKE '%/truth.json')") == [(0,)]
    # a serial import of three persons gives the same rows as the parallel one
    few = tmp_path / "few"
    few.mkdir()
    for person in persons[:3]:
        (few / person).symlink_to(root / "exports" / person)
    assert main(["import", "--cohort", str(few), "--store", str(tmp_path / "a.duckdb"),
                 "--jobs", "1"]) == 0
    assert main(["import", "--cohort", str(few), "--store", str(tmp_path / "b.duckdb"),
                 "--jobs", "2"]) == 0
    out = capsys.readouterr()
    # calls: the phone's call and text logs and the WhatsApp chats
    assert re.search(rf"{persons[0]}: sources bank 2, calls \d+, energy \d, media \d,"
                     r" places \d+;"
                     r" \d+ new row\(s\), 0 rejected, 0 file\(s\) failed", out.out)
    content_a, content_b = _content(tmp_path / "a.duckdb"), _content(tmp_path / "b.duckdb")
    assert content_a["transactions"] and content_a == content_b


def test_cohort_json_shows_no_figure_over_fewer_than_k(cohort, capsys) -> None:
    _, store, _ = cohort
    assert main(["cohort", "--store", str(store), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["k"] == K and result["persons"] == N
    assert result["distributions"] and result["coverage"]
    metrics = {d["metric"] for d in result["distributions"]}
    assert {"energy.standby_watts", "calls.calls_per_week"} <= metrics
    assert any(m.startswith("fun_facts.cursors.") for m in metrics)
    # a cursor's position only: its evidence counts are no key figure of the cohort
    assert all(m.endswith(".position") for m in metrics if m.startswith("fun_facts.cursors."))
    assert any(m.startswith("spending.totals_by_category.") for m in metrics)
    rows = result["distributions"] + result["coverage"]
    assert any(row["suppressed"] for row in rows) and any(not row["suppressed"] for row in rows)
    for row in rows:
        if row["suppressed"]:
            assert row["reason_code"] in ("threshold", "dominance") and row["reason"]
            assert all(row.get(s) is None for s in ("n_persons", "mean", "median", "p10", "p90",
                                                   "rows"))
        else:
            assert row["n_persons"] >= K
    assert result["suppressed"]["coverage"] == {
        code: sum(row["reason_code"] == code for row in result["coverage"])
        for code in {row["reason_code"] for row in result["coverage"]} if code}
    assert not any(p in json.dumps(result) for p in ("p0001-", "p0030-"))


def test_groups_of_the_cohort_are_compared_and_small_ones_suppressed(cohort, tmp_path,
                                                                     capsys) -> None:
    _, store, persons = cohort
    groups = tmp_path / "persons.csv"
    # 4 persons in "small", the rest in "large": the small group must not show
    groups.write_text("person_id,group\n" + "".join(
        f"{p},{'small' if i < 4 else 'large'}\n" for i, p in enumerate(persons)))
    assert main(["cohort", "--store", str(store), "--groups", str(groups), "--by", "group",
                 "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["groups"]
    small = [r for r in rows if r["group"] == "small"]
    large = [r for r in rows if r["group"] == "large"]
    assert small and all(r["suppressed"] and r["median"] is None for r in small)
    assert {r["reason_code"] for r in small} <= {"threshold", "dominance"}
    # the large group is the total minus the small one: hidden with it
    assert large and all(r["suppressed"] for r in large)
    assert {r["reason_code"] for r in large} <= {"secondary", "threshold", "dominance"}
    assert any(r["reason"] == "secondary: would reveal a suppressed cell" for r in large)
    # the text output counts them and says why
    assert main(["cohort", "--store", str(store), "--groups", str(groups), "--by", "group"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"groups: (\d+) of \1 cells suppressed \(.*\d+ fewer than 10 persons"
                     r".*\d+ secondary: would reveal a suppressed cell", out), out


def test_parquet_export_has_the_store_row_counts(cohort, tmp_path) -> None:
    _, store, persons = cohort
    out = tmp_path / "parquet"
    assert main(["export", "--format", "parquet", "--out", str(out), "--store", str(store)]) == 0
    con = duckdb.connect()
    with open_store(store, read_only=True) as s:
        for table in ("transactions", "calls", "energy", "places", "contacts", "meters"):
            expected = s.run(f"SELECT count(*), count(DISTINCT person_id) FROM {table}")[0]
            got = con.execute(f"SELECT count(*), count(DISTINCT person_id) FROM read_parquet("
                              f"'{out}/{table}/*/*.parquet', hive_partitioning = true)"
                              ).fetchall()[0]
            assert got == expected, table
    assert sorted(p.name for p in (out / "transactions").iterdir()) == [
        f"person_id={p}" for p in persons]
    assert not (out / "store_meta").exists()  # the pseudonymisation key stays in the store


def test_aggregates_export_is_safe_to_share(cohort, tmp_path) -> None:
    _, store, persons = cohort
    out = tmp_path / "share"
    assert main(["export", "--aggregates", "--out", str(out), "--store", str(store)]) == 0
    text = "".join(p.read_text(encoding="utf-8") for p in out.iterdir())
    assert "median" in text and not any(person in text for person in persons)


def test_the_cohort_notebook_runs(cohort, tmp_path) -> None:
    _, store, _ = cohort
    out = tmp_path / "cohort.ipynb"
    papermill.execute_notebook(str(NOTEBOOKS / "cohort.ipynb"), str(out),
                               parameters={"store": str(store), "lang": "en"},
                               kernel_name="python3", progress_bar=False,
                               cwd=str(NOTEBOOKS))
    html = json.dumps(json.loads(out.read_text()))
    assert html.count("vegaEmbed(") >= 3 and "Key figures, from lowest to highest" in html


def test_a_workshop_is_ready_offline(tmp_path, capsys) -> None:
    out = tmp_path / "workshop"
    # six personas: the threshold's floor, 5, shows figures on the wall (10 would hide all)
    assert main(["workshop", "--participants", "6", "--out", str(out), "--lang", "en",
                 "--year", "2023", "--k", "5"]) == 0
    assert len(list((out / "reports").glob("*/*.html"))) == 6 * len(TOPICS)
    wall = (out / "wall.html").read_text(encoding="utf-8")
    assert "The group wall" in wall and wall.count("vegaEmbed(") >= 3
    assert not re.search(r"""(?:src|href)\s*=\s*["']https?://""", wall)
    assert not any(p.name in wall for p in (out / "personas").iterdir())
    capsys.readouterr()


@pytest.mark.parametrize("content, expected", [(None, "cannot read the groups file"),
                                               (b"\xff\xfe\x00 x", "expected a CSV file"),
                                               (b"", "expected a CSV file")])
def test_a_missing_or_unreadable_groups_file_is_a_message(tmp_path, capsys, content, expected):
    groups = tmp_path / "groups.csv"
    if content is not None:
        groups.write_bytes(content)
    assert main(["cohort", "--store", str(tmp_path / "none.duckdb"), "--groups", str(groups),
                 "--by", "heating"]) == 1
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err
