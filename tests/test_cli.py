"""The command line's parallel runner."""

import os

from gps_core import cli


def _threads(path: str) -> None:
    """Stands in for a report: records the thread limits its kernel would inherit."""
    with open(path, "w") as f:
        f.write(",".join(os.environ.get(v, "") for v in cli.THREAD_VARS))


def test_parallel_reports_share_the_cores(tmp_path, monkeypatch):
    """With -j 2, each worker (and the kernel it starts) gets cpu_count // 2 OpenMP/BLAS threads: with a thread
    per core in every kernel, two scikit-learn GBMs in parallel spin for minutes (measured: both capitation
    demo reports in 54 s with the limit, not done after 400 s without). A limit the user set is kept, and the
    parent's environment is restored afterwards."""
    for v in cli.THREAD_VARS:
        monkeypatch.delenv(v, raising=False)
    monkeypatch.setenv("MKL_NUM_THREADS", "7")
    monkeypatch.setattr(cli, "run_job", _threads)
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    files = [str(tmp_path / f"{i}.txt") for i in range(2)]
    assert cli.execute(files, workers=2) == 0
    for f in files:
        assert open(f).read() == "2,2,7"
    assert "OMP_NUM_THREADS" not in os.environ and os.environ["MKL_NUM_THREADS"] == "7"
