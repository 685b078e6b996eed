import os
from pathlib import Path

# BLAS and OpenMP pinned to one thread before numpy, scipy or scikit-learn load: results do not depend on the
# machine's core count, and no spinning worker threads slow the other process on a 2-core machine
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
# every chart a report draws is validated against the Vega-Lite schema (gps_core.views.draw.svg), in the gps
# subprocesses and their kernels too
os.environ["GPS_CHECK_CHARTS"] = "1"

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EXTERNAL = ROOT / "data" / "external"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


import json  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402


def gps(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run the installed ``gps`` command the way a user does."""
    exe = Path(sys.executable).with_name("gps")
    return subprocess.run([str(exe), *args], cwd=cwd, capture_output=True, text=True, timeout=1800)


@pytest.fixture(scope="session")
def demo(tmp_path_factory) -> Path:
    """The README's demo command, limited to 2 scorecards per program, written to a temporary folder."""
    out = tmp_path_factory.mktemp("reports")
    run = gps("demo", "--scorecards", "2", "-j", "2", "--out", str(out))
    assert run.returncode == 0, run.stderr[-3000:]
    return out


def glued(ipynb: Path, name: str):
    """The JSON a notebook displayed under ``metadata.name`` (its machine-readable results)."""
    nb = json.loads(ipynb.read_text())
    for cell in nb["cells"]:
        for o in cell.get("outputs", []):
            if o.get("metadata", {}).get("name") == name and "application/json" in o.get("data", {}):
                return o["data"]["application/json"]
    raise AssertionError(f"{ipynb} displayed no '{name}' results")


def need_chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        if os.environ.get("CI"):
            pytest.fail("CI must install chromium (see .ci/run)")
        pytest.skip("headless Chromium not installed (apt-get install chromium)")
    return path
