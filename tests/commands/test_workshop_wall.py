"""The workshop's group wall is the cohort report rendered as HTML: the same blocks as
`notebooks/cohort.ipynb` displays, in the same order; no string from the data or a user reaches
wall.html as markup; the cohort's disclosure control holds on the wall, each suppressed cell
saying why."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import altair as alt
import mistune
import pytest

from selfdata_kit.analysis.cohort import STATS
from selfdata_kit.commands.workshop import write_wall
from selfdata_kit.i18n import t
from selfdata_kit.ingest.files import import_paths
from selfdata_kit.reports.cohort import (
    SECTIONS,
    Chart,
    CohortReport,
    Heading,
    notebook_outputs,
    reason_text,
)
from selfdata_kit.store import open_store
from selfdata_kit.synth.cohort import generate

pytestmark = pytest.mark.slow  # a synthetic cohort, and its key figures computed twice

K = 5  # the floor: the smallest cohort that shows groups side by side
# a person id and a group attribute (its name and its values) written by someone hostile
# no '/' (a person id holds no path separator), still markup if it were not escaped
HOSTILE_PERSON = "<script>alert('person')<img src=x onerror=alert('id')>"
BY = "<img src=x onerror=alert('by')>"
SHOWN_GROUP = "<script>alert('group')</script>"  # 6 persons: shown
OTHER_GROUP = "<b>other</b>"  # 5 persons: suppressed with the small one (secondary)
SMALL_GROUP = "<img src=x onerror=alert('small')>"  # 1 person: suppressed
ALLOWED_TAGS = {"html", "head", "meta", "title", "style", "body", "main", "h1", "h2", "p",
                "strong", "em", "ul", "li", "div", "script"}


@pytest.fixture(scope="module")
def wall(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("wall")
    generate(12, seed=5, out=root / "exports", year=2024, segments=False)
    folders = sorted((root / "exports").iterdir())
    persons = [HOSTILE_PERSON, *(f.name for f in folders[1:])]
    store = root / "workshop.duckdb"
    with open_store(store) as s:
        for folder, person in zip(folders, persons, strict=True):
            import_paths(s, [folder], person)
    groups = root / "groups.csv"
    rows = [(p, SMALL_GROUP if i == 11 else OTHER_GROUP if i >= 6 else SHOWN_GROUP)
            for i, p in enumerate(persons)]
    groups.write_text(f"person_id,{json.dumps(BY)}\n" + "".join(
        f"{json.dumps(p)},{json.dumps(g)}\n" for p, g in rows), encoding="utf-8")
    path = write_wall(store, root, K, "en", groups=groups, by=BY)
    with open_store(store, read_only=True) as s:  # what the notebook's cells display
        report = CohortReport(s, K, "en", groups, BY)
        blocks = {name: report.blocks(name) for name in SECTIONS}
    return {"html": path.read_text(encoding="utf-8"), "blocks": blocks, "persons": persons}


class Page(HTMLParser):
    """Tags, script bodies, visible text, and an outline: (tag, text) for h1, h2, p and li,
    ("chart", "") for each chart."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list]] = []
        self.scripts: list[str] = []
        self.visible: list[str] = []
        self.outline: list[tuple[str, str]] = []
        self._in: str | None = None
        self._text: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, attrs))
        if tag in ("script", "style", "title"):
            self._in = tag
            if tag == "script":
                self.scripts.append("")
        elif tag in ("h1", "h2", "p", "li"):
            self._text = []
        elif tag == "div" and ("class", "selfdata-chart") in attrs:
            self.outline.append(("chart", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "title"):
            self._in = None
        elif tag in ("h1", "h2", "p", "li"):
            self.outline.append((tag, "".join(self._text).strip()))

    def handle_data(self, data: str) -> None:
        if self._in == "script":
            self.scripts[-1] += data
        elif self._in is None:
            self.visible.append(data)
            self._text.append(data)


def _specs(page: Page) -> list[dict]:
    """The Vega-Lite spec of each chart of the page."""
    out = []
    for body in page.scripts:
        m = re.match(r'vegaEmbed\("#selfdata-vis-\d+-[0-9a-f]+", ', body)
        if m:
            out.append(json.JSONDecoder().raw_decode(body, m.end())[0])
    return out


def _notebook_outline(blocks: list) -> list[tuple[str, str]]:
    """What the notebook shows for `blocks`, through the notebook renderer: its Markdown as
    HTML (raw HTML kept, as nbconvert does), its charts."""
    out: list[tuple[str, str]] = []
    for item in notebook_outputs(blocks, "en"):
        if isinstance(item, str):
            out += Page(mistune.html(item)).outline
        else:
            assert isinstance(item, alt.TopLevelMixin)
            out.append(("chart", ""))
    return out


def test_the_wall_shows_the_cohort_sections_in_the_notebook_order(wall: dict) -> None:
    page = Page(wall["html"])
    heads = [text for tag, text in page.outline if tag in ("h1", "h2")]
    sections = [b.text for name in SECTIONS[1:] for b in wall["blocks"][name]
                if isinstance(b, Heading)]
    assert heads == [t("workshop.wall_title", "en"), *sections,
                     t("workshop.questions_title", "en")]
    assert sections == [t("cohort.coverage_title", "en"), t("cohort.distributions_title", "en"),
                        t("cohort.groups_title", "en", by=BY)]
    # between the wall's own intro and its questions: exactly what the notebook displays
    start = page.outline.index(("h2", sections[0]))
    end = page.outline.index(("h2", t("workshop.questions_title", "en")))
    notebook = _notebook_outline([b for name in SECTIONS[1:] for b in wall["blocks"][name]])
    assert page.outline[start:end] == notebook
    charts = sum(isinstance(b, Chart) for name in SECTIONS[1:] for b in wall["blocks"][name])
    assert len(_specs(page)) == charts >= 4
    # the workshop's own intro (k and n) and questions
    assert ("p", t("workshop.wall_intro", "en", k=K, n=12)) in page.outline
    questions = t("workshop.questions", "en").split("|")
    items = [text for tag, text in page.outline if tag == "li"]
    assert items[-len(questions):] == questions
    # the notebook's intro says the same k and n
    intro = _notebook_outline(wall["blocks"]["intro"])
    assert intro[0] == ("h1", t("cohort.title", "en"))
    assert ("p", f"{t('cohort.persons_count', 'en')}: 12") in intro


def test_no_hostile_string_reaches_the_wall_as_markup(wall: dict) -> None:
    text = wall["html"]
    page = Page(text)
    assert {tag for tag, _ in page.tags} <= ALLOWED_TAGS  # no <img>, nothing written by data
    charts = _specs(page)
    scripts = [attrs for tag, attrs in page.tags if tag == "script"]
    assert len(scripts) == 1 + len(charts)  # the Vega bundle once, one script per chart
    # the bundle's tag carries the renderer's own marker (charts.render, for --bundle shared)
    assert scripts[0] in ([("type", "text/javascript")],
                          [("type", "text/javascript"), ("data-selfdata", "vega-bundle")],
                          [("data-selfdata", "vega-bundle"), ("type", "text/javascript")])
    assert all(attrs == [("type", "text/javascript")] for attrs in scripts[1:])
    assert [body for body in page.scripts[1:] if not body.startswith("vegaEmbed(")] == []
    # outside the scripts, the page is markup written by the renderer and escaped text
    outside = text
    for body in page.scripts:
        outside = outside.replace(body, "")
    visible = "".join(page.visible)
    for hostile in (BY, SHOWN_GROUP, OTHER_GROUP, SMALL_GROUP, HOSTILE_PERSON):
        assert hostile not in outside
    # the attribute's name is shown, as text: escaped in the page
    assert f"{t('cohort.groups_title', 'en', by='')}{BY}" in visible
    assert "&lt;img src=x onerror=alert(&#x27;by&#x27;)&gt;" in outside
    # the groups reach the charts' data only (JSON in a script, drawn as SVG text by Vega)
    labels = {row.get("row") for spec in charts for rows in spec.get("datasets", {}).values()
              for row in rows}
    assert {SHOWN_GROUP, SMALL_GROUP} <= labels  # so the checks can fail
    assert "alert('group')" not in visible and "alert('small')" not in visible
    assert all("</script" not in body.lower() for body in page.scripts)  # cannot close one
    # a person is never named, hostile or not
    for person in wall["persons"]:
        assert person not in text and json.dumps(person)[1:-1] not in text
    assert "alert('person')" not in text and "alert('id')" not in text
    # the notebook renderer escapes the same blocks: its Markdown makes no tag either
    for name in SECTIONS:
        for item in notebook_outputs(wall["blocks"][name], "en"):
            if isinstance(item, str):
                made = {tag for tag, _ in Page(mistune.html(item)).tags}
                assert made <= {"h1", "h2", "p", "strong", "em", "ul", "li"}, item


def test_suppressed_cells_are_blank_and_say_why(wall: dict) -> None:
    page = Page(wall["html"])
    # the distributions' rows (charts carry only the fields they draw, charts/compact.py): a
    # suppressed row is the text layer's, its note saying why; a shown one has no note
    rows = [row for spec in _specs(page) for data in spec.get("datasets", {}).values()
            for row in data if "row" in row]
    hidden = [row for row in rows if row.get("note")]
    assert any(row.get("row") == SMALL_GROUP for row in hidden)  # so the checks can fail
    for row in hidden:
        assert all(row.get(stat) is None for stat in (*STATS, "n_persons", "rows", "shown")), row
    shown = [row for row in rows if not row.get("note")]
    assert shown and all(row["n_persons"] >= K for row in shown)
    assert not any("NaN" in body for body in page.scripts[1:])  # blank cells are null

    def reason(code: str) -> str:
        return reason_text(code, "en", K)

    # the small group for too few persons; the next smallest so that the small one cannot
    # be found by subtracting the groups shown from the whole; the large one is shown
    groups = [row for row in rows if "row" in row and row["row"] in
              (SMALL_GROUP, OTHER_GROUP, SHOWN_GROUP)]
    notes = {(row["row"], row.get("note", "")) for row in groups}
    assert {(SMALL_GROUP, reason("threshold")),
            (OTHER_GROUP, reason("secondary"))} <= notes
    assert (SHOWN_GROUP, "") in notes  # published where its persons have the figure
    assert reason("threshold") == "fewer than 5 persons"
    # the page counts the suppressed cells and says why, in plain words
    outline = page.outline
    assert any(tag == "p" and text.startswith(t("cohort.suppressed_count", "en"))
               for tag, text in outline)
    items = [text for tag, text in outline if tag == "li"]
    assert any(text.endswith(": fewer than 5 persons") for text in items)
    assert any(text.endswith(reason("secondary")) for text in items)
