"""Benchmark: the annual evaluation core (input validation, scoring, index, peers, annual evaluation) over
paper-scale clients against a bare pandas group-by sum of the same rows, alternated pair after pair in
forked children (benchmarks/timing.py).

Targets (issue 16): at most 4x the group-by, validation included, at 20 clients (5.5 M indicator-month
rows), peak memory under 4 GiB; the cost per row at 40 clients at most 1.25x the cost per row at 5
(linear growth).

Run: ``python benchmarks/bench_pipeline.py [--quick] [--pairs 5]``.
"""

from __future__ import annotations

import argparse
import time
import warnings

import pandas as pd
from timing import finish, pairs

from gps_core.annual import annual_evaluation
from gps_core.catalog import load_catalog
from gps_core.index import peer_compare, performance_index, score_indicators
from gps_core.schemas import validate_measurements
from gps_core.synth import hospital as synth


def make_pool(n: int) -> pd.DataFrame:
    """n paper-scale hospitals (556 doctors x 45 indicators x 12 months each), distinct seeds and names."""
    parts = [synth.paper_hospital(seed=1000 + k, client=f"client_{k:02d}", calibrate=0) for k in range(n)]
    df = pd.concat(parts, ignore_index=True)
    for c in ("client", "program", "unit_id", "unit_type", "specialty", "indicator_id"):
        df[c] = df[c].astype("category")
    return df


def baseline(df: pd.DataFrame) -> pd.DataFrame:
    """The peer: sum numerators and denominators per client, unit and month."""
    return df.groupby(["client", "unit_id", "period"], observed=True)[["numerator", "denominator"]].sum()


def core(df: pd.DataFrame, cat: pd.DataFrame) -> pd.DataFrame:
    """Ours: what an evaluation run does with its measurements, from validation to the annual table."""
    scores = score_indicators(validate_measurements(df, cat, "bench"), cat)
    ix = performance_index(scores, cat, synth.DIMENSION_WEIGHTS, "redistribute")
    ix = peer_compare(ix, "specialty")
    return annual_evaluation(ix, pd.Timestamp("2015-01-01"), target=75)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="smaller sizes (make bench-quick)")
    ap.add_argument("--pairs", type=int, default=5)
    a = ap.parse_args()
    warnings.simplefilter("ignore")  # FewMonthsWarning for doctors on leave: expected at this scale
    cat = load_catalog()
    small, main_, large = (1, 4, 8) if a.quick else (5, 20, 40)
    t = time.perf_counter()
    pools = {n: make_pool(n) for n in (small, main_, large)}
    print(f"generated {', '.join(f'{len(p):,}' for p in pools.values())} rows in {time.perf_counter() - t:.0f} s")
    df = pools[main_]
    results = [
        pairs(
            "annual core with validation vs pandas group-by",
            lambda: core(df, cat),
            lambda: baseline(df),
            target=4,
            size=f"{len(df):,} rows, {main_} clients",
            n=a.pairs,
            memory=4096,
        ),
        pairs(
            f"annual core per row, {large} clients vs {small}",
            lambda: core(pools[large], cat),
            lambda: core(pools[small], cat),
            target=1.25,
            size=f"{len(pools[large]):,} vs {len(pools[small]):,} rows",
            n=a.pairs,
            per=(len(pools[large]), len(pools[small])),
        ),
    ]
    finish(results)


if __name__ == "__main__":
    main()
