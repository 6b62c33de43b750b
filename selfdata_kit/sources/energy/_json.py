"""JSON helpers shared by the JSON energy formats (Enedis Data Connect, GRDF).

The json module gives no position for a parsed value, so a reading's line is found by
counting the occurrences of a key that each reading holds exactly once.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ...errors import FormatError
from ..base import InputFile
from ..jsonsafe import NotJson, locate_problem
from ..jsonsafe import loads as strict_loads
from ..text import head_text, read_text


def looks_like_json(inp: InputFile) -> str:
    """The head as text when the file starts like a JSON document, else ''."""
    head = head_text(inp)
    return head if head.lstrip().startswith(("{", "[")) else ""


def load_json(inp: InputFile, what: str) -> tuple[Any, str]:
    """Parse the whole file; FormatError with the line when it is not valid JSON."""
    text, _ = read_text(inp)
    try:
        return strict_loads(text), text
    except json.JSONDecodeError as e:
        raise FormatError(
            f"expected {what}, but the JSON is not valid ({e.msg})",
            file=inp.name,
            line=e.lineno,
            hint="the file may be truncated: save or download the export again",
        ) from None
    except (NotJson, RecursionError):
        expected, line = locate_problem(text)
        raise FormatError(f"expected {expected} in {what}", file=inp.name, line=line,
                          hint="the file was edited or is not the export itself") from None


class KeyLines:
    """Line of the n-th reading, from the n-th occurrence of a key every reading has once."""

    def __init__(self, text: str, key: str, expected: int) -> None:
        self._text = text
        self._pattern = re.compile(rf'"{re.escape(key)}"\s*:')
        self._expected = expected
        self._lines: list[int] | None = None

    def __call__(self, n: int) -> int | None:
        if self._lines is None:  # only computed when a row is bad
            starts = [m.start() for m in self._pattern.finditer(self._text)]
            if len(starts) != self._expected:
                self._lines = []  # some reading lacks the key: no reliable line
            else:
                self._lines, line, prev = [], 1, 0
                for s in starts:
                    line += self._text.count("\n", prev, s)
                    self._lines.append(line)
                    prev = s
        return self._lines[n] if n < len(self._lines) else None
