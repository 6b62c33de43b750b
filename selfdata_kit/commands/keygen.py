"""`selfdata keygen`: the facilitator's or researcher's key pair for sealed contributions
(age format: `age -d -i KEYFILE` opens them too)."""

from __future__ import annotations

from pathlib import Path

from ..donate.sealing import write_keys


def run_keygen(keyfile: Path) -> int:
    public = write_keys(keyfile)
    print(f"private key: {keyfile} (readable by you only: keep it, never send it)")
    print(f"public key:  {public} (give it to the participants: selfdata contribute --for"
          f" {public.name})")
    return 0
