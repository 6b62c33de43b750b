"""Stream the records of a big JSON list, one at a time, with the line each one starts on.

Google's location files can be several GB (a decade of `Records.json`); `json.load` would
need many times that in memory. No streaming JSON library is a dependency, so this reads
1 MiB chunks and lets the standard `json` decoder take one record at a time
(`raw_decode`). The file must be a JSON list, or an object whose member `key` is a list;
members before it are read past, members after it are not read at all.

Limits: one record (or one skipped non-list member) may be at most `MAX_RECORD_CHARS`.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from typing import BinaryIO

from ...errors import FormatError
from ..jsonsafe import NotJson, locate_problem, strict_decoder

CHUNK_BYTES = 1 << 20
MAX_RECORD_CHARS = 64 << 20  # far above any real record (a few KB); stops a runaway read
_WS = " \t\r\n"


class _Reader:
    def __init__(self, f: BinaryIO, name: str) -> None:
        self.f = f
        self.name = name
        self.decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self.buf = ""
        self.pos = 0
        self.line = 1  # line of self.buf[self.pos]
        self.eof = False
        self.json = strict_decoder()  # NaN / Infinity are not JSON

    def fail(self, expected: str) -> FormatError:
        return FormatError(f"expected {expected}", file=self.name, line=self.line,
                           hint="the file may be truncated or edited: download the export again")

    def _fill(self) -> bool:
        if self.eof:
            return False
        data = self.f.read(CHUNK_BYTES)
        try:
            text = self.decoder.decode(data, final=not data)
        except UnicodeDecodeError:
            raise self.fail("UTF-8 text") from None
        self.buf = self.buf[self.pos:] + text
        self.pos = 0
        self.eof = not data
        return True

    def _advance(self, end: int) -> None:
        self.line += self.buf.count("\n", self.pos, end)
        self.pos = end

    def peek(self) -> str:
        """The next non-blank character ("" at the end of the file)."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in _WS:
                if self.buf[self.pos] == "\n":
                    self.line += 1
                self.pos += 1
            if self.pos < len(self.buf) or not self._fill():
                return self.buf[self.pos:self.pos + 1]

    def expect(self, char: str, what: str) -> None:
        if self.peek() != char:
            raise self.fail(what)
        self.pos += 1

    def value(self, what: str) -> object:
        self.peek()
        while True:
            try:
                obj, end = self.json.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError:
                end = -1
            except (NotJson, RecursionError):  # located, not left to a bare ValueError
                expected, line = locate_problem(self.buf, self.pos)
                self.line += line - 1
                raise self.fail(expected) from None
            # a value that stops at the end of the buffer may go on in the next chunk
            if end != -1 and (end < len(self.buf) or self.eof):
                self._advance(end)
                return obj
            if len(self.buf) - self.pos > MAX_RECORD_CHARS or not self._fill():
                raise self.fail(what)


def iter_list(f: BinaryIO, name: str, key: str | None) -> Iterator[tuple[int, object]]:
    """Yield (line, record) for each item of the top-level list, or of the top-level
    object's member `key`. Raises FormatError (with the line) on malformed JSON."""
    r = _Reader(f, name)
    if key is None:
        r.expect("[", "a JSON list")
        yield from _items(r)
        return
    r.expect("{", f'a JSON object with a "{key}" list')
    while r.peek() == '"':
        member = r.value("a member name")
        r.expect(":", "':' after a member name")
        if member == key:
            if r.peek() != "[":
                raise r.fail(f'a list in "{key}"')
            r.pos += 1
            yield from _items(r)
            return
        if r.peek() == "[":  # a big list we do not need (rawSignals): read past it item by item
            r.pos += 1
            for _ in _items(r):
                pass
        else:
            r.value("a JSON value")
        if r.peek() != ",":
            break
        r.pos += 1
    raise r.fail(f'a "{key}" list')


def _items(r: _Reader) -> Iterator[tuple[int, object]]:
    """The items of a list whose '[' has just been read, up to and including its ']'."""
    if r.peek() == "]":
        r.pos += 1
        return
    while True:
        r.peek()
        line = r.line
        yield line, r.value("a JSON value")
        sep = r.peek()
        r.pos += 1
        if sep == "]":
            return
        if sep != ",":
            raise r.fail("',' or ']' between records")
