"""Benchmark: ten years of one person's bank history (issue 13, item 5).

A dedicated generator writes a French bank CSV (Windows-1252, ';', decimal comma) with labels
as varied as real card payments: card payments in three bank styles ("CB X 12/03", "CARTE
X1234 12/03 X TOWN", "PAIEMENT CB 1203 TOWN X"), chain stores with their store numbers,
thousands of independent shops, payment-terminal prefixes (SUMUP *, ZETTLE_*, SQ *, PAYPAL *),
marketplace references, direct debits with mandate references, salary and transfers, cash
withdrawals. It is imported with the real CLI into a temporary store, with a sample persona's
other exports (calls, chats, energy, places, media: `--others`, so that every report has its
real work, not "no data here yet"), then, in one run:

- the spending report's analysis (its key figures and every section's analysis function, as
  the notebook calls them, on one connection) and `selfdata summary --json` (the real CLI in a
  subprocess);
- the baseline, the PREVIOUS categorisation (kept below as `old_prepare`: the label patterns
  joined to every row with `regexp_matches` on a pattern column, redone by every section):
  `--baseline full` patches it in and times the same two (ratio baseline / now); the default
  `--baseline one` times one categorisation old and new on fresh connections and counts how
  many the report asks for (at 20,000 rows the full old report takes half an hour).

Run: python benchmarks/long_history.py [--rows 20000] [--baseline one|full|none] [--keep DIR]
     python benchmarks/one_report.py     # each one-report command, this code vs a baseline
     python benchmarks/long_history.py --rows 5000 --baseline full   # whole report, old vs new
     python benchmarks/long_history.py --rows 500000 --baseline none # finishes, timed
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
HEADER = "Date de l'opération;Libellé;Montant de l'opération;Devise"
PERSON = "bench"
OTHERS = "p0001-student"  # whose calls, chats, energy, places and media the person gets
OTHER_KINDS = ("calls", "chats", "energy", "location", "media")

CHAINS = ("CARREFOUR CITY", "CARREFOUR MARKET", "MONOPRIX", "FRANPRIX", "LIDL", "ALDI",
          "INTERMARCHE", "SUPER U", "LECLERC", "PICARD", "BIOCOOP", "NATURALIA", "FNAC",
          "DECATHLON", "IKEA", "LEROY MERLIN", "CASTORAMA", "BOULANGER", "DARTY", "ZARA",
          "H&M", "UNIQLO", "SEPHORA", "PHARMACIE", "RELAY", "MC DONALDS", "BURGER KING",
          "STARBUCKS", "PAUL", "SNCF INTERNET", "RATP", "TOTAL ACCESS", "ESSO", "SHELL",
          "VINCI AUTOROUTES", "INDIGO PARKING", "UBER", "BOLT", "DELIVEROO", "UBER EATS")
SHOP_KINDS = ("BOULANGERIE", "BAR TABAC", "BRASSERIE", "RESTAURANT", "CAVE", "FLEURISTE",
              "LIBRAIRIE", "PRESSING", "COIFFURE", "EPICERIE", "BOUCHERIE", "FROMAGERIE",
              "CAFE", "PIZZERIA", "TRAITEUR", "OPTIQUE", "QUINCAILLERIE", "GARAGE")
NAMES = ("DU MARCHE", "DES LILAS", "LE PETIT ZINC", "DE LA GARE", "SAINT MARTIN", "CHEZ PAUL",
         "LES ARCADES", "DU PORT", "LA FOURNEE", "DU CENTRE", "L ATELIER", "LE COMPTOIR",
         "DES HALLES", "MARIE", "DU PONT", "LE MOULIN", "BELLEVUE", "DE LA PLACE",
         "LES TILLEULS", "DU CHATEAU", "VICTOR HUGO", "JEAN JAURES", "DE LA POSTE")
TERMINALS = ("SUMUP *", "ZETTLE_*", "SQ *", "PAYPAL *", "SUMUP  *", "")
TOWNS = ("PARIS 11", "PARIS", "LYON 3", "NANTES", "RENNES", "LILLE", "BORDEAUX", "TOULOUSE",
         "MARSEILLE", "ANGERS", "TOURS", "DIJON", "ST NAZAIRE", "LA BAULE", "VANNES", "BREST")
DEBITS = ("EDF CLIENTS PARTICULIERS", "FREE MOBILE", "ORANGE SA", "SFR", "NETFLIX.COM",
          "SPOTIFY", "MAIF", "MACIF", "AXA FRANCE IARD", "ENGIE", "VEOLIA EAU", "CANAL+",
          "DGFIP IMPOT", "FITNESS PARK", "BOUYGUES TELECOM")


def shop_pool(rnd: random.Random, n: int) -> list[str]:
    """`n` merchants as they appear on statements: chains with store numbers, independent
    shops, online ones with order references."""
    pool = []
    for _ in range(n):
        kind = rnd.random()
        if kind < 0.35:
            pool.append(f"{rnd.choice(CHAINS)} {rnd.randrange(10000):04d}"
                        if rnd.random() < 0.6 else rnd.choice(CHAINS))
        elif kind < 0.85:
            pool.append(f"{rnd.choice(TERMINALS)}{rnd.choice(SHOP_KINDS)}"
                        f" {rnd.choice(NAMES)}".strip())
        else:
            pool.append(rnd.choice(("AMAZON MKTPLC*", "AMZN MKTP FR*", "PAYPAL *EBAY ",
                                    "VINTED*", "LEBONCOIN*")) + "".join(
                rnd.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(6)))
    return pool


def label(rnd: random.Random, shops: list[str], day: date) -> tuple[str, int]:
    """One statement label and its amount in cents."""
    r = rnd.random()
    if r < 0.78:
        shop = shops[min(int(rnd.paretovariate(1.2)) - 1, len(shops) - 1)
                     if rnd.random() < 0.6 else rnd.randrange(len(shops))]
        town = rnd.choice(TOWNS)
        style = rnd.random()
        text = (f"CB {shop} {day:%d/%m}" if style < 0.4 else
                f"CARTE X{rnd.randrange(10000):04d} {day:%d/%m} {shop} {town}" if style < 0.8
                else f"PAIEMENT CB {day:%d%m} {town} {shop}")
        return text, -int(rnd.lognormvariate(7.3, 1.0))
    if r < 0.88:
        who = rnd.choice(DEBITS)
        return (f"PRLV SEPA {who} ECH/{day:%d%m%y} ID EMETTEUR/FR{rnd.randrange(10**8):08d}"
                f" MDT/{rnd.randrange(10**6):06d}"), -rnd.randrange(900, 15000)
    if r < 0.93:
        return f"RETRAIT DAB {day:%d/%m} {rnd.choice(TOWNS)}", -rnd.choice((2000, 4000, 6000))
    if r < 0.97:
        return (f"VIR SEPA RECU /DE ACME SAS /MOTIF SALAIRE {day:%m/%Y}"
                f" /REF {rnd.randrange(10**9)}"), rnd.randrange(180000, 260000)
    return rnd.choice(("VIR INST VERS LIVRET A", "VIREMENT VERS COMPTE JOINT",
                       f"VIR SEPA {rnd.choice(NAMES)} REMBOURSEMENT")), -rnd.randrange(2000,
                                                                                       50000)


def write_history(path: Path, rows: int, seed: int = 13) -> None:
    rnd = random.Random(seed)
    shops = shop_pool(rnd, max(400, rows // 5))
    start = date.today().replace(day=1) - timedelta(days=3652)
    days = sorted(start + timedelta(days=rnd.randrange(3652)) for _ in range(rows))
    with open(path, "w", encoding="cp1252", newline="") as f:
        f.write(HEADER + "\r\n")
        for day in days:
            text, cents = label(rnd, shops, day)
            sign = "-" if cents < 0 else ""
            f.write(f"{day:%d/%m/%Y};{text};{sign}{abs(cents) // 100},{abs(cents) % 100:02d}"
                    ";EUR\r\n")


def build_store(work: Path, rows: int, others: str = OTHERS) -> Path:
    """`work`/store.duckdb: the generated history of `rows` lines imported with the real CLI
    for PERSON, and the sample persona `others`' other exports ("none": without)."""
    csv_path, store = work / "releve.csv", work / "store.duckdb"
    write_history(csv_path, rows)
    extra = ([] if others == "none" else
             [str(ROOT / "sample_data" / others / kind) for kind in OTHER_KINDS])
    subprocess.run([sys.executable, "-m", "selfdata_kit.cli", "import", str(csv_path), *extra,
                    "--person", PERSON, "--store", str(store)], check=True,
                   stdout=subprocess.DEVNULL, cwd=ROOT)
    return store


# --- the previous categorisation, kept as the baseline ------------------------------------

def old_prepare(con, scope, settings_path=None) -> str:
    """Before issue 13.5: every section re-ran this, the pattern join included."""
    from selfdata_kit.analysis import categories as c
    from selfdata_kit.enrich.merchants import load_settings

    old_categorize(con, scope)
    c.register_merchants(con, scope.person, load_settings(settings_path))
    con.execute(f"""CREATE OR REPLACE TEMP TABLE spending_tx AS
        SELECT c.*, coalesce(m.merchant, '?') AS merchant FROM categorized c
        LEFT JOIN merchants m ON m.raw = {c.MERCHANT_SQL}""").fetchall()
    return "spending_tx"


def old_categorize(con, scope, user_rules=None, settings_path=None) -> str:
    from selfdata_kit.analysis.categories import OTHER, load_rules
    from selfdata_kit.analysis.scope import in_period

    con.register("_category_rules", load_rules(user_rules))
    try:
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE categorized AS
            WITH tx AS (
                SELECT * FROM transactions
                WHERE person_id = $person AND {in_period("booked_on")}),
            matched AS (
                SELECT tx.uid, arg_min(r.category, r.priority) AS category,
                       arg_min(r.subcategory, r.priority) AS subcategory
                FROM tx JOIN _category_rules r
                  ON regexp_matches(coalesce(tx.label, ''), r.pattern, 'i')
                 AND (r.sign = '' OR (r.sign = 'debit') = (tx.amount < 0))
                GROUP BY tx.uid)
            SELECT tx.* EXCLUDE (category),
                   coalesce(tx.category, m.category, '{OTHER}') AS category,
                   m.subcategory
            FROM tx LEFT JOIN matched m USING (uid)
            """, {k: v for k, v in scope.params.items() if k in ("person", "start", "end")}
        ).fetchall()
    finally:
        con.unregister("_category_rules")
    return "categorized"


def old_fun_facts_categorized(con, scope) -> str:
    """The fun facts' own cache as it was: once per scope and import log."""
    import duckdb

    stamp = con.execute("SELECT count(*), coalesce(max(import_id), 0) FROM imports").fetchall()
    key = repr((scope, stamp))
    try:
        have = con.execute("SELECT k FROM fun_facts_categorized_key").fetchall()[0][0]
    except duckdb.CatalogException:
        have = None
    if have != key:
        old_categorize(con, scope)
        con.execute("CREATE OR REPLACE TEMP TABLE fun_facts_categorized AS"
                    " SELECT * FROM categorized")
        con.execute("CREATE OR REPLACE TEMP TABLE fun_facts_categorized_key AS SELECT ? AS k",
                    [key])
    return "fun_facts_categorized"


def use_old() -> None:
    """Patch the previous categorisation in wherever it was called. (The recurring series,
    also found once per connection now, keep their new code: the ratio is categorisation's.)"""
    from selfdata_kit.analysis import bills, explore, spending
    from selfdata_kit.analysis.fun_facts import badges, evidence, metrics

    spending.prepare = bills.prepare = explore.prepare = old_prepare
    for module in (metrics, badges, evidence):  # `month` calls metrics.categorized
        module.categorized = old_fun_facts_categorized


# --- timing -------------------------------------------------------------------------------

def spending_report(store: Path) -> float:
    """Seconds for the spending report's analysis: key figures and every section."""
    from selfdata_kit.analysis.scope import make_scope
    from selfdata_kit.reports.spending import TOPIC, key_figures
    from selfdata_kit.store import open_store

    with open_store(store, read_only=True) as s:
        t0 = time.perf_counter()
        scope = make_scope(s.con, PERSON)
        key_figures(s.con, scope, "en")
        for section in TOPIC.sections.values():
            section.analysis(s.con, scope)
        return time.perf_counter() - t0


def summary(store: Path, old: bool) -> float:
    """Seconds for `selfdata summary --json` in its own process (imports included)."""
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import benchmarks.long_history as b;"
            f" {'b.use_old();' if old else ''}"
            " from selfdata_kit.cli import main; sys.exit(main(sys.argv[2:]))")
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, str(ROOT), "summary", "--person", PERSON,
                    "--json", "--store", str(store)], check=True, stdout=subprocess.DEVNULL,
                   env={**os.environ, "PYTHONPATH": str(ROOT)})
    return time.perf_counter() - t0


def one_categorisation(store: Path, old: bool) -> float:
    """Seconds for one section's categorisation on a fresh connection: what every section
    paid before, and what the first section alone pays now."""
    from selfdata_kit.analysis import spending
    from selfdata_kit.analysis.scope import make_scope
    from selfdata_kit.store import open_store

    with open_store(store, read_only=True) as s:
        scope = make_scope(s.con, PERSON)
        t0 = time.perf_counter()
        (old_prepare if old else spending.prepare)(s.con, scope)
        return time.perf_counter() - t0


def prepare_calls(store: Path) -> int:
    """How many times the spending report's analysis asks for categorised rows (each one was
    a full categorisation before)."""
    from selfdata_kit.analysis import bills, spending

    calls, real = [0], spending.prepare

    def counting(*args, **kwargs):
        calls[0] += 1
        return real(*args, **kwargs)

    spending.prepare = bills.prepare = counting
    try:
        spending_report(store)
    finally:
        spending.prepare = bills.prepare = real
    return calls[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--baseline", choices=["full", "one", "none"], default="one",
                        help="full: the whole report and summary with the previous code"
                        " (about 30 min at 20,000 rows on 2 busy cores); one (default): one"
                        " categorisation, old vs new, and how many the report asked for;"
                        " none (500,000 rows: the old one never ends)")
    parser.add_argument("--keep", type=Path, help="write the files here and keep them")
    parser.add_argument("--others", default=OTHERS,
                        help=f"the sample persona whose other exports the person gets"
                        f" (default {OTHERS}; none: the bank history alone)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        store = build_store(work, args.rows, args.others)
        print(f"{args.rows:,} rows generated and imported in {time.perf_counter() - t0:.1f} s"
              f" (other exports: {args.others})")
        distinct = _distinct(store)
        print(f"distinct labels {distinct[0]:,}, distinct merchants {distinct[1]:,}")
        now_report, now_summary = spending_report(store), summary(store, old=False)
        print(f"spending report analysis: {now_report:6.2f} s   (goal < 10 s)")
        print(f"selfdata summary --json : {now_summary:6.2f} s   (goal < 5 s)")
        if args.baseline == "one":
            new_one, old_one = one_categorisation(store, False), one_categorisation(store, True)
            n = prepare_calls(store)
            print(f"one categorisation: now {new_one:.2f} s, before {old_one:.2f} s"
                  f" (ratio {old_one / new_one:.1f}x); the report asks {n} times: before"
                  f" about {n * old_one:.0f} s of categorisation, now {new_one:.2f} s once")
        if args.baseline == "full":
            use_old()
            old_report, old_summary = spending_report(store), summary(store, old=True)
            print(f"baseline spending report: {old_report:6.2f} s   ratio "
                  f"{old_report / now_report:.1f}x")
            print(f"baseline summary        : {old_summary:6.2f} s   ratio "
                  f"{old_summary / now_summary:.1f}x")


def _distinct(store: Path) -> tuple[int, int]:
    from selfdata_kit.analysis.categories import person_categories
    from selfdata_kit.store import open_store

    with open_store(store, read_only=True) as s:
        table = person_categories(s.con, PERSON)
        return s.con.execute(f"SELECT (SELECT count(DISTINCT label) FROM transactions),"
                             f" count(DISTINCT merchant) FROM {table}").fetchall()[0]


if __name__ == "__main__":
    main()
