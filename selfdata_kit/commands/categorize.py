"""`selfdata categorize`: the person's own category rules from the command line, the same
rules file the explorer writes (`enrich.category_rules`). A rule never changes an imported
row: the reports derive categories from the rules, so removing a rule restores the category
the next rules give."""

from __future__ import annotations

from pathlib import Path

from ..analysis.categories import decided, person_categories, person_rules_file, proposals
from ..analysis.scope import make_scope
from ..enrich.category_rules import Rule, add_rule, check_category, plain, read_rules, remove_rule
from ..errors import SelfdataError
from ..store import open_store


def run_categorize(store_path: Path | None, person: str, *, match: str | None = None,
                   merchant: str | None = None, transaction: str | None = None,
                   category: str | None = None, subcategory: str | None = None,
                   remove: bool = False, listing: bool = False) -> int:
    given = [(k, v) for k, v in (("label", match), ("merchant", merchant),
                                 ("transaction", transaction)) if v is not None]
    if listing:
        if given or category or remove:
            raise SelfdataError("--list takes no rule: give --list alone with --person")
    elif len(given) != 1:
        raise SelfdataError("give one of --match TEXT, --merchant NAME or --transaction UID",
                            hint="e.g. selfdata categorize --person alice --match 'PICARD'"
                                 " --category groceries")
    elif not remove and not category:
        raise SelfdataError("give --category NAME (or --remove to remove the rule)")
    elif remove and category:
        raise SelfdataError("--remove takes no --category")
    with open_store(store_path, read_only=True) as store:
        con = store.con
        make_scope(con, person)  # a clear error for an unknown person
        path = person_rules_file(con, person)
        if path is None:
            raise SelfdataError("an in-memory store has no rules folder",
                                hint="set SELFDATA_RULES_DIR")
        if listing:
            return _list(con, person, path)
        kind, value = given[0]
        if not value.strip():
            raise SelfdataError(f"the {kind} to match is empty")
        if remove:
            gone = remove_rule(path, kind, value)
            if gone is None:
                raise SelfdataError(f"no {kind} rule for {_shown(value)!r}", file=str(path),
                                    hint="see them all with --list")
            print(f"removed: {_describe(gone)}; the reports follow the remaining rules")
            return 0
        rule = Rule(kind, value.strip() if kind == "transaction" else plain(value),
                    check_category(category), check_category(subcategory, "--subcategory")
                    if subcategory else None)
        if kind == "transaction" and not con.execute(
                "SELECT count(*) FROM transactions WHERE person_id = ? AND uid = ?",
                [person, rule.match]).fetchall()[0][0]:
            raise SelfdataError(f"{person!r} has no transaction with this uid",
                                file="--transaction", hint="uids are in `selfdata export`")
        add_rule(path, rule)
        n = decided(con, person, rule)
        print(f"saved in {path}: {_describe(rule)}")
        print(f"it decides {n} of {person}'s transactions now" if n else
              "it matches none of the transactions yet: it will apply to future imports")
        _print_proposals(con, person)
    return 0


def _list(con, person: str, path: Path) -> int:
    rules = read_rules(path)
    print(f"{len(rules)} rule(s) in {path}" if rules else f"no rules yet ({path})")
    for rule in rules:
        print(f"  {_describe(rule)}  ({decided(con, person, rule)} transactions)")
    counts = con.execute(f"SELECT decided_by, count(*) FROM {person_categories(con, person)}"
                         " GROUP BY 1 ORDER BY 2 DESC").fetchall()
    if counts:
        print("decided by: " + ", ".join(f"{k} {n}" for k, n in counts))
    _print_proposals(con, person)
    return 0


def _print_proposals(con, person: str) -> None:
    for merchant, category, n in proposals(con, person).itertuples(index=False):
        print(f"proposed: you put {n} payments to {_shown(merchant)} in {_shown(category)!r};"
              f" make it a rule: selfdata categorize --person {person}"
              f" --merchant {_quoted(merchant)} --category {_quoted(category)}")


def _describe(rule: Rule) -> str:
    what = {"label": "labels containing", "merchant": "merchant",
            "transaction": "transaction"}[rule.kind]
    sub = f" / {_shown(rule.subcategory)}" if rule.subcategory else ""
    return f"{what} {_shown(rule.match)!r} -> {_shown(rule.category)!r}{sub}"


def _shown(text: str) -> str:
    """Printable only: a control character could rewrite the terminal."""
    return "".join(ch if ch.isprintable() else "?" for ch in text)


def _quoted(text: str) -> str:
    import shlex

    return shlex.quote(_shown(text))
