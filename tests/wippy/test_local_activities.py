"""Local activities on the embedded engine (wippy/workflows/local.py): run inside
the step that calls them, recorded as steps of their own, checkpointed and
committed once; what cannot finish at once goes on as a regular activity. And
how any outcome reaches the step that records it (engine.deliver)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from wfkit import run, start_and_wait, write_app

import wippy
from wippy.workflows.verify import verify

THREE = """
local funcs = require("funcs")
local function main(x)
  local ex = funcs.new():with_options({["activity.local"] = true})
  for _ = 1, 3 do
    local err
    x, err = ex:call("py:inc", x)
    if err then return nil, err end
  end
  return x
end
return {main = main}
"""


def _inc(x: int) -> int:
    return x + 1


def test_three_local_activities_are_one_engine_step_with_four_recorded_steps(tmp_path: Path) -> None:
    app = wippy.App(write_app(tmp_path, workflows={"three": THREE}, store=str(tmp_path / "wf.db")))
    calls: list[int] = []

    def inc(x: int) -> int:
        calls.append(x)
        return x + 1

    app.register_function("py:inc", inc)

    async def go(host: Any) -> Any:
        o = await start_and_wait(host, "app:three", 10, wid="t-1")
        tasks = host.store.db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
        snaps = host.store.db.execute("SELECT COUNT(*) FROM snapshots").fetchone()[0]
        return o, host.store.history("t-1"), tasks, snaps, verify(host, "t-1"), dict(host.stats)

    o, hist, tasks, snaps, rep, stats = run(app, go)
    assert o.error is None and o.value == 13
    assert calls == [10, 11, 12]
    steps = [h for h in hist if h["kind"] == "step"]
    assert [h["step"] for h in steps] == [1, 2, 3, 4]
    assert [[c[0] for c in h["data"]["commands"]] for h in steps] == [["activity"]] * 3 + [[]]
    assert [e[1] for h in steps[1:] for e in h["data"]["events"]] == [{"value": 11}, {"value": 12}, {"value": 13}]
    assert [h["kind"] for h in hist] == ["started", "step", "step", "step", "step", "completed"]
    assert [h["data"].get("local") for h in steps] == [True, True, True, None]  # (ran inside the step)
    assert tasks == 0 and snaps == 0  # no outbox row, no checkpoint: it never waited
    assert rep.ok and rep.steps == 4
    assert stats["steps"] == 4


def test_entry_meta_marks_a_function_local_and_a_blocking_one_goes_on_as_regular(tmp_path: Path) -> None:
    wf = """
    local funcs = require("funcs")
    local time = require("time")
    local function main(x)
      local a = funcs.call("app:double", x)          -- local by its entry's meta
      local b = funcs.call("app:slow_double", a)     -- local, but blocks: a regular activity
      time.sleep("1s")
      local c = funcs.call("app:double", b)
      return {a, b, c}
    end
    return {main = main}
    """
    local = {"meta": {"temporal": {"activity": {"local": True}}}}
    root = write_app(tmp_path, workflows={"w": wf}, extra=[
        {"name": "double", "kind": "function.lua", "source": "file://double.lua", "modules": ["time"], **local},
        {"name": "slow_double", "kind": "function.lua", "source": "file://slow.lua", "modules": ["time"], **local},
    ])
    (root / "src" / "double.lua").write_text("return function(x) return x * 2 end")
    (root / "src" / "slow.lua").write_text(
        'local time = require("time")\nreturn function(x) time.sleep("10ms") return x * 2 end')
    app = wippy.App(root)

    async def go(host: Any) -> Any:
        o = await start_and_wait(host, "app:w", 3, wid="w-1")
        return o, host.store.history("w-1"), verify(host, "w-1")

    o, hist, rep = run(app, go)
    assert o.error is None and o.value == [6, 12, 24]
    steps = [h["data"] for h in hist if h["kind"] == "step"]
    # step 1 calls double (at once: sub-step 2 gets its value), which calls slow_double: it
    # blocks, so that step commits it as a regular activity; its outcome comes in step 3
    assert [[c[0] for c in s["commands"]] for s in steps] == [["activity"], ["activity"], ["timer"], ["activity"], []]
    assert steps[1]["events"] == [[steps[0]["commands"][0][1], {"value": 6}]]
    assert steps[2]["events"][0][1] == {"value": 12}
    assert rep.ok


def test_a_local_activity_that_fails_retries_as_a_regular_one(tmp_path: Path) -> None:
    wf = """
    local funcs = require("funcs")
    local function main()
      local ex = funcs.new():with_options({["activity.local"] = true,
        ["activity.retry_policy"] = {initial_interval = "1s", maximum_attempts = 3}})
      local v, err = ex:call("py:flaky", "x")
      local w, err2 = funcs.new():with_options({["activity.local"] = true,
        ["activity.retry_policy"] = {maximum_attempts = 1}}):call("py:broken")
      return {v = v, err = err2 and err2:message()}
    end
    return {main = main}
    """
    app = wippy.App(write_app(tmp_path, workflows={"w": wf}))
    calls: list[str] = []

    def flaky(x: str) -> str:
        calls.append(x)
        if len(calls) < 3:
            raise RuntimeError("temporarily down")
        return x + "!"

    def broken() -> None:
        raise ValueError("no")

    app.register_function("py:flaky", flaky)
    app.register_function("py:broken", broken)
    o = run(app, lambda h: start_and_wait(h, "app:w"))
    assert o.error is None, o.error
    assert o.value["v"] == "x!" and len(calls) == 3
    assert "ValueError: no" in o.value["err"]


def test_option_false_overrides_the_entry_and_async_python_runs_as_regular(tmp_path: Path) -> None:
    wf = """
    local funcs = require("funcs")
    local function main(x)
      local a = funcs.new():with_options({["activity.local"] = false}):call("app:double", x)
      local b = funcs.new():with_options({["activity.local"] = true}):call("py:later", a)
      return a + b
    end
    return {main = main}
    """
    root = write_app(tmp_path, workflows={"w": wf}, extra=[
        {"name": "double", "kind": "function.lua", "source": "file://double.lua",
         "meta": {"temporal": {"activity": {"local": True}}}}])
    (root / "src" / "double.lua").write_text("return function(x) return x * 2 end")
    app = wippy.App(root)

    async def later(x: int) -> int:
        await asyncio.sleep(0)
        return x + 1

    app.register_function("py:later", later)

    async def go(host: Any) -> Any:
        o = await start_and_wait(host, "app:w", 5, wid="w-2")
        return o, host.store.history("w-2")

    o, hist = run(app, go)
    assert o.error is None and o.value == 21
    # neither ran inside the step that called it: each outcome came with a step of its own
    steps = [h["data"] for h in hist if h["kind"] == "step"]
    assert len(steps) == 3 and all(len(s["events"]) == 1 for s in steps[1:])


def test_a_long_run_of_local_activities_commits_every_max_substeps(tmp_path: Path) -> None:
    from wippy.workflows import local

    wf = """
    local funcs = require("funcs")
    local function main(n)
      local ex = funcs.new():with_options({["activity.local"] = true})
      local x = 0
      for _ = 1, n do x = ex:call("py:inc", x) end
      return x
    end
    return {main = main}
    """
    app = wippy.App(write_app(tmp_path, workflows={"w": wf}, store=str(tmp_path / "wf.db")))
    app.register_function("py:inc", _inc)
    n = 2 * local.MAX_SUBSTEPS + 10
    commits: list[int] = []

    async def go(host: Any) -> Any:
        real = host.store.add_history

        def spy(db: Any, wid: str, run_id: str, kind: str, step: int, *a: Any, **k: Any) -> None:
            if kind == "step" and not (a[1] or {}).get("local"):
                commits.append(step)  # the last sub-step of each engine step (its commit)
            real(db, wid, run_id, kind, step, *a, **k)

        host.store.add_history = spy
        o = await start_and_wait(host, "app:w", n, wid="long")
        return o, verify(host, "long")

    o, rep = run(app, go)
    assert o.error is None and o.value == n
    assert rep.ok and rep.steps == n + 1
    # at most MAX_SUBSTEPS sub-steps per commit: a crash never makes more than that run again
    gaps = [b - a for a, b in zip([0, *commits], commits)]
    assert max(gaps) <= local.MAX_SUBSTEPS + 1 and len(commits) >= 3, commits


def test_an_outcome_recorded_elsewhere_is_not_recorded_again(tmp_path: Path,
                                                             caplog: Any) -> None:
    """The step that records an activity's outcome marks its outbox row done only if
    it is still pending; if another process recorded it meanwhile (it took the
    workflow over), the step is undone, not committed with the outcome a second time."""
    import logging

    wf = """
    local funcs = require("funcs")
    local function main(x) return funcs.call("py:inc", x) end
    return {main = main}
    """
    app = wippy.App(write_app(tmp_path, workflows={"w": wf}))
    app.register_function("py:inc", _inc)

    async def go(host: Any) -> Any:
        real = host.store.finish_task
        host.store.finish_task = lambda db, tid, status="done": False  # (recorded by someone else)
        w, err = host.start_workflow("app:w", [1], {"workflow.id": "w-s"})
        for _ in range(200):
            await asyncio.sleep(0.005)
        host.store.finish_task = real
        row = host.store.get("w-s")
        return row.status, [h["kind"] for h in host.store.history("w-s")]

    with caplog.at_level(logging.ERROR, logger="wippy.workflows"):
        status, kinds = wippy.run_sync(lambda: _with_host(app, go))
    assert status == "running" and kinds == ["started", "step"]  # the outcome's step was undone
    assert "step failed" not in caplog.text


async def _with_host(app: wippy.App, go: Any) -> Any:
    try:
        return await go(app.workflow_host("app:wf_host"))
    finally:
        app.close()
