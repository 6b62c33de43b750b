"""A workshop whose participants' folders are named by hostile strings and whose exports
carry hostile labels, then the same store's reports without screen-safe mode: every page
(reports, index, wall) shows them as text only, every Markdown output of the executed
notebooks makes no element, and every file written is the owner's only.

No browser here: Chromium is not installed on the development machines; the checks parse
the pages with lxml, as a browser would build the DOM, and look for any element, attribute
or URL that did not come from our renderers."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from lxml import html as lxml_html
from nbconvert.filters.markdown_mistune import markdown2html_mistune

from selfdata_kit.cli import main
from selfdata_kit.reports import TOPICS
from tests.commands.test_owner_only import not_owner_only
from tests.hostile import PERSON_PAYLOADS, assert_text_only, hostile_qif

pytestmark = pytest.mark.slow  # two workshops' worth of notebooks

PARTICIPANTS = (PERSON_PAYLOADS[0], PERSON_PAYLOADS[3])


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    for person in PARTICIPANTS:
        (root / "participants" / person).mkdir(parents=True)
        hostile_qif(root / "participants" / person / "statement.qif")
    old = os.umask(0o022)  # a permissive umask: the modes checked are the code's
    try:
        assert main(["workshop", "--from", str(root / "participants"), "--out",
                     str(root / "workshop"), "--lang", "en", "--jobs", "2"]) == 0
        assert main(["report", "--all", "--store", str(root / "workshop" / "workshop.duckdb"),
                     "--reports", "spending,calls", "--out", str(root / "reports"),
                     "--lang", "en", "--jobs", "2"]) == 0
    finally:
        os.umask(old)
    return root


def _person_pages(root: Path) -> list[tuple[str, Path]]:
    return [(person, page) for person in PARTICIPANTS
            for page in sorted((root / person).glob("*.html"))]


def test_every_page_shows_hostile_ids_and_labels_as_text(run: Path) -> None:
    pages = [*_person_pages(run / "workshop" / "reports"), *_person_pages(run / "reports")]
    assert len(pages) == len(PARTICIPANTS) * (len(TOPICS) + 2)
    for person, page in pages:
        # the calls report has no data: its sentence names the person, as text
        shown = (person,) if page.name == "calls.html" else ()
        assert_text_only(page.read_text(encoding="utf-8"), shown=shown)
    for index in (run / "workshop" / "reports" / "index.html", run / "reports" / "index.html"):
        assert_text_only(index.read_text(encoding="utf-8"), shown=PARTICIPANTS)
    assert_text_only((run / "workshop" / "wall.html").read_text(encoding="utf-8"))


def test_the_executed_notebooks_markdown_makes_no_element(run: Path) -> None:
    notebooks = sorted(run.glob("*/**/*.ipynb"))
    assert len(notebooks) == len(PARTICIPANTS) * (len(TOPICS) + 2)
    allowed = {"div", "h1", "h2", "p", "strong", "em", "code", "blockquote", "table",
               "thead", "tbody", "tr", "th", "td"}
    for path in notebooks:
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            for output in cell.get("outputs", []):
                markdown = output.get("data", {}).get("text/markdown")
                if markdown:
                    html = markdown2html_mistune("".join(markdown))
                    els = list(lxml_html.fragment_fromstring(html, create_parent="div").iter())
                    # nbconvert's own heading anchors ('#Title'), nothing else links
                    made = {el.tag for el in els if not (
                        el.tag == "a" and el.get("class") == "anchor-link"
                        and el.get("href", "").startswith("#"))}
                    assert made <= allowed, (path, made - allowed)


def test_every_file_written_is_the_owners_only(run: Path) -> None:
    assert not_owner_only(run / "workshop") == []
    assert not_owner_only(run / "reports") == []
