"""Tests of the `table` library against lua5.4 (5.4.4) behaviour.

Each case calls a function on a fresh table built from a Python list and shows
the table's slots 1..len+2 after the call, then the results; the expected lines
come from lua5.4 (and are re-checked live when it is installed).
"""

from __future__ import annotations

import math
import shutil
import subprocess
from typing import Any

import pytest

from luavm.runtime import frames
from luavm.runtime import state as rstate
from luavm.runtime.state import LuaState
from luavm.runtime.values import MAXINT, MININT, LuaError, LuaTable, Ret, tostr
from luavm.stdlib import lstring, ltable

LUA = shutil.which("lua5.4")
INF = math.inf
NAN = math.nan


@pytest.fixture
def st(monkeypatch: pytest.MonkeyPatch) -> Any:
    # Builtins are called straight from Python here; keep the runtime's registry of
    # builtins (which renames them after their Lua caller) out of the messages.
    monkeypatch.setattr(frames, "BUILTINS", {})
    s = LuaState()
    prev = rstate.activate(s)
    lstring.open(s)  # strings index through their metatable, as in `table.unpack("abc")`
    s.lib = ltable.open(s)
    yield s
    rstate.activate(prev)


def mk(items: list) -> LuaTable:
    """A table like the Lua constructor `{...}` of `items` (nested lists become tables)."""
    t = LuaTable()
    for i, v in enumerate(items, 1):
        if v is not None:
            t.set(i, mk(v) if type(v) is list else v)
    return t


def dump(t: Any, k: int) -> str:
    if type(t) is not LuaTable:
        return "-"
    vals = ",".join(tostr(t.get(i)).decode("latin-1") for i in range(1, k + 1))
    return "{" + vals + "}|n=" + tostr(t.get(b"n")).decode("latin-1")


def show_call(fn: Any, args: tuple) -> str:
    """Call fn and format like the Lua side: dump of the first (table) argument, results."""
    a = [mk(x) if type(x) is list else x for x in args]
    try:
        r = fn(*a)
    except LuaError as e:
        return "false\t" + tostr(e.value).decode("latin-1")
    vals = r if type(r) is Ret else (r,)
    head = dump(a[0], len(args[0]) + 2) if args and type(args[0]) is list else "-"
    shown = [dump(v, 4) if type(v) is LuaTable else tostr(v).decode("latin-1") for v in vals]
    return "\t".join(["true", head, *shown]).replace("\n", "\\n")


def lit(v: Any) -> str:
    if v is None:
        return "nil"
    if type(v) is bool:
        return "true" if v else "false"
    if type(v) is int:
        return "math.mininteger" if v == MININT else str(v)
    if type(v) is float:
        if math.isnan(v):
            return "-(0/0)" if math.copysign(1.0, v) > 0 else "(0/0)"
        if math.isinf(v):
            return "(1/0)" if v > 0 else "(-1/0)"
        return repr(v)
    if type(v) is bytes:
        return '"' + "".join(f"\\{c}" if c < 32 or c > 126 or c in b'"\\' else chr(c) for c in v) + '"'
    if type(v) is list:
        return "{" + ", ".join(lit(x) for x in v) + "}"
    raise TypeError(v)


LUA_PRE = r"""local function dump(t, k) if type(t) ~= "table" then return "-" end
local o = {} for i = 1, k do o[i] = tostring(rawget(t, i)) end
return "{" .. table.concat(o, ",") .. "}|n=" .. tostring(rawget(t, "n")) end
local function show(f) local r = table.pack(pcall(f))
if not r[1] then r[2] = tostring(r[2]):gsub("^[^:]*:%d+: ", "") end
for i = 1, r.n do r[i] = type(r[i]) == "table" and dump(r[i], 4) or tostring(r[i]) end
print((table.concat(r, "\t", 1, r.n):gsub("\n", "\\n"))) end
"""


def run_lua_calls(calls: list[tuple[str, tuple]]) -> list[str]:
    src = LUA_PRE
    for fn, args in calls:
        if args and type(args[0]) is list:
            rest = "".join(", " + lit(a) for a in args[1:])
            src += (f"show(function() local a1 = {lit(args[0])} local r = table.pack({fn}(a1{rest})) "
                    f"return dump(a1, {len(args[0]) + 2}), table.unpack(r, 1, r.n) end)\n")
        else:
            src += (f"show(function() local r = table.pack({fn}({', '.join(lit(a) for a in args)})) "
                    "return '-', table.unpack(r, 1, r.n) end)\n")
    out = subprocess.run([LUA, "-"], input=src.encode(), capture_output=True, check=True).stdout
    return out.decode("latin-1").split("\n")[:-1]


def run_lua(src: str) -> str:
    return subprocess.run([LUA, "-e", src], capture_output=True, check=True).stdout.decode("latin-1")


CASES = [
    ('table.insert', ([1, 2, 3], b'x'), 'true\t{1,2,3,x,nil}|n=nil'),
    ('table.insert', ([1, 2, 3], 1, b'x'), 'true\t{x,1,2,3,nil}|n=nil'),
    ('table.insert', ([1, 2, 3], 2, b'x'), 'true\t{1,x,2,3,nil}|n=nil'),
    ('table.insert', ([1, 2, 3], 4, b'x'), 'true\t{1,2,3,x,nil}|n=nil'),
    ('table.insert', ([1, 2, 3], 5, b'x'), "false\tbad argument #2 to 'insert' (position out of bounds)"),
    ('table.insert', ([1, 2, 3], 0, b'x'), "false\tbad argument #2 to 'insert' (position out of bounds)"),
    ('table.insert', ([], 1, b'x'), 'true\t{x,nil}|n=nil'),
    ('table.insert', ([], 2, b'x'), "false\tbad argument #2 to 'insert' (position out of bounds)"),
    ('table.insert', ([1, 2, 3], 2, None), 'true\t{1,nil,2,3,nil}|n=nil'),
    ('table.insert', ([1, 2, 3], 1.0, b'x'), 'true\t{x,1,2,3,nil}|n=nil'),
    ('table.insert', ([1, 2, 3], 1.5, b'x'), "false\tbad argument #2 to 'insert' (number has no integer representation)"),
    ('table.insert', ([1, 2, 3], b'2', b'x'), 'true\t{1,x,2,3,nil}|n=nil'),
    ('table.insert', ([],), "false\twrong number of arguments to 'insert'"),
    ('table.insert', ([], 1, 2, 3), "false\twrong number of arguments to 'insert'"),
    ('table.insert', (None, 1), "false\tbad argument #1 to 'insert' (table expected, got nil)"),
    ('table.insert', (b'abc', 1), "false\tbad argument #1 to 'insert' (table expected, got string)"),
    ('table.insert', ([1, 2, 3], -1, b'x'), "false\tbad argument #2 to 'insert' (position out of bounds)"),
    ('table.insert', ([1, 2], MININT, b'x'), "false\tbad argument #2 to 'insert' (position out of bounds)"),
    ('table.insert', ([1, 2, 3], None), 'true\t{1,2,3,nil,nil}|n=nil'),
    ('table.insert', (), "false\tbad argument #1 to 'insert' (table expected, got no value)"),
    ('table.insert', (5, 1), "false\tbad argument #1 to 'insert' (table expected, got number)"),
    ('table.remove', ([1, 2, 3],), 'true\t{1,2,nil,nil,nil}|n=nil\t3'),
    ('table.remove', ([1, 2, 3], 1), 'true\t{2,3,nil,nil,nil}|n=nil\t1'),
    ('table.remove', ([1, 2, 3], 2), 'true\t{1,3,nil,nil,nil}|n=nil\t2'),
    ('table.remove', ([1, 2, 3], 3), 'true\t{1,2,nil,nil,nil}|n=nil\t3'),
    ('table.remove', ([1, 2, 3], 4), 'true\t{1,2,3,nil,nil}|n=nil\tnil'),
    ('table.remove', ([1, 2, 3], 5), "false\tbad argument #1 to 'remove' (position out of bounds)"),
    ('table.remove', ([1, 2, 3], 0), "false\tbad argument #1 to 'remove' (position out of bounds)"),
    ('table.remove', ([],), 'true\t{nil,nil}|n=nil\tnil'),
    ('table.remove', ([], 0), 'true\t{nil,nil}|n=nil\tnil'),
    ('table.remove', ([], 1), 'true\t{nil,nil}|n=nil\tnil'),
    ('table.remove', ([], -1), "false\tbad argument #1 to 'remove' (position out of bounds)"),
    ('table.remove', ([], 2), "false\tbad argument #1 to 'remove' (position out of bounds)"),
    ('table.remove', ([1, 2, 3], None), 'true\t{1,2,nil,nil,nil}|n=nil\t3'),
    ('table.remove', ([1, 2, 3], 1.5), "false\tbad argument #2 to 'remove' (number has no integer representation)"),
    ('table.remove', (None,), "false\tbad argument #1 to 'remove' (table expected, got nil)"),
    ('table.remove', ([1, 2, 3], -1), "false\tbad argument #1 to 'remove' (position out of bounds)"),
    ('table.remove', ([1, 2, 3], b'1'), 'true\t{2,3,nil,nil,nil}|n=nil\t1'),
    ('table.concat', ([1, 2, 3],), 'true\t{1,2,3,nil,nil}|n=nil\t123'),
    ('table.concat', ([1, 2, 3], b', '), 'true\t{1,2,3,nil,nil}|n=nil\t1, 2, 3'),
    ('table.concat', ([1, 2.5, b'x', -0.0, MAXINT], b'-'), 'true\t{1,2.5,x,-0.0,9223372036854775807,nil,nil}|n=nil\t1-2.5-x--0.0-9223372036854775807'),
    ('table.concat', ([1, [], 3],), "false\tinvalid value (table) at index 2 in table for 'concat'"),
    ('table.concat', ([1, 2, 3], b', ', 2, 3), 'true\t{1,2,3,nil,nil}|n=nil\t2, 3'),
    ('table.concat', ([1, 2, 3], b', ', 3, 2), 'true\t{1,2,3,nil,nil}|n=nil\t'),
    ('table.concat', ([], b'x'), 'true\t{nil,nil}|n=nil\t'),
    ('table.concat', ([1, 2, 3], None, 1, 5), "false\tinvalid value (nil) at index 4 in table for 'concat'"),
    ('table.concat', ([1, 2, 3], []), "false\tbad argument #2 to 'concat' (string expected, got table)"),
    ('table.concat', ([1, 2, 3], 1, 1, 2), 'true\t{1,2,3,nil,nil}|n=nil\t112'),
    ('table.concat', ([b'a', b'b'], b'', -1, 1), "false\tinvalid value (nil) at index -1 in table for 'concat'"),
    ('table.concat', ([1, 2, 3], None, None, 3.5), "false\tbad argument #4 to 'concat' (number has no integer representation)"),
    ('table.concat', (None,), "false\tbad argument #1 to 'concat' (table expected, got nil)"),
    ('table.concat', ([1, 2, 3], b'', 3), 'true\t{1,2,3,nil,nil}|n=nil\t3'),
    ('table.concat', ([b'a\x00b', b'c'], b'\x00'), 'true\t{a\x00b,c,nil,nil}|n=nil\ta\x00b\x00c'),
    ('table.concat', ([True],), "false\tinvalid value (boolean) at index 1 in table for 'concat'"),
    ('table.concat', ([1, 2], b'x', MAXINT, MAXINT), "false\tinvalid value (nil) at index 9223372036854775807 in table for 'concat'"),
    ('table.unpack', ([1, 2, 3],), 'true\t{1,2,3,nil,nil}|n=nil\t1\t2\t3'),
    ('table.unpack', ([1, 2, 3], 2), 'true\t{1,2,3,nil,nil}|n=nil\t2\t3'),
    ('table.unpack', ([1, 2, 3], 2, 3), 'true\t{1,2,3,nil,nil}|n=nil\t2\t3'),
    ('table.unpack', ([1, 2, 3], -1, 1), 'true\t{1,2,3,nil,nil}|n=nil\tnil\tnil\t1'),
    ('table.unpack', ([1, 2, 3], 3, 1), 'true\t{1,2,3,nil,nil}|n=nil'),
    ('table.unpack', ([], 1, 999990), 'false\ttoo many results to unpack'),
    ('table.unpack', ([], MININT, MAXINT), 'false\ttoo many results to unpack'),
    ('table.unpack', ([], 1, 10000000.0), 'false\ttoo many results to unpack'),
    ('table.unpack', ([], 0, 2147483648), 'false\ttoo many results to unpack'),
    ('table.unpack', ([1, 2, 3], 1.5), "false\tbad argument #2 to 'unpack' (number has no integer representation)"),
    ('table.unpack', (None,), 'false\tattempt to get length of a nil value'),
    ('table.unpack', (b'abc',), 'true\t-\tnil\tnil\tnil'),
    ('table.unpack', ([1, 2, 3], None, 5), 'true\t{1,2,3,nil,nil}|n=nil\t1\t2\t3\tnil\tnil'),
    ('table.unpack', ([], MAXINT - 1, MAXINT), 'true\t{nil,nil}|n=nil\tnil\tnil'),
    ('table.unpack', ([], MININT, MININT + 2), 'true\t{nil,nil}|n=nil\tnil\tnil\tnil'),
    ('table.unpack', ([],), 'true\t{nil,nil}|n=nil'),
    ('table.unpack', (None, 1, 2), 'false\tattempt to index a nil value'),
    ('table.unpack', ([1, 2], b'1', b'2'), 'true\t{1,2,nil,nil}|n=nil\t1\t2'),
    ('table.unpack', (5,), 'false\tattempt to get length of a number value'),
    ('table.move', ([1, 2, 3], 1, 3, 2), 'true\t{1,1,2,3,nil}|n=nil\t{1,1,2,3}|n=nil'),
    ('table.move', ([1, 2, 3], 2, 3, 1), 'true\t{2,3,3,nil,nil}|n=nil\t{2,3,3,nil}|n=nil'),
    ('table.move', ([1, 2, 3], 1, 3, 3), 'true\t{1,2,1,2,3}|n=nil\t{1,2,1,2}|n=nil'),
    ('table.move', ([1, 2, 3], 1, 0, 5), 'true\t{1,2,3,nil,nil}|n=nil\t{1,2,3,nil}|n=nil'),
    ('table.move', ([1, 2, 3], 1, 3, -1), 'true\t{3,2,3,nil,nil}|n=nil\t{3,2,3,nil}|n=nil'),
    ('table.move', ([], 1, MAXINT, 2), "false\tbad argument #4 to 'move' (destination wrap around)"),
    ('table.move', ([], -1, MAXINT, 2), "false\tbad argument #3 to 'move' (too many elements to move)"),
    ('table.move', ([1, 2], 1, 2, MAXINT), "false\tbad argument #4 to 'move' (destination wrap around)"),
    ('table.move', ([], 1, 2, 3, 4), "false\tbad argument #5 to 'move' (table expected, got number)"),
    ('table.move', ([], 1, 2), "false\tbad argument #4 to 'move' (number expected, got no value)"),
    ('table.move', ([], 1.5, 2, 3), "false\tbad argument #2 to 'move' (number has no integer representation)"),
    ('table.move', (None, 1, 2, 3), "false\tbad argument #1 to 'move' (table expected, got nil)"),
    ('table.move', ([1, 2, 3], 1, 3, 1, None), 'true\t{1,2,3,nil,nil}|n=nil\t{1,2,3,nil}|n=nil'),
    ('table.move', ([1, 2, 3], MININT, MININT, 1), 'true\t{nil,2,3,nil,nil}|n=nil\t{nil,2,3,nil}|n=nil'),
    ('table.move', ([1, 2, 3], 2, 2, MAXINT), 'true\t{1,2,3,nil,nil}|n=nil\t{1,2,3,nil}|n=nil'),
    ('table.sort', ([3, 1, 2],), 'true\t{1,2,3,nil,nil}|n=nil'),
    ('table.sort', ([3, 1, b'x'],), 'false\tattempt to compare string with number'),
    ('table.sort', ([5, 2, 8, 1, 9, 3], None), 'true\t{1,2,3,5,8,9,nil,nil}|n=nil'),
    ('table.sort', ([3, 1, 2], 5), "false\tbad argument #2 to 'sort' (function expected, got number)"),
    ('table.sort', ([b'b', b'a', b'c', b'a\x00', b''],), 'true\t{,a,a\x00,b,c,nil,nil}|n=nil'),
    ('table.sort', ([3, 1, 2.5, 2],), 'true\t{1,2,2.5,3,nil,nil}|n=nil'),
    ('table.sort', ([3, 1, 2], []), "false\tbad argument #2 to 'sort' (function expected, got table)"),
    ('table.sort', (b'abc',), "false\tbad argument #1 to 'sort' (table expected, got string)"),
    ('table.sort', ([1.0, 1, -0.0, 0.0, 1, 1.0, 0],), 'true\t{0,-0.0,0.0,1.0,1,1,1.0,nil,nil}|n=nil'),
    ('table.sort', ([2, 1, None],), 'true\t{1,2,nil,nil,nil}|n=nil'),
    ('table.sort', ([],), 'true\t{nil,nil}|n=nil'),
    ('table.sort', ([1],), 'true\t{1,nil,nil}|n=nil'),
    ('table.sort', (None,), "false\tbad argument #1 to 'sort' (table expected, got nil)"),
    ('table.sort', ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0.5, -1, 3.5],), 'true\t{-1,0.5,1,2,3,3.5,4,5,6,7,8,9,10,11,12,nil,nil}|n=nil'),
    ('table.sort', ([NAN, 1, 2, 3],), 'true\t{nan,1,2,3,nil,nil}|n=nil'),
    ('table.sort', ([3, 2, 1, INF, -INF],), 'true\t{-inf,1,2,3,inf,nil,nil}|n=nil'),
    ('table.pack', (), 'true\t-\t{nil,nil,nil,nil}|n=0'),
    ('table.pack', (1, None, 3), 'true\t-\t{1,nil,3,nil}|n=3'),
    ('table.pack', (None,), 'true\t-\t{nil,nil,nil,nil}|n=1'),
]


@pytest.mark.parametrize(("fname", "args", "expected"), CASES)
def test_table_case(st: Any, fname: str, args: tuple, expected: str) -> None:
    fn = st.lib.get(fname.split(".", 1)[1].encode())
    assert show_call(fn, args) == expected


@pytest.mark.skipif(LUA is None, reason="lua5.4 not installed")
def test_cases_match_live_lua() -> None:
    assert run_lua_calls([(f, a) for f, a, _ in CASES]) == [e for _, _, e in CASES]


def test_library_contents(st: Any) -> None:
    names = set()
    k = None
    while (e := st.lib.next(k)) is not None:
        k = e[0]
        names.add(k)
    assert names == {b"concat", b"insert", b"move", b"pack", b"remove", b"sort", b"unpack"}


def test_pack_sets_n_and_unpack_roundtrip(st: Any) -> None:
    t = ltable.tpack(1, None, 3, None)
    assert t.get(b"n") == 4
    assert [t.get(i) for i in range(1, 5)] == [1, None, 3, None]
    assert tuple(ltable.tunpack(t, 1, t.get(b"n"))) == (1, None, 3, None)


def test_unpack_huge_range_fails_fast(st: Any) -> None:
    for i, j in ((1, MAXINT), (MININT, MAXINT), (MININT, 0), (1, 10**6)):
        with pytest.raises(LuaError, match="too many results to unpack"):
            ltable.tunpack(LuaTable(), i, j)


def test_move_between_tables(st: Any) -> None:
    src, dst = mk([1, 2, 3]), mk([b"a", b"b", b"c", b"d"])
    assert ltable.tmove(src, 1, 3, 2, dst) is dst
    assert dump(dst, 5) == "{a,1,2,3,nil}|n=nil"
    assert dump(src, 3) == "{1,2,3}|n=nil"


def _proxy(backing: LuaTable, log: list) -> LuaTable:
    """A table that keeps its contents elsewhere through __index/__newindex/__len."""
    mt = LuaTable()

    def index(t: Any, k: Any) -> Any:
        log.append(("get", k))
        return backing.get(k)

    def newindex(t: Any, k: Any, v: Any) -> None:
        log.append(("set", k, v))
        backing.set(k, v)

    def length(t: Any, *_: Any) -> int:  # __len gets the operand twice
        assert rstate.current.current.nny > 0  # called where a yield is refused
        return backing.length()

    mt.set(b"__index", index)
    mt.set(b"__newindex", newindex)
    mt.set(b"__len", length)
    p = LuaTable()
    p.meta = mt
    return p


def test_functions_respect_metamethods(st: Any) -> None:
    backing = mk([1, 2, 3])
    log: list = []
    p = _proxy(backing, log)
    ltable.tinsert(p, 1, b"x")
    assert dump(backing, 5) == "{x,1,2,3,nil}|n=nil"
    assert log == [("get", 3), ("set", 4, 3), ("get", 2), ("set", 3, 2), ("get", 1), ("set", 2, 1),
                   ("set", 1, b"x")]
    assert ltable.tremove(p) == 3
    assert ltable.tconcat(p, b",") == b"x,1,2"
    assert tuple(ltable.tunpack(p)) == (b"x", 1, 2)
    assert st.current.nny == 0


def test_sort_through_proxy_and_error(st: Any) -> None:
    backing = mk([5, 3, 9, 1])
    p = _proxy(backing, [])
    ltable.tsort(p)
    assert dump(backing, 4) == "{1,3,5,9}|n=nil"
    with pytest.raises(LuaError, match="attempt to compare"):
        ltable.tsort(_proxy(mk([1, b"a", 2]), []))
    assert st.current.nny == 0


def test_checktab_accepts_userdata_like_values(st: Any) -> None:
    # a non-table value is accepted when its metatable has the needed fields
    backing = mk([b"a", b"b"])
    p = _proxy(backing, [])
    assert ltable.tconcat(p) == b"ab"
    mt = LuaTable()
    mt.set(b"__index", backing)
    q = LuaTable()
    q.meta = mt
    assert ltable.tconcat(q, b"", 1, 2) == b"ab"  # a table: no metamethod check at all


# ------------------------------------------------------------------- sort

SORT_LUA = """
local function run(t, f) local ok, e = pcall(table.sort, t, f)
  local o = {} for i = 1, #t do o[i] = tostring(t[i]) end
  print((ok and "ok" or e) .. "\\t" .. table.concat(o, ","))
end
"""

COMPARATORS = {
    "desc": ("function(a, b) return a > b end", lambda a, b: a > b),
    "always": ("function(a, b) return true end", lambda a, b: True),
    "never": ("function(a, b) return false end", lambda a, b: False),
    "mod3": ("function(a, b) return (a * 7 + b) % 3 == 0 end", lambda a, b: (a * 7 + b) % 3 == 0),
    "le": ("function(a, b) return a <= b end", lambda a, b: a <= b),
    "lastdigit": ("function(a, b) return a % 10 < b % 10 end", lambda a, b: a % 10 < b % 10),
    "nilres": ("function(a, b) if a < b then return 1 end end", lambda a, b: 1 if a < b else None),
}

SORT_INPUTS = [
    [5, 3, 8, 1, 9, 2, 7],
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    [3, 3, 3, 3, 3],
    [10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 11, 12, 13],
    [(i * 37) % 101 for i in range(60)],
    [2, 1],
    [3, 1, 2],
    [31, 42, 13, 24, 55, 16, 77, 38, 99, 20, 11, 52, 63],
]


def _py_sort(items: list, comp: Any) -> str:
    t = mk(items)
    try:
        ltable.tsort(t, comp)
        head = "ok"
    except LuaError as e:
        head = tostr(e.value).decode()
    vals = ",".join(tostr(t.get(i)).decode() for i in range(1, t.length() + 1))
    return f"{head}\t{vals}"


# lua5.4's output of run(input, comparator), for every comparator and input
SORT_GOLDEN = {
    ('desc', 0): 'ok\t9,8,7,5,3,2,1',
    ('desc', 1): 'ok\t10,9,8,7,6,5,4,3,2,1',
    ('desc', 2): 'ok\t3,3,3,3,3',
    ('desc', 3): 'ok\t13,12,11,10,9,8,7,6,5,4,3,2,1,0',
    ('desc', 4): 'ok\t100,97,96,94,93,90,89,87,86,84,83,80,79,77,76,74,73,70,69,67,66,63,62,60,59,57,56,53,52,50,49,47,46,43,42,40,39,37,36,33,32,30,29,26,25,23,22,20,19,16,15,13,12,10,9,6,5,3,2,0',
    ('desc', 5): 'ok\t2,1',
    ('desc', 6): 'ok\t3,2,1',
    ('desc', 7): 'ok\t99,77,63,55,52,42,38,31,24,20,16,13,11',
    ('always', 0): 'invalid order function for sorting\t1,3,8,2,9,7,5',
    ('always', 1): 'invalid order function for sorting\t5,2,3,4,9,6,7,8,10,1',
    ('always', 2): 'invalid order function for sorting\t3,3,3,3,3',
    ('always', 3): 'invalid order function for sorting\t4,9,8,7,6,5,12,3,2,1,0,11,13,10',
    ('always', 4): 'invalid order function for sorting\t63,37,74,10,47,84,20,57,94,30,67,3,40,77,13,50,87,23,60,97,33,70,6,43,80,16,53,90,26,25,100,36,73,9,46,83,19,56,93,29,66,2,39,76,12,49,86,22,59,96,32,69,5,42,79,15,52,89,62,0',
    ('always', 5): 'ok\t1,2',
    ('always', 6): 'ok\t1,2,3',
    ('always', 7): 'invalid order function for sorting\t77,42,13,24,55,16,52,38,99,20,11,63,31',
    ('never', 0): 'ok\t5,9,2,1,3,8,7',
    ('never', 1): 'ok\t1,6,7,8,9,5,3,4,2,10',
    ('never', 2): 'ok\t3,3,3,3,3',
    ('never', 3): 'ok\t10,2,3,1,11,0,12,4,6,9,5,8,7,13',
    ('never', 4): 'ok\t0,29,93,66,39,2,76,56,83,36,19,73,46,9,100,12,86,79,42,15,89,52,49,5,32,22,69,59,96,25,63,90,94,57,30,3,67,40,20,47,37,84,74,10,26,77,50,43,6,80,53,16,13,70,97,87,33,23,60,62',
    ('never', 5): 'ok\t2,1',
    ('never', 6): 'ok\t3,1,2',
    ('never', 7): 'ok\t31,99,38,20,11,52,77,55,42,16,13,24,63',
    ('mod3', 0): 'ok\t2,9,7,5,3,1,8',
    ('mod3', 1): 'ok\t7,6,5,2,9,1,3,4,10,8',
    ('mod3', 2): 'invalid order function for sorting\t3,3,3,3,3',
    ('mod3', 3): 'invalid order function for sorting\t10,0,8,1,3,5,12,6,2,7,9,11,4,13',
    ('mod3', 4): 'invalid order function for sorting\t63,89,100,73,5,46,32,6,59,19,33,60,86,87,90,2,76,25,3,52,79,30,83,57,84,22,49,56,29,0,53,36,16,9,80,43,70,97,93,23,66,50,39,13,12,77,40,67,94,96,20,69,47,42,10,15,74,37,26,62',
    ('mod3', 5): 'ok\t1,2',
    ('mod3', 6): 'ok\t3,2,1',
    ('mod3', 7): 'invalid order function for sorting\t55,99,16,77,52,31,13,38,42,20,11,24,63',
    ('le', 0): 'ok\t1,2,3,5,7,8,9',
    ('le', 1): 'ok\t1,2,3,4,5,6,7,8,9,10',
    ('le', 2): 'invalid order function for sorting\t3,3,3,3,3',
    ('le', 3): 'invalid order function for sorting\t1,0,2,3,4,5,8,9,7,6,10,11,12,13',
    ('le', 4): 'invalid order function for sorting\t0,37,52,10,47,15,20,57,42,30,5,3,40,32,13,50,59,23,60,22,33,49,6,43,12,16,53,39,26,25,2,36,29,9,46,56,19,62,63,66,67,69,80,76,77,70,74,79,83,73,84,86,87,89,90,93,94,96,97,100',
    ('le', 5): 'ok\t1,2',
    ('le', 6): 'ok\t1,2,3',
    ('le', 7): 'invalid order function for sorting\t20,16,13,24,11,31,38,42,52,55,63,77,99',
    ('lastdigit', 0): 'ok\t1,2,3,5,7,8,9',
    ('lastdigit', 1): 'ok\t10,1,2,3,4,5,6,7,8,9',
    ('lastdigit', 2): 'ok\t3,3,3,3,3',
    ('lastdigit', 3): 'ok\t10,0,1,11,12,2,3,13,4,5,6,7,8,9',
    ('lastdigit', 4): 'ok\t0,90,100,30,40,70,80,50,60,20,10,32,52,22,42,12,2,62,63,73,3,83,23,53,93,33,13,43,74,84,94,25,5,15,66,76,96,56,16,86,6,46,26,36,37,47,87,57,97,77,67,9,89,79,19,69,49,59,29,39',
    ('lastdigit', 5): 'ok\t1,2',
    ('lastdigit', 6): 'ok\t1,2,3',
    ('lastdigit', 7): 'ok\t20,31,11,42,52,63,13,24,55,16,77,38,99',
    ('nilres', 0): 'ok\t1,2,3,5,7,8,9',
    ('nilres', 1): 'ok\t1,2,3,4,5,6,7,8,9,10',
    ('nilres', 2): 'ok\t3,3,3,3,3',
    ('nilres', 3): 'ok\t0,1,2,3,4,5,6,7,8,9,10,11,12,13',
    ('nilres', 4): 'ok\t0,2,3,5,6,9,10,12,13,15,16,19,20,22,23,25,26,29,30,32,33,36,37,39,40,42,43,46,47,49,50,52,53,56,57,59,60,62,63,66,67,69,70,73,74,76,77,79,80,83,84,86,87,89,90,93,94,96,97,100',
    ('nilres', 5): 'ok\t1,2',
    ('nilres', 6): 'ok\t1,2,3',
    ('nilres', 7): 'ok\t11,13,16,20,24,31,38,42,52,55,63,77,99',
}


@pytest.mark.parametrize("name", list(COMPARATORS))
@pytest.mark.parametrize("idx", range(len(SORT_INPUTS)))
def test_sort_with_comparators(st: Any, name: str, idx: int) -> None:
    assert _py_sort(SORT_INPUTS[idx], COMPARATORS[name][1]) == SORT_GOLDEN[(name, idx)]
    assert st.current.nny == 0


@pytest.mark.skipif(LUA is None, reason="lua5.4 not installed")
def test_sort_golden_matches_live_lua() -> None:
    src = SORT_LUA
    keys = []
    for name, (code, _) in COMPARATORS.items():
        for i, inp in enumerate(SORT_INPUTS):
            src += f"run({{{', '.join(map(str, inp))}}}, {code})\n"
            keys.append((name, i))
    out = run_lua(src).split("\n")[:-1]
    assert dict(zip(keys, out)) == SORT_GOLDEN


def test_sort_large_and_fast_paths(st: Any) -> None:
    import random

    rng = random.Random(7)
    for items in (
        [rng.randrange(10**6) for _ in range(3000)],
        [rng.random() * 100 - 50 for _ in range(3000)],
        [bytes(rng.choices(b"abcxyz", k=5)) for _ in range(2000)],
        [rng.choice([1, 2.0, 3, 2, 1.0]) for _ in range(500)],
    ):
        t = mk(items)
        ltable.tsort(t)
        out = [t.get(i) for i in range(1, len(items) + 1)]
        assert out == sorted(items)
        t = mk(items)
        ltable.tsort(t, lambda a, b: a > b)
        assert [t.get(i) for i in range(1, len(items) + 1)] == sorted(items, reverse=True)


def test_sort_errors(st: Any) -> None:
    with pytest.raises(LuaError, match="invalid order function for sorting"):
        ltable.tsort(mk(list(range(20))), lambda a, b: True)
    with pytest.raises(LuaError, match="attempt to compare nil with number|attempt to compare number with nil"):
        ltable.tsort(mk([1, 2, 3]), lambda a, b: ltable.ops.lt(a, None))


def test_comparator_yield_is_refused(st: Any) -> None:
    seen = []

    def comp(a: Any, b: Any) -> bool:
        seen.append(rstate.current.current.nny)
        return a < b

    ltable.tsort(mk([3, 1, 2]), comp)
    assert seen and all(n > 0 for n in seen)
    assert st.current.nny == 0


def test_insert_remove_fast_paths_keep_invariants(st: Any) -> None:
    t = mk([1, 2, 3])
    t.set(5, 5)  # in the hash part, beyond the border
    ltable.tinsert(t, 1, 0)
    assert [t.get(i) for i in range(1, 7)] == [0, 1, 2, 3, 5, None]
    assert t.length() == 5
    t = mk([1, 2, 3])
    ltable.tinsert(t, 2, None)
    assert [t.get(i) for i in range(1, 5)] == [1, None, 2, 3]
    t = mk([1, 2, 3])
    assert ltable.tremove(t, 1) == 1
    assert t.arr == [2, 3]
    t = mk([b"a", b"b"])
    for _ in range(3):
        ltable.tremove(t)
    assert t.arr == [] and t.length() == 0
