"""The Vega bundle (vega + vega-lite + vega-embed, ~0.9 MB of JavaScript from vl-convert):
inline once per page, or written once per output folder and linked by relative path.

Apart from `charts.render` so that what only places or links the bundle (the batch's main
process, the HTML pages) does not import Altair (~1.5 s, before any worker could start)."""

from __future__ import annotations

import hashlib
import html
import os
import re
from contextlib import suppress
from functools import cache
from pathlib import Path


@cache
def vega_bundle() -> str:
    """The vega + vega-lite + vega-embed JavaScript, offline (bundled in vl-convert).

    vl-convert builds it in 1.5 to 3 s, in every kernel that draws a chart (each report
    worker, each notebook opened in JupyterLab), for the same bytes as long as the versions
    are the same: so it is kept in the user's cache folder under its versioned name."""
    cached = _cache_dir() / bundle_name()
    try:
        text = cached.read_text(encoding="utf-8")
        if text:  # written atomically (below): a copy is whole or absent
            return text
    except (OSError, UnicodeDecodeError):
        pass
    import vl_convert as vlc

    text = vlc.javascript_bundle(vl_version=_vl_version())
    with suppress(OSError):  # a read-only home: built again next time, nothing else changes
        _write_private(cached, text)
    return text


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "selfdata_kit"


def _write_private(path: Path, text: str) -> None:
    """Write `text` to `path` owner-only and atomically: a reader never sees half a file."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def _vl_version() -> str:
    from altair.utils._importers import vl_version_for_vl_convert

    return vl_version_for_vl_convert()


# marks the inline bundle's <script> so that a shared-bundle page can swap it for a link
_MARK = 'data-selfdata="vega-bundle"'
# (nbconvert sorts a tag's attributes: the mark may come first)
_INLINE = re.compile(rf"<script\b[^>]*\b{_MARK}[^>]*>.*?</script>", re.S)
ASSETS = "_assets"  # the folder of a batch's shared files, next to the persons' folders


def bundle_html() -> str:
    """A `<script>` defining `vegaEmbed`; include once, before the first chart."""
    js = vega_bundle().replace("</script", "<\\/script")  # so the first </script> ends it
    return f'<script type="text/javascript" {_MARK}>\n{js}\n</script>'


def bundle_name() -> str:
    """The shared bundle's file name, named by what decides its content (the vl-convert and
    Vega-Lite versions; building the bundle takes seconds): pages never load a stale copy."""
    import vl_convert as vlc

    digest = hashlib.sha256(f"{vlc.__version__}/{_vl_version()}".encode()).hexdigest()[:16]
    return f"vega-bundle-{digest}.js"


def write_bundle(folder: Path) -> Path:
    """Write the bundle once into `folder/_assets/` (owner-only, like every output: the
    folder holds personal pages) and return its path; an identical copy is kept as is."""
    assets = folder / ASSETS
    assets.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(assets, 0o700)
    path = assets / bundle_name()
    if not path.exists():
        tmp = path.with_suffix(f".{os.getpid()}.tmp")  # atomic: a page never loads half
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(vega_bundle())
        os.replace(tmp, path)
    os.chmod(path, 0o600)
    return path


def link_bundle(page: str, src: str) -> str:
    """`page` with its inline bundle replaced by a `<script src>` loading `src`, a path
    relative to the page (e.g. `../_assets/vega-bundle-<hash>.js`)."""
    link = f'<script type="text/javascript" src="{html.escape(src)}"></script>'
    return _INLINE.sub(lambda _: link, page, count=1)
