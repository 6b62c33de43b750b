"""Hostile XML through the real import pipeline, for every XML source of the project.

Exports never declare entities, so a file that does (billion laughs, external entities) must
fail fast with a message saying entities are refused, leave the store exactly as it was, and
never let a local file's content reach a table. Besides hand-written camt and Android-backup
bodies, every XML fixture and conformance file that some registered source claims is turned
hostile here, so an XML source added later is covered by its own fixtures.
"""

from __future__ import annotations

import codecs
import re
import time
from pathlib import Path

import pytest

from selfdata_kit.errors import FormatError, UnknownFormatError, UnsafeInputError
from selfdata_kit.ingest.files import import_file, import_paths
from selfdata_kit.sources import detect_source
from selfdata_kit.sources.base import InputFile
from selfdata_kit.sources.xmlsafe import parse_xml
from tests.conftest import CONFORMANCE, TESTS, table_rows

SANITY_SECONDS = 1.0  # generous: a refused file takes milliseconds, an expanded one never ends

# 10 levels of 10 references: "&lol9;" would expand to 10**9 "lol" (3 GB)
LAUGHS = '<!ENTITY lol0 "lol">' + "".join(
    f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
ATTACKS = {
    "billion-laughs": (LAUGHS, "&lol9;"),
    "external-entity": ('<!ENTITY xxe SYSTEM "file:///etc/passwd">', "&xxe;"),
    "parameter-entity": ('<!ENTITY % xxe SYSTEM "file:///etc/passwd"> %xxe;', ""),
}

CAMT = """<?xml version="1.0" encoding="UTF-8"?>{doctype}
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
 <BkToCstmrStmt><GrpHdr><MsgId>M1</MsgId></GrpHdr>
  <Stmt><Id>S1</Id><Acct><Id><IBAN>FR7630006000011234567890189</IBAN></Id></Acct>
   <Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
    <BookgDt><Dt>2024-01-02</Dt></BookgDt><AddtlNtryInf>CB {ref}</AddtlNtryInf></Ntry>
  </Stmt></BkToCstmrStmt></Document>
"""
# "SMS Backup & Restore" calls file
CALLS = """<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>{doctype}
<calls count="1">
  <call number="+33612345678" duration="42" date="1704186000000" type="2"
        presentation="1" readable_date="2 janv. 2024 10:00:00" contact_name="(Unknown)" />
  {ref}
</calls>
"""
BODIES = {"camt": (CAMT, "Document"), "android-calls": (CALLS, "calls")}


def _passwd_markers() -> list[str]:
    """Pieces of /etc/passwd that must never reach the store (its first lines)."""
    try:
        lines = Path("/etc/passwd").read_text().splitlines()
    except OSError:
        return ["root:x:0:0"]
    return [line for line in lines[:3] if line.strip()] or ["root:x:0:0"]


def _assert_no_local_file_content(store, report) -> None:
    dump = repr(table_rows(store)) + str(report.error or "")
    for marker in _passwd_markers():
        assert marker not in dump


def _import_timed(store, inp: InputFile):
    start = time.perf_counter()
    report = import_file(store, inp, "me")
    return report, time.perf_counter() - start


def _assert_refused(store, inp: InputFile) -> None:
    before = table_rows(store)
    report, elapsed = _import_timed(store, inp)
    assert report.status == "failed", report
    assert isinstance(report.error, FormatError)  # UnsafeInputError is one
    message = report.error.message.lower()
    assert "entit" in message and "refused" in message, report.error
    assert elapsed < SANITY_SECONDS
    assert table_rows(store) == before
    assert store.counts()["imports"] == 0
    _assert_no_local_file_content(store, report)


def _claimed_or_skip(data: bytes, name: str) -> str:
    try:
        return detect_source(InputFile.from_bytes(name, data)).name
    except UnknownFormatError:
        pytest.skip(f"no registered source reads {name} yet")


@pytest.mark.parametrize("attack", sorted(ATTACKS))
@pytest.mark.parametrize("body", sorted(BODIES))
def test_entities_are_refused(store, body, attack):
    template, root = BODIES[body]
    decl, ref = ATTACKS[attack]
    _claimed_or_skip(template.format(doctype="", ref="").encode(), f"{body}.xml")
    hostile = template.format(doctype=f"\n<!DOCTYPE {root} [{decl}]>", ref=ref).encode()
    _assert_refused(store, InputFile.from_bytes(f"{body}-{attack}.xml", hostile))


def _xml_samples() -> list[Path]:
    found = [*TESTS.glob("**/fixtures/**/*.xml"), *CONFORMANCE.rglob("*.xml")]
    return sorted(p for p in found if p.is_file())


def _make_hostile(data: bytes, decl: str, ref: str) -> bytes:
    """Declare the entities before the root element and use them just inside it."""
    bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
    data = data[len(bom):]
    prolog = re.match(rb"(\s*<\?xml[^>]*\?>)?((?:\s|<!--.*?-->|<\?.*?\?>)*)", data, re.S)
    root = re.compile(rb"<([A-Za-z_][\w.:-]*)[^>]*?(/?)>", re.S).match(data, prolog.end())
    if root is None or root.group(2) or b"<!DOCTYPE" in data[: prolog.end()]:
        pytest.skip("no root element to put an entity in")
    doctype = f"<!DOCTYPE {root.group(1).decode()} [{decl}]>".encode()
    head = data[: prolog.end(1)] if prolog.group(1) else b""
    return (bom + head + b"\n" + doctype + data[len(head): root.end()] + ref.encode()
            + data[root.end():])


@pytest.mark.parametrize("attack", sorted(ATTACKS))
@pytest.mark.parametrize("sample", _xml_samples(), ids=lambda p: p.name)
def test_every_xml_source_refuses_entities_in_its_own_files(store, sample, attack):
    data = sample.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        pytest.skip("UTF-16 sample")
    source = _claimed_or_skip(data, sample.name)
    hostile = _make_hostile(data, *ATTACKS[attack])
    inp = InputFile.from_bytes(f"hostile-{sample.name}", hostile)
    assert detect_source(inp).name == source  # still recognised: the refusal is the parser's
    _assert_refused(store, inp)


@pytest.mark.parametrize("doctype, ref", [
    ('<!DOCTYPE Document SYSTEM "file:///etc/passwd">', ""),  # external DTD: never loaded
    ("", '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd"'
         ' parse="text"/>'),  # XInclude: never processed
])
def test_external_dtd_and_xinclude_are_not_followed(store, doctype, ref):
    data = CAMT.format(doctype="\n" + doctype, ref=ref).encode()
    report, elapsed = _import_timed(store, InputFile.from_bytes("camt-dtd.xml", data))
    assert elapsed < SANITY_SECONDS
    _assert_no_local_file_content(store, report)


def test_entities_after_a_long_prolog_never_expand(store):
    """A DOCTYPE pushed past the first 64 KB by a comment must not expand either."""
    padding = "<!--" + "x" * 70_000 + "-->"
    data = CAMT.format(doctype=f"\n{padding}\n<!DOCTYPE Document [{LAUGHS}]>",
                       ref="&lol9;").encode()
    before = table_rows(store)
    report, elapsed = _import_timed(store, InputFile.from_bytes("padded.xml", data))
    assert report.status == "failed" and isinstance(report.error, FormatError)
    assert elapsed < SANITY_SECONDS
    assert table_rows(store) == before


def test_entities_after_a_long_prolog_are_refused_with_the_clear_message():
    # detection only sees the first bytes (the file is then "unknown format"); a parser
    # reading the whole file must refuse it clearly, however long the prolog
    padding = "<!--" + "x" * 70_000 + "-->"
    data = CAMT.format(doctype=f"\n{padding}\n<!DOCTYPE Document [{LAUGHS}]>",
                       ref="&lol9;").encode()
    with pytest.raises(UnsafeInputError, match="declares entities"):
        parse_xml(InputFile.from_bytes("padded.xml", data))
    utf16 = codecs.BOM_UTF16_LE + CAMT.format(doctype=f"<!DOCTYPE Document [{LAUGHS}]>",
                                              ref="&lol9;").encode("utf-16-le")
    with pytest.raises(UnsafeInputError, match="declares entities"):
        parse_xml(InputFile.from_bytes("utf16.xml", utf16))


def test_truncated_camt_fails_with_its_line(store):
    data = CAMT.format(doctype="", ref="").encode()
    cut = data[: data.index(b"<BookgDt>")]
    before = table_rows(store)
    report = import_file(store, InputFile.from_bytes("cut.xml", cut), "me")
    assert report.status == "failed"
    assert isinstance(report.error, FormatError)
    assert report.error.line is not None and report.error.line >= 5
    assert "not well-formed" in report.error.message
    assert table_rows(store) == before


@pytest.mark.parametrize("content", [
    b"<foo/>",
    b'<?xml version="1.0"?>\n<foo><bar>1</bar></foo>\n',
    # ISO 20022, but a payment order, not a statement
    b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03">'
    b"<CstmrCdtTrfInitn/></Document>",
])
def test_xml_of_no_known_format_is_unknown(store, tmp_path, content):
    path = tmp_path / "export.xml"
    path.write_bytes(content)
    [report] = import_paths(store, [path], "me")
    assert report.status == "failed"
    assert isinstance(report.error, UnknownFormatError)
    assert "not a format selfdata_kit knows" in report.error.message
    # inside a folder the same file is listed as skipped, not fatal
    [report] = import_paths(store, [tmp_path], "me")
    assert report.status == "skipped"
    assert store.counts()["imports"] == 0
