"""Health Value Score (METHODS 12): the definition by hand, and cost efficiency that removes case mix."""

import numpy as np
import pandas as pd
import pytest

from gps_core import value
from gps_core.views.design import value_definition


def test_hvs_by_hand_and_definition():
    ip = pd.Series({"a": 80.0, "b": 60.0, "c": 70.0})
    eff = pd.Series({"a": 1.0, "b": 1.3})  # c has no cost data
    h = value.health_value_score(ip, eff, w_quality=3, w_cost=2, floor=0.8, target=1.2)
    assert h.loc["a", "cost_score"] == pytest.approx(50.0) and h.loc["b", "cost_score"] == 100.0
    assert h.loc["a", "hvs"] == pytest.approx(0.6 * 80 + 0.4 * 50)
    assert np.isnan(h.loc["c", "hvs"])  # never imputed
    assert h.attrs["terms"] == pytest.approx({"w_quality": 0.6, "w_cost": 0.4, "floor": 0.8, "target": 1.2})
    words = {lang: value_definition(h.attrs["terms"], lang).replace("\u00a0", " ") for lang in ("en", "pt-BR")}
    assert "60 % x IP + 40 % x cost score" in words["en"] and "(e - 0.80) / (1.20 - 0.80)" in words["en"]
    assert "60 % x IP + 40 % x escore de custo" in words["pt-BR"] and "(e - 0,80)" in words["pt-BR"]
    quad = value.quadrant(h.dropna())  # around the medians of the two units with cost data
    assert quad.to_dict() == {"a": "high quality, high cost", "b": "low quality, low cost"}
    with pytest.raises(ValueError, match="target > floor"):
        value.health_value_score(ip, eff, floor=1.2, target=0.8)


def test_cost_efficiency_adjusts_for_the_patients():
    """Two units with the same prices per kind of patient, one treating three times as many expensive ones:
    crude cost per stay differs a lot, expected / observed stays near 1 for both."""
    rng = np.random.default_rng(5)
    n = 4000
    unit = np.repeat(["a", "b"], n // 2)
    severe = np.where(unit == "a", rng.random(n) < 0.2, rng.random(n) < 0.6)
    cost = rng.gamma(4.0, np.where(severe, 20_000, 5_000) / 4.0)
    stays = pd.DataFrame({"unit": unit, "severe": severe.astype(int), "cost": cost})
    e = value.cost_efficiency(stays, "unit", "severe").set_index("unit_id")
    crude = stays.groupby("unit")["cost"].mean()
    assert crude["b"] > 1.5 * crude["a"]
    assert e["efficiency"].to_numpy() == pytest.approx([1.0, 1.0], abs=0.06)
