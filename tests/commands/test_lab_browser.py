"""The explorer in a real browser: `selfdata lab`, explore.ipynb run from JupyterLab's menu,
widgets and charts drawn with the network limited to localhost, an upload through the real
file input, no console error. Screenshots go to the test's folder, or to
$SELFDATA_SCREENSHOTS (docs/img uses them).

Needs the Python package `playwright` (its pip wheel carries the driver) and a Chromium on the
machine ($SELFDATA_CHROMIUM, default /usr/bin/chromium); browsers are never downloaded. Without
them the test is skipped, unless SELFDATA_REQUIRE_BROWSER=1 makes that a failure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.commands.test_lab import _free_port, _get
from tests.conftest import NOTEBOOKS, SAMPLE_DATA, copy_store

pytestmark = pytest.mark.slow

CHROMIUM = Path(os.environ.get("SELFDATA_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
NOTEBOOK = NOTEBOOKS / "explore.ipynb"
LIVRET = SAMPLE_DATA / "p0002-retiree-electric" / "bank" / "livret_a_05774456630.csv"
# Console errors JupyterLab itself would print on a fresh, offline server, to be ignored (and
# printed with pytest -s). JupyterLab 4.6 with the settings below prints none: keep it empty.
KNOWN_NOISE: tuple[re.Pattern[str], ...] = ()


def _missing(reason: str) -> None:
    if os.environ.get("SELFDATA_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (SELFDATA_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def sync_playwright():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed: pip install -e '.[dev]'")
    if not CHROMIUM.exists():
        _missing(f"no Chromium at {CHROMIUM} (set SELFDATA_CHROMIUM)")
    return sync_playwright


@pytest.fixture(scope="module")
def lab(sample_store: Path, tmp_path_factory: pytest.TempPathFactory, sync_playwright):
    tmp = tmp_path_factory.mktemp("lab")
    # a copy of the shared sample store: the test imports a file through the browser
    store = copy_store(sample_store, tmp / "samples.duckdb",
                       keep=["p0001-student", "p0003-family-gas"])
    # JupyterLab's settings in the test's folder: no autosave (the committed notebook must
    # keep no outputs), no news question; the user's own settings are left alone
    settings = tmp / "settings"
    for plugin, value in {"docmanager-extension/plugin": {"autosave": False},
                          "apputils-extension/notification": {"fetchNews": "false"}}.items():
        path = settings / "@jupyterlab" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value), encoding="utf-8")
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(settings),
           "JUPYTERLAB_WORKSPACES_DIR": str(tmp / "workspaces")}
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "selfdata_kit.cli", "lab", "--store",
                             str(store), "--port", str(port), "--no-browser"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    token = re.search(r"token=(\S+)", proc.stdout.readline()).group(1)
    deadline = time.time() + 60
    while _get(f"http://127.0.0.1:{port}/api/status?token={token}") != 200:
        assert time.time() < deadline and proc.poll() is None, "JupyterLab did not start"
        time.sleep(0.5)
    checkpoints = NOTEBOOK.parent / ".ipynb_checkpoints"
    had_checkpoints = checkpoints.exists()
    yield f"http://127.0.0.1:{port}", token
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=30)
    if not had_checkpoints:  # JupyterLab's copy of the opened notebook, in the source tree
        shutil.rmtree(checkpoints, ignore_errors=True)


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("SELFDATA_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_explorer_runs_in_jupyterlab_offline(lab, sync_playwright, shots: Path) -> None:
    base, token = lab
    committed = NOTEBOOK.read_bytes()
    blocked: list[str] = []
    problems: list[str] = []

    def only_localhost(route) -> None:
        url = route.request.url
        if urlsplit(url).hostname in ("127.0.0.1", "localhost") or url.startswith("data:"):
            route.continue_()
        else:  # a CDN, fonts, news: none may be needed
            blocked.append(url)
            route.abort()

    def console(message) -> None:
        if message.type != "error":
            return
        if any(p.search(message.text) for p in KNOWN_NOISE):
            print(f"ignored console error: {message.text}")  # listed with pytest -s
        else:
            problems.append(message.text)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.route("**/*", only_localhost)
            page.on("console", console)
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.goto(f"{base}/lab/tree/explore.ipynb?token={token}")
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
            page.wait_for_selector("text=Python 3 (ipykernel) | Idle", timeout=60_000)
            # Run > Run All Cells (JupyterLab 4 has no default shortcut for it)
            page.locator(".lm-MenuBar-itemLabel", has_text=re.compile("^Run$")).click()
            page.locator(".lm-Menu-itemLabel", has_text=re.compile("^Run All Cells$")).click()
            page.wait_for_selector(".widget-tab", timeout=120_000)
            page.wait_for_selector(".selfdata-chart svg", state="visible", timeout=120_000)
            assert page.locator(".selfdata-chart svg").count() >= 2  # one per tab, drawn
            assert page.locator(".selfdata-chart svg .mark-rect path, "
                                ".selfdata-chart svg .mark-line path").count() >= 1
            widget = page.locator(".jp-OutputArea-output .jupyter-widgets").first
            widget.scroll_into_view_if_needed()
            page.screenshot(path=str(shots / "explorer-glance.png"))

            page.locator(".widget-tab .lm-TabBar-tab", has_text="Dépenses").click()
            table = page.locator(".widget-tab .selfdata-rows").first
            table.scroll_into_view_if_needed()
            page.locator(".widget-tab .widget-dropdown select").first.scroll_into_view_if_needed()
            page.screenshot(path=str(shots / "explorer-spending.png"))

            page.locator(".widget-tab .lm-TabBar-tab", has_text="Lieux").click()
            page.locator(".widget-toggle-button", has_text="écran partagé").click()
            page.locator(".widget-tab .selfdata-rows td:visible",
                         has_text="Masqué 1").first.wait_for(timeout=30_000)
            page.locator(".widget-tab .selfdata-rows:visible").scroll_into_view_if_needed()
            page.screenshot(path=str(shots / "explorer-screen-safe.png"))
            page.locator(".widget-toggle-button", has_text="écran partagé").click()

            # the import panel, through the browser's own file input
            page.locator(".lm-AccordionPanel-title, .jupyter-widget-Collapse-header",
                         has_text="Importer").first.click()
            with page.expect_file_chooser() as chooser:  # the upload button's own dialog
                page.locator(".widget-upload").first.click()
            chooser.value.set_files(str(LIVRET))
            page.get_by_placeholder("par ex. moi").fill("demo")
            page.locator("button", has_text=re.compile("^Importer$")).click()
            result = page.locator(".selfdata-import").first
            result.wait_for(timeout=60_000)
            assert "13 lignes lues, 13 ajoutées" in result.inner_text()
            result.scroll_into_view_if_needed()
            page.screenshot(path=str(shots / "explorer-import.png"))
            assert "demo" in page.locator(".widget-dropdown select").first.inner_text()
        except Exception:
            page.screenshot(path=str(shots / "failure.png"))  # what the browser showed
            page.locator(".jp-LogConsoleStatusItem").click()
            time.sleep(2)
            page.screenshot(path=str(shots / "failure-log.png"))
            raise
        finally:
            browser.close()
    assert blocked == [], f"requests outside localhost: {blocked}"
    assert problems == [], f"console errors: {problems}"
    assert NOTEBOOK.read_bytes() == committed, "the committed notebook was not saved over"
