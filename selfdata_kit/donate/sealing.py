"""Sealing a contribution for its reader: age encryption (X25519 + ChaCha20-Poly1305, the
age-encryption.org/v1 format) through `pyrage`, the Python binding of the Rust `rage`.

age, rather than a scheme of our own: its files and keys are the ones the `age` and `rage`
command-line tools read and write (`age -d -i KEYFILE contribution.age` opens a
contribution without selfdata_kit), and its encryption is authenticated: a file changed by
one byte, or sealed for another key, fails to open instead of opening to something else.

Key files are age's own layout: KEYFILE holds `AGE-SECRET-KEY-1...` under two comment lines,
KEYFILE.pub the public key `age1...` alone.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pyrage

from ..errors import SelfdataError

MAGIC = b"age-encryption.org/v1\n"
ARMOR = b"-----BEGIN AGE ENCRYPTED FILE-----"


def is_sealed(data: bytes) -> bool:
    return data.startswith(MAGIC) or data.lstrip().startswith(ARMOR)


def write_keys(keyfile: Path) -> Path:
    """A new key pair: `keyfile` (the private key, owner-only) and `keyfile.pub`."""
    public_file = keyfile.with_name(keyfile.name + ".pub")
    for path in (keyfile, public_file):
        if path.exists():
            raise SelfdataError("already exists: a key is never overwritten", file=str(path),
                                hint="choose another --out, or delete the old key if no"
                                " contribution sealed for it is still to come")
    identity = pyrage.x25519.Identity.generate()
    public = str(identity.to_public())
    created = datetime.now(UTC).replace(microsecond=0).isoformat()
    text = f"# created: {created}\n# public key: {public}\n{identity}\n"
    keyfile.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: never through an existing file or link; 0600 whatever the umask
    fd = os.open(keyfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(text)
    os.chmod(keyfile, 0o600)
    public_file.write_text(public + "\n", encoding="ascii")
    return public_file


def read_recipient(path: Path) -> pyrage.x25519.Recipient:
    """The public key in `path` (`age1...`, comment lines allowed)."""
    lines = _key_lines(path)
    if len(lines) != 1 or not lines[0].startswith("age1"):
        raise SelfdataError("expected one age public key (age1...)", file=str(path),
                            hint="give the .pub file `selfdata keygen` wrote, never the"
                            " private key")
    try:
        return pyrage.x25519.Recipient.from_str(lines[0])
    except pyrage.RecipientError:
        raise SelfdataError("not a valid age public key", file=str(path)) from None


def read_identity(path: Path) -> pyrage.x25519.Identity:
    """The private key in `path` (`AGE-SECRET-KEY-1...`)."""
    lines = [line for line in _key_lines(path) if line.startswith("AGE-SECRET-KEY-1")]
    if len(lines) != 1:
        raise SelfdataError("expected one age private key (AGE-SECRET-KEY-1...)",
                            file=str(path), hint="give the KEYFILE `selfdata keygen` wrote,"
                            " not its .pub")
    try:
        return pyrage.x25519.Identity.from_str(lines[0])
    except pyrage.IdentityError:
        raise SelfdataError("not a valid age private key", file=str(path)) from None


def _key_lines(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as e:
        raise SelfdataError(f"cannot read the key file ({type(e).__name__})",
                            file=str(path)) from None
    return [s for s in (line.strip() for line in text.splitlines())
            if s and not s.startswith("#")]


def seal(data: bytes, recipient: pyrage.x25519.Recipient) -> bytes:
    return pyrage.encrypt(data, [recipient])


def unseal(data: bytes, identity: pyrage.x25519.Identity, file: str) -> bytes:
    try:
        return pyrage.decrypt(data, [identity])
    except pyrage.DecryptError:
        raise SelfdataError(
            "cannot be opened with this key: the file was changed after it was sealed, or"
            " sealed for another key", file=file,
            hint="ask the participant to send it again, sealed for your .pub file") from None
