"""Values crossing between Python and Lua.

Lua strings are bytes inside; at this boundary they become `str` (UTF-8, with
undecodable bytes kept via surrogateescape so nothing is lost on the way back).
Lua tables reach Python as a live mapping view; Lua functions as callables.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping
from types import FunctionType
from typing import Any

from .bigstack import on_big_stack
from .runtime import ops, state
from .runtime.frames import CODE_INFO
from .runtime.values import MAXINT, MININT, LuaError, LuaTable, Ret, rt_error, type_name


def to_lua(v: Any) -> Any:
    if v is None or v is True or v is False:
        return v
    t = type(v)
    if t is int:
        if not MININT <= v <= MAXINT:
            raise OverflowError(f"integer {v} does not fit in a Lua integer")
        return v
    if t is float or t is bytes:
        return v
    if t is str:
        return v.encode("utf-8", "surrogateescape")
    if isinstance(v, LuaTableView):
        return v.table
    if isinstance(v, LuaFunction):
        return v.fn
    if isinstance(v, (LuaTable,)):
        return v
    if isinstance(v, dict):
        tab = LuaTable()
        for k, x in v.items():
            tab.set(to_lua(k), to_lua(x))
        return tab
    if isinstance(v, (list, tuple)):
        return LuaTable([to_lua(x) for x in v])
    if type_name(v) in ("function", "thread", "userdata") and not callable(v):
        return v
    if t is FunctionType and v.__code__ in CODE_INFO:
        return v  # a Lua function (e.g. what LuaRuntime.load returns)
    if callable(v):
        return HostFunction(v)
    return v


def to_python(v: Any, st: Any = None) -> Any:
    """`st`: the Lua state the value belongs to (default: the active one)."""
    t = type(v)
    if t is bytes:
        return v.decode("utf-8", "surrogateescape")
    if t is LuaTable:
        return LuaTableView(v, st or state.current)
    if t is HostFunction:
        return v.fn
    if type_name(v) == "function":
        return LuaFunction(v, st or state.current)
    return v


def results_to_python(r: Any) -> Any:
    """A Lua call's results for Python: one value, None for none, a tuple for several."""
    vals = ops.results(r)
    if not vals:
        return None
    if len(vals) == 1:
        return to_python(vals[0])
    return tuple(to_python(x) for x in vals)


class HostFunction:
    """A Python callable exposed to Lua: arguments and results are converted."""

    __slots__ = ("fn", "__weakref__")

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn

    def __call__(self, *args: Any) -> Any:
        try:
            r = self.fn(*[to_python(a) for a in args])
        except (LuaError, RecursionError, MemoryError):
            raise
        except Exception as e:  # a Python error becomes a Lua error Lua can catch
            err = rt_error(f"{type(e).__name__}: {e}")
            err.__cause__ = e
            raise err from e
        if isinstance(r, tuple):
            return Ret(tuple(to_lua(x) for x in r))
        return to_lua(r)

    def __repr__(self) -> str:
        return f"<host function {getattr(self.fn, '__qualname__', self.fn)!r}>"


class LuaFunction:
    """A Lua function held by Python; calling it runs Lua in its runtime."""

    __slots__ = ("fn", "runtime")

    def __init__(self, fn: Any, runtime: Any = None) -> None:
        self.fn = fn
        self.runtime = runtime

    def __call__(self, *args: Any) -> Any:
        """Runs in the Lua state the function came from, on a big-stack thread
        (bigstack.py); a suspension inside is refused (a Python frame cannot be
        captured). Returns the results as LuaRuntime.call does; raises LuaError."""
        return on_big_stack(self._call, args)

    def _call(self, args: tuple[Any, ...]) -> Any:
        prev = state.activate(self.runtime) if self.runtime is not None else state.current
        st = state.current
        # the limits of this step when called by the host, not from inside Lua
        lim = st.limits if prev is not st else None
        if lim is not None:
            lim.start()
        co = st.current
        co.nny += 1
        try:
            r = results_to_python(ops.call(self.fn, *[to_lua(a) for a in args]))
            if lim is not None and lim.tripped is not None:
                raise lim.error()
            return r
        except LuaError as e:
            if lim is not None and lim.tripped is not None and e.__class__ is not lim.error().__class__:
                raise lim.error() from e
            raise
        finally:
            co.nny -= 1
            if self.runtime is not None:
                state.activate(prev)


class LuaTableView(MutableMapping):
    """A Lua table seen from Python: keys and values converted on each access."""

    __slots__ = ("table", "state")

    def __init__(self, table: LuaTable, st: Any = None) -> None:
        self.table = table
        self.state = st

    def __getitem__(self, key: Any) -> Any:
        v = self.table.get(to_lua(key))
        if v is None:
            raise KeyError(key)
        return to_python(v, self.state)

    def get(self, key: Any, default: Any = None) -> Any:
        v = self.table.get(to_lua(key))
        return default if v is None else to_python(v, self.state)

    def __setitem__(self, key: Any, value: Any) -> None:
        k = to_lua(key)
        if k is None or (type(k) is float and k != k):
            raise KeyError(key)
        self.table.set(k, to_lua(value))

    def __delitem__(self, key: Any) -> None:
        self.table.set(to_lua(key), None)

    def __iter__(self) -> Iterator[Any]:
        k = None
        while True:
            r = self.table.next(k)
            if r is None:
                return
            k = r[0]
            yield to_python(k, self.state)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LuaTableView):
            return self.table is other.table
        return MutableMapping.__eq__(self, other)

    __hash__ = None  # type: ignore[assignment]

    def to_list(self) -> list:
        """The sequence part 1..#t as a Python list."""
        return [to_python(self.table.get(i), self.state) for i in range(1, self.table.length() + 1)]

    def __repr__(self) -> str:
        return f"<Lua table 0x{id(self.table):08x}>"
