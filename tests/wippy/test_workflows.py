"""The embedded workflow engine: every interception, failure paths, recovery and
verification, as a user's Lua workflows see them."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from wfkit import run, start_and_wait, write_app

import wippy
from wippy.workflows.verify import verify

ORDER = """
local funcs = require("funcs")
local time = require("time")
local function main(order)
  local r, err = funcs.call("app:charge", order)
  if err then return nil, err end
  time.sleep("24h")
  return {charged = r.charged, at = time.now():unix()}
end
return {main = main}
"""

CHARGE = "return function(order) return {charged = order.amount} end"


def test_activity_and_durable_timer_on_virtual_clock(tmp_path: Path) -> None:
    app = wippy.App(write_app(tmp_path, workflows={"order": ORDER}, functions={"charge": CHARGE}))

    async def go(host: Any) -> Any:
        import time as _t

        t0 = _t.time()
        o = await start_and_wait(host, "app:order", {"amount": 42}, wid="o-1")
        elapsed = _t.time() - t0
        hist = host.store.history("o-1")
        return o, elapsed, hist, verify(host, "o-1")

    o, elapsed, hist, rep = run(app, go)
    assert o.error is None
    assert o.value["charged"] == 42
    assert elapsed < 5  # 24 hours of virtual time
    kinds = [h["kind"] for h in hist]
    assert kinds[0] == "started" and kinds[-1] == "completed"
    cmds = [c for h in hist if h["kind"] == "step" for c in h["data"]["commands"]]
    assert [c[0] for c in cmds] == ["activity", "timer"]
    assert cmds[1][2] == 24 * 3600 * 10**9
    assert rep.ok and rep.steps == 3


def test_activity_retries_then_succeeds_and_records_attempts(tmp_path: Path) -> None:
    wf = """
    local funcs = require("funcs")
    local function main()
      local ex = funcs.new():with_options({["activity.retry_policy"] = {initial_interval = "1s",
                                                                       maximum_attempts = 5}})
      return ex:call("py:flaky", "x")
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

    app.register_function("py:flaky", flaky)
    o = run(app, lambda h: start_and_wait(h, "app:w"))
    assert o.error is None and o.value == "x!"
    assert len(calls) == 3


def test_activity_error_after_max_attempts_and_non_retryable(tmp_path: Path) -> None:
    wf = """
    local funcs = require("funcs")
    local function main(name)
      local ex = funcs.new():with_options({["activity.retry_policy"] = {initial_interval = 10,
                                                                       maximum_attempts = 2}})
      local v, err = ex:call(name)
      return {kind = err:kind(), msg = err:message()}
    end
    return {main = main}
    """
    fail = """return function()
      return nil, errors.new({message = "card declined", kind = errors.INVALID, retryable = false}) end"""
    always = 'return function() error("boom") end'
    app = wippy.App(write_app(tmp_path, workflows={"w": wf}, functions={"declined": fail, "always": always}))

    async def go(h: Any) -> Any:
        a = await start_and_wait(h, "app:w", "app:declined")
        b = await start_and_wait(h, "app:w", "app:always")
        c = await start_and_wait(h, "app:w", "app:missing")
        return a, b, c

    a, b, c = run(app, go)
    assert a.value == {"kind": "Invalid", "msg": "card declined"}
    assert b.value["kind"] == "Internal" and "boom" in b.value["msg"]
    assert c.value["kind"] == "NotFound"


def test_activity_timeout(tmp_path: Path) -> None:
    wf = """
    local funcs = require("funcs")
    local function main()
      local ex = funcs.new():with_options({["activity.start_to_close_timeout"] = "50ms",
                                          ["activity.retry_policy"] = {maximum_attempts = 1}})
      local v, err = ex:call("py:slow")
      return err and err:kind() or v
    end
    return {main = main}
    """
    app = wippy.App(write_app(tmp_path, workflows={"w": wf}))

    async def slow() -> str:
        await asyncio.sleep(5)
        return "late"

    app.register_function("py:slow", slow)
    o = run(app, lambda h: start_and_wait(h, "app:w"))
    assert o.value == "Timeout"


def test_signals_inbox_listen_and_select_with_timer(tmp_path: Path) -> None:
    wf = """
    local time = require("time")
    local function main()
      local approvals = process.listen("approve")
      local got = {}
      local r = channel.select{approvals:case_receive(), time.after("1h"):case_receive()}
      got[#got + 1] = r.channel == approvals and ("approved by " .. r.value) or "timeout"
      local msg = process.inbox():receive()
      got[#got + 1] = msg:topic() .. "=" .. tostring(msg:payload():data().n)
      local r2 = channel.select{approvals:case_receive(), time.after("2h"):case_receive()}
      got[#got + 1] = r2.channel == approvals and "again" or "timeout"
      return got
    end
    return {main = main}
    """
    app = wippy.App(write_app(tmp_path, workflows={"w": wf}))

    async def go(h: Any) -> Any:
        wid, err = h.start_workflow("app:w", [], {"workflow.id": "s1"})
        assert err is None
        assert h.signal("s1", "approve", "ada") is None
        assert h.signal("s1", "other", {"n": 7}) is None
        return await h.result("s1"), verify(h, "s1")

    o, rep = run(app, go)
    assert o.value == ["approved by ada", "other=7", "timeout"]
    assert rep.ok


def test_deterministic_values_uuid_random_clock(tmp_path: Path) -> None:
    wf = """
    local uuid = require("uuid")
    local time = require("time")
    local function main()
      local a = uuid.v4()
      local r = math.random(1, 1000000)
      local t1 = time.now():unix_nano()
      time.sleep("1s")
      local t2 = time.now():unix_nano()
      return {a = a, b = uuid.v4(), v7 = uuid.v7(), r = r, dt = t2 - t1, os = os.time() > 0}
    end
    return {main = main}
    """
    app = wippy.App(write_app(tmp_path, workflows={"w": wf}))

    async def go(h: Any) -> Any:
        o1 = await start_and_wait(h, "app:w", wid="d1")
        o2 = await start_and_wait(h, "app:w", wid="d2")
        return o1, o2, verify(h, "d1"), verify(h, "d2")

    o1, o2, r1, r2 = run(app, go)
    assert o1.value["a"] != o1.value["b"] and o1.value["a"] != o2.value["a"]
    assert o1.value["dt"] == 10**9
    assert r1.ok and r2.ok


def test_coroutine_spawn_runs_activities_in_parallel(tmp_path: Path) -> None:
    wf = """
    local funcs = require("funcs")
    local function main(n)
      local results = channel.new(n)
      for i = 1, n do
        coroutine.spawn(function()
          local v = funcs.call("app:square", i)
          results:send(v)
        end)
      end
      local sum = 0
      for _ = 1, n do sum = sum + results:receive() end
      return sum
    end
    return {main = main}
    """
    app = wippy.App(write_app(tmp_path, workflows={"w": wf}, functions={"square": "return function(x) return x*x end"}))

    async def go(h: Any) -> Any:
        o = await start_and_wait(h, "app:w", 4, wid="p1")
        hist = h.store.history("p1")
        return o, hist, verify(h, "p1")

    o, hist, rep = run(app, go)
    assert o.value == 1 + 4 + 9 + 16
    first = [h for h in hist if h["kind"] == "step"][0]
    assert [c[0] for c in first["data"]["commands"]] == ["activity"] * 4  # all scheduled in one step
    assert rep.ok


def test_pcall_around_activity_and_error_objects(tmp_path: Path) -> None:
    wf = """
    local funcs = require("funcs")
    local function main()
      local ok, e = pcall(function()
        local v, err = funcs.call("app:bad")
        if err then error(err) end
        return v
      end)
      return {ok = ok, kind = errors.is(e, errors.INTERNAL), after = funcs.call("app:square", 3)}
    end
    return {main = main}
    """
    app = wippy.App(write_app(tmp_path, workflows={"w": wf}, functions={
        "bad": "return function() return nil, errors.new({message='no', kind=errors.INTERNAL, retryable=false}) end",
        "square": "return function(x) return x*x end"}))
    o = run(app, lambda h: start_and_wait(h, "app:w", wid="pc"))
    assert o.value == {"ok": False, "kind": True, "after": 9}


def test_child_workflows_exec_spawn_monitored_and_failure(tmp_path: Path) -> None:
    parent = """
    local workflow = require("workflow")
    local function main()
      local a = workflow.exec("app:child", 2)
      local b, berr = process.exec("app:child", "app:wf_host", -1)
      local pid = process.spawn_monitored("app:child", "app:wf_host", 5)
      local ev = process.events():receive()
      return {a = a, b_err = berr and berr:message(), exit_from = ev.from == pid, exit_value = ev.result.value,
              kind = ev.kind}
    end
    return {main = main}
    """
    child = """
    local time = require("time")
    local function main(n)
      if n < 0 then return nil, errors.new("negative") end
      time.sleep("1m")
      return n * 10
    end
    return {main = main}
    """
    app = wippy.App(write_app(tmp_path, workflows={"parent": parent, "child": child}))

    async def go(h: Any) -> Any:
        o = await start_and_wait(h, "app:parent", wid="par")
        rep = verify(h, "par")
        return o, rep, [r.id for r in h.store.list()]

    o, rep, ids = run(app, go)
    assert o.error is None, o.error
    assert o.value == {"a": 20, "b_err": "negative", "exit_from": True, "exit_value": 50, "kind": "pid.exit"}
    assert rep.ok
    assert len(ids) == 4


def test_workflow_to_workflow_send(tmp_path: Path) -> None:
    a = """
    local function main()
      local pid = process.spawn("app:b", "app:wf_host")
      process.send(pid, "ping", {from = process.pid()})
      local m = process.inbox():receive()
      return m:topic() .. ":" .. m:payload():data()
    end
    return {main = main}
    """
    b = """
    local function main()
      local m = process.inbox():receive()
      process.send(m:payload():data().from, "pong", "hello")
      return true
    end
    return {main = main}
    """
    app = wippy.App(write_app(tmp_path, workflows={"a": a, "b": b}))
    o = run(app, lambda h: start_and_wait(h, "app:a", wid="a1"))
    assert o.value == "pong:hello"


def test_continue_as_new_carries_on_with_short_histories(tmp_path: Path) -> None:
    wf = """
    local time = require("time")
    local workflow = require("workflow")
    local function main(i, total)
      time.sleep("1s")
      if i >= 5 then return {i = i, total = total + i, len = workflow.history_length()} end
      return process.upgrade(nil, i + 1, total + i)
    end
    return {main = main}
    """
    app = wippy.App(write_app(tmp_path, workflows={"w": wf}))

    async def go(h: Any) -> Any:
        o = await start_and_wait(h, "app:w", 1, 0, wid="can")
        runs = {x["run_id"] for x in h.store.history("can")}
        return o, runs

    o, runs = run(app, go)
    assert o.value["i"] == 5 and o.value["total"] == 15
    assert o.value["len"] < 6
    assert len(runs) == 5


def test_info_version_and_monitor_refused(tmp_path: Path) -> None:
    wf = """
    local workflow = require("workflow")
    local function main()
      local info = workflow.info()
      local v = workflow.version("new-pricing", 1, 2)
      local ok, err = process.monitor("{x|y}")
      local ok2, err2 = process.link("{x|y}")
      return {id = info.workflow_id, type = info.workflow_type, v = v, mon = err:kind(), link = err2:kind()}
    end
    return {main = main}
    """
    app = wippy.App(write_app(tmp_path, workflows={"w": wf}))
    o = run(app, lambda h: start_and_wait(h, "app:w", wid="inf"))
    assert o.value == {"id": "inf", "type": "app:w", "v": 2, "mon": "Invalid", "link": "Invalid"}


def test_cancel_reaches_workflow_waiting_on_timer_and_terminate(tmp_path: Path) -> None:
    wf = """
    local time = require("time")
    local function main()
      local r = channel.select{process.events():case_receive(), time.after("48h"):case_receive()}
      if r.value and r.value.kind == process.event.CANCEL then
        return "cleaned up after " .. r.value.reason
      end
      return "slept"
    end
    return {main = main}
    """
    app = wippy.App(write_app(tmp_path, workflows={"w": wf}, clock="real"))

    async def go(h: Any) -> Any:
        h.start_workflow("app:w", [], {"workflow.id": "c1"})
        h.start_workflow("app:w", [], {"workflow.id": "c2"})
        await asyncio.sleep(0.05)
        assert h.cancel("c1", "customer asked") is None
        assert h.terminate("c2", "operator") is None
        return await h.result("c1"), h.store.get("c2").status

    o, st2 = run(app, go)
    assert o.value == "cleaned up after customer asked"
    assert st2 == "terminated"


def test_id_conflict_policies(tmp_path: Path) -> None:
    wf = """
    local function main() return process.inbox():receive():payload():data() end
    return {main = main}
    """
    app = wippy.App(write_app(tmp_path, workflows={"w": wf}))

    async def go(h: Any) -> Any:
        w1, e1 = h.start_workflow("app:w", [], {"workflow.id": "k"})
        w2, e2 = h.start_workflow("app:w", [], {"workflow.id": "k"})  # use_existing (default)
        w3, e3 = h.start_workflow("app:w", [], {"workflow.id": "k", "workflow.id_conflict_policy": "fail"})
        h.signal("k", "x", 1)
        o = await h.result("k")
        d = h.describe("k")
        assert d["status"] == "completed" and d["result"] == 1 and d["type"] == "app:w"
        assert [w["id"] for w in h.list_workflows("completed")] == ["k"] and h.describe("nope") is None
        return (w1, e1, w2, e2, e3), o

    (w1, e1, w2, e2, e3), o = run(app, go)
    assert w1 == w2 == "k" and e1 is None and e2 is None
    assert e3["kind"] == "AlreadyExists"
    assert o.value == 1


def test_verify_reports_nondeterminism_with_location(tmp_path: Path) -> None:
    wf = """
    local funcs = require("funcs")
    local time = require("time")
    local function main()
      funcs.call("app:square", 2)
      time.sleep("1h")
      return funcs.call("app:square", 3)
    end
    return {main = main}
    """
    root = write_app(tmp_path, workflows={"w": wf}, functions={"square": "return function(x) return x*x end"},
                     store=str(tmp_path / "wf.db"))
    app = wippy.App(root)
    o = run(app, lambda h: start_and_wait(h, "app:w", wid="n1"))
    assert o.value == 9
    # the workflow's code changes: a deployment altered the first call
    (root / "src" / "w.lua").write_text(wf.replace('funcs.call("app:square", 2)', 'funcs.call("app:square", 20)'))
    app2 = wippy.App(root)

    async def go(h: Any) -> Any:
        from wippy.workflows.engine import code_bundle
        from wippy.workflows.verify import replay

        pinned = verify(h, "n1")  # against the code it ran: fine
        row = h.store.get("n1")
        changed, _ = replay(h, row, code_bundle(app2, app2.registry.get("app:w")))
        return pinned, changed

    pinned, changed = run(app2, go)
    assert pinned.ok
    assert not changed.ok
    m = changed.mismatch
    assert m.step == 1
    assert m.recorded[2]["args"] == [2] and m.actual[2]["args"] == [20]
    assert "w.lua:5" in m.where


def test_recovery_from_snapshot_in_a_new_process_does_not_rerun_activities(tmp_path: Path) -> None:
    wf = """
    local funcs = require("funcs")
    local function main()
      local a = funcs.call("py:count", "a")
      local m = process.inbox():receive()
      local b = funcs.call("py:count", "b")
      return {a = a, b = b, m = m:payload():data()}
    end
    return {main = main}
    """
    root = write_app(tmp_path, workflows={"w": wf}, store=str(tmp_path / "wf.db"))
    counts: dict[str, int] = {}

    def count(k: str) -> int:
        counts[k] = counts.get(k, 0) + 1
        return counts[k]

    app = wippy.App(root)
    app.register_function("py:count", count)

    async def first(h: Any) -> Any:
        h.start_workflow("app:w", [], {"workflow.id": "r1"})
        for _ in range(100):
            await asyncio.sleep(0.01)
            if h.store.get("r1").steps >= 2:
                break
        return h.store.get("r1").steps

    assert run(app, first) >= 2
    app2 = wippy.App(root)  # a new engine: restores from the snapshot
    app2.register_function("py:count", count)

    async def second(h: Any) -> Any:
        h.ensure_started()
        assert h.signal("r1", "go", "now") is None
        o = await h.result("r1")
        return o, dict(h.stats), verify(h, "r1")

    o, stats, rep = run(app2, second)
    assert o.value == {"a": 1, "b": 1, "m": "now"}
    assert counts == {"a": 1, "b": 1}
    assert stats["restores"] == 1 and stats["replays"] == 0
    assert rep.ok


def test_corrupt_snapshot_falls_back_to_replay(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    wf = """
    local time = require("time")
    local function main()
      local m = process.inbox():receive()
      time.sleep("1s")
      return "got " .. m:payload():data()
    end
    return {main = main}
    """
    root = write_app(tmp_path, workflows={"w": wf}, store=str(tmp_path / "wf.db"))
    app = wippy.App(root)

    async def first(h: Any) -> Any:
        h.start_workflow("app:w", [], {"workflow.id": "cs"})
        await asyncio.sleep(0.05)

    run(app, first)
    import sqlite3

    db = sqlite3.connect(tmp_path / "wf.db")
    db.execute("UPDATE snapshots SET data = x'00010203'")
    db.commit()
    db.close()
    app2 = wippy.App(root)

    async def second(h: Any) -> Any:
        h.ensure_started()
        h.signal("cs", "go", "it")
        return await h.result("cs"), dict(h.stats)

    with caplog.at_level("WARNING", logger="wippy.workflows"):
        o, stats = run(app2, second)
    assert o.value == "got it"
    assert stats["replays"] == 1
    assert any("replaying its history" in r.message for r in caplog.records)


def test_with_message_delivers_before_first_receive(tmp_path: Path) -> None:
    starter = """
    local function main()
      local pid = process.with_options({}):with_name("inv-1"):with_message("go", 41)
                   :spawn_monitored("app:target", "app:wf_host")
      local ev = process.events():receive()
      return ev.result.value
    end
    return {main = main}
    """
    target = """
    local function main() return process.inbox():receive():payload():data() + 1 end
    return {main = main}
    """
    app = wippy.App(write_app(tmp_path, workflows={"starter": starter, "target": target}))
    o = run(app, lambda h: start_and_wait(h, "app:starter", wid="st"))
    assert o.value == 42


def test_verify_in_another_process_with_another_hash_seed(tmp_path: Path) -> None:
    """Snapshots are a function of the program and its inputs, not of the process:
    `wippy workflow verify` in a new process (another PYTHONHASHSEED) reproduces them."""
    import os
    import subprocess
    import sys

    wf = """
    local funcs = require("funcs")
    local time = require("time")
    local uuid = require("uuid")
    local function main(x)
      local seen = {}
      for _, k in ipairs({"b", "a", "c"}) do seen[k] = funcs.call("app:square", #k + x) end
      time.sleep("1h")
      seen.id = uuid.v4()
      return seen
    end
    return {main = main}
    """
    root = write_app(tmp_path, workflows={"w": wf}, functions={"square": "return function(x) return x*x end"},
                     store=str(tmp_path / "wf.db"))
    o = run(wippy.App(root), lambda h: start_and_wait(h, "app:w", 2, wid="xp"))
    assert o.value["a"] == 9
    env = dict(os.environ, PYTHONHASHSEED="12345")
    r = subprocess.run([sys.executable, "-m", "wippy.cli", "workflow", "verify", "xp", "--app", str(root)],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "ok" in r.stdout


def test_cancel_reaches_a_workflow_during_an_activity_and_during_a_receive(tmp_path: Path) -> None:
    during_activity = """
    local funcs = require("funcs")
    local function main()
      local f = funcs.async("py:slow")
      local r = channel.select{f:channel():case_receive(), process.events():case_receive()}
      if r.channel == f:channel() then return "finished" end
      local canceled = f:cancel()
      return "stopped the activity (" .. tostring(canceled) .. ") after " .. r.value.reason
    end
    return {main = main}
    """
    during_receive = """
    local function main()
      local r = channel.select{process.inbox():case_receive(), process.events():case_receive()}
      if r.value.kind == process.event.CANCEL then return "gave up waiting: " .. r.value.reason end
      return "got a message"
    end
    return {main = main}
    """
    app = wippy.App(write_app(tmp_path, workflows={"act": during_activity, "rcv": during_receive}, clock="real"))
    started: list[str] = []

    async def slow() -> str:
        started.append("slow")
        await asyncio.sleep(30)
        return "late"

    app.register_function("py:slow", slow)

    async def go(h: Any) -> Any:
        h.start_workflow("app:act", [], {"workflow.id": "ca"})
        h.start_workflow("app:rcv", [], {"workflow.id": "cr"})
        for _ in range(200):
            await asyncio.sleep(0.01)
            if started:
                break
        assert h.cancel("ca", "customer left") is None
        assert h.cancel("cr", "deadline") is None
        a, r = await h.result("ca"), await h.result("cr")
        pending = h.store.pending_tasks("ca")
        return a, r, pending

    a, r, pending = run(app, go)
    assert a.value == "stopped the activity (true) after customer left"
    assert r.value == "gave up waiting: deadline"
    assert pending == []  # the canceled activity's task is not carried out again
