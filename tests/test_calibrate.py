"""Local calibration on the synthetic plan (gps_core.synth.plan, a stated model): the two-part
model recovers the planted coefficients, and the cross-validated comparison ranks the models as it must."""

import numpy as np
import pytest

from gps_core.capitation import calibrate
from gps_core.synth import plan as synth

# the V24 HCC of each planted condition's CID-10 code
HCC = {
    "diabetes": "HCC19",
    "heart_failure": "HCC85",
    "copd": "HCC111",
    "ckd4": "HCC137",
    "breast_cancer": "HCC12",
    "depression": "HCC59",
    "ami": "HCC86",
    "stroke": "HCC100",
    "rheumatoid": "HCC40",
    "schizophrenia": "HCC57",
}


@pytest.fixture(scope="module")
def table():
    return calibrate.prospective(synth.plan(20_000, seed=2024), 2024)


def test_two_part_recovers_the_planted_cost_model(table):
    """Year-2 cost when positive: log mean = b0 + b_female + b_age (age - 50)/10 + Σ beta_c (METHODS 10
    prospective); fitted on CID-10 diagnoses read through the V24 mapping (C50.9 via its CM descendants)."""
    truth = synth.truth()
    f = calibrate.fit(table, "two_part", calibrate.columns(table), age="linear")
    g, any_ = f.parts["positive"], f.parts["any"]
    for name, hcc in HCC.items():
        beta = truth["conditions"][name]["beta"]
        assert abs(g.params[hcc] - beta) < max(3 * g.bse[hcc], 0.1), (name, g.params[hcc], beta)
    assert g.params["const"] == pytest.approx(truth["base"]["b0"], abs=0.1)
    assert g.params["age10"] == pytest.approx(truth["base"]["b_age"], abs=0.03)
    assert g.params["female"] == pytest.approx(truth["base"]["b_female"], abs=0.05)
    for name in ("diabetes", "copd", "depression"):  # the common conditions' odds of any cost
        assert any_.params[HCC[name]] == pytest.approx(truth["conditions"][name]["gamma"], abs=0.3)


@pytest.mark.integration
def test_cross_validated_comparison(table):
    pred, tab = calibrate.cross_validate(table, k=5)
    t = tab.set_index("method")
    assert not pred.isna().any().any()
    # every diagnosis model beats age and sex alone; the local models beat CMS's US coefficients
    for m in ("ols", "two_part", "gbm", "cms"):
        assert t.loc[m, "r2"] > t.loc["age_sex", "r2"] + 0.03 and t.loc[m, "cpm"] > t.loc["age_sex", "cpm"]
    for m in ("ols", "two_part"):
        assert t.loc[m, "r2"] > t.loc["cms", "r2"]
    assert 0.9 < t.loc["two_part", "ratio_top_decile"] < 1.1  # the sickest tenth is priced right
    assert t.loc["cms", "ratio_top_decile"] < 0.9  # US weights underprice this plan's sickest members
    assert np.isfinite(t.to_numpy(float)).all()


def test_capitation_params_need_their_files(tmp_path, root):
    from gps_core import params
    from gps_core.errors import ParamsError

    text = (root / "params" / "plano_modelo_2024.yaml").read_text()
    bad = tmp_path / "p.yaml"
    bad.write_text(text.replace("data: {kind: synthetic_plan, members: 20000, seed: 2024}", "data: {kind: files}"))
    with pytest.raises(ParamsError, match="needs member_file, eligibility, diagnoses and costs"):
        params.load(bad)
    bad.write_text(text.replace("method: two_part", "method: magic"))
    with pytest.raises(ParamsError, match="rates.method"):
        params.load(bad)


def test_a_plan_is_read_from_the_clients_files(tmp_path, root):
    """data: {kind: files}: the same four tables written as a Brazilian export (';', decimal comma) are read
    back to the same numbers."""
    from gps_core import params
    from gps_core.studies import capitation as study

    tabs = synth.plan(500, seed=3)
    for name, df in tabs.items():
        if name != "conditions":
            df.to_csv(tmp_path / f"{name}.csv", sep=";", decimal=",", index=False, encoding="latin-1")
    text = (
        (root / "params" / "plano_modelo_2024.yaml")
        .read_text()
        .replace(
            "data: {kind: synthetic_plan, members: 20000, seed: 2024}",
            "data: {kind: files, member_file: {path: members.csv}, eligibility: {path: eligibility.csv}, "
            "diagnoses: {path: diagnoses.csv}, costs: {path: costs.csv}}",
        )
    )
    f = tmp_path / "p.yaml"
    f.write_text(text)
    got, inputs = study.load_plan(params.load(f))
    assert len(inputs) == 4 and all(len(i["sha256"]) == 64 for i in inputs)
    assert got["costs"]["amount"].sum() == pytest.approx(tabs["costs"]["amount"].sum())
    assert got["diagnoses"]["code"].tolist() == tabs["diagnoses"]["code"].tolist()

    # a bad row is named with its file, line and column, across the four files at once
    e = tabs["eligibility"].astype({"months": object})
    e.loc[3, "months"] = "13"
    e.to_csv(tmp_path / "eligibility.csv", sep=";", decimal=",", index=False, encoding="latin-1")
    m = tabs["members"].copy()
    m.loc[0, "sex"] = "X"
    m.to_csv(tmp_path / "members.csv", sep=";", decimal=",", index=False, encoding="latin-1")
    from gps_core.errors import InputError

    with pytest.raises(InputError) as err:
        study.load_plan(params.load(f))
    msg = str(err.value)
    assert "members.csv: line 2, column 'sex': 'X' is not one of" in msg
    assert "eligibility.csv: line 5, column 'months'" in msg and "is not a whole number in 0..12" in msg


@pytest.fixture(scope="module")
def rated(root):
    """The demo's capitation study (params/plano_modelo_2024.yaml): two bundles and a 3 % value pool."""
    from gps_core import params
    from gps_core.studies import capitation as study

    f = root / "params" / "plano_modelo_2024.yaml"
    return study.run(params.load(f))


@pytest.mark.integration
def test_bundles_and_value_pool_add_up_to_the_budget_to_the_cent(rated):
    """Global capitation + each bundle + the value pool = the budget; each stream pays its own budget exactly."""
    r, s = rated.params.rates, rated.streams
    assert int(s["total"].sum()) == round(r.budget * 100)
    for b in r.bundles:
        assert int(s[b.name].sum()) == round(b.budget * 100)
    assert int(s["value"].sum()) == round(r.value.share * r.budget * 100)
    carved = sum(round(b.budget * 100) for b in r.bundles) + round(r.value.share * r.budget * 100)
    assert int(s["capitation"].sum()) == round(r.budget * 100) - carved
    # a clinic under the minimum score gets no value payment; the others share in score x risk-months
    v = rated.value.set_index("unit_id")
    assert v.loc["Clínica G", "index"] < r.value.minimum and v.loc["Clínica G", "payout"] == 0
    w = v["index"] * v["production"] * (v["index"] >= r.value.minimum)
    assert np.allclose(v["payout"], w / w.sum() * v["payout"].sum(), atol=1)


@pytest.mark.integration  # the whole capitation study on shipped data (19 s)
def test_a_bundle_model_is_fitted_on_its_own_costs_and_conditions(rated):
    """Cardiology cost (synth: the excess cost of heart failure, AMI and stroke) is explained by those HCCs,
    not by age and sex; its predicted PMPM is higher for members with them."""
    b = rated.bundles.set_index("bundle")
    assert b.loc["Cardiologia", "conditions"] == "HCC100, HCC85, HCC86"
    assert b.loc["Cardiologia", "r2"] > 0.3 > 0.1 > b.loc["Cardiologia", "r2_age_sex"]
    # the bundle's budget close to its observed cost, so its base rate is near the cost per member-month
    assert b.loc["Cardiologia", "cost"] == pytest.approx(b.loc["Cardiologia", "budget"], rel=0.15)


@pytest.mark.integration
def test_bad_bundles_and_scores_are_refused(tmp_path, root):
    from gps_core import params
    from gps_core.errors import InputError, ParamsError
    from gps_core.studies import capitation as study

    text = (root / "params" / "plano_modelo_2024.yaml").read_text().replace("../data/", str(root / "data") + "/")
    f = tmp_path / "p.yaml"
    f.write_text(text.replace("budget: 2400000.00", "budget: 29000000.00"))
    with pytest.raises(ParamsError, match="leave nothing of the budget"):
        params.load(f)
    f.write_text(text.replace("conditions: [HCC57, HCC59]", "conditions: [HCC57, HCC999]").replace(
        "members: 20000", "members: 3000"))  # fmt: skip
    with pytest.raises(ParamsError, match=r"'Saúde mental': condition\(s\) \['HCC999'\]"):
        study.run(params.load(f))
    scores = tmp_path / "q.csv"
    scores.write_text("panel;ip\nClínica A;78,7\nClinica B;62,5\nClínica C;101\n")
    f.write_text(text.replace("members: 20000", "members: 3000").replace(
        str(root / "data") + "/synthetic/plano_modelo/qualidade_paineis.csv", str(scores)))  # fmt: skip
    with pytest.raises(InputError) as e:
        study.run(params.load(f))
    msg = str(e.value)
    assert "line 3, column 'panel': 'Clinica B' is not a known panel; did you mean 'Clínica B'?" in msg
    assert "line 4, column 'ip': '101' is not a number in 0..100" in msg
    assert "panel 'Clínica H' of the plan has no score" in msg


def test_bundles_need_costs_by_specialty():
    from gps_core.errors import InputError

    t = synth.plan(500, seed=3)
    t["costs"] = t["costs"].drop(columns="specialty")
    with pytest.raises(InputError, match="no 'specialty' column"):
        calibrate.prospective(t, 2024, specialties=["cardiologia"])


def test_the_shipped_panel_scores_are_the_generators(root, tmp_path):
    synth.write_scores(tmp_path / "q.csv")
    shipped = root / "data" / "synthetic" / "plano_modelo" / "qualidade_paineis.csv"
    assert shipped.read_bytes() == (tmp_path / "q.csv").read_bytes()


def test_truncated_r2_refits_on_truncated_costs(table):
    """With the cap at the largest cost nothing is truncated, so the truncated R² is the raw R²; with a
    few extreme costs added, truncation at the 99.5th percentile raises R² (Ash et al.: outliers dominate
    the raw R² of cost models)."""
    d = table.sample(6000, random_state=1).reset_index(drop=True)
    _, same = calibrate.cross_validate(d, methods=("ols",), k=3, truncate=1.0)
    assert same["r2_truncated"].iloc[0] == pytest.approx(same["r2"].iloc[0], rel=1e-12)
    d.loc[d.sample(6, random_state=2).index, "pmpm"] *= 200
    _, out = calibrate.cross_validate(d, methods=("ols",), k=3, truncate=0.995)
    assert out["r2_truncated"].iloc[0] > out["r2"].iloc[0] + 0.05


def test_the_report_names_every_condition_it_shows():
    """A condition with a predictive ratio but too few members for the profile is named too: its name was
    missing from the chart's labels and the capitation report failed (a 5,000-member plan's HCC86)."""
    from types import SimpleNamespace

    import pandas as pd

    from gps_core.studies.capitation import conditions

    s = SimpleNamespace(prevalence=pd.DataFrame({"condition": ["HCC85", "HCC19", "HCC85"]}),
                        ratios={"condition": pd.DataFrame({"hcc": ["HCC19", "HCC86"]})})  # fmt: skip
    assert conditions(s) == ["HCC19", "HCC85", "HCC86"]
    s.ratios["condition"] = pd.DataFrame()  # no condition with ten members or more
    assert conditions(s) == ["HCC19", "HCC85"]
