"""Benchmark: peak memory of importing big inputs, real rows and padding, up to 2 GiB.

No input up to 2 GiB may raise peak memory above 1 GiB. For each kind of export, files of
real rows (generated in the format's own layout, rows all different) are imported:
- at the size limit of the format (the largest file it reads; see docs/security.md), and
- at 2 GiB (refused before it is read, with the limit and how to split the file);
and a 2 GiB file that is a small real export followed by padding (sparse, no disk).
Each import is its own subprocess (`selfdata import` into a fresh store) reporting its own
peak RSS (getrusage(RUSAGE_SELF) in the child, just before it exits). Baseline in the same
run: the same import of a file of 1,000 rows of the same kind (the interpreter, its libraries
and a small import), so the ratio says what the size of the input adds.

Big files are written to a temporary folder (one at a time, deleted after use: 2 GiB free
disk needed). Run: python benchmarks/big_inputs.py [--kinds csv,ofx,...] [--no-2g]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GIB = 1 << 30
MIB = 1 << 20

CHILD = """
import json, resource, sys, time
from selfdata_kit.cli import main
start = time.perf_counter()
code = main(["import", sys.argv[1], "--person", "bench", "--store", sys.argv[2]])
print(json.dumps({"code": code, "seconds": time.perf_counter() - start,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


# --- generators: (head, one row for i, tail) in each format's own layout ------------------

def _day(i: int) -> tuple[int, int, int]:
    return 2000 + i // 336 % 25, 1 + i // 28 % 12, 1 + i % 28


def bank_csv(i: int) -> str:
    y, m, d = _day(i)
    return f"{d:02d}/{m:02d}/{y};CB MAGASIN {i} PARIS;-{i % 997},{i % 100:02d};EUR\n"


def ofx(i: int) -> str:
    y, m, d = _day(i)
    return (f"<STMTTRN>\n<TRNTYPE>DEBIT\n<DTPOSTED>{y}{m:02d}{d:02d}\n"
            f"<TRNAMT>-{i % 997}.{i % 100:02d}\n<FITID>{i}\n<NAME>CB MAGASIN {i}\n</STMTTRN>\n")


def spotify(i: int) -> str:
    y, m, d = _day(i)
    return (f'{"," if i else ""}\n  {{"endTime" : "{y}-{m:02d}-{d:02d} {i % 24:02d}:{i % 60:02d}",'
            f' "artistName" : "Artist {i % 5000}", "trackName" : "Track {i}",'
            f' "msPlayed" : {1000 + i % 300000}}}')


def whatsapp(i: int) -> str:
    y, m, d = _day(i)
    who = "Alice Martin" if i % 2 else "Camille Durand"
    return f"{m}/{d}/{y % 100:02d}, {i % 12 + 1}:{i % 60:02d} PM - {who}: message number {i}\n"


def records(i: int) -> str:
    y, m, d = _day(i)
    return (f'{"," if i else ""}{{"latitudeE7": {488566100 + i % 100000}, "longitudeE7":'
            f' {23522200 + i % 70000}, "accuracy": {5 + i % 50}, "source": "WIFI",'
            f' "timestamp": "{y}-{m:02d}-{d:02d}T{i % 24:02d}:{i % 60:02d}:{i % 59:02d}'
            f'.{i % 1000:03d}Z"}}\n')


def android_sms(i: int) -> str:
    ms = 946684800000 + i * 60_000
    return (f'  <sms protocol="0" address="+336{12345678 + i % 5000:08d}" date="{ms}"'
            f' type="{1 + i % 2}" subject="null" body="message number {i}" toa="null"'
            f' sc_toa="null" service_center="null" read="1" status="-1" locked="0"'
            f' date_sent="{ms}" sub_id="1" readable_date="" contact_name="(Unknown)" />\n')


_OFX_HEAD = ("OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:USASCII\n"
             "CHARSET:1252\nCOMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n\n<OFX>\n"
             "<BANKMSGSRSV1>\n<STMTTRNRS>\n<TRNUID>0\n<STMTRS>\n<CURDEF>EUR\n<BANKACCTFROM>\n"
             "<BANKID>30004\n<ACCTID>00011111111\n<ACCTTYPE>CHECKING\n</BANKACCTFROM>\n"
             "<BANKTRANLIST>\n<DTSTART>20000101\n<DTEND>20250101\n")
_OFX_TAIL = "</BANKTRANLIST>\n</STMTRS>\n</STMTTRNRS>\n</BANKMSGSRSV1>\n</OFX>\n"
_SMS_HEAD = ("<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n"
             '<smses count="0" backup_set="x" backup_date="1610529170000" type="full">\n')

# kind: (file name, head, row, tail)
KINDS: dict[str, tuple[str, str, Callable[[int], str], str]] = {
    "bank CSV": ("releve.csv", "Date;Libellé;Montant;Devise\n", bank_csv, ""),
    "OFX": ("releve.ofx", _OFX_HEAD, ofx, _OFX_TAIL),
    "Spotify JSON": ("StreamingHistory0.json", "[", spotify, "\n]\n"),
    "WhatsApp": ("WhatsApp Chat with Alice Martin.txt", "", whatsapp, ""),
    "Records.json": ("Records.json", '{"locations": [', records, "]}\n"),
    "Android SMS": ("sms-20240101.xml", _SMS_HEAD, android_sms, "</smses>\n"),
}


def rows_until(row: Callable[[int], str], size: int) -> Iterator[str]:
    written, i = 0, 0
    while written < size:
        text = row(i)
        written += len(text.encode())
        i += 1
        yield text


def write(path: Path, kind: str, size: int | None = None, rows: int | None = None) -> Path:
    """A file of `kind` of about `size` bytes (or `rows` rows) of real, distinct rows."""
    _, head, row, tail = KINDS[kind]
    with open(path, "w", encoding="utf-8", buffering=8 * MIB) as f:
        f.write(head)
        body = (row(i) for i in range(rows)) if rows is not None else rows_until(
            row, size - len(head) - len(tail))
        f.writelines(body)
        f.write(tail)
    return path


def limit_of(kind: str, path: Path) -> int:
    from selfdata_kit.sources import InputFile, detect_source
    return detect_source(InputFile.from_path(path)).max_bytes


def measure(path: Path, store: Path) -> dict:
    store.unlink(missing_ok=True)
    out = subprocess.run([sys.executable, "-c", CHILD, str(path), str(store)],
                         capture_output=True, text=True, cwd=ROOT)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    text = out.stdout + out.stderr
    result["outcome"] = next((line.split()[0] for line in text.splitlines()
                              if line.startswith(("imported", "FAILED"))), "?")
    result["why"] = next((line[len("FAILED"):].strip() for line in text.splitlines()
                          if line.startswith("FAILED")), "")
    store.unlink(missing_ok=True)
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kinds", default=",".join(KINDS), help="comma-separated kinds")
    ap.add_argument("--no-2g", action="store_true", help="skip the 2 GiB files")
    ap.add_argument("--at", type=float, help="MiB instead of each format's limit")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="selfdata-big-"))
    print(f"{'kind':<13} {'input':<22} {'MiB':>6} {'outcome':<9} {'peak MB':>8} {'x base':>6}"
          f" {'seconds':>8}")
    try:
        for kind in args.kinds.split(","):
            name = KINDS[kind][0]
            small = write(work / name, kind, rows=1000)
            limit = limit_of(kind, small)
            base = measure(small, work / "s.duckdb")
            cases = [("1,000 rows (baseline)", small.stat().st_size, base)]
            at = int(args.at * MIB) if args.at else limit - MIB
            variants = [("real rows, at limit", at)]
            if not args.no_2g:
                variants.append(("real rows, 2 GiB", 2 * GIB))
            for label, size in variants:
                (work / "big").mkdir()
                big = write(work / "big" / name, kind, size=size)
                cases.append((label, big.stat().st_size, measure(big, work / "s.duckdb")))
                shutil.rmtree(work / "big")
            padded = work / "padded" / name
            padded.parent.mkdir()
            shutil.copyfile(small, padded)
            subprocess.run(["truncate", "-s", str(2 * GIB), str(padded)], check=True)
            cases.append(("1,000 rows + padding", 2 * GIB, measure(padded, work / "s.duckdb")))
            shutil.rmtree(padded.parent)
            for label, size, r in cases:
                print(f"{kind:<13} {label:<22} {size / MIB:>6.1f} {r['outcome']:<9}"
                      f" {r['peak_mb']:>8.0f} {r['peak_mb'] / base['peak_mb']:>6.2f}"
                      f" {r['seconds']:>8.1f}", flush=True)
                if r["outcome"] != "imported" and r["why"]:
                    print(f"{'':<13} {r['why'].split(': ', 1)[-1][:150]}")
            print(f"{kind:<13} limit {limit / MIB:.0f} MiB", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
