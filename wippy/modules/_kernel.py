"""The kernel's primitives: the one suspension (wait for external events), the
clock, and the way to the state's own data (`state`). See wippy/lua/kernel.lua."""

from __future__ import annotations

import importlib.resources
import time
from functools import cache
from typing import Any

import luavm

from . import get_module
from ._spec import current

DEADLOCK = "all threads are blocked (deadlock): nothing can wake them"


def wait(pending: bool) -> Any:
    """Suspend the invocation until the host has events for it; returns a list of
    {id, value} pairs (the host resumes the task with it). `pending`: something
    external is awaited (a timer, a call, a subscription); with nothing pending and
    no way to receive messages, every thread is blocked for ever."""
    if not pending and not current().can_receive():
        raise luavm.LuaError(DEADLOCK.encode())
    return luavm.suspend(["wait"])


def now_ns() -> int:
    return current().now_ns()


def clock() -> float:
    inv = current()
    if inv.in_workflow:
        return 0.0
    return time.process_time()


running_loaded = luavm.running_loaded
W_KEY = b"__wippy.W"  # (luastate.W_KEY: where a state keeps its W, in package.loaded)


def state() -> Any:
    """The running Lua state's W table (the kernel's data, the modules' metatables
    and per-state values). The kernel's and the modules' closures reach their
    per-state data through this instead of capturing it, so they capture nothing
    mutable and every copy of a template state shares them (luavm/instantiate.py:
    a new process or workflow run copies only its data, not its functions). W is
    no new reach for Lua code: package.loaded holds it (restored_state finds it
    there)."""
    loaded = running_loaded()
    return loaded.get(W_KEY) if loaded is not None else None


def module_primitives(name: str) -> dict[str, Any]:
    """The primitives of module `name`, as a new table: what a module's loader
    (luastate._LOADER_SRC) passes to the module's chunk at its first `require`.
    Only loaders hold this function (as an upvalue, which no Lua code can read:
    no debug library), each with its own module's name, and a loader is installed
    only for a module the entry may use."""
    mod = get_module(name)
    return dict(mod.primitives) if mod is not None else {}


def module_source(name: str) -> str:
    """The Lua source of module `name` ("types": wippy/lua/types.lua), for its loader
    (luastate._LOADER_SRC, _LAZY_SRC) to load at the first use; handed over then, not
    held by the loader, so a state does not carry the text (nor does its whole
    snapshot). Wippy's own sources only, as the loaders (which alone hold this)
    ask for them."""
    if name == "types":
        return _types_source()
    mod = get_module(name)
    return mod.lua if mod is not None else ""


@cache
def _types_source() -> str:
    return importlib.resources.files("wippy").joinpath("lua", "types.lua").read_text("utf-8")


PRIMITIVES = {"wait": wait, "now_ns": now_ns, "clock": clock, "state": state,
              "module_primitives": module_primitives, "module_source": module_source}
