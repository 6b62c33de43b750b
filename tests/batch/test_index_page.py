"""The index page: hostile person ids and labels are text, and each link stays a relative
link to the person's own folder."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

from lxml import html as lxml_html

from selfdata_kit.batch.index_page import write_index
from selfdata_kit.batch.runner import Result
from selfdata_kit.store import open_store
from tests.conftest import imported
from tests.hostile import PERSON_PAYLOADS, assert_text_only, hostile_qif


def test_hostile_ids_are_text_and_links_stay_in_their_folder(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    qif = hostile_qif(tmp_path / "statement.qif")
    with open_store(path) as s:
        for person in PERSON_PAYLOADS:
            imported(s, qif, person)
    reports = ["spending", "calls"]
    failed = [Result(PERSON_PAYLOADS[0], "calls", "failed")]
    out = tmp_path / "out"
    out.mkdir()
    page = write_index(out, path, list(PERSON_PAYLOADS), reports, failed, "en", False)
    text = page.read_text(encoding="utf-8")
    assert_text_only(text, shown=PERSON_PAYLOADS)
    links = [a.get("href") for a in lxml_html.document_fromstring(text).iter("a")]
    assert len(links) == len(PERSON_PAYLOADS) * len(reports) - 1
    for href in links:
        folder, name = href.split("/")  # one folder down, never up nor elsewhere
        assert unquote(folder) in PERSON_PAYLOADS and name in {"spending.html", "calls.html"}
        assert not set(folder) & set("?#:\"<>")  # a relative path, whatever the id holds
