"""Benchmark: the benchmark study on a 50 M-row pool, through Ibis on DuckDB, against the same statistics in
pandas and in hand-written DuckDB SQL, in the same process; then Spark (local) on a sample, with its overhead.

The pool is synthetic, made inside DuckDB: 60 clients (3 sizes x 5 regions), units x 45 indicators x 12
months. Every approach computes, per indicator and segment (overall, size, region), the unit count, client
count, percentiles 10/25/50/75/90, mean, best-decile mean and the largest client's share; the results are
checked equal before anything is timed. Peak memory: each approach is run again alone in a child process
and its maximum resident set size read.

Run: ``python benchmarks/bench_pool.py [--rows 50000000] [--sample 1000000] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from timing import timed

from gps_core.catalog import load_catalog
from gps_core.pooled import benchmark, store

SEGMENTS = [None, "size", "region"]
Q = [0.1, 0.25, 0.5, 0.75, 0.9]


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


def ibis_study(pool) -> dict:
    u = benchmark.unit_values(pool)
    return {s or "all": benchmark.cells(u, [s] if s else []).to_pandas() for s in SEGMENTS}


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
                       sum(denominator) AS den, any_value(size) AS size, any_value(region) AS region
                FROM measurements m JOIN contributors c USING (client)
                GROUP BY m.client, unit, indicator_id HAVING sum(denominator) > 0),
            g AS (
                SELECT {keys}, count(*) AS units, count(DISTINCT client) AS clients, sum(den) AS cases,
                       avg(value) AS mean, quantile_cont(value, 0.1) AS p10, quantile_cont(value, 0.25) AS p25,
                       quantile_cont(value, 0.5) AS p50, quantile_cont(value, 0.75) AS p75,
                       quantile_cont(value, 0.9) AS p90
                FROM u GROUP BY {keys}),
            t AS (SELECT {keys}, avg(value) AS top_mean FROM u JOIN g USING ({keys}) WHERE value >= p90
                  GROUP BY {keys}),
            d AS (SELECT {keys}, max(v) AS top FROM (SELECT {keys}, client, sum(den) AS v FROM u
                  GROUP BY {keys}, client) GROUP BY {keys})
            SELECT g.*, top_mean, top / cases AS max_share FROM g JOIN t USING ({keys}) JOIN d USING ({keys})
            """).df()  # fmt: skip
    return out


def same(a: dict, b: dict) -> None:
    cols = ["units", "clients", "p10", "p25", "p50", "p75", "p90", "mean", "top_mean", "max_share"]
    for s in a:
        keys = ["indicator_id", *([s] if s != "all" else [])]
        x = a[s].sort_values(keys).reset_index(drop=True)
        y = b[s].sort_values(keys).reset_index(drop=True)
        assert len(x) == len(y), s
        np.testing.assert_allclose(x[cols].to_numpy(float), y[cols].to_numpy(float), rtol=1e-9, err_msg=s)


def phase(name: str, path: Path) -> None:
    """One approach alone (child process), for its peak memory."""
    p = store.connect(path)
    if name == "ibis":
        ibis_study(p)
    elif name == "sql":
        sql_study(p.con.con)
    else:
        pandas_study(frame(p.con.con), p.fetch("contributors"))
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork and exec, so a child of
    # the process holding the pandas copy would report the parent's peak
    hwm = next(line for line in Path("/proc/self/status").read_text().splitlines() if line.startswith("VmHWM"))
    print(json.dumps({"peak_mib": int(hwm.split()[1]) / 1024}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=50_000_000)
    ap.add_argument("--sample", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--phase", default=None)
    ap.add_argument("--db", default=None)
    a = ap.parse_args()
    if a.phase:
        return phase(a.phase, Path(a.db))
    d = Path(tempfile.mkdtemp())
    db = d / "pool.duckdb"
    t0 = time.perf_counter()
    build(db, a.rows)
    p = store.connect(db)
    cx = p.con.con
    n = cx.execute("SELECT count(*) FROM measurements").fetchone()[0]
    print(f"pool: {n:,} rows built in {time.perf_counter() - t0:.1f} s ({db.stat().st_size / 2**20:.0f} MiB on disk)")

    t_load, m = timed(lambda: frame(cx), 1)
    c = p.fetch("contributors")
    ib, sq, pd_ = ibis_study(p), sql_study(cx), pandas_study(m, c)
    same(ib, sq)
    same(ib, pd_)
    print("results equal: Ibis = hand-written SQL = pandas (every cell, rtol 1e-9)")
    t_ibis, _ = timed(lambda: ibis_study(p), a.repeat)
    t_sql, _ = timed(lambda: sql_study(cx), a.repeat)
    t_pd, _ = timed(lambda: pandas_study(m, c), max(1, a.repeat - 2))
    m = None  # free the in-memory table before the child processes measure their peaks
    p.close()
    peaks = {}
    for name in ("ibis", "sql", "pandas"):
        r = subprocess.run([sys.executable, __file__, "--phase", name, "--db", str(db)], capture_output=True,
                           text=True, check=True)  # fmt: skip
        peaks[name] = json.loads(r.stdout.strip().splitlines()[-1])["peak_mib"]
    print(f"{'approach':28s} {'seconds':>8s} {'x Ibis':>8s} {'peak MiB':>9s}")
    print(f"{'Ibis on DuckDB':28s} {t_ibis:8.2f} {1:8.2f} {peaks['ibis']:9.0f}")
    print(f"{'hand-written DuckDB SQL':28s} {t_sql:8.2f} {t_sql / t_ibis:8.2f} {peaks['sql']:9.0f}")
    print(f"{'pandas (table in memory)':28s} {t_pd:8.2f} {t_pd / t_ibis:8.2f} {peaks['pandas']:9.0f}")
    print(f"{'  + reading it into pandas':28s} {t_load:8.2f}")

    # Spark on a sample: the same Ibis expression, local[2], against DuckDB on the same sample
    sdb = d / "sample.duckdb"
    s = store.connect(sdb, create=True)
    s.con.con.execute(f"ATTACH '{db}' AS big (READ_ONLY)").fetchall()
    s.con.con.execute("INSERT INTO contributors SELECT * FROM big.contributors").fetchall()
    s.con.con.execute(f"INSERT INTO measurements SELECT * FROM big.measurements LIMIT {a.sample}").fetchall()
    s.con.con.execute("DETACH big").fetchall()
    store.export(s, d / "parquet")
    t0 = time.perf_counter()
    spark = store.connect(d / "parquet", "pyspark")
    t_start = time.perf_counter() - t0
    same(ibis_study(s), ibis_study(spark))
    t_duck, _ = timed(lambda: ibis_study(s), a.repeat)
    t_spark, _ = timed(lambda: ibis_study(spark), a.repeat)
    print(f"Spark sample ({a.sample:,} rows, equal results): session start {t_start:.1f} s; study {t_spark:.2f} s "
          f"vs DuckDB {t_duck:.2f} s ({t_spark / t_duck:.0f}x overhead on one machine)")  # fmt: skip


if __name__ == "__main__":
    main()
