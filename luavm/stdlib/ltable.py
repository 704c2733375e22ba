"""The `table` library, following ltablib.c of Lua 5.4.4.

Lua 5.4's table functions go through `lua_geti`/`lua_seti`/`luaL_len`, so they
honour `__index`, `__newindex` and `__len`. Tables without a metatable take raw
fast paths; everything else goes through `ops` with yields refused (a C
function cannot be resumed in the middle). `sort` is a literal transcription
of ltablib's quicksort, so inconsistent comparators give the same results and
the same "invalid order function for sorting" errors as the reference.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from ..runtime import ops, state
from ..runtime.args import (
    NOVALUE,
    arg_error,
    check_func,
    check_int,
    opt_int,
    opt_str,
    type_error,
)
from ..runtime.limits import MAXSTR, NOLIMIT, POP, alloc, charge, refill, too_large
from ..runtime.state import LuaState
from ..runtime.values import (
    MAXINT,
    NORET,
    LuaTable,
    Ret,
    rt_error,
    tointeger,
    type_name,
    wrap,
)

M64 = 0xFFFFFFFFFFFFFFFF
INT_MAX = 0x7FFFFFFF
# lua_checkstack refuses to grow the stack past LUAI_MAXSTACK (1,000,000 slots,
# some of them already in use); unpack's results must fit below that.
MAX_RESULTS = 1_000_000 - 64

TAB_R = 1
TAB_W = 2
TAB_L = 4


def _noyield(fn: Callable[..., Any], *a: Any) -> Any:
    """Run `fn` (which may call a metamethod) where a yield must be refused, as in C."""
    co = state.current.current
    co.nny += 1
    try:
        return fn(*a)
    finally:
        co.nny -= 1


def _checktab(t: Any, n: int, fname: str, what: int) -> None:
    """ltablib's checktab: a table, or a value whose metatable has the needed metamethods."""
    if type(t) is LuaTable:
        return
    mt = ops.getmetatable_raw(t) if t is not NOVALUE else None
    if mt is not None and (
        (not what & TAB_R or mt.get(b"__index") is not None)
        and (not what & TAB_W or mt.get(b"__newindex") is not None)
        and (not what & TAB_L or mt.get(b"__len") is not None)
    ):
        return
    raise type_error(n, fname, "table", t)


def _len(t: Any) -> int:
    """luaL_len: `#t` with `__len`, which must be an integer."""
    if type(t) is LuaTable and t.meta is None:
        return t.length()
    n = _noyield(ops.length, t)
    if type(n) is not int:
        n = tointeger(n)
        if n is None:
            raise rt_error("object length is not an integer")
    return n


def _geti(t: Any, i: int) -> Any:
    if type(t) is LuaTable and t.meta is None:
        return t.getint(i)
    return _noyield(ops.index, t, i)


def _seti(t: Any, i: int, v: Any) -> None:
    if type(t) is LuaTable and t.meta is None:
        t.setint(i, v)
    else:
        _noyield(ops.setindex, t, i, v)


def _aux_getn(t: Any, fname: str, what: int) -> int:
    _checktab(t, 1, fname, what | TAB_L)
    return _len(t)


# ------------------------------------------------------------ insert/remove


def tinsert(t: Any = NOVALUE, *a: Any) -> Any:
    if len(a) == 1 and type(t) is LuaTable and t.meta is None and not t.hash:
        # table.insert(t, v) on a plain array (#t is len(arr)): an append, without
        # the argument checks and luaL_len (t[#t + 1] = nil changes nothing)
        v = a[0]
        if v is not None:
            if t.arr:
                t.arr.append(v)
            else:
                t.arr = [v]
        return NORET
    e = wrap(_aux_getn(t, "insert", TAB_R | TAB_W) + 1)  # luaL_intop wraps
    if len(a) == 1:
        _seti(t, e, a[0])
        return NORET
    if len(a) != 2:
        raise rt_error("wrong number of arguments to 'insert'")
    pos = check_int(a[0], 2, "insert")
    if (pos - 1) & M64 >= e & M64:
        raise arg_error(2, "insert", "position out of bounds")
    v = a[1]
    if type(t) is LuaTable and t.meta is None and not t.hash and len(t.arr) == e - 1 and pos < e:
        t.arr.insert(pos - 1, v)  # same effect as shifting one by one
        return NORET
    for i in range(e, pos, -1):
        if not i & 255:
            charge(256)  # a huge __len must not hang the host
        _seti(t, i, _geti(t, i - 1))
    _seti(t, pos, v)
    return NORET


def tremove(t: Any = NOVALUE, pos: Any = None, *_: Any) -> Any:
    if pos is None and type(t) is LuaTable and t.meta is None and not t.hash and t.arr:
        # table.remove(t) on a plain non-empty array: a pop (as the general path below)
        arr = t.arr
        aux = t._aux()
        if len(arr) > aux.hw:
            aux.hw = len(arr)
        v = arr.pop()
        while arr and arr[-1] is None:
            arr.pop()
        return v
    size = _aux_getn(t, "remove", TAB_R | TAB_W)
    p = opt_int(pos, 2, "remove", size)
    if p != size and (p - 1) & M64 > size & M64:
        raise arg_error(1, "remove", "position out of bounds")
    if type(t) is LuaTable and t.meta is None and not t.hash and len(t.arr) == size and 1 <= p <= size:
        arr = t.arr
        aux = t._aux()
        aux.hw = max(aux.hw, size)
        v = arr.pop(p - 1)
        while arr and arr[-1] is None:
            arr.pop()
        return v
    v = _geti(t, p)
    while p < size:
        if not p & 255:
            charge(256)
        _seti(t, p, _geti(t, p + 1))
        p += 1
    _seti(t, p, None)
    return v


def tmove(a1: Any = NOVALUE, f: Any = NOVALUE, e: Any = NOVALUE, t: Any = NOVALUE,
          a2: Any = None, *_: Any) -> Any:
    fi = check_int(f, 2, "move")
    ei = check_int(e, 3, "move")
    ti = check_int(t, 4, "move")
    has_a2 = a2 is not None and a2 is not NOVALUE
    tt = a2 if has_a2 else a1
    _checktab(a1, 1, "move", TAB_R)
    _checktab(tt, 5 if has_a2 else 1, "move", TAB_W)
    if ei >= fi:
        if not (fi > 0 or ei < MAXINT + fi):
            raise arg_error(3, "move", "too many elements to move")
        n = ei - fi + 1
        if ti > MAXINT - n + 1:
            raise arg_error(4, "move", "destination wrap around")
        if ti > ei or ti <= fi or (has_a2 and not _noyield(ops.eq, a1, tt)):
            for i in range(n):
                if not i & 255:
                    charge(256)  # bulk work: one step per element
                _seti(tt, ti + i, _geti(a1, fi + i))
        else:
            for i in range(n - 1, -1, -1):
                if not i & 255:
                    charge(256)
                _seti(tt, ti + i, _geti(a1, fi + i))
    return tt


# ----------------------------------------------------------- concat, pack


def _addfield(t: Any, i: int) -> bytes:
    v = _geti(t, i)
    tv = type(v)
    if tv is bytes:
        return v
    if tv is int or tv is float:
        s = ops.tostr_num(v)
        assert s is not None
        return s
    raise rt_error(f"invalid value ({type_name(v)}) at index {i} in table for 'concat'")


def tconcat(t: Any = NOVALUE, sep: Any = None, i: Any = None, j: Any = None, *_: Any) -> bytes:
    if (type(t) is LuaTable and t.meta is None and i is None and j is None and t.arr
            and type(t.arr[0]) is bytes and (sep is None or type(sep) is bytes) and MAXSTR[0] == NOLIMIT):
        # the common call, a whole sequence of strings: one join (a non-empty array
        # part is the border); anything else (numbers, holes) the general way
        try:
            return (b"" if sep is None else sep).join(t.arr)
        except TypeError:
            pass
    last = _aux_getn(t, "concat", TAB_R)
    s = opt_str(sep, 2, "concat", b"")
    first = opt_int(i, 3, "concat", 1)
    last = opt_int(j, 4, "concat", last)
    if first > last:
        return b""
    if len(s) * (last - first) > MAXSTR[0]:
        raise too_large()
    if type(t) is LuaTable and t.meta is None and first >= 1 and last <= len(t.arr):
        vals = t.arr[first - 1:last]
        if all(type(v) is bytes for v in vals):
            if MAXSTR[0] != NOLIMIT:  # a limited runtime: refuse a result over its cap before building it
                alloc(sum(map(len, vals)) + len(s) * (len(vals) - 1))
            return s.join(vals)
    parts = []
    k = first
    while k < last:
        if not k & 255:
            charge(256)
        parts.append(_addfield(t, k))
        k += 1
    parts.append(_addfield(t, last))
    if MAXSTR[0] != NOLIMIT:
        alloc(sum(map(len, parts)) + len(s) * (len(parts) - 1))
    return s.join(parts)


def tpack(*a: Any) -> LuaTable:
    arr = list(a)
    while arr and arr[-1] is None:
        arr.pop()
    t = LuaTable(arr)
    t.set(b"n", len(a))
    return t


def tunpack(t: Any = NOVALUE, i: Any = None, j: Any = None, *_: Any) -> Any:
    first = opt_int(i, 2, "unpack", 1)
    last = _len(None if t is NOVALUE else t) if j is None or j is NOVALUE else check_int(j, 3, "unpack")
    if first > last:
        return NORET
    n = (last - first) & M64  # number of elements minus 1, without overflow
    if n >= INT_MAX or n + 1 > MAX_RESULTS:
        raise rt_error("too many results to unpack")
    if n >= 1024:
        charge(n >> 3)
    if type(t) is LuaTable and t.meta is None and first >= 1 and last <= len(t.arr):
        return Ret(t.arr[first - 1:last])
    return Ret([_geti(t, k) for k in range(first, last + 1)])


# -------------------------------------------------------------------- sort

RANLIMIT = 100
U32 = 0xFFFFFFFF


def _randomize_pivot() -> int:
    """l_randomizePivot: clock() and time() words summed as unsigned ints."""
    c = int(time.process_time() * 1_000_000) & M64
    t = int(time.time()) & M64
    return ((c & U32) + (c >> 32) + (t & U32) + (t >> 32)) & U32


class _Sorter:
    """State of one `table.sort` call: the table, the order and lua's quicksort."""

    __slots__ = ("comp", "t")

    def __init__(self, t: Any, comp: Any) -> None:
        self.t = t
        self.comp = comp

    def get(self, i: int) -> Any:
        t = self.t
        if type(t) is LuaTable and t.meta is None:
            return t.getint(i)
        return _noyield(ops.index, t, i)

    def set(self, i: int, v: Any) -> None:
        t = self.t
        if type(t) is LuaTable and t.meta is None:
            t.setint(i, v)
        else:
            _noyield(ops.setindex, t, i, v)

    def lt(self, a: Any, b: Any) -> bool:
        comp = self.comp
        if comp is None:
            ta = type(a)
            tb = type(b)
            if ((ta is int or ta is float) and (tb is int or tb is float)) or (ta is bytes and tb is bytes):
                return a < b
        if not POP():  # each call of Lua code is a step (a function that calls nothing counts none)
            refill()
        if comp is None:
            return bool(_noyield(ops.lt, a, b))
        r = _noyield(ops.call, comp, a, b)
        if type(r) is Ret:
            r = r[0] if r else None
        return r is not None and r is not False

    def partition(self, lo: int, up: int, pivot: Any) -> int:
        get = self.get
        lt = self.lt
        i = lo
        j = up - 1
        while True:
            i += 1
            ai = get(i)
            while lt(ai, pivot):
                if i == up - 1:
                    raise rt_error("invalid order function for sorting")
                i += 1
                ai = get(i)
            j -= 1
            aj = get(j)
            while lt(pivot, aj):
                if j < i:
                    raise rt_error("invalid order function for sorting")
                j -= 1
                aj = get(j)
            if j < i:
                self.set(up - 1, ai)
                self.set(i, pivot)
                return i
            self.set(i, aj)
            self.set(j, ai)

    def auxsort(self, lo: int, up: int, rnd: int) -> None:
        get = self.get
        set_ = self.set
        lt = self.lt
        while lo < up:
            alo = get(lo)
            aup = get(up)
            if lt(aup, alo):
                set_(lo, aup)
                set_(up, alo)
            if up - lo == 1:
                return
            if up - lo < RANLIMIT or rnd == 0:
                p = (lo + up) // 2
            else:
                r4 = (up - lo) // 4
                p = rnd % (r4 * 2) + (lo + r4)
            ap = get(p)
            alo = get(lo)
            if lt(ap, alo):
                set_(p, alo)
                set_(lo, ap)
            else:
                aup = get(up)
                if lt(aup, ap):
                    set_(p, aup)
                    set_(up, ap)
            if up - lo == 2:
                return
            pivot = get(p)
            aup1 = get(up - 1)
            set_(p, aup1)
            set_(up - 1, pivot)
            p = self.partition(lo, up, pivot)
            if p - lo < up - p:
                self.auxsort(lo, p - 1, rnd)
                n = p - lo
                lo = p + 1
            else:
                self.auxsort(p + 1, up, rnd)
                n = up - p
                up = p - 1
            if (up - lo) // 128 > n:
                rnd = _randomize_pivot()


def _sortable_fast(arr: list) -> bool:
    """Whether Python's sort gives exactly lua's result: a strict total order
    on values that are indistinguishable when equal (no 1 vs 1.0, 0.0 vs -0.0, NaN)."""
    t0 = type(arr[0])
    if t0 is int or t0 is bytes:
        for v in arr:  # (a loop: `all()` over a generator costs ~3x for short arrays)
            if v.__class__ is not t0:
                return False
        return True
    if t0 is float:
        return all(type(v) is float and not math.isnan(v) and v != 0.0 for v in arr)
    return False


def tsort(t: Any = NOVALUE, comp: Any = None, *_: Any) -> Any:
    if comp is None and t.__class__ is LuaTable and t.meta is None and len(arr := t.arr) > 1 and _sortable_fast(arr):
        arr.sort()  # a plain array of integers or strings (its length is #t): Python's sort
        return NORET
    n = _aux_getn(t, "sort", TAB_R | TAB_W)
    if n > 1:
        if n >= INT_MAX:
            raise arg_error(1, "sort", "array too big")
        if comp is NOVALUE:
            comp = None
        if comp is not None:
            check_func(comp, 2, "sort")
        elif type(t) is LuaTable and t.meta is None and len(t.arr) == n and _sortable_fast(t.arr):
            t.arr.sort()
            return NORET
        _Sorter(t, comp).auxsort(1, n, 0)
    return NORET


# -------------------------------------------------------------------- open

_FUNCS: dict[str, Callable[..., Any]] = {
    "concat": tconcat,
    "insert": tinsert,
    "pack": tpack,
    "unpack": tunpack,
    "remove": tremove,
    "move": tmove,
    "sort": tsort,
}


def open(st: LuaState) -> LuaTable:
    """Build the `table` library table."""
    t = LuaTable()
    for name, fn in _FUNCS.items():
        t.set(name.encode(), fn)
    return t
