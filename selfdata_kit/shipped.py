"""Files shipped inside the package: the report notebooks and the sample personas.

In a wheel they are `selfdata_kit/notebooks/` and `selfdata_kit/sample_data/`; in a clone
they stay at the repository's top level and pyproject.toml maps them there. Either way they
are found through the import system, never by walking up from this file.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

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
