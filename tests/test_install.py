"""The package installed from its wheel, outside this repository, finds its notebooks and runs a report
(issue 17): notebooks, templates and reference data travel inside the wheel."""

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import yaml

from gps_core import params, report
from gps_core.studies import evaluation

from .conftest import glued


@pytest.fixture(scope="module")
def wheel(tmp_path_factory, root) -> Path:
    """The project's wheel, built from the checkout with the venv's hatchling (no download)."""
    out = tmp_path_factory.mktemp("dist")
    run = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(root), "--no-deps", "--no-build-isolation", "-q", "-w", str(out)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    (whl,) = out.glob("gps_analytics-*.whl")
    return whl


@pytest.mark.integration
def test_the_wheel_carries_every_notebook_template_and_table(wheel, root):
    names = set(zipfile.ZipFile(wheel).namelist())
    notebooks = {f"gps_core/notebooks/{p.name}" for p in (root / "notebooks").glob("*.ipynb")}
    data = {f"gps_core/data/{p.name}" for p in (root / "gps_core" / "data").iterdir() if p.is_file()}
    assert notebooks and notebooks <= names, notebooks - names
    assert data <= names, data - names  # the sources.yaml and MANIFEST.csv a run reads at start
    assert "gps_core/templates/offline/gps_offline.html.j2" in names
    assert not [n for n in names if "__pycache__" in n or n.startswith(("tests/", "data/", "params/"))]


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory):
    """A fresh venv with only the wheel installed (its dependencies are the test venv's, added by a .pth: no
    download), a project ``gps init`` writes outside the checkout, and the three commands of its README run
    there as a consultant types them in a shell (``--no-pdf``): check, the annual evaluation, every report.
    Returns the venv, the project and what each command printed."""
    tmp = tmp_path_factory.mktemp("installed")
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    site = subprocess.run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    # the dependencies, but not the checkout: the editable install's own .pth is not read from there
    Path(site, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run = subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "--no-index",
                          "-q", str(wheel)], capture_output=True, text=True, timeout=600)  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "GPS_NOTEBOOKS")}
    # the dependencies' data files (nbconvert's base templates) are where pip put them for the test venv
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    init = subprocess.run([venv / "bin" / "gps", "init", "consultoria"], cwd=tmp, env=env, capture_output=True,
                          text=True, timeout=300)  # fmt: skip
    assert init.returncode == 0, init.stderr[-3000:]
    project = tmp / "consultoria"
    readme = (project / "README.md").read_text(encoding="utf-8")
    lines = [ln.split("#")[0].strip() for ln in readme.splitlines() if ln.startswith("gps ")]
    lines = [ln for ln in lines if ln.split()[1] != "lab"]  # JupyterLab: tests/test_lab.py
    assert [ln.split()[1] for ln in lines] == ["check", "run", "batch"], lines
    shell = {**env, "PATH": f"{venv / 'bin'}:{env['PATH']}"}  # as a consultant types them, in a shell
    said = {}
    for line in lines:
        line += "" if line.split()[1] == "check" else " --no-pdf"
        done = subprocess.run(["bash", "-c", line], cwd=project, env=shell, capture_output=True, text=True,
                              timeout=900)  # fmt: skip
        assert done.returncode == 0, (line, done.stderr[-3000:])
        said[line.split()[1]] = done.stdout
    return {"venv": venv, "project": project, "env": env, "said": said, "lines": lines}


@pytest.mark.integration
def test_an_installed_wheel_starts_a_project_and_runs_its_report(installed):
    """The wheel, installed in a venv outside the checkout, runs from there (not from this repository), and the
    annual evaluation its README's second command wrote has the library's numbers on the same params."""
    venv, project = installed["venv"], installed["project"]
    where = subprocess.run([venv / "bin" / "python", "-c", "import gps_core, gps_core.report as r; "
                            "print(gps_core.__file__); print(r.notebook_path('annual_evaluation'))"], cwd=project,
                           env=installed["env"], capture_output=True, text=True, timeout=300)  # fmt: skip
    package, notebook = where.stdout.split()
    assert Path(package).is_relative_to(venv) and Path(notebook).is_relative_to(venv), where.stdout
    run_one = installed["lines"][1].split()
    client = yaml.safe_load((project / run_one[3]).read_text(encoding="utf-8"))["client"]
    out = project / "reports" / client / "2025"
    assert (out / "annual_evaluation.html").is_file()
    got = pd.DataFrame(glued(out / "annual_evaluation.ipynb", "annual")["annual"]).set_index("unit_id")
    want = evaluation.run(params.load(project / run_one[3])).annual.set_index("unit_id")
    want.index = want.index.astype(str)
    assert len(got) == 32
    for c in ("ip", "vd", "vm"):
        pd.testing.assert_series_equal(got[c].sort_index(), want[c].astype(float).sort_index(), check_names=False,
                                       rtol=1e-12)  # fmt: skip


def test_a_project_has_params_that_validate_and_data_that_reads_back(tmp_path):
    """``gps init``'s example: a params file per report, each valid for its report, and Brazilian CSV files
    that read back to the tables they were written from (counts, months, amounts, names with accents)."""
    from gps_core import project
    from gps_core.io.readers import read_table

    made = project.init(tmp_path / "p")
    names = {p.relative_to(tmp_path / "p").as_posix() for p in made}
    plan = {f"data/plano/{f}" for f in project.PLAN_FILES.values()}
    assert names == {"README.md", *(f"params/{f}" for f in project.PARAMS), "data/indicadores_mensais.csv",
                     "data/internacoes.csv", *plan}  # fmt: skip
    assert (tmp_path / "p" / "reports").is_dir()
    reports = {params.load(tmp_path / "p" / "params" / f).report for f in project.PARAMS}
    assert reports == set(params.MODELS)  # an example for every report
    df, dialect = read_table(tmp_path / "p" / "data" / "indicadores_mensais.csv")
    assert (dialect.sep, dialect.encoding) == (";", "latin-1")
    want = project.measurements()
    assert df["numerator"].astype(float).tolist() == want["numerator"].tolist()
    assert df["denominator"].astype(float).tolist() == want["denominator"].tolist()
    assert set(df["unit_id"]) == set(want["unit_id"]) and "Clínica Médica" in set(df["unit_id"])
    stays, _ = read_table(tmp_path / "p" / "data" / "internacoes.csv")
    want = project.stays()
    assert stays["permanencia"].astype(int).tolist() == want["permanencia"].tolist()
    assert stays["carater"].tolist() == want["carater"].tolist() and "urgência" in set(stays["carater"])
    assert not {"patient_id", "encounter_id"} & set(stays.columns)  # the study needs no identifier
    tables = project.plan_tables()
    costs, d = read_table(tmp_path / "p" / "data" / "plano" / "custos.csv")
    assert d.decimal == ","
    assert costs["amount"].str.replace(",", ".").astype(float).sum() == pytest.approx(tables["costs"]["amount"].sum())
    ev = evaluation.run(params.load(tmp_path / "p" / "params" / "avaliacao_anual.yaml"))
    assert len(ev.annual) == 32 and ev.annual["ip"].between(0, 100).all()


@pytest.mark.integration
def test_every_report_of_a_project_runs_on_its_example(installed):
    """The README's ``gps check`` and ``gps batch`` on a new project (installed from the wheel): every report
    written, in one language, and its numbers consistent: the risk study's O/E, the capitation's budget to
    the cent in its streams, the benchmark's published cells; the two specialties whose mortality has no planted effect
    (Geriatria, Pediatria) are as expected once their patients' risk is adjusted for."""
    from .test_reports import ENGLISH, codes, foreign_numbers, words

    root, said = installed["project"], installed["said"]
    pages = sorted((root / "reports").rglob("*.html"))
    assert len(pages) == 5 + 32 + 1  # five reports, a scorecard per team and their annex
    for page in pages:
        assert sorted({w for w in words(page) if w.lower() in ENGLISH}) == [], page
        assert foreign_numbers(page, "pt-BR") == [] and codes(page) == [], page

    out = root / "reports" / "hospital_exemplo" / "2025"
    # the reports' numbers against the library's are pinned on the demo's data (test_reports, test_riskadjust);
    # here, what the example must show: every team, O/E = observed / expected, and the two specialties with
    # no planted mortality effect as expected once their patients' risk is adjusted for
    mort = pd.DataFrame(glued(out / "risk_adjustment.ipynb", "risk_study")["obito"]["units"]).set_index("unit")
    assert len(mort) == 32 and mort["oe"].to_numpy() == pytest.approx(mort["observed"] / mort["expected"], rel=1e-9)
    assert mort["observed"].sum() == pytest.approx(mort["expected"].sum(), rel=1e-8)  # logistic with an intercept
    for team in ("Geriatria", "Pediatria"):
        assert mort.loc[team, "oe_lower"] < 1 < mort.loc[team, "oe_upper"], mort.loc[team]
    cap = glued(root / "reports" / "plano_exemplo" / "2024-2025" / "capitation_model.ipynb", "capitation")
    streams = pd.DataFrame(cap["streams"])
    bundles = [b["bundle"] for b in cap["bundles"]]
    assert bundles == ["Cardiologia", "Saúde mental"]
    parts = streams[["capitation", *bundles, "value"]].sum(axis=1)  # every panel's streams add up
    assert cap["total_paid"] == 7_200_000_00 == streams["total"].sum() and (parts == streams["total"]).all()
    bench = pd.DataFrame(glued(root / "reports" / "base_gps" / "2025" / "benchmark_study.ipynb", "benchmark")["cells"])
    published = bench[bench["published"].astype(bool)]
    # gps check computed the same study on its own: the report publishes the cells it counted, each with
    # five clients or more (the disclosure rule of the params)
    import re

    n, total = map(int, re.search(r"(\d+) of (\d+) cells published", said["check"]).groups())
    assert (len(published), len(bench)) == (n, total) and n > 0 and (published["clients"] >= 5).all()


def test_gps_init_never_writes_over_a_project(tmp_path, capsys):
    from gps_core import cli

    full = tmp_path / "cliente"
    full.mkdir()
    (full / "notas.txt").write_text("meu")
    assert cli.main(["init", str(full)]) == 2
    assert "is not empty" in capsys.readouterr().err
    assert [p.name for p in full.iterdir()] == ["notas.txt"] and (full / "notas.txt").read_text() == "meu"
    afile = tmp_path / "arquivo"
    afile.write_text("x")
    assert cli.main(["init", str(afile)]) == 2 and "is a file" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["arquivo", "cliente"]  # no temporary folder left
    empty = tmp_path / "vazio"
    empty.mkdir()
    assert cli.main(["init", str(empty)]) == 0 and (empty / "params" / "boletins.yaml").is_file()


def test_a_notebook_of_the_users_own_folder_wins_by_name(tmp_path, monkeypatch):
    """GPS_NOTEBOOKS (or ./notebooks) overrides a shipped notebook of the same name and adds new ones."""
    own = tmp_path / "mine"
    own.mkdir()
    (own / "scorecard.ipynb").write_text("{}")
    (own / "extra.ipynb").write_text("{}")
    monkeypatch.setenv("GPS_NOTEBOOKS", str(own))
    known = report.known_notebooks()
    assert known["scorecard"] == own / "scorecard.ipynb" and known["extra"] == own / "extra.ipynb"
    assert known["annual_evaluation"].parent != own  # the shipped one
    with pytest.raises(report.ReportError, match="unknown notebook 'nada'; known: .*annual_evaluation"):
        report.notebook_path("nada")
    monkeypatch.setenv("GPS_NOTEBOOKS", str(tmp_path / "minha"))  # mistyped: never the shipped ones instead
    with pytest.raises(report.ReportError, match="GPS_NOTEBOOKS=.*minha' is not a folder"):
        report.notebook_path("scorecard")


def test_the_demo_from_an_installed_package_says_it_needs_the_repository(monkeypatch, capsys):
    from gps_core import cli

    monkeypatch.setattr(cli, "checkout", lambda: None)  # as in a wheel: no params/ and data/ beside the package
    assert cli.main(["demo", "--out", "nowhere"]) == 2
    assert "run it from a checkout of gps-analytics" in capsys.readouterr().err


def test_gps_starts_only_on_the_reference_tables_of_its_manifest(tmp_path, monkeypatch, capsys, root):
    """A table edited, removed or added in the installed package stops every command before it runs, naming
    each table; the shipped tables pass."""
    from gps_core import cli, refdata

    data = tmp_path / "data"
    shutil.copytree(refdata.DATA_DIR, data)
    monkeypatch.setattr(refdata, "DATA_DIR", data)
    monkeypatch.setattr(refdata, "MANIFEST", data / "MANIFEST.csv")
    refdata.verify()  # an intact copy passes
    with open(data / "catalog_hospital_2015.csv", "a", encoding="utf-8") as f:
        f.write("\n")
    (data / "vocabulary_2024.csv").unlink()
    (data / "extra_2026.csv").write_text("a,b\n1,2\n")
    assert cli.main(["check", str(root / "params" / "hospital_2015.yaml")]) == 2
    err = capsys.readouterr().err
    assert "catalog_hospital_2015.csv has sha256" in err and "vocabulary_2024.csv is listed but missing" in err
    assert "extra_2026.csv is not listed" in err and "Reinstall gps-analytics" in err


@pytest.mark.integration
def test_gps_says_its_version():
    run = subprocess.run([Path(sys.executable).with_name("gps"), "--version"], capture_output=True, text=True)
    from gps_core import __version__

    assert run.returncode == 0 and run.stdout.strip() == f"gps-analytics {__version__}" and __version__ != "0+unknown"


def test_every_notebook_says_how_to_run_it_by_hand(root):
    """Each notebook's parameters cell tells a JupyterLab user what to write, with an example params file that
    exists (in the repository, or in a project gps init writes), and an empty one is a clear error."""
    import json
    import re

    templates = root / "gps_core" / "templates" / "project"
    for f in sorted((root / "notebooks").glob("*.ipynb")):
        cells = json.loads(f.read_text(encoding="utf-8"))["cells"]
        (cell,) = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
        text = "".join(cell["source"])
        assert "To run this notebook yourself" in text and "`gps lab`" in text and 'params_file = ""' in text, f.name
        (example,) = re.findall(r'"((?:\.\./)?params/[\w.]+\.yaml)"', text)
        if "gps init" in text:  # a notebook copied into the project's notebooks/: one folder below params/
            assert example.startswith("../") and (templates / "notebooks" / example).resolve().is_file(), example
        else:
            assert (root / example).is_file(), example
    with pytest.raises(params.ParamsError, match="no params file given: write its path in the notebook's"):
        params.load("", "annual_evaluation")
