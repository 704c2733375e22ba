"""Name by name: luavm's global and library tables hold exactly lua5.4's names.

The reference list was generated once from lua5.4 (5.4.4, the Debian build the
differential tests run against, with its LUA_COMPAT_MATHLIB names) by walking
_G, package.loaded, the string metatable and the file handles' metatable, and
is written out here so the test needs no reference interpreter. `arg` is left
out (the standalone interpreter sets it, no library does).

The runtime checked is `LuaRuntime(host_access=True)`, as the `luavm` command
has it. A sandboxed runtime (`LuaRuntime()`) holds the same names minus the
deliberate refusals documented in luavm/stdlib/sandbox.py, listed in
SANDBOX_ABSENT.
"""

from __future__ import annotations

import pytest

import luavm

# table -> (names of its functions, {other name: its type}), from lua5.4
LUA54 = {
    "_G": ("assert collectgarbage dofile error getmetatable ipairs load loadfile next pairs pcall print rawequal rawget rawlen rawset require select setmetatable tonumber tostring type warn xpcall",
        {"_G": "table", "_VERSION": "string", "coroutine": "table", "debug": "table", "io": "table", "math": "table", "os": "table", "package": "table", "string": "table", "table": "table", "utf8": "table"}),
    "coroutine": ("close create isyieldable resume running status wrap yield",
        {}),
    "debug": ("debug gethook getinfo getlocal getmetatable getregistry getupvalue getuservalue setcstacklimit sethook setlocal setmetatable setupvalue setuservalue traceback upvalueid upvaluejoin",
        {}),
    "io": ("close flush input lines open output popen read tmpfile type write",
        {"stderr": "userdata", "stdin": "userdata", "stdout": "userdata"}),
    "math": ("abs acos asin atan atan2 ceil cos cosh deg exp floor fmod frexp ldexp log log10 max min modf pow rad random randomseed sin sinh sqrt tan tanh tointeger type ult",
        {"huge": "number", "maxinteger": "number", "mininteger": "number", "pi": "number"}),
    "os": ("clock date difftime execute exit getenv remove rename setlocale time tmpname",
        {}),
    "package": ("loadlib searchpath",
        {"config": "string", "cpath": "string", "loaded": "table", "path": "string", "preload": "table", "searchers": "table"}),
    "string": ("byte char dump find format gmatch gsub len lower match pack packsize rep reverse sub unpack upper",
        {}),
    "table": ("concat insert move pack remove sort unpack",
        {}),
    "utf8": ("char codepoint codes len offset",
        {"charpattern": "string"}),
    "<string metatable>": ("__add __div __idiv __mod __mul __pow __sub __unm",
        {"__index": "table"}),
    "<file metatable>": ("__close __gc __tostring",
        {"__index": "table", "__name": "string"}),
    "<file methods>": ("close flush lines read seek setvbuf write",
        {}),
}

# what a sandboxed runtime leaves out on purpose (luavm/stdlib/sandbox.py)
SANDBOX_ABSENT = {
    "_G": {"io", "dofile", "loadfile"},
    "os": {"execute", "exit", "getenv", "remove", "rename", "setlocale", "tmpname"},
    "package": {"loadlib"},
    "debug": {"debug", "gethook", "getlocal", "getmetatable", "getregistry", "getupvalue",
              "getuservalue", "setcstacklimit", "sethook", "setlocal", "setmetatable",
              "setupvalue", "setuservalue", "upvalueid", "upvaluejoin"},
}

WALK = """
local function names(t)
  local out = {}
  for k, v in pairs(t) do
    if type(k) == "string" and not (t == _G and k == "arg") then out[k] = type(v) end
  end
  return out
end
local r = {_G = names(_G)}
for lib, t in pairs(package.loaded) do
  if lib ~= "_G" and type(t) == "table" then r[lib] = names(t) end
end
r["<string metatable>"] = names(getmetatable(""))
if io then
  r["<file metatable>"] = names(getmetatable(io.stdout))
  r["<file methods>"] = names(getmetatable(io.stdout).__index)
end
return r
"""


def expected(table: str) -> dict[str, str]:
    fns, others = LUA54[table]
    out = {name: "function" for name in fns.split()}
    out.update(others)
    return out


def actual(rt: luavm.LuaRuntime) -> dict[str, dict[str, str]]:
    view = rt.execute(WALK)
    return {lib: dict(t.items()) for lib, t in view.items()}


@pytest.fixture(scope="module")
def host_names() -> dict[str, dict[str, str]]:
    return actual(luavm.LuaRuntime(host_access=True))


@pytest.fixture(scope="module")
def sandbox_names() -> dict[str, dict[str, str]]:
    return actual(luavm.LuaRuntime())


def test_the_same_tables(host_names):
    assert sorted(host_names) == sorted(LUA54)


@pytest.mark.parametrize("table", sorted(LUA54))
def test_names_and_types(host_names, table):
    want = expected(table)
    got = host_names.get(table, {})
    assert sorted(set(want) - set(got)) == [], f"missing from {table}"
    assert sorted(set(got) - set(want)) == [], f"not in lua5.4's {table}"
    assert {k: got[k] for k in want} == want, f"types differ in {table}"


def test_sandbox_tables(sandbox_names):
    # no io library: no file handles either
    assert sorted(sandbox_names) == sorted(set(LUA54) - {"io", "<file metatable>", "<file methods>"})


@pytest.mark.parametrize("table", sorted(set(LUA54) - {"io", "<file metatable>", "<file methods>"}))
def test_sandbox_names_are_lua54s_minus_the_refusals(sandbox_names, table):
    want = set(expected(table)) - SANDBOX_ABSENT.get(table, set())
    assert sorted(sandbox_names[table]) == sorted(want)
