"""Same numbers as before (issue 14): the evaluation tables computed now equal those the code wrote before
its reorganization (tests/data/before_reorg, commit 6e9befb, see its README)."""

from pathlib import Path

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from gps_core import params
from gps_core.studies import evaluation
from gps_core.views import payouts
from gps_core.views import text as T

from .conftest import ROOT

pytestmark = pytest.mark.integration  # whole evaluations on shipped data
BEFORE = Path(__file__).parent / "data" / "before_reorg"


@pytest.mark.parametrize("name", ["hospital_2015", "hospital_modelo_2015", "nhs_ae_2018_19"])
def test_evaluation_tables_equal_those_before_the_reorganization(name):
    f = ROOT / "params" / f"{name}.yaml"
    # the tables were written with units by code; names (params unit_names, later) change labels only,
    # which test_evaluation checks row for row
    ev = evaluation.run(params.load(f).model_copy(update={"unit_names": None}))
    now = {t: getattr(ev, t) for t in ("annual", "index", "alerts")}
    now |= {f"payouts.{i}": v for i, v in enumerate(ev.payouts.values())}
    files = sorted(BEFORE.glob(f"{name}.*.parquet"))
    assert {p.name.removeprefix(f"{name}.").removesuffix(".parquet") for p in files} == set(now)
    for p in files:
        table = p.name.removeprefix(f"{name}.").removesuffix(".parquet")
        before = pd.read_parquet(p)
        if "explanation" in before:  # the payout's sentence is worded by the report (in words since issue 15): it
            said = payouts.explain(now[table], ev.params.language, ev.params.currency)  # ends with the amount paid
            before.pop("explanation")
            cents = now[table]["payout"]
            paid = cents.map(lambda c: T.money(c, ev.params.language, ev.params.currency))
            assert all(s.endswith(f"{m}.") or c == 0 for s, m, c in zip(said, paid, cents, strict=True)), table
        assert_frame_equal(
            now[table].reset_index(drop=True),
            before.reset_index(drop=True),
            check_dtype=False,
            check_categorical=False,
            check_index_type=False,
            rtol=1e-9,
            obj=f"{name} {table}",
        )
