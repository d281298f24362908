"""Run every teaching notebook at full size and keep a copy with its outputs, to read without running.

    python notebooks/execute.py                 # all five, into docs/notebooks/
    python notebooks/execute.py 01_first_run    # one

The notebooks themselves stay committed without outputs (tests/test_notebooks.py);
the executed copies in ``docs/notebooks/`` are what a reader browsing the
repository sees, figures included. Each copy's first cell says when and from
which commit it was run. Needs the test extra (nbformat, nbclient, ipykernel).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent
OUT = NOTEBOOKS.parent / "docs" / "notebooks"


def commit() -> str:
    """The repository's commit, or 'unknown' outside a git checkout."""
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=NOTEBOOKS, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def execute(path: Path, out: Path) -> float:
    """Run one notebook top to bottom at full size and write it, with outputs, to ``out``; returns seconds."""
    notebook = nbformat.read(path, as_version=4)
    started = time.perf_counter()
    NotebookClient(
        notebook, timeout=1800, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    ).execute()
    seconds = time.perf_counter() - started
    tidy_progress_bars(notebook)
    stamp = (
        f"*Executed copy of [`notebooks/{path.name}`](../../notebooks/{path.name}), run at full size on "
        f"{time.strftime('%Y-%m-%d')} from commit `{commit()}` in {seconds:.0f} s "
        "(`python notebooks/execute.py`). Open the original to run it yourself.*"
    )
    notebook.cells.insert(0, nbformat.v4.new_markdown_cell(stamp))
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, out)
    return seconds


def tidy_progress_bars(notebook) -> None:
    """Keep only the last state of each progress bar: merge a cell's stream outputs, drop overwritten lines.

    A progress bar redraws its line with carriage returns; a live notebook shows the
    last drawing, but the saved copy would keep every one of them.
    """
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        merged = []
        for output in cell.outputs:
            previous = merged[-1] if merged else None
            same_stream = (
                previous is not None and previous.output_type == "stream" and previous.name == output.get("name")
            )
            if output.output_type == "stream" and same_stream:
                previous.text += output.text
                continue
            merged.append(output)
        for output in merged:
            if output.output_type == "stream":
                lines = output.text.replace("\r\n", "\n").split("\n")
                output.text = "\n".join(line.rsplit("\r", 1)[-1] for line in lines)
        cell.outputs = merged


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="notebook names without .ipynb (default: all)")
    args = parser.parse_args(argv)
    paths = sorted(NOTEBOOKS.glob("*.ipynb"))
    if args.names:
        known = {path.stem: path for path in paths}
        unknown = [name for name in args.names if name not in known]
        if unknown:
            print(f"error: no notebook {', '.join(unknown)}; there are {', '.join(known)}", file=sys.stderr)
            return 2
        paths = [known[name] for name in args.names]
    os.environ.pop("SHARED_MFG_QUICK", None)  # full size: the kernel inherits this environment
    os.environ.pop("MPLBACKEND", None)  # the kernel's inline backend, so figures are kept as outputs
    for path in paths:
        seconds = execute(path, OUT / path.name)
        print(f"{path.name}: {seconds:.0f} s -> {OUT / path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
