"""Regression tests for bugs found by the fuzzers in fuzz/ (see fuzz/README.md).

Most regressions are Lua programs in tests/lua/fuzz_*.lua (run by the
differential suite); the ones here check things a Lua program cannot see.
"""

from __future__ import annotations

import io
import warnings

import luavm


def run(src: str) -> bytes:
    out = io.BytesIO()
    luavm.LuaRuntime(stdout=out).execute(src)
    return out.getvalue()


def test_no_python_warnings_when_compiling_constant_stores():
    # t[k] = <constant> generated `b'big' is not None` (SyntaxWarning: "is not" with a literal)
    src = "local t = {} local k = 1 t[k] = 'big' t[k + 1] = 2.5 t[k + 2] = true print(t[1], t[2], t[3])"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert run(src) == b"big\t2.5\ttrue\n"


def test_deep_nesting_is_a_lua_error_not_a_python_syntax_error():
    # CPython allows 20 nested blocks per code object: deeper Lua loops in one
    # function raised SyntaxError out of execute()/load();
    # function; either it runs (deep functions are flattened) or it is a Lua error
    deep = "local x = 0\n" + "for i = 1, 1 do\n" * 25 + "x = x + 1\n" + "end\n" * 25 + "return x"
    rt = luavm.LuaRuntime()
    try:
        assert rt.execute(deep, chunkname="=deep") == 1
    except luavm.LuaError as e:
        assert e.value == b"deep:21: function too complex for luavm (too many statically nested blocks)"
    r = rt.execute("local f, e = load(...) if f then return f() end return e", deep)
    assert r == 1 or "too complex" in r


def test_coroutine_body_too_deep_for_a_generator_form_still_runs():
    # the generator form of a coroutine body nests one level more than the function:
    # when Python refuses it, the regular form runs the coroutine
    body = "local x = 0\n" + "for i = 1, 1 do\n" * 18 + "x = x + coroutine.yield(i)\n" + "end\n" * 18 + "return x"
    src = f"local co = coroutine.wrap(function()\n{body}\nend)\nreturn co(), co(5)"
    assert luavm.LuaRuntime().execute(src) == (1, 5)


def test_no_python_warnings_when_calling_constants():
    # `(1)()` / `return ('x')()` generated `1()` in Python: SyntaxWarning "'int' object is not callable"
    src = ("local r = {} r[1] = select(2, pcall(function() return (1)() end)) "
           "r[2] = select(2, pcall(function() local x = ('x')() end)) "
           "r[3] = select(2, pcall(function() (nil)() end)) return table.concat(r, '|')")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert luavm.LuaRuntime().execute(src, chunkname="=c") == (
            "c:1: attempt to call a number value|c:1: attempt to call a string value (constant 'x')"
            "|c:1: attempt to call a nil value")


def test_sandboxed_load_checks_mode_then_name_then_chunk():
    # found by fuzz/ runtime (which runs sandboxed): same order and messages as lua5.4;
    # a binary chunk that the mode excludes gets Lua's message, not the sandbox's
    src = open(__file__.replace("test_fuzz_regressions.py", "lua/fuzz_load_mode_order.lua"), "rb").read()
    out = io.BytesIO()
    luavm.LuaRuntime(stdout=out).execute(src, chunkname="@x")
    assert out.getvalue().decode().splitlines() == [
        "nil\tattempt to load a text chunk (mode is '')",
        "nil\tattempt to load a text chunk (mode is '')",
        "nil\tattempt to load a text chunk (mode is 'b')",
        "nil\tattempt to load a binary chunk (mode is '')",
        "nil\tattempt to load a binary chunk (mode is 't')",
        "false\tbad argument #3 to 'load' (string expected, got boolean)",
        "false\tbad argument #3 to 'load' (string expected, got table)",
        "false\tbad argument #2 to 'load' (string expected, got table)",
        "false\tbad argument #2 to 'load' (string expected, got table)",
        "false\tbad argument #1 to 'load' (function expected, got nil)",
        "false\tbad argument #1 to 'load' (function expected, got no value)",
        "nil\tattempt to load a text chunk (mode is 'b')",
        "42",
    ]


def test_snapshot_with_dead_temporaries_past_int64():
    # found by fuzz/ snapshot: a loop counter one step past mininteger (or a walrus
    # temp of an overflowing add) is a live Python local; msgpack could not write it
    from fuzz.snapcheck import run_task

    src = ("for i = math.mininteger + 2, math.mininteger, -1 do print(i) end\n"
           "local x = math.maxinteger local y = x + 1\n"
           "for j = math.maxinteger - 1, math.maxinteger do print(j) end\n"
           "print(fetch(y)) return y")
    straight = run_task(src, restore_each=False)
    restored = run_task(src, restore_each=True)
    assert straight == restored
    assert straight[1] == [-(2**63)] and straight[3] == 1


def test_snapshot_of_a_request_made_from_non_utf8_lua_bytes():
    # found by fuzz/ snapshot: fetch("\xff") made a request str with surrogates that
    # msgpack refused (UnicodeEncodeError out of task.snapshot())
    from fuzz.snapcheck import fetch

    rt = luavm.LuaRuntime()
    rt.globals()["fetch"] = fetch
    task = rt.task("return fetch('\\xff\\xfe ok') .. '!'")
    task.run()
    assert task.request == ["fetch", "\udcff\udcfe ok"]
    task = luavm.restore(task.snapshot())
    assert task.request == ["fetch", "\udcff\udcfe ok"]
    task.run(task.request[1])
    assert task.result == ["\udcff\udcfe ok!"]


def test_close_runs_after_a_host_suspension_in_a_function_called_by_a_coroutine():
    # resumed in place (no snapshot), the frame continued inside the coroutine's
    # `except _Suspend` handler saw that exception in sys.exc_info() and took its
    # block's exit for another unwinding: the __close never ran
    from fuzz.snapcheck import run_restored, run_straight

    src = """
    local co = coroutine.wrap(function()
      local function inner()
        do
          local c <close> = setmetatable({}, {__close = function(_, e) print("closed", e) end})
          print(fetch("x"))
        end
        return "done"
      end
      print(inner())
    end)
    co()
    """
    straight = run_straight(src)
    assert straight[0] == b"<x>\nclosed\tnil\ndone\n"
    assert run_restored(src) == straight



def test_error_level_2_in_a_pcall_continued_after_a_host_suspension():
    # continued after the suspension, the pcall ran from PcallRecord.cont, not from
    # the builtin: `error(msg, 2)` skipped that level and named the coroutine's line
    # (fuzz seed 53; lua5.4 gives no position: level 2 is pcall, a C function)
    from fuzz.snapcheck import run_restored, run_straight

    src = """
    local co = coroutine.create(function()
      local ok, e = pcall(function()
        local v = fetch("x")
        error("boom", 2)
      end)
      print(ok, e)
      local ok2, e2 = pcall(function() error("plain", 2) end)
      print(ok2, e2)
    end)
    print(coroutine.resume(co))
    """
    straight = run_straight(src)
    assert straight[0] == b"false\tboom\nfalse\tplain\ntrue\n"
    assert run_restored(src) == straight

def test_snapshot_target_ignores_addresses_of_restored_objects():
    # a table printed after a restore is a new object: only its address differs
    from fuzz.targets.snapshot import check_program

    src = b"print(pcall(function() local r = coroutine.wrap(function() error({}) end)() return r end))"
    assert check_program(src) is None


def test_error_of_a_wrap_coroutine_continued_after_a_host_suspension_has_its_position():
    # a wrap function puts its caller's position in front of a string error
    # (auxwrap); continued after a suspension, no wrap function is on the stack and
    # the prefix was missing (fuzz seed 94)
    from fuzz.snapcheck import run_restored, run_straight

    src = """
    local co = coroutine.wrap(function(a)
      local x = fetch(a)
      return x * {}
    end)
    print(pcall(function()
      return co("a")
    end))
    print(pcall(function() local r = co() return r end))
    """
    straight = run_straight(src)
    assert straight[0] == (b"false\tprog:7: prog:4: attempt to mul a 'string' with a 'table'\n"
                           b"false\tprog:9: cannot resume dead coroutine\n")
    assert run_restored(src) == straight


def test_concat_metamethod_result_as_a_call_argument():
    # differential seed 231: lua5.4.4 itself fails this call with "attempt to call a
    # nil value" (a reference bug: `"" .. (o .. "")` as an argument, with a __concat
    # written in Lua that concatenates call results); the manual's answer is the
    # concatenation, which luavm gives
    src = """
    local mt = {__concat = function(a, b)
      local function s(x) if type(x) == 'table' then return 'V' end return tostring(x) end
      return s(a) .. '&' .. s(b)
    end}
    local o = setmetatable({}, mt)
    print(pcall(function() print("" .. (o .. "")) end))
    print(pcall(function() error("" .. (o .. ""), 0) end))
    """
    assert run(src) == b"V&\ntrue\nfalse\tV&\n"
