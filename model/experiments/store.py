"""A sweep's files, written so that a crash never loses or duplicates a finished run.

Under the output directory::

    sweep.json            the spec and its fingerprint (a resumed sweep must match it)
    manifest.jsonl        append-only, one line per committed chunk: its name and run ids
    runs/<chunk>.parquet  the chunk's rows of runs.parquet
    steps/<chunk>.parquet the chunk's per-step metrics, one row per run and week
    runs.parquet          every run, rebuilt from the committed chunks

A chunk is written to temporary files that are then renamed into place; it is
committed when its manifest line is written. Anything not in the manifest (a
half-written file of a killed process) is ignored and redone on resume.
Chunk names carry the shard, so shards of a SLURM array can share a directory.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path

import pandas as pd

from .engines import RunOutcome


class SweepStoreError(ValueError):
    """The output directory cannot take this sweep (say, it holds a different one)."""


class SweepStore:
    """Commits finished runs in chunks and rebuilds ``runs.parquet`` from them."""

    def __init__(
        self,
        out: Path,
        fingerprint: str,
        spec: dict,
        *,
        resume: bool,
        shard: tuple[int, int] = (0, 1),
        rerun_changed: bool = False,
    ):
        """Open (or start) the store in ``out`` for the sweep ``spec`` (its ``code`` is the model's code digest).

        A store holding runs of another version of the code is refused, or, with
        ``rerun_changed`` and the same spec otherwise, moved aside whole into
        ``out/superseded-<old digest>/`` so that this sweep runs again from the start.
        """
        self.out = Path(out)
        self.manifest = self.out / "manifest.jsonl"
        self.shard_tag = f"s{shard[0]}of{shard[1]}"
        info_path = self.out / "sweep.json"
        if info_path.exists():
            info = json.loads(info_path.read_text(encoding="utf-8"))
            old_code = info.get("spec", {}).get("code")
            if info.get("fingerprint") != fingerprint and old_code != spec.get("code"):
                now = json.loads(json.dumps(spec, default=str))  # as it was recorded
                same_sweep = _without_code(info.get("spec", {})) == _without_code(now)
                if not (rerun_changed and same_sweep):
                    hint = (
                        "add --rerun-changed to run it again (the old runs are kept aside), or " if same_sweep else ""
                    )
                    raise SweepStoreError(
                        f"{self.out} holds runs made by another version of the model's code (digest {old_code}, "
                        f"now {spec.get('code')}); they would mix with new ones, so {hint}choose another --out"
                    )
                self._set_aside(f"superseded-{old_code}")
        if info_path.exists():
            info = json.loads(info_path.read_text(encoding="utf-8"))
            if info.get("fingerprint") != fingerprint:
                raise SweepStoreError(
                    f"{self.out} holds a different sweep (fingerprint {info.get('fingerprint')}, this spec "
                    f"{fingerprint}); choose another --out"
                )
            if self.manifest.exists() and not resume and shard == (0, 1):
                raise SweepStoreError(f"{self.out} already holds runs of this sweep; add --resume to continue it")
        (self.out / "runs").mkdir(parents=True, exist_ok=True)
        (self.out / "steps").mkdir(parents=True, exist_ok=True)
        if not info_path.exists():
            _write_atomically(
                info_path, json.dumps({"fingerprint": fingerprint, "spec": spec}, indent=2, default=str).encode()
            )

    def _set_aside(self, folder: str) -> None:
        """Move everything this store wrote into ``out/folder`` (nothing is deleted)."""
        target, copy = self.out / folder, 2
        while target.exists():
            target, copy = self.out / f"{folder}-{copy}", copy + 1
        target.mkdir()
        for entry in self.out.iterdir():
            if not entry.name.startswith("superseded-"):
                entry.rename(target / entry.name)

    def committed(self) -> dict[str, str]:
        """run_id -> status of every committed run (the latest, if a run was retried)."""
        status: dict[str, str] = {}
        for entry in self._entries():
            status.update(entry["status"])
        return status

    def commit(self, outcomes: list[RunOutcome]) -> None:
        """Write one chunk of finished runs and record it in the manifest."""
        if not outcomes:
            return
        name = f"{self.shard_tag}-{time.time_ns()}-{uuid.uuid4().hex[:8]}"
        rows = pd.DataFrame([outcome.row for outcome in outcomes])
        _write_parquet_atomically(rows, self.out / "runs" / f"{name}.parquet")
        steps = [outcome.steps for outcome in outcomes if outcome.steps is not None]
        if steps:
            _write_parquet_atomically(pd.concat(steps, ignore_index=True), self.out / "steps" / f"{name}.parquet")
        entry = {"chunk": name, "status": {row["run_id"]: row["status"] for row in rows.to_dict("records")}}
        with open(self.manifest, "a", encoding="utf-8") as manifest:
            manifest.write(json.dumps(entry) + "\n")
            manifest.flush()
            os.fsync(manifest.fileno())

    def runs(self) -> pd.DataFrame:
        """Every committed run, one row each (a retried run's latest row), sorted by design point and replicate."""
        frames = [pd.read_parquet(self.out / "runs" / f"{entry['chunk']}.parquet") for entry in self._entries()]
        if not frames:
            return pd.DataFrame()
        table = pd.concat(frames, ignore_index=True).drop_duplicates("run_id", keep="last")
        return table.sort_values(["point", "replicate"], kind="stable").reset_index(drop=True)

    def consolidate(self) -> pd.DataFrame:
        """Rebuild ``runs.parquet`` from the committed chunks; returns it."""
        table = self.runs()
        if len(table):
            _write_parquet_atomically(table, self.out / "runs.parquet")
        return table

    def _entries(self) -> list[dict]:
        return read_manifest(self.out)


def read_manifest(out: Path) -> list[dict]:
    """The committed chunks of the sweep in ``out``, oldest first (none if it holds no sweep)."""
    manifest = Path(out) / "manifest.jsonl"
    if not manifest.exists():
        return []
    entries = []
    for line in manifest.read_text(encoding="utf-8").splitlines():
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError:
            continue  # the last line of a process killed while writing it
    return entries


def committed_runs(out: Path) -> int:
    """How many distinct runs the sweep in ``out`` has committed (kept on disk)."""
    return len({run_id for entry in read_manifest(out) for run_id in entry["status"]})


def _write_parquet_atomically(table: pd.DataFrame, path: Path) -> None:
    temporary = path.with_name(f".tmp-{uuid.uuid4().hex}-{path.name}")
    table.to_parquet(temporary, index=False)
    _sync_and_rename(temporary, path)


def _write_atomically(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".tmp-{uuid.uuid4().hex}-{path.name}")
    temporary.write_bytes(content)
    _sync_and_rename(temporary, path)


def _sync_and_rename(temporary: Path, path: Path) -> None:
    """Put ``temporary`` on disk, then give it its name: a crash leaves the old file or the whole new one,
    and a chunk is on disk before the manifest line that records it."""
    with open(temporary, "rb") as written:
        os.fsync(written.fileno())
    os.replace(temporary, path)


def _without_code(spec: dict) -> dict:
    """A recorded sweep spec without the code digest: what decides which runs it holds, code aside."""
    return {key: value for key, value in spec.items() if key != "code"}
