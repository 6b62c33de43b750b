"""Fuzzing every registered source from its own fixtures: bytes flipped, cut, duplicated,
padded, inserted. Whatever the bytes:

- detection and the source's parser raise nothing but `SelfdataError` (a parser bug on
  unexpected input would otherwise reach the user as a generic "(TypeError)" message);
- each example finishes within a per-example deadline (no wall-clock bound on the whole);
- a file that fails leaves the store exactly as it was (import is all or nothing).

The examples are derandomised, so `make test` is repeatable; explore further with
`SELFDATA_FUZZ_EXAMPLES=500 SELFDATA_FUZZ_RANDOM=1 pytest tests/fuzz`.
"""

from __future__ import annotations

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from selfdata_kit.errors import SelfdataError
from selfdata_kit.ingest.files import context_for, prepare_file, write_prepared
from selfdata_kit.sources import all_sources, detect_source
from selfdata_kit.sources.base import InputFile
from selfdata_kit.store import open_store
from tests.conftest import table_rows
from tests.fuzz.seeds import SEEDS, seed_paths

EXAMPLES = int(os.environ.get("SELFDATA_FUZZ_EXAMPLES", "12"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=timedelta(seconds=5),  # per example: a runaway parse fails it
    derandomize=not os.environ.get("SELFDATA_FUZZ_RANDOM"),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
SOURCES = [s.name for s in all_sources()]


@st.composite
def mutated(draw, seeds: list[bytes]) -> bytes:
    """A seed with one to three mutations."""
    data = draw(st.sampled_from(seeds))
    for op in draw(st.lists(st.sampled_from(
            ["flip", "cut", "duplicate", "pad", "insert", "delete"]), min_size=1, max_size=3)):
        n = len(data)
        i = draw(st.integers(0, n))
        if op == "flip" and n:
            i = min(i, n - 1)
            data = data[:i] + bytes([data[i] ^ draw(st.integers(1, 255))]) + data[i + 1:]
        elif op == "cut":
            data = data[:i]
        elif op == "duplicate":
            j = draw(st.integers(i, n))
            k = draw(st.integers(0, n))
            data = data[:k] + data[i:j] + data[k:]
        elif op == "pad":
            data += draw(st.sampled_from([b"\0", b" ", b"\xff", b"\n", b"<", b"{"])) * draw(
                st.integers(1, 4000))
        elif op == "insert":
            data = data[:i] + draw(st.binary(min_size=1, max_size=16)) + data[i:]
        elif op == "delete":
            data = data[:i] + data[min(n, i + draw(st.integers(1, 64))):]
    return data


def test_every_source_has_a_fuzz_seed():
    missing = [s for s in SOURCES if s not in SEEDS]
    assert not missing, (f"add a fuzz seed for {missing} in tests/fuzz/seeds.py: one or two"
                         " small fixture files the source reads")
    for source in SOURCES:
        for path in seed_paths(source):
            assert detect_source(InputFile.from_path(path)).name == source, path


@pytest.mark.slow  # 1-10 s per source (about a minute in all): in `make test`, not test-fast
@pytest.mark.parametrize("source", SOURCES)
def test_fuzzed_files_fail_cleanly(source):
    if source not in SEEDS:
        pytest.fail(f"no fuzz seed for source {source!r}: add one in tests/fuzz/seeds.py")
    paths = seed_paths(source)
    seeds = [p.read_bytes() for p in paths]
    names = [p.name for p in paths]

    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "fuzz.duckdb")
        ctx = context_for(store, "fuzz")
        try:
            @FUZZ
            @given(data=mutated(seeds), name=st.sampled_from(names))
            def check(data: bytes, name: str) -> None:
                inp = InputFile.from_bytes(f"fuzz-{name}", data)
                try:
                    found = detect_source(inp)
                    found.parse(InputFile.from_bytes(inp.name, data), ctx)
                except SelfdataError:
                    pass
                before = table_rows(store)
                outcome = write_prepared(store, prepare_file(inp, ctx), "fuzz")
                if outcome.status == "failed":
                    assert outcome.error is not None and outcome.error.file == inp.name
                    assert table_rows(store) == before

            check()
        finally:
            store.close()
