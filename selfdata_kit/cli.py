"""`selfdata`: the command line. Thin: parse arguments, call the package, print."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import duckdb

from . import __version__
from .errors import SelfdataError
from .reports import TOPICS
from .store import check_person_id, default_store_path, owner_only
from .store.failures import output_failure, unusable


def _store_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--store", type=Path, default=None,
                   help="DuckDB store file (default: $SELFDATA_STORE, else ./selfdata.duckdb)")


# analysis.disclosure's defaults, written here so that parsing imports no pandas
# (tests/analysis/test_disclosure.py checks that they agree)
K_DEFAULT, DOMINANCE_DEFAULT = 10, 85


def _disclosure_args(p: argparse.ArgumentParser, prefix: str = "") -> None:
    p.add_argument("--k", type=int, default=K_DEFAULT,
                   help=f"{prefix}fewest persons a published figure is computed over (default"
                   f" {K_DEFAULT}, never below 5; docs/privacy.md)")
    p.add_argument("--dominance", type=float, default=DOMINANCE_DEFAULT, metavar="PERCENT",
                   help=f"{prefix}a sum or mean where one person holds more than PERCENT %% of"
                   f" the total is suppressed (default {DOMINANCE_DEFAULT})")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="selfdata",
        description="Load your personal data exports into a local DuckDB store and explore them."
        " Nothing is sent anywhere.",
    )
    parser.add_argument("--version", action="version", version=f"selfdata_kit {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks and parser details")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("import", help="import export files, folders and zips for one person",
                       description="Import export files, folders (recursively) and zip archives."
                       " Each file goes in whole or not at all; re-importing adds nothing.")
    p.add_argument("paths", nargs="*", metavar="PATH", help="file, folder or zip")
    p.add_argument("--person", help="who the data is about (an id you choose)")
    p.add_argument("--cohort", type=Path, metavar="DIR",
                   help="a folder with one sub-folder per person (named by the person id)")
    p.add_argument("--jobs", type=int, default=2,
                   help="worker processes parsing a cohort in parallel (default 2)")
    p.add_argument("--batch", type=int, default=20, metavar="N",
                   help="cohort: persons written per transaction (default 20; 0 writes file"
                   " by file, slower). Each file still goes in whole or not at all")
    p.add_argument("--executor", choices=["local", "dask"], default="local",
                   help="cohort: parse on local processes or a Dask cluster (the store is"
                   " written here)")
    p.add_argument("--scheduler", help="cohort: Dask scheduler address, e.g. tcp://host:8786")
    _store_arg(p)
    p.add_argument("--skip-bad-rows", action="store_true",
                   help="import the readable rows of a file and log the others"
                   " (default: a file with an unreadable row is not imported)")
    p.add_argument("--region", default="FR",
                   help="country for phone numbers written without one (default FR)")
    p.add_argument("--keep-names", action="store_true",
                   help="keep contact names from the export (dropped by default)")
    p.add_argument("--layout", type=Path, metavar="L.toml",
                   help="read the given CSV files with this layout file (see `selfdata layout`)")
    p.add_argument("--me", metavar="NAME",
                   help="your name as chat exports (WhatsApp) write it: your messages are"
                   " then 'sent' (default: the sender present in every chat imported)")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("layout", help="layout files for bank CSVs no built-in format knows",
                       description="Say what the columns of your bank's CSV are: `guess` prints"
                       " a layout sniffed from a file, you correct it, `selfdata import FILE"
                       " --layout L.toml` imports with it, `save` keeps it so later files with"
                       " the same header are recognised. See docs/formats.md.")
    lsub = p.add_subparsers(dest="layout_command", required=True, metavar="ACTION")
    q = lsub.add_parser("guess", help="print a layout sniffed from a CSV file",
                        description="Print a TOML layout sniffed from FILE (or write it to"
                        " --out), to be checked and corrected.")
    q.add_argument("file", type=Path, metavar="FILE")
    q.add_argument("--out", type=Path, metavar="L.toml", help="write it to this file")
    q.set_defaults(func=cmd_layout_guess)
    q = lsub.add_parser("save", help="keep a layout in your layouts folder",
                        description="Check a layout file and copy it to the layouts folder"
                        " ($SELFDATA_LAYOUTS_DIR, else $XDG_CONFIG_HOME/selfdata_kit/layouts):"
                        " `selfdata import` then applies it to files with the same header.")
    q.add_argument("path", type=Path, metavar="L.toml")
    q.add_argument("--name", help="file name in the layouts folder (default: the file's)")
    q.set_defaults(func=cmd_layout_save)
    q = lsub.add_parser("list", help="list the saved layouts",
                        description="List the saved layouts and how each recognises files.")
    q.set_defaults(func=cmd_layout_list)

    p = sub.add_parser("doctor", help="what to check before trusting a report",
                       description="Per person, table and source: the period covered, gaps"
                       " longer than a week, months with unusually few rows, rows rejected,"
                       " files skipped as unknown, suspected duplicates across files.")
    p.add_argument("--person", help="only this person (default: every person)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--thresholds", type=Path, metavar="FILE",
                   help="your own thresholds (same keys as selfdata_kit/data/doctor.toml)")
    _store_arg(p)
    p.set_defaults(func=cmd_doctor)

    p = sub.add_parser("formats", help="list the export formats selfdata_kit reads",
                       description="List the export formats selfdata_kit reads.")
    p.set_defaults(func=cmd_formats)

    p = sub.add_parser("persons", help="list the persons in the store",
                       description="List the persons in the store with their row counts.")
    _store_arg(p)
    p.set_defaults(func=cmd_persons)

    p = sub.add_parser("imports", help="list past imports",
                       description="List past imports, newest last.")
    _store_arg(p)
    p.add_argument("--person", help="only this person's imports")
    p.add_argument("--issues", action="store_true", help="also list the rejected lines")
    p.set_defaults(func=cmd_imports)

    p = sub.add_parser("forget", help="remove every row about a person",
                       description="Remove every row about a person from every table, and"
                       " rewrite the store file so that no copy remains.")
    p.add_argument("--person", required=True, help="the person to forget")
    _store_arg(p)
    p.set_defaults(func=cmd_forget)

    p = sub.add_parser("check", help="verify a store file; repair it into a new one",
                       description="Read every block of every table of the store (DuckDB"
                       " checksums), compare its schema with the shipped migrations, count"
                       " rows per table and person, check that every row's import and person"
                       " exist and no uid repeats; say whether it can be repaired from its"
                       " own data. The store is opened read-only and never changed.")
    _store_arg(p)
    p.add_argument("--json", action="store_true", help="print the findings as JSON")
    p.add_argument("--repair", action="store_true",
                   help="write a new store from every row that reads (default"
                   " STORE.repaired.duckdb next to it); the original is not touched")
    p.add_argument("--out", type=Path, help="with --repair: where to write the new store")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("report", help="render report notebooks to HTML, for one or many persons",
                       description="Run the report notebooks with papermill and write, per"
                       " person and report, the executed notebook and an HTML page, plus"
                       " index.html. Reports whose data did not change are skipped.")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--person", action="append", help="a person (repeat for several)")
    who.add_argument("--all", action="store_true", help="every person in the store")
    p.add_argument("--reports", default=",".join(TOPICS),
                   help=f"comma-separated reports (default: {','.join(TOPICS)})")
    p.add_argument("--lang", choices=["fr", "en"], default="fr", help="language (default fr)")
    p.add_argument("--screen-safe", action="store_true",
                   help="mask labels, names and numbers, coarsen places (workshops)")
    p.add_argument("--out", type=Path, default=Path("reports"),
                   help="output folder (default ./reports)")
    p.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    p.add_argument("--executor", choices=["local", "dask"], default="local",
                   help="run on local processes (default) or on a Dask cluster")
    p.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://host:8786")
    p.add_argument("--force", action="store_true", help="rerun even up-to-date reports")
    p.add_argument("--bundle", choices=["shared", "inline"],
                   help="shared: the charts' JavaScript once in OUT/_assets, pages ~0.9 MB"
                   " lighter (default for several persons); inline: each page self-contained"
                   " (default for one person)")
    _contracts_arg(p)
    _store_arg(p)
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("summary", help="one person's key figures (JSON with --json)",
                       description="The key figures of each of one person's reports: totals by"
                       " category, recurring payments, standby watts, annual kWh per"
                       " commodity, calls per week, top contacts (pseudonyms) and the fun-fact"
                       " cursors, each {position in [0, 1] or null, evidence, needed}:"
                       " null when the evidence is short of what the cursor needs; and the"
                       " energy decisions: off-peak share, the past year priced under each"
                       " offer, the highest 30-min power against the subscribed kVA.")
    p.add_argument("--person", required=True, help="whose figures")
    p.add_argument("--start", help="first day, YYYY-MM-DD (default: all the data)")
    p.add_argument("--end", help="last day, YYYY-MM-DD")
    p.add_argument("--json", action="store_true", help="print JSON (default: a short text)")
    _contracts_arg(p)
    _store_arg(p)
    p.set_defaults(func=cmd_summary)

    p = sub.add_parser("categorize", help="put transactions in your own categories (rules)",
                       description="Save a rule in the person's own rules file (next to the"
                       " store, or in $SELFDATA_RULES_DIR): every past and future transaction"
                       " it matches goes in CATEGORY in every report. Imported rows are never"
                       " changed: --remove restores the previous category. Order: transaction"
                       " rules, then merchant, then label texts, then the shipped patterns.")
    p.add_argument("--person", required=True, help="whose rules")
    p.add_argument("--match", metavar="TEXT",
                   help="labels containing TEXT (case and accents ignored)")
    p.add_argument("--merchant", metavar="NAME", help="the merchant, as the reports name it")
    p.add_argument("--transaction", metavar="UID", help="one transaction (its uid)")
    p.add_argument("--category", metavar="NAME", help="the category to put them in")
    p.add_argument("--subcategory", metavar="NAME", help="an optional subcategory")
    p.add_argument("--remove", action="store_true", help="remove the rule for that match")
    p.add_argument("--list", action="store_true", dest="listing",
                   help="list the rules and the proposed ones")
    _store_arg(p)
    p.set_defaults(func=cmd_categorize)

    p = sub.add_parser("cohort", help="cohort aggregates under disclosure control",
                       description="Aggregates over every person of the store (or of its"
                       " Parquet export): coverage per source and month, distributions of the"
                       " key figures, comparisons between groups. A cell over fewer than k"
                       " persons, or where one person holds most of a total, is suppressed,"
                       " with the cells that would reveal it; each says why"
                       " (docs/privacy.md).")
    _store_arg(p)
    p.add_argument("--parquet", type=Path, metavar="DIR",
                   help="read the Parquet export in DIR (`selfdata export`) instead of the"
                   " store, out of core")
    _disclosure_args(p)
    p.add_argument("--groups", type=Path, help="CSV of person attributes (person_id,...)")
    p.add_argument("--by", help="the attribute of --groups to compare groups by")
    p.add_argument("--json", action="store_true", help="print the aggregates as JSON")
    p.set_defaults(func=cmd_cohort)

    p = sub.add_parser("export", help="export the store as Parquet (or safe aggregates)",
                       description="Export the canonical tables as Parquet files partitioned by"
                       " table and person (hive style), readable by DuckDB, Spark or pandas."
                       " The store's pseudonymisation key is never exported.")
    p.add_argument("--format", choices=["parquet"], default="parquet",
                   help="output format (parquet)")
    p.add_argument("--aggregates", action="store_true",
                   help="export only k-suppressed cohort aggregates, no person id (safe to"
                   " share) as JSON and CSV")
    _disclosure_args(p, "with --aggregates: ")
    p.add_argument("--out", type=Path, required=True, help="a new, empty output folder")
    p.add_argument("--person", action="append", help="only this person (repeat for several)")
    _store_arg(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("workshop", help="prepare a data-literacy workshop, offline",
                       description="Prepare a workshop in one folder: synthetic personas (or"
                       " participants' own export folders), each participant's reports in"
                       " screen-safe mode, and a group wall of anonymous, k-suppressed"
                       " distributions. `selfdata workshop wall --contributions DIR` makes"
                       " the wall from participants' contributions instead (selfdata"
                       " contribute): no raw data changes hands. The facilitator guide is"
                       " copied into the workshop folder (guide.md).")
    p.add_argument("action", nargs="?", choices=["wall"],
                   help="wall: the group wall from a folder of contributions")
    p.add_argument("--contributions", type=Path, metavar="DIR",
                   help="with wall: the folder of contribution files (.age, .json)")
    p.add_argument("--key", type=Path, metavar="KEYFILE",
                   help="with wall: your private key (selfdata keygen), to open sealed ones")
    p.add_argument("--spec", type=Path, metavar="SPEC",
                   help="with wall: the contribution spec (default: the shipped one)")
    p.add_argument("--participants", type=int, help="number of participants (personas)")
    p.add_argument("--from", dest="source", type=Path, metavar="DIR",
                   help="participants' own exports: one sub-folder each (folder = id)")
    p.add_argument("--out", type=Path, required=True, help="the workshop folder")
    p.add_argument("--lang", choices=["fr", "en"], default="fr", help="language (default fr)")
    p.add_argument("--k", type=int, default=K_DEFAULT,
                   help=f"fewest persons a figure of the wall is computed over (default"
                   f" {K_DEFAULT}, never below 5; docs/privacy.md)")
    p.add_argument("--seed", type=int, default=2026, help="personas seed (default 2026)")
    p.add_argument("--year", type=int, help="personas year (default: last full year)")
    p.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    p.set_defaults(func=cmd_workshop)

    p = sub.add_parser("contribute", help="give reviewed figures, not raw data, to a wall or"
                       " a study", description="Compute the figures a contribution spec"
                       " declares (default: the workshop wall's), write a review page listing"
                       " each value in plain words, and the contribution: JSON with no row,"
                       " label, pseudonym, hash or person id; sealed (age encryption) for the"
                       " facilitator's public key with --for. Untick figures in the page (or"
                       " delete lines from a plain JSON), then --seal the edited file."
                       " docs/workshop.md.")
    p.add_argument("--person", help="whose figures")
    p.add_argument("--out", type=Path, required=True,
                   help="the contribution file (.age when sealed, .json otherwise); the review"
                   " page is written next to it (NAME.review.html)")
    p.add_argument("--for", dest="recipient", type=Path, metavar="PUBKEY",
                   help="seal for this public key (the .pub file of selfdata keygen)")
    p.add_argument("--spec", type=Path, metavar="SPEC",
                   help="contribution spec TOML (default: the shipped workshop wall spec)")
    p.add_argument("--seal", type=Path, metavar="FILE",
                   help="seal this reviewed or edited contribution JSON (needs --for)")
    p.add_argument("--lang", choices=["fr", "en"], default="fr",
                   help="review page language (default fr)")
    _store_arg(p)
    p.set_defaults(func=cmd_contribute)

    p = sub.add_parser("keygen", help="a key pair to receive sealed contributions",
                       description="Write an age private key to KEYFILE (readable by you only)"
                       " and its public key to KEYFILE.pub, for participants' --for.")
    p.add_argument("--out", type=Path, required=True, metavar="KEYFILE",
                   help="the private key file (never overwritten)")
    p.set_defaults(func=cmd_keygen)

    p = sub.add_parser("lab", help="open JupyterLab on the notebooks (localhost, with a token)",
                       description="Start JupyterLab on the report and explorer notebooks, on"
                       " 127.0.0.1 only, with a random token, the store passed to the"
                       " notebooks through $SELFDATA_STORE.")
    _store_arg(p)
    p.add_argument("--port", type=int, default=8888, help="port on 127.0.0.1 (default 8888)")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser")
    p.set_defaults(func=cmd_lab)

    p = sub.add_parser("demo", help="import the bundled sample data and render the reports",
                       description="Import sample_data/ into a demo store and render reports.")
    p.add_argument("--out", type=Path, default=Path("out/demo"),
                   help="output folder (default out/demo)")
    p.add_argument("--lang", choices=["fr", "en"], default="fr", help="language (default fr)")
    p.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("synth", help="generate synthetic personas as real-format exports",
                       description="Generate fictional personas: one folder each with a year of"
                       " bank statements (OFX, Société Générale CSV), calls and sms (SMS Backup &"
                       " Restore XML), an Enedis load curve, GRDF gas readings and a Google"
                       " Takeout location history, plus truth.json saying what the files"
                       " contain. The same seed gives byte-identical files.")
    p.add_argument("--persons", type=int, default=3, help="how many personas (default 3)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument("--year", type=int, default=None,
                   help="calendar year to simulate (default: the previous full year)")
    p.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    p.add_argument("--no-segments", action="store_true",
                   help="leave travel segments out of the location history (smaller files)")
    p.set_defaults(func=cmd_synth)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        _check_persons(args)
        # every file and folder a command writes (stores, reports, exports, workshop and demo
        # folders, synthetic exports, lab copies) shows personal data: the owner's only
        with owner_only():
            return args.func(args)
    except SelfdataError as e:
        if args.debug:
            raise
        print(f"error: {e}", file=sys.stderr)
        return 1
    except duckdb.Error as e:  # from a query on the store's connection (analyses, exports)
        failure = unusable(e, getattr(args, "store", None) or default_store_path())
        if failure is None or args.debug:
            raise  # not the store file's fault: a bug, with its traceback
        print(f"error: {failure}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `selfdata formats | head`: the reader left, not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as e:  # writing a report, a page, a folder: a full disk, no permission
        failure = output_failure(e, e.filename or getattr(args, "out", None) or "")
        if failure is None or args.debug:
            raise
        print(f"error: {failure}", file=sys.stderr)
        return 1


def _check_persons(args: argparse.Namespace) -> None:
    """Every --person is checked before any command runs: an id becomes a folder name
    (reports) and text in pages."""
    given = getattr(args, "person", None)
    for person in [given] if isinstance(given, str) else given or []:
        check_person_id(person)


# --- dispatch: each command lives in `commands/`, imported when it runs (a fast start) -----

def cmd_import(args: argparse.Namespace) -> int:
    from .commands.importing import run_import, run_import_cohort

    options = {"skip_bad_rows": args.skip_bad_rows, "region": args.region,
               "keep_names": args.keep_names, "me": args.me}
    store = args.store or default_store_path()
    if args.cohort:
        if args.paths or args.person or args.layout:
            raise SelfdataError("--cohort imports every person's folder: give no PATH, no"
                                " --person and no --layout with it (saved layouts apply)")
        return run_import_cohort(store, args.cohort, jobs=args.jobs, batch=args.batch,
                                 executor=args.executor, scheduler=args.scheduler, **options)
    return run_import(store, args.paths, args.person, layout=args.layout, **options)


def cmd_layout_guess(args: argparse.Namespace) -> int:
    from .commands.layout import layout_guess

    return layout_guess(args.file, args.out)


def cmd_layout_save(args: argparse.Namespace) -> int:
    from .commands.layout import layout_save

    return layout_save(args.path, args.name)


def cmd_layout_list(args: argparse.Namespace) -> int:
    from .commands.layout import layout_list

    return layout_list()


def cmd_doctor(args: argparse.Namespace) -> int:
    from .commands.doctor import run_doctor

    return run_doctor(args.store, args.person, args.json, args.thresholds)


def cmd_formats(args: argparse.Namespace) -> int:
    from .commands.inspect import list_formats

    return list_formats()


def cmd_persons(args: argparse.Namespace) -> int:
    from .commands.inspect import list_persons

    return list_persons(args.store)


def cmd_imports(args: argparse.Namespace) -> int:
    from .commands.inspect import list_imports

    return list_imports(args.store, args.person, args.issues)


def cmd_forget(args: argparse.Namespace) -> int:
    from .commands.inspect import forget_person

    return forget_person(args.store, args.person)


def cmd_check(args: argparse.Namespace) -> int:
    from .commands.check import run_check

    return run_check(args.store, as_json=args.json, repair=args.repair, out=args.out)


def _contracts_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--contracts", type=Path, metavar="FILE",
                   help="energy contract file: offer, subscribed kVA, off-peak slots per person"
                   " (default: $SELFDATA_CONTRACTS, else EDF Base 6 kVA, 22:00-06:00;"
                   " docs/reports.md)")


def _use_contracts(args: argparse.Namespace) -> None:
    if args.contracts:
        from .analysis.energy_contract import use_contracts

        use_contracts(args.contracts)


def cmd_report(args: argparse.Namespace) -> int:
    from .commands.report import render_reports

    _use_contracts(args)
    reports = [r.strip() for r in args.reports.split(",") if r.strip()]
    return render_reports(args.store or default_store_path(),
                          None if args.all else args.person, reports, lang=args.lang,
                          screen_safe=args.screen_safe, out=args.out, workers=args.jobs,
                          executor=args.executor, scheduler=args.scheduler, force=args.force,
                          bundle=args.bundle)


def cmd_summary(args: argparse.Namespace) -> int:
    from .commands.figures import print_person_figures

    _use_contracts(args)
    return print_person_figures(args.store, args.person, args.start, args.end, args.json)


def cmd_categorize(args: argparse.Namespace) -> int:
    from .commands.categorize import run_categorize

    return run_categorize(args.store, args.person, match=args.match, merchant=args.merchant,
                          transaction=args.transaction, category=args.category,
                          subcategory=args.subcategory, remove=args.remove,
                          listing=args.listing)


def cmd_cohort(args: argparse.Namespace) -> int:
    from .commands.figures import print_cohort

    return print_cohort(args.store, args.k, args.groups, args.by, args.json,
                        dominance=args.dominance / 100, parquet=args.parquet)


def cmd_export(args: argparse.Namespace) -> int:
    from .commands.export import run_export

    return run_export(args.store, args.out, aggregates_only=args.aggregates, k=args.k,
                      dominance=args.dominance / 100,
                      persons=args.person)


def cmd_workshop(args: argparse.Namespace) -> int:
    from .commands.workshop import run_workshop

    if args.action == "wall":
        from .commands.wall import run_wall

        if args.contributions is None or args.participants or args.source:
            raise SelfdataError("workshop wall reads --contributions DIR (and no"
                                " --participants or --from)")
        return run_wall(args.contributions, args.out, key=args.key, spec_file=args.spec,
                        k=args.k, lang=args.lang)
    if args.contributions or args.key or args.spec:
        raise SelfdataError("--contributions, --key and --spec go with `selfdata workshop"
                            " wall`")
    return run_workshop(args.out, args.participants, args.source, lang=args.lang, k=args.k,
                        seed=args.seed, year=args.year, workers=args.jobs)


def cmd_contribute(args: argparse.Namespace) -> int:
    from .commands.contribute import run_contribute, run_seal

    if args.seal:
        if args.person:
            raise SelfdataError("--seal seals a contribution already made: no --person")
        return run_seal(args.seal, args.recipient, args.out, spec_file=args.spec)
    if not args.person:
        raise SelfdataError("give --person ID (whose figures), or --seal FILE")
    return run_contribute(args.store or default_store_path(), args.person, args.out,
                          recipient_file=args.recipient, spec_file=args.spec, lang=args.lang)


def cmd_keygen(args: argparse.Namespace) -> int:
    from .commands.keygen import run_keygen

    return run_keygen(args.out)


def cmd_lab(args: argparse.Namespace) -> int:
    from .commands.lab import run_lab

    return run_lab(args.store, port=args.port, open_browser=not args.no_browser)


def cmd_demo(args: argparse.Namespace) -> int:
    from .commands.demo import run_demo

    return run_demo(args.out, lang=args.lang, workers=args.jobs)


def cmd_synth(args: argparse.Namespace) -> int:
    from .commands.synth import run_synth

    return run_synth(args.persons, args.seed, args.out, year=args.year, jobs=args.jobs,
                     segments=not args.no_segments)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
