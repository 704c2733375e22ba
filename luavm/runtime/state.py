"""Per-runtime state that helpers reach without an argument.

Generated code and builtins call module-level helpers; the few that need the
Lua state (string metatable, current coroutine, random state) read
`state.current`. A LuaRuntime makes its state current while it runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..stdlib.lio import LuaFile
    from .coroutine import Coroutine
    from .limits import Limits
    from .values import LuaTable


class LuaState:
    """Everything a Lua state owns besides its tables: it is part of a snapshot
    (Task._snapshot_root lists the fields written; the others are the host's and
    are set again by the runtime that restores it).

    Every field is declared here, typed: no module adds attributes of its own
    (a library's per-state data is a field named after it, `io_*`, `warn_*`)."""

    def __init__(self) -> None:
        from .coroutine import Coroutine

        self.globals: LuaTable | None = None
        self.string_meta: LuaTable | None = None
        self.type_metas: dict[str, LuaTable] = {}  # debug.setmetatable on numbers, nil, ...
        self.main = Coroutine(None, main=True)
        self.current: Coroutine = self.main
        self.random: Any = None  # xoshiro256** state, set by the math library
        self.registry: dict[str, Any] = {}  # permanents: builtins by stable name
        self.host_access = False
        self.loaded: LuaTable | None = None  # package.loaded
        self.stdout: Any = None  # binary stream print() writes to
        self.package: LuaTable | None = None
        self.task_active = False  # a Task is running: the host may suspend it
        self.limits: Limits | None = None  # when the embedder set any (runtime/limits.py)
        self.ccalls = 0  # nested calls made from builtins (pcall, resume, callbacks)
        # the message handler of errors that reach the main thread unprotected (the
        # `luavm` command's traceback, as lua.c's msghandler); None: no handler
        self.msghandler: Callable[[Any], Any] | None = None
        # the io library (stdlib/lio.py): the standard files' raw binary streams (an
        # embedder may set them before the library opens; default: `stdout`, else
        # Python's), the default input and output files, the FILE* metatable
        self.io_stdin: Any = None
        self.io_stdout: Any = None
        self.io_stderr: Any = None
        self.io_input: LuaFile | None = None
        self.io_output: LuaFile | None = None
        self.io_meta: LuaTable | None = None
        # warnings (stdlib/base.py `warning`): "off", "on" or "cont" (in the middle of
        # a message); where they go (None: stderr with host access, else nowhere)
        self.warn_mode = "off"
        self.warn_stream: Any = None
        # the clocks os.time/os.date and os.clock read (None: the host's); tests and
        # replays set deterministic ones
        self.clock: Callable[[], float] | None = None
        self.cpu_clock: Callable[[], float] | None = None


current: LuaState = None  # type: ignore[assignment]  # set by LuaRuntime


def activate(st: LuaState) -> LuaState:
    """Make `st` current; returns the previous state so callers can restore it."""
    global current
    prev = current
    current = st
    if st is not prev:
        hooks = _HOOKS or _switch_hooks()
        hooks[0]()  # cached string methods belong to the previous state's string metatable
        hooks[1](prev, st)  # the next step of code charges the new state's budget
    return prev


_HOOKS: list[Callable[..., None]] = []  # what a switch runs (found at the first one)


def _switch_hooks() -> list[Callable[..., None]]:
    # (imported at the first switch, not at load: icache and limits import this
    # module; a function-level `from` import costs ~1 µs at every call)
    from .icache import invalidate_strings
    from .limits import switch

    _HOOKS[:] = [invalidate_strings, switch]
    return _HOOKS
