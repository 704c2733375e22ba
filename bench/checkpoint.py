"""Checkpoint figures of the workflow engine: what a step's snapshot costs.

    python -m bench.checkpoint [--runs R] [--big N] [--json FILE]

* small: a workflow waiting on a signal after its first step (the smallest
  waiting state: the kernel, the modules' Lua surfaces, one suspended thread).
  `checkpoint_us`: one checkpoint as the engine takes it after a step (median);
  `bytes`: its size; `restore_ms`: the engine's restore of the run from the store
  (what a restarted engine does); `base_kb`: memory a live run keeps for its
  snapshot base (tracemalloc while it is built).
* big: a workflow holding a table of N (10,000) small tables that changes one
  field per signal. `step_ms`: the engine's whole `_step` (load, resume, snapshot,
  SQLite commit), median over the runs; `written_bytes`: what the step's commit
  wrote to the WAL; `snapshot_bytes`: the stored snapshot; `checkpoint_ms`: the
  snapshot alone; `restore_ms`: restore of the run from the store.

The store is a SQLite file in a temporary directory (WAL, as the engine runs it);
the workflow clock is virtual. Times are CPU time of this process
(`time.process_time`: the wall clock of this shared 2-core machine is noisy), each
the median of `--runs` repetitions (the small checkpoint: of 10 × runs). Works against the engine before base-relative snapshots too (the
engine's own checkpoint call is used), for before/after rows in bench/NOTES.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import textwrap
import time
import tracemalloc
from pathlib import Path
from typing import Any

WAITER = """
local funcs = require("funcs")
local time = require("time")
local function main(x)
  local m = process.inbox():receive()
  return x + m:payload():data()
end
return {main = main}
"""

BIG = """
local function main(n)
  local t = {}
  for i = 1, n do t[i] = {v = i} end
  local inbox = process.inbox()
  while true do
    local k = inbox:receive():payload():data()
    if k == 0 then return #t end
    t[k].v = t[k].v + 1
  end
end
return {main = main}
"""


def write_app(root: Path) -> Path:
    import yaml

    src = root / "src"
    src.mkdir(parents=True, exist_ok=True)
    mods = ["funcs", "time", "uuid", "workflow", "json", "ctx"]
    entries: list[dict[str, Any]] = [{"name": "wf_host", "kind": "workflow.host", "store": str(root / "wf.db"),
                                      "clock": "virtual"}]
    for name, code in (("waiter", WAITER), ("big", BIG)):
        (src / f"{name}.lua").write_text(textwrap.dedent(code))
        entries.append({"name": name, "kind": "workflow.lua", "modules": mods, "source": f"file://{name}.lua",
                        "method": "main"})
    (src / "app.yaml").write_text(yaml.safe_dump({"version": "1.0", "namespace": "app", "entries": entries},
                                                 sort_keys=False))
    return root


def _checkpoint(host: Any, run: Any) -> bytes:
    """One checkpoint, as the engine's `_step` takes it (relative to the run's
    current base when the engine keeps one; without rebasing)."""
    from wippy import codebook

    try:
        from wippy.workflows import checkpoint as ck  # base-relative snapshots
    except ImportError:
        ck = None
    chain = ck.chain_of(run) if ck is not None else None
    if chain is None:
        data: bytes = run.task.snapshot(code=codebook.book())
        return data
    data = run.task.snapshot(code=codebook.book(), base=chain.base)
    return data


def _base_kb(host: Any, wid: str) -> float | None:
    """Memory a run keeps for its snapshot base (None: the engine keeps none)."""
    try:
        from wippy.workflows import checkpoint as ck
    except ImportError:
        return None
    row = host.store.get(wid)
    tracemalloc.start()
    try:
        run = host._fresh(row)
        before = tracemalloc.take_snapshot()
        base = ck.fresh_base(run)
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    del base
    return sum(s.size_diff for s in after.compare_to(before, "filename")) / 1024


_clock = time.process_time  # CPU time: the wall clock of this shared machine is noisy


def _median(xs: list[float]) -> float:
    return statistics.median(xs)


def measure(runs: int, big: int) -> dict[str, Any]:
    import wippy

    tmp = Path(tempfile.mkdtemp(prefix="bench-checkpoint-"))
    root = write_app(tmp)
    db_path = tmp / "wf.db"
    wal = Path(str(db_path) + "-wal")
    app = wippy.App(root)
    out: dict[str, Any] = {}

    async def go() -> None:
        host = app.workflow_host("app:wf_host")
        host.ensure_started()
        step_times: list[float] = []
        orig = host._step

        def timed(wid: str, *rest: Any) -> None:  # (rest: outcomes handed to the step)
            t = _clock()
            orig(wid, *rest)
            step_times.append(_clock() - t)

        host._step = timed  # the engine's own step, timed

        async def steps(n: int) -> None:
            while host.stats["steps"] < n:
                await asyncio.sleep(0.001)

        # small ------------------------------------------------------------------
        host.start_workflow("app:waiter", [1], {"workflow.id": "small"})
        await steps(1)
        run = host.runs["small"]
        ts = []
        data = b""
        for _ in range(runs * 10):
            t = _clock()
            data = _checkpoint(host, run)
            ts.append(_clock() - t)
        out["small_checkpoint_us"] = _median(ts) * 1e6
        out["small_bytes"] = len(data)
        row = host.store.get("small")
        snap = host.store.snapshot("small")
        rs = []
        for _ in range(runs):
            t = _clock()
            host._restore(row, snap[1])
            rs.append(_clock() - t)
        out["small_restore_ms"] = _median(rs) * 1e3
        out["small_base_kb"] = _base_kb(host, "small")

        # big --------------------------------------------------------------------
        n0 = host.stats["steps"]
        host.start_workflow("app:big", [big], {"workflow.id": "big"})
        await steps(n0 + 1)
        first = step_times[-1]
        times, wal_bytes, snap_bytes = [], [], []
        for k in range(1, runs + 2):
            n = host.stats["steps"]
            host.signal("big", "x", k)
            host.store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # after the signal's own commit
            await steps(n + 1)
            if k == 1:
                out["big_first_signal_step_ms"] = step_times[-1] * 1e3  # may (re)base
                continue
            times.append(step_times[-1])
            wal_bytes.append(wal.stat().st_size if wal.exists() else 0)
            snap_bytes.append(len(host.store.snapshot("big")[1]))
        out["big_first_step_ms"] = first * 1e3
        out["big_step_ms"] = _median(times) * 1e3
        out["big_written_bytes"] = _median(wal_bytes)
        out["big_snapshot_bytes"] = _median(snap_bytes)
        brun = host.runs["big"]
        ts = []
        for _ in range(runs):
            t = _clock()
            _checkpoint(host, brun)
            ts.append(_clock() - t)
        out["big_checkpoint_ms"] = _median(ts) * 1e3
        row = host.store.get("big")
        snap = host.store.snapshot("big")
        rs = []
        for _ in range(max(1, runs // 2)):
            t = _clock()
            host.runs.pop("big", None)
            host._load(row)
            rs.append(_clock() - t)
        out["big_restore_ms"] = _median(rs) * 1e3
        host.signal("big", "x", 0)
        o = await host.result("big")
        assert o.value == big, (o.value, o.error)
        host.signal("small", "x", 2)
        o = await host.result("small")
        assert o.value == 3, (o.value, o.error)

    try:
        wippy.run_sync(go)
    finally:
        app.close()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--big", type=int, default=10_000)
    ap.add_argument("--json", default=None)
    a = ap.parse_args(argv)
    out = measure(a.runs, a.big)
    for k, v in out.items():
        print(f"{k:28} {v:.1f}" if isinstance(v, float) else f"{k:28} {v}")
    if a.json:
        Path(a.json).write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
