"""Payout rules in exact money: METHODS 3 (linear exchange) and 4 (QOF) vectors, and properties over
thousands of random contracts (sums exact to the cent, caps respected, never negative, monotone)."""

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gps_core import p4p
from gps_core.errors import InputError, ParamsError
from gps_core.views.payouts import explain


def test_withhold_linear_exchange_vector():
    """METHODS 3: bases $10M/$20M/$30M, TPS 20/40/60 -> slope 2.142857; TPS 40 factor 0.997143, TPS 60
    factor 1.005714; incentives equal withholds to the cent."""
    u = pd.DataFrame({"unit_id": ["a", "b", "c"], "tps": [20, 40, 60], "base": [10e8, 20e8, 30e8]})
    w = p4p.withhold(u, 0.02)
    assert w.attrs["terms"]["slope"] == pytest.approx(2.142857, abs=1e-6)
    assert w["factor"].round(6).tolist()[1:] == [0.997143, 1.005714]
    assert w["returned"].sum() == w["withheld"].sum() == 120_000_000
    # the sentence recomputes the money: 2 % of $10M withheld, returned with the slope, net
    said = explain(w, currency="USD").iloc[0]
    assert "US$200,000.00" in said and "adjustment 2.142857" in said and said.endswith("net -US$114,285.71.")


def test_qof_per_point_vector_and_rounding_policy():
    """METHODS 4: 29 points x 207.56 x 1.71 x 1.45 = 14,924.71 with factors rounded to 2 dp."""
    u = pd.DataFrame({"unit_id": ["gp"], "points": [29], "list_size": [1.7104 * 6000], "prevalence": [1.4496 * 0.08]})
    rounded = p4p.per_point(u, 20756, 6000, 0.08, round_factors=2)
    assert rounded["payout"].iloc[0] == 1_492_471
    exact = p4p.per_point(u, 20756, 6000, 0.08, round_factors=None)
    assert exact["payout"].iloc[0] == round(29 * 20756 * 1.7104 * 1.4496)  # the policy changes the money


def test_budget_pool_by_hand():
    u = pd.DataFrame({"unit_id": list("abcd"), "index": [90, 80, 50, 70], "production": [100, 100, 100, 1000]})
    out = p4p.budget_pool(u, 100_000, minimum=60, cap=60_000)
    # d (weight 70,000 of 87,000) would get 80,459 > cap: held at 60,000; a and b share 40,000 as 9:8.
    assert out["payout"].tolist() == [21_176, 18_824, 0, 60_000]
    assert out["capped"].tolist() == [False, False, False, True]
    assert explain(out).iloc[2] == "Index 50.0, below the minimum of 60: receives nothing."
    # the doctor reads it in Portuguese, in words, with the numbers and money written as in Brazil (issue 15)
    pt = explain(out, "pt-BR")
    assert pt.iloc[2] == "Índice 50,0, abaixo do mínimo de 60: não recebe."
    assert pt.iloc[0] == (
        "Índice 90,0 (mínimo 60): recebe 21,1760 % do fundo de R$\u00a01.000,00 (peso: índice 90,00 elevado a 1 × "
        "produção 100 = 9.000): R$\u00a0211,76."
    )
    assert pt.iloc[3].endswith("limitado ao teto de R$\u00a0600,00: R$\u00a0600,00.")


@pytest.mark.parametrize(
    ("call", "needle"),
    [
        (lambda u: p4p.budget_pool(u, 100_000, cap=10_000), "cannot be paid"),
        (lambda u: p4p.budget_pool(u, -1), "budget must be >= 0"),
        (lambda u: p4p.budget_pool(u, 100, minimum=101), "no unit can be paid"),
        (lambda u: p4p.additional_percentage(u.assign(received=1e5), tiers=[(60, 0.02), (60, 0.03)]), "overlapping"),
        (lambda u: p4p.additional_percentage(u.assign(received=1e5), tiers=[(60, 0.05), (80, 0.03)]), "must not fall"),
        (lambda u: p4p.additional_percentage(u.assign(received=1e5), floor=80, target=60, max_rate=0.1), "floor <"),
        (lambda u: p4p.withhold(u.assign(tps=50, base=1e6), rate=1.5), "between 0 and 1"),
    ],
)
def test_bad_contract_terms_are_rejected(call, needle):
    u = pd.DataFrame({"unit_id": list("abc"), "index": [90, 80, 70], "production": [1e6, 1e6, 1e6]})
    with pytest.raises(ParamsError, match=needle):
        call(u)


def test_bad_unit_data_are_rejected():
    with pytest.raises(InputError, match=r"negative production for \['b'\]"):
        p4p.budget_pool(pd.DataFrame({"unit_id": ["a", "b"], "index": [50, 60], "production": [1, -1]}), 100)
    with pytest.raises(InputError, match=r"unit\(s\) \['a'\] appear twice"):
        p4p.validate_units(pd.DataFrame({"unit_id": ["a", "a", "b"]}))


def test_a_cycle_under_three_months_is_refused(tmp_path, root):
    from gps_core import params

    p = tmp_path / "p.yaml"
    p.write_text((root / "params" / "hospital_2015.yaml").read_text().replace("months: 12", "months: 2"))
    with pytest.raises(ParamsError, match="period.months"):
        params.load(p)


units = st.integers(2, 40).flatmap(
    lambda n: st.tuples(
        st.lists(st.floats(0, 100, allow_nan=False), min_size=n, max_size=n),
        st.lists(st.integers(0, 10**9), min_size=n, max_size=n),
    )
)


@settings(max_examples=300, deadline=None)
@given(u=units, budget=st.integers(0, 10**11), alpha=st.sampled_from([0.5, 1.0, 2.0]), minimum=st.floats(0, 80))
def test_budget_pool_properties(u, budget, alpha, minimum):
    idx, prod = u
    df = pd.DataFrame({"unit_id": [f"u{k}" for k in range(len(idx))], "index": idx, "production": prod})
    i, q = np.array(idx), np.array(prod, dtype=float)
    takers = (i >= minimum) & (q > 0) & (i**alpha * q > 0)  # a tiny index can underflow to weight 0
    if budget > 0 and not takers.any():
        return  # no unit can take money: rejected, covered above
    n_el = int(takers.sum())
    cap = None if n_el == 0 else -(-budget // n_el) + 10**7  # a cap that can always be met
    out = p4p.budget_pool(df, budget, alpha=alpha, minimum=minimum, cap=cap)
    pay = out["payout"].to_numpy()
    assert pay.sum() == budget  # exact to the cent
    assert (pay >= 0).all() and (pay[~out["eligible"].to_numpy()] == 0).all()
    if cap is not None:
        assert (pay <= cap).all()
    # a higher index never earns less, everything else equal
    k = int(np.argmin(idx))
    better = df.copy()
    better.loc[k, "index"] = min(100.0, idx[k] + 25)
    assert p4p.budget_pool(better, budget, alpha=alpha, minimum=minimum, cap=cap)["payout"].iloc[k] >= pay[k]


@settings(max_examples=600, deadline=None)
@given(u=units, rate=st.floats(0.01, 0.3), floor=st.floats(0, 60))
def test_additional_percentage_properties(u, rate, floor):
    idx, received = u
    df = pd.DataFrame({"unit_id": [f"u{k}" for k in range(len(idx))], "index": idx, "received": received})
    out = p4p.additional_percentage(df, floor=floor, target=floor + 30, max_rate=rate)
    assert (out["payout"] >= 0).all()
    assert (out["payout"] <= rate * np.array(received) + 0.5 + 1e-6).all()  # half a cent at most above max rate
    same = pd.DataFrame({"unit_id": df["unit_id"], "index": np.sort(idx), "received": 10**6})
    assert np.all(
        np.diff(p4p.additional_percentage(same, floor=floor, target=floor + 30, max_rate=rate)["payout"]) >= 0
    )


@settings(max_examples=600, deadline=None)
@given(u=units, rate=st.floats(0.005, 0.05))
def test_withhold_is_budget_neutral_to_the_cent(u, rate):
    tps, base = u
    if sum(t * b for t, b in zip(tps, base, strict=True)) == 0:
        return
    df = pd.DataFrame({"unit_id": [f"u{k}" for k in range(len(tps))], "tps": tps, "base": base})
    out = p4p.withhold(df, rate)
    assert out["returned"].sum() == out["withheld"].sum()
    assert (out["returned"] >= 0).all()


@settings(max_examples=2000, deadline=None)
@given(w=st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=60), total=st.integers(0, 10**12))
def test_largest_remainder_is_exact_and_within_a_cent_of_the_quota(w, total):
    w = np.array(w)
    if w.sum() == 0:
        if total > 0:
            with pytest.raises(ValueError, match="every weight is 0"):
                p4p.largest_remainder(w, total)
        return
    part = p4p.largest_remainder(w, total)
    assert part.sum() == total and (part >= 0).all()
    assert np.all(np.abs(part - w / w.sum() * total) < 1 + 1e-6 * total / 1e6)


@pytest.mark.integration
def test_contract_in_params_pays_the_annual_evaluation(root, tmp_path):
    """The demo contract (params/hospital_2015.yaml): the pool pays exactly its budget, never to a team below
    the minimum, never above the cap; the additional percentage equals rate(IP) x discharges x price by hand."""
    from gps_core import params
    from gps_core.studies import evaluation

    f = root / "params" / "hospital_2015.yaml"
    ev = evaluation.run(params.load(f))
    pool = ev.payouts["Bônus de desempenho (fundo)"]
    assert pool["payout"].sum() == 150_000_000
    assert (pool.loc[pool["index"] < 60, "payout"] == 0).all() and pool["payout"].max() <= 15_000_000
    add = ev.payouts["Adicional sobre a produção"].set_index("unit_id")
    r = add.loc["Reumatologia"]
    discharges = ev.measurements.query("specialty == 'Reumatologia' and indicator_id == 'E01'")["denominator"].sum()
    rate = 0.05 * min(1, max(0, (r["index"] - 60) / 30))
    assert r["payout"] == int(np.floor(rate * discharges * 4200 * 100 + 0.5))
    # a withhold of 2 % of the amount billed, returned by IP x amount: budget neutral to the cent, and a team
    # with a higher IP than the amount-weighted mean gets back more than it gave
    held = tmp_path / "withhold.yaml"
    held.write_text(
        f.read_text().replace(
            "  rules:\n",
            "  rules:\n    - {name: Retenção, kind: withhold, rate: 0.02,"
            " production: {indicator: E01, price: 4200.00}}\n",
        )
    )
    w = evaluation.run(params.load(held)).payouts["Retenção"]
    assert w["payout"].sum() == 0 and w["withheld"].sum() == w["returned"].sum() > 0
    mean = np.average(w["tps"], weights=w["base"])
    assert (w["tps"] > mean + 1).sum() >= 5 and (w["tps"] < mean - 1).sum() >= 5
    assert (w.loc[w["tps"] > mean + 1, "payout"] > 0).all() and (w.loc[w["tps"] < mean - 1, "payout"] < 0).all()
    bad = tmp_path / "p.yaml"
    bad.write_text(
        f.read_text().replace("production: {indicator: E01, price: 4200.00}", "production: {indicator: E01}")
    )
    with pytest.raises(ParamsError, match="set production.price"):
        params.load(bad)


@pytest.mark.integration
def test_gps_payouts_writes_the_finance_workbook(tmp_path, root):
    from .conftest import gps

    out = tmp_path / "payouts.xlsx"
    run = gps("payouts", str(root / "params" / "hospital_2015.yaml"), "--out", str(out))
    assert run.returncode == 0, run.stderr
    with pd.ExcelFile(out, engine="calamine") as book:
        # a pt-BR contract: the finance team reads Portuguese headers, sheet names and sentences
        assert book.sheet_names == ["Bônus de desempenho (fundo)", "Adicional sobre a produção", "totais"]
        pool = pd.read_excel(book, book.sheet_names[0])
    assert pool["pagamento (centavos)"].sum() == 150_000_000 and pool["como é calculado"].notna().all()
    assert not pool["como é calculado"].str.contains(r"\bindex\b|\bweight\b|not eligible").any() and "unidade" in pool
    assert set(pool["elegível"]) <= {"sim", "não"}  # words, not True/False
    # issue 15: money and percentages formatted, the header frozen, totals that recompute with formulas
    from openpyxl import load_workbook

    book = load_workbook(out)
    ws = book["Bônus de desempenho (fundo)"]
    heads = [c.value for c in ws[1]]
    pay = heads.index("pagamento (BRL)") + 1
    assert ws.freeze_panes == "B2" and ws.auto_filter.ref.startswith("A1:")
    assert ws.cell(row=2, column=pay).number_format == '"R$" #,##0.00'
    assert ws.cell(row=2, column=heads.index("participação") + 1).number_format == "0.0000%"
    tot = book["totais"]
    rows = {r[0].value: r for r in tot.iter_rows(min_row=2)}
    formula = rows["Bônus de desempenho (fundo)"][1].value
    m = re.fullmatch(r"=SUM\('([^']+)'!([A-Z]+)2:([A-Z]+)(\d+)\)", formula)
    assert m and m.group(1) == ws.title and m.group(2) == m.group(3) == ws.cell(row=1, column=pay).column_letter
    summed = sum(ws[f"{m.group(2)}{i}"].value for i in range(2, int(m.group(4)) + 1))  # what the formula adds up
    assert round(summed * 100) == 150_000_000 and int(m.group(4)) == ws.max_row  # every unit, no more
    assert rows["todas as regras"][1].value == f"=SUM(B2:B{len(rows)})"
    # no formula anywhere else: every text from data stays text
    assert all(not str(c.value).startswith("=") for w in book.worksheets if w.title != "totais" for r in w.iter_rows()
               for c in r)  # fmt: skip
    none = gps("payouts", str(root / "params" / "nhs_ae_2018_19.yaml"), "--out", str(tmp_path / "x.xlsx"))
    assert none.returncode == 2 and "no 'contract' section" in none.stderr
