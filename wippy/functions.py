"""Function entries: `function.lua` on pooled Lua states, and Python callables
registered as entries.

A pool per entry keeps idle states whose chunk has already run (imports loaded,
entry function found), so a call never recompiles or re-runs the module: it takes
a state, runs the function as a new invocation, and gives the state back. Python
functions registered with `App.register_function` are called with plain Python
values; raising `WippyError` sets the error's kind.

Costs: the first call of an entry builds a state (~ms: a fresh luavm runtime, the
kernel, the entry's chunk); later calls reuse it. Pools grow with concurrency and
keep at most `MAX_IDLE` idle states per entry.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import luavm

from . import codebook
from .luastate import LuaState, new_state
from .registry import LuaEntry

if TYPE_CHECKING:
    from .app import App

MAX_IDLE = 8


class WippyError(Exception):
    """An error with a Wippy kind, raised by Python functions (and by the embedding
    API when a Lua entry fails)."""

    def __init__(self, message: str, kind: str = "Internal", *, retryable: bool | None = None,
                 details: Any = None, traceback: str = "") -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.retryable = retryable
        self.details = details
        self.lua_traceback = traceback

    def data(self) -> dict[str, Any]:
        d: dict[str, Any] = {"kind": self.kind, "message": self.message}
        if self.retryable is not None:
            d["retryable"] = self.retryable
        if self.details is not None:
            d["details"] = self.details
        return d

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}" if self.kind else self.message


Lookup = Callable[[str], Any]


def entry_modules(lookup: Lookup, entry: LuaEntry) -> set[str]:
    """The modules an entry may require: its own and its imported libraries'."""
    mods = set(entry.modules)
    seen: set[str] = set()
    todo = list(entry.imports.values())
    while todo:
        lid = todo.pop()
        if lid in seen:
            continue
        seen.add(lid)
        lib = lookup(lid)
        if isinstance(lib, LuaEntry):
            mods.update(lib.modules)
            todo.extend(lib.imports.values())
    return mods


def chunkname(entry: LuaEntry) -> str:
    return "@" + entry.source_path


def prepare(lookup: Lookup, entry: LuaEntry, *, seed: int | None = None) -> tuple[LuaState, Any]:
    """A new Lua state for `entry` with its chunk run; returns (state, entry function).
    Raises WippyError(kind Internal) naming the Lua file on a load error."""
    st = new_state(entry_modules(lookup, entry), entry_id=entry.id, seed=seed)
    codebook.add(entry.source)
    rt = st.runtime
    try:
        install_imports(lookup, st, entry)
        chunk = rt.load(entry.source, chunkname(entry))
        main = rt.call(chunk)
    except luavm.LuaError as e:
        raise WippyError(f"loading {entry.id}: {lua_message(e)}", "Internal") from None
    fn = main
    if isinstance(main, luavm.LuaTableView):
        method = entry.method or ("main" if entry.is_workflow else None)
        if method is None:
            raise WippyError(f"{entry.id}: the chunk returned a table but the entry has no 'method'", "Invalid")
        fn = main.get(method)
        if fn is None:
            raise WippyError(f"{entry.id}: the table the chunk returns has no function '{method}'", "Invalid")
    elif entry.method:
        raise WippyError(f"{entry.id}: 'method: {entry.method}' but the chunk returned a "
                         f"{'function' if callable(main) else type(main).__name__}", "Invalid")
    if not isinstance(fn, luavm.LuaFunction):
        raise WippyError(f"{entry.id}: the chunk must return a function or a table of functions", "Invalid")
    return st, fn.fn


def install_imports(lookup: Lookup, st: LuaState, entry: LuaEntry) -> None:
    """`require(alias)` returns the imported library's value (its chunk runs once per
    state, on first require, in this state)."""
    rt = st.runtime
    for alias, lid in entry.imports.items():
        lib = lookup(lid)
        if not isinstance(lib, LuaEntry):
            continue
        install_imports(lookup, st, lib)
        codebook.add(lib.source)
        rt.register_module(alias, rt.load(lib.source, chunkname(lib)))


def lua_message(e: luavm.LuaError) -> str:
    v = e.value
    return v.decode("utf-8", "replace") if isinstance(v, bytes) else str(e)


class Pool:
    """Idle prepared states of one function entry."""

    __slots__ = ("app", "entry", "idle")

    def __init__(self, app: App, entry: LuaEntry) -> None:
        self.app = app
        self.entry = entry
        self.idle: list[tuple[LuaState, Any]] = []

    def acquire(self) -> tuple[LuaState, Any]:
        if self.idle:
            return self.idle.pop()
        return prepare(self.app.registry.get, self.entry)

    def release(self, item: tuple[LuaState, Any]) -> None:
        if len(self.idle) < MAX_IDLE:
            self.idle.append(item)


class PythonFunction:
    """A Python callable registered as a function entry."""

    __slots__ = ("id", "fn", "is_async", "wants_ctx")

    def __init__(self, fid: str, fn: Callable[..., Any]) -> None:
        self.id = fid
        self.fn = fn
        self.is_async = inspect.iscoroutinefunction(fn)
        try:
            self.wants_ctx = "ctx" in inspect.signature(fn).parameters
        except (TypeError, ValueError):
            self.wants_ctx = False

    def call_sync(self, args: list[Any], ctx: dict[str, Any]) -> tuple[Any, dict[str, Any] | None]:
        """A synchronous function called at once (funcs.call's direct path); errors as run's."""
        try:
            r = self.fn(*args, ctx=ctx) if self.wants_ctx else self.fn(*args)
        except WippyError as e:
            return None, e.data()
        except Exception as e:  # noqa: BLE001 - a Python function's failure is its caller's error value
            return None, {"kind": getattr(e, "kind", "Internal"), "message": f"{type(e).__name__}: {e}"}
        return r, None

    async def run(self, args: list[Any], ctx: dict[str, Any]) -> tuple[Any, dict[str, Any] | None]:
        """A keyword parameter named `ctx` receives the call's context (for an
        activity: `idempotency_key`, `attempt`, `workflow_id`)."""
        kw = {"ctx": ctx} if self.wants_ctx else {}
        try:
            if self.is_async:
                r = await self.fn(*args, **kw)
            else:
                r = self.fn(*args, **kw)
        except WippyError as e:
            return None, e.data()
        except asyncio.CancelledError:
            raise
        except Exception as e:  # noqa: BLE001 - a Python function's failure is its caller's error value
            return None, {"kind": getattr(e, "kind", "Internal"), "message": f"{type(e).__name__}: {e}"}
        return r, None


__all__ = ["WippyError", "Pool", "PythonFunction", "prepare", "entry_modules"]
