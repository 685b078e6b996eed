"""What the notebooks display comes from gps_core.studies.evaluation: selections tested here, not in notebooks."""

import numpy as np
import pandas as pd
import pytest

from gps_core import params
from gps_core.studies import evaluation


@pytest.fixture(scope="module")
def ev(root):
    f = root / "params" / "nhs_ae_2018_19.yaml"
    return evaluation.run(params.load(f), f)


def test_band_reasons_come_from_the_params(ev):
    why = evaluation.band_reasons(ev.params)
    assert set(why) == {"AE4H", "AECONV"} and "NHS Constitution" in why["AE4H"]


def test_trace_units_are_the_critical_ones_most_negative_first(ev):
    units = evaluation.trace_units(ev, n=3)
    crit = ev.annual[ev.annual["quadrant"] == "critical"].sort_values("vd")
    assert units == list(crit["unit_id"].astype(str))[:3]
    calm = ev.annual.assign(quadrant="leading_and_improving")
    lowest = ev.annual.loc[ev.annual["ip"].idxmin(), "unit_id"]
    assert evaluation.trace_units(evaluation.Evaluation(**{**ev.__dict__, "annual": calm})) == [lowest]


def test_star_agreement_counts_rated_units():
    a = pd.DataFrame({"stars": [1, 2, 3, np.nan], "stars_exact": [1, 3, 3, 2]})
    assert evaluation.star_agreement(a) == (2, 3)


def test_unit_view_latest_row_and_own_sheets(ev):
    v = evaluation.unit_view(ev, "RRK")
    assert v["latest"]["period"] == pd.Timestamp("2019-03-01")
    assert v["latest"]["ip"] == pytest.approx(
        ev.index[(ev.index["unit_id"] == "RRK") & (ev.index["period"] == "2019-03-01")]["ip"].iloc[0]
    )
    assert list(v["sheets"]["indicator_id"]) == ["AE4H", "AECONV"]
