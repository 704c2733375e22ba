"""Engine bugs found by the `workflows` fuzz target (fuzz/targets/workflows.py), each
as a minimal test. Open bugs are strict xfails: when a fix lands the test passes,
pytest reports XPASS as a failure, and the marker (and the fuzz target's KNOWN
entry or workaround) should go."""

from __future__ import annotations

import asyncio
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from wfkit import run, write_app

import luavm
import wippy
from wippy.workflows.verify import verify

ROOT = Path(__file__).resolve().parents[2]


def fetch(x: Any) -> Any:
    """A host function that suspends the task (module level: snapshots name it)."""
    return luavm.suspend(["fetch", x])


async def _until_steps(h: Any, wid: str, n: int) -> int:
    for _ in range(300):
        await asyncio.sleep(0.01)
        row = h.store.get(wid)
        if row is not None and row.steps >= n:
            return row.steps
    return -1


def test_virtual_clock_does_not_go_back_after_a_restart(tmp_path: Path) -> None:
    """Fuzz kind `time-differs` (with FUZZ_WORKFLOWS_CLOCK_BUG=1 or in SIGKILL mode):
    after a 1h sleep on the virtual clock and a restart, time.now() is ~1h earlier
    than before the restart (and a sleep that was recorded as fired before a crash
    is seen to have lasted only the restart's wall time)."""
    wf = """
    local time = require("time")
    local function main()
      local t0 = time.now():unix_nano()
      time.sleep("1h")
      local t1 = time.now():unix_nano()
      process.inbox():receive()
      local t2 = time.now():unix_nano()
      return {slept = t1 - t0, after_restart = t2 - t1}
    end
    return {main = main}
    """
    root = write_app(tmp_path, workflows={"w": wf}, store=str(tmp_path / "wf.db"))

    async def first(h: Any) -> int:
        h.start_workflow("app:w", [], {"workflow.id": "clk"})
        return await _until_steps(h, "clk", 2)  # the timer fired, waiting for the message

    assert run(wippy.App(root), first) >= 2

    async def second(h: Any) -> Any:
        h.ensure_started()
        assert h.signal("clk", "go", 1) is None
        return await h.result("clk")

    o = run(wippy.App(root), second)
    assert o.error is None
    assert o.value["slept"] == 3600 * 10**9
    assert o.value["after_restart"] >= 0, f"time went back by {-o.value['after_restart'] / 1e9:.0f} s"


def test_restored_coroutine_traceback_keeps_the_frame_that_tail_called_xpcall() -> None:
    """The root of fuzz kind `verify-traceback`. lua5.4 and a straight luavm run
    both show `job:2: in function <job:2>` (a tail call to a C function keeps the
    caller's frame); after snapshot + restore it was gone (a continued frame ran
    only after the frames it had called: luavm now re-enters it first)."""
    src = """
    local function traced(fn) return function(...) return xpcall(fn, debug.traceback, ...) end end
    local co = coroutine.create(traced(function()
      fetch("wait")
      return debug.traceback("here")
    end))
    local _, _, tb = coroutine.resume(co)
    return tb
    """

    def make() -> luavm.Task:
        rt = luavm.LuaRuntime(stdout=io.BytesIO(), seed=1)
        rt.globals()["fetch"] = fetch
        return rt.task(src, chunkname="=job")

    straight = make()
    straight.run()
    straight.run(None)
    restored = make()
    restored.run()
    restored = luavm.restore(restored.snapshot())
    restored.run(None)
    assert "job:2: in function <job:2>" in str(straight.result[0])
    assert restored.result == straight.result


def test_verify_passes_for_a_workflow_that_makes_an_error_after_a_restore(tmp_path: Path) -> None:
    """Fuzz kind `verify-traceback`: the workflow is deterministic, but `verify`
    reports 'the Lua state after the step differs from the recorded snapshot' when
    an error object was made (errors.new, or an exit's error from a failed child)
    after the engine restored the workflow from its snapshot."""
    wf = """
    local time = require("time")
    local function main()
      process.inbox():receive()
      local e = errors.new("boom")
      time.sleep("1s")
      return e:message()
    end
    return {main = main}
    """
    root = write_app(tmp_path, workflows={"w": wf}, store=str(tmp_path / "wf.db"))

    async def first(h: Any) -> int:
        h.start_workflow("app:w", [], {"workflow.id": "tb"})
        return await _until_steps(h, "tb", 1)

    assert run(wippy.App(root), first) >= 1

    async def second(h: Any) -> Any:
        h.ensure_started()
        assert h.signal("tb", "go", 1) is None
        o = await h.result("tb")
        return o, dict(h.stats), verify(h, "tb")

    o, stats, rep = run(wippy.App(root), second)
    assert o.value == "boom"
    assert stats["restores"] == 1
    assert rep.ok, str(rep.mismatch)


_SECOND_PROCESS = """
import asyncio, json, sys
import wippy

app = wippy.App(sys.argv[1])

async def go():
    h = app.workflow_host("app:wf_host")
    h.ensure_started()
    assert h.signal("fresh", "go", "now") is None
    o = await h.result("fresh")
    app.close()
    return {"value": o.value, "error": o.error, "stats": h.stats}

print(json.dumps(wippy.run_sync(go)))
"""


def test_recovery_in_a_fresh_process_restores_the_snapshot(tmp_path: Path) -> None:
    """Fuzz kind `snapshot-code-missing` (SIGKILL mode): the first thing a restarted
    process does is restore; wippy's kernel/prelude/modules are not in the codebook
    yet ('the code of chunk =[wippy prelude] (...) is not available to restore'),
    so every recovery falls back to replaying the whole history. In-process tests
    (test_workflows.py) cannot see it: their codebook is already filled."""
    wf = """
    local function main()
      local m = process.inbox():receive()
      return "got " .. m:payload():data()
    end
    return {main = main}
    """
    root = write_app(tmp_path, workflows={"w": wf}, store=str(tmp_path / "wf.db"))

    async def first(h: Any) -> int:
        h.start_workflow("app:w", [], {"workflow.id": "fresh"})
        return await _until_steps(h, "fresh", 1)

    assert run(wippy.App(root), first) >= 1
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    p = subprocess.run([sys.executable, "-c", _SECOND_PROCESS, str(root)], capture_output=True, text=True,
                       env=env, cwd=ROOT, timeout=120)
    assert p.returncode == 0, p.stderr[-3000:]
    out = json.loads(p.stdout.strip().splitlines()[-1])
    assert out["value"] == "got now"
    assert out["stats"]["replays"] == 0, p.stderr[-2000:]
    assert out["stats"]["restores"] == 1
