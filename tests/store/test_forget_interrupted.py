"""A `forget` killed at any step of its rewrite (SIGKILL, in a real subprocess) is finished
by the next command that opens the store, a reading one too: none of the person's bytes
stay in the file, no `.rewrite` copy stays next to it, and nobody else's rows are lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from selfdata_kit.store import open_store
from tests.conftest import ROOT, copy_store, table_rows

MARKER = "ZQXJ-FORGET-ME-LABEL"
STEPS = ("deleted", "copied", "closed", "swapped")


def _store(path: Path) -> Path:
    with open_store(path) as store:
        for person, label, n in (("alice", MARKER, 500), ("bob", "coffee", 3)):
            frame = pd.DataFrame([{"account_id": "FR76", "booked_on": f"2024-01-{1 + i % 28:02d}",
                                   "amount": Decimal("-2.50"), "label": label,
                                   "currency": "EUR"} for i in range(n)])
            store.import_parsed(person_id=person, source="test", path="f.csv",
                                sha256="0" * 64, size_bytes=1, tables={"transactions": frame},
                                rows_read=n, issues=[], started_at=datetime.now(UTC))
    assert MARKER.encode() in path.read_bytes()
    return path


def _selfdata(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "selfdata_kit.cli", *args],
                          capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **(env or {})})


def _bob_only(path: Path) -> dict[str, list]:
    with open_store(path, read_only=True) as store:
        rows = table_rows(store)
    return {t: r for t, r in rows.items() if t not in ("schema_migrations", "store_meta")}


@pytest.mark.parametrize(("step", "next_command"),
                         [*((step, "persons") for step in STEPS), ("copied", "import")])
def test_the_next_start_finishes_a_killed_forget(step: str, next_command: str,
                                                 tmp_path: Path) -> None:
    path = _store(tmp_path / "s.duckdb")
    expected = copy_store(path, tmp_path / "expected.duckdb")
    with open_store(expected) as store:
        store.forget("alice")
    killed = _selfdata("forget", "--person", "alice", "--store", str(path),
                       env={"SELFDATA_TEST_KILL_FORGET": step})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    if step in ("copied", "closed"):
        assert Path(f"{path}.rewrite").exists()  # the state the issue found

    if next_command == "persons":
        done = _selfdata("persons", "--store", str(path))
        assert done.returncode == 0 and "alice" not in done.stdout and "bob" in done.stdout
    else:
        empty = tmp_path / "nothing"
        empty.mkdir()
        done = _selfdata("import", str(empty), "--person", "carol", "--store", str(path))
        assert "Traceback" not in done.stderr, done.stderr

    assert MARKER.encode() not in path.read_bytes()
    assert not list(tmp_path.glob("s.duckdb.rewrite*"))
    assert _bob_only(path) == _bob_only(expected)
    with open_store(path, read_only=True) as store:
        assert store.run("SELECT key FROM store_meta") == [("hmac_key",)]


def test_a_stray_copy_without_a_pending_forget_is_removed(tmp_path: Path) -> None:
    path = _store(tmp_path / "s.duckdb")
    Path(f"{path}.rewrite").write_bytes(b"half a copy")
    with open_store(path) as store:
        assert store.counts()["transactions"] == 503
    assert not Path(f"{path}.rewrite").exists()
