"""A consultant's project for one client: ``gps init <folder>`` writes its layout, an example params file per
report and example data that validates, so ``gps check`` and ``gps run`` work in it at once (from an
installed wheel too: the templates and the generator travel inside the package).

Layout::

    <folder>/README.md                     the three commands, in the client's language
    <folder>/params/avaliacao_anual.yaml   the annual evaluation, every key commented
    <folder>/params/boletins.yaml          one scorecard per unit
    <folder>/params/desenho_contrato.yaml  the contract design: candidate payout rules side by side
    <folder>/params/ajuste_risco.yaml      risk-adjusted length of stay and mortality by team
    <folder>/params/capitacao.yaml         a health plan's capitation model, bundles and value payment
    <folder>/params/benchmark.yaml         a benchmark study (on a pool built for the run, until the
                                           consultancy's own pool is named)
    <folder>/data/indicadores_mensais.csv  monthly measurements exported the Brazilian way (``;``, latin-1,
                                           ``mm/yyyy``): the synthetic paper hospital
                                           (:mod:`gps_core.synth.hospital`) by specialty team
    <folder>/data/internacoes.csv          the same hospital's stays, one row each, without patient
                                           identifiers (:mod:`gps_core.synth.records`)
    <folder>/data/plano/*.csv              a synthetic health plan's members, eligibility, diagnoses
                                           (CID-10), costs and each clinic's quality score
                                           (:mod:`gps_core.synth.plan`)
    <folder>/reports/                      output

Nothing is written unless all of it can be: the project is built in a temporary folder beside the target
and moved in place at the end; an existing non-empty folder is refused (a project is never overwritten).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from importlib.resources import files
from pathlib import Path

import pandas as pd

from . import __version__
from .errors import ParamsError

CLIENT, NAME, YEAR, SEED = "hospital_exemplo", "Hospital Exemplo (dados sintéticos)", 2025, 2025
PLAN, PLAN_NAME, MEMBERS = "plano_exemplo", "Plano Exemplo (dados sintéticos)", 5000
PARAMS = ("avaliacao_anual.yaml", "boletins.yaml", "desenho_contrato.yaml", "ajuste_risco.yaml", "capitacao.yaml",
          "benchmark.yaml")  # fmt: skip
# the stays' coded values in the client's language, as a Brazilian hospital system exports them
ADMISSION = {"elective": "eletiva", "urgent": "urgência", "emergency": "emergência"}


def measurements(year: int = YEAR, seed: int = SEED) -> pd.DataFrame:
    """The example's monthly measurements: the 32 specialty teams of the synthetic paper hospital, each
    team's numerators and denominators summed over its doctors (about 16,000 rows), in the measurements
    contract (a team is a ``specialty`` unit, as a hospital's own reporting exports them)."""
    from .synth.hospital import paper_hospital

    m = paper_hospital(seed=seed, year=year, client=CLIENT, calibrate=0)
    keys = ["client", "program", "specialty", "period", "indicator_id"]
    t = m.groupby(keys, observed=True, sort=True)[["numerator", "denominator"]].sum().reset_index()
    t.insert(2, "unit_id", t["specialty"].astype(str))
    t.insert(3, "unit_type", "specialty")
    return t


def risk_group(code: str) -> str:
    """A principal diagnosis's risk group (``baixo``, ``médio``, ``alto``), as a hospital's grouper assigns
    one: here from the diagnosis's planted risk in :data:`gps_core.synth.records.DX`."""
    from .synth.records import DX

    r = DX[code]
    return "baixo" if r < -0.5 else "médio" if r < 0.5 else "alto"


def stays(year: int = YEAR, seed: int = SEED) -> pd.DataFrame:
    """The example's stays discharged in ``year``, for the risk adjustment: team (``equipe``), length of stay
    in days, death (0/1) and the case mix (age, sex, admission type, principal diagnosis and its risk group)
    of the synthetic record-level hospital of :func:`gps_core.synth.records.encounter_hospital`, whose
    quality effects are known. No patient or stay identifier: the study needs none."""
    from .synth.records import encounter_hospital

    e = encounter_hospital(seed=seed, year=year)["encounters"]
    e = e[e["discharge"].dt.year == year]
    return pd.DataFrame({
        "equipe": e["specialty"].astype(str),
        "permanencia": (e["discharge"] - e["admission"]).dt.days.astype("int64"),
        "obito": (e["discharge_status"] == "death").astype("int64"),
        "idade": e["age"].astype("int64"),
        "sexo": e["sex"].astype(str),
        "carater": e["admission_type"].map(ADMISSION),
        "diagnostico": e["diagnosis"].astype(str),
        "risco": e["diagnosis"].map(risk_group),
    }).reset_index(drop=True)  # fmt: skip


def plan_tables(year: int = YEAR, seed: int = SEED) -> dict[str, pd.DataFrame]:
    """The example plan's tables (:func:`gps_core.synth.plan.plan`, ``MEMBERS`` members enrolled in the
    year before ``year`` and in ``year``) and its clinics' quality scores (``scores``)."""
    from .synth import plan

    t = plan.plan(MEMBERS, seed=seed, years=(year - 1, year))
    return {**{k: t[k] for k in ("members", "eligibility", "diagnoses", "costs")}, "scores": plan.panel_scores(seed)}


PLAN_FILES = {"members": "beneficiarios.csv", "eligibility": "elegibilidade.csv", "diagnoses": "diagnosticos.csv",
              "costs": "custos.csv", "scores": "qualidade_paineis.csv"}  # fmt: skip


def _brazilian_csv(m: pd.DataFrame, path: Path) -> None:
    out = m.astype({c: str for c in ("client", "program", "unit_id", "unit_type", "specialty", "indicator_id")})
    out = out.astype({"numerator": "int64", "denominator": "int64"})  # counts, as a hospital system exports them
    out["period"] = m["period"].dt.strftime("%m/%Y")
    out.to_csv(path, sep=";", index=False, encoding="latin-1")


def init(folder: str | Path) -> list[Path]:
    """Write a client project in ``folder`` (see the module docstring); returns the files written.

    Raises
    ------
    ParamsError
        ``folder`` is a file, or a folder that already holds something.
    """
    target = Path(folder).absolute()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        what = "is a file" if not target.is_dir() else "is not empty"
        raise ParamsError(f"{folder}: {what}; gps init writes a new project into a new or empty folder")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".gps-init-", dir=target.parent))
    try:
        umask = os.umask(0)
        os.umask(umask)
        tmp.chmod(0o777 & ~umask)  # mkdtemp's folder is private; a project folder is an ordinary one
        quoted = {"client_name": json.dumps(NAME, ensure_ascii=False), "plan_name": json.dumps(PLAN_NAME,
                  ensure_ascii=False)}  # fmt: skip
        fields = {"client": CLIENT, "plan": PLAN, "year": YEAR, "prior": YEAR - 1, **quoted}
        tpl = files("gps_core") / "templates" / "project"
        (tmp / "params").mkdir()
        for name in PARAMS:
            text = (tpl / "params" / name).read_text(encoding="utf-8").format(**fields)
            (tmp / "params" / name).write_text(text, encoding="utf-8")
        readme = (tpl / "README.md").read_text(encoding="utf-8")
        (tmp / "README.md").write_text(readme.format(client_name=NAME, version=__version__), encoding="utf-8")
        (tmp / "data").mkdir()
        _brazilian_csv(measurements(), tmp / "data" / "indicadores_mensais.csv")
        stays().to_csv(tmp / "data" / "internacoes.csv", sep=";", index=False, encoding="latin-1")
        (tmp / "data" / "plano").mkdir()
        for name, df in plan_tables().items():  # amounts with a decimal comma, as a Brazilian export
            df.to_csv(tmp / "data" / "plano" / PLAN_FILES[name], sep=";", decimal=",", index=False, encoding="latin-1")
        (tmp / "reports").mkdir()
        written = sorted(p.relative_to(tmp) for p in tmp.rglob("*") if p.is_file())
        if target.exists():  # an empty folder: its contents move in, the folder itself stays
            for p in tmp.iterdir():
                os.replace(p, target / p.name)
            tmp.rmdir()
        else:
            os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return [target / p for p in written]
