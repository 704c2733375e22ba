"""What a Wippy module is: a Lua surface over Python primitives.

Every module (`json`, `time`, `funcs`, ...) is one Python file in this package that
defines `MODULE = Module(...)`:

- `lua` is a Lua chunk run once per Lua state on the first `require` (or at state
  creation for globals). It receives `P, W` as `...`: `P` the table of the module's
  primitives, `W` the runtime's internal table (see wippy/lua/kernel.lua: `W.error`,
  `W.chan`, ...). It returns the module's value. Its functions capture no
  per-state table (not P, W, a metatable or a module table; nor a global, read
  through the chunk's _ENV): they take what they need from P and W as chunk
  locals (primitives and kernel functions) and reach per-state data as
  `W.state().x` (`local S = W.state`). Such closures are shared by every copy
  of a template state instead of copied (luavm/instantiate.py).
- `primitives` are *module-level* Python functions (a snapshot names them by
  `module:qualname`, so closures and lambdas are not allowed). They receive Python
  values (str, int, float, bool, None, luavm.LuaTableView for tables) and return Python
  values (dict/list become tables; a tuple is several results).
- Convention for failure: a primitive that can fail returns `(value, None)` or
  `(None, {"kind": "Invalid", "message": "..."})`, and the Lua surface turns the
  second into an error object: `local v, e = p_x(...) if e then return nil, w_error(e) end`.
- `workflow_safe`: may be listed in a `workflow.lua` entry's `modules`; a primitive
  whose result is not a function of its inputs must then ask `current()` how to
  behave (the workflow clock, the recorded value).

Invariants: no state lives in Python between calls except through `current()` (the
running invocation); everything else is in the Lua state, so it is snapshotted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Module:
    name: str
    lua: str
    primitives: Mapping[str, Callable[..., Any]] = field(default_factory=dict)
    workflow_safe: bool = True
    is_global: bool = False  # installed as a global in every state (process, channel, errors)


class Invocation(Protocol):
    """The running Lua invocation (a function call, a process, a workflow) as
    primitives see it."""

    entry_id: str  # the registry ID of the entry whose code runs
    pid: str
    in_workflow: bool  # deterministic rules apply: clock and randomness come from the engine
    ctx: dict[str, Any]  # values set with process.with_context / funcs.new():with_context
    replaying: bool  # a workflow re-running recorded history: side effects (log lines) are suppressed

    def now_ns(self) -> int:
        """Wall-clock nanoseconds since the epoch; the workflow clock inside a workflow."""
        ...

    def random_bytes(self, n: int) -> bytes:
        """`n` random bytes: os.urandom outside a workflow, the engine's seeded (replayable)
        generator inside one (uuid.v4/v7)."""
        ...

    def can_receive(self) -> bool:
        """Messages may still arrive (a process with a PID others can send to)."""
        ...

    def env(self, key: str) -> str | None:
        """An environment value the app grants (env module)."""
        ...

    def env_all(self) -> dict[str, str]:
        """Every environment value the app grants (env.get_all)."""
        ...

    # commands: what the host carries out (at once, or durably in a workflow) -------
    def start_timer(self, tid: int, delay_ns: int) -> None: ...

    def stop_timer(self, tid: int) -> bool: ...

    def call(self, eid: int, target: str, args: list[Any], options: dict[str, Any],
             ctx: dict[str, Any]) -> dict[str, Any] | None:
        """Start a call of a function entry; its outcome arrives as event `eid`."""
        ...

    def cancel_call(self, eid: int) -> bool: ...

    def send(self, dest: str, topic: str, data: Any) -> dict[str, Any] | None: ...

    def spawn(self, mode: str, entry: str, host: str, args: list[Any], opts: dict[str, Any],
              ctx: dict[str, Any], eid: int) -> Any: ...

    def control(self, op: str, *args: Any) -> Any: ...

    def upgrade(self, entry: Any, args: list[Any]) -> Any: ...


def failure(kind: str, message: str, details: dict[str, Any] | None = None) -> tuple[None, dict[str, Any]]:
    """The `(None, {kind, message, retryable=False[, details]})` a failing primitive returns."""
    err: dict[str, Any] = {"kind": kind, "message": message, "retryable": False}
    if details is not None:
        err["details"] = details
    return None, err


_CURRENT: list[Invocation] = []


def current() -> Invocation:
    """The invocation whose Lua code is calling this primitive."""
    return _CURRENT[-1]


def push(inv: Invocation) -> None:
    _CURRENT.append(inv)


def pop() -> None:
    _CURRENT.pop()


__all__ = ["Module", "Invocation", "current", "push", "pop", "failure"]
