"""Every notebook runs top to bottom (small sizes), is committed without outputs, and has an executed copy to read."""

from __future__ import annotations

import sys

import pytest

from tests.helpers import REPO

nbformat = pytest.importorskip("nbformat", reason="needs the test extra (nbformat, nbclient, ipykernel)")
nbclient = pytest.importorskip("nbclient", reason="needs the test extra (nbformat, nbclient, ipykernel)")

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


NEEDS_EMA = {"05_exploring_uncertainty"}  # the EMA Workbench 3 needs Python 3.12 or later


def test_there_are_five_notebooks():
    assert [path.name[:2] for path in NOTEBOOKS] == ["01", "02", "03", "04", "05"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_is_committed_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: clear the outputs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_runs_top_to_bottom(path, monkeypatch):
    if path.stem in NEEDS_EMA and sys.version_info < (3, 12):
        pytest.skip("the EMA Workbench 3 needs Python 3.12 or later")
    monkeypatch.setenv("SHARED_MFG_QUICK", "1")  # the kernel inherits it: small sizes
    monkeypatch.setenv("MPLBACKEND", "Agg")
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    errors = [output for cell in notebook.cells for output in cell.get("outputs", []) if output.output_type == "error"]
    assert not errors


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_the_executed_copy_to_read_has_the_notebooks_code_and_outputs(path):
    """docs/notebooks/ holds each notebook run at full size (python notebooks/execute.py), with no stale code."""
    copy = REPO / "docs" / "notebooks" / path.name
    assert copy.exists(), f"{copy} is missing: run python notebooks/execute.py {path.stem}"
    executed = nbformat.read(copy, as_version=4).cells
    source = nbformat.read(path, as_version=4).cells
    assert [cell.source for cell in executed[1:]] == [cell.source for cell in source], (
        f"{path.name} changed since its copy was run: python notebooks/execute.py {path.stem}"
    )
    outputs = [output for cell in executed if cell.cell_type == "code" for output in cell.outputs]
    assert outputs and not any(output.output_type == "error" for output in outputs)
