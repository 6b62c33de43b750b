"""A file larger than its format reads is refused before it is read: memory follows the data,
and no input up to 2 GiB may take more than 1 GiB (benchmarks/big_inputs.py measures every
kind at its limit and at 2 GiB).

Before: a real 2 GiB file of rows was read whole by the formats that parse whole files (a
bank CSV, an OFX, a JSON export, a chat), many times its size in memory."""

from __future__ import annotations

import dataclasses
import time

import pytest

from selfdata_kit.errors import FormatError
from selfdata_kit.ingest.files import import_file
from selfdata_kit.sources import all_sources
from selfdata_kit.sources.base import MIB, STREAMED_MAX, InputFile, check_size
from tests.conftest import TESTS, table_rows

OFX = TESTS / "sources/bank/fixtures/ofx1_two_accounts.ofx"


def _ofx_of(size: int) -> bytes:
    """A real OFX statement grown to `size` bytes with distinct transactions."""
    head, tail = OFX.read_bytes().split(b"</BANKTRANLIST>", 1)
    rows, written, i = [], len(head), 0
    while written < size:
        rows.append(b"<STMTTRN>\n<TRNTYPE>DEBIT\n<DTPOSTED>20240120\n<TRNAMT>-%d.00\n"
                    b"<FITID>big%d\n<NAME>CB MAGASIN %d\n</STMTTRN>\n" % (i % 997, i, i))
        written += len(rows[-1])
        i += 1
    return head + b"".join(rows) + b"</BANKTRANLIST>" + tail


def test_a_file_over_its_format_limit_is_refused_unread(tmp_path, store):
    ofx = next(s for s in all_sources() if s.name == "ofx")
    big = tmp_path / "releve.ofx"
    big.write_bytes(_ofx_of(ofx.max_bytes + MIB))
    before = table_rows(store)
    start = time.perf_counter()
    report = import_file(store, InputFile.from_path(big), "me")
    assert report.status == "failed"
    assert time.perf_counter() - start < 5  # not parsed (parsing it takes a minute)
    message = str(report.error)
    assert message.startswith(f"{big}: the file holds 25.0 MiB of ")
    assert "more than the 24.0 MiB this format reads" in message
    assert "hint: export shorter periods (one year per file, say)" in message
    assert table_rows(store) == before


def test_a_file_just_under_the_limit_is_read(tmp_path, store):
    small = dataclasses.replace(next(s for s in all_sources() if s.name == "ofx"),
                                max_bytes=OFX.stat().st_size)
    check_size(small, InputFile.from_path(OFX))  # at the limit: read
    with pytest.raises(FormatError, match="this format reads"):
        check_size(dataclasses.replace(small, max_bytes=OFX.stat().st_size - 1),
                   InputFile.from_path(OFX))


def test_padding_does_not_count(tmp_path):
    """The limit applies to the data: a small export followed by 2 GiB of NUL bytes (a
    sparse file) is read."""
    padded = tmp_path / "padded.ofx"
    padded.write_bytes(OFX.read_bytes())
    with open(padded, "r+b") as f:
        f.truncate(2 << 30)
    ofx = next(s for s in all_sources() if s.name == "ofx")
    check_size(ofx, InputFile.from_path(padded))


def test_every_format_has_a_limit_under_a_gibibyte():
    """Formats read whole are limited so that memory stays under 1 GiB; streamed formats
    (their memory does not follow the file) only by what no real export reaches."""
    for source in all_sources():
        if source.stream is not None:
            assert source.max_bytes == STREAMED_MAX >= 4 << 30, source.name
        else:
            assert 8 * MIB <= source.max_bytes <= 384 * MIB, source.name


def test_the_big_real_exports_are_streaming_formats():
    streamed = {s.name for s in all_sources() if s.stream is not None}
    assert {"google-location-records", "google-timeline", "android-backup"} <= streamed
