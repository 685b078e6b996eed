"""Render many (issue 14): one warm kernel runs notebook after notebook as if each had a fresh one."""

from pathlib import Path

import nbformat
import pytest

from gps_core import report

pytestmark = pytest.mark.integration  # starts a kernel


def notebook(path, *cells: str) -> str:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell('x = ""', metadata={"tags": ["parameters"]})]
    nb.cells += [nbformat.v4.new_code_cell(c) for c in cells]
    nbformat.write(nb, path)
    return str(path)


def execute(renderer, src, out, folder, **given):
    import papermill as pm

    report._register_warm_engine()
    pm.execute_notebook(src, out, parameters=given, engine_name=report.WARM, kernel_name="python3",
                        progress_bar=False, request_save_on_cell_execute=False, kernel=renderer.kernel(),
                        prelude=report.prelude(folder))  # fmt: skip
    return nbformat.read(out, as_version=4)


def test_a_warm_kernel_runs_each_notebook_as_a_fresh_one(tmp_path, monkeypatch):
    """The second notebook does not see the first one's names, runs in its own folder (given relative, as
    ``--out reports`` gives it: the kernel sits in the first notebook's folder by then), numbers its cells
    from 1 and records its injected parameters as papermill does; the kernel process is the same; a kernel
    that died is replaced before the next notebook, whose results are right."""
    first = notebook(tmp_path / "a.ipynb", "leak = 42\nimport os\nprint(os.getpid())")
    second = notebook(
        tmp_path / "b.ipynb",
        "import os\nprint(sorted(k for k in globals() if not k.startswith('_') and k not in "
        "('In', 'Out', 'exit', 'quit', 'get_ipython', 'open')), os.getcwd(), os.getpid(), "
        "os.environ.get('OMP_NUM_THREADS'))",
    )
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)  # the kernel's limit comes from the renderer
    monkeypatch.chdir(tmp_path)
    with report.Renderer(threads=3) as r:
        a = execute(r, first, str(tmp_path / "a_out.ipynb"), Path("one"), x="first")
        pid = a.cells[-1].outputs[0]["text"].strip()
        for _ in range(3):  # cells numbered from 1 again and again (IPython's history once printed an error)
            b = execute(r, second, str(tmp_path / "b_out.ipynb"), Path("two"), x="second")
            assert [o for c in b.cells for o in c.outputs if o.get("name") == "stderr"] == []
        names, cwd, pid2, threads = b.cells[-1].outputs[0]["text"].rsplit(" ", 3)
        assert names == "['os', 'x']" and cwd == str(tmp_path / "two") and pid2 == pid
        assert threads.strip() == "3"
        assert [c.execution_count for c in b.cells] == [1, 2, 3]
        assert b.metadata.papermill.parameters == {"x": "second"}
        assert any('x = "second"' in c.source for c in b.cells)
        r.km.provisioner.process.kill()
        r.km.provisioner.process.wait()
        c = execute(r, first, str(tmp_path / "c_out.ipynb"), tmp_path / "one", x="third")
        assert c.cells[-1].outputs[0]["text"].strip() != pid
