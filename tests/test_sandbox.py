"""Untrusted Lua: hostile scripts are stopped with a Lua error or refused, the host
survives and stays usable. Limits are small so that the whole file runs in seconds."""

from __future__ import annotations

import gc
import io
import os
import subprocess
import sys
import time
import weakref

import pytest

import luavm
from luavm import LuaError, LuaLimitError

STEPS = 50_000  # instruction budget of the loop tests
MEM = 48 * 1024 * 1024  # memory budget of the memory tests


def run(src: str, **limits: object) -> tuple[type[BaseException] | None, str, float]:
    """Run src in a fresh sandboxed runtime; (exception class or None, message, seconds)."""
    rt = luavm.LuaRuntime(stdout=io.BytesIO(), **limits)  # type: ignore[arg-type]
    t0 = time.monotonic()
    try:
        rt.execute(src)
    except LuaError as e:
        return type(e), str(e), time.monotonic() - t0
    assert rt.execute("return 1 + 1") == 2  # still usable after whatever happened
    return None, "", time.monotonic() - t0


# --------------------------------------------------------------- runaway code

LOOPS = {
    "while": "while true do end",
    "repeat": "repeat until false",
    "for_huge": "for i = 1, math.huge do end",
    "for_maxint": "for i = 1, math.maxinteger do local x = i end",
    "goto_back": "::top:: goto top",
    "goto_nested": "local n = 0 ::a:: do n = n + 1 if n > 0 then goto a end end",
    "tail_recursion": "local function f() return f() end f()",
    "mutual_tail": "local g local function f() return g() end g = function() return f() end f()",
    "generic_for": "for x in function() return 1 end do end",
    "pcall_loop": "while true do pcall(function() while true do end end) end",
    "pcall_nested": "while true do pcall(pcall, pcall, function() while true do end end) end",
    "xpcall_handler": "while true do xpcall(function() error('x') end, function() while true do end end) end",
    "error_loop": "while true do pcall(error, 'x') end",
    "coroutine_wrap": "coroutine.wrap(function() while true do end end)()",
    "coroutine_ping": """
        local co = coroutine.create(function() while true do coroutine.yield() end end)
        while true do coroutine.resume(co) end""",
    "coroutine_catches": """
        while true do
          local co = coroutine.create(function() while true do end end)
          coroutine.resume(co)
        end""",
    "index_meta": "local t = setmetatable({}, {__index = function() while true do end end}) return t.x",
    "newindex_meta": "local t = setmetatable({}, {__newindex = function() while true do end end}) t.x = 1",
    "sort_comparator": "table.sort({3, 1, 2, 5, 4}, function(a, b) while true do end end)",
    "gsub_callback": "string.gsub('abc', '%w', function() while true do end end)",
    "tostring_meta": "tostring(setmetatable({}, {__tostring = function() while true do end end}))",
    "close_handler": """
        do local x <close> = setmetatable({}, {__close = function() while true do end end}) end""",
    "gc_meta": "setmetatable({}, {__gc = function() while true do end end}) collectgarbage() while true do end",
    "load_loop": "while true do load('return 1')() end",
    "reader_forever": "load(function() return ' ' end)",
    "long_block": "local x = 0 while true do " + "x = x + 1 " * 100 + "end",
    "sort_leaf_comparator": """
        local t = {} for i = 1, 100000 do t[i] = i % 977 end
        table.sort(t, function(a, b) return a > b end)""",
    "sort_leaf_lt": """
        local mt = {__lt = function(a, b) return a[1] < b[1] end}
        local t = {} for i = 1, 30000 do t[i] = setmetatable({i % 977}, mt) end
        table.sort(t)""",
    "gsub_leaf": "string.rep('a', 100000):gsub('a', function(c) return c end)",
    "print_flood": "local s = string.rep('x', 100000) while true do print(s) end",
}


@pytest.mark.parametrize("name", sorted(LOOPS))
def test_runaway_code_hits_the_instruction_limit(name: str) -> None:
    cls, msg, secs = run(LOOPS[name], max_instructions=STEPS)
    assert cls is LuaLimitError, (cls, msg)
    assert msg.endswith("instruction limit exceeded")
    assert secs < 10


@pytest.mark.parametrize("src", [LOOPS["while"], LOOPS["pcall_loop"], LOOPS["coroutine_catches"],
                                 LOOPS["tail_recursion"]])
def test_runaway_code_hits_the_timeout(src: str) -> None:
    cls, msg, secs = run(src, timeout=0.2)
    assert cls is LuaLimitError and msg.endswith("time limit exceeded"), msg
    assert 0.2 <= secs < 2


BULK = {  # work done inside one builtin call, without Lua code running
    "pattern_backtracking": "return string.find(string.rep('a', 100000), '.-.-.-b')",
    "pattern_quadratic": "return string.find(string.rep('a', 100000), 'a*b')",
    "gmatch_backtracking": "for x in string.gmatch(string.rep('a', 50000), 'a-a-a-b') do end",
    "table_move_huge": "table.move({}, 1, math.maxinteger - 10, 2)",
    "insert_huge_len": "table.insert(setmetatable({}, {__len = function() return 1 << 60 end}), 1, 0)",
    "remove_huge_len": "table.remove(setmetatable({}, {__len = function() return 1 << 60 end}), 1)",
    "compile_huge": "load(string.rep('x = 1 ', 3000000))",
}


@pytest.mark.parametrize("name", sorted(BULK))
def test_bulk_work_in_builtins_is_stopped(name: str) -> None:
    cls, msg, secs = run(BULK[name], timeout=0.5)
    assert cls is LuaLimitError and msg.endswith("time limit exceeded"), (cls, msg)
    assert secs < 5


def test_output_counts_as_work() -> None:
    out = io.BytesIO()
    rt = luavm.LuaRuntime(stdout=out, max_instructions=STEPS)
    with pytest.raises(LuaLimitError):
        rt.execute("local s = string.rep('x', 100000) while true do print(s) end")
    assert len(out.getvalue()) <= STEPS * 256 + 200_000


def test_host_access_reader_is_limited_too() -> None:
    rt = luavm.LuaRuntime(host_access=True, max_instructions=STEPS)
    with pytest.raises(LuaLimitError):
        rt.execute("load(function() return 'x' end)")


def test_a_limit_cannot_be_defeated_but_lua_sees_the_message() -> None:
    out = io.BytesIO()
    rt = luavm.LuaRuntime(stdout=out, max_instructions=STEPS)
    with pytest.raises(LuaLimitError) as e:
        rt.execute("local ok, err = pcall(function() while true do end end) print(ok, err) return 'done'")
    assert e.value.kind == "instructions"
    assert out.getvalue() == b"false\tinstruction limit exceeded\n"
    # an error Lua raises once the limit tripped still reaches the host as the limit
    with pytest.raises(LuaLimitError):
        rt.execute("local ok, err = pcall(function() while true do end end) error('mine')")


def test_limits_are_per_step_and_exact() -> None:
    rt = luavm.LuaRuntime(max_instructions=10_000)
    for _ in range(5):  # each execute has its own budget
        assert rt.execute("local n = 0 for i = 1, 9000 do n = n + 1 end return n") == 9000
    with pytest.raises(LuaLimitError):
        rt.execute("for i = 1, 10001 do end")
    assert rt.execute("for i = 1, 9998 do end return 'ok'") == "ok"  # main entry + 9998 iterations
    f = rt.eval("function(n) for i = 1, n do end return n end")
    assert f(5000) == 5000  # a Lua function called from Python is a step too
    with pytest.raises(LuaLimitError):
        f(20_000)
    assert f(10) == 10


def test_a_host_callback_shares_the_steps_budget() -> None:
    rt = luavm.LuaRuntime(max_instructions=50_000)
    spin = rt.eval("function() for i = 1, 1000 do end end")
    rt.globals()["host"] = lambda: spin()
    with pytest.raises(LuaLimitError):
        rt.execute("for i = 1, 100 do host() end")


# ----------------------------------------------------------------- memory

MEMORY = {
    "rep_1e10": "return string.rep('x', 1e10)",
    "rep_2g": "return string.rep('x', (1 << 31) - 2)",
    "rep_sep": "return string.rep('x', 1 << 29, ',')",
    "concat_doubling": "local s = 'x' while true do s = s .. s end",
    "concat_number": "local s = string.rep('1', 1 << 24) while true do s = s .. 1 .. s end",
    "table_append": "local t = {} while true do t[#t + 1] = {} end",
    "table_index": "local t = {} local i = 0 while true do i = i + 1 t[i] = {} end",
    "table_strings": "local t = {} for i = 1, math.huge do t[i] = 'x' .. i end",
    "hash_keys": "local t = {} for i = 1, math.huge do t['k' .. i] = i end",
    "nested_tables": "local t = {} while true do t = {t, {}, {}} end",
    "closures": "local t = {} while true do local x = {} t[#t + 1] = function() return x end end",
    "gsub_amplify": "local s = string.rep('a', 4096) return s:gsub('a', string.rep('x', 1 << 20))",
    "gsub_function": "local big = string.rep('y', 1 << 20) return ('a'):rep(1000):gsub('a', function() return big end)",
    "format_doubling": "local s = 'x' while true do s = string.format('%s%s', s, s) end",
    "format_q": "local s = string.rep('\\n', 1 << 22) while true do s = string.format('%q', s) end",
    "table_concat": "local t = {} for i = 1, 1000 do t[i] = string.rep('x', 1 << 20) end return table.concat(t)",
    "concat_sep": "local t = {} for i = 1, 1 << 16 do t[i] = '' end return table.concat(t, string.rep(',', 1 << 12))",
    "pack_c": "return string.pack('c2000000000', '')",
    "pack_s": "local s = string.rep('x', 1 << 22) local f = string.rep('s', 100) return string.pack(f, table.unpack(setmetatable({}, {__index = function() return s end}), 1, 100))",
    "upper_keep": "local s = string.rep('x', 1 << 22) local t = {} while true do t[#t + 1] = s:upper() end",
    "byte_slice": "local s = string.rep('x', 1 << 24) return {s:byte(1, -1)}",
    "char_args": "return string.char(table.unpack({}, 1, 1e7))",
    "reader_pieces": "local s = string.rep('-', 1 << 20) return load(function() return s end)",
    "pcall_bomb": "while true do pcall(function() local t = {} while true do t[#t + 1] = {} end end) end",
    "coroutine_bomb": "local t = {} while true do t[#t + 1] = coroutine.create(function() end) end",
}


@pytest.mark.parametrize("name", sorted(MEMORY))
def test_memory_bombs_are_stopped(name: str) -> None:
    cls, msg, secs = run(MEMORY[name], max_memory=MEM)
    assert cls is not None, "the bomb went off without an error"
    assert issubclass(cls, LuaError)
    assert ("not enough memory" in msg or "too large" in msg or "too long" in msg
            or "too many results" in msg), msg
    assert secs < 15


def test_a_huge_string_is_refused_before_it_is_built() -> None:
    rt = luavm.LuaRuntime(max_string=1 << 20)
    t0 = time.monotonic()
    with pytest.raises(LuaLimitError, match="not enough memory") as e:
        rt.execute("return string.rep('x', (1 << 31) - 2)")
    assert e.value.kind == "memory" and time.monotonic() - t0 < 0.5
    # a refused string is an ordinary, catchable error: nothing was consumed
    assert rt.execute("local ok, e = pcall(string.rep, 'x', 1 << 21) return ok, e, #('x'):rep(1 << 19)") \
        == (False, "not enough memory", 1 << 19)
    assert rt.execute("local s = ('x'):rep(1 << 19) local ok = pcall(function() return s .. s .. s end) return ok") \
        is False
    with pytest.raises(LuaLimitError, match="not enough memory"):  # refused while it grows
        rt.execute("local s = string.rep('a', 4096) return s:gsub('a', string.rep('%0', 4096))")


def test_memory_returns_after_a_bomb_and_the_runtime_is_collected() -> None:
    gc.collect()
    blocks = sys.getallocatedblocks()
    rt = luavm.LuaRuntime(max_memory=MEM)
    with pytest.raises(LuaLimitError) as e:
        rt.execute("local t = {} G = t while true do t[#t + 1] = {} end")
    assert e.value.kind == "memory"
    rt.execute("G = nil")  # the next step runs: the runtime stays usable
    assert rt.execute("return #string.rep('ok', 10)") == 20
    ref = weakref.ref(rt)
    del rt, e
    gc.collect()
    assert ref() is None
    assert sys.getallocatedblocks() - blocks < 200_000  # the million tables are gone


def test_deep_recursion_is_a_clean_stack_overflow() -> None:
    for src in ("local function f() return 1 + f() end return f()",
                "local function f() pcall(f) end f() error('stack overflow')",
                "local t = setmetatable({}, {__index = function(t, k) return t[k] end}) return t.x",
                "local function f() return coroutine.wrap(f)() end f()"):
        cls, msg, _ = run(src, max_instructions=10 ** 7)
        assert cls is not None and issubclass(cls, LuaError), src
        assert "stack overflow" in msg or "C stack overflow" in msg, msg


def test_metamethod_cycles_end() -> None:
    cls, msg, _ = run("local a, b = {}, {} setmetatable(a, {__index = b}) setmetatable(b, {__index = a}) return a.x")
    assert cls is LuaError and "'__index' chain too long; possible loop" in msg
    cls, msg, _ = run("local a, b = {}, {} setmetatable(a, {__newindex = b}) setmetatable(b, {__newindex = a}) a.x = 1")
    assert cls is LuaError and "'__newindex' chain too long" in msg


# -------------------------------------------------------------- the sandbox

def test_host_objects_expose_nothing_to_lua() -> None:
    rt = luavm.LuaRuntime()

    class Secret:
        password = "hunter2"

    g = rt.globals()
    g["pyfn"] = lambda: "hi"
    g["obj"] = Secret()
    g["gen"] = (x for x in range(3))
    for expr in ("print.__globals", "print.__class__", "pyfn.__globals__", "pyfn.fn", "pyfn.__call__",
                 "obj.password", "obj.__class__", "obj.__dict__", "gen.gi_frame",
                 "(coroutine.running()).x", "coroutine.create(print).__class__",
                 "string.rep.__code__", "getmetatable('').__index.rep.__self__",
                 "debug.getinfo(1).func.__globals__", "setmetatable.__module__"):
        with pytest.raises(LuaError, match="attempt to index"):
            rt.eval(expr)
    for stmt in ("pyfn.x = 1", "obj.password = 'x'", "print.__globals__ = {}"):
        with pytest.raises(LuaError, match="attempt to index"):
            rt.execute(stmt)
    assert rt.eval("type(obj)") == "userdata" and rt.eval("type(pyfn)") == "function"
    assert rt.eval("getmetatable(obj)") is None and rt.eval("getmetatable(pyfn)") is None
    assert rt.eval("string.format('%s', print)").startswith(("builtin: 0x", "function: "))
    assert rt.eval("getmetatable('').__index.rep == string.rep") is True


def test_sandbox_libraries() -> None:
    rt = luavm.LuaRuntime()
    absent = ["io", "dofile", "loadfile", "os.execute", "os.exit", "os.getenv", "os.remove", "os.rename",
              "os.tmpname", "os.setlocale", "package.loadlib", "debug.getregistry", "debug.getupvalue",
              "debug.setupvalue", "debug.upvaluejoin", "debug.upvalueid", "debug.setmetatable",
              "debug.getmetatable", "debug.getlocal", "debug.setlocal", "debug.sethook",
              "debug.setuservalue", "debug.getuservalue"]
    for name in absent:
        assert rt.eval(name) is None, name
    assert rt.eval("type(debug.traceback), type(debug.getinfo)") == ("function", "function")
    assert rt.eval("require('os') == os and require('os').execute == nil") is True
    assert rt.eval("require('string') == string") is True
    with pytest.raises(LuaError, match="module 'socket' not found"):
        rt.execute("require('socket')")
    with pytest.raises(LuaError, match="no file system access"):
        rt.execute("package.path = '/etc/?' require('passwd')")
    assert rt.execute("return package.searchpath('passwd', '/etc/?')")[0] is None
    # no dumps, no binary chunks, whatever the mode
    with pytest.raises(LuaError, match="unable to dump given function"):
        rt.execute("return string.dump(function() end)")
    with pytest.raises(LuaError, match="unable to dump given function"):
        rt.execute("return load(string.dump(print))")
    for mode in ("nil", "'b'", "'bt'"):
        f, msg = rt.execute(f"return load('\\27Lua\\84\\0 rest', 'x', {mode})")
        assert f is None and "binary chunk" in msg
    f, msg = rt.execute("local n = 0 return load(function() n = n + 1 return n == 1 and '\\27Lua' or nil end)")
    assert f is None and "binary chunk" in msg
    assert rt.execute("return load('return 7')()") == 7
    assert rt.execute("return load(function() return nil end)") is not None  # an empty chunk
    # harmless: collectgarbage, __gc, __mode
    assert rt.execute("for i = 1, 1000 do collectgarbage('count') end return type(collectgarbage('count'))") \
        == "number"
    assert rt.execute("setmetatable({}, {__gc = function() error('boom') end, __mode = 'k'}) "
                      "collectgarbage() collectgarbage('collect') return 1") == 1


def test_host_access_grants_the_full_libraries() -> None:
    rt = luavm.LuaRuntime(host_access=True)
    for name in ("io", "dofile", "os.execute", "os.getenv", "debug.getupvalue", "debug.setmetatable"):
        assert rt.eval(name) is not None, name


def test_runtimes_are_isolated() -> None:
    a, b = luavm.LuaRuntime(), luavm.LuaRuntime()
    a.execute("getmetatable('').__index = {len = function() return 'evil' end} string.rep = nil x = 1")
    assert b.eval("('abc'):len(), type(string.rep), x") == (3, "function", None)


def test_error_objects_with_hostile_tostring() -> None:
    rt = luavm.LuaRuntime(max_instructions=STEPS)
    for tostring in ("function() while true do end end", "function() error('again') end",
                     "function() coroutine.yield() end", "function() return {} end",
                     "function() return nil end", "'not a function'"):
        with pytest.raises(LuaError) as e:
            rt.execute(f"error(setmetatable({{}}, {{__tostring = {tostring}}}))")
        assert str(e.value).startswith("table: 0x")  # formatting never calls Lua
        assert e.value.lua_traceback is not None
        assert isinstance(repr(e.value), str)
        # Lua's own tostring of it: a Lua error, or (with the loop) the limit
        with pytest.raises(LuaError):
            rt.execute(f"return tostring(setmetatable({{}}, {{__tostring = {tostring}}})) .. {{}}")
    assert rt.execute("return 1") == 1


def test_cli_reports_hostile_error_objects(tmp_path: object) -> None:
    import pathlib

    assert isinstance(tmp_path, pathlib.Path)
    script = tmp_path / "hostile.lua"
    for body in ("while true do end", "coroutine.yield()"):
        script.write_text(f"error(setmetatable({{}}, {{__tostring = function() {body} end}}))")
        p = subprocess.run([sys.executable, "-m", "luavm", str(script)], capture_output=True, timeout=60,
                           env={**os.environ, "LUAVM_NO_CACHE": "1"})
        assert p.returncode == 1
        assert b"(error object is a table value)" in p.stderr, p.stderr
        assert b"Traceback (most recent call last)" not in p.stderr


def test_register_module() -> None:
    rt = luavm.LuaRuntime()
    rt.register_module("config", {"name": "svc", "port": 8080})
    calls: list[str] = []

    def loader(name: str, extra: object) -> dict:
        calls.append(name)
        return {"hello": lambda who: "hello " + who}

    rt.register_module("greet", loader)
    rt.register_module("lua_mod", rt.eval("function(name) return {name = name} end"))
    assert rt.execute("return require('config').port, require('greet').hello('ada'), "
                      "require('greet') == require('greet'), require('lua_mod').name") \
        == (8080, "hello ada", True, "lua_mod")
    assert calls == ["greet"]


def ask(v: object) -> object:
    """A host call that suspends the task (module-level: snapshots name it)."""
    return luavm.suspend(["ask", v])


def test_limits_and_snapshots() -> None:
    src = "local n = ask(1) if n == 'spin' then while true do end end return n .. '!'"
    rt = luavm.LuaRuntime(max_instructions=STEPS, timeout=5)
    rt.globals()["ask"] = ask
    task = rt.task(src)
    task.run()
    data = task.snapshot()  # taken before the step that trips
    with pytest.raises(LuaLimitError):
        task.run("spin")
    assert task.error is not None
    again = luavm.restore(data, functions=[ask], max_instructions=STEPS)
    again.run("fine")
    assert again.done and again.result == ["fine!"]
    # a restored runtime is limited too
    again = luavm.restore(data, functions=[ask], max_instructions=STEPS)
    with pytest.raises(LuaLimitError):
        again.run("spin")


def test_restore_grants_host_access_only_when_asked() -> None:
    rt = luavm.LuaRuntime(host_access=True)
    rt.execute("io = nil package.loaded.io = nil")  # open files cannot be snapshotted
    rt.globals()["ask"] = ask
    task = rt.task("return ask(1)")
    task.run()
    data = task.snapshot()
    with pytest.raises(luavm.SnapshotError, match="host_access=True"):
        luavm.restore(data, functions=[ask])  # the bytes do not decide what the host grants
    t = luavm.restore(data, functions=[ask], host_access=True)
    assert t.run(5).result == [5]
    assert t.runtime.eval("type(os.execute)") == "function"


def test_invalid_limits_are_refused() -> None:
    for kw in ({"max_instructions": 0}, {"timeout": -1}, {"max_memory": 0}, {"max_string": -5}):
        with pytest.raises(ValueError):
            luavm.LuaRuntime(**kw)  # type: ignore[arg-type]
