"""A consultant's project for one client: ``gps init <folder>`` writes its layout, an example params file per
report and example data that validates, so ``gps check`` and ``gps run`` work in it at once (from an
installed wheel too: the templates and the generator travel inside the package).

Layout::

    <folder>/README.md                     the three commands, in the client's language
    <folder>/params/avaliacao_anual.yaml   the annual evaluation, every key commented
    <folder>/params/boletins.yaml          one scorecard per unit
    <folder>/params/desenho_contrato.yaml  the contract design: candidate payout rules side by side
    <folder>/data/indicadores_mensais.csv  monthly measurements exported the Brazilian way (``;``, latin-1,
                                           ``mm/yyyy``): the synthetic paper hospital
                                           (:mod:`gps_core.synth.hospital`) by specialty team
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
        fields = {"client": CLIENT, "client_name": json.dumps(NAME, ensure_ascii=False), "year": YEAR}
        tpl = files("gps_core") / "templates" / "project"
        (tmp / "params").mkdir()
        for name in ("avaliacao_anual.yaml", "boletins.yaml", "desenho_contrato.yaml"):
            text = (tpl / "params" / name).read_text(encoding="utf-8").format(**fields)
            (tmp / "params" / name).write_text(text, encoding="utf-8")
        readme = (tpl / "README.md").read_text(encoding="utf-8")
        (tmp / "README.md").write_text(readme.format(client_name=NAME, version=__version__), encoding="utf-8")
        (tmp / "data").mkdir()
        _brazilian_csv(measurements(), tmp / "data" / "indicadores_mensais.csv")
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
