"""Disclosure control of published benchmark cells (METHODS 11).

A cell is published only if at least ``min_clients`` clients contribute (5), no client holds more than
``max_share`` of its volume (25 %: the former US DOJ/FTC safety zone), its counts are not 1-10 (CMS cell-size
suppression), and no suppressed value can be derived from a published total (complementary suppression:
in every margin with exactly one suppressed cell, the next smallest cell is suppressed too). The best-decile
mean, which with few units is one unit's own value, needs at least ``min_clients_top`` clients in the decile.
Suppressed cells keep their row, marked with the reason; their statistics are blank, never silently missing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MIN_CLIENTS, MAX_SHARE, SMALL = 5, 0.25, (1, 10)
REASONS = {
    "clients": "fewer than {n} clients",
    "share": "one client above {p:g} % of the cell",
    "count": "a count of 1-10",
    "complementary": "complementary (would reveal a suppressed cell from the total)",
}


def suppress(
    cells: pd.DataFrame,
    keys: list[str],
    margins: list[str],
    stats: list[str],
    counts: tuple[str, ...] = ("events", "cases"),
    min_clients: int = MIN_CLIENTS,
    max_share: float = MAX_SHARE,
) -> pd.DataFrame:
    """Mark and blank the cells that may not be published.

    Parameters
    ----------
    cells
        One row per cell with ``clients``, ``max_share`` and the ``counts`` and ``stats`` columns.
    keys
        The columns that identify a cell (e.g. indicator and segment).
    margins
        The key columns along which totals are published (complementary suppression runs along each).
    stats
        Columns blanked in a suppressed cell (with the counts).

    Returns
    -------
    DataFrame
        A copy with ``published`` (bool) and ``reason`` ('' when published).
    """
    out = cells.copy()
    reason = np.full(len(out), "", dtype=object)
    few = (out["clients"] < min_clients).to_numpy()
    reason[few] = REASONS["clients"].format(n=min_clients)
    big = (out["max_share"] > max_share).to_numpy() & (reason == "")
    reason[big] = REASONS["share"].format(p=max_share * 100)
    for c in counts:
        if c in out:
            small = out[c].between(*SMALL).to_numpy() & (reason == "")
            reason[small] = REASONS["count"]
    # complementary: a margin total minus the published cells must not give a suppressed one
    changed = True
    while changed:
        changed = False
        for m in margins:
            rest = [k for k in keys if k != m]
            groups = out.groupby(rest, dropna=False, observed=True).indices if rest else {(): np.arange(len(out))}
            for idx in groups.values():
                hidden = reason[idx] != ""
                if hidden.sum() == 1 and (~hidden).any():
                    size = out["cases"].to_numpy(float)[idx] if "cases" in out else out["clients"].to_numpy(float)[idx]
                    pick = idx[~hidden][np.argmin(size[~hidden])]
                    reason[pick] = REASONS["complementary"]
                    changed = True
    out["published"] = reason == ""
    out["reason"] = reason
    blank = [c for c in (*stats, *counts, "max_share") if c in out]
    out.loc[~out["published"], blank] = np.nan
    return out


def top_decile(
    cells: pd.DataFrame, column: str = "best_decile", clients: str = "top_clients", n: int = 3
) -> pd.DataFrame:
    """Blank the best-decile mean where fewer than ``n`` clients make up the decile (it would be one
    client's own value); the cell stays published with ``best_decile_note``."""
    out = cells.copy()
    few = out[clients] < n
    out.loc[few, column] = np.nan
    out["best_decile_note"] = np.where(few, f"fewer than {n} clients in the best decile", "")
    return out
