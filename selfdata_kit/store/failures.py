"""What went wrong with the store file itself, in the user's words, with what to do.

DuckDB reports a damaged file, a lock, a permission problem or a full disk as plain
`duckdb.Error` / `IOException` texts; each gets its own message and hint here, and the lock
hint ("close the other program") only for a real lock. DuckDB's own text is not shown: it can
be long and says nothing the user can act on (it holds no row content either way).
"""

from __future__ import annotations

import errno
import re
from pathlib import Path

from ..errors import SelfdataError, StoreUnusableError

_LOCK = re.compile(r"Could not set lock|Conflicting lock", re.I)
_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (.+?) \(PID (\d+)\)")
_DAMAGED = re.compile(r"Corrupt database|checksum|not a valid DuckDB database|"
                      r"Could not read enough bytes|database file.*(?:too small|truncated)|"
                      r"Failure while replaying WAL|INTERNAL Error", re.I)
# a quota or a file size limit (ulimit -f) stops writes like a full disk
_FULL = re.compile(r"No space left|disk is full|Disk full|out of disk|quota exceeded|"
                   r"File too large", re.I)
_DENIED = re.compile(r"Permission denied|Read-only file system|Operation not permitted", re.I)
_IN_THE_WAY = re.compile(r"Is a directory|Not a directory", re.I)


def unusable(error: BaseException, path: Path) -> StoreUnusableError | None:
    """The store failure behind `error` (None: not one of these, e.g. a query bug)."""
    text = str(error)
    where = str(path)
    wal = Path(f"{path}.wal")
    if _LOCK.search(text):
        holder = _LOCK_HOLDER.search(text)
        by = f" ({Path(holder[1]).name}, process {holder[2]})" if holder else ""
        return StoreUnusableError(f"the store is in use by another program{by}", file=where,
                                  hint="close the other program (a notebook, `selfdata lab`,"
                                       " another import?) and retry")
    if _FULL.search(text):
        return StoreUnusableError(
            "the disk is full (or your quota or file size limit is reached): the store could"
            " not be written", file=where, hint="free some space on the disk and retry: the"
            " store keeps what was imported before (each file goes in whole or not at all)")
    if _DENIED.search(text):
        if wal.name in text or not path.exists():
            what = f"its write-ahead log {wal.name}" if path.exists() else "the store file"
            return StoreUnusableError(
                f"cannot create files in the store's folder ({what})",
                file=where, hint=f"make the folder writable for you (chmod u+w"
                f" '{path.parent}'), or use a store in a folder you own (--store)")
        return StoreUnusableError("the store file is not writable for you", file=where,
                                  hint=f"check its owner and mode (ls -l '{path}'): importing"
                                  " and forgetting write into it (chmod u+rw)")
    if _IN_THE_WAY.search(text) and wal.name in text:
        return StoreUnusableError(
            f"'{wal.name}' next to the store is not its write-ahead log (a folder?)",
            file=where, hint=f"move '{wal}' away and retry")
    if _DAMAGED.search(text):
        return StoreUnusableError(
            "the store file is damaged (DuckDB found blocks that do not match their checksum"
            " or a file that is not a DuckDB store)", file=where,
            hint=f"restore it from a backup; or run `selfdata check --store '{path}'`: it says"
                 " what still reads, and --repair writes a new store from it; or import your"
                 " export files again into a new store (--store new.duckdb)")
    return None


_FULL_ERRNO = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_DENIED_ERRNO = {errno.EACCES, errno.EPERM, errno.EROFS}


def output_failure(error: BaseException, where: Path | str) -> SelfdataError | None:
    """A report, an export or a workshop folder that cannot be written (full disk, no
    permission): its own message, naming the output, not the store. None: another error."""
    code = getattr(error, "errno", None)
    text = str(error)
    if code in _FULL_ERRNO or (code is None and _FULL.search(text)):
        return SelfdataError("the disk is full (or your quota or file size limit is reached):"
                             " the output could not be written", file=str(where),
                             hint="free some space on the disk (or choose another --out)"
                                  " and retry; the store is unchanged")
    if code in _DENIED_ERRNO or (code is None and _DENIED.search(text)):
        return SelfdataError("permission denied (or a read-only disk)", file=str(where),
                             hint="check the owner and mode of the file and its folder"
                                  " (ls -l), or write to a folder you own (--out)")
    if code in (errno.EEXIST, errno.ENOTDIR):  # `--out FILE` where a folder is written
        return SelfdataError("expected a folder (or nothing) here, but a file is in the way on"
                             " that path", file=str(where),
                             hint="choose another --out, or move that file away")
    if code == errno.EISDIR:
        return SelfdataError("expected a file here, but it is a folder", file=str(where),
                             hint="give the path of a file")
    return None
