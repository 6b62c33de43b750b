"""A person's own category rules: the choices they made in the explorer or with
`selfdata categorize`, kept in a small TOML file of their own, never in the imported rows.

One file per person, `<rules folder>/<person id>.toml`; the folder is $SELFDATA_RULES_DIR when
set, else `<store file without .duckdb>.rules/` next to the store. Each rule matches in one of
three ways and names a category (and optionally a subcategory):

    [[rule]]
    transaction = "9f2c..."      # one transaction (its uid)
    category = "gifts"

    [[rule]]
    merchant = "MONOPRIX"        # every payment to that merchant (the report's merchant name)
    category = "groceries"

    [[rule]]
    label = "AMAZON PRIME"       # every label containing this text (case and accents ignored)
    category = "subscriptions"

A rule for the same transaction, merchant or label text replaces the older one. Removing a
rule restores whatever the next rules decide. The file is written whole (a temporary file
renamed over it) and readable by its owner only.
"""

from __future__ import annotations

import hashlib
import os
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..errors import SelfdataError

ENV = "SELFDATA_RULES_DIR"
KINDS = ("transaction", "merchant", "label")  # the order in which rules apply
MAX_NAME = 60


@dataclass(frozen=True)
class Rule:
    kind: str  # one of KINDS
    match: str  # a uid, a merchant name (upper case) or a label text (upper case, no accents)
    category: str
    subcategory: str | None = None


def plain(text: str) -> str:
    """Upper case without accents, spaces collapsed: how merchant names and label texts are
    compared ("Café" and "CAFE" are the same)."""
    decomposed = unicodedata.normalize("NFKD", text.upper())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def rules_dir(store_path: str | Path | None) -> Path | None:
    """Where the rules files live (None: an in-memory store and no $SELFDATA_RULES_DIR)."""
    if os.environ.get(ENV):
        return Path(os.environ[ENV])
    if not store_path:
        return None
    store = Path(store_path)
    return store.with_name(store.stem + ".rules")


def rules_file(store_path: str | Path | None, person: str) -> Path | None:
    folder = rules_dir(store_path)
    return folder / f"{person}.toml" if folder else None


def check_category(name: str, what: str = "--category") -> str:
    """A category name as typed by the user: one line of printable text, trimmed."""
    name = " ".join(str(name).split())
    if not name or len(name) > MAX_NAME or not all(ch.isprintable() for ch in name):
        raise SelfdataError(f"a category is 1 to {MAX_NAME} printable characters on one line",
                            file=what, hint="e.g. --category groceries")
    return name


def read_rules(path: Path | None) -> list[Rule]:
    """The rules of a file in file order (none if it does not exist); a broken file is a
    SelfdataError naming it and the rule."""
    if path is None or not path.exists():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        # tomllib says "(at line N, column M)": the line is the useful part
        raise SelfdataError(f"expected a TOML rules file: {str(e).split(' (')[0]}",
                            file=str(path), hint="see docs/reports.md, 'Your own categories'"
                            ) from None
    rules = []
    for n, entry in enumerate(data.get("rule", []), start=1):
        kinds = [k for k in KINDS if k in entry] if isinstance(entry, dict) else []
        if len(kinds) != 1 or not isinstance(entry.get("category"), str) \
                or not isinstance(entry[kinds[0]], str) or not entry[kinds[0]].strip():
            raise SelfdataError(f"rule {n}: expected one of {', '.join(KINDS)} and a category",
                                file=str(path), hint="see docs/reports.md, 'Your own categories'")
        sub = entry.get("subcategory")
        kind = kinds[0]
        match = entry[kind].strip() if kind == "transaction" else plain(entry[kind])
        rules.append(Rule(kind, match, check_category(entry["category"], str(path)),
                          check_category(sub, str(path)) if sub else None))
    return rules


def version(path: Path | None) -> str:
    """A short digest of the file's bytes: the rule set's version (no file: "none")."""
    if path is None or not path.exists():
        return "none"
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def add_rule(path: Path, rule: Rule) -> list[Rule]:
    """Save `rule`, replacing a rule with the same kind and match. Returns the new rules."""
    rules = [r for r in read_rules(path) if (r.kind, r.match) != (rule.kind, rule.match)]
    rules.append(rule)
    write_rules(path, rules)
    return rules


def remove_rule(path: Path, kind: str, match: str) -> Rule | None:
    """Remove the rule of that kind and match; the removed rule, or None if there was none."""
    rules = read_rules(path)
    key = (kind, match.strip() if kind == "transaction" else plain(match))
    gone = next((r for r in rules if (r.kind, r.match) == key), None)
    if gone:
        write_rules(path, [r for r in rules if r is not gone])
    return gone


def write_rules(path: Path, rules: list[Rule]) -> None:
    lines = ["# My category rules (selfdata_kit). Written by `selfdata categorize` and the",
             "# explorer; edit freely. Order: transaction rules, then merchant, then label",
             "# (the first label rule in this file wins). See docs/reports.md.", ""]
    for r in rules:
        lines += ["[[rule]]", f"{r.kind} = {_toml_string(r.match)}",
                  f"category = {_toml_string(r.category)}"]
        if r.subcategory:
            lines.append(f"subcategory = {_toml_string(r.subcategory)}")
        lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    os.replace(tmp, path)


def _toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'
