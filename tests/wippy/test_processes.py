"""Processes as a Wippy program sees them: spawn, messages, events, monitors,
links, cancel/terminate, the name registry, limits, fairness — and luavm's
preemption, which the fairness rests on.

The kit at the top (`write_app`, `run_proc`, `run_in_app`) is shared with
test_channels.py and test_supervisor.py."""

from __future__ import annotations

import asyncio
import textwrap
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

import luavm
import wippy
from wippy.scheduler import Outcome

# ------------------------------------------------------------------------- the kit


def write_app(root: Path, processes: dict[str, str], *, functions: dict[str, str] | None = None,
              modules: tuple[str, ...] = ("time",), host_meta: dict[str, Any] | None = None,
              extra: list[dict[str, Any]] | None = None) -> Path:
    """An app in root/src: namespace `app`, a `processes` process.host (with
    `host_meta` as its meta), process.lua entries and function.lua entries."""
    src = root / "src"
    src.mkdir(parents=True, exist_ok=True)
    host: dict[str, Any] = {"name": "processes", "kind": "process.host"}
    if host_meta:
        host["meta"] = host_meta
    entries: list[dict[str, Any]] = [host]
    for kind, group in (("process.lua", processes), ("function.lua", functions or {})):
        for name, code in group.items():
            (src / f"{name}.lua").write_text(textwrap.dedent(code))
            entries.append({"name": name, "kind": kind, "modules": list(modules), "source": f"file://{name}.lua"})
    entries.extend(extra or [])
    (src / "app.yaml").write_text(yaml.safe_dump({"version": "1.0", "namespace": "app", "entries": entries},
                                                 sort_keys=False))
    return root


def run_in_app(app: wippy.App, make: Callable[[wippy.App], Awaitable[Any]], timeout: float = 10.0) -> Any:
    """Run `make(app)` on a fresh event loop; every process is terminated after."""
    async def go() -> Any:
        try:
            return await asyncio.wait_for(make(app), timeout)
        finally:
            app.close()

    return wippy.run_sync(go)


async def start_and_wait(app: wippy.App, entry: str, *args: Any) -> Outcome:
    """Start process `app:<entry>` on `app:processes`; its exit outcome."""
    fut: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()

    def done(p: Any) -> None:
        if not fut.done():
            fut.set_result(p.outcome)

    app.processes.start_process(f"app:{entry}", "app:processes", list(args), on_exit=done)
    return await fut


def run_proc(tmp_path: Path, processes: dict[str, str], main: str = "main", *args: Any,
             timeout: float = 10.0, **kw: Any) -> Outcome:
    """Write the app, run process `main` to its end; its Outcome."""
    app = wippy.App(write_app(tmp_path, processes, **kw))
    return run_in_app(app, lambda a: start_and_wait(a, main, *args), timeout)


def ok(o: Outcome) -> Any:
    assert o.error is None, (o.error, o.traceback)
    return o.value


# a process that answers every message by sending its payload back, until "stop"
ECHO = """
return function(tag)
  local inbox = process.inbox()
  while true do
    local msg = inbox:receive()
    if msg:topic() == "stop" then return tag end
    if msg:topic() == "fail" then error("echo told to fail") end
    process.send(msg:from(), "echo", msg:payload():data())
  end
end
"""
FAIL = 'return function(msg) error(msg or "boom") end'
RETURN = "return function(...) return ... end"
WAIT = "return function() process.inbox():receive() return 'woke' end"

# ------------------------------------------------------------------- spawning, exec


def test_spawn_pid_and_exec(tmp_path: Path) -> None:
    main = """
    return function()
      local me = process.pid()
      local pid, err = process.spawn("echo", "processes", "T")
      assert(pid, tostring(err))
      local v, e = process.exec("ret", "app:processes", 21)
      local v2, e2 = process.exec("fail", "processes", "bad input")
      process.send(pid, "stop")
      return {me = me, pid = pid, v = v, e = e, v2 = v2, e2_kind = e2:kind(), e2_msg = e2:message(),
              e2_str = tostring(e2), distinct = me ~= pid}
    end
    """
    r = ok(run_proc(tmp_path, {"main": main, "echo": ECHO, "ret": RETURN, "fail": FAIL}))
    assert r["me"].startswith("{app:processes|app:main|") and r["me"].endswith("}")
    assert r["pid"].startswith("{app:processes|app:echo|") and r["distinct"]
    assert r["v"] == 21 and r.get("e") is None
    assert r.get("v2") is None and r["e2_kind"] == "Internal" and "bad input" in r["e2_msg"]
    assert "bad input" in r["e2_str"]


def test_spawn_errors(tmp_path: Path) -> None:
    main = """
    return function()
      local out = {}
      for i, args in ipairs({{"nope", "processes"}, {"echo", "no_such_host"}, {"fn", "processes"},
                             {"broken", "processes"}}) do
        local p, e = process.spawn(args[1], args[2])
        out[i] = {pid = p, kind = e:kind(), msg = e:message()}
      end
      return out
    end
    """
    r = ok(run_proc(tmp_path, {"main": main, "echo": ECHO, "broken": "return function( end"},
                    functions={"fn": RETURN}))
    assert [x["kind"] for x in r] == ["NotFound", "NotFound", "Invalid", "Internal"]
    assert not any("pid" in x for x in r)
    assert "function.lua" in r[2]["msg"] and "loading app:broken" in r[3]["msg"]


def test_function_entry_spawns_execs_and_sends(tmp_path: Path) -> None:
    fn = """
    return function(n)
      local pid = process.spawn("echo", "processes", "fromfn")
      local ok1, err1 = process.send(pid, "stop")
      local v = process.exec("ret", "processes", n * 2)
      process.spawn_monitored("ret", "processes", n * 3)
      local ev = process.events():receive()       -- a monitored child's exit reaches a function too
      return {pid_is_fn = process.pid() ~= pid, ok1 = ok1, err1 = err1, v = v, ev = ev.result.value}
    end
    """
    app = wippy.App(write_app(tmp_path, {"echo": ECHO, "ret": RETURN}, functions={"caller": fn}))
    r = run_in_app(app, lambda a: a.call_async("app:caller", 5))
    assert r == {"pid_is_fn": True, "ok1": True, "v": 10, "ev": 15}

# ------------------------------------------------------------------------- messages


def test_send_inbox_message_fields_and_per_sender_order(tmp_path: Path) -> None:
    main = """
    return function()
      local pid = process.spawn("echo", "processes")
      local inbox = process.inbox()
      for i = 1, 200 do assert(process.send(pid, "n", i)) end
      process.send(pid, "t", {a = {1, 2}, s = "x"})
      local got = {}
      for i = 1, 200 do
        local m = inbox:receive()
        assert(m:topic() == "echo" and m:from() == pid)
        got[#got + 1] = m:payload():data()
      end
      local t = inbox:receive():payload():data()
      process.send(pid, "stop")
      for i = 1, 200 do if got[i] ~= i then return false, "out of order at " .. i end end
      return {n = #got, a2 = t.a[2], s = t.s}
    end
    """
    assert ok(run_proc(tmp_path, {"main": main, "echo": ECHO})) == {"n": 200, "a2": 2, "s": "x"}


def test_send_errors_dead_pid_unknown_name_reserved_topic(tmp_path: Path) -> None:
    main = """
    return function()
      local pid = process.spawn_monitored("ret", "processes", 1)
      local ev = process.events():receive()          -- it has exited
      local ok1, e1 = process.send(pid, "x", 1)
      local ok2, e2 = process.send("nobody", "x", 1)
      local ok3, e3 = process.send(process.pid(), "@inbox", 1)
      local ch, e4 = process.listen("@events")
      return {ev = ev.kind, ok1 = ok1, k1 = e1:kind(), m1 = e1:message(), ok2 = ok2, k2 = e2:kind(),
              ok3 = ok3, k3 = e3:kind(), ch = ch, k4 = e4:kind()}
    end
    """
    r = ok(run_proc(tmp_path, {"main": main, "ret": RETURN}))
    assert r["ev"] == "pid.exit"
    assert r.get("ok1") is None and r["k1"] == "NotFound" and "not running" in r["m1"]
    assert r.get("ok2") is None and r["k2"] == "NotFound"
    assert r.get("ok3") is None and r["k3"] == "Invalid"
    assert r.get("ch") is None and r["k4"] == "Invalid"


def test_listen_unlisten_and_message_mode(tmp_path: Path) -> None:
    main = """
    return function()
      local me = process.pid()
      local jobs = process.listen("job")
      local full = process.listen("full", {message = true})
      process.send(me, "job", 7)
      process.send(me, "other", 8)
      process.send(me, "full", 9)
      local j = jobs:receive()
      local m = process.inbox():receive()
      local f = full:receive()
      process.unlisten(jobs)
      local v, okc = jobs:receive()                 -- closed by unlisten
      process.send(me, "job", 10)                   -- now to the inbox
      local later = process.inbox():receive()
      return {j = j, m_topic = m:topic(), m = m:payload():data(), f_topic = f:topic(), f_from = f:from() == me,
              f = f:payload():data(), v = v, okc = okc, later = later:topic()}
    end
    """
    r = ok(run_proc(tmp_path, {"main": main}))
    assert r == {"j": 7, "m_topic": "other", "m": 8, "f_topic": "full", "f_from": True, "f": 9,
                 "okc": False, "later": "job"}

# --------------------------------------------------------------- events, monitors


def test_monitored_exit_events_value_and_error(tmp_path: Path) -> None:
    main = """
    return function()
      local events = process.events()
      local a = process.spawn_monitored("ret", "processes", "fine")
      local b = process.spawn_monitored("fail", "processes", "kaput")
      local got = {}
      for i = 1, 2 do
        local ev = events:receive()
        got[ev.from == a and "a" or "b"] = ev
      end
      local eb = got.b.result.error
      return {ka = got.a.kind, va = got.a.result.value, ea = got.a.result.error, at = type(got.a.at),
              kb = got.b.kind, vb = got.b.result.value, ekind = eb:kind(), emsg = tostring(eb)}
    end
    """
    r = ok(run_proc(tmp_path, {"main": main, "ret": RETURN, "fail": FAIL}))
    assert r["ka"] == "pid.exit" and r["va"] == "fine" and r.get("ea") is None and r["at"] == "number"
    assert r["kb"] == "pid.exit" and r.get("vb") is None and r["ekind"] == "Internal" and "kaput" in r["emsg"]


def test_monitor_unmonitor_and_dead_targets(tmp_path: Path) -> None:
    main = """
    local time = require("time")
    return function()
      local events = process.events()
      local w = process.spawn("wait", "processes")
      assert(process.monitor(w))
      local again, e_again = process.monitor(w)
      process.send(w, "go")
      local ev = events:receive()
      local v = process.spawn("wait", "processes")
      assert(process.monitor(v))
      assert(process.unmonitor(v))
      process.send(v, "go")
      local r = channel.select{events:case_receive(), time.after("150ms"):case_receive()}
      local okd, ed = process.monitor(w)              -- w is dead
      local okl, el = process.link(w)
      return {kind = ev.kind, value = ev.result.value, again = again, k_again = e_again:kind(),
              quiet = r.channel ~= events, okd = okd, kd = ed:kind(), okl = okl, kl = el:kind()}
    end
    """
    r = ok(run_proc(tmp_path, {"main": main, "wait": WAIT}))
    assert r["kind"] == "pid.exit" and r["value"] == "woke"
    assert r.get("again") is None and r["k_again"] == "AlreadyExists"
    assert r["quiet"] is True
    assert r.get("okd") is None and r["kd"] == "NotFound" and r.get("okl") is None and r["kl"] == "NotFound"

# ------------------------------------------------------------------------------ links


def test_linked_failure_kills_without_trap_links(tmp_path: Path) -> None:
    parent = """
    return function()
      assert(process.get_options().trap_links == false)
      process.spawn_linked("fail", "processes", "child died")
      process.inbox():receive()        -- never: the link kills this process first
      return "survived"
    end
    """
    main = """
    return function()
      local p = process.spawn_monitored("parent", "processes")
      local ev = process.events():receive()
      local e = ev.result.error
      return {from = ev.from == p, value = ev.result.value, kind = e:kind(), msg = e:message(),
              details = e:details()}
    end
    """
    r = ok(run_proc(tmp_path, {"main": main, "parent": parent, "fail": FAIL}))
    assert r["from"] and r.get("value") is None
    assert r["kind"] == "Canceled" and "linked process" in r["msg"] and "child died" in r["msg"]
    assert r["details"]["event"] == "pid.link.down"


def test_trap_links_gets_link_down_event(tmp_path: Path) -> None:
    main = """
    local time = require("time")
    return function()
      assert(process.set_options({trap_links = true}))
      local opts = process.get_options()
      local events = process.events()
      local bad = process.spawn_linked("fail", "processes", "linked boom")
      local ev = events:receive()
      -- a normal exit of a linked process sends nothing
      local good = process.spawn_linked("ret", "processes", 1)
      local r = channel.select{events:case_receive(), time.after("150ms"):case_receive()}
      local okb, eb = process.set_options({bogus = 1})
      return {trap = opts.trap_links, kind = ev.kind, from = ev.from == bad, err = tostring(ev.result.error),
              quiet = r.channel ~= events, okb = okb, kb = eb:kind()}
    end
    """
    r = ok(run_proc(tmp_path, {"main": main, "fail": FAIL, "ret": RETURN}))
    assert r["trap"] is True and r["kind"] == "pid.link.down" and r["from"]
    assert "linked boom" in r["err"] and r["quiet"] is True
    assert r.get("okb") is None and r["kb"] == "Invalid"


def test_explicit_link_is_bidirectional_and_unlink(tmp_path: Path) -> None:
    # main links to a waiter, then fails: the waiter (not trapping) dies of it
    watcher = """
    return function(target)
      process.monitor(target)
      local ev = process.events():receive()
      return {kind = ev.kind, err = tostring(ev.result.error)}
    end
    """
    linker = """
    return function(w, u)
      assert(process.link(w))
      assert(process.link(u))
      assert(process.unlink(u))
      error("linker fails")
    end
    """
    main = """
    return function()
      local w = process.spawn("wait", "processes")
      local u = process.spawn("wait", "processes")
      local v1 = process.spawn_monitored("watcher", "processes", w)
      local v2 = process.spawn_monitored("watcher", "processes", u)
      process.spawn("linker", "processes", w, u)
      local res = {}
      local events = process.events()
      local e1 = events:receive()
      res.first = e1.from == v1 and e1.result.value or nil
      process.send(u, "go")                       -- u was unlinked: it lives, and ends normally
      local e2 = events:receive()
      res.second = e2.from == v2 and e2.result.value or nil
      return res
    end
    """
    r = ok(run_proc(tmp_path, {"main": main, "wait": WAIT, "watcher": watcher, "linker": linker}))
    assert r["first"]["kind"] == "pid.exit" and "linker fails" in r["first"]["err"]
    assert r["second"]["kind"] == "pid.exit" and r["second"]["err"] == "nil"

# ----------------------------------------------------------------- cancel, terminate


def test_cancel_is_seen_and_handled(tmp_path: Path) -> None:
    worker = """
    return function()
      local events, inbox = process.events(), process.inbox()
      while true do
        local r = channel.select{inbox:case_receive(), events:case_receive()}
        if r.channel == events and r.value.kind == process.event.CANCEL then
          local ev = r.value
          return {reason = ev.reason, from = ev.from, deadline = ev.deadline > ev.at}
        end
      end
    end
    """
    main = """
    return function()
      local w = process.spawn_monitored("worker", "processes")
      assert(process.cancel(w, "shutting down"))
      local ev = process.events():receive()
      return {kind = ev.kind, value = ev.result.value, me = process.pid()}
    end
    """
    r = ok(run_proc(tmp_path, {"main": main, "worker": worker}))
    assert r["kind"] == "pid.exit"
    assert r["value"] == {"reason": "shutting down", "from": r["me"], "deadline": True}


def test_cancel_ignored_until_terminated_at_deadline(tmp_path: Path) -> None:
    stubborn = """
    return function()
      while true do process.inbox():receive() end   -- never looks at its events
    end
    """
    main = """
    local time = require("time")
    return function()
      local w = process.spawn_monitored("stubborn", "processes")
      local t0 = time.now()
      process.cancel(w, "please")
      local early = channel.select{process.events():case_receive(), time.after("100ms"):case_receive()}
      local ev = process.events():receive()
      local e = ev.result.error
      return {early = early.channel == process.events(), kind = e:kind(), msg = e:message(),
              ms = time.now():sub(t0):milliseconds()}
    end
    """
    r = ok(run_proc(tmp_path, {"main": main, "stubborn": stubborn}, host_meta={"cancel_timeout": "300ms"}))
    assert r["early"] is False
    assert r["kind"] == "Canceled" and "did not exit within 0.3s of process.cancel" in r["msg"]
    assert 250 <= r["ms"] < 2000


def test_terminate_and_link_down_of_terminated(tmp_path: Path) -> None:
    main = """
    return function()
      process.set_options({trap_links = true})
      local w = process.spawn_linked_monitored("wait", "processes")
      assert(process.terminate(w))
      local events = process.events()
      local a, b = events:receive(), events:receive()
      local okt, et = process.terminate(w)
      return {a = a.kind, b = b.kind, err = a.result.error:kind(), okt = okt, kt = et:kind()}
    end
    """
    r = ok(run_proc(tmp_path, {"main": main, "wait": WAIT}))
    assert {r["a"], r["b"]} == {"pid.exit", "pid.link.down"}
    assert r["err"] == "Canceled" and r.get("okt") is None and r["kt"] == "NotFound"

# ----------------------------------------------------------------- the name registry


def test_registry_register_lookup_unregister_and_release(tmp_path: Path) -> None:
    named = """
    return function(name)
      assert(process.registry.register(name))
      assert(process.registry.register(name))      -- idempotent for the same process
      local inbox = process.inbox()
      while true do
        local m = inbox:receive()
        if m:topic() == "stop" then return "bye" end
        process.send(m:from(), "pong", m:payload():data())
      end
    end
    """
    main = """
    return function()
      local events = process.events()
      local pid = process.spawn_monitored("named", "processes", "svc")
      process.send(pid, "sync", 0)
      process.inbox():receive()                    -- it has registered by now
      local looked = process.registry.lookup("svc")
      process.send("svc", "ping", 42)              -- by name
      local reply = process.inbox():receive():payload():data()
      local okc, ec = process.registry.register("svc")           -- taken by another
      local np, ne = process.registry.lookup("nobody")
      local un = process.registry.unregister("nobody")
      process.send("svc", "stop")
      events:receive()
      local gone, eg = process.registry.lookup("svc")             -- released with its process
      assert(process.registry.register("mine"))
      local mine = process.registry.lookup("mine")
      local un2 = process.registry.unregister("mine")
      local gone2 = process.registry.lookup("mine")
      return {same = looked == pid, reply = reply, okc = okc, kc = ec:kind(), np = np, nk = ne:kind(),
              nm = ne:message(), un = un, gone = gone, kg = eg:kind(), mine = mine == process.pid(),
              un2 = un2, gone2 = gone2}
    end
    """
    r = ok(run_proc(tmp_path, {"main": main, "named": named}))
    assert r["same"] and r["reply"] == 42
    assert r.get("okc") is None and r["kc"] == "AlreadyExists"
    assert r.get("np") is None and r["nk"] == "NotFound" and r["nm"] == "name not registered"
    assert r["un"] is False and r.get("gone") is None and r["kg"] == "NotFound"
    assert r["mine"] and r["un2"] is True and r.get("gone2") is None


def test_with_name_use_existing_fail_and_with_message(tmp_path: Path) -> None:
    main = """
    return function()
      local b = process.with_options({}):with_name("solo")
      local p1 = b:with_message("hello", "first"):spawn("echo", "processes")
      local p2 = b:spawn("echo", "processes")                         -- use_existing
      local p3, e3 = b:with_options({conflict_policy = "fail"}):spawn("echo", "processes")
      local looked = process.registry.lookup("solo")
      local m = process.inbox():receive()                              -- echo of with_message
      process.send(p1, "stop")
      return {same = p1 == p2, p3 = p3, k3 = e3:kind(), named = looked == p1, topic = m:topic(),
              data = m:payload():data()}
    end
    """
    r = ok(run_proc(tmp_path, {"main": main, "echo": ECHO}))
    assert r["same"] and r.get("p3") is None and r["k3"] == "AlreadyExists" and r["named"]
    assert r["topic"] == "echo" and r["data"] == "first"

# ----------------------------------------------------- isolation, limits, fairness


def test_failures_and_runaways_end_only_themselves(tmp_path: Path) -> None:
    spin = "return function() local x = 0 while true do x = x + 1 end end"
    hog = 'return function() local s = string.rep("x", 64 * 1024 * 1024) return #s end'
    main = """
    return function()
      local events = process.events()
      local pids = {}
      pids[process.spawn_monitored("spin", "processes")] = "spin"
      pids[process.spawn_monitored("hog", "processes")] = "hog"
      pids[process.spawn_monitored("fail", "processes", "plain error")] = "fail"
      local out = {}
      for i = 1, 2 do  -- the hog and the failure end; the spinner is preempted, not ended
        local ev = events:receive()
        out[pids[ev.from]] = ev.result.error:message()
      end
      out.still = process.exec("ret", "processes", "alive")
      for pid, name in pairs(pids) do
        if name == "spin" then process.terminate(pid) end
      end
      local ev = events:receive()
      out[pids[ev.from]] = ev.result.error:kind()
      return out
    end
    """
    t0 = time.monotonic()
    r = ok(run_proc(tmp_path, {"main": main, "spin": spin, "hog": hog, "fail": FAIL, "ret": RETURN},
                    host_meta={"limits": {"step_timeout": "300ms", "max_memory": 32 * 1024 * 1024}}))
    assert r["spin"] == "Canceled"  # it ran, preempted, until terminated
    assert "not enough memory" in r["hog"]
    assert "plain error" in r["fail"] and r["still"] == "alive"
    assert time.monotonic() - t0 < 5


def test_fairness_ping_pong_answers_while_a_process_spins(tmp_path: Path) -> None:
    spinner = """
    local function step(x) return math.abs(x) + 1 end
    return function()
      local x = 0
      while true do x = step(x) end     -- calls a function: preempted, never ends by itself
    end
    """
    main = """
    local time = require("time")
    return function(rounds)
      local spin = process.spawn_monitored("spinner", "processes")
      local echo = process.spawn("echo", "processes")
      local inbox = process.inbox()
      local t0 = time.now()
      for i = 1, rounds do
        process.send(echo, "ping", i)
        local m = inbox:receive()
        assert(m:payload():data() == i)
      end
      local ms = time.now():sub(t0):milliseconds()
      local early = channel.select{process.events():case_receive(), default = true}
      process.terminate(spin)
      process.send(echo, "stop")
      return {ms = ms, spinner_alive = early.default == true}
    end
    """
    app = wippy.App(write_app(tmp_path, {"main": main, "spinner": spinner, "echo": ECHO},
                              host_meta={"limits": {"preempt_every": 5000, "step_timeout": "2s"}}))
    r = ok(run_in_app(app, lambda a: start_and_wait(a, "main", 100)))
    assert r["spinner_alive"] is True
    assert r["ms"] < 3000  # 100 round trips while a process computes without pause


# ------------------------------------------------------------- luavm preemption


def _drive(task: luavm.Task) -> int:
    n = 0
    task.run()
    while task.preempted:
        n += 1
        task.run()
    return n


def test_luavm_preemption_keeps_lua_semantics() -> None:
    rt = luavm.LuaRuntime(preempt_every=2000)
    task = rt.task("""
      local function g(x) return x + 1 end
      local function f(x, ...) return g(x) + select('#', ...) end
      local n = 0
      for i = 1, 30000 do n = f(n) end
      local co = coroutine.wrap(function(a)
        local s = 0
        for i = 1, 20000 do s = f(s) end
        coroutine.yield(s)
        return a
      end)
      local y = co("end")
      local ok, v = pcall(function(...) local s = 0 for i = 1, 20000 do s = f(s, ...) end return s end, 1, 2)
      local t = setmetatable({}, {__index = function(_, k) local s = 0 for i = 1, 5000 do s = f(s) end return k .. s end})
      return n, y, ok, v, co(), t.key
    """)
    n = _drive(task)
    assert task.done and task.result == [30000, 20000, True, 60000, "end", "key5000"]
    assert n > 10 and rt.state.limits.preemptions == n


def test_luavm_preemption_is_off_outside_tasks_and_unsnapshottable() -> None:
    rt = luavm.LuaRuntime(preempt_every=1000)
    assert rt.execute("local function f(x) return tostring(x) end local s for i = 1, 5000 do s = f(i) end "
                      "return s") == "5000"
    task = rt.task("local function f(x) return tostring(x) end for i = 1, 5000 do f(i) end return 1")
    task.run()
    assert task.preempted
    with pytest.raises(luavm.SnapshotError):
        task.snapshot()
    while task.preempted:
        task.run()
    assert task.result == [1]
    # a loop without calls is preempted at its back-edge
    spin = luavm.LuaRuntime(preempt_every=1000).task("local n = 0 while n < 100000 do n = n + 1 end return n")
    spin.run()
    assert spin.preempted
    while spin.preempted:
        spin.run()
    assert spin.result == [100000]
