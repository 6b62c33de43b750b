"""`selfdata formats | persons | imports | forget`: what the tool reads, what the store holds,
and removing a person."""

from __future__ import annotations

from pathlib import Path

from .. import sources
from ..store import open_store


def list_formats() -> int:
    known = sources.all_sources()
    width = max(len(s.name) for s in known)
    for s in known:
        print(f"{s.name:<{width}}  {s.kind:<7} {s.title}")
    return 0


def list_persons(store_path: Path | None) -> int:
    with open_store(store_path, read_only=True) as store:
        frame = store.persons()
    if frame.empty:
        print("no persons yet: `selfdata import PATH --person ID` adds one")
        return 0
    print(frame.to_string(index=False))
    return 0


def list_imports(store_path: Path | None, person: str | None, with_issues: bool) -> int:
    with open_store(store_path, read_only=True) as store:
        frame = store.imports(person)
        issues = store.import_issues(person)
    if frame.empty:
        print("no imports yet")
        return 0
    print(frame.to_string(index=False))
    if with_issues and not issues.empty:
        print("\nrejected lines:")
        print(issues.to_string(index=False))
    return 0


def forget_person(store_path: Path | None, person: str) -> int:
    with open_store(store_path) as store:
        removed = store.forget(person)
    total = sum(removed.values())
    if not total:
        print(f"nothing stored about {person!r}")
        return 0
    detail = ", ".join(f"{n} {t}" for t, n in removed.items() if n)
    print(f"forgot {person!r}: {detail}; the store file was rewritten without them")
    return 0
