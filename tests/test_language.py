"""Lua semantics that Python makes easy to get wrong (DESIGN.md, "Values — traps")."""

from __future__ import annotations

import io

import pytest

import luavm


def run(src: str) -> str:
    out = io.BytesIO()
    luavm.LuaRuntime(stdout=out).execute(src)
    return out.getvalue().decode()


@pytest.mark.parametrize("src, expected", [
    # strings are bytes
    ('print(#"é", #"\\xff", ("\\xff"):byte())', "2\t1\t255\n"),
    ('print(("é"):upper() == "é", ("abc"):rep(2, "-"))', "true\tabc-abc\n"),
    # true/1 and 1/1.0 as keys and in equality
    ("local t = {} t[true] = 'b' t[1] = 'i' print(t[true], t[1], t[1.0])", "b\ti\ti\n"),
    ("print(true == 1, 1 == 1.0, math.type(1), math.type(1.0))", "false\ttrue\tinteger\tfloat\n"),
    ("local t = {} t[1.0] = 'x' for k in pairs(t) do print(math.type(k)) end", "integer\n"),
    ("local t = {} t[-0.0] = 'z' print(t[0], next(t))", "z\t0\tz\n"),
    ("local t = {} t[2^53] = 1 print(next(t))", "9007199254740992\t1\n"),
    # nil and NaN keys
    ("print(select(2, pcall(function() local t = {} t[nil] = 1 end)):match(':1: (.*)'))", "table index is nil\n"),
    ("print(pcall(rawset, {}, 0/0, 1))", "false\ttable index is NaN\n"),
    # integers: wraparound and floor semantics
    ("print(math.maxinteger + 1 == math.mininteger, math.mininteger - 1 == math.maxinteger)", "true\ttrue\n"),
    ("print(math.maxinteger * 2, -7 // 2, -7 % 3, 7 // -2, 7 % -3)", "-2\t-4\t2\t-4\t-2\n"),
    ("print(select(2, pcall(function() return 1 // 0 end)):match(':1: (.*)'))", "attempt to divide by zero\n"),
    ("print(1.0 // 0, -1 // 0.0, 0/0 ~= 0/0)", "inf\t-inf\ttrue\n"),
    # float formatting %.14g
    ("print(1e15, 2^53, 0.1, 100.0, -0.0, 1/3)", "1e+15\t9.007199254741e+15\t0.1\t100.0\t-0.0\t0.33333333333333\n"),
    ("print(3 / 2, 4 / 2, 2^2, 10 // 3.0)", "1.5\t2.0\t4.0\t3.0\n"),
    # coercions
    ('print("10" + 1, "3.0" + 1, 10 .. 20, "0x10" + 0)', "11\t4.0\t1020\t16\n"),
    # multiple results and adjustment
    ("local function f() return 1, 2, 3 end print(f(), (f()), ({f()})[3], select('#', f(), f()))", "1\t1\t3\t4\n"),
    ("local a, b, c = (function() return 1 end)() print(a, b, c)", "1\tnil\tnil\n"),
    # closures get a fresh loop variable per iteration
    ("local fs = {} for i = 1, 3 do fs[i] = function() return i end end print(fs[1](), fs[2](), fs[3]())", "1\t2\t3\n"),
    ("local fs = {} local i = 1 while i <= 3 do local j = i fs[i] = function() return j end i = i + 1 end print(fs[1](), fs[3]())", "1\t3\n"),
    # <close> runs on normal exit, break, return and error
    ("""local log = {}
local function c(n) return setmetatable({}, {__close = function(_, e) log[#log+1] = n .. (e and '!' or '') end}) end
do local a <close> = c('a') end
for i = 1, 2 do local b <close> = c('b' .. i) if i == 1 then break end end
local function r() local x <close> = c('r') return 1 end r()
pcall(function() local y <close> = c('e') error('x') end)
print(table.concat(log, ' '))""", "a b1 r e!\n"),
    # pairs order is deterministic: array part, then insertion order
    ("local t = {10, 20, z = 1, a = 2} t.m = 3 local ks = {} for k in pairs(t) do ks[#ks+1] = tostring(k) end print(table.concat(ks, ' '))", "1 2 z a m\n"),
])
def test_trap(src: str, expected: str) -> None:
    assert run(src) == expected


def test_error_messages_name_variables() -> None:
    rt = luavm.LuaRuntime()
    cases = {
        "local cfg; return cfg.x": "x.lua:1: attempt to index a nil value (local 'cfg')",
        "return f()": "x.lua:1: attempt to call a nil value (global 'f')",
        "local t = {} return t.n + 1": "x.lua:1: attempt to perform arithmetic on a nil value (field 'n')",
        "return 1 < nil": "x.lua:1: attempt to compare number with nil",
        "local t = {} return 'a' .. t": "x.lua:1: attempt to concatenate a table value (local 't')",
        "local s = 'x' s:nomethod()": "x.lua:1: attempt to call a nil value (method 'nomethod')",
    }
    for src, msg in cases.items():
        with pytest.raises(luavm.LuaError) as e:
            rt.execute(src, chunkname="x.lua")
        assert str(e.value) == msg, src


def test_tail_calls_do_not_grow_the_stack_and_recursion_overflows_cleanly() -> None:
    rt = luavm.LuaRuntime()
    assert rt.execute("local function f(n) if n == 0 then return 'ok' end return f(n - 1) end return f(300000)") == "ok"
    ok, msg = rt.execute("local function g() return 1 + g() end return pcall(g)")
    assert ok is False and msg.endswith("stack overflow")


def test_debug_upvalues_of_locals_never_assigned_again() -> None:
    """Such a local is captured by value (README, deliberate differences): setupvalue
    changes that closure's copy; a `local function` whose calls are compiled for
    what it returns cannot be replaced under them, and says so."""
    src = """
    local a = 1
    local function h() return a end
    print(debug.getupvalue(h, 1), debug.setupvalue(h, 1, 7), h(), a)
    local function one() return 1 end
    local function user() return one() + 1 end
    print(pcall(debug.setupvalue, user, 1, function() return 5 end))
    print(pcall(debug.upvaluejoin, user, 1, h, 1))
    print(user())
    local function holder() return one end  -- closures made here could call it
    print(pcall(debug.setupvalue, holder, 1, 8))
    local n = 5
    local function plain() return n end
    print(debug.setupvalue(plain, 1, 8), plain())
    """
    out = io.BytesIO()
    luavm.LuaRuntime(stdout=out, host_access=True).execute(src)  # the full debug library
    assert out.getvalue().decode() == (
        "a\ta\t7\t1\n"
        "false\tbad argument #1 to 'setupvalue' (upvalue 'one' is a local function whose calls "
        "are compiled in; it cannot be replaced)\n"
        "false\tbad argument #1 to 'upvaluejoin' (upvalue 'one' is a local function whose calls "
        "are compiled in; it cannot be replaced)\n"
        "2\n"
        "false\tbad argument #1 to 'setupvalue' (upvalue 'one' is a local function whose calls "
        "are compiled in; it cannot be replaced)\n"
        "n\t8\n"
    )


def test_debug_setupvalue_keeps_the_type_code_is_compiled_for() -> None:
    """A value upvalue the code reads as of a known type (the enclosing function
    inferred it, or the closure speculates on it) takes a value of that type only;
    anything else is refused with an error saying so, not misread (README)."""
    src = """
    local k = 10
    local function add(x) return x + k end
    print(debug.setupvalue(add, 1, 3), add(1))
    print(pcall(debug.setupvalue, add, 1, 2.5))
    print(pcall(debug.setupvalue, add, 1, "7"))
    local function make(n) return function(x) return x * n end end
    local times = make(4)
    print(times(2), pcall(debug.setupvalue, times, 1, {}))
    local h = function() return k end
    print(pcall(debug.upvaluejoin, add, 1, h, 1), add(1))
    local s = "text"
    local function show() return s end
    print(debug.setupvalue(show, 1, 42), show())
    local function maker() return function(x) return x + k end end  -- passes k on
    print(pcall(debug.setupvalue, maker, 1, "5"))
    print(maker()(1))
    """
    out = io.BytesIO()
    luavm.LuaRuntime(stdout=out, host_access=True).execute(src)
    assert out.getvalue().decode() == (
        "k\t4\n"
        "false\tbad argument #3 to 'setupvalue' (upvalue 'k' is compiled as an integer; it cannot take a float)\n"
        "false\tbad argument #3 to 'setupvalue' (upvalue 'k' is compiled as an integer; it cannot take a string)\n"
        "8\tfalse\tbad argument #3 to 'setupvalue' (upvalue 'n' is compiled as an integer; it cannot take a table)\n"
        "true\t11\n"
        "s\t42\n"
        "false\tbad argument #3 to 'setupvalue' (upvalue 'k' is compiled as an integer; it cannot take a string)\n"
        "11\n"
    )
