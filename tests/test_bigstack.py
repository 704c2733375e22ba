"""An embedder calling luavm from any thread gets the `luavm` command's Lua depth
(luavm/bigstack.py), without doing anything."""

from __future__ import annotations

import contextvars
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import luavm

ROOT = Path(__file__).resolve().parent.parent

DEPTH = """
local n = 0
local function f() n = n + 1; return f() + 1 end
local ok, err = pcall(f)
print(n, err)
return n, err
"""


def _in_plain_thread(fn):
    out: list = []
    err: list = []

    def target():
        try:
            out.append(fn())
        except BaseException as e:  # noqa: BLE001
            err.append(e)

    t = threading.Thread(target=target)
    t.start()
    t.join()
    if err:
        raise err[0]
    return out[0]


def _task_depth() -> tuple[int, str]:
    rt = luavm.LuaRuntime(stdout=open("/dev/null", "wb"))  # noqa: SIM115
    t = rt.task(DEPTH).run()
    assert t.done
    n, err = t.result
    return n, err


def test_deep_recursion_from_a_plain_thread_reaches_the_commands_limit():
    n, err = _in_plain_thread(_task_depth)
    assert err == "task:3: stack overflow"
    r = subprocess.run([sys.executable, "-m", "luavm", "-"], input=DEPTH.encode(), capture_output=True,
                       cwd=ROOT, timeout=300)
    cli_n, cli_err = r.stdout.decode().split("\t")
    assert cli_err.strip() == "stdin:3: stack overflow"
    # the same limit; the few Python frames below the first Lua call differ
    assert n > 190_000 and abs(n - int(cli_n)) < 50


def test_the_main_thread_and_a_plain_thread_get_the_same_depth():
    assert _task_depth() == _in_plain_thread(_task_depth)


def test_execute_and_lua_functions_called_from_python_get_it_too():
    rt = luavm.LuaRuntime()
    rt.execute("function deep(k) if k == 0 then return 0 end return 1 + deep(k - 1) end")
    assert _in_plain_thread(lambda: rt.eval("deep(150000)")) == 150000
    deep = rt.globals()["deep"]
    assert _in_plain_thread(lambda: deep(150000)) == 150000


def test_the_embedders_recursion_limit_is_back_after_the_call():
    before = sys.getrecursionlimit()
    _in_plain_thread(lambda: luavm.LuaRuntime().eval("1"))
    assert sys.getrecursionlimit() == before


def test_host_functions_see_the_callers_context_variables():
    var: contextvars.ContextVar[str] = contextvars.ContextVar("request", default="none")
    rt = luavm.LuaRuntime()
    rt.globals()["who"] = lambda: var.get()

    def call():
        var.set("req-7")
        return rt.eval("who()")

    assert _in_plain_thread(call) == "req-7"


def test_errors_and_suspensions_reach_the_calling_thread():
    rt = luavm.LuaRuntime()
    rt.globals()["ask"] = lambda q: luavm.suspend({"q": q})
    task = rt.task("local a = ask('x') error('got ' .. a)")
    _in_plain_thread(task.run)
    assert task.request == {"q": "x"}
    with pytest.raises(luavm.LuaError, match="got y") as e:
        _in_plain_thread(lambda: task.run("y"))
    assert "stack traceback:" in (e.value.lua_traceback or "")


def test_run_with_big_stack_still_runs_long_lived_work():
    def work():
        rt = luavm.LuaRuntime()
        rt.execute("function deep(k) if k == 0 then return 0 end return 1 + deep(k - 1) end")
        return [rt.eval("deep(100000)") for _ in range(3)]

    assert luavm.run_with_big_stack(work) == [100000] * 3


def test_a_failed_run_frees_its_lua_frames_without_the_cycle_collector():
    """The hand-off must not tie the error to its own frame: a cycle would keep
    every frame of the failed run, and what its locals hold, until a collection."""
    import gc
    import weakref

    class Marker:
        pass

    box = [Marker()]
    ref = weakref.ref(box[0])
    rt = luavm.LuaRuntime()

    def call():
        try:
            rt.execute("local keep = ... local function f() error('x') end f()", box.pop())
        except luavm.LuaError:
            pass

    gc.disable()
    try:
        _in_plain_thread(call)
        assert ref() is None
    finally:
        gc.enable()
