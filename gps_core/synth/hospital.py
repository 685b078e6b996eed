"""Synthetic but realistic data with documented, known ground truth.

``paper_hospital`` builds the hospital of the GPS paper (seed 003): program "GPS.Equipes Hospitalares",
32 specialties by name, 556 doctors, the 45 catalogue indicators, 12 months of 2015, with a monthly
numerator and denominator per doctor and indicator.

Generative model (all draws from ``numpy.random.default_rng(seed)``):

1. Each specialty s has a planted line of quality ``q_s(t) = a_s + b_s t`` (t = 1..12, on the 0-1 scale of
   the band fraction), chosen so that its mean is ``ip_mean/100`` and the relative change of the line from
   month 1 to 12 is ``vm`` (table ``PAPER_SPECIALTIES``).
2. Doctor d of s has a fixed effect ``e_d ~ N(0, 0.05)`` (centred in the specialty) and a monthly noise
   ``N(0, 0.02)``; indicator i has a specialty-specific offset ``δ_si ~ N(0, 0.08)`` centred to weighted
   mean 0 inside the specialty, so the specialty's IP follows its line.
3. The intended band fraction ``φ = q + e + δ + noise`` is turned into an indicator value by inverting the
   indicator's band (linear: ``floor + φ (target - floor)``; tiers: interpolation between thresholds; range:
   the high side, e.g. caesarean rates above the range).
4. Denominators are Poisson with an indicator-specific monthly volume times the doctor's activity
   (Gamma(2, 0.5), mean 1); numerators are binomial for percentages, Poisson for rates and days, and
   promoters minus detractors for NPS. 2 % of doctor-months are absent (leave).

Ground truth (``truth`` table): the planted IP mean, VM, VD against the target 75, and the paper's finding
each specialty carries: only Reumatologia, Geriatria, Alergia e Imunologia and Coloproctologia above the
target (positive VD); Pneumologia and Cirurgia de Mão near zero; Mastologia with the most negative VD and
the highest VM (+37 %); Cirurgia Buco-Maxilo-Facial, Infectologia, Hematologia e Hemoterapia, Cardiologia
and Pediatria negative on both; Neurologia, Neurocirurgia and Clínica Médica with VM near zero.
Sampling noise and band saturation move the realized values a little from the planted ones; the tests
check the realized findings, not only the plan.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..catalog import effective_weights, load_catalog

TARGET = 75.0
# name, care line, doctors, planted mean IP, planted VM (fraction), finding
PAPER_SPECIALTIES: list[tuple[str, str, int, float, float, str]] = [
    ("Reumatologia", "clinical", 8, 79.5, 0.12, "positive_vd"),
    ("Geriatria", "clinical", 9, 78.0, 0.06, "positive_vd"),
    ("Alergia e Imunologia", "clinical", 6, 77.5, 0.03, "positive_vd"),
    ("Coloproctologia", "surgical", 10, 78.75, 0.05, "positive_vd"),
    ("Pneumologia", "surgical", 12, 73.9, 0.04, "vd_near_zero"),
    ("Cirurgia de Mão", "surgical", 8, 73.9, 0.05, "vd_near_zero"),
    ("Mastologia", "surgical", 10, 48.75, 0.37, "most_negative_vd_highest_vm"),
    ("Cirurgia de Cabeça e Pescoço", "surgical", 9, 66.0, 0.23, "vm_high"),
    ("Oftalmologia", "surgical", 20, 64.5, 0.16, "vm_high"),
    ("Cirurgia Buco-Maxilo-Facial", "surgical", 7, 63.0, -0.06, "critical"),
    ("Infectologia", "clinical", 8, 66.0, -0.05, "critical"),
    ("Hematologia e Hemoterapia", "clinical", 9, 67.5, -0.04, "critical"),
    ("Cardiologia", "surgical", 30, 69.0, -0.05, "critical"),
    ("Pediatria", "surgical", 35, 68.25, -0.03, "critical"),
    ("Neurologia", "surgical", 14, 69.75, 0.015, "vm_near_zero"),
    ("Neurocirurgia", "surgical", 14, 68.25, 0.015, "vm_near_zero"),
    ("Clínica Médica", "clinical", 58, 70.5, 0.01, "vm_near_zero"),
    ("Endocrinologia", "clinical", 12, 65.0, 0.08, "vm_positive"),
    ("Dermatologia", "surgical", 10, 68.0, 0.04, "vm_positive"),
    ("Ortopedia e Traumatologia", "surgical", 40, 69.5, 0.05, "vm_positive"),
    ("Angiologia e Cirurgia Vascular", "surgical", 14, 69.0, 0.06, "vm_positive"),
    ("Gastroenterologia", "surgical", 16, 70.0, 0.05, "vm_positive"),
    ("Cirurgia Pediátrica", "surgical", 10, 68.5, 0.07, "vm_positive"),
    ("Cirurgia Plástica", "surgical", 18, 67.5, 0.04, "vm_positive"),
    ("Ginecologia e Obstetrícia", "surgical", 45, 70.0, 0.05, "vm_positive"),
    ("Cirurgia Geral", "surgical", 38, 71.0, 0.10, "vm_positive"),
    ("Cirurgia Cardiovascular", "surgical", 12, 71.5, 0.09, "vm_positive"),
    ("Otorrinolaringologia", "surgical", 18, 70.5, 0.06, "vm_positive"),
    ("Cancerologia", "surgical", 16, 71.0, 0.05, "vm_positive"),
    ("Urologia", "surgical", 22, 72.0, 0.03, "vm_positive"),
    ("Nefrologia", "surgical", 10, 71.5, 0.07, "vm_positive"),
    ("Cirurgia Torácica", "surgical", 8, 72.5, 0.04, "vm_positive"),
]
# Monthly denominator per doctor (before the activity factor), by indicator.
VOLUME = {
    "S01": 6,
    "S02": 12,
    "S03": 8,
    "S04": 2,
    "S05": 12,
    "S06": 120,
    "S07": 10,
    "E01": 12,
    "E02": 70,
    "E03": 2,
    "E04": 12,
    "E05": 11,
    "E06": 4,
    "E07": 12,
    "E08": 60,
    "E09": 14,
    "E10": 12,
    "E11": 12,
    "F01": 12,
    "F02": 11,
    "F03": 8,
    "F04": 10,
    "F05": 60,
    "F06": 9,
    "F07": 14,
    "F08": 10,
    "F09": 9,
    "F10": 3,
    "F11": 60,
    "F12": 25,
    "F13": 10,
    "F14": 4,
    "F15": 20,
    "F16": 2,
    "X01": 7,
    "X02": 7,
    "X03": 30,
    "X04": 30,
    "X05": 7,
    "X06": 7,
    "X07": 7,
    "X08": 7,
    "X09": 40,
    "X10": 1,
    "X11": 20,
}
DIMENSION_WEIGHTS = {"structure": 10.0, "efficiency": 25.0, "effectiveness": 40.0, "experience": 25.0}
CLIENT, PROGRAM = "hospital_demo", "GPS.Equipes Hospitalares"


def planted_line(ip_mean: float, vm: float, months: int = 12) -> tuple[float, float]:
    """Intercept and slope (IP points) of the line with the given mean over t=1..months and relative
    change ``vm`` between its fitted first and last month."""
    tbar = (months + 1) / 2
    b = vm * ip_mean / ((months - 1) + vm * (tbar - 1))
    return ip_mean - b * tbar, b


def truth() -> pd.DataFrame:
    """The planted ground truth per specialty (see the module docstring)."""
    df = pd.DataFrame(PAPER_SPECIALTIES, columns=["specialty", "care_line", "doctors", "ip_mean", "vm", "finding"])
    ab = [planted_line(m, v) for m, v in zip(df["ip_mean"], df["vm"], strict=True)]
    df["intercept"] = [a for a, _ in ab]
    df["slope"] = [b for _, b in ab]
    df["vm"] = 100 * df["vm"]
    df["vd_target"] = 100 * (df["ip_mean"] - TARGET) / TARGET
    return df


def _applies(applies_to: np.ndarray, care_line: str, specialty: str) -> np.ndarray:
    """Which catalogue rows (their ``applies_to``) a specialty of the given care line is scored on."""
    obstetric = specialty == "Ginecologia e Obstetrícia"
    return (applies_to == "all") | ((applies_to == "obstetric") & obstetric) | (applies_to == care_line)


def _invert(phi: np.ndarray, band: dict[str, np.ndarray]) -> np.ndarray:
    """Indicator value whose band fraction is about ``phi``: ``phi[j]`` (any trailing shape) for the
    catalogue row whose band is ``band[field][j]`` (numpy columns), each rule on all of its rows at once."""
    out = np.empty_like(phi)
    shape = (-1,) + (1,) * (phi.ndim - 1)
    col = {c: band[c].astype(float).reshape(shape) for c in ("floor", "target", "floor_high", "target_high")}
    k = band["rule"] == "linear"
    out[k] = col["floor"][k] + phi[k] * (col["target"][k] - col["floor"][k])
    k = band["rule"] == "range"
    out[k] = col["floor_high"][k] - np.clip(phi[k], 0, 1.0) * (col["floor_high"][k] - col["target_high"][k])
    for j in np.flatnonzero(band["rule"] == "tiers"):  # one interpolation table per indicator (few of them)
        pairs = [x.split(":") for x in band["tiers"][j].split("|")]
        thr, frac = [float(t) for t, _ in pairs], [float(f) for _, f in pairs]
        worst = thr[-1] + (thr[-1] - thr[-2])
        xs = np.array([0.0, *frac[::-1]])  # increasing fractions
        ys = np.array([worst, *thr[::-1]])
        out[j] = np.interp(np.clip(phi[j], 0, 1), xs, ys)
    return out


@dataclass
class _Block:
    """What a specialty draws whatever its quality line: doctors' effects, noise, presence, the indicator
    offsets and denominators, and each indicator's random stream where the numerators start."""

    rows: np.ndarray  # catalogue rows the specialty is scored on (J)
    band: dict[str, np.ndarray]  # their rule, band, unit and multiplier
    eff: np.ndarray  # (D,)
    noise: np.ndarray  # (D, 12)
    delta: np.ndarray  # (J,)
    doc: np.ndarray  # present doctor-months: doctor (within the specialty) and month
    month: np.ndarray
    den: np.ndarray  # (J, D, 12)
    states: list  # per indicator: its stream's state after the denominators


def _draws(cat: pd.DataFrame, w_eff: pd.Series, tr: pd.DataFrame, seed: int) -> list[_Block]:
    """The draws that do not depend on the quality lines, made once for every calibration pass.

    Each specialty and each (specialty, indicator) block has its own random stream, so a pass that changes
    the lines redraws the same noise (common random numbers).
    """
    volume = cat["indicator_id"].map(VOLUME).to_numpy(float)
    fields = ("rule", "floor", "target", "floor_high", "target_high", "tiers", "unit", "multiplier")
    band = {c: cat[c].to_numpy(object) for c in fields}  # plain arrays: a catalogue slice per pass is slow
    weight = w_eff.reindex(cat["indicator_id"]).to_numpy()
    applies = cat["applies_to"].to_numpy(object)
    out = []
    for s_i, (line, name, n_doc) in enumerate(tr[["care_line", "specialty", "doctors"]].itertuples(index=False)):
        rng = np.random.default_rng([seed, s_i])
        eff = rng.normal(0, 0.05, n_doc)
        eff -= eff.mean()
        act = rng.gamma(2.0, 0.5, n_doc)
        present = rng.random((n_doc, 12)) > 0.02
        noise = rng.normal(0, 0.02, (n_doc, 12))
        rows = np.flatnonzero(_applies(applies, line, name))
        delta = rng.normal(0, 0.08, len(rows))
        delta -= np.average(delta, weights=weight[rows])
        den = np.empty((len(rows), n_doc, 12))
        states = []
        for j, k in enumerate(rows):
            rj = np.random.default_rng([seed, s_i, j])
            den[j] = rj.poisson(np.broadcast_to((volume[k] * act)[:, None], (n_doc, 12)))
            states.append(rj.bit_generator.state)
        dd, mm = np.nonzero(present)
        out.append(_Block(rows, {c: v[rows] for c, v in band.items()}, eff, noise, delta, dd, mm, den, states))
    return out


def _simulate(q: np.ndarray, blocks: list[_Block]) -> dict[str, np.ndarray]:
    """One draw of every doctor-month-indicator given the specialties' quality lines ``q`` (S, 12): the
    values each rule gives the intended band fraction, and the numerators drawn from each indicator's own
    stream (so only the numerators change between calibration passes)."""
    bits = np.random.PCG64(0)
    gen = np.random.Generator(bits)
    cols = {k: [] for k in ("doc", "spec", "month", "ind", "num", "den")}
    doc0 = 0
    for s_i, b in enumerate(blocks):
        phi = q[s_i][None, None, :] + b.eff[None, :, None] + b.delta[:, None, None] + b.noise[None]
        value = _invert(phi, b.band)
        unit, mult = b.band["unit"], b.band["multiplier"].astype(float)
        num = np.empty_like(b.den)
        for j in range(len(b.rows)):
            bits.state = b.states[j]
            den = b.den[j]
            if unit[j] == "percent":
                num[j] = gen.binomial(den.astype(int), np.clip(value[j] / 100, 0, 1))
            elif unit[j] == "nps":  # promoters minus detractors, 10 % passives at the middle
                v = np.clip(value[j], -80, 80) / 100
                p_prom = np.clip(0.45 + v / 2, 0, 1)
                prom = gen.binomial(den.astype(int), p_prom)
                p_det = np.clip((0.45 - v / 2) / np.maximum(1 - p_prom, 1e-9), 0, 1)
                num[j] = prom - gen.binomial((den - prom).astype(int), p_det)
            else:
                num[j] = gen.poisson(np.maximum(den * value[j] / mult[j], 0))
        n_rows, n_cells = len(b.rows), len(b.doc)
        cols["doc"].append(np.tile(doc0 + b.doc, n_rows))
        cols["spec"].append(np.full(n_rows * n_cells, s_i))
        cols["month"].append(np.tile(b.month, n_rows))
        cols["ind"].append(np.repeat(b.rows, n_cells))
        cols["num"].append(num[:, b.doc, b.month].ravel())
        cols["den"].append(b.den[:, b.doc, b.month].ravel())
        doc0 += len(b.eff)
    return {k: np.concatenate(v) for k, v in cols.items()}


def _specialty_ip(sim: dict, cat: pd.DataFrame, tr: pd.DataFrame) -> np.ndarray:
    """Realized specialty-month IP (S, 12) of a simulation, scored as the report scores it."""
    from ..index import performance_index, score_indicators

    key = (sim["spec"] * 12 + sim["month"]) * len(cat) + sim["ind"]
    size = len(tr) * 12 * len(cat)
    num = np.bincount(key, sim["num"], size)
    den = np.bincount(key, sim["den"], size)
    s, m, i = np.unravel_index(np.arange(size), (len(tr), 12, len(cat)))
    keep = den > 0
    ids = cat["indicator_id"].to_numpy()[i[keep]]
    frame = pd.DataFrame(
        {
            "client": "c",
            "program": "p",
            "unit_id": s[keep],
            "unit_type": "specialty",
            "specialty": s[keep],
            "period": m[keep],
            "indicator_id": ids,
            "numerator": num[keep],
            "denominator": den[keep],
        }
    )
    ix = performance_index(score_indicators(frame, cat), cat, DIMENSION_WEIGHTS)
    out = np.full((len(tr), 12), np.nan)
    out[ix["unit_id"].astype(int), ix["period"].astype(int)] = ix["ip"]
    return out


def paper_hospital(seed: int = 2015, year: int = 2015, client: str = CLIENT, calibrate: int = 2) -> pd.DataFrame:
    """Monthly measurements of the GPS paper's hospital, one row per doctor, month and indicator.

    Deterministic by ``seed``. ``calibrate`` passes correct each specialty's quality line for the bias
    that band saturation adds (the realized line is fitted, and its intercept and slope errors are
    removed; the month-to-month noise is kept). Columns: client, program, unit_id, unit_type
    (``doctor``), specialty, period, indicator_id, numerator, denominator.
    """
    cat = load_catalog("hospital_2015")
    w_eff = effective_weights(cat, DIMENSION_WEIGHTS)
    tr = truth()
    t = np.arange(1, 13)
    plan = (tr["intercept"].to_numpy()[:, None] + tr["slope"].to_numpy()[:, None] * t) / 100
    q = plan.copy()
    tc = t - t.mean()
    blocks = _draws(cat, w_eff, tr, seed)
    for _ in range(calibrate):
        got = _specialty_ip(_simulate(q, blocks), cat, tr) / 100
        err = plan - got
        slope = (err * tc).sum(axis=1) / (tc * tc).sum()
        q = q + err.mean(axis=1, keepdims=True) + slope[:, None] * tc
    sim = _simulate(q, blocks)
    months = pd.date_range(f"{year}-01-01", periods=12, freq="MS")
    ids = np.array([f"D{k + 1:04d}" for k in range(int(tr["doctors"].sum()))])
    # Labels as categories of integer codes (no string per row); the codes of sorted categories order the
    # rows as sorting the labels would (doctor ids are zero-padded).
    doc, ind = _sorted_codes(sim["doc"], ids), _sorted_codes(sim["ind"], cat["indicator_id"].to_numpy(object))
    spec = _sorted_codes(sim["spec"], tr["specialty"].to_numpy(object))
    order = np.lexsort((ind.codes, sim["month"], doc.codes))
    n = len(order)
    out = pd.DataFrame(
        {
            "client": pd.Categorical.from_codes(np.zeros(n, np.int8), pd.Index([client])),
            "program": pd.Categorical.from_codes(np.zeros(n, np.int8), pd.Index([PROGRAM])),
            "unit_id": doc[order],
            "unit_type": pd.Categorical.from_codes(np.zeros(n, np.int8), pd.Index(["doctor"])),
            "specialty": spec[order],
            "period": months[sim["month"][order]],
            "indicator_id": ind[order],
            "numerator": sim["num"][order],
            "denominator": sim["den"][order],
        }
    )
    return out


def _sorted_codes(codes: np.ndarray, labels: np.ndarray) -> pd.Categorical:
    """``labels[codes]`` as a categorical whose categories are the labels used, sorted (as ``astype``
    would make them)."""
    used = np.unique(codes)
    rank = np.argsort(labels[used], kind="stable")
    remap = np.empty(len(labels), np.int64)
    remap[used[rank]] = np.arange(len(used))
    return pd.Categorical.from_codes(remap[codes], pd.Index(labels[used[rank]]))
