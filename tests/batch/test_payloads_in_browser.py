"""Every page opened in Chromium with hostile strings in every field that comes from a file:
transaction labels and counterparties (QIF, camt.053), account ids (an IBAN), contact names
(SMS Backup & Restore, imported with --keep-names), place names and addresses (Google
Takeout), file names and folder names (= person ids). Pages: every report of
`selfdata_kit.reports.TOPICS` (a report added later is covered too) with and without
screen-safe mode, both index pages, the workshop wall and the explorer's HTML.

In the browser: no payload ran (no dialog), no element or attribute a payload could make
exists (event handlers, images, frames, `javascript:` links, scripts other than ours), and no
request left the page's own files (any URL other than file: or data: fails the test). The
payloads also show up as text somewhere, so that the test can fail.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest

from selfdata_kit.charts.render import bundle_html
from selfdata_kit.cli import main
from selfdata_kit.explorer.model import TABS, Explorer
from selfdata_kit.explorer.views import import_report_html
from selfdata_kit.reports import TOPICS
from selfdata_kit.store import open_store
from tests.conftest import SAMPLE_FOLDERS
from tests.hostile import PAYLOADS, PERSON_PAYLOADS, hostile_qif

pytestmark = pytest.mark.slow  # two batches of every report, a workshop, a browser

STRING_PAYLOADS = (*PAYLOADS, '"><svg onload=alert(5)>', "javascript:alert(6)",
                   "<iframe src=javascript:alert(9)></iframe>", "| a | b |\n|---|---|",
                   "**bold** <b>b</b> `code` <style>*{display:none}</style>")
LABELS = tuple(p for p in STRING_PAYLOADS if "\n" not in p)  # one line each in a QIF
PARTICIPANTS = (PERSON_PAYLOADS[0], '"><svg onload=alert(5)>')  # folder names = person ids
FILE_NAMES = ("<img src=x onerror=alert(7)>", '"><svg onload=alert(8)>')  # no '/' in a name
PERSONA = SAMPLE_FOLDERS[1]  # has calls, an Enedis load curve and a location history


def _camt(path: Path) -> None:
    """The camt.053 fixture with payloads as IBAN, names and remittance texts."""
    text = (Path(__file__).parents[1] / "sources" / "bank" / "fixtures"
            / "camt053_v02_statement.xml").read_text(encoding="utf-8")
    payloads = iter(LABELS * 10)
    text = re.sub(r"<(IBAN|Nm|Ustrd)>[^<]*</\1>",
                  lambda m: f"<{m[1]}>{escape(next(payloads))}</{m[1]}>", text)
    path.write_text(text, encoding="utf-8")


def _calls(path: Path) -> None:
    source = next((PERSONA / "calls").glob("calls-*.xml"))
    payloads = iter(LABELS * 10_000)
    text = re.sub(r'contact_name="[^"]*"', lambda m: f"contact_name={quoteattr(next(payloads))}",
                  source.read_text(encoding="utf-8"))
    path.write_text(text, encoding="utf-8")


def _places(folder: Path) -> None:
    payloads = iter(LABELS * 10_000)
    for source in (PERSONA / "location").rglob("*.json"):
        data = json.loads(source.read_text(encoding="utf-8"))
        for item in data.get("timelineObjects", []):
            location = item.get("placeVisit", {}).get("location", {})
            for key in ("name", "address"):
                if key in location:
                    location[key] = next(payloads)
        target = folder / source.relative_to(PERSONA / "location")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(data), encoding="utf-8")


def hostile_exports(folder: Path) -> None:
    folder.mkdir(parents=True)
    hostile_qif(folder / f"{FILE_NAMES[0]}.qif", LABELS)
    _camt(folder / f"{FILE_NAMES[1]}.xml")
    _calls(folder / "calls.xml")
    shutil.copytree(PERSONA / "energy", folder / "energy")
    _places(folder / "location")


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("payloads")
    for person in PARTICIPANTS:
        hostile_exports(root / "participants" / person)
    workshop, store = root / "workshop", root / "s.duckdb"
    assert main(["workshop", "--from", str(root / "participants"), "--out", str(workshop),
                 "--lang", "en", "--jobs", "2"]) == 0
    assert main(["import", "--cohort", str(root / "participants"), "--keep-names",
                 "--store", str(store)]) == 0
    assert main(["report", "--all", "--store", str(store), "--out", str(root / "reports"),
                 "--lang", "en", "--jobs", "2"]) == 0
    found: dict[str, Path] = {}
    for batch in (workshop / "reports", root / "reports"):
        found[f"{batch.parent.name}/index"] = batch / "index.html"
        for i, person in enumerate(PARTICIPANTS):
            for topic in TOPICS:
                found[f"{batch.parent.name}/{i}/{topic}"] = batch / person / f"{topic}.html"
    found["wall"] = workshop / "wall.html"
    found["explorer"] = _explorer_page(store, root)
    missing = [name for name, path in found.items() if not path.is_file()]
    assert missing == []
    return found


def _explorer_page(store_path: Path, root: Path) -> Path:
    """What the explorer shows (import report, at a glance, rows and charts of every tab),
    as one page with the Vega bundle, like JupyterLab shows the widgets' HTML."""
    files = [(p.name, p.read_bytes()) for p in (root / "participants" / PARTICIPANTS[0]).iterdir()
             if p.is_file()]
    files += [(f"{name}.txt", b"not an export") for name in FILE_NAMES]
    with open_store(store_path) as store:
        model = Explorer(store, "en")
        parts = [import_report_html(model.import_files(files, PARTICIPANTS[1]), "en")]
        model.set_person(PARTICIPANTS[0])
        parts.append(model.glance_html())
        for tab in TABS:
            parts += [model.chart_html(tab), model.rows_html(tab)]
    page = root / "explorer.html"
    page.write_text("<!DOCTYPE html><html><head><meta charset='utf-8'>" + bundle_html()
                    + "</head><body>" + "\n".join(parts) + "</body></html>", encoding="utf-8")
    return page


# What a payload could make, looked for in the live DOM (after scripts and charts ran).
FIND_INJECTED = """() => {
  const found = [];
  const risky = 'img,iframe,frame,object,embed,video,audio,source,base,' +
                'link,meta[http-equiv],image,foreignObject,use,animate,set';
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      if (a.name.toLowerCase().startsWith('on')) found.push(el.tagName + ' @' + a.name);
      if (/^(href|src|xlink:href|action|formaction)$/i.test(a.name) &&
          /^\\s*(javascript|vbscript|data|https?):|^\\s*\\/\\//i.test(a.value))
        found.push(el.tagName + ' ' + a.name + '=' + a.value);
    }
  }
  for (const el of document.querySelectorAll(risky)) found.push('element ' + el.tagName);
  for (const s of document.scripts) {  // ours: charts, the bundle inline or shared
    const text = s.textContent.trim();
    if (s.src ? !/^file:.*\\/_assets\\/vega-bundle-[0-9a-f]{16}\\.js$/.test(s.src)
              : !(text.startsWith('vegaEmbed(') || text.length > 100000))
      found.push('script ' + (s.src || text.slice(0, 80)));
  }
  return found;
}"""


def _open(browser, path: Path) -> tuple[list[str], list[str], list[str], str]:
    """(dialogs, requests outside the page, injected things, the page's visible text)."""
    context = browser.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    outside: list[str] = []

    def on_dialog(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    def route(r) -> None:
        if r.request.url.startswith(("file:", "data:")):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.on("dialog", on_dialog)
    context.route("**/*", route)
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_timeout(300)  # charts draw after load
    page.mouse.move(200, 200)   # a hover handler, if one were there
    injected = page.evaluate(FIND_INJECTED)
    text = page.evaluate("() => document.body.innerText + ' ' + Array.from("
                         "document.querySelectorAll('svg text')).map(t => t.textContent)"
                         ".join(' ')")
    context.close()
    return dialogs, outside, injected, text


def test_no_page_runs_loads_or_makes_anything_from_the_payloads(pages: dict[str, Path],
                                                                browser) -> None:
    seen = ""
    problems = {}
    for name, path in pages.items():
        dialogs, outside, injected, text = _open(browser, path)
        if dialogs or outside or injected:
            problems[name] = {"dialogs": dialogs, "outside": outside, "injected": injected}
        seen += text
    assert problems == {}
    for payload in (*LABELS, *PARTICIPANTS, *FILE_NAMES):
        assert payload in seen, f"{payload!r} is shown nowhere: is the test still feeding it?"


def test_the_browser_check_finds_payloads_left_raw(browser, tmp_path: Path) -> None:
    """The check above can fail: the same payloads written into a page as markup."""
    last = sorted(STRING_PAYLOADS, key=lambda p: "<!--" in p)  # a comment hides what follows
    raw = "<p onmouseover=alert(4)>x</p>" + "".join(f"<p>{p}</p>" for p in last)
    page = tmp_path / "raw.html"
    page.write_text(f"<html><body><img src=http://example.invalid/y.png>{raw}</body></html>",
                    encoding="utf-8")
    dialogs, outside, injected, _ = _open(browser, page)
    assert "1" in dialogs and "2" in dialogs  # <img onerror>, <script>
    assert "http://example.invalid/y.png" in outside
    assert {"IMG @onerror", "P @onmouseover", "element IFRAME"} <= set(injected)
    assert any(i.startswith("A href=http") for i in injected)
