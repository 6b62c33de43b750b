"""The year in review page: its cells (how to read and what it reveals under every figure,
artists and series only with a media history, the month in one line), screen-safe key
figures, hostile strings kept as text, the notebook's `year` parameter, and the page rendered
by `selfdata report` opened in a real browser with every request but file: and data: failing.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import html as lxml_html
from nbconvert.filters.markdown_mistune import markdown2html_mistune

from selfdata_kit.analysis.scope import make_scope
from selfdata_kit.cli import main
from selfdata_kit.ingest.files import import_paths
from selfdata_kit.reports import notebook, screen_safe
from selfdata_kit.reports import year_review as report
from selfdata_kit.store import open_store
from tests.analysis.test_year_review import PERSON, _add_media, _fill
from tests.conftest import copy_store
from tests.hostile import PAYLOADS, assert_text_only, hostile_qif

STUDENT = "p0001-student"
EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F\uFFFD]")
SECTIONS = ("calendar", "streaks", "busiest_day", "top_merchants", "top_contacts",
            "top_places", "top_artists", "top_series")


class Page:
    """What the cells of a `YearReview` display: Markdown texts and chart objects."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.markdown: list[str] = []
        self.charts: list[object] = []
        monkeypatch.setattr(report, "display_markdown", self.markdown.append)
        monkeypatch.setattr(report, "display_object", self.charts.append)
        monkeypatch.setattr(notebook, "display_markdown", self.markdown.append)  # key figures

    def run(self, r: report.YearReview) -> None:
        r.intro()
        r.key_figures()
        for name in SECTIONS:
            r.show(name)
        r.months()
        r.coverage()

    @property
    def text(self) -> str:
        return "\n\n".join(self.markdown)


def _review(con, lang: str = "en", screen_safe: bool = False, year: int | None = None):
    return report.YearReview(con, make_scope(con, PERSON), lang, screen_safe, year)


def test_every_figure_says_how_to_read_it_and_what_it_reveals(store, monkeypatch) -> None:
    _fill(store.con)
    page = Page(monkeypatch)
    page.run(_review(store.con))
    assert page.markdown[0].startswith("# Your 2023 in review")
    # six charts: no artists or series without a media history, and not a word about them
    assert len(page.charts) == 6 and "Your artists" not in page.text
    assert page.text.count("*How to read this chart:*") == 7  # six charts and the months
    assert page.text.count("*What it reveals:*") == 7
    assert "| **July** | active days: 6 · calls: 6, messages: 6 |" in page.text
    assert "| **March** | active days: 5 · spent: €50 |" in page.text
    assert "| **January** | active days: 2 · spent: €0 · calls: 1, messages: 0 · 10 kWh |\n" \
        in page.text
    assert "| **April** | no data |" in page.text
    assert "| Longest no-spend streak | **200 days** |" in page.text
    assert "| Energy readings | 2 | 2 | 01 Jan 2023 – 01 Feb 2023 |" in page.text


def test_artists_and_series_appear_with_a_media_history(store, monkeypatch) -> None:
    _fill(store.con)
    _add_media(store.con)
    page = Page(monkeypatch)
    page.run(_review(store.con, lang="fr"))
    assert len(page.charts) == 8
    assert "## Vos artistes" in page.text and "## Vos séries et podcasts" in page.text
    assert "| Premier artiste | **Artist B** |" in page.text
    assert "| **Septembre** | jours actifs\u00a0: 7 · écoute\u00a0: 2,9 h |" in page.text
    assert "| Musique et vidéo |" in page.text


def test_the_year_parameter_picks_another_year(store, monkeypatch) -> None:
    _fill(store.con)
    page = Page(monkeypatch)
    page.run(_review(store.con, year=2024))
    assert page.markdown[0].startswith("# Your 2024 in review")
    assert "| **March** | active days: 1 · spent: €10 |" in page.text


def test_screen_safe_key_figures_mask_the_tops_as_the_charts_do(store) -> None:
    _fill(store.con)
    _add_media(store.con)
    scope = make_scope(store.con, PERSON)
    plain = dict(report.key_figures(store.con, scope, "en", False))
    safe = dict(report.key_figures(store.con, scope, "en", True))
    tops = ("Top shop", "Top contact", "Top place", "Top artist", "Top series or podcast")
    assert [plain[k] for k in tops] == ["FNAC", "Contact 1", "Cinéma", "Artist B", "Show X"]
    assert [safe[k] for k in tops] == [screen_safe.placeholder(1, "en")] * 5
    r = _review(store.con, screen_safe=True)
    for name, column in (("top_merchants", "merchant"), ("top_places", "place"),
                         ("top_artists", "artist"), ("top_series", "series")):
        assert r.frame(name)[column].iloc[0] == screen_safe.placeholder(1, "en")
    assert plain["Year"] == safe["Year"] == "2023 · 37 active days out of 365"


def _hostile(con) -> None:
    """Place names, artists and series titles as an attacker would write them."""
    _fill(con)
    con.executemany("INSERT INTO places (person_id, start_at, end_at, lat, lon, kind, name,"
                    " uid, import_id) VALUES (?, ?, ?, 43.7, 3.9, 'visit', ?, ?, 1)",
                    [(PERSON, f"2023-05-{i + 1:02d} 10:00:00+00", f"2023-05-{i + 1:02d}"
                      " 11:00:00+00", p, f"h{i}") for i, p in enumerate(PAYLOADS)])
    con.executemany("INSERT INTO media VALUES (?, 'x', ?, '2023-04-01 10:00:00+00', ?, ?, ?,"
                    " ?, 1)", [(PERSON, kind, 600 - i, p, p, f"{kind}{i}")
                               for i, p in enumerate(PAYLOADS)
                               for kind in ("track", "episode")])


def test_strings_from_files_stay_text_in_the_page(store, monkeypatch) -> None:
    _hostile(store.con)
    page = Page(monkeypatch)
    page.run(_review(store.con))
    assert "Your places" in page.text and "Your artists" in page.text
    html = markdown2html_mistune(page.text)
    out = lxml_html.fragment_fromstring(html, create_parent="div")
    # the renderer's own heading anchors are the only links
    anchors = [el for el in out.iter("a") if el.get("class") == "anchor-link"]
    assert all(el.get("href").startswith("#") for el in anchors)
    tags = {el.tag for el in out.iter() if el not in anchors}
    assert tags <= {"div", "h1", "h2", "p", "em", "strong", "table", "thead",
                    "tbody", "tr", "th", "td", "blockquote", "code"}, tags
    assert not any(el.get("src") or el.get("onerror") for el in out.iter())
    assert PAYLOADS[0] in out.text_content()  # the top artist, shown as text


# --- the real page: `selfdata report`, then a browser ------------------------------------

@pytest.fixture(scope="module")
def pages(sample_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The year in review of the student (with a listening history added) and of a person
    whose bank labels are hostile, rendered by `selfdata report`."""
    root = tmp_path_factory.mktemp("year_review")
    store = copy_store(sample_store, root / "store.duckdb", keep=[STUDENT])
    with open_store(store) as s:
        import_paths(s, [hostile_qif(root / "hostile.qif")], "eve")
        s.con.executemany(
            "INSERT INTO media VALUES (?, 'spotify', 'track', ?, 180, 'Song', ?, ?, 1)",
            [(STUDENT, f"2024-{1 + i % 12:02d}-{1 + i % 28:02d} 20:00:00+00",
              f"Artist {i % 7}", f"m{i}") for i in range(300)])
    code = main(["report", "--person", STUDENT, "--person", "eve", "--reports", "year_review",
                 "--store", str(store), "--out", str(root / "out"), "--lang", "en"])
    assert code == 0
    return root / "out"


@pytest.mark.slow
def test_the_page_is_in_the_batch_and_the_index(pages: Path) -> None:
    page = (pages / STUDENT / "year_review.html").read_text(encoding="utf-8")
    assert "Your 2024 in review" in page and "Your artists" in page
    assert_text_only(page, shown=("Your 2024 in review",))
    hostile = (pages / "eve" / "year_review.html").read_text(encoding="utf-8")
    assert_text_only(hostile, shown=("Where your money went",))
    index = (pages / "index.html").read_text(encoding="utf-8")
    assert f'href="{STUDENT}/year_review.html"' in index
    assert "Year: 2024 · " in index


@pytest.mark.slow
@pytest.mark.parametrize("person", [STUDENT, "eve"])
def test_the_page_draws_offline_in_a_browser(pages: Path, browser, person: str) -> None:
    """Offline: any request but file: or data: fails (and is recorded). The calendar heatmap
    draws a square per day, every chart draws, the streak icons are SVG paths, and no
    character needs an emoji font (no empty glyph box)."""
    page = browser.new_page()
    outside, console = [], []

    def route(r) -> None:
        if r.request.url.startswith(("file:", "data:")):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: console.append(m.text))
    page.goto((pages / person / "year_review.html").as_uri())
    page.wait_for_function("document.querySelectorAll('.selfdata-chart svg').length =="
                           " document.querySelectorAll('.selfdata-chart').length")
    charts = page.locator(".selfdata-chart")
    assert charts.count() >= (7 if person == STUDENT else 4)
    heatmap = charts.first
    days = heatmap.locator("g.mark-rect path")
    assert days.count() >= 366, "the calendar: a grey square per day, a coloured one per active"
    text = page.locator("body").inner_text()
    svg_text = page.evaluate("Array.from(document.querySelectorAll('.selfdata-chart svg text'))"
                             ".map(t => t.textContent).join(' ')")
    assert "Jan" in svg_text  # the calendar's month labels
    assert not EMOJI.search(text + svg_text), EMOJI.findall(text + svg_text)
    if person == STUDENT:
        icons = charts.nth(1).locator("g.mark-symbol path")
        assert icons.count() >= 5, "the streak icons are drawn as SVG paths"
        assert "Your artists" in text
    else:
        assert page.locator("img").count() == 0  # hostile labels drew no element
    assert outside == [] and console == []
    page.close()


def test_french_and_english_have_the_same_texts() -> None:
    from selfdata_kit.i18n import keys

    assert keys("year_review", "fr") == keys("year_review", "en")
    assert len(keys("year_review", "en")) > 90
