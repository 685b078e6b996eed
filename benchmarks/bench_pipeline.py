"""Benchmark: scoring + index + annual evaluation over 20 paper-scale clients (~5.6 M indicator-month rows)
against a plain pandas group-by sum over the same rows, in the same process.

Target (issue 2): at most 10x the baseline, peak memory under 4 GiB. The pipeline runs in a child process
so that its peak resident memory (data included) is measured on its own, and each timing is the median of
``--repeat`` runs. ``--demo`` also times ``gps demo`` end to end.

Run: ``python benchmarks/bench_pipeline.py [--clients 20] [--repeat 3] [--demo]``.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from timing import timed

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
    return df.groupby(["client", "unit_id", "period"], observed=True)[["numerator", "denominator"]].sum()


def pipeline(df: pd.DataFrame, cat: pd.DataFrame) -> pd.DataFrame:
    scores = score_indicators(df, cat)
    ix = performance_index(scores, cat, synth.DIMENSION_WEIGHTS, "redistribute")
    ix = peer_compare(ix, "specialty")
    return annual_evaluation(ix, pd.Timestamp("2015-01-01"), target=75)


def child(path: str, repeat: int, out: mp.Queue) -> None:
    import warnings

    warnings.simplefilter("ignore")  # FewMonthsWarning for doctors on leave: expected at this scale
    df = pickle.load(open(path, "rb"))
    cat = load_catalog()
    t_base, _ = timed(lambda: baseline(df), repeat)
    t_pipe, _ = timed(lambda: pipeline(df, cat), repeat)
    t_valid, _ = timed(lambda: validate_measurements(df, cat, "bench"), 1)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB -> GiB
    out.put({"rows": len(df), "baseline_s": t_base, "pipeline_s": t_pipe, "validation_s": t_valid, "peak_gib": peak})


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--demo", action="store_true", help="also time `gps demo` end to end")
    a = ap.parse_args()
    t = time.perf_counter()
    df = make_pool(a.clients)
    print(f"generated {len(df):,} rows for {a.clients} clients in {time.perf_counter() - t:.1f} s")
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "pool.pkl")
        pickle.dump(df, open(path, "wb"))
        del df
        ctx = mp.get_context("spawn")
        q = ctx.Queue()
        p = ctx.Process(target=child, args=(path, a.repeat, q))
        p.start()
        r = q.get()
        p.join()
    ratio = r["pipeline_s"] / r["baseline_s"]
    print(f"rows                          {r['rows']:,}")
    print(f"baseline pandas group-by sum  {r['baseline_s']:.3f} s")
    print(f"scoring+index+peers+annual    {r['pipeline_s']:.3f} s  -> {ratio:.1f}x baseline (target <= 10x)")
    print(f"input validation (once)       {r['validation_s']:.3f} s")
    print(f"peak memory of the run        {r['peak_gib']:.2f} GiB (target < 4 GiB)")
    if a.demo:
        with tempfile.TemporaryDirectory() as out:
            t = time.perf_counter()
            gps = str(Path(sys.executable).with_name("gps"))
            subprocess.run([gps, "demo", "-j", "2", "--out", out], check=True, capture_output=True)
            print(f"gps demo -j 2 end to end      {time.perf_counter() - t:.1f} s")


if __name__ == "__main__":
    main()
