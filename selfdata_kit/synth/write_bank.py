"""Bank exports as French banks write them.

- The checking account: OFX 1.02 SGML (`OFXHEADER:100` header block, `CHARSET:1252`, unclosed
  leaf tags, one `FITID` per transaction, `LEDGERBAL`), as downloaded from a bank's website.
- The second account (Livret A, or a joint account): Société Générale's CSV: Windows-1252,
  `;`, decimal comma, dd/mm/yyyy, a "-" line, the account line written as an Excel formula
  (`="<number>";<from>;<to>;<count>;<date>;<balance> EUR`), a blank line, the header, then the
  lines newest first.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .bank import Txn, opening_balance
from .persona import Persona


def money(cents: int, comma: bool = False) -> str:
    """-1234 -> "-12.34" (or "-12,34")."""
    sign = "-" if cents < 0 else ""
    text = f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"
    return text.replace(".", ",") if comma else text


def _sgml(text: str) -> str:
    # SGML OFX escapes these three; labels are ASCII upper case anyway.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_ofx(p: Persona, txns: list[Txn], path: Path) -> list[tuple[str, int]]:
    """Writes the checking account; returns (fitid, cents) of what was written."""
    rows = [t for t in txns if t.account == "checking"]
    year_end = f"{p.year}1231"
    balance = opening_balance(p, "checking") + sum(t.cents for t in rows)
    lines = ["OFXHEADER:100", "DATA:OFXSGML", "VERSION:102", "SECURITY:NONE",
             "ENCODING:USASCII", "CHARSET:1252", "COMPRESSION:NONE", "OLDFILEUID:NONE",
             "NEWFILEUID:NONE", "", "<OFX>", "\t<SIGNONMSGSRSV1>", "\t\t<SONRS>",
             "\t\t\t<STATUS>", "\t\t\t\t<CODE>0", "\t\t\t\t<SEVERITY>INFO", "\t\t\t</STATUS>",
             f"\t\t\t<DTSERVER>{year_end}235959", "\t\t\t<LANGUAGE>FRA", "\t\t</SONRS>",
             "\t</SIGNONMSGSRSV1>", "\t<BANKMSGSRSV1>", "\t\t<STMTTRNRS>", "\t\t\t<TRNUID>0",
             "\t\t\t<STATUS>", "\t\t\t\t<CODE>0", "\t\t\t\t<SEVERITY>INFO", "\t\t\t</STATUS>",
             "\t\t\t<STMTRS>", "\t\t\t\t<CURDEF>EUR", "\t\t\t\t<BANKACCTFROM>",
             "\t\t\t\t\t<BANKID>30003", "\t\t\t\t\t<BRANCHID>01234",
             f"\t\t\t\t\t<ACCTID>{p.account}", "\t\t\t\t\t<ACCTTYPE>CHECKING",
             "\t\t\t\t</BANKACCTFROM>", "\t\t\t\t<BANKTRANLIST>",
             f"\t\t\t\t\t<DTSTART>{p.year}0101", f"\t\t\t\t\t<DTEND>{year_end}"]
    written = []
    per_day: dict[dt.date, int] = {}
    for t in rows:
        k = per_day[t.booked_on] = per_day.get(t.booked_on, 0) + 1
        fitid = f"{t.booked_on:%Y%m%d}{k:04d}"
        written.append((fitid, t.cents))
        lines += ["\t\t\t\t\t<STMTTRN>", f"\t\t\t\t\t\t<TRNTYPE>{t.trntype}",
                  f"\t\t\t\t\t\t<DTPOSTED>{t.booked_on:%Y%m%d}",
                  f"\t\t\t\t\t\t<TRNAMT>{money(t.cents)}", f"\t\t\t\t\t\t<FITID>{fitid}",
                  f"\t\t\t\t\t\t<NAME>{_sgml(t.label)}", f"\t\t\t\t\t\t<MEMO>{_sgml(t.detail)}",
                  "\t\t\t\t\t</STMTTRN>"]
    lines += ["\t\t\t\t</BANKTRANLIST>", "\t\t\t\t<LEDGERBAL>",
              f"\t\t\t\t\t<BALAMT>{money(balance)}", f"\t\t\t\t\t<DTASOF>{year_end}",
              "\t\t\t\t</LEDGERBAL>", "\t\t\t</STMTRS>", "\t\t</STMTTRNRS>",
              "\t</BANKMSGSRSV1>", "</OFX>", ""]
    path.write_bytes("\n".join(lines).encode("cp1252"))
    return written


def write_sg_csv(p: Persona, txns: list[Txn], path: Path) -> list[int]:
    """Writes the second account; returns the written amounts in cents."""
    rows = sorted((t for t in txns if t.account == "second"), key=lambda t: t.booked_on,
                  reverse=True)
    balance = opening_balance(p, "second") + sum(t.cents for t in rows)
    first, last = dt.date(p.year, 1, 1), dt.date(p.year, 12, 31)
    out = ["-", f'="{p.second_account}";{first:%d/%m/%Y};{last:%d/%m/%Y};{len(rows)};'
           f"{last:%d/%m/%Y};{money(balance, comma=True)} EUR", "",
           "Date de l'opération;Libellé;Détail de l'écriture;Montant de l'opération;Devise"]
    for t in rows:
        # Real exports end the detail with a space; labels never contain ";".
        out.append(f"{t.booked_on:%d/%m/%Y};{t.label};{t.detail} ;{money(t.cents, True)};EUR")
    path.write_bytes(("\n".join(out) + "\n").encode("cp1252"))
    return [t.cents for t in rows]
