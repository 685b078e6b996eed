"""The benchmark study (gps_core.studies.benchmark) on a small pool: the client's own view shows nothing of
another client, minimum cases, exact tail probabilities, and params checked before anything runs."""

import numpy as np
import pandas as pd
import pytest
import yaml

from gps_core import params
from gps_core.errors import ParamsError
from gps_core.pooled import benchmark, ingest, store
from gps_core.studies import benchmark as S

from .test_pooled import CAT, measurements

SPEC = [("A", 6, 0.8), ("B", 5, 0.82), ("C", 6, 0.75), ("D", 6, 0.7), ("E", 6, 0.84), ("F", 6, 0.6), ("G", 6, 0.65)]


@pytest.fixture()
def pooled(tmp_path):
    """Seven clients of S01 in a pool file with its key file, as `gps pool` leaves them."""
    key_file = tmp_path / "keys" / "pool.key"
    key = store.read_key(key_file, create=True)
    p = store.connect(tmp_path / "pool.duckdb", create=True)
    for i, (name, units, level) in enumerate(SPEC):
        m = measurements(name, units, level, i)
        if name == "B":  # one unit of B with a single month: below S01's minimum of 10 cases
            m = m[(m["unit_id"] != "U4") | (m["period"] == "2024-01")]
            m.loc[m["unit_id"] == "U4", "denominator"] = 5
            m.loc[m["unit_id"] == "U4", "numerator"] = 2
        ingest.ingest(p, [f"{name}.csv"], name, "2024", key, frames=[m],
                      segment={"client_type": "hospital", "size": "small", "region": "Sul"})  # fmt: skip
    p.close()
    return tmp_path


def write(folder, **over) -> str:
    base = {"report": "benchmark_study", "client": "x", "client_name": "X", "period": {"start": "2024-01"},
            "pool": {"kind": "duckdb", "location": "pool.duckdb", "key_file": "keys/pool.key"}, "by": ["size"],
            "max_share": 0.3, "funnels": [{"indicator": "S01", "level": "unit"}]}  # fmt: skip
    f = folder / "study.yaml"
    f.write_text(yaml.safe_dump({**base, **over}))
    return str(f)


def test_a_clients_view_shows_its_own_units_and_published_cells_only(pooled):
    f = write(pooled, audience="client", own_client="B", client="b")
    s = S.run(params.load(f))
    try:
        fun = s.funnels[0]
        assert fun["shown"]["own"].all() and len(fun["shown"]) == 4  # B's 5 units, one below the minimum cases
        assert len(fun["data"]) == 6 * 6 + 4  # the limits and phi use every unit of every client
        pos = S.own_position(s).set_index("indicator_id").loc["S01"]
        m = s.pool.fetch("measurements")
        mine = m[m["client"] == s.own].groupby("unit")[["numerator", "denominator"]].sum()
        mine = mine[mine["denominator"] >= 10]
        assert pos["units"] == 4
        assert pos["value"] == pytest.approx(100 * (mine["numerator"] / mine["denominator"]).median())
        assert pos["total"] == pytest.approx(100 * mine["numerator"].sum() / mine["denominator"].sum())
        cell = s.cells[(s.cells["segment"] == "all")].iloc[0]
        assert cell["published"] and pos["p50"] == cell["p50"]  # the published cell, nothing else of others
        assert S.funnel_summary(s.funnels).iloc[0]["units"] == 4
        exported = S.points(s.funnels)  # the CSV for papers holds the same four points, none of another client
        assert len(exported) == 4 and set(exported["unit"]) == set(fun["shown"]["unit"])
    finally:
        s.close()


def test_minimum_cases_leave_small_units_out_and_are_counted(pooled):
    f = write(pooled)
    s = S.run(params.load(f))
    try:
        ex = S.excluded(s).set_index("indicator_id").loc["S01"]
        assert (ex["units"], ex["left_out"], ex["min_cases"]) == (41, 1, 10)
        assert s.cells.iloc[0]["units"] == 40
        everyone = benchmark.study(s.pool, CAT, ["size"], max_share=0.3)  # no minimum: the small unit counts
        assert everyone.iloc[0]["units"] == 41
    finally:
        s.close()
    f = write(pooled, min_cases="none")
    s = S.run(params.load(f))
    try:
        assert s.cells.iloc[0]["units"] == 41 and s.min_cases == {}
    finally:
        s.close()


def test_the_pool_key_and_the_client_name_are_checked(pooled, tmp_path_factory):
    other = tmp_path_factory.mktemp("k") / "other.key"
    store.read_key(other, create=True)
    f = write(pooled, audience="client", own_client="B", pool={"kind": "duckdb", "location": "pool.duckdb",
                                                                "key_file": str(other)})  # fmt: skip
    with pytest.raises(ParamsError, match="not the key of the pool"):
        S.run(params.load(f))
    f = write(pooled, audience="client", own_client="Cliente B")
    with pytest.raises(ParamsError, match="not in the pool"):
        S.run(params.load(f))
    f = write(pooled, featured=["S99"])
    with pytest.raises(ParamsError, match="S99"):
        S.run(params.load(f))


@pytest.mark.parametrize(
    ("over", "msg"),
    [
        ({"audience": "client"}, "own_client"),
        ({"own_client": "B"}, "only for audience 'client'"),
        ({"audience": "client", "own_client": "B", "pool": {"kind": "duckdb", "location": "p"}}, "key_file"),
        ({"audience": "client", "own_client": "B", "hrrp": {"path": "h.csv"}}, "hrrp"),
        ({"pool": {"kind": "nhs_ae"}}, "path"),
        ({"by": ["city"]}, "by.0"),
    ],
)
def test_params_are_checked_before_any_kernel(tmp_path, over, msg):
    with pytest.raises(ParamsError, match=msg):
        params.load(write(tmp_path, **over))


def test_exact_tail_probability_of_a_funnel_point():
    """Two-sided exact binomial tail at the funnel's target, by hand: 0 events in 75 at p has
    P(X <= 0) = (1 - p)^75; 20 of 100 against 0.1 has P(X >= 20) from the binomial sum."""
    from math import comb

    from gps_core import funnel

    d = funnel.funnel_data([0, 20, 10, 8], [75, 100, 100, 90], "PR", od_adjust=False)
    p = d.attrs["target"]
    got = S.exact_p(d, "PR")
    assert got[0] == pytest.approx(2 * (1 - p) ** 75, rel=1e-12)
    upper = sum(comb(100, k) * p**k * (1 - p) ** (100 - k) for k in range(20, 101))
    assert got[1] == pytest.approx(min(1.0, 2 * upper), rel=1e-10)
    sr = funnel.funnel_data([3.5, 9], [4.0, 10.0], "SR")
    assert np.isnan(S.exact_p(sr, "SR")[0]) and S.exact_p(sr, "SR")[1] > 0.5  # not a count: no exact p


def test_range_indicators_have_no_best_decile_and_zero_benchmarks_are_not_bands():
    cells = pd.DataFrame(
        {"indicator_id": ["F07", "F01", "S01"], "segment": "all", "group": "all", "units": 50, "clients": 6,
         "published": True, "reason": "", "p50": [45.0, 1.7, 90.0], "best_decile": [np.nan, 0.0, 99.0],
         "best_decile_note": ["range indicator: no best decile", "", ""]}
    )  # fmt: skip
    f = benchmark.suggested_bands(cells, CAT, "t")
    assert set(f["bands"]) == {"S01"}
    assert f["skipped"]["F07"].startswith("rule 'range'") and "sits at 0" in f["skipped"]["F01"]


def test_gps_check_runs_a_study_without_writing_anything(pooled, capsys):
    from gps_core.cli import main

    f = write(pooled)
    files = sorted(p.name for p in pooled.rglob("*"))
    assert main(["check", f]) == 0
    assert "2 of 2 cells published, 1 funnels" in capsys.readouterr().out
    assert sorted(p.name for p in pooled.rglob("*")) == files


@pytest.mark.slow
def test_the_study_gives_the_same_cells_and_funnels_on_spark(pooled):
    """The whole study on the pool's Parquet export in a local Spark session: the same published cells,
    the same funnel points and the same client view as on DuckDB (the key is checked through Spark too)."""
    pytest.importorskip("pyspark")
    p = store.connect(pooled / "pool.duckdb")
    store.export(p, pooled / "parquet")
    p.close()
    got = {}
    for kind, loc in (("duckdb", "pool.duckdb"), ("pyspark", "parquet")):
        f = write(pooled, audience="client", own_client="B", client="b",
                  pool={"kind": kind, "location": loc, "key_file": "keys/pool.key"})  # fmt: skip
        s = S.run(params.load(f))
        try:
            got[kind] = (s.cells, s.funnels[0]["data"].sort_values("unit").reset_index(drop=True), S.own_position(s))
        finally:
            s.close()
    for a, b in zip(got["duckdb"], got["pyspark"], strict=True):
        pd.testing.assert_frame_equal(a, b, check_dtype=False, rtol=1e-12)


def test_the_unit_values_are_computed_once_per_study_and_released(pooled, monkeypatch):
    # Every table of a study (cells of each segment, exclusions, funnels, the client's own view) reads the
    # unit values computed once; the cached table is dropped when the study closes, before the pool closes.
    made = []
    real = benchmark.unit_values
    monkeypatch.setattr(benchmark, "unit_values", lambda *a, **k: made.append(1) or real(*a, **k))
    f = write(pooled, audience="client", own_client="B", client="b", by=["size", "region"],
              funnels=[{"indicator": "S01", "level": "unit"}, {"indicator": "S01", "level": "client"}])  # fmt: skip
    s = S.run(params.load(f))
    temp = "SELECT table_name FROM duckdb_tables() WHERE temporary"
    left = []
    try:
        S.excluded(s)
        S.own_position(s)
        assert len(made) == 1 and len(s.funnels) == 2
        assert s.units.get_name().split(".")[-1] in {r[0] for r in s.pool.con.con.execute(temp).fetchall()}
        with pytest.raises(ValueError, match="months and filters belong to the unit values"):
            benchmark.study(s.pool, CAT, ["size"], months=s.months, values=s.units)  # would be silently ignored
        shut = s.pool.close
        s.pool.close = lambda: left.extend(s.pool.con.con.execute(temp).fetchall()) or shut()
    finally:
        s.close()
    assert left == []
