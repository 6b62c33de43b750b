"""A store file that cannot be used gives its own message and hint, never a traceback, on
`import`, `summary`, `export`, `persons` and `imports`: damaged (bytes overwritten in the
middle, garbage, truncated), a folder where the write-ahead log should be, a lock held by
another program, a read-only file, a read-only folder. The lock hint only for a lock."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from selfdata_kit.cli import main
from tests.conftest import SAMPLE_FOLDERS, copy_store

BANK = SAMPLE_FOLDERS[1] / "bank"
DAMAGED = "the store file is damaged"
BACKUP = "hint: restore it from a backup"
LOCK_HINT = "close the other program"


def commands(store: Path, out: Path) -> dict[str, list[str]]:
    return {"import": ["import", str(BANK), "--person", "b"],
            "summary": ["summary", "--person", SAMPLE_FOLDERS[0].name],
            "export": ["export", "--out", str(out / "export")],
            "persons": ["persons"], "imports": ["imports"]}


def _run(args: list[str], store: Path, capsys) -> str:
    code = main([*args, "--store", str(store)])
    err = capsys.readouterr().err
    assert code == 1, err
    assert "Traceback" not in err and str(store) in err
    return err


def _damaged_middle(sample_store: Path, dest: Path) -> Path:
    store = copy_store(sample_store, dest)
    size = store.stat().st_size
    with open(store, "r+b") as f:  # the middle half: data blocks, not the header
        f.seek(size // 4)
        f.write(b"\xa5" * (size // 2))
    return store


@pytest.mark.parametrize("command", ["import", "summary", "export", "persons", "imports"])
def test_a_store_damaged_in_the_middle(command: str, sample_store: Path, tmp_path: Path,
                                       capsys) -> None:
    store = _damaged_middle(sample_store, tmp_path / "s.duckdb")
    err = _run(commands(store, tmp_path)[command], store, capsys)
    assert DAMAGED in err and BACKUP in err and LOCK_HINT not in err
    assert f"selfdata check --store '{store}'" in err


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_a_file_that_is_not_a_whole_store(damage: str, sample_store: Path, tmp_path: Path,
                                          capsys) -> None:
    store = tmp_path / "s.duckdb"
    if damage == "garbage":
        store.write_bytes(b"not a store\n" * 1000)
    else:
        store.write_bytes(sample_store.read_bytes()[:100_000])
    for command in ("import", "persons"):
        err = _run(commands(store, tmp_path)[command], store, capsys)
        assert DAMAGED in err and BACKUP in err and LOCK_HINT not in err


def test_a_folder_where_the_write_ahead_log_goes(sample_store: Path, tmp_path: Path,
                                                 capsys) -> None:
    store = copy_store(sample_store, tmp_path / "s.duckdb")
    Path(f"{store}.wal").mkdir()
    for command in ("import", "persons"):
        err = _run(commands(store, tmp_path)[command], store, capsys)
        assert "'s.duckdb.wal' next to the store is not its write-ahead log" in err
        assert f"hint: move '{store}.wal' away" in err and LOCK_HINT not in err


def test_a_lock_held_by_another_program(sample_store: Path, tmp_path: Path, capsys) -> None:
    store = copy_store(sample_store, tmp_path / "s.duckdb")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1]);"
         " print('locked', flush=True); sys.stdin.read()", str(store)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        for command in ("import", "persons"):
            err = _run(commands(store, tmp_path)[command], store, capsys)
            assert "the store is in use by another program" in err
            assert f"process {holder.pid}" in err and LOCK_HINT in err
    finally:
        holder.communicate("")  # closes its stdin: it exits and lets the lock go


# --- permissions: as another user when the tests run as root (root ignores modes) ------------

def _as_user(args: list[str], store: Path) -> tuple[int, str]:
    command = [sys.executable, "-m", "selfdata_kit.cli", *args, "--store", str(store)]
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv: cannot test file modes")
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    done = subprocess.run(command, capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[2])
    return done.returncode, done.stderr


@pytest.fixture
def folder(sample_store: Path):
    """A folder with a copy of the sample store, owned by whoever runs the commands."""
    root = Path(tempfile.mkdtemp(prefix="selfdata-modes-"))
    root.chmod(0o755)
    store = copy_store(sample_store, root / "data" / "s.duckdb")
    if os.geteuid() == 0:
        for path in (root / "data", store):
            os.chown(path, 65534, 65534)
    yield store
    (root / "data").chmod(0o700)
    shutil.rmtree(root)


def test_a_read_only_store_file(folder: Path) -> None:
    folder.chmod(0o400)
    code, err = _as_user(["import", str(BANK), "--person", "b"], folder)
    assert code == 1 and "Traceback" not in err, err
    assert "the store file is not writable for you" in err and "chmod u+rw" in err
    assert LOCK_HINT not in err
    code, err = _as_user(["persons"], folder)  # reading still works
    assert code == 0, err


def test_a_read_only_folder(folder: Path) -> None:
    folder.parent.chmod(0o500)
    code, err = _as_user(["import", str(BANK), "--person", "b"], folder)
    assert code == 1 and "Traceback" not in err, err
    assert "cannot create files in the store's folder (its write-ahead log s.duckdb.wal)" in err
    assert f"chmod u+w '{folder.parent}'" in err and LOCK_HINT not in err
    new = folder.parent / "new.duckdb"
    code, err = _as_user(["import", str(BANK), "--person", "b"], new)
    assert code == 1 and "cannot create files in the store's folder (the store file)" in err


@pytest.mark.parametrize("command", ["import", "summary", "export"])
def test_one_flipped_data_block(command: str, sample_store: Path, tmp_path: Path,
                                capsys) -> None:
    """Bytes flipped in one real data block (the transactions' uids): the command that reads
    it says the store is damaged and points to `selfdata check`; no traceback."""
    from tests.store.test_check import damage_block_of

    store = copy_store(sample_store, tmp_path / "s.duckdb")
    damage_block_of(store, "transactions")
    args = commands(store, tmp_path)[command]
    if command == "import":  # the sample persona's own statement: its uids are looked up
        args = ["import", str(SAMPLE_FOLDERS[0] / "bank"), "--person", SAMPLE_FOLDERS[0].name]
    err = _run(args, store, capsys)
    assert DAMAGED in err and "selfdata check --store" in err and LOCK_HINT not in err


@pytest.mark.parametrize("argv", [["report", "--person", "{person}", "--out", "{file}"],
                                  ["export", "--out", "{file}"],
                                  ["synth", "--out", "{file}"],
                                  ["report", "--person", "{person}", "--out", "{file}/sub"],
                                  ["contribute", "--person", "{person}", "--out", "{folder}"]])
def test_an_output_path_of_the_wrong_kind(argv, sample_store: Path, tmp_path: Path,
                                          capsys) -> None:
    """`--out` naming a file where a folder is written (or the reverse): a message naming
    the path, not a FileExistsError / NotADirectoryError traceback."""
    (tmp_path / "a-file").write_text("mine", encoding="utf-8")
    (tmp_path / "a-folder").mkdir()
    person = SAMPLE_FOLDERS[0].name
    args = [a.format(person=person, file=tmp_path / "a-file", folder=tmp_path / "a-folder")
            for a in argv]
    assert main([*args, "--store", str(sample_store)] if argv[0] != "synth" else args) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "error: " in err
    assert ("a file is in the way" in err) or ("it is a folder" in err)
    assert (tmp_path / "a-file").read_text(encoding="utf-8") == "mine"
