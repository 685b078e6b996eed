"""The finance team's Excel workbook of a contract's payouts: one sheet per rule, a totals sheet.

Amounts are written both in cents (the exact integers paid) and in currency units, with the sentence that
recomputes each payout; headers, sheet names and sentences in the contract's language; the file is written to
a temporary name and moved into place.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd

from .. import p4p
from ..exports import cell, spreadsheet_safe
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


def _write(payouts: dict[str, pd.DataFrame], tmp: Path, currency: str, lang: str) -> None:
    used: set[str] = set()
    totals = []
    w = {k: v[lang] for k, v in T.WORKBOOK.items()}
    with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
        for name, res in payouts.items():
            s = p4p.summary(res)
            cols = [
                c for c in ("unit_id", "index", "volume", "eligible", "weight", "share", "capped", "rate") if c in res
            ]
            sheet = res[cols].rename(columns=w)
            sheet[f"{w['payout']} ({currency})"] = res["payout"] / 100
            sheet[f"{w['payout']} ({w['cents']})"] = res["payout"]
            sheet[w["explanation"]] = explain(res, lang)
            spreadsheet_safe(sheet).to_excel(xw, sheet_name=_sheet(name, used), index=False)
            totals.append(
                {
                    w["rule"]: name,
                    f"total ({currency})": s["total"] / 100,
                    f"total ({w['cents']})": s["total"],
                    w["units_paid"]: s["paid"],
                    w["units"]: s["units"],
                    f"{w['largest']} ({currency})": s["largest"] / 100,
                    "gini": round(s["gini"], 4),
                }
            )
        spreadsheet_safe(pd.DataFrame(totals)).to_excel(xw, sheet_name=_sheet(w["totals"], used), index=False)
        for ws in xw.book.worksheets:  # the product writes no formula here: none may reach the workbook as one
            for row in ws.iter_rows():
                for c in row:
                    if c.data_type == "f":
                        c.value, c.data_type = cell(str(c.value)), "s"
