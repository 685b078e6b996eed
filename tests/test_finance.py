"""The client's finance file (gps_core.records.finance) and the contract rules that pay on it: every problem named
with its line and column, no unit left out, and a per-point rule recomputed by hand."""

import numpy as np
import pandas as pd
import pytest

from gps_core import params
from gps_core.errors import InputError
from gps_core.params import AmountFile
from gps_core.records import finance
from gps_core.studies import evaluation
from gps_core.views.payouts import explain

UNITS = ["Cardiologia", "Geriatria", "Pediatria"]


def spec(**kw):
    return AmountFile(path="x.csv", unit="especialidade", amount="valor", **kw)


def test_amounts_in_cents_from_a_brazilian_export():
    df = pd.DataFrame({"especialidade": UNITS, "valor": ["1.234,565", "0", "10,10"]})
    out = finance.validate(df, "fat.csv", spec(), UNITS, decimal=",")
    assert out["amount"].tolist() == [123457, 0, 1010]  # half up, as a cashier rounds


def test_every_problem_is_named_with_line_and_column():
    df = pd.DataFrame(
        {"especialidade": ["Cardiologia", "Geriatra", "Cardiologia"], "valor": ["10", "-5", "abc"], "lista": [1, 2, 3]}
    )
    with pytest.raises(InputError) as e:
        finance.validate(df, "fat.csv", spec(list_size="lista", prevalence="prev"), UNITS)
    assert "missing column(s) ['prev']" in str(e.value)
    with pytest.raises(InputError) as e:
        finance.validate(df, "fat.csv", spec(), UNITS)
    msg = str(e.value)
    assert "fat.csv" in msg
    assert "line 3, column 'valor': '-5' is not a number in 0..1e+10" in msg
    assert "line 4, column 'valor': 'abc' is not a number" in msg
    assert "'Cardiologia' appears more than once" in msg
    assert (
        "line 3, column 'especialidade': 'Geriatra' is not a known unit of the evaluation; did you mean 'Geriatria'?"
        in msg
    )


def test_a_unit_missing_from_the_file_is_an_error_not_a_zero():
    df = pd.DataFrame({"especialidade": ["Cardiologia", "Geriatria"], "valor": [10.0, 20.0]})
    with pytest.raises(InputError, match=r"1 unit\(s\) of the evaluation are not in the file: \['Pediatria'\]"):
        finance.validate(df, "fat.csv", spec(), UNITS)


@pytest.mark.integration
def test_per_point_rule_from_params_by_hand(root, tmp_path):
    """A QOF-like rule in params: points = IP/100 x 100 (2 dp), paid R$ 200 a point times list size / 8,000
    and prevalence / 10 %, factors rounded to 2 dp as QOF publishes them (METHODS 4)."""
    base = (root / "params" / "hospital_2015.yaml").read_text().split("\ncontract:")[0]
    f = evaluation.run(params.load(root / "params" / "hospital_2015.yaml"))
    units = sorted(f.annual["unit_id"].astype(str))
    rng = np.random.default_rng(3)
    fin = pd.DataFrame(
        {
            "unit_id": units,
            "amount": 0.0,
            "lista": rng.integers(2000, 15000, len(units)),
            "prev": rng.uniform(0.05, 0.2, len(units)).round(4),
        }
    )
    fin.to_csv(tmp_path / "fin.csv", index=False)
    text = (
        base
        + f"""
contract:
  rules:
    - name: QOF
      kind: per_point
      production: {{file: {{path: {tmp_path / "fin.csv"}, list_size: lista, prevalence: prev}}}}
      max_points: 100
      point_value: 200.00
      national_list: 8000
      national_prevalence: 0.10
"""
    )
    p = tmp_path / "p.yaml"
    p.write_text(text)
    ev = evaluation.run(params.load(p))
    res = ev.payouts["QOF"]
    res = res.assign(explanation=explain(res, ev.params.language)).set_index("unit_id")
    for unit in units[:5]:
        r, ip = fin.set_index("unit_id").loc[unit], f.annual.set_index(f.annual["unit_id"].astype(str)).loc[unit, "ip"]
        points = round(ip, 2)  # IP/100 x 100 points
        want = np.floor(points * 20000 * round(r["lista"] / 8000, 2) * round(r["prev"] / 0.10, 2) + 0.5)
        assert res.loc[unit, "payout"] == want
        said = f"{points:.2f} pontos × R$\u00a0200,00 por ponto".replace(".", ",")  # pt-BR, in words
        assert res.loc[unit, "explanation"].startswith(said), res.loc[unit, "explanation"]


def test_per_point_needs_its_terms(root, tmp_path):
    from gps_core.errors import ParamsError

    p = tmp_path / "p.yaml"
    base = (root / "params" / "hospital_2015.yaml").read_text().split("\ncontract:")[0]
    p.write_text(
        base + "\ncontract:\n  rules:\n    - {name: Q, kind: per_point, production: {indicator: E01}, max_points: 10}\n"
    )
    with pytest.raises(ParamsError, match="per_point needs max_points, point_value, national_list"):
        params.load(p)
