"""XML parsing with entity expansion and external entities off.

Exports never declare entities; a file that does (billion laughs, XXE) is refused with a
clear message instead of being expanded or fetched.
"""

from __future__ import annotations

import re

from lxml import etree

from ..errors import FormatError, UnsafeInputError
from .base import InputFile

_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)


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
    doctype_end = data.find(b"]>", 0, 1 << 20)
    if b"<!DOCTYPE" in data[: 1 << 16] and _ENTITY_DECL.search(data[: max(doctype_end, 1 << 16)]):
        raise UnsafeInputError(
            "the XML declares entities (<!ENTITY ...>); real exports never do, so it is refused",
            file=inp.name,
            hint="this file may be crafted to exhaust memory or read local files",
        )
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
