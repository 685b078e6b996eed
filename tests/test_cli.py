"""The command line's parallel runner."""

import os

from gps_core import cli, report


class _Renderer:
    """Stands in for a worker's renderer: each job records the thread limits its kernel would get."""

    def __init__(self, threads):
        self.threads = threads

    def run(self, job):
        with open(job, "w") as f:
            f.write(",".join(report.kernel_env(self.threads).get(v, "") for v in cli.THREAD_VARS))

    def close(self):
        pass


def test_parallel_reports_share_the_cores(tmp_path, monkeypatch):
    """With -j 2, each worker's kernel gets cpu_count // 2 OpenMP/BLAS threads (also a batch at -j 1 gets
    its limit): with a thread per core in every kernel, two scikit-learn GBMs in parallel spin for minutes
    (measured: both capitation demo reports in 54 s with the limit, not done after 400 s without). A limit
    the user set is kept, and the parent's environment is not touched."""
    for v in cli.THREAD_VARS:
        monkeypatch.delenv(v, raising=False)
    monkeypatch.setenv("MKL_NUM_THREADS", "7")
    monkeypatch.setattr(cli, "Renderer", _Renderer)
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    for workers, expected in ((2, "2,2,7"), (1, "4,4,7")):
        files = [str(tmp_path / f"{workers}-{i}.txt") for i in range(3)]
        assert cli.execute(files, workers=workers) == 0
        for f in files:
            assert open(f).read() == expected
    assert "OMP_NUM_THREADS" not in os.environ and os.environ["MKL_NUM_THREADS"] == "7"
