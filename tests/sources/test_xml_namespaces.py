"""XML detection is namespace-aware: the same document written with a namespace prefix
(`<ns2:Document>`, `<espi:IntervalBlock>`, no default namespace) is the same format, claimed by
the same source, and parsed into the same rows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from selfdata_kit.sources import detect_source
from selfdata_kit.sources.base import InputFile, ParseContext
from selfdata_kit.sources.xmlsafe import root_element

TESTS = Path(__file__).resolve().parent


def prefixed(data: bytes, prefix: str = "p", uri: str = "urn:example:export") -> bytes:
    """Every element written as `<p:Name>`: a default namespace becomes `xmlns:p`, and a
    document without one gets `xmlns:p` declared on its root."""
    text = data.decode("utf-8")
    text = re.sub(r"<(/?)([A-Za-z_])", rf"<\1{prefix}:\2", text)
    if 'xmlns="' in text:
        return text.replace('xmlns="', f'xmlns:{prefix}="').encode()
    return re.sub(rf"<{prefix}:(\w+)", rf'<{prefix}:\1 xmlns:{prefix}="{uri}"', text,
                  count=1).encode()


@pytest.mark.parametrize(("head", "expected"), [
    (b'<?xml version="1.0"?><Document xmlns="urn:a">', ("urn:a", "Document")),
    (b'\xef\xbb\xbf<!-- x --><ns2:Document xmlns:ns2="urn:b" xmlns="urn:c">',
     ("urn:b", "Document")),
    (b"<!DOCTYPE calls [ ]><calls count='1'>", (None, "calls")),
    ('<?xml version="1.0"?><espi:IntervalBlock xmlns:espi="http://naesb.org/espi">'
     .encode("utf-16"), ("http://naesb.org/espi", "IntervalBlock")),
    (b"not xml", None),
])
def test_root_element(head: bytes, expected: tuple | None) -> None:
    assert root_element(head) == expected


@pytest.mark.parametrize(("fixture", "source", "table"), [
    ("bank/fixtures/camt053_v02_statement.xml", "camt", "transactions"),
    ("bank/fixtures/ofx2_xml_cdata.ofx", "ofx", "transactions"),
    ("calls/fixtures/android_calls.xml", "android-backup", "calls"),
    ("energy/fixtures/greenbutton_gas_therms.xml", "green-button", "energy"),
])
def test_prefixed_document_is_the_same_format_with_the_same_rows(
        fixture: str, source: str, table: str) -> None:
    data = (TESTS / fixture).read_bytes()
    plain = InputFile.from_bytes("plain.xml", data)
    with_prefix = InputFile.from_bytes("prefixed.xml", prefixed(data))
    assert with_prefix.head() != plain.head()
    found = detect_source(with_prefix)
    assert found is detect_source(plain)
    assert found.name.startswith(source)
    ctx = ParseContext("ana", hmac_key=b"k" * 32)
    rows = found.parse(plain, ctx).tables[table]
    rows_prefixed = found.parse(with_prefix, ctx).tables[table]
    assert len(rows) > 0
    assert _frame(rows).equals(_frame(rows_prefixed))


def _frame(t):  # noqa: ANN001, ANN202
    return t.to_pandas() if hasattr(t, "to_pandas") and not hasattr(t, "iloc") else t
