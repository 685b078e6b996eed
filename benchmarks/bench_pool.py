"""Benchmark: the benchmark study's queries on a synthetic pool (10 M and 50 M rows), through Ibis on DuckDB,
against the same cells in hand-written DuckDB SQL; then Spark (local) on a sample, with its overhead.

The pool is made inside DuckDB: 60 clients (3 sizes x 5 regions), units x 45 indicators x 12 months. Both
sides compute, per indicator and segment (overall, size, region), the unit and client counts, events, cases,
percentiles 10/25/50/75/90, mean, the means and clients of the best and worst deciles and the largest
client's share; the results are checked equal (and equal to pandas on the smallest pool) before anything is
timed. Ours is what a study runs: the unit values computed once (``benchmark.units``), then the cells of
every segment read from them (``benchmark.segments``); the hand-written SQL is one statement per segment.

Targets (issue 16): ours at most 1.0x the hand-written SQL at each size (median of pairs alternated in forked
processes, benchmarks/timing.py), and a peak memory under 2 GiB at 50 M rows.

Run: ``python benchmarks/bench_pool.py [--rows 10000000,50000000] [--pairs 5] [--sample 1000000] [--quick]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from timing import finish, pairs, timed

from gps_core.catalog import load_catalog
from gps_core.pooled import benchmark, store

SEGMENTS = [None, "size", "region"]
Q = [0.1, 0.25, 0.5, 0.75, 0.9]
COLS = ["units", "clients", "events", "cases", "p10", "p25", "p50", "p75", "p90", "mean", "top_mean", "top_clients",
        "bottom_mean", "bottom_clients", "max_share"]  # fmt: skip


def build(path: Path, rows: int) -> None:
    """A pool of about ``rows`` measurement rows, made by SQL (no Python loop, no pandas)."""
    ind = load_catalog("hospital_2015")["indicator_id"].tolist()
    units = max(1, rows // (len(ind) * 12 * 60))
    p = store.connect(path, create=True)
    cx = p.con.con
    cx.execute("CREATE TEMP TABLE ind AS SELECT unnest(?) AS indicator_id, generate_subscripts(?, 1) AS k",
               [ind, ind]).fetchall()  # fmt: skip
    cx.execute("""
        INSERT INTO contributors
        SELECT 'c' || c, 'hospital', ['small', 'medium', 'large'][c % 3 + 1],
               ['Norte', 'Nordeste', 'Centro-Oeste', 'Sudeste', 'Sul'][c % 5 + 1]
        FROM range(60) t(c)""").fetchall()
    cx.execute(f"""
        INSERT INTO measurements
        SELECT 1, 'c' || c, '2024', DATE '2024-01-01' + to_months(m), 'u' || c || '_' || u, 'ward', 'Clínica',
               indicator_id, floor(d * (0.3 + 0.6 * ((hash(c * 100003 + u * 7 + k) % 1000) / 1000.0))), d, NULL
        FROM range(60) a(c), range({units}) b(u), ind, range(12) e(m),
             LATERAL (SELECT 10 + hash(c + u * 31 + m * 17 + k) % 50 AS d)""").fetchall()
    p.close()


def frame(cx) -> pd.DataFrame:
    """The columns pandas needs (the first attempt read every column and took more than the machine's 24 GiB
    at 50 M rows)."""
    return cx.execute("SELECT client, unit, indicator_id, numerator, denominator FROM measurements").df()


def ours(db: Path) -> dict:
    """The study's queries: unit values once, then every segment's cells from them."""
    p = store.connect(db)
    try:
        values = benchmark.units(p)
        try:
            out = benchmark.segments(values, [s for s in SEGMENTS if s])
        finally:
            values.release()
    finally:
        p.close()
    return {g: t.drop(columns=["segment", "group"]).assign(**({g: t["group"]} if g != "all" else {}))
            for g, t in out.groupby("segment")}  # fmt: skip


def sql(db: Path) -> dict:
    """The same cells, one hand-written statement per segment."""
    p = store.connect(db)
    try:
        return sql_study(p.con.con)
    finally:
        p.close()


def pandas_study(m: pd.DataFrame, c: pd.DataFrame) -> dict:
    u = m.groupby(["client", "unit", "indicator_id"], sort=False, observed=True)[["numerator", "denominator"]].sum()
    u = u[u["denominator"] > 0].reset_index()
    u["value"] = u["numerator"] / u["denominator"]
    u = u.merge(c, on="client")
    out = {}
    for s in SEGMENTS:
        keys = ["indicator_id", *([s] if s else [])]
        g = u.groupby(keys, observed=True)
        t = g.agg(units=("value", "size"), clients=("client", "nunique"), cases=("denominator", "sum"),
                  mean=("value", "mean"))  # fmt: skip
        qs = g["value"].quantile(Q).unstack()  # aligned on the index, not by position
        t = t.join(qs.set_axis(["p10", "p25", "p50", "p75", "p90"], axis=1))
        p90 = u[keys].merge(t["p90"].reset_index(), on=keys, how="left")["p90"].to_numpy()
        t["top_mean"] = u[u["value"].to_numpy() >= p90].groupby(keys, observed=True)["value"].mean()
        vol = u.groupby([*keys, "client"], observed=True)["denominator"].sum().groupby(keys, observed=True).max()
        t["max_share"] = vol / t["cases"]
        out[s or "all"] = t.reset_index()
    return out


def sql_study(cx) -> dict:
    out = {}
    for s in SEGMENTS:
        keys = ", ".join(["indicator_id", *([s] if s else [])])
        out[s or "all"] = cx.execute(f"""
            WITH u AS (
                SELECT m.client, unit, indicator_id, sum(numerator) / sum(denominator) AS value,
                       sum(numerator) AS num, sum(denominator) AS den, any_value(size) AS size,
                       any_value(region) AS region
                FROM measurements m JOIN contributors c USING (client)
                GROUP BY m.client, unit, unit_type, specialty, indicator_id HAVING sum(denominator) > 0),
            g AS (
                SELECT {keys}, count(*) AS units, count(DISTINCT client) AS clients, sum(num) AS events,
                       sum(den) AS cases, avg(value) AS mean, quantile_cont(value, 0.1) AS p10,
                       quantile_cont(value, 0.25) AS p25, quantile_cont(value, 0.5) AS p50,
                       quantile_cont(value, 0.75) AS p75, quantile_cont(value, 0.9) AS p90
                FROM u GROUP BY {keys}),
            t AS (SELECT {keys}, avg(value) AS top_mean, count(DISTINCT client) AS top_clients
                  FROM u JOIN g USING ({keys}) WHERE value >= p90 GROUP BY {keys}),
            b AS (SELECT {keys}, avg(value) AS bottom_mean, count(DISTINCT client) AS bottom_clients
                  FROM u JOIN g USING ({keys}) WHERE value <= p10 GROUP BY {keys}),
            d AS (SELECT {keys}, max(v) AS top FROM (SELECT {keys}, client, sum(den) AS v FROM u
                  GROUP BY {keys}, client) GROUP BY {keys})
            SELECT g.*, top_mean, top_clients, bottom_mean, bottom_clients, top / cases AS max_share
            FROM g JOIN t USING ({keys}) JOIN b USING ({keys}) JOIN d USING ({keys})
            """).df()  # fmt: skip
    return out


def same(a: dict, b: dict, cols: list[str] = COLS) -> None:
    for s in a:
        keys = ["indicator_id", *([s] if s != "all" else [])]
        x = a[s].astype({k: str for k in keys}).sort_values(keys).reset_index(drop=True)
        y = b[s].astype({k: str for k in keys}).sort_values(keys).reset_index(drop=True)
        assert len(x) == len(y), s
        assert (x[keys] == y[keys]).all().all(), s
        np.testing.assert_allclose(x[cols].to_numpy(float), y[cols].to_numpy(float), rtol=1e-9, err_msg=s)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", default="10000000,50000000", help="pool sizes, comma-separated")
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--sample", type=int, default=1_000_000, help="rows of the Spark sample (0: no Spark)")
    ap.add_argument("--quick", action="store_true", help="one pool of 2 M rows, no Spark (make bench-quick)")
    a = ap.parse_args()
    sizes = [2_000_000] if a.quick else [int(x) for x in a.rows.split(",")]
    results = []
    with tempfile.TemporaryDirectory() as d:
        for k, rows in enumerate(sizes):
            db = Path(d) / f"pool{k}.duckdb"
            t0 = time.perf_counter()
            build(db, rows)
            p = store.connect(db)
            cx = p.con.con
            n = cx.execute("SELECT count(*) FROM measurements").fetchone()[0]
            print(f"pool: {n:,} rows built in {time.perf_counter() - t0:.1f} s")
            want = sql_study(cx)
            if k == 0:  # pandas reads every row into memory: on the smallest pool only
                pandas = pandas_study(frame(cx), p.fetch("contributors"))
                same(want, pandas, ["units", "clients", "p10", "p25", "p50", "p75", "p90", "mean", "top_mean",
                                    "max_share"])  # fmt: skip
            p.close()  # no database open in this process when the timed runs fork
            same(ours(db), want)
            print(
                "results equal: Ibis = hand-written SQL" + (" = pandas" if k == 0 else "") + " (every cell, rtol 1e-9)"
            )
            results.append(
                pairs(
                    "benchmark study queries, Ibis on DuckDB vs hand-written DuckDB SQL",
                    lambda db=db: ours(db),
                    lambda db=db: sql(db),
                    target=1.0,
                    size=f"{n:,} rows",
                    n=a.pairs,
                    memory=2048 if rows >= 50_000_000 else None,
                )
            )
        if a.sample and not a.quick:
            spark_sample(Path(d), db, a.sample)
    finish(results)


def spark_sample(d: Path, db: Path, sample: int) -> None:
    """The same study through Spark (local[2]) on a sample, against DuckDB on the same sample: equal results
    and Spark's overhead on one machine (not a target)."""
    sdb = d / "sample.duckdb"
    s = store.connect(sdb, create=True)
    s.con.con.execute(f"ATTACH '{db}' AS big (READ_ONLY)").fetchall()
    s.con.con.execute("INSERT INTO contributors SELECT * FROM big.contributors").fetchall()
    s.con.con.execute(f"INSERT INTO measurements SELECT * FROM big.measurements LIMIT {sample}").fetchall()
    s.con.con.execute("DETACH big").fetchall()
    store.export(s, d / "parquet")
    t0 = time.perf_counter()
    spark = store.connect(d / "parquet", "pyspark")
    t_start = time.perf_counter() - t0

    def study(pool) -> pd.DataFrame:
        values = benchmark.units(pool)
        try:
            return benchmark.segments(values, [x for x in SEGMENTS if x])
        finally:
            values.release()

    keys = ["segment", "group", "indicator_id"]
    a = study(s).sort_values(keys).reset_index(drop=True)
    b = study(spark).sort_values(keys).reset_index(drop=True)
    np.testing.assert_allclose(a[COLS].to_numpy(float), b[COLS].to_numpy(float), rtol=1e-9)
    t_duck, _ = timed(lambda: study(s), 3)
    t_spark, _ = timed(lambda: study(spark), 3)
    print(f"Spark sample ({sample:,} rows, equal results): session start {t_start:.1f} s; study {t_spark:.2f} s "
          f"vs DuckDB {t_duck:.2f} s ({t_spark / t_duck:.0f}x overhead on one machine)")  # fmt: skip
    s.close()


if __name__ == "__main__":
    main()
