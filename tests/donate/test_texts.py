"""The contribution texts exist in French and English, and the facilitator guide reaches
an installed package (docs/workshop.md is shipped as selfdata_kit/data/workshop.md)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from selfdata_kit.commands.workshop import copy_guide
from selfdata_kit.i18n import keys
from tests.conftest import ROOT


def test_contribute_texts_have_the_same_keys_in_french_and_english() -> None:
    assert keys("contribute", "fr") == keys("contribute", "en") != set()


def test_the_guide_in_the_package_is_docs_workshop_md(tmp_path: Path) -> None:
    docs = (ROOT / "docs" / "workshop.md").read_text(encoding="utf-8")
    shipped = (resources.files("selfdata_kit.data") / "workshop.md").read_text("utf-8")
    assert shipped == docs
    assert copy_guide(tmp_path).read_text(encoding="utf-8") == docs
    for command in ("selfdata contribute", "selfdata keygen", "selfdata workshop wall",
                    "--seal", "selfdata workshop --from"):
        assert command in docs
    assert "## Français" in docs and "## English" in docs
