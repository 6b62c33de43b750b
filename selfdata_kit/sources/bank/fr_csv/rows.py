"""One block of a French bank CSV export -> transactions, balances and row errors.

Conversions run on whole columns; rows that fail (an unreadable date or amount) are looked
at one by one: blank rows and trailer lines ('Solde en début de période;;;;1 000,00') are
dropped, the others become row errors with their physical line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from ...base import RowError
from . import convert as cv
from .blocks import Block, row_lines
from .meta import AccountMeta, is_meta_line

DEFAULT_ACCOUNT = "default"  # store.DEFAULT_ACCOUNT: the account of files that name none


@dataclass
class BlockResult:
    transactions: pa.Table
    balances: list[dict] = field(default_factory=list)
    accounts: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows_read: int = 0


def convert_block(data: bytes, block: Block, table: pa.Table, meta: AccountMeta) -> BlockResult:
    lay = block.layout
    col = {role: table.column(j) for role, j in lay.roles.items()}
    shape = cv.date_shape(cv.sample(col["date"]))
    booked = cv.to_dates(col["date"], shape)
    problems: list[tuple[pa.Array, str]] = [
        (pc.is_null(booked), f"expected a date like {shape[2]} in {lay.ref('date')}")]
    if "value_date" in col:
        vshape = cv.date_shape(cv.sample(col["value_date"]))
        value_on = cv.to_dates(col["value_date"], vshape)
        problems.append((pc.and_(pc.is_null(value_on), pc.invert(cv.is_empty(col["value_date"]))),
                         f"expected a date like {vshape[2]} in {lay.ref('value_date')}"))
    if "amount" in col:
        mark = cv.decimal_mark(col["amount"])
        amount = cv.to_amounts(col["amount"], mark)
        ok_amount = pc.is_valid(amount)
        where = lay.ref("amount")
    else:
        debit, credit = col.get("debit"), col.get("credit")
        empty = pa.chunked_array([pa.array([""] * len(table), pa.string())])
        debit = empty if debit is None else debit
        credit = empty if credit is None else credit
        mark = cv.decimal_mark(pa.chunked_array(debit.chunks + credit.chunks, pa.string()))
        amount, ok_amount = cv.split_amounts(debit, credit, mark)
        where = " or ".join(lay.ref(r) for r in ("debit", "credit") if r in col)
    example = "-12,34" if mark == "," else "-12.34"
    problems.append((pc.invert(ok_amount), f"expected an amount like {example} in {where}"))

    bad = pc.or_(problems[0][0], problems[-1][0])
    for mask, _ in problems[1:-1]:
        bad = pc.or_(bad, mask)
    keep = pc.invert(bad)
    result = BlockResult(pa.table({}))
    bad_idx = pc.indices_nonzero(bad).to_pylist()
    errors: list[tuple[int, str]] = []  # (row index, message)
    if bad_idx:
        flags = [pc.take(m, bad_idx).to_pylist() for m, _ in problems]
        for p, (i, cells) in enumerate(zip(bad_idx, table.take(bad_idx).to_pylist(),
                                           strict=True)):
            values = list(cells.values())
            if not any(v.strip() for v in values) or is_meta_line(lay.delimiter.join(values)):
                continue  # a blank row, or a trailer such as a period's opening balance
            k = next(k for k in range(len(problems)) if flags[k][p])
            errors.append((i, problems[k][1]))
    wrong = [t for t in block.skipped if t.strip() and not is_meta_line(t)]
    if errors or wrong:
        lines, wrong_rows = row_lines(data, block)
        result.errors = [RowError(lines[i], msg) for i, msg in errors]
        result.errors += [
            RowError(line, f'expected {lay.ncols} cells separated by "{lay.delimiter}"'
                     f" (found {len(cells)})")
            for line, cells in wrong_rows
            if any(c.strip() for c in cells) and not is_meta_line(lay.delimiter.join(cells))]
        result.errors.sort(key=lambda e: e.line or 0)

    columns: dict[str, pa.ChunkedArray] = {"booked_on": booked, "amount": amount}
    if "value_date" in col:
        columns["value_on"] = value_on
    label = cv.clean_text(col["label"]) if "label" in col else None
    if label is not None and "detail" in col:
        label = cv.with_detail(label, cv.clean_text(col["detail"]))
    if label is not None:
        columns["label"] = label
    category = cv.join_category(col.get("category_parent"), col.get("category"))
    if category is not None:
        columns["bank_category"] = category
    currency = meta.currency or "EUR"
    if "currency" in col:
        cur = pc.utf8_upper(pc.utf8_trim_whitespace(col["currency"]))
        columns["currency"] = pc.if_else(cv.is_empty(cur), currency, cur)
    else:
        columns["currency"] = pa.chunked_array([pa.array([currency] * len(table))])
    if "account" in col:
        acct = pc.replace_substring_regex(pc.utf8_trim_whitespace(col["account"]),
                                          r'^="?|"$', "")
        columns["account_id"] = acct
        names = cv.clean_text(col["account_label"]) if "account_label" in col else acct
        found = pa.table({"account_id": acct, "label": names}).filter(keep)
        for row in found.group_by("account_id", use_threads=False).aggregate(
                [("label", "first")]).to_pylist():
            label = row["label_first"] if "account_label" in col else None
            result.accounts.append({"account_id": row["account_id"], "label": label,
                                    "institution": lay.institution})
    elif meta.account_id:
        columns["account_id"] = pa.chunked_array([pa.array([meta.account_id] * len(table))])
    if "balance" in col or "account_balance" in col:
        columns["_balance"] = cv.to_amounts(col.get("balance", col.get("account_balance")), mark)
    tx = pa.table(columns)
    if bad_idx:  # filter copies every column: only when some rows go
        tx = tx.filter(keep)
    result.rows_read = len(tx) + len(result.errors)
    result.transactions = tx
    _closing_balance(result, block, table, keep, meta)
    _balances(result, block, meta)
    return result


def _closing_balance(result: BlockResult, block: Block, table: pa.Table, keep: pa.Array,
                     meta: AccountMeta) -> None:
    """LCL (no header) ends with a line holding only a date and the balance."""
    kept = pc.indices_nonzero(keep)
    if block.layout.header_line or not len(kept):
        return
    last = table.take(kept[-1:]).to_pylist()[0]
    roles = block.layout.roles
    others = [v for k, v in last.items()
              if int(k[1:]) not in (roles["date"], roles["amount"])]
    if not any(v.strip() for v in others):
        tx = result.transactions
        meta.as_of, meta.balance = tx["booked_on"][-1].as_py(), tx["amount"][-1].as_py()
        result.transactions = tx.slice(0, len(tx) - 1)
        result.rows_read -= 1


def _balances(result: BlockResult, block: Block, meta: AccountMeta) -> None:
    tx = result.transactions
    account = meta.account_id or DEFAULT_ACCOUNT
    if meta.account_id:
        result.accounts.append({"account_id": meta.account_id, "label": meta.label,
                                "institution": block.layout.institution,
                                "currency": meta.currency or "EUR"})
    if meta.balance is not None and meta.as_of is not None:
        result.balances.append({"account_id": account, "as_of": meta.as_of,
                                "amount": meta.balance, "currency": meta.currency or "EUR"})
    if "_balance" not in tx.column_names:
        return
    if "account_id" not in tx.column_names:
        tx = tx.append_column("account_id", pa.array([account] * len(tx), pa.string()))
    tx = tx.append_column("_ord", pa.array(range(len(tx)), pa.int64()))
    tx = tx.filter(pc.is_valid(tx["_balance"]))
    if len(tx) == 0:  # no row to date a balance by (and empty columns may be typed null)
        return
    # pyarrow has no "first" aggregate for decimals: carry the balance as text
    tx = tx.append_column("_balance_text", pc.cast(tx["_balance"], pa.string()))
    if "account_balance" in block.layout.roles:
        # Boursorama: the account's current balance on every row; dated by its latest row
        groups = tx.group_by("account_id", use_threads=False).aggregate(
            [("booked_on", "max"), ("_balance_text", "first"), ("currency", "first")])
        keys = ("booked_on_max", "_balance_text_first", "currency_first")
    else:
        # a running balance: a day's closing balance is on its chronologically last row,
        # the file's last row of that day when rows go oldest first, its first row otherwise
        dates = tx["booked_on"]
        newest_first = len(tx) > 1 and dates[0].as_py() > dates[-1].as_py()
        pick = "min" if newest_first else "max"
        ords = tx.group_by(["account_id", "booked_on"], use_threads=False).aggregate(
            [("_ord", pick)])[f"_ord_{pick}"]
        groups = tx.filter(pc.is_in(tx["_ord"], value_set=ords))
        keys = ("booked_on", "_balance", "currency")
    for row in groups.to_pylist():
        result.balances.append({"account_id": row["account_id"], "as_of": row[keys[0]],
                                "amount": row[keys[1]], "currency": row[keys[2]]})
