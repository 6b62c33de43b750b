"""Files shipped inside the package: the report notebooks and the sample personas.

In a wheel they are `selfdata_kit/notebooks/` and `selfdata_kit/sample_data/`; in a clone
they stay at the repository's top level and pyproject.toml maps them there. Either way they
are found through the import system, never by walking up from this file.
"""

from __future__ import annotations

import copy
import re
import tomllib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import SelfdataError


def _folder(package: str) -> Path:
    try:
        return Path(str(resources.files(package)))
    except ModuleNotFoundError:
        raise SelfdataError(f"{package} is missing from this installation",
                            hint="reinstall: pip install selfdata_kit (or pip install -e . in"
                            " a clone)") from None


def notebooks_dir() -> Path:
    """The folder of the report and explorer notebooks (`spending.ipynb` ...)."""
    return _folder(f"{__package__}.notebooks")


def sample_personas() -> list[Path]:
    """The sample personas' folders, one per person, in name order."""
    return sorted(p for p in _folder(f"{__package__}.sample_data").iterdir()
                  if p.is_dir() and not p.name.startswith(("_", ".")))


def settings(name: str, path: str | Path | None = None) -> dict[str, Any]:
    """The shipped settings file `data/NAME` (thresholds, cut-offs), or the user's own file
    at `path` laid over it table by table, so a user's file needs only the keys it changes.
    A user's file that cannot be read is a SelfdataError naming it and the line."""
    shipped = copy.deepcopy(_shipped_settings(name))  # callers may change what they get
    return _overlay(shipped, _user_toml(Path(path))) if path else shipped


@cache
def _shipped_settings(name: str) -> dict[str, Any]:
    return tomllib.loads((resources.files(f"{__package__}.data") / name).read_text("utf-8"))


def _user_toml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SelfdataError("no such settings file", file=str(path)) from None
    except UnicodeDecodeError:
        raise SelfdataError("expected a UTF-8 text file (TOML)", file=str(path)) from None
    except OSError as e:
        raise SelfdataError(f"cannot read the settings file: {e.strerror}",
                            file=str(path)) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        # tomllib says "Invalid value (at line 3, column 5)" or "(at end of document)"
        found = re.search(r"\(at line (\d+), column \d+\)", str(e))
        line = int(found.group(1)) if found else max(1, len(text.splitlines()))
        raise SelfdataError(f"expected TOML: {str(e).split(' (at ')[0]}", file=str(path),
                            line=line,
                            hint="the shipped file of the same name in selfdata_kit/data/"
                            " shows the layout") from None


def _overlay(base: dict[str, Any], mine: dict[str, Any]) -> dict[str, Any]:
    for key, value in mine.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _overlay(base[key], value)
        else:
            base[key] = value
    return base
