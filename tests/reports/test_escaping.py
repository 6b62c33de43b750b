"""`md_escape`: a string from the data or a user, put into a report's Markdown, comes out of
the notebook's Markdown renderer (the one nbconvert uses for the HTML pages) as the same
text, with no element, link, image, emphasis, table cell or math."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html
from nbconvert.filters.markdown_mistune import markdown2html_mistune

from selfdata_kit.i18n import t
from selfdata_kit.reports.notebook import md_escape
from tests.hostile import PAYLOADS, PERSON_PAYLOADS

MORE = ("a | b", "**bold**", "_x_", "`code`", "# title", "> quote", "- item", "1. item",
        "a\nb\r\nc", "&lt;img&gt;", "&amp;", "\\*", "~~gone~~", "<!-- x -->", "$$x$$")


def _rendered(markdown: str) -> lxml_html.HtmlElement:
    return lxml_html.fragment_fromstring(markdown2html_mistune(markdown), create_parent="div")


@pytest.mark.parametrize("text", [*PAYLOADS, *PERSON_PAYLOADS, *MORE])
def test_escaped_text_renders_as_itself_and_nothing_else(text: str) -> None:
    out = _rendered(f"{md_escape(text)}\n\n| | |\n|---|---|\n| {md_escape(text)} | x |")
    tags = {el.tag for el in out.iter()} - {"div", "p", "table", "thead", "tbody", "tr",
                                             "th", "td"}
    assert tags == set(), tags
    expected = " ".join(text.replace("\r\n", "\n").split("\n"))
    assert out.find("p").text_content() == expected
    assert [td.text_content() for td in out.iter("td")] == [expected, "x"]  # one cell


def test_the_no_data_sentence_keeps_a_hostile_person_as_text() -> None:
    for person in PERSON_PAYLOADS:
        out = _rendered(t("common.no_data", "en", person=md_escape(person)))
        assert {el.tag for el in out.iter()} <= {"div", "p", "code"}
        assert person in out.text_content()
