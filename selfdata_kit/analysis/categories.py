"""Spending categories of bank transactions, decided once per person and rule set.

Who decides, first match wins:
1. the person's own rules (`enrich.category_rules`: the explorer and `selfdata categorize`
   write them): one transaction, then a merchant, then a text in the label;
2. a category stored with the row (none of the shipped readers fill it);
3. the patterns: an optional CSV rules file then the shipped table `data/categories.csv`
   (French and English merchants), case-insensitive regular expressions searched in the
   label, optionally limited to debits or credits, in file order;
4. "other".

Speed: the person's rules are hash joins (uid, merchant) and plain text tests; the patterns
run only on the rows those left, once per DISTINCT (label, debit) pair, as one CASE of
constant patterns (DuckDB compiles each pattern once; a join ON a pattern column compiled one
per row pair and never finished on 500,000 rows). The result, `person_categories`, is a temp
table kept for the connection and rebuilt only when the person's rows, rules or settings
change (its key: the rows' count and uid digest, the rules file's digest): every section,
chart and summary of a report reuses it. Imported rows are never rewritten.

A cohort decides every person's categories in ONE pass of the same SQL (`group_categories`):
each person's own rules join on (person_id, uid), (person_id, merchant) or person_id and a
text test; the patterns run once per distinct (label, debit) of the whole cohort. A person's
report is that pass for a group of one.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from ..enrich.category_rules import Rule, read_rules, rules_dir, rules_file, version
from ..enrich.merchants import load_settings, merchant_name
from ..errors import SelfdataError
from .scope import Group, Scope, in_group, in_period

OTHER = "other"
# Categories that are not spending: moving money between one's own accounts, and income.
NOT_SPENDING = ("transfer", "income")


def load_rules(user_rules: str | Path | None = None) -> pd.DataFrame:
    """The rules in priority order: the user's file (if any) then the shipped table."""
    frames = []
    if user_rules:
        path = Path(user_rules)
        frames.append(_read_rules(path.read_text(encoding="utf-8-sig"), str(path)))
    shipped = resources.files("selfdata_kit.data") / "categories.csv"
    frames.append(_read_rules(shipped.read_text(encoding="utf-8"), "categories.csv"))
    rules = pd.concat(frames, ignore_index=True)
    rules["priority"] = range(len(rules))
    return rules


def _read_rules(text: str, name: str) -> pd.DataFrame:
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    rows = list(csv.DictReader(io.StringIO("\n".join(lines))))
    expected = {"pattern", "sign", "category", "subcategory"}
    if not rows or not expected <= set(rows[0]):
        raise SelfdataError(f"a rules file needs the columns {', '.join(sorted(expected))}",
                            file=name, hint="see selfdata_kit/data/categories.csv")
    for n, row in enumerate(rows, start=2):
        try:
            re.compile(row["pattern"])
        except re.error:
            raise SelfdataError("expected a regular expression in column pattern",
                                file=name, line=n) from None
        if row["sign"] not in ("", "debit", "credit"):
            raise SelfdataError('expected "debit", "credit" or nothing in column sign',
                                file=name, line=n)
    frame = pd.DataFrame(rows, columns=sorted(expected))
    return frame.assign(subcategory=frame["subcategory"].replace("", None))


# the text a merchant name comes from: the counterparty when the bank gives one, else the label
MERCHANT_SQL = "coalesce(nullif(trim(counterparty), ''), label)"
CACHE = "person_categories"
GROUP_CACHE = "group_categories"


def store_path(con: duckdb.DuckDBPyConnection) -> str | None:
    """The store file behind `con` (None in memory): the rules folder sits next to it."""
    return con.execute("SELECT path FROM duckdb_databases()"
                       " WHERE database_name = current_database()").fetchall()[0][0]


def person_rules_file(con: duckdb.DuckDBPyConnection, person: str) -> Path | None:
    return rules_file(store_path(con), person)


def rule_set_version(con: duckdb.DuckDBPyConnection, person: str | None,
                     user_rules: str | Path | None = None,
                     settings_path: str | Path | None = None) -> str:
    """The digest of everything that decides the person's categories but their rows: their
    rules file, the optional CSV rules file, the merchant settings, the shipped tables."""
    digest = hashlib.sha256(
        (version(person_rules_file(con, person)) if person else "shared").encode())
    for extra in (user_rules, settings_path):
        digest.update(Path(extra).read_bytes() if extra else b"-")
    for name in ("categories.csv", "spending.toml"):
        digest.update((resources.files("selfdata_kit.data") / name).read_bytes())
    return digest.hexdigest()[:16]


def cache_key(con: duckdb.DuckDBPyConnection, name: str) -> str | None:
    """The key the temp table `name` was last built for on this connection (None: never)."""
    try:
        rows = con.execute("SELECT key FROM _selfdata_cache WHERE name = ?", [name]).fetchall()
    except duckdb.CatalogException:
        return None
    return rows[0][0] if rows else None


def _cached(con: duckdb.DuckDBPyConnection, name: str, key: str) -> bool:
    """Whether the temp table `name` was built for `key` on this connection."""
    return cache_key(con, name) == key


def remember(con: duckdb.DuckDBPyConnection, name: str, key: str) -> None:
    con.execute("CREATE TEMP TABLE IF NOT EXISTS _selfdata_cache (name VARCHAR, key VARCHAR)")
    con.execute("DELETE FROM _selfdata_cache WHERE name = ?", [name])
    con.execute("INSERT INTO _selfdata_cache VALUES (?, ?)", [name, key])


def person_categories(con: duckdb.DuckDBPyConnection, person: str,
                      user_rules: str | Path | None = None,
                      settings_path: str | Path | None = None) -> str:
    """The temp table `person_categories(person_id, uid, merchant, category, subcategory,
    decided_by)`: every transaction of `person`, built once per rows and rule-set version (see
    the module docstring). `decided_by` is transaction, merchant, label, stored, pattern or
    other. The same SQL as `group_categories` for a group of one."""
    return _categories(con, CACHE, Group((person,)), user_rules, settings_path)


def group_categories(con: duckdb.DuckDBPyConnection, group: Group,
                     user_rules: str | Path | None = None,
                     settings_path: str | Path | None = None) -> str:
    """The temp table `group_categories`: `person_categories` for every person of `group` at
    once (each person with their own rules file), built by one pass of the same SQL."""
    return _categories(con, GROUP_CACHE, group, user_rules, settings_path)


def _rules_files(con: duckdb.DuckDBPyConnection, group: Group) -> dict[str, Path]:
    """person -> their rules file, for the persons of `group` who have one (one listing of
    the rules folder, not one look-up per person)."""
    folder = rules_dir(store_path(con))
    if folder is None or not folder.is_dir():
        return {}
    if group.persons is not None and len(group.persons) <= 10:  # a person's report: no listing
        return {p: f for p in group.persons if (f := folder / f"{p}.toml").is_file()}
    wanted = None if group.persons is None else set(group.persons)
    return {f.stem: f for f in sorted(folder.glob("*.toml"))
            if wanted is None or f.stem in wanted}


def _categories(con: duckdb.DuckDBPyConnection, table: str, group: Group,
                user_rules: str | Path | None, settings_path: str | Path | None) -> str:
    params = {"persons": group.params["persons"]}
    stamp = con.execute(f"SELECT count(*), coalesce(sum(hash(person_id, uid)), 0)"
                        f" FROM transactions WHERE {in_group('person_id')}", params
                        ).fetchall()[0]
    files = _rules_files(con, group)
    digest = hashlib.sha256(rule_set_version(con, None, user_rules, settings_path).encode())
    for person, path in files.items():
        digest.update(f"{person}={version(path)};".encode())
    key = repr((group.persons, stamp, digest.hexdigest()[:16]))
    if not _cached(con, table, key):
        twin = GROUP_CACHE if table == CACHE else CACHE
        if _cached(con, twin, key):
            # the same persons, rows and rules (a person's fun facts in a store too small
            # for a cohort ask both): the same table, copied rather than decided again
            con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM {twin}"
                        ).fetchall()
        else:
            mine = {person: read_rules(path) for person, path in files.items()}
            _build(con, table, group, load_rules(user_rules), mine,
                   load_settings(settings_path))
        remember(con, table, key)
    return table


def _build(con: duckdb.DuckDBPyConnection, table: str, group: Group, patterns: pd.DataFrame,
           mine: dict[str, list[Rule]], settings: dict[str, Any]) -> None:
    """One pass for all persons of `group`: the persons' rules are hash joins on
    (person_id, uid) and (person_id, merchant), label rules a join on person_id with a plain
    text test; the patterns run once per distinct (label, debit) left undecided."""
    persons = {"persons": group.params["persons"]}
    _register_merchants(con, group, settings)

    def frame(kind: str, column: str) -> pd.DataFrame:
        return pd.DataFrame([(p, r.match, r.category, r.subcategory)
                             for p, rules in mine.items() for r in rules if r.kind == kind],
                            columns=["person_id", column, "category", "sub"], dtype=object)

    labels = pd.DataFrame(
        [(p, n, r.match, r.category, r.subcategory) for p, rules in mine.items()
         for n, r in enumerate([r for r in rules if r.kind == "label"])],
        columns=["person_id", "n", "match", "category", "sub"]).astype(
        {"person_id": object, "match": object, "category": object, "sub": object})
    con.register("_by_uid", frame("transaction", "uid"))
    con.register("_by_merchant", frame("merchant", "merchant"))
    con.register("_label_rules", labels)
    con.register("_patterns", patterns)
    try:
        # 1. the persons' rules; the merchant comes with every row. A label rule: the first
        # (lowest n) of the person's label rules whose text the label holds.
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE _mine AS
            WITH tx AS (
                SELECT person_id, uid, label, amount < 0 AS debit, category AS stored,
                       {MERCHANT_SQL} AS raw
                FROM transactions WHERE {in_group('person_id')}),
            by_label AS (
                SELECT t.person_id, t.uid, min(l.n) AS label_rule
                FROM tx t JOIN _label_rules l ON l.person_id = t.person_id
                 AND contains({_plain('t.label')}, CAST(l.match AS VARCHAR))
                GROUP BY ALL)
            SELECT t.person_id, t.uid, t.label, t.debit, t.stored,
                   coalesce(m.merchant, '?') AS merchant,
                   u.category AS u_cat, u.sub AS u_sub, bm.category AS m_cat, bm.sub AS m_sub,
                   bl.label_rule
            FROM tx t
            LEFT JOIN merchants m ON m.raw = t.raw
            LEFT JOIN _by_uid u ON u.person_id = t.person_id AND u.uid = t.uid
            LEFT JOIN _by_merchant bm ON bm.person_id = t.person_id
                 AND bm.merchant = m.merchant
            LEFT JOIN by_label bl ON bl.person_id = t.person_id AND bl.uid = t.uid""",
                    persons).fetchall()
        # 2. the patterns, once per distinct (label, debit) left undecided
        whens = "".join(
            f"WHEN regexp_matches(label, {_literal(p)}, 'i'){_sign(s)} THEN {n} "
            for p, s, n in zip(patterns["pattern"], patterns["sign"], patterns["priority"],
                               strict=True))
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE _by_pattern AS
            SELECT label, debit, CASE {whens} END AS priority
            FROM (SELECT DISTINCT coalesce(label, '') AS label, debit FROM _mine
                  WHERE u_cat IS NULL AND m_cat IS NULL AND label_rule IS NULL
                    AND stored IS NULL)""").fetchall()
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE {table} AS
            SELECT x.person_id, x.uid, x.merchant,
                   coalesce(x.u_cat, x.m_cat, l.category, x.stored, r.category, '{OTHER}')
                       AS category,
                   CASE WHEN x.u_cat IS NOT NULL THEN x.u_sub
                        WHEN x.m_cat IS NOT NULL THEN x.m_sub
                        WHEN l.category IS NOT NULL THEN l.sub
                        WHEN x.stored IS NOT NULL THEN NULL
                        ELSE r.subcategory END AS subcategory,
                   CASE WHEN x.u_cat IS NOT NULL THEN 'transaction'
                        WHEN x.m_cat IS NOT NULL THEN 'merchant'
                        WHEN l.category IS NOT NULL THEN 'label'
                        WHEN x.stored IS NOT NULL THEN 'stored'
                        WHEN r.category IS NOT NULL THEN 'pattern'
                        ELSE 'other' END AS decided_by
            FROM _mine x
            LEFT JOIN _label_rules l ON l.person_id = x.person_id AND l.n = x.label_rule
            LEFT JOIN _by_pattern p ON p.label = coalesce(x.label, '') AND p.debit = x.debit
            LEFT JOIN _patterns r ON r.priority = p.priority""").fetchall()
        con.execute("DROP TABLE _mine")
        con.execute("DROP TABLE _by_pattern")
    finally:
        for name in ("_by_uid", "_by_merchant", "_label_rules", "_patterns"):
            con.unregister(name)


def _literal(text: str) -> str:
    """A SQL string literal (DuckDB strings have no backslash escapes: only quotes double)."""
    return "'" + text.replace("'", "''") + "'"


def _plain(column: str) -> str:
    """SQL: the label as rules compare it, like `category_rules.plain` (upper case, no
    accents, spaces collapsed)."""
    return f"regexp_replace(strip_accents(upper(coalesce({column}, ''))), '\\s+', ' ', 'g')"


def _sign(sign: str) -> str:
    return {"debit": " AND debit", "credit": " AND NOT debit"}.get(sign, "")


def register_merchants(con: duckdb.DuckDBPyConnection, person: str,
                       settings: dict[str, Any] | None = None) -> str:
    """The temp table `merchants(raw, merchant)` for the person's distinct label texts."""
    return _register_merchants(con, Group((person,)), settings)


def _register_merchants(con: duckdb.DuckDBPyConnection, group: Group,
                        settings: dict[str, Any] | None = None) -> str:
    """The temp table `merchants(raw, merchant)` for the group's distinct label texts
    (normalised in Python once per distinct text, joined back in SQL). Returns its name."""
    raw = con.execute(f"SELECT DISTINCT {MERCHANT_SQL} AS raw FROM transactions"
                      f" WHERE {in_group('person_id')}"
                      " AND (label IS NOT NULL OR counterparty IS NOT NULL)",
                      {"persons": group.params["persons"]}).df()
    frame = pd.DataFrame({"raw": raw["raw"].astype(object),
                          "merchant": [merchant_name(r, settings) for r in raw["raw"]]})
    con.register("_merchant_map", frame)
    try:
        con.execute("CREATE OR REPLACE TEMP TABLE merchants AS"
                    " SELECT CAST(raw AS VARCHAR) AS raw, CAST(merchant AS VARCHAR) AS merchant"
                    " FROM _merchant_map").fetchall()
    finally:
        con.unregister("_merchant_map")
    return "merchants"


def categorize(con: duckdb.DuckDBPyConnection, scope: Scope,
               user_rules: str | Path | None = None,
               settings_path: str | Path | None = None) -> str:
    """The temp table `categorized`: the scope's transactions with `category`, `subcategory`
    and `merchant`, from `person_categories` (rebuilt only when the scope, rows or rules
    change). Returns its name."""
    table = person_categories(con, scope.person, user_rules, settings_path)
    key = repr((scope, cache_key(con, CACHE)))
    if not _cached(con, "categorized", key):
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE categorized AS
            SELECT t.* EXCLUDE (category), c.category, c.subcategory, c.merchant
            FROM transactions t JOIN {table} c USING (person_id, uid)
            WHERE t.person_id = $person AND {in_period("t.booked_on")}""",
                    {k: v for k, v in scope.params.items() if k in ("person", "start", "end")}
                    ).fetchall()
        remember(con, "categorized", key)
    return "categorized"


PROPOSE_AFTER = 3  # identical choices for one merchant before a merchant rule is proposed


def proposals(con: duckdb.DuckDBPyConnection, person: str) -> pd.DataFrame:
    """Merchant rules worth proposing: a merchant with at least `PROPOSE_AFTER` transactions
    the person put by hand (transaction rules) in the same category, and no merchant rule
    yet. Columns merchant, category, choices."""
    mine = read_rules(person_rules_file(con, person))
    chosen = pd.DataFrame([(r.match, r.category) for r in mine if r.kind == "transaction"],
                          columns=["uid", "category"], dtype=object)
    ruled = pd.DataFrame({"merchant": [r.match for r in mine if r.kind == "merchant"]},
                         dtype=object)
    table = person_categories(con, person)
    con.register("_chosen", chosen)
    con.register("_ruled", ruled)
    try:
        return con.execute(f"""
            SELECT p.merchant, c.category, count(*) AS choices
            FROM _chosen c JOIN {table} p ON p.uid = c.uid
            WHERE p.merchant NOT IN (SELECT merchant FROM _ruled)
            GROUP BY 1, 2 HAVING count(*) >= {PROPOSE_AFTER}
            ORDER BY choices DESC, p.merchant, c.category""").df()
    finally:
        con.unregister("_chosen")
        con.unregister("_ruled")


def decided(con: duckdb.DuckDBPyConnection, person: str, rule: Rule) -> int:
    """How many of the person's transactions `rule` decides now (a later-applied rule may be
    shadowed by an earlier one: see the order in the module docstring)."""
    table = person_categories(con, person)
    column = {"transaction": "uid", "merchant": "merchant"}.get(rule.kind)
    if column:
        return con.execute(f"SELECT count(*) FROM {table} WHERE decided_by = ? AND {column} = ?",
                           [rule.kind, rule.match]).fetchall()[0][0]
    return con.execute(f"""SELECT count(*) FROM {table} p JOIN transactions t USING (uid)
        WHERE t.person_id = ? AND p.decided_by = 'label' AND p.category = ?
          AND contains({_plain("t.label")}, ?)""",
                       [person, rule.category, rule.match]).fetchall()[0][0]
