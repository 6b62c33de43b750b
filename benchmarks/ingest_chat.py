"""Importing a WhatsApp chat export vs DuckDB reading the same lines with a regular expression.

Writes one Android chat export of N messages (default 300,000, about 15 MB: several years of a
busy group), then runs, each in its own subprocess:
1. baseline: DuckDB `read_csv` of the file as one column, `regexp_extract` of date, time and
   sender, into a fresh DuckDB file (what a user would write by hand, with none of the
   day/month decision, 12-hour clocks, system lines or pseudonyms);
2. `selfdata import` (the real CLI: detection, parsing, pseudonyms, the store's insert);
3. the parser alone, no store.
Prints wall times, the ratio to the baseline and each child's peak memory.

    python benchmarks/ingest_chat.py
    python benchmarks/ingest_chat.py --messages 50000
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from ingest_bank import run  # noqa: E402

SENDERS = ("Camille Durand", "Alice Martin", "Papa", "Maman", "+33 6 39 98 12 34")
WORDS = ("ok", "demain", "ce soir", "on se voit", "haha", "merci", "bisous", "j'arrive")


def write_chat(path: Path, messages: int, seed: int = 7) -> None:
    rnd = random.Random(seed)
    minute = 0
    with path.open("w", encoding="utf-8") as f:
        f.write("01/01/2020, 00:00 - Messages and calls are end-to-end encrypted.\n")
        for i in range(messages):
            minute += rnd.choice((0, 1, 1, 2, 5, 30, 240))
            day, rest = divmod(minute, 1440)
            stamp = time.gmtime(1577836800 + day * 86400)
            f.write(f"{stamp.tm_mday:02d}/{stamp.tm_mon:02d}/{stamp.tm_year}, "
                    f"{rest // 60:02d}:{rest % 60:02d} - {rnd.choice(SENDERS)}: "
                    f"{' '.join(rnd.choices(WORDS, k=4))}\n")
            if i % 50 == 0:
                f.write("and a second line\n")


BASELINE = """
import duckdb, sys
con = duckdb.connect(sys.argv[2])
con.execute('''CREATE TABLE t AS
    SELECT regexp_extract(line, '^(\\d{2}/\\d{2}/\\d{4}), (\\d{2}:\\d{2}) - ([^:]+): ',
                          ['day', 'time', 'sender']) AS m
    FROM read_csv(?, columns={'line': 'VARCHAR'}, delim='\\x01', quote='', header=false)
    WHERE regexp_matches(line, '^\\d{2}/\\d{2}/\\d{4}, \\d{2}:\\d{2} - [^:]+: ')''',
    [sys.argv[1]])
print(con.execute('SELECT count(*) FROM t').fetchone()[0], 'rows')
"""
PARSER = """
import sys
from selfdata_kit.sources.base import InputFile, ParseContext
from selfdata_kit.sources.chat import whatsapp
p = whatsapp.parse(InputFile.from_path(sys.argv[1]), ParseContext('b', hmac_key=b'k' * 32))
print(len(p.tables['calls']), 'rows')
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        chat = work / "WhatsApp Chat with Famille.txt"
        write_chat(chat, args.messages)
        print(f"{args.messages} messages, {chat.stat().st_size / 1e6:.1f} MB")
        py = sys.executable
        base = run([py, "-c", BASELINE, str(chat), str(work / "baseline.duckdb")])
        ours = run([py, "-m", "selfdata_kit.cli", "import", str(chat), "--person", "bench",
                    "--store", str(work / "store.duckdb")])
        alone = run([py, "-c", PARSER, str(chat)])
        for name, (wall, mem, out) in (("DuckDB regexp (baseline)", base),
                                       ("selfdata import", ours), ("parser alone", alone)):
            print(f"{name:26s} {wall:6.2f} s  {mem:6.0f} MB  {out.splitlines()[-1][:60]}")
        print(f"ratio import / baseline: {ours[0] / base[0]:.1f}x")


if __name__ == "__main__":
    main()
