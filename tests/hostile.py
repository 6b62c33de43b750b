"""Hostile strings, a bank export that carries them in its labels, and the check that a page
shows them as text only. Used by the escaping tests of the reports, the index, the workshop
wall and the explorer.

    PAYLOADS         what an attacker writes in a label, a title, a file name
    PERSON_PAYLOADS  the same, as valid person ids (no '/', ':' or '..': those are refused)
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import html as lxml_html

PAYLOADS = ("<img src=x onerror=alert(1)>", "<script>alert(2)</script>",
            "![x](http://example.invalid/x.png)", "[a](javascript:alert(3))", "</script><!--",
            '"onmouseover=alert(4) x="', "<a href=http://example.invalid>x</a>", "${x}$ *em*")
PERSON_PAYLOADS = ("<img src=x onerror=alert(1)>", "<script>alert(2)<",
                   "![x](example.invalid)", '"onmouseover=alert(4) x="', "[a](javascript)")
# what a page of ours is made of; anything else came from the data
PAGE_TAGS = {"html", "head", "meta", "title", "style", "body", "main", "div", "script",
             "h1", "h2", "h3", "h4", "p", "strong", "em", "ul", "li", "table", "thead",
             "tbody", "tr", "th", "td", "br", "small", "a", "blockquote", "hr", "code",
             "span", "pre", "b", "i"}
_SCHEME = re.compile(r"^\s*[a-z][a-z0-9+.-]*:", re.I)
_SHARED_BUNDLE = re.compile(r"^(\.\./)+_assets/vega-bundle-[0-9a-f]{16}\.js$")


def hostile_qif(path: Path, payloads: tuple[str, ...] = PAYLOADS) -> Path:
    """A QIF statement (one transaction a week for a year) whose payees and memos are
    `payloads`: they become transaction labels and counterparties."""
    lines = ["!Type:Bank"]
    for week in range(52):
        day, month = 1 + (week * 7) % 28, 1 + week // 5 % 12
        label = payloads[week % len(payloads)]
        amount = "1500.00" if week % 5 == 0 else f"-{12 + week}.50"
        lines += [f"D{day:02d}/{month:02d}/2024", f"T{amount}", f"P{label}", f"M{label}", "^"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def assert_text_only(page: str, shown: tuple[str, ...] = ()) -> None:
    """`page` holds no element, attribute or URL that a hostile string could have made: only
    the tags our pages use, no event handler, no link or source outside the page, scripts
    only the Vega bundle and chart calls. `shown`: strings that must appear as text (so
    that the check can fail)."""
    doc = lxml_html.document_fromstring(page)
    made = {el.tag for el in doc.iter() if isinstance(el.tag, str)}
    assert made <= PAGE_TAGS, made - PAGE_TAGS
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on"), (el.tag, name)
            if name.lower() in ("href", "src", "action", "formaction", "xlink:href"):
                assert not _SCHEME.match(value) and not value.startswith("//"), (el.tag, value)
    for el in doc.iter("script"):
        if el.get("src") is not None:  # --bundle shared: the batch's one copy, by relative path
            assert _SHARED_BUNDLE.match(el.get("src")) and not (el.text or "").strip(), el.attrib
    scripts = [el.text or "" for el in doc.iter("script") if el.get("src") is None]
    for body in scripts:
        assert body.startswith("vegaEmbed(") or len(body) > 100_000, body[:200]
        assert "</script" not in body.lower() and "<!--" not in body
    body = doc.find("body")
    text = (body if body is not None else doc).text_content()  # not the <title>
    for s in shown:
        assert s in text, s
