"""Performance Index: METHODS 2 vectors (ANS IDSS, QOF, Previne), policies, peers, roll-ups, properties."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gps_core.catalog import validate_catalog
from gps_core.index import (
    aggregate_measurements,
    peer_compare,
    performance_index,
    rollup,
    score_indicators,
    volume,
)

DIMS = ("structure", "efficiency", "effectiveness", "experience")


def _catalog(weights=(1, 1, 1, 1), floors=(0, 0, 0, 0), targets=(100, 100, 100, 100), applies=("all",) * 4):
    return validate_catalog(
        pd.DataFrame(
            {
                "indicator_id": ["A", "B", "C", "D"],
                "dimension": list(DIMS),
                "name_pt": "x",
                "name_en": "x",
                "numerator_pt": "n",
                "denominator_pt": "d",
                "numerator_en": "n",
                "denominator_en": "d",
                "unit": "percent",
                "polarity": "higher",
                "rule": "linear",
                "floor": floors,
                "target": targets,
                "target_high": np.nan,
                "floor_high": np.nan,
                "tiers": np.nan,
                "weight": weights,
                "min_denominator": 10,
                "applies_to": list(applies),
                "source": "test",
            }
        )
    )


def _rows(values: dict, unit="u1", period="2024-01-01", den=100.0):
    return pd.DataFrame(
        {
            "client": "c",
            "program": "p",
            "unit_id": unit,
            "unit_type": "t",
            "specialty": "s",
            "period": pd.Timestamp(period),
            "indicator_id": list(values),
            "numerator": [v * den / 100 for v in values.values()],
            "denominator": den,
        }
    )


def test_ans_idss_vector_zero_and_redistribute():
    """ANS IDSS (METHODS 2): weights 30/30/30/10; IDQS, IDGA not computed; IDSM 1.0, IDGR 0.5 -> 0.35."""
    cat = _catalog()
    s = score_indicators(_rows({"C": 100.0, "D": 50.0}), cat)
    dw = dict(zip(DIMS, (30, 30, 30, 10), strict=True))
    zero = performance_index(s, cat, dw, "zero").iloc[0]
    assert zero["ip"] == pytest.approx(35.0)
    assert zero["coverage"] == pytest.approx(0.4)
    assert performance_index(s, cat, dw, "redistribute").iloc[0]["ip"] == pytest.approx(87.5)


def test_qof_and_previne_points_through_the_index():
    # QOF: floor 40 target 90, weight 20 of 100 -> 65 % earns 10 points; Previne: 40 vs 50 -> 1.6 of 2
    cat = _catalog(floors=(40, 0, 0, 0), targets=(90, 50, 100, 100))
    s = score_indicators(_rows({"A": 65.0, "B": 40.0}), cat)
    assert (20 * s["fraction"]).iloc[0] == pytest.approx(10.0)
    assert (2 * s["fraction"]).iloc[1] == pytest.approx(1.6)


def test_not_applicable_indicator_is_not_charged_under_zero_policy():
    cat = _catalog(applies=("all", "all", "surgical", "all"))
    s = score_indicators(_rows({"A": 100.0, "B": 100.0, "D": 100.0}), cat)
    ix = performance_index(s, cat, dict.fromkeys(DIMS, 1), "zero").iloc[0]
    assert ix["ip"] == pytest.approx(100.0)  # C applies to surgical units only and was never reported
    assert ix["coverage"] == pytest.approx(1.0)


def test_small_denominators_are_flagged_not_dropped():
    cat = _catalog()
    s = score_indicators(_rows({"A": 50.0}, den=4.0), cat)
    assert bool(s["small_denominator"].iloc[0]) and s["fraction"].iloc[0] == pytest.approx(0.5)
    assert performance_index(s, cat, dict.fromkeys(DIMS, 1))["n_small"].iloc[0] == 1


def test_input_is_not_mutated():
    cat = _catalog()
    m = _rows({"A": 50.0, "B": 70.0})
    before = m.copy()
    performance_index(score_indicators(m, cat), cat, dict.fromkeys(DIMS, 1))
    pd.testing.assert_frame_equal(m, before)


def test_peers_rank_percentile_median():
    ix = pd.DataFrame(
        {
            "client": "c",
            "program": "p",
            "unit_id": ["a", "b", "c", "d"],
            "specialty": "s",
            "period": pd.Timestamp("2024-01-01"),
            "ip": [40.0, 60.0, 80.0, 60.0],
        }
    )
    p = peer_compare(ix).set_index("unit_id")
    assert p["rank"].to_dict() == {"a": 4, "b": 2, "c": 1, "d": 2}
    assert p.loc["a", "peer_median"] == 60.0 and p.loc["c", "percentile"] == pytest.approx(87.5)


def test_aggregation_pools_numerators_and_rollup_weights_by_volume():
    m = pd.concat([_rows({"E01": 0.0}, unit="d1"), _rows({"E01": 0.0}, unit="d2")], ignore_index=True)
    m["indicator_id"] = "E01"
    m["numerator"] = [100.0, 300.0]  # patient-days
    m["denominator"] = [10.0, 30.0]  # discharges
    agg = aggregate_measurements(m, "specialty")
    assert len(agg) == 1 and agg["numerator"].iloc[0] == 400 and agg["denominator"].iloc[0] == 40
    ix = pd.DataFrame(
        {
            "client": "c",
            "program": "p",
            "unit_id": ["d1", "d2"],
            "specialty": "s",
            "period": pd.Timestamp("2024-01-01"),
            "ip": [50.0, 90.0],
            **{f"dim_{d}": np.nan for d in DIMS},
        }
    )
    r = rollup(ix, volume(m, "E01"), ["client", "program", "specialty"])
    assert r["ip"].iloc[0] == pytest.approx((50 * 10 + 90 * 30) / 40)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(0, 100), min_size=4, max_size=4),
    st.lists(st.floats(0.1, 10), min_size=4, max_size=4),
    st.sampled_from(["redistribute", "zero"]),
    st.integers(0, 3),
    st.floats(0, 100),
)
def test_ip_bounded_monotone_and_weight_scale_free(values, dweights, policy, k, bump):
    cat = _catalog()
    rows = dict(zip("ABCD", values, strict=True))
    dw = dict(zip(DIMS, dweights, strict=True))
    ip = performance_index(score_indicators(_rows(rows), cat), cat, dw, policy)["ip"].iloc[0]
    assert 0 <= ip <= 100 + 1e-9
    better = dict(rows)
    key = "ABCD"[k]
    better[key] = min(100.0, rows[key] + bump)
    ip2 = performance_index(score_indicators(_rows(better), cat), cat, dw, policy)["ip"].iloc[0]
    assert ip2 >= ip - 1e-9  # higher-is-better: a better value never lowers the index
    scaled = {d: 7 * w for d, w in dw.items()}  # weights renormalize: the scale is irrelevant
    ip3 = performance_index(score_indicators(_rows(rows), cat), cat, scaled, policy)["ip"].iloc[0]
    assert ip3 == pytest.approx(ip)


@pytest.mark.integration
def test_program_rollup_and_team_members_in_the_evaluation(root):
    from gps_core import params
    from gps_core.index import aggregate_measurements
    from gps_core.studies import evaluation

    f = root / "params" / "hospital_2015.yaml"
    ev = evaluation.run(params.load(f))
    # program IP in March = discharge-weighted mean of the specialty IPs (E01 denominators), by hand
    mar = pd.Timestamp("2015-03-01")
    spec = aggregate_measurements(ev.measurements, "specialty")
    dis = spec[(spec["indicator_id"] == "E01") & (spec["period"] == mar)].set_index("unit_id")["denominator"]
    ip = ev.index[ev.index["period"] == mar].set_index("unit_id")["ip"]
    expected = (ip * dis.reindex(ip.index)).sum() / dis.reindex(ip.index).sum()
    assert ev.program.set_index("period").loc[mar, "ip"] == pytest.approx(expected)
    assert ev.program_ip == pytest.approx(ev.program["ip"].mean())
    team = evaluation.unit_view(ev, "Mastologia")["members"]
    assert len(team) == ev.measurements.loc[ev.measurements["specialty"] == "Mastologia", "unit_id"].nunique()
    assert team["ip"].between(0, 100).all() and team["share_small"].between(0, 1).all()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b"]),
            st.sampled_from(["x", "y", None]),
            st.integers(0, 2),
            st.sampled_from([np.nan, 10.0, 20.0, 20.0, 35.5, 100.0]),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_peer_ranks_equal_pandas_group_ranks(rows):
    # One sort gives both ranks; pandas' own group ranks ("min" descending, "average" ascending) are the
    # reference, ties, missing values and rows without a peer group included.
    ix = pd.DataFrame(rows, columns=["client", "specialty", "month", "ip"])
    ix["program"] = "p"
    ix["period"] = pd.Timestamp("2015-01-01") + pd.to_timedelta(ix.pop("month") * 31, unit="D")
    got = peer_compare(ix)
    g = ix.groupby(["client", "program", "specialty", "period"], observed=True)["ip"]
    n = g.transform("count")
    pd.testing.assert_series_equal(got["rank"], g.rank(ascending=False, method="min"), check_names=False)
    below = g.rank(method="average") - 0.5
    pd.testing.assert_series_equal(got["percentile"], 100 * below / n, check_names=False)
