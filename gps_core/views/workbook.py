"""The finance team's Excel workbook of a contract's payouts: one sheet per rule, a totals sheet.

Each rule's sheet has a row per unit: its index, volume, eligibility, weight and share, the rate, the payout in
currency (a money format) and in cents (the exact integers paid), and the sentence that recomputes it. Headers,
sheet names, sentences and yes/no in the contract's language; the header row frozen and filterable. The totals
sheet recomputes each rule's total, units paid, units and largest payout with spreadsheet formulas over the
rule's sheet (the only formulas in the workbook: the product writes them itself, every text from data is
written so that it cannot run as one), and a grand total. The file is written to a temporary name and moved
into place (issue 15, item 4).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd

from .. import p4p
from ..exports import cell
from . import text as T
from .payouts import explain


def _sheet(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\\x00-\x1f]", " ", name).strip().strip("'")[:28].strip() or "rule"
    out, k = base, 2
    while out in used:
        out, k = f"{base[:25]} ({k})", k + 1
    used.add(out)
    return out


def write_payouts(payouts: dict[str, pd.DataFrame], path: str | Path, currency: str = "BRL", lang: str = "en") -> Path:
    """Write ``{rule name: gps_core.p4p output}`` to an .xlsx file, each payout with the sentence that
    recomputes it in ``lang``, and return its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        _write(payouts, tmp, currency, lang)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)  # a failed write leaves nothing behind
    return path


MONEY = '"{sym}" #,##0.00'  # Excel shows the separators of the reader's locale: 1.234,56 in Brazil
FORMATS = {"index": "0.00", "volume": "#,##0", "weight": "#,##0.00", "share": "0.0000%", "rate": "0.0000%"}


def _write(payouts: dict[str, pd.DataFrame], tmp: Path, currency: str, lang: str) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter, quote_sheetname

    w = {k: v[lang] for k, v in T.WORKBOOK.items()}
    yes, no = T.label("yes", lang), T.label("no", lang)
    money = MONEY.format(sym=T.CURRENCY.get(currency, currency))
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="EEF2F6")
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    totals = []

    def header(ws, names: list[str], widths: list[int]) -> None:
        ws.append([cell(x) for x in names])
        for j, width in enumerate(widths, 1):
            c = ws.cell(row=1, column=j)
            c.font, c.fill, c.alignment = bold, fill, Alignment(wrap_text=True, vertical="top")
            ws.column_dimensions[get_column_letter(j)].width = width
        ws.freeze_panes = "B2"  # the header row and the unit column stay in view
        ws.auto_filter.ref = f"A1:{get_column_letter(len(names))}1"

    for name, res in payouts.items():
        s = p4p.summary(res)
        cols = [c for c in ("unit_id", "index", "volume", "eligible", "weight", "share", "capped", "rate") if c in res]
        names = [w[c] for c in cols] + [f"{w['payout']} ({currency})", f"{w['payout']} ({w['cents']})",
                                        w["explanation"]]  # fmt: skip
        ws = book.create_sheet(_sheet(name, used))
        header(ws, names, [22] + [12] * (len(cols) - 1) + [16, 14, 90])
        said = explain(res, lang, currency)
        for i in range(len(res)):
            row = []
            for c in cols:
                v = res[c].iloc[i]
                row.append((yes if v else no) if c in ("eligible", "capped") else cell(v if c != "unit_id" else str(v)))
            cents = int(res["payout"].iloc[i])
            ws.append([*row, cents / 100, cents, cell(said.iloc[i])])
        n = len(res) + 1
        for j, c in enumerate(cols, 1):
            for (x,) in ws.iter_rows(min_row=2, max_row=n, min_col=j, max_col=j):
                x.number_format = FORMATS.get(c, x.number_format)
        pay, cents_col = get_column_letter(len(cols) + 1), get_column_letter(len(cols) + 2)
        for (x,) in ws.iter_rows(min_row=2, max_row=n, min_col=len(cols) + 1, max_col=len(cols) + 1):
            x.number_format = money
        for (x,) in ws.iter_rows(min_row=2, max_row=n, min_col=len(cols) + 2, max_col=len(cols) + 2):
            x.number_format = "#,##0"
        ref = quote_sheetname(ws.title)
        totals.append((name, ref, pay, cents_col, n, s))
    ws = book.create_sheet(_sheet(w["totals"], used))
    names = [w["rule"], f"total ({currency})", f"total ({w['cents']})", w["units_paid"], w["units"],
             f"{w['largest']} ({currency})", "Gini"]  # fmt: skip
    header(ws, names, [34, 18, 16, 14, 10, 18, 8])
    for name, ref, pay, cents_col, n, s in totals:
        ws.append([
            cell(name),
            f"=SUM({ref}!{pay}2:{pay}{n})",
            f"=SUM({ref}!{cents_col}2:{cents_col}{n})",
            f'=COUNTIF({ref}!{cents_col}2:{cents_col}{n},">0")',
            f"=COUNTA({ref}!A2:A{n})",
            f"=MAX({ref}!{pay}2:{pay}{n})",
            round(s["gini"], 4),
        ])  # fmt: skip
    last = len(totals) + 1
    ws.append([w["all_rules"], f"=SUM(B2:B{last})", f"=SUM(C2:C{last})"])
    ws.cell(row=last + 1, column=1).font = bold
    for row in ws.iter_rows(min_row=2, max_row=last + 1):
        for j, fmt in ((2, money), (3, "#,##0"), (6, money), (7, "0.0000")):
            if j <= len(row):
                row[j - 1].number_format = fmt
    book.save(tmp)
