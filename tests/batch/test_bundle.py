"""`selfdata report --bundle shared|inline`: shared (the default for several persons) writes the
Vega bundle once in OUT/_assets and pages load it by relative path, each under 250 KB; inline
(the default for one person) keeps one self-contained file. Both open in Chromium with the
network off and draw their charts, the shared folder also once copied elsewhere. And reruns
follow the data: re-importing the same files renders nothing, one changed row renders only
the reports that read it."""

from __future__ import annotations

import re
import shutil
import stat
from pathlib import Path

import pytest

from selfdata_kit.charts.bundle import ASSETS, bundle_name, vega_bundle
from selfdata_kit.cli import main
from selfdata_kit.ingest.files import import_paths
from selfdata_kit.reports import TOPICS
from selfdata_kit.store import open_store
from tests.conftest import SAMPLE_DATA, SAMPLES, copy_store

pytestmark = pytest.mark.slow  # every report of two persons rendered, a browser

A, B = SAMPLES[:2]
SRC = re.compile(r'<script[^>]*\bsrc="([^"]*)"')
PAGE_MAX = 250_000
SOME = ("calls", "energy")  # the inline batch: a few reports are enough


@pytest.fixture(scope="module")
def root(sample_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bundle")
    store = copy_store(sample_store, root / "s.duckdb", keep=[A, B])
    assert main(["report", "--all", "--store", str(store), "--out", str(root / "shared"),
                 "--lang", "en"]) == 0
    assert main(["report", "--person", A, "--reports", ",".join(SOME), "--store", str(store),
                 "--out", str(root / "inline"), "--lang", "en"]) == 0
    return root


def _shared_pages(root: Path) -> list[Path]:
    return [root / "shared" / p / f"{r}.html" for p in (A, B) for r in TOPICS]


def test_shared_pages_load_the_one_bundle_by_relative_path(root: Path) -> None:
    bundle = root / "shared" / ASSETS / bundle_name()
    assert [p.name for p in (root / "shared" / ASSETS).iterdir()] == [bundle.name]
    assert bundle.read_text(encoding="utf-8") == vega_bundle()
    sizes = {}
    for page in _shared_pages(root):
        text = page.read_text(encoding="utf-8")
        assert SRC.findall(text) == [f"../{ASSETS}/{bundle.name}"], page
        assert (page.parent / SRC.findall(text)[0]).resolve() == bundle.resolve()
        assert "vegaEmbed(" in text and 'data-selfdata="vega-bundle"' not in text
        sizes[page] = page.stat().st_size
    assert max(sizes.values()) < PAGE_MAX, sizes
    # owner-only, like every output: the folder and the bundle are nobody else's to read
    for path, mode in ((root / "shared", 0o700), (bundle.parent, 0o700), (bundle, 0o600)):
        assert stat.S_IMODE(path.stat().st_mode) == mode, path


def test_an_inline_page_is_one_self_contained_file(root: Path) -> None:
    assert not (root / "inline" / ASSETS).exists()  # one person: inline by default
    for report in SOME:
        text = (root / "inline" / A / f"{report}.html").read_text(encoding="utf-8")
        assert SRC.findall(text) == []
        scripts = re.findall(r"<script[^>]*>(.*?)</script>", text, re.S)
        assert sum(len(s) > 500_000 for s in scripts) == 1
        assert len(text.encode()) > len(vega_bundle())


def _open_offline(browser, page: Path, allowed: Path) -> tuple[list[str], list[str], list]:
    """Open `page` with every request but a file under `allowed` aborted: (requests outside,
    console errors, per chart whether it drew)."""
    context = browser.new_context()
    tab = context.new_page()
    outside, errors = [], []
    inside = allowed.resolve().as_uri() + "/"

    def route(r) -> None:
        if r.request.url.startswith(inside):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.goto(page.as_uri(), wait_until="load")
    tab.wait_for_function("() => Array.from(document.querySelectorAll('.selfdata-chart'))"
                          ".every(c => c.querySelector('svg, canvas'))", timeout=20_000)
    drawn = tab.evaluate("() => Array.from(document.querySelectorAll('.selfdata-chart'))"
                         ".map(c => !!c.querySelector('svg, canvas'))")
    context.close()
    return outside, errors, drawn


def test_both_modes_draw_offline_in_chromium(root: Path, browser) -> None:
    pages = [*_shared_pages(root), *(root / "inline" / A / f"{r}.html" for r in SOME)]
    for page in pages:
        folder = page.parents[1]  # the output folder: pages and _assets, nothing else
        outside, errors, drawn = _open_offline(browser, page, folder)
        assert outside == [] and errors == [], page
        assert drawn and all(drawn), page


def test_the_shared_folder_copied_elsewhere_still_draws(root: Path, browser,
                                                       tmp_path: Path) -> None:
    copy = tmp_path / "elsewhere" / "reports"
    shutil.copytree(root / "shared", copy)
    shutil.move(root / "shared", root / "shared-moved")  # the original is not reachable
    try:
        for report in ("spending", "energy"):
            outside, errors, drawn = _open_offline(browser, copy / B / f"{report}.html", copy)
            assert outside == [] and errors == [] and drawn and all(drawn), report
    finally:
        shutil.move(root / "shared-moved", root / "shared")


def test_importing_the_same_files_again_renders_nothing(root: Path, capsys) -> None:
    store = root / "s.duckdb"
    index = (root / "shared" / "index.html").read_bytes()
    with open_store(store) as s:
        import_paths(s, [SAMPLE_DATA / A], A)
    capsys.readouterr()
    assert main(["report", "--all", "--store", str(store), "--out", str(root / "shared"),
                 "--lang", "en"]) == 0
    n = 2 * len(TOPICS)
    assert f"{n} report(s): 0 rendered, {n} up to date" in capsys.readouterr().out
    assert (root / "shared" / "index.html").read_bytes() == index  # summaries kept
    assert len(list((root / "shared").glob("*/*.summary"))) == n


def test_one_changed_row_renders_the_reports_reading_it_only(root: Path, capsys) -> None:
    store = root / "s.duckdb"
    pages = {p: p.stat().st_mtime_ns for p in _shared_pages(root)}
    with open_store(store) as s:
        s.run("UPDATE media SET title = title || ' (live)' WHERE uid ="
              " (SELECT min(uid) FROM media WHERE person_id = ?)", [A])
    capsys.readouterr()
    assert main(["report", "--all", "--store", str(store), "--out", str(root / "shared"),
                 "--lang", "en"]) == 0
    n = 2 * len(TOPICS)
    assert f"{n} report(s): 4 rendered, {n - 4} up to date" in capsys.readouterr().out
    rewritten = {(p.parent.name, p.stem) for p, t in pages.items() if p.stat().st_mtime_ns != t}
    assert rewritten == {(A, "media"), (A, "year_review"), (A, "fun_facts"), (B, "fun_facts")}


def test_the_bundle_is_built_once_per_version_and_kept_for_the_owner(tmp_path, monkeypatch):
    """vl-convert takes seconds to build the bundle in every kernel: the first build is kept
    in the user's cache folder (owner-only, written atomically) and read back after."""
    import vl_convert

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    build = vega_bundle.__wrapped__  # without the in-process cache
    first = build()
    kept = tmp_path / "cache" / "selfdata_kit" / bundle_name()
    assert kept.read_text(encoding="utf-8") == first
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(kept.parent.stat().st_mode) == 0o700

    def never(**_):
        raise AssertionError("built again")

    monkeypatch.setattr(vl_convert, "javascript_bundle", never)
    assert build() == first


def test_an_unwritable_cache_folder_only_costs_the_build(tmp_path, monkeypatch):
    blocked = tmp_path / "a-file"
    blocked.write_text("", encoding="utf-8")  # a file where the cache folder would go
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert "vegaEmbed" in vega_bundle.__wrapped__()
