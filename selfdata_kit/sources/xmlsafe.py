"""XML parsing with entity expansion and external entities off.

Exports never declare entities; a file that does (billion laughs, XXE) is refused with a
clear message instead of being expanded or fetched.
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
            subset = data.find(b"[", i, data.find(b">", i) + 1 or len(data))
            end = data.find(b"]", subset) if subset >= 0 else i
            end = data.find(b">", max(end, i))
        else:
            return data[:i]  # the root element starts here
        if end < 0:
            return data
        i = end + 1
    return data


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
        raise UnsafeInputError(
            "the XML declares entities (<!ENTITY ...>); real exports never do, so it is refused",
            file=name,
            hint="this file may be crafted to exhaust memory or read local files",
        )


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
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as e:
        line = e.position[0] if e.position else None
        raise FormatError(
            f"the XML is not well-formed ({_short(e.msg)})",
            file=inp.name,
            line=line,
            hint="the file may be truncated: download the export again",
        ) from None
    if root is None:
        raise FormatError("the XML document is empty", file=inp.name)
    return root


def _short(msg: str | None) -> str:
    # lxml messages can quote element names, never row content we care about; keep them short
    return (msg or "syntax error").split(",")[0][:120]


def local(tag: object) -> str:
    """'{urn:iso:std:iso:20022:tech:xsd:camt.053.001.08}Ntry' -> 'Ntry'."""
    return str(tag).rsplit("}", 1)[-1]
