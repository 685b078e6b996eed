"""WHO ICD-10 codes (Brazil's CID-10) in a model built on ICD-10-CM (METHODS 10).

CID-10 stops at four characters (``I21.0``); ICD-10-CM often goes further (``I21.01``, ``I21.02``,
``I21.09``), and only the CM codes are in the HCC mapping. A code absent from the mapping is read through
its CM descendants (the mapped codes it is a prefix of):

- every descendant maps to the same condition categories: the code takes them (``descendants``);
- the descendants disagree: the code takes the categories they all share, none if they share none, and is
  reported as ``ambiguous`` with the categories in dispute, for the analyst to settle;
- no descendant: the code is ``unmapped`` (most are codes without an HCC, such as J06.9).

A code present in the mapping is used as it is (``direct``). The mapping table only holds codes that carry
an HCC, so "unmapped" cannot tell a valid code without an HCC from a typo: the report lists them with
their counts so the analyst can.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .tables import Tables


def extend(codes: pd.Index, t: Tables) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The mapping rows for ``codes`` (distinct, no dot) and the status of each code.

    Returns ``(rows, status)``: ``rows`` has ``code`` and ``cc`` (direct and via descendants);
    ``status`` has ``code``, ``status`` (direct, descendants, ambiguous, unmapped), ``ccs`` and, for
    ambiguous codes, ``disputed``.
    """
    dx = t.dx
    direct = codes[codes.isin(dx["code"])]
    rest = codes[~codes.isin(dx["code"])]
    rows = [dx[dx["code"].isin(direct)]]
    status = [pd.DataFrame({"code": direct, "status": "direct"})]
    if len(rest):
        # descendants by sorted prefix search: every mapped code in [code, code + "~") starts with code
        srt = dx.sort_values("code", kind="stable")
        cm, ccs = srt["code"].to_numpy(str), srt["cc"].to_numpy(str)
        lo = np.searchsorted(cm, rest.to_numpy(str), side="left")
        hi = np.searchsorted(cm, np.char.add(rest.to_numpy(str), "~"), side="left")
        has = hi > lo
        found = []
        for code, a, b in zip(rest[has], lo[has], hi[has], strict=True):
            sets: dict[str, set] = {}
            for k, c in zip(cm[a:b], ccs[a:b], strict=True):
                sets.setdefault(k, set()).add(c)
            common = set.intersection(*sets.values())
            union = set.union(*sets.values())
            found.append(
                {
                    "code": code,
                    "status": "descendants" if common == union else "ambiguous",
                    "ccs": sorted(common, key=int),
                    "disputed": sorted(union - common, key=int),
                }
            )
        f = pd.DataFrame(found, columns=["code", "status", "ccs", "disputed"])
        status += [f, pd.DataFrame({"code": rest[~has], "status": "unmapped"})]
        rows.append(f[["code", "ccs"]].explode("ccs").dropna().rename(columns={"ccs": "cc"}))
    out = pd.concat(status, ignore_index=True)
    return pd.concat(rows, ignore_index=True)[["code", "cc"]], out


def coverage(dx: pd.DataFrame, status: pd.DataFrame) -> dict:
    """Share of diagnosis rows and of distinct codes mapped (direct or through descendants), the
    ambiguous codes and the unmapped codes with their row counts, most frequent first."""
    n = dx["code"].value_counts()
    s = status.set_index("code")
    kind = s["status"].reindex(n.index)
    mapped = kind.isin(["direct", "descendants"])
    amb = s[s["status"] == "ambiguous"].assign(rows=n)
    un = n[kind == "unmapped"]
    return {
        "rows_mapped": float(n[mapped].sum() / n.sum()) if len(n) else 0.0,
        "codes_mapped": float(mapped.mean()) if len(n) else 0.0,
        "via_descendants": int((kind == "descendants").sum()),
        "ambiguous": amb.reset_index()[["code", "rows", "ccs", "disputed"]],
        "unmapped": un.rename("rows").rename_axis("code").reset_index(),
    }
