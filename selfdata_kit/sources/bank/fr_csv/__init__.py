"""French bank CSV exports ("Télécharger mes opérations" on the bank's website).

Variants handled (each with a fixture in tests/sources/bank/fixtures/):
- Société Générale: a "-" line, the account line written as an Excel formula
  (`="0234500012345678";start;end;count;balance date;balance EUR`), a blank line, then
  `Date de l'opération;Libellé;Détail de l'écriture;Montant de l'opération;Devise`;
- BNP Paribas: an account line with the balance, then header-less rows
  `date;category;sub-category;label;amount`, or the newer header
  `Date opération;Catégorie opération;Sous Catégorie opération;Libellé opération;Montant opération`;
- Crédit Agricole: metadata lines (download date, account, balance), `Date;Libellé;Débit euros;
  Crédit euros;` with UNSIGNED split debit/credit and multi-line quoted labels;
- Caisse d'Epargne: `Key : value` metadata cells, `Date;Numéro d'opération;Libellé;Débit;Crédit;
  Détail;` with a SIGNED debit and dd/mm/yy dates, an opening-balance trailer line;
- LCL: no header (`date;amount;type;cheque;label;`), a final line with the date and balance;
- La Banque Postale: `Key   ;value` metadata lines, `Date;Libellé;Montant(EUROS)`;
- Crédit Mutuel: `Date;Date de valeur;Débit;Crédit;Libellé;Solde` (running balance);
- Boursorama: `dateOp;dateVal;label;category;categoryParent;...;accountNum;accountLabel;
  accountbalance`, ISO dates, several accounts in one file;
- Fortuneo: `Date opération;Date valeur;libellé;Débit;Crédit;`;
- any of these with several accounts as successive blocks (metadata + header + rows).

Files are Windows-1252 (or UTF-8): decoded once, then parsed in bulk (pyarrow CSV reader,
whole-column conversions). Rows carry no uid: the store hashes their content.
"""

from __future__ import annotations

import re

import pyarrow as pa

from ...base import CSV_MAX, InputFile, ParseContext, Parsed, Source
from ...text import decode, head_text
from .blocks import find_blocks, read_rows
from .layout import HEADER_SEARCH_LINES, find_header, is_dated_row
from .meta import read_meta
from .rows import convert_block

# Files other sources own: OFX, QIF, XML, JSON, Enedis energy CSVs.
# Other formats' markers, meter readings included (Enedis exports are `;` CSVs with dates too)
_NOT_OURS = re.compile(r"OFXHEADER|<OFX>|<\?xml|\A\s*[{\[<]|^!Type:|^!Account|Horodate;Valeur"
                       r"|Identifiant PRM|Valeur \(en k?Wh\)|;EAS [FTD]\d*\b",
                       re.IGNORECASE | re.MULTILINE)
_MARKERS = re.compile(
    r"^=\"\d{5,}\";|^T[ée]l[ée]chargement du \d|^Code de la banque :|^Num[ée]ro Compte\s*;"
    r"|^Solde au \d|^Compte de ch[èe]ques;|^Num[ée]ro de compte :", re.MULTILINE)


def detect(inp: InputFile) -> bool:
    text = head_text(inp)
    if not text or _NOT_OURS.search(text):
        return False
    lines = text.splitlines()[:HEADER_SEARCH_LINES]
    if len(text) >= 4096 and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut
    if find_header(lines) or _MARKERS.search("\n".join(lines)):
        return True
    return any(is_dated_row(line, ";") for line in lines)


def parse(inp: InputFile, ctx: ParseContext) -> Parsed:
    raw = inp.read_bytes()
    text, encoding = decode(raw, inp.name, inp.warnings)
    # pyarrow reads UTF-8 bytes: keep the file's own bytes when they are UTF-8 already, and
    # never hold the raw bytes, the text and the re-encoded bytes at once (memory)
    if encoding.startswith("utf-8"):
        del text
        data = raw[3:] if encoding == "utf-8-sig" else raw
    else:
        del raw
        data = text.encode("utf-8")
        del text
    txs, balances, accounts, errors, rows_read = [], [], [], [], 0
    for block in find_blocks(data, inp.name):
        meta = read_meta(block.preamble, block.layout.delimiter)
        result = convert_block(data, block, read_rows(data, block), meta)
        txs.append(result.transactions)
        balances += result.balances
        accounts += result.accounts
        errors += result.errors
        rows_read += result.rows_read
    tables: dict[str, pa.Table] = {}
    columns = [c for c in txs[0].column_names if c != "_balance"]
    if any("account_id" in t.column_names for t in txs):
        columns = [*dict.fromkeys([*columns, "account_id"])]
    tables["transactions"] = pa.concat_tables(
        [_with_columns(t, columns) for t in txs], promote_options="permissive")
    if balances:
        tables["balances"] = pa.Table.from_pylist(balances).cast(pa.schema([
            ("account_id", pa.string()), ("as_of", pa.date32()),
            ("amount", pa.decimal128(18, 2)), ("currency", pa.string())]))
    if accounts:
        tables["accounts"] = pa.Table.from_pylist(accounts)
    return Parsed(tables=tables, errors=errors, rows_read=rows_read)


def _with_columns(t: pa.Table, columns: list[str]) -> pa.Table:
    """The same columns for every block (a block without account number gets 'default')."""
    out = {}
    for c in columns:
        if c in t.column_names:
            out[c] = t[c]
        elif c == "account_id":
            out[c] = pa.array(["default"] * len(t), pa.string())
        else:
            out[c] = pa.nulls(len(t))
    return pa.table(out)


SOURCE = Source(
    name="fr-bank-csv",
    title="French bank CSV export (Société Générale, BNP Paribas, Crédit Agricole, LCL ...)",
    kind="bank",
    detect=detect,
    parse=parse,
    extensions=(".csv", ".txt"),
    max_bytes=CSV_MAX,
)
