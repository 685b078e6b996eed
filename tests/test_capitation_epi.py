"""The epidemiological profile and monitors of a capitated population (gps_core.capitation.epi, METHODS 6
and 10) and the CMS DE-SynPUF beneficiary files read as a plan (gps_core.capitation.synpuf)."""

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gps_core import stats
from gps_core.capitation import calibrate, epi, synpuf
from gps_core.errors import InputError
from gps_core.synth import plan as synth

SYNPUF = Path(__file__).parents[1] / "data" / "external" / "cms_synpuf_beneficiary_sample1"
YEARS = [2008, 2009, 2010]


@pytest.fixture(scope="module")
def puf():
    tables, _ = synpuf.read(SYNPUF, YEARS)
    return tables


def test_synpuf_reads_every_beneficiary_of_the_manifest(puf):
    """MANIFEST row counts: 10,000 / 9,856 / 9,710 beneficiaries; the 2010 file has 6 negative net amounts."""
    assert puf["conditions"].groupby("year").size().to_dict() == {2008: 10_000, 2009: 9_856, 2010: 9_710}
    assert puf["members"]["member_id"].is_unique and len(puf["members"]) == 10_000
    assert puf["costs"].attrs["negative"] == 6 and (puf["costs"]["amount"] >= 0).all()
    raw = pd.read_csv(SYNPUF / "beneficiary_2009.csv", dtype=str)
    a, b, h = (raw[c].astype(int) for c in synpuf.MONTHS)
    ffs = np.maximum(np.minimum(a, b) - h, 0)
    el = puf["eligibility"]
    assert el[el["year"] == 2009]["months"].sum() == ffs.sum() and (el["months"] > 0).all()
    cost = sum(raw[c].astype(float) for c in synpuf.COST)
    got = puf["costs"][puf["costs"]["year"] == 2009]["amount"].sum()
    assert got == pytest.approx(cost.clip(lower=0).sum())
    # each flag becomes one proxy code for the CMS comparator
    dx = puf["diagnoses"]
    assert (dx[(dx["year"] == 2008) & (dx["code"] == "I50.9")].shape[0] == (
        pd.read_csv(SYNPUF / "beneficiary_2008.csv", dtype=str)["SP_CHF"] == "1").sum())  # fmt: skip


def test_bad_synpuf_rows_are_named_with_file_line_and_column(tmp_path):
    for y in (2008, 2009):
        shutil.copy(SYNPUF / f"beneficiary_{y}.csv", tmp_path)
    f = tmp_path / "beneficiary_2009.csv"
    lines = f.read_text().splitlines()
    cells = lines[3].split(",")
    cells[3] = "3"  # sex
    cells[12] = "x"  # SP_ALZHDMTA
    lines[3] = ",".join(cells)
    f.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as e:
        synpuf.read(tmp_path, [2008, 2009])
    text = str(e.value)
    assert "beneficiary_2009.csv" in text and "line 4, column 'BENE_SEX_IDENT_CD'" in text
    assert "line 4, column 'SP_ALZHDMTA'" in text
    with pytest.raises(InputError, match="beneficiary_2010.csv"):
        synpuf.read(tmp_path, [2008, 2010])


def test_synpuf_prospective_fit_has_the_published_order_of_magnitude(puf):
    """Ash et al. / METHODS 10: prospective condition models explain about 10-13 % of individual cost variance
    in Medicare, age-sex alone 1-2 % or less. On SynPUF 2008 flags -> 2009 cost, out of fold."""
    d = calibrate.prospective(puf, 2008, "V24", False, "conditions")
    assert len(d) == 6_271 and calibrate.features(d)[:2] == ["C_alzheimer", "C_heart_failure"]
    _, comp = calibrate.cross_validate(d, methods=("age_sex", "ols", "cms"), k=5)
    r2 = comp.set_index("method")["r2"]
    assert r2["age_sex"] < 0.02 and 0.08 < r2["ols"] < 0.25 and r2["ols"] > r2["cms"] > r2["age_sex"]


def _profiles(rows: dict[int, list[tuple]]) -> dict[int, pd.DataFrame]:
    """Tiny profiles: (member, age, sex, flag) per year."""
    return {y: pd.DataFrame(r, columns=["member_id", "age", "sex", "C_x"]).assign(months=12) for y, r in rows.items()}


def test_prevalence_and_incidence_count_by_hand():
    p = _profiles({
        2020: [("a", 30, "F", 1), ("b", 30, "F", 0), ("c", 70, "M", 0), ("d", 70, "M", 0)],
        2021: [("a", 31, "F", 1), ("b", 31, "F", 1), ("c", 71, "M", 0), ("e", 40, "F", 1)],
    })  # fmt: skip
    prev = epi.prevalence(p).set_index("year")
    assert prev.loc[2020, "cases"] == 1 and prev.loc[2021, "cases"] == 3 and prev.loc[2021, "members"] == 4
    lo, hi = stats.wilson(3, 4)
    assert prev.loc[2021, "lower"] == pytest.approx(lo) and prev.loc[2021, "upper"] == pytest.approx(hi)
    inc = epi.incidence(p).iloc[0]
    # at risk: b and c (enrolled both years, free in 2020); new: b. 'a' was a case, 'd' left, 'e' joined
    assert (inc["at_risk"], inc["cases"], inc["value"]) == (2, 1, 0.5)


def test_standardization_removes_an_ageing_population():
    """Same age-sex-specific prevalence, older population: the crude prevalence rises, the standardized
    ratio (ISR) stays 1 and the DSR equals the reference crude rate (METHODS 6)."""
    rng = np.random.default_rng(3)

    def pop(n, old_share):
        age = np.where(rng.random(n) < old_share, 75, 35)
        sex = rng.choice(["F", "M"], n)
        return age, sex

    def year(n, old_share):
        age, sex = pop(n, old_share)
        # exactly 10 % of the young and 40 % of the old have the condition, per sex
        flag = np.zeros(n, int)
        for a, share in ((35, 0.1), (75, 0.4)):
            for s in ("F", "M"):
                idx = np.flatnonzero((age == a) & (sex == s))
                flag[idx[: round(share * len(idx))]] = 1
        return pd.DataFrame({"member_id": [f"m{i}" for i in range(n)], "age": age, "sex": sex, "C_x": flag})

    p = {2020: year(4000, 0.2), 2021: year(4000, 0.6)}
    st = epi.standardized(p, 2020).set_index("year")
    assert st.loc[2021, "crude"] > st.loc[2020, "crude"] + 0.1
    assert st.loc[2021, "isr"] == pytest.approx(1.0, abs=0.01) and st.loc[2020, "isr"] == pytest.approx(1.0)
    assert st.loc[2021, "dsr"] == pytest.approx(st.loc[2020, "crude"], abs=0.005)
    assert st.loc[2020, "dsr"] == pytest.approx(st.loc[2020, "crude"])


def test_churn_compares_stayers_leavers_and_joiners():
    r = {
        2020: pd.Series([1.0, 2.0, 3.0], index=["a", "b", "c"]),
        2021: pd.Series([1.5, 0.5, 0.7], index=["a", "d", "e"]),
    }
    c = epi.churn(r).set_index("group")
    assert c.loc["stayers", "members"] == 1 and c.loc["stayers", "mean_risk"] == 1.0  # a, scored in 2020
    assert c.loc["leavers", "mean_risk"] == 2.5 and c.loc["joiners", "mean_risk"] == pytest.approx(0.6)


def test_monitor_flags_the_panel_whose_cost_falls_below_its_risk():
    """A panel whose next-year cost is cut by 30 % (as undertreatment would) is flagged; the others are not."""
    tables = synth.plan(20_000, seed=2024)
    d = calibrate.prospective(tables, 2024)
    f = calibrate.fit(d, "ols", calibrate.columns(d))
    d["risk"] = f.predict(d)
    cut = d["panel"] == "Clínica C"
    d.loc[cut, "pmpm"] *= 0.7
    m = epi.monitor({2024: d}, "panel").set_index("panel")
    assert m.loc["Clínica C", "flag"] == "undertreatment?" and m.loc["Clínica C", "oe"] < 0.8
    assert (m.drop("Clínica C")["flag"] == "").all()
    # the plan as a whole is 1.0 by construction: member-weighted O/E over panels
    e = d["risk"] * d["months"]
    assert np.sum(m["oe"] * (e.groupby(d["panel"]).sum() / e.sum()).reindex(m.index)) == pytest.approx(1.0)
