"""Batch reports: self-contained HTML (no URL outside the file), charts that draw in a real
browser with the network off, a broken person that does not stop the others, reruns that
skip everything, deterministic outputs, and the same batch on a Dask cluster."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import html as lxml_html

from selfdata_kit.cli import main
from selfdata_kit.ingest.files import import_paths
from selfdata_kit.reports.notebook import TOPICS
from selfdata_kit.store import open_store
from tests.conftest import SAMPLE_DATA, SAMPLES, copy_store

pytestmark = pytest.mark.slow  # every report rendered, browsers, a Dask cluster

ONE = SAMPLES[0]
URL_IN_ATTR = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(https?://[^"'\s>]+)""", re.I)
EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F]")
URL_IN_CSS = re.compile(r"""url\(\s*["']?(https?://[^)"']+)""", re.I)


@pytest.fixture(scope="module")
def rendered(sample_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two sample persons and a broken one, every report rendered once (module-wide)."""
    root = tmp_path_factory.mktemp("batch")
    store = copy_store(sample_store, root / "store.duckdb", keep=SAMPLES[:2])
    with open_store(store) as s:
        import_paths(s, [SAMPLE_DATA / ONE], "broken")
        # a damaged person row: its reports cannot compute local times
        s.run("UPDATE persons SET timezone = 'Not/A_Zone' WHERE person_id = 'broken'")
    # self-contained pages (the shared bundle of a batch: test_bundle.py)
    code = main(["report", "--all", "--store", str(store), "--out", str(root / "out"),
                 "--jobs", "2", "--lang", "en", "--bundle", "inline"])
    assert code == 1  # the broken person fails...
    return root


def _pages(root: Path, person: str) -> list[Path]:
    return [root / "out" / person / f"{report}.html" for report in TOPICS]


def test_a_broken_person_fails_alone_with_a_summary(rendered: Path, capsys) -> None:
    for person in SAMPLES[:2]:  # ... and every other report is there
        assert all(p.exists() for p in _pages(rendered, person))
    broken = rendered / "out" / "broken"
    assert not any(broken.glob("*.html"))
    assert all((broken / f"{r}.ipynb").exists() for r in TOPICS)  # kept, with the error
    index = (rendered / "out" / "index.html").read_text(encoding="utf-8")
    assert index.count("could not be produced") == len(TOPICS)
    for person in SAMPLES[:2]:
        for report in TOPICS:
            assert f'href="{person}/{report}.html"' in index


def test_pages_hold_no_url_outside_the_file(rendered: Path) -> None:
    pages = [*rendered.glob("out/*/*.html"), rendered / "out" / "index.html"]
    assert len(pages) == 2 * len(TOPICS) + 1
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert URL_IN_ATTR.findall(text) == [] and URL_IN_CSS.findall(text) == [], page
        assert text.count("vegaEmbed(") >= 1 or page.name == "index.html"


def test_the_vega_bundle_is_in_each_page_once(rendered: Path) -> None:
    for page in _pages(rendered, ONE):
        text = page.read_text(encoding="utf-8")
        assert len(re.findall(r"<script[^>]*>\s*\S{0,40}", text)) >= 2
        big = [s for s in re.findall(r"<script[^>]*>(.*?)</script>", text, re.S)
               if len(s) > 500_000]
        assert len(big) == 1, page
    largest = max(p.stat().st_size for p in rendered.glob("out/*/*.html"))
    assert largest <= 3 * 1024 * 1024


def test_a_second_run_skips_every_notebook(rendered: Path, capsys) -> None:
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest()
              for p in rendered.glob("out/**/*") if p.is_file()}
    code = main(["report", "--person", ONE, "--person", SAMPLES[1], "--store",
                 str(rendered / "store.duckdb"), "--out", str(rendered / "out"), "--lang", "en",
                 "--bundle", "inline"])
    assert code == 0
    out = capsys.readouterr().out
    assert f"{2 * len(TOPICS)} report(s): 0 rendered, {2 * len(TOPICS)} up to date" in out
    after = {p: hashlib.sha256(p.read_bytes()).hexdigest()
             for p in rendered.glob("out/**/*") if p.is_file()}
    assert {p: h for p, h in after.items() if p.name != "index.html"} == {
        p: h for p, h in before.items() if p.name != "index.html"}


def test_a_forced_rerun_gives_identical_files(rendered: Path, capsys) -> None:
    files = [p for p in (rendered / "out" / ONE).iterdir() if p.is_file()]
    before = {p: p.read_bytes() for p in files}
    assert main(["report", "--person", ONE, "--store", str(rendered / "store.duckdb"),
                 "--out", str(rendered / "out"), "--lang", "en", "--force"]) == 0
    assert {p: p.read_bytes() for p in files} == before


BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
NETWORK_OFF = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--host-resolver-rules=MAP * ~NOTFOUND",
               "--enable-logging=stderr", "--v=0", "--virtual-time-budget=20000", "--dump-dom"]


def test_reports_draw_in_a_browser_with_the_network_off(rendered: Path, tmp_path) -> None:
    if not BROWSER:
        if os.environ.get("SELFDATA_REQUIRE_BROWSER") == "1":
            pytest.fail("SELFDATA_REQUIRE_BROWSER=1 but no chromium is installed")
        pytest.skip("chromium is not installed")
    for page in _pages(rendered, ONE):
        run = subprocess.run([BROWSER, *NETWORK_OFF, f"--user-data-dir={tmp_path / page.stem}",
                              page.as_uri()], capture_output=True, text=True, timeout=120)
        dom = lxml_html.fromstring(run.stdout)
        charts = dom.xpath('//div[contains(@class, "selfdata-chart")]')
        assert charts, f"{page.name}: no chart"
        blank = [c.get("id") for c in charts if not c.xpath(".//svg | .//canvas")]
        assert blank == [], f"{page.name}: charts that did not draw: {blank}"
        console = [line for line in run.stderr.splitlines() if ":CONSOLE" in line]
        assert console == [], f"{page.name}: console messages: {console}"
        if page.stem == "fun_facts":  # no glyph a machine without an emoji font draws as a box
            assert not EMOJI.search(run.stdout), f"{page.name}: {EMOJI.findall(run.stdout)}"
            icons = dom.xpath('//*[local-name()="path" and @fill="#ffffff"]')
            assert len(icons) >= 7, f"{page.name}: the badges' SVG icons are not drawn"


def test_the_same_batch_runs_on_a_dask_cluster(rendered: Path, capsys) -> None:
    import distributed  # in the dev extra: the Dask executor is tested, never skipped
    out = rendered / "dask"
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        code = main(["report", "--person", ONE, "--reports", "calls,energy", "--store",
                     str(rendered / "store.duckdb"), "--out", str(out), "--lang", "en",
                     "--executor", "dask", "--scheduler", cluster.scheduler_address])
    assert code == 0
    assert "2 report(s): 2 rendered" in capsys.readouterr().out
    for report in ("calls", "energy"):  # the same bytes as the local workers wrote
        assert (out / ONE / f"{report}.html").read_bytes() == (
            rendered / "out" / ONE / f"{report}.html").read_bytes()
