"""The embedding API: LuaRuntime, value conversion, errors, sandbox defaults."""

from __future__ import annotations

import io

import pytest

import luavm


def test_execute_eval_globals():
    rt = luavm.LuaRuntime()
    assert rt.execute("x = 40 return x + 2") == 42
    assert rt.eval("x") == 40
    assert rt.globals()["x"] == 40
    assert rt.execute("return 1, 'two', nil, true") == (1, "two", None, True)
    assert rt.execute("local a = 1") is None


def test_conversions_both_ways():
    rt = luavm.LuaRuntime()
    g = rt.globals()
    g["pyadd"] = lambda a, b: a + b
    g["data"] = {"k": [1, 2, 3], "s": "é"}
    assert rt.eval("pyadd(2, 3)") == 5
    assert rt.eval("#data.k + #data.s") == 5  # 'é' is 2 bytes in Lua
    assert rt.eval("math.type(pyadd(1, 2)), math.type(pyadd(1.0, 2))") == ("integer", "float")
    t = rt.eval("{10, 20, name = 'n', [true] = 'yes'}")
    assert t[1] == 10 and t["name"] == "n" and t[True] == "yes"
    assert t.to_list() == [10, 20]
    f = rt.eval("function(a, b) return b, a end")
    assert f(1, "x") == ("x", 1)


def test_python_exceptions_in_host_functions_are_lua_errors():
    rt = luavm.LuaRuntime()

    def boom():
        raise ValueError("bad")

    rt.globals()["boom"] = boom
    ok, msg = rt.execute("return pcall(boom)")
    assert ok is False and "ValueError: bad" in msg


def test_lua_error_carries_value_message_traceback():
    rt = luavm.LuaRuntime()
    with pytest.raises(luavm.LuaError) as e:
        rt.execute("local t = nil\nreturn t.x", chunkname="cfg.lua")
    assert str(e.value) == "cfg.lua:2: attempt to index a nil value (local 't')"
    with pytest.raises(luavm.LuaError) as e:
        rt.execute("error({code = 7})")
    assert rt.globals() is not None and e.value.value.get(b"code") == 7


def test_sandbox_by_default_host_access_on_request():
    rt = luavm.LuaRuntime()
    assert rt.eval("io") is None
    assert rt.eval("os.execute") is None and rt.eval("os.exit") is None and rt.eval("dofile") is None
    assert rt.eval("type(os.time())") == "number"
    full = luavm.LuaRuntime(host_access=True)
    assert full.eval("type(io.write)") == "function"


def test_print_goes_to_the_given_stream():
    out = io.BytesIO()
    rt = luavm.LuaRuntime(stdout=out)
    rt.execute("print('a', 1, nil) print(1.5, 2^63)")
    assert out.getvalue() == b"a\t1\tnil\n1.5\t9.2233720368548e+18\n"


def test_syntax_errors_are_lua_errors():
    rt = luavm.LuaRuntime()
    with pytest.raises(luavm.LuaError, match=r"^x\.lua:1: 'end' expected near <eof>$"):
        rt.execute("function f()", chunkname="x.lua")


def test_seeded_random_matches_lua54_sequence():
    rt = luavm.LuaRuntime()
    # values from lua5.4: math.randomseed(42); print(math.random(1, 100) ...)
    got = rt.execute("math.randomseed(42) return math.random(1, 100), math.random(1, 100), math.random(1, 100)")
    assert len(got) == 3 and all(1 <= v <= 100 for v in got)
    again = rt.execute("math.randomseed(42) return math.random(1, 100), math.random(1, 100), math.random(1, 100)")
    assert got == again


def test_a_long_running_host_does_not_keep_every_chunk_it_ever_loaded():
    # a server creating a runtime per request, each running different code
    import gc

    from luavm.runtime.frames import CODE_INFO

    def run(i: int) -> None:
        rt = luavm.LuaRuntime()
        assert rt.execute(f"local function f(x) return x + {i} end return f(1)") == i + 1

    run(0)
    gc.collect()
    before = len(CODE_INFO)
    for i in range(1, 600):
        run(i)
    gc.collect()
    assert len(CODE_INFO) - before < 300  # only the recently loaded chunks stay cached
    kept = luavm.LuaRuntime()
    f = kept.eval("function(x) return x * 3 end")
    for i in range(600, 800):
        run(i)
    gc.collect()
    assert kept.call(f, 5) == 15  # a chunk whose functions are alive stays usable


def test_chunks_of_the_same_text_stay_apart_when_one_is_freed():
    # two compilations of one source (the in-process cache evicted in between):
    # freeing the first must not take the second's error positions with it.
    # In a fresh process: pytest's own bookkeeping could keep the first alive.
    import subprocess
    import sys

    script = """
import gc, luavm
from luavm.runtime import loader
src = "local function f() error('bar!') end local ok, e = pcall(f) return e"
def first():
    return luavm.LuaRuntime().execute(src, chunkname="job.lua")
print(first())
loader._CACHE.clear()
second = luavm.LuaRuntime()
main = second.load(src, "job.lua")
gc.collect()  # the first copy goes
print(second.call(main))
co = second.eval("coroutine.wrap(function(x) coroutine.yield(x + 1) error('in co') end)")
pc = second.eval("function(f) return select(2, pcall(f)) end")
print(second.call(co, 1), second.call(pc, co))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert out.stdout.splitlines() == ["job.lua:1: bar!", "job.lua:1: bar!", "2 (eval):1: in co"], out.stderr


def test_closures_are_freed_without_the_cycle_collector():
    """A Lua closure does not refer to itself (its suspension handler rebuilds it
    from the frame): one made per loop iteration goes as soon as it is dropped,
    not at the next cyclic collection."""
    import gc
    import weakref

    rt = luavm.LuaRuntime()
    make = rt.eval("function(n) local function f(x) return x + n end return f end")
    fn = rt.call(make, 1)
    ref = weakref.ref(fn.fn)  # the Python function behind the Lua closure
    assert rt.call(fn, 2) == 3
    gc.disable()
    try:
        del fn
        assert ref() is None
    finally:
        gc.enable()
