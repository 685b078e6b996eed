"""Benchmark: reading and validating a client's monthly measurements exported the Brazilian way (``;``,
decimal ``,``, thousands ``.``, latin-1) against pandas reading the same file with the dialect given and no
checks at all, the two sides alternated over ``--pairs`` pairs, each run in its own forked process
(benchmarks/timing.py).

gps_core's side does everything an intake does: detects the encoding, separator and decimal mark, records
the source line of every row, converts numbers refusing non-finite values and contradicting decimal marks,
checks dates, plausible bounds (``schemas.LIMITS``), the catalogue and duplicates. The two tables are checked
equal (numerators and denominators) before any time is reported.

Target (issue 13): at most 7x the bare pandas read, the whole class of checks included; the intake before
issue 13 (fewer checks, text read as Arrow strings, the file decoded twice) measured 9.7x median at 1 M rows.
Prints the min and median of the paired ratios and each side's peak memory; exits 1 when the median misses
the target.

Run: ``python benchmarks/bench_intake.py [--rows 1000000] [--pairs 5] [--quick]``.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from timing import finish, pairs

from gps_core.catalog import load_catalog
from gps_core.io.readers import read_table
from gps_core.schemas import validate_measurements

TARGET = 7.0


def make(path: Path, rows: int) -> None:
    rng = np.random.default_rng(13)
    cat = load_catalog()
    ind = cat["indicator_id"].to_numpy()
    units = rows // (12 * len(ind)) + 1
    k = np.arange(rows)
    den = rng.integers(1, 5000, rows).astype(float) + np.where(k % 5 == 0, 0.5, 0.0)
    df = pd.DataFrame(
        {
            "client": "acme",
            "program": "GPS.Corpo Clínico",
            "unit_id": [f"D{u:05d}" for u in (k // (12 * len(ind))) % units],
            "unit_type": "doctor",
            "specialty": "Cardiologia",
            "period": [f"{m + 1:02d}/2025" for m in (k // len(ind)) % 12],
            "indicator_id": ind[k % len(ind)],
            "numerator": np.floor(den * rng.uniform(0, 1, rows)),
            "denominator": den,
        }
    )
    df["numerator"] = np.where(cat.set_index("indicator_id")["unit"].reindex(df["indicator_id"]).to_numpy() == "nps",
                               0, df["numerator"])  # fmt: skip
    text = df.to_csv(sep=";", index=False, decimal=",")
    path.write_bytes(text.encode("latin-1"))


def ours(path: Path, cat: pd.DataFrame) -> pd.DataFrame:
    df, _ = read_table(path)
    return validate_measurements(df, cat, str(path))


def bare(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep=";", decimal=",", thousands=".", encoding="latin-1")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="100,000 rows (make bench-quick)")
    a = ap.parse_args()
    rows = 100_000 if a.quick else a.rows
    cat = load_catalog()
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "indicadores.csv"
        make(f, rows)
        got, want = ours(f, cat), bare(f)
        for c in ("numerator", "denominator"):
            assert np.array_equal(got[c].to_numpy(), want[c].to_numpy(float)), c
        res = pairs(
            "intake (read_table + validate_measurements) vs pandas read_csv without checks",
            lambda: ours(f, cat),
            lambda: bare(f),
            target=TARGET,
            size=f"{rows:,} rows, Brazilian CSV",
            n=a.pairs,
        )
    finish([res])


if __name__ == "__main__":
    main()
