"""Turn the paths a user gives (files, folders, zips) into `InputFile`s, never extracting.

Zips are read member by member; limits on member count and uncompressed size stop zip
bombs before anything is decompressed (zipfile never yields more than a member's
declared size, so checking declared sizes is enough).
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..errors import FormatError, UnsafeInputError
from ..sources.base import InputFile

MAX_MEMBERS = 20_000
MAX_MEMBER_BYTES = 2 << 30  # 2 GiB
MAX_TOTAL_BYTES = 8 << 30  # 8 GiB
MAX_RATIO = 200  # uncompressed / compressed, for members over 1 MiB
NOT_REGULAR = "not a regular file (a pipe, a socket or a device)"


@dataclass(frozen=True)
class Found:
    """One thing found under the user's paths: a file to import or a reason it was left."""

    inp: InputFile | None
    name: str
    explicit: bool  # named by the user (an unknown format is then an error, not a skip)
    error: Exception | None = None
    skipped: str | None = None


def expand(paths: list[str | Path]) -> Iterator[Found]:
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if not p.is_dir()):
                if any(part.startswith(".") for part in child.relative_to(path).parts):
                    continue  # .DS_Store, .git, editor swap files
                if child.is_file():
                    yield from _file(child, explicit=False)
                elif child.exists():  # a FIFO, a socket, a device: never opened
                    yield Found(None, str(child), False, skipped=NOT_REGULAR)
        elif path.is_file():
            yield from _file(path, explicit=True)
        elif path.exists():
            yield Found(None, str(path), True, error=FormatError(
                NOT_REGULAR, file=str(path),
                hint="give the export file itself (a pipe or a device is never read)"))
        else:
            yield Found(None, str(path), True,
                        error=FormatError("no such file or folder", file=str(path)))


def _file(path: Path, *, explicit: bool) -> Iterator[Found]:
    if path.name.endswith((".duckdb", ".duckdb.wal")):
        return
    try:
        inp = InputFile.from_path(path)
        magic = inp.head(4)
    except OSError as e:  # no permission, a file that vanished, an I/O error
        yield Found(None, str(path), explicit, error=FormatError(
            f"the file cannot be read ({e.strerror or type(e).__name__})", file=str(path),
            hint="check that you may read it (permissions) and that it is still there"))
        return
    # a spreadsheet (.xlsx) is a zip too, but one export: its source reads it whole
    if magic == b"PK\x03\x04" and path.suffix.lower() not in (".xlsx", ".xlsm"):
        yield from _zip_members(path)
    else:
        yield Found(inp, inp.name, explicit)


class _Archive:
    """One open ZipFile shared by all members of an archive: opening a ZipFile re-reads the
    whole central directory, which would make a 20,000-member Takeout quadratic."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zf: zipfile.ZipFile | None = None

    def members(self) -> list[zipfile.ZipInfo]:
        return [i for i in self._open().infolist() if not i.is_dir()]

    def opener(self, member: str) -> Callable[[], BinaryIO]:
        return lambda: self._open().open(member)

    def _open(self) -> zipfile.ZipFile:
        if self._zf is None:  # also reopens for members used after the walk ended
            self._zf = zipfile.ZipFile(self.path)
        return self._zf

    def close(self) -> None:
        if self._zf is not None:
            self._zf.close()
            self._zf = None


def _zip_members(path: Path) -> Iterator[Found]:
    name = str(path)
    archive = _Archive(path)
    try:
        infos = archive.members()
    except (zipfile.BadZipFile, OSError) as e:
        archive.close()
        yield Found(None, name, True, error=FormatError(
            f"this zip archive cannot be read ({e})", file=name,
            hint="the download may be incomplete: download the archive again"))
        return
    problem = _zip_limits(infos)
    if problem:
        archive.close()
        yield Found(None, name, True, error=UnsafeInputError(
            problem, file=name, hint="unzip it yourself and import the files you trust"))
        return
    try:
        for info in infos:
            member = f"{name}:{info.filename}"
            base = info.filename.rsplit("/", 1)[-1]
            if base.startswith(".") or info.filename.startswith("__MACOSX/"):
                continue
            if info.filename.lower().endswith(".zip"):
                yield Found(None, member, False,
                            skipped="archive inside the archive (unzip it first)")
                continue
            yield Found(InputFile(member, info.file_size, archive.opener(info.filename),
                                  origin=(str(path), info.filename)), member, False)
    finally:
        archive.close()


def _zip_limits(infos: list[zipfile.ZipInfo]) -> str | None:
    if len(infos) > MAX_MEMBERS:
        return f"the archive has {len(infos)} files, more than the limit of {MAX_MEMBERS}"
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL_BYTES:
        return f"the archive would expand to {total >> 20} MiB, over {MAX_TOTAL_BYTES >> 20} MiB"
    for i in infos:
        if i.file_size > MAX_MEMBER_BYTES:
            return f"a member would expand to {i.file_size >> 20} MiB, over the limit"
        if i.file_size > 1 << 20 and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            return (f"a member expands {i.file_size // max(i.compress_size, 1)} times "
                    "(a zip bomb?)")
    return None
