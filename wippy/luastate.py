"""A Lua state prepared for Wippy code: the kernel, the globals, the modules.

`new_state(modules)` makes a luavm runtime (sandboxed: no host access), runs the
kernel (wippy/lua/kernel.lua: threads, channels, select), the errors library and the
prelude (globals), and registers each allowed module as a `require`-able loader
whose Lua surface runs on first use. Module sources are compiled once per process
(luavm caches chunks by source), so a new state costs its Lua setup only.

Invariants: nothing a Lua program can reach holds Python state except the
primitives, which are module-level functions (snapshots name them). The state's
`W` table (kernel internals, the modules' metatables and per-state values) is in
package.loaded[W_KEY]; wippy's Lua code reaches it through the `state` primitive
(modules/_kernel.py) and never captures it, nor any other per-state table, in a
closure: so those closures are shared by every copy of a template state
(luavm/instantiate.py), and a new process or workflow run copies only its data.
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Iterable
from functools import cache
from typing import Any

import luavm

from . import codebook
from .modules import KNOWN, get_module
from .modules import _kernel as kernel_primitives


@cache
def lua_source(name: str) -> str:
    return importlib.resources.files("wippy").joinpath("lua", name).read_text("utf-8")


W_KEY = "__wippy.W"


def restored_state(runtime: luavm.LuaRuntime, entry_id: str) -> LuaState:
    """The LuaState of a runtime rebuilt from a snapshot."""
    W = runtime.globals()["package"]["loaded"][W_KEY]
    modules = frozenset(k for k in W["declared"])
    return LuaState(runtime, W, modules, entry_id)


def primitives() -> dict[str, Any]:
    """Every host function a Wippy state may hold, by its snapshot name."""
    out: dict[str, Any] = {}
    for f in kernel_primitives.PRIMITIVES.values():
        out[f"{f.__module__}:{f.__qualname__}"] = f
    for name in KNOWN:
        mod = get_module(name)
        if mod is not None:
            for f in mod.primitives.values():
                out[f"{f.__module__}:{f.__qualname__}"] = f
    return out


class LuaState:
    """A runtime plus its kernel table `W`."""

    __slots__ = ("runtime", "W", "modules", "entry_id", "_run_packed", "_serve_packed", "_pump")

    def __init__(self, runtime: luavm.LuaRuntime, W: Any, modules: frozenset[str], entry_id: str) -> None:
        self.runtime = runtime
        self.W = W
        self.modules = modules
        self.entry_id = entry_id
        self._run_packed: Any = None
        self._serve_packed: Any = None
        self._pump: Any = None

    def task(self, fn: Any, args: tuple[Any, ...]) -> luavm.Task:
        """A task running `fn(*args)` under the kernel that waits for external
        events suspended in P.wait, where it can be snapshotted (W.run_packed:
        a Temporal workflow run), made without compiling anything
        (`runtime.task` loads a chunk each time)."""
        rp = self._run_packed
        if rp is None:
            rp = self._run_packed = self.W["run_packed"].fn
        return self._packed(rp, fn, args)

    def served(self, fn: Any, args: tuple[Any, ...]) -> luavm.Task:
        """A task running `fn(*args)` under W.serve (a function call, never
        snapshotted): it ends when every thread is blocked, and the invocation
        goes on with `pump` tasks (scheduler.Invocation.step)."""
        sp = self._serve_packed
        if sp is None:
            sp = self._serve_packed = self.W["serve_packed"].fn
        return self._packed(sp, fn, args)

    def _packed(self, kernel_fn: Any, fn: Any, args: tuple[Any, ...]) -> luavm.Task:
        """A task calling `kernel_fn(fn, {args..., n = #args})` (W.run_packed, W.serve_packed)."""
        rt = self.runtime
        if isinstance(fn, luavm.LuaFunction):
            fn = fn.fn
        return luavm.Task(rt, kernel_fn, (fn, rt.table(*args, n=len(args)).table))

    def pump(self, events: list[Any]) -> luavm.Task:
        """A task delivering `events` ({id, value} pairs) to an invocation that
        W.serve runs, and running its threads until they block again (W.pump)."""
        p = self._pump
        if p is None:
            p = self._pump = self.W["pump"].fn
        rt = self.runtime
        return luavm.Task(rt, p, (rt.table(*events).table,))


# A module's package.preload loader: at the first `require`, its chunk (compiled once
# per process: luavm caches chunks by source) runs with its primitives and W. It
# captures only the load builtin, strings and primitives, so every copy of a
# template state shares it (no chunk function or table of its own to copy).
# (the source comes from a primitive at that moment: a string upvalue would put the
# module's whole text in the state, and in every whole snapshot of it)
_LOADER_SRC = ("local load, source, chunkname, name, prims, S = ... "
               "return function() return load(source(name), chunkname)(prims(name), S()) end")
# `__type` (what a `type` declaration calls): types.lua runs on the first declaration,
# so the states of entries that declare no types (most processes) do not hold it;
# its function is kept in W (a shared closure, as the loaders)
_LAZY_SRC = ("local load, source, S = ... "
             "return function(...) local W = S() local f = W.types "
             "if f == nil then f = load(source('types'), '=[wippy types]')() W.types = f end return f(...) end")


# the modules installed as globals in every state (Module.is_global): only these and
# an entry's declared modules are imported when a state is made
GLOBAL_MODULES = frozenset({"process"})


@cache
def register_code() -> None:
    """Register wippy's own Lua sources (kernel, prelude, modules) in the codebook
    (imports every module: codebook.book() calls it, for snapshots only)."""
    for name in ("errors.lua", "kernel.lua", "prelude.lua", "types.lua"):
        codebook.add(lua_source(name))
    for name in KNOWN:
        mod = get_module(name)
        if mod is not None:
            assert mod.is_global == (name in GLOBAL_MODULES), name
            codebook.add(mod.lua)
    codebook.add(_LOADER_SRC)
    codebook.add(_LAZY_SRC)


def new_state(modules: Iterable[str] = (), *, entry_id: str = "?", seed: int | None = None,
              limits: dict[str, Any] | None = None) -> LuaState:
    """A fresh Lua state for an entry whose `modules` are `modules`."""
    rt = luavm.LuaRuntime(seed=seed if seed is not None else 0, typed=True, **(limits or {}))
    allowed = frozenset(modules)
    W = rt.table()
    W["entry_id"] = entry_id
    W["declared"] = {m: True for m in sorted(allowed)}  # (sorted: snapshots must not depend on hash order)
    W["known_modules"] = {m: True for m in KNOWN}
    # found again after a restore (require refuses it), and by the state primitive
    # (modules/_kernel.py) through which the Lua code reaches W
    rt.globals()["package"]["loaded"][W_KEY] = W
    kp = kernel_primitives.PRIMITIVES
    errors_lib = rt.call(rt.load(lua_source("errors.lua"), "=[wippy errors]"), W, kp)
    channel_lib = rt.call(rt.load(lua_source("kernel.lua"), "=[wippy kernel]"), W, kp)
    rt.call(rt.load(lua_source("prelude.lua"), "=[wippy prelude]"), W, kp, errors_lib, channel_lib)
    g = rt.globals()
    load = g["load"]
    _warm(rt, lua_source("types.lua"), "=[wippy types]")
    g["__type"] = rt.call(rt.load(_LAZY_SRC, "=[wippy lazy]"), load, kp["module_source"], kp["state"])
    for name in KNOWN:
        if name not in allowed and name not in GLOBAL_MODULES:
            continue
        mod = get_module(name)
        if mod is None:
            continue
        if mod.is_global or name in allowed:
            if mod.is_global:
                value = rt.call(rt.load(mod.lua, f"=[wippy {name}]"), dict(mod.primitives), W)
                rt.globals()[name] = value
                if name in allowed:
                    rt.register_module(name, value)
            else:
                rt.register_module(name, _loader(rt, load, mod.lua, name))
    return LuaState(rt, W, allowed, entry_id)


_WARM: set[str] = set()  # wippy chunks compiled through the host's load in this process


def _warm(rt: luavm.LuaRuntime, src: str, chunkname: str) -> None:
    """Compile a wippy source once per process through the host's `rt.load`, which
    luavm's disk cache serves: the Lua-side `load` of the same text and name (a lazy
    module loader, `__type`) then finds it in luavm's in-process chunk cache. (A
    `load` from Lua code in a runtime without host access never uses the disk cache,
    so without this a module's chunk was compiled in every process.)"""
    if chunkname not in _WARM:
        rt.load(src, chunkname)
        _WARM.add(chunkname)


def _loader(rt: luavm.LuaRuntime, load: Any, src: str, name: str) -> Any:
    """A package.preload loader (a Lua function) that runs a module's chunk with P, W."""
    _warm(rt, src, f"=[wippy {name}]")
    make = rt.load(_LOADER_SRC, "=[wippy loader]")
    kp = kernel_primitives.PRIMITIVES
    return rt.call(make, load, kp["module_source"], f"=[wippy {name}]", name, kp["module_primitives"], kp["state"])


__all__ = ["LuaState", "new_state", "lua_source", "restored_state", "primitives", "register_code", "W_KEY"]
