"""Inline caches for `o.name` and `o:name()` where `o`'s own hash part misses.

Each such site in generated code owns a `site`: the first metatable (or class)
it cached a value for, with that value, and an `IC`: a small dict from the object's
metatable (for a table) or its Python class (for a string and everything else)
to the value the `__index` chain of plain tables yields, or `NOIC` when the
lookup must take the general path (an `__index` function, a userdata...).
So `self:method()` through a class hierarchy costs one dict lookup instead of a
walk of every level's hash part and metatable.

Validity without a write barrier on ordinary tables: every table a cached walk
read (the metatables and the `__index` tables) gets its hash part swapped for a
`WatchedDict`, whose mutators drop every filled cache before they write; changing
the metatable of such a table, or the string metatable, or the current Lua
state, does the same. Invalidation clears only the caches filled since the last
one, so its cost is paid for by the fills.

A switch of the current Lua state (`state.activate`) forgets only what depends
on the state rather than on tables: a string's methods, cached under the class
`bytes` but read from the current state's string metatable
(`invalidate_strings`). Entries keyed by a metatable stay: a table belongs to
one state and stays watched, so they are as valid in the next state as they
were (a host alternating between two states, as wippy's processes do, keeps
its caches warm).
"""

from __future__ import annotations

from typing import Any

from . import state
from .values import LuaTable


class _NoIC:
    """The cached answer "take the general path" (`index_str`)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NOIC"


NOIC = _NoIC()
FILLED: list[IC] = []  # caches holding entries: what `invalidate` must clear
FILLED_STR: list[IC] = []  # caches holding a string's entry (the key `bytes`) since the last switch
MAX_ENTRIES = 8  # a site seeing more metatables than this starts over
MAX_CHAIN = 100  # longer __index chains are left to the general path (and its loop check)


def invalidate() -> None:
    """Forget every cached lookup (a table some lookup depended on changes)."""
    for ic in FILLED:
        ic.clear()
        ic.reg = False
        ic.site[0] = NOMETA
    FILLED.clear()
    FILLED_STR.clear()


def invalidate_strings() -> None:
    """Forget the cached lookups of string methods (the current state changes,
    and with it the string metatable they were read from)."""
    for ic in FILLED_STR:
        ic.pop(bytes, None)
        if ic.site[0] is bytes:
            ic.site[0] = NOMETA
    FILLED_STR.clear()


def _watch(t: LuaTable) -> None:
    if type(t.hash) is not WatchedDict:
        t.hash = WatchedDict(t.hash)


def is_watched(t: LuaTable) -> bool:
    """Whether a cached lookup may depend on t (so changing its metatable must invalidate)."""
    return type(t.hash) is WatchedDict


NOMETA = object()  # a site's key before it has one: no metatable or class is it


def site(k: bytes) -> list:
    """A site's cache as generated code holds it: [a key, its value, the IC]. The
    first key the IC caches a value for (a metatable or class) answers with one
    identity test (`site[0] is o.meta`); any other key is looked up in the IC."""
    s = [NOMETA, None, None]
    s[2] = IC(k, s)
    return s


class IC(dict):
    """One site's cache: metatable (or class) -> value; a miss walks and fills."""

    __slots__ = ("k", "reg", "site")

    def __init__(self, k: bytes, s: list) -> None:
        super().__init__()
        self.k = k
        self.reg = False
        self.site = s  # whose key an invalidation resets

    def __missing__(self, key: Any) -> Any:
        if type(key) is LuaTable or key is None:
            mt: Any = key  # an object (a table) whose own hash part missed
        elif key is bytes:
            mt = state.current.string_meta
            if mt is None:
                mt = NOIC  # indexing a string is an error (the general path raises it)
        else:
            mt = NOIC  # userdata, numbers, nil...: always the general path
        v: Any = None
        if mt is NOIC:
            v = NOIC
        else:
            deps = []
            k = self.k
            for _ in range(MAX_CHAIN):
                if mt is None:
                    break
                deps.append(mt)
                h = mt.hash.get(b"__index")
                if h is None:
                    if key is bytes and len(deps) == 1:
                        v = NOIC  # a string's metatable without __index: an error
                    break
                if type(h) is not LuaTable:
                    v = NOIC
                    break
                deps.append(h)
                v = h.hash.get(k)
                if v is not None:
                    break
                mt = h.meta
            else:
                return NOIC  # not cached: index_str reports a loop
            for t in deps:
                _watch(t)
        if not self.reg:
            self.reg = True
            FILLED.append(self)
        elif len(self) >= MAX_ENTRIES:
            self.clear()
        self[key] = v
        if key is bytes:
            FILLED_STR.append(self)
        if v is not NOIC and self.site[0] is NOMETA:
            self.site[1] = v  # the value first: a reader tests the key, then reads it
            self.site[0] = key
        return v


def _guarded(name: str) -> Any:
    base = getattr(dict, name)

    def method(self: dict, *args: Any, **kw: Any) -> Any:
        if FILLED:
            invalidate()
        return base(self, *args, **kw)

    method.__name__ = name
    return method


class WatchedDict(dict):
    """The hash part of a table some cached lookup read: a write invalidates."""

    __slots__ = ()

    def __setitem__(self, k: Any, v: Any) -> None:
        if FILLED:
            invalidate()
        dict.__setitem__(self, k, v)

    __delitem__ = _guarded("__delitem__")
    pop = _guarded("pop")
    popitem = _guarded("popitem")
    clear = _guarded("clear")
    update = _guarded("update")
    setdefault = _guarded("setdefault")
    __ior__ = _guarded("__ior__")
