"""The XML entity guard is done by the parser itself, not only by a scan of the bytes.

Before: the prolog scan could be fooled by a quoted `]>` in a system id; the parser then read
the file without resolving the entity, and camt / Green Button files imported with the
entity's text silently dropped. Now the scan reads quoted strings, and, should a future trick
fool it, the parser-level check (what lxml itself saw: a DTD, an entity) refuses the file.
"""

from __future__ import annotations

import re

import pytest

from selfdata_kit.errors import FormatError, UnsafeInputError
from selfdata_kit.ingest.files import import_file
from selfdata_kit.sources import detect_source
from selfdata_kit.sources.base import InputFile, ParseContext
from selfdata_kit.sources.calls import android_backup
from selfdata_kit.sources.xmlsafe import declares_entities, parse_xml
from tests.conftest import table_rows
from tests.ingest.test_hostile_xml import (
    CALLS,
    CAMT,
    _assert_no_local_file_content,
    _claimed_or_skip,
    _xml_samples,
)

# the quoted "]>" ended the DOCTYPE for the old scan, which then missed the declaration
BYPASS = '<!DOCTYPE {root} SYSTEM "]>" [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def _with_bypass(data: bytes) -> bytes:
    """The bypass DOCTYPE before the root element, `&xxe;` in the root's first text."""
    bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
    data = data[len(bom):]
    prolog = re.match(rb"(\s*<\?xml[^>]*\?>)?((?:\s|<!--.*?-->|<\?.*?\?>)*)", data, re.S)
    root = re.compile(rb"<([A-Za-z_][\w.:-]*)[^>]*?(/?)>", re.S).match(data, prolog.end())
    if root is None or root.group(2) or b"<!DOCTYPE" in data[: prolog.end()]:
        pytest.skip("no root element to put an entity in")
    doctype = BYPASS.format(root=root.group(1).decode()).encode()
    head = data[: prolog.end(1)] if prolog.group(1) else b""
    return (bom + head + b"\n" + doctype + data[len(head): root.end()] + b"&xxe;"
            + data[root.end():])


def _assert_refused(store, inp: InputFile) -> None:
    before = table_rows(store)
    report = import_file(store, inp, "me")
    assert report.status == "failed", f"imported: {report.counts}"
    assert isinstance(report.error, UnsafeInputError), report.error
    assert "entit" in report.error.message and "refused" in report.error.message
    assert report.error.line is not None
    assert table_rows(store) == before
    _assert_no_local_file_content(store, report)


def test_the_scan_reads_quoted_strings():
    data = CAMT.format(doctype="\n" + BYPASS.format(root="Document"), ref="&xxe;").encode()
    assert declares_entities(data)


@pytest.mark.parametrize("sample", _xml_samples(), ids=lambda p: p.name)
def test_quoted_bracket_bypass_is_refused_for_every_xml_source(store, sample):
    data = sample.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        pytest.skip("UTF-16 sample")
    source = _claimed_or_skip(data, sample.name)
    inp = InputFile.from_bytes(f"bypass-{sample.name}", _with_bypass(data))
    assert detect_source(inp).name == source
    _assert_refused(store, inp)


@pytest.fixture
def no_scan(monkeypatch):
    """Switch the byte scan off: what is left is the parser-level guard."""
    import selfdata_kit.sources.xmlsafe as xmlsafe

    monkeypatch.setattr(xmlsafe, "refuse_entities", lambda data, name: None)
    monkeypatch.setattr(android_backup, "refuse_entities", lambda data, name: None)


@pytest.mark.parametrize("body, root", [(CAMT, "Document"), (CALLS, "calls")])
@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    '<!DOCTYPE {root} [<!ENTITY xxe "internal text">]>',
])
def test_the_parser_refuses_entities_without_the_scan(store, no_scan, body, root, doctype):
    data = body.format(doctype="\n" + doctype.format(root=root), ref="&xxe;").encode()
    _assert_refused(store, InputFile.from_bytes("hostile.xml", data))


@pytest.mark.parametrize("body, root", [(CAMT, "Document"), (CALLS, "calls")])
@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE {root} SYSTEM "http://example.invalid/x.dtd">',
    '<!DOCTYPE {root} PUBLIC "-//x//EN" "file:///etc/passwd">',
    "<!DOCTYPE {root} [<!ELEMENT {root} ANY>]>",
])
def test_any_dtd_is_refused(store, body, root, doctype):
    data = body.format(doctype="\n" + doctype.format(root=root), ref="").encode()
    before = table_rows(store)
    report = import_file(store, InputFile.from_bytes("dtd.xml", data), "me")
    assert report.status == "failed"
    assert isinstance(report.error, UnsafeInputError)
    assert "DTD" in report.error.message and report.error.line == 2
    assert table_rows(store) == before


def test_a_bare_doctype_is_accepted(store):
    data = CAMT.format(doctype="\n<!DOCTYPE Document>", ref="").encode()
    report = import_file(store, InputFile.from_bytes("bare.xml", data), "me")
    assert report.status == "imported", report.error


CALL = ('  <call number="+33612345678" duration="42" date="1704186000000" type="2"'
        ' presentation="1" readable_date="x" contact_name="(Unknown)" />\n')


@pytest.mark.parametrize("n", [3, 3000])
def test_an_undefined_entity_gives_its_own_line(n):
    """A streamed file reported an undefined entity as 'no element found' at line 0 (or, with
    lxml's thread-global error log, another file's line): now its own line and message."""
    # an earlier failure, whose error stays in lxml's global log
    with pytest.raises(FormatError):
        parse_xml(InputFile.from_bytes("other.xml", b"<a>\n\n\n\n\n\n\n\n&nope;</a>"))
    data = ("<?xml version='1.0' encoding='UTF-8'?>\n<calls count=\"1\">\n" + CALL * n
            + "  &foo;\n</calls>\n").encode()
    ctx = ParseContext("me", hmac_key=b"k" * 32)
    for read in (lambda inp: android_backup.parse(inp, ctx), parse_xml):
        with pytest.raises(FormatError) as e:
            read(InputFile.from_bytes("calls.xml", data))
        assert e.value.line == n + 3, (read, e.value)
        assert "foo" in e.value.message
