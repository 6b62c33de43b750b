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

Streamed formats (Records.json, Android backups: read and written in pieces, limit 16 GiB)
are measured by `--streamed`: realistic Records.json files of `--records-gib` (default 1
and 2) and an SMS backup with MMS attachments of `--mms-gib` (default 1) are imported,
against a baseline in the same run over the same file: reading it alone (the streaming
JSON reader, a plain lxml iterparse), with no rows made nor written.

Big files are written to a temporary folder (one at a time, deleted after use: 2 GiB free
disk needed, plus the store). Run: python benchmarks/big_inputs.py [--kinds csv,ofx,...]
[--no-2g] [--streamed [--records-gib 1,2] [--mms-gib 1] [--files DIR]]
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


# --- streamed formats: realistic big exports -------------------------------------------

_RECORD = """  {
    "latitudeE7": %d,
    "longitudeE7": %d,
    "accuracy": %d,%s
    "source": "%s",
    "deviceTag": 1290371954,
    "platformType": "ANDROID",
    "formFactor": "PHONE",
    "timestamp": "%s"
  }"""
_ACTIVITY = """
    "activity": [{
      "activity": [{
        "type": "STILL",
        "confidence": 77
      }, {
        "type": "IN_VEHICLE",
        "confidence": 12
      }],
      "timestamp": "%s"
    }],"""


def records_real(i: int) -> str:
    """One Records.json record as Google writes it (pretty-printed, 2-space indent), every
    tenth with its `activity` guesses, a fix every ~2 minutes from 2013 on."""
    iso = _iso(1356998400000 + i * 117_000)
    return (",\n" if i else "\n") + _RECORD % (
        488566100 + (i * 7919) % 900000, 23522200 + (i * 104729) % 1400000, 3 + i % 60,
        _ACTIVITY % iso if i % 10 == 0 else "", "WIFI" if i % 3 else "GPS", iso)


def _iso(ms: int) -> str:
    import datetime as dt
    t = dt.datetime.fromtimestamp(ms / 1000, dt.UTC)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


_B64 = bytes(range(65, 91)).decode() * 4 + "abcdefghijklmnopqrstuvwxyz0123456789+/"


def mms_backup(i: int) -> str:
    """Every 25th record an MMS with a photo (40-600 KB of base64, as phones send them),
    the others SMS, as in a real "SMS Backup & Restore" messages file."""
    if i % 25:
        return android_sms(i)
    ms = 946684800000 + i * 60_000
    size = 40_000 + (i * 7_919) % 560_000
    data = (_B64 * (size // len(_B64) + 1))[:size]
    number = f"+336{12345678 + i % 5000:08d}"
    return (f'  <mms date="{ms}" msg_box="{1 + i % 2}" address="{number}" m_type="132"'
            f' text_only="0" read="1" seen="1" sub_id="1" contact_name="(Unknown)">\n'
            '    <parts>\n      <part seq="-1" ct="application/smil" name="null" chset="null"'
            ' cl="smil.xml" text="&lt;smil&gt;&lt;body&gt;&lt;par dur=&quot;5000ms&quot;&gt;'
            '&lt;img src=&quot;IMG.jpg&quot;/&gt;&lt;/par&gt;&lt;/body&gt;&lt;/smil&gt;" />\n'
            f'      <part seq="0" ct="image/jpeg" name="IMG_{i}.jpg" chset="null" cl="IMG.jpg"'
            f' text="null" data="{data}" />\n    </parts>\n    <addrs>\n'
            f'      <addr address="{number}" type="{137 if i % 2 == 0 else 151}"'
            ' charset="106" />\n    </addrs>\n  </mms>\n')


STREAMED: dict[str, tuple[str, str, Callable[[int], str], str, str]] = {
    # kind: (file name, head, row, tail, plain reader for the baseline)
    "Records.json": ("Records.json", '{\n  "locations": [', records_real, "\n  ]\n}\n", "json"),
    "Android SMS+MMS": ("sms-20240101.xml", _SMS_HEAD, mms_backup, "</smses>\n", "xml"),
}

PLAIN = """
import json, resource, sys, time
start = time.perf_counter()
n = 0
if sys.argv[2] == "json":  # the streaming JSON reader alone: records read, no rows made
    from selfdata_kit.sources.places._jsonstream import iter_list
    with open(sys.argv[1], "rb") as f:
        for _ in iter_list(f, sys.argv[1], "locations"):
            n += 1
else:  # a plain lxml iterparse, each record freed once read
    from lxml import etree
    for _, el in etree.iterparse(sys.argv[1], huge_tree=True, resolve_entities=False,
                                 no_network=True, load_dtd=False):
        parent = el.getparent()
        if parent is not None and parent.getparent() is None:
            n += 1
            el.clear(keep_tail=False)
            while el.getprevious() is not None:
                del parent[0]
print(json.dumps({"code": 0, "records": n, "seconds": time.perf_counter() - start,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def plain_read(path: Path, how: str) -> dict:
    out = subprocess.run([sys.executable, "-c", PLAIN, str(path), how],
                         capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def streamed(work: Path, sizes: list[tuple[str, float]], files: Path | None = None) -> None:
    """Each (kind, GiB): the file generated (or reused from `files`), read plainly
    (baseline), then imported."""
    print(f"{'kind':<16} {'MiB':>6} {'rows':>10} {'how':<22} {'peak MB':>8} {'seconds':>8}"
          f" {'x plain read':>12}")
    for kind, gib in sizes:
        name, head, row, tail, how = STREAMED[kind]
        folder = (files or work) / f"big-{gib:g}g"
        big = folder / name
        if not big.exists():
            folder.mkdir(parents=True, exist_ok=True)
            with open(big, "w", encoding="utf-8", buffering=8 * MIB) as f:
                f.write(head)
                f.writelines(rows_until(row, int(gib * GIB) - len(head) - len(tail)))
                f.write(tail)
        size = big.stat().st_size / MIB
        base = plain_read(big, how)
        print(f"{kind:<16} {size:>6.0f} {base['records']:>10,} {'plain read (baseline)':<22}"
              f" {base['peak_mb']:>8.0f} {base['seconds']:>8.1f} {1:>12.2f}", flush=True)
        r = measure(big, (files or work) / "s.duckdb")
        print(f"{kind:<16} {size:>6.0f} {'':>10} {'import ' + r['outcome']:<22}"
              f" {r['peak_mb']:>8.0f} {r['seconds']:>8.1f}"
              f" {r['seconds'] / base['seconds']:>11.2f}t", flush=True)
        if r["outcome"] != "imported" and r["why"]:
            print(f"{'':<16} {r['why'][:150]}")
        if files is None:
            shutil.rmtree(folder)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kinds", default=",".join(KINDS), help="comma-separated kinds")
    ap.add_argument("--no-2g", action="store_true", help="skip the 2 GiB files")
    ap.add_argument("--at", type=float, help="MiB instead of each format's limit")
    ap.add_argument("--streamed", action="store_true",
                    help="measure the streamed formats on realistic big exports instead")
    ap.add_argument("--records-gib", default="1,2",
                    help="Records.json sizes, comma-separated (0: none)")
    ap.add_argument("--mms-gib", type=float, default=1.0, help="SMS+MMS backup size")
    ap.add_argument("--files", type=Path, help="folder where the big files are generated"
                    " and kept, to be reused by the next run (default: a temporary folder,"
                    " each file deleted after use)")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="selfdata-big-"))
    if args.streamed:
        try:
            sizes = [("Android SMS+MMS", args.mms_gib)] + [
                ("Records.json", float(g)) for g in args.records_gib.split(",")]
            streamed(work, [(k, v) for k, v in sizes if v > 0], args.files)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return 0
    print(f"{'kind':<13} {'input':<22} {'MiB':>6} {'outcome':<9} {'peak MB':>8} {'x base':>6}"
          f" {'seconds':>8}")
    try:
        for kind in args.kinds.split(","):
            name = KINDS[kind][0]
            small = write(work / name, kind, rows=1000)
            limit = limit_of(kind, small)
            base = measure(small, work / "s.duckdb")
            cases = [("1,000 rows (baseline)", small.stat().st_size, base)]
            at = int(args.at * MIB) if args.at else min(limit - MIB, 2 * GIB)
            # a streamed format's limit is past 2 GiB: --streamed measures it at 1-2 GiB
            variants = [("real rows, at limit", at)] if limit <= GIB or args.at else []
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
