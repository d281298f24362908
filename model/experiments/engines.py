"""Where runs execute: in this process, in a local process pool, or on a Dask cluster.

Every engine is a :class:`concurrent.futures.Executor`, so the sweep driver does
not care which it has. Work is sent in batches of several runs per task, as plain
data (:class:`RunTask`), to the module-level :func:`run_batch`, so
that it pickles to any worker; a run that raises is returned as a failed run with
its traceback, never lost.
"""

from __future__ import annotations

import gc
import importlib
import importlib.util
import multiprocessing
import platform as python_platform
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..economy.scenario import Scenario
from .runs import run_scenario


class InProcessExecutor(Executor):
    """Runs each task at once, in this process: the default for one worker, and in notebooks."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # handed to the caller through the future
            future.set_exception(error)
        return future


@dataclass(frozen=True)
class RunTask:
    """One run to do: plain data, so that it pickles to any worker."""

    run_id: str
    point: int
    replicate: int
    seed: int
    steps: int
    values: dict[str, Any]  # the swept parameters at this design point
    scenario: dict[str, Any]  # the resolved scenario, as data
    metrics: tuple[str, ...]
    window: int
    observer: str | None = None


@dataclass
class RunOutcome:
    """What a finished run sends back: its row of ``runs.parquet`` and its per-step table (None if it failed)."""

    row: dict[str, Any]
    steps: pd.DataFrame | None


def run_batch(tasks: list) -> list[RunOutcome]:
    """Run a batch of :class:`RunTask`; a failure is recorded with its traceback, not raised."""
    import mesa

    from .. import __version__

    versions = {
        "model_version": __version__,
        "mesa_version": mesa.__version__,
        "numpy_version": np.__version__,
        "python_version": python_platform.python_version(),
    }
    # A Mesa model holds reference cycles, so each run's garbage needs a collection. Freezing
    # what is alive before the batch (modules, the caller's state) keeps that collection
    # to a millisecond instead of tens; the batch unfreezes it again when done.
    gc.freeze()
    try:
        return [_run_one(task, versions) for task in tasks]
    finally:
        gc.unfreeze()


def _run_one(task, versions: dict[str, str]) -> RunOutcome:
    row: dict[str, Any] = {
        "run_id": task.run_id,
        "point": task.point,
        "replicate": task.replicate,
        "seed": task.seed,
        "steps": task.steps,
        **{f"param.{key}": value for key, value in task.values.items()},
    }
    start = time.perf_counter()
    try:
        observer = load_observer(task.observer)() if task.observer else None
        result = run_scenario(
            Scenario.model_validate(task.scenario), seed=task.seed, steps=task.steps, observer=observer
        )
        table = result.table[["step", *task.metrics]].copy()
        row.update(end_of_run(table, task.metrics, task.window))
        if observer is not None:
            row.update({key: value for key, value in observer.result().items() if isinstance(value, int | float)})
        row.update(status="ok", error="")
        table.insert(0, "run_id", task.run_id)
    except Exception as error:  # any failure of a run is data for the user, with its traceback
        if caused_by_interrupt(error):  # Ctrl-C, not a failure of the run
            raise KeyboardInterrupt from error
        table = None
        row.update({metric: float("nan") for metric in task.metrics})
        row.update(status="failed", error=traceback.format_exc())
    row["wall_time_s"] = time.perf_counter() - start
    row.update(versions)
    gc.collect()  # free this run's model now: memory stays flat over thousands of runs
    return RunOutcome(row, table)


def caused_by_interrupt(error: BaseException | None) -> bool:
    """Whether a KeyboardInterrupt is somewhere in the chain of causes of ``error``.

    Ctrl-C that lands while a Numba kernel returns comes back wrapped, as a
    ``SystemError`` whose cause is the KeyboardInterrupt.
    """
    while error is not None:
        if isinstance(error, KeyboardInterrupt):
            return True
        error = error.__cause__ or error.__context__
    return False


@contextmanager
def interrupts_noticed() -> Iterator[Callable[[], bool]]:
    """Yields a check of whether Ctrl-C (SIGINT) came while inside; Ctrl-C still raises KeyboardInterrupt.

    An interrupt that lands inside a Numba kernel's call can come back as another
    error, or be dropped, because Python code runs while a kernel returns; a loop
    over runs asks this check between runs so that Ctrl-C always stops it. Outside
    the main thread, or where SIGINT has a handler other than Python's default,
    nothing changes and the check says False.
    """
    noticed = threading.Event()
    if threading.current_thread() is not threading.main_thread() or (
        signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield noticed.is_set
        return

    def on_interrupt(signum, frame):
        noticed.set()
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield noticed.is_set
    finally:
        signal.signal(signal.SIGINT, previous)


def end_of_run(table, metrics, window: int) -> dict[str, float]:
    """Each metric's mean over the last ``window`` weeks of a run (step 0 excluded)."""
    played = table[table["step"] > 0].tail(window)
    source = played if len(played) else table
    return {metric: float(np.mean(source[metric])) for metric in metrics}


OBSERVER_ENTRY_POINTS = "shared_manufacturing.observers"


def resolve_observer(reference: str, spec_folder: Path) -> str:
    """Check a sweep spec's ``observer`` and return the reference workers load it by.

    A spec can run code, so only three kinds of observer are allowed: a class of this
    model (``model.experiments.validation:FactObserver``), a class in a Python file
    beside the spec or below its folder (``my_observer.py:Counter``), or an installed
    entry point of the group ``shared_manufacturing.observers`` (its name alone).
    Raises ``ValueError`` saying why any other reference is refused.
    """
    module, _, name = reference.partition(":")
    if not name:  # an entry point's name
        found = [point for point in entry_points(group=OBSERVER_ENTRY_POINTS) if point.name == reference]
        if not found:
            raise ValueError(
                f"not allowed: name a class of this model (model.<module>:<Class>), a Python file beside the spec "
                f"(<file>.py:<Class>) or an installed entry point of the group '{OBSERVER_ENTRY_POINTS}'"
            )
        return found[0].value
    if module.endswith(".py"):
        file = (spec_folder / module).resolve()
        if not file.is_relative_to(spec_folder.resolve()):
            raise ValueError(f"not allowed: {module} is outside the spec's folder {spec_folder}")
        if not file.is_file():
            raise ValueError(f"file not found: {file}")
        return f"{file}:{name}"
    if module != "model" and not module.startswith("model."):
        raise ValueError(
            "not allowed: only classes of this model (model.<module>:<Class>) are imported by module name; put "
            "your own observer in a Python file beside the spec (<file>.py:<Class>) or register an entry point of "
            f"the group '{OBSERVER_ENTRY_POINTS}'"
        )
    return reference


def load_observer(reference: str):
    """The class (or factory) a resolved reference names: ``module:name`` or ``/path/to/file.py:name``."""
    module_name, _, name = reference.rpartition(":")
    if not module_name:
        raise ValueError("expected 'module:name'")
    if module_name.endswith(".py"):
        spec = importlib.util.spec_from_file_location(f"observer_{Path(module_name).stem}", module_name)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return getattr(module, name)
    return getattr(importlib.import_module(module_name), name)


@contextmanager
def executor(workers: int = 1, scheduler: str | None = None, scheduler_file: str | None = None):
    """The engine for a sweep, as a context manager yielding ``(executor, slots)``.

    ``slots`` is how many tasks it can work on at once. A scheduler address or
    file gives a Dask cluster (``distributed.Client(...).get_executor()``);
    ``workers > 1`` a local process pool (spawned processes: safe with threads and
    with Mesa, which sets the start method to spawn anyway); otherwise this process.
    """
    if scheduler or scheduler_file:
        from distributed import Client

        client = Client(scheduler_file=scheduler_file) if scheduler_file else Client(scheduler)
        try:
            slots = max(sum(client.nthreads().values()), 1)
            yield client.get_executor(pure=False), slots
        finally:
            client.close()
    elif workers > 1:
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            yield pool, workers
    else:
        yield InProcessExecutor(), 1
