"""Workflow checkpoints relative to the run's base (wippy/workflows/checkpoint.py):
small per step, rebased when they grow, restored through the base row, verified
byte for byte by a replay (in another process too)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from wfkit import run, write_app

import luavm
import wippy
from wippy.workflows import checkpoint
from wippy.workflows.verify import verify

BIG = """
local function main(n)
  local t = {}
  for i = 1, n do t[i] = {v = i, name = "item" .. i} end
  local inbox = process.inbox()
  local sum = 0
  while true do
    local k = inbox:receive():payload():data()
    if k == 0 then
      for i = 1, n do sum = sum + t[i].v end
      return {n = #t, sum = sum}
    end
    t[k].v = t[k].v + 1
    if k % 3 == 0 then t[#t + 1] = {v = 0, name = "new" .. k} ; n = n + 1 end
  end
end
return {main = main}
"""

SMALL = """
local function main(x)
  local m = process.inbox():receive()
  return x + m:payload():data()
end
return {main = main}
"""


async def _steps(h: Any, wid: str, n: int) -> None:
    for _ in range(2000):
        row = h.store.get(wid)
        if row is not None and row.steps >= n:
            return
        await asyncio.sleep(0.005)
    raise AssertionError(f"{wid} did not reach step {n}")


def test_small_waiting_workflow_checkpoints_small(tmp_path: Path) -> None:
    app = wippy.App(write_app(tmp_path, workflows={"w": SMALL}, store=str(tmp_path / "wf.db")))

    async def go(h: Any) -> Any:
        h.start_workflow("app:w", [1], {"workflow.id": "s"})
        await _steps(h, "s", 1)
        snap = h.store.snapshot("s")[1]
        base = h.store.snapshot_base("s")
        h.signal("s", "x", 2)
        return snap, base, await h.result("s")

    snap, base, o = run(app, go)
    assert o.value == 3
    assert len(snap) < 1500  # the kernel and the modules are named, not written
    assert luavm.snapshot_base_digest(snap) is not None and base is None


def test_big_state_is_rebased_restored_through_the_base_row_and_verified(tmp_path: Path) -> None:
    n = 1500
    root = write_app(tmp_path, workflows={"big": BIG}, store=str(tmp_path / "wf.db"))
    app = wippy.App(root)

    async def first(h: Any) -> Any:
        h.start_workflow("app:big", [n], {"workflow.id": "b"})
        await _steps(h, "b", 1)
        sizes = []
        for k in range(1, 7):
            h.signal("b", "x", k)
            await _steps(h, "b", 1 + k)
            sizes.append(len(h.store.snapshot("b")[1]))
        return sizes, h.store.snapshot_base("b"), verify(h, "b")

    sizes, base_row, rep = run(app, first)
    assert base_row is not None and base_row[0] == 1  # rebased at the first step (the table)
    assert len(base_row[1]) > 50_000 and max(sizes[:2]) < 1600, sizes
    assert max(sizes) < 9000, sizes  # from k = 3: the array part appended to, written whole
    assert rep.ok and rep.final_snapshot_equal, rep

    app2 = wippy.App(root)  # a new engine: restores from the base row and the snapshot

    async def second(h: Any) -> Any:
        h.ensure_started()
        for k in (7, 8, 9):
            h.signal("b", "x", k)
            await _steps(h, "b", 7 + k - 6)
        st = dict(h.stats)
        rep = verify(h, "b")
        h.signal("b", "x", 0)
        return await h.result("b"), st, rep

    o, stats, rep = run(app2, second)
    assert stats["restores"] == 1 and stats["replays"] == 0
    assert rep.ok and rep.final_snapshot_equal, rep
    extra = sum(1 for k in range(1, 10) if k % 3 == 0)
    assert o.value == {"n": n + extra, "sum": n * (n + 1) // 2 + 9}

    # verify in another process, with another hash seed: the same bytes at every step
    env = dict(os.environ, PYTHONHASHSEED="4242")
    r = subprocess.run([sys.executable, "-m", "wippy.cli", "workflow", "verify", "b", "--app", str(root)],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stdout + r.stderr


def test_rebasing_often_keeps_restores_and_replays_exact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checkpoint, "REBASE_MIN", 600)  # rebase at nearly every growth
    root = write_app(tmp_path, workflows={"big": BIG}, store=str(tmp_path / "wf.db"))
    rows = []
    for k in range(1, 8):
        app = wippy.App(root)  # a new engine per signal: every step restores

        async def go(h: Any, k: int = k) -> Any:
            if k == 1:
                h.start_workflow("app:big", [40], {"workflow.id": "o"})
                await _steps(h, "o", 1)
            else:
                h.ensure_started()
            h.signal("o", "x", k)
            await _steps(h, "o", k + 1)
            return h.store.snapshot_base("o"), dict(h.stats)

        base_row, stats = run(app, go)
        rows.append(base_row[0] if base_row else None)
        assert stats["replays"] == 0
    assert len({r for r in rows if r is not None}) >= 2, rows  # rebased more than once
    app = wippy.App(root)

    async def end(h: Any) -> Any:
        rep = verify(h, "o")
        h.ensure_started()
        h.signal("o", "x", 0)
        return rep, await h.result("o")

    rep, o = run(app, end)
    assert rep.ok and rep.final_snapshot_equal, rep
    assert o.value == {"n": 42, "sum": 40 * 41 // 2 + 7}


def test_a_standalone_snapshot_in_the_store_still_restores(tmp_path: Path) -> None:
    """A store written before base-relative checkpoints: its snapshot stands alone."""
    root = write_app(tmp_path, workflows={"w": SMALL}, store=str(tmp_path / "wf.db"))
    app = wippy.App(root)

    async def first(h: Any) -> Any:
        h.start_workflow("app:w", [5], {"workflow.id": "old"})
        await _steps(h, "old", 1)
        from wippy import codebook

        full = h.runs["old"].task.snapshot(code=codebook.book())  # as the engine wrote them before
        with h.store.tx() as tx:
            tx.execute("UPDATE snapshots SET data = ? WHERE workflow_id = ?", (full, "old"))
        return full

    full = run(app, first)
    assert luavm.snapshot_base_digest(full) is None
    app2 = wippy.App(root)

    async def second(h: Any) -> Any:
        h.ensure_started()
        h.signal("old", "x", 1)
        return await h.result("old"), dict(h.stats)

    o, stats = run(app2, second)
    assert o.value == 6 and stats["restores"] == 1 and stats["replays"] == 0


def test_stack_of_a_checkpoint(tmp_path: Path) -> None:
    root = write_app(tmp_path, workflows={"big": BIG}, store=str(tmp_path / "wf.db"))
    app = wippy.App(root)

    async def go(h: Any) -> Any:
        h.start_workflow("app:big", [1200], {"workflow.id": "st"})
        await _steps(h, "st", 1)
        h.signal("st", "x", 2)
        await _steps(h, "st", 2)
        return h.store.get("st")

    row = run(app, go)
    store = wippy.workflows.store.Store(str(tmp_path / "wf.db"))
    try:
        data = checkpoint.standalone(store, row, store.snapshot("st")[1])
        assert luavm.snapshot_base_digest(data) is None
        frames = luavm.inspect_snapshot(data, checkpoint.codebook.book())
    finally:
        store.close()
    assert any(f.source.endswith("big.lua") and f.function == "main" for f in frames), frames
