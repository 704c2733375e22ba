"""Weak tables (`__mode`): entries whose weak key or value nothing else refers to
are removed when the collector runs.

Python keeps objects alive by reference counts and its cycle collector, and
knows nothing of Lua's weak tables, so a sweep asks it: each weak table gives up
its references to the weak parts of its entries (kept as Python weak
references), the collector runs, and the entries whose parts survived are put
back, in their order. What only weak tables referred to is gone then.

When it runs: `collectgarbage()` ("collect" and "step": a full cycle, with
Python's cycle collector), and `setmetatable` with a metatable that has
`__mode` (only that table, by reference counts: an object no cycle holds dies at
once). Lua may collect at any moment, so both are within its semantics; a
collection at arbitrary points of execution (Python's own collector running
mid-operation on a table) is not done, as it could change a table an operation
is half-way through. A program that only fills a weak cache and never calls
collectgarbage keeps its entries; the usual `collectgarbage()` releases them.

Kept as Lua has them: strings, numbers, booleans (values, not objects) are
never removed; a weak-valued entry whose value died but whose key is strong
stays as a dead key (so a traversal positioned on it goes on); a weak-keyed
entry whose key died is dropped (nothing can be positioned on it). Ephemerons:
during the sweep a weak-keyed entry's value hangs from its key (a table's aux
record, a function's __dict__), so it lives exactly as long as the key does —
a value that refers to its own key (a memoised result) does not keep the entry.
Keys with nowhere to hang a value (coroutines, userdata) hold it strongly.
Builtins and userdata without Python weak references are never removed.

Approximations (documented, not lua's): generated code keeps temporaries and
the locals of finished blocks in Python locals until its function returns.
Temporaries on the stack do not count as references (below), but a Lua local
whose block ended does (until it is assigned or its function returns), and so
does a temporary that is part of a cycle (a table held by a temporary and by
itself).

The tables are found through a registry of tables given a metatable with
`__mode` (a WeakSet: it keeps none alive); Lua says changing `__mode` after a
metatable is in use is undefined, so the mode is read at each sweep from the
metatable and a table whose metatable lost it is left alone.
"""

from __future__ import annotations

import gc
import sys
import weakref
from typing import Any

from ..runtime.frames import CODE_INFO
from ..runtime.icache import invalidate, is_watched
from ..runtime.values import BoolKey, LuaTable

_TABLES: weakref.WeakSet[LuaTable] = weakref.WeakSet()
_VALUES = (type(None), bool, int, float, bytes, str, BoolKey)  # never removed


def mode(t: LuaTable) -> tuple[bool, bool]:
    """(weak keys, weak values) of a table, from its metatable's __mode."""
    mt = t.meta
    m = mt.hash.get(b"__mode") if mt is not None else None
    if type(m) is not bytes:
        return False, False
    return b"k" in m, b"v" in m


def register(t: LuaTable, full: bool = False) -> None:
    """A table got a metatable: remember it if the metatable makes it weak, and
    sweep it by reference counts (`full`: with the cycle collector too)."""
    wk, wv = mode(t)
    if wk or wv:
        _TABLES.add(t)
        sweep([t], full)


def adopt(objects: list) -> None:
    """Tables a restore built: remember the weak ones (no sweep: restoring collects nothing)."""
    for t in objects:
        if type(t) is LuaTable and t.meta is not None and t.meta.hash.get(b"__mode") is not None:
            _TABLES.add(t)


def _ref(v: Any) -> Any:
    """A weak reference to a collectable Lua object, or None (kept strongly)."""
    if type(v) in _VALUES:
        return None
    try:
        return weakref.ref(v)
    except TypeError:  # (an object Python cannot refer to weakly: never removed)
        return None


def collect() -> None:
    """A full collection cycle (collectgarbage): sweep every weak table."""
    tables = list(_TABLES)
    if tables:
        sweep(tables, True)


def sweep(tables: list[LuaTable], full: bool) -> None:
    """Remove the entries of `tables` whose weak parts only weak tables refer to."""
    held = [_release(t) for t in tables]
    del tables
    if not any(h is not None for h in held):
        return
    temps = _temporaries()  # (first: it refreshes the frames' f_locals, which may hold old values)
    if full:
        invalidate()  # inline caches hold values they looked up (a method of a weak table's object)
        gc.collect()
    for h in held:
        if h is not None:
            _restore(h[0], h[1], h[2], temps)


def _temporaries() -> dict[int, int]:
    """id(object) -> references to it from the temporaries of the Lua frames on
    the stack: their Python locals that are no Lua local, upvalue, vararg or the
    running function. Generated code keeps each intermediate value in such a
    local until the function returns (lua's registers above the top are not
    roots), so an object only they refer to counts as garbage. Each counts twice:
    the frame's local and the entry of its `f_locals` dict (refreshed here)."""
    counts: dict[int, int] = {}
    f: Any = sys._getframe(1)
    while f is not None:
        code = f.f_code
        ci = CODE_INFO.get(code)
        if ci is not None:
            lua = _LUA_NAMES.get(code)
            if lua is None:
                lua = _LUA_NAMES[code] = (frozenset(ci.proto.local_lua_names) | frozenset(code.co_freevars)
                                          | frozenset(code.co_cellvars) | {"_va", "_self"})
            for name, v in f.f_locals.items():
                if name not in lua and type(v) not in _VALUES:
                    counts[id(v)] = counts.get(id(v), 0) + 2
            v = None
        f = f.f_back
    return counts


_LUA_NAMES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # code -> its Lua-visible names


def _alive(r: Any, temps: dict[int, int]) -> Any:
    """The object of weak reference r, unless it is dead or only temporaries refer to it."""
    o = r()
    if o is None:
        return None
    n = temps.get(id(o))
    if n is not None and sys.getrefcount(o) <= n + 2:  # (+2: the argument and `o`)
        return None
    return o


def _release(t: LuaTable) -> tuple | None:
    """Give up t's references to the weak parts of its entries; returns what
    _restore needs to put the survivors back (None: nothing weak in t)."""
    wk, wv = mode(t)
    if not (wk or wv):
        return None
    arr_refs: list[tuple[int, Any]] = []
    arr = t.arr
    if wv and arr:
        for i in range(len(arr)):
            r = _ref(arr[i])
            if r is not None:
                arr_refs.append((i, r))
                arr[i] = None
    entries: list[tuple[Any, Any, Any, Any]] = []  # (key, key ref, value, value ref): a ref replaces its part
    weak = False
    h = t.hash
    tid = id(t)
    for k, v in h.items():
        kr = _ref(k) if wk else None
        vr = _ref(v) if wv and v is not None else None
        if kr is not None or vr is not None:
            weak = True
            if kr is not None and vr is None and type(v) not in _VALUES and _hang(k, tid, v):
                v = _HUNG
        entries.append((None if kr is not None else k, kr, None if vr is not None else v, vr))
    k = v = None  # (the loop's last entry is no reference)
    if not weak and not arr_refs:
        return None
    if weak:
        # emptied in place (filled again in _restore): generated code may hold the
        # dict in a local (`_h`), which must neither keep the entries alive nor
        # go stale
        h.clear()
        if t.aux is not None:
            t.aux.keys = t.aux.kidx = None  # (next's key list holds keys)
    del h
    return t, arr_refs, entries if weak else None


_HUNG = object()  # an entry's value hangs from its key during the sweep


def _hang(k: Any, tid: int, v: Any) -> bool:
    """Hang weak table tid's value v from its key k (so it lives as long as k)."""
    if type(k) is LuaTable:
        aux = k._aux()
        if aux.eph is None:
            aux.eph = {}
        aux.eph[tid] = v
        return True
    d = getattr(k, "__dict__", None)
    if type(d) is dict:
        d.setdefault("_luavm_eph", {})[tid] = v
        return True
    return False


def _unhang(k: Any, tid: int) -> Any:
    """Take back the value hung from k (None: k is gone, and the value with it)."""
    if k is None:
        return None
    if type(k) is LuaTable:
        aux = k.aux
        assert aux is not None and aux.eph is not None
        v = aux.eph.pop(tid)
        if not aux.eph:
            aux.eph = None
        return v
    eph = k.__dict__["_luavm_eph"]
    v = eph.pop(tid)
    if not eph:
        del k.__dict__["_luavm_eph"]
    return v


def _restore(t: LuaTable, arr_refs: list, entries: list | None, temps: dict[int, int]) -> None:
    removed = False
    arr = t.arr
    for i, r in arr_refs:
        v = _alive(r, temps)
        if v is None:
            removed = True
        else:
            arr[i] = v
    if arr_refs and arr and arr[-1] is None:
        aux = t._aux()
        if len(arr) > aux.hw:
            aux.hw = len(arr)
        while arr and arr[-1] is None:
            arr.pop()
    if entries is not None:
        new: dict = {}
        dead = 0
        for k, kr, v, vr in entries:
            if kr is not None:
                k = _alive(kr, temps)
                if v is _HUNG:
                    v = _unhang(kr(), id(t))
                if k is None:
                    removed = True
                    continue  # its key is gone: nothing can be positioned on it
            if vr is not None:
                v = _alive(vr, temps)
                if v is None:
                    removed = True
            if v is None:
                dead += 1  # a dead key: a traversal positioned on it goes on
            new[k] = v
        t.hash.update(new)  # (the emptied dict: in the entries' order)
        if new or t.aux is not None:
            aux = t._aux()
            aux.dead = dead
            aux.keys = None
    if removed and is_watched(t):
        invalidate()
