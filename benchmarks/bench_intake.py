"""Benchmark: reading and validating a client's monthly measurements exported the Brazilian way (``;``,
decimal ``,``, thousands ``.``, latin-1) against pandas reading the same file with the dialect given and no
checks at all, in the same process, the two sides alternated over ``--pairs`` pairs.

gps_core's side does everything an intake does: detects the encoding, separator and decimal mark, records
the source line of every row, converts numbers refusing non-finite values and contradicting decimal marks,
checks dates, plausible bounds (``schemas.LIMITS``), the catalogue and duplicates. The two tables are checked
equal (numerators and denominators) before any time is reported.

Target (issue 13): at most 7x the bare pandas read, the whole class of checks included; the intake before
issue 13 (fewer checks, text read as Arrow strings, the file decoded twice) measured 9.7x median at 1 M rows.
Prints the min and median of the paired ratios and the peak memory of the process (VmHWM); exits 1 when the
median misses the target.

Run: ``python benchmarks/bench_intake.py [--rows 1000000] [--pairs 5]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from gps_core.catalog import load_catalog
from gps_core.io.readers import read_table
from gps_core.schemas import validate_measurements

TARGET = 7.0


def peak_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


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


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--pairs", type=int, default=5)
    a = ap.parse_args()
    cat = load_catalog()
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "indicadores.csv"
        make(f, a.rows)
        got, want = ours(f, cat), bare(f)
        for c in ("numerator", "denominator"):
            assert np.array_equal(got[c].to_numpy(), want[c].to_numpy(float)), c
        ratios, t_ours, t_bare = [], [], []
        for i in range(a.pairs):  # alternate which side runs first, so drift hits both alike
            order = [("ours", lambda: ours(f, cat)), ("bare", lambda: bare(f))]
            times = {}
            for name, fn in order if i % 2 == 0 else order[::-1]:
                t0 = time.perf_counter()
                fn()
                times[name] = time.perf_counter() - t0
            t_ours.append(times["ours"])
            t_bare.append(times["bare"])
            ratios.append(times["ours"] / times["bare"])
    med = statistics.median(ratios)
    print(f"intake of {a.rows:,} measurement rows (Brazilian CSV, {f.name}), {a.pairs} alternated pairs")
    print(f"  gps_core read_table + validate_measurements: median {statistics.median(t_ours):.2f} s")
    print(f"  pandas read_csv, dialect given, no checks:   median {statistics.median(t_bare):.2f} s")
    print(f"  ratio: min {min(ratios):.2f}x, median {med:.2f}x (target <= {TARGET:.1f}x)")
    print(f"  peak memory of the process: {peak_mib():,.0f} MiB")
    if med > TARGET:
        print("MISSED the target", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
