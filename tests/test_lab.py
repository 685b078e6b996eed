"""``gps lab`` (issue 17, item 3): a project's notebooks ready to run on its params, JupyterLab serving them,
and every report's notebook run by nbval (item 4) on the example params of a ``gps init`` project."""

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from gps_core import lab, params, project
from gps_core.errors import ParamsError


def parameters(nb: Path) -> str:
    cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
    (cell,) = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    return "".join(cell["source"])


@pytest.fixture(scope="module")
def proj(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab") / "cliente"
    project.init(root)
    return root


def test_each_params_file_gets_its_notebook_and_edits_are_kept(proj, tmp_path):
    """One notebook per params file (and the annex beside a scorecard's), each pointing at its params, of the
    report that params file is for; a second run writes nothing over the consultant's edits; a params file
    that does not load is named and skipped, the others still written."""
    root = tmp_path / "p"
    project.init(root)
    written, kept, problems = lab.prepare(root)
    want = {f"{Path(f).stem}.ipynb" for f in project.PARAMS} | {"boletins_anexo.ipynb"}
    assert {p.name for p in written} == want and kept == [] and problems == []
    for nb in written:
        stem = nb.stem.removesuffix("_anexo")
        assert f'params_file = "../params/{stem}.yaml"' in parameters(nb), nb.name
        # the params it names are for the notebook's own report
        report = params.load(root / "params" / f"{stem}.yaml").report
        body = nb.read_text(encoding="utf-8")
        assert f'params.load(params_file, \\"{report}\\")' in body or nb.stem.endswith("_anexo"), nb.name
    mine = root / "lab" / "avaliacao_anual.ipynb"
    mine.write_text(mine.read_text(encoding="utf-8").replace("Parameters.", "Parameters (my notes)."))
    (root / "params" / "quebrado.yaml").write_text("report: annual_evaluation\nclient: [\n")
    written, kept, problems = lab.prepare(root)
    assert written == [] and {p.name for p in kept} == want
    assert "my notes" in mine.read_text(encoding="utf-8")
    assert len(problems) == 1 and problems[0].startswith("params/quebrado.yaml: ")
    assert not list((root / "lab").glob(".*.tmp"))
    with pytest.raises(ParamsError, match="no params/\\*.yaml here"):
        lab.prepare(tmp_path / "vazio")


def test_gps_lab_says_what_to_install_and_where_the_notebooks_are(proj, monkeypatch, capsys):
    from gps_core import cli

    monkeypatch.setattr(lab.importlib.util, "find_spec", lambda name: None)
    assert cli.main(["lab", str(proj), "--no-browser"]) == 2
    err = capsys.readouterr()
    assert "pip install 'gps-analytics[lab]'" in err.err and "notebooks written" in err.out
    cmd = lab.command(proj, 8890, browser=False)
    assert f"--ServerApp.root_dir={proj}" in cmd and "--ServerApp.port=8890" in cmd and "--no-browser" in cmd
    assert cmd[:3] == [sys.executable, "-m", "jupyterlab"] and "--LabApp.default_url=/lab/tree/lab" in cmd


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.integration
def test_jupyterlab_serves_the_project_notebooks(proj, tmp_path):
    """``gps lab`` becomes a JupyterLab server on the project: its API lists the lab notebooks and serves one
    with the parameters cell filled in, and the JupyterLab page loads (no browser: the server API)."""
    pytest.importorskip("jupyterlab")
    port, token = _free_port(), "gps-test-token"
    env = {**os.environ, "JUPYTER_TOKEN": token, "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg"),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "run")}  # fmt: skip
    gps = Path(sys.executable).with_name("gps")
    server = subprocess.Popen([gps, "lab", str(proj), "--no-browser", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # fmt: skip
    base = f"http://127.0.0.1:{port}"

    def get(path: str):
        req = urllib.request.Request(base + path, headers={"Authorization": f"token {token}"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode()

    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if get("/api/status")[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, server.stdout.read()[-3000:]
            assert time.monotonic() < deadline, "JupyterLab did not start in 90 s"
            time.sleep(0.5)
        status, body = get("/api/contents/lab")
        names = {f["name"] for f in json.loads(body)["content"]}
        assert status == 200 and {"avaliacao_anual.ipynb", "capitacao.ipynb", "boletins_anexo.ipynb"} <= names
        status, body = get("/api/contents/lab/capitacao.ipynb?content=1")
        nb = json.loads(body)
        assert nb["type"] == "notebook"
        (cell,) = [c for c in nb["content"]["cells"] if "parameters" in c["metadata"].get("tags", [])]
        assert 'params_file = "../params/capitacao.yaml"' in cell["source"]
        status, page = get("/lab/tree/lab")
        assert status == 200 and "JupyterLab" in page
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.integration
def test_every_notebook_runs_under_nbval_on_the_example_params(proj):
    """Issue 17, item 4: each report's notebook, as ``gps lab`` prepares it on a ``gps init`` project (the
    seven notebooks: the six reports and the scorecards' annex), runs cell by cell under ``pytest
    --nbval-lax`` in a fresh kernel: no cell raises. The reports' numbers are asserted by the report tests."""
    pytest.importorskip("nbval")
    lab.prepare(proj)
    notebooks = sorted((proj / "lab").glob("*.ipynb"))
    assert len(notebooks) == 7
    cells = sum(
        1 for nb in notebooks for c in json.loads(nb.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"
    )
    # two pytest processes on the two cores, the slow notebooks (benchmark, capitation) one in each
    halves = [[nb for nb in notebooks if nb.stem in ("benchmark", "avaliacao_anual", "boletins", "boletins_anexo")]]
    halves.append([nb for nb in notebooks if nb not in halves[0]])
    runs = [subprocess.Popen([sys.executable, "-m", "pytest", "--nbval-lax", "-q", "-p", "no:cacheprovider",
                              "--rootdir", str(proj), *map(str, half)], cwd=proj, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True) for half in halves]  # fmt: skip
    outs = [r.communicate(timeout=1200)[0] for r in runs]
    assert [r.returncode for r in runs] == [0, 0], "\n".join(o[-3000:] for o in outs)
    passed = sum(int(m) for o in outs for m in re.findall(r"(\d+) passed", o))
    assert passed == cells, outs


def test_a_scorecard_run_by_hand_without_a_unit_shows_the_first():
    from types import SimpleNamespace

    import pandas as pd

    from gps_core.studies.evaluation import first_unit

    ev = SimpleNamespace(annual=pd.DataFrame({"unit_id": ["Urologia", "Cardiologia"]}))
    assert first_unit(ev, "all") == "Urologia"  # the evaluation's own order
    assert first_unit(ev, ["Cardiologia", "Urologia"]) == "Cardiologia"  # the params' first
