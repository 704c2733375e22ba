"""Host suspension, snapshots and restore: the state survives bytes and processes."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings

import luavm
from fuzz.gen import programs
from fuzz.snapcheck import fetch, run_in_subprocesses, run_lua54, run_restored, run_straight

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def make(src: str, out: io.BytesIO | None = None, **kw) -> luavm.Task:
    rt = luavm.LuaRuntime(stdout=out or io.BytesIO(), seed=42)
    rt.globals()["fetch"] = fetch
    for k, v in kw.items():
        rt.globals()[k] = v
    return rt.task(src, chunkname="job.lua")


def test_run_suspend_resume_result():
    task = make("local a = fetch('x') local b, c = fetch(a .. '!') return a, b, c, ...")
    task.run()
    assert not task.done and task.request == ["fetch", "x"]
    task.run("X")
    assert task.request == ["fetch", "X!"]
    task.run(1, 2.5)  # several values answer one call
    assert task.done
    assert task.result == ["X", 1, 2.5]


def test_task_arguments_are_the_chunk_varargs():
    rt = luavm.LuaRuntime()
    task = rt.task("local a, b = ... return b, a", 1, "two")
    task.run()
    assert task.result == ["two", 1]


def test_snapshot_restore_in_process_keeps_everything():
    src = """
    local shared = 0
    local function counter() shared = shared + 1 return shared end
    local t = {name = "cyc"}; t.self = t
    local mt = setmetatable({}, {__index = function(_, k) return fetch(k) end})
    local co = coroutine.wrap(function() local v = fetch("in co") coroutine.yield(v) return "co end" end)
    math.randomseed(99)
    local ok, got = pcall(function() counter() return mt.field end)
    local r1 = co()
    do
      local c <close> = setmetatable({}, {__close = function() print("closed") end})
      counter()
      fetch("pending close")
    end
    return ok, got, r1, co(), counter(), t.self.self.name, math.random(1, 1000000)
    """
    out1 = io.BytesIO()
    straight = make(src, out1)
    straight.run()
    while not straight.done:
        straight.run(straight.request[1].upper())
    out2 = io.BytesIO()
    task = make(src, out2)
    task.run()
    steps = 0
    while not task.done:
        task = luavm.restore(task.snapshot(), stdout=out2)
        task.run(task.request[1].upper())
        steps += 1
    assert steps == 3
    assert task.result == straight.result
    assert task.result[:6] == [True, "FIELD", "IN CO", "co end", 3, "cyc"]
    assert out1.getvalue() == out2.getvalue() == b"closed\n"


def test_snapshot_keeps_value_upvalues_and_closures_without_upvalues():
    """Closures hold the values of locals never written again (no Box): a
    `local function` calling itself, a closure over a table that holds it, a
    function with no upvalues, a main chunk that does not use _ENV."""
    src = """
    local base = 10
    local function fib(n) if n < 2 then return n + base end return fib(n - 1) + fib(n - 2) end
    local reg = {}
    local function entry() return reg end
    reg.entry = entry
    local function two() return 2 end
    local one = load("return 1")
    local written = 0
    local function bump() written = written + 1 return written end
    bump()
    local got = fetch("x")
    bump()
    return got, fib(5), reg.entry() == reg, two() + one(), written, bump()
    """
    task = make(src).run()
    task = luavm.restore(task.snapshot())
    task.run("X")
    assert task.done
    assert task.result == ["X", 85, True, 3, 2, 3]



def test_snapshot_around_a_deopt_of_speculated_locals():
    """Locals speculated to be floats: a suspension in the speculating copy whose
    restored frame then leaves for the generic copy, and a suspension in the
    generic copy after such a leave, restored in a fresh runtime each time."""
    src = """
    local function run(items, scale)
      local total = 0.0
      for i = 1, #items do
        local v = items[i].w
        local y = v * scale + 0.5
        total = total + y
        if i % 2 == 0 then items[i].got = fetch(math.type(v) .. i) end
      end
      return total
    end
    local items = {{w = 1.5}, {w = 2.5}, {w = 3}, {w = 4}, {w = 5.5}}
    local t = run(items, 2.0)
    local u = run({{w = 1}, {w = 2.0}, {w = 3.0}}, 0.5)
    return t, u, items[2].got, items[4].got
    """
    straight = make(src).run()
    while not straight.done:
        straight.run(straight.request[1].upper())
    task = make(src).run()
    requests = []
    while not task.done:
        requests.append(task.request[1])
        task = luavm.restore(task.snapshot())
        task.run(task.request[1].upper())
    assert requests == ["float2", "integer4", "float2"]
    assert task.result == straight.result == [35.5, 4.5, "FLOAT2", "INTEGER4"]


def test_snapshot_inside_a_pairs_loop_goes_on_with_next():
    """A generic `for` over pairs(t) walks a generator (LuaTable.pairs); a snapshot
    saves it as nil and the restored loop continues with `next` from its key."""
    src = """
    local t = {}
    for i = 1, 6 do t["k" .. i] = i end
    local got = {}
    for k, v in pairs(t) do
      got[#got + 1] = k .. "=" .. fetch(v)
    end
    table.sort(got)
    return table.concat(got, " ")
    """
    straight = make(src)
    straight.run()
    while not straight.done:
        straight.run(str(straight.request[1] * 10))
    task = make(src)
    task.run()
    steps = 0
    while not task.done:
        task = luavm.restore(task.snapshot())
        task.run(str(task.request[1] * 10))
        steps += 1
    assert steps == 6
    assert task.result == straight.result == ["k1=10 k2=20 k3=30 k4=40 k5=50 k6=60"]

@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(programs())
def test_generated_programs_same_with_snapshot_at_every_suspension(src):
    straight = run_straight(src)
    assert run_restored(src) == straight
    ref = run_lua54(src)
    if ref is not None:
        assert straight[0] == ref


@settings(max_examples=3, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(programs(max_depth=1))
def test_generated_programs_restored_in_fresh_processes(src):
    out, result = run_in_subprocesses(src)
    straight = run_straight(src)
    assert out == straight[0]
    assert result == repr(straight[1])


def test_same_state_same_bytes_in_another_process():
    src = "local t = {1, 2, x = {y = 'z'}} t.t = t local f = function() return t end return fetch(t.x.y)"
    data = make(src).run().snapshot()
    code = (
        "import sys, luavm\nfrom fuzz.snapcheck import fetch\n"
        "rt = luavm.LuaRuntime(seed=42); rt.globals()['fetch'] = fetch\n"
        f"t = rt.task({src!r}, chunkname='job.lua'); t.run()\n"
        "sys.stdout.buffer.write(t.snapshot())"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, cwd=ROOT,
                       env={**os.environ, "PYTHONPATH": ROOT, "PYTHONHASHSEED": "123"})
    assert p.returncode == 0, p.stderr.decode()
    assert p.stdout == data


def test_snapshot_refuses_unknown_host_objects_with_their_path():
    task = make("cfg = {conn = conn}; conn = nil; return fetch(1)", conn=lambda: 1)
    task.run()
    with pytest.raises(luavm.SnapshotError, match=r"globals\.cfg\.conn"):
        task.snapshot()


def test_corrupted_and_truncated_bytes_are_refused():
    data = make("return fetch(1)").run().snapshot()
    with pytest.raises(luavm.SnapshotError):
        luavm.restore(data[: len(data) // 2])
    bad = bytearray(data)
    bad[len(bad) - 5] ^= 0xFF
    with pytest.raises(luavm.SnapshotError, match="checksum"):
        luavm.restore(bytes(bad))
    with pytest.raises(luavm.SnapshotError):
        luavm.restore(b"not a snapshot")


def test_restore_with_an_allow_list_of_host_functions():
    data = make("return fetch(1) .. fetch(2)").run().snapshot()
    with pytest.raises(luavm.SnapshotError, match="not among the functions allowed"):
        luavm.restore(data, functions=[print])
    task = luavm.restore(data, functions=[fetch])
    task.run("a")
    task.run("b")
    assert task.result == ["ab"]


def test_errors_come_out_of_run_as_lua_error():
    task = make("local x = fetch(1) error('boom: ' .. x)")
    task.run()
    with pytest.raises(luavm.LuaError) as e:
        task.run("v")
    assert str(e.value) == "job.lua:1: boom: v"
    assert "stack traceback" in e.value.lua_traceback


def test_suspend_inside_a_non_resumable_builtin_is_a_lua_error():
    src = """
    local t = {3, 1, 2}
    local ok, err = pcall(table.sort, t, function(a, b) fetch(1) return a < b end)
    return ok, err
    """
    task = make(src)
    task.run()
    assert task.done
    assert task.result == [False, "attempt to yield across a C-call boundary"]


def test_suspend_outside_a_task_is_a_lua_error():
    rt = luavm.LuaRuntime()
    rt.globals()["fetch"] = fetch
    with pytest.raises(luavm.LuaError, match="outside a task"):
        rt.execute("fetch(1)")


def test_snapshot_only_while_suspended():
    task = make("return 1")
    task.run()
    with pytest.raises(luavm.SnapshotError):
        task.snapshot()


def test_snapshots_inside_loops_of_every_compiled_kind():
    # numeric for loops of run-time kind (range or float generator), functions
    # compiled twice for integer / float / other arguments, coroutine bodies
    src = """
    fetch = fetch or function(v) return "<" .. tostring(v) .. ">" end
    local function sum(lo, hi, step)
      local s = 0
      for i = lo, hi, step do s = s + i * #fetch(i) end
      return s
    end
    local function scale(x, k)
      local r = 0.0
      for i = 1, 3 do r = r + x / k * #fetch("k" .. i) end
      return r
    end
    local co = coroutine.wrap(function(a, b)
      for i = a, b do coroutine.yield(i + #fetch("co" .. i)) end
      return "done"
    end)
    print(sum(1, 3, 1), sum(3, 1, -1), sum(0.5, 2, 0.5), sum("1", 2, 1), scale(3.0, 2.0), scale(3, 2))
    return sum(1, 3, 1), sum(3, 1, -1), sum(0.5, 2, 0.5), sum("1", 2, 1), scale(3.0, 2.0), scale(3, 2),
           co(1, 2), co(), co()
    """
    straight = run_straight(src)
    restored = run_restored(src)
    assert restored == straight
    assert straight[2] == 38  # suspensions
    assert straight[1] == [18, 18, 25.0, 15.0, 18.0, 18.0, 6, 7, "done"]
    assert straight[0] == b"18\t18\t25.0\t15.0\t18.0\t18.0\n"
    ref = run_lua54(src)
    if ref is not None:
        assert straight[0] == ref


def test_snapshots_in_fused_appends_and_generic_for_setup():
    # t[#t + 1] = v compiled as one fast path: suspensions in __len, in the value,
    # in __newindex; generic for: in __pairs, in the explist call, in a pending
    # tail call of the explist, in the iterator, with a closing value
    src = """
    fetch = fetch or function(v) return "<" .. tostring(v) .. ">" end
    local buf = {}
    buf[#buf + 1] = fetch("a")
    local m = setmetatable({}, {__len = function() return #fetch("xyz") end,
                                __newindex = function(t, k, v) rawset(t, k, v .. fetch("n")) end})
    m[#m + 1] = fetch("b")
    m[#m + 1] = "c"
    local p = setmetatable({}, {__pairs = function(t) fetch("p") return next, {x = 1}, nil end})
    for k, v in pairs(p) do buf[#buf + 1] = k .. v end
    local function three() return next, {y = 2}, nil end
    local function tail() fetch("t") return three() end
    for k, v in tail() do buf[#buf + 1] = k .. v end
    local function it(s, c) if c < s then fetch(c) return c + 1 end end
    for i in it, 2, 0 do buf[#buf + 1] = i end
    local closed = {}
    local cv = setmetatable({}, {__close = function() closed[1] = "closed" end})
    local function withclose() return it, 1, 0, cv end
    for i in withclose() do buf[#buf + 1] = i end
    for i, v in ipairs({fetch("i1"), fetch("i2")}) do buf[#buf + 1] = i .. v end
    local out = {}
    for i = 1, #buf do out[#out + 1] = tostring(buf[i]) end
    print(table.concat(out, " "), rawget(m, 6), rawget(m, 7), closed[1])
    return table.concat(out, " "), rawget(m, 6), rawget(m, 7), closed[1]
    """
    straight = run_straight(src)
    restored = run_restored(src)
    assert restored == straight
    assert straight[1] == ["<a> x1 y2 1 2 1 1<i1> 2<i2>", "c", None, "closed"]
    assert straight[2] == 12
    ref = run_lua54(src)
    if ref is not None:
        assert straight[0] == ref
