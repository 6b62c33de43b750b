"""The source registry: built-in formats first, then plug-ins (entry point group
`selfdata_kit.sources`, each naming a `Source`).

`detect_source` asks every source whether it recognises a file from its first bytes;
exactly one must say yes.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module
from importlib.metadata import entry_points

from ..errors import AmbiguousFormatError, UnknownFormatError
from .base import InputFile, ParseContext, Parsed, RowError, Source, check_size
from .text import looks_binary

__all__ = ["InputFile", "ParseContext", "Parsed", "RowError", "Source", "all_sources",
           "detect_source"]

# One module per format, in the order `selfdata formats` lists them.
_BUILTIN = (
    "bank.ofx",
    "bank.qif",
    "bank.camt",
    "bank.mt940",
    "bank.revolut",
    "bank.n26",
    "bank.fr_csv",
    "calls.android_backup",
    "calls.google_voice",
    "chat.whatsapp",
    "energy.enedis_csv",
    "energy.enedis_daily",
    "energy.enedis_index",
    "energy.enedis_dataconnect",
    "energy.grdf",
    "energy.greenbutton",
    "energy.xlsx_exports",
    "places.takeout_records",
    "places.takeout_semantic",
    "places.timeline",
    "media.spotify_account",
    "media.spotify_extended",
    "media.netflix_activity",
    "media.netflix_titles",
    "media.youtube",
)


@cache
def all_sources() -> tuple[Source, ...]:
    found = [import_module(f"{__name__}.{m}").SOURCE for m in _BUILTIN]
    for ep in entry_points(group="selfdata_kit.sources"):
        found.append(ep.load())
    return tuple(found)


def detect_source(inp: InputFile) -> Source:
    """The one source that recognises `inp`; raises UnknownFormatError / AmbiguousFormatError,
    or FormatError for a file larger than that source reads (`Source.max_bytes`)."""
    head = inp.head()
    if not head.strip():
        raise UnknownFormatError("the file is empty", file=inp.name,
                                 hint="download the export again")
    from .layout import layout_source  # the user's layouts (--layout, saved) come first

    if (by_layout := layout_source(inp)) is not None:
        check_size(by_layout, inp)
        return by_layout
    claims = [s for s in all_sources() if _safe_detect(s, inp)]
    if len(claims) == 1:
        check_size(claims[0], inp)  # a file too big for its reader is refused unread
        return claims[0]
    if len(claims) > 1:
        names = " and ".join(f"{s.name} ({s.title})" for s in claims)
        raise AmbiguousFormatError(
            f"two formats claim this file: {names}",
            file=inp.name,
            hint="please report this file's layout (not its content) so detection can be fixed",
        )
    what = "a binary file" if looks_binary(head) else "not a format selfdata_kit knows"
    known = ", ".join(s.name for s in all_sources())
    raise UnknownFormatError(
        f"{what}; known formats: {known}",
        file=inp.name,
        hint="`selfdata formats` describes each one; check you picked the export itself"
        " (a bank CSV of another layout: `selfdata layout guess FILE` writes a layout for it)",
    )


def _safe_detect(source: Source, inp: InputFile) -> bool:
    try:
        return bool(source.detect(inp))
    except Exception:  # a detector must never stop detection of the others
        return False
