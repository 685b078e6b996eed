"""Benchmark: encounter-level indicators (E01, F01, F02, F07 per doctor and month) for 1 M stays with
gps_core against the same aggregation written as one DuckDB SQL query, in the same process, on the same
validated table. The two results are checked equal before any time is reported.

Target (issue 3): gps_core at most 3x DuckDB's time (median of alternated pairs, each run in its own forked
process with its peak memory: benchmarks/timing.py). Also timed: the contract validation of the raw table.

Run: ``python benchmarks/bench_encounters.py [--stays 1000000] [--pairs 5] [--quick]``.
"""

from __future__ import annotations

import argparse

import duckdb
import numpy as np
import pandas as pd
from timing import finish, pairs, timed

from gps_core.records import derive
from gps_core.records import encounters as E

SQL = """
WITH s AS (
  SELECT *, row_number() OVER () - 1 AS rid,
         greatest(date_diff('day', admission, discharge), 1) AS days,
         date_trunc('month', discharge) AS period
  FROM enc
), o AS (  -- stays in the order the readmission rule reads them
  SELECT *,
    -- the patient's next unplanned stay: the first later row (in admission order) that is not planned
    min(CASE WHEN NOT planned THEN pos END) OVER (
        PARTITION BY patient_id ORDER BY pos ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS nxt
  FROM (SELECT *, planned_flag AS planned,
               row_number() OVER (ORDER BY patient_id, admission, discharge, encounter_id) AS pos FROM s)
), r AS (
  SELECT o.*, n.admission AS next_admission FROM o LEFT JOIN o AS n ON n.pos = o.nxt
), last AS (SELECT max(admission) AS last_admission FROM enc)
SELECT doctor_id AS unit_id, period, 'E01' AS indicator_id, sum(days)::DOUBLE AS numerator,
       count(*)::DOUBLE AS denominator FROM s GROUP BY ALL
UNION ALL
SELECT doctor_id, period, 'F01', sum(CASE WHEN discharge_status = 'death' AND days_raw >= 1 THEN 1 ELSE 0 END)::DOUBLE,
       count(*)::DOUBLE FROM (SELECT *, date_diff('day', admission, discharge) AS days_raw FROM s) GROUP BY ALL
UNION ALL
SELECT doctor_id, period, 'F02',
       sum(CASE WHEN next_admission IS NOT NULL AND date_diff('day', discharge, next_admission) BETWEEN 0 AND 30
                THEN 1 ELSE 0 END)::DOUBLE,
       count(*)::DOUBLE
FROM r, last WHERE discharge_status = 'alive' AND discharge + INTERVAL 30 DAY <= last_admission GROUP BY ALL
UNION ALL
SELECT doctor_id, period, 'F07', sum(CASE WHEN cs THEN 1 ELSE 0 END)::DOUBLE, count(*)::DOUBLE
FROM s WHERE birth GROUP BY ALL
"""


def make(n: int, seed: int = 7) -> pd.DataFrame:
    """n raw stays of a large network (text columns as a client sends them; ~3 stays per patient)."""
    rng = np.random.default_rng(seed)
    adm = pd.Timestamp("2015-01-01") + pd.to_timedelta(rng.integers(0, 730, n), unit="D")
    dis = adm + pd.to_timedelta(rng.negative_binomial(1.5, 1.5 / 6.5, n), unit="D")
    return pd.DataFrame(
        {
            "encounter_id": np.char.add("E", np.arange(n).astype(str)),
            "patient_id": np.char.add("P", rng.integers(0, n // 3, n).astype(str)),
            "admission": adm.strftime("%Y-%m-%d"),
            "discharge": dis.strftime("%Y-%m-%d"),
            "doctor_id": np.char.add("D", rng.integers(0, 5000, n).astype(str)),
            "specialty": rng.choice(["Cardiologia", "Clínica Médica", "Ginecologia e Obstetrícia"], n),
            "diagnosis": rng.choice(["I21.0", "J18.9", "O80", "O82", "Z51.1", "K80.2"], n),
            "discharge_status": rng.choice(["alta", "óbito", "transferência"], n, p=[0.95, 0.03, 0.02]),
            "admission_type": rng.choice(["eletiva", "urgência", "emergência"], n),
            "age": rng.integers(0, 100, n).astype(str),
            "sex": rng.choice(["M", "F"], n),
        }
    )


def ours(enc: pd.DataFrame) -> pd.DataFrame:
    return derive.to_measurements(E.trace(enc), "c", "p", "doctor")


def theirs(con: duckdb.DuckDBPyConnection, enc: pd.DataFrame) -> pd.DataFrame:
    birth, cs = E.deliveries(enc)  # the same code lists, passed as columns: the query times the aggregation
    con.register("enc", enc.assign(planned_flag=E.planned(enc), birth=birth, cs=cs))
    out = con.execute(SQL).df()
    con.unregister("enc")
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--stays", type=int, default=1_000_000)
    ap.add_argument("--quick", action="store_true", help="100,000 stays (make bench-quick)")
    ap.add_argument("--pairs", type=int, default=5)
    a = ap.parse_args()
    raw = make(100_000 if a.quick else a.stays)
    t_valid, enc = timed(lambda: E.validate(raw), 1)
    # The results are compared once, here; the database is closed before the timed runs fork (a fork of a
    # process whose database threads hold a lock could hang).
    con = duckdb.connect()
    mine, duck = ours(enc), theirs(con, enc)
    con.close()
    key = ["unit_id", "period", "indicator_id"]
    m = mine[[*key, "numerator", "denominator"]].astype({"unit_id": str, "indicator_id": str})
    d = duck.astype({"unit_id": str, "indicator_id": str})
    d["period"] = pd.to_datetime(d["period"]).astype("datetime64[ns]")
    m["period"] = m["period"].astype("datetime64[ns]")
    both = m.merge(d, on=key, how="outer", suffixes=("", "_duck"), indicator=True)
    assert (both["_merge"] == "both").all(), both["_merge"].value_counts()
    assert np.allclose(both["numerator"], both["numerator_duck"]) and np.allclose(
        both["denominator"], both["denominator_duck"]
    ), "gps_core and DuckDB disagree"
    print(f"{len(enc):,} stays, {len(m):,} unit-month-indicator rows, identical; contract validation {t_valid:.2f} s")
    res = pairs(
        "encounter indicators (trace + sums) vs one DuckDB SQL query",
        lambda: ours(enc),
        lambda: theirs(duckdb.connect(), enc),
        target=3,
        size=f"{len(enc):,} stays",
        n=a.pairs,
    )
    finish([res])


if __name__ == "__main__":
    main()
