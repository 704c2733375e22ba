"""The basic library (Lua 5.4 manual §6.1)."""

from __future__ import annotations

import sys
from types import FrameType, FunctionType
from typing import Any

from ..runtime import ops, state
from ..runtime.args import (
    NOVALUE,
    arg_error,
    check_any,
    check_int,
    check_str,
    check_table,
    opt_str,
    type_error,
)
from ..runtime.coroutine import PcallRecord, Suspend, protected
from ..runtime.frames import HANDLER_CODES, level_position, register_builtin
from ..runtime.icache import invalidate, is_watched
from ..runtime.limits import alloc, charge
from ..runtime.loader import register
from ..runtime.values import (
    MAXINT,
    MININT,
    NORET,
    LuaError,
    LuaTable,
    Ret,
    lua_bytes,
    rt_error,
    str2number,
    tostr,
    type_name,
)
from . import weak


def tostring_meta(v: Any) -> bytes:
    """luaL_tolstring: `__tostring`, then `__name`, then the raw form."""
    mt = ops.getmetatable_raw(v)
    if mt is not None:
        h = mt.hash.get(b"__tostring")
        if h is not None:
            r = ops.call_noyield(h, v)
            if type(r) is Ret:
                r = r[0] if r else None
            if type(r) is not bytes:
                if type(r) in (int, float):
                    return tostr(r)
                raise rt_error("'__tostring' must return a string")
            return r
        name = mt.hash.get(b"__name")
        if type(name) is bytes and type(v) is LuaTable:
            return b"%s: 0x%08x" % (name, id(v))
    return tostr(v)


def lua_print(*args: Any) -> Any:
    st = state.current
    out = st.stdout
    sm = st.string_meta
    if sm is not None and sm.hash.get(b"__tostring") is not None:
        line = b"\t".join([tostring_meta(a) for a in args]) + b"\n"  # strings too (luaL_tolstring)
    else:
        line = b"\t".join([a if type(a) is bytes else tostring_meta(a) for a in args]) + b"\n"
    if len(line) >= 256:
        charge(len(line) >> 8)  # output is bulk work: a limited runtime cannot flood the host's stream
    out.write(line)
    return NORET


TYPE_NAMES = {bytes: b"string", int: b"number", float: b"number", bool: b"boolean",
               LuaTable: b"table", type(None): b"nil", FunctionType: b"function"}


def lua_type(v: Any = NOVALUE, *_: Any) -> bytes:
    r = TYPE_NAMES.get(v.__class__)
    if r is not None:
        return r
    check_any(v, 1, "type")
    return type_name(v).encode()


def lua_tostring(v: Any = NOVALUE, *_: Any) -> bytes:
    c = v.__class__
    if (c is int or c is float) and not state.current.type_metas:  # a number without a metatable
        return b"%d" % v if c is int else tostr(v)
    check_any(v, 1, "tostring")
    return tostring_meta(v)


_DIGITS = b"0123456789abcdefghijklmnopqrstuvwxyz"


def lua_tonumber(v: Any = NOVALUE, base: Any = None, *_: Any) -> Any:
    if base is None:
        check_any(v, 1, "tonumber")
        t = type(v)
        if t is int or t is float:
            return v
        if t is bytes:
            return str2number(v)
        return None
    b = check_int(base, 2, "tonumber")
    if type(v) is not bytes:
        raise type_error(1, "tonumber", "string", v)
    if not 2 <= b <= 36:
        raise arg_error(2, "tonumber", "base out of range")
    s = v.strip(b" \t\n\r\f\v").lower()
    neg = s[:1] == b"-"
    if neg or s[:1] == b"+":
        s = s[1:]
    if not s:
        return None
    n = 0
    for c in s:
        d = _DIGITS.find(bytes([c]))
        if d < 0 or d >= b:
            return None
        n = n * b + d
    n &= 0xFFFFFFFFFFFFFFFF
    if neg:
        n = -n & 0xFFFFFFFFFFFFFFFF
    return n - (1 << 64) if n >= 1 << 63 else n


def lua_next(t: Any = NOVALUE, k: Any = None, *_: Any) -> Any:
    if type(t) is not LuaTable:
        check_table(t, 1, "next")
    r = t.next(k)
    if r is None:
        return None
    return Ret(r)


def lua_pairs(t: Any = NOVALUE, *_: Any) -> Any:
    if type(t) is LuaTable and (t.meta is None or t.meta.hash.get(b"__pairs") is None):
        return (lua_next, t, None)  # the common case: no metamethod to look for
    check_any(t, 1, "pairs")
    h = ops.metafield(t, b"__pairs")
    if h is not None:
        r = ops.results(ops.call(h, t))
        return (r + (None, None, None))[:3]
    return (lua_next, t, None)  # lua 5.4: any value; `next` then complains


def ipairs_iter(t: Any = NOVALUE, i: Any = NOVALUE, *_: Any) -> Any:
    if type(i) is not int:
        i = check_int(i, 2, "ipairs_iter")
    i = i + 1 if i != MAXINT else MININT  # luaL_intop: wraps around
    if type(t) is LuaTable:
        arr = t.arr
        if 0 < i <= len(arr):
            v = arr[i - 1]
            if v is not None:
                return (i, v)
        if t.meta is None:
            v = t.hash.get(i)
            return None if v is None else (i, v)
    co = state.current.current
    co.nny += 1
    try:
        v = ops.index(t, i)
    finally:
        co.nny -= 1
    return None if v is None else (i, v)


def lua_ipairs(t: Any = NOVALUE, *_: Any) -> Any:
    check_any(t, 1, "ipairs")
    return (ipairs_iter, t, 0)


def lua_select(n: Any = NOVALUE, *args: Any) -> Any:
    if n == b"#":
        return len(args)
    i = check_int(n, 1, "select")
    if i < 0:
        i = len(args) + i
        if i < 0:
            raise arg_error(1, "select", "index out of range")
        return Ret(args[i:])
    if i == 0:
        raise arg_error(1, "select", "index out of range")
    return Ret(args[i - 1:])


def lua_rawget(t: Any = NOVALUE, k: Any = NOVALUE, *_: Any) -> Any:
    check_table(t, 1, "rawget")
    check_any(k, 2, "rawget")
    return t.get(k)


def lua_rawset(t: Any = NOVALUE, k: Any = NOVALUE, v: Any = NOVALUE, *_: Any) -> Any:
    check_table(t, 1, "rawset")
    check_any(k, 2, "rawset")
    check_any(v, 3, "rawset")
    # raised inside the C function (lua_rawset): Lua gives these no position
    if k is None:
        raise LuaError(b"table index is nil")
    if type(k) is float and k != k:
        raise LuaError(b"table index is NaN")
    t.set(k, v)
    return t


def lua_rawequal(a: Any = NOVALUE, b: Any = NOVALUE, *_: Any) -> bool:
    check_any(a, 1, "rawequal")
    check_any(b, 2, "rawequal")
    if a is b:
        return type(a) is not float or a == a  # (NaN is not equal to itself, even the same object)
    if type(a) is bool or type(b) is bool:
        return False
    if type(a) in (int, float, bytes) and type(b) in (int, float, bytes):
        return a == b
    return False


def lua_rawlen(v: Any = NOVALUE, *_: Any) -> int:
    if type(v) is LuaTable:
        return v.length()
    if type(v) is bytes:
        return len(v)
    raise type_error(1, "rawlen", "table or string", v)


def lua_setmetatable(t: Any = NOVALUE, mt: Any = NOVALUE, *_: Any) -> Any:
    """Generated code runs the common case inline (a table whose metatable, if any,
    has no `__metatable`, not watched by an inline cache, given a table without
    `__mode`:
    compiler/expressions.py `setmetatable_fast`); a change here must keep it true."""
    check_table(t, 1, "setmetatable")
    if mt is not None and type(mt) is not LuaTable:
        raise type_error(2, "setmetatable", "nil or table", mt)
    if t.meta is not None and t.meta.hash.get(b"__metatable") is not None:
        raise rt_error("cannot change a protected metatable")
    if is_watched(t):
        invalidate()  # a cached field lookup went through t
    t.meta = mt
    if mt is not None and mt.hash.get(b"__mode") is not None:
        weak.register(t)
    return t


def lua_getmetatable(v: Any = NOVALUE, *_: Any) -> Any:
    check_any(v, 1, "getmetatable")
    mt = ops.getmetatable_raw(v)
    if mt is None:
        return None
    protected_mt = mt.hash.get(b"__metatable")
    return mt if protected_mt is None else protected_mt


def lua_assert(*args: Any) -> Any:
    if not args:
        raise arg_error(1, "assert", "value expected")
    v = args[0]
    if v is None or v is False:
        msg = args[1] if len(args) > 1 else b"assertion failed!"
        if type(msg) is bytes:  # luaB_assert calls error(msg): level 1
            msg = lua_bytes(level_position(1, sys._getframe(0))) + msg
        raise LuaError(msg)
    return Ret(args)


def lua_error(v: Any = None, level: Any = None, *_: Any) -> Any:
    lv = 1 if level is None else check_int(level, 2, "error")
    if type(v) is bytes and lv > 0:
        v = lua_bytes(level_position(lv, sys._getframe(0))) + v
    raise LuaError(v)


_PCALL = PcallRecord(None)  # what every pcall leaves on a suspended stack (no handler: shared)


def lua_pcall(f: Any = NOVALUE, *args: Any) -> Any:
    check_any(f, 1, "pcall")
    return protected(lambda: ops.ccall(f, *args), None, _PCALL)


def lua_xpcall(f: Any = NOVALUE, h: Any = NOVALUE, *args: Any) -> Any:
    if type_name(h) != "function":
        raise type_error(2, "xpcall", "function", NOVALUE if h is NOVALUE else h)
    return protected(lambda: ops.ccall(f, *args), MessageHandler(h), PcallRecord(h))


class MessageHandler:
    """Runs xpcall's handler h where the frames of the error stay visible (see
    frames.HANDLER_CODES): `debug.traceback` as a handler shows where it failed."""

    __slots__ = ("h",)

    def __init__(self, h: Any) -> None:
        self.h = h

    def __call__(self, value: Any) -> Any:
        err = sys.exc_info()[1]  # noqa: F841 - read from this frame by current_traceback
        return ops.call(self.h, value)


HANDLER_CODES.add(MessageHandler.__call__.__code__)


def lua_collectgarbage(opt: Any = None, *_: Any) -> Any:
    o = opt_str(opt, 1, "collectgarbage", b"collect")
    if o == b"count":  # an estimate, cheap (a sandboxed loop may call it a million times)
        return sys.getallocatedblocks() * 64 / 1024.0
    if o in (b"collect", b"step", b"incremental", b"generational"):
        if o in (b"collect", b"step"):
            weak.collect()  # (a step finishes a cycle: lua's answer is then true)
        if o == b"step":
            return True
        if o in (b"incremental", b"generational"):
            return b"incremental"
        return 0
    if o == b"isrunning":
        return True
    if o in (b"stop", b"restart", b"setpause", b"setstepmul"):
        return 0
    raise arg_error(1, "collectgarbage", f"invalid option '{o.decode('latin-1')}'")


# ------------------------------------------------------------------- warnings


def warning(st: state.LuaState, msg: bytes, tocont: bool) -> None:
    """lua_warning with lauxlib's warning function: off until "@on"; a message
    is "Lua warning: " and its pieces on one line of stderr. Its state (off,
    on, in the middle of a message) is the state's `warn_mode`. A sandboxed
    runtime writes warnings nowhere (its Lua code must not flood the host's
    stderr), unless the embedder set `state.warn_stream`."""
    mode = st.warn_mode
    if mode != "cont":
        if not tocont and msg[:1] == b"@":  # a control message
            if msg == b"@off":
                st.warn_mode = "off"
            elif msg == b"@on":
                st.warn_mode = "on"
            return
        if mode == "off":
            return
    out = st.warn_stream
    if out is None and st.host_access:
        out = getattr(sys.stderr, "buffer", None)
    text = (b"Lua warning: " if mode == "on" else b"") + msg + (b"" if tocont else b"\n")
    st.warn_mode = "cont" if tocont else "on"
    if out is not None:
        charge(1 + (len(text) >> 8))
        try:
            out.write(text)
            out.flush()
        except (OSError, ValueError):
            pass


def lua_warn(*args: Any) -> Any:
    if not args:
        raise type_error(1, "warn", "string", NOVALUE)
    pieces = [check_str(a, i + 1, "warn").split(b"\0", 1)[0] for i, a in enumerate(args)]
    st = state.current
    for i, p in enumerate(pieces):
        warning(st, p, i < len(pieces) - 1)
    return NORET


# ------------------------------------------------------------------- loading


def load_text(chunk: bytes, chunkname: str, env: Any) -> Any:
    """Compile a text chunk; returns the main closure or raises LuaSyntaxError.
    Chunks that a sandboxed or limited runtime's Lua code makes stay out of the
    on-disk cache: every distinct one would be a file, and the disk is the host's."""
    from .. import diskcache
    from ..runtime.loader import load_chunk

    st = state.current
    if st.host_access and st.limits is None:
        return load_chunk(chunk, chunkname).main(env)
    diskcache.OFF[0] += 1
    try:
        return load_chunk(chunk, chunkname).main(env)
    finally:
        diskcache.OFF[0] -= 1


def read_chunk(reader: Any) -> bytes | Ret:
    """The text a reader function gives, piece by piece until nil or "" (lua_load's
    reader); an error in the reader or a piece that is not a string is load's
    failure, returned as its (nil, message)."""
    parts: list[bytes] = []
    size = 0
    while True:
        try:
            piece = ops.call1(reader)
        except LuaError as e:
            return (None, e.value)
        if piece is None or piece == b"":
            return b"".join(parts)
        if type(piece) is not bytes:
            return (None, rt_error("reader function must return a string").value)
        parts.append(piece)
        size += len(piece)
        charge(1 + (len(piece) >> 8))  # a reader that never ends is stopped by the limits
        alloc(size)  # the chunk may not outgrow the string cap either


def lua_load(*args: Any) -> Any:
    from ..lexer import LuaSyntaxError

    chunk = args[0] if args else NOVALUE
    chunkname = args[1] if len(args) > 1 else None
    mode = args[2] if len(args) > 2 else None
    env = args[3] if len(args) > 3 else state.current.globals
    if type(chunk) in (int, float):
        chunk = tostr(chunk)
    # luaB_load checks the mode (argument 3) first, then the chunk name, then the
    # chunk; both are C strings (they end at a NUL)
    m = opt_str(mode, 3, "load", b"bt").split(b"\0", 1)[0]
    if type(chunk) is bytes:
        text = chunk
        name = chunk.decode("latin-1") if chunkname is None else None
    elif type_name(chunk) == "function":
        name = opt_str(chunkname, 2, "load", b"=(load)").decode("latin-1")
        read = read_chunk(chunk)
        if not isinstance(read, bytes):
            return read
        text = read
    else:
        opt_str(chunkname, 2, "load", b"=(load)")
        raise type_error(1, "load", "function", chunk)
    if name is None:
        name = opt_str(chunkname, 2, "load", b"=(load)").decode("latin-1")
    name = name.split("\0", 1)[0]  # lua_load takes the name as a C string
    if text[:1] == b"\x1b":
        if b"b" not in m:
            return (None, b"attempt to load a binary chunk (mode is '%s')" % m)
        from ..runtime.dump import undump

        try:
            return undump(text, name, env)
        except LuaError as e:
            return (None, e.value)
    if b"t" not in m:
        return (None, b"attempt to load a text chunk (mode is '%s')" % m)
    try:
        return load_text(text, name, env)
    except LuaSyntaxError as e:
        msg = e.msg.encode("latin-1", "replace") if isinstance(e.msg, str) else e.msg
        if msg == b"C stack overflow":
            return (None, _runerror_message(msg))
        return (None, msg)


def _runerror_message(msg: bytes) -> Any:
    """A "C stack overflow" while parsing is raised by luaE_checkcstack (luaG_runerror),
    so unlike other syntax errors it goes through the message handler in force:
    xpcall's, or lua.c's (a traceback) when the `luavm` command runs the chunk."""
    from ..runtime import coroutine as C

    f: FrameType | None = sys._getframe(1)
    while f is not None:
        c = f.f_code
        if c is C._PROTECTED_CODE:
            h = f.f_locals.get("handler")
            return msg if h is None else C._handle(h, msg)[0]
        if c in C.BOUNDARY_CODES:
            return msg  # a coroutine runs without a message handler
        f = f.f_back
    if state.current.msghandler is not None:
        from ..runtime.frames import current_traceback

        return msg + b"\n" + current_traceback(None, 0).encode("latin-1", "replace")
    return msg


def _read_source(filename: Any, fname: str) -> tuple[bytes, str] | bytes:
    """luaL_loadfilex's reading: (text, chunk name), or the message of a failure.
    No file name: standard input."""
    from ..runtime.loader import file_text

    if filename is None:
        return file_text(sys.stdin.buffer.read()), "=stdin"
    fn = check_str(filename, 1, fname)
    shown = fn.split(b"\0", 1)[0].decode("latin-1")
    what = "open"
    try:
        with open(fn.split(b"\0", 1)[0], "rb") as fh:
            what = "read"
            data = fh.read()
    except IsADirectoryError as e:
        return lua_bytes(f"cannot read {shown}: {e.strerror}")
    except OSError as e:
        return lua_bytes(f"cannot {what} {shown}: {e.strerror}")
    return file_text(data), "@" + shown


def lua_loadfile(filename: Any = None, mode: Any = None, *rest: Any) -> Any:
    """loadfile([filename [, mode [, env]]]): a host-access function, like dofile."""
    opt_str(mode, 2, "loadfile", b"bt")
    r = _read_source(filename, "loadfile")
    if isinstance(r, bytes):
        return (None, r)
    text, name = r
    return lua_load(text, name.encode("latin-1"), mode, *rest[:1]) if rest else lua_load(text, name.encode("latin-1"), mode)


def lua_dofile(filename: Any = None, *_: Any) -> Any:
    from ..lexer import LuaSyntaxError

    st = state.current
    r = _read_source(None if filename is None else opt_str(filename, 1, "dofile", b""), "dofile")
    if isinstance(r, bytes):
        raise LuaError(r)  # (lua_error: the message as it is, no position)
    data, name = r
    try:
        f = load_text(data, name, st.globals)
    except LuaSyntaxError as e:
        raise LuaError(e.msg.encode("latin-1", "replace")) from None
    return ops.call(f)


def open_base(st: state.LuaState, G: LuaTable) -> None:
    funcs = {
        "print": lua_print, "type": lua_type, "tostring": lua_tostring, "tonumber": lua_tonumber,
        "next": lua_next, "pairs": lua_pairs, "ipairs": lua_ipairs, "select": lua_select,
        "rawget": lua_rawget, "rawset": lua_rawset, "rawequal": lua_rawequal, "rawlen": lua_rawlen,
        "setmetatable": lua_setmetatable, "getmetatable": lua_getmetatable, "assert": lua_assert,
        "error": lua_error, "pcall": lua_pcall, "xpcall": lua_xpcall,
        "collectgarbage": lua_collectgarbage, "load": lua_load, "warn": lua_warn,
    }
    if st.host_access:
        funcs["dofile"] = lua_dofile
        funcs["loadfile"] = lua_loadfile
    for k, f in funcs.items():
        G.set(k.encode(), f)
    register_builtin(ipairs_iter, "?")  # no global name: Lua calls it '?' in messages
    G.set(b"_G", G)
    G.set(b"_VERSION", b"Lua 5.4")


__all__ = ["open_base", "tostring_meta", "ipairs_iter", "lua_next", "Suspend"]


# generated code calls these by name (runtime/loader.py `register`)
register(_NEXT=lua_next, _INEXT=ipairs_iter, _BTYPE=lua_type, _TYPENAMES=TYPE_NAMES,
         _BTOSTRING=lua_tostring, _BTONUMBER=lua_tonumber, _SETMT=lua_setmetatable)
