"""Readers on real data: NHS England A&E reproduces the published national figures."""

import pandas as pd
import pytest

from gps_core.catalog import load_catalog
from gps_core.errors import InputError
from gps_core.io import nhs_ae
from gps_core.schemas import validate_measurements

from .conftest import EXTERNAL

FILE = EXTERNAL / "nhs_ae_attendances_2016_2019.csv"


def test_england_four_hour_performance_matches_nhs_headlines():
    """MANIFEST check values (NHS England published): FY2016/17 89.1 %, 2017/18 88.3 %, 2018/19 88.0 %,
    March 2019 86.6 %."""
    raw = nhs_ae.read(FILE)
    for start, months, expected in (
        ("2016-04", 12, 89.1),
        ("2017-04", 12, 88.3),
        ("2018-04", 12, 88.0),
        ("2019-03", 1, 86.6),
    ):
        assert round(nhs_ae.england_four_hour(raw, pd.Timestamp(start), months), 1) == expected


def test_type_1_measurements_validate_and_the_real_anomaly_in_type_2_is_caught():
    raw = nhs_ae.read(FILE)
    cat = load_catalog("nhs_ae_2019")
    m = validate_measurements(nhs_ae.to_measurements(raw, "1"), cat)
    assert set(m["indicator_id"]) == {"AE4H", "AECONV"} and m["unit_id"].nunique() > 130
    with pytest.raises(InputError, match=r"92.0 > 74.0 for proportion indicator AECONV"):
        validate_measurements(nhs_ae.to_measurements(raw, "2"), cat, str(FILE))  # RTX, Oct-2018


def test_missing_column_is_named(tmp_path):
    f = tmp_path / "ae.csv"
    f.write_text("period,org_code,type,attendances\n2018-04-01,RRK,1,10\n")
    with pytest.raises(InputError, match=r"missing column\(s\) \['breaches', 'admissions'\]"):
        nhs_ae.read(f)
