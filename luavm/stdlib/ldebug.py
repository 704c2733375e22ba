"""The debug library: the parts programs and the test suite use.

Hooks: stdlib/hooks.py.
"""

from __future__ import annotations

import sys
from types import FrameType
from typing import Any, NamedTuple

from ..runtime import ops, state
from ..runtime.args import NOVALUE, arg_error, check_any, check_int, opt_int, opt_str, type_error
from ..runtime.frames import (
    CODE_INFO,
    chunkid,
    current_traceback,
    frame_function,
    lua_line,
    op_at,
    significant_frames,
)
from ..runtime.icache import invalidate, is_watched
from ..runtime.values import (
    NORET,
    UPVALUE_IDS,
    Box,
    LuaError,
    LuaTable,
    Ret,
    ValueUpvalueId,
    rt_error,
    tostr,
    type_name,
)
from . import hooks, weak


def db_traceback(*args: Any) -> Any:
    msg = args[0] if args else None
    if msg is not None and type(msg) is not bytes and type(msg) not in (int, float):
        return msg
    level = check_int(args[1], 2, "traceback") if len(args) > 1 and args[1] is not None else 1
    text = current_traceback(None, level)
    m = tostr(msg).decode("latin-1") + "\n" if msg is not None else ""
    return (m + text).encode("latin-1", "replace")


def _func_info(fn: Any, t: LuaTable, opts: bytes, code: Any = None) -> None:
    """The fields of debug.getinfo that describe the function itself (whose code
    is `code` when given: a frame's function is found only for option 'f')."""
    if code is None:
        code = getattr(fn, "__code__", None)
    ci = CODE_INFO.get(code) if code is not None else None
    if ci is not None:
        p = ci.proto
        if b"S" in opts:
            src = ci.chunk.name
            t.set(b"source", src.encode("latin-1"))
            t.set(b"short_src", chunkid(src).encode("latin-1"))
            t.set(b"what", b"main" if p.index == 0 else b"Lua")
            t.set(b"linedefined", p.line)
            t.set(b"lastlinedefined", p.end_line if p.index else 0)
        if b"u" in opts:
            t.set(b"nups", len(p.upvalues))
            t.set(b"nparams", len(p.params))
            t.set(b"isvararg", p.is_vararg)
        if b"L" in opts:
            t.set(b"activelines", _active_lines(code, ci))
    else:
        if b"S" in opts:
            t.set(b"source", b"=[C]")
            t.set(b"short_src", b"[C]")
            t.set(b"what", b"C")
            t.set(b"linedefined", -1)
            t.set(b"lastlinedefined", -1)
        if b"u" in opts:
            t.set(b"nups", 0)
            t.set(b"nparams", 0)
            t.set(b"isvararg", True)
    if b"r" in opts:
        t.set(b"ftransfer", 0)
        t.set(b"ntransfer", 0)
    if b"t" in opts:
        t.set(b"istailcall", False)
    if b"f" in opts:
        t.set(b"func", fn)


def _active_lines(code: Any, ci: Any) -> LuaTable:
    """activelines: the Lua lines the function's code stands for."""
    t = LuaTable()
    if ci.chunk.stripped:
        return t
    p = ci.proto
    lo, hi = (p.line, p.end_line) if p.index else (0, 1 << 62)
    for _, _, ln in code.co_lines():
        if ln is None or ln == code.co_firstlineno:  # (the `def` line: no Lua code)
            continue
        entry = ci.lines.get(ln)
        op = entry[0] if entry else None
        if op is not None and op.line and lo <= op.line <= hi and op.kind != "deopt":
            if op.line == p.line and p.index and p.end_line > p.line:
                continue  # (parameters and varargs: no instruction on the header line)
            t.set(op.line, True)
    return t


_MM_NAMES = {"index": "index", "setindex": "newindex", "concat": "concat", "len": "len",
             "close": "close", "unm": "unm", "eq": "eq", "lt": "lt", "le": "le"}


def _call_name(caller: FrameType) -> tuple[bytes | None, bytes]:
    """(name, namewhat) of the function a Lua frame is calling, as its call site says."""
    res = op_at(caller)
    op = res[1] if res is not None else None
    if op is None:
        return None, b""
    if op.kind == "call" and op.callee:
        nw, nm = op.callee
        return nm.encode(), nw.encode()
    mm = _MM_NAMES.get(op.kind)
    if mm is not None:
        return mm.encode(), b"metamethod"
    return None, b""


_GETINFO_OPTIONS = frozenset(b"SlnrutLf")


def db_getinfo(*args: Any) -> Any:
    a = list(args)
    arg = 0
    if a and type(a[0]).__name__ == "Coroutine":
        a = a[1:]
        arg = 1
    what = a[0] if a else NOVALUE
    opts = opt_str(a[1] if len(a) > 1 else None, arg + 2, "getinfo", b"flnSrtu")
    if opts[:1] == b">":
        raise arg_error(arg + 2, "getinfo", "invalid option '>'")
    t = LuaTable()
    if type_name(what) == "function":
        if not _GETINFO_OPTIONS.issuperset(opts):
            raise arg_error(arg + 2, "getinfo", "invalid option")
        _func_info(what, t, opts)
        if b"l" in opts:
            t.set(b"currentline", -1)
        if b"n" in opts:
            t.set(b"namewhat", b"")
        return t
    level = check_int(what, arg + 1, "getinfo")
    frames = significant_frames(sys._getframe(0))
    if level < 0 or level >= len(frames):
        return None
    if not _GETINFO_OPTIONS.issuperset(opts):
        raise arg_error(arg + 2, "getinfo", "invalid option")
    kind, f = frames[level]
    caller = frames[level + 1][1] if level + 1 < len(frames) else None
    fn = frame_function(f, caller) if b"f" in opts else None
    _func_info(fn, t, opts, f.f_code if kind == "lua" else None)
    if b"l" in opts:
        if kind == "lua":
            ci, op = op_at(f) or (None, None)
            t.set(b"currentline", lua_line(ci, op) if ci is not None else -1)
        else:
            t.set(b"currentline", -1)
    if b"n" in opts:
        name, namewhat = (None, b"")
        if caller is not None and frames[level + 1][0] == "lua":
            name, namewhat = _call_name(caller)
        t.set(b"name", name)
        t.set(b"namewhat", namewhat)
    return t


def db_getlocal(*args: Any) -> Any:
    a = list(args)
    if a and type(a[0]).__name__ == "Coroutine":
        a = a[1:]
    level = a[0] if a else NOVALUE
    n = check_int(a[1] if len(a) > 1 else NOVALUE, 2, "getlocal")
    if type_name(level) == "function":
        code = getattr(level, "__code__", None)
        ci = CODE_INFO.get(code) if code is not None else None
        if ci is None or n < 1 or n > len(ci.proto.params):
            return None
        return ci.proto.local_lua_names[ci.proto.params[n - 1]].encode()
    lv = check_int(level, 1, "getlocal")
    frames = significant_frames(sys._getframe(0))
    if lv < 0 or lv >= len(frames):
        raise arg_error(1, "getlocal", "level out of range")
    kind, f = frames[lv]
    if kind != "lua":
        return None
    if n < 0:
        va = _varargs(f)
        if -n > len(va):
            return None
        return (b"(vararg)", va[-n - 1])
    names = _frame_locals(f)
    if n < 1 or n > len(names):
        return None
    py, lua = names[n - 1]
    v = f.f_locals[py]
    if type(v) is Box:
        v = v.v
    return (lua.encode(), v)


def _frame_locals(f: FrameType) -> list[tuple[str, str]]:
    """The Lua locals of a Lua frame that have a value, in declaration order:
    (Python name, Lua name)."""
    ci = CODE_INFO[f.f_code]
    loc = f.f_locals
    return [(py, lua) for py, lua in ci.proto.local_lua_names.items() if py in loc]


def _varargs(f: FrameType) -> tuple:
    ci = CODE_INFO[f.f_code]
    va = f.f_locals.get("_va") if ci.proto.is_vararg else None
    return va if type(va) is tuple else ()


_TYPE_WORDS = {"int": "an integer", "float": "a float", "table": "a table",
               "pos": "an integer of at least 1 (a loop index)"}


def _check_settable(ci: Any, py: str, lua: str, cur: Any, v: Any) -> None:
    """A local the code is compiled to read as of a known type, or as a `local
    function` whose calls are compiled in, does not take a value that breaks it."""
    ty = getattr(ci.proto, "typed_locals", {}).get(py)
    if ty is None:
        return
    if ty == "function":
        if v is not cur:
            raise rt_error(f"bad argument #3 to 'setlocal' (local '{lua}' is a local function "
                           "whose calls are compiled in; it cannot be replaced)")
        return
    ok = {"int": type(v) is int, "float": type(v) is float, "table": type(v) is LuaTable,
          "pos": type(v) is int and v >= 1}[ty]
    if not ok:
        raise rt_error(f"bad argument #3 to 'setlocal' (local '{lua}' is compiled as "
                       f"{_TYPE_WORDS[ty]}; it cannot take {_KIND.get(type(v)) or 'a ' + type_name(v)})")


def _write_local(f: FrameType, py: str, v: Any) -> None:
    """Assign a local variable of a live Python frame."""
    if sys.version_info >= (3, 13):
        f.f_locals[py] = v  # a write-through proxy (PEP 667)
        return
    import ctypes

    f.f_locals[py] = v
    ctypes.pythonapi.PyFrame_LocalsToFast(ctypes.py_object(f), ctypes.c_int(0))


def db_setlocal(*args: Any) -> Any:
    a = list(args)
    arg = 0
    if a and type(a[0]).__name__ == "Coroutine":
        a = a[1:]
        arg = 1
    lv = check_int(a[0] if a else NOVALUE, arg + 1, "setlocal")
    n = check_int(a[1] if len(a) > 1 else NOVALUE, arg + 2, "setlocal")
    v = check_any(a[2] if len(a) > 2 else NOVALUE, arg + 3, "setlocal")
    frames = significant_frames(sys._getframe(0))
    if lv < 0 or lv >= len(frames):
        raise arg_error(arg + 1, "setlocal", "level out of range")
    kind, f = frames[lv]
    if kind != "lua":
        return None
    ci = CODE_INFO[f.f_code]
    if n < 0:
        va = _varargs(f)
        if -n > len(va):
            return None
        _write_local(f, "_va", va[:-n - 1] + (v,) + va[-n:])
        return b"(vararg)"
    names = _frame_locals(f)
    if n < 1 or n > len(names):
        return None
    py, lua = names[n - 1]
    cur = f.f_locals[py]
    if type(cur) is Box:
        cur.v = v
    else:
        _check_settable(ci, py, lua, cur, v)
        _write_local(f, py, v)
    del f, frames
    return lua.encode()


def lua_c_msghandler(value: Any) -> Any:
    """lua.c's msghandler (the `luavm` command runs chunks under it, host.py
    `LuaRuntime.set_traceback_handler`): a string or number gets a traceback
    appended; a __tostring result is the message as is."""
    from .base import MessageHandler, tostring_meta

    if type(value) not in (bytes, int, float):
        if ops.metafield(value, b"__tostring") is not None:
            try:
                s = tostring_meta(value)
            except LuaError:
                s = None
            if type(s) is bytes:
                return s
        value = f"(error object is a {type_name(value)} value)".encode()
    r = MessageHandler(db_traceback)(value)
    return ops.results(r)[0] if type(r) is Ret else r


def db_setcstacklimit(limit: Any = NOVALUE, *_: Any) -> Any:
    """Deprecated in Lua 5.4: does nothing; answers LUAI_MAXCCALLS (200) as 5.4.4."""
    check_int(limit, 1, "setcstacklimit")
    return 200


def db_debug(*_: Any) -> Any:
    """ldblib's db_debug: runs each line of standard input until "cont" or the end."""
    from .base import lua_load, lua_pcall, tostring_meta

    while True:
        sys.stderr.write("lua_debug> ")
        sys.stderr.flush()
        line = sys.stdin.buffer.readline()
        if not line or line == b"cont\n":
            return NORET
        f = lua_load(line, b"=(debug command)")
        if type(f) is tuple:
            ok, err = False, f[1]
        else:
            r = ops.results(lua_pcall(f))
            ok, err = r[0], (r[1] if len(r) > 1 else None)
        if not ok:
            sys.stderr.write(tostring_meta(err).decode("utf-8", "replace") + "\n")
            sys.stderr.flush()


class _Upvalue(NamedTuple):
    """An upvalue of a Lua function. A boxed one's cell holds the Box shared with
    the declaring function and its other closures; the cell of a local never
    written again holds the value itself. `fixed`: it holds a `local function`
    whose calls are compiled for what it returns (one value, of a known type)."""

    name: str
    cell: Any
    boxed: bool
    fixed: bool
    ty: str | None  # the type the function's code reads it as ('int', 'float', 'table')


def _upvalues(fn: Any) -> list[_Upvalue]:
    code = getattr(fn, "__code__", None)
    ci = CODE_INFO.get(code) if code is not None else None
    if ci is None:
        return []
    cells = dict(zip(fn.__code__.co_freevars, fn.__closure__ or ()))
    p = ci.proto
    return [_Upvalue(lua, cells[py], boxed, py in p.fixed_upvalues, p.typed_upvalues.get(py)) for py, lua, boxed in
            zip(p.upvalues, p.upvalue_lua_names, p.upvalue_boxed) if py in cells]


_TYPED = {"int": (int, "an integer"), "float": (float, "a float"), "table": (LuaTable, "a table")}
_KIND = {int: "an integer", float: "a float"}


def _check_changeable(up: _Upvalue, fname: str, v: Any) -> None:
    """Replacing a fixed upvalue under the calls compiled for it, or giving a typed
    one a value of another type, is refused rather than misread."""
    if up.fixed:
        raise rt_error(f"bad argument #1 to '{fname}' (upvalue '{up.name}' is a local function "
                       "whose calls are compiled in; it cannot be replaced)")
    if up.ty is not None and type(v) is not _TYPED[up.ty][0]:
        raise rt_error(f"bad argument #3 to '{fname}' (upvalue '{up.name}' is compiled as "
                       f"{_TYPED[up.ty][1]}; it cannot take {_KIND.get(type(v)) or 'a ' + type_name(v)})")


def db_getupvalue(f: Any = NOVALUE, n: Any = NOVALUE, *_: Any) -> Any:
    ups = _upvalues(f)
    i = check_int(n, 2, "getupvalue")
    if not 1 <= i <= len(ups):
        return NORET
    up = ups[i - 1]
    return (up.name.encode(), up.cell.cell_contents.v if up.boxed else up.cell.cell_contents)


CELL_WRITES = [0]  # closures' upvalue cells replaced (here or by a snapshot restore): see snapshot_base.py


def db_setupvalue(f: Any = NOVALUE, n: Any = NOVALUE, v: Any = None, *_: Any) -> Any:
    """A value upvalue is set in this closure only: its local is never written
    by Lua code, so nothing else was compiled to see a change."""
    ups = _upvalues(f)
    i = check_int(n, 2, "setupvalue")
    if not 1 <= i <= len(ups):
        return NORET
    up = ups[i - 1]
    if up.boxed:
        up.cell.cell_contents.v = v
    else:
        _check_changeable(up, "setupvalue", v)
        up.cell.cell_contents = v
        CELL_WRITES[0] += 1
    return up.name.encode()


def db_upvalueid(f: Any = NOVALUE, n: Any = NOVALUE, *_: Any) -> Any:
    ups = _upvalues(f)
    i = check_int(n, 2, "upvalueid")
    upvalue_id = getattr(f, "upvalue_id", None)  # a builtin closure with upvalues (gmatch's)
    if upvalue_id is not None and not ups:
        return upvalue_id(i)
    if not 1 <= i <= len(ups):
        return None
    up = ups[i - 1]
    if up.boxed:
        return up.cell.cell_contents
    return ValueUpvalueId(_declaration(f, up), up.cell.cell_contents)


def _declaration(f: Any, up: _Upvalue) -> tuple:
    """(chunk, index of the function declaring it, its Python name there) of a value
    upvalue of f, followed outward through the functions that pass it on."""
    ci = CODE_INFO[f.__code__]
    proto = ci.proto
    cells = dict(zip(f.__code__.co_freevars, f.__closure__ or ()))
    i = next(n for n, py in enumerate(proto.upvalues) if cells.get(py) is up.cell)
    protos = getattr(ci.chunk, "protos", None) or []
    while True:
        src = getattr(proto, "upvalue_from", None)
        parent = next((p for p in protos if proto.index in p.children), None)
        if not src or parent is None:
            return (id(ci.chunk), proto.index, proto.upvalues[i])
        py = src[i]
        if py not in parent.upvalues:
            return (id(ci.chunk), parent.index, py)
        proto, i = parent, parent.upvalues.index(py)


def _checkupval(f: Any, argf: int, n: Any, argn: int) -> int:
    i = check_int(n, argn, "upvaluejoin")
    if type_name(f) != "function":
        raise type_error(argf, "upvaluejoin", "function", f)
    if not 1 <= i <= len(_upvalues(f)):
        raise arg_error(argn, "upvaluejoin", "invalid upvalue index")
    return i


def db_upvaluejoin(f1: Any = NOVALUE, n1: Any = NOVALUE, f2: Any = NOVALUE, n2: Any = NOVALUE,
                   *_: Any) -> Any:
    """Shares the Box when both upvalues are boxed; otherwise f1's upvalue takes
    the current value of f2's (a value upvalue has nothing to share)."""
    i1 = _checkupval(f1, 1, n1, 2)
    i2 = _checkupval(f2, 3, n2, 4)
    up1 = _upvalues(f1)[i1 - 1]
    up2 = _upvalues(f2)[i2 - 1]
    v = up2.cell.cell_contents
    if up1.boxed:
        up1.cell.cell_contents = v if up2.boxed else Box(v)
    else:
        v = v.v if up2.boxed else v
        _check_changeable(up1, "upvaluejoin", v)
        up1.cell.cell_contents = v
    CELL_WRITES[0] += 1
    return NORET


def _full_userdata(v: Any) -> bool:
    return type_name(v) == "userdata" and type(v) not in UPVALUE_IDS  # an upvalue id is light


def db_getuservalue(u: Any = NOVALUE, n: Any = None, *_: Any) -> Any:
    opt_int(n, 2, "getuservalue", 1)
    if not _full_userdata(u):
        return None
    return (None, False)  # luavm's userdata carry no user values


def db_setuservalue(u: Any = NOVALUE, v: Any = NOVALUE, n: Any = None, *_: Any) -> Any:
    opt_int(n, 3, "setuservalue", 1)
    if not _full_userdata(u):
        raise type_error(1, "setuservalue", "userdata", u)
    check_any(v, 2, "setuservalue")
    return None


def db_getmetatable(v: Any = NOVALUE, *_: Any) -> Any:
    return ops.getmetatable_raw(v)


def db_setmetatable(v: Any = NOVALUE, mt: Any = None, *_: Any) -> Any:
    if mt is not None and type(mt) is not LuaTable:
        raise type_error(2, "setmetatable", "nil or table", mt)
    if type(v) is LuaTable:
        if is_watched(v):
            invalidate()  # a cached field lookup went through v
        v.meta = mt
        if mt is not None and mt.hash.get(b"__mode") is not None:
            weak.register(v)
    elif hasattr(v, "meta"):
        v.meta = mt
    elif type(v) is bytes:
        invalidate()  # string methods are cached
        state.current.string_meta = mt
    else:
        tn = type_name(v)
        if mt is None:
            state.current.type_metas.pop(tn, None)
        else:
            state.current.type_metas[tn] = mt
    return v


def db_getregistry(*_: Any) -> Any:
    raise rt_error("debug.getregistry is not supported by luavm")


def open(st: state.LuaState) -> LuaTable:
    t = LuaTable()
    funcs = {
        "traceback": db_traceback, "getinfo": db_getinfo, "getlocal": db_getlocal,
        "getmetatable": db_getmetatable, "setmetatable": db_setmetatable,
        "getupvalue": db_getupvalue, "setupvalue": db_setupvalue, "upvalueid": db_upvalueid,
        "upvaluejoin": db_upvaluejoin, "sethook": hooks.db_sethook, "gethook": hooks.db_gethook,
        "getregistry": db_getregistry, "getuservalue": db_getuservalue,
        "setuservalue": db_setuservalue, "setlocal": db_setlocal, "debug": db_debug,
        "setcstacklimit": db_setcstacklimit,
    }
    for k, f in funcs.items():
        t.set(k.encode(), f)
    return t
