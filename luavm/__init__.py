"""luavm: a Lua 5.4 interpreter in pure Python whose execution state can be
suspended at a host call, written as bytes and continued elsewhere."""

from typing import Any

from ._version import __version__
from .convert import LuaFunction, LuaTableView
from .dialect import erase_types
from .errors import LuaError, LuaLimitError, LuaSyntaxError, SnapshotError
from .host import LuaRuntime, Task, restore, restore_derived, run_with_big_stack
from .runtime import state as _state
from .runtime.coroutine import host_suspend as _host_suspend
from .runtime.frames import chunkid as chunk_display_name
from .runtime.values import LuaTable
from .runtime.values import type_name as lua_type


def __getattr__(name: str) -> Any:
    """The snapshot names are imported on first use: the snapshot module brings msgpack
    and hashlib (OpenSSL), which a process that never snapshots does not need; the
    snapshot inspector (~2 ms of import) is not needed at start-up either."""
    if name in ("FrameInfo", "inspect_snapshot"):  # (reading snapshots: not at start-up)
        from . import inspect

        return getattr(inspect, name)
    if name == "code_hash":
        from .snapshot import code_hash

        return code_hash
    if name == "SnapshotBase":
        from .snapshot_base import SnapshotBase

        return SnapshotBase
    if name == "snapshot_base_digest":
        from .snapshot import base_digest

        return base_digest
    raise AttributeError(f"module 'luavm' has no attribute {name!r}")


def suspend(request: Any) -> Any:
    """Called by a host function: suspend the running task with `request` (which
    must be msgpack-serialisable). Never returns; `task.run(value)` resumes the
    Lua call with `value`."""
    return _host_suspend(request)


def running_loaded() -> LuaTable | None:
    """Called by a host function: the `package.loaded` table (raw) of the Lua state
    that is running, its caller's. An embedder keeps per-state data there that
    its host functions hand back to Lua (wippy's kernel: its W table), so the Lua
    closures that use it need not capture it."""
    st = _state.current
    return st.loaded if st is not None else None


__all__ = [
    "LuaRuntime", "LuaError", "LuaLimitError", "LuaSyntaxError", "LuaFunction", "LuaTableView", "Task", "restore", "restore_derived",
    "suspend", "running_loaded", "run_with_big_stack", "SnapshotError", "SnapshotBase", "snapshot_base_digest", "code_hash",
    "erase_types", "FrameInfo", "inspect_snapshot", "LuaTable", "lua_type", "chunk_display_name", "__version__",
]
