"""Contract design (gps_core.studies.design): candidate rules side by side, the Monte Carlo over weights (METHODS 5)
checked draw by draw against the evaluation's own index code, and the Health Value Score per unit."""

import numpy as np
import pandas as pd
import pytest

from gps_core import params
from gps_core.annual import annual_evaluation
from gps_core.errors import ParamsError
from gps_core.index import DIMENSIONS, performance_index
from gps_core.studies import design, evaluation


@pytest.fixture(scope="module")
def ev(root):
    f = root / "params" / "hospital_2015.yaml"
    return evaluation.run(params.load(f))


@pytest.fixture(scope="module")
def sim(root):
    f = root / "params" / "hospital_modelo_2015_p4p.yaml"
    return params.load(f), f


@pytest.mark.integration
@pytest.mark.parametrize("policy", ["redistribute", "zero"])
def test_draws_without_spread_are_the_evaluation(root, policy):
    f = root / "params" / "hospital_2015.yaml"
    e = evaluation.run(params.load(f).model_copy(update={"missing_policy": policy}))
    dr = design.weight_draws(e, draws=3, spread=0.0, policies=(policy,))
    assert len(dr.units) == 32 and np.abs(dr.ip - dr.nominal[:, None]).max() < 1e-9


@pytest.mark.integration
def test_every_draw_equals_the_index_recomputed_with_its_weights(ev):
    """Three random draws, each recomputed through performance_index and annual_evaluation with the draw's
    indicator weights, dimension weights and missing policy: the matrix shortcut must give the same IP."""
    dr = design.weight_draws(ev, draws=40, spread=0.4, policies=("redistribute", "zero"), seed=7)
    assert dr.zero.any() and not dr.zero.all()
    for k in (0, int(np.argmax(dr.zero)), int(np.argmin(dr.zero))):
        cat = ev.catalog.assign(weight=dr.weights[:, k])
        dims = dict(zip(DIMENSIONS, dr.dimension_weights[:, k], strict=True))
        ix = performance_index(ev.scores, cat, dims, "zero" if dr.zero[k] else "redistribute")
        ann = annual_evaluation(ix, ev.params.period.first, ev.params.target).set_index("unit_id")["ip"]
        want = ann.set_axis(ann.index.astype(str)).reindex(dr.units).to_numpy()
        assert dr.ip[:, k] == pytest.approx(want, abs=1e-9)
    assert np.abs(dr.ip - dr.nominal[:, None]).max() > 0.5  # the weights did move the index


def test_rank_intervals_by_hand():
    """Three units, four draws: B and C swap in half the draws."""
    ip = np.array([[90, 90, 90, 90], [80, 70, 80, 70], [70, 80, 70, 80]], dtype=float)
    z = np.zeros(1)
    dr = design.Draws(pd.Index(["A", "B", "C"]), ip, np.array([90.0, 80, 70]), 0.2, ("redistribute",), z, z, z)
    r = design.rank_intervals(dr).set_index("unit_id")
    assert r["rank"].tolist() == [1, 2, 3]
    assert r.loc["A", "median_rank"] == 1 and r.loc["A", "shift"] == 0
    assert r.loc["B", "median_rank"] == 2.5 and r.loc["B", "shift"] == 0.5
    assert (r.loc["B", "rank_p05"], r.loc["B", "rank_p95"]) == (2, 3)


@pytest.mark.integration
def test_candidates_side_by_side(sim):
    p, f = sim
    d = design.run(p)
    costs = d.costs.set_index("rule")
    for r in p.candidates:
        if r.kind == "budget_pool":
            assert costs.loc[r.name, "total"] == round(r.budget * 100)  # the pool is paid to the cent
    # the tiered additional pays on the finance export, read here by hand
    fin = pd.read_csv(
        f.parent / "../data/synthetic/hospital_modelo/faturamento.csv",
        sep=";",
        decimal=",",
        thousands=".",
        encoding="latin-1",
    ).set_index("especialidade")["valor_recebido"]
    t = d.table[d.table["rule"] == "Adicional por faixas"].set_index("unit_id")
    for unit in ("Geriatria", "Cardiologia", "Mastologia"):
        u = t.loc[unit]
        rate = max([b for a, b in p.candidates[2].tiers if u["ip"] >= a], default=0.0)
        assert u["payout"] == int(np.floor(rate * round(fin[unit] * 100) + 0.5))
    # between two pools of the same budget, what some units gain the others lose, to the cent
    same = d.moves.set_index("rule").loc["Fundo por IP² x altas"]
    assert same["gained"] == same["lost"] > 0
    assert same["gain"] + same["lose"] + same["same"] == 32
    assert d.groups.drop(columns="specialty").sum().round().to_dict() == d.costs.set_index("rule")["total"].to_dict()
    # the IP^2 pool gives the best units a larger share than the IP^1 pool when neither is capped
    w = d.table.pivot_table(index="unit_id", columns="rule", values="payout", observed=True)
    top, low = d.ranks["unit_id"].iloc[0], d.ranks[d.ranks["ip"] >= 60]["unit_id"].iloc[-1]
    assert w.loc[top, "Fundo por IP² x altas"] > w.loc[top, "Fundo por IP x altas"]
    assert w.loc[low, "Fundo por IP² x altas"] < w.loc[low, "Fundo por IP x altas"]
    # payouts under random weights: a unit far above the minimum is always paid, one far below never
    pays = d.pays.set_index("unit_id")
    assert pays.loc[top, "p_paid"] == 1 and pays.loc[d.ranks["unit_id"].iloc[-1], "p_paid"] == 0
    assert (pays["p05"] <= pays["mean"] + 1e-6).all() and (pays["mean"] <= pays["p95"] + 1e-6).all()


@pytest.mark.integration
def test_health_value_score_per_unit(sim):
    p, f = sim
    e = evaluation.run(p)
    hvs, why = design.health_value(e, p.value)
    assert why == "" and len(hvs) == 32 and hvs["hvs"].between(0, 100).all()
    # HVS = 0.6 IP + 0.4 cost score, the cost score the band of E/O between 0.8 and 1.2
    r = hvs.iloc[0]
    assert r["cost_score"] == pytest.approx(100 * min(1, max(0, (r["efficiency"] - 0.8) / 0.4)))
    assert r["hvs"] == pytest.approx(0.6 * r["ip"] + 0.4 * r["cost_score"])
    # expected cost comes from a gamma GLM fitted on every stay: it adds up near the observed total
    assert hvs["expected"].sum() / hvs["observed"].sum() == pytest.approx(1, abs=0.05)
    e2 = evaluation.run(params.load(f.parent / "hospital_2015.yaml"))
    assert design.health_value(e2, p.value) == (None, "no_records")
    from gps_core.views import design as view

    assert view.value_missing("no_records", "pt-BR") == (
        "Não calculado: requer uma fonte de registros (internações)."
    )


@pytest.mark.parametrize(
    "change, needle",
    [
        ({"uncertainty": {"rule": "Nenhuma"}}, "is not a candidate"),
        ({"candidates": "dup"}, "must be unique"),
        ({"uncertainty": {"draws": 10}}, "greater than or equal to 50"),
        ({"value": {"floor": 1.2, "target": 0.8}}, "target must exceed floor"),
    ],
)
def test_bad_design_params_are_rejected(sim, tmp_path, change, needle):
    import yaml

    p, f = sim
    raw = yaml.safe_load(f.read_text())
    raw["source"] = [{**s, "path": str((f.parent / s["path"]).resolve())} for s in raw["source"]]
    if change.get("candidates") == "dup":
        raw["candidates"][1]["name"] = raw["candidates"][0]["name"]
    else:
        for k, v in change.items():
            raw[k] = {**(raw.get(k) or {}), **v}
    bad = tmp_path / "p.yaml"
    bad.write_text(yaml.safe_dump(raw, allow_unicode=True))
    with pytest.raises(ParamsError, match=needle):
        params.load(bad)
