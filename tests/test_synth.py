"""The synthetic paper hospital: shape, determinism, and the paper's findings in the realized data."""

import numpy as np
import pandas as pd
import pytest

from gps_core.annual import annual_evaluation
from gps_core.catalog import load_catalog
from gps_core.index import aggregate_measurements, performance_index, score_indicators
from gps_core.schemas import validate_measurements
from gps_core.synth import hospital as synth


@pytest.fixture(scope="module")
def hospital():
    return synth.paper_hospital(seed=2015)


@pytest.fixture(scope="module")
def evaluated(hospital):
    cat = load_catalog()
    spec = aggregate_measurements(hospital, "specialty")
    ix = performance_index(score_indicators(spec, cat), cat, synth.DIMENSION_WEIGHTS)
    return annual_evaluation(ix, pd.Timestamp("2015-01-01"), target=75, reference="target").set_index("unit_id")


@pytest.mark.integration
def test_paper_scale(hospital):
    """GPS paper (seed 003): 32 specialties, 556 doctors, 45 indicators, Jan-Dec 2015."""
    assert hospital["specialty"].nunique() == 32
    assert hospital["unit_id"].nunique() == 556
    assert hospital["indicator_id"].nunique() == 45
    assert hospital["period"].nunique() == 12 and hospital["period"].min() == pd.Timestamp("2015-01-01")
    validate_measurements(hospital, load_catalog())  # it honours its own contract


@pytest.mark.integration
def test_deterministic_by_seed():
    a = synth.paper_hospital(seed=7, calibrate=0)
    b = synth.paper_hospital(seed=7, calibrate=0)
    c = synth.paper_hospital(seed=8, calibrate=0)
    pd.testing.assert_frame_equal(a, b)
    assert not np.array_equal(a["numerator"].to_numpy()[:1000], c["numerator"].to_numpy()[:1000])


def test_the_papers_findings_hold_in_the_realized_data(evaluated):
    a, tr = evaluated, synth.truth().set_index("specialty")
    positive = set(a.index[a["vd_target"] > 0])
    assert positive == {"Reumatologia", "Geriatria", "Alergia e Imunologia", "Coloproctologia"}
    assert all(abs(a.loc[u, "vd_target"]) < 2.5 for u in ("Pneumologia", "Cirurgia de Mão"))
    assert a["vd_target"].idxmin() == "Mastologia" and a["vm"].idxmax() == "Mastologia"
    assert a.loc["Mastologia", "vm"] == pytest.approx(37, abs=4)
    critical = set(a.index[a["quadrant"] == "critical"])
    assert critical == {
        "Cirurgia Buco-Maxilo-Facial",
        "Infectologia",
        "Hematologia e Hemoterapia",
        "Cardiologia",
        "Pediatria",
    }
    assert all(abs(a.loc[u, "vm"]) < 4 for u in ("Neurologia", "Neurocirurgia", "Clínica Médica"))
    # and the realized values stay close to the stated ground truth
    assert (a["ip"] - tr.loc[a.index, "ip_mean"]).abs().max() < 1.5
    assert (a["vm"] - tr.loc[a.index, "vm"]).abs().max() < 3.0
