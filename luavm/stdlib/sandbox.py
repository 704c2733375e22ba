"""What a sandboxed runtime (`LuaRuntime()` without `host_access`) offers instead
of the full libraries.

- `load` reads text chunks only: a binary chunk (one that starts with ESC) is
  refused, whatever the mode argument says, as `load(s, name, "t")` does.
- `string.dump` refuses every function.
- `debug` keeps `traceback` and `getinfo` (error reporting); the functions that
  read or change other functions' upvalues and locals, metatables of any type,
  the registry and user values are absent.

The libraries are otherwise the same; io, os.execute/exit/getenv/remove/
rename/tmpname/setlocale, dofile, loadfile and file-system `require` are simply
not installed (see host._open_libs, los.open, lio.open, package). `warn` is
there but writes nowhere (the host's stderr is not the sandbox's to fill) unless
the embedder sets `state.warn_stream` (see base.warning).
"""

from __future__ import annotations

from typing import Any

from ..runtime.args import NOVALUE, check_func, opt_str, type_error
from ..runtime.values import LuaTable, Ret, rt_error, type_name
from .base import lua_load, read_chunk
from .ldebug import db_getinfo, db_traceback

BINARY_REFUSED = b"attempt to load a binary chunk (not allowed in a sandboxed runtime)"


def sandbox_load(*args: Any) -> Any:
    """`load` for a sandboxed runtime: text chunks only."""
    chunk = args[0] if args else NOVALUE
    # luaB_load checks the mode (argument 3) first, then the name, then the chunk;
    # a binary chunk the mode excludes gets Lua's own message (from lua_load)
    mode = opt_str(args[2] if len(args) > 2 else None, 3, "load", b"bt").split(b"\0", 1)[0]
    if type(chunk) not in (bytes, int, float):
        opt_str(args[1] if len(args) > 1 else None, 2, "load", b"=(load)")
    if type_name(chunk) == "function":
        # read the pieces here, so that what reaches the compiler is one string
        text = read_chunk(chunk)
        if type(text) is Ret:
            return text
        name = args[1] if len(args) > 1 and args[1] is not None else b"=(load)"
        args = (text, name) + tuple(args[2:])
    elif type(chunk) is not bytes and type(chunk) not in (int, float):
        raise type_error(1, "load", "function", chunk)
    elif type(chunk) is bytes and chunk[:1] == b"\x1b" and b"b" in mode:
        return (None, BINARY_REFUSED)
    if type(args[0]) is bytes and args[0][:1] == b"\x1b" and b"b" in mode:
        return (None, BINARY_REFUSED)
    return lua_load(*args)


def dump_refused(f: Any = NOVALUE, *_: Any) -> bytes:
    """`string.dump` for a sandboxed runtime."""
    check_func(f, 1, "dump")
    raise rt_error("unable to dump given function")


def open_debug() -> LuaTable:
    """The sandboxed `debug` table."""
    t = LuaTable()
    t.set(b"traceback", db_traceback)
    t.set(b"getinfo", db_getinfo)
    return t
