"""The review page in Chromium, offline: untick a figure, download, and the file written
afterwards lacks it; sealed with `--seal`, so does the contribution the facilitator opens."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from selfdata_kit.cli import main
from selfdata_kit.donate.sealing import read_identity, unseal
from tests.conftest import SAMPLES

pytestmark = pytest.mark.slow  # a browser, and a persona's figures

DROPPED = "energy.standby_watts"


@pytest.fixture(scope="module")
def made(sample_store: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("review")
    key = root / "facilitator.key"
    assert main(["keygen", "--out", str(key)]) == 0
    out = root / "participant" / "contribution.age"
    person = "p0003-family-gas"
    assert person in SAMPLES
    assert main(["contribute", "--person", person, "--store", str(sample_store),
                 "--out", str(out), "--for", f"{key}.pub", "--lang", "en"]) == 0
    return {"root": root, "key": key, "sealed": out,
            "review": root / "participant" / "contribution.review.html"}


def open_offline(browser, path: Path):
    """A page that may read its own file and nothing else; every other request recorded."""
    context = browser.new_context(accept_downloads=True)
    outside: list[str] = []

    def route(r) -> None:
        if r.request.url.startswith(("file:", "data:", "blob:")):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(path.as_uri(), wait_until="load")
    return context, page, outside, errors


def test_a_dropped_figure_is_absent_from_the_downloaded_and_sealed_files(
        browser, made: dict[str, Path], tmp_path: Path) -> None:
    sealed = json.loads(unseal(made["sealed"].read_bytes(), read_identity(made["key"]), "c"))
    assert DROPPED in sealed["figures"]  # there to be dropped
    total = len(sealed["figures"])
    context, page, outside, errors = open_offline(browser, made["review"])
    try:
        boxes = page.locator("input[type=checkbox][data-metric]")
        assert boxes.count() == total
        assert page.locator("#count").inner_text() == f"{total} of {total} figure(s) would" \
            " leave."
        row = page.locator("tr", has=page.locator(f'input[data-metric="{DROPPED}"]'))
        assert "standby" in row.inner_text() and "\u00a0W" in row.inner_text()  # plain words
        page.locator(f'input[data-metric="{DROPPED}"]').uncheck()
        assert page.locator("#count").inner_text().startswith(f"{total - 1} of {total}")
        with page.expect_download() as download:
            page.locator("#download").click()
        assert download.value.suggested_filename == "contribution-reviewed.json"
        reviewed = tmp_path / download.value.suggested_filename
        download.value.save_as(reviewed)
    finally:
        context.close()
    assert outside == [] and errors == []

    edited = json.loads(reviewed.read_text(encoding="utf-8"))
    assert DROPPED not in edited["figures"]
    assert edited["figures"] == {m: v for m, v in sealed["figures"].items() if m != DROPPED}
    assert edited["contribution_id"] == sealed["contribution_id"]

    resealed = tmp_path / "contribution.age"
    assert main(["contribute", "--seal", str(reviewed), "--for", f"{made['key']}.pub",
                 "--out", str(resealed)]) == 0
    final = json.loads(unseal(resealed.read_bytes(), read_identity(made["key"]), "c"))
    assert DROPPED not in final["figures"] and len(final["figures"]) == total - 1


def test_the_page_lists_every_value_in_plain_words(browser, made: dict[str, Path]) -> None:
    context, page, outside, errors = open_offline(browser, made["review"])
    try:
        rows = page.locator("tbody tr")
        texts = [rows.nth(i).inner_text() for i in range(rows.count())]
        groceries = [r for r in texts if "spending.totals_by_category.groceries" in r]
        assert groceries and "Your spending on “Groceries”" in groceries[0]
        assert "€" in groceries[0]
        cursor = [r for r in texts if "saver_spender" in r]
        assert cursor and "cursor" in cursor[0]
        assert page.locator("pre").inner_text().startswith(
            "selfdata contribute --seal contribution-reviewed.json --for ")
    finally:
        context.close()
    assert outside == [] and errors == []
