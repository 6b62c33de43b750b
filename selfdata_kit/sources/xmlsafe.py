"""XML parsing with entity expansion and external entities off.

Exports never declare entities nor a DTD; a file that does (billion laughs, XXE) is refused
with a clear message instead of being expanded or fetched. Two layers: a scan of the prolog
before parsing (cheap, stops a billion laughs before lxml sees it), then the guard that
counts, done on what the parser itself read (`refuse_dtd`): the parser never resolves an
entity nor loads a DTD, and a document in which it saw a DTD or an entity is refused, so no
quoting trick that fools a byte scan lets an entity through.
"""

from __future__ import annotations

import codecs
import re

from lxml import etree

from ..errors import FormatError, UnsafeInputError
from .base import InputFile

_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)


def prolog(data: bytes) -> bytes:
    """Everything before the root element (declaration, comments, PIs, DOCTYPE), as UTF-8.

    The whole prolog is scanned, however long, so a DOCTYPE cannot hide behind a big comment.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        data = data.decode("utf-16", errors="replace").encode("utf-8")
    i = 0
    while (i := data.find(b"<", i)) >= 0:
        if data.startswith(b"<?", i):
            end = data.find(b"?>", i)
        elif data.startswith(b"<!--", i):
            end = data.find(b"-->", i)
        elif _DOCTYPE.match(data, i):
            end = _doctype_end(data, i)
        else:
            return data[:i]  # the root element starts here
        if end < 0:
            return data
        i = end + 1
    return data


_DOCTYPE_TOKEN = re.compile(rb"\"[^\"]*\"|'[^']*'|\[|\]|>")


def _doctype_end(data: bytes, i: int) -> int:
    """Index of the '>' closing the DOCTYPE at `i` (-1 if none): quoted strings (a system id
    may hold "]>") and the internal subset's own declarations are skipped."""
    depth = 0
    for m in _DOCTYPE_TOKEN.finditer(data, i):
        token = m.group()
        if token == b"[":
            depth += 1
        elif token == b"]":
            depth = max(0, depth - 1)
        elif token == b">" and depth == 0:
            return m.start()
    return -1


_START_TAG = re.compile(rb"\s*<(?:([A-Za-z_][\w.-]*):)?([A-Za-z_][\w.-]*)([^>]*)")
_XMLNS = re.compile(rb"""xmlns(?::([A-Za-z_][\w.-]*))?\s*=\s*["']([^"']*)["']""")


def root_element(head: bytes) -> tuple[str | None, str] | None:
    """(namespace URI, local name) of the root element, read from a file's first bytes.

    Namespace-aware, so that `<espi:IntervalBlock xmlns:espi="...">` or `<ns2:Document>` is
    recognised by what it is, not by how its prefix is spelled. None when no root is seen."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        head = head.decode("utf-16", errors="replace").encode("utf-8")
    m = _START_TAG.match(head, len(prolog(head)))
    if m is None:
        return None
    prefix, name, attrs = m.group(1), m.group(2), m.group(3)
    spaces = {p: uri for p, uri in _XMLNS.findall(attrs)}
    uri = spaces.get(prefix or b"")
    return (uri.decode("utf-8", "replace") if uri is not None else None,
            name.decode("utf-8", "replace"))


def declared_namespaces(head: bytes) -> set[str]:
    """Every namespace URI declared in the first bytes, whatever its prefix."""
    return {uri.decode("utf-8", "replace") for _, uri in _XMLNS.findall(head)}


def declares_entities(data: bytes) -> bool:
    return bool(_ENTITY_DECL.search(prolog(data)))


def refuse_entities(data: bytes, name: str) -> None:
    """Raise UnsafeInputError when the document declares entities (for streaming parsers too)."""
    if declares_entities(data):
        m = _ENTITY_DECL.search(data)
        raise UnsafeInputError(
            "the XML declares entities (<!ENTITY ...>); real exports never do, so it is refused",
            file=name, line=data.count(b"\n", 0, m.start()) + 1 if m else None,
            hint="this file may be crafted to exhaust memory or read local files",
        )


def refuse_dtd(tree: etree._ElementTree, name: str, head: bytes = b"") -> None:
    """The parser-level guard: refuse a document in which the parser saw entity declarations
    or references, or any DTD (internal subset or external). lxml resolves none of them
    (resolve_entities=False, load_dtd=False, no_network=True), so this refuses the file
    instead of importing it with the entities' text silently dropped. `head`: the file's
    first bytes, to give the DOCTYPE's line."""
    info = tree.docinfo
    dtd = info.internalDTD
    root = tree.getroot()
    entity = next(root.iter(etree.Entity), None) if root is not None else None
    if (dtd is not None and next(dtd.iterentities(), None) is not None) or entity is not None:
        raise UnsafeInputError(
            "the XML declares or uses entities (<!ENTITY ...>, &name;); real exports never"
            " do, so it is refused",
            file=name, line=_doctype_line(head) or (entity.sourceline if entity is not None
                                                    else None),
            hint="this file may be crafted to exhaust memory or read local files")
    external = info.system_url or info.public_id
    if external or (dtd is not None and next(dtd.iterelements(), None) is not None):
        raise UnsafeInputError(
            "the XML declares a DTD (<!DOCTYPE ... [...]> or an external one); real exports"
            " never do, so it is refused",
            file=name, line=_doctype_line(head),
            hint="this file may be crafted to read local files or reach the network")


def _doctype_line(head: bytes) -> int | None:
    m = _DOCTYPE.search(head)
    return head.count(b"\n", 0, m.start()) + 1 if m else None


def syntax_error(e: etree.XMLSyntaxError, name: str, hint: str) -> FormatError:
    """A FormatError with lxml's message and line. A streaming parser (iterparse) reports
    an undefined entity as 'no element found' at line 0: the real message and line are then
    the last entry of lxml's error log (which is global to the thread and keeps earlier
    parses' errors too, hence `clear_error_log` before each parse and the last entry)."""
    if e.position and e.position[0] > 0:
        msg, line = e.msg, e.position[0]
    else:
        last = next((x for x in reversed(e.error_log) if x.line > 0), None)
        msg, line = (last.message, last.line) if last is not None else (e.msg, None)
    return FormatError(f"the XML is not well-formed ({_short(msg)})", file=name, line=line,
                       hint=hint)


def clear_error_log() -> None:
    etree.clear_error_log()


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=True,
        recover=False,
    )


def parse_xml(inp: InputFile, data: bytes | None = None) -> etree._Element:
    """Parse an export's XML safely; FormatError (with the line) when it is not well-formed."""
    data = inp.read_bytes() if data is None else data
    refuse_entities(data, inp.name)
    etree.clear_error_log()
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as e:
        raise syntax_error(e, inp.name,
                           "the file may be truncated: download the export again") from None
    if root is None:
        raise FormatError("the XML document is empty", file=inp.name)
    refuse_dtd(root.getroottree(), inp.name, data[:1 << 16])
    return root


def _short(msg: str | None) -> str:
    # lxml messages can quote element names, never row content we care about; keep them short
    return (msg or "syntax error").split(",")[0][:120]


def local(tag: object) -> str:
    """'{urn:iso:std:iso:20022:tech:xsd:camt.053.001.08}Ntry' -> 'Ntry'."""
    return str(tag).rsplit("}", 1)[-1]
