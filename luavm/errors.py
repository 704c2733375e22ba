"""Every exception luavm raises to a host, in one leaf module.

Concept: an error a host may catch names its cause, not the module that raised
it; and the layers below the runtime (lexer, parser, compiler) raise and pass on
these without importing the runtime. Invariant: this module imports nothing of
luavm (tests/test_layers.py checks every import of every module). The one thing
an error needs from above, the text of a Lua value that is not a string (a
table's `table: 0x...`), is installed by `runtime.values` through
`set_value_text` when it loads (before any Lua value exists). Cost: none.

Not here: exceptions that never reach a host, which live with the code that
raises and catches them: `runtime.coroutine.Suspend` (a suspension unwinding
the stack), `runtime.ops.OpError` (a LuaError that knows which operand was
wrong), the parser's `_Reject`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["LuaError", "LuaLimitError", "LuaSyntaxError", "CompileError", "SnapshotError", "set_value_text"]


def _repr_text(value: Any) -> bytes:
    return repr(value).encode()


_VALUE_TEXT: list[Callable[[Any], bytes]] = [_repr_text]


def set_value_text(fn: Callable[[Any], bytes]) -> None:
    """How `str(LuaError)` shows an error value that is not a string: Lua's
    `tostring` (runtime.values installs it)."""
    _VALUE_TEXT[0] = fn


class LuaError(Exception):
    """A Lua error in flight; `value` is the Lua error object.

    `level` is how many Lua frames up the position prefix belongs (Lua's `error`
    level); 0 means the message is final. Positions are added lazily, when the
    error is caught (pcall, coroutine boundary, top level), from the traceback.
    `lua_traceback` is Lua's "stack traceback:" text once the error reached the host.
    `handled`: a message handler already ran for it (xpcall's, or the command's).
    """

    handled = False
    wrap_where = False  # raised through a coroutine.wrap function: its caller's position goes in front
    origin: Any = None  # (frame, line) where a Python exception became this error
    operand = 0  # an error about an operand: 1 or 2 names whose variable info the message gets

    def __init__(self, value: Any, level: int = 0, traceback: str | None = None) -> None:
        super().__init__(value)
        self.value = value
        self.level = level
        self.lua_traceback = traceback

    def __str__(self) -> str:
        v = self.value
        if isinstance(v, bytes):
            return v.decode("utf-8", "replace")
        if v is None:
            return "nil"
        return _VALUE_TEXT[0](v).decode("utf-8", "replace")


class LuaLimitError(LuaError):
    """A resource limit stopped the Lua code. `kind`: 'instructions', 'time' or
    'memory'. Inside Lua it is an ordinary error whose value is the message."""

    def __init__(self, value: bytes, kind: str) -> None:
        super().__init__(value)
        self.kind = kind


class LuaSyntaxError(Exception):
    """A Lua compile-time error; `.msg` is the complete Lua-format message.

    The message is `str` with one char per source byte (latin-1), so
    `msg.encode("latin-1")` gives the bytes Lua would produce (as long as the
    chunk name itself is latin-1).
    """

    def __init__(self, msg: str) -> None:
        super().__init__(msg)
        self.msg = msg


class CompileError(Exception):
    """A static error Lua reports at compile time (goto, break, const)."""

    def __init__(self, msg: str) -> None:
        super().__init__(msg)
        self.msg = msg


class SnapshotError(Exception):
    """A state that cannot be written, or bytes that are not a valid snapshot."""
