"""What a person id may be. The id is the user's (`--person`, a cohort or workshop folder
name, the explorer's text box) and becomes a folder name under `--out` (reports) and text in
pages, so it is checked where it enters: a folder name on every system, on one line."""

from __future__ import annotations

import difflib
import unicodedata

from ..errors import SelfdataError

MAX_LENGTH = 64
ALLOWED = (f"1 to {MAX_LENGTH} characters; not '/', '\\', ':' nor control characters; not"
           " '..'; not starting with '.' or a space nor ending with a space"
           " (e.g. 'alice', 'participant-07')")


def check_person_id(person: str, where: str = "--person") -> str:
    """`person` if it is a valid id, else a SelfdataError saying what is allowed. `where`
    names where it came from (an option, a folder)."""
    problem = _problem(person)
    if problem:
        # the id is the user's own input, not personal data from a file: it may be quoted,
        # but printable only (a control character could rewrite the terminal)
        shown = "".join(ch if ch.isprintable() else "?" for ch in person[:MAX_LENGTH])
        raise SelfdataError(f"{shown!r} is not a valid person id: {problem}", file=where,
                            hint=f"a person id is {ALLOWED}")
    return person


def _problem(person: object) -> str | None:
    if not isinstance(person, str) or not person:
        return "it is empty"
    if len(person) > MAX_LENGTH:
        return f"it is longer than {MAX_LENGTH} characters"
    if any(ch in "/\\:" for ch in person):
        return "it holds a path separator"  # ':' too: a drive or stream name on Windows
    if any(unicodedata.category(ch).startswith("C") for ch in person):
        return "it holds a control or invisible character"
    if ".." in person:
        return "it holds '..'"
    if person.startswith(".") or person != person.strip():
        return "it starts with '.' or starts or ends with a space"
    return None


HINT_LIMIT = 8  # ids named in a hint; a cohort store holds thousands


def known_persons_hint(known: list[str], asked: str | None = None) -> str:
    """The hint for an unknown person: the ids closest to `asked` first (a typo is the usual
    cause), at most HINT_LIMIT of them, and where to see the rest."""
    if not known:
        return "no persons in the store yet: `selfdata import FILE --person ID` first"
    close = difflib.get_close_matches(asked, known, n=HINT_LIMIT, cutoff=0.6) if asked else []
    shown = close + [p for p in known if p not in close][:HINT_LIMIT - len(close)]
    rest = len(known) - len(shown)
    more = f" and {rest} more (`selfdata persons` lists them all)" if rest > 0 else ""
    return f"known persons: {', '.join(shown)}{more}"
