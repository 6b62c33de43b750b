"""The review page as text: every value once, in the page's language; a replaced spec's
words and names are shown as text, never as markup; the embedded JSON cannot end its
script; the page forbids itself every request."""

from __future__ import annotations

import json
import re
from pathlib import Path

from selfdata_kit.donate import contribution as contrib
from selfdata_kit.donate.review import CSP, review_page
from selfdata_kit.donate.spec import load_spec

HOSTILE = "<script>alert('about')</script><img src=x onerror=alert(1)>"
SPEC = f"""
name = "hostile"
version = 1
[[figures]]
metric = "spending.totals_by_category.*"
step = 10
unit = "eur"
about.fr = "{HOSTILE} {{name}}"
about.en = "{HOSTILE} {{name}} {{name.__class__}}"
"""


def page(tmp_path: Path, lang: str) -> str:
    spec_file = tmp_path / "spec.toml"
    spec_file.write_text(SPEC, encoding="utf-8")
    spec = load_spec(spec_file)
    made = contrib.make(spec, {"spending.totals_by_category.groceries": 6820.0,
                               "spending.totals_by_category.restaurants": 1410.0})
    return review_page(made, spec, lang, download_name="c-reviewed.json",
                       seal_command="selfdata contribute --seal '</pre><script>x</script>'")


def test_hostile_spec_words_are_text(tmp_path: Path) -> None:
    text = page(tmp_path, "en")
    assert HOSTILE not in text and "<img" not in text
    assert text.count("<script") == 2  # the JSON data and the page's own script
    assert "&lt;script&gt;alert(&#x27;about&#x27;)&lt;/script&gt;" in text
    assert "{name.__class__}" in text  # a spec's braces are not a format string
    assert "&lt;/pre&gt;&lt;script&gt;" in text


def test_the_json_data_cannot_end_its_script(tmp_path: Path) -> None:
    text = page(tmp_path, "en")
    data = re.search(r'<script type="application/json" id="contribution">(.*?)</script>',
                     text, re.S).group(1)
    assert "<" not in data and json.loads(data)["figures"] == {
        "spending.totals_by_category.groceries": 6820.0,
        "spending.totals_by_category.restaurants": 1410.0}


def test_french_page_in_plain_words(tmp_path: Path) -> None:
    text = page(tmp_path, "fr")
    assert '<html lang="fr">' in text and "Ce que vous donneriez" in text
    assert "Courses" in text and "6\u202f820\u00a0€" in text
    assert f'content="{CSP}"' in text and "default-src 'none'" in CSP
    assert text.count('type="checkbox"') == 2


def test_the_shipped_spec_words_exist_in_both_languages() -> None:
    for figure in load_spec().figures:
        assert figure.about["fr"] and figure.about["en"]
